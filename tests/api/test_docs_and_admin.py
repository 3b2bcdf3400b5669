"""The OpenAPI document and its page (assets from django-ninja, served by the app, never a
CDN); the administrator's registration, token shown once, and revocation."""

import re

import pytest
from django.contrib.staticfiles import finders

from api.models import ApiClient

from .conftest import Caller, clue_payload

pytestmark = pytest.mark.django_db


def test_the_openapi_document_lists_every_operation(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/clues", "/api/v1/clues/{number}", "/api/v1/cases/{number}",
        "/api/v1/reports/progress", "/api/v1/reports/progress/download"}
    assert document["components"]["securitySchemes"]["ClientToken"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_assets_from_the_app(client):
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    for source in sources:
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert "<script>" not in page  # nothing inline for the CSP to refuse


def test_a_body_that_is_not_json_is_refused_in_chinese(api):
    response = api.post("/api/v1/clues", "{not json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求格式有误：请求体须为有效的 JSON。"


def test_the_administrator_registers_a_client_and_sees_the_token_once(client, demo_org):
    admin = demo_org.by_username["admin"]
    department = demo_org.by_username["jingban"].department
    client.force_login(admin)
    response = client.post("/admin/api/apiclient/add/", {
        "name": "市综合行政执法平台", "department": department.pk, "role": "officer",
        "operations": ["clues.create", "status.read"]})
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    token = re.search(r'<pre id="api-token">([^<]+)</pre>', page).group(1)
    assert "只在此显示一次" in page
    registered = ApiClient.objects.get(name="市综合行政执法平台")
    assert registered.user.department == department
    assert token not in client.get(f"/admin/api/apiclient/{registered.pk}/change/")\
        .content.decode()
    client.logout()

    caller = Caller(client, token)
    assert caller.post("/api/v1/clues", clue_payload(found_on="2026-11-20")).status_code == 201

    client.force_login(admin)
    client.post("/admin/api/apiclient/", {"action": "revoke", "_selected_action": [registered.pk]})
    client.logout()
    assert caller.get("/api/v1/clues/X").status_code == 401
