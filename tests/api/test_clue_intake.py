"""POST /api/v1/clues (行政执法衔接 CQ 十一; 检察机关移送 NAT 十六): the same form, parties
validators, service, deadline and inbox as the page; idempotent on the sender's key."""

import base64
import json

import pytest

from accounts.models import Department
from accounts.roles import Role
from api.models import ApiCall, Operation
from parties.models import Party
from screening.models import Clue
from screening.worklist import clues_to_handle
from tests.factories import ClueFactory, DepartmentFactory, UserFactory
from workflow.attachments import attachments_of
from workflow.deadlines import deadlines_of
from workflow.models import AuditEvent, DeadlineKind

from .conftest import CODE, ID_NUMBER, Caller, clue_payload, make_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/clues"


def test_a_clue_is_registered_like_on_the_page(api, registered, dept):
    response = api.post(URL, clue_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    clue = Clue.objects.get(number=body["number"])
    assert body["state_label"] == "已登记"
    assert clue.department == dept and clue.source_reference == "测环罚〔2026〕15号"
    assert clue.registered_on.isoformat() == "2026-11-24"
    assert [p.credit_code for p in clue.suspected_obligors.all()] == [CODE]
    # the same 初步核查 clock as a clue entered on the page (SX 第九条: 30 days from discovery)
    deadline = deadlines_of(clue).get(kind=DeadlineKind.VERIFICATION)
    assert body["next_deadline"]["due"] == deadline.due.isoformat()
    # and the department's 待办线索
    officer = UserFactory(department=dept, role=Role.OFFICER)
    assert clue.number in " ".join(item.title for item in clues_to_handle(officer).items)
    # audited as the client
    client = registered[0]
    event = AuditEvent.objects.get(action="create", object_id=clue.pk,
                                   content_type__model="clue")
    assert event.actor == client.user and "执法平台" in event.actor_name
    assert ApiCall.objects.filter(client=client, method="POST", status=201).count() == 1


def test_the_same_clue_sent_twice_is_one_clue(api):
    first = api.post(URL, clue_payload(), headers={"Idempotency-Key": "zf-2026-0015"})
    again = api.post(URL, clue_payload(), headers={"Idempotency-Key": "zf-2026-0015"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Clue.objects.count() == 1
    assert Party.objects.count() == 1


def test_without_a_key_the_source_reference_identifies_a_repeat(api):
    assert api.post(URL, clue_payload()).status_code == 201
    again = api.post(URL, clue_payload())
    assert again.status_code == 200
    assert Clue.objects.count() == 1


def test_a_key_reused_for_another_clue_is_a_conflict(api):
    api.post(URL, clue_payload(), headers={"Idempotency-Key": "k1"})
    response = api.post(URL, clue_payload(summary="另一条线索"), headers={"Idempotency-Key": "k1"})
    assert response.status_code == 409
    assert "幂等键“k1”已用于内容不同的另一次报送" in response.json()["detail"]
    assert Clue.objects.count() == 1


def test_a_source_reference_registered_on_the_page_is_not_registered_again(api, dept):
    ClueFactory(department=dept, source_reference="测环罚〔2026〕15号")
    response = api.post(URL, clue_payload())
    assert response.status_code == 409
    assert "本部门已登记来源文号为“测环罚〔2026〕15号”的线索" in response.json()["detail"]
    assert Clue.objects.count() == 1


def test_bad_fields_answer_422_with_chinese_messages_per_field(api):
    bad_code = CODE[:17] + ("1" if CODE[17] != "1" else "2")
    response = api.post(URL, clue_payload(
        found_on="2026-12-01", channel="nonsense",
        parties=[{"kind": "organisation", "name": "甲公司", "credit_code": bad_code},
                 {"kind": "person", "name": "张某", "id_number": ID_NUMBER[:17] + "0"
                  if ID_NUMBER[17] != "0" else ID_NUMBER[:17] + "1"}]))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求内容有误，请按字段说明修改。"
    errors = body["errors"]
    assert errors["found_on"] == ["发现日期不能晚于今天。"]
    assert errors["channel"] == ["没有代码为“nonsense”的线索渠道。"]
    assert errors["parties[0].credit_code"][0].startswith("统一社会信用代码第18位（校验码）应为")
    assert errors["parties[1].id_number"][0].startswith("身份证号码第18位（校验码）应为")
    assert Clue.objects.count() == 0 and Party.objects.count() == 0


def test_missing_and_mistyped_fields_are_named_in_chinese(api):
    payload = clue_payload(found_on="11/02/2026", damage_type="noise")
    del payload["summary"]
    errors = api.post(URL, payload).json()["errors"]
    assert errors["summary"] == ["此项为必填项。"]
    assert errors["found_on"] == ["请按“年-月-日”（YYYY-MM-DD）填写日期。"]
    assert errors["damage_type"][0].startswith("取值无效，可选：")


def test_a_procuratorate_referral_names_the_procuratorate_which_then_follows_it(client, dept):
    procuratorate = DepartmentFactory(name="测试市人民检察院", kind=Department.Kind.PROCURATORATE,
                                      jurisdiction=dept.jurisdiction)
    _, token = make_client(dept)
    sender = Caller(client, token)
    missing = sender.post(URL, clue_payload(channel="procuratorate"))
    assert missing.json()["errors"]["referring_procuratorate"] == [
        "检察机关移送的线索须选择移送线索的检察机关（SX 第八条）。"]
    created = sender.post(URL, clue_payload(channel="procuratorate",
                                            referring_procuratorate="测试市人民检察院"))
    assert created.status_code == 201
    clue = Clue.objects.get()
    assert list(clue.participants.all()) == [procuratorate]
    # the procuratorate's own system follows its referral, read-only (检察联络员)
    _, liaison_token = make_client(procuratorate, role=Role.PROCURATORATE,
                                   operations=[Operation.READ_STATUS])
    follower = Caller(client, liaison_token)
    assert follower.get(f"{URL}/{clue.number}").json()["state_label"] == "已登记"
    assert follower.post(URL, clue_payload()).status_code == 403


def test_attachments_in_base64_are_attached_and_checked(api):
    pdf = base64.b64encode(b"%PDF-1.4 test").decode()
    bad = api.post(URL, clue_payload(attachments=[
        {"filename": "处罚决定书.pdf", "content_base64": "不是base64"},
        {"filename": "脚本.exe", "content_base64": pdf}]))
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert errors["attachments[0].content_base64"] == ["不是有效的 Base64 编码内容。"]
    assert "exe" in errors["attachments[1].filename"][0]
    good = api.post(URL, clue_payload(attachments=[
        {"filename": "处罚决定书.pdf", "content_base64": pdf, "description": "行政处罚决定书"}]))
    assert good.status_code == 201
    [attachment] = attachments_of(Clue.objects.get())
    assert attachment.original_name == "处罚决定书.pdf" and attachment.kind == "接口报送材料"


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "a\udfffb"])
def test_text_that_cannot_be_stored_is_a_field_error_not_a_server_error(api, bad):
    # A NUL or a lone surrogate reaches the database otherwise (PostgreSQL refuses a NUL,
    # UTF-8 a lone surrogate): the schemathesis run found both as 500s.
    body = json.dumps(clue_payload(summary=f"概要{bad}", source_reference=f"文号{bad}", parties=[
        {"kind": "organisation", "name": f"甲{bad}公司", "credit_code": CODE}]))
    response = api.post(URL, body, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    payload = response.json()
    assert payload["detail"] == "请求内容有误，请按字段说明修改。"
    assert payload["errors"]["summary"] == [
        "含有无法保存的字符（空字符或不成对的代理字符），请删除后重新提交。"]
    assert {"source_reference", "parties[0].name"} <= payload["errors"].keys()
    assert Clue.objects.count() == 0


def test_a_nul_in_a_path_or_query_parameter_is_a_field_error(api, dept):
    assert api.get("/api/v1/clues/X%00Y").status_code == 422
    assert api.get("/api/v1/cases/X%00Y").status_code == 422
    response = api.get("/api/v1/reports/progress", jurisdiction="1\x00",
                       start="2026-01-01", end="2026-06-30")
    assert response.status_code == 422
    assert "jurisdiction" in response.json()["errors"]
