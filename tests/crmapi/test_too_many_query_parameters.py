"""CONTRACT §8: more query parameters than Django reads (1,000) is a 400 envelope, never a 500."""

import pytest

from crmapi import messages
from crmapi.limits import QUERY_PARAMETERS_MAX
from tests.support.client import assert_error
from tests.support.endpoints import E1, E6, E7

pytestmark = pytest.mark.django_db

TOO_MANY = {f"p{number}": "1" for number in range(QUERY_PARAMETERS_MAX + 1)}


@pytest.mark.parametrize("endpoint", [E1, E6, E7], ids=["E1", "E6", "E7"])
def test_more_than_1000_query_parameters_is_400(api, endpoint):
    query = {**TOO_MANY, "ticketNo": "TT1130"}
    assert_error(api.call(endpoint, query=query), 400, messages.QUERY_TOO_MANY)


def test_1000_query_parameters_are_read(api, own_ticket):
    query = {f"p{number}": "1" for number in range(QUERY_PARAMETERS_MAX - 1)} | {"ticketNo": "TT1130"}
    assert api.call(E7, query=query).status_code == 200
