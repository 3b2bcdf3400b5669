"""The demo publishes one agreement (so /public/ is not empty) and leaves a draft; loading it
twice changes nothing."""

import pytest
from django.urls import reverse

from disclosure.models import Publication
from tests.restoration.test_demo import load_all

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_an_agreement_and_loads_twice(demo_org, client):
    load_all(demo_org)
    states = sorted(Publication.objects.values_list("state", flat=True))
    assert states == ["draft", "published"]
    published = Publication.objects.published().get()
    assert "王小红" not in published.masked_text and "王某" in published.masked_text
    assert "13912345678" not in published.masked_text
    page = client.get(reverse("public:list")).content.decode()
    assert published.masked_title in page
    load_all(demo_org)
    assert Publication.objects.count() == 2
