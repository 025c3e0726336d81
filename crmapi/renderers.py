"""The success envelope: `{"response": {"success": "true", "result": ...}}` (CONTRACT §2)."""

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer


def success_envelope(result) -> dict:
    return {"response": {"success": "true", "result": result}}


class EnvelopeRenderer(JSONRenderer):
    """Wraps a view's data in the success envelope; errors arrive already shaped.

    orjson keeps key order and writes Unicode unescaped, like DRF's default, at a fraction of
    the cost on the hot path (E1).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if data is None and response is not None and response.status_code == 204:
            return b""
        if response is None or not getattr(response, "exception", False):
            data = success_envelope(data)
        return orjson.dumps(data)


class EnvelopeNegotiation(DefaultContentNegotiation):
    """Every response under /crm/ is the JSON envelope (CONTRACT §2), whatever `Accept` says.

    So the renderer is the view's first one, chosen without parsing `Accept` (DRF's default
    negotiation is a measurable share of E1) and never a 406. Parsers are chosen as DRF does.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
