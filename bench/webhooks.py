"""`make bench-webhooks`: how fast one worker process (`manage.py run_worker`, production
settings) delivers webhooks to a local HTTPS receiver, and how long an event waits between its
commit and its first attempt, idle and while gunicorn serves E5 under wrk.

    python -m bench.webhooks [--events 500] [--endpoints 10] [--probes 100] [--load-seconds 10]

- **Throughput**: `--events` events queued with no worker running (a backlog), first all for one
  endpoint (one attempt in flight per endpoint: they go out one after the other), then spread
  over `--endpoints` endpoints; then one worker starts and the run times the receiver's requests
  from the first to the last.
- **Latency**: with the worker running and idle, `--probes` test events, one every 1/`--rate`
  seconds, each timed from its commit (the admin's "Send test event") to its arrival at the
  receiver. Then the same while wrk creates tickets through E5 (no endpoint subscribed to them:
  the database is busy, the worker is not), and finally with an endpoint subscribed to
  `ticket.created`, so every E5 is a delivery too: those are timed from the event's timestamp
  (inside E5's transaction, a few ms before its commit) to their arrival. E5's rate with no
  worker running at all comes first, to show what the worker's polling costs the API.

The database is a scratch copy recreated each run (bench/run.py's, with a `_webhooks` suffix).
The receiver is the tests' (tests/support/webhook_receiver.py) over TLS with a throw-away
authority (`CRM_WEBHOOK_CA_FILE`, `CRM_WEBHOOK_ALLOW_PRIVATE=1`), answering 200 at once. Prints
markdown and writes it to `bench/results/webhooks-<vendor>.md`.
"""

import argparse
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import quantiles

from bench.run import (
    PROJECT,
    RESULTS,
    ROOT,
    Bench,
    machine,
    production_environment,
    recreate_database,
    scratch_database_url,
)

# Commit to first attempt, idle, one worker.
IDLE_P95_TARGET_S = 1.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=500, help="events in each throughput backlog")
    parser.add_argument(
        "--endpoints", type=int, default=10, help="endpoints the second backlog is spread over"
    )
    parser.add_argument("--threads", type=int, default=4, help="the worker's threads (CRM_WORKER_THREADS)")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="the worker's poll interval (CRM_WORKER_INTERVAL)"
    )
    parser.add_argument("--probes", type=int, default=100, help="timed test events per latency row")
    parser.add_argument("--rate", type=float, default=5.0, help="probes per second")
    parser.add_argument("--load-seconds", type=int, default=10, help="seconds of each wrk E5 run")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("BENCH_PORT", "8610")), help="gunicorn's port"
    )
    return parser.parse_args()


def webhooks_database_url() -> str:
    """bench/run.py's scratch database with a `_webhooks` suffix: both benchmarks may run at once."""
    url = scratch_database_url()
    if url.endswith(".sqlite3"):
        return url.removesuffix(".sqlite3") + "_webhooks.sqlite3"
    return url + "_webhooks"


class Worker:
    """`manage.py run_worker` with the run's environment, its output in bench/results/worker.log."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace):
        from webhooks.management.commands.run_worker import STARTED

        self.log_file = RESULTS / "worker.log"
        self.log = self.log_file.open("ab")
        offset = self.log.tell()  # the log keeps every worker of the run: read this one's lines
        command = [sys.executable, "manage.py", "run_worker", "--threads", str(args.threads)]
        command += ["--interval", str(args.interval)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while STARTED not in self.log_file.read_bytes()[offset:].decode(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {self.log_file}")
            time.sleep(0.05)
        self.started = time.time()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return quantiles(values, n=100, method="inclusive")[pct - 1]


def latency_cells(latencies_s: list[float]) -> str:
    ms = [value * 1000 for value in latencies_s]
    return f"{len(ms)} | {percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} | {max(ms):.0f}"


class Run:
    def __init__(self, args: argparse.Namespace, env: dict[str, str], receiver, url: str):
        self.args, self.env, self.receiver, self.url = args, env, receiver, url

    def endpoint(self, name: str, event_types: tuple[str, ...] = ("webhook.test",)):
        """An endpoint named `name` (in its description and its URL's query), by default for
        test events only, so that the E5 load's tickets go nowhere."""
        from webhooks.models import WebhookEndpoint

        return WebhookEndpoint.objects.create(
            url=f"{self.url}?{name}", description=name, event_types=list(event_types)
        )

    def arrivals(self, prefix: str) -> dict[str, float]:
        """webhook-id -> arrival time of the first request to endpoints named `prefix`..."""
        first: dict[str, float] = {}
        for request in self.receiver.requests:
            if request.path.partition("?")[2].startswith(prefix):
                first.setdefault(request.headers["webhook-id"], request.received_at)
        return first

    def throughput(self, label: str, endpoints: int) -> str:
        from webhooks import services
        from webhooks.models import DeliveryState, WebhookDelivery

        targets = [self.endpoint(f"{label}-{n}") for n in range(endpoints)]
        for index in range(self.args.events):
            services.endpoint_send_test(endpoint=targets[index % endpoints])
        print(
            f"  {self.args.events} events queued for {endpoints} endpoint(s); starting the worker ...",
            flush=True,
        )
        worker = Worker(self.env, self.args)
        try:
            pending = WebhookDelivery.objects.filter(endpoint__in=targets).exclude(
                state=DeliveryState.SUCCEEDED
            )
            deadline = time.monotonic() + 300
            while pending.exists():
                if time.monotonic() > deadline:
                    raise SystemExit(f"{pending.count()} deliveries still pending after 5 minutes")
                time.sleep(0.05)
            finished = time.time()
        finally:
            worker.stop()
        times = sorted(self.arrivals(f"{label}-").values())
        rate = (len(times) - 1) / (times[-1] - times[0])
        return (
            f"| {self.args.events} events, {endpoints} endpoint{'s' if endpoints > 1 else ''} "
            f"| {rate:,.0f} | {finished - worker.started:.1f} | {times[0] - worker.started:.2f} |"
        )

    def probe(self, label: str) -> list[float]:
        """`--probes` test events at `--rate` per second; each one's commit-to-arrival seconds."""
        from webhooks import services

        target = self.endpoint(label)
        committed: dict[str, float] = {}
        for _ in range(self.args.probes):
            event = services.endpoint_send_test(endpoint=target)
            committed[event.deliveries.get().webhook_id] = time.time()
            time.sleep(random.expovariate(self.args.rate))
        deadline = time.monotonic() + 60
        while len(arrived := self.arrivals(label)) < len(committed):
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: {len(arrived)} of {len(committed)} probes arrived")
            time.sleep(0.05)
        return [arrived[webhook_id] - at for webhook_id, at in committed.items()]

    def ticket_created_latencies(self, label: str) -> list[float]:
        """For every ticket.created delivery to `label`: its arrival minus the event's timestamp."""
        from webhooks.models import WebhookDelivery

        deadline = time.monotonic() + 120
        deliveries = WebhookDelivery.objects.filter(endpoint__description=label)
        while len(self.arrivals(label)) < deliveries.count():
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: the worker did not catch up within 2 minutes")
            time.sleep(0.1)
        arrived = self.arrivals(label)
        occurred = dict(deliveries.values_list("webhook_id", "event__occurred_at"))
        return [arrived[webhook_id] - occurred[webhook_id].timestamp() for webhook_id in arrived]


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "worker.log").unlink(missing_ok=True)
    database_url = webhooks_database_url()
    recreate_database(database_url)
    sys.path.insert(0, str(ROOT))
    from tests.support.certificates import authority_with_server
    from tests.support.webhook_receiver import WebhookReceiver

    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    authority, server_cert = authority_with_server(workdir, ["127.0.0.1"])
    env = production_environment(database_url)
    env.update(
        CRM_WEBHOOK_ALLOW_PRIVATE="1",
        CRM_WEBHOOK_CA_FILE=str(authority.ca_file),
        CRM_WORKER_THREADS=str(args.threads),
        CRM_WORKER_INTERVAL=str(args.interval),
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_issue_types", verbosity=0)
    vendor = connection.vendor
    load_before = f"{os.getloadavg()[0]:.1f}"  # the machine's other work skews every figure
    t0 = time.monotonic()
    lines: list[str] = []
    with WebhookReceiver(ssl_context=authority.server_context(server_cert)) as receiver:
        run = Run(args, env, receiver, f"https://127.0.0.1:{receiver.port}/webhook")
        print("Throughput ...", flush=True)
        lines += [
            "",
            "| backlog | deliveries/s | all delivered after (s) | first delivery after (s) |",
            "|---|---|---|---|",
            run.throughput("one", 1),
            run.throughput("many", args.endpoints),
        ]
        print("\n".join(lines[-2:]), flush=True)
        lines += latency_rows(run, args, env)
    header = (
        f"Machine: {machine()}, load average {load_before} before the run, "
        f"{os.getloadavg()[0]:.1f} after. Database: {vendor}. One worker: {args.threads} threads, "
        f"poll interval {args.interval} s, production settings, receiver over TLS on loopback. "
        f"Total run {time.monotonic() - t0:.0f} s."
    )
    text = header + "\n" + "\n".join(lines) + "\n"
    (RESULTS / f"webhooks-{vendor}.md").write_text(text)
    print("\n" + text)


def latency_rows(run: Run, args: argparse.Namespace, env: dict[str, str]) -> list[str]:
    from bench import seed
    from crmapi.endpoints import E5

    lines = [
        "",
        f"Commit to arrival at the receiver, ms ({args.probes} test events at ~{args.rate:g}/s; "
        f"under load, wrk -c{args.connections} on E5 with gunicorn {args.workers} sync workers):",
        "",
        "| while | E5 req/s | events | p50 | p95 | max |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        bench = Bench(
            argparse.Namespace(port=args.port, workers=args.workers, connections=args.connections), Path(tmp)
        )
        tokens = bench.tokens_file(
            "create", range(seed.CREATE_CONTACTS_FROM, seed.CREATE_CONTACTS_FROM + 500)
        )
        worker = None
        try:
            bench.start_server(PROJECT, env, [])

            def load(seconds: int = args.load_seconds) -> float:
                return bench.wrk(PROJECT, E5.path, E5.operation, tokens, True, seconds).rps

            bench.wrk(PROJECT, E5.path, E5.operation, tokens, True, 1)  # warm gunicorn's workers
            print("E5 alone, no worker running ...", flush=True)
            lines.append(f"| E5 load, no worker running | {load():,.0f} | — | — | — | — |")
            print(lines[-1], flush=True)

            worker = Worker(env, args)
            print("Latency, idle ...", flush=True)
            idle = run.probe("idle")
            verdict = "✓" if percentile(idle, 95) <= IDLE_P95_TARGET_S else "✗"
            lines.append(
                f"| idle (target p95 ≤ {IDLE_P95_TARGET_S * 1000:,.0f} ms {verdict}) | — "
                f"| {latency_cells(idle)} |"
            )
            print(lines[-1], flush=True)

            print("Latency, E5 load, no subscriber ...", flush=True)
            probing = math.ceil(args.probes / args.rate) + 1  # the load lasts as long as the probes
            rps, probes = concurrently(lambda: load(probing), lambda: run.probe("loaded"))
            lines.append(f"| E5 load, tickets not subscribed | {rps:,.0f} | {latency_cells(probes)} |")
            print(lines[-1], flush=True)

            print("Latency, E5 load, every ticket.created delivered ...", flush=True)
            run.endpoint("created", ("ticket.created",))
            rps = load()
            created = run.ticket_created_latencies("created")
            lines.append(
                f"| E5 load, every new ticket delivered (ticket.created) | {rps:,.0f} "
                f"| {latency_cells(created)} |"
            )
            print(lines[-1], flush=True)
        finally:
            bench.stop_servers()
            if worker is not None:
                worker.stop()
    return lines


def concurrently(first, second):
    """Run both; (first's result, second's result)."""
    results: dict[str, object] = {}
    thread = threading.Thread(target=lambda: results.setdefault("first", first()))
    thread.start()
    results["second"] = second()
    thread.join()
    return results["first"], results["second"]


if __name__ == "__main__":
    main()
