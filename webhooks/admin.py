"""Webhooks in the admin (CONTRACT §12): operators register endpoints and follow every event,
delivery and attempt. Every change goes through `webhooks.services`, as the management commands'
do. Events, deliveries and attempts are a log: nobody adds, edits or deletes them by hand; a
delivery is only sent again.

Who: Django's model permissions. Superusers have them all; the `Support agent` group has none,
so agents never see these pages. The signing secret is shown on an endpoint's page to
superusers only, never in a list, a message or the admin's history.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from tickets.formats import format_datetime
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

# The fields of the endpoint form; the URL is its own form field (`address`), checked by
# `services.validate_url` alone: the model's URLField would add Django's stricter URL rule.
ENDPOINT_FIELDS = ("address", "event_types", "description")
SECRET_SHOWN_BELOW = (
    "Webhook endpoint {endpoint}: give its signing secret (below) to the receiving team; it signs "
    "every delivery."
)
SECRET_FOR_SUPERUSERS = "Webhook endpoint {endpoint}: a superuser can read its signing secret on this page."


def refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class ObjectActions(admin.ModelAdmin):
    """Some of the list's actions, also as buttons on an object's page, which run the same
    action on that one object (the same permissions, messages and history) and come back to the
    page."""

    object_actions: tuple[str, ...] = ()
    change_form_template = "admin/webhooks/change_form.html"

    class Media:
        css = {"all": ["webhooks/admin.css"]}

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_object_action"
        view = self.admin_site.admin_view(self.object_action_view)
        return [path("<path:object_id>/action/<str:action>/", view, name=name), *super().get_urls()]

    def allowed_object_actions(self, request) -> dict[str, tuple]:
        """(function, name, label) of each of the page's actions the user's permissions allow."""
        actions = self.get_actions(request)
        return {name: entry for name in self.object_actions if (entry := actions.get(name)) is not None}

    def object_action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self.allowed_object_actions(request).get(action)
        if entry is None:
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        function = entry[0]
        function(self, request, self.get_queryset(request).filter(pk=obj.pk))
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def object_action_applies(self, name: str, obj) -> bool:
        """Whether the page shows the button `name` for `obj` (all of them, unless told)."""
        return True

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        allowed = self.allowed_object_actions(request) if obj is not None else {}
        context["object_actions"] = [
            (name, label) for name, (_, _, label) in allowed.items() if self.object_action_applies(name, obj)
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)


class EndpointForm(forms.ModelForm):
    address = forms.CharField(
        label="URL",
        max_length=services.URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"size": 80}),
        help_text="Where events are POSTed: https:// (http:// only in development).",
    )
    event_types = forms.MultipleChoiceField(
        label="Event types",
        choices=[(value, value) for value in services.SUBSCRIBABLE_EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every event type, including types added later.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ENDPOINT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["address"].initial = self.instance.url

    def clean_address(self):
        return services.validate_url(self.cleaned_data["address"])

    def clean_event_types(self):
        return services.validate_event_types(self.cleaned_data["event_types"])

    def clean_description(self):
        return services.validate_description(self.cleaned_data["description"])


# --- Endpoint actions: each endpoint on its own, so one refusal does not stop the others -------


def _each(modeladmin, request, endpoints, change, log: str) -> str:
    """Apply `change` to each endpoint, each in its own transaction; tell why any was refused.
    The ids of those changed, for the success message ("" when none was)."""
    changed = []
    for endpoint in endpoints:
        try:
            change(endpoint)
        except ValidationError as exc:
            modeladmin.message_user(request, refusal_text(exc), messages.ERROR)
            continue
        modeladmin.log_change(request, endpoint, log)
        changed.append(str(endpoint.pk))
    return ", ".join(changed)


@admin.action(permissions=["change"], description="Send a test event")
def send_test_event(modeladmin, request, queryset):
    sent = _each(
        modeladmin, request, queryset, lambda e: services.endpoint_send_test(endpoint=e), "Sent a test event."
    )
    if sent:
        modeladmin.message_user(
            request, f"A webhook.test event is queued for endpoint(s) {sent}.", messages.SUCCESS
        )


@admin.action(permissions=["change"], description="Rotate the signing secret")
def rotate_secret(modeladmin, request, queryset):
    rotated = _each(
        modeladmin,
        request,
        queryset,
        lambda e: services.endpoint_rotate_secret(endpoint=e),
        "Rotated the signing secret.",
    )
    if rotated:
        until = timezone.localtime(timezone.now() + services.SECRET_ROTATION_OVERLAP)
        modeladmin.message_user(
            request,
            f"New signing secret for endpoint(s) {rotated}, shown on each endpoint's page to superusers; "
            f"the previous secret also signs until {until:%Y-%m-%d %H:%M %Z}.",
            messages.SUCCESS,
        )


@admin.action(permissions=["change"], description="Disable")
def disable(modeladmin, request, queryset):
    """Already disabled endpoints keep their reason."""
    reason = f"Disabled in the admin by {request.user.get_username()}."
    cancelled = []
    disabled = _each(
        modeladmin,
        request,
        queryset.filter(enabled=True),
        lambda e: cancelled.append(services.endpoint_disable(endpoint=e, reason=reason)),
        "Disabled.",
    )
    if disabled:
        modeladmin.message_user(
            request,
            f"Disabled endpoint(s) {disabled}; {sum(cancelled)} pending deliveries cancelled.",
            messages.SUCCESS,
        )


@admin.action(permissions=["change"], description="Enable")
def enable(modeladmin, request, queryset):
    enabled = _each(
        modeladmin,
        request,
        queryset.filter(enabled=False),
        lambda e: services.endpoint_enable(endpoint=e),
        "Enabled.",
    )
    if enabled:
        modeladmin.message_user(request, f"Enabled endpoint(s) {enabled}.", messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ObjectActions):
    """An endpoint is disabled, never deleted, so the log of what it was sent stays."""

    form = EndpointForm
    list_display = ("id", "url", "description", "subscribed", "enabled", "disabled_reason", "created_at")
    list_display_links = ("id", "url")
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    actions = [send_test_event, rotate_secret, disable, enable]
    object_actions = ("send_test_event", "rotate_secret", "disable", "enable")
    readonly_fields = (
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "created_at",
        "deliveries",
        "previous_secret_signs_until",
        "signing_secret",
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets: list[tuple[str | None, dict]] = [(None, {"fields": ENDPOINT_FIELDS})]
        if obj is not None:
            state = ("enabled", "disabled_reason", "disabled_at", "failing_since", "created_at", "deliveries")
            secret = ("signing_secret",) if request.user.is_superuser else ()
            fieldsets += [
                ("State", {"fields": state}),
                ("Signing", {"fields": (*secret, "previous_secret_signs_until")}),
            ]
        return fieldsets

    def has_delete_permission(self, request, obj=None):
        return False

    def object_action_applies(self, name, endpoint):
        return name != ("enable" if endpoint.enabled else "disable")

    def save_model(self, request, obj, form, change):
        fields = {
            "url": form.cleaned_data["address"],
            "event_types": form.cleaned_data["event_types"],
            "description": form.cleaned_data["description"],
        }
        if change:
            services.endpoint_update(endpoint=obj, **fields)
        else:
            obj.pk = services.endpoint_create(**fields).pk
            obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        """After adding, the endpoint's page, where a superuser reads the secret to hand over."""
        text = SECRET_SHOWN_BELOW if request.user.is_superuser else SECRET_FOR_SUPERUSERS
        self.message_user(request, text.format(endpoint=obj.pk), messages.INFO)
        if "_addanother" not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description="event types")
    def subscribed(self, endpoint):
        return ", ".join(endpoint.event_types) or "all"

    @admin.display(description="deliveries")
    def deliveries(self, endpoint):
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html('<a href="{}?endpoint__id__exact={}">Its deliveries</a>', url, endpoint.pk)

    @admin.display(description="signing secret")
    def signing_secret(self, endpoint):
        return format_html("<code>{}</code>", endpoint.secret)

    @admin.display(description="previous secret signs until")
    def previous_secret_signs_until(self, endpoint):
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and expires is not None and expires > timezone.now():
            return expires
        return self.get_empty_value_display()


# --- The log: events, deliveries, attempts ------------------------------------------------------


class NoChangesByHand:
    """What the service did, shown as it is: no add, change or delete by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoChangesByHand, ObjectActions):
    """A log page: its object actions, nothing to edit."""


class ReadOnlyInline(NoChangesByHand, admin.TabularInline):
    """A log's rows inside another log page."""

    extra = 0
    can_delete = False
    show_change_link = True


def pretty_body(event: WebhookEvent) -> str:
    """The body as sent, indented for reading (the receivers get it compact)."""
    return format_html(
        '<pre class="webhook-body">{}</pre>', json.dumps(json.loads(event.body), indent=2, ensure_ascii=False)
    )


class DeliveryInline(ReadOnlyInline):
    model = WebhookDelivery
    fields = ("webhook_id", "endpoint", "state", "attempts", "last_status", "next_attempt_at", "completed_at")
    readonly_fields = fields


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "ticket", "occurred_at", "delivery_count")
    list_filter = ("type",)
    list_select_related = ("ticket",)
    date_hierarchy = "occurred_at"
    fields = ("type", "occurred_at", "ticket", "sent_body")
    readonly_fields = fields
    inlines = (DeliveryInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description="deliveries", ordering="delivery_count")
    def delivery_count(self, event):
        return event.delivery_count

    @admin.display(description="body")
    def sent_body(self, event):
        return pretty_body(event)


class AttemptColumns:
    """How an attempt's time and duration read, in the inline and in the list."""

    @admin.display(description="started at", ordering="started_at")
    def started(self, attempt: WebhookAttempt) -> str:
        """To the second: attempts seconds apart are told apart."""
        return format_datetime(attempt.started_at)

    @admin.display(description="duration (ms)", ordering="duration_ms")
    def duration(self, attempt: WebhookAttempt) -> int:
        return attempt.duration_ms


ATTEMPT_FIELDS = ("number", "started", "status_code", "duration", "succeeded", "response_excerpt", "error")


class AttemptInline(AttemptColumns, ReadOnlyInline):
    """Every attempt: when, the status (none when no answer came), how long, and the first
    1 KiB of the answer or the error."""

    model = WebhookAttempt
    show_change_link = False
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS


@admin.action(permissions=["send"], description="Send again")
def send_again(modeladmin, request, queryset):
    sent = []
    for delivery in queryset.select_related("endpoint"):
        try:
            services.delivery_send_again(delivery=delivery)
        except ValidationError as exc:
            modeladmin.message_user(request, refusal_text(exc), messages.ERROR)
            continue
        sent.append(delivery.webhook_id)
    if sent:
        modeladmin.message_user(
            request, f"Sent again (an attempt is queued now): {', '.join(sent)}.", messages.SUCCESS
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "webhook_id",
        "event_type",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "created_at",
        "completed_at",
    )
    list_filter = ("state", "endpoint", "event__type", "created_at")
    list_select_related = ("event", "endpoint")
    search_fields = ("webhook_id__exact",)
    search_help_text = "A webhook-id (msg_…), as the receiver saw it."
    date_hierarchy = "created_at"
    actions = [send_again]
    object_actions = ("send_again",)
    fields = (
        "webhook_id",
        "endpoint",
        "event_link",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "created_at",
        "completed_at",
        "sent_body",
    )
    readonly_fields = fields
    inlines = (AttemptInline,)

    def has_send_permission(self, request):
        """Sending again is the one change a delivery takes: it needs the change permission."""
        return request.user.has_perm("webhooks.change_webhookdelivery")

    @admin.display(description="event type", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="event")
    def event_link(self, delivery):
        url = reverse("admin:webhooks_webhookevent_change", args=[delivery.event_id])
        return format_html('<a href="{}">{}</a>', url, delivery.event)

    @admin.display(description="body")
    def sent_body(self, delivery):
        return pretty_body(delivery.event)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(AttemptColumns, ReadOnlyAdmin):
    """Every attempt of every delivery, to find failures across endpoints."""

    list_display = ("delivery", "number", "started", "status_code", "duration", "succeeded", "error")
    list_filter = ("succeeded", "delivery__endpoint", "started_at")
    list_select_related = ("delivery",)
    date_hierarchy = "started_at"
    fields = ("delivery", *ATTEMPT_FIELDS)
    readonly_fields = fields
