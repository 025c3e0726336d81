"""The edge stack of `make serve-edge` (scripts/serve_edge.sh: nginx, two gunicorn instances, a
worker), started for real on loopback for the tests of tests/edge/."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.processes import ROOT
from tests.support.store import free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def require_nginx() -> None:
    """Skip without Debian's nginx, unless REQUIRE_NGINX is set (CI): then fail."""
    if NGINX is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("REQUIRE_NGINX is set but nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")


def stack_database_url() -> str:
    """A database of the stack's own: beside the suite's PostgreSQL database, or a new SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_edge"))
    return f"sqlite:///{tempfile.mkdtemp(prefix='crm-edge-db-')}/edge.sqlite3"


class EdgeStack:
    """scripts/serve_edge.sh in a session of its own; tokens are signed with the test's secret."""

    def __init__(self, run_dir: Path, **environment: str):
        self.run_dir = run_dir
        self.port, self.tls_port = free_port(), free_port()
        env = {
            **os.environ,
            "DATABASE_URL": stack_database_url(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "CRM_CACHE_KEY_PREFIX": f"edge-test-{secrets.token_hex(4)}",
            "CRM_JWT_SECRET": settings.CRM_JWT_SECRET,
            "EDGE_RUN_DIR": str(run_dir),
            "EDGE_SKIP_COLLECTSTATIC": "1",
            "LOG_LEVEL": "WARNING",
            **environment,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log = (run_dir / "serve_edge.log").open("wb")
        self.process = subprocess.Popen(
            ["scripts/serve_edge.sh", "127.0.0.1", str(self.port), str(self.tls_port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except AssertionError:
            self.stop()
            raise

    def output(self) -> str:
        return (self.run_dir / "serve_edge.log").read_text(errors="replace")[-4000:]

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 120
        while not (self.run_dir / "ready").exists():
            assert self.process.poll() is None, f"serve_edge.sh exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"the edge was not ready within 120 s:\n{self.output()}"
            time.sleep(0.2)

    def connect(self, *, timeout: float = 10) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def tls_context(self) -> ssl.SSLContext:
        """Trusts this run's self-signed certificate only."""
        return ssl.create_default_context(cafile=str(self.run_dir / "edge.pem"))

    def app_pid(self, instance: int) -> int:
        return int((self.run_dir / f"app{instance}.pid").read_text())

    def kill_app(self, instance: int) -> None:
        """SIGKILL one gunicorn instance, its master and its workers: requests under way die."""
        master = self.app_pid(instance)
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in [master, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM to the script, which stops what it started; its session is killed after 30 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one HTTP/1.1 response with a Content-Length
    or a closed connection, read from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split(" ")[1]), headers, body
