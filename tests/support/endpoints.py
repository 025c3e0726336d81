"""The endpoints as a client sees them, the default contact, and valid bodies."""

from dataclasses import dataclass

CONTACT = 649797
OTHER_CONTACT = 24218


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation: str
    token_required: bool = True


E1 = Endpoint("get", "/crm/v1/ticket/details", "ticketDetail")
E2 = Endpoint("get", "/crm/v1/ticket/issues", "issueTypes")
E3 = Endpoint("post", "/crm/v1/social/ticket", "create", token_required=False)
E4 = Endpoint("post", "/crm/v1/ticket/comment", "addTicketComment")
E5 = Endpoint("post", "/crm/v1/ticket", "create")
E6 = Endpoint("get", "/crm/v1/ticket/comments", "ticketComments")
E7 = Endpoint("get", "/crm/v1/ticket", "ticketRecord")
ENDPOINTS = {"E1": E1, "E2": E2, "E3": E3, "E4": E4, "E5": E5, "E6": E6, "E7": E7}
DOCUMENTED_ENDPOINTS = [E1, E2, E3, E4, E5]  # the document's own five; E6 and E7 are §10's additions

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
    contact on `ticket_no` (E4), none for a read."""
    if endpoint is E4:
        return {"ticketNo": ticket_no, "comment": "Still waiting.", "contactId": str(CONTACT)}
    return TICKET_BODY if endpoint in (E3, E5) else None
