"""The final version of the annual work report (SX 第四十条): submitted by the coordinator,
approved by the 部门负责人 through the one approval mechanism (workflow.approvals), its PDF and
Excel archived as submitted; on the world of tests/oversight/conftest.py."""

from io import BytesIO

import openpyxl
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import Role
from oversight.models import AnnualReportFinal
from tests.conftest import login
from tests.factories import UserFactory
from workflow.models import ApprovalRequest, ApprovalStep

SUBMIT = reverse("oversight:annual_submit")


def submit(client, user, **extra):
    login(client, user)
    return client.post(SUBMIT, {"year": 2026, "summary": "请审批本年度工作情况报告。", **extra})


def pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).replace(
        " ", "").replace("\n", "")


def test_submitted_approved_and_archived(client, world):
    head = UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD)
    assert submit(client, world.coordinator).status_code == 302
    final = AnnualReportFinal.objects.get()
    assert (final.state, final.version, final.jurisdiction, final.department) == \
        ("pending", 1, world.c1, world.c1_lead)
    assert final.totals["started"] == 4 and final.totals["claimed"] == "650000.00"
    request = ApprovalRequest.objects.get(action="annual_report_final")
    assert request.department == world.c1_lead and request.status == "pending"

    # a second submission while one is pending is refused
    submit(client, world.coordinator)
    assert AnnualReportFinal.objects.count() == 1

    # the archived files, downloaded through the generic attachment download (scoped)
    pdf = client.get(reverse("workflow:download_attachment", args=[final.pdf_id]))
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "定稿·第1版" in text and "草稿" not in text and "启动索赔4件" in text
    xlsx = client.get(reverse("workflow:download_attachment", args=[final.xlsx_id]))
    sheet = openpyxl.load_workbook(BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet["A1"].value == "甲市2026年度生态环境损害赔偿工作情况"

    # the 部门负责人 of the department approves it through the approval pages
    step = ApprovalStep.objects.get(request=request)
    login(client, head)
    assert client.get(reverse("workflow:approval_decide", args=[step.pk])).status_code == 200
    client.post(reverse("workflow:approval_decide", args=[step.pk]),
                {"decision": "approve", "opinion": "同意报送。"})
    final.refresh_from_db()
    assert final.state == "approved" and final.approved_at is not None
    listed = client.get(reverse("oversight:reports")).content.decode()
    assert str(final) in listed and "已定稿" in listed

    # a new version can follow
    submit(client, world.coordinator)
    assert list(AnnualReportFinal.objects.values_list("version", flat=True)
                .order_by("version")) == [1, 2]


def test_returned_by_the_head(client, world):
    head = UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD)
    submit(client, world.coordinator)
    step = ApprovalStep.objects.get()
    login(client, head)
    client.post(reverse("workflow:approval_decide", args=[step.pk]),
                {"decision": "return", "opinion": "请补充综述。"})
    assert AnnualReportFinal.objects.get().state == "returned"


def test_who_may_submit_decide_and_download(client, world):
    # only the coordinator submits
    for role in (Role.DEPARTMENT_HEAD, Role.OFFICER, Role.DIVISION_HEAD):
        assert submit(client, UserFactory(department=world.c1_lead, role=role)).status_code \
            == 403
    assert submit(client, world.coordinator, jurisdiction=world.c2.pk).status_code == 403
    assert not AnnualReportFinal.objects.exists()

    submit(client, world.coordinator)
    final = AnnualReportFinal.objects.get()
    step = ApprovalStep.objects.get()
    # another department's head does not decide it (the step is not theirs: 404)
    other_head = UserFactory(department=world.c1_water, role=Role.DEPARTMENT_HEAD)
    login(client, other_head)
    assert client.get(reverse("workflow:approval_decide", args=[step.pk])).status_code == 404
    # the files are seen by report makers whose department sees the submitting department's
    # records (department_q) in its own jurisdiction: the lead itself; not another department
    # of 甲市, another city, an officer, nor — until it is reported up — the province's ecology
    # department (tests/oversight/test_annual_report_up.py)
    download = reverse("workflow:download_attachment", args=[final.pdf_id])
    assert client.get(download).status_code == 404  # 甲市水利局's head
    for user in (UserFactory(department=world.c2_lead, role=Role.COORDINATOR),
                 UserFactory(department=world.c1_lead, role=Role.OFFICER), world.provincial):
        login(client, user)
        assert client.get(download).status_code == 404
    login(client, UserFactory(department=world.c1_lead, role=Role.DEPARTMENT_HEAD))
    assert client.get(download).status_code == 200
