"""The worker's task for email (django-tasks; run by the worker, never inside a request).

The task is queued in the change's transaction with the event's id only: a change that rolls back
queues nothing, and the worker composes the email from what was stored (`emails.compose`).
A failure to hand the email to the mail server (refused, unreachable, timed out) is retried after
each delay of `RETRY_DELAYS` as a new task that runs no sooner; after the last it is logged as an
error and the task fails, so the task list shows it.
"""

import datetime
import logging
import smtplib

from django.utils import timezone
from django_tasks import task

from notifications import emails
from tickets.models import TicketEvent

logger = logging.getLogger(__name__)

# Seconds before the second, third, ... attempt: about an hour and a quarter in all, enough to ride
# out a mail server's restart or a short outage without piling up mail for agents.
RETRY_DELAYS = (30, 120, 600, 3600)

SENT = "sent to {to}"
NOTHING_TO_SEND = "nothing to send"
RETRYING = "attempt {attempt} failed ({error}); attempt {next} at {at}"


class EmailNotSent(Exception):
    """The mail server did not take the email on any attempt."""


@task()
def send_notice(event_id: int, attempt: int = 1) -> str:
    """Email what the event tells, if it still tells anybody anything; returns what it did."""
    event = TicketEvent.objects.select_related("ticket__assigned_to", "comment").filter(pk=event_id).first()
    message = None if event is None else emails.compose(event)
    if message is None:
        return NOTHING_TO_SEND
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        if attempt > len(RETRY_DELAYS):
            logger.error(
                "Email about ticket event %s to %s not sent after %s attempts: %r",
                event_id,
                message.to,
                attempt,
                error,
            )
            raise EmailNotSent(f"{attempt} attempts, the last: {error!r}") from error
        at = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[attempt - 1])
        send_notice.using(run_after=at).enqueue(event_id, attempt + 1)
        logger.warning(
            "Email about ticket event %s to %s failed (attempt %s), retrying at %s: %r",
            event_id,
            message.to,
            attempt,
            at.isoformat(),
            error,
        )
        return RETRYING.format(attempt=attempt, error=repr(error), next=attempt + 1, at=at.isoformat())
    return SENT.format(to=", ".join(message.to))
