"""The /crm/v1/ endpoints (CONTRACT §1, §10). Views parse, call one service or selector, and
return; headers, token, envelope and errors are handled by the DRF classes wired below."""

from contextlib import contextmanager
from typing import cast

from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from attachments import selectors as attachment_selectors
from attachments import services as attachment_services
from attachments.downloads import attachment_download
from crmapi import conditional, messages, uploads
from crmapi.authentication import Contact, JWTAuthentication
from crmapi.channels import ChannelKey
from crmapi.endpoints import E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, Endpoint, operations_of
from crmapi.errors import ApiError
from crmapi.headers import header_value
from crmapi.idempotency import idempotent
from crmapi.inputs import (
    required_query_param,
    validate_comment_body,
    validate_list_params,
    validate_rating_body,
    validate_status_body,
    validate_ticket_body,
    validate_upload_form,
)
from crmapi.openapi import operations as schema
from crmapi.parsers import request_json
from crmapi.permissions import IsTokenContact, RequiredHeaders
from crmapi.renderers import EnvelopeNegotiation
from crmapi.throttling import ClientAddressRateThrottle, ContactRateThrottle
from tickets import selectors, services
from tickets.formats import parse_attachment_id, parse_ticket_reference
from tickets.records import attachment_item, comment_item, rating_result, ticket_list_item, ticket_record
from tickets.versions import (
    comments_fingerprint,
    public_comments_fingerprint,
    record_fingerprint,
    ticket_list_version,
)

# The 409 of each refusal of the conversation rule (CONTRACT §11), the ticket echoed as sent.
REFUSAL_MESSAGES = {
    services.TicketClosedForGood: messages.TICKET_CLOSED,
    services.TicketNotClosed: messages.TICKET_NOT_CLOSED,
}


@contextmanager
def refused_as_conflict(ticket_reference: str):
    """A service's refusal of a customer's request becomes its 409 (nothing was stored)."""
    try:
        yield
    except services.CustomerRequestRefused as refusal:
        message = REFUSAL_MESSAGES[type(refusal)]
        raise ApiError(409, message.format(ticket_no=messages.quoted(ticket_reference))) from None


@contextmanager
def attachment_refused(ticket_reference: str):
    """An attachment the rules refuse becomes its answer (CONTRACT §13); nothing was stored."""
    try:
        yield
    except attachment_services.AttachmentTooLarge:
        max_bytes = settings.CRM_ATTACHMENT_MAX_BYTES
        raise ApiError(413, messages.ATTACHMENT_TOO_LARGE.format(max_bytes=max_bytes)) from None
    except attachment_services.AttachmentEmpty:
        raise ApiError(400, messages.ATTACHMENT_EMPTY) from None
    except attachment_services.AttachmentTypeNotAllowed as refusal:
        message = messages.ATTACHMENT_TYPE_NOT_ALLOWED.format(content_type=refusal.content_type)
        raise ApiError(415, message) from None
    except attachment_services.TicketAttachmentsFull:
        raise ApiError(
            409, messages.ATTACHMENTS_FULL.format(ticket_no=messages.quoted(ticket_reference))
        ) from None


class CrmViewSet(viewsets.ViewSet):
    """Shared behaviour of every endpoint.

    - A wrong method is 405 before any header is looked at (CONTRACT §1).
    - OPTIONS needs no header or token and answers `{"allow": [...]}` (§8).
    - Authentication is lazy: `RequiredHeaders` runs first, then `IsTokenContact` touches
      `request.user`, so header errors always win over token errors (§3).
    """

    endpoints: tuple[Endpoint, ...] = ()
    operations: dict[str, str] = {}  # {action: operation header value}, from `endpoints`
    token_required = True
    authentication_classes = [JWTAuthentication]
    permission_classes = [RequiredHeaders, IsTokenContact]
    throttle_classes = [ContactRateThrottle]
    content_negotiation_class = EnvelopeNegotiation

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        """Deferred to `IsTokenContact` (see the class docstring)."""

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return []
        return super().get_permissions()

    def get_throttles(self):
        if self.request.method == "OPTIONS":
            return []
        return super().get_throttles()

    def options(self, request, *args, **kwargs):
        return Response({"allow": self.allowed_methods})

    def contact_number(self) -> int:
        # JWTAuthentication's user is a Contact, never a Django user (the stubs cannot know).
        return cast(Contact, self.request.user).number


class TicketViewSet(CrmViewSet):
    """A contact's own tickets: E1, E4, E5, E6, E7, E8, E9, E10, E11, E12."""

    endpoints = (E1, E4, E5, E6, E7, E8, E9, E10, E11, E12)
    operations = operations_of(endpoints)

    @schema.list_tickets
    def details(self, request):
        """E1: the contact's tickets, newest first; `X-Total-Count` before paging. A client that
        polls with `If-None-Match` gets its 304 from one aggregate query (CONTRACT §14)."""
        params = validate_list_params(request.query_params)
        contact, version = self.contact_number(), None
        if conditional.is_conditional(request):
            version = ticket_list_version(contact_number=contact, status=params.status)
            tag = conditional.entity_tag(E1, contact, params, version.fingerprint())
            if unchanged := conditional.not_modified(request, tag, {"X-Total-Count": str(version.count)}):
                return unchanged
        rows, version = selectors.ticket_list_for_contact(
            contact_number=contact,
            status=params.status,
            limit=params.limit,
            offset=params.offset,
            version=version,
        )
        response = Response(
            [ticket_list_item(row) for row in rows], headers={"X-Total-Count": str(version.count)}
        )
        return conditional.answer(request, response, E1, contact, params, version.fingerprint())

    @schema.create_ticket
    @idempotent("ticket-create")
    def create(self, request):
        """E5: a ticket for the token's contact, whatever the body says (CONTRACT §5)."""
        values = validate_ticket_body(request_json(request), social=False)
        ticket = services.ticket_create(contact_number=self.contact_number(), from_portal=True, **values)
        return Response(ticket_record(ticket))

    @schema.add_ticket_comment
    @idempotent("ticket-comment", content_headers=("data",))
    def comment(self, request):
        """E4: body (400), then contactId against the token (403), then the ticket (404)."""
        body = validate_comment_body(request_json(request), data_header=header_value(request, "data"))
        ticket = self._named_ticket(contact_number=body.contact_number, reference=body.ticket_reference)
        with refused_as_conflict(body.ticket_reference):
            services.comment_create_by_contact(
                ticket=ticket, contact_number=body.contact_number, text=body.comment
            )
        return Response({"message": "Comments submitted successfully"})

    @schema.list_ticket_comments
    def comments(self, request):
        """E6: the public conversation of one of the contact's tickets, oldest first."""
        ticket = self._own_ticket(required_query_param(request.query_params, "ticketNo"))
        if conditional.is_conditional(request):  # the fingerprint first, without the texts
            tag = conditional.entity_tag(
                E6, self.contact_number(), ticket.pk, public_comments_fingerprint(ticket=ticket)
            )
            if unchanged := conditional.not_modified(request, tag):
                return unchanged
        comments = selectors.public_comments_for_ticket(ticket=ticket)
        response = Response([comment_item(c) for c in comments])
        return conditional.answer(
            request, response, E6, self.contact_number(), ticket.pk, comments_fingerprint(comments)
        )

    @schema.get_ticket
    def record(self, request):
        """E7: one of the contact's tickets as the full record."""
        ticket = self._own_ticket(required_query_param(request.query_params, "ticketNo"), with_history=True)
        return conditional.answer(
            request, Response(ticket_record(ticket)), E7, self.contact_number(), record_fingerprint(ticket)
        )

    @schema.update_ticket_status
    @idempotent("ticket-status")
    def set_status(self, request):
        """E11: body (400), contactId (403), the ticket (404), then the reopen rule (409)."""
        body = validate_status_body(request_json(request))
        ticket = self._named_ticket(contact_number=body.contact_number, reference=body.ticket_reference)
        with refused_as_conflict(body.ticket_reference):
            ticket = services.ticket_set_status_by_contact(ticket=ticket, ticket_status=body.ticket_status)
        return Response(ticket_record(ticket))

    @schema.rate_ticket
    @idempotent("ticket-rating")
    def rate(self, request):
        """E12: body (400), contactId (403), the ticket (404), then closed or not (409)."""
        body = validate_rating_body(request_json(request))
        ticket = self._named_ticket(contact_number=body.contact_number, reference=body.ticket_reference)
        with refused_as_conflict(body.ticket_reference):
            rating = services.ticket_rate_by_contact(ticket=ticket, rating=body.rating, comment=body.comment)
        return Response(rating_result(rating))

    @schema.add_ticket_attachment
    @idempotent("ticket-attachment", fingerprint_of=uploads.upload_fingerprint)
    def attach(self, request):
        """E8: the form (415, 400), contactId (403), the ticket (404), then the conversation rule
        (409) and the file's own rules (413, 400, 415, 409), in the contract's order."""
        form = uploads.read_upload(request)
        upload = validate_upload_form(form.pairs, form.files)
        ticket = self._named_ticket(contact_number=upload.contact_number, reference=upload.ticket_reference)
        with refused_as_conflict(upload.ticket_reference), attachment_refused(upload.ticket_reference):
            attachment = attachment_services.attachment_create(
                ticket=ticket, file=upload.file, contact_number=upload.contact_number
            )
        return Response(attachment_item(attachment))

    @schema.list_ticket_attachments
    def attachments(self, request):
        """E9: the public attachments of one of the contact's tickets, oldest first. Attachments
        never change, so their ids are the list's fingerprint."""
        ticket = self._own_ticket(required_query_param(request.query_params, "ticketNo"))
        attachments = list(attachment_selectors.public_attachments_for_ticket(ticket=ticket))
        response = Response([attachment_item(attachment) for attachment in attachments])
        ids = tuple(attachment.pk for attachment in attachments)
        return conditional.answer(request, response, E9, self.contact_number(), ticket.pk, ids)

    @schema.get_ticket_attachment
    def attachment(self, request):
        """E10: the bytes of one public attachment of the contact's tickets (not the envelope),
        or a redirect to them; unknown, malformed, foreign and internal ids are one 404."""
        sent = required_query_param(request.query_params, "id")
        number = parse_attachment_id(sent)
        attachment = None
        if number is not None:
            attachment = attachment_selectors.public_attachment_for_contact(
                attachment_id=number, contact_number=self.contact_number()
            )
        if attachment is None:
            raise ApiError(404, messages.ATTACHMENT_NOT_FOUND.format(id=messages.quoted(sent)))
        return attachment_download(attachment)

    def _named_ticket(self, *, contact_number: int, reference: str):
        """The ticket a write's body names: its contactId must be the token's (403), then the
        ticket must be that contact's (404), in that order (CONTRACT §5)."""
        if contact_number != self.contact_number():
            raise ApiError(403, messages.CONTACT_MISMATCH)
        return self._own_ticket(reference)

    def _own_ticket(self, ticket_reference: str, *, with_history: bool = False):
        """The contact's ticket; unknown, foreign and unparseable references are one 404."""
        reference = parse_ticket_reference(ticket_reference)
        ticket = None
        if reference is not None:
            ticket = selectors.ticket_get_for_contact(
                reference=reference, contact_number=self.contact_number(), with_history=with_history
            )
        if ticket is None:
            raise ApiError(404, messages.TICKET_NOT_FOUND.format(ticket_no=messages.quoted(ticket_reference)))
        return ticket


class IssueTypeViewSet(CrmViewSet):
    """E2: the active issue-type catalogue."""

    endpoints = (E2,)
    operations = operations_of(endpoints)

    @schema.list_issue_types
    def list(self, request):
        """The catalogue is its own fingerprint: one small query either way."""
        names = selectors.issue_type_names()
        response = Response({"code": "00000", "issueTypes": names})
        return conditional.answer(request, response, E2, self.contact_number(), tuple(names))


class SocialTicketViewSet(CrmViewSet):
    """E3: a ticket from a social or app channel; no token (a `token` header is ignored)."""

    endpoints = (E3,)
    operations = operations_of(endpoints)
    token_required = E3.token_required
    authentication_classes = []
    permission_classes = [RequiredHeaders, ChannelKey]
    throttle_classes = [ClientAddressRateThrottle]

    @schema.create_social_ticket
    @idempotent("social-ticket")
    def create(self, request):
        values = validate_ticket_body(request_json(request), social=True)
        ticket = services.ticket_create(from_portal=False, **{"contact_number": None, **values})
        return Response(ticket_record(ticket))


@csrf_exempt
def unknown_api_path(request, *args, **kwargs):
    """Any path under /crm/ that no endpoint matches: the 404 envelope (CONTRACT §8), whatever the
    method. CSRF-exempt like the DRF views: otherwise Django's CSRF check would answer an unsafe
    method first (403), looking at cookies and headers before the path is known to be unknown."""
    raise Http404(request.path)
