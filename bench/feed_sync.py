"""A partner syncs a large backlog through the feed, against a plain SQL read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cordon_bench_feed \\
        python -m bench.feed_sync --items 100000

Creates a fresh database, publishes `--items` signed sanctions updates to one
partner through the outbox (items_distribute, in batches like an importer),
serves the hub with gunicorn, then times, in the same run:
- a plain SQL read of the partner's delivery rows (psycopg, one SELECT);
- `sharing.client.sync` paging GET /api/v1/feed/?limit=1000 over HTTP and
  writing items.jsonl (no verification: the transport and the feed itself);
- the same sync with every token verified (Ed25519, the originator's JWKS),
  over the first `--verify-items` items.
Prints items/s for each and the ratio feed / SQL.
"""

import argparse
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from bench.delivery_support import (
    database_fresh,
    django_setup,
    free_port,
    machine,
    spawn,
    wait_for_port,
)


def backlog_publish(count: int, batch: int) -> tuple[object, str, float, float]:
    from django.db import transaction

    from agencies.crypto import jws_sign
    from agencies.models import Role
    from agencies.services import Actor, agency_create, custodial_key_for, token_create
    from sharing.items import ShareableItem
    from sharing.models import Agreement
    from sharing.services.distribution import items_distribute

    actor = Actor("bench")
    authority = agency_create(
        code="US-OFAC", name="OFAC", country="US", kind="sanctions_authority", actor=actor
    )
    partner = agency_create(
        code="FR-DOUANE", name="Douane", country="FR", kind="customs", actor=actor
    )
    Agreement.objects.create(
        provider=authority, recipient=partner, status="active", kinds=["sanctions_update"]
    )
    _, secret = token_create(agency=partner, name="sync", role=Role.READER, actor=actor)
    key, private = custodial_key_for(agency=authority)
    sign_seconds = 0.0
    publish_seconds = 0.0
    for start in range(0, count, batch):
        started = time.perf_counter()
        items = []
        for number in range(start, min(count, start + batch)):
            entity = {
                "id": f"ofac-{number}",
                "schema": "Person",
                "properties": {
                    "name": [f"Person Number {number}"],
                    "nationality": ["ir"],
                    "birthDate": ["1970-01-01"],
                    "program": ["IRAN"],
                },
            }
            token = jws_sign(
                payload={
                    "iss": authority.code,
                    "iat": int(time.time()),
                    "kind": "sanctions_update",
                    "list": "OFAC-SDN",
                    "op": "ADD",
                    "entity": entity,
                    "effective": "2026-01-01",
                },
                key=private,
                kid=key.kid,
                typ="sanctions-update+jwt",
            )
            items.append(
                ShareableItem(
                    type="sanctions_update",
                    kind="sanctions_update",
                    event="sanctions.updated",
                    item_id=entity["id"],
                    version=1,
                    originator=authority.code,
                    issuer_jwt=token,
                    list_name="OFAC-SDN",
                )
            )
        signed = time.perf_counter()
        with transaction.atomic():
            items_distribute(items=items, actor=actor)
        sign_seconds += signed - started
        publish_seconds += time.perf_counter() - signed
    return partner, secret, sign_seconds, publish_seconds


def backlog_reuse(count: int) -> tuple[object, str]:
    from agencies.models import Agency, Role
    from agencies.services import Actor, token_create
    from sharing.models import Delivery

    partner = Agency.objects.get(code="FR-DOUANE")
    if Delivery.objects.filter(recipient=partner).count() != count:
        raise SystemExit("the kept database does not hold --items deliveries; drop --reuse-backlog")
    _, secret = token_create(agency=partner, name="sync", role=Role.READER, actor=Actor("bench"))
    return partner, secret


def sql_read(database_url: str, recipient_id: int) -> tuple[int, float]:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT seq, item_type, item_id, item_version, token, agreement_id, created_at, "
            "withheld_classes FROM sharing_delivery WHERE recipient_id = %s AND state <> "
            "'cancelled' ORDER BY seq",
            (recipient_id,),
        ).fetchall()
    return len(rows), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--batch", type=int, default=10_000, help="items per publishing transaction"
    )
    parser.add_argument("--verify-items", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--reuse-backlog",
        action="store_true",
        help="keep the database of a previous run with the same --items (skip set-up)",
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://.../cordon_bench_feed")
    if not args.reuse_backlog:
        database_fresh(database_url)
    django_setup(database_url)

    started = time.perf_counter()
    if args.reuse_backlog:
        partner, secret = backlog_reuse(args.items)
    else:
        partner, secret, sign_seconds, publish_seconds = backlog_publish(args.items, args.batch)
        print(
            f"backlog: {args.items} items signed in {sign_seconds:.1f}s, distributed in "
            f"{publish_seconds:.1f}s ({args.items / publish_seconds:,.0f} items/s through "
            f"items_distribute); set-up {time.perf_counter() - started:.1f}s"
        )

    from django.db import connection, connections

    with connection.cursor() as cursor:
        # What autovacuum does on its own shortly after a bulk load.
        cursor.execute("ANALYZE")
    connections.close_all()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="cordon-feed-bench-"))
    server = spawn(
        [
            "python",
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        log=workdir / "gunicorn.log",
        env={"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"},
    )
    try:
        wait_for_port(port)
        from sharing.client import sync

        hub = f"http://127.0.0.1:{port}"
        sync(hub=hub, token=secret, out=workdir / "warm.jsonl", limit=1000, verify=False)
        results = []
        for round_number in range(args.rounds):
            rows, sql_seconds = sql_read(database_url, partner.pk)
            out = workdir / f"items-{round_number}.jsonl"
            began = time.perf_counter()
            counts = sync(hub=hub, token=secret, out=out, limit=1000, verify=False)
            feed_seconds = time.perf_counter() - began
            assert counts["items"] == rows == args.items, (counts, rows)
            results.append((rows / sql_seconds, rows / feed_seconds))
        # Each round reads SQL and then the feed back to back, under the same load;
        # the medians of the rounds are reported.
        sql_rate = statistics.median(r[0] for r in results)
        feed_rate = statistics.median(r[1] for r in results)
        ratio = statistics.median(r[1] / r[0] for r in results)

        verify_out = workdir / "verified.jsonl"
        # Resume just before the last --verify-items items: the client starts after the last seq.
        with verify_out.open("w") as seed:
            seed.write(f'{{"seq": {args.items - args.verify_items}}}\n')
        began = time.perf_counter()
        counts = sync(hub=hub, token=secret, out=verify_out, limit=1000, verify=True)
        verify_rate = counts["items"] / (time.perf_counter() - began)
        assert counts["failed"] == 0, counts
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    print(f"machine: {machine()}")
    print(f"plain SQL read:           {sql_rate:12,.0f} items/s")
    print(f"feed sync (HTTP, pages of 1000, to items.jsonl): {feed_rate:12,.0f} items/s")
    print(
        f"feed / SQL ratio:         {ratio:12.2f}   (target >= 0.3; median of {args.rounds} rounds)"
    )
    print(
        f"feed sync with Ed25519 verification of every token: {verify_rate:,.0f} items/s "
        f"({counts['items']} items)"
    )


if __name__ == "__main__":
    main()
