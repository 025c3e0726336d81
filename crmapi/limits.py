"""The /crm/v1/ contract's own limits (CONTRACT §3, §6, §7, §9), each written once.

The domain's limits (a title's or a comment's length) live with the domain, in tickets.models.
These are the contract's: validation, the messages that state them (messages.py formats its
sentences from these constants), the OpenAPI description and the API reference all read them
here. Imports nothing, so that messages.py can.
"""

CORRELATION_ID_MAX_LENGTH = 128  # visible ASCII characters
SOURCE_HEADER_MAX_LENGTH = 64
IDEMPOTENCY_KEY_MAX_LENGTH = 255  # visible ASCII characters
BODY_MAX_MIB = 1
BODY_MAX_BYTES = BODY_MAX_MIB * 1024 * 1024

CHANNEL_NAME_MAX_LENGTH = 24  # an E3 channel's name (CRM_SOCIAL_CHANNEL_KEYS): an idempotency caller
CHANNEL_KEY_MIN_LENGTH = 16  # an E3 channel key
QUOTED_VALUE_MAX_LENGTH = 64  # a client's value quoted in an errorMessage, then `…`

LIST_LIMIT_MAX = 500  # E1's `limit`: its maximum and its default
QUERY_PARAMETERS_MAX = 1000  # Django's own default, stated here so the message can say it
QUERY_INTEGER_DIGITS = 9  # a query integer is at most this many ASCII digits
QUERY_INTEGER_MAX = 10**QUERY_INTEGER_DIGITS - 1
