"""The hooks of the OpenAPI generation, named in settings.SPECTACULAR_SETTINGS: what the
per-operation decorators cannot say."""

import copy

from crmapi.endpoints import E4, E5, E6, E7
from crmapi.openapi.components import ENUM_NAME


def strip_trailing_slash(endpoints):
    """Preprocessing hook: the routes accept `/?`; the description names the canonical path."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]


def empty_query_is_absent(result, generator, request, public):
    """Postprocessing hook: an optional query parameter sent empty counts as absent (CONTRACT §7),
    which OpenAPI says with `allowEmptyValue`."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


_CREATED = "$response.body#/response/result"
TICKET_LINKS = {
    E7.operation_id: {
        "operationId": E7.operation_id,
        "parameters": {"ticketNo": f"{_CREATED}/ticket_no"},
        "description": "Read the ticket just created.",
    },
    E6.operation_id: {
        "operationId": E6.operation_id,
        "parameters": {"ticketNo": f"{_CREATED}/ticket_no"},
        "description": "Read its conversation.",
    },
    E4.operation_id: {
        "operationId": E4.operation_id,
        "requestBody": {
            "ticketNo": f"{_CREATED}/ticket_no",
            "comment": "Any update on this?",
            "contactId": f"{_CREATED}/contact_id",
        },
        "description": "Comment on it.",
    },
}


def ticket_links(result, generator, request, public):
    """Postprocessing hook: OpenAPI links from a created ticket (E5) to the operations that take
    its number, for generated clients and for schemathesis' stateful phase."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if operation.get("operationId") == E5.operation_id:
                operation["responses"]["200"]["links"] = TICKET_LINKS
    return result


def _named(node, schemas: dict):
    if isinstance(node, list):
        return [_named(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    if ENUM_NAME in node:
        schema = {key: value for key, value in node.items() if key != ENUM_NAME}
        schemas.setdefault(node[ENUM_NAME], schema)
        assert schemas[node[ENUM_NAME]] == schema, f"two enums named {node[ENUM_NAME]}"
        return {"$ref": f"#/components/schemas/{node[ENUM_NAME]}"}
    return {key: _named(value, schemas) for key, value in node.items()}


def named_enums(result, generator, request, public):
    """Postprocessing hook: an enum marked with its component name (components.any_case) becomes
    that component, so generated clients get one readable enum type (`TicketStatusEnum`), where
    drf-spectacular's own enum extraction does not look (inside `anyOf`, in parameters)."""
    named: dict = {}
    result = _named(result, named)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in named.items():
        assert schemas.setdefault(name, schema)["enum"] == schema["enum"], f"{name} differs"
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def body_is_required(result, generator, request, public):
    """Postprocessing hook: every request body is required (an empty one is 400, CONTRACT §6);
    drf-spectacular leaves a body of alternatives (E3's and E5's two spellings) optional."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
    return result


def no_token_is_said(result, generator, request, public):
    """Postprocessing hook: an operation without the token says `security: []`, so that a
    document-wide default could never make a client send one where none is needed."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            operation.setdefault("security", [])
    return result


TRAILING_SLASH_OPERATION_ID = "{operation_id}TrailingSlash"


def trailing_slash_forms(result, generator, request, public):
    """Postprocessing hook: each path also answers with a trailing slash (CONTRACT §1), described
    as its own path item, the same operation under an operationId of its own. Runs last, so the
    copy carries every addition of the hooks before it."""
    paths = result.get("paths", {})
    for path, path_item in list(paths.items()):
        twin = copy.deepcopy(path_item)
        for operation in twin.values():
            operation["summary"] = f"{operation['summary']} (trailing slash)"
            operation["description"] = (
                f"`{path}/` answers exactly as `{path}`. {operation.get('description', '')}".strip()
            )
            operation["operationId"] = TRAILING_SLASH_OPERATION_ID.format(
                operation_id=operation["operationId"]
            )
        paths[f"{path}/"] = twin
    return result
