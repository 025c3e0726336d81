"""openapi.yaml and the API reference (docs/api.md) agree on every message and every limit.

Both are generated from the same declarations (crmapi.inputs, crmapi.messages, crmapi.limits), but
by different code; these tests read the two committed files and compare what each says.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

OPENAPI = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
API_MD = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
SCHEMAS = OPENAPI["components"]["schemas"]


def generated_table(name: str) -> list[dict[str, str]]:
    """The rows of one generated table of docs/api.md, keyed by its header."""
    section = API_MD.split(f"<!-- BEGIN GENERATED: {name} -->", 1)[1].split(
        f"<!-- END GENERATED: {name} -->"
    )[0]
    lines = [line for line in section.strip().splitlines() if line.startswith("|")]
    split = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    header, rows = split[0], split[2:]
    return [dict(zip(header, row, strict=True)) for row in rows]


def unquote(cell: str) -> str:
    return cell.strip("`").strip()


# --- Limits of the bodies -------------------------------------------------------------------

BODY_TABLES = {
    "TicketCreateRequest": "ticket-body",
    "TicketCommentRequest": "comment-body",
    "TicketStatusRequest": "status-body",
    "TicketRatingRequest": "rating-body",
}


@pytest.mark.parametrize("component", sorted(BODY_TABLES))
def test_body_fields_required_and_max_length_agree(component):
    schema = SCHEMAS[component]
    rows = {unquote(row["field"]): row for row in generated_table(BODY_TABLES[component])}
    assert set(schema["properties"]) <= set(rows)
    for name, prop in schema["properties"].items():
        row = rows[name]
        assert (row["required"] == "yes") == (name in schema.get("required", [])), name
        max_length = prop.get("maxLength")
        assert row["max length"] == ("" if max_length is None else f"{max_length:,}"), name


def test_social_contact_is_the_optional_field_the_reference_adds():
    social = set(SCHEMAS["SocialTicketCreateRequest"]["properties"])
    assert social - set(SCHEMAS["TicketCreateRequest"]["properties"]) == {"contactId"}
    contact = next(row for row in generated_table("ticket-body") if unquote(row["field"]) == "contactId")
    assert not contact["required"].startswith("yes")


def test_query_parameter_ranges_and_defaults_agree():
    parameters = {
        p["name"]: p["schema"]
        for item in OPENAPI["paths"].values()
        for operation in item.values()
        for p in operation.get("parameters", [])
        if p["in"] == "query"
    }
    for row in generated_table("query-parameters"):
        schema = parameters[unquote(row["parameter"])]
        if schema.get("type") == "integer":
            assert row["value"] == f"integer, {schema['minimum']:,} to {schema['maximum']:,}"
            assert row["default"] == str(schema["default"])


def test_header_lengths_agree():
    headers = {
        p["name"]: p
        for item in OPENAPI["paths"].values()
        for operation in item.values()
        for p in operation.get("parameters", [])
        if p["in"] == "header"
    }
    rows = {unquote(row["header"]): row for row in generated_table("headers")}
    for name in ("correlationId", "source", "Idempotency-Key"):
        schema = headers[name]["schema"]
        assert f"1 to {schema['maxLength']}" in rows[name]["rule"], name
        assert f"1 to {schema['maxLength']}" in headers[name]["description"], name


# --- Messages -------------------------------------------------------------------------------


def reference_messages() -> list[tuple[str, re.Pattern]]:
    """(status, the sentence as a pattern: `{placeholder}` matches any text)."""
    return [
        (
            row["status"],
            re.compile(
                "".join(
                    ".+" if part.startswith("{") else re.escape(part)
                    for part in re.split(r"(\{[a-z_]+\})", unquote(row["message"]).replace("\\|", "|"))
                )
                + "$"
            ),
        )
        for row in generated_table("messages")
    ]


def schema_error_examples():
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for name, example in (
                    response.get("content", {}).get("application/json", {}).get("examples", {}).items()
                ):
                    result = example["value"]["response"]["result"]
                    if isinstance(result, dict) and "arguments" in result:
                        arguments = result["arguments"]
                        yield f"{method} {path} {status} {name}", status, arguments["errorMessage"]


def test_every_error_example_of_the_schema_is_a_reference_message_with_its_status():
    messages = reference_messages()
    checked = 0
    for label, status, message in schema_error_examples():
        statuses = {ref_status for ref_status, pattern in messages if pattern.match(message)}
        assert status in statuses, f"{label}: {message!r} is not in docs/api.md with status {status}"
        checked += 1
    assert checked > 50
