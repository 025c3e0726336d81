"""CONTRACT §6: the body is application/json (any case, any parameters) and nothing else: a
structured-syntax `+json` type is refused with 415 like any other type, naming the type as sent,
even when the body is a valid one."""

import json

import pytest

from crmapi import messages
from tests.support.client import assert_error
from tests.support.endpoints import E3, E4, E5, valid_body

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("endpoint", [E3, E4, E5], ids=["E3", "E4", "E5"]),
]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.x+json",
        "application/merge-patch+json",
        "application/problem+json; charset=utf-8",
        "APPLICATION/VND.API+JSON",
    ],
)
def test_plus_json_type_is_415_naming_the_type(api, own_ticket, endpoint, content_type):
    response = api.call(endpoint, raw=json.dumps(valid_body(endpoint)), content_type=content_type)
    message = messages.BODY_UNSUPPORTED_MEDIA_TYPE.format(content_type=content_type)
    assert_error(response, 415, message, "415 UNSUPPORTED_MEDIA_TYPE")
