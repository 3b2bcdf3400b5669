"""Demo disclosure: the agreement of 某养殖场粪污直排 (restoration passed, everything paid)
published with the 机构负责人's approval, so /public/ shows an item, and a fund-use notice of
the same case left as a draft for the officer. Walked through the real services (masking,
approval, the PDF); a second run finds the publications and does nothing."""

from django.utils import timezone

from cases.models import Case
from workflow import approvals
from workflow.audit import acting_as

from . import services
from .models import Publication

PASSED_CASE = "某养殖场粪污直排，下游坑塘水体富营养化。"  # restoration/demo.py


def load(org):
    case = Case.objects.filter(clues__summary=PASSED_CASE).first()
    if case is None or case.publications.exists():
        return
    officer = org.by_username["jingban"]
    head = org.by_username["chuzhang"]
    year = timezone.localdate().year
    obligors = "、".join(link.party.name for link in case.obligor_links.select_related("party"))
    with acting_as(officer):
        agreement = services.prepare(
            case, by=officer, kind=Publication.Kind.AGREEMENT, year=year,
            title=f"{case.cause}生态环境损害赔偿协议（摘要）",
            original_text=(
                f"案件编号：{case.number}\n赔偿权利人：{case.jurisdiction}\n"
                f"赔偿义务人：{obligors or '（见协议）'}\n"
                "经磋商，赔偿义务人承担粪污清理、坑塘水体修复的责任，并缴纳生态环境服务功能损失"
                "和调查鉴定费用；修复已经效果评估达到修复目标，赔偿资金已全部缴入国库。\n"
                "联系人：王小红，联系电话13912345678。"))
        services.submit(agreement, by=officer, summary="协议已履行完毕，依 SX 第三十八条公开。")
    step = approvals.inbox(head).filter(request__object_id=agreement.pk,
                                        request__action=services.APPROVAL).first()
    if step is not None:
        with acting_as(head):
            approvals.decide(step, by=head, approve=True, opinion="同意公开。")
    with acting_as(officer):
        services.prepare(case, by=officer, kind=Publication.Kind.FUNDS, year=year,
                         title="赔偿资金使用情况", original_text=(
                             "本案赔偿资金经市财政局审核后用于替代修复项目库中的项目。"))
