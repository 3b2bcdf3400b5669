"""Issue 14.3: with the broker down, the finance review (NT 三(十一): 经同级财政部门审核) still
answers with its Chinese success message once its approval is committed, and the e-mail it
owes the requesting officer is sent by the periodic sweep once the broker is back."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from restoration import services
from restoration.models import SpendingRequest
from tests.restoration.factories import D, agreement_with, finance_for
from workflow.jobs import sweep
from workflow.models import Notification

# transaction=True: the on_commit send fires inside the request, as in production;
# serialized_rollback restores the rule profiles (migration data) the flush removes
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("november")]


def test_a_finance_review_with_the_broker_down_is_no_500_and_its_email_follows(
        client, d, dead_broker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = agreement_with(d, deposit="10000").case
    finance = finance_for(d)
    services.record_payment(case.fund_obligations.get(), paid_on=D(2026, 11, 1),
                            amount=Decimal("123000"), receipt_number="FS-1", by=d.officer)
    spending = services.submit_spending(services.draft_spending(
        case, account=case.fund_accounts.get(), purpose_kind="restoration", purpose="委托清淤",
        budget=Decimal("50000"), restoration_project=case.restoration_projects.get(),
        by=d.officer), by=d.officer)
    d.officer.email = "officer@example.cn"
    d.officer.save()

    client.force_login(finance.user)
    response = client.post(reverse("restoration:spending_review", args=[spending.pk]),
                           {"decision": "approve", "opinion": "同意", "seen_state": "submitted"},
                           follow=True)
    assert response.status_code == 200 and "审核结果已登记。" in response.content.decode()
    assert SpendingRequest.objects.get(pk=spending.pk).state == "approved"  # committed
    note = Notification.objects.get(recipient=d.officer, verb="spending")
    assert note.email_status == Notification.Email.PENDING and not mail.outbox

    dead_broker.conf.task_always_eager = True  # the broker is back (the task runs here)
    assert sweep()["emails"] == 0  # not yet lost: its send may still be on its way
    later = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=settings.ECOCLAIM_EMAIL_RETRY_AFTER_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert sweep()["emails"] == 1
    note.refresh_from_db()
    assert note.email_status == Notification.Email.SENT
    assert [m.to for m in mail.outbox] == [["officer@example.cn"]]
    assert "资金使用申请" in mail.outbox[0].subject
