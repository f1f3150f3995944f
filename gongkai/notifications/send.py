"""Sending notices: rows in the outbox now, delivery after the transaction commits.

E-mail goes through Django's mail backend (SMTP in production). SMS goes through a
provider named by ``SMS_BACKEND`` (a dotted path to a class with ``send(phone, text)``);
the default records the message in the outbox only, for staff to send by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from gongkai.core.actions import after_commit
from gongkai.notifications.models import Message, MessageChannel, MessageStatus

log = logging.getLogger("gongkai.notifications")


class RecordOnlySms:
    """No SMS provider configured: the message stays in the outbox, marked as recorded only."""

    configured = False

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - never called
        raise NotImplementedError


class ConsoleSms:
    """Development provider: writes the message to the log."""

    configured = True

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def sms_backend() -> Any:
    return import_string(getattr(settings, "SMS_BACKEND", "gongkai.notifications.send.RecordOnlySms"))()


def topic_of(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def notify(*, obj: models.Model, subject: str, body: str, email: str = "", phone: str = "") -> list[Message]:
    """Queue an e-mail and/or SMS about ``obj``; call inside an action's transaction."""
    org_id = getattr(obj, "organisation_id", None)
    messages = []
    if email:
        messages.append(Message(channel=MessageChannel.EMAIL, recipient=email, subject=subject, body=body,
                                organisation_id=org_id, topic=topic_of(obj)))  # fmt: skip
    if phone:
        messages.append(Message(channel=MessageChannel.SMS, recipient=phone, subject=subject,
                                body=f"{subject}: {body}"[:500], organisation_id=org_id, topic=topic_of(obj)))  # fmt: skip
    Message.objects.bulk_create(messages)
    ids = [m.pk for m in messages if m.pk]
    if not ids:  # backends without RETURNING (never with SQLite 3.35+/PostgreSQL); look them up
        ids = list(
            Message.objects.filter(topic=topic_of(obj), status=MessageStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
    after_commit(lambda: deliver(ids))
    return messages


def deliver(ids: list[int]) -> None:
    """Send queued messages; a failure is recorded on the message, never raised to the user."""
    for message in Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED):
        try:
            if message.channel == MessageChannel.EMAIL:
                send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
                message.status = MessageStatus.SENT
            else:
                backend = sms_backend()
                if getattr(backend, "configured", True):
                    backend.send(message.recipient, message.body)
                    message.status = MessageStatus.SENT
                else:
                    message.status = MessageStatus.RECORDED
            message.sent_at = timezone.now()
        except Exception as exc:  # noqa: BLE001 - any provider failure is recorded, not raised
            log.warning("message %s not sent", message.pk, exc_info=True)
            message.status = MessageStatus.FAILED
            message.error = str(exc)[:300]
        message.save(update_fields=["status", "sent_at", "error"])


def messages_about(obj: models.Model) -> models.QuerySet[Message]:
    return Message.objects.filter(topic=topic_of(obj))
