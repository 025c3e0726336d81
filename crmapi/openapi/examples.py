"""The examples of the OpenAPI description: the customer's document's own bodies and answers where
it has them (CONTRACT §6, §7), and the error envelopes built from the contract's sentences.

Data only, plus two small builders; every example is checked against its schema by the tests.
"""

from drf_spectacular.utils import OpenApiExample

from crmapi import messages
from crmapi.errors import error_envelope

# The document's example body (the example spelling), as written but for its placeholder date.
DOCUMENT_SPELLING_BODY = {
    "source": "app",
    "ticketstatus": "Open",
    "effectivedate": "",
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

# The same body in the table spelling, the one the request components use.
TABLE_SPELLING_BODY = {
    "ticketStatus": "Open",
    "effectiveDate": "2021-09-11",
    "ticketCategories": "Plan change",
    "tickettitle": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "voucherType": "",
    "voucherIdFormat": "",
    "passwordPattern": "",
    "source": "app",
}

# The document's E4 body.
DOCUMENT_COMMENT_BODY = {"ticketNo": "10057", "comment": "venki testing", "contactId": "649797"}

# The values of the document's E3/E5 answer that are not `""` (CONTRACT §7), and the priority
# this service answers where the document's was `""` (§15).
DOCUMENT_RECORD = {
    "ticket_no": "TT1130",
    "ticketpriorities": "Normal",
    "ticketstatus": "Open",
    "ticketcategories": "Plan change",
    "update_log": "Ticket created.",
    "createdtime": "2020-04-14 17:13:02",
    "modifiedtime": "2020-04-14 17:13:02",
    "ticket_title": "Plan change",
    "description": "Plan change request for ",
    "contact_id": "12x649797",
    "from_portal": "1",
    "effectivedate": "2021-09-11",
    "subcategory": "sub1",
    "source": "app",
    "starred": "0",
    "id": "17x55954",
    "label": "Plan change",
    "category": "cat1",
    "status": "New",
}

# The document's E1 answer.
TICKET_LIST = [
    {
        "ticket_no": "TT1524",
        "ticketstatus": "Open",
        "description": "ctg hjhg",
        "createdtime": "2020-02-14 18:19:47",
        "ticketcategories": "Request",
        "id": "17x95784",
    },
    {
        "ticket_no": "TT990",
        "ticketstatus": "Open",
        "description": "mobile test",
        "createdtime": "2019-09-13 20:15:40",
        "ticketcategories": "Request",
        "id": "17x82089",
    },
]

# E11: the customer closes the document's ticket.
STATUS_BODY = {"ticketNo": "TT1130", "ticketStatus": "Closed", "contactId": "649797"}
CLOSED_BY_CUSTOMER = {
    "ticketstatus": "Closed",
    "update_log": "Ticket created.\n"
    "Status changed from Open to Closed by the customer on 2020-04-16 09:30:00.",
    "modifiedtime": "2020-04-16 09:30:00",
}

# E12: and rates it.
RATING_BODY = {
    "ticketNo": "TT1130",
    "rating": 4,
    "comment": "Solved in a day, thank you.",
    "contactId": "649797",
}
RATING_RESULT = {
    "ticket_no": "TT1130",
    "rating": "4",
    "comment": "Solved in a day, thank you.",
    "createdtime": "2020-04-16 09:31:12",
}

ISSUE_TYPES = {"code": "00000", "issueTypes": ["General Enquiry", "Plan Enquiry"]}
COMMENT_SUBMITTED = {"message": "Comments submitted successfully"}

TICKET_COMMENTS = [
    {
        "id": "31",
        "commentcontent": "venki testing",
        "createdtime": "2021-09-11 10:02:13",
        "author": "customer",
        "authorname": "",
    },
    {
        "id": "32",
        "commentcontent": "Your plan changes tomorrow.",
        "createdtime": "2021-09-11 11:40:00",
        "author": "agent",
        "authorname": "Dana Agent",
    },
]

EXAMPLE_KEY = "5f0c7a8e-3b1d-4c2a-9e6f-1a2b3c4d5e6f"
EXAMPLE_CORRELATION_ID = "123e4567-e89b-12d3-a456-426614174000"

DOCUMENT_HEADERS_MISSING = {
    "source": messages.HEADER_MISSING.format(name="source"),
    "operation": messages.HEADER_MISSING.format(name="operation"),
}


def error_example(name: str, status: int, message: str, code: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=error_envelope(status, message, code), status_codes=[status])


def body_example(**extra: str) -> OpenApiExample:
    return OpenApiExample("Table spelling", value={**TABLE_SPELLING_BODY, **extra}, request_only=True)


def document_body_example(**extra: str) -> OpenApiExample:
    return OpenApiExample("Document spelling", value={**DOCUMENT_SPELLING_BODY, **extra}, request_only=True)
