"""Every sentence the /crm/v1/ contract answers with, written once.

Sentences that state a limit are formatted from the constant the rule itself reads (limits.py),
so a limit changed there changes the sentence too. Code raises these and tests import them;
`tests/crmapi/test_contract_messages.py` writes the contract's sentences out letter for letter, so
a constant that drifts from the contract fails there.
"""

from crmapi.limits import (
    BODY_MAX_MIB,
    CORRELATION_ID_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    LIST_LIMIT_MAX,
    QUERY_PARAMETERS_MAX,
    QUOTED_VALUE_MAX_LENGTH,
    SOURCE_HEADER_MAX_LENGTH,
)


def quoted(value: str) -> str:
    """A client's value as a sentence quotes it (a `ticketNo`, a key, a content type, a path):
    whole up to 64 characters, else its first 64 and `…`, so no input makes an answer grow
    without bound."""
    if len(value) <= QUOTED_VALUE_MAX_LENGTH:
        return value
    return value[:QUOTED_VALUE_MAX_LENGTH] + "…"


HEADER_MISSING = "Header '{name}' not present in the request."
HEADER_CORRELATION_ID_INVALID = (
    f"Header 'correlationId' must be 1 to {CORRELATION_ID_MAX_LENGTH} visible ASCII characters "
    "without spaces."
)
HEADER_SOURCE_TOO_LONG = f"Header 'source' must be 1 to {SOURCE_HEADER_MAX_LENGTH} characters."
HEADER_SOURCE_NOT_ALLOWED = "Header 'source' must be one of: {allowed}."
HEADER_SR_DATE_INVALID = "Header 'srDate' must be a real date in DD-MM-YYYY format."
HEADER_OPERATION_INVALID = "Header 'operation' must be '{operation}' for this endpoint."
HEADER_DESTINATION_INVALID = "Header 'destination' must be 'CRM'."

TOKEN_PERIODS = "JWT strings must contain exactly 2 period characters. Found: {count}"
TOKEN_EXPIRED = "JWT expired."
TOKEN_BAD_SIGNATURE = "JWT signature does not match."
TOKEN_MALFORMED = "JWT could not be decoded."
TOKEN_ALGORITHM_NOT_ALLOWED = "JWT algorithm is not allowed."
TOKEN_CLAIM_NOT_NUMERIC = "JWT claim '{claim}' must be a number of seconds."
TOKEN_CLAIM_MISSING = "JWT is missing the required '{claim}' claim."
TOKEN_ISSUER_INVALID = "JWT issuer is not accepted."
TOKEN_AUDIENCE_INVALID = "JWT audience is not accepted."
TOKEN_NOT_YET_VALID = "JWT is not yet valid."
TOKEN_SUBJECT_INVALID = "JWT subject must be a contact number."
TOKEN_INVALID = "JWT is not valid."
# Only when E3's channel keys are configured (CRM_SOCIAL_CHANNEL_KEYS); not a contract sentence.
CHANNEL_KEY_INVALID = "Header 'X-Channel-Key' must carry this channel's key."

BODY_MALFORMED = "Malformed JSON request body."
BODY_NOT_OBJECT = "Request body must be a JSON object."
BODY_TOO_LARGE = f"Request body must not exceed {BODY_MAX_MIB} MiB."
BODY_UNSUPPORTED_MEDIA_TYPE = "Content type '{content_type}' is not supported; send application/json."
BODY_CONTENT_TYPE_MISSING = "Header 'Content-Type' not present in the request; send application/json."

FIELD_REQUIRED = "Field '{name}' is required."
FIELD_NOT_STRING = "Field '{name}' must be a string."
FIELD_NOT_STRING_OR_INTEGER = "Field '{name}' must be a string or an integer."
FIELD_TOO_LONG = "Field '{name}' must be at most {max_length} characters."
FIELD_BAD_CHARACTERS = "Field '{name}' contains characters that are not allowed."
FIELD_DUPLICATE = "Field '{name}' is given more than once."
FIELD_BAD_DATE = "Field '{name}' must be a date in YYYY-MM-DD format."
FIELD_BAD_STATUS = "Field '{name}' must be one of: Open, In Progress, Wait For Response, Closed."
FIELD_BAD_CONTACT = "Field '{name}' must be a contact number."
FIELD_BAD_CUSTOMER_STATUS = "Field '{name}' must be Open or Closed."
FIELD_BAD_RATING = "Field '{name}' must be a whole number from 1 to 5."

QUERY_REQUIRED = "Query parameter '{name}' is required."
QUERY_BAD_STATUS = "Query parameter 'status' must be one of: Open, In Progress, Wait For Response, Closed."
QUERY_TOO_MANY = f"A request may carry at most {QUERY_PARAMETERS_MAX} query parameters."
QUERY_BAD_LIMIT = f"Query parameter 'limit' must be an integer from 1 to {LIST_LIMIT_MAX}."
QUERY_BAD_OFFSET = "Query parameter 'offset' must be an integer of 0 or more."

CONTACT_MISMATCH = "contactId does not match the token."
TICKET_NOT_FOUND = "Ticket '{ticket_no}' not found."
TICKET_CLOSED = "Ticket '{ticket_no}' is closed; please create a new ticket."
TICKET_NOT_CLOSED = "Ticket '{ticket_no}' can be rated only when it is closed."

ATTACHMENT_NOT_FOUND = "Attachment '{id}' not found."
ATTACHMENT_TOO_LARGE = "File is larger than {max_bytes} bytes."
ATTACHMENT_EMPTY = "Field 'file' must not be empty."
ATTACHMENT_TYPE_NOT_ALLOWED = "File type '{content_type}' is not allowed."
ATTACHMENTS_FULL = "Ticket '{ticket_no}' already has the most attachments allowed."
UPLOAD_UNSUPPORTED_MEDIA_TYPE = "Content type '{content_type}' is not supported; send multipart/form-data."
UPLOAD_CONTENT_TYPE_MISSING = "Header 'Content-Type' not present in the request; send multipart/form-data."
UPLOAD_MALFORMED = "Malformed multipart/form-data request body."
UPLOAD_TOO_MANY_PARTS = f"A request may carry at most {QUERY_PARAMETERS_MAX} form fields."

PATH_NOT_FOUND = "No endpoint at '{path}'."
METHOD_NOT_ALLOWED = "Method '{method}' is not allowed on this endpoint."
THROTTLED = "Too many requests. Retry in {wait} seconds."
IDEMPOTENCY_KEY_INVALID = (
    f"Header 'Idempotency-Key' must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters "
    "without spaces."
)
IDEMPOTENCY_KEY_REUSED = "Idempotency-Key '{key}' was already used for a different request."
IDEMPOTENCY_KEY_IN_FLIGHT = "Idempotency-Key '{key}' is already being processed."
DOWNSTREAM_ERROR_CODE = "Downstream error"
DOWNSTREAM_MESSAGE = "- Not Able to connect with CRM."
INTERNAL_ERROR = "Internal error. Reference: {reference}."
INVALID_TOKEN_CODE = "INVALID_TOKEN"
