"""The support desk: the Django admin where agents work the ticket queue.

Every change to a ticket or its conversation goes through `tickets.services`, so the update log,
`modified_by`/`modified_at` and the internal-note rule hold however a change arrives. Only the
workflow fields (status, assignee) are editable: what the customer or the system wrote is
read-only. Tickets are created by the API channels only, so the desk has no "Add ticket".
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.timesince import timesince

from attachments.downloads import attachment_download
from attachments.models import Attachment
from attachments.services import AttachmentRefused, attachment_create
from attachments.sniffing import ALLOWED_CONTENT_TYPES
from desk.actions import TICKET_ACTIONS
from desk.canned import PLACEHOLDERS, known_placeholders, preview_canned_reply
from desk.customer_history import customer_history_panel
from desk.filters import AssigneeFilter, CategoryFilter, RatingFilter, SlaFilter, WaitingFilter
from desk.forms import (
    REPLY_BUTTON,
    DeskLoginForm,
    ReplyAction,
    ReplyForm,
    StaffChoiceField,
    active_staff,
    attachment_refusal_text,
    canned_reply_choices,
    reply_action,
)
from desk.models import CannedReply
from desk.refusals import ServiceRefused, service_refusals
from desk.search import queue_search
from desk.sla import QUEUE_ORDER, SlaColumns
from tickets import services
from tickets.formats import RECORD_ID_PREFIX, format_datetime, format_ticket_number, user_display_name
from tickets.models import (
    RATING_MAX,
    Comment,
    IssueType,
    Ticket,
    TicketPriority,
    TicketRating,
    TicketStatus,
)
from tickets.search import SEARCH_SYNTAX_HELP
from tickets.workflow import WaitingOn

admin.site.site_header = "CRM support desk"
admin.site.site_title = "Support desk"
admin.site.index_title = "Support desk"
admin.site.enable_nav_sidebar = False  # the queue needs the width
admin.site.login_form = DeskLoginForm  # failed logins are limited (desk/login_limits.py)
admin.site.index_template = "desk/index.html"  # the dashboard above the apps (desk/dashboard.py)

NO_CHANGES = "No changes to save."
# Set on a request whose ticket save changed nothing (see TicketAdmin.log_change).
_NOTHING_CHANGED = "_desk_nothing_changed"

# The priority column sorts by urgency (Low first, Urgent last), not by the name.
PRIORITY_RANK = Case(
    *(When(priority=priority, then=Value(rank)) for rank, priority in enumerate(TicketPriority.values)),
    output_field=IntegerField(),
)
COMMENT_COUNT = Coalesce(
    Subquery(
        Comment.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    ),
    0,
)
# Who the ticket waits on, as an agent reads it; nobody (a closed ticket) has no label.
WAITING_LABELS = {WaitingOn.AGENT: "On us", WaitingOn.CUSTOMER: "On the customer"}


def rating_of(ticket: Ticket) -> TicketRating | None:
    """The ticket's rating, or None: the queue has joined it (`list_select_related`), the
    ticket page reads it."""
    try:
        return ticket.rating
    except TicketRating.DoesNotExist:
        return None


# --- The conversation --------------------------------------------------------------------------

# Shown as a thumbnail in the conversation; every other type is a link with its name and size.
THUMBNAIL_TYPES = frozenset(kind for kind in ALLOWED_CONTENT_TYPES if kind.startswith("image/"))
DOWNLOAD_URL_NAME = "tickets_ticket_attachment"


def attachment_links(attachments) -> str:
    """Each attachment as a link to the staff download (`TicketAdmin.attachment_view`): an image
    as its thumbnail, anything else as its name and size. The thumbnail is the download itself:
    an <img> shows it although the download says `attachment`, so no file is ever served inline."""
    items = []
    for attachment in attachments:
        url = reverse(f"admin:{DOWNLOAD_URL_NAME}", args=[attachment.ticket_id, attachment.pk])
        label = f"{attachment.filename} ({filesizeformat(attachment.size)})"
        if attachment.content_type in THUMBNAIL_TYPES:
            items.append(
                format_html(
                    '<a class="desk-attachment desk-thumbnail" href="{}" title="{}">'
                    '<img src="{}" alt="{}" loading="lazy"></a>',
                    url,
                    label,
                    url,
                    attachment.filename,
                )
            )
        else:
            items.append(format_html('<a class="desk-attachment" href="{}">{}</a>', url, label))
    return format_html_join("", "{}", ((item,) for item in items))


class ConversationInline(admin.TabularInline):
    """The ticket's messages, oldest first, read-only for everyone: what was said stays said."""

    model = Comment
    template = "admin/tickets/ticket/conversation.html"  # each message a card, its kind marked
    verbose_name = "message"
    verbose_name_plural = "conversation"
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "visibility", "text", "files")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author_user").prefetch_related("attachments")

    @admin.display(description="attachments")
    def files(self, comment):
        return attachment_links(comment.attachments.all())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="author")
    def author(self, comment):
        if comment.author_user is not None:
            return f"{user_display_name(comment.author_user)} (staff)"
        return f"Customer {comment.author_contact}"

    @admin.display(description="visibility")
    def visibility(self, comment):
        if comment.is_internal:
            return format_html('<span class="desk-internal">{}</span>', "Internal note")
        return "Public"


class ReplyInline(admin.StackedInline):
    """One blank reply per save, sent by one of the reply buttons (`ReplyAction`) and saved by
    `comment_create_by_agent` in `TicketAdmin.save_formset`."""

    model = Comment
    form = ReplyForm
    verbose_name = "reply"
    verbose_name_plural = "add a reply"
    extra = 1
    max_num = 1
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        """A POST says how many forms it carries; one forging more than one is a form error on
        the page, and nothing of the save is kept, instead of as many replies as it claims."""
        return super().get_formset(request, obj, validate_max=True, absolute_max=self.max_num, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


# --- Tickets -----------------------------------------------------------------------------------


@admin.register(Ticket)
class TicketAdmin(SlaColumns, admin.ModelAdmin):
    """The queue and the ticket page.

    The queue's default order is the soonest due first (desk/sla.py: the earliest running SLA
    target; tickets with nothing running after those), then whose turn it is: first the tickets
    waiting on us (an agent), longest waiting first; then those waiting on the customer, longest
    waiting first (the ones to chase or close); then the closed ones, which wait on nobody,
    longest closed first: `waiting_on` ("agent" < "customer" < "nobody") then `waiting_since`.
    A column header sorts by that column instead.
    """

    list_display = (
        "ticket_no",
        "title",
        "status_badge",
        "priority_badge",
        "due",
        "waiting",
        "categories",
        "contact",
        "assignee",
        "created_at",
        "modified_at",
        "comment_count",
        "rating_mark",
    )
    list_display_links = ("ticket_no", "title")
    list_filter = (
        SlaFilter,
        WaitingFilter,
        "ticket_status",
        "priority",
        ("ticket_categories", CategoryFilter),
        "source",
        AssigneeFilter,
        RatingFilter,
        "created_at",
    )
    list_select_related = ("assigned_to", "rating", "sla_clock")
    list_per_page = 50
    ordering = QUEUE_ORDER
    date_hierarchy = "created_at"
    # The admin shows its search box when there are search fields; the search itself is the
    # domain's (get_search_results), over the title, description and every comment.
    search_fields = ("title", "description", "comments__text")
    search_help_text = SEARCH_SYNTAX_HELP
    # The queue's count of all tickets beside a search's or filter's count is one more count of
    # the whole table; "Show all" links to it instead.
    show_full_result_count = False
    actions = TICKET_ACTIONS
    # Where each fieldset sits on the ticket page (admin/tickets/ticket/change_form.html): the
    # class "desk-summary" on top, "desk-side" in the column beside the conversation and the reply
    # box, any other below them; "collapse" folds the channel's own fields away.
    fieldsets = (
        (
            "Ticket",
            {
                "classes": ("desk-summary",),
                "fields": (
                    ("ticket_no", "record_id", "contact", "ticket_categories"),
                    "title",
                    "description",
                ),
            },
        ),
        (
            "Status, priority and assignment",
            {
                "classes": ("desk-side",),
                "fields": (("ticket_status", "priority", "assigned_to"), "waiting_summary", "service_level"),
            },
        ),
        ("Customer's rating", {"classes": ("desk-side",), "fields": (("rating_given", "rating_comment"),)}),
        ("Customer's attachments", {"classes": ("desk-side",), "fields": ("customer_attachments",)}),
        (
            "Channel fields",
            {
                "classes": ("collapse",),
                "fields": (
                    ("source", "from_portal"),
                    ("category", "subcategory"),
                    ("status", "effective_date"),
                    ("voucher_type", "voucher_id_format", "password_pattern"),
                ),
            },
        ),
        ("History", {"fields": (("created_at", "modified_at", "modified_by_name"), "update_log")}),
    )
    readonly_fields = (
        "ticket_no",
        "record_id",
        "title",
        "description",
        "contact",
        "source",
        "from_portal",
        "ticket_categories",
        "category",
        "subcategory",
        "status",
        "effective_date",
        "voucher_type",
        "voucher_id_format",
        "password_pattern",
        "created_at",
        "modified_at",
        "modified_by_name",
        "update_log",
        "rating_given",
        "rating_comment",
        "waiting_summary",
        "service_level",
        "customer_attachments",
    )
    inlines = (ConversationInline, ReplyInline)

    class Media:
        css = {"all": ["desk/desk.css", "desk/sla.css"]}

    def get_queryset(self, request):
        """The comment count as a subquery per row, not a join with GROUP BY: the list filters
        read their choices through this queryset, and a grouped join over every ticket and comment
        made each of them scan the whole conversation table (15 s at 2M tickets)."""
        return super().get_queryset(request).annotate(comment_count=COMMENT_COUNT)

    def get_search_results(self, request, queryset, search_term):
        """The domain's search over the whole conversation, which never repeats a ticket."""
        return queue_search(request, queryset, search_term), False

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Ticket queue", **(extra_context or {})})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = active_staff()
            kwargs["form_class"] = StaffChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """The reply box learns which reply button was pressed, so it can require its text, and
        the canned replies written out for this ticket and this agent."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ReplyInline):
            action = reply_action(request.POST) if request.method == "POST" else None
            canned = canned_reply_choices(ticket=obj, agent=request.user)
            kwargs["form_kwargs"] = {"reply_action": action, "canned_replies": canned}
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The reply buttons sit in the page's action bar (admin/tickets/ticket/change_form.html),
        for whoever may add a reply; the customer's history beside the conversation."""
        can_reply = any(
            isinstance(formset.opts, ReplyInline) and formset.has_add_permission
            for formset in context.get("inline_admin_formsets", [])
        )
        context["reply_actions"] = list(ReplyAction) if can_reply else []
        context["reply_button"] = REPLY_BUTTON
        context["customer_history"] = customer_history_panel(obj) if obj is not None else None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        """After a reply the agent stays on the ticket, to see it in the conversation, as with
        "Save and continue editing"."""
        if reply_action(request.POST) is not None and "_continue" not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_change(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service's refusal while saving leaves through the admin's own transaction, which
        rolls the whole save back (status, assignee and reply alike), and comes back to the
        ticket page as an error message instead of a 500."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def log_change(self, request, obj, message):
        """A save that changed nothing (no field, no reply) writes no "No fields changed." to
        the admin's history; `message_user` then says so instead of "changed successfully"."""
        if not message:
            setattr(request, _NOTHING_CHANGED, True)
            return None
        return super().log_change(request, obj, message)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and getattr(request, _NOTHING_CHANGED, False):
            message, level = NO_CHANGES, messages.INFO
        super().message_user(request, message, level, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        """Status, assignee and priority through `ticket_update`, which logs who changed what and
        when.
        "Send and set Wait For Response" sets that status whatever the status field says; its
        reply follows in `save_formset`, in the same transaction (the admin's one save)."""
        status = form.cleaned_data["ticket_status"]
        if reply_action(request.POST) is ReplyAction.SEND_AND_WAIT:
            status = TicketStatus.WAIT_FOR_RESPONSE
        with service_refusals():
            services.ticket_update(
                ticket=obj,
                by=request.user,
                ticket_status=status,
                assignee=form.cleaned_data["assigned_to"],
                priority=form.cleaned_data["priority"],
            )

    def get_urls(self):
        download = path(
            "<int:object_id>/attachments/<int:attachment_id>/",
            self.admin_site.admin_view(self.attachment_view, cacheable=True),
            name=DOWNLOAD_URL_NAME,
        )
        return [download, *super().get_urls()]

    def attachment_view(self, request, object_id, attachment_id):
        """Staff download one of the ticket's attachments, internal notes' included, with the
        same safe headers as the customer's download (attachments.downloads)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = Attachment.objects.filter(pk=attachment_id, ticket_id=object_id).first()
        if attachment is None:
            raise Http404("No such attachment on this ticket.")
        return attachment_download(attachment)

    def save_formset(self, request, form, formset, change):
        """The conversation is read-only; a reply becomes a comment through the service, public
        or internal as the button pressed says (the form refuses a reply without one), and its
        files attachments of that comment, in the same transaction (the admin's one save). A
        canned reply sent as it is (no JavaScript) sets its status first, as the status field
        would have; "Send and set Wait For Response" still sets that status instead."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not issubclass(formset.form, ReplyForm):
            return
        for reply in formset.forms:
            action = reply.reply_action
            if action is not None and reply.has_changed():
                with service_refusals():
                    if reply.status_to_set and action is not ReplyAction.SEND_AND_WAIT:
                        services.ticket_update(
                            ticket=form.instance, by=request.user, ticket_status=reply.status_to_set
                        )
                    comment = services.comment_create_by_agent(
                        ticket=form.instance,
                        author=request.user,
                        text=reply.cleaned_data["text"],
                        is_internal=action.is_internal,
                    )
                for file in reply.cleaned_data["attachments"]:
                    try:
                        attachment_create(ticket=form.instance, file=file, comment=comment)
                    except AttachmentRefused as refusal:  # the ticket filled up since the form's check
                        raise ServiceRefused(attachment_refusal_text(refusal, file.name)) from refusal
                formset.new_objects.append(comment)

    @admin.display(description="ticket", ordering="ticket_number")
    def ticket_no(self, ticket):
        return format_ticket_number(ticket.ticket_number)

    @admin.display(description="record id")
    def record_id(self, ticket):
        return f"{RECORD_ID_PREFIX}{ticket.pk}"

    @admin.display(description="status", ordering="ticket_status")
    def status_badge(self, ticket):
        return format_html(
            '<span class="desk-status desk-status-{}">{}</span>',
            slugify(ticket.ticket_status),
            ticket.ticket_status,
        )

    @admin.display(description="priority", ordering=PRIORITY_RANK)
    def priority_badge(self, ticket):
        return format_html(
            '<span class="desk-priority desk-priority-{}">{}</span>',
            slugify(ticket.priority),
            ticket.priority,
        )

    @admin.display(description="waiting", ordering="waiting_since")
    def waiting(self, ticket):
        """Whose turn it is and for how long, at a glance ("On us for 3 hours"); the exact time
        in the tooltip. A closed ticket waits on nobody: the empty value."""
        label = WAITING_LABELS.get(ticket.waiting_on)
        if label is None:
            return self.get_empty_value_display()
        return format_html(
            '<span class="desk-waiting desk-waiting-{}" title="Waiting {} since {}">{}</span> for {}',
            ticket.waiting_on,
            label.lower(),
            format_datetime(ticket.waiting_since),
            label,
            timesince(ticket.waiting_since, depth=1),
        )

    @admin.display(description="waiting")
    def waiting_summary(self, ticket):
        since = format_datetime(ticket.waiting_since)
        label = WAITING_LABELS.get(ticket.waiting_on)
        if label is None:
            return f"Nobody: closed since {since}."
        return f"Waiting {label.lower()} since {since} ({timesince(ticket.waiting_since, depth=2)})."

    @admin.display(description="rating", ordering="rating__rating")
    def rating_mark(self, ticket):
        rating = rating_of(ticket)
        return self.or_empty(None if rating is None else f"{rating.rating}/{RATING_MAX}")

    @admin.display(description="rating")
    def rating_given(self, ticket):
        rating = rating_of(ticket)
        if rating is None:
            return "Not rated."
        return f"{rating.rating} of {RATING_MAX}, given {format_datetime(rating.created_at)}"

    @admin.display(description="the customer's comment")
    def rating_comment(self, ticket):
        rating = rating_of(ticket)
        return self.or_empty(rating.comment if rating is not None and rating.comment else None)

    @admin.display(description="files")
    def customer_attachments(self, ticket):
        """The customer's own attachments (E8), which belong to no message; agents' files show
        with their reply or note in the conversation."""
        files = attachment_links(ticket.attachments.filter(comment__isnull=True))
        return files or "None."

    @admin.display(description="category", ordering="ticket_categories")
    def categories(self, ticket):
        return ticket.ticket_categories

    def or_empty(self, value):
        """The admin's empty value ("-") for nothing: the change page's read-only fields would
        print a callable's None as "None" (the queue's columns already show "-")."""
        return self.get_empty_value_display() if value is None else value

    @admin.display(description="contact", ordering="contact_number")
    def contact(self, ticket):
        return self.or_empty(ticket.contact_number)

    @admin.display(description="assignee", ordering="assigned_to__username")
    def assignee(self, ticket):
        return self.or_empty(user_display_name(ticket.assigned_to) if ticket.assigned_to else None)

    @admin.display(description="modified by")
    def modified_by_name(self, ticket):
        return self.or_empty(user_display_name(ticket.modified_by) if ticket.modified_by else None)

    @admin.display(description="comments", ordering="comment_count")
    def comment_count(self, ticket):
        return ticket.comment_count


# --- Issue types -------------------------------------------------------------------------------


@admin.register(IssueType)
class IssueTypeAdmin(admin.ModelAdmin):
    """The E2 catalogue: switched on and off, reordered and given the priority its new tickets
    start with, in place, in the list."""

    list_display = ("name", "is_active", "sort_order", "default_priority")
    list_editable = ("is_active", "sort_order", "default_priority")
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("sort_order", "name")


# --- Canned replies ----------------------------------------------------------------------------


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ("title", "body", "ticket_status", "is_active", "sort_order")
        help_texts = {
            "body": f"Written out for the ticket and the agent when inserted. Placeholders: "
            f"{known_placeholders()}."
        }


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Supervisors write the canned replies (the Supervisor group may add, change and delete
    them); agents may look at them and use the active ones in the reply box."""

    form = CannedReplyForm
    list_display = ("title", "status_set", "is_active", "sort_order", "updated_at")
    list_filter = ("is_active", "ticket_status")
    search_fields = ("title", "body")
    ordering = ("sort_order", "title")
    readonly_fields = ("preview", "placeholders", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "body", "preview", "ticket_status", ("is_active", "sort_order"))}),
        ("Placeholders", {"fields": ("placeholders",)}),
        ("History", {"fields": (("created_at", "updated_at"),)}),
    )

    @admin.display(description="status set", ordering="ticket_status")
    def status_set(self, canned):
        return canned.ticket_status or "Keeps the status"

    @admin.display(description="preview")
    def preview(self, canned):
        """The saved body with each placeholder's example value, as an agent would insert it."""
        if not canned.body:
            return self.get_empty_value_display()
        return format_html('<div class="desk-canned-preview">{}</div>', preview_canned_reply(canned.body))

    @admin.display(description="placeholders")
    def placeholders(self, canned):
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt><code>{{{}}}</code></dt><dd>{} Example: {}</dd>",
                (
                    (name, placeholder.description, placeholder.example)
                    for name, placeholder in PLACEHOLDERS.items()
                ),
            ),
        )
