"""The token check of the token endpoints (CONTRACT §3.3): IsTokenContact runs after
RequiredHeaders, which has refused every missing or blank `token` header, so by then the token
is either a contact or the 401 of its own fault; and on its own the check still answers a
missing token with the contract's 401."""

import pytest

from crmapi import messages
from tests.support.client import assert_error
from tests.support.endpoints import E1, E6, E7
from tests.support.tokens import token_for

pytestmark = pytest.mark.django_db

# Blank to str.strip(): ASCII spaces and controls, and NBSP (0xA0), U+3000 as UTF-8 on the wire
# (the WSGI environ holds its bytes as latin-1), NEL (0x85).
BLANK_TOKENS = [" ", "\t \t", "\xa0", "\u3000".encode().decode("latin-1"), "\x85", "\x1c\x1d"]


@pytest.mark.parametrize("endpoint", [E1, E6, E7], ids=["E1", "E6", "E7"])
@pytest.mark.parametrize("blank", BLANK_TOKENS, ids=repr)
def test_blank_token_is_refused_as_missing_before_the_token_check(api, endpoint, blank):
    response = api.call(endpoint, headers={"token": blank}, query={"ticketNo": "TT1130"})
    assert_error(response, 400, messages.HEADER_MISSING.format(name="token"), "400 BAD_REQUEST")


@pytest.mark.urls("tests.support.token_only_urls")
def test_token_check_alone_answers_a_missing_token_with_the_contracts_401(client):
    response = client.get("/crm/v1/test/token-only")
    assert_error(response, 401, messages.TOKEN_INVALID, messages.INVALID_TOKEN_CODE)


@pytest.mark.urls("tests.support.token_only_urls")
def test_token_check_alone_lets_a_valid_token_through(client):
    response = client.get("/crm/v1/test/token-only", headers={"token": token_for()})
    assert response.status_code == 200
