"""What an agent types in the queue's search box, as the store holds it."""

import re

from tickets.formats import CONTACT_ID_PREFIX, TICKET_NUMBER_PREFIX

# "TT1130" and "12x649797" are searched as the numbers 1130 and 649797.
_PREFIXED_NUMBER = re.compile(rf"\b(?:{TICKET_NUMBER_PREFIX}|{CONTACT_ID_PREFIX})(\d+)\b", re.IGNORECASE)


def ticket_search_terms(search_term: str) -> str:
    return _PREFIXED_NUMBER.sub(r"\1", search_term)
