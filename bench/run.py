"""`make bench`: seed a scratch database, serve the project under gunicorn as production does,
and beside it the minimal hand-written Django project (bench/minimal/) on the same database with
the same gunicorn configuration, and drive both with wrk, interleaved.

    python -m bench.run [--max-tickets 400000] [--rounds 5] [--duration 3]

The database is a scratch copy, recreated on every run: `bench/results/bench.sqlite3` by
default; with `DATABASE_URL` set, the same server and a database (or file) named after it with
a `_bench` suffix, so a development or test database is never touched. Prints markdown tables
and writes them to `bench/results/latest-<vendor>.md`.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import dj_database_url

from crmapi.endpoints import E1, E2, E3, E5, Endpoint
from crmapi.limits import LIST_LIMIT_MAX
from crmtickets.sqlite.base import QUEUE_SUFFIX

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
TABLE_SIZES = (40_000, 400_000, 2_000_000)
SINGLE_SIZES = (20, 200, 2_000)


@dataclass(frozen=True)
class Target:
    endpoint: Endpoint
    tokens: str  # "list", "create" or "none"
    floor: float | None  # the required project/reference ratio

    @property
    def name(self) -> str:
        return self.endpoint.name

    @property
    def path(self) -> str:
        return self.endpoint.path

    @property
    def operation(self) -> str:
        return self.endpoint.operation

    @property
    def body(self) -> bool:
        return self.endpoint.method == "post"

    @property
    def method(self) -> str:
        return http_method(self.body)


def http_method(body: bool) -> str:
    return "POST" if body else "GET"


# The minimal project answers the same paths; each endpoint must be at least as fast.
TARGETS = (
    Target(E1, "list", 1.0),
    Target(E2, "list", 1.0),
    Target(E5, "create", 1.0),
    Target(E3, "none", 1.0),
)
PROJECT, REFERENCE = "project", "reference"


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=2_000, help="contacts whose lists E1 reads")
    parser.add_argument("--tickets", type=int, default=20, help="tickets per contact")
    parser.add_argument("--rounds", type=int, default=8, help="interleaved rounds per comparison")
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_PORT", "8600")),
        help="the project's port; the minimal reference listens on the next one",
    )
    parser.add_argument(
        "--max-tickets",
        type=int,
        default=TABLE_SIZES[-1],
        help="largest table size for the E1 growth table (default 2,000,000: 40k, 400k, 2M)",
    )
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="run gunicorn and wrk at nice -N (needs root): on a shared machine, less disturbed by "
        "other work, the same for both sides",
    )
    parser.add_argument(
        "--no-instructions",
        dest="instructions",
        action="store_false",
        help="skip the instruction counts (valgrind, about 10 minutes); skipped when valgrind is missing",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[target.name for target in TARGETS],
        help="compare just these endpoints and skip the other tables (a quick check while tuning)",
    )
    args = parser.parse_args()
    args.instructions = args.instructions and shutil.which("valgrind") is not None
    return args


# --- The scratch database ------------------------------------------------------------------------


def scratch_database_url() -> str:
    source = os.environ.get("DATABASE_URL", "").strip()
    if not source:
        return f"sqlite:///{RESULTS / 'bench.sqlite3'}"
    config = dj_database_url.parse(source)
    name = config["NAME"]
    if config["ENGINE"].endswith("sqlite3"):
        path = Path(name)
        return f"sqlite:///{path.with_name(path.stem + '_bench' + path.suffix)}"
    head, _, _ = source.rpartition("/")
    return f"{head}/{name}_bench"


def recreate_database(url: str) -> None:
    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal", QUEUE_SUFFIX):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return
    from psycopg import sql

    from tickets.management.commands.ensure_database import maintenance_connection

    with maintenance_connection(config) as conn:
        name = sql.Identifier(config["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def production_environment(database_url: str) -> dict[str, str]:
    """What gunicorn and this process run with: production mode, fresh secrets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRM_JWT_", "DJANGO_", "DB_CONN_MAX_AGE", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="crmtickets.settings",
        CRM_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        CRM_JWT_SECRET=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        # Throttles keep counting (on REDIS_URL's cache when set, as in production) but never refuse.
        CRM_THROTTLE_CONTACT_RATE="1000000/min",
        CRM_THROTTLE_ADDRESS_RATE="1000000/min",
    )
    return env


# --- Load ----------------------------------------------------------------------------------------


# (label, side, path, operation, tokens file, with a body)
Run = tuple[str, str, str, str, str, bool]


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.bases = {
            PROJECT: f"http://127.0.0.1:{args.port}",
            REFERENCE: f"http://127.0.0.1:{args.port + 1}",
        }
        self.servers: list[subprocess.Popen] = []
        self.load: list[float] = []  # the 1-minute load average after each wrk run
        self.body = self.example_body()
        body_file = workdir / "body.json"
        body_file.write_bytes(self.body)
        self.body_file = str(body_file)

    @staticmethod
    def example_body() -> bytes:
        """The document's example body, with a real effective date (as tests/support/endpoints.py)."""
        from crmapi.openapi.examples import DOCUMENT_SPELLING_BODY

        return json.dumps({**DOCUMENT_SPELLING_BODY, "effectivedate": "2021-09-11"}).encode()

    def tokens_file(self, name: str, contacts) -> str:
        from crmapi.management.commands.issue_token import mint_token

        path = self.workdir / f"tokens-{name}.txt"
        path.write_text("".join(mint_token(contact=contact, ttl=86_400) + "\n" for contact in contacts))
        return str(path)

    def start_servers(self, env: dict[str, str]) -> None:
        """The project, then the minimal reference: the same gunicorn.conf.py and flags."""
        self.start_server(PROJECT, env, [])
        minimal_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.minimal.settings"}
        self.start_server(REFERENCE, minimal_env, ["bench.minimal.wsgi:application"])

    def start_server(self, side: str, env: dict[str, str], app: list[str]) -> None:
        # Production's gunicorn.conf.py (its wsgi_app unless `app` names another); the flags
        # below override it.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            "sync",
            "--bind",
            self.bases[side].removeprefix("http://"),
            "--log-level",
            "warning",
            *app,
        ]
        # The access log stays on, as in production; it goes to a file instead of the terminal.
        log_file = RESULTS / f"gunicorn-{side}.log"
        log = log_file.open("w")
        server = subprocess.Popen(self.niced(command), cwd=ROOT, env=env, stdout=log, stderr=log)
        self.servers.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.poll() is not None:  # e.g. the port is taken: never measure another server
                raise SystemExit(f"gunicorn exited; see {log_file}")
            try:
                fetch(f"{self.bases[side]}{E2.path}", "GET", {"X-Forwarded-Proto": "https"})
            except urllib.error.HTTPError:
                return  # an envelope 400: the project answers
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 30 s")

    def niced(self, command: list[str]) -> list[str]:
        """With --priority, both sides' servers and wrk run ahead of the machine's other work."""
        return ["nice", "-n", str(-self.args.priority), *command] if self.args.priority else command

    def stop_servers(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)

    def wrk(self, side: str, path: str, operation: str, tokens: str, body: bool, seconds: int) -> Sample:
        command = [
            "wrk",
            "-t1",
            f"-c{self.args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            self.bases[side] + path,
            "--",
            http_method(body),
            path,
            operation,
            tokens,
            self.body_file if body else "-",
        ]
        output = subprocess.run(self.niced(command), capture_output=True, text=True, check=True).stdout
        self.load.append(os.getloadavg()[0])
        result = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
        return Sample(
            rps=result["requests"] / (result["duration_us"] / 1e6),
            p50_ms=result["p50_us"] / 1000,
            p99_ms=result["p99_us"] / 1000,
            failures=result["non_2xx"] + result["socket_errors"],
        )

    def compare(self, runs: list[Run], rounds: int, seconds: int):
        """Interleave: every round runs each (label, side, ...) once, alternating which goes first."""
        samples: dict[str, list[Sample]] = {run[0]: [] for run in runs}
        for round_number in range(rounds):
            ordered = runs if round_number % 2 == 0 else list(reversed(runs))
            for label, *run in ordered:
                samples[label].append(self.wrk(*run, seconds))
        return samples


def summary(samples: list[Sample]) -> dict[str, float]:
    return {
        "rps": median(s.rps for s in samples),
        "p50": median(s.p50_ms for s in samples),
        "p99": median(s.p99_ms for s in samples),
        "failures": sum(s.failures for s in samples),
    }


def round_ratios(project: list[Sample], reference: list[Sample]) -> list[float]:
    """Project/reference req/s per round: rounds are interleaved, so each ratio is fair; tables
    show their median."""
    return [p.rps / r.rps for p, r in zip(project, reference, strict=True)]


# --- Checks before measuring ---------------------------------------------------------------------


def fetch(url: str, method: str, headers: dict[str, str], body: bytes | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read()


def request_headers(operation: str, token: str | None = None) -> dict[str, str]:
    """The contract's headers as wrk.lua sends them."""
    headers = {
        "X-Forwarded-Proto": "https",
        "correlationId": "bench-check",
        "source": "Selfcare",
        "srDate": "11-09-2021",
        "operation": operation,
        "destination": "CRM",
        "Content-Type": "application/json",
    }
    return headers if token is None else {**headers, "token": token}


def record_of(answer: bytes) -> dict:
    return json.loads(answer)["response"]["result"]


# What differs between two creates of the same body: which ticket, and when.
CREATE_VOLATILE_KEYS = ("ticket_no", "id", "createdtime", "modifiedtime")


def masked(record: dict) -> list[tuple[str, str]]:
    """A created record's keys in order with their values, blank where two creates differ."""
    return [(key, "" if key in CREATE_VOLATILE_KEYS else value) for key, value in record.items()]


def check_same_work(bench: Bench, tokens: dict[str, str]) -> None:
    """The reference must answer what the project answers, or the ratio means nothing: reads the
    same JSON (each side writes it its own way); creates the same record, keys in the same order,
    but for the ticket's number, id and times (each a new ticket of its own)."""
    for target in TARGETS:
        token = None
        if target.tokens != "none":
            token = Path(tokens[target.tokens]).read_text().split("\n", 1)[0]
        headers = request_headers(target.operation, token)
        body = bench.body if target.body else None
        answers = [
            fetch(bench.bases[side] + target.path, target.method, headers, body) for side in bench.bases
        ]
        (project_headers, project), (reference_headers, reference) = answers
        if target.body:
            created, referenced = record_of(project), record_of(reference)
            same = created["ticket_no"] != referenced["ticket_no"] and masked(created) == masked(referenced)
        else:
            same = json.loads(project) == json.loads(reference)
        if target.name == "E1":
            same = same and project_headers["X-Total-Count"] == reference_headers["X-Total-Count"]
        if not same:
            raise SystemExit(f"{target.name}: the reference does not answer what the project answers")


def connection_report(database_url: str, started: float) -> str:
    """Whether gunicorn's workers kept their database connections (CONN_MAX_AGE) all run long."""
    from django.conf import settings
    from django.db import connection

    max_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    checks = settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    text = f"throttle counters in {cache}; CONN_MAX_AGE={max_age}, CONN_HEALTH_CHECKS={checks}"
    if connection.vendor != "postgresql":
        return text
    name = dj_database_url.parse(database_url)["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE backend_start < to_timestamp(%s)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [started, name],
        )
        total, older = cursor.fetchone()
    return f"{text}; after the run the workers hold {total} connections, {older} of them opened before it"


# --- Output --------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def versions() -> str:
    """The software under test, the database server included."""
    from importlib.metadata import version

    from django.db import connection

    packages = ", ".join(f"{name} {version(name)}" for name in ("Django", "djangorestframework", "gunicorn"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        server = cursor.fetchone()[0]
    connection.close()
    return f"{packages}, {connection.display_name} {server}"


def load_range(load: list[float]) -> str:
    return (
        f"load average {min(load):.1f} to {max(load):.1f} (1 min, sampled after each wrk run)" if load else ""
    )


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it when it can)")
    database_url = scratch_database_url()
    recreate_database(database_url)
    env = production_environment(database_url)
    caller_environ = dict(os.environ)  # bench.profile finds the scratch database from it too
    # gunicorn keeps production's statement timeout; seeding 2M rows here takes longer than it.
    os.environ.update(env, DB_STATEMENT_TIMEOUT_MS="0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from bench import seed
    from tickets.models import Ticket

    vendor = connection.vendor
    software = versions()
    t0 = time.monotonic()
    print(f"Seeding {args.contacts:,} contacts x {args.tickets} tickets on {vendor} ...", flush=True)
    seed.seed_base(contacts=args.contacts, per_contact=args.tickets, single_sizes=SINGLE_SIZES)
    print(f"  {Ticket.objects.count():,} tickets in {time.monotonic() - t0:.0f} s", flush=True)
    connection.close()

    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        bench = Bench(args, Path(tmp))
        list_contacts = range(seed.LIST_CONTACTS_FROM, seed.LIST_CONTACTS_FROM + args.contacts)
        tokens = {
            "list": bench.tokens_file("list", list_contacts),
            "create": bench.tokens_file(
                "create", range(seed.CREATE_CONTACTS_FROM, seed.CREATE_CONTACTS_FROM + 500)
            ),
            "none": "-",
        }
        singles = {
            size: bench.tokens_file(f"single-{size}", [seed.SINGLE_CONTACTS_FROM + index])
            for index, size in enumerate(SINGLE_SIZES)
        }
        bench.start_servers(env)
        try:
            check_same_work(bench, tokens)
            for target in TARGETS:  # warm both workers' caches and connections
                for side in bench.bases:
                    bench.wrk(side, target.path, target.operation, tokens[target.tokens], target.body, 1)
            started = time.time()
            lines += endpoint_table(bench, tokens, args)
            if not args.only:
                lines += single_contact_table(bench, singles, args)
                lines += conditional_table(bench, tokens, singles, args)
                if args.instructions:
                    lines += instruction_table(caller_environ)
                lines += growth_table(bench, tokens, args, seed)
            lines += ["", f"Settings: {connection_report(database_url, started)}."]
        finally:
            bench.stop_servers()
    priority = f"; servers and wrk at nice -{args.priority}" if args.priority else ""
    header = [
        f"Machine: {machine()}; {load_range(bench.load)}. {software}. gunicorn {args.workers} sync "
        f"workers, wrk 1 thread x {args.connections} connections, {args.rounds} interleaved rounds x "
        f"{args.duration} s; medians{priority}. Total run {time.monotonic() - t0:.0f} s.",
    ]
    text = "\n".join(header + lines) + "\n"
    (RESULTS / f"latest-{vendor}{'-only' if args.only else ''}.md").write_text(text)
    print("\n" + text)


def project_and_reference(target: Target, tokens: dict[str, str]) -> list[Run]:
    """The two runs Bench.compare interleaves for one endpoint."""
    return [
        (side, side, target.path, target.operation, tokens[target.tokens], target.body)
        for side in (PROJECT, REFERENCE)
    ]


def endpoint_table(bench: Bench, tokens: dict[str, str], args) -> list[str]:
    print("Endpoints, project vs reference ...", flush=True)
    lines = [
        "",
        f"Seeded: {args.contacts:,} contacts x {args.tickets} tickets (tokens rotate across them).",
        "",
        "| endpoint | project req/s | reference req/s | ratio (rounds' range) | target "
        "| project p50 / p99 ms | reference p50 / p99 ms | failed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for target in TARGETS:
        if args.only and target.name not in args.only:
            continue
        samples = bench.compare(project_and_reference(target, tokens), args.rounds, args.duration)
        p, r = summary(samples["project"]), summary(samples["reference"])
        ratios = round_ratios(samples["project"], samples["reference"])
        value = median(ratios)
        verdict = (
            "—" if target.floor is None else f"≥ {target.floor:.2f} {'✓' if value >= target.floor else '✗'}"
        )
        lines.append(
            f"| {target.name} {target.method} {target.path} "
            f"| {fmt(p['rps'])} | {fmt(r['rps'])} | {value:.2f} ({min(ratios):.2f} to {max(ratios):.2f}) "
            f"| {verdict} | {p['p50']:.1f} / {p['p99']:.1f} | {r['p50']:.1f} / {r['p99']:.1f} "
            f"| {p['failures'] + r['failures']} |"
        )
        print("  " + lines[-1], flush=True)
    return lines


def single_contact_table(bench: Bench, singles: dict[int, str], args) -> list[str]:
    print("E1 as one contact's list grows ...", flush=True)
    pages = [(size, 20) for size in singles] + [(max(singles), LIST_LIMIT_MAX)]
    runs: list[Run] = [
        (f"{size}/{limit}", PROJECT, f"{E1.path}?limit={limit}", E1.operation, singles[size], False)
        for size, limit in pages
    ]
    samples = bench.compare(runs, args.rounds, max(2, args.duration // 2))
    lines = [
        "",
        "E1 as one contact's ticket count grows (`?limit=20`, and the largest page, `?limit=500`):",
        "",
        "| contact's tickets | limit | req/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for size, limit in pages:
        s = summary(samples[f"{size}/{limit}"])
        lines.append(f"| {size:,} | {limit} | {fmt(s['rps'])} | {s['p50']:.1f} | {s['p99']:.1f} |")
    return lines


def revalidating_tokens_file(bench: Bench, path: str, tokens_file: str) -> str:
    """`tokens_file` with each token's current E1 `ETag` after a tab, so wrk.lua sends it as
    `If-None-Match`: every request of a run with it is a 304 (checked on the first token)."""
    lines = []
    for token in Path(tokens_file).read_text().split():
        answer_headers, _ = fetch(bench.bases[PROJECT] + path, "GET", request_headers(E1.operation, token))
        lines.append(f"{token}\t{answer_headers['ETag']}\n")
    first_token, first_tag = lines[0].rstrip("\n").split("\t")
    try:
        fetch(
            bench.bases[PROJECT] + path,
            "GET",
            {**request_headers(E1.operation, first_token), "If-None-Match": first_tag},
        )
    except urllib.error.HTTPError as answer:
        if answer.code == 304:
            revalidating = Path(tokens_file).with_suffix(".revalidating.txt")
            revalidating.write_text("".join(lines))
            return str(revalidating)
    raise SystemExit(f"E1 {path}: a request with its ETag is not answered 304")


def conditional_table(bench: Bench, tokens: dict[str, str], singles: dict[int, str], args) -> list[str]:
    """E1 polled with `If-None-Match` holding each contact's current tag (304s) against the same
    requests without it (200s): the seeded lists, and the 2,000-ticket contact's largest page."""
    print("E1 304 vs 200 ...", flush=True)
    largest = max(singles)
    cases = [
        (f"{args.tickets}-ticket lists", E1.path, tokens["list"]),
        (
            f"{largest:,} tickets, `?limit={LIST_LIMIT_MAX}`",
            f"{E1.path}?limit={LIST_LIMIT_MAX}",
            singles[largest],
        ),
    ]
    runs: list[Run] = []
    for label, path, tokens_file in cases:
        revalidating = revalidating_tokens_file(bench, path, tokens_file)
        runs += [
            (f"{label} 200", PROJECT, path, E1.operation, tokens_file, False),
            (f"{label} 304", PROJECT, path, E1.operation, revalidating, False),
        ]
    samples = bench.compare(runs, args.rounds, args.duration)
    lines = [
        "",
        "E1 revalidated: the same requests with `If-None-Match` holding the contact's current `ETag` "
        "(every answer a 304, one aggregate query, no body) and without it (200):",
        "",
        "| E1 | 200 req/s | 304 req/s | 304/200 | 200 p50 / p99 ms | 304 p50 / p99 ms | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, _, _ in cases:
        full, unchanged = summary(samples[f"{label} 200"]), summary(samples[f"{label} 304"])
        failed = full["failures"] + unchanged["failures"]
        lines.append(
            f"| {label} | {fmt(full['rps'])} | {fmt(unchanged['rps'])} "
            f"| {unchanged['rps'] / full['rps']:.2f} | {full['p50']:.1f} / {full['p99']:.1f} "
            f"| {unchanged['p50']:.1f} / {unchanged['p99']:.1f} | {failed} |"
        )
        print("  " + lines[-1], flush=True)
    return lines


def instruction_table(caller_environ: dict[str, str]) -> list[str]:
    """CPU instructions per request in-process, counted by callgrind (bench/profile.py): what
    load on the machine does not move."""
    from bench import profile

    print("Instructions per request (valgrind) ...", flush=True)
    endpoints = [target.name for target in TARGETS] + [profile.REVALIDATED]
    command = [sys.executable, "-m", "bench.profile", "--instructions", "--endpoint", *endpoints]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=ROOT, env=caller_environ
    ).stdout
    return [
        "",
        "CPU instructions per request, in-process (each side's WSGI application called directly, "
        f"{profile.COUNTED_REQUESTS} requests counted by valgrind's callgrind after a warm-up; the "
        "access log formatted but not written): unmoved by the machine's load.",
        "",
        *[line for line in output.splitlines() if line.startswith("|")],
    ]


def growth_table(bench: Bench, tokens: dict[str, str], args, seed) -> list[str]:
    from django.db import connection

    sizes = [size for size in TABLE_SIZES if size <= args.max_tickets] or [TABLE_SIZES[0]]
    lines = [
        "",
        "E1 as the table grows (the same 20-ticket lists; the reference shows how much the machine drifted):",
        "",
        "| tickets in the table | project req/s | project p50 ms | p50 vs first | reference req/s "
        "| reference p50 ms | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    runs = project_and_reference(TARGETS[0], tokens)
    first_p50 = None
    for size in sizes:
        actual = seed.grow_to(size, per_contact=args.tickets)
        connection.close()
        print(f"E1 at {actual:,} tickets ...", flush=True)
        bench.compare(runs, 1, 1)  # warm the caches the inserts pushed out
        samples = bench.compare(runs, args.rounds, max(2, args.duration // 2))
        p, r = summary(samples["project"]), summary(samples["reference"])
        first_p50 = first_p50 or p["p50"]
        value = median(round_ratios(samples["project"], samples["reference"]))
        lines.append(
            f"| {actual:,} | {fmt(p['rps'])} | {p['p50']:.1f} | {p['p50'] / first_p50 - 1:+.0%} "
            f"| {fmt(r['rps'])} | {r['p50']:.1f} | {value:.2f} |"
        )
    return lines


if __name__ == "__main__":
    main()
