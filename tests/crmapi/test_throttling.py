"""CONTRACT §8: a throttled request gets the 429 envelope plus `Retry-After` (crmapi/throttling.py).

Rates are tiny here so that a test needs only a few requests; the suite's own defaults are the
production ones and every test starts with empty counters (conftest `_fresh_cache`). Rates are per
day so that no window boundary falls between a test's requests (a new window restarts the count).
"""

import json

import pytest
from django.conf import settings
from django.test import override_settings

from crmapi import messages
from crmapi.throttling import FixedWindowRateThrottle
from tests.support.client import envelope_error, envelope_result
from tests.support.endpoints import E2, E3, E5, OTHER_CONTACT, TICKET_BODY
from tests.support.processes import django_env, production_env, python, setting
from tests.support.shared_cache import LOCAL_REDIS_URL
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def throttle_settings(*, contact: str | None = None, address: str | None = None, proxies: int = 0):
    rates = {"contact": contact, "address": address}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates, "NUM_PROXIES": proxies}
    )


def assert_throttled(response) -> None:
    assert response.status_code == 429
    error = envelope_error(response)
    assert error["errorCode"] == "429 TOO_MANY_REQUESTS"
    wait = int(response["Retry-After"])
    assert wait >= 1
    assert error["errorMessage"] == messages.THROTTLED.format(wait=wait)


def test_contact_over_its_rate_gets_the_429_envelope_with_retry_after(api):
    with throttle_settings(contact="2/day"):
        assert [api.call(E2).status_code for _ in range(2)] == [200, 200]
        assert_throttled(api.call(E2))


def test_retry_after_is_the_whole_seconds_left_in_the_window(api, monkeypatch):
    window_start = 30_000_000 * 60  # a minute boundary
    monkeypatch.setattr(FixedWindowRateThrottle, "timer", staticmethod(lambda: window_start + 17.2))
    with throttle_settings(contact="1/min"):
        api.call(E2)
        response = api.call(E2)
    assert response["Retry-After"] == "43"
    assert envelope_error(response)["errorMessage"] == messages.THROTTLED.format(wait=43)


def test_throttled_response_echoes_the_correlation_id(api):
    with throttle_settings(contact="1/day"):
        api.call(E2)
        response = api.call(E2, headers={"correlationId": "retry-later-1"})
    assert response.status_code == 429
    assert response["correlationId"] == "retry-later-1"


def test_one_rate_covers_every_token_endpoint_and_a_throttled_create_stores_nothing(api):
    with throttle_settings(contact="1/day"):
        api.call(E2)
        assert_throttled(api.call(E5, body=TICKET_BODY))
    assert not Ticket.objects.exists()


def test_a_busy_contact_does_not_throttle_another(api):
    with throttle_settings(contact="1/day"):
        api.call(E2)
        assert_throttled(api.call(E2))
        assert api.call(E2, contact=OTHER_CONTACT).status_code == 200


def test_social_ticket_is_throttled_per_client_address(api):
    with throttle_settings(address="1/day"):
        envelope_result(api.call(E3, body=TICKET_BODY, environ={"REMOTE_ADDR": "198.51.100.7"}))
        assert_throttled(api.call(E3, body=TICKET_BODY, environ={"REMOTE_ADDR": "198.51.100.7"}))
        envelope_result(api.call(E3, body=TICKET_BODY, environ={"REMOTE_ADDR": "198.51.100.8"}))
    assert Ticket.objects.count() == 2


def test_forwarded_for_is_ignored_without_trusted_proxies(api):
    """Else a client would dodge the limit by sending a new X-Forwarded-For every time."""
    with throttle_settings(address="1/day"):
        api.call(E3, body=TICKET_BODY, headers={"X-Forwarded-For": "203.0.113.1"})
        assert_throttled(api.call(E3, body=TICKET_BODY, headers={"X-Forwarded-For": "203.0.113.2"}))


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(api):
    with throttle_settings(address="1/day", proxies=1):
        spoofed = {"X-Forwarded-For": "10.9.9.9, 203.0.113.1"}
        assert api.call(E3, body=TICKET_BODY, headers=spoofed).status_code == 200
        assert_throttled(api.call(E3, body=TICKET_BODY, headers={"X-Forwarded-For": "203.0.113.1"}))
        assert api.call(E3, body=TICKET_BODY, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200


def test_options_is_never_throttled(api):
    with throttle_settings(contact="1/day"):
        statuses = [api.client.options(E2.path).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_an_empty_rate_turns_the_throttle_off(api):
    with throttle_settings(contact=None):
        assert {api.call(E2).status_code for _ in range(5)} == {200}


def test_requests_refused_before_the_token_check_are_not_counted(api):
    with throttle_settings(contact="1/day"):
        assert api.call(E2, headers={"destination": "ERP"}).status_code == 400
        assert api.call(E2).status_code == 200


# --- The shared cache ------------------------------------------------------------------------------
# Each scenario runs in fresh processes configured only through the environment, as gunicorn
# workers are. E4 with an empty body is refused (400) after the throttle and before the store.

COUNT_STATUSES = """
import json
import django
django.setup()
from django.test import Client
from tests.support.endpoints import E4
from tests.support.client import contract_headers
client = Client()
print(json.dumps([
    client.post(E4.path, data="{}", content_type="application/json", headers=contract_headers(E4)).status_code
    for _ in range(3)
]))
"""


def statuses_in_a_new_process(**env: str) -> list[int]:
    environment = django_env(**env)
    environment.pop("DATABASE_URL", None)  # the requests never reach the store
    completed = python("-c", COUNT_STATUSES, env=environment, timeout=60, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_throttle_counts_are_shared_by_processes_through_redis(redis_prefix):
    env = {
        "REDIS_URL": LOCAL_REDIS_URL,
        "CRM_CACHE_KEY_PREFIX": redis_prefix,
        "CRM_THROTTLE_CONTACT_RATE": "2/day",
    }
    assert statuses_in_a_new_process(**env) == [400, 400, 429]
    assert statuses_in_a_new_process(**env) == [429, 429, 429]


def test_unreachable_redis_turns_throttling_off_instead_of_failing_requests():
    env = {"REDIS_URL": "redis://127.0.0.1:1/0", "CRM_THROTTLE_CONTACT_RATE": "1/day"}
    assert statuses_in_a_new_process(**env) == [400, 400, 400]


def test_a_malformed_rate_is_refused_at_start_up():
    environment = django_env(CRM_THROTTLE_ADDRESS_RATE="lots")
    completed = python("-c", "import django; django.setup()", env=environment, timeout=60)
    assert completed.returncode != 0
    assert "CRM_THROTTLE_ADDRESS_RATE must be a rate like 120/min, got 'lots'." in completed.stderr


def test_the_address_scope_rate_is_set_by_crm_throttle_address_rate():
    environment = django_env(CRM_THROTTLE_ADDRESS_RATE="7/min")
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['address'])"
    )
    completed = python("-c", script, env=environment, timeout=60)
    assert completed.stdout.strip() == "7/min"


def test_the_old_name_of_the_address_rate_stops_the_start_up_naming_the_new_one():
    environment = django_env(CRM_THROTTLE_ANON_RATE="30/min")
    completed = python("-c", "import django; django.setup()", env=environment, timeout=60)
    assert completed.returncode != 0
    assert "CRM_THROTTLE_ANON_RATE is now called CRM_THROTTLE_ADDRESS_RATE" in completed.stderr


def test_behind_the_production_tls_proxy_one_proxy_is_trusted_by_default():
    """Else every social client would share the proxy's address and its one budget."""
    assert setting('REST_FRAMEWORK["NUM_PROXIES"]', production_env()) == "1"


def test_without_a_proxy_forwarded_for_is_not_trusted_by_default():
    assert setting('REST_FRAMEWORK["NUM_PROXIES"]', production_env(DJANGO_BEHIND_TLS_PROXY="false")) == "0"
