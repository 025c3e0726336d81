"""CONTRACT §14: E1, E2, E6 and E7 send an ETag that changes whenever their result would; a
matching `If-None-Match` (weak comparison, `*` included) is a 304 without a body, and any error
the request would be is that error instead (crmapi/conditional.py)."""

import logging

import pytest

from crmapi import conditional
from tests.factories import AgentCommentFactory, IssueTypeFactory, TicketFactory
from tests.support.client import envelope_error, envelope_result
from tests.support.desk import run_action, save_ticket, send_reply
from tests.support.endpoints import CONTACT, E1, E2, E4, E5, E6, E7, E11, E12, OTHER_CONTACT, valid_body
from tests.support.tokens import token_for
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

TAGGED = [E1, E2, E6, E7]
CORRELATION_ID = "123e4567-e89b-12d3-a456-426614174000"


def query_for(endpoint, ticket_no: str = "TT1130") -> dict | None:
    return {"ticketNo": ticket_no} if endpoint in (E6, E7) else None


def tag_of(api, endpoint, query: dict | None = None, contact: int = CONTACT) -> str:
    response = api.call(endpoint, query=query or query_for(endpoint), contact=contact)
    assert response.status_code == 200, response.content
    return response["ETag"]


def revalidate(api, endpoint, tag: str, query: dict | None = None, **kwargs):
    headers = {"If-None-Match": tag, **kwargs.pop("headers", {})}
    return api.call(endpoint, query=query or query_for(endpoint), headers=headers, **kwargs)


def assert_not_modified(response, tag: str) -> None:
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag


@pytest.fixture(autouse=True)
def _data(own_ticket, issue_types):
    """TT1130 of the default contact, and a catalogue of two issue types."""


# --- The tag and the 304 ---------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_each_read_sends_a_weak_etag_to_revalidate_every_time(api, endpoint):
    response = api.call(endpoint, query=query_for(endpoint))
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"] == conditional.CACHE_CONTROL


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_a_matching_if_none_match_is_304_with_no_body_the_tag_and_the_correlation_id(api, endpoint):
    tag = tag_of(api, endpoint)
    response = revalidate(api, endpoint, tag)
    assert_not_modified(response, tag)
    assert response["correlationId"] == CORRELATION_ID
    assert "Content-Type" not in response
    assert "Content-Length" not in response


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_the_same_result_gets_the_same_tag(api, endpoint):
    assert tag_of(api, endpoint) == tag_of(api, endpoint)


def test_e1_304_carries_x_total_count(api):
    TicketFactory(contact_number=CONTACT)
    tag = tag_of(api, E1)
    assert revalidate(api, E1, tag)["X-Total-Count"] == "2"


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_a_head_request_with_a_matching_tag_is_304_too(api, endpoint):
    tag = tag_of(api, endpoint)
    assert_not_modified(revalidate(api, endpoint, tag, method="head"), tag)


def test_a_head_request_gets_the_tag_of_the_get(api):
    assert api.call(E1, method="head")["ETag"] == tag_of(api, E1)


# --- Weak comparison (RFC 9110 §13.1.2) --------------------------------------------------------


def test_star_matches_any_tag(api):
    assert revalidate(api, E7, "*").status_code == 304


def test_the_strong_form_of_the_tag_matches_by_weak_comparison(api):
    tag = tag_of(api, E1)
    assert revalidate(api, E1, tag.removeprefix("W/")).status_code == 304


def test_any_tag_of_a_comma_separated_list_matches(api):
    tag = tag_of(api, E1)
    assert revalidate(api, E1, f'"stale", W/"older" ,{tag}').status_code == 304


@pytest.mark.parametrize("sent", ['W/"other"', "not-a-tag", '"', "W/", ","])
def test_another_or_malformed_tag_gets_the_whole_answer(api, sent):
    response = revalidate(api, E1, sent)
    assert response.status_code == 200
    assert envelope_result(response)[0]["ticket_no"] == "TT1130"


def test_a_blank_if_none_match_is_no_condition(api):
    assert revalidate(api, E1, "  ").status_code == 200


# --- Errors come first -------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_a_missing_header_is_400_never_304(api, endpoint):
    response = revalidate(api, endpoint, "*", headers={"source": None})
    assert response.status_code == 400
    assert envelope_error(response)["errorMessage"] == "Header 'source' not present in the request."


@pytest.mark.parametrize("endpoint", TAGGED, ids=lambda e: e.name)
def test_a_bad_token_is_401_never_304(api, endpoint):
    tag = tag_of(api, endpoint)
    response = revalidate(api, endpoint, tag, headers={"token": "not.a-token"})
    assert response.status_code == 401


@pytest.mark.parametrize("endpoint", [E6, E7], ids=lambda e: e.name)
def test_another_contacts_ticket_is_404_never_304(api, endpoint):
    TicketFactory(ticket_number=2000, contact_number=OTHER_CONTACT)
    response = revalidate(api, endpoint, "*", query={"ticketNo": "TT2000"})
    assert response.status_code == 404


@pytest.mark.parametrize("endpoint", [E6, E7], ids=lambda e: e.name)
def test_a_missing_ticket_no_is_400_never_304(api, endpoint):
    response = api.call(endpoint, headers={"If-None-Match": "*"})
    assert response.status_code == 400


def test_a_bad_query_parameter_is_400_never_304(api):
    response = revalidate(api, E1, "*", query={"limit": "0"})
    assert response.status_code == 400


def test_a_throttled_request_is_429_never_304_and_a_304_counts_as_a_request(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "contact": "2/day"},
    }
    tag = tag_of(api, E1)
    assert revalidate(api, E1, tag).status_code == 304
    assert revalidate(api, E1, tag).status_code == 429


# --- What a tag depends on -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [E1, E2], ids=lambda e: e.name)
def test_two_contacts_with_the_same_result_get_different_tags(api, endpoint):
    assert tag_of(api, endpoint, contact=OTHER_CONTACT) != tag_of(api, endpoint, contact=OTHER_CONTACT + 1)


def test_another_contacts_tag_gets_the_whole_answer(api):
    tag = tag_of(api, E1, contact=OTHER_CONTACT)
    assert revalidate(api, E1, tag).status_code == 200


def test_e1_tag_depends_on_the_parameters_that_shape_the_result(api):
    tags = {tag_of(api, E1, query) for query in [{}, {"limit": "1"}, {"offset": "1"}, {"status": "Closed"}]}
    assert len(tags) == 4


def test_e1_tag_is_the_same_for_the_same_parameters_however_spelt(api):
    assert tag_of(api, E1, {"status": "open"}) == tag_of(api, E1, {"status": "Open", "limit": "500"})


def test_the_tag_depends_on_the_time_zone_every_time_is_written_in(api, settings):
    tag = tag_of(api, E7)
    settings.TIME_ZONE = "Asia/Kolkata"
    assert revalidate(api, E7, tag).status_code == 200


def test_the_tag_depends_on_the_version_of_the_results(api, monkeypatch):
    tag = tag_of(api, E1)
    monkeypatch.setattr(conditional, "RESULTS_VERSION", "next")
    assert revalidate(api, E1, tag).status_code == 200


# --- Never stale: each change a result shows changes its tag -----------------------------------


def changed(api, endpoint, tag: str, query: dict | None = None) -> bool:
    """Whether `tag` no longer matches: the 200 that then comes carries a new tag."""
    response = revalidate(api, endpoint, tag, query)
    if response.status_code == 304:
        return False
    assert response.status_code == 200, response.content
    assert response["ETag"] != tag
    return True


def test_e1_tag_changes_with_a_new_ticket(api):
    tag = tag_of(api, E1)
    assert api.call(E5, body=valid_body(E5)).status_code == 200
    assert changed(api, E1, tag)


def test_e1_tag_changes_when_the_customer_closes_a_ticket(api):
    tag = tag_of(api, E1)
    assert api.call(E11, body=valid_body(E11)).status_code == 200
    assert changed(api, E1, tag)


def test_e1_tag_changes_when_a_comment_reopens_a_ticket(api, own_ticket):
    own_ticket.ticket_status = TicketStatus.WAIT_FOR_RESPONSE
    own_ticket.save()
    tag = tag_of(api, E1)
    assert api.call(E4, body=valid_body(E4)).status_code == 200
    assert changed(api, E1, tag)


def test_e1_tag_changes_when_an_agent_changes_the_status_in_the_desk(api, agent_client, own_ticket):
    tag = tag_of(api, E1)
    assert save_ticket(agent_client, own_ticket, ticket_status=TicketStatus.IN_PROGRESS).status_code == 302
    assert changed(api, E1, tag)


def test_e1_tag_changes_with_a_bulk_status_action(api, agent_client, own_ticket):
    tag = tag_of(api, E1)
    run_action(agent_client, "set_status_closed", [own_ticket])
    assert changed(api, E1, tag)


def test_e1_tag_changes_when_a_ticket_leaves_the_status_filter(api):
    tag = tag_of(api, E1, {"status": "Open"})
    api.call(E11, body=valid_body(E11))
    assert changed(api, E1, tag, {"status": "Open"})


def test_e1_tag_changes_when_a_ticket_is_deleted(api, own_ticket):
    TicketFactory(contact_number=CONTACT)
    tag = tag_of(api, E1)
    own_ticket.delete()
    assert changed(api, E1, tag)


@pytest.mark.parametrize("query", [{"limit": "1"}, {"limit": "1", "offset": "1"}], ids=["full", "later"])
def test_e1_tag_of_a_partial_page_changes_with_a_status_change(api, query):
    TicketFactory(contact_number=CONTACT)
    tag = tag_of(api, E1, query)
    api.call(E11, body=valid_body(E11))
    assert changed(api, E1, tag, query)


def test_e1_tag_is_unchanged_by_what_the_list_does_not_show(api, support_agent, own_ticket):
    tag = tag_of(api, E1)
    AgentCommentFactory(ticket=own_ticket, author_user=support_agent, is_internal=True)
    assert not changed(api, E1, tag)


def test_e2_tag_changes_when_an_issue_type_is_added(api):
    tag = tag_of(api, E2)
    IssueTypeFactory(name="Billing")
    assert changed(api, E2, tag)


@pytest.mark.parametrize(
    "change", [{"name": "General Question"}, {"sort_order": "after"}, {"is_active": ""}], ids=str
)
def test_e2_tag_changes_when_the_desk_renames_reorders_or_retires_an_issue_type(
    api, admin_client, issue_types, change
):
    first, second = issue_types
    tag = tag_of(api, E2)
    form = {
        "name": first.name,
        "is_active": "on",
        "sort_order": str(first.sort_order),
        "default_priority": "Normal",
    }
    if change.get("sort_order") == "after":
        change = {"sort_order": str(second.sort_order + 1)}
    response = admin_client.post(f"/admin/tickets/issuetype/{first.pk}/change/", {**form, **change})
    assert response.status_code == 302
    assert changed(api, E2, tag)


def test_e6_tag_changes_with_a_customer_comment(api):
    tag = tag_of(api, E6)
    assert api.call(E4, body=valid_body(E4)).status_code == 200
    assert changed(api, E6, tag)


def test_e6_tag_changes_with_an_agents_public_reply(api, agent_client, own_ticket):
    tag = tag_of(api, E6)
    assert send_reply(agent_client, own_ticket, "send", "We are on it.").status_code == 302
    assert changed(api, E6, tag)


def test_e6_tag_is_unchanged_by_an_internal_note(api, agent_client, own_ticket):
    tag = tag_of(api, E6)
    assert send_reply(agent_client, own_ticket, "note", "Customer is VIP.").status_code == 302
    assert own_ticket.comments.get().is_internal
    assert not changed(api, E6, tag)


def test_e6_tag_changes_when_a_replying_agent_is_renamed(api, support_agent, own_ticket):
    AgentCommentFactory(ticket=own_ticket, author_user=support_agent)
    tag = tag_of(api, E6)
    support_agent.first_name = "Daniela"
    support_agent.save()
    assert changed(api, E6, tag)


def test_e6_tag_is_unchanged_by_a_rating(api, own_ticket):
    api.call(E11, body=valid_body(E11))
    tag = tag_of(api, E6)
    assert api.call(E12, body=valid_body(E12)).status_code == 200
    assert not changed(api, E6, tag)


def test_e7_tag_changes_when_the_customer_closes_it(api):
    tag = tag_of(api, E7)
    api.call(E11, body=valid_body(E11))
    assert changed(api, E7, tag)


def test_e7_tag_changes_with_a_customer_comment(api):
    tag = tag_of(api, E7)
    api.call(E4, body=valid_body(E4))
    assert changed(api, E7, tag)


def test_e7_tag_changes_with_an_agents_public_reply(api, agent_client, own_ticket):
    tag = tag_of(api, E7)
    send_reply(agent_client, own_ticket, "send", "We are on it.")
    assert changed(api, E7, tag)


@pytest.mark.parametrize(("field", "value"), [("priority", "Urgent"), ("ticket_status", "In Progress")])
def test_e7_tag_changes_when_the_desk_changes_what_the_record_shows(
    api, agent_client, own_ticket, field, value
):
    tag = tag_of(api, E7)
    assert save_ticket(agent_client, own_ticket, **{field: value}).status_code == 302
    assert changed(api, E7, tag)


def test_e7_tag_changes_when_the_desk_assigns_it(api, agent_client, own_ticket, support_agent):
    tag = tag_of(api, E7)
    assert save_ticket(agent_client, own_ticket, assigned_to=str(support_agent.pk)).status_code == 302
    assert changed(api, E7, tag)


def test_e7_tag_changes_when_the_assignee_is_removed_from_the_staff(api, own_ticket, support_agent):
    own_ticket.assigned_to = support_agent
    own_ticket.save()
    tag = tag_of(api, E7)
    support_agent.delete()
    assert changed(api, E7, tag)


def test_e7_tag_changes_with_a_rating(api):
    api.call(E11, body=valid_body(E11))
    tag = tag_of(api, E7)
    api.call(E12, body=valid_body(E12))
    assert changed(api, E7, tag)


def test_e7_tag_is_unchanged_by_an_internal_note(api, agent_client, own_ticket):
    tag = tag_of(api, E7)
    send_reply(agent_client, own_ticket, "note", "Customer is VIP.")
    assert not changed(api, E7, tag)


# --- Cost -----------------------------------------------------------------------------------------


def test_e1_304_takes_one_query(api, django_assert_num_queries):
    TicketFactory.create_batch(3, contact_number=CONTACT)
    tag = tag_of(api, E1)
    with django_assert_num_queries(1):
        assert revalidate(api, E1, tag).status_code == 304


@pytest.mark.parametrize("query", [{}, {"limit": "2"}, {"limit": "2", "offset": "2"}], ids=str)
def test_e1_200_after_a_stale_tag_takes_at_most_two_queries(api, django_assert_max_num_queries, query):
    TicketFactory.create_batch(3, contact_number=CONTACT)
    with django_assert_max_num_queries(2):
        response = revalidate(api, E1, 'W/"stale"', query)
    assert response.status_code == 200
    assert response["X-Total-Count"] == "4"


def test_e1_full_first_page_takes_two_queries_and_its_tag_revalidates(api, django_assert_num_queries):
    TicketFactory.create_batch(3, contact_number=CONTACT)
    with django_assert_num_queries(2):
        tag = tag_of(api, E1, {"limit": "2"})
    assert revalidate(api, E1, tag, {"limit": "2"}).status_code == 304


def test_e6_304_reads_no_comment_text(api, own_ticket, django_assert_num_queries):
    AgentCommentFactory(ticket=own_ticket)
    tag = tag_of(api, E6)
    with django_assert_num_queries(2) as captured:
        assert revalidate(api, E6, tag).status_code == 304
    assert all('"text"' not in query["sql"] for query in captured.captured_queries)


def test_a_304_is_logged_with_its_status_and_contact(api, caplog):
    caplog.set_level(logging.INFO, logger="tickets.access")
    revalidate(api, E1, tag_of(api, E1))
    record = [r for r in caplog.records if r.name == "tickets.access"][-1]
    assert (record.status, record.contact) == (304, str(CONTACT))


# --- Browsers ------------------------------------------------------------------------------------


def test_a_browser_may_send_if_none_match_and_read_the_etag(api, settings):
    origin = "https://selfcare.example.com"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    tag = tag_of(api, E1)
    response = revalidate(api, E1, tag, headers={"Origin": origin, "token": token_for(CONTACT)})
    assert response.status_code == 304
    assert "etag" in response["Access-Control-Expose-Headers"].lower()
