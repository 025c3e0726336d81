"""CONTRACT §8: a path under /crm/ that no endpoint matches is the 404 envelope, whatever the
method and whatever the headers; nothing of Django's (CSRF, sessions) answers first.

The test client skips Django's CSRF check unless asked: these clients enforce it, the way a
browser-less caller meets it on the real service.
"""

import pytest
from django.test import Client

from crmapi import messages
from tests.support.client import assert_error

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"]
PATHS = ["/crm", "/crm/", "/crm/v1/tickets", "/crm/v1/ticket/comment/x", "/crm/v2/ticket"]


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def assert_not_found(response, path: str, method: str) -> None:
    if method == "HEAD":  # the same answer without its body
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.content == b""
    else:
        assert_error(response, 404, messages.PATH_NOT_FOUND.format(path=path), "404 NOT_FOUND")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", METHODS)
def test_unknown_path_is_the_404_envelope_for_every_method(strict_client, method, path):
    response = strict_client.generic(method, path)
    assert_not_found(response, path, method)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unknown_path_is_404_before_any_header_is_looked_at(strict_client, method):
    path = "/crm/v1/tickets"
    response = strict_client.generic(
        method,
        path,
        data=b"not json",
        content_type="application/vnd.nothing",
        headers={
            "token": "not-a-token",
            "correlationId": "has spaces in it",
            "Origin": "https://elsewhere.example",
            "Cookie": "csrftoken=forged; sessionid=forged",
            "X-CSRFToken": "forged",
        },
    )
    assert_not_found(response, path, method)
