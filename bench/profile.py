"""Where an endpoint's time goes: the WSGI application called in-process, CPU time per request.

    python -m bench.profile [--endpoint E1] [--requests 3000]            # project vs minimal
    python -m bench.profile --side project --tree [--endpoint E1]        # pyinstrument's call tree

Run after `make bench` (it reuses the seeded scratch database and production settings). Without
`--side`, runs the project and the minimal reference (bench/minimal/) each in its own process,
interleaved three times, and prints each one's CPU time per request and their ratio. With
`--tree` prints pyinstrument's call tree of the project (PROFILE_ALL=1: every frame).
"""

import argparse
import io
import json
import os
import subprocess
import sys
import time

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


def measure(args) -> None:
    """In this process: one side's application, warmed, then timed (and profiled with --tree)."""
    os.environ.update(DJANGO_SETTINGS_MODULE=SETTINGS[args.side], LOG_LEVEL="WARNING")
    sys.path.insert(0, str(ROOT))
    import logging

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    # The access log's records are built and formatted, but written nowhere.
    for handler in logging.getLogger().handlers:
        handler.stream = open(os.devnull, "w")  # noqa: SIM115
    from bench.run import Bench

    target = next(t for t in TARGETS if t.name == args.endpoint)
    tokens = args.tokens.split(",")
    body = Bench.example_body()

    def run(count: int) -> float:
        started = time.process_time()
        statuses: list[str] = []
        for n in range(count):
            token = None if target.tokens == "none" else tokens[n % len(tokens)]
            answer = application(environ(target, token, body), lambda s, h: statuses.append(s))
            b"".join(answer)
            if not statuses[-1].startswith("200"):
                raise SystemExit(f"{args.side} {target.path}: {statuses[-1]}")
        return (time.process_time() - started) / count * 1e6

    run(200)
    if args.tree:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        run(args.requests)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))
    print(json.dumps({"us": min(run(args.requests // 3) for _ in range(3))}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", default="E1", choices=[t.name for t in TARGETS])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--side", choices=sorted(SETTINGS))
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--tokens", help=argparse.SUPPRESS)  # minted by the parent process
    args = parser.parse_args()
    if args.tokens is None:
        # One set of secrets for both sides, and tokens minted with them.
        os.environ.update(production_environment(scratch_database_url()))
        import django

        django.setup()
        from bench.seed import CREATE_CONTACTS_FROM, LIST_CONTACTS_FROM
        from crmapi.management.commands.issue_token import mint_token

        target = next(t for t in TARGETS if t.name == args.endpoint)
        first = CREATE_CONTACTS_FROM if target.tokens == "create" else LIST_CONTACTS_FROM
        args.tokens = ",".join(mint_token(contact=first + n, ttl=3600) for n in range(100))
    if args.side:
        measure(args)
        return
    times: dict[str, list[float]] = {side: [] for side in SETTINGS}
    for _ in range(3):  # interleaved; the fastest of each is the least disturbed by other load
        for side in SETTINGS:
            command = [sys.executable, "-m", "bench.profile", "--side", side, "--endpoint", args.endpoint]
            command += ["--tokens", args.tokens]
            output = subprocess.run(
                [*command, "--requests", str(args.requests)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
            times[side].append(json.loads(output.splitlines()[-1])["us"])
    project, minimal = min(times["project"]), min(times["minimal"])
    print(f"{args.endpoint}: project {project:.0f} µs/request, minimal {minimal:.0f} µs/request, "
          f"ratio {minimal / project:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
