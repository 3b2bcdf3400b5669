"""The negotiation admin is read-only: the records change only through the services and the
officer's pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.negotiation.factories import desk, signed

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_the_admin_shows_the_records_and_changes_nothing(client, admin_user):
    agreement = signed(desk("SX"))
    client.force_login(admin_user)
    for model, obj in [("negotiation", agreement.negotiation), ("agreement", agreement)]:
        changelist = reverse(f"admin:negotiation_{model}_changelist")
        assert client.get(changelist).status_code == 200
        change = reverse(f"admin:negotiation_{model}_change", args=[obj.pk])
        response = client.get(change)
        assert response.status_code == 200 and b'name="_save"' not in response.content
        assert client.get(reverse(f"admin:negotiation_{model}_add")).status_code == 403
        delete = reverse(f"admin:negotiation_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    for model in ("judicialconfirmation", "litigation", "enforcement", "performancereport",
                  "instalment"):
        assert client.get(reverse(f"admin:negotiation_{model}_changelist")).status_code == 200
