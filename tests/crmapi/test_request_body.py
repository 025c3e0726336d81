"""CONTRACT §6: how a body is read, on every endpoint that takes one (E3, E4, E5)."""

import pytest

from crmapi import messages
from tests.support.client import assert_error, envelope_error
from tests.support.endpoints import E3, E4, E5

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("endpoint", [E3, E4, E5], ids=["E3", "E4", "E5"]),
]

ONE_MIB = 1024 * 1024


@pytest.mark.parametrize("raw", ['{"source": "app",}', "{source: 'app'}", '{"a": NaN}', "{", b"\xff\xfe{}"])
def test_malformed_json_is_400(api, endpoint, raw):
    assert_error(api.call(endpoint, raw=raw), 400, messages.BODY_MALFORMED, "400 BAD_REQUEST")


def test_malformed_json_gives_the_documented_sentence(api, endpoint):
    response = api.call(endpoint, raw="{oops")
    assert envelope_error(response)["errorMessage"] == "Malformed JSON request body."


@pytest.mark.parametrize("raw", ["[]", '["a"]', '"text"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_400(api, endpoint, raw):
    assert_error(api.call(endpoint, raw=raw), 400, messages.BODY_NOT_OBJECT, "400 BAD_REQUEST")


@pytest.mark.parametrize("raw", ["", "  \n"])
def test_empty_body_is_400_not_an_object(api, endpoint, raw):
    assert_error(api.call(endpoint, raw=raw), 400, messages.BODY_NOT_OBJECT, "400 BAD_REQUEST")


def test_body_over_one_mib_is_413(api, endpoint):
    raw = '{"description": "' + "x" * ONE_MIB + '"}'
    assert_error(api.call(endpoint, raw=raw), 413, messages.BODY_TOO_LARGE, "413 PAYLOAD_TOO_LARGE")


def test_body_of_exactly_one_mib_is_read(api, endpoint):
    raw = '{"description": "' + "x" * (ONE_MIB - 19) + '"}'
    assert len(raw) == ONE_MIB
    response = api.call(endpoint, raw=raw)
    assert response.status_code == 400
    assert envelope_error(response)["errorMessage"].startswith("Field ")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_content_type_other_than_json_is_415(api, endpoint, content_type):
    response = api.call(endpoint, raw="{}", content_type=content_type)
    message = messages.BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type=content_type)
    assert_error(response, 415, message, "415 UNSUPPORTED_MEDIA_TYPE")


def test_missing_content_type_is_415_naming_the_header(api, endpoint):
    response = api.call(endpoint, raw="{}", content_type="")
    assert_error(response, 415, messages.BODY_CONTENT_TYPE_MISSING, "415 UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "APPLICATION/JSON"])
def test_json_content_type_with_parameters_or_any_case_is_accepted(api, endpoint, content_type):
    response = api.call(endpoint, raw="[]", content_type=content_type)
    assert_error(response, 400, messages.BODY_NOT_OBJECT, "400 BAD_REQUEST")
