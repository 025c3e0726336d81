"""`issue_token`: development tokens the API accepts (HS256, or RS256 with a private key)."""

import pytest
from django.core.management import CommandError

from tests.factories import TicketFactory
from tests.support.client import envelope_result
from tests.support.commands import run_command
from tests.support.endpoints import E1

pytestmark = pytest.mark.django_db


def test_issued_token_is_accepted_by_the_api(api):
    ticket = TicketFactory(contact_number=24218)
    token = run_command("issue_token", "--contact", "24218", "--ttl", "60").strip()
    listed = envelope_result(api.call(E1, headers={"token": token}))
    assert [item["id"] for item in listed] == [f"17x{ticket.pk}"]


def test_issue_token_signs_with_the_private_key_when_rs256_is_configured(api, rs256, tmp_path):
    private_key_file = tmp_path / "private.pem"
    private_key_file.write_bytes(rs256.private_pem)
    token = run_command("issue_token", "--contact", "649797", "--private-key", str(private_key_file)).strip()
    assert api.call(E1, headers={"token": token}).status_code == 200


def test_issue_token_without_a_private_key_under_rs256_is_a_command_error(rs256):
    with pytest.raises(CommandError, match="--private-key"):
        run_command("issue_token", "--contact", "649797")


@pytest.mark.parametrize(
    "args",
    [
        ["--contact", "-1"],
        ["--contact", "abc"],
        ["--contact", "1", "--ttl", "0"],
        ["--contact", "1", "--ttl", "-5"],
        [],
        ["--contact", "1", "--private-key", "/nonexistent/private.pem"],
    ],
    ids=["negative-contact", "non-numeric-contact", "zero-ttl", "negative-ttl", "no-contact", "no-key-file"],
)
def test_issue_token_with_bad_arguments_is_a_command_error(args):
    with pytest.raises(CommandError):
        run_command("issue_token", *args)
