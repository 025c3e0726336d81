"""The store fails under a running production server, and the server copes (CONTRACT §8).

A real gunicorn (gunicorn.conf.py, threaded worker, persistent health-checked connections)
talks to the real PostgreSQL through a TCP proxy the test cuts and restores (tests/tcp_proxy.py);
the shared PostgreSQL server itself is never stopped. While the store is cut, every endpoint
answers the `Downstream error` envelope within 5 s, also when a connect hangs instead of being
refused (the DB_CONNECT_TIMEOUT at work), and /readyz says not ready. Once it is back, the same
server process serves again, and what was stored before the cut is all there.
"""

import time

import pytest

from tests.support.endpoints import E1, E5, E7
from tests.support.live_server import assert_downstream_error, postgres_address, postgres_url, running_server
from tests.support.tcp_proxy import BLACKHOLE, REFUSE, CuttableProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CUTS = [REFUSE, BLACKHOLE]


@pytest.fixture(scope="module")
def proxy(django_db_setup):
    proxy = CuttableProxy(postgres_address())
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def server(proxy):
    with running_server(postgres_url(host="127.0.0.1", port=proxy.port)) as server:
        yield server


@pytest.fixture
def ticket_no(server, proxy) -> str:
    """A ticket stored through the live server while the store is reachable."""
    proxy.restore()
    status, payload, _ = server.call(E5, "")
    assert status == 200, payload
    yield payload["response"]["result"]["ticket_no"]
    proxy.restore()


@pytest.mark.parametrize("cut", CUTS)
def test_every_endpoint_answers_downstream_error_within_5_seconds_while_the_store_is_cut(
    server, proxy, ticket_no, cut
):
    proxy.cut(cut)
    for name, (status, payload, seconds) in server.call_all(ticket_no).items():
        assert status == 500, name
        assert_downstream_error(payload)
        assert seconds < 5, f"{name} took {seconds:.1f} s"


@pytest.mark.parametrize("cut", CUTS)
def test_readyz_is_503_within_5_seconds_while_the_store_is_cut(server, proxy, ticket_no, cut):
    proxy.cut(cut)
    started = time.monotonic()
    assert server.get("/readyz") == (503, {"status": "unavailable", "database": "unreachable"})
    assert time.monotonic() - started < 5


def test_healthz_stays_200_while_the_store_is_cut(server, proxy, ticket_no):
    """Liveness: an orchestrator must not restart processes that will recover by themselves."""
    proxy.cut(BLACKHOLE)
    assert server.get("/healthz") == (200, {"status": "ok"})


@pytest.mark.parametrize("cut", CUTS)
def test_same_server_process_serves_every_endpoint_again_once_the_store_is_back(
    server, proxy, ticket_no, cut
):
    proxy.cut(cut)
    assert server.call(E1, ticket_no)[0] == 500
    proxy.restore()
    results = server.call_all(ticket_no)
    assert {name: status for name, (status, _, _) in results.items()} == {name: 200 for name in results}
    assert server.get("/readyz")[0] == 200
    assert server.process.poll() is None, "the server was never restarted"


def test_ticket_stored_before_the_cut_is_intact_after_it(server, proxy, ticket_no):
    proxy.cut(REFUSE)
    server.call(E5, ticket_no)
    proxy.restore()
    status, payload, _ = server.call(E7, ticket_no)
    assert status == 200
    assert payload["response"]["result"]["ticket_no"] == ticket_no
    listed = server.call(E1, ticket_no)[1]["response"]["result"]
    assert [item["ticket_no"] for item in listed] == [ticket_no], "the failed create stored nothing"
