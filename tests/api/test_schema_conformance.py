"""Property-based conformance of the whole API against its live OpenAPI document
(schemathesis through the WSGI app): every documented operation, with generated valid and
invalid input, answers only documented statuses, content types and shapes, never a 500.
Bounded (max_examples) so that it stays well under a minute, and deterministic: derandomize
draws the same examples on every run and database=None replays nothing from an earlier run, so
a CI run fails only for a change in the code. The text that used to make it flaky (a NUL or a
lone surrogate, which the database cannot store) is refused by the schema's `Text` type with a
422 (tests/api/test_clue_intake.py)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.factories import ClueFactory

from .conftest import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db):
    # As Django's test client does: a request must not close the test's transaction's
    # connection when it finishes.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    for signal in signals:
        signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def token(dept):
    ClueFactory(department=dept)
    return make_client(dept)[1]


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_schema(case, token):
    with override_settings(ECOCLAIM_API_RATE_LIMIT="100000/min"):
        # A schema-valid clue may still break a business rule the schema cannot say (an
        # unknown channel code, a date before any rule profile, a wrong check character):
        # that is a documented 422, so "valid data must be accepted" is not asked.
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               excluded_checks=[positive_data_acceptance])
