"""Notifications: an in-app row per recipient, e-mailed after commit when the recipient wants
it (NotificationPreference; e-mail through Django's backend, the console in development).

Sending is separate from the row (healthchecks' Flip): notify_many writes the rows and, once
the transaction has committed, enqueues one task that e-mails them. Each e-mail is claimed
with a compare-and-set on email_status before it is sent, so a repeated or concurrent task
sends it at most once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, Subquery
from django.utils import timezone

from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

Email = Notification.Email
UNREAD_CAP = 99  # the badge shows "99+" beyond this


@dataclass(frozen=True)
class Draft:
    recipient_id: int
    verb: str
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""


def _wanting_email(user_ids: Iterable[int]) -> set[int]:
    """Users with an address who have not turned e-mail off (one query)."""
    return set(
        get_user_model().objects.filter(pk__in=set(user_ids), is_active=True)
        .exclude(email="")
        .exclude(notification_preference__email_enabled=False)
        .values_list("pk", flat=True)
    )


def notify_many(drafts: list[Draft], *, now: datetime | None = None) -> list[int]:
    """Write the notifications (a draft whose (recipient, dedupe_key) exists already is
    skipped) and enqueue their e-mails after commit. Returns the ids of the e-mails queued."""
    if not drafts:
        return []
    now = now or timezone.now()
    email_to = _wanting_email(d.recipient_id for d in drafts)
    rows = [Notification(
        recipient_id=d.recipient_id, verb=d.verb, title=d.title[:200], body=d.body,
        url=d.url[:300], dedupe_key=d.dedupe_key, created_at=now,
        email_status=Email.PENDING if d.recipient_id in email_to else Email.NOT_SENT,
    ) for d in drafts]
    keyed = [r for r in rows if r.dedupe_key]
    plain = [r for r in rows if not r.dedupe_key]
    with transaction.atomic():
        Notification.objects.bulk_create(keyed, ignore_conflicts=True)
        created = Notification.objects.bulk_create(plain)
        queued = [n.pk for n in created if n.email_status == Email.PENDING]
        if keyed:
            queued += list(Notification.objects.filter(
                dedupe_key__in={r.dedupe_key for r in keyed}, email_status=Email.PENDING,
                recipient_id__in={r.recipient_id for r in keyed},
            ).values_list("pk", flat=True))
        if queued:
            transaction.on_commit(partial(_enqueue_emails, sorted(set(queued))))
    return queued


def notify(recipient, *, verb: str, title: str, body: str = "", url: str = "",
           dedupe_key: str = "") -> None:
    notify_many([Draft(recipient_id=recipient.pk, verb=verb, title=title, body=body, url=url,
                       dedupe_key=dedupe_key)])


def _enqueue_emails(notification_ids: list[int]) -> None:
    """Never raises: a lost send is re-enqueued by requeue_pending_emails."""
    from .jobs import send_task
    from .tasks import send_notification_emails_task

    send_task(send_notification_emails_task, notification_ids)


def send_emails(notification_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """E-mail each pending notification once. Returns how many were sent."""
    sent = 0
    for pk in notification_ids:
        # Compare-and-set: whoever moves it from pending to sending sends it.
        if Notification.objects.filter(pk=pk, email_status=Email.PENDING).update(
                email_status=Email.SENDING) != 1:
            continue
        note = Notification.objects.select_related("recipient").get(pk=pk)
        link = f"{settings.ECOCLAIM_SITE_URL}{note.url}" if note.url else settings.ECOCLAIM_SITE_URL
        try:
            send_mail(
                subject=f"【EcoClaim】{note.title}",
                message=f"{note.recipient}：\n\n{note.body}\n\n查看：{link}\n\n"
                        "—— EcoClaim 生态环境损害赔偿管理系统。不需要邮件提醒的，"
                        "可在系统“通知”页面关闭。",
                from_email=None,
                recipient_list=[note.recipient.email],
            )
        except Exception:  # noqa: BLE001 - the row says it failed; the in-app copy stays
            logger.exception("e-mail for notification %s failed", pk)
            Notification.objects.filter(pk=pk).update(email_status=Email.FAILED)
            continue
        Notification.objects.filter(pk=pk).update(email_status=Email.SENT,
                                                  emailed_at=now or timezone.now())
        sent += 1
    return sent


def unread_filter(user) -> Q:
    return Q(recipient=user, read_at__isnull=True)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(unread_filter(user)).count()


def unread_count_expression(user):
    """The user's unread count as a subquery, to fold into a query the page makes anyway."""
    return Subquery(
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .order_by().values("recipient_id").annotate(n=Count("pk")).values("n")[:1]
    )


def mark_read(user, pk: int) -> bool:
    return Notification.objects.filter(pk=pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()) == 1


def mark_all_read(user) -> int:
    return Notification.objects.filter(unread_filter(user)).update(read_at=timezone.now())


def email_enabled(user) -> bool:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email_enabled if pref else True


def set_email_enabled(user, enabled: bool) -> None:
    NotificationPreference.objects.update_or_create(user=user,
                                                    defaults={"email_enabled": enabled})
