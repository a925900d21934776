"""Publish -> every one of N partners' webhooks: latency percentiles.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cordon_bench_latency \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        python -m bench.delivery_latency --partners 50 --reports 20

Creates a fresh database, an originator and N partner agencies, each with an
active agreement and a webhook endpoint served by a local HTTP receiver
(127.0.0.1, one thread each). Starts a real Celery worker on Redis. Then
publishes reports one after another through the real path
(hub.reports.services.report_publish with an SD-JWT from report_sign) and
records, for every (report, partner) pair, the time from the start of the
publish call to the moment the partner's receiver got the signed webhook.
"""

import argparse
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.delivery_support import (
    database_fresh,
    django_setup,
    machine,
    percentile,
    spawn,
)

WORKER_ENV = {"WEBHOOK_ALLOW_PRIVATE_TARGETS": "1", "LOG_LEVEL": "WARNING"}


class Arrivals:
    """Arrival time of each report id at each receiver."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, dict[int, float]] = {}
        self.changed = threading.Condition(self.lock)

    def record(self, receiver: int, report_id: str) -> None:
        now = time.perf_counter()
        with self.changed:
            self.times.setdefault(report_id, {}).setdefault(receiver, now)
            self.changed.notify_all()

    def wait_all(self, report_id: str, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.times.get(report_id, {})) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True


def receiver_start(number: int, arrivals: Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            data = json.loads(body)["data"]
            arrivals.record(number, data["id"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork"])
    parser.add_argument("--concurrency", type=int, default=16, help="worker threads/processes")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between reports")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("set DATABASE_URL=postgres://.../cordon_bench_latency and REDIS_URL")
    database_fresh(database_url)
    django_setup(database_url, WORKER_ENV)

    from agencies.services import Actor, agency_create
    from config.celery import app
    from hub.reports.services import report_publish
    from hub.reports.signing import report_sign
    from sharing.models import Agreement
    from sharing.services.webhooks import webhook_endpoint_register

    actor = Actor("bench")
    originator = agency_create(
        code="DE-CUSTOMS", name="Zoll", country="DE", kind="customs", actor=actor
    )
    arrivals = Arrivals()
    servers = []
    for number in range(args.partners):
        partner = agency_create(
            code=f"P{number:03d}-CUSTOMS", name=f"Partner {number}", country="FR",
            kind="customs", actor=actor,
        )  # fmt: skip
        Agreement.objects.create(
            provider=originator,
            recipient=partner,
            status="active",
            kinds=["sar"],
            withheld=["narrative"] if number % 2 else [],
        )
        server = receiver_start(number, arrivals)
        servers.append(server)
        host, port = server.server_address[:2]
        webhook_endpoint_register(
            agency=partner, url=f"http://{host}:{port}/hook", events=[], actor=actor
        )

    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)
    workdir = Path(tempfile.mkdtemp(prefix="cordon-latency-bench-"))
    worker = spawn(
        [
            "python", "-m", "celery", "-A", "config", "worker", f"--pool={args.pool}",
            f"--concurrency={args.concurrency}", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=WARNING",
        ],
        log=workdir / "worker.log",
        env={"DATABASE_URL": database_url, **WORKER_ENV},
    )  # fmt: skip

    def report_claims() -> dict:
        return {
            "id": str(uuid.uuid4()),
            "version": 1,
            "title": "Latency probe",
            "tlp": "GREEN",
            "red_flags": ["BIS-RF-5"],
            "narrative": "Probe narrative.",
            "parties": [
                {"role": "exporter", "type": "organization", "name": "Probe GmbH", "country": "DE"}
            ],
            "goods": [
                {
                    "description": "Probe",
                    "hs_code": "845710",
                    "control_code": "2B001",
                    "quantity": "1",
                    "unit": "pcs",
                    "value": "1.00",
                    "currency": "EUR",
                }
            ],
            "route": {"origin": "DE", "destination": "AE"},
        }

    latencies: list[float] = []
    last_receiver: list[float] = []
    first_receiver: list[float] = []
    publish_calls: list[float] = []
    try:
        time.sleep(3)  # worker start-up
        for round_number in range(args.reports + 1):
            token = report_sign(agency=originator, claims=report_claims())
            started = time.perf_counter()
            report = report_publish(caller_agency=originator, token=token, actor=actor)
            committed = time.perf_counter()
            if not arrivals.wait_all(str(report.pk), args.partners, timeout=120):
                raise SystemExit(f"not every partner got report {report.pk}; see {workdir}")
            if round_number == 0:
                continue  # warm-up: connections, imports, the hub key
            times = [at - started for at in arrivals.times[str(report.pk)].values()]
            publish_calls.append(committed - started)
            first_receiver.append(min(times))
            latencies.extend(times)
            last_receiver.append(max(times))
            time.sleep(args.pause)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        for server in servers:
            server.shutdown()

    print(f"machine: {machine()}")
    print(
        f"{args.reports} reports x {args.partners} partners = {len(latencies)} deliveries, "
        f"worker pool={args.pool} concurrency={args.concurrency}"
    )
    print(
        f"publish -> webhook received: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"publish call (verify, store, decide, write, commit): p50 "
        f"{percentile(publish_calls, 0.5) * 1000:.0f} ms; publish -> first partner: p50 "
        f"{percentile(first_receiver, 0.5) * 1000:.0f} ms"
    )
    print(
        f"publish -> last of the {args.partners} partners: p50 "
        f"{percentile(last_receiver, 0.5) * 1000:.0f} ms, p99 "
        f"{percentile(last_receiver, 0.99) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
