"""Background jobs lose nothing (issue 14.3): a send that fails at commit (broker down) never
turns the committed request into an error, and a periodic sweep queues the job again."""

import pytest
from kombu.exceptions import OperationalError

from workflow.jobs import send_task
from workflow.tasks import send_notification_emails_task

pytestmark = pytest.mark.django_db


def test_the_dead_broker_really_refuses(dead_broker):
    with pytest.raises(OperationalError):
        send_notification_emails_task.delay([1])
    assert send_task(send_notification_emails_task, [1]) is False
