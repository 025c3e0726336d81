"""Where E1's time goes: the WSGI application called in-process, under pyinstrument.

    python -m bench.profile [--requests 3000] [--path /crm/v1/ticket/details]

Run after `make bench` (it reuses the seeded scratch database and production settings). Prints
pyinstrument's call tree (PROFILE_ALL=1: every frame), then the CPU time per request of the
project path and of the reference, interleaved.
"""

import argparse
import io
import os
import sys
import time

from bench.run import ROOT, production_environment, scratch_database_url
from crmapi.endpoints import E1


def environ(path: str, token: str, operation: str) -> dict:
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8600",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_TOKEN": token,
        "HTTP_CORRELATIONID": "123e4567-e89b-12d3-a456-426614174000",
        "HTTP_SOURCE": "Selfcare",
        "HTTP_SRDATE": "11-09-2021",
        "HTTP_OPERATION": operation,
        "HTTP_DESTINATION": "CRM",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--path", default=E1.path)
    parser.add_argument("--reference", default="/bench/reference/ticket/details")
    parser.add_argument("--operation", default=E1.operation)
    args = parser.parse_args()
    os.environ.update(production_environment(scratch_database_url()), LOG_LEVEL="WARNING")
    sys.path.insert(0, str(ROOT))
    from django.core.wsgi import get_wsgi_application
    from pyinstrument import Profiler

    application = get_wsgi_application()
    from bench.seed import LIST_CONTACTS_FROM
    from crmapi.management.commands.issue_token import mint_token

    tokens = [mint_token(contact=LIST_CONTACTS_FROM + n, ttl=3600) for n in range(100)]

    def run(path: str, count: int) -> float:
        started = time.process_time()
        statuses: list[str] = []
        for n in range(count):
            body = application(
                environ(path, tokens[n % 100], args.operation), lambda s, h: statuses.append(s)
            )
            b"".join(body)
            if not statuses[-1].startswith("200"):
                raise SystemExit(f"{path}: {statuses[-1]}")
        return (time.process_time() - started) / count * 1e6

    run(args.path, 200)
    run(args.reference, 200)
    if os.environ.get("PROFILE_SKIP") != "1":
        profiler = Profiler(interval=0.0002)
        profiler.start()
        run(args.path, args.requests)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))
    project, reference = [], []
    for _ in range(5):  # interleaved; the fastest of each is the least disturbed by other load
        project.append(run(args.path, args.requests // 5))
        reference.append(run(args.reference, args.requests // 5))
    print(f"project {min(project):.0f} µs/request, reference {min(reference):.0f} µs/request, "
          f"ratio {min(reference) / min(project):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
