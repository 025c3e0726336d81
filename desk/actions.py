"""The queue's bulk actions: each through a bulk service, logged per ticket, one transaction."""

from django.contrib import admin, messages
from django.utils.text import slugify

from desk.refusals import bulk_change
from tickets import services
from tickets.models import TicketStatus


def set_status_action(status: str):
    """One action per status, each through `ticket_bulk_set_status` (logged per ticket)."""
    description = "Close selected tickets" if status == TicketStatus.CLOSED else f"Set status to {status}"

    @admin.action(permissions=["change"], description=description)
    def action(modeladmin, request, queryset):
        changed = bulk_change(
            modeladmin,
            request,
            lambda: services.ticket_bulk_set_status(tickets=queryset, by=request.user, ticket_status=status),
        )
        if changed is not None:
            modeladmin.message_user(request, f"{changed} ticket(s) set to {status}.", messages.SUCCESS)

    action.__name__ = f"set_status_{slugify(status).replace('-', '_')}"
    return action


@admin.action(permissions=["change"], description="Assign selected tickets to me")
def assign_to_me(modeladmin, request, queryset):
    changed = bulk_change(
        modeladmin,
        request,
        lambda: services.ticket_bulk_assign(tickets=queryset, by=request.user, assignee=request.user),
    )
    if changed is not None:
        modeladmin.message_user(request, f"{changed} ticket(s) assigned to you.", messages.SUCCESS)


# The actions of the queue, in menu order.
TICKET_ACTIONS = [assign_to_me, *(set_status_action(status) for status in TicketStatus.values)]
