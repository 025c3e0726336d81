"""The desk's form pieces: how staff are offered for choosing, and the reply box with its buttons
and its canned replies."""

import enum
from dataclasses import dataclass
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat

from attachments import services as attachment_services
from attachments.filenames import clean_filename
from attachments.sniffing import ALLOWED_CONTENT_TYPES
from desk.canned import ReplyContext, render_canned_reply
from desk.login_limits import locked_message, login_failed, login_locked, login_succeeded
from desk.models import CannedReply
from tickets.formats import user_display_name
from tickets.models import COMMENT_MAX_LENGTH, Comment, Ticket
from tickets.services import COMMENT_BLANK, COMMENT_TOO_LONG


def staff_label(user) -> str:
    """How a staff user is offered for choosing (assignee filter and select): the name with the
    username, `Dana Reyes (dana)`, always, so two people of one name are never one choice and a
    person's label does not change when a namesake joins. A user without a full name is named by
    the username alone."""
    name, username = user_display_name(user), user.get_username()
    return username if name == username else f"{name} ({username})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


def active_staff():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class ReplyAction(enum.StrEnum):
    """The ticket page's reply buttons: what the text in the reply box becomes. Each is its own
    submit button (`REPLY_BUTTON`), so an agent says which it is at the moment of sending."""

    SEND = "send"
    NOTE = "note"
    SEND_AND_WAIT = "send-and-wait"

    @property
    def label(self) -> str:
        return _REPLY_LABELS[self]

    @property
    def is_internal(self) -> bool:
        return self is ReplyAction.NOTE


_REPLY_LABELS = {
    ReplyAction.SEND: "Send to customer",
    ReplyAction.NOTE: "Add internal note",
    ReplyAction.SEND_AND_WAIT: "Send and set Wait For Response",
}
# The submit buttons' name; the value is a `ReplyAction`.
REPLY_BUTTON = "_reply"
REPLY_BLANK = COMMENT_BLANK
REPLY_WITHOUT_ACTION = (
    f'To send the text in the reply box, press "{ReplyAction.SEND.label}" or '
    f'"{ReplyAction.NOTE.label}"; "Save" changes only the status, assignee and priority.'
)


def reply_action(data) -> ReplyAction | None:
    """The reply button the agent pressed (None for "Save" and anything unknown)."""
    try:
        return ReplyAction(data.get(REPLY_BUTTON, ""))
    except ValueError:
        return None


FILES_WITHOUT_ACTION = (
    f'To send files, press "{ReplyAction.SEND.label}" or "{ReplyAction.NOTE.label}" with a message.'
)


def attachment_refusal_text(refusal: attachment_services.AttachmentRefused, filename: str) -> str:
    """Why the attachments rules refused a file, as the agent reads it on the reply box."""
    if isinstance(refusal, attachment_services.AttachmentTooLarge):
        limit = settings.CRM_ATTACHMENT_MAX_BYTES
        return f"“{filename}” is larger than {filesizeformat(limit)} ({limit} bytes)."
    if isinstance(refusal, attachment_services.AttachmentEmpty):
        return f"“{filename}” is empty."
    if isinstance(refusal, attachment_services.AttachmentTypeNotAllowed):
        return f"“{filename}” is of type {refusal.content_type}, which is not allowed."
    limit = settings.CRM_ATTACHMENT_MAX_PER_TICKET
    return f"A ticket holds at most {limit} attachments; these files would pass that."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReplyFilesField(forms.FileField):
    """Any number of files in one input (the ticket's limit caps them, see `ReplyForm`)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(ReplyFilesField, self).clean(file, initial) for file in files]


@dataclass(frozen=True)
class CannedReplyChoice:
    """A canned reply as the picker offers it: rendered for this ticket and this agent."""

    pk: int
    title: str
    text: str
    ticket_status: str  # "" keeps the ticket's status


def canned_reply_choices(*, ticket: Ticket, agent) -> list[CannedReplyChoice]:
    """The active canned replies in their order, each rendered for `ticket` answered by `agent`
    (one query)."""
    return [
        CannedReplyChoice(
            pk=canned.pk,
            title=canned.title,
            text=render_canned_reply(
                canned.body,
                ReplyContext(
                    ticket=ticket, agent=agent, ticket_status=canned.ticket_status or ticket.ticket_status
                ),
            ),
            ticket_status=canned.ticket_status,
        )
        for canned in CannedReply.objects.filter(is_active=True).order_by("sort_order", "title")
    ]


# The ticket page's status select, which a canned reply's status sets (desk/static/desk/canned_replies.js).
TICKET_STATUS_INPUT_ID = "id_ticket_status"


class CannedReplySelect(forms.Select):
    """The picker: a select, each choice's rendered text and status beside it as JSON
    (`json_script`, never markup), and a note the script fills with what it did."""

    template_name = "desk/widgets/canned_reply_select.html"

    class Media:
        css = {"all": ["desk/canned_replies.css"]}
        js = ["desk/canned_replies.js"]

    def __init__(self, attrs=None):
        super().__init__({"data-status-input": TICKET_STATUS_INPUT_ID, **(attrs or {})})
        self.replies: list[CannedReplyChoice] = []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["replies"] = {
            str(reply.pk): {"text": reply.text, "status": reply.ticket_status} for reply in self.replies
        }
        return context


CANNED_REPLY_HELP = (
    "Inserts the reply, written out for this ticket, into the message at the cursor, and sets the "
    "status if the canned reply says one; edit both before sending. Without JavaScript, leave the "
    "message empty: the canned reply is sent as it is, with its status."
)


class ReplyForm(forms.ModelForm):
    """The reply box. With a reply button its text is required (a blank reply is an error on the
    page, nothing of the save is kept); with "Save" it must be empty, so a typed reply is never
    dropped or sent without the agent saying to whom. Files go with the message, public or
    internal as it is; the attachments rules check them here, so a refused file is an error on
    the page and nothing of the save is kept.

    The canned-reply picker fills the message in the browser. Sent with an empty message (no
    JavaScript), the chosen canned reply is the message and its status is `status_to_set`; a
    choice that is not an active canned reply is a form error."""

    canned_reply = forms.TypedChoiceField(
        label="Canned reply",
        required=False,
        coerce=int,
        empty_value=None,
        widget=CannedReplySelect,
        help_text=CANNED_REPLY_HELP,
    )
    text = forms.CharField(
        label="Message",
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )
    attachments = ReplyFilesField(
        label="Attach files",
        required=False,
        allow_empty_file=True,  # the attachments rules refuse an empty file, with their reason
        help_text=f"They go with the message. Allowed types: {', '.join(ALLOWED_CONTENT_TYPES)}.",
    )

    class Meta:
        model = Comment
        fields = ("canned_reply", "text", "attachments")  # the picker above the message

    def __init__(
        self,
        *args,
        reply_action: ReplyAction | None = None,
        canned_replies: list[CannedReplyChoice] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.reply_action = reply_action
        if reply_action is not None:
            self.empty_permitted = False  # validated even when left blank
        self.canned_replies = {reply.pk: reply for reply in canned_replies or []}
        picker = cast(forms.TypedChoiceField, self.fields["canned_reply"])
        picker.choices = [
            ("", "---------"),
            *((reply.pk, reply.title) for reply in self.canned_replies.values()),
        ]
        picker.widget.replies = list(self.canned_replies.values())
        # The status a canned reply sent as it is sets (empty: the page's status field decides).
        self.status_to_set = ""

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        chosen = self.cleaned_data.get("canned_reply")
        canned = None if chosen is None else self.canned_replies.get(chosen)
        if canned is not None and not text.strip():
            text, self.status_to_set = canned.text, canned.ticket_status
            if len(text) > COMMENT_MAX_LENGTH:
                raise forms.ValidationError(COMMENT_TOO_LONG, code="max_length")
        if self.reply_action is not None and not text.strip():
            raise forms.ValidationError(REPLY_BLANK, code="blank")
        if self.reply_action is None and text.strip():
            raise forms.ValidationError(REPLY_WITHOUT_ACTION, code="no_action")
        return text

    def clean_attachments(self) -> list:
        files = self.cleaned_data["attachments"]
        if not files:
            return files
        if self.reply_action is None:
            raise forms.ValidationError(FILES_WITHOUT_ACTION, code="no_action")
        for file in files:
            try:
                attachment_services.attachment_check(
                    ticket=self.instance.ticket, file=file, adding=len(files)
                )
            except attachment_services.AttachmentRefused as refusal:
                message = attachment_refusal_text(refusal, clean_filename(file.name or ""))
                raise forms.ValidationError(message, code="refused") from None
        return files


class DeskLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a locked username or address before any password is
    hashed, and counting each failure (desk/login_limits.py)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if login_locked(self.request, username):
            raise forms.ValidationError(locked_message(), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                login_failed(self.request, username)
            raise
        login_succeeded(self.request, username)
        return cleaned
