"""What an approver sees of a case (issue 17): form [1]'s items (NAT 示范文本[1]: 案件来源, 案由,
赔偿义务人, 案情简介及启动索赔理由), the evidence catalogue, the classification with its reasons
and the amounts. Stages above (negotiation, restoration, disclosure) reuse `case_summary`."""

from django.urls import reverse

from workflow.approval_subjects import (
    EvidenceItem,
    SubjectSummary,
    attachment_items,
    register_subject,
)
from workflow.formatting import cn_date

from .classification import latest
from .models import Case


def case_summary(case: Case, *, note: str = "") -> SubjectSummary:
    row = latest(case)
    items = list(case.evidence.all())
    evidence = [
        EvidenceItem(title=str(e), detail=f"{cn_date(e.collected_on)} {e.description}".strip(),
                     url=reverse("workflow:download_attachment", args=[e.attachment_id])
                     if e.attachment_id else "")
        for e in items]
    # the case's other files (an evidence item's file is listed with the item)
    catalogued = {reverse("workflow:download_attachment", args=[e.attachment_id])
                  for e in items if e.attachment_id}
    return SubjectSummary(
        facts=[
            ("案件编号", case.number),
            ("案件来源", case.source),
            ("案由", case.cause),
            ("案情简介及启动索赔理由", case.summary),
            ("损害发生地", case.damage_place),
            ("启动日期", cn_date(case.opened_on)),
            ("当前阶段", case.get_stage_display()),
        ],
        obligors=[str(link) for link in case.obligor_links.select_related("party")],
        evidence=evidence + [a for a in attachment_items(case) if a.url not in catalogued],
        classification=row.label if row else case.get_classification_display(),
        classification_reasons=[
            f"{r.get('text', '')}（{r['citation']}）" if r.get("citation") else r.get("text", "")
            for r in (row.reasons if row else []) if isinstance(r, dict)],
        amounts=[("估算损害数额", case.estimated_amount),
                 ("鉴定评估损害数额", case.appraised_amount),
                 ("调查、鉴定评估等费用", case.fees_amount)],
        related=list(case.clues.all()),
        note=note,
    )


@register_subject(Case)
def case_approval_summary(case: Case, request) -> SubjectSummary:
    summary = case_summary(case, note="")
    if request.action == "case_initiation":
        # issue 17: starting a claim needs one 负责人同意 (NAT 三), recorded on form [1] with
        # both heads' opinions (NAT 示范文本[1]); the clue's 启动索赔 is not approved apart.
        summary.facts += [(f"来源线索 {clue.number}", f"{cn_date(clue.found_on)}发现：{clue.summary}")
                          for clue in case.clues.order_by("found_on", "pk")]
        summary.note = ("启动索赔只审批一次（NAT 三）：机构负责人、部门负责人先后在索赔启动登记表"
                        "（示范文本[1]）签署意见，同意后案件进入调查，来源线索同时记为“已启动索赔”。")
    return summary
