"""The endpoints as a client sees them (declared once, in crmapi.endpoints), the default contact,
and valid bodies."""

from crmapi.endpoints import (  # noqa: F401  (re-exported: the tests' names for them)
    DOCUMENTED_ENDPOINTS,
    E1,
    E2,
    E3,
    E4,
    E5,
    E6,
    E7,
    E8,
    E9,
    E10,
    E11,
    E12,
    ENDPOINTS,
    Endpoint,
)

CONTACT = 649797
OTHER_CONTACT = 24218

# CONTRACT §3: the mandatory headers besides `token`, in the order they are checked.
MANDATORY_HEADERS = ["correlationId", "source", "srDate", "operation", "destination"]

# The document's example body (E3, E5), with a real effective date.
TICKET_BODY = {
    "source": "app",
    "ticketstatus": "Open",
    "effectivedate": "2021-09-11",
    "ticketcategories": "Plan change",
    "ticket_title": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "vouchertype": "",
    "voucheridformat": "",
    "passwordpattern": "",
}


def valid_body(endpoint: Endpoint, ticket_no: str = "TT1130") -> dict | None:
    """A valid body for `endpoint`: the document's ticket (E3, E5), a comment of the default
    contact on `ticket_no` (E4), closing it (E11), rating it (E12), none for a read."""
    if endpoint is E4:
        return {"ticketNo": ticket_no, "comment": "Still waiting.", "contactId": str(CONTACT)}
    if endpoint is E11:
        return {"ticketNo": ticket_no, "ticketStatus": "Closed", "contactId": str(CONTACT)}
    if endpoint is E12:
        return {"ticketNo": ticket_no, "rating": 4, "comment": "Thanks.", "contactId": str(CONTACT)}
    return TICKET_BODY if endpoint in (E3, E5) else None
