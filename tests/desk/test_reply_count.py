"""The reply box is one reply per save: a forged form count in the POST (TOTAL_FORMS=25 with 25
texts) is a form error on the page and nothing of the save is kept."""

import pytest

from desk.forms import REPLY_BUTTON, ReplyAction
from tests.support.desk import REPLY, change_url, form_data, refreshed
from tickets.models import Comment

pytestmark = pytest.mark.django_db

FORGED_COUNT = 25


def test_a_forged_reply_count_is_refused_and_nothing_is_saved(agent_client, ticket):
    prefix = REPLY.rsplit("-", 1)[0]
    data = form_data(agent_client.get(change_url(ticket)), "ticket_form")
    data[f"{prefix}-TOTAL_FORMS"] = str(FORGED_COUNT)
    for index in range(FORGED_COUNT):
        data[f"{prefix}-{index}-text"] = f"reply {index}"
    before = refreshed(ticket)

    response = agent_client.post(change_url(ticket), {**data, REPLY_BUTTON: str(ReplyAction.SEND)})

    assert response.status_code == 200  # the page again, with the error
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix)
    assert formset.formset.non_form_errors()
    assert Comment.objects.filter(ticket=ticket).count() == 0
    assert refreshed(ticket).modified_at == before.modified_at
