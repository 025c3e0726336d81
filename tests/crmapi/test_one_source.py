"""Each rule is declared once (crmapi.endpoints, crmapi.inputs): the routes, the header check,
validation, the OpenAPI description and the API reference all follow the declaration, so a
change made there shows everywhere at once."""

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from crmapi import endpoints, inputs, reference
from tests.support.client import assert_error, envelope_result
from tests.support.endpoints import E5, TICKET_BODY


def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def title_field() -> inputs.BodyField:
    [field] = [field for field in inputs.TICKET_FIELDS if field.name == "tickettitle"]
    return field


@pytest.fixture
def title_limit_of_ten(monkeypatch):
    """The title's maximum length changed in its declaration, and only there."""
    monkeypatch.setattr(title_field(), "max_length", 10)


@pytest.mark.django_db
def test_a_title_limit_changed_in_its_declaration_is_what_validation_enforces(api, title_limit_of_ten):
    response = api.call(E5, body={**TICKET_BODY, "ticket_title": "x" * 11})
    assert_error(response, 400, "Field 'tickettitle' must be at most 10 characters.")
    assert (
        envelope_result(api.call(E5, body={**TICKET_BODY, "ticket_title": "x" * 10}))["ticket_title"]
        == "x" * 10
    )


def test_a_title_limit_changed_in_its_declaration_is_what_the_schema_says(title_limit_of_ten):
    schemas = generated_schema()["components"]["schemas"]
    for component in ("TicketCreateRequest", "SocialTicketCreateRequest"):
        assert schemas[component]["properties"]["tickettitle"]["maxLength"] == 10


def test_a_title_limit_changed_in_its_declaration_is_what_the_reference_says(title_limit_of_ten):
    assert "| `tickettitle` | yes | string | 10 | no |" in reference.ticket_body_table()


def test_the_title_limit_is_the_columns():
    from tickets.models import Ticket

    assert title_field().max_length == Ticket._meta.get_field("title").max_length == 255


@pytest.fixture(scope="module")
def spec() -> dict:
    return generated_schema()


@pytest.mark.parametrize("name", sorted(endpoints.ENDPOINTS))
def test_every_operation_in_the_schema_is_the_declared_endpoint(spec, name):
    endpoint = endpoints.ENDPOINTS[name]
    operation = spec["paths"][endpoint.path][endpoint.method]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    canonical, _any_case = headers["operation"]["schema"]["anyOf"]
    assert spec["components"]["schemas"][canonical["$ref"].rsplit("/", 1)[1]]["enum"] == [endpoint.operation]
    assert operation["operationId"] == endpoint.operation_id
    assert operation["summary"] == f"{endpoint.name} · {endpoint.title}"
    assert (operation.get("security", []) == [{"token": []}]) == endpoint.token_required


@pytest.mark.parametrize("name", sorted(endpoints.ENDPOINTS))
def test_every_declared_endpoint_is_routed_to_its_action_and_checks_its_operation(name):
    endpoint = endpoints.ENDPOINTS[name]
    for path in (endpoint.path, endpoint.path + "/"):
        view = resolve(path).func
        assert view.actions[endpoint.method] == endpoint.action
        assert view.cls.operations[endpoint.action] == endpoint.operation
        assert view.cls.token_required == endpoint.token_required


def test_the_documented_endpoints_are_e1_to_e5():
    assert [endpoint.name for endpoint in endpoints.DOCUMENTED_ENDPOINTS] == ["E1", "E2", "E3", "E4", "E5"]
