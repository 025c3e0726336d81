"""The network to the store goes silent under a running production server (CONTRACT §8).

tests/crmtickets/test_store_faults.py cuts a proxy: the server sees its connections closed, or new ones
refused or never answered. Here the packets of an open connection vanish, as when the database
host dies or a route drops: nothing is closed and nothing answers. TCP alone would retransmit for
minutes, until gunicorn kills the worker; with `DB_TCP_USER_TIMEOUT_MS` the request answers
`Downstream error` within 5 s, and the same process serves again once packets flow.

The silent link is a veth pair into a network namespace of the test's own (root and iproute2,
as on CI; skipped elsewhere): gunicorn → veth → a forwarder inside the namespace → veth → a
forwarder on the host → PostgreSQL on 127.0.0.1. Setting the namespace's end of the pair down
drops every packet unanswered.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.db import connection

from tests.support.endpoints import E1, E5, E7
from tests.support.live_server import assert_downstream_error, postgres_address, postgres_url, running_server
from tests.support.processes import ROOT
from tests.support.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PORT_IN_NAMESPACE = 5432


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


class SilentLink:
    """A network namespace joined to the host by a veth pair, PostgreSQL reachable through it."""

    def __init__(self, database: tuple[str, int]):
        tag = str(os.getpid())[-7:]
        self.namespace, self.host_end, self.inner_end = f"crm{tag}", f"crmh{tag}", f"crmn{tag}"
        subnet = f"10.213.{os.getpid() % 256}"
        self.host_address, self.inner_address = f"{subnet}.1", f"{subnet}.2"
        self.forwarder = None
        try:
            ip("netns", "add", self.namespace)
            ip(
                "link",
                "add",
                self.host_end,
                "type",
                "veth",
                "peer",
                "name",
                self.inner_end,
                "netns",
                self.namespace,
            )
            ip("addr", "add", f"{self.host_address}/30", "dev", self.host_end)
            ip("link", "set", self.host_end, "up")
            ip("-n", self.namespace, "addr", "add", f"{self.inner_address}/30", "dev", self.inner_end)
            ip("-n", self.namespace, "link", "set", self.inner_end, "up")
        except subprocess.CalledProcessError as error:
            self.remove()
            pytest.skip(f"no network namespace here: {error.stderr.strip()}")
        self.host_proxy = CuttableProxy(database, host=self.host_address)
        forward = [self.inner_address, PORT_IN_NAMESPACE, self.host_address, self.host_proxy.port]
        self.forwarder = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.namespace,
                sys.executable,
                "-m",
                "tests.support.tcp_proxy",
                *map(str, forward),
            ],
            cwd=ROOT,
        )
        self._wait_until_forwarding()

    def _wait_until_forwarding(self) -> None:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((self.inner_address, PORT_IN_NAMESPACE), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.remove()
                    raise
                time.sleep(0.1)

    def go_silent(self) -> None:
        ip("-n", self.namespace, "link", "set", self.inner_end, "down")

    def restore(self) -> None:
        """The link up, returning once PostgreSQL answers through it again: a link just set up
        can refuse a connection for a moment while the kernel brings it back."""
        ip("-n", self.namespace, "link", "set", self.inner_end, "up")
        database = connection.settings_dict
        deadline = time.monotonic() + 10
        while True:
            try:
                psycopg.connect(
                    host=self.inner_address,
                    port=PORT_IN_NAMESPACE,
                    dbname=database["NAME"],
                    user=database["USER"] or "postgres",
                    password=database["PASSWORD"] or None,
                    connect_timeout=1,
                ).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def remove(self) -> None:
        if self.forwarder is not None:
            self.forwarder.kill()
            self.forwarder.wait()
            self.host_proxy.stop()
        subprocess.run(
            ["ip", "netns", "del", self.namespace], capture_output=True
        )  # takes the veth pair along
        subprocess.run(["ip", "link", "del", self.host_end], capture_output=True)


@pytest.fixture(scope="module")
def link(django_db_setup):
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to make a network namespace")
    link = SilentLink(postgres_address())
    yield link
    link.remove()


@pytest.fixture(scope="module")
def server(link):
    """One thread, so every request reuses the one connection that is open when the link goes silent."""
    with running_server(postgres_url(host=link.inner_address, port=PORT_IN_NAMESPACE), threads=1) as server:
        yield server


def test_request_on_a_connection_gone_silent_answers_downstream_error_within_5_seconds(server, link):
    status, payload, _ = server.call(E5, "")
    assert status == 200, payload
    link.go_silent()
    try:
        status, payload, seconds = server.call(E1, "")
    finally:
        link.restore()
    assert status == 500
    assert_downstream_error(payload)
    assert seconds < 5, f"took {seconds:.1f} s"


def test_same_process_serves_again_once_packets_flow(server, link):
    status, payload, _ = server.call(E5, "")
    ticket_no = payload["response"]["result"]["ticket_no"]
    link.go_silent()
    try:
        assert server.call(E7, ticket_no)[0] == 500
    finally:
        link.restore()
    status, payload, _ = server.call(E7, ticket_no)
    assert status == 200, payload
    assert server.process.poll() is None, "the server was never restarted"


def test_query_in_flight_when_the_link_goes_silent_fails_within_5_seconds(link):
    """The database host dies after acknowledging a query: keepalives and the TCP user timeout of
    the project's settings end the wait (the app's queries take milliseconds; a slow one stands in)."""
    database = connection.settings_dict
    with psycopg.connect(
        host=link.inner_address,
        port=PORT_IN_NAMESPACE,
        dbname=database["NAME"],
        user=database["USER"] or "postgres",
        password=database["PASSWORD"] or None,
        **database["OPTIONS"],
    ) as store:
        outcome: list = []
        query = threading.Thread(target=run_slow_query, args=(store, outcome))
        query.start()
        time.sleep(0.5)
        link.go_silent()
        started = time.monotonic()
        try:
            query.join(timeout=30)
            seconds = time.monotonic() - started
        finally:
            link.restore()
            end_orphaned_slow_query()
    assert len(outcome) == 1
    assert isinstance(outcome[0], psycopg.OperationalError), outcome
    assert seconds < 5, f"took {seconds:.1f} s"


SLOW_QUERY = "SELECT pg_sleep(20) -- silent-link probe"


def end_orphaned_slow_query() -> None:
    """The server never learns its client is gone; it would hold the test database open."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s", [SLOW_QUERY]
        )


def run_slow_query(store, outcome: list) -> None:
    try:
        store.execute(SLOW_QUERY)
        outcome.append("finished")
    except psycopg.Error as error:
        outcome.append(error)
