"""Restoration projects (CQ 十三、十四; SX 第二十三–三十条): one per restoration term of the
agreement in force, each transition with its denials, the waivers of CQ 十四 / SX 第二十七条,
the early end of SX 第二十九条, labour compensation (NT 三(九)), the library's remaining
capacity (CQ 十三), supervision (site visits, procuratorate, CQ 十二) and the deadlines."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases.models import Case
from negotiation import services as negotiation_services
from restoration import services
from restoration.models import EffectAssessment, FundObligation, RestorationProject
from tests.factories import DepartmentFactory, UserFactory
from tests.restoration.factories import (
    D,
    agreement_with,
    library_project,
    pdf,
    walk,
)
from workflow import approvals
from workflow.audit import history
from workflow.models import DeadlineKind
from workflow.transitions import ConditionsNotMet, StaleState, TransitionDenied, perform

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]

TERM = {"item": "河段底泥清淤", "mode": "self", "target": "水质恢复至III类",
        "start_by": D(2026, 11, 15), "finish_by": D(2027, 6, 30),
        "assessment_by": D(2027, 9, 30)}


def only_project(agreement) -> RestorationProject:
    return RestorationProject.objects.get(case=agreement.case)


def test_signing_opens_a_project_per_term_with_its_agreed_deadlines(d):
    agreement = agreement_with(d, restoration=[TERM, {**TERM, "item": "岸坡补植",
                                                      "mode": "release_planting"}])
    projects = list(agreement.case.restoration_projects.order_by("sequence"))
    assert [(p.sequence, p.item, p.state) for p in projects] == [
        (1, "河段底泥清淤", "planning"), (2, "岸坡补植", "planning")]
    project = projects[0]
    assert project.term.agreement == agreement and project.origin == "agreement"
    assert project.start_deadline.kind == DeadlineKind.RESTORATION
    assert project.start_deadline.due == D(2026, 11, 16)  # 15 Nov 2026 is a Sunday: 民法典 203
    assert project.finish_deadline.due == D(2027, 6, 30)
    assert project.assessment_deadline.kind == DeadlineKind.EFFECT_ASSESSMENT
    assert "赔偿协议约定" in project.finish_deadline.citation


def test_each_step_is_refused_until_its_record_is_there(d):
    project = only_project(agreement_with(d, restoration=[TERM]))
    officer = d.officer
    with pytest.raises(ConditionsNotMet, match="修复方案"):
        perform(project, "draft_plan", by=officer)
    project = services.record_plan(project, summary="清淤方案", drafted_on=D(2026, 10, 26),
                                   plan_file=pdf(), by=officer)
    assert project.state == "plan_drafted"
    # SX 第二十六条(一): the plan is filed only after the expert review
    project.filed_on, project.filing_number = D(2026, 10, 28), "备-1"
    project.save()
    with pytest.raises(ConditionsNotMet, match="专家论证通过后备案"):
        perform(project, "file_plan", by=officer)
    with pytest.raises(ConditionsNotMet, match="专家论证日期"):
        perform(project, "review", by=officer)
    with pytest.raises(services.RestorationError, match="不能早于方案编制日期"):
        services.record_review(project, reviewed_on=D(2026, 10, 20), experts="王某",
                               opinion="可行", by=officer)
    project = services.record_review(project, reviewed_on=D(2026, 10, 27), experts="王某",
                                     opinion="可行", by=officer)
    project = services.file_plan(project, filed_on=D(2026, 10, 28), filing_number="备-1",
                                 by=officer)
    with pytest.raises(services.RestorationError, match="不能早于备案日期"):
        services.start_restoration(project, started_on=D(2026, 10, 27), by=officer)
    with pytest.raises(services.RestorationError, match="不能晚于今天"):
        services.start_restoration(project, started_on=D(2026, 11, 3), by=officer)
    project = services.start_restoration(project, started_on=D(2026, 10, 29), by=officer)
    project.start_deadline.refresh_from_db()
    assert project.start_deadline.status == "met"
    with pytest.raises(ConditionsNotMet, match="完工通报日期"):
        perform(project, "report_completion", by=officer)
    project = services.report_completion(project, reported_on=D(2026, 10, 31), note="完成",
                                         by=officer)
    assert project.progress == 100
    with pytest.raises(ConditionsNotMet, match="效果评估的组织情况"):
        perform(project, "start_assessment", by=officer)
    services.start_assessment(project, assessor="某研究院", started_on=D(2026, 11, 1),
                              by=officer)
    project.refresh_from_db()
    with pytest.raises(ConditionsNotMet, match="达到修复目标"):
        perform(project, "pass_assessment", by=officer)
    project = services.conclude_assessment(project, passed=True, concluded_on=D(2026, 11, 2),
                                           conclusion="达标", report=pdf(), by=officer)
    assert project.state == "passed"
    project.assessment_deadline.refresh_from_db()
    project.finish_deadline.refresh_from_db()
    assert project.assessment_deadline.status == project.finish_deadline.status == "met"
    labels = [e.transition for e in reversed(history(project)) if e.transition]
    assert labels == ["修复方案已编制", "专家论证通过", "方案备案", "开工实施", "通报修复完成",
                      "组织效果评估", "效果评估通过"]


def test_a_failed_assessment_sends_the_project_back_to_restoration(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "assessing")
    with pytest.raises(ConditionsNotMet, match="未达到修复目标"):
        perform(project, "fail_assessment", by=d.officer)
    project = services.conclude_assessment(project, passed=False, concluded_on=D(2026, 11, 2),
                                           conclusion="底泥重金属仍超标", report=pdf(),
                                           by=d.officer)
    assert project.state == "in_progress" and project.completion_reported_on is None
    assert project.assessments.get().result == EffectAssessment.Result.FAILED
    # SX 第二十八条: restoration continues, and the next round is a second assessment
    project = services.report_completion(project, reported_on=D(2026, 11, 2),
                                         note="补充清淤完成", by=d.officer)
    services.start_assessment(project, assessor="某研究院", started_on=D(2026, 11, 2),
                              by=d.officer)
    assert project.assessments.count() == 2


def test_only_the_handling_officer_moves_a_project(d):
    project = only_project(agreement_with(d, restoration=[TERM]))
    project.plan_summary, project.plan_drafted_on = "方案", D(2026, 10, 26)
    project.save()
    with pytest.raises(TransitionDenied):
        perform(project, "draft_plan", by=d.division_head)
    with pytest.raises(StaleState):
        perform(project, "draft_plan", by=d.officer, expected_state="filed")


def test_waiver_with_an_existing_report_needs_the_report(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "completed")
    with pytest.raises(ConditionsNotMet, match="须选择不组织效果评估的情形"):
        perform(project, "waive_assessment", by=d.officer)
    with pytest.raises(ConditionsNotMet, match="须上传该报告"):
        services.waive_assessment(project, reason="existing_report", by=d.officer)
    project = services.waive_assessment(project, reason="existing_report",
                                        report=pdf("验收报告.pdf"), by=d.officer)
    assert project.state == "waived" and project.waiver_file.original_name == "验收报告.pdf"
    project.assessment_deadline.refresh_from_db()
    assert project.assessment_deadline.status == "met"


def test_waiver_for_labour_only_for_labour_compensation(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "completed")
    with pytest.raises(ConditionsNotMet, match="只有以劳务代偿方式"):
        services.waive_assessment(project, reason="labour", by=d.officer)


def test_waiver_for_another_situation_must_say_which(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "completed")
    with pytest.raises(ConditionsNotMet, match="写明具体情况"):
        services.waive_assessment(project, reason="other", by=d.officer)
    project = services.waive_assessment(project, reason="other", note="认购碳汇已核销",
                                        by=d.officer)
    assert project.state == "waived"


def test_labour_compensation_value_is_hours_times_unit_value_and_waives_assessment(d):
    term = {**TERM, "item": "河道保洁劳务", "mode": "labour", "estimated_cost": Decimal("18000")}
    project = only_project(agreement_with(d, restoration=[term]))
    project.plan_summary, project.plan_drafted_on = "每日保洁", D(2026, 10, 26)
    project.save()
    with pytest.raises(ConditionsNotMet, match="劳务价值量"):
        services.record_plan(project, summary="每日保洁", drafted_on=D(2026, 10, 26),
                             plan_file=pdf(), by=d.officer)
    with pytest.raises(ValidationError):
        services.account_labour(project, unit="day", quantity=Decimal("0"),
                                unit_value=Decimal("150"), by=d.officer)
    project = services.account_labour(project, unit="day", quantity=Decimal("100"),
                                      unit_value=Decimal("150.55"), by=d.officer)
    assert project.labour_value == Decimal("15055.00")
    project = services.account_labour(project, unit="hour", quantity=Decimal("1500.5"),
                                      unit_value=Decimal("12.33"), by=d.officer)
    assert project.labour_value == Decimal("18501.17")  # 18501.165 rounded half up
    project = walk(project, d, "in_progress")
    assert project.state == "in_progress"  # no expert review for labour compensation
    services.account_labour(project, unit="hour", quantity=Decimal("1000"),
                            unit_value=Decimal("12"), by=d.officer)
    project.refresh_from_db()
    with pytest.raises(ConditionsNotMet, match="不低于应承担的修复费用"):
        services.report_completion(project, reported_on=D(2026, 11, 1), note="完成",
                                   by=d.officer)
    services.account_labour(project, unit="hour", quantity=Decimal("1500"),
                            unit_value=Decimal("12"), by=d.officer)
    project = services.report_completion(RestorationProject.objects.get(pk=project.pk),
                                         reported_on=D(2026, 11, 1), note="完成", by=d.officer)
    project = services.waive_assessment(project, reason="labour", by=d.officer)
    assert project.state == "waived"
    with pytest.raises(services.RestorationError, match="修复完成后"):
        services.account_labour(project, unit="day", quantity=1, unit_value=1, by=d.officer)


def test_third_party_restoration_names_the_third_party(d):
    project = only_project(agreement_with(d, restoration=[{**TERM, "mode": "third_party"}]))
    with pytest.raises(ConditionsNotMet, match="受委托的第三方机构"):
        services.record_plan(project, summary="方案", drafted_on=D(2026, 10, 26),
                             plan_file=pdf(), by=d.officer)
    with pytest.raises(ValidationError):
        services.set_executor(project, name="某公司", credit_code="91140100MA0TST01XX",
                              by=d.officer)
    project = walk(project, d, "plan_drafted")
    assert project.executor.name == "山西某生态修复有限公司"


def test_the_library_shows_what_is_left_and_refuses_more(d):
    alternative = library_project(d, budget=Decimal("300000"), capacity=Decimal("50"))
    term = {**TERM, "item": "异地湿地补植", "mode": "alternative"}
    first = only_project(agreement_with(d, restoration=[term]))
    with pytest.raises(ConditionsNotMet, match="替代修复项目库"):
        services.record_plan(first, summary="方案", drafted_on=D(2026, 10, 26),
                             plan_file=pdf(), by=d.officer)
    services.choose_alternative(first, alternative=alternative, amount=Decimal("200000"),
                                quantity=Decimal("30"), by=d.officer)
    usage = services.library_usage(alternative)
    assert usage["remaining_budget"] == Decimal("100000.00")
    assert usage["remaining_capacity"] == Decimal("20.00")
    assert [p.pk for p in usage["projects"]] == [first.pk]
    second = only_project(agreement_with(d, restoration=[term]))
    with pytest.raises(ValidationError, match="剩余预算"):
        services.choose_alternative(second, alternative=alternative,
                                    amount=Decimal("100000.01"), by=d.officer)
    with pytest.raises(ValidationError, match="剩余规模"):
        services.choose_alternative(second, alternative=alternative, quantity=Decimal("21"),
                                    by=d.officer)
    services.choose_alternative(second, alternative=alternative, amount=Decimal("100000"),
                                quantity=Decimal("20"), by=d.officer)
    assert services.library_usage(alternative)["remaining_budget"] == 0
    # choosing again for the same project replaces its own allocation
    services.choose_alternative(first, alternative=alternative, amount=Decimal("150000"),
                                by=d.officer)
    assert services.library_usage(alternative)["remaining_budget"] == Decimal("50000.00")
    other = library_project(d, status="suspended")
    with pytest.raises(services.RestorationError, match="暂停承接"):
        services.choose_alternative(second, alternative=other, amount=1, by=d.officer)


def test_site_visits_record_photos_and_progress_and_the_procuratorate_is_invited(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "in_progress")
    photo = pdf("photo.jpg")
    visit = services.record_site_visit(project, visited_on=D(2026, 11, 1),
                                       visitors="张某、检察官陈某", findings="清淤过半",
                                       progress=55, procuratorate_present=True,
                                       photos=[photo], by=d.officer)
    project.refresh_from_db()
    assert project.progress == 55
    from workflow.attachments import attachments_of

    assert [a.kind for a in attachments_of(visit)] == ["现场照片"]
    with pytest.raises(ValidationError):
        services.record_site_visit(project, visited_on=D(2026, 11, 1), visitors="张某",
                                   findings="x", progress=120, by=d.officer)
    procuratorate = DepartmentFactory(jurisdiction=d.department.jurisdiction,
                                      kind="procuratorate")
    prosecutor = UserFactory(department=procuratorate, role="procuratorate")
    assert not RestorationProject.objects.visible_to(prosecutor).exists()
    with pytest.raises(ValidationError):
        services.invite_procuratorate(project, procuratorate=d.department,
                                      invited_on=D(2026, 11, 1), by=d.officer)
    services.invite_procuratorate(project, procuratorate=procuratorate,
                                  invited_on=D(2026, 11, 1), by=d.officer)
    assert list(RestorationProject.objects.visible_to(prosecutor)) == [project]


def test_early_end_needs_both_heads_and_turns_the_rest_into_money(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "in_progress")
    with pytest.raises(ConditionsNotMet, match="未完成部分应缴纳"):
        services.request_early_end(project, reason="force_majeure", note="山洪冲毁",
                                   amount=None, due_on=None, by=d.officer)
    with pytest.raises(ConditionsNotMet, match="终止修复的情形"):
        services.request_early_end(project, reason="force_majeure", note=" ",
                                   amount=Decimal("80000"), due_on=D(2026, 12, 31),
                                   by=d.officer)
    services.request_early_end(project, reason="force_majeure", note="山洪冲毁修复区域",
                               amount=Decimal("80000"), due_on=D(2026, 12, 31), by=d.officer)
    project.refresh_from_db()
    assert project.state == "end_approval"
    step = approvals.inbox(d.division_head).get()
    approvals.decide(step, by=d.division_head, approve=True, opinion="同意，报局领导。")
    assert not FundObligation.objects.filter(project=project).exists()
    step = approvals.inbox(d.department_head).get()
    approvals.decide(step, by=d.department_head, approve=True, opinion="同意终止修复。")
    project.refresh_from_db()
    assert project.state == "ended"
    owed = FundObligation.objects.get(project=project)
    assert (owed.source, owed.kind, owed.amount, owed.outstanding) == (
        "early_end", "restoration_cost", Decimal("80000.00"), Decimal("80000.00"))
    assert owed.schedule.get().deadline.kind == DeadlineKind.PAYMENT
    project.finish_deadline.refresh_from_db()
    assert project.finish_deadline.status == "cancelled"


def test_early_end_sent_back_returns_to_restoration(d):
    project = walk(only_project(agreement_with(d, restoration=[TERM])), d, "in_progress")
    services.request_early_end(project, reason="risk_acceptable", note="已达风险可接受水平",
                               amount=Decimal("0"), due_on=None, by=d.officer)
    step = approvals.inbox(d.division_head).get()
    approvals.decide(step, by=d.division_head, approve=False, opinion="请补充风险评估报告。")
    project.refresh_from_db()
    assert project.state == "in_progress"
    assert not FundObligation.objects.filter(project=project).exists()


def test_early_end_only_from_restoration_in_progress(d):
    project = only_project(agreement_with(d, restoration=[TERM]))
    with pytest.raises(Exception, match="不能执行此操作"):
        services.request_early_end(project, reason="force_majeure", note="x",
                                   amount=Decimal("1"), due_on=D(2026, 12, 1), by=d.officer)


def test_restoration_before_the_agreement_is_taken_over_by_its_term(d):
    opened = {}

    def early(negotiation):
        with pytest.raises(services.RestorationError, match="尚未同意"):
            services.start_early_restoration(negotiation.case, by=d.officer, item="先行清淤",
                                              mode="self", target="清除污染底泥")
        negotiation_services.allow_early_restoration(
            negotiation, requested_on=D(2026, 10, 21), confirmation=pdf("确认书.pdf"),
            by=d.officer)
        opened["project"] = services.start_early_restoration(
            negotiation.case, by=d.officer, item="先行清淤", mode="self", target="清除污染底泥")

    agreement = agreement_with(d, early=early, restoration=[{**TERM, "item": "底泥清淤及修复"}])
    projects = list(agreement.case.restoration_projects.all())
    assert len(projects) == 1  # not counted twice
    project = projects[0]
    assert project.pk == opened["project"].pk and project.origin == "early"
    assert project.term.agreement == agreement and project.item == "底泥清淤及修复"
    assert project.finish_deadline.due == D(2027, 6, 30)


def test_a_correction_moves_the_projects_to_the_new_version_without_duplicates(d):
    original = agreement_with(d, restoration=[TERM, {**TERM, "item": "岸坡补植"}])
    first = original.case.restoration_projects.get(item="河段底泥清淤")
    walk(first, d, "in_progress")
    draft = negotiation_services.correct_agreement(original, reason="调整完成期限",
                                                   by=d.officer)
    draft.restoration_terms.filter(item="岸坡补植").delete()
    for term in draft.restoration_terms.all():
        term.finish_by = D(2027, 8, 31)
        term.save()
    draft.signed_on, draft.signed_place = D(2026, 11, 2), "太原市"
    draft.save()
    old_finish = first.finish_deadline
    negotiation_services.sign_agreement(draft, by=d.officer)
    projects = {p.item: p for p in original.case.restoration_projects.all()}
    assert set(projects) == {"河段底泥清淤", "岸坡补植"}
    kept, dropped = projects["河段底泥清淤"], projects["岸坡补植"]
    assert kept.pk == first.pk and kept.agreement_id == draft.pk
    assert kept.state == "in_progress" and kept.finish_by == D(2027, 8, 31)
    old_finish.refresh_from_db()
    assert old_finish.status == "cancelled"
    assert kept.finish_deadline.due == D(2027, 8, 31) and kept.finish_deadline.status == "open"
    kept.start_deadline.refresh_from_db()
    assert kept.start_deadline.status == "met"  # the start stays met
    assert dropped.state == "withdrawn"


def test_a_judgment_opens_restoration_when_effective(d):
    case = agreement_with(d, restoration=[TERM]).case
    from negotiation.models import Litigation

    litigation = Litigation.objects.create(case=case, origin="not_performed", created_by=d.officer)
    with pytest.raises(services.RestorationError, match="判决尚未生效"):
        services.add_judgment_restoration(litigation, by=d.officer, item="补种", mode="self",
                                          target="恢复植被")
    assert Case.objects.get(pk=case.pk).stage == "performing"


def test_overdue_restoration_is_escalated_and_points_to_the_enforcement_path(d):
    from workflow.deadlines import process_alerts, scan_deadlines
    from workflow.models import Notification

    project = only_project(agreement_with(d, restoration=[TERM]))
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC),
                             tick=False):
        scan_deadlines()
        process_alerts()
    project.start_deadline.refresh_from_db()
    assert project.start_deadline.status == "overdue"
    titles = list(Notification.objects.filter(recipient=d.division_head)
                  .values_list("title", flat=True))
    assert any("修复义务逾期未履行" in t for t in titles)
    body = Notification.objects.filter(recipient=d.officer,
                                       title__contains="修复义务逾期").get().body
    assert "提起诉讼" in body and "保证金" in body
