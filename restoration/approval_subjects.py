"""What an approver sees of a restoration project whose early end is requested (SX 第二十九条;
issue 17): the project, why it ends, the amount still due, and its case."""

from cases.approval_subjects import case_summary
from workflow.approval_subjects import attachment_items, register_subject
from workflow.formatting import cn_date

from .models import RestorationProject


@register_subject(RestorationProject)
def restoration_summary(project: RestorationProject, request):
    summary = case_summary(project.case)
    summary.facts = [("修复事项", project.item),
                     ("修复方式", project.get_mode_display()),
                     ("修复目标", project.target),
                     ("终止修复的情形", project.get_end_reason_display()),
                     ("终止修复情况说明", project.end_note),
                     ("赔偿资金缴纳期限", cn_date(project.end_due_on))] + summary.facts
    summary.amounts = [("修复费用", project.estimated_cost),
                       ("未完成部分应缴纳的赔偿资金", project.end_amount)] + summary.amounts
    summary.evidence = attachment_items(project) + summary.evidence
    summary.related = []
    return summary
