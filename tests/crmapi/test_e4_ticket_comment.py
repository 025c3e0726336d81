"""E4 `POST /crm/v1/ticket/comment` (CONTRACT §3, §5, §6)."""

import pytest

from crmapi import messages
from tests.factories import TicketFactory
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import CONTACT, E4
from tickets.models import COMMENT_MAX_LENGTH, Comment

pytestmark = pytest.mark.django_db


def comment_body(**fields) -> dict:
    body = {"ticketNo": "TT1130", "comment": "venki testing", "contactId": str(CONTACT), **fields}
    return {name: value for name, value in body.items() if value is not None}


def test_comment_is_stored_on_the_ticket_and_acknowledged(api, own_ticket):
    result = envelope_result(api.call(E4, body=comment_body()))
    assert result == {"message": "Comments submitted successfully"}
    comment = Comment.objects.get(ticket=own_ticket)
    assert (comment.text, comment.author_contact, comment.author_user, comment.is_internal) == (
        "venki testing",
        CONTACT,
        None,
        False,
    )


@pytest.mark.parametrize("ticket_no", ["TT1130", "tt1130", "1130", 1130, " TT1130 "])
def test_ticket_no_accepts_the_number_with_or_without_tt(api, own_ticket, ticket_no):
    assert api.call(E4, body=comment_body(ticketNo=ticket_no)).status_code == 200
    assert own_ticket.comments.count() == 1


def test_ticket_no_accepts_the_record_id(api, own_ticket):
    assert api.call(E4, body=comment_body(ticketNo=f"17x{own_ticket.pk}")).status_code == 200
    assert own_ticket.comments.count() == 1


def test_document_example_body_with_table_spelling_works(api):
    TicketFactory(contact_number=CONTACT, ticket_number=10057)
    body = {"ticketNo": "10057", "comment": "venki testing", "contactId": "649797"}
    assert envelope_result(api.call(E4, body=body)) == {"message": "Comments submitted successfully"}


def test_keys_match_ignoring_case_and_underscores(api, own_ticket):
    body = {"ticket_no": "TT1130", "COMMENT": "hi", "contact_id": "649797"}
    assert api.call(E4, body=body).status_code == 200


@pytest.mark.parametrize("ticket_no", ["TT9999", "17x999999", "abc", "TT-5", "12x1130", "TT 1130", 0])
def test_unknown_or_unparseable_ticket_is_404_echoing_the_value(api, own_ticket, ticket_no):
    response = api.call(E4, body=comment_body(ticketNo=ticket_no))
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no=ticket_no), "404 NOT_FOUND")


# --- Body rules, in the order ticketNo, comment, contactId -------------------------------------------


@pytest.mark.parametrize("name", ["ticketNo", "comment", "contactId"])
def test_each_missing_field_is_required(api, own_ticket, name):
    response = api.call(E4, body=comment_body(**{name: None}))
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name=name))


def test_fields_are_checked_in_order_ticket_no_comment_contact_id(api, own_ticket):
    assert_error(api.call(E4, body={}), 400, messages.FIELD_REQUIRED.format(name="ticketNo"))
    assert_error(api.call(E4, body={"ticketNo": "x"}), 400, messages.FIELD_REQUIRED.format(name="comment"))


@pytest.mark.parametrize("name", ["ticketNo", "contactId"])
@pytest.mark.parametrize("value", [True, 1.5, ["1130"], {"n": 1}], ids=["bool", "float", "list", "obj"])
def test_ticket_no_and_contact_id_must_be_strings_or_integers(api, own_ticket, name, value):
    response = api.call(E4, body=comment_body(**{name: value}))
    if name == "ticketNo":
        assert_error(response, 400, messages.FIELD_NOT_STRING_OR_INTEGER.format(name=name))
    else:
        assert_error(response, 400, messages.FIELD_BAD_CONTACT.format(name=name))


def test_blank_ticket_no_is_required(api, own_ticket):
    assert_error(
        api.call(E4, body=comment_body(ticketNo="  ")), 400, messages.FIELD_REQUIRED.format(name="ticketNo")
    )


def test_comment_must_be_a_string(api, own_ticket):
    response = api.call(E4, body=comment_body(comment=42))
    assert_error(response, 400, messages.FIELD_NOT_STRING.format(name="comment"))


def test_comment_of_10000_code_points_is_accepted(api, own_ticket):
    assert api.call(E4, body=comment_body(comment="\U0001f600" * 10_000)).status_code == 200


def test_comment_over_10000_code_points_is_too_long(api, own_ticket):
    response = api.call(E4, body=comment_body(comment="\U0001f600" * 10_001))
    assert_error(response, 400, messages.FIELD_TOO_LONG.format(name="comment", max_length=COMMENT_MAX_LENGTH))


@pytest.mark.parametrize("bad", ["a\x00b", "a\udc00b"], ids=["nul", "lone-surrogate"])
def test_comment_with_nul_or_lone_surrogate_is_refused(api, own_ticket, bad):
    response = api.call(E4, body=comment_body(comment=bad))
    assert_error(response, 400, messages.FIELD_BAD_CHARACTERS.format(name="comment"))


def test_duplicate_comment_keys_are_refused(api, own_ticket):
    response = api.call(E4, body={**comment_body(), "Comment": "again"})
    assert_error(response, 400, messages.FIELD_DUPLICATE.format(name="comment"))


# --- The `data` header ------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_absent_or_blank_comment_falls_back_to_the_data_header(api, own_ticket, comment):
    response = api.call(E4, body=comment_body(comment=comment), headers={"data": "from the header"})
    assert response.status_code == 200
    assert own_ticket.comments.get().text == "from the header"


def on_the_wire(text: str) -> str:
    """A header as a WSGI server hands it over: the client's UTF-8 bytes decoded as latin-1."""
    return text.encode("utf-8").decode("latin-1")


def test_data_header_sent_as_utf8_is_stored_as_the_text_sent(api, own_ticket):
    text = "Привет, 你好 \U0001f600"
    response = api.call(E4, body=comment_body(comment=None), headers={"data": on_the_wire(text)})
    assert response.status_code == 200
    assert own_ticket.comments.get().text == text


def test_data_header_that_is_not_utf8_is_kept_as_received(api, own_ticket):
    api.call(E4, body=comment_body(comment=None), headers={"data": "caf\xe9"})
    assert own_ticket.comments.get().text == "caf\xe9"


def test_body_comment_wins_over_the_data_header(api, own_ticket):
    api.call(E4, body=comment_body(comment="from the body"), headers={"data": "from the header"})
    assert own_ticket.comments.get().text == "from the body"


def test_blank_comment_and_blank_data_header_is_required(api, own_ticket):
    response = api.call(E4, body=comment_body(comment=""), headers={"data": "  "})
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name="comment"))


def test_data_header_over_10000_characters_is_too_long(api, own_ticket):
    response = api.call(E4, body=comment_body(comment=None), headers={"data": "d" * 10_001})
    assert_error(response, 400, messages.FIELD_TOO_LONG.format(name="comment", max_length=COMMENT_MAX_LENGTH))


def test_data_header_is_not_mandatory(api, own_ticket):
    assert api.call(E4, body=comment_body(), headers={"data": None}).status_code == 200


# --- contactId -------------------------------------------------------------------------------------


@pytest.mark.parametrize("contact_id", [CONTACT, str(CONTACT), f"12x{CONTACT}", f"0{CONTACT}"])
def test_contact_id_accepts_the_number_or_12x_form(api, own_ticket, contact_id):
    assert api.call(E4, body=comment_body(contactId=contact_id)).status_code == 200


@pytest.mark.parametrize("contact_id", ["abc", "12x", "17x649797", "", -1])
def test_contact_id_in_no_accepted_form_is_400(api, own_ticket, contact_id):
    response = api.call(E4, body=comment_body(contactId=contact_id))
    assert_error(response, 400, messages.FIELD_BAD_CONTACT.format(name="contactId"))
