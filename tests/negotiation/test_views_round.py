"""The pages of a negotiation round: the round page, the plan and 磋商告知书 form, issuing the
notice, service, reply, meetings and the agent's authorisation, more meetings, early
restoration, failure — each POST doing what it says, invalid input answered next to the field
with nothing saved, and the denials (scope 404, role 403, read-only state, stale state)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from cases.models import Case
from negotiation.models import Meeting, Negotiation, ServiceAttempt
from tests.factories import DepartmentFactory, UserFactory
from tests.negotiation.factories import (
    concluded_case,
    desk,
    in_progress,
    meet,
    negotiating,
    pdf,
    served,
)
from workflow.models import ApprovalRequest
from workflow.transitions import perform

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
    """A 检察联络员 of the same jurisdiction's procuratorate (read-only)."""
    department = DepartmentFactory(jurisdiction=d.department.jurisdiction,
                                   kind=Department.Kind.PROCURATORATE)
    return UserFactory(department=department, role=Role.PROCURATORATE)


def url(name, obj):
    return reverse(f"negotiation:{name}", args=[obj.pk])


def page(response) -> str:
    return response.content.decode()


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def preparing(d, **fields) -> Negotiation:
    case = perform(concluded_case(d, **fields), "start_negotiation", by=d.officer)
    return case.negotiations.get()


PLAN = {
    "plan_feasibility": "原位修复技术可行", "plan_cost": "修复费用约八十万元",
    "plan_third_party": "", "plan_obligor_capacity": "义务人经营正常，具备赔偿能力",
    "pre_communication": "已就损害事实沟通", "notice_cause": "超标排放废水",
    "notice_findings": "调查结论：河段水生态受损", "notice_restorable": "河段底泥",
    "group_own": "生态环境局法规科", "group_invited": "市检察院", "procuratorate_invited": "on",
    "first_meeting_at": "2026-11-20T09:30", "first_meeting_place": "生态环境局三楼会议室",
    "reply_due": "2026-11-16", "other_matters": "", "notice_issued_on": "",
}


# --- the round page ---------------------------------------------------------------------------

def test_round_page_shows_notice_service_deadlines_meetings_and_actions(client, d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 12))
    client.force_login(d.officer)
    response = client.get(url("negotiation_detail", negotiation))
    assert response.status_code == 200
    html = page(response)
    assert 'data-testid="negotiation-state">磋商中<' in html
    assert "生态环境局三楼会议室" in html and "2026年10月15日" in html  # notice data
    assert html.count("已送达") >= 2  # both obligors served
    assert "首次成功送达：2026年9月30日" in html
    assert "磋商期限" in html and "2026年9月30日" in html  # the 90 days and why
    assert "同意磋商（2026年10月8日）" in html
    assert "第1次 · 2026年10月12日" in html and "已计入1次，上限3次" in html
    for action in ("登记磋商会议", "起草赔偿协议", "磋商不成", "同意先行修复", "登记送达"):
        assert action in html
    assert "制发磋商告知书" not in html


def test_the_procuratorate_in_scope_reads_the_round_but_gets_no_actions(client, d, prosecutor):
    negotiation = in_progress(d)
    negotiation.case.participants.add(prosecutor.department)
    client.force_login(prosecutor)
    response = client.get(url("negotiation_detail", negotiation))
    assert response.status_code == 200
    html = page(response)
    assert 'aria-label="办理操作"' not in html and ">起草赔偿协议<" not in html
    assert "登记送达" not in html and "磋商不成" not in html


def test_out_of_scope_is_404_wrong_role_403_and_anonymous_goes_to_login(client, d, prosecutor):
    negotiation = in_progress(d)
    detail = url("negotiation_detail", negotiation)
    response = client.get(detail)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(prosecutor)  # not a participant of this case
    assert client.get(detail).status_code == 404
    client.force_login(desk("SX").officer)  # another department
    assert client.get(detail).status_code == 404
    assert client.post(url("negotiation_meeting", negotiation), {}).status_code == 404
    finance = UserFactory(department=d.department, role=Role.FINANCE)
    client.force_login(finance)
    assert client.get(detail).status_code == 403


def test_read_only_roles_are_refused_every_post(client, d, prosecutor):
    negotiation = in_progress(d)
    negotiation.case.participants.add(prosecutor.department)
    meeting = meet(negotiation, d, datetime.date(2026, 10, 12))
    posts = [url(n, negotiation) for n in (
        "negotiation_plan", "negotiation_issue", "negotiation_service", "negotiation_reply",
        "negotiation_meeting", "negotiation_more_meetings", "negotiation_early_restoration",
        "negotiation_fail", "negotiation_draft_agreement", "negotiation_overrun")]
    posts.append(url("meeting_authorisation", meeting))
    for user in (prosecutor, d.division_head, d.department_head):
        client.force_login(user)
        assert [client.post(u, {}).status_code for u in posts] == [403] * len(posts)
    assert reload(negotiation).state == "in_progress"
    assert not negotiation.agreements.exists()


# --- plan and notice ----------------------------------------------------------------------------

def test_plan_form_saves_the_plan_and_the_notice_and_the_notice_can_then_be_issued(
        client, d, prosecutor):
    negotiation = preparing(d)
    client.force_login(d.officer)
    detail = client.get(url("negotiation_detail", negotiation))
    assert 'data-testid="unmet-issue_notice"' in page(detail)  # disabled with reasons
    assert "须填写磋商方案" in page(detail)
    form = client.get(url("negotiation_plan", negotiation))
    assert form.status_code == 200 and "磋商方案（NT 三(七)）" in page(form)
    response = client.post(url("negotiation_plan", negotiation),
                           {**PLAN, "invited_procuratorate": prosecutor.department_id}, follow=True)
    assert "磋商方案和磋商告知书已保存。" in shown(response)
    negotiation = reload(negotiation)
    assert negotiation.plan_cost == "修复费用约八十万元" and negotiation.procuratorate_invited
    # CQ 七(一); SX 第三十三条: the invited procuratorate follows the case
    assert prosecutor.department in negotiation.case.participants.all()
    assert negotiation.reply_due == datetime.date(2026, 11, 16)
    response = client.post(url("negotiation_issue", negotiation),
                           {"seen_state": "preparing"}, follow=True)
    assert "磋商告知书已制发，请登记送达情况。" in shown(response)
    negotiation = reload(negotiation)
    assert negotiation.state == "serving"
    assert negotiation.notice_issued_on == datetime.date(2026, 11, 2)


def test_plan_dates_are_checked_next_to_the_fields_and_nothing_is_saved(client, d):
    negotiation = preparing(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_plan", negotiation), {
        **PLAN, "reply_due": "2026-11-01", "first_meeting_at": "2026-11-02T15:00",
        "plan_cost": "改过的费用"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reply_due"] == ["答复期限须晚于今天（2026年11月2日）。"]
    assert form.errors["first_meeting_at"] == ["首次磋商会议时间须晚于今天（2026年11月2日）。"]
    html = page(response)
    assert 'id="id_reply_due_error"' in html and 'id="id_first_meeting_at_error"' in html
    assert reload(negotiation).plan_cost == ""  # nothing half-saved
    response = client.post(url("negotiation_plan", negotiation), {
        **PLAN, "notice_issued_on": "2026-11-10", "reply_due": "2026-11-09",
        "first_meeting_at": "2026-11-10T09:00"})
    form = response.context["form"]
    assert form.errors["reply_due"] == ["答复期限须晚于告知书落款日期（2026年11月10日）。"]
    assert form.errors["first_meeting_at"] == [
        "首次磋商会议时间须晚于告知书落款日期（2026年11月10日）。"]
    response = client.post(url("negotiation_plan", negotiation),
                           {**PLAN, "reply_due": "2026-13-45"})
    assert response.context["form"].errors["reply_due"] == ["请按“年-月-日”填写日期。"]


def test_plan_page_redirects_once_the_notice_is_issued(client, d):
    negotiation = negotiating(d)
    client.force_login(d.officer)
    response = client.get(url("negotiation_plan", negotiation), follow=True)
    assert response.redirect_chain[-1][0] == url("negotiation_detail", negotiation)
    assert "磋商处于“送达告知书”状态，不能办理此事项。" in shown(response)


def test_a_stale_state_is_reported_not_acted_on(client, d):
    negotiation = negotiating(d)  # someone else already issued it
    client.force_login(d.officer)
    response = client.post(url("negotiation_issue", negotiation),
                           {"seen_state": "preparing"}, follow=True)
    assert any(m.startswith("该记录已被他人处理，当前状态为“送达告知书”") for m in shown(response))
    assert reload(negotiation).state == "serving"


# --- service ----------------------------------------------------------------------------------

def test_service_form_offers_the_case_obligors_and_the_first_success_starts_the_period(
        client, d):
    negotiation = negotiating(d)
    first, second = negotiation.obligors().order_by("id")
    client.force_login(d.officer)
    response = client.get(url("negotiation_service", negotiation))
    choices = [c for c, _ in response.context["form"].fields["obligor"].choices if c]
    assert [c.value for c in choices] == [first.pk, second.pk]
    response = client.post(url("negotiation_service", negotiation), {
        "obligor": first.pk, "method": "post", "attempted_on": "2026-10-01",
        "succeeded": "yes", "recipient": "张某", "note": "",
        "proof": pdf("送达回证.pdf")}, follow=True)
    assert any("磋商期限自2026年10月1日（送达之日）起算" in m for m in shown(response))
    negotiation = reload(negotiation)
    assert negotiation.state == "awaiting_reply" and negotiation.served_on.day == 1
    attempt = ServiceAttempt.objects.get(negotiation=negotiation)
    assert attempt.proof.original_name == "送达回证.pdf"
    html = page(response)
    assert "送达回证.pdf" in html and "首次成功送达：2026年10月1日" in html


def test_service_errors_are_shown_next_to_the_field_and_nothing_is_saved(client, d):
    negotiation = negotiating(d)
    obligor = negotiation.obligors().first()
    other_case_obligor = concluded_case(d).obligor_links.first()
    client.force_login(d.officer)
    target = url("negotiation_service", negotiation)
    base = {"obligor": obligor.pk, "method": "direct", "attempted_on": "2026-10-01",
            "succeeded": "no", "recipient": "", "note": ""}
    cases = [
        ({"note": ""}, "note", "未能送达的，请写明送达情况。"),
        ({"attempted_on": "2026-09-27", "succeeded": "yes"}, "attempted_on",
         "送达日期不能早于告知书落款日期（2026年9月28日）。"),
        ({"attempted_on": "2026-11-03"}, "attempted_on", "送达日期不能晚于今天。"),
        ({"obligor": other_case_obligor.pk}, "obligor", "请从列表中选择。"),
        ({"method": ""}, "method", "请选择送达方式。"),
        ({"note": "拒收", "proof": SimpleUploadedFile("x.exe", b"MZ")}, "proof",
         "不支持的文件类型“.exe”"),
    ]
    for change, field, message in cases:
        response = client.post(target, {**base, **change})
        assert response.status_code == 200
        errors = response.context["form"].errors[field]
        assert any(e.startswith(message) for e in errors), (field, errors)
        assert f'id="id_{field}_error"' in page(response) or field == "proof"
    assert not ServiceAttempt.objects.filter(negotiation=negotiation).exists()
    assert reload(negotiation).state == "serving"


def test_reply_due_before_the_service_date_is_refused_next_to_the_date(client, d):
    negotiation = negotiating(d)  # reply due 15 October
    client.force_login(d.officer)
    response = client.post(url("negotiation_service", negotiation), {
        "obligor": negotiation.obligors().first().pk, "method": "direct",
        "attempted_on": "2026-10-20", "succeeded": "yes", "recipient": "张某", "note": ""})
    assert response.context["form"].errors["attempted_on"] == [
        "告知书的答复期限（2026年10月15日）须晚于送达日期。"]
    assert not ServiceAttempt.objects.filter(negotiation=negotiation).exists()


# --- reply -------------------------------------------------------------------------------------

def test_reply_agreeing_opens_the_meetings(client, d):
    negotiation = served(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_reply", negotiation),
                           {"reply": "agreed", "replied_on": "2026-10-08", "note": "书面同意"},
                           follow=True)
    assert "已登记答复：赔偿义务人同意磋商，可以登记磋商会议。" in shown(response)
    assert reload(negotiation).state == "in_progress"


def test_reply_refusing_fails_the_round_and_shows_the_litigation(client, d):
    negotiation = served(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_reply", negotiation),
                           {"reply": "refused", "replied_on": "2026-10-09", "note": "拒绝"},
                           follow=True)
    assert any("案件已转入诉讼" in m for m in shown(response))
    negotiation = reload(negotiation)
    assert negotiation.state == "failed"
    html = page(response)
    assert 'data-testid="outcome"' in html and "赔偿义务人明确表示拒绝磋商" in html
    assert url("litigation_detail", negotiation.case.litigations.get()) in html


def test_reply_errors_and_the_reply_page_outside_awaiting_reply(client, d):
    negotiation = served(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_reply", negotiation),
                           {"reply": "", "replied_on": "2026-09-29"})
    assert response.context["form"].errors["reply"] == ["请选择赔偿义务人的答复意见。"]
    response = client.post(url("negotiation_reply", negotiation),
                           {"reply": "agreed", "replied_on": "2026-09-29"})
    assert response.context["form"].errors["replied_on"] == [
        "答复日期不能早于送达日期（2026年9月30日）。"]
    assert reload(negotiation).state == "awaiting_reply"
    progressing = in_progress(d)
    response = client.get(url("negotiation_reply", progressing), follow=True)
    assert "磋商处于“磋商中”状态，不能办理此事项。" in shown(response)


# --- meetings ------------------------------------------------------------------------------------

def meeting_data(**change):
    return {"held_on": "2026-10-12", "place": "会议室", "attendees": "法规科、检察院",
            "obligor_attendance": "in_person", "agent_name": "", "minutes": "就修复方案交换意见",
            **change}


def test_meeting_with_an_agent_without_authorisation_does_not_count_until_uploaded(client, d):
    negotiation = in_progress(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_meeting", negotiation),
                           meeting_data(obligor_attendance="agent", agent_name="李律师",
                                        minutes_file=pdf("纪要.pdf")), follow=True)
    assert any("暂不计入会议次数" in m for m in shown(response))
    html = page(response)
    assert 'data-testid="meeting-not-counted">不计入<' in html
    assert 'data-testid="authorisation-form"' in html and "已计入0次" in html
    meeting = Meeting.objects.get(negotiation=negotiation)
    response = client.post(url("meeting_authorisation", meeting),
                           {"file": SimpleUploadedFile("a.txt.exe", b"x")}, follow=True)
    assert any("不支持的文件类型" in m for m in shown(response))
    assert not reload(meeting).counts
    response = client.post(url("meeting_authorisation", meeting),
                           {"file": pdf("授权委托书.pdf")}, follow=True)
    assert "第1次磋商会议的授权委托书已上传，该次会议计入会议次数。" in shown(response)
    assert reload(meeting).counts and "已计入1次" in page(response)


def test_meeting_errors_next_to_the_fields(client, d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 20))
    client.force_login(d.officer)
    target = url("negotiation_meeting", negotiation)
    response = client.post(target, meeting_data(obligor_attendance="agent", held_on="2026-10-21"))
    assert response.context["form"].errors["agent_name"] == ["委托代理人出席的，须填写代理人姓名。"]
    response = client.post(target, meeting_data(held_on="2026-10-19"))
    assert response.context["form"].errors["held_on"] == [
        "会议日期不能早于上一次会议（2026年10月20日）。"]
    response = client.post(target, meeting_data(place="", minutes=""))
    errors = response.context["form"].errors
    assert errors["place"] == ["请填写会议地点。"] and errors["minutes"] == ["请填写会议纪要。"]
    assert negotiation.meetings.count() == 1


def test_the_meeting_limit_blocks_a_fourth_meeting_and_offers_no_request_when_not_complex(
        client, d):
    negotiation = in_progress(d)
    for day in (12, 19, 26):
        meet(negotiation, d, datetime.date(2026, 10, day))
    client.force_login(d.officer)
    html = page(client.get(url("negotiation_detail", negotiation)))
    assert "已召开磋商会议3次，达到上限（SX 第十八条）。" in html
    assert "须为重大案件或经认定案情复杂" in html  # why no more meetings may be requested
    response = client.post(url("negotiation_meeting", negotiation),
                           meeting_data(held_on="2026-10-30"))
    assert response.context["form"].errors["held_on"][0].startswith("已召开磋商会议3次，达到上限")
    assert negotiation.meetings.count() == 3


def test_more_meetings_are_requested_for_a_complex_case_and_shown_with_the_approvals(client, d):
    negotiation = in_progress(d)
    Negotiation.objects.filter(pk=negotiation.pk).update(complex_case=True)
    client.force_login(d.officer)
    response = client.get(url("negotiation_more_meetings", negotiation))
    assert "磋商会议尚未达到次数上限，无需申请" in page(response)
    for day in (12, 19, 26):
        meet(negotiation, d, datetime.date(2026, 10, day))
    html = page(client.get(url("negotiation_detail", negotiation)))
    assert f'href="{url("negotiation_more_meetings", negotiation)}"' in html
    assert "可以申请增加会议次数。" in html
    response = client.post(url("negotiation_more_meetings", negotiation),
                           {"reason": "", "seen_state": "in_progress"})
    assert response.context["form"].errors["reason"] == ["请填写申请理由。"]
    response = client.post(url("negotiation_more_meetings", negotiation),
                           {"reason": "涉及多个义务人，分歧较大", "seen_state": "in_progress"},
                           follow=True)
    assert "增加磋商会议的申请已提交机构负责人、部门负责人审批。" in shown(response)
    assert reload(negotiation).state == "meeting_approval"
    assert ApprovalRequest.objects.filter(action="negotiation_more_meetings").count() == 1
    html = page(response)
    assert 'data-testid="approval"' in html and "涉及多个义务人，分歧较大" in html
    assert "增加会议审批中" in html


# --- early restoration and failure -----------------------------------------------------------------

def test_early_restoration_needs_the_written_confirmation(client, d):
    negotiation = in_progress(d)
    client.force_login(d.officer)
    target = url("negotiation_early_restoration", negotiation)
    response = client.post(target, {"requested_on": "2026-10-09"})
    assert response.context["form"].errors["confirmation"] == [
        "须先上传双方书面确认损害事实的文件（CQ 十三；SX 第三十条）。"]
    assert not reload(negotiation).early_restoration_allowed
    response = client.post(target, {"requested_on": "2026-10-09",
                                    "confirmation": pdf("损害事实确认书.pdf")}, follow=True)
    assert "已同意赔偿义务人先行修复；赔偿协议须包含修复要求。" in shown(response)
    negotiation = reload(negotiation)
    assert negotiation.early_restoration_allowed
    assert negotiation.early_restoration_requested_on == datetime.date(2026, 10, 9)
    assert "双方书面确认损害事实文件" in page(response)


def test_failure_form_greys_out_the_reasons_the_facts_do_not_bear_out(client, d):
    negotiation = in_progress(d)
    meet(negotiation, d, datetime.date(2026, 10, 12))
    client.force_login(d.officer)
    target = url("negotiation_fail", negotiation)
    response = client.get(target)
    html = page(response)
    assert 'value="meetings" disabled' in html
    assert "暂不符合：已召开磋商会议1次，未达到3次（SX 第十八条）。" in html
    assert "暂不符合：磋商期限至2026年12月29日，尚未届满。" in html
    assert 'value="other" checked' not in html and 'value="other">' in html
    response = client.post(target, {"reason": "meetings", "note": "",
                                    "seen_state": "in_progress"})
    assert response.context["form"].errors["reason"] == [
        "已召开磋商会议1次，未达到3次（SX 第十八条）。"]
    response = client.post(target, {"reason": "other", "note": "", "seen_state": "in_progress"})
    assert response.context["form"].errors["note"] == ["“认为磋商不成的其他情形”须写明具体情况。"]
    assert reload(negotiation).state == "in_progress"
    response = client.post(target, {"reason": "other", "note": "义务人企业已注销",
                                    "seen_state": "in_progress"}, follow=True)
    litigation = negotiation.case.litigations.get()
    assert response.redirect_chain[-1][0] == url("litigation_detail", litigation)
    assert "本轮磋商不成，案件已转入诉讼（避免久磋不决），请登记起诉情况。" in shown(response)
    assert reload(negotiation).state == "failed"
    assert Case.objects.get(pk=negotiation.case_id).stage == Case.Stage.LITIGATING
    response = client.get(target, follow=True)
    assert "磋商处于“磋商不成”状态，不能办理此事项。" in shown(response)


def test_the_expired_period_is_preselected_on_the_failure_form(client, d):
    negotiation = in_progress(d)
    with time_machine.travel(datetime.datetime(2027, 1, 5, 10, tzinfo=datetime.UTC),
                             tick=False):
        client.force_login(d.officer)  # sessions last 8 hours
        html = page(client.get(url("negotiation_fail", negotiation)))
    assert 'value="expired" checked' in html


def test_drafting_the_agreement_opens_its_editor_once(client, d):
    negotiation = in_progress(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_draft_agreement", negotiation))
    agreement = negotiation.agreements.get()
    assert response.url == reverse("negotiation:agreement_edit", args=[agreement.pk])
    html = page(client.get(url("negotiation_detail", negotiation)))
    assert "编辑协议草稿" in html and "赔偿协议（第1版）" in html
    client.post(url("negotiation_draft_agreement", negotiation))
    assert negotiation.agreements.count() == 1


def test_drafting_before_the_obligor_agreed_is_refused_with_the_reason(client, d):
    negotiation = served(d)
    client.force_login(d.officer)
    response = client.post(url("negotiation_draft_agreement", negotiation), follow=True)
    assert "只有磋商中可以起草赔偿协议。" in shown(response)
    assert not negotiation.agreements.exists()


def test_service_page_before_the_notice_is_issued_redirects_with_the_reason(client, d):
    negotiation = preparing(d)
    client.force_login(d.officer)
    response = client.get(url("negotiation_service", negotiation), follow=True)
    assert response.redirect_chain[-1][0] == url("negotiation_detail", negotiation)
    assert "磋商处于“准备磋商”状态，不能办理此事项。" in shown(response)
