"""Report ingest rate through POST /api/v1/reports/ against an authenticated no-op POST.

    python -m bench.ingest [--clients 10] [--web-workers 5] [--seconds 20] [--rounds 4]
    python -m bench.ingest --profile 200      # cProfile of the publish path, in-process

Both endpoints run on the same stack in the same run: gunicorn (sync workers)
on PostgreSQL, Celery's broker on Redis, with the benchmark's own database
(recreated each run) and Redis DB. Each ingest request is a fresh report (new
id) of 5 parties, 3 goods and 20 disclosures, signed beforehand so that client
signing is not measured; it is verified, validated, stored, audited and
decided against 3 agreements (3 outbox rows with their feed positions; the
partners have no webhook endpoint, so no delivery task is queued), and the
screening of its parties is hinted to Celery after the commit (no worker runs:
screening against the OFAC 2022 register, imported first unless
--no-register, is not part of the request). The no-op endpoint authenticates
the same token, checks the role, parses and validates the same body and
answers 201, storing nothing. Several client processes post in a closed loop;
the rate is completed requests per second. The two endpoints alternate in
rounds so that a drift in the machine's speed does not skew the ratio.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOOP_PATH = "/bench/noop/"
INGEST_PATH = "/api/v1/reports/"
ORIGINATOR = "BENCH-DE"
PARTNERS = (("BENCH-FR", "FR"), ("BENCH-NL", "NL"), ("BENCH-US", "US"))


def bench_report() -> dict:
    """A realistic report: 5 parties, 3 goods, 20 disclosures (15 party identity
    fields, 3 goods values, the narrative, the licence number)."""
    from hub.demo_world.reports import DEMO_REPORTS

    report = copy.deepcopy(DEMO_REPORTS[0].report_claims(1))
    for party in report["parties"]:
        party.pop("aliases", None)
        party.setdefault("address", "Unknown address")
        if not party["identifiers"]:
            party["identifiers"] = [{"scheme": "registration", "value": "REG-0000"}]
    for document in report["documents"]:
        document.pop("reference", None)
    report["licence"] = {"number": "none-applied", "authority": "DE-BAFA", "status": "none"}
    return report


def database_recreate(database_url: str) -> None:
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def world_prepare(*, register: bool) -> str:
    """Agencies, keys, agreements, a publisher token; the register. Returns the token."""
    from django.core.management import call_command
    from django.utils import timezone

    from agencies.models import Agency, Role
    from agencies.services import Actor, agency_create, custodial_key_for, token_create
    from sharing.models import Agreement

    actor = Actor(label="bench")
    call_command("migrate", interactive=False, verbosity=0)
    originator = agency_create(
        code=ORIGINATOR, name="Bench customs", country="DE", kind="customs", actor=actor
    )
    custodial_key_for(agency=originator, actor=actor)
    now = timezone.now()
    for code, country in PARTNERS:
        partner = agency_create(code=code, name=code, country=country, kind="customs", actor=actor)
        # Written directly: the benchmark measures publishing, not agreement set-up.
        Agreement.objects.create(
            provider=originator,
            recipient=partner,
            status="active",
            kinds=["sar"],
            max_tlp="AMBER",
            withheld=["person_identity"] if code == "BENCH-US" else [],
            provider_accepted_at=now,
            recipient_accepted_at=now,
        )
    if register:
        from hub.demo_world.seed import sanctions_seed

        sanctions_seed()
    _, secret = token_create(agency=originator, name="bench", role=Role.PUBLISHER, actor=actor)
    assert Agency.objects.filter(code=ORIGINATOR).exists()
    return secret


def database_settle() -> None:
    """Vacuum, analyse and checkpoint after the set-up (the register import writes
    ~9,000 entities), so that neither autovacuum nor the checkpoint of the import's
    writes lands in a measured phase."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def tokens_sign(count: int) -> list[str]:
    from agencies.models import Agency
    from hub.reports.signing import report_sign

    agency = Agency.objects.get(code=ORIGINATOR)
    template = bench_report()
    tokens = []
    for _ in range(count):
        report = dict(template, id=str(uuid.uuid4()))
        tokens.append(report_sign(agency=agency, claims={"report": report}))
    return tokens


def disclosures_in(token: str) -> int:
    return len([part for part in token.split("~")[1:] if part])


# --- load generation ------------------------------------------------------------


def client_loop(
    client: int, port: int, path: str, api_token: str, bodies: list[bytes], until: float, results
) -> None:
    """Post bodies in a closed loop until `until` (or they run out); report latencies."""
    headers = {"Authorization": f"Token {api_token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    for body in bodies:
        if time.monotonic() >= until:
            break
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0  # connection refused, reset or timed out: counted, not retried
        finally:
            connection.close()
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    results.put((client, latencies, statuses))  # it used the first len(latencies) bodies


def phase(
    *, port: int, path: str, api_token: str, bodies: list[bytes], clients: int, seconds: float
) -> dict:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    until = time.monotonic() + seconds
    slices = [bodies[index::clients] for index in range(clients)]
    processes = [
        context.Process(
            target=client_loop,
            args=(index, port, path, api_token, slices[index], until, results),
        )
        for index in range(clients)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    collected = [results.get(timeout=seconds + 300) for _ in processes]
    elapsed = time.monotonic() - started
    for process in processes:
        process.join()
    # Which bodies were sent: client i posted bodies i, i + clients, ... in order.
    used: set[int] = set()
    for client, part, _ in collected:
        used.update(range(client, client + clients * len(part), clients))
    latencies = sorted(latency for _, part, _ in collected for latency in part) or [0.0]
    statuses: dict[int, int] = {}
    for _, _, part in collected:
        for code, count in part.items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        "requests": len(used),
        "used": used,
        "latencies": latencies,
        "seconds": round(elapsed, 2),
        "rate": len(used) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "statuses": statuses,
    }


def rounds_merge(rounds: list[dict]) -> dict:
    """One endpoint's rounds as one phase: total requests over total time."""
    latencies = sorted(latency for one in rounds for latency in one["latencies"])
    seconds = sum(one["seconds"] for one in rounds)
    statuses: dict[int, int] = {}
    for one in rounds:
        for code, count in one["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    requests = sum(one["requests"] for one in rounds)
    return {
        "requests": requests,
        "seconds": round(seconds, 2),
        "rate": requests / seconds,
        "round_rates": [round(one["rate"], 1) for one in rounds],
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "statuses": statuses,
    }


def port_free() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def web_start(*, port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--error-logfile",
            str(log),
        ],
        cwd=PROJECT_DIR,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kib / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "?"
    return f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


# --- profile ----------------------------------------------------------------------


def profile(count: int, api_token: str) -> None:
    """Publish `count` reports in-process through the API view under cProfile."""
    import cProfile
    import pstats

    from rest_framework.test import APIClient

    tokens = tokens_sign(count + 5)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    for token in tokens[:5]:  # warm caches and connections
        assert client.post(INGEST_PATH, {"token": token}, format="json").status_code == 201
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for token in tokens[5:]:
        response = client.post(INGEST_PATH, {"token": token}, format="json")
        assert response.status_code == 201, response.content
    profiler.disable()
    elapsed = time.perf_counter() - started
    sys.stdout.write(f"{count} publishes in {elapsed:.2f}s: {1000 * elapsed / count:.1f} ms each\n")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


# --- main -------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cordon_bench"
        ),
        help="PostgreSQL database to recreate and use (default: %(default)s)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="Redis for Celery's broker (default: %(default)s)",
    )
    parser.add_argument("--clients", type=int, default=10, help="concurrent client processes")
    parser.add_argument("--web-workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="time spent on each endpoint, in all rounds"
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternations of the no-op and the ingest phase"
    )
    parser.add_argument(
        "--reports", type=int, default=4000, help="reports signed beforehand (upper bound)"
    )
    parser.add_argument("--no-register", action="store_true", help="skip the OFAC import")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile N publishes in-process"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    var_dir = Path(tempfile.mkdtemp(prefix="cordon-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.ingest_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CORDON_VAR_DIR": str(var_dir),
        "DEBUG": "false",
    }
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    database_recreate(args.database_url)
    django.setup()
    api_token = world_prepare(register=not args.no_register)
    database_settle()
    if args.profile:
        profile(args.profile, api_token)
        return 0

    def say(line: str) -> None:
        sys.stderr.write(line)
        sys.stderr.flush()

    say(f"signing {args.reports} reports\n")
    tokens = tokens_sign(args.reports)
    disclosures = disclosures_in(tokens[0])
    bodies = [json.dumps({"token": token}).encode() for token in tokens]
    from django.db import connections

    connections.close_all()  # the clients are forked: no shared connection

    port = port_free()
    web = web_start(port=port, workers=args.web_workers, env=env, log=var_dir / "web.log")
    try:
        common = {"port": port, "api_token": api_token, "clients": args.clients}
        say("warming up\n")
        phase(path=NOOP_PATH, bodies=bodies[:400], seconds=3, **common)
        # Every worker's connections and caches, on the ingest path too.
        warm = phase(path=INGEST_PATH, bodies=bodies, seconds=5, **common)
        used, cold_start_ms = warm["requests"], warm["p99_ms"]
        bodies = [body for index, body in enumerate(bodies) if index not in warm["used"]]
        say(f"warm after {used} reports (slowest warm-up request {cold_start_ms:.0f} ms)\n")
        # Alternate the two endpoints in short rounds: the machine's speed drifts
        # (other tenants, CPU frequency), and a drift between two long phases
        # would show up in the ratio.
        round_seconds = args.seconds / args.rounds
        noop_rounds, ingest_rounds = [], []
        for number in range(1, args.rounds + 1):
            say(
                f"round {number}/{args.rounds}: no-op POST, then report ingest, {round_seconds:.1f}s each\n"
            )
            noop_rounds.append(
                phase(path=NOOP_PATH, bodies=bodies * 50, seconds=round_seconds, **common)
            )
            ingest_rounds.append(
                phase(path=INGEST_PATH, bodies=bodies, seconds=round_seconds, **common)
            )
            bodies = [
                body for index, body in enumerate(bodies) if index not in ingest_rounds[-1]["used"]
            ]
        noop, ingest = rounds_merge(noop_rounds), rounds_merge(ingest_rounds)
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)

    from hub.models import ReportVersion
    from sharing.models import Delivery

    stored = ReportVersion.objects.filter(report__originator__code=ORIGINATOR).count()
    result = {
        "machine": machine(),
        "clients": args.clients,
        "web_workers": args.web_workers,
        "disclosures_per_report": disclosures,
        "report_bytes": len(bodies[0]),
        "register_entities": 0 if args.no_register else "OFAC SDN 2022",
        "noop": noop,
        "ingest": ingest,
        "ratio": ingest["rate"] / noop["rate"],
        "round_ratios": [
            round(i / n, 3) for i, n in zip(ingest["round_rates"], noop["round_rates"], strict=True)
        ],
        "stored_reports": stored,
        "warmup_reports": used,
        "cold_start_ms": cold_start_ms,
        "deliveries": Delivery.objects.count(),
    }
    table = [
        "| endpoint | requests | rate (req/s) | p50 (ms) | p99 (ms) | statuses |",
        "|---|---|---|---|---|---|",
    ]
    for name, numbers in (("no-op POST", noop), ("POST /api/v1/reports/", ingest)):
        table.append(
            f"| {name} | {numbers['requests']} | {numbers['rate']:.1f} | "
            f"{numbers['p50_ms']:.1f} | {numbers['p99_ms']:.1f} | {numbers['statuses']} |"
        )
    sys.stdout.write("\n".join(table) + "\n")
    sys.stdout.write(
        f"\ningest / no-op = {result['ratio']:.2f} (target >= 0.25); "
        f"per round {', '.join(f'{r:.2f}' for r in result['round_ratios'])}; "
        f"{stored} reports stored, {result['deliveries']} deliveries; "
        f"{disclosures} disclosures, {len(bodies[0])} bytes per report; "
        f"{used} warm-up reports, slowest {cold_start_ms:.0f} ms\n"
        f"machine: {result['machine']}; {args.clients} clients, "
        f"gunicorn {args.web_workers} sync workers\n"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if ingest["statuses"].keys() == {201} else 1


if __name__ == "__main__":
    sys.exit(main())
