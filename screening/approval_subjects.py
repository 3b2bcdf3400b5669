"""What the 机构负责人 sees of a clue when deciding its 不启动索赔 (issue 17; 启动索赔 is decided
once, on the case: cases/approval_subjects.py)."""

from workflow.approval_subjects import SubjectSummary, attachment_items, register_subject
from workflow.formatting import cn_date, readable

from .models import Clue


@register_subject(Clue)
def clue_summary(clue: Clue, request) -> SubjectSummary:
    assessment = clue.trivial_assessment or {}
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
    )
