"""`seed_canned_replies`: the starter set on a desk without canned replies, and nothing once any exists."""

import pytest

from desk.canned import validate_placeholders
from desk.management.commands.seed_canned_replies import STARTER_CANNED_REPLIES
from desk.models import CannedReply
from tests.factories import CannedReplyFactory
from tests.support.commands import run_command

pytestmark = pytest.mark.django_db


def test_seed_creates_the_starter_set_in_order():
    assert run_command("seed_canned_replies") == f"Canned replies: {len(STARTER_CANNED_REPLIES)} created.\n"
    assert list(CannedReply.objects.values_list("title", flat=True)) == [
        reply["title"] for reply in STARTER_CANNED_REPLIES
    ]


@pytest.mark.parametrize("reply", STARTER_CANNED_REPLIES, ids=lambda reply: reply["title"])
def test_the_starter_replies_name_known_placeholders_only(reply):
    validate_placeholders(reply["body"])


def test_seed_twice_creates_them_once():
    run_command("seed_canned_replies")
    assert "none created" in run_command("seed_canned_replies")
    assert CannedReply.objects.count() == len(STARTER_CANNED_REPLIES)


def test_a_desk_with_its_own_canned_replies_gets_none():
    CannedReplyFactory(title="Our own")
    run_command("seed_canned_replies")
    assert list(CannedReply.objects.values_list("title", flat=True)) == ["Our own"]
