"""E1, E2, E5 and E3 as plain Django function views, written the short way: the five header
checks and PyJWT, one query (or one insert), `JsonResponse` with the standard json module.

A create does what the contract asks of it and nothing more: the number, the issue type's
default priority (CONTRACT §15), one row, a look at the webhook subscriptions (§12: a
`ticket.created` is owed to each subscriber; the bench has none) and the whole §7 record, so
it answers what the project answers (bench/run.py checks). No history rows, no SLA clock, no
validation beyond what parsing needs: those are the project's own.

Errors are a bare JSON 400/401: the bench only sends valid requests.
"""

import datetime
import json
import re

import jwt
from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.minimal.models import IssueType, Ticket, WebhookEndpoint

CORRELATION_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
SR_DATE = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
BODY_FIELDS = {
    "ticketstatus": "ticket_status",
    "effectivedate": "effective_date",
    "ticketcategories": "ticket_categories",
    "tickettitle": "title",
    "description": "description",
    "subcategory": "subcategory",
    "status": "status",
    "category": "category",
    "vouchertype": "voucher_type",
    "voucheridformat": "voucher_id_format",
    "passwordpattern": "password_pattern",
    "source": "source",
}


def refused(status, message):
    return JsonResponse(
        {"response": {"success": "false", "result": {"errorMessage": message}}}, status=status
    )


def header_error(request, operation):
    """The five header checks; the first failure's message, or None."""
    h = request.headers
    for name in ("correlationId", "source", "srDate", "operation", "destination"):
        if not h.get(name, "").strip():
            return f"Header '{name}' not present in the request."
    if not CORRELATION_ID.match(h["correlationId"]):
        return "correlationId"
    if len(h["source"]) > 64:
        return "source"
    match = SR_DATE.match(h["srDate"])
    try:
        datetime.date(int(match[3]), int(match[2]), int(match[1]))
    except (TypeError, ValueError):
        return "srDate"
    if h["operation"].lower() != operation.lower():
        return "operation"
    if h["destination"].lower() != "crm":
        return "destination"
    return None


def token_contact(request):
    """The token's contact number, or None."""
    token = request.headers.get("token", "").removeprefix("Bearer ").strip()
    try:
        claims = jwt.decode(
            token, settings.JWT_SECRET, algorithms=["HS256"], options={"require": ["sub", "exp"]}, leeway=30
        )
    except jwt.PyJWTError:
        return None
    sub = claims["sub"]
    return int(sub) if isinstance(sub, str) and sub.isdigit() else None


def envelope(result, **kwargs):
    return JsonResponse({"response": {"success": "true", "result": result}}, **kwargs)


@require_GET
def ticket_details(request):
    if error := header_error(request, "ticketDetail"):
        return refused(400, error)
    if (contact := token_contact(request)) is None:
        return refused(401, "Invalid token")
    limit = int(request.GET.get("limit", 500))
    offset = int(request.GET.get("offset", 0))
    tickets = Ticket.objects.filter(contact_number=contact)
    rows = tickets.order_by("-created_at", "-id").values_list(
        "id", "ticket_number", "ticket_status", "description", "created_at", "ticket_categories"
    )[offset : offset + limit]
    result = [
        {
            "ticket_no": f"TT{number}",
            "ticketstatus": status,
            "description": description,
            "createdtime": timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S"),
            "ticketcategories": categories,
            "id": f"17x{pk}",
        }
        for pk, number, status, description, created, categories in rows
    ]
    total = len(result) if offset == 0 and len(result) < limit else tickets.count()
    return envelope(
        result, headers={"X-Total-Count": str(total), "correlationId": request.headers["correlationId"]}
    )


@require_GET
def issue_types(request):
    if error := header_error(request, "issueTypes"):
        return refused(400, error)
    if token_contact(request) is None:
        return refused(401, "Invalid token")
    names = (
        IssueType.objects.filter(is_active=True).order_by("sort_order", "name").values_list("name", flat=True)
    )
    return envelope(
        {"code": "00000", "issueTypes": list(names)},
        headers={"correlationId": request.headers["correlationId"]},
    )


def record_of(ticket, contact):
    """The §7 record, keys in its order: a new ticket is unassigned and unchanged, and its update
    log is its creation's line."""
    created = timezone.localtime(ticket.created_at).strftime("%Y-%m-%d %H:%M:%S")
    return {
        "ticket_no": f"TT{ticket.ticket_number}",
        "assigned_user_id": "",
        "parent_id": "",
        "ticketpriorities": ticket.priority,
        "product_id": "",
        "ticketseverities": "",
        "ticketstatus": ticket.ticket_status,
        "ticketcategories": ticket.ticket_categories,
        "update_log": "Ticket created.",
        "hours": "",
        "days": "",
        "createdtime": created,
        "modifiedtime": created,
        "modifiedby": "",
        "ticket_title": ticket.title,
        "description": ticket.description,
        "solution": "",
        "contact_id": "" if contact is None else f"12x{contact}",
        "from_portal": "1" if ticket.from_portal else "0",
        "effectivedate": ticket.effective_date.isoformat() if ticket.effective_date else "",
        "subcategory": ticket.subcategory,
        "source": ticket.source,
        "starred": "0",
        "tags": "",
        "cf_1518": "",
        "cf_1520": "",
        "cf_1522": "",
        "cf_1524": "",
        "cf_1526": "",
        "internalmemo": "",
        "vendorid": "",
        "vouchertype": ticket.voucher_type,
        "requiredprefix": "",
        "rechargeinterfaces": "",
        "voucheridformat": ticket.voucher_id_format,
        "passwordpattern": ticket.password_pattern,
        "currencyid": "",
        "id": f"17x{ticket.pk}",
        "label": ticket.title,
        "category": ticket.category,
        "status": ticket.status,
    }


def create(request, contact):
    try:
        body = json.loads(request.body)
        given = {key.replace("_", "").lower(): value for key, value in body.items()}
        values = {field: str(given[key]) for key, field in BODY_FIELDS.items()}
        values["effective_date"] = (
            datetime.date.fromisoformat(values["effective_date"]) if values["effective_date"] else None
        )
    except (ValueError, KeyError, AttributeError):
        return refused(400, "body")
    priority = (
        IssueType.objects.filter(name__iexact=values["ticket_categories"].strip())
        .order_by("pk")
        .values_list("default_priority", flat=True)
        .first()
    ) or "Normal"
    now = timezone.now()
    with transaction.atomic():
        # A unique, increasing ticket number: the project's counter row, bumped in the same transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_ticketnumbercounter SET last_number = last_number + 1 "
                "WHERE name = 'ticket' RETURNING last_number"
            )
            (number,) = cursor.fetchone()
        ticket = Ticket.objects.create(
            ticket_number=number,
            contact_number=contact,
            from_portal=contact is not None,
            waiting_since=now,
            created_at=now,
            modified_at=now,
            priority=priority,
            **values,
        )
        subscribed = any(
            not types or "ticket.created" in types
            for types in WebhookEndpoint.objects.filter(enabled=True).values_list("event_types", flat=True)
        )
        if subscribed:  # rolls the create back: a 500 the bench counts as a failure
            raise NotImplementedError("the reference delivers no webhooks")
    return envelope(record_of(ticket, contact), headers={"correlationId": request.headers["correlationId"]})


@csrf_exempt
@require_POST
def ticket_create(request):
    if error := header_error(request, "create"):
        return refused(400, error)
    if (contact := token_contact(request)) is None:
        return refused(401, "Invalid token")
    return create(request, contact)


@csrf_exempt
@require_POST
def social_ticket_create(request):
    if error := header_error(request, "create"):
        return refused(400, error)
    return create(request, None)
