"""`make soak`: mixed load through the edge (scripts/serve_edge.sh: nginx, two gunicorn
instances, a worker) with PostgreSQL restarted and an app instance killed in the middle; ends in
a table of requests, errors by kind, and keyed creates lost or duplicated (both must be 0).

    python -m bench.soak [--duration 600] [--threads 8]

DATABASE_URL names the PostgreSQL server; the soak uses a database of its own beside it (the
name with a `_soak` suffix). The restart is `pg_ctlcluster <version> main restart` on this
machine. Every create carries an Idempotency-Key and is retried with it until it answers 200, as
a client is told to (docs/integrating.md); at the end every key must name exactly one ticket.
"""

import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import jwt

ROOT = Path(__file__).resolve().parent.parent
BODY = {
    "source": "app",
    "ticketstatus": "Open",
    "effectivedate": "2021-09-11",
    "ticketcategories": "Plan change",
    "ticket_title": "Plan change",
    "description": "",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "vouchertype": "",
    "voucheridformat": "",
    "passwordpattern": "",
}
PATHS = {
    "read": ("GET", "/crm/v1/ticket/details", "ticketDetail"),
    "create": ("POST", "/crm/v1/ticket", "create"),
}
PATHS["comment"] = ("POST", "/crm/v1/ticket/comment", "addTicketComment")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Soak:
    def __init__(self, port: int, secret: str):
        self.port, self.secret = port, secret
        self.lock = threading.Lock()
        self.requests: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.keys: dict[str, tuple[int, str]] = {}  # marker -> (contact, final outcome)
        self.stop = threading.Event()

    def headers(self, contact: int, operation: str) -> dict[str, str]:
        now = int(time.time())
        token = jwt.encode(
            {"sub": str(contact), "iat": now, "exp": now + 3600}, self.secret, algorithm="HS256"
        )
        return {
            "token": token,
            "correlationId": secrets.token_hex(8),
            "source": "Selfcare",
            "srDate": "11-09-2021",
            "operation": operation,
            "destination": "CRM",
            "Content-Type": "application/json",
        }

    def call(
        self, kind: str, contact: int, *, query: str = "", body: dict | None = None, key: str | None = None
    ):
        method, path, operation = PATHS[kind]
        headers = self.headers(contact, operation)
        if key:
            headers["Idempotency-Key"] = key
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                method, path + query, body=json.dumps(body).encode() if body else None, headers=headers
            )
            response = connection.getresponse()
            status, payload = response.status, response.read()
        except OSError as error:
            status, payload = 0, type(error).__name__.encode()
        finally:
            connection.close()
        with self.lock:
            self.requests[kind] += 1
            if status != 200:
                self.errors[f"{kind}: {error_code(payload) or status or payload.decode()}"] += 1
        return status, payload

    def create(self, contact: int) -> str | None:
        marker = f"soak-{secrets.token_hex(6)}"
        deadline = time.monotonic() + 120
        status = 0
        payload = b""
        while time.monotonic() < deadline:
            status, payload = self.call("create", contact, body={**BODY, "description": marker}, key=marker)
            if status == 200:
                break
            time.sleep(0.5)
        with self.lock:
            self.keys[marker] = (contact, "created" if status == 200 else f"gave up ({status})")
        return json.loads(payload)["response"]["result"]["ticket_no"] if status == 200 else None

    def client(self, contact: int) -> None:
        ticket = None
        while ticket is None and not self.stop.is_set():
            ticket = self.create(contact)
        while not self.stop.is_set():
            roll = random.random()
            if roll < 0.5:
                self.call("read", contact, query="?limit=20")
            elif roll < 0.8:
                self.create(contact)
            else:
                self.call(
                    "comment",
                    contact,
                    body={"ticketNo": ticket, "comment": "Any news?", "contactId": str(contact)},
                )

    def stored(self, contact: int) -> list[str]:
        descriptions: list[str] = []
        offset = 0
        while True:
            status, payload = self.call("read", contact, query=f"?limit=500&offset={offset}")
            assert status == 200, payload[:300]
            page = json.loads(payload)["response"]["result"]
            descriptions += [ticket["description"] for ticket in page]
            if len(page) < 500:
                return descriptions
            offset += 500


def error_code(payload: bytes) -> str:
    try:
        return json.loads(payload)["response"]["result"]["arguments"]["errorCode"]
    except (ValueError, KeyError, TypeError):
        return ""


def kill_instance(run_dir: Path, instance: int) -> None:
    master = int((run_dir / f"app{instance}.pid").read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in [master, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients, one contact each")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crmtickets")
    parts = urllib.parse.urlsplit(url)
    database_url = urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_soak"))
    run_dir = Path(tempfile.mkdtemp(prefix="crm-soak-"))
    port, secret = free_port(), secrets.token_urlsafe(48)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CRM_JWT_SECRET": secret,
        "EDGE_RUN_DIR": str(run_dir),
        "EDGE_SKIP_COLLECTSTATIC": "1",
        "CRM_THROTTLE_CONTACT_RATE": "",
        "CRM_THROTTLE_ADDRESS_RATE": "",
        "CRM_CACHE_KEY_PREFIX": f"soak-{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
    }
    log = (run_dir / "serve_edge.log").open("wb")
    stack = subprocess.Popen(
        ["scripts/serve_edge.sh", "127.0.0.1", str(port), str(free_port())],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while not (run_dir / "ready").exists():
            if stack.poll() is not None:
                raise SystemExit(f"serve_edge.sh exited; see {run_dir}/serve_edge.log")
            time.sleep(0.5)
        soak = Soak(port, secret)
        contacts = random.sample(range(10**8, 10**9), args.threads)
        threads = [threading.Thread(target=soak.client, args=(contact,)) for contact in contacts]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        events = []
        time.sleep(args.duration * 0.4)
        restart_postgresql()
        events.append(f"PostgreSQL restarted at {time.monotonic() - started:.0f} s")
        time.sleep(args.duration * 0.2)
        kill_instance(run_dir, 1)
        events.append(
            f"app instance 1 killed (SIGKILL, master and workers) at {time.monotonic() - started:.0f} s"
        )
        time.sleep(max(0.0, args.duration - (time.monotonic() - started)))
        soak.stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stored = collections.Counter(
            d for contact in contacts for d in soak.stored(contact) if d.startswith("soak-")
        )
        created = [marker for marker, (_, outcome) in soak.keys.items() if outcome == "created"]
        lost = sum(1 for marker in soak.keys if stored[marker] == 0)
        duplicated = sum(count - 1 for count in stored.values() if count > 1)
        print_table(soak, elapsed, events, len(soak.keys), len(created), lost, duplicated, args.threads)
    finally:
        stack.terminate()
        stack.wait(timeout=60)
        log.close()


def print_table(soak, elapsed, events, keys, created, lost, duplicated, threads) -> None:
    total = sum(soak.requests.values())
    lines = [
        f"Soak: {elapsed:.0f} s, {threads} clients through nginx (2 gunicorn instances, a worker); "
        + "; ".join(events)
        + ".",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests | {total} ({total / elapsed:.0f}/s) |",
    ]
    lines += [f"| requests, {kind} | {count} |" for kind, count in sorted(soak.requests.items())]
    lines += [f"| errors, {kind} | {count} |" for kind, count in sorted(soak.errors.items())]
    if not soak.errors:
        lines.append("| errors | 0 |")
    lines += [
        f"| keyed creates (distinct keys) | {keys} |",
        f"| answered 200 in the end | {created} |",
        f"| lost creates | {lost} |",
        f"| duplicated creates | {duplicated} |",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
