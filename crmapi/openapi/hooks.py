"""The hooks of the OpenAPI generation, named in settings.SPECTACULAR_SETTINGS: what the
per-operation decorators cannot say."""

from crmapi.endpoints import E4, E5, E6, E7


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
