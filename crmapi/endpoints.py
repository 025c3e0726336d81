"""The /crm/v1/ endpoints, declared once (CONTRACT §1, §10).

Each endpoint's method, path, `operation` header value and token rule are written here and
nowhere else: the routes (urls.py), the header check (views.py → permissions.py), the OpenAPI
description, the API reference's tables, the tests and the benchmark all read them from here, so
a value changed here changes every one of them.

Plain Python on purpose (no Django import): the benchmark's driver and scripts read it without
configuring Django.
"""

from dataclasses import dataclass

API_ROOT = "/crm/v1/"


@dataclass(frozen=True)
class Endpoint:
    name: str  # E1 … E12, as the contract numbers them
    method: str  # lower case, as OpenAPI and the test client spell it
    path: str  # canonical, without the trailing slash the route also accepts
    operation: str  # the value the `operation` header must have (case-insensitive)
    action: str  # the view set's method that answers it
    url_name: str
    operation_id: str  # OpenAPI's operationId
    title: str  # what it does, in a few words
    token_required: bool = True
    documented: bool = True  # in the customer's document; False for CONTRACT §10's additions
    conditional: bool = False  # sends an ETag and answers a matching If-None-Match with 304 (§14)

    @property
    def route(self) -> str:
        """The path below API_ROOT, as urls.py routes it."""
        return self.path.removeprefix(API_ROOT)


E1 = Endpoint(
    "E1",
    "get",
    "/crm/v1/ticket/details",
    "ticketDetail",
    action="details",
    url_name="ticket-details",
    operation_id="listTickets",
    title="List the contact's tickets",
    conditional=True,
)
E2 = Endpoint(
    "E2",
    "get",
    "/crm/v1/ticket/issues",
    "issueTypes",
    action="list",
    url_name="issue-types",
    operation_id="listIssueTypes",
    title="List the issue types",
    conditional=True,
)
E3 = Endpoint(
    "E3",
    "post",
    "/crm/v1/social/ticket",
    "create",
    action="create",
    url_name="social-ticket",
    operation_id="createSocialTicket",
    title="Create a ticket from a social channel",
    token_required=False,
)
E4 = Endpoint(
    "E4",
    "post",
    "/crm/v1/ticket/comment",
    "addTicketComment",
    action="comment",
    url_name="ticket-comment",
    operation_id="addTicketComment",
    title="Add a comment to one of the contact's tickets",
)
E5 = Endpoint(
    "E5",
    "post",
    "/crm/v1/ticket",
    "create",
    action="create",
    url_name="ticket",
    operation_id="createTicket",
    title="Create a ticket for the contact",
)
E6 = Endpoint(
    "E6",
    "get",
    "/crm/v1/ticket/comments",
    "ticketComments",
    action="comments",
    url_name="ticket-comments",
    operation_id="listTicketComments",
    title="Read a ticket's conversation",
    conditional=True,
    documented=False,
)
E7 = Endpoint(
    "E7",
    "get",
    "/crm/v1/ticket",
    "ticketRecord",
    action="record",
    url_name="ticket",
    operation_id="getTicket",
    title="Read one of the contact's tickets",
    conditional=True,
    documented=False,
)
E8 = Endpoint(
    "E8",
    "post",
    "/crm/v1/ticket/attachment",
    "addTicketAttachment",
    action="attach",
    url_name="ticket-attachment",
    operation_id="addTicketAttachment",
    title="Attach a file to one of the contact's tickets",
    documented=False,
)
E9 = Endpoint(
    "E9",
    "get",
    "/crm/v1/ticket/attachments",
    "ticketAttachments",
    action="attachments",
    url_name="ticket-attachments",
    operation_id="listTicketAttachments",
    title="List a ticket's attachments",
    conditional=True,
    documented=False,
)
E10 = Endpoint(
    "E10",
    "get",
    "/crm/v1/ticket/attachment",
    "ticketAttachment",
    action="attachment",
    url_name="ticket-attachment",
    operation_id="getTicketAttachment",
    title="Download one attachment",
    documented=False,
)
E11 = Endpoint(
    "E11",
    "post",
    "/crm/v1/ticket/status",
    "updateTicketStatus",
    action="set_status",
    url_name="ticket-status",
    operation_id="updateTicketStatus",
    title="Close or reopen one of the contact's tickets",
    documented=False,
)
E12 = Endpoint(
    "E12",
    "post",
    "/crm/v1/ticket/rating",
    "rateTicket",
    action="rate",
    url_name="ticket-rating",
    operation_id="rateTicket",
    title="Rate one of the contact's closed tickets",
    documented=False,
)

ENDPOINTS = {endpoint.name: endpoint for endpoint in (E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12)}
DOCUMENTED_ENDPOINTS = [endpoint for endpoint in ENDPOINTS.values() if endpoint.documented]


def operations_of(endpoints) -> dict[str, str]:
    """{view action: operation header value}, what a view set's header check reads."""
    return {endpoint.action: endpoint.operation for endpoint in endpoints}
