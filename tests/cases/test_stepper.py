"""The case page's stepper: where the case stands and the branches it took (issue 17)."""

from cases.models import Case
from cases.stepper import stepper

S = Case.Stage


def shown(case_stage, visited):
    return [(s.label, s.status, s.branches) for s in stepper(Case(stage=case_stage), visited)]


def test_a_case_in_negotiation_has_the_earlier_stages_behind_it():
    assert shown(S.NEGOTIATING, {S.DRAFT, S.INITIATION_APPROVAL, S.INVESTIGATING, S.CONCLUDED,
                                 S.NEGOTIATING}) == [
        ("线索", "done", []), ("启动索赔", "done", []), ("调查与鉴定评估", "done", []),
        ("调查结论", "done", []), ("磋商", "current", []), ("司法确认或诉讼", "ahead", []),
        ("履行与修复", "ahead", []), ("结案", "ahead", [])]


def test_the_branches_taken_are_named():
    steps = shown(S.PERFORMING, {S.DRAFT, S.INVESTIGATING, S.APPRAISING, S.CONCLUDED,
                                 S.NEGOTIATING, S.LITIGATING, S.PERFORMING})
    assert steps[2] == ("调查与鉴定评估", "done", ["鉴定评估"])
    assert steps[5] == ("司法确认或诉讼", "done", ["诉讼"])
    assert steps[6] == ("履行与修复", "current", [])


def test_an_agreement_performed_without_the_court_skips_that_stage():
    steps = shown(S.CLOSED, {S.DRAFT, S.INVESTIGATING, S.CONCLUDED, S.NEGOTIATING,
                             S.PERFORMING, S.CLOSING_APPROVAL, S.CLOSED})
    assert steps[5] == ("司法确认或诉讼", "skipped", [])
    assert steps[7] == ("结案", "done", [])


def test_a_terminated_claim_ends_after_the_conclusion():
    steps = shown(S.TERMINATED, {S.DRAFT, S.INVESTIGATING, S.CONCLUDED, S.TERMINATION_APPROVAL,
                                 S.TERMINATED})
    assert [s[1] for s in steps] == ["done"] * 4 + ["skipped"] * 3 + ["current"]
    assert steps[3] == ("调查结论", "done", ["申请终止"]) and steps[7][0] == "索赔终止"
