"""How long the desk's dashboard numbers (tickets/reports.py `report`) take on a big desk.

    DATABASE_URL=postgres://.../scratch python -m bench.dashboard [--tickets 100000] [--days 120]

Seeds the database DATABASE_URL names (migrated first; it must hold no tickets: a scratch
database) with `--tickets` tickets spread evenly over the last `--days` days, each with its
`created` event, most with a public agent reply within two days, moved on to In Progress and
many closed (status events as the services write them), a fifth of the closed ones rated. Then
times `report()` uncached (without the requests' statement timeout), five times, and prints the
best and median times and the query count.
"""

import argparse
import datetime
import os
import random
import statistics
import time

BATCH = 20_000


def seed(*, tickets: int, days: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tickets.history import ActorKind, EventKind
    from tickets.models import Comment, Ticket, TicketEvent, TicketRating, TicketStatus

    rng = random.Random(13)
    agent, _ = get_user_model().objects.get_or_create(username="bench-agent", defaults={"is_staff": True})
    now = timezone.now()
    span = datetime.timedelta(days=days) / tickets
    for first in range(0, tickets, BATCH):
        plans = []
        for n in range(first, min(first + BATCH, tickets)):
            created = now - span * (tickets - n)
            reply = created + datetime.timedelta(minutes=rng.randint(5, 2880))
            changes, at, status = [], created, TicketStatus.OPEN
            for new in (TicketStatus.IN_PROGRESS, TicketStatus.CLOSED):
                at += datetime.timedelta(hours=rng.randint(1, 96))
                if at >= now or rng.random() < 0.3:
                    break
                changes.append((at, status, new))
                status = new
            ticket = Ticket(
                ticket_number=10_000_000 + n,
                contact_number=1_000 + n % 5_000,
                ticket_status=status,
                title="Plan change",
                description="Plan change request",
                ticket_categories="Plan change",
                category="cat1",
                subcategory="sub1",
                status="New",
                source="app",
                created_at=created,
                modified_at=created,
            )
            rated = status == TicketStatus.CLOSED and rng.random() < 0.2
            plans.append((ticket, reply if reply < now and rng.random() < 0.8 else None, changes, rated))
        with transaction.atomic():
            Ticket.objects.bulk_create([plan[0] for plan in plans])
            events, comments, ratings = [], [], []
            for ticket, reply, changes, rated in plans:
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        kind=EventKind.CREATED,
                        actor_kind=ActorKind.CUSTOMER,
                        created_at=ticket.created_at,
                    )
                )
                events += [
                    TicketEvent(
                        ticket=ticket,
                        kind=EventKind.STATUS_CHANGED,
                        actor_kind=ActorKind.STAFF,
                        actor_user=agent,
                        old_value=old,
                        new_value=new,
                        created_at=at,
                    )
                    for at, old, new in changes
                ]
                if reply is not None:
                    comments.append(
                        Comment(ticket=ticket, author_user=agent, text="On it.", created_at=reply)
                    )
                if rated:
                    ratings.append(
                        TicketRating(ticket=ticket, rating=rng.randint(1, 5), created_at=changes[-1][0])
                    )
            TicketEvent.objects.bulk_create(events)
            Comment.objects.bulk_create(comments)
            TicketRating.objects.bulk_create(ratings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--no-seed", action="store_true", help="time the data already there")
    args = parser.parse_args()
    # Seeding writes batches bigger than a request's statement timeout allows.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="crmtickets.settings", LOG_LEVEL="WARNING", DB_STATEMENT_TIMEOUT_MS="0"
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.models import Ticket, TicketEvent
    from tickets.reports import report

    call_command("migrate", verbosity=0)
    if not args.no_seed:
        if Ticket.objects.exists():
            raise SystemExit("The database already holds tickets: use a scratch one, or --no-seed.")
        started = time.perf_counter()
        seed(tickets=args.tickets, days=args.days)
        print(
            f"seeded {args.tickets:,} tickets over {args.days} days in {time.perf_counter() - started:.0f} s"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report()
            timings.append(time.perf_counter() - started)
    print(
        f"{connection.vendor}: {Ticket.objects.count():,} tickets, {TicketEvent.objects.count():,} events: "
        f"report() best {min(timings) * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms, "
        f"{len(queries)} queries"
    )


if __name__ == "__main__":
    main()
