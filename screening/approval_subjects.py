"""What the 机构负责人 sees of a clue when deciding its 启动索赔 / 不启动索赔 (issue 17)."""

from workflow.approval_subjects import SubjectSummary, attachment_items, register_subject
from workflow.formatting import cn_date, readable

from .models import Clue


@register_subject(Clue)
def clue_summary(clue: Clue, request) -> SubjectSummary:
    assessment = clue.trivial_assessment or {}
    note = ""
    if request.action == "clue_case_opening":
        # issue 17: what this agreement leads to. The seeds ask one 负责人同意 for starting a
        # claim (NAT 三), recorded on form [1] with both heads' opinions (NAT 示范文本[1]).
        note = ("同意后开立案件；经办人填写索赔启动登记表（示范文本[1]）后，仍须机构负责人、"
                "部门负责人先后签署意见（NAT 三）。")
    return SubjectSummary(
        facts=[
            ("线索编号", clue.number),
            ("线索渠道", str(clue.channel)),
            ("发现日期", cn_date(clue.found_on)),
            ("发生地", " ".join(filter(None, [str(clue.place or ""), clue.place_detail]))),
            ("损害类型", clue.get_damage_type_display()),
            ("线索概要", clue.summary),
            ("核查结论", clue.get_decision_display()),
            *([("不启动理由", clue.get_decision_reason_display())] if clue.decision_reason else []),
            ("结论说明", clue.decision_note),
        ],
        obligors=[str(p) for p in clue.suspected_obligors.all()],
        evidence=attachment_items(clue),
        classification="显著轻微评估" if assessment else "",
        classification_reasons=[readable(assessment)] if assessment else [],
        amounts=[("估算损害数额", clue.estimated_amount)],
        note=note,
    )
