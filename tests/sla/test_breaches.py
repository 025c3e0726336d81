"""The worker's breach check: one event per breached target, once, and its webhook."""

import datetime
import json
import threading

import pytest
from django.db import connection

from sla import breaches, tasks
from sla.models import SlaTarget, TicketClock
from tests.factories import WebhookEndpointFactory
from tests.support.clock import NOW
from tests.support.sla import clock_of, create_ticket
from tests.support.task_worker import queued, run_queued_tasks
from tickets import periodic
from tickets.history import ActorKind, EventKind
from tickets.models import TicketEvent
from webhooks.models import WebhookEvent

HOUR = datetime.timedelta(hours=1)
FIRST_REPLY_DUE = NOW + 4 * HOUR  # a Normal ticket created Monday noon


def breach_events(ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind=EventKind.SLA_BREACHED).order_by("pk"))


@pytest.mark.django_db
def test_nothing_is_recorded_before_the_due_time(clock):
    create_ticket()
    assert breaches.record_breaches(FIRST_REPLY_DUE - datetime.timedelta(seconds=1)) == 0


@pytest.mark.django_db
def test_a_passed_due_time_is_recorded_once_by_the_system(clock):
    ticket = create_ticket()
    assert breaches.record_breaches(FIRST_REPLY_DUE) == 1
    assert breaches.record_breaches(FIRST_REPLY_DUE + HOUR) == 0
    [event] = breach_events(ticket)
    assert (event.actor_kind, event.old_value) == (ActorKind.SYSTEM, SlaTarget.FIRST_REPLY)
    assert datetime.datetime.fromisoformat(event.new_value) == FIRST_REPLY_DUE
    assert clock_of(ticket).reply_breached_at == FIRST_REPLY_DUE


@pytest.mark.django_db
def test_a_breach_adds_no_update_log_line(clock):
    ticket = create_ticket()
    log = ticket.update_log
    breaches.record_breaches(FIRST_REPLY_DUE)
    ticket.refresh_from_db()
    assert ticket.update_log == log


@pytest.mark.django_db
def test_each_breached_target_is_its_own_event(clock):
    ticket = create_ticket()
    resolution_due = clock_of(ticket).resolution_due
    assert breaches.record_breaches(resolution_due) == 2
    assert [event.old_value for event in breach_events(ticket)] == [
        SlaTarget.FIRST_REPLY,
        SlaTarget.RESOLUTION,
    ]


@pytest.mark.django_db
def test_a_breach_is_sent_as_ticket_sla_breached(clock):
    WebhookEndpointFactory()
    ticket = create_ticket()
    breaches.record_breaches(FIRST_REPLY_DUE)
    body = json.loads(WebhookEvent.objects.get(type="ticket.sla_breached").body)
    assert body["data"]["ticket"]["ticket_no"] == f"TT{ticket.ticket_number}"
    assert body["data"]["sla"] == {"target": "first_reply", "due": "2026-11-30T16:00:00.000Z"}


@pytest.mark.django_db
def test_the_check_task_records_breaches_and_queues_its_next_run(settings, webhook_receiver):
    settings.IS_DEVELOPMENT = True
    settings.CRM_SLA_CHECK_INTERVAL = 30
    WebhookEndpointFactory(url=webhook_receiver.url, event_types=["ticket.sla_breached"])
    ticket = create_ticket()
    TicketClock.objects.filter(pk=ticket.pk).update(reply_due=NOW - HOUR, next_due_at=NOW - HOUR)
    tasks.check_breaches.enqueue()
    assert run_queued_tasks() == 2  # the check, then the delivery it queued
    [request] = webhook_receiver.wait_for(1)
    assert json.loads(request.body)["type"] == "ticket.sla_breached"
    [next_run] = queued(tasks.check_breaches)
    assert len(breach_events(ticket)) == 1
    assert next_run.run_after is not None


@pytest.mark.django_db
def test_the_worker_keeps_the_check_scheduled():
    periodic.keep_scheduled()
    assert len(queued(tasks.check_breaches)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_record_each_breach_once(clock):
    ticket = create_ticket()
    # Set directly: an earlier transactional test may have flushed the seeded policies.
    TicketClock.objects.update_or_create(
        ticket=ticket,
        defaults={
            "reply_target": SlaTarget.FIRST_REPLY,
            "reply_due": FIRST_REPLY_DUE,
            "next_due_at": FIRST_REPLY_DUE,
        },
    )
    start = threading.Barrier(2)
    counts = []

    def check():
        start.wait()
        try:
            counts.append(breaches.record_breaches(FIRST_REPLY_DUE))
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 1
    assert len(breach_events(ticket)) == 1
