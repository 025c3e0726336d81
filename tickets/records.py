"""The shapes a ticket has outside the service: what the endpoints answer (CONTRACT §7, §10, §11)
and what webhook payloads carry (§12). Plain functions over model instances or `.values()` rows,
every value a string and keys in contract order."""

from collections.abc import Mapping

from tickets.formats import (
    ATTACHMENT_ID_PREFIX,
    CONTACT_ID_PREFIX,
    RECORD_ID_PREFIX,
    TICKET_NUMBER_PREFIX,
    USER_ID_PREFIX,
    format_datetime,
    format_ticket_number,
    prefixed,
    user_display_name,
)


def ticket_list_item(row: Mapping) -> dict[str, str]:
    """One E1 item from a `.values(*TICKET_LIST_FIELDS)` row, keys in contract order."""
    return {
        "ticket_no": f"{TICKET_NUMBER_PREFIX}{row['ticket_number']}",
        "ticketstatus": row["ticket_status"],
        "description": row["description"],
        "createdtime": format_datetime(row["created_at"]),
        "ticketcategories": row["ticket_categories"],
        "id": f"{RECORD_ID_PREFIX}{row['id']}",
    }


def ticket_record(ticket) -> dict[str, str]:
    """The full record of E3, E5, E7 and E11: the document's keys in its order, then `category`
    and `status`; all values strings (CONTRACT §7). Internal notes never appear here."""
    effective_date = ticket.effective_date.isoformat() if ticket.effective_date else ""
    return {
        "ticket_no": format_ticket_number(ticket.ticket_number),
        "assigned_user_id": prefixed(USER_ID_PREFIX, ticket.assigned_to_id),
        "parent_id": "",
        "ticketpriorities": ticket.priority,
        "product_id": "",
        "ticketseverities": "",
        "ticketstatus": ticket.ticket_status,
        "ticketcategories": ticket.ticket_categories,
        "update_log": ticket.update_log,
        "hours": "",
        "days": "",
        "createdtime": format_datetime(ticket.created_at),
        "modifiedtime": format_datetime(ticket.modified_at),
        "modifiedby": prefixed(USER_ID_PREFIX, ticket.modified_by_id),
        "ticket_title": ticket.title,
        "description": ticket.description,
        "solution": "",
        "contact_id": prefixed(CONTACT_ID_PREFIX, ticket.contact_number),
        "from_portal": "1" if ticket.from_portal else "0",
        "effectivedate": effective_date,
        "subcategory": ticket.subcategory,
        "source": ticket.source,
        "starred": "1" if ticket.starred else "0",
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
        "id": f"{RECORD_ID_PREFIX}{ticket.pk}",
        "label": ticket.title,
        "category": ticket.category,
        "status": ticket.status,
    }


def comment_item(comment) -> dict[str, str]:
    """One E6 item (CONTRACT §10); expects `author_user` to be selected with the comment."""
    user = comment.author_user
    return {
        "id": str(comment.pk),
        "commentcontent": comment.text,
        "createdtime": format_datetime(comment.created_at),
        "author": "agent" if user is not None else "customer",
        "authorname": user_display_name(user) if user is not None else "",
    }


def attachment_item(attachment) -> dict[str, str]:
    """An attachment as E8 answers it, E9 lists it and `ticket.attachment_added` carries it
    (CONTRACT §13): any object with `pk`, `filename`, `content_type`, `size`, `created_at` and
    `author_user_id` (None for the customer), so the domain need not know the attachments app."""
    return {
        "id": f"{ATTACHMENT_ID_PREFIX}{attachment.pk}",
        "filename": attachment.filename,
        "contenttype": attachment.content_type,
        "size": str(attachment.size),
        "createdtime": format_datetime(attachment.created_at),
        "author": "customer" if attachment.author_user_id is None else "agent",
    }


def rating_result(rating) -> dict[str, str]:
    """E12's result (CONTRACT §11); expects `rating.ticket` loaded with it."""
    return {
        "ticket_no": format_ticket_number(rating.ticket.ticket_number),
        "rating": str(rating.rating),
        "comment": rating.comment,
        "createdtime": format_datetime(rating.created_at),
    }


def ticket_summary(ticket) -> dict[str, str]:
    """`data.ticket` of every webhook payload (CONTRACT §12): exactly these keys in this order,
    valued as in the record."""
    return {
        "ticket_no": format_ticket_number(ticket.ticket_number),
        "id": f"{RECORD_ID_PREFIX}{ticket.pk}",
        "contact_id": prefixed(CONTACT_ID_PREFIX, ticket.contact_number),
        "ticketstatus": ticket.ticket_status,
        "ticket_title": ticket.title,
        "ticketcategories": ticket.ticket_categories,
        "source": ticket.source,
        "modifiedtime": format_datetime(ticket.modified_at),
    }
