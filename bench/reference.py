"""The floor `make bench` compares the project against: plain Django function views, written
the way one would by hand, doing the same work as E1, E2, E3 and E5 for a valid request.

Same six headers checked with the same rules, the same JWT decode (PyJWT, HS256, required
`sub`/`exp`, leeway), the same query, the same envelope and `X-Total-Count`; E1's body is
byte-for-byte the project's (run.py checks it before measuring). Each step is written as plain
Django would do it ("a plain Django view"): `timezone.localtime(...).strftime(...)` per
E1 row, the ticket counter bumped with the ORM and read back. The project's cheaper ways to do
those two steps (`format_datetime`, one `UPDATE ... RETURNING`) count in its favour, as the
issue's own "a faster JSON encoder" would; docs/performance.md gives the ratios against a
reference that uses them too. The encoder is the exception: orjson on both sides, so the ratio
is not won by the encoder alone. E3/E5 answer with the project's own `ticket_record`: the same
40 keys either way, and a second copy of that table would measure nothing.
Errors are reduced to a bare 400/401: the bench only sends valid requests.
"""

import datetime
import re

import jwt
import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from crmapi.endpoints import E1, E2, E3, E5
from tickets.history import ActorKind, EventKind
from tickets.models import IssueType, Ticket, TicketEvent, TicketNumberCounter
from tickets.records import ticket_record

HEADERS = ("token", "correlationId", "source", "srDate", "operation", "destination")
CORRELATION_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
SR_DATE = re.compile(r"^([0-9]{2})-([0-9]{2})-([0-9]{4})$")
SUBJECT = re.compile(r"^[0-9]{1,18}$", re.ASCII)
LIST_FIELDS = ("id", "ticket_number", "ticket_status", "description", "created_at", "ticket_categories")
# The body fields of E3/E5 (normalised key, model attribute, max length, may be blank).
BODY_FIELDS = (
    ("ticketstatus", "ticket_status", 32, False),
    ("effectivedate", "effective_date", 10, True),
    ("ticketcategories", "ticket_categories", 255, False),
    ("tickettitle", "title", 255, False),
    ("description", "description", 20_000, False),
    ("subcategory", "subcategory", 255, False),
    ("status", "status", 255, False),
    ("category", "category", 255, False),
    ("vouchertype", "voucher_type", 255, True),
    ("voucheridformat", "voucher_id_format", 255, True),
    ("passwordpattern", "password_pattern", 255, True),
    ("source", "source", 64, False),
)


class Refused(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def envelope(result, status: int = 200, headers: dict | None = None) -> HttpResponse:
    body = {"response": {"success": "true" if status == 200 else "false", "result": result}}
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json", headers=headers)


def check_headers(request, operation: str, token_required: bool = True) -> int | None:
    """The six headers in contract order, then the token; returns the contact number."""
    values = {}
    for name in HEADERS if token_required else HEADERS[1:]:
        value = request.headers.get(name, "").strip()
        if not value:
            raise Refused(400, f"Header '{name}' not present in the request.")
        values[name] = value
    if not CORRELATION_ID.match(values["correlationId"]):
        raise Refused(400, "correlationId")
    if len(values["source"]) > 64:
        raise Refused(400, "source")
    match = SR_DATE.match(values["srDate"])
    try:
        datetime.date(int(match[3]), int(match[2]), int(match[1]))
    except (TypeError, ValueError):
        raise Refused(400, "srDate") from None
    if values["operation"].lower() != operation.lower():
        raise Refused(400, "operation")
    if values["destination"].lower() != "crm":
        raise Refused(400, "destination")
    if not token_required:
        return None
    token = re.sub(r"^bearer\s+", "", values["token"], flags=re.IGNORECASE)
    try:
        claims = jwt.decode(
            token,
            settings.CRM_JWT_SECRET,
            algorithms=["HS256"],
            options={"require": ["sub", "exp"]},
            leeway=settings.CRM_JWT_LEEWAY_SECONDS,
        )
    except jwt.PyJWTError:
        raise Refused(401, "INVALID_TOKEN") from None
    if not isinstance(claims["sub"], str) or not SUBJECT.match(claims["sub"]):
        raise Refused(401, "INVALID_TOKEN")
    return int(claims["sub"])


def refusals(view):
    """A Refused becomes its error envelope; anything else is a bug in the reference."""

    def wrapped(request):
        try:
            return view(request)
        except Refused as refused:
            return envelope({"errorMessage": refused.message}, status=refused.status)

    return wrapped


@require_GET
@refusals
def ticket_details(request):
    """Reference E1: the contact's tickets, newest first, with X-Total-Count."""
    contact = check_headers(request, E1.operation)
    tickets = Ticket.objects.filter(contact_number=contact)
    rows = list(tickets.order_by("-created_at", "-id").values(*LIST_FIELDS)[:500])
    total = len(rows) if len(rows) < 500 else tickets.count()
    result = [
        {
            "ticket_no": f"TT{row['ticket_number']}",
            "ticketstatus": row["ticket_status"],
            "description": row["description"],
            "createdtime": timezone.localtime(row["created_at"]).strftime("%Y-%m-%d %H:%M:%S"),
            "ticketcategories": row["ticket_categories"],
            "id": f"17x{row['id']}",
        }
        for row in rows
    ]
    return envelope(result, headers={"X-Total-Count": str(total)})


@require_GET
@refusals
def issue_types(request):
    """Reference E2: the active issue-type names."""
    check_headers(request, E2.operation)
    names = IssueType.objects.filter(is_active=True).order_by("sort_order", "name")
    return envelope({"code": "00000", "issueTypes": list(names.values_list("name", flat=True))})


def ticket_values(request) -> dict:
    """The body's fields, matched case- and underscore-insensitively, each a string in bounds."""
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise Refused(400, "body") from None
    if not isinstance(body, dict):
        raise Refused(400, "body")
    given = {key.replace("_", "").lower(): value for key, value in body.items()}
    values = {}
    for key, attribute, max_length, may_be_blank in BODY_FIELDS:
        value = given.get(key)
        if not isinstance(value, str) or len(value) > max_length or not (may_be_blank or value.strip()):
            raise Refused(400, key)
        values[attribute] = value
    effective = values["effective_date"]
    values["effective_date"] = datetime.date.fromisoformat(effective) if effective else None
    return values


@transaction.atomic
def insert_ticket(*, contact: int | None, from_portal: bool, values: dict) -> Ticket:
    """The next number from the counter row (locked by the UPDATE until commit), then the row
    and its `created` event, kept on the ticket for the record's update log as the project does."""
    counter = TicketNumberCounter.objects.filter(name="ticket")
    counter.update(last_number=F("last_number") + 1)
    now = timezone.now()
    ticket = Ticket.objects.create(
        ticket_number=counter.values_list("last_number", flat=True).get(),
        contact_number=contact,
        from_portal=from_portal,
        created_at=now,
        modified_at=now,
        **values,
    )
    actor_kind = ActorKind.SYSTEM if contact is None else ActorKind.CUSTOMER
    event = TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.CREATED, actor_kind=actor_kind, created_at=now
    )
    ticket.loaded_events = [event]
    return ticket


@csrf_exempt
@require_POST
@refusals
def ticket_create(request):
    """Reference E5: a ticket for the token's contact, answered with the full record."""
    contact = check_headers(request, E5.operation)
    ticket = insert_ticket(contact=contact, from_portal=True, values=ticket_values(request))
    return envelope(ticket_record(ticket))


@csrf_exempt
@require_POST
@refusals
def social_ticket_create(request):
    """Reference E3: the same without a token."""
    check_headers(request, E3.operation, token_required=E3.token_required)
    ticket = insert_ticket(contact=None, from_portal=False, values=ticket_values(request))
    return envelope(ticket_record(ticket))
