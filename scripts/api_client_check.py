"""A Python client generated from openapi.yaml alone works against the live service.

`make api-check` (scripts/api_check.sh) generates the package `crm_client` with
openapi-python-client into a scratch directory, type-checks it and this script with
`mypy --strict`, then runs this: every operation of the description (each path with and without
its trailing slash) is called once through the generated functions and must answer 200 with the
model the description promises.

Usage: api_client_check.py <service base URL> (the token in CRM_API_CHECK_TOKEN).
"""

import datetime
import io
import os
import sys
from typing import Any, cast

from crm_client import AuthenticatedClient, Client
from crm_client.api.attachments import (
    add_ticket_attachment,
    add_ticket_attachment_trailing_slash,
    get_ticket_attachment,
    get_ticket_attachment_trailing_slash,
    list_ticket_attachments,
    list_ticket_attachments_trailing_slash,
)
from crm_client.api.comments import (
    add_ticket_comment,
    add_ticket_comment_trailing_slash,
    list_ticket_comments,
    list_ticket_comments_trailing_slash,
)
from crm_client.api.issue_types import list_issue_types, list_issue_types_trailing_slash
from crm_client.api.social import create_social_ticket, create_social_ticket_trailing_slash
from crm_client.api.tickets import (
    create_ticket,
    create_ticket_trailing_slash,
    get_ticket,
    get_ticket_trailing_slash,
    list_tickets,
    list_tickets_trailing_slash,
    rate_ticket,
    rate_ticket_trailing_slash,
    update_ticket_status,
    update_ticket_status_trailing_slash,
)
from crm_client.models import (
    AddTicketAttachmentOperationEnum,
    AddTicketCommentOperationEnum,
    CommentSubmittedEnvelope,
    CreateOperationEnum,
    CustomerTicketStatusEnum,
    DestinationEnum,
    IssueTypeCatalogueEnvelope,
    IssueTypesOperationEnum,
    RateTicketOperationEnum,
    SocialTicketCreateDocumentRequest,
    SocialTicketCreateRequest,
    TicketAttachmentAddedEnvelope,
    TicketAttachmentOperationEnum,
    TicketAttachmentRequest,
    TicketAttachmentsEnvelope,
    TicketAttachmentsOperationEnum,
    TicketCommentRequest,
    TicketCommentsEnvelope,
    TicketCommentsOperationEnum,
    TicketCreateDocumentRequest,
    TicketCreateRequest,
    TicketDetailOperationEnum,
    TicketListEnvelope,
    TicketRatingEnvelope,
    TicketRatingRequest,
    TicketRecordEnvelope,
    TicketRecordOperationEnum,
    TicketStatusEnum,
    TicketStatusRequest,
    UpdateTicketStatusOperationEnum,
)
from crm_client.types import File, Response

HEADERS: dict[str, Any] = {
    "correlation_id": "123e4567-e89b-12d3-a456-426614174000",
    "source": "Selfcare",
    "sr_date": "11-09-2021",
    "destination": DestinationEnum.CRM,
}
CONTACT = "649797"
# E8's file: UTF-8 text, which the service sniffs as text/plain.
NOTE = b"Router log: link down at 10:15, up at 10:17.\n"

calls = 0


def answered(response: Response[Any], model: type) -> Any:
    """The parsed 200 result, or exit naming the call that failed."""
    global calls
    calls += 1
    envelope: Any = response.parsed
    if response.status_code != 200 or not isinstance(envelope, model):
        sys.exit(f"{model.__name__}: {response.status_code} {response.content[:300]!r}")
    return cast(Any, envelope).response.result


def downloaded(response: Response[Any], content: bytes) -> None:
    """E10's answer is the file: these bytes, read as a File, or exit."""
    global calls
    calls += 1
    file = response.parsed
    if response.status_code != 200 or not isinstance(file, File) or file.payload.read() != content:
        sys.exit(f"E10: {response.status_code} {response.content[:300]!r}")


def ticket_body() -> TicketCreateRequest:
    return TicketCreateRequest(
        ticket_status=TicketStatusEnum.OPEN,
        effective_date=datetime.date(2021, 9, 11),
        ticket_categories="Plan change",
        tickettitle="Plan change",
        description="Plan change request for ",
        subcategory="sub1",
        status="New",
        category="cat1",
        voucher_type="",
        voucher_id_format="",
        password_pattern="",
        source="app",
    )


def main() -> None:
    base_url = sys.argv[1]
    client = AuthenticatedClient(
        base_url=base_url, token=os.environ["CRM_API_CHECK_TOKEN"], prefix="", auth_header_name="token"
    )
    anonymous = Client(base_url=base_url)
    slash = {False: "", True: " (trailing slash)"}
    for trailing in (False, True):
        e5 = create_ticket_trailing_slash.sync_detailed if trailing else create_ticket.sync_detailed
        record = answered(
            e5(client=client, body=ticket_body(), operation=CreateOperationEnum.CREATE, **HEADERS),
            TicketRecordEnvelope,
        )
        ticket_no = record.ticket_no
        document = TicketCreateDocumentRequest(
            ticketstatus="open",
            effectivedate="",
            ticketcategories="Plan change",
            ticket_title="Plan change",
            description="Plan change request for ",
            subcategory="sub1",
            status="New",
            category="cat1",
            vouchertype="",
            voucheridformat="",
            passwordpattern="",
            source="app",
        )
        answered(e5(client=client, body=document, operation="CREATE", **HEADERS), TicketRecordEnvelope)

        e3 = (
            create_social_ticket_trailing_slash.sync_detailed
            if trailing
            else create_social_ticket.sync_detailed
        )
        social = SocialTicketCreateRequest.from_dict({**ticket_body().to_dict(), "contactId": "12x24218"})
        answered(
            e3(client=anonymous, body=social, operation=CreateOperationEnum.CREATE, **HEADERS),
            TicketRecordEnvelope,
        )
        social_document = SocialTicketCreateDocumentRequest.from_dict(
            {**document.to_dict(), "contactId": None}
        )
        answered(
            e3(client=anonymous, body=social_document, operation="create", **HEADERS), TicketRecordEnvelope
        )

        e4 = add_ticket_comment_trailing_slash.sync_detailed if trailing else add_ticket_comment.sync_detailed
        comment = TicketCommentRequest(ticket_no=ticket_no, comment="Any news on this?", contact_id=CONTACT)
        answered(
            e4(
                client=client,
                body=comment,
                operation=AddTicketCommentOperationEnum.ADDTICKETCOMMENT,
                **HEADERS,
            ),
            CommentSubmittedEnvelope,
        )
        in_header = TicketCommentRequest(ticket_no=int(ticket_no.removeprefix("TT")), contact_id=int(CONTACT))
        answered(
            e4(client=client, body=in_header, data="venki testing", operation="addticketcomment", **HEADERS),
            CommentSubmittedEnvelope,
        )

        e6 = (
            list_ticket_comments_trailing_slash.sync_detailed
            if trailing
            else list_ticket_comments.sync_detailed
        )
        conversation = answered(
            e6(
                client=client,
                ticket_no=ticket_no,
                operation=TicketCommentsOperationEnum.TICKETCOMMENTS,
                **HEADERS,
            ),
            TicketCommentsEnvelope,
        )
        assert [item.commentcontent for item in conversation] == ["Any news on this?", "venki testing"]

        e7 = get_ticket_trailing_slash.sync_detailed if trailing else get_ticket.sync_detailed
        answered(
            e7(
                client=client,
                ticket_no=ticket_no,
                operation=TicketRecordOperationEnum.TICKETRECORD,
                **HEADERS,
            ),
            TicketRecordEnvelope,
        )

        e8 = (
            add_ticket_attachment_trailing_slash.sync_detailed
            if trailing
            else add_ticket_attachment.sync_detailed
        )
        upload = TicketAttachmentRequest(
            ticket_no=ticket_no,
            file=File(payload=io.BytesIO(NOTE), file_name="router.log", mime_type="text/plain"),
            contact_id=CONTACT,
        )
        added = answered(
            e8(
                client=client,
                body=upload,
                operation=AddTicketAttachmentOperationEnum.ADDTICKETATTACHMENT,
                **HEADERS,
            ),
            TicketAttachmentAddedEnvelope,
        )
        assert (added.contenttype, added.size) == ("text/plain", str(len(NOTE))), added

        e9 = (
            list_ticket_attachments_trailing_slash.sync_detailed
            if trailing
            else list_ticket_attachments.sync_detailed
        )
        listed = answered(
            e9(
                client=client,
                ticket_no=ticket_no,
                operation=TicketAttachmentsOperationEnum.TICKETATTACHMENTS,
                **HEADERS,
            ),
            TicketAttachmentsEnvelope,
        )
        assert [item.id for item in listed] == [added.id], listed

        e10 = (
            get_ticket_attachment_trailing_slash.sync_detailed
            if trailing
            else get_ticket_attachment.sync_detailed
        )
        downloaded(
            e10(
                client=client,
                id=added.id,
                operation=TicketAttachmentOperationEnum.TICKETATTACHMENT,
                **HEADERS,
            ),
            NOTE,
        )

        e11 = (
            update_ticket_status_trailing_slash.sync_detailed
            if trailing
            else update_ticket_status.sync_detailed
        )
        close = TicketStatusRequest(
            ticket_no=ticket_no, ticket_status=CustomerTicketStatusEnum.CLOSED, contact_id=CONTACT
        )
        closed = answered(
            e11(
                client=client,
                body=close,
                operation=UpdateTicketStatusOperationEnum.UPDATETICKETSTATUS,
                **HEADERS,
            ),
            TicketRecordEnvelope,
        )
        assert closed.ticketstatus == TicketStatusEnum.CLOSED

        e12 = rate_ticket_trailing_slash.sync_detailed if trailing else rate_ticket.sync_detailed
        rating = TicketRatingRequest(
            ticket_no=ticket_no, rating=5, comment="Quick and clear.", contact_id=CONTACT
        )
        rated = answered(
            e12(client=client, body=rating, operation=RateTicketOperationEnum.RATETICKET, **HEADERS),
            TicketRatingEnvelope,
        )
        assert rated.rating == "5"

        e1 = list_tickets_trailing_slash.sync_detailed if trailing else list_tickets.sync_detailed
        tickets = answered(
            e1(
                client=client,
                status=TicketStatusEnum.CLOSED,
                limit=2,
                operation=TicketDetailOperationEnum.TICKETDETAIL,
                **HEADERS,
            ),
            TicketListEnvelope,
        )
        assert tickets[0].ticket_no == ticket_no

        e2 = list_issue_types_trailing_slash.sync_detailed if trailing else list_issue_types.sync_detailed
        catalogue = answered(
            e2(client=client, operation=IssueTypesOperationEnum.ISSUETYPES, **HEADERS),
            IssueTypeCatalogueEnvelope,
        )
        assert catalogue.issue_types, f"no issue types{slash[trailing]}"
    print(f"Python client: {calls} calls, every operation answered 200 with its model")


if __name__ == "__main__":
    main()
