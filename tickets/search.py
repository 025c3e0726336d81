"""Search over a ticket's whole conversation: its title, description and every comment, the
internal notes included (the desk's agents see them; nothing of search reaches the API).

One function, `search_tickets`, for both databases. The text an agent types is read once, by
`parse_search`, into words, phrases, `OR` alternatives and excluded words (the web-search syntax
of PostgreSQL's `websearch_to_tsquery`), and that reading is written for each database's own
index (migration 0012): a tsquery on PostgreSQL, an FTS5 query on SQLite. Any text is a valid
search: what neither syntax can mean is dropped, never an error.

Each document matches on its own: the ticket's title with its description is one, each comment
another, so `refund voucher` finds a ticket whose one message holds both words. A ticket number,
a record id or a contact number also matches exactly, and ranks first.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, StrIndex

from tickets.formats import (
    CONTACT_ID_PREFIX,
    RECORD_ID_PREFIX,
    TICKET_NUMBER_PREFIX,
    parse_contact_number,
    parse_ticket_reference,
)

# What the queue's search box says it accepts.
SEARCH_SYNTAX_HELP = (
    f"Words of the title, description or any message (internal notes too); "
    f'"a phrase"; either OR other; -word to leave out. '
    f"Or a ticket number ({TICKET_NUMBER_PREFIX}1130 or 1130), record id ({RECORD_ID_PREFIX}5) "
    f"or contact number ({CONTACT_ID_PREFIX}649797 or 649797)."
)
# Longer input is cut here: no message needs more words to be found.
SEARCH_TEXT_MAX = 1_000
# Text matches are ranked on the database and the best this many kept, so a common word costs a
# ranking, not a page of 200,000 results; exact number matches are never cut.
SEARCH_MATCH_LIMIT = 500
# The annotation on the searched tickets: lower is better (exact matches, then by relevance).
SEARCH_RANK = "search_rank"
# PostgreSQL's text configuration: 'simple' keeps every word as written, lower-cased, in any
# language; a stemming one would also change names, references and words of other languages.
TEXT_CONFIG = "simple"

_EXACT_TICKET, _EXACT_CONTACT, _FIRST_TEXT = 0, 1, 2
# A phrase runs to its closing quote or the end; a word to the next space or quote.
_TERM = re.compile(r'(-*)(?:"([^"]*)"?|([^\s"]+))')
# Words as FTS5's unicode61 tokenizer cuts them: letters and digits.
_FTS5_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool


@dataclass(frozen=True)
class ParsedSearch:
    """All of `required` (each a choice of terms, any one of which will do) and none of `excluded`."""

    required: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]


def parse_search(text: str) -> ParsedSearch:
    """The web-search reading of `text`: `"a phrase"` (an unclosed quote runs to the end),
    `either OR other` (any case, binding tighter than the spaces between words), `-word` or
    `-"a phrase"` left out. An `OR` without a term on each side is a plain word nowhere: dropped."""
    required: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _TERM.finditer(clean_search_text(text)):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or" and not negated:
            pending_or = bool(required)
            continue
        term = Term(text=(phrase if phrase is not None else word).strip(), phrase=phrase is not None)
        if not term.text:
            continue
        if negated:
            excluded.append(term)
        elif pending_or:
            required[-1].append(term)
        else:
            required.append([term])
        pending_or = False
    return ParsedSearch(required=tuple(tuple(choice) for choice in required), excluded=tuple(excluded))


def clean_search_text(text: str) -> str:
    """`text` as either database can take it: no NUL, no lone surrogate, at most SEARCH_TEXT_MAX."""
    return text[:SEARCH_TEXT_MAX].replace("\x00", " ").encode("utf-8", "ignore").decode("utf-8")


def websearch_text(search: ParsedSearch) -> str:
    """The search in `websearch_to_tsquery`'s syntax, built from terms that cannot mean anything else."""

    def term(value: Term) -> str:
        return f'"{value.text}"' if value.phrase else value.text

    parts = [" or ".join(term(value) for value in choice) for choice in search.required]
    parts += [f"-{term(value)}" for value in search.excluded]
    return " ".join(parts)


def fts5_query(search: ParsedSearch) -> str | None:
    """The search as an FTS5 query, every term a quoted string of the tokenizer's words, so no
    input is FTS5 syntax; None when no required term has a word (nothing to look up)."""

    def term(value: Term) -> str | None:
        tokens = _FTS5_TOKEN.findall(value.text)
        return f'"{" ".join(tokens)}"' if tokens else None

    choices = []
    for choice in search.required:
        alternatives = [text for text in map(term, choice) if text]
        if alternatives:
            choices.append(f"({' OR '.join(alternatives)})")
    if not choices:
        return None
    excluded = [text for text in map(term, search.excluded) if text]
    return " AND ".join(choices) + "".join(f" NOT {text}" for text in excluded)


# Each index yields at most SEARCH_CANDIDATE_LIMIT matches (in the table's order) to be ranked:
# a word in a fifth of 8M texts is then ranked over a sample instead of over 1.6M rows, which
# would take seconds (docs/performance.md); any rarer word is ranked over all its matches.
SEARCH_CANDIDATE_LIMIT = 10_000
_POSTGRESQL_MATCHES = f"""
SELECT ticket_id FROM (
    (SELECT id AS ticket_id, ts_rank(search_vector, websearch_to_tsquery('{TEXT_CONFIG}', %(query)s)) AS rank
     FROM tickets_ticket WHERE search_vector @@ websearch_to_tsquery('{TEXT_CONFIG}', %(query)s)
     LIMIT %(candidates)s)
    UNION ALL
    (SELECT ticket_id, ts_rank(search_vector, websearch_to_tsquery('{TEXT_CONFIG}', %(query)s))
     FROM tickets_comment WHERE search_vector @@ websearch_to_tsquery('{TEXT_CONFIG}', %(query)s)
     LIMIT %(candidates)s)
) AS matches
GROUP BY ticket_id ORDER BY max(rank) DESC, ticket_id DESC LIMIT %(limit)s
"""
# bm25 is lower for better matches; a title word weighs most, then the description, then a message.
_SQLITE_MATCHES = """
SELECT ticket_id FROM (
    SELECT * FROM (
        SELECT rowid AS ticket_id, bm25(tickets_ticket_search, 10.0, 4.0) AS rank
        FROM tickets_ticket_search WHERE tickets_ticket_search MATCH %(query)s LIMIT %(candidates)s
    )
    UNION ALL
    SELECT * FROM (
        SELECT comment.ticket_id, bm25(tickets_comment_search) AS rank
        FROM tickets_comment_search
        JOIN tickets_comment AS comment ON comment.id = tickets_comment_search.rowid
        WHERE tickets_comment_search MATCH %(query)s LIMIT %(candidates)s
    )
) AS matches
GROUP BY ticket_id ORDER BY min(rank), ticket_id DESC LIMIT %(limit)s
"""


def matches_query(text: str) -> tuple[str, dict] | None:
    """The SQL and parameters of the text search on this database (best matching ticket ids
    first), or None when `text` has no word to look up."""
    search = parse_search(text)
    if connection.vendor == "postgresql":
        query: str | None = websearch_text(search) if search.required else None
        sql = _POSTGRESQL_MATCHES
    else:
        query, sql = fts5_query(search), _SQLITE_MATCHES
    if query is None:
        return None
    return sql, {"query": query, "candidates": SEARCH_CANDIDATE_LIMIT, "limit": SEARCH_MATCH_LIMIT}


def matching_ticket_ids(text: str) -> list[int]:
    """The ids of the tickets whose title, description or any comment matches `text`, best first,
    at most SEARCH_MATCH_LIMIT of them: one query, or none when `text` has no word to look up."""
    query = matches_query(text)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return [ticket_id for (ticket_id,) in cursor.fetchall()]


def search_tickets(queryset: QuerySet, text: str) -> QuerySet:
    """The tickets of `queryset` that `text` finds, annotated with SEARCH_RANK and ordered by it:
    the ticket of that number or record id first, then the contact's tickets, then the text
    matches best first. A text with nothing to look up finds nothing."""
    exact: list[tuple[Q, int]] = []
    reference = parse_ticket_reference(text)
    if reference and reference.ticket_number is not None:
        exact.append((Q(ticket_number=reference.ticket_number), _EXACT_TICKET))
    if reference and reference.record_id is not None:
        exact.append((Q(pk=reference.record_id), _EXACT_TICKET))
    contact_number = parse_contact_number(text)
    if contact_number is not None:
        exact.append((Q(contact_number=contact_number), _EXACT_CONTACT))
    text_ids = matching_ticket_ids(text)
    if not exact and not text_ids:
        return queryset.none()
    # A text match's place in the best-first list, found as ",<id>," in ",<id>,<id>,...,": one
    # expression whatever the number of matches (a CASE of 500 branches costs Django more to
    # build than the search costs the database).
    listed = Value("," + ",".join(map(str, text_ids)) + ",")
    place = StrIndex(listed, Concat(Value(","), Cast("pk", CharField()), Value(",")))
    rank = Case(
        *(When(condition, then=Value(rank)) for condition, rank in exact),
        default=Value(_FIRST_TEXT) + place,
        output_field=IntegerField(),
    )
    matched = reduce(operator.or_, (condition for condition, _ in exact), Q(pk__in=text_ids))
    return queryset.filter(matched).annotate(**{SEARCH_RANK: rank}).order_by(SEARCH_RANK, "-pk")
