"""The 显著轻微 evaluation (CQ 四; SX 第十条、第十一条; ZJ 三(二)1): for a clue and the rule
profile it is judged under, is the amount within the threshold, which exceptions apply, and
what does that suggest. The officer sees it when deciding; the decision keeps a snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from parties.history import damage_events_all, same_event_records
from rules.errors import RuleNotDefined, ThresholdUndefined
from rules.thresholds import Threshold

from .models import Clue

MAX_LISTED = 5  # records named in the repeat exception's text


@dataclass
class Finding:
    code: str
    label: str
    citation: str
    applies: bool | None  # None: the system cannot tell
    detail: str = ""


@dataclass
class TrivialAssessment:
    profile: str
    amount_text: str
    within_threshold: bool | None
    exceptions: list[Finding] = field(default_factory=list)
    suggestion: str = ""
    citations: list[str] = field(default_factory=list)

    @property
    def may_not_start(self) -> bool:
        """Trivial and no exception applies: not starting is allowed (not required)."""
        return self.within_threshold is True and not any(e.applies for e in self.exceptions)

    def as_dict(self) -> dict:
        return asdict(self)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def earlier_damage(clue: Clue, years: int) -> tuple[list[str], list[str]]:
    """CQ 四(二); SX 第十一条(二) 赔偿义务人曾因违法行为造成生态环境损害，2年内再次发生: the same
    obligors' damage events within `years` before this clue's (counted from the earlier damage:
    in [found_on − years, found_on]) across clues, cases and historical records, regardless of
    scope (a rule check: only number and date are shown). Which records are damage events each
    registered party link says (parties/history.py `damage_filter`); this clue, the clue it was
    received from and the case opened from it are not earlier events (`same_event`).
    Returns (the established damage events, the records whose damage is not yet found)."""
    if clue.pk is None:
        return [], []
    since = _years_before(clue.found_on, years)
    own = {(Clue, clue.pk)}
    own |= same_event_records(own)  # the clue it was received from (移送), the same damage
    found: dict[tuple, str] = {}
    undecided: set[tuple] = set()
    for party in clue.suspected_obligors.all():
        entries = damage_events_all(party, since=since, until=clue.found_on)
        for entry in entries:
            key = (entry.model, entry.pk)
            if key in own or key in found or own & same_event_records([key]):
                continue
            found[key] = f"{party.name}：{entry.label} {entry.number}（{entry.date:%Y年%m月%d日}）"
            if not entry.established:
                undecided.add(key)
    return ([text for key, text in found.items() if key not in undecided],
            [text for key, text in found.items() if key in undecided])


def _listed(texts: list[str]) -> str:
    return "；".join(texts[:MAX_LISTED]) + ("等" if len(texts) > MAX_LISTED else "")


def _finding(clue: Clue, spec: dict, citation: str) -> Finding:
    code, label = spec["code"], spec["label"]
    if code == "red_line_or_reserve":
        return Finding(code, label, citation, clue.in_protected_area,
                       "线索登记为位于生态保护红线或自然保护地内" if clue.in_protected_area else
                       "线索登记为不在生态保护红线、自然保护地内")
    if code == "repeat_within_years":
        years = spec["years"]  # required by rules/keys.py
        if not clue.pk or not clue.suspected_obligors.exists():
            return Finding(code, label, citation, None, "尚未登记赔偿义务人，无法判断")
        earlier, undecided = earlier_damage(clue, years)
        if earlier:
            detail = f"计入{len(earlier)}条{years}年内此前的损害记录：{_listed(earlier)}"
        else:
            detail = (f"当事人库中未见该义务人{years}年内此前的损害记录"
                      "（经初步核查未造成生态环境损害的线索不计入）")
        if undecided:
            detail += (f"。另有{len(undecided)}条尚未作出核查结论的记录：{_listed(undecided)}，"
                       "核查认定造成损害的应计入")
        applies = True if earlier else (None if undecided else False)
        return Finding(code, label, citation, applies, detail)
    if code == "rectification_incomplete":
        if clue.rectification == Clue.Rectification.UNKNOWN:
            return Finding(code, label, citation, None, "整改情况不明")
        return Finding(code, label, citation,
                       clue.rectification == Clue.Rectification.NOT_DONE,
                       clue.get_rectification_display())
    # e.g. CQ 四(三): the higher-level authority decides; the system cannot know.
    return Finding(code, label, citation, None, "由赔偿权利人及其指定的部门判断")


def _exceptions(clue: Clue, profile, on) -> tuple[list[Finding], list[str]]:
    try:
        rule = profile.rule("trivial.exceptions", on=on)
    except RuleNotDefined:
        return [], []
    return [_finding(clue, spec, rule.citation) for spec in rule.value], [rule.citation]


def assess(clue: Clue, profile=None) -> TrivialAssessment:
    profile = profile or clue.rule_profile
    on = clue.found_on
    name = f"{profile.rule_set.code} 第{profile.version}版"
    findings, citations = _exceptions(clue, profile, on)
    try:
        amount_rule = profile.rule("trivial.amount", on=on)
        threshold = Threshold.from_rule(amount_rule)
    except (RuleNotDefined, ThresholdUndefined):
        return TrivialAssessment(
            profile=name, amount_text="适用的规则未规定显著轻微的数额标准", within_threshold=None,
            exceptions=findings, citations=citations,
            suggestion="无法按数额判定显著轻微，请依据核查情况作出结论。")
    citations.insert(0, amount_rule.citation)
    if clue.estimated_amount is None:
        within = None
        amount_text = (f"尚未估算损害数额；显著轻微标准为{threshold.describe()}"
                       f"（{amount_rule.citation}）")
    else:
        within = threshold.admits(clue.estimated_amount)
        amount_text = threshold.explain(clue.estimated_amount)
    applying = [f for f in findings if f.applies]
    if within is None:
        suggestion = "损害数额未知，暂不能判定是否属于显著轻微。"
    elif not within:
        suggestion = "不属于显著轻微（数额超过标准），经核查造成损害的，应当启动索赔。"
    elif applying:
        suggestion = ("虽属显著轻微，但具有应当索赔的情形（" +
                      "；".join(f.label for f in applying) + "），应当启动索赔。")
    else:
        unknown = [f.label for f in findings if f.applies is None]
        suggestion = "属于显著轻微，未发现应当索赔的例外情形，可以不启动索赔。"
        if unknown:
            suggestion += "尚需判断：" + "；".join(unknown) + "。"
    return TrivialAssessment(profile=name, amount_text=amount_text, within_threshold=within,
                             exceptions=findings, suggestion=suggestion, citations=citations)
