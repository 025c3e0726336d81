"""The support desk's pages as a browser meets them: the ticket page's form submitted the way a
browser would, the queue listed, an action run."""

from html.parser import HTMLParser

from desk.forms import REPLY_BUTTON
from tickets.models import Ticket

CHANGELIST = "/admin/tickets/ticket/"
REPLY = "comments-2-0"  # the reply inline's form; "comments" is the read-only conversation


def change_url(ticket: Ticket) -> str:
    return f"{CHANGELIST}{ticket.pk}/change/"


def listed(client, query: str = "") -> list[Ticket]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def sorted_by(client, column: str, descending: bool = False) -> str:
    """The queue's query string that sorts by the list_display column `column`, as its header
    link does."""
    index = client.get(CHANGELIST).context["cl"].list_display.index(column)
    return f"o={'-' if descending else ''}{index}"


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the form with id `form_id`."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.select: str | None = None
        self.textarea: list[str] | None = None
        self.fields: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.in_form = attributes.get("id") == self.form_id
        if not self.in_form or ("name" not in attributes and tag != "option"):
            return
        kind = attributes.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "reset", "file", "image"):
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append(
                [attributes["name"], attributes.get("value") or ("on" if kind == "checkbox" else "")]
            )
        elif tag == "select":
            self.select = attributes["name"]
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields.append([self.select, attributes.get("value", "")])
        elif tag == "textarea":
            self.textarea = [attributes["name"], ""]
            self.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.textarea[1] = self.textarea[1].removeprefix("\n")  # as browsers read it
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def form_data(response, form_id: str) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return dict(parser.fields)


def save_ticket(client, ticket: Ticket, **changes):
    """Submit the ticket page as a browser would, with `changes` applied (None unticks/removes)."""
    data = form_data(client.get(change_url(ticket)), "ticket_form")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(change_url(ticket), {**data, "_save": "Save"})


def send_reply(client, ticket: Ticket, action: str, text: str = "", files=(), **changes):
    """Submit the ticket page with `text` in the reply box through the reply button `action`
    (`desk.forms.ReplyAction`), with `files` (e.g. `tests.support.attachments.NamedBytes`) in its
    file input (multipart, as the page's form is), other `changes` applied as in `save_ticket`."""
    data: dict = form_data(client.get(change_url(ticket)), "ticket_form")
    data[f"{REPLY}-text"] = text
    if files:
        data[f"{REPLY}-attachments"] = list(files)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(change_url(ticket), {**data, REPLY_BUTTON: str(action)})


def run_action(client, action: str, tickets: list[Ticket]):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [t.pk for t in tickets]}, follow=True
    )


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)
