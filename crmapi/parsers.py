"""Request body parsing: JSON objects only, with every key kept (CONTRACT §6)."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from crmapi.errors import ApiError
from crmapi.messages import (
    BODY_CONTENT_TYPE_MISSING,
    BODY_MALFORMED,
    BODY_NOT_OBJECT,
    BODY_UNSUPPORTED_MEDIA_TYPE,
    quoted,
)


class JSONObject(dict):
    """A parsed JSON object that remembers every (key, value) pair as sent.

    `json` keeps only the last of two identical keys; the contract refuses both, so the
    validators read `pairs`.
    """

    pairs: list[tuple[str, object]]


def _object_from_pairs(pairs: list[tuple[str, object]]) -> JSONObject:
    obj = JSONObject(pairs)
    obj.pairs = pairs
    return obj


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class StrictJSONParser(JSONParser):
    """Strict RFC 8259 JSON (no NaN/Infinity), UTF-8 only; too-deep nesting is malformed."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
            return json.loads(text, object_pairs_hook=_object_from_pairs, parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ParseError(BODY_MALFORMED) from exc


def _is_json_media_type(content_type: str) -> bool:
    """application/json alone, in any case and with any parameters: the type StrictJSONParser
    declares, so DRF never has a `+json` type to parse either."""
    return content_type.split(";", 1)[0].strip().lower() == StrictJSONParser.media_type


def request_json(request) -> object:
    """The request's parsed JSON body, with the contract's errors (CONTRACT §6).

    Size first (413, raised by Django when the body is read), then an empty body (400), then
    the content type (415), then the JSON itself (400 malformed).
    """
    if not request.body.strip():
        raise ApiError(400, BODY_NOT_OBJECT)
    content_type = request.content_type or ""
    if not content_type.strip():
        raise ApiError(415, BODY_CONTENT_TYPE_MISSING)
    if not _is_json_media_type(content_type):
        raise ApiError(415, BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type=quoted(content_type)))
    return request.data
