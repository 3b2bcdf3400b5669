"""Appraisal (鉴定评估) of a case: methods and their rules, the working-day period and its
extension, the paused investigation clock, results copied to the case, the pages.

- SX 第十四条: 30 working days from the entrustment, at most 60 when complex, the client told
  of the extension; 2026: 中秋节 9月25日–27日, 国庆节 10月1日–7日, make-up working days
  9月20日 (Sunday) and 10月10日 (Saturday).
- SX 第十五条; CQ 九: an expert panel of at least 3 (`simple.expert_panel_min`); the simplified
  methods are for simple cases, others need an institution unless a head allowed otherwise.
- CQ 五; NAT 四: appraisal time does not count towards the investigation period.
- SX 第十六条; CQ 六: the result says whether the damage can be restored, and for a partly
  restorable one the area and requirements."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.roles import Role
from cases import appraisal as service
from cases.appraisal import cancel_appraisal, entrust, extend_appraisal, record_result
from cases.models import Appraisal, AppraisalInstitution, Case, Evidence, Expert
from tests.factories import DepartmentFactory, UserFactory
from tests.parties.factories import OrganisationFactory, make_credit_code
from workflow.audit import history
from workflow.deadlines import deadlines_of
from workflow.models import Deadline, DeadlineChange, DeadlineKind

from .appraisal_factories import AppraisalOrg, ExpertFactory, InstitutionFactory, make_case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Method = Appraisal.Method
Classification = Case.Classification
R = Case.Restorability


def travel(y: int, m: int, d: int):
    return time_machine.travel(datetime(y, m, d, 10, tzinfo=SHANGHAI), tick=False)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def sx():
    return AppraisalOrg("SX")


@pytest.fixture
def cq():
    return AppraisalOrg("CQ")


def sx_case_entrusted(org, on: date, **kwargs):
    """An SX case in 调查中 since 2026-09-01, entrusted to an institution on `on`."""
    with travel(2026, 9, 1):
        case = make_case(org, classification=Classification.ORDINARY)
    with travel(on.year, on.month, on.day):
        appraisal = entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                            entrusted_on=on, by=org.officer, **kwargs)
    return case, appraisal


# --- the working-day period (SX 第十四条) ------------------------------------------------------

@pytest.mark.parametrize("entrusted_on", [date(2026, 9, 24), date(2026, 9, 25)])
def test_period_is_30_working_days_across_national_day(sx, entrusted_on):
    # 9月24日 is a Thursday, 9月25日 中秋节. Counting from the next day: 9月28日–30日 (3),
    # 10月8日–9日 and the make-up Saturday 10月10日 (6), then five weeks to 11月6日 (26) and
    # 11月9日–12日: the 30th working day is Thursday 2026-11-12. Without the holidays it would
    # have been 11月5日.
    case, appraisal = sx_case_entrusted(sx, entrusted_on)
    deadline = appraisal.deadline
    assert deadline.kind == DeadlineKind.APPRAISAL
    assert (deadline.days, deadline.calendar, deadline.citation) == (30, "working", "SX 第十四条")
    assert deadline.start_date == entrusted_on
    assert deadline.due == date(2026, 11, 12)
    assert deadline.confirmed
    assert deadline.start_event == "委托书生效"
    assert "国庆节" in deadline.explanation and "2026年10月10日" in deadline.explanation
    assert "期限届满日为2026年11月12日（星期四）" in deadline.explanation
    assert deadline.department == sx.department
    assert deadline.subject_url.endswith(f"#appraisal-{appraisal.pk}")
    assert reload(case).stage == Case.Stage.APPRAISING


def test_extension_to_60_working_days_with_notice_then_refused_beyond(sx):
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    with travel(2026, 10, 20):
        with pytest.raises(ValidationError) as refused:
            extend_appraisal(appraisal, notice_on=date(2026, 10, 20), notice_text=" ",
                             by=sx.officer)
        assert "告知委托人" in errors_of(refused)["notice_text"][0]
        extended = extend_appraisal(
            appraisal, notice_on=date(2026, 10, 19),
            notice_text="鉴定机构函告：涉及地下水污染溯源，需补充采样监测，期限延长。",
            by=sx.officer)

    assert extended.period_extended
    assert extended.extension_notice_on == date(2026, 10, 19)
    deadline = Deadline.objects.get(pk=appraisal.deadline.pk)
    assert (deadline.days, deadline.extension_days) == (30, 30)
    # 60 working days after 2026-09-24: 11月12日 plus six more weeks
    assert deadline.due == date(2026, 12, 24)
    assert "经批准延长30个工作日" in deadline.explanation
    assert "共计60个工作日" in deadline.explanation
    change = deadline.changes.get(action=DeadlineChange.Action.EXTENDED)
    assert change.old_due == date(2026, 11, 12) and change.new_due == date(2026, 12, 24)
    assert "2026年10月19日告知委托人" in change.reason and "补充采样监测" in change.reason
    assert change.by == sx.officer
    assert any(e.changes.get("extension_notice_text") for e in history(extended))

    with travel(2026, 11, 2), pytest.raises(ValidationError) as beyond:
        extend_appraisal(appraisal, notice_on=date(2026, 11, 2), notice_text="再次延长。",
                         by=sx.officer)
    assert "已延长至规则上限60个工作日" in beyond.value.messages[0]
    assert reload(deadline).due == date(2026, 12, 24)


def test_extension_refused_where_the_profile_sets_no_appraisal_period(cq):
    with travel(2026, 3, 2):
        case = make_case(cq, classification=Classification.ORDINARY)
    with travel(2026, 3, 10):
        appraisal = entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                            entrusted_on=date(2026, 3, 10), by=cq.officer)
        assert appraisal.deadline is None  # CQ sets no appraisal period
        with pytest.raises(ValidationError, match="未规定鉴定评估期限"):
            extend_appraisal(appraisal, notice_on=date(2026, 3, 10), notice_text="延长。",
                             by=cq.officer)


# --- the investigation clock (CQ 五; NAT 四) --------------------------------------------------

def test_investigation_clock_paused_while_the_appraisal_runs(cq):
    with travel(2026, 3, 2):
        case = make_case(cq, classification=Classification.SIMPLE)
    investigation = deadlines_of(case).get(kind=DeadlineKind.INVESTIGATION)
    assert investigation.due == date(2026, 4, 1)  # CQ 五: 30 days from 3月2日

    experts = ExpertFactory.create_batch(3)
    with travel(2026, 3, 10):
        appraisal = entrust(case, method=Method.EXPERT_PANEL, experts=experts,
                            entrusted_on=date(2026, 3, 10), by=cq.officer)
    investigation.refresh_from_db()
    assert investigation.is_paused and investigation.paused_since == date(2026, 3, 10)
    assert reload(case).stage == Case.Stage.APPRAISING

    with travel(2026, 3, 19):
        record_result(appraisal, amount=Decimal("120000.00"), restorability=R.YES,
                      finished_on=date(2026, 3, 19), by=cq.officer)
    investigation.refresh_from_db()
    case = reload(case)
    assert case.stage == Case.Stage.INVESTIGATING
    assert not investigation.is_paused
    assert investigation.paused_days == 9  # 3月10日 to 3月18日
    assert investigation.due == date(2026, 4, 10)  # moved by the 9 paused days
    assert "中止期间9日不计入" in investigation.explanation


def test_case_returns_to_investigation_only_when_no_appraisal_runs(sx):
    case, first = sx_case_entrusted(sx, date(2026, 9, 24))
    with travel(2026, 9, 28):
        second = entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                         entrusted_on=date(2026, 9, 28), matters="土壤损害", by=sx.officer)
        assert second.sequence == 2
        cancel_appraisal(first, reason="机构因回避事由不能受理。", by=sx.officer)
        assert reload(case).stage == Case.Stage.APPRAISING
        assert reload(first).status == Appraisal.Status.CANCELLED
        assert Deadline.objects.get(pk=first.deadline.pk).status == Deadline.Status.CANCELLED
        record_result(second, amount=Decimal("800000.00"), restorability=R.NO,
                      report_number="晋环鉴〔2026〕7号", finished_on=date(2026, 9, 28),
                      by=sx.officer)
    assert reload(case).stage == Case.Stage.INVESTIGATING


# --- methods and their rules ------------------------------------------------------------------

def test_expert_panel_needs_three_experts(sx):
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Classification.SIMPLE)
    with travel(2026, 9, 2):
        with pytest.raises(ValidationError) as refused:
            entrust(case, method=Method.EXPERT_PANEL, experts=ExpertFactory.create_batch(2),
                    entrusted_on=date(2026, 9, 2), by=sx.officer)
        assert errors_of(refused)["experts"] == [
            "专家评估须选择至少3名专家，现选择2名（SX 第十五条：一般不少于3人）。"]
        assert not case.appraisals.exists()
        assert reload(case).stage == Case.Stage.INVESTIGATING

        appraisal = entrust(case, method=Method.EXPERT_PANEL,
                            experts=ExpertFactory.create_batch(3),
                            entrusted_on=date(2026, 9, 2), by=sx.officer)
    assert appraisal.panel_members.count() == 3
    assert appraisal.allowed_by is None


def test_expert_from_an_obligors_organisation_is_refused(sx):
    code = make_credit_code("77700001")
    obligor = OrganisationFactory(name="太原某（集团）化工有限公司", credit_code=code,
                                  created_by=sx.officer)
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Classification.SIMPLE, obligor=obligor)
    by_code = ExpertFactory(name="赵工", organisation="某化工集团研究院",
                            organisation_credit_code=code)
    by_name = ExpertFactory(name="钱工", organisation="太原某(集团) 化工有限公司")
    others = ExpertFactory.create_batch(3)
    with travel(2026, 9, 2), pytest.raises(ValidationError) as refused:
        entrust(case, method=Method.EXPERT_PANEL, experts=[by_code, by_name, *others],
                entrusted_on=date(2026, 9, 2), by=sx.officer)
    messages = errors_of(refused)["experts"]
    assert messages == [
        "专家赵工的工作单位“某化工集团研究院”是本案赔偿义务人（太原某（集团）化工有限公司），"
        "应当回避，不能选为评估专家。",
        "专家钱工的工作单位“太原某(集团) 化工有限公司”是本案赔偿义务人（太原某（集团）化工有限公司），"
        "应当回避，不能选为评估专家。",
    ]
    assert not case.appraisals.exists()


def test_simplified_method_for_an_ordinary_case_needs_a_head(sx):
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Classification.ORDINARY)
    other_head = UserFactory(department=DepartmentFactory(jurisdiction=sx.jurisdiction),
                             role=Role.DIVISION_HEAD)
    with travel(2026, 9, 2):
        with pytest.raises(ValidationError) as refused:
            entrust(case, method=Method.COMPREHENSIVE, entrusted_on=date(2026, 9, 2),
                    by=sx.officer)
        assert "本案案件类别为“一般”" in errors_of(refused)["method"][0]
        assert "SX 第十五条" in errors_of(refused)["method"][0]
        for not_a_head in (sx.officer, other_head):
            with pytest.raises(ValidationError) as refused:
                entrust(case, method=Method.COMPREHENSIVE, entrusted_on=date(2026, 9, 2),
                        by=sx.officer, allowed_by=not_a_head)
            assert "不能同意适用简易评估方式" in errors_of(refused)["allowed_by"][0]
        assert not case.appraisals.exists()

        appraisal = entrust(case, method=Method.COMPREHENSIVE, entrusted_on=date(2026, 9, 2),
                            by=sx.officer, allowed_by=sx.division_head,
                            allowance_note="损害事实清楚，同意综合认定。")
    assert appraisal.allowed_by == sx.division_head
    assert appraisal.allowed_on == date(2026, 9, 2)
    assert appraisal.case_classification == Classification.ORDINARY
    assert appraisal.deadline.start_event == "开始综合认定"


def test_institution_method_rules(sx):
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Classification.ORDINARY)
    expired = InstitutionFactory(qualification_valid_until=date(2026, 8, 31))
    with travel(2026, 9, 2):
        with pytest.raises(ValidationError) as refused:
            entrust(case, method=Method.INSTITUTION, entrusted_on=date(2026, 9, 2),
                    by=sx.officer)
        assert errors_of(refused)["institution"] == ["委托鉴定评估机构须选择机构。"]
        with pytest.raises(ValidationError) as refused:
            entrust(case, method=Method.INSTITUTION, institution=expired,
                    entrusted_on=date(2026, 9, 2), by=sx.officer)
        assert "资质有效期至2026年8月31日" in errors_of(refused)["institution"][0]
        with pytest.raises(ValidationError) as refused:
            entrust(case, method=Method.EXPERT_PANEL, experts=ExpertFactory.create_batch(3),
                    jointly_with_obligor=True, entrusted_on=date(2026, 9, 3), by=sx.officer,
                    allowed_by=sx.department_head)
        assert set(errors_of(refused)) == {"jointly_with_obligor", "entrusted_on"}
        appraisal = entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                            jointly_with_obligor=True, entrusted_on=date(2026, 9, 2),
                            by=sx.officer)
    assert appraisal.jointly_with_obligor


def test_entrust_needs_a_case_under_investigation_and_a_handler(sx):
    with travel(2026, 9, 1):
        draft = make_case(sx, investigating=False)
        with pytest.raises(ValidationError, match="只有调查中的案件可以委托鉴定评估"):
            entrust(draft, method=Method.INSTITUTION, institution=InstitutionFactory(),
                    entrusted_on=date(2026, 9, 1), by=sx.officer)
        case = make_case(sx)
        with pytest.raises(PermissionDenied):
            entrust(case, method=Method.INSTITUTION, institution=InstitutionFactory(),
                    entrusted_on=date(2026, 9, 1), by=sx.department_head)


# --- results ----------------------------------------------------------------------------------

def test_result_is_copied_to_the_case_and_the_period_met(sx, monkeypatch):
    reclassified = []
    monkeypatch.setattr(service, "_reclassify",
                        lambda case, *, by: reclassified.append((case.pk, case.stage, by)))
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    report = SimpleUploadedFile("鉴定评估报告.pdf", b"%PDF-1.4 report", "application/pdf")
    with travel(2026, 11, 10):
        with pytest.raises(ValidationError) as refused:
            record_result(appraisal, amount=Decimal("-1"), restorability=R.PARTLY,
                          finished_on=date(2026, 11, 11), by=sx.officer)
        assert set(errors_of(refused)) == {"amount", "area", "requirements", "report_number",
                                           "finished_on"}
        assert reload(appraisal).status == Appraisal.Status.RUNNING
        record_result(appraisal, amount=Decimal("256000.50"), fees=Decimal("18000"),
                      restorability=R.PARTLY, area="排污口下游3公里河段",
                      requirements="清除底泥，恢复水生植被", report_number="晋环鉴〔2026〕12号",
                      report_file=report, finished_on=date(2026, 11, 10), by=sx.officer)

    appraisal = reload(appraisal)
    assert appraisal.status == Appraisal.Status.FINISHED
    assert appraisal.report.original_name == "鉴定评估报告.pdf"
    case = reload(case)
    assert case.appraised_amount == Decimal("256000.50")
    assert case.fees_amount == Decimal("18000.00")
    assert case.restorability == R.PARTLY
    assert case.restorable_area == "排污口下游3公里河段"
    assert case.restoration_requirements == "清除底泥，恢复水生植被"
    assert case.stage == Case.Stage.INVESTIGATING
    update = next(e for e in history(case) if "appraised_amount" in e.changes)
    assert update.actor == sx.officer and update.changes["appraised_amount"]["new"] == "256,000.50"
    deadline = Deadline.objects.get(pk=appraisal.deadline.pk)
    assert deadline.status == Deadline.Status.MET
    evidence = Evidence.objects.get(case=case)
    assert evidence.kind == Evidence.Kind.APPRAISAL and evidence.attachment == appraisal.report
    assert reclassified == [(case.pk, Case.Stage.INVESTIGATING, sx.officer)]

    with pytest.raises(ValidationError, match="不能录入结果"):
        record_result(appraisal, amount=Decimal("1"), restorability=R.YES,
                      finished_on=date(2026, 11, 10), by=sx.officer)


def test_entering_the_amount_reruns_classification(sx):
    classification = pytest.importorskip("cases.classification")
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    with travel(2026, 10, 9):
        record_result(appraisal, amount=Decimal("2500.00"), fees=Decimal("6000.00"),
                      restorability=R.YES, report_number="晋环鉴〔2026〕9号",
                      finished_on=date(2026, 10, 9), by=sx.officer)
    case = reload(case)
    assert case.classification == Classification.TRIVIAL  # SX 第十条: 3000元以下, fees apart
    row = classification.latest(case)
    assert row.result == Classification.TRIVIAL and row.by == sx.officer
    assert any("鉴定评估损害数额" in reason["text"] for reason in row.reasons)


def test_reclassify_is_called_only_when_the_classification_service_exists(sx, monkeypatch):
    calls = []
    monkeypatch.setattr(service.importlib.util, "find_spec", lambda name: None)
    assert service._reclassify(object(), by=sx.officer) is None

    class Module:
        @staticmethod
        def reclassify(case, *, by):
            calls.append((case, by))
            return "done"

    monkeypatch.setattr(service.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(service.importlib, "import_module", lambda name: Module)
    assert service._reclassify("case", by=sx.officer) == "done"
    assert calls == [("case", sx.officer)]


# --- pages --------------------------------------------------------------------------------------

def test_entrust_page_shows_errors_next_to_fields_and_saves_nothing(client, sx):
    with travel(2026, 9, 1):
        case = make_case(sx, classification=Classification.SIMPLE)
    experts = ExpertFactory.create_batch(2)
    client.force_login(sx.officer)
    url = reverse("cases:appraisal_entrust", args=[case.pk])
    with travel(2026, 9, 2):
        page = client.get(url)
    assert page.status_code == 200
    assert "30个工作日，复杂的不超过60个工作日，延长应告知委托人（<abbr" in page.content.decode()
    assert "SX 第十四条</abbr>）" in page.content.decode()  # the name on hover
    with travel(2026, 9, 2):
        response = client.post(url, {"method": Method.EXPERT_PANEL,
                                     "experts": [e.pk for e in experts],
                                     "entrusted_on": "2026-09-02"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_experts_error"' in html
    assert "专家评估须选择至少3名专家，现选择2名" in html
    assert not case.appraisals.exists()

    experts.append(ExpertFactory())
    with travel(2026, 9, 2):
        response = client.post(url, {"method": Method.EXPERT_PANEL,
                                     "experts": [e.pk for e in experts],
                                     "entrusted_on": "2026-09-02", "matters": "水体损害"})
    appraisal = case.appraisals.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"#appraisal-{appraisal.pk}")
    assert reload(case).stage == Case.Stage.APPRAISING


def test_extend_and_result_pages(client, sx):
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    client.force_login(sx.officer)
    with travel(2026, 10, 20):
        response = client.post(reverse("cases:appraisal_extend", args=[appraisal.pk]),
                               {"notice_on": "2026-10-20", "notice_text": "需补充监测，延期。"})
        assert response.status_code == 302
        url = reverse("cases:appraisal_result", args=[appraisal.pk])
        response = client.post(url, {"amount": "5000.00", "restorability": R.PARTLY,
                                     "finished_on": "2026-10-20",
                                     "report_number": "晋环鉴〔2026〕3号"})
        assert response.status_code == 200
        assert 'id="id_area_error"' in response.content.decode()
        response = client.post(url, {
            "amount": "5000.00", "restorability": R.YES, "finished_on": "2026-10-20",
            "report_number": "晋环鉴〔2026〕3号",
            "report_file": SimpleUploadedFile("报告.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 302
    assert reload(appraisal).period_extended
    assert reload(case).appraised_amount == Decimal("5000.00")


def test_appraisals_section_lists_method_dates_deadline_status_and_results(sx):
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    with travel(2026, 11, 10):
        record_result(appraisal, amount=Decimal("256000.00"), restorability=R.PARTLY,
                      area="下游河段", requirements="清淤", report_number="晋环鉴〔2026〕12号",
                      finished_on=date(2026, 11, 10), by=sx.officer)
        html = render_to_string("cases/_appraisals.html", {"case": case, "can_handle": True})
    assert "委托鉴定评估机构" in html and appraisal.institution.name in html
    assert "委托日期 2026年9月24日" in html
    assert "期限届满日为2026年11月12日（星期四）" in html
    assert "已完成" in html and "256,000.00 元" in html and "部分可以修复" in html
    assert "晋环鉴〔2026〕12号" in html


def test_other_department_gets_404_and_finance_403(client, sx):
    case, appraisal = sx_case_entrusted(sx, date(2026, 9, 24))
    stranger = UserFactory(department=DepartmentFactory(jurisdiction=sx.jurisdiction),
                           role=Role.OFFICER)
    finance = UserFactory(department=sx.department, role=Role.FINANCE)
    urls = [reverse("cases:appraisal_entrust", args=[case.pk]),
            reverse("cases:appraisal_extend", args=[appraisal.pk]),
            reverse("cases:appraisal_result", args=[appraisal.pk]),
            reverse("cases:appraisal_cancel", args=[appraisal.pk])]
    with travel(2026, 9, 28):
        client.force_login(stranger)
        assert [client.get(u).status_code for u in urls] == [404] * 4
        assert client.post(urls[3], {"reason": "撤销"}).status_code == 404
        client.force_login(finance)
        assert [client.get(u).status_code for u in urls] == [403] * 4
    assert reload(appraisal).status == Appraisal.Status.RUNNING


# --- registries ---------------------------------------------------------------------------------

def test_administrator_manages_the_registries_officers_cannot(client, sx):
    admin_user = UserFactory(department=sx.department, role=Role.ADMIN, is_staff=True)
    client.force_login(admin_user)
    assert client.get(reverse("admin:cases_expert_changelist")).status_code == 200
    response = client.post(reverse("admin:cases_expert_add"), {
        "name": "孙教授", "field": "土壤污染修复", "organisation": "山西大学",
        "organisation_credit_code": "", "pool": Expert.Pool.PROVINCIAL, "title": "教授",
        "phone": "", "active": "on"})
    assert response.status_code == 302
    assert Expert.objects.get(name="孙教授").pool == Expert.Pool.PROVINCIAL
    response = client.post(reverse("admin:cases_appraisalinstitution_add"), {
        "name": "某鉴定所", "credit_code": "91140100MA0000000X", "qualification": "judicial",
        "qualification_number": "140001", "active": "on"})
    assert response.status_code == 200  # a wrong credit code is refused, in Chinese
    assert "第18位（校验码）应为" in response.content.decode()
    assert not AppraisalInstitution.objects.exists()

    officer = UserFactory(department=sx.department, role=Role.OFFICER, is_staff=True)
    client.force_login(officer)
    assert client.get(reverse("admin:cases_expert_add")).status_code == 403


def test_credit_codes_are_checked_and_normalised():
    expert = ExpertFactory.build(organisation_credit_code="91140100MA0000000X")
    with pytest.raises(ValidationError) as refused:
        expert.full_clean()
    assert "organisation_credit_code" in refused.value.message_dict
    code = make_credit_code("12345678")
    institution = InstitutionFactory(credit_code=" " + code.lower() + " ")
    assert institution.credit_code == code
