"""Where an endpoint's time goes: the WSGI application called in-process, CPU time per request.

    python -m bench.profile [--endpoint E1] [--requests 3000]            # project vs minimal
    python -m bench.profile --side project --tree [--endpoint E1]        # pyinstrument's call tree
    python -m bench.profile --instructions [--endpoint E1 E2 E1-304]     # instructions, valgrind

Run after `make bench` (it reuses the seeded scratch database and production settings). Without
`--side`, runs the project and the minimal reference (bench/minimal/) each in its own process,
interleaved three times, and prints each one's CPU time per request and their ratio (on a
PostgreSQL server on this machine, its backend's CPU time per request too, from /proc). With
`--tree` prints pyinstrument's call tree of the project (PROFILE_ALL=1: every frame).

With `--instructions`, each side runs under valgrind's callgrind instead and the figure is the
number of CPU instructions per request, counted only inside the measured loop (callgrind's
`--toggle-collect` on the C function that drives it, `math.fsum`): unlike time, it does not move
with the machine's other load, so it compares the two sides on a shared machine. `E1-304` is E1
sent with `If-None-Match` holding each contact's current tag (every answer a 304).
"""

import argparse
import functools
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import ROOT, TARGETS, production_environment, scratch_database_url

SETTINGS = {"project": "crmtickets.settings", "minimal": "bench.minimal.settings"}


def environ(target, token: str | None, body: bytes) -> dict:
    path, _, query = target.path.partition("?")
    headers = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_CORRELATIONID": "123e4567-e89b-12d3-a456-426614174000",
        "HTTP_SOURCE": "Selfcare",
        "HTTP_SRDATE": "11-09-2021",
        "HTTP_OPERATION": target.operation,
        "HTTP_DESTINATION": "CRM",
    }
    if token is not None:
        headers["HTTP_TOKEN"] = token
    if target.body:
        headers.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    return {
        "REQUEST_METHOD": target.method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8600",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        **headers,
        "wsgi.input": io.BytesIO(body if target.body else b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


REVALIDATED = "E1-304"  # E1 with each contact's current tag in If-None-Match
COUNTED_REQUESTS = 100  # per instruction count: it varies by well under 1 % between runs


def target_of(endpoint: str):
    name = "E1" if endpoint == REVALIDATED else endpoint
    return next(t for t in TARGETS if t.name == name)


def measure(args) -> None:
    """In this process: one side's application, warmed, then timed (and profiled with --tree),
    or with --count instructions, run inside `math.fsum` for callgrind to count."""
    # Production's log level, so the access log's line is built and formatted as it is there.
    os.environ.update(DJANGO_SETTINGS_MODULE=SETTINGS[args.side], LOG_LEVEL="INFO")
    sys.path.insert(0, str(ROOT))
    import logging

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    # Every log line, the access log's included, is written nowhere.
    for handler in logging.getLogger().handlers:
        handler.stream = open(os.devnull, "w")  # noqa: SIM115
    from bench.run import Bench

    target = target_of(args.endpoint)
    tokens = args.tokens.split(",")
    body = Bench.example_body()
    tags: dict[str | None, str] = {}
    expected = "304" if args.endpoint == REVALIDATED else "200"

    def request(n: int) -> float:
        token = None if target.tokens == "none" else tokens[n % len(tokens)]
        answer: list[tuple[str, list]] = []
        request_environ = environ(target, token, body)
        if token in tags:
            request_environ["HTTP_IF_NONE_MATCH"] = tags[token]
        b"".join(application(request_environ, lambda status, headers: answer.append((status, headers))))
        status, headers = answer[0]
        if expected == "304" and token not in tags:
            tags[token] = dict(headers)["ETag"]  # the first answer: a 200 with the current tag
        elif not status.startswith(expected):
            raise SystemExit(f"{args.side} {args.endpoint}: {status}")
        return 0.0

    def run(count: int) -> float:
        started = time.process_time()
        for n in range(count):
            request(n)
        return (time.process_time() - started) / count * 1e6

    def run_with_server(count: int) -> tuple[float, float | None]:
        """This process's CPU time per request and, on a local PostgreSQL, its backend's."""
        server = server_cpu_seconds()
        own = run(count)
        after = server_cpu_seconds()
        return own, None if server is None or after is None else (after - server) / count * 1e6

    run(max(200, 2 * len(tokens)))
    if args.count == "instructions":
        # callgrind started with its instrumentation off (the start-up and the warm-up run at a
        # few times native speed, not fifty); it counts only inside math.fsum (--toggle-collect).
        command = ["vgdb", f"--pid={os.getpid()}", "instrumentation", "on"]
        subprocess.run(command, check=True, capture_output=True)
        math.fsum(request(n) for n in range(args.requests))
        print(json.dumps({"requests": args.requests}))
        return
    if args.tree:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        run(args.requests)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))
    # The least disturbed of three: the one with the lowest total.
    own, server = min(
        (run_with_server(args.requests // 3) for _ in range(3)), key=lambda t: t[0] + (t[1] or 0)
    )
    print(json.dumps({"us": own, "server_us": server}))


def server_cpu_seconds() -> float | None:
    """CPU seconds the default connection's PostgreSQL backend has used (user + system, from
    /proc: the server on this machine), or None (SQLite runs inside this process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(args, side: str, endpoint: str, requests: int, prefix: list[str] | None = None) -> str:
    command = [sys.executable, "-m", "bench.profile", "--side", side, "--endpoint", endpoint]
    command += ["--tokens", args.tokens or tokens_for(target_of(endpoint)), "--requests", str(requests)]
    if prefix:
        command = [*prefix, *command, "--count", "instructions"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{side} {endpoint} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def instructions_per_request(args, side: str, endpoint: str) -> float:
    """Instructions callgrind counted in `args.requests` requests of the measured loop, each."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        prefix = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        prefix.append("--toggle-collect=math_fsum")
        child(args, side, endpoint, args.requests, prefix)
        totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    counted = int(totals[0].split()[1]) if totals else 0
    if counted == 0:
        raise SystemExit("callgrind counted nothing: is math.fsum's symbol math_fsum in this Python?")
    return counted / args.requests


def instruction_table(args) -> list[str]:
    """Markdown: instructions per request of each endpoint, project and minimal, and the ratio."""
    lines = [
        "| endpoint | project instructions / request | minimal instructions / request | minimal ÷ project |",
        "|---|---|---|---|",
    ]
    counts: dict[str, float] = {}
    for endpoint in args.endpoint:
        project = counts[endpoint] = instructions_per_request(args, "project", endpoint)
        if endpoint == REVALIDATED:
            full = counts.get("E1") or instructions_per_request(args, "project", "E1")
            lines.append(
                f"| E1 with a matching If-None-Match (304) | {project:,.0f} | — "
                f"| 304 ÷ 200: {project / full:.2f} |"
            )
        else:
            minimal = instructions_per_request(args, "minimal", endpoint)
            lines.append(f"| {endpoint} | {project:,.0f} | {minimal:,.0f} | {minimal / project:.2f} |")
        print(lines[-1], file=sys.stderr, flush=True)  # progress; the table goes to stdout
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [t.name for t in TARGETS] + [REVALIDATED]
    parser.add_argument("--endpoint", nargs="+", default=["E1"], choices=names)
    parser.add_argument("--requests", type=int, help="per measurement (default 3000; 100 counted)")
    parser.add_argument("--side", choices=sorted(SETTINGS))
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind)")
    parser.add_argument("--count", choices=["time", "instructions"], default="time", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)  # minted by the parent process
    args = parser.parse_args()
    args.requests = args.requests or (COUNTED_REQUESTS if args.instructions else 3000)
    if args.side:
        args.tokens = args.tokens or tokens_for(target_of(args.endpoint[0]))
        args.endpoint = args.endpoint[0]
        measure(args)
        return
    if args.instructions:
        print("\n".join(instruction_table(args)))
        return
    for endpoint in args.endpoint:
        times: dict[str, list[tuple[float, float]]] = {side: [] for side in SETTINGS}
        for _ in range(3):  # interleaved; the fastest of each is the least disturbed by other load
            for side in SETTINGS:
                answer = json.loads(child(args, side, endpoint, args.requests).splitlines()[-1])
                times[side].append((answer["us"], answer["server_us"] or 0.0))
        project, minimal = (min(times[side], key=sum) for side in ("project", "minimal"))
        if not project[1]:
            print(f"{endpoint}: project {project[0]:.0f} µs/request, minimal {minimal[0]:.0f} µs/request, "
                  f"ratio {minimal[0] / project[0]:.2f}")  # fmt: skip
            continue
        print(f"{endpoint}: project {project[0]:.0f} + database server {project[1]:.0f} µs/request, "
              f"minimal {minimal[0]:.0f} + {minimal[1]:.0f} µs/request, "
              f"ratio {sum(minimal) / sum(project):.2f}")  # fmt: skip


@functools.cache
def _production_settings() -> None:
    """Production's environment with fresh secrets, once: the children inherit it."""
    os.environ.update(production_environment(scratch_database_url()))
    import django

    django.setup()


@functools.cache
def tokens_for(target) -> str:
    """100 tokens (one set of secrets for both sides): the seeded list contacts', or for E5 the
    contacts that create."""
    _production_settings()
    from bench.seed import CREATE_CONTACTS_FROM, LIST_CONTACTS_FROM
    from crmapi.management.commands.issue_token import mint_token

    first = CREATE_CONTACTS_FROM if target.tokens == "create" else LIST_CONTACTS_FROM
    return ",".join(mint_token(contact=first + n, ttl=3600) for n in range(100))


if __name__ == "__main__":
    main()
