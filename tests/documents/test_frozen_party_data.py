"""A signed agreement and a served 磋商告知书 keep the obligor's data as it was: a later
correction of the party in the registry (by a department allowed to correct it) shows on new
drafts, never on what was signed or served (documents/negotiation_forms.py, read back from the
party's audit trail by parties/snapshots.py)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from documents import registry
from documents.services import build_data
from parties.models import Party
from parties.snapshots import party_as_of
from tests.negotiation.factories import desk, negotiating, served, signed
from workflow.audit import acting_as
from workflow.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]

NEW_ADDRESS = "太原市万柏林区迁址99号"
NEW_NAME = "晋阳新材料有限公司"


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def d():
    return desk("SX")


def correct(client, user, party, **changes):
    """The party corrected through its edit page, as the officer would."""
    client.force_login(user)
    data = {"kind": party.kind, "name": party.name, "credit_code": party.credit_code,
            "legal_representative": party.legal_representative,
            "representative_title": party.representative_title, "id_number": "",
            "work_unit": "", "address": party.address, "phone": party.phone, "note": ""}
    data.update(changes)
    response = client.post(reverse("parties:party_edit", args=[party.pk]), data)
    assert response.status_code == 302
    return Party.objects.get(pk=party.pk)


def preview(client, case, code, obligor=None):
    url = reverse("documents:form_preview", args=[case.pk, code])
    response = client.get(url, {"obligor": obligor.pk} if obligor else {})
    assert response.status_code == 200
    return response.content.decode()


def test_a_signed_agreement_keeps_the_obligors_as_signed(client, d):
    agreement = signed(d)
    case, party = agreement.case, agreement.obligors.order_by("id").first().party
    old_name, old_address = party.name, party.address
    correct(client, d.officer, party, name=NEW_NAME, address=NEW_ADDRESS)

    page = preview(client, case, "5")
    assert old_name in page and old_address in page
    assert NEW_NAME not in page and NEW_ADDRESS not in page
    data = build_data(registry.get("5"), case)
    assert data["obligors"][0]["address"] == old_address
    # the payment term names its obligor as signed, in [5] and in [6]'s summary of it
    assert data["payment_terms"][0]["obligor"] == old_name
    summary = build_data(registry.get("6"), case, party)["terms_summary"]
    assert any(line.startswith(old_name) for line in summary)
    # the registry itself has the correction, and new applications to the court print it
    assert build_data(registry.get("6"), case, party)["applicant"]["address"] == NEW_ADDRESS


def test_a_served_notice_keeps_the_addressee_as_served(client, d):
    negotiation = served(d)
    case = negotiation.case
    party = case.obligor_links.order_by("id").first().party
    old_address = party.address
    correct(client, d.officer, party, address=NEW_ADDRESS)

    page = preview(client, case, "4", party)
    assert old_address in page and NEW_ADDRESS not in page


def test_a_notice_not_yet_served_prints_the_current_data(client, d):
    negotiation = negotiating(d)
    party = negotiation.case.obligor_links.order_by("id").first().party
    correct(client, d.officer, party, address=NEW_ADDRESS)
    assert NEW_ADDRESS in preview(client, negotiation.case, "4", party)


def test_party_as_of_undoes_the_later_updates_newest_first(d):
    from tests.parties.factories import OrganisationFactory

    party = OrganisationFactory(address="一号地址", phone="1")
    marker = AuditEvent.objects.order_by("-id").first()
    with acting_as(d.officer):
        party.address, party.phone = "二号地址", "2"
        party.save()
        party.address = "三号地址"
        party.save()
    then = party_as_of(Party.objects.get(pk=party.pk), marker)
    assert (then.address, then.phone, then.name) == ("一号地址", "1", party.name)
    assert party_as_of(party, None) is party
