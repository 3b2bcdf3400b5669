"""/api/docs/ renders in a real browser from the app's own files under the strict CSP: the
Swagger UI bundled with django-ninja, no CDN, no refused script or style."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_api_docs_page_renders_every_operation(page, live_server):
    refused, foreign = [], []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith((live_server.url, "data:")) else None)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("EcoClaim 对外接口")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/clues" in " ".join(paths)
    assert refused == [] and foreign == []
