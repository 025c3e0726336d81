"""The components of the OpenAPI description (drf-spectacular): the token's security scheme, the
envelopes, the request bodies and the results (CONTRACT §2, §4, §6, §7, §10).

The API validates bodies by hand (crmapi.inputs), so nothing here validates a request: the
serializers below exist only to give drf-spectacular named components with the contract's rules.
The request bodies' properties are derived from the body fields declared in crmapi.inputs, and the
patterns from the forms in crmapi.headers and tickets.formats, so the description says what the
service does.

Decisions where the contract says nothing about the description itself:
- The JWT is the `token` security scheme (apiKey in header `token`), not a header parameter too:
  generated clients and Swagger UI's "Authorize" then handle it once for every operation.
- Bodies are described with the table spelling of the document (`ticketStatus`, `tickettitle`);
  the example spelling (`ticketstatus`, `ticket_title`) is explained, with the document's body, in
  the body's description (a formal example must validate against the property names).
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_serializer, inline_serializer
from rest_framework import serializers

from attachments.sniffing import ALLOWED_CONTENT_TYPES
from crmapi import headers, inputs
from crmapi.inputs import WHITESPACE
from tickets import formats
from tickets.models import TicketPriority, TicketStatus

# Text the service refuses: blank (only white space) or holding a NUL (CONTRACT §6).
NOT_ONLY_SPACE = rf"[^{WHITESPACE}]"
NON_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
STATUSES = list(TicketStatus.values)
PRIORITIES = list(TicketPriority.values)
DATETIME = rf"^{formats.DATETIME_FORM}$"
# 1 to n visible ASCII characters (correlationId, Idempotency-Key), as crmapi.headers checks them.
VISIBLE_ASCII = rf"^[{headers.VISIBLE_ASCII}]+$"
TICKET_NO = rf"^{formats.TICKET_NUMBER_PREFIX}[0-9]+$"
RECORD_ID = rf"^{formats.RECORD_ID_PREFIX}[0-9]+$"


def prefixed_or_empty(prefix: str) -> str:
    """`formats.prefixed`'s output: the prefix and digits, or "" for none."""
    return rf"^({prefix}[0-9]+)?$"


# --- The token ---------------------------------------------------------------------------------


class TokenScheme(OpenApiAuthenticationExtension):
    """The customer's JWT in the `token` header (CONTRACT §3.3, §4)."""

    target_class = "crmapi.authentication.JWTAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": (
                "A JWT from the customer's identity service; its `sub` is the contact number "
                '(`"649797"`), `exp` is required. A `Bearer ` prefix is tolerated. In development, '
                "mint one with `python manage.py issue_token --contact 649797 --ttl 3600`.\n\n"
                "A missing `token` is 400 like any missing header; it is checked after the other "
                "headers, and every failure is 401 with errorCode `INVALID_TOKEN`, e.g. "
                "`JWT strings must contain exactly 2 period characters. Found: 0`, `JWT expired.`, "
                "`JWT signature does not match.`"
            ),
        }


# --- Envelope components (CONTRACT §2) -----------------------------------------------------------


class SchemaField(serializers.Field):
    """A schema-only field whose OpenAPI schema is given as written (kept as a constructor
    argument, because DRF rebuilds fields from their arguments)."""

    def __init__(self, schema: dict, **kwargs):
        self.schema = schema
        super().__init__(**kwargs)


class SchemaFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SchemaField

    def map_serializer_field(self, auto_schema, direction):
        return self.target.schema


def _text(*, required: bool = True, **schema) -> serializers.Field:
    return SchemaField({"type": "string", **schema}, required=required)


def envelope(name: str, result) -> serializers.Serializer:
    """`{"response": {"success": "true", "result": <result>}}` as the component `<name>Envelope`."""
    response = inline_serializer(
        name=f"{name}Response",
        fields={"success": _text(enum=["true"]), "result": result},
    )
    wrapper = inline_serializer(name=f"{name}Envelope", fields={"response": response})
    # An envelope is one object even when it wraps a list or answers a `list` action (E2).
    extend_schema_serializer(many=False)(type(wrapper))
    return wrapper


class ErrorArguments(serializers.Serializer):
    statusCode = _text(pattern=r"^[1-5][0-9]{2}$", description="The HTTP status, as a string.")
    errorCode = _text(
        description="`<status> <REASON_PHRASE>` (`400 BAD_REQUEST`), or `INVALID_TOKEN` (401) or "
        "`Downstream error` (500, the store is unreachable)."
    )
    errorMessage = _text(description="What went wrong, in one sentence.")


class ErrorResult(serializers.Serializer):
    arguments = ErrorArguments()


class ErrorResponse(serializers.Serializer):
    success = _text(enum=["false"])
    result = ErrorResult()


class ErrorEnvelope(serializers.Serializer):
    """Every error under /crm/, whatever its status."""

    response = ErrorResponse()


# --- Request bodies (CONTRACT §6) --------------------------------------------------------------

SPELLING_NOTE = (
    "Keys match case-insensitively and ignoring underscores: the description gives the two "
    "spellings of the customer's document, the table's (`ticketStatus`, `tickettitle`, "
    "`voucherIdFormat`; canonical) and the example body's (`ticketstatus`, `ticket_title`, "
    "`voucheridformat`), and the service also takes any other case or underscores. Two keys "
    "naming one field are refused; unknown keys are ignored and never stored; `null` counts as "
    "absent. Lengths count Unicode code points. The first failing field, in the order listed, is "
    "reported."
)


# The one code point beyond A-Z whose `str.lower()` is an ASCII letter: the Kelvin sign is a `k`
# (a test scans every code point for others).
LOWERS_TO_ASCII = {"k": "\u212a"}


def _same_lower(letter: str) -> str:
    """Every code point whose `.lower()` is `letter`."""
    return letter.upper() + letter + LOWERS_TO_ASCII.get(letter, "")


def _regex_char(char: str) -> str:
    return char if char.isascii() and (char.isalnum() or char == " ") else f"\\u{ord(char):04x}"


def case_insensitive(values, *, padded: bool = False) -> str:
    """An ECMA-262 pattern matching `values` the way the service compares them, `a.lower() ==
    b.lower()`, written with character classes (`[Oo][Pp][Ee][Nn]`): JSON Schema has no flag for
    case. `padded`: white space around the value is allowed (the service strips it)."""

    def spelled(value: str) -> str:
        return "".join(
            f"[{''.join(_regex_char(c) for c in _same_lower(char.lower()))}]"
            if char.isascii() and char.isalpha()
            else _regex_char(char)
            for char in value
        )

    pad = f"[{WHITESPACE}]*" if padded else ""
    return f"^{pad}(?:{'|'.join(spelled(value) for value in values)}){pad}$"


ENUM_NAME = "x-enum-name"


def any_case(values, name: str, *, padded: bool = False) -> dict:
    """Canonical values (an enum, what generated clients offer; the component `name`, see
    hooks.named_enums) or any case of them (the pattern, what validating gateways also accept)."""
    return {
        "anyOf": [
            {"type": "string", "enum": list(values), ENUM_NAME: name},
            {"type": "string", "pattern": case_insensitive(values, padded=padded)},
        ]
    }


def canonical(values) -> str:
    """The sentence naming the canonical spelling of a case-insensitive value."""
    return f"Canonical: {', '.join(f'`{value}`' for value in values)}; any case is accepted."


def _schema_required(field: inputs.BodyField) -> bool:
    """Whether the description makes the field required: a field a header may carry instead is
    optional to a validator, which cannot see the header."""
    return field.required and field.fallback_header is None


def body_field_schema(field: inputs.BodyField) -> dict:
    """A body field's OpenAPI property, derived from its declaration in crmapi.inputs. An optional
    field may be `null` (CONTRACT §6: `null` counts as absent)."""
    schema = _value_schema(field)
    if not _schema_required(field):
        if "type" in schema:
            schema["nullable"] = True
        else:
            schema["oneOf"][0]["nullable"] = True
    return schema


def _value_schema(field: inputs.BodyField) -> dict:
    if field.kind is inputs.Kind.TEXT:
        blank = field.blank or field.fallback_header is not None
        rules = {"pattern": NO_NUL} if blank else {"minLength": 1, "pattern": NON_BLANK}
        return {"type": "string", "maxLength": field.max_length, "description": field.description, **rules}
    if field.kind is inputs.Kind.STATUS:
        return {
            **any_case(STATUSES, "TicketStatusEnum", padded=True),
            "description": f"{field.description} {canonical(STATUSES)}",
        }
    if field.kind is inputs.Kind.CUSTOMER_STATUS:
        statuses = inputs.CUSTOMER_STATUSES
        return {
            **any_case(statuses, "CustomerTicketStatusEnum", padded=True),
            "description": f"{field.description} {canonical(statuses)}",
            "example": field.example,
        }
    if field.kind is inputs.Kind.RATING:
        digits = "".join(str(rating) for rating in inputs.RATINGS)
        return {
            "oneOf": [
                {"type": "string", "pattern": f"^[{digits}]$", "example": field.example},
                {"type": "integer", "minimum": inputs.RATINGS.start, "maximum": inputs.RATINGS.stop - 1},
            ],
            "description": field.description,
        }
    if field.kind is inputs.Kind.DATE:
        return {
            "anyOf": [
                {"type": "string", "format": "date", "example": field.example},
                {"type": "string", "maxLength": 0},
            ],
            "description": field.description,
        }
    if field.kind is inputs.Kind.CONTACT:
        contact = rf"[{WHITESPACE}]*{formats.CONTACT_NUMBER_FORM}[{WHITESPACE}]*"
        return {
            "oneOf": [
                {
                    "type": "string",
                    "pattern": f"^(?:{contact})?$" if field.blank else f"^{contact}$",
                    "example": field.example,
                },
                {"type": "integer", "minimum": 0, "maximum": formats.NUMBER_MAX},
            ],
            "description": field.description,
        }
    return {
        "oneOf": [
            {"type": "string", "minLength": 1, "pattern": NOT_ONLY_SPACE, "example": field.example},
            {"type": "integer"},
        ],
        "description": field.description,
    }


def form_field_schema(field: inputs.BodyField) -> dict:
    """A form field's property: a multipart/form-data part is text, so only the value's string
    form (with the integer one too, a validator reads `1130` as both and refuses the `oneOf`)."""
    schema = body_field_schema(field)
    if "oneOf" not in schema:
        return schema
    text = next(choice for choice in schema["oneOf"] if choice["type"] == "string")
    return {**text, "description": schema["description"]}


class BodyFieldSchema(serializers.Field):
    """A body field in a request component (a JSON body's, or a form's when `form`); its schema is
    derived from the declaration when the description is generated, so the description always
    says what validation does."""

    def __init__(self, declaration: inputs.BodyField, *, form: bool = False, **kwargs):
        self.declaration = declaration
        self.form = form
        super().__init__(required=_schema_required(declaration), **kwargs)


class BodyFieldSchemaExtension(OpenApiSerializerFieldExtension):
    target_class = BodyFieldSchema

    def map_serializer_field(self, auto_schema, direction):
        schema_of = form_field_schema if self.target.form else body_field_schema
        return schema_of(self.target.declaration)


def request_component(name: str, doc: str, fields, *, key=lambda field: field.name):
    """The named request component of a body, one property per declared field, in order, each
    named by `key` (the table spelling by default)."""
    attributes = {key(field): BodyFieldSchema(field) for field in fields}
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **attributes})


def _example_spelling(field: inputs.BodyField) -> str:
    return field.example_spelling


def ticket_body(name: str, doc: str, *, social: bool) -> PolymorphicProxySerializer:
    """E3's or E5's body: the table spelling (`<name>Request`) or the document's example spelling
    (`<name>DocumentRequest`), both what the service accepts (CONTRACT §6)."""
    fields = inputs.ticket_fields(social=social)
    table = request_component(f"{name}Request", f"{doc} The table spelling. {SPELLING_NOTE}", fields)
    document = request_component(
        f"{name}DocumentRequest",
        f"{doc} The spelling of the customer document's example body. {SPELLING_NOTE}",
        fields,
        key=_example_spelling,
    )
    return PolymorphicProxySerializer(
        component_name=f"{name}Body", serializers=[table, document], resource_type_field_name=None
    )


TicketCreateBody = ticket_body(
    "TicketCreate", "A new ticket (E5 creates it for the token's contact).", social=False
)
SocialTicketCreateBody = ticket_body(
    "SocialTicketCreate", "A ticket from a social or app channel (E3).", social=True
)
TicketCommentRequest = request_component(
    "TicketCommentRequest",
    "A customer comment (E4). Checked in this order: `ticketNo`, `comment`, `contactId` (400),\n"
    "    then `contactId` against the token (403), then the ticket (404), then the reopen period of\n"
    "    a closed ticket (409). Keys match like E3/E5's.",
    inputs.COMMENT_FIELDS,
)
TicketStatusRequest = request_component(
    "TicketStatusRequest",
    "The customer closes or reopens its ticket (E11). Checked in this order: `ticketNo`,\n"
    "    `ticketStatus`, `contactId` (400), then `contactId` against the token (403), then the\n"
    "    ticket (404), then the reopen period (409). Keys match like E3/E5's.",
    inputs.STATUS_FIELDS,
)
TicketRatingRequest = request_component(
    "TicketRatingRequest",
    "The customer rates its closed ticket (E12); a new rating replaces the earlier one. Checked\n"
    "    in this order: `ticketNo`, `rating`, `comment`, `contactId` (400), then `contactId`\n"
    "    against the token (403), then the ticket (404), then whether it is closed (409). Keys\n"
    "    match like E3/E5's.",
    inputs.RATING_FIELDS,
)


# --- Results (CONTRACT §7, §10) ----------------------------------------------------------------


class TicketListItem(serializers.Serializer):
    ticket_no = _text(pattern=TICKET_NO, example="TT1524")
    ticketstatus = _text(enum=STATUSES)
    description = _text()
    createdtime = _text(pattern=DATETIME, example="2020-02-14 18:19:47")
    ticketcategories = _text()
    id = _text(pattern=RECORD_ID, example="17x95784")


class IssueTypeCatalogue(serializers.Serializer):
    """E2's result. Not named after its `issueTypes` key: a generated model would then shadow it."""

    code = _text(enum=["00000"])
    issueTypes = serializers.ListField(child=_text())


_EMPTY = 'Always `""`: the store keeps no data for it.'
RECORD_FIELDS: dict[str, dict[str, Any]] = {
    "ticket_no": {"pattern": TICKET_NO, "description": "`TT` + the ticket number."},
    "assigned_user_id": {
        "pattern": prefixed_or_empty(formats.USER_ID_PREFIX),
        "description": '`19x<staff user id>`, `""` when unassigned.',
    },
    "parent_id": {"description": _EMPTY},
    "ticketpriorities": {
        "enum": PRIORITIES,
        "description": "The priority: the issue type's default for a new ticket, else `Normal`; "
        "only staff change it.",
    },
    "product_id": {"description": _EMPTY},
    "ticketseverities": {"description": _EMPTY},
    "ticketstatus": {"enum": STATUSES},
    "ticketcategories": {},
    "update_log": {"description": "Human-readable history; starts with `Ticket created.`"},
    "hours": {"description": _EMPTY},
    "days": {"description": _EMPTY},
    "createdtime": {"pattern": DATETIME},
    "modifiedtime": {"pattern": DATETIME},
    "modifiedby": {
        "pattern": prefixed_or_empty(formats.USER_ID_PREFIX),
        "description": '`19x<staff user id>`, `""` when none.',
    },
    "ticket_title": {},
    "description": {},
    "solution": {"description": _EMPTY},
    "contact_id": {
        "pattern": prefixed_or_empty(formats.CONTACT_ID_PREFIX),
        "description": '`12x<contact number>`, `""` when none.',
    },
    "from_portal": {"enum": ["0", "1"], "description": "`1` for E5, `0` for E3."},
    "effectivedate": {"pattern": rf"^({formats.DATE_FORM})?$"},
    "subcategory": {},
    "source": {"description": "The body's channel."},
    "starred": {"enum": ["0", "1"]},
    "tags": {"description": _EMPTY},
    "cf_1518": {"description": _EMPTY},
    "cf_1520": {"description": _EMPTY},
    "cf_1522": {"description": _EMPTY},
    "cf_1524": {"description": _EMPTY},
    "cf_1526": {"description": _EMPTY},
    "internalmemo": {"description": _EMPTY},
    "vendorid": {"description": _EMPTY},
    "vouchertype": {},
    "requiredprefix": {"description": _EMPTY},
    "rechargeinterfaces": {"description": _EMPTY},
    "voucheridformat": {},
    "passwordpattern": {},
    "currencyid": {"description": _EMPTY},
    "id": {"pattern": RECORD_ID, "description": "`17x<record id>`."},
    "label": {"description": "The title."},
    "category": {},
    "status": {"description": "The channel's status, as sent."},
}

TicketRecord = inline_serializer(
    name="TicketRecord",
    fields={key: _text(**schema) for key, schema in RECORD_FIELDS.items()},
)


TICKET_RECORD_ENVELOPE = envelope("TicketRecord", TicketRecord)


class TicketComment(serializers.Serializer):
    id = _text(pattern=r"^[0-9]+$")
    commentcontent = _text()
    createdtime = _text(pattern=DATETIME)
    author = _text(enum=["customer", "agent"])
    authorname = _text(description='The agent\'s display name; `""` for the customer.')


class TicketRatingResult(serializers.Serializer):
    """E12's result: the rating as stored."""

    ticket_no = _text(pattern=TICKET_NO, example="TT1130")
    rating = _text(enum=[str(rating) for rating in inputs.RATINGS])
    comment = _text(description='The rating\'s comment; `""` when none.')
    createdtime = _text(pattern=DATETIME, description="When this rating was given.")


class CommentSubmitted(serializers.Serializer):
    message = _text(enum=["Comments submitted successfully"])


ATTACHMENT_ID = rf"^{formats.ATTACHMENT_ID_PREFIX}[0-9]+$"


class TicketAttachment(serializers.Serializer):
    """An attachment as E8 answers it and E9 lists it (CONTRACT §13)."""

    id = _text(pattern=ATTACHMENT_ID, example="21x1")
    filename = _text(
        description="The part's file name, cleaned: its last path component, no control characters."
    )
    contenttype = _text(enum=list(ALLOWED_CONTENT_TYPES), description="Sniffed from the bytes.")
    size = _text(pattern=r"^[0-9]+$", description="In bytes.")
    createdtime = _text(pattern=DATETIME)
    author = _text(enum=["customer", "agent"])


class FileField(serializers.Field):
    """A form's file part: its bytes."""


class FileFieldExtension(OpenApiSerializerFieldExtension):
    target_class = FileField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "format": "binary",
            "description": "The file. Its type is sniffed from the bytes.",
        }


TicketAttachmentRequest = type(
    "TicketAttachmentRequest",
    (serializers.Serializer,),
    {
        "__doc__": "E8's multipart/form-data form: the ticket, the file and the contact.",
        "__module__": __name__,
        "ticketNo": BodyFieldSchema(inputs.TICKET_NO_FIELD, form=True),
        "file": FileField(),
        "contactId": BodyFieldSchema(inputs.CONTACT_ID_FIELD, form=True),
    },
)
