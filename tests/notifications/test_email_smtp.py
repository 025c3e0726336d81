"""Email to agents, delivered for real: changes made through the API (E3-E5, E11) or the services,
the queued tasks run by django-tasks-db's worker in this process, Django's SMTP backend talking to
an aiosmtpd server on loopback (tests/support/smtp_server.py). What arrives is read back from the
server: envelope, headers, body."""

import datetime
import logging
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications import tasks
from tests.factories import TicketFactory, UserFactory
from tests.support.client import envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E4, E5, E11, TICKET_BODY
from tests.support.smtp_server import SmtpServer, point_email_at, self_signed_certificate
from tests.support.task_worker import queued, run_queued_tasks
from tickets import services
from tickets.formats import format_datetime
from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db

TEAM = "support-team@example.com"
SENDER = "Support desk <desk@example.com>"
DESK = "https://desk.example.com"


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.CRM_DESK_URL = DESK


def own_ticket(*, assignee, status=TicketStatus.OPEN, **fields) -> Ticket:
    return TicketFactory(
        ticket_number=1130, contact_number=CONTACT, ticket_status=status, assigned_to=assignee, **fields
    )


def comment(api, text="Still waiting."):
    response = api.call(E4, body={"ticketNo": "TT1130", "comment": text, "contactId": str(CONTACT)})
    assert response.status_code == 200, response.content
    return response


def comment_then_fail(ticket: Ticket) -> None:
    """A customer's comment whose transaction then fails, after its email was queued."""
    with transaction.atomic():
        services.comment_create_by_contact(ticket=ticket, contact_number=CONTACT, text="Lost.")
        assert len(queued(tasks.send_notice)) == 1
        raise RuntimeError("the change fails")


def link(ticket: Ticket) -> str:
    return DESK + reverse("admin:tickets_ticket_change", args=[ticket.pk])


# --- What arrives -----------------------------------------------------------------------------------


def test_a_customer_comment_reaches_the_assignee_once_the_worker_runs(api, smtp_server, dana, clock):
    ticket = own_ticket(assignee=dana, title="Plan change", priority="High")
    comment(api, "Still waiting for the new plan.")
    assert smtp_server.received == []  # the request sent nothing
    assert run_queued_tasks() == 1
    [mail] = smtp_server.received
    assert (mail.mail_from, mail.rcpt_tos) == ("desk@example.com", ["dana@example.com"])
    assert mail.message["From"] == SENDER
    assert mail.message["To"] == "dana@example.com"
    assert mail.message["Subject"] == "[TT1130] Customer replied: Plan change"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.body == (
        f"The customer wrote on TT1130 on {format_datetime(NOW)}:\n"
        "\n"
        "Still waiting for the new plan.\n"
        "\n"
        "Ticket:   TT1130\n"
        "Title:    Plan change\n"
        "Status:   Open\n"
        "Priority: High\n"
        "Assignee: Dana Reyes\n"
        "Customer: contact 649797\n"
        "Channel:  app\n"
        "\n"
        f"Open it in the support desk: {link(ticket)}\n"
    )


def test_a_comment_that_reopens_the_ticket_makes_one_email_saying_both(api, smtp_server, dana):
    own_ticket(assignee=dana, status=TicketStatus.CLOSED, title="Plan change")
    comment(api, "It broke again.")
    assert run_queued_tasks() == 2
    [mail] = smtp_server.received
    assert mail.message["Subject"] == "[TT1130] Customer reopened with a comment: Plan change"
    assert "The customer reopened TT1130 on " in mail.body
    assert "with this comment:\n\nIt broke again.\n" in mail.body
    assert "Status:   Open\n" in mail.body


def test_a_reopen_without_a_comment_emails_the_assignee(api, smtp_server, dana):
    own_ticket(assignee=dana, status=TicketStatus.CLOSED, title="Plan change")
    body = {"ticketNo": "TT1130", "ticketStatus": "Open", "contactId": str(CONTACT)}
    assert envelope_result(api.call(E11, body=body))["ticketstatus"] == "Open"
    run_queued_tasks()
    [mail] = smtp_server.received
    assert mail.message["Subject"] == "[TT1130] Customer reopened: Plan change"
    assert mail.body.startswith("The customer reopened TT1130 on ")


def test_a_new_ticket_reaches_the_team_address(api, smtp_server, settings):
    settings.CRM_DESK_NOTIFY_EMAIL = TEAM
    record = envelope_result(api.call(E5, body=TICKET_BODY))
    run_queued_tasks()
    [mail] = smtp_server.received
    assert mail.rcpt_tos == [TEAM]
    assert mail.message["Subject"] == f"[{record['ticket_no']}] New ticket: Plan change"
    assert mail.body.startswith(f"A new ticket came in through app from contact {CONTACT} on ")
    assert "\n\nPlan change request for \n" in mail.body
    assert "Assignee: nobody\n" in mail.body


def test_an_agents_reply_and_an_internal_note_send_nothing(smtp_server, dana):
    ticket = own_ticket(assignee=dana)
    services.comment_create_by_agent(ticket=ticket, author=dana, text="On it.", is_internal=False)
    services.comment_create_by_agent(ticket=ticket, author=dana, text="Refund?", is_internal=True)
    run_queued_tasks()
    assert smtp_server.received == []


def test_an_internal_note_never_appears_in_an_email(api, smtp_server, dana, settings):
    settings.CRM_DESK_NOTIFY_EMAIL = TEAM
    ticket = own_ticket(assignee=dana, status=TicketStatus.CLOSED)
    services.comment_create_by_agent(ticket=ticket, author=dana, text="NOTE-SECRET-7731", is_internal=True)
    comment(api, "Hello again.")
    api.call(E5, body=TICKET_BODY)
    run_queued_tasks()
    assert len(smtp_server.received) == 2
    assert all(b"NOTE-SECRET-7731" not in mail.message.as_bytes() for mail in smtp_server.received)


def test_the_email_goes_to_whoever_is_assigned_when_it_is_sent(api, smtp_server, dana):
    ticket = own_ticket(assignee=UserFactory(email="first@example.com"))
    comment(api)
    services.ticket_update(ticket=ticket, by=dana, assignee=dana)
    run_queued_tasks()
    assert [mail.rcpt_tos for mail in smtp_server.received] == [["dana@example.com"]]


def test_a_ticket_unassigned_before_the_worker_runs_emails_nobody(api, smtp_server, dana):
    ticket = own_ticket(assignee=dana)
    comment(api)
    services.ticket_update(ticket=ticket, by=dana, assignee=None)
    run_queued_tasks()
    assert smtp_server.received == []


def test_a_title_with_line_breaks_stays_on_the_subject_line(api, smtp_server, dana):
    own_ticket(assignee=dana, title="Refund\r\nBcc: thief@example.com\nX-Evil: 1")
    comment(api)
    run_queued_tasks()
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["dana@example.com"]
    assert mail.message["Subject"] == "[TT1130] Customer replied: Refund Bcc: thief@example.com X-Evil: 1"
    assert (mail.message["Bcc"], mail.message["X-Evil"]) == (None, None)


def test_non_ascii_titles_and_comments_arrive_intact(api, smtp_server, dana):
    own_ticket(assignee=dana, title="Überweisung für März")
    comment(api, "Grüße aus Köln, 東京 too.")
    run_queued_tasks()
    [mail] = smtp_server.received
    # Encoded, the subject is folded onto the next header line; unfolded it keeps that space.
    assert mail.message["Subject"].lstrip() == "[TT1130] Customer replied: Überweisung für März"
    assert "\n\nGrüße aus Köln, 東京 too.\n" in mail.body


# --- The outbox: never in the request, never for a rolled-back change --------------------------------


def test_a_request_with_the_mail_server_down_answers_at_once(api, smtp_server, dana):
    own_ticket(assignee=dana)
    smtp_server.stop()
    started = time.monotonic()
    comment(api)
    assert time.monotonic() - started < 1.0
    assert len(queued(tasks.send_notice)) == 1


def test_a_change_that_rolls_back_sends_nothing(smtp_server, dana):
    ticket = own_ticket(assignee=dana)
    with pytest.raises(RuntimeError):
        comment_then_fail(ticket)
    assert run_queued_tasks() == 0
    assert smtp_server.received == []


# --- The mail server fails ----------------------------------------------------------------------------


def test_mail_server_down_is_retried_later_and_delivered_once_it_is_up(api, smtp_server, dana, clock):
    own_ticket(assignee=dana)
    smtp_server.stop()
    comment(api)
    run_queued_tasks()
    [retry] = queued(tasks.send_notice)
    assert retry.run_after == NOW + datetime.timedelta(seconds=tasks.RETRY_DELAYS[0])
    assert retry.args_kwargs["args"][1:] == [2]
    smtp_server.start()
    assert run_queued_tasks() == 0  # not due yet
    clock.at(retry.run_after)
    assert run_queued_tasks() == 1
    assert [mail.rcpt_tos for mail in smtp_server.received] == [["dana@example.com"]]
    assert queued(tasks.send_notice) == []


def test_after_the_last_retry_the_failure_is_logged_and_the_task_fails(api, smtp_server, dana, clock, caplog):
    own_ticket(assignee=dana)
    smtp_server.stop()
    comment(api)
    with caplog.at_level(logging.WARNING, logger="notifications.tasks"):
        run_queued_tasks()
        for delay in tasks.RETRY_DELAYS:
            clock.at(clock.now + datetime.timedelta(seconds=delay))
            assert run_queued_tasks() == 1
    assert queued(tasks.send_notice) == []
    statuses = list(
        DBTaskResult.objects.filter(task_path=tasks.send_notice.module_path)
        .order_by("enqueued_at")
        .values_list("status", flat=True)
    )
    assert statuses == [TaskResultStatus.SUCCESSFUL] * len(tasks.RETRY_DELAYS) + [TaskResultStatus.FAILED]
    errors = [
        record
        for record in caplog.records
        if record.name == "notifications.tasks" and record.levelno == logging.ERROR
    ]
    assert len(errors) == 1
    assert "not sent after 5 attempts" in errors[0].getMessage()


# --- STARTTLS and login ---------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path, settings):
    """An SMTP server that requires STARTTLS and then a login, its certificate self-signed; the
    backend configured with TLS and that login."""
    certificate = self_signed_certificate(tmp_path)
    server = SmtpServer(certificate=certificate, login=("mailer", "s3cret-pass"))
    point_email_at(settings, server, tls=True, login=("mailer", "s3cret-pass"))
    server.start()
    yield server, certificate
    server.stop()


def test_starttls_and_login_deliver(api, tls_server, dana, monkeypatch):
    server, certificate = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))  # trust the test's own certificate
    own_ticket(assignee=dana)
    comment(api)
    run_queued_tasks()
    assert server.logins == ["mailer"]
    assert [mail.rcpt_tos for mail in server.received] == [["dana@example.com"]]


def test_a_certificate_the_worker_does_not_trust_is_refused_and_retried(api, tls_server, dana):
    server, _ = tls_server
    own_ticket(assignee=dana)
    comment(api)
    run_queued_tasks()
    assert server.received == []
    assert [row.args_kwargs["args"][1] for row in queued(tasks.send_notice)] == [2]
