"""`seed_issue_types`: the E2 catalogue, idempotent, from the defaults or a file."""

import json

import pytest
from django.core.management import CommandError

from tests.factories import IssueTypeFactory
from tests.support.commands import run_command
from tickets.management.commands.seed_issue_types import DEFAULT_ISSUE_TYPES
from tickets.models import IssueType

pytestmark = pytest.mark.django_db


def catalogue() -> list[tuple[str, bool, int]]:
    return list(IssueType.objects.order_by("name").values_list("name", "is_active", "sort_order"))


# --- seed_issue_types -------------------------------------------------------------------------------


def test_seed_creates_the_default_catalogue_in_order():
    run_command("seed_issue_types")
    names = list(IssueType.objects.order_by("sort_order").values_list("name", flat=True))
    assert names == DEFAULT_ISSUE_TYPES
    assert names[:2] == ["General Enquiry", "Plan Enquiry"]


def test_default_catalogue_covers_a_telecom_support_desk():
    assert {"Billing Enquiry", "Network Coverage", "Complaint"} <= set(DEFAULT_ISSUE_TYPES)


def test_seed_twice_changes_nothing():
    run_command("seed_issue_types")
    before = catalogue()
    assert "0 created" in run_command("seed_issue_types")
    assert catalogue() == before


def test_seed_keeps_settings_of_existing_types():
    IssueTypeFactory(name="Plan Enquiry", is_active=False, sort_order=999)
    run_command("seed_issue_types")
    assert IssueType.objects.get(name="Plan Enquiry").is_active is False
    assert IssueType.objects.get(name="Plan Enquiry").sort_order == 999


def test_seed_from_a_text_file_skips_blank_lines_comments_and_repeats(tmp_path):
    source = tmp_path / "types.txt"
    source.write_text("# the catalogue\nGeneral Enquiry\n\n  Roaming  \nGeneral Enquiry\n", encoding="utf-8")
    run_command("seed_issue_types", "--file", str(source))
    assert list(IssueType.objects.values_list("name", flat=True)) == ["General Enquiry", "Roaming"]


def test_seed_from_a_json_file(tmp_path):
    source = tmp_path / "types.json"
    source.write_text(json.dumps(["استفسار عام", "Plan Enquiry"]), encoding="utf-8")
    run_command("seed_issue_types", "--file", str(source))
    assert list(IssueType.objects.values_list("name", flat=True)) == ["استفسار عام", "Plan Enquiry"]


def test_deactivate_missing_deactivates_types_not_in_the_file(tmp_path):
    run_command("seed_issue_types")
    source = tmp_path / "types.txt"
    source.write_text("General Enquiry\nPlan Enquiry\n", encoding="utf-8")
    run_command("seed_issue_types", "--file", str(source), "--deactivate-missing")
    active = set(IssueType.objects.filter(is_active=True).values_list("name", flat=True))
    assert active == {"General Enquiry", "Plan Enquiry"}
    assert IssueType.objects.count() == len(DEFAULT_ISSUE_TYPES)


def test_without_deactivate_missing_other_types_stay_active(tmp_path):
    IssueTypeFactory(name="Legacy")
    source = tmp_path / "types.txt"
    source.write_text("General Enquiry\n", encoding="utf-8")
    run_command("seed_issue_types", "--file", str(source))
    assert IssueType.objects.get(name="Legacy").is_active is True


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("types.json", "{not json"),
        ("types.json", json.dumps({"names": ["a"]})),
        ("types.json", json.dumps(["ok", 5])),
        ("types.txt", "\n# only a comment\n"),
        ("types.txt", "x" * 256),
    ],
    ids=["malformed-json", "json-object", "json-non-string", "empty", "name-too-long"],
)
def test_bad_file_is_a_command_error_and_changes_nothing(tmp_path, filename, content):
    source = tmp_path / filename
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        run_command("seed_issue_types", "--file", str(source))
    assert not IssueType.objects.exists()


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_command("seed_issue_types", "--file", str(tmp_path / "absent.txt"))
