"""The customer's rating (E12) in the desk: read-only on the ticket page with its comment, a queue
column and a filter (each mark, or not rated)."""

import pytest

from tests.factories import TicketFactory
from tests.support.desk import CHANGELIST, change_url, listed, refreshed, save_ticket, sorted_by
from tests.support.endpoints import CONTACT
from tickets import services
from tickets.formats import format_datetime, format_ticket_number
from tickets.models import TicketRating, TicketStatus

pytestmark = pytest.mark.django_db


def rated(mark: int, comment: str = "", **fields):
    ticket = TicketFactory(ticket_status=TicketStatus.CLOSED, **fields)
    services.ticket_rate_by_contact(ticket=ticket, rating=mark, comment=comment)
    return ticket


def test_ticket_page_shows_the_rating_and_its_comment(agent_client):
    ticket = rated(4, "Quick answer, thanks.")
    rating = TicketRating.objects.get(ticket=ticket)
    page = agent_client.get(change_url(ticket)).content.decode()
    assert f"4 of 5, given {format_datetime(rating.created_at)}" in page
    assert "Quick answer, thanks." in page


def test_ticket_page_says_not_rated(agent_client, ticket):
    assert "Not rated." in agent_client.get(change_url(ticket)).content.decode()


def test_the_rating_cannot_be_changed_from_the_ticket_page(agent_client):
    ticket = rated(2, "Slow.")
    save_ticket(agent_client, ticket, rating="5", rating_comment="Great!", **{"rating-0-rating": "5"})
    stored = TicketRating.objects.get(ticket=ticket)
    assert (stored.rating, stored.comment) == (2, "Slow.")
    assert refreshed(ticket).ticket_status == TicketStatus.CLOSED


def test_queue_shows_the_rating(agent_client):
    ticket = rated(5, ticket_number=1130, contact_number=CONTACT)
    page = agent_client.get(CHANGELIST).content.decode()
    row = page[page.index(f">{format_ticket_number(ticket.ticket_number)}<") :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-rating_mark">5/5</td>' in row


def test_queue_shows_nothing_for_an_unrated_ticket(agent_client, ticket):
    assert '<td class="field-rating_mark">-</td>' in agent_client.get(CHANGELIST).content.decode()


@pytest.mark.parametrize("mark", [1, 2, 3, 4, 5])
def test_filter_by_each_rating(agent_client, mark):
    wanted = rated(mark)
    for other in {1, 2, 3, 4, 5} - {mark}:
        rated(other)
    TicketFactory()
    assert listed(agent_client, f"rating={mark}") == [wanted]


def test_filter_not_rated(agent_client):
    rated(3)
    unrated = TicketFactory(ticket_status=TicketStatus.CLOSED)
    assert listed(agent_client, "rating=none") == [unrated]


@pytest.mark.parametrize("value", ["0", "6", "4.0", "x", "٤"])
def test_rating_filter_with_another_value_filters_nothing(agent_client, value):
    everyone = {rated(4), TicketFactory()}
    assert set(listed(agent_client, f"rating={value}")) == everyone


def test_rating_filter_offers_each_mark_best_first_and_not_rated(agent_client):
    changelist = agent_client.get(CHANGELIST).context["cl"]
    [spec] = [spec for spec in changelist.filter_specs if spec.title == "customer rating"]
    assert [choice["display"] for choice in spec.choices(changelist)] == [
        "All",
        "5 of 5",
        "4 of 5",
        "3 of 5",
        "2 of 5",
        "1 of 5",
        "Not rated",
    ]


def test_rating_column_sorts_by_the_mark(agent_client):
    good, bad = rated(5), rated(1)
    assert listed(agent_client, sorted_by(agent_client, "rating_mark"))[:2] == [bad, good]
