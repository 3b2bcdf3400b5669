"""The court pages and the case page's 磋商与司法 panel: judicial confirmation (form [6]) with its
materials and the ruling (confirmed; refused → one new round; refused again → litigation),
litigation for an unperformed agreement and its steps, enforcement (form [7]) and the report
of an obligor's performance — with the denials."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from cases.models import Appraisal, Case
from negotiation import services
from negotiation.models import (
    Enforcement,
    JudicialConfirmation,
    Litigation,
    Negotiation,
    PerformanceReport,
)
from tests.factories import DepartmentFactory, UserFactory
from tests.negotiation.factories import complete_draft, desk, meet, pdf, signed
from workflow.attachments import attach

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


@pytest.fixture
def prosecutor(d):
    department = DepartmentFactory(jurisdiction=d.department.jurisdiction,
                                   kind=Department.Kind.PROCURATORATE)
    return UserFactory(department=department, role=Role.PROCURATORATE)


def url(name, obj):
    return reverse(f"negotiation:{name}", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def panel(client, case):
    """The case page's 磋商与司法 section, as its htmx request loads it."""
    return client.get(reverse("cases:case_section", args=[case.pk, "negotiation"]),
                      HTTP_HX_REQUEST="true")


def next_steps(client, case) -> str:
    html = page(client.get(case.get_absolute_url()))
    start = html.index('data-testid="next-steps"')
    return html[start:html.index("</section>", start)]


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def stage(case) -> str:
    return Case.objects.get(pk=case.pk).stage


def filed(d, agreement=None, *, applied_on=datetime.date(2026, 10, 26)) -> JudicialConfirmation:
    """A confirmation of `agreement` (or a newly signed one) filed with the court."""
    agreement = agreement or signed(d)
    confirmation = services.start_confirmation(agreement.case, by=d.officer)
    confirmation.court = "太原市中级人民法院"
    confirmation.applied_on = applied_on
    confirmation.agreement_file = attach(confirmation, pdf("协议.pdf"), by=d.officer)
    confirmation.appraisal_report = attach(confirmation, pdf("报告.pdf"), by=d.officer)
    confirmation.save()
    return services.file_confirmation(confirmation, by=d.officer)


def confirmed(d) -> JudicialConfirmation:
    confirmation = filed(d)
    return services.record_ruling(confirmation, confirmed=True,
                                  ruling_number="（2026）晋01民特1号",
                                  ruling_date=datetime.date(2026, 10, 28), by=d.officer)


# --- the case page's panel ----------------------------------------------------------------------

def test_case_panel_shows_round_agreement_and_offers_confirmation_and_suit(client, d,
                                                                            prosecutor):
    agreement = signed(d)
    case = agreement.case
    client.force_login(d.officer)
    html = page(panel(client, case))
    assert 'data-testid="case-negotiation"' in html
    assert url("negotiation_detail", agreement.negotiation) in html and "达成协议" in html
    assert "现行赔偿协议" in html and url("agreement_detail", agreement) in html
    steps = next_steps(client, case)  # the case page's 下一步 offers the same
    for button in ("申请司法确认", "协议未履行，提起诉讼", "登记履责情况报送"):
        assert button in html and button in steps
    assert "申请强制执行" not in html and "申请强制执行" not in steps
    case.participants.add(prosecutor.department)
    client.force_login(prosecutor)
    html = page(panel(client, case))
    assert "现行赔偿协议" in html and ">申请司法确认</button>" not in html
    assert "申请司法确认" not in next_steps(client, case)


def test_case_panel_is_absent_before_the_negotiation(client, d):
    from tests.negotiation.factories import concluded_case

    case = concluded_case(d)
    client.force_login(d.officer)
    assert 'data-testid="case-negotiation"' not in page(panel(client, case))


# --- judicial confirmation -------------------------------------------------------------------------

def test_confirmation_with_the_case_appraisal_report_preselected_through_to_confirmed(client, d):
    agreement = signed(d)
    case = agreement.case
    appraisal = Appraisal.objects.create(
        case=case, sequence=1, method="expert_panel", entrusted_on=datetime.date(2026, 9, 12),
        entrusted_by=d.officer, status="finished", finished_on=datetime.date(2026, 9, 20),
        report_number="晋环鉴〔2026〕1号")
    appraisal.report = attach(appraisal, pdf("鉴定评估报告.pdf"), by=d.officer)
    appraisal.save()
    client.force_login(d.officer)
    response = client.post(url("confirmation_start", case), follow=True)
    confirmation = JudicialConfirmation.objects.get(case=case)
    assert response.redirect_chain[-1][0] == url("confirmation_edit", confirmation)
    assert "已开始准备司法确认申请，请填写受理法院并上传材料。" in shown(response)
    form = response.context["form"]
    assert form.initial["appraisal_report"] == appraisal.report_id  # preselected
    response = client.post(url("confirmation_edit", confirmation), {
        "court": "太原市中级人民法院", "applied_on": "2026-10-26",
        "appraisal_report": str(appraisal.report_id),
        "agreement_file": SimpleUploadedFile("协议.doc.exe", b"MZ")})
    assert response.context["form"].errors["agreement_file"][0].startswith("不支持的文件类型")
    assert reload(confirmation).court == ""
    response = client.post(url("confirmation_edit", confirmation), {
        "court": "太原市中级人民法院", "applied_on": "2026-10-26",
        "appraisal_report": str(appraisal.report_id),
        "agreement_file": pdf("赔偿协议签章本.pdf")}, follow=True)
    assert "司法确认申请材料已保存。" in shown(response)
    html = page(response)
    assert "赔偿协议签章本.pdf" in html and "鉴定评估报告.pdf" in html
    assert 'data-testid="unmet-file"' not in html
    response = client.post(url("confirmation_file", confirmation), {"seen_state": "preparing"},
                           follow=True)
    assert "司法确认申请已提交，案件进入“司法确认中”。" in shown(response)
    assert stage(case) == Case.Stage.CONFIRMING
    ruling = url("confirmation_ruling", confirmation)
    response = client.post(ruling, {"result": "refused", "ruling_number": "（2026）晋01民特1号",
                                    "ruling_date": "2026-10-28", "refusal_reason": ""})
    assert response.context["form"].errors["refusal_reason"] == [
        "裁定不予确认的，须填写不予确认的理由。"]
    response = client.post(ruling, {"result": "confirmed", "ruling_number": "（2026）晋01民特1号",
                                    "ruling_date": "2026-10-25"})
    assert response.context["form"].errors["ruling_date"] == [
        "裁定日期不能早于申请日期（2026年10月26日）。"]
    assert reload(confirmation).state == "filed"
    response = client.post(ruling, {"result": "confirmed", "ruling_number": "（2026）晋01民特1号",
                                    "ruling_date": "2026-10-28"}, follow=True)
    assert any(m.startswith("法院已裁定确认赔偿协议有效") for m in shown(response))
    assert reload(confirmation).state == "confirmed"
    assert stage(case) == Case.Stage.PERFORMING
    html = page(client.get(case.get_absolute_url()))
    assert "申请强制执行" in html and "协议未履行，提起诉讼" not in html
    assert ">申请司法确认</button>" not in html
    response = client.get(ruling, follow=True)
    assert "司法确认处于“已确认”状态，不能办理此事项。" in shown(response)


def test_filing_without_the_materials_is_refused_with_what_is_missing(client, d):
    agreement = signed(d)
    client.force_login(d.officer)
    client.post(url("confirmation_start", agreement.case))
    confirmation = JudicialConfirmation.objects.get(case=agreement.case)
    html = page(client.get(url("confirmation_detail", confirmation)))
    text = re.sub(r"<[^>]+>", "", html)  # each citation names its document (rules/citations.py)
    nat = "《关于推进生态环境损害赔偿制度改革若干具体问题的意见》七"
    for unmet in ("须填写受理法院和申请日期", f"须附赔偿协议文本（{nat}）",
                  f"须附鉴定评估报告或专家意见（{nat}）"):
        assert unmet in text
    response = client.post(url("confirmation_file", confirmation), {"seen_state": "preparing"},
                           follow=True)
    assert "须附赔偿协议文本（NAT 七）" in shown(response)
    assert reload(confirmation).state == "preparing"
    client.post(url("confirmation_edit", confirmation), {
        "court": "太原市中级人民法院", "applied_on": "2026-10-20",
        "agreement_file": pdf("协议.pdf"), "appraisal_file": pdf("专家意见.pdf")})
    response = client.post(url("confirmation_file", confirmation), {"seen_state": "preparing"},
                           follow=True)
    assert "申请日期不能早于协议签订日期（2026年10月25日）。" in shown(response)
    assert reload(confirmation).state == "preparing"
    assert stage(agreement.case) == Case.Stage.PERFORMING
    response = client.post(url("confirmation_start", agreement.case), follow=True)
    assert "该协议已申请司法确认。" in shown(response)


def test_a_refused_confirmation_opens_one_new_round(client, d):
    confirmation = filed(d)
    client.force_login(d.officer)
    response = client.post(url("confirmation_ruling", confirmation), {
        "result": "refused", "ruling_number": "（2026）晋01民特2号", "ruling_date": "2026-10-28",
        "refusal_reason": "协议部分条款违反法律规定"}, follow=True)
    new_round = confirmation.case.negotiations.get(round_number=2)
    assert response.redirect_chain[-1][0] == url("negotiation_detail", new_round)
    assert any("已开启第2轮磋商" in m for m in shown(response))
    assert new_round.kind == Negotiation.Kind.RENEGOTIATION and new_round.state == "preparing"
    assert stage(confirmation.case) == Case.Stage.NEGOTIATING
    html = page(client.get(url("confirmation_detail", confirmation)))
    assert "协议部分条款违反法律规定" in html and url("negotiation_detail", new_round) in html


def renegotiated(d, case) -> None:
    """Round 2 of `case` brought to a signed agreement through the services."""
    negotiation = case.negotiations.get(round_number=2)
    for name, value in {"plan_feasibility": "可行", "plan_cost": "八十万元",
                        "plan_obligor_capacity": "具备", "group_own": "法规科",
                        "first_meeting_place": "会议室",
                        "reply_due": datetime.date(2026, 11, 10),
                        "notice_issued_on": datetime.date(2026, 10, 29)}.items():
        setattr(negotiation, name, value)
    negotiation.first_meeting_at = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    negotiation.save()
    negotiation = services.issue_notice(negotiation, by=d.officer)
    for obligor in negotiation.obligors():
        services.record_service(negotiation, obligor=obligor, method="direct",
                                attempted_on=datetime.date(2026, 10, 30), succeeded=True,
                                by=d.officer)
    negotiation = services.record_reply(Negotiation.objects.get(pk=negotiation.pk),
                                        reply="agreed", replied_on=datetime.date(2026, 10, 31),
                                        by=d.officer)
    meet(negotiation, d, datetime.date(2026, 11, 1))
    services.sign_agreement(complete_draft(negotiation, d, signed_on=datetime.date(2026, 11, 2)),
                            by=d.officer)


def test_a_second_refusal_after_the_new_round_goes_to_litigation(client, d):
    first = filed(d)
    services.record_ruling(first, confirmed=False, ruling_number="（2026）晋01民特2号",
                           ruling_date=datetime.date(2026, 10, 28), refusal_reason="条款违法",
                           by=d.officer)
    case = first.case
    renegotiated(d, case)
    second = filed(d, services.current_agreement(case), applied_on=datetime.date(2026, 11, 2))
    client.force_login(d.officer)
    response = client.post(url("confirmation_ruling", second), {
        "result": "refused", "ruling_number": "（2026）晋01民特9号", "ruling_date": "2026-11-02",
        "refusal_reason": "仍不符合规定"}, follow=True)
    litigation = case.litigations.get()
    assert response.redirect_chain[-1][0] == url("litigation_detail", litigation)
    assert "重新磋商后法院仍不予确认，案件已转入诉讼（CQ 八；SX 第二十一条）。" in shown(response)
    assert litigation.origin == Litigation.Origin.CONFIRMATION_REFUSED_AGAIN
    assert stage(case) == Case.Stage.LITIGATING


# --- litigation ---------------------------------------------------------------------------------------

def litigation_data(**change):
    return {"court": "太原市中级人民法院", "filed_on": "2026-10-27",
            "court_case_number": "（2026）晋01民初88号", "claim_amount": "923000",
            "procuratorate_support": "on", "support_requested_on": "2026-10-27",
            "support_note": "", "judgment_number": "", "judgment_date": "",
            "judgment_amount": "", "judgment_summary": "", "appeal_court": "",
            "appeal_case_number": "", "appeal_judgment_number": "", "appeal_judgment_date": "",
            "effective_on": "", **change}


def step(client, litigation, name):
    return client.post(url("litigation_step", litigation),
                       {"step": name, "seen_state": reload(litigation).state}, follow=True)


def test_an_unperformed_agreement_is_sued_on_and_the_litigation_walked_to_a_judgment(client, d):
    agreement = signed(d)
    case = agreement.case
    client.force_login(d.officer)
    start = reverse("negotiation:litigation_start", args=[case.pk])
    assert client.get(start).status_code == 200
    response = client.post(start, {"note": ""})
    assert response.context["form"].errors["note"] == ["请写明赔偿义务人未履行或未完全履行的情况。"]
    response = client.post(start, {"note": "逾期未缴纳服务功能损失"}, follow=True)
    litigation = case.litigations.get()
    assert response.redirect_chain[-1][0] == url("litigation_detail", litigation)
    assert stage(case) == Case.Stage.LITIGATING
    html = page(response)
    assert "未经司法确认的协议未履行" in html and "须填写受理法院、立案日期和案号" in html
    response = step(client, litigation, "file")
    assert "须填写受理法院、立案日期和案号" in shown(response)
    edit = url("litigation_edit", litigation)
    response = client.post(edit, litigation_data(judgment_number="（2026）晋01民初88号",
                                                 judgment_date="2026-10-20"))
    assert response.context["form"].errors["judgment_date"] == ["判决日期不能早于立案日期。"]
    response = client.post(edit, litigation_data(filed_on="2026-11-05"))
    assert response.context["form"].errors["filed_on"] == ["立案日期不能晚于今天。"]
    response = client.post(edit, litigation_data(claim_amount="-1"))
    assert response.context["form"].errors["claim_amount"] == ["金额不能为负数。"]
    assert reload(litigation).court == ""
    client.post(edit, litigation_data())
    assert "已登记法院立案，判决后请登记一审判决。" in shown(step(client, litigation, "file"))
    client.post(edit, litigation_data(judgment_number="（2026）晋01民初88号判决",
                                      judgment_date="2026-10-30", judgment_amount="923000"))
    assert "已登记一审判决；上诉的，请登记上诉，判决生效后登记生效。" in shown(step(client, litigation, "judge"))
    response = step(client, litigation, "take_effect")
    assert "须填写判决生效日期" in shown(response)
    assert '提起上诉' in page(response) and "须填写上诉法院和二审案号" in page(response)
    client.post(edit, litigation_data(judgment_number="（2026）晋01民初88号判决",
                                      judgment_date="2026-10-30", effective_on="2026-11-01"))
    response = step(client, litigation, "take_effect")
    assert any(m.startswith("判决已生效") for m in shown(response))
    assert reload(litigation).state == "effective"
    assert stage(case) == Case.Stage.PERFORMING
    html = page(client.get(case.get_absolute_url()))
    assert "申请强制执行" in html and "协议未履行，提起诉讼" not in html
    response = client.get(edit, follow=True)
    assert "诉讼处于“判决生效”状态，不能办理此事项。" in shown(response)


def test_stale_litigation_step_is_reported(client, d):
    agreement = signed(d)
    litigation = services.sue_for_nonperformance(agreement.case, note="未履行", by=d.officer)
    client.force_login(d.officer)
    response = client.post(url("litigation_step", litigation),
                           {"step": "judge", "seen_state": "filed"}, follow=True)
    assert any(m.startswith("该记录已被他人处理") for m in shown(response))


# --- enforcement -------------------------------------------------------------------------------------

def test_a_confirmed_agreement_not_performed_is_enforced(client, d):
    confirmation = confirmed(d)
    case = confirmation.case
    client.force_login(d.officer)
    response = client.post(url("enforcement_start", case), follow=True)
    enforcement = Enforcement.objects.get(case=case)
    assert response.redirect_chain[-1][0] == url("enforcement_edit", enforcement)
    assert response.context["form"].initial["court"] == "太原市中级人民法院"
    edit = url("enforcement_edit", enforcement)
    respondents = [str(pk) for pk in case.obligor_links.values_list("pk", flat=True)]
    data = {"court": "太原市中级人民法院", "applied_on": "2026-11-01", "enforcement_number": "",
            "respondents": respondents, "agent": "王某，法规科科长", "contact": "0351-1234567",
            "non_performance": "逾期未缴纳服务功能损失123000元"}
    response = client.post(edit, {**data, "non_performance": "", "respondents": []})
    errors = response.context["form"].errors
    assert errors["non_performance"] == ["请写明未履行情况。"]
    assert errors["respondents"] == ["请选择被申请人。"]
    response = client.post(edit, data, follow=True)
    assert "强制执行情况已保存。" in shown(response)
    html = page(response)
    assert "经司法确认的赔偿协议" in html and "（2026）晋01民特1号" in html
    response = client.post(url("enforcement_apply", enforcement), {"seen_state": "preparing"},
                           follow=True)
    assert "已申请强制执行，案件进入“强制执行”。" in shown(response)
    assert stage(case) == Case.Stage.ENFORCING
    response = client.post(edit, {**data, "defaulter_listed_on": "2026-11-02"})
    assert response.context["form"].errors["defaulter_court"] == ["请填写作出失信决定的法院。"]
    response = client.post(url("enforcement_conclude", enforcement), {"seen_state": "applied"},
                           follow=True)
    assert "须填写执行结果" in shown(response)
    client.post(edit, {**data, "defaulter_listed_on": "2026-11-02",
                       "defaulter_court": "太原市中级人民法院", "procuratorate_informed_on":
                       "2026-11-01", "credit_reported_on": "2026-11-02",
                       "credit_report_note": "已报送信用中国（山西）", "result": "已全部执行到位",
                       "concluded_on": "2026-11-02"})
    html = page(client.get(url("enforcement_detail", enforcement)))
    assert "太原市中级人民法院于2026年11月2日列入失信被执行人名单" in html
    assert "2026年11月2日报送：已报送信用中国（山西）" in html
    response = client.post(url("enforcement_conclude", enforcement), {"seen_state": "applied"},
                           follow=True)
    assert "强制执行已终结，案件回到履行阶段。" in shown(response)
    assert stage(case) == Case.Stage.PERFORMING


def test_enforcement_is_refused_without_a_confirmed_agreement_or_judgment(client, d):
    agreement = signed(d)
    client.force_login(d.officer)
    response = client.post(url("enforcement_start", agreement.case), follow=True)
    assert any(m.startswith("没有经司法确认的赔偿协议或生效判决") for m in shown(response))
    assert not Enforcement.objects.exists()


# --- performance reports ------------------------------------------------------------------------------

def test_the_performance_report_is_recorded_and_listed_on_the_case(client, d):
    agreement = signed(d)
    case = agreement.case
    obligor = case.obligor_links.first()
    client.force_login(d.officer)
    target = url("performance_report", case)
    response = client.post(target, {"obligor": obligor.pk, "organ_kind": "administrative",
                                    "organ": "", "reported_on": "2026-11-03", "content": "x"})
    errors = response.context["form"].errors
    assert errors["organ"] == ["请填写报送机关。"]
    assert errors["reported_on"] == ["报送日期不能晚于今天。"]
    assert not PerformanceReport.objects.exists()
    response = client.post(target, {
        "obligor": obligor.pk, "organ_kind": "administrative", "organ": "太原市生态环境局执法支队",
        "reported_on": "2026-11-02", "content": "已按期完成底泥清淤",
        "file": pdf("履责情况.pdf")}, follow=True)
    report = PerformanceReport.objects.get()
    assert report.file.original_name == "履责情况.pdf" and report.recorded_by == d.officer
    assert response.redirect_chain[-1][0].startswith(case.get_absolute_url())
    html = page(panel(client, case))
    assert "履责情况报送：" in html and "太原市生态环境局执法支队" in html


# --- denials ------------------------------------------------------------------------------------------

def test_court_pages_deny_out_of_scope_wrong_roles_and_anonymous(client, d, prosecutor):
    confirmation = confirmed(d)
    case = confirmation.case
    litigation = Litigation.objects.create(case=case, origin="not_performed", created_by=d.officer)
    enforcement = services.start_enforcement(case, by=d.officer)
    details = [url("confirmation_detail", confirmation), url("litigation_detail", litigation),
               url("enforcement_detail", enforcement)]
    posts = [url("confirmation_start", case), url("confirmation_edit", confirmation),
             url("confirmation_file", confirmation), url("confirmation_ruling", confirmation),
             url("litigation_start", case), url("litigation_edit", litigation),
             url("litigation_step", litigation), url("enforcement_start", case),
             url("enforcement_edit", enforcement), url("enforcement_apply", enforcement),
             url("enforcement_conclude", enforcement), url("performance_report", case)]
    response = client.get(details[0])
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(desk("SX").officer)
    assert [client.get(u).status_code for u in details] == [404] * 3
    assert [client.post(u, {}).status_code for u in posts] == [404] * len(posts)
    case.participants.add(prosecutor.department)
    for user in (prosecutor, d.division_head):
        client.force_login(user)
        assert [client.get(u).status_code for u in details] == [200] * 3
        assert [client.post(u, {}).status_code for u in posts] == [403] * len(posts)
    assert reload(enforcement).state == "preparing"
