"""CONTRACT §2: a client's value quoted in an errorMessage is whole up to 64 characters, else its
first 64 followed by `…`, so no input makes an answer grow with it."""

import pytest

from tests.factories import IdempotencyRecordFactory
from tests.support.client import assert_error
from tests.support.endpoints import CONTACT, E4, E5, E7, TICKET_BODY

pytestmark = pytest.mark.django_db

AT_THE_LIMIT = "7" * 64
OVER_THE_LIMIT = "7" * 64 + "8" * 1_000


def comment_on(api, ticket_no: str):
    return api.call(E4, body={"ticketNo": ticket_no, "comment": "Hello", "contactId": str(CONTACT)})


def test_ticket_no_of_64_characters_is_quoted_whole(api):
    assert_error(comment_on(api, AT_THE_LIMIT), 404, f"Ticket '{AT_THE_LIMIT}' not found.")


def test_longer_ticket_no_is_cut_to_64_characters_and_an_ellipsis(api):
    assert_error(comment_on(api, OVER_THE_LIMIT), 404, f"Ticket '{'7' * 64}…' not found.")


def test_ticket_no_in_a_query_is_cut_alike(api):
    response = api.call(E7, query={"ticketNo": OVER_THE_LIMIT})
    assert_error(response, 404, f"Ticket '{'7' * 64}…' not found.")


def test_reused_idempotency_key_over_64_characters_is_cut(api):
    key = "k" * 200
    assert api.call(E5, body=TICKET_BODY, headers={"Idempotency-Key": key}).status_code == 200
    response = api.call(E5, body={**TICKET_BODY, "source": "web"}, headers={"Idempotency-Key": key})
    assert_error(response, 409, f"Idempotency-Key '{'k' * 64}…' was already used for a different request.")


def test_unsupported_content_type_over_64_characters_is_cut(api):
    content_type = "text/" + "x" * 300
    response = api.call(E5, raw="{}", content_type=content_type)
    quoted = content_type[:64] + "…"
    assert_error(response, 415, f"Content type '{quoted}' is not supported; send application/json.")


def test_unknown_path_over_64_characters_is_cut(client):
    path = "/crm/v1/" + "p" * 500
    response = client.get(path)
    assert_error(response, 404, f"No endpoint at '{path[:64]}…'.")


def test_unknown_method_over_64_characters_is_cut(client):
    method = "M" * 300
    response = client.generic(method, E5.path)
    assert_error(response, 405, f"Method '{'M' * 64}…' is not allowed on this endpoint.")


def test_idempotency_key_in_flight_over_64_characters_is_cut(api):
    key = "k" * 200
    IdempotencyRecordFactory(key=key)
    response = api.call(E5, body=TICKET_BODY, headers={"Idempotency-Key": key})
    assert_error(response, 409, f"Idempotency-Key '{'k' * 64}…' is already being processed.")
