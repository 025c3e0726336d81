"""Who a ticket waits on, and since when: the rule the services apply in the transaction of each
change, and the data migration applies to the history of the tickets that existed before it.

The rule follows the conversation (CONTRACT §11):

- A customer's comment, and any change that puts a `Closed` or `Wait For Response` ticket back
  to `Open` or `In Progress` (a reopen, by the customer or an agent), make the ticket wait on
  an agent.
- An agent's public reply, and setting `Wait For Response`, make it wait on the customer.
- `Closed` makes it wait on nobody, since it was closed.
- An internal note, an assignment, a priority change and a change between `Open` and
  `In Progress` leave it as it is.

"Since" is when the side that is waited on started waiting: a second comment of a customer who
is already waited on keeps the first one's time, so the queue's "longest waiting first" means
what it says.

Pure functions over plain values, importing no model: `Ticket` imports the choices from here and
the migration calls the same rule on its historical models.
"""

import datetime
from dataclasses import dataclass

from django.db import models

# Spelled as `TicketStatus` stores them (tickets.models imports this module, not the reverse).
OPEN, IN_PROGRESS, WAIT_FOR_RESPONSE, CLOSED = "Open", "In Progress", "Wait For Response", "Closed"


class WaitingOn(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"
    NOBODY = "nobody", "Nobody"


@dataclass(frozen=True)
class Waiting:
    on: str
    since: datetime.datetime


def _wait_on(current: Waiting, on: str, at: datetime.datetime) -> Waiting:
    """`on` waits from `at`, unless it was already the one waited on."""
    return current if current.on == on else Waiting(on, at)


def waiting_at_creation(ticket_status: str, at: datetime.datetime) -> Waiting:
    """A new ticket waits on an agent, unless created closed or waiting for the customer."""
    if ticket_status == CLOSED:
        return Waiting(WaitingOn.NOBODY, at)
    if ticket_status == WAIT_FOR_RESPONSE:
        return Waiting(WaitingOn.CUSTOMER, at)
    return Waiting(WaitingOn.AGENT, at)


def waiting_after_status(current: Waiting, *, old: str, new: str, at: datetime.datetime) -> Waiting:
    if new == CLOSED:
        return _wait_on(current, WaitingOn.NOBODY, at)
    if new == WAIT_FOR_RESPONSE:
        return _wait_on(current, WaitingOn.CUSTOMER, at)
    if old in (CLOSED, WAIT_FOR_RESPONSE):  # back to Open or In Progress: an agent's turn
        return _wait_on(current, WaitingOn.AGENT, at)
    return current


def waiting_after_comment(
    current: Waiting, *, by_customer: bool, ticket_status: str, at: datetime.datetime
) -> Waiting:
    """After a public comment (an internal note changes nothing). A comment on a ticket that
    stays closed (an agent's last word) leaves it waiting on nobody."""
    if ticket_status == CLOSED:
        return current
    return _wait_on(current, WaitingOn.AGENT if by_customer else WaitingOn.CUSTOMER, at)
