"""Case classification under the case's rule profile (DOMAIN §2, §3.2): 显著轻微 / 简单 / 一般 /
重大, with reasons and the article each comes from.

In this order:
1. 重大 if the officer ticked any criterion of the profile's `major.criteria` (CQ 十; SX 第十二条);
2. the damage amount unknown: 一般, pending until an amount is entered;
3. 显著轻微 if the amount is within `trivial.amount` (CQ 四(一) 未超过2000元; SX 第十条 3000元以下).
   The exceptions that still require a claim (CQ 四; SX 第十一条) decide whether to claim, not the
   class, and are judged on the clue (screening.trivial);
4. 简单 if within `simple.amount`, honouring its wording (CQ 九 不超过30万元 ≤; SX 第十五条
   30万元以下 ≤; NT 三(六) 低于五十万元 <) and, where the rule `requires_consent` (SX 第十五条),
   损害事实简单、责任认定无争议、经办案部门或机构同意、与赔偿义务人协商一致;
5. otherwise 一般.

The amount judged is `Case.damage_amount` (appraised, else estimated); investigation and
appraisal fees are kept apart on the case and never added (CQ 四(一)、九; SX 第十五条; NT 三(六)).

`classify(case, by=...)` saves a CaseClassification row only when the result or the reasons
change, updates `case.classification` by an ordinary (audited) save, and opens or cancels the
major-case progress dispatch (cases.ledger). Call `reclassify(case, by)` after anything that
changes the amounts or the checklist has been saved.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Min

from rules.errors import RuleNotDefined, ThresholdUndefined
from rules.thresholds import Threshold, format_yuan
from workflow.audit import acting_as, current_actor, snapshot

from .models import (
    Case,
    CaseClassification,
    CaseClassificationInput,
    CaseMajorCriterion,
)

Class = Case.Classification

CN_ITEMS = "一二三四五六七八九十"

# SX 第十五条: the conditions besides the amount, in the article's order, with what is missing.
CONSENT_CONDITIONS = (
    ("facts_simple", "损害事实简单", "未确认损害事实简单"),
    ("no_dispute", "责任认定无争议", "未确认责任认定无争议"),
    ("department_agrees", "经办案部门或机构同意", "未经办案部门或机构同意"),
    ("obligor_consents", "与赔偿义务人协商一致", "未经义务人同意（未与赔偿义务人协商一致）"),
)


def item_citation(citation: str, index: int) -> str:
    """"CQ 十" and the 4th item -> "CQ 十（四）"."""
    return f"{citation}（{CN_ITEMS[index]}）" if index < len(CN_ITEMS) else citation


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    citation: str


@dataclass
class Outcome:
    result: str
    reasons: list[dict] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)
    pending: bool = False
    profile: object = None

    def reason(self, text: str, citation: str = "") -> None:
        self.reasons.append({"text": text, "citation": citation})

    @property
    def label(self) -> str:
        return Class(self.result).label + ("（待定）" if self.pending else "")


def rule_date(case: Case):
    """The date the case's rules are read on: the date its first clue was found (DOMAIN §2),
    else the day the case was opened."""
    found = case.clues.aggregate(first=Min("found_on"))["first"] if case.pk else None
    return found or case.opened_on


def major_criteria(case: Case) -> list[Criterion]:
    """The 重大案件 criteria of the case's profile, each cited with its item (CQ 十（一）…)."""
    try:
        rule = case.rule_profile.rule("major.criteria", on=rule_date(case))
    except RuleNotDefined:
        return []
    return [Criterion(spec["code"], spec["label"], item_citation(rule.citation, i))
            for i, spec in enumerate(rule.value)]


def simple_rule(case: Case):
    try:
        return case.rule_profile.rule("simple.amount", on=rule_date(case))
    except RuleNotDefined:
        return None


def requires_consent(case: Case) -> bool:
    rule = simple_rule(case)
    return bool(rule and rule.value.get("requires_consent"))


def inputs_of(case: Case) -> CaseClassificationInput:
    """The case's recorded facts (unsaved defaults if none were recorded yet)."""
    try:
        return case.classification_input
    except CaseClassificationInput.DoesNotExist:
        return CaseClassificationInput(case=case)


def _amount_source(case: Case) -> tuple[Decimal | None, str]:
    if case.appraised_amount is not None:
        return case.appraised_amount, "鉴定评估损害数额"
    if case.estimated_amount is not None:
        return case.estimated_amount, "估算损害数额"
    return None, ""


def evaluate(case: Case) -> Outcome:
    """The classification of `case` under its rule profile, without saving anything."""
    profile = case.rule_profile
    on = rule_date(case)
    facts = inputs_of(case)
    ticked = {c.code: c for c in case.major_criteria.all()} if case.pk else {}
    criteria = major_criteria(case)
    amount, subject = _amount_source(case)
    outcome = Outcome(result=Class.ORDINARY, profile=profile, inputs={
        "profile": profile.label,
        "amount": None if amount is None else str(amount),
        "amount_source": ("appraised" if case.appraised_amount is not None else
                          "estimated" if amount is not None else None),
        "fees": None if case.fees_amount is None else str(case.fees_amount),
        **{name: getattr(facts, name) for name, _label, _missing in CONSENT_CONDITIONS},
        "criteria": sorted(ticked),
    })

    # 1. 重大 (CQ 十; SX 第十二条): any ticked criterion of this profile.
    applying = [c for c in criteria if c.code in ticked]
    if applying:
        outcome.result = Class.MAJOR
        for criterion in applying:
            outcome.reason(f"具有重大案件情形：{criterion.label}", criterion.citation)
        return outcome

    # 2. No amount yet: 一般 until one is entered.
    if amount is None:
        outcome.pending = True
        outcome.reason("损害数额尚未确定（未录入估算或鉴定评估损害数额），暂按一般案件；"
                       "录入损害数额后重新分类。")
        return outcome

    fee_citations = []

    # 3. 显著轻微 (CQ 四(一); SX 第十条).
    try:
        trivial = profile.rule("trivial.amount", on=on)
    except RuleNotDefined:
        outcome.reason(f"适用规则（{profile.label}）未规定显著轻微案件的损害数额标准。")
    else:
        threshold = Threshold.from_rule(trivial)
        if trivial.value.get("excludes_fees"):
            fee_citations.append(trivial.citation)
        if threshold.admits(amount):
            outcome.result = Class.TRIVIAL
            try:
                exceptions = profile.rule("trivial.exceptions", on=on).citation
            except RuleNotDefined:
                exceptions = ""
            outcome.reason(
                f"{threshold.explain(amount, subject)}，属于显著轻微案件"
                + (f"（是否具有仍应索赔的情形，依照{exceptions}另行判断，不影响分类）"
                   if exceptions else ""), trivial.citation)
            _fees_reason(outcome, case, amount, subject, fee_citations)
            return outcome
        outcome.reason(f"{threshold.explain(amount, subject)}，不属于显著轻微案件",
                       trivial.citation)

    # 4. 简单 (CQ 九; SX 第十五条; NT 三(六)).
    simple = simple_rule(case)
    if simple is None:
        outcome.reason(f"适用规则（{profile.label}）未规定简单案件的损害数额标准，按一般案件。")
    else:
        if simple.value.get("excludes_fees"):
            fee_citations.append(simple.citation)
        try:
            threshold = Threshold.from_rule(simple)
        except ThresholdUndefined as exc:
            outcome.reason(f"{exc}按一般案件。", simple.citation)
        else:
            explained = threshold.explain(amount, subject)
            if not threshold.admits(amount):
                outcome.reason(f"{explained}，不属于简单案件，按一般案件", simple.citation)
            elif not simple.value.get("requires_consent"):
                outcome.result = Class.SIMPLE
                outcome.reason(f"{explained}，属于简单案件", simple.citation)
            else:
                missing = [text for name, _label, text in CONSENT_CONDITIONS
                           if not getattr(facts, name)]
                if missing:
                    outcome.reason(f"{explained}，在简单案件数额范围内", simple.citation)
                    outcome.reason(f"但{'；'.join(missing)}，不适用简单案件，按一般案件",
                                   simple.citation)
                else:
                    outcome.result = Class.SIMPLE
                    met = "、".join(label for _name, label, _missing in CONSENT_CONDITIONS)
                    outcome.reason(f"{explained}，且{met}，属于简单案件", simple.citation)
    _fees_reason(outcome, case, amount, subject, fee_citations)
    return outcome


def _fees_reason(outcome: Outcome, case: Case, amount, subject: str, citations) -> None:
    fees = (f"已登记的调查、鉴定评估等费用 {format_yuan(case.fees_amount)} 元未计入"
            if case.fees_amount else "调查、鉴定评估等费用不计入")
    outcome.reason(f"判定数额为{subject} {format_yuan(amount)} 元，{fees}",
                   "；".join(dict.fromkeys(citations)))


def _same(row: CaseClassification | None, outcome: Outcome) -> bool:
    return row is not None and (row.result, row.pending, row.reasons, row.profile_id) == (
        outcome.result, outcome.pending, outcome.reasons, outcome.profile.pk)


def latest(case: Case) -> CaseClassification | None:
    return case.classifications.select_related("by").order_by("-computed_at", "-id").first()


def _acting(by):
    return acting_as(by) if by is not None and current_actor() is None else \
        contextlib.nullcontext()


def classify(case: Case, *, by) -> CaseClassification:
    """Classify the case (locked), keep a history row when the result or reasons changed,
    save `case.classification` and follow it with the major-case dispatch deadline."""
    from .ledger import sync_dispatch

    with transaction.atomic(), _acting(by):
        locked = (Case.objects.select_for_update(of=("self",))
                  .select_related("rule_profile__rule_set", "jurisdiction", "department")
                  .get(pk=case.pk))
        outcome = evaluate(locked)
        row = latest(locked)
        if not _same(row, outcome):
            row = CaseClassification.objects.create(
                case=locked, result=outcome.result, pending=outcome.pending,
                reasons=outcome.reasons, inputs=outcome.inputs, profile=outcome.profile,
                by=by if by is not None and by.is_authenticated else None)
        if locked.classification != outcome.result:
            locked.classification = outcome.result
            locked.save(update_fields=["classification"])
        sync_dispatch(locked, by=by)
    # The caller's instance now says what the database says (and its audit baseline too, so
    # that saving it later does not record the change a second time).
    case.classification = locked.classification
    before = getattr(case, "_audit_before", None)
    if before is not None:
        before["classification"] = snapshot(locked)["classification"]
    return row


def reclassify(case: Case, by=None) -> CaseClassification:
    """For other code (appraisal results, amount edits): classify again after the change has
    been saved."""
    return classify(case, by=by)


def save_checklist(case: Case, *, criteria, by, **facts) -> CaseClassification:
    """Record the ticked 重大案件 criteria (codes of the profile's major.criteria) and the
    simple-case facts (facts_simple, no_dispute, department_agrees, obligor_consents), then
    classify. Unknown codes raise ValueError."""
    known = {c.code: c for c in major_criteria(case)}
    wanted = list(dict.fromkeys(criteria))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ValueError(f"不属于适用规则列明的重大案件情形：{'、'.join(unknown)}")
    allowed = {name for name, _label, _missing in CONSENT_CONDITIONS}
    if set(facts) - allowed:
        raise TypeError(f"unknown facts: {sorted(set(facts) - allowed)}")
    with transaction.atomic(), _acting(by):
        Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
        current = {c.code: c for c in case.major_criteria.all()}
        for code, row in current.items():
            if code not in wanted:
                row.delete()
        for code in wanted:
            if code not in current:
                spec = known[code]
                CaseMajorCriterion.objects.create(case=case, code=code, label=spec.label,
                                                  citation=spec.citation, ticked_by=by)
        if facts:
            record, _ = CaseClassificationInput.objects.get_or_create(case=case)
            changed = [name for name, value in facts.items()
                       if getattr(record, name) != bool(value)]
            if changed:
                for name in changed:
                    setattr(record, name, bool(facts[name]))
                record.updated_by = by
                record.save()
        return classify(case, by=by)
