"""Admin: published versions are view-only; drafts are editable; new versions via a button."""

import json
from datetime import date

import pytest
from django.urls import reverse

from rules.models import CalendarDay, RuleProfile

pytestmark = pytest.mark.django_db


def change_url(profile):
    return reverse("admin:rules_ruleprofile_change", args=[profile.pk])


def test_changelist(admin_client):
    response = admin_client.get(reverse("admin:rules_ruleprofile_changelist"))
    assert response.status_code == 200
    assert "SX 第1版" in response.text


def test_active_profile_is_view_only(admin_client):
    sx = RuleProfile.objects.get(rule_set__code="SX")
    response = admin_client.get(change_url(sx))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert 'name="values-0-value"' not in response.text  # inline not editable
    assert "SX 第十条" in response.text  # values are shown
    assert "基于此版本创建新版本" in response.text
    response = admin_client.post(change_url(sx), {"source_document": "改写"})
    assert response.status_code == 403
    sx.refresh_from_db()
    assert sx.source_document.startswith("晋环规〔2025〕2号")


def test_draft_is_editable_and_values_validated(admin_client):
    zj = RuleProfile.objects.get(rule_set__code="ZJ")
    page = admin_client.get(change_url(zj))
    assert 'name="_save"' in page.text
    existing = list(zj.values.order_by("id"))
    data = {
        "source_document": zj.source_document,
        "effective_from": "",
        "effective_to": "",
        "change_note": zj.change_note,
        "values-TOTAL_FORMS": str(len(existing) + 1),
        "values-INITIAL_FORMS": str(len(existing)),
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
    }
    for i, value in enumerate(existing):
        data.update({
            f"values-{i}-id": str(value.pk), f"values-{i}-profile": str(zj.pk),
            f"values-{i}-key": value.key, f"values-{i}-value": json.dumps(value.value),
            f"values-{i}-citation": value.citation, f"values-{i}-note": value.note,
        })
    n = len(existing)
    data.update({
        f"values-{n}-profile": str(zj.pk), f"values-{n}-key": "trivial.amount",
        f"values-{n}-value": json.dumps({"amount": "3000", "bound": "lt", "wording": "以下"}),
        f"values-{n}-citation": "ZJ 三(二)1", f"values-{n}-note": "",
    })
    response = admin_client.post(change_url(zj), data)
    assert response.status_code == 200  # re-shown with the error
    assert "不一致" in response.text
    assert not zj.values.filter(key="trivial.amount").exists()

    data[f"values-{n}-value"] = json.dumps({"amount": "3000", "bound": "le", "wording": "以下"})
    response = admin_client.post(change_url(zj), data)
    assert response.status_code == 302
    assert zj.values.get(key="trivial.amount").value["amount"] == "3000.00"


def test_new_version_button(admin_client):
    sx = RuleProfile.objects.get(rule_set__code="SX")
    url = reverse("admin:rules_ruleprofile_new_version", args=[sx.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {"effective_from": "2027-01-01", "note": "提高显著轻微数额（测试）",
            "source_document": sx.source_document}
    for value in sx.values.all():
        data[f"value__{value.key}"] = json.dumps(value.value, ensure_ascii=False)
        data[f"citation__{value.key}"] = value.citation
    data["value__trivial.amount"] = json.dumps(
        {"amount": "5000.00", "bound": "le", "wording": "以下"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    v2 = RuleProfile.objects.get(rule_set__code="SX", version=2)
    assert v2.values.get(key="trivial.amount").value["amount"] == "5000.00"
    assert v2.values.get(key="trivial.amount").citation == "SX 第十条"
    assert v2.values.count() == sx.values.count()
    sx.refresh_from_db()
    assert sx.effective_to == date(2026, 12, 31)
    assert sx.values.get(key="trivial.amount").value["amount"] == "3000.00"


def test_new_version_without_changes_refused(admin_client):
    sx = RuleProfile.objects.get(rule_set__code="SX")
    url = reverse("admin:rules_ruleprofile_new_version", args=[sx.pk])
    data = {"effective_from": "2027-01-01", "note": "无变更",
            "source_document": sx.source_document}
    for value in sx.values.all():
        data[f"value__{value.key}"] = json.dumps(value.value, ensure_ascii=False)
        data[f"citation__{value.key}"] = value.citation
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "没有任何变更" in response.text
    assert not RuleProfile.objects.filter(rule_set__code="SX", version=2).exists()


def test_publish_action(admin_client):
    zj = RuleProfile.objects.get(rule_set__code="ZJ")
    changelist = reverse("admin:rules_ruleprofile_changelist")
    admin_client.post(changelist, {"action": "publish_drafts", "_selected_action": [zj.pk]})
    zj.refresh_from_db()
    assert zj.status == "draft"  # no effective_from: refused
    RuleProfile.objects.filter(pk=zj.pk).update(effective_from=date(2026, 1, 1))
    admin_client.post(changelist, {"action": "publish_drafts", "_selected_action": [zj.pk]})
    zj.refresh_from_db()
    assert zj.status == "active"


def test_calendar_day_add_records_user(admin_client, admin_user):
    response = admin_client.post(reverse("admin:rules_calendarday_add"), {
        "date": "2027-10-01", "kind": "holiday", "name": "国庆节", "note": "",
    })
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 10, 1)).created_by == admin_user
