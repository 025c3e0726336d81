"""What the domain tells the apps built on it, without importing them.

Receivers run inside the transaction of the change: whatever they write (a webhook outbox row, an
email task) commits with the change or rolls back with it.
"""

from django.dispatch import Signal

# Sent by `history.record_event` once the event row is written, with `event` (the `TicketEvent`;
# its `ticket` is the in-memory ticket as the change left it) and `assignee_ids` (the previous and
# the new assignee's user id for an assignee change, else None: the event itself keeps names) and
# `subject` (what the event is about when no column of the event points at it, e.g. the
# attachment of an `attachment_added` event; else None).
event_recorded = Signal()

# Sent by `history.expect` before a change takes its locks, with `kind` (the `EventKind` of the
# event it will record) and `ticket` (the in-memory ticket, maybe not yet saved): a receiver may
# read now what announcing that event will need and return it; `announce` hands the answers back
# to the receivers of `event_recorded` as `expected`, a dict by receiver of this signal.
event_expected = Signal()
