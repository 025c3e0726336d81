"""E1 `GET /crm/v1/ticket/details` (CONTRACT §7)."""

import datetime

import pytest
from django.utils import timezone

from crmapi import messages
from crmapi.limits import LIST_LIMIT_MAX
from tests.factories import TicketFactory
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import CONTACT, E1
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

LIST_KEYS = ["ticket_no", "ticketstatus", "description", "createdtime", "ticketcategories", "id"]


def ticket_at(minutes_ago: int, **fields):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return TicketFactory(contact_number=CONTACT, created_at=created, **fields)


@pytest.fixture
def three_tickets(db):
    """Oldest first: an open, a closed and an in-progress ticket."""
    return [
        ticket_at(30, ticket_status=TicketStatus.OPEN),
        ticket_at(20, ticket_status=TicketStatus.CLOSED),
        ticket_at(10, ticket_status=TicketStatus.IN_PROGRESS),
    ]


def listed_ids(response) -> list[str]:
    return [item["id"] for item in envelope_result(response)]


def ids(tickets) -> list[str]:
    return [f"17x{ticket.pk}" for ticket in tickets]


def test_no_tickets_is_an_empty_list(api):
    response = api.call(E1)
    assert envelope_result(response) == []
    assert response.headers["X-Total-Count"] == "0"


def test_tickets_are_listed_newest_first(api, three_tickets):
    assert listed_ids(api.call(E1)) == ids(reversed(three_tickets))


def test_tickets_created_in_the_same_instant_are_newest_record_first(api):
    now = timezone.now()
    first, second = TicketFactory(created_at=now), TicketFactory(created_at=now)
    assert listed_ids(api.call(E1)) == ids([second, first])


def test_item_has_exactly_the_contract_keys_in_order_all_strings(api):
    ticket = ticket_at(
        0, ticket_number=1524, description="ctg hjhg", ticket_categories="Request", ticket_status="Open"
    )
    (item,) = envelope_result(api.call(E1))
    assert list(item) == LIST_KEYS
    assert item == {
        "ticket_no": "TT1524",
        "ticketstatus": "Open",
        "description": "ctg hjhg",
        "createdtime": timezone.localtime(ticket.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "ticketcategories": "Request",
        "id": f"17x{ticket.pk}",
    }


@pytest.mark.parametrize(("status", "index"), [("Closed", 1), ("closed", 1), ("IN PROGRESS", 2), ("open", 0)])
def test_status_filter_is_case_insensitive(api, three_tickets, status, index):
    response = api.call(E1, query={"status": status})
    assert listed_ids(response) == ids([three_tickets[index]])
    assert response.headers["X-Total-Count"] == "1"


def test_status_filter_with_no_match_is_an_empty_list(api, three_tickets):
    response = api.call(E1, query={"status": "Wait For Response"})
    assert (envelope_result(response), response.headers["X-Total-Count"]) == ([], "0")


@pytest.mark.parametrize("status", ["New", "pending", "Open,Closed"])
def test_unknown_status_filter_is_400(api, status):
    assert_error(api.call(E1, query={"status": status}), 400, messages.QUERY_BAD_STATUS)


@pytest.mark.parametrize("name", ["status", "limit", "offset"])
def test_empty_parameter_counts_as_absent(api, three_tickets, name):
    assert listed_ids(api.call(E1, query={name: ""})) == ids(reversed(three_tickets))


def test_limit_and_offset_page_through_newest_first(api, three_tickets):
    response = api.call(E1, query={"limit": "1", "offset": "1"})
    assert listed_ids(response) == ids([three_tickets[1]])
    assert response.headers["X-Total-Count"] == "3"


def test_offset_past_the_end_is_an_empty_page_with_the_total(api, three_tickets):
    response = api.call(E1, query={"offset": "10"})
    assert (envelope_result(response), response.headers["X-Total-Count"]) == ([], "3")


def test_total_count_is_counted_before_paging_and_after_the_filter(api, three_tickets):
    ticket_at(5, ticket_status=TicketStatus.OPEN)
    response = api.call(E1, query={"status": "Open", "limit": "1"})
    assert len(envelope_result(response)) == 1
    assert response.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize("limit", ["1", str(LIST_LIMIT_MAX)])
def test_limit_from_1_to_the_maximum_is_accepted(api, limit):
    assert api.call(E1, query={"limit": limit}).status_code == 200


@pytest.mark.parametrize(
    "limit", ["0", str(LIST_LIMIT_MAX + 1), "-1", "abc", "1.5", "1e2", "99999999999999999999"]
)
def test_limit_outside_1_to_the_maximum_is_400(api, limit):
    assert_error(api.call(E1, query={"limit": limit}), 400, messages.QUERY_BAD_LIMIT)


@pytest.mark.parametrize("offset", ["-1", "x", "2.0", "99999999999999999999"])
def test_offset_not_a_non_negative_integer_is_400(api, offset):
    assert_error(api.call(E1, query={"offset": offset}), 400, messages.QUERY_BAD_OFFSET)


def test_default_limit_is_the_maximum(api):
    TicketFactory.create_batch(LIST_LIMIT_MAX + 1, contact_number=CONTACT)
    response = api.call(E1)
    assert len(envelope_result(response)) == LIST_LIMIT_MAX
    assert response.headers["X-Total-Count"] == str(LIST_LIMIT_MAX + 1)


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("query", [{}, {"status": "Open", "limit": "10", "offset": "5"}], ids=["all", "page"])
def test_query_count_does_not_grow_with_the_number_of_tickets(
    api, django_assert_max_num_queries, count, query
):
    TicketFactory.create_batch(count, contact_number=CONTACT)
    with django_assert_max_num_queries(2):
        assert api.call(E1, query=query).status_code == 200
