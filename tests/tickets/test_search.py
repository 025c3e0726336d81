"""The conversation search (tickets/search.py) on the database the suite runs on: what it
finds, in which order, that its index follows every change, and that no input is an error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Ticket
from tickets.search import (
    SEARCH_TEXT_MAX,
    ParsedSearch,
    Term,
    fts5_query,
    parse_search,
    search_tickets,
    websearch_text,
)

pytestmark = pytest.mark.django_db


def found(text: str) -> list[Ticket]:
    return list(search_tickets(Ticket.objects.all(), text))


@pytest.fixture
def other():
    """A ticket no search below means to find."""
    return TicketFactory(title="Billing question", description="Charged twice this month")


# --- Where the words are -------------------------------------------------------------------------


def test_a_word_of_the_title_finds_the_ticket(other):
    wanted = TicketFactory(title="Roaming in Spain", description="It stopped")
    assert found("roaming") == [wanted]


def test_a_word_of_the_description_finds_the_ticket(other):
    wanted = TicketFactory(title="Help", description="Travelling to Portugal next week")
    assert found("PORTUGAL") == [wanted]


def test_a_word_only_a_customers_comment_holds_finds_the_ticket(other):
    wanted = CommentFactory(text="My router blinks orange since Tuesday").ticket
    assert found("orange") == [wanted]


def test_a_word_of_an_agents_public_reply_finds_the_ticket(other):
    wanted = AgentCommentFactory(text="Please restart the modem").ticket
    assert found("modem") == [wanted]


def test_a_word_of_an_internal_note_finds_the_ticket(other):
    wanted = AgentCommentFactory(text="Escalated to the fibre team", is_internal=True).ticket
    assert found("fibre") == [wanted]


def test_a_ticket_with_several_matching_messages_is_found_once():
    wanted = TicketFactory(title="Voucher", description="voucher")
    CommentFactory(ticket=wanted, text="voucher again")
    AgentCommentFactory(ticket=wanted, text="the voucher")
    assert found("voucher") == [wanted]


def test_a_word_nobody_wrote_finds_nothing(other):
    assert found("zeppelin") == []


# --- The syntax ----------------------------------------------------------------------------------


def test_every_word_must_be_in_the_same_message(other):
    wanted = CommentFactory(text="the refund for my voucher").ticket
    CommentFactory(text="a refund please")
    assert found("voucher refund") == [wanted]


def test_a_phrase_matches_its_words_in_order():
    wanted = CommentFactory(text="my sim card is blocked").ticket
    CommentFactory(text="the card of my sim")
    assert found('"sim card"') == [wanted]


def test_an_unclosed_quote_is_a_phrase_to_the_end():
    wanted = CommentFactory(text="my sim card is blocked").ticket
    CommentFactory(text="the card of my sim")
    assert found('"sim card') == [wanted]


def test_or_finds_either_word(other):
    first = CommentFactory(text="my invoice").ticket
    second = CommentFactory(text="the receipt").ticket
    assert set(found("invoice OR receipt")) == {first, second}


def test_a_minus_leaves_out_tickets_with_that_word():
    wanted = CommentFactory(text="refund by card").ticket
    CommentFactory(text="refund by voucher")
    assert found("refund -voucher") == [wanted]


def test_only_excluded_words_find_nothing(other):
    assert found("-voucher") == []


# --- Exact numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["TT1130", "tt1130", "1130"])
def test_a_ticket_number_finds_that_ticket(other, text):
    wanted = TicketFactory(ticket_number=1130)
    assert found(text) == [wanted]


def test_a_record_id_finds_that_ticket(other):
    wanted = TicketFactory()
    assert found(f"17x{wanted.pk}") == [wanted]


@pytest.mark.parametrize("text", ["12x24218", "24218"])
def test_a_contact_number_finds_the_contacts_tickets(other, text):
    wanted = {TicketFactory(contact_number=24218), TicketFactory(contact_number=24218)}
    assert set(found(text)) == wanted


def test_an_exact_number_ranks_before_a_text_match():
    by_text = TicketFactory(title="Order 1130 is late")
    by_number = TicketFactory(ticket_number=1130)
    assert found("1130") == [by_number, by_text]


# --- Ranking -------------------------------------------------------------------------------------


def test_a_title_match_ranks_before_a_message_match():
    in_message = CommentFactory(text="something about a hotspot in the end").ticket
    in_title = TicketFactory(title="Hotspot", description="nothing else")
    assert found("hotspot") == [in_title, in_message]


# --- The index follows every change --------------------------------------------------------------


def test_a_new_comment_is_found_at_once():
    ticket = TicketFactory(title="Help")
    services.comment_create_by_contact(ticket=ticket, contact_number=ticket.contact_number, text="walrus")
    assert found("walrus") == [ticket]


def test_an_edited_comment_is_found_by_its_new_words_only():
    comment = CommentFactory(text="walrus")
    comment.text = "penguin"
    comment.save()
    assert (found("walrus"), found("penguin")) == ([], [comment.ticket])


def test_a_deleted_comment_is_found_no_more():
    comment = CommentFactory(text="walrus")
    comment.delete()
    assert found("walrus") == []


def test_an_edited_title_is_found_by_its_new_words_only():
    ticket = TicketFactory(title="walrus")
    Ticket.objects.filter(pk=ticket.pk).update(title="penguin")
    assert (found("walrus"), found("penguin")) == ([], [ticket])


def test_a_deleted_ticket_is_found_no_more():
    ticket = TicketFactory(title="walrus")
    CommentFactory(ticket=ticket, text="penguin")
    ticket.delete()
    assert (found("walrus"), found("penguin")) == ([], [])


def test_an_agents_note_written_through_the_service_is_found():
    ticket = TicketFactory(title="Help")
    agent = UserFactory(is_staff=True)
    services.comment_create_by_agent(ticket=ticket, author=agent, text="call back Friday", is_internal=True)
    assert found("friday") == [ticket]


# --- No input is an error ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"""',
        "a\" b 'c",
        "*",
        "a*",
        "^a",
        "title:a",
        "NEAR(a b)",
        "a NEAR b",
        "(a",
        "a)",
        "AND",
        "NOT a",
        "OR",
        "a OR",
        "OR OR OR",
        "-",
        "--a",
        "- -",
        "!a & b | c <-> d",
        "a:*",
        "\x00",
        "a\x00b",
        "\ud800",
        "émoji 😀 ñandú 東京",
        "😀",
        "a" * 10_000,
        "word " * 2_000,
        "\\",
        "%s %(query)s",
        "'; DROP TABLE tickets_ticket; --",
    ],
)
def test_odd_input_is_no_error(text):
    TicketFactory(title="a b c")
    found(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_is_no_error(ticket, text):
    found(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list('ab "-*()^:OR NEAR\x00😀')), max_size=60))
def test_any_mix_of_syntax_characters_is_no_error(ticket, text):
    found(text)


# --- Reading the syntax (no database) ------------------------------------------------------------


def test_parse_reads_words_phrases_alternatives_and_exclusions():
    assert parse_search('refund "sim card" invoice or receipt -voucher') == ParsedSearch(
        required=(
            (Term("refund", False),),
            (Term("sim card", True),),
            (Term("invoice", False), Term("receipt", False)),
        ),
        excluded=(Term("voucher", False),),
    )


def test_an_or_without_two_sides_is_dropped():
    assert parse_search("or a or") == parse_search("a")


def test_the_websearch_text_says_what_was_read():
    assert websearch_text(parse_search('x "a b" c OR d -e')) == 'x "a b" c or d -e'


def test_the_fts5_query_quotes_every_term():
    assert fts5_query(parse_search('x* "a b" c OR d -e:f')) == '("x") AND ("a b") AND ("c" OR "d") NOT "e f"'


def test_the_fts5_query_without_words_is_none():
    assert fts5_query(parse_search("*** -word")) is None


def test_input_is_cut_at_the_maximum():
    assert parse_search("a" * (SEARCH_TEXT_MAX + 5)).required == ((Term("a" * SEARCH_TEXT_MAX, False),),)
