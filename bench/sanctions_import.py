"""The full OFAC 2022 -> 2024 list import, against the time to merely parse the files.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cordon_bench_sanctions \\
        python -m bench.sanctions_import [--data ../shared/data/ofac]

Creates a fresh database, then in the same run times:
- baseline: parsing sdn-2022 + alt + add and sdn-2024-05-03 into FtM entities;
- `manage.py sanctions_import ofac` of the 2022 triple into the empty register;
- the same command with sdn-2024-05-03.csv: diff, sign, verify, apply (the
  full 2022 -> 2024 update, ~14k signed updates in one atomic batch);
- the same 2024 import once more (nothing changes; diff only).
Each import is the real command in its own process (start-up included).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.delivery_support import PROJECT_DIR, database_fresh, django_setup, machine

DEFAULT_DATA = PROJECT_DIR.parent / "shared" / "data" / "ofac"


def command(database_url: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "sanctions_import", *args, "--no-progress"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database named cordon*bench*")
    data = options.data
    database_fresh(database_url)
    django_setup(database_url)

    from hub.sanctions.ofac import ofac_parse

    started = time.perf_counter()
    parsed22 = ofac_parse(
        sdn=data / "sdn-2022.csv", alt=data / "alt-2022.csv", add=data / "add-2022.csv"
    )
    parsed24 = ofac_parse(sdn=data / "sdn-2024-05-03.csv")
    parse_seconds = time.perf_counter() - started

    common = ["ofac", "--authority", "US-OFAC", "--list", "OFAC-SDN"]
    first, first_line = command(
        database_url,
        *common,
        "--sdn",
        str(data / "sdn-2022.csv"),
        "--alt",
        str(data / "alt-2022.csv"),
        "--add",
        str(data / "add-2022.csv"),
        "--effective",
        "2022-01-01",
    )
    second, second_line = command(
        database_url,
        *common,
        "--sdn",
        str(data / "sdn-2024-05-03.csv"),
        "--effective",
        "2024-05-03",
    )
    again, again_line = command(database_url, *common, "--sdn", str(data / "sdn-2024-05-03.csv"))

    print(f"machine: {machine()}")
    print(f"entities: 2022 {len(parsed22.entities)}, 2024 {len(parsed24.entities)}")
    print("| step | seconds | summary |")
    print("|---|---:|---|")
    print(f"| baseline: parse 2022 triple + 2024 sdn (no database) | {parse_seconds:.1f} | |")
    print(f"| import 2022 triple into an empty register | {first:.1f} | `{first_line}` |")
    print(
        f"| **import 2024 on top of 2022 (the full update)** | **{second:.1f}** | `{second_line}` |"
    )
    print(f"| import 2024 again (no change) | {again:.1f} | `{again_line}` |")


if __name__ == "__main__":
    main()
