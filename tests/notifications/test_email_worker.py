"""Email sent by the worker as it runs in production: a real `manage.py run_worker` process, a
customer's comment committed through the API, a real SMTP server on loopback. PostgreSQL only:
the process reads the test database itself (SQLite's lives in this process's memory)."""

import time

import pytest

from tests.factories import TicketFactory
from tests.support.endpoints import CONTACT, E4
from tests.support.live_server import postgres_url
from tests.support.worker_process import running_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_worker_process_emails_the_assignee_after_the_request_answered(api, smtp_server, dana):
    TicketFactory(ticket_number=1130, contact_number=CONTACT, assigned_to=dana, title="Plan change")
    email_env = {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    with running_worker(postgres_url(), **email_env) as worker:
        body = {"ticketNo": "TT1130", "comment": "Still waiting.", "contactId": str(CONTACT)}
        assert api.call(E4, body=body).status_code == 200
        answered = time.monotonic()
        wait_until(
            lambda: smtp_server.received, 10, lambda: f"no email; worker output:\n{worker.output()[-3000:]}"
        )
        took = time.monotonic() - answered
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["dana@example.com"]
    assert mail.message["Subject"] == "[TT1130] Customer replied: Plan change"
    assert took < 5, f"{took:.2f} s from the answer to the email"
