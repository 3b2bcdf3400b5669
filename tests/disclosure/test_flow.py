"""Preparing, approving and withdrawing through the pages (SX 第三十八条; NT 三(十二)): only who
can work the case prepares (404 outside the scope, 403 without the role), only the 机构负责人 of
the case's department approves (through the one approval mechanism), withdrawal needs a reason;
every transition is in the audit trail."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.roles import Role
from disclosure import services
from disclosure.models import Publication
from tests.factories import UserFactory
from workflow import approvals
from workflow.models import ApprovalRequest, AuditEvent

from .conftest import AGREEMENT_TEXT, PERSON_NAME, as_user

pytestmark = pytest.mark.django_db


def create_url(case):
    return reverse("disclosure:publication_create", args=[case.pk])


def url(name, publication):
    return reverse(f"disclosure:{name}", args=[publication.pk])


def prepare_through_the_page(client, case, officer) -> Publication:
    response = as_user(client, officer).post(create_url(case), {
        "kind": "agreement", "title": "生态环境损害赔偿协议", "year": "2026",
        "original_text": AGREEMENT_TEXT})
    publication = Publication.objects.get(case=case)
    assert response.status_code == 302 and response.url == publication.get_absolute_url()
    return publication


def transitions_of(publication):
    return list(AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Publication),
        object_id=str(publication.pk), action=AuditEvent.Action.TRANSITION,
    ).order_by("at", "pk").values_list("transition", "from_state", "to_state", "reason"))


def test_the_case_page_offers_preparing_to_who_can_work_the_case(client, case, d, other):
    section = reverse("cases:case_section", args=[case.pk, "disclosure"])  # 信息公开, as opened
    html = as_user(client, d.officer).get(section, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="disclosure-panel"' in html and create_url(case) in html
    html = as_user(client, d.division_head).get(section, HTTP_HX_REQUEST="true").content.decode()
    assert create_url(case) not in html  # the head reads, the officer prepares


def test_publish_with_the_division_heads_approval(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    page = client.get(publication.get_absolute_url()).content.decode()
    # original and masked side by side
    assert PERSON_NAME in page and "张某" in page and 'data-testid="masked-text"' in page
    response = client.post(url("publication_submit", publication),
                           {"summary": "协议已履行，申请公开", "seen_state": "draft"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.state == Publication.State.PENDING and publication.public_pdf
    step = approvals.inbox(d.division_head).get()
    assert step.request.subject == publication
    # the officer is not the approver
    assert as_user(client, d.officer).get(
        reverse("workflow:approval_decide", args=[step.pk])).status_code == 404
    response = as_user(client, d.division_head).post(
        reverse("workflow:approval_decide", args=[step.pk]),
        {"decision": "approve", "opinion": "同意公开"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.state == Publication.State.PUBLISHED and publication.published_at
    assert transitions_of(publication) == [
        ("提交发布审批", "草稿", "待审批", "协议已履行，申请公开"),
        ("批准发布", "待审批", "已发布", "同意公开"),
    ]
    event = AuditEvent.objects.filter(transition="批准发布", object_id=str(publication.pk)).get()
    assert event.approval["steps"][0]["opinion"] == "同意公开"


def test_sent_back_it_is_a_draft_again(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    services.submit(publication, by=d.officer, summary="申请公开")
    step = approvals.inbox(d.division_head).get()
    as_user(client, d.division_head).post(reverse("workflow:approval_decide", args=[step.pk]),
                                          {"decision": "return", "opinion": "请隐去车牌号"})
    publication.refresh_from_db()
    assert publication.state == Publication.State.DRAFT
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.RETURNED
    # and can be changed and submitted again
    as_user(client, d.officer).post(url("publication_masks", publication), {"terms": "晋A12345"})
    publication.refresh_from_db()
    assert publication.extra_masks == "晋A12345"


def test_only_the_division_head_of_the_cases_department_approves(client, case, d, other):
    publication = prepare_through_the_page(client, case, d.officer)
    services.submit(publication, by=d.officer, summary="申请公开")
    step = approvals.inbox(d.division_head).get()
    decide = reverse("workflow:approval_decide", args=[step.pk])
    for user in (other.division_head, d.department_head, d.officer):
        assert approvals.inbox(user).count() == 0
        assert as_user(client, user).post(
            decide, {"decision": "approve", "opinion": "同意"}).status_code == 404
    publication.refresh_from_db()
    assert publication.state == Publication.State.PENDING


def test_another_department_can_neither_prepare_nor_see(client, case, d, other):
    publication = prepare_through_the_page(client, case, d.officer)
    as_user(client, other.officer)
    assert client.get(create_url(case)).status_code == 404
    assert client.post(create_url(case), {"kind": "agreement", "title": "x", "year": "2026",
                                          "original_text": "x"}).status_code == 404
    for name in ("publication_detail", "publication_pdf", "publication_edit"):
        assert client.get(url(name, publication)).status_code == 404, name
    for name, data in (("publication_masks", {"terms": "a"}),
                       ("publication_submit", {"summary": "a"}),
                       ("publication_withdraw", {"reason": "a"})):
        assert client.post(url(name, publication), data).status_code == 404, name
    assert Publication.objects.count() == 1


def test_a_head_reads_but_does_not_prepare(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    as_user(client, d.division_head)
    assert client.get(create_url(case)).status_code == 403
    assert client.get(publication.get_absolute_url()).status_code == 200
    assert client.post(url("publication_submit", publication),
                       {"summary": "a"}).status_code == 403
    # a user without a role reads nothing
    nobody = UserFactory(department=d.department)
    assert as_user(client, nobody).get(publication.get_absolute_url()).status_code == 403


def test_a_procuratorate_following_the_case_does_not_prepare(client, case, d):
    from accounts.models import Department
    from tests.factories import DepartmentFactory

    procuratorate = DepartmentFactory(kind=Department.Kind.PROCURATORATE,
                                      jurisdiction=d.department.jurisdiction)
    case.participants.add(procuratorate)
    liaison = UserFactory(department=procuratorate, role=Role.OFFICER)
    assert as_user(client, liaison).get(create_url(case)).status_code == 404


def test_withdraw_with_a_reason(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    services.submit(publication, by=d.officer, summary="申请公开")
    approvals.decide(approvals.inbox(d.division_head).get(), by=d.division_head, approve=True,
                     opinion="同意")
    as_user(client, d.officer)
    client.post(url("publication_withdraw", publication), {"reason": ""})
    publication.refresh_from_db()
    assert publication.state == Publication.State.PUBLISHED
    response = client.post(url("publication_withdraw", publication),
                           {"reason": "协议经司法确认后变更，原文本撤回", "seen_state": "published"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.state == Publication.State.WITHDRAWN
    assert publication.withdrawal_reason == "协议经司法确认后变更，原文本撤回"
    assert transitions_of(publication)[-1] == (
        "撤回", "已发布", "已撤回", "协议经司法确认后变更，原文本撤回")
    with pytest.raises(services.transitions.TransitionError):
        services.withdraw(publication, by=d.officer, reason="再次撤回")


def test_only_who_works_the_case_withdraws(client, case, d, other):
    publication = prepare_through_the_page(client, case, d.officer)
    services.submit(publication, by=d.officer, summary="申请公开")
    approvals.decide(approvals.inbox(d.division_head).get(), by=d.division_head, approve=True,
                     opinion="同意")
    withdraw = url("publication_withdraw", publication)
    assert as_user(client, d.division_head).post(withdraw, {"reason": "a"}).status_code == 403
    assert as_user(client, other.officer).post(withdraw, {"reason": "a"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.withdraw(publication, by=other.officer, reason="a")
    publication.refresh_from_db()
    assert publication.state == Publication.State.PUBLISHED


def test_unmasking_is_refused_through_the_page(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    client.post(url("publication_masks", publication), {"terms": "柳巷\n晋A12345"})
    publication.refresh_from_db()
    assert publication.extra_masks == "柳巷\n晋A12345"
    response = client.post(url("publication_edit", publication), {
        "kind": "agreement", "title": "生态环境损害赔偿协议", "year": "2026",
        "original_text": AGREEMENT_TEXT}, follow=True)
    assert response.status_code == 200
    publication.refresh_from_db()
    assert publication.extra_masks == "柳巷\n晋A12345"  # the edit form does not touch them
    with pytest.raises(services.DisclosureError):
        services.update_draft(publication, by=d.officer, extra_masks="晋A12345")


def test_a_published_item_cannot_be_edited(client, case, d):
    publication = prepare_through_the_page(client, case, d.officer)
    services.submit(publication, by=d.officer, summary="申请公开")
    client.post(url("publication_masks", publication), {"terms": "晋A12345"})
    publication.refresh_from_db()
    assert publication.extra_masks == "" and publication.state == Publication.State.PENDING


def test_the_admin_cannot_change_a_publication(case, d):
    from django.contrib.admin import site
    from django.test import RequestFactory

    publication = services.prepare(case, by=d.officer, kind="agreement", title="协议",
                                   original_text="协议", year=2026)
    admin = site._registry[Publication]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, publication)
    assert not admin.has_delete_permission(request, publication)
