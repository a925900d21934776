"""Screening speed against the 2024 OFAC list, with two baselines in the same run.

    python -m bench.screening_speed [--data ../shared/data/ofac] [--queries 10000]

No database: the list is parsed with the project's OFAC parser and indexed in
memory exactly as the web process does. The query set is half names made up by
Faker in 25 locales (not listed) and half listed names changed the way the
quality evaluation changes them (typo, other script, reordering ...).

Times, on the same queries:
- Cordon's matcher (hub.screening.matcher): index build, then every query one
  by one (p50/p95 latency, total wall and CPU time for all of them);
- baseline 1, a plain rapidfuzz full scan: `process.extract` of the normalised
  query over every normalised name (token_sort_ratio, limit 5), on a sample,
  extrapolated to the full query count;
- baseline 2, FollowTheMoney's own scorer (`followthemoney.compare.compare`)
  of the query entity against every listed entity, on a smaller sample.
Recall@1 on the listed-variant queries of each sample is printed too, so
speed is not bought with quality.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(
    os.environ.get("OFAC_DATA_DIR", PROJECT_DIR.parent / "shared" / "data" / "ofac")
)


def machine() -> str:
    from bench.delivery_support import machine as machine_description

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{machine_description()}, load average at start {load:.1f}"


def queries_make(index, count: int, seed: int) -> list[tuple[str, str, str | None]]:
    """(schema, name, expected entity id or None) for `count` queries."""
    from hub.screening import evaluation
    from hub.screening.normalise import is_org_schema

    rng = random.Random(seed)
    unlisted = [
        (schema, name, None)
        for schema, name in evaluation.unlisted_names(index, count=count // 2, seed=seed)
    ]
    listed: list[tuple[str, str, str | None]] = []
    names = [item for item in index.names if item.kind == "name"]
    while len(listed) < count - len(unlisted):
        item = rng.choice(names)
        entry = index.entries[item.entry]
        if entry.schema == "Person":
            kinds = evaluation.PERSON_VARIANTS
        elif is_org_schema(entry.schema):
            kinds = evaluation.ORG_VARIANTS
        else:  # vessels and aircraft: a typo
            kinds = {"typo": evaluation.typo}
        make = kinds[rng.choice(sorted(kinds))]
        variant = make(item.form.original, rng)
        if variant:
            listed.append((entry.schema, variant, entry.id))
    queries = unlisted + listed
    rng.shuffle(queries)
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument(
        "--scan-sample", type=int, default=300, help="queries for the rapidfuzz full scan"
    )
    parser.add_argument(
        "--ftm-sample", type=int, default=20, help="queries for FollowTheMoney's compare"
    )
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    from hub.sanctions.ofac import ofac_entities
    from hub.screening.matcher import PartyQuery, ScreeningIndex
    from hub.screening.normalise import latin, tokens_of

    print(f"machine: {machine()}")
    started = time.perf_counter()
    entities = ofac_entities(sdn=options.data / "sdn-2024-05-03.csv")
    print(
        f"parse sdn-2024-05-03.csv: {len(entities)} entities in {time.perf_counter() - started:.1f} s"
    )
    started, cpu = time.perf_counter(), time.process_time()
    index = ScreeningIndex.build((entity, ["OFAC-SDN"]) for entity in entities)
    print(
        f"index build: {len(index.entries)} entities, {len(index.names)} names "
        f"({len(index.vocabulary)} tokens) in {time.perf_counter() - started:.2f} s "
        f"(cpu {time.process_time() - cpu:.2f} s)"
    )
    queries = queries_make(index, options.queries, options.seed)

    # -- Cordon ----------------------------------------------------------------
    for schema, name, _ in queries[:200]:  # warm the per-process caches like a running server
        index.screen(PartyQuery(schema=schema, names=[name]))
    latencies = []
    hits = total_listed = 0
    started, cpu = time.perf_counter(), time.process_time()
    for schema, name, expected in queries:
        begin = time.perf_counter()
        results = index.screen(PartyQuery(schema=schema, names=[name]), limit=5)
        latencies.append(time.perf_counter() - begin)
        if expected:
            total_listed += 1
            hits += bool(results) and results[0].entry.id == expected
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"cordon matcher: {len(queries)} queries in {wall:.2f} s wall, {cpu:.2f} s cpu; "
        f"p50 {statistics.median(latencies) * 1000:.2f} ms, p95 {percentile(latencies, 0.95) * 1000:.2f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.2f} ms; recall@1 on listed variants {hits / total_listed:.3f}"
    )

    # -- baseline 1: rapidfuzz full scan ---------------------------------------
    from rapidfuzz import fuzz, process

    choices = [" ".join(tokens_of(item.form.original)) for item in index.names]
    owners = [index.entries[item.entry].id for item in index.names]
    sample = queries[: options.scan_sample]
    latencies = []
    hits = total_listed = 0
    for _, name, expected in sample:
        begin = time.perf_counter()
        best = process.extract(
            " ".join(tokens_of(latin(name))), choices, scorer=fuzz.token_sort_ratio, limit=5
        )
        latencies.append(time.perf_counter() - begin)
        if expected:
            total_listed += 1
            hits += bool(best) and owners[best[0][2]] == expected
    mean = statistics.fmean(latencies)
    print(
        f"baseline rapidfuzz full scan ({len(choices)} names, token_sort_ratio): {len(sample)} queries; "
        f"p50 {statistics.median(latencies) * 1000:.2f} ms, mean {mean * 1000:.2f} ms; "
        f"{len(queries)} queries ~ {mean * len(queries):.1f} s; recall@1 on listed variants {hits / max(total_listed, 1):.3f}"
    )

    # -- baseline 2: FollowTheMoney's compare ----------------------------------
    from followthemoney import model
    from followthemoney.compare import compare

    proxies = [model.get_proxy(entity) for entity in entities]
    sample = queries[: options.ftm_sample]
    latencies = []
    hits = total_listed = 0
    for schema, name, expected in sample:
        query = model.get_proxy({"id": "query", "schema": schema, "properties": {"name": [name]}})
        begin = time.perf_counter()
        scored = sorted(
            (
                (compare(query, proxy), proxy.id)
                for proxy in proxies
                if query.schema.can_match(proxy.schema)
            ),
            reverse=True,
        )
        latencies.append(time.perf_counter() - begin)
        if expected:
            total_listed += 1
            hits += bool(scored) and scored[0][1] == expected
    mean = statistics.fmean(latencies)
    print(
        f"baseline followthemoney.compare.compare over {len(proxies)} entities: {len(sample)} queries; "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, mean {mean * 1000:.0f} ms; "
        f"{len(queries)} queries ~ {mean * len(queries) / 60:.0f} min; recall@1 on listed variants "
        f"{hits / max(total_listed, 1):.3f} ({total_listed} listed)"
    )


if __name__ == "__main__":
    main()
