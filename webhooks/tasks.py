"""The worker's tasks for webhooks (django-tasks; run by `manage.py run_worker`)."""

from django_tasks import task

from webhooks import delivery


@task()
def deliver(delivery_id: int) -> None:
    """One attempt of one delivery, when it is due; the next attempt is queued by the attempt."""
    delivery.attempt(delivery_id)
