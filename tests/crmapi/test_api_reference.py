"""docs/api.md's generated tables (crmapi.reference): current with the declarations, and only
the marked sections are ever rewritten."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from crmapi import messages, reference

API_MD = Path(settings.BASE_DIR) / "docs" / "api.md"


def test_committed_api_reference_is_up_to_date():
    text = API_MD.read_text()
    assert reference.fill(text) == text, "docs/api.md's tables are stale: run `make docs`"


def test_every_message_is_in_the_reference():
    text = API_MD.read_text()
    for _, sentence in reference.contract_messages():
        assert f"`{sentence}`" in text, sentence


def test_every_message_has_a_status():
    assert all(reference.message_status(name) for name, _ in reference.contract_messages())


def test_text_outside_the_markers_is_left_as_written():
    sections = {"one": lambda: "| new |", "two": lambda: "| also new |"}
    page = (
        "# Title\n\nProse before.\n\n<!-- BEGIN GENERATED: one -->\n| old |\n| rows |\n"
        "<!-- END GENERATED: one -->\nProse between.\n<!-- BEGIN GENERATED: two -->\n"
        "<!-- END GENERATED: two -->\n\nProse after, `| with a pipe |`.\n"
    )
    assert reference.fill(page, sections) == (
        "# Title\n\nProse before.\n\n<!-- BEGIN GENERATED: one -->\n| new |\n"
        "<!-- END GENERATED: one -->\nProse between.\n<!-- BEGIN GENERATED: two -->\n| also new |\n"
        "<!-- END GENERATED: two -->\n\nProse after, `| with a pipe |`.\n"
    )


@pytest.mark.parametrize(
    "page",
    [
        "no markers at all\n",
        "<!-- BEGIN GENERATED: one -->\n",
        "<!-- END GENERATED: one -->\n<!-- BEGIN GENERATED: one -->\n",
        "<!-- BEGIN GENERATED: one -->\n<!-- END GENERATED: one -->\n" * 2,
    ],
)
def test_a_lost_or_doubled_marker_is_an_error(page):
    with pytest.raises(ValueError, match="GENERATED: one"):
        reference.fill(page, {"one": lambda: "| table |"})


def test_the_command_creates_a_missing_page_with_a_title_and_the_markers(tmp_path):
    page = tmp_path / "api.md"
    call_command("api_reference", "--write", str(page))
    text = page.read_text()
    assert text.startswith("# API reference\n")
    for name in reference.SECTIONS:
        assert text.count(f"<!-- BEGIN GENERATED: {name} -->") == 1
    assert messages.QUERY_BAD_LIMIT in text
    assert reference.fill(text) == text


def test_the_command_fills_a_page_in_place(tmp_path):
    page = tmp_path / "api.md"
    page.write_text(reference.skeleton("Mine") + "Closing prose.\n")
    call_command("api_reference", "--write", str(page))
    text = page.read_text()
    assert text.startswith("# Mine\n")
    assert text.endswith("Closing prose.\n")
    assert "| E1 | `GET /crm/v1/ticket/details` |" in text
