"""Query budgets that several tests share."""

# Each history event a change records makes the webhook outbox read the subscribed endpoints
# (webhooks/outbox.py), one query, even when there are none.
OUTBOX_QUERIES_PER_EVENT = 1
# A change that moves who a ticket waits on reads its SLA clock row and updates it (sla/clocks.py);
# creating a ticket inserts the row instead (one query); other changes cost none.
SLA_QUERIES_PER_CHANGE = 2
