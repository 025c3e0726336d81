"""Query budgets that several tests share."""

# Each history event a change records makes the webhook outbox read the subscribed endpoints
# (webhooks/outbox.py), one query, even when there are none.
OUTBOX_QUERIES_PER_EVENT = 1
