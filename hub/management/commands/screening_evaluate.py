"""python manage.py screening_evaluate [--data DIR] [--variants N] [--unlisted N] [--aliases N] [--json]

Screening quality on the real OFAC data: recall@1 on the known alias pairs,
recall@1 on generated variants of listed names, and the false-positive rate
on made-up names that are not listed (see hub/screening/evaluation.py).
"""

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hub.screening.evaluation import DEFAULT_THRESHOLD, TARGETS, evaluate


def default_data_dir() -> Path:
    return Path(
        os.environ.get("OFAC_DATA_DIR", Path(settings.BASE_DIR).parent / "shared" / "data" / "ofac")
    )


class Command(BaseCommand):
    help = "Measure screening quality (recall@1, false positives) on the real OFAC files."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=None, help="folder of the OFAC files")
        parser.add_argument(
            "--aliases", type=int, default=0, help="sample of alias pairs (0: all 12,409)"
        )
        parser.add_argument("--variants", type=int, default=400, help="queries per variant kind")
        parser.add_argument(
            "--unlisted", type=int, default=3000, help="made-up names for false positives"
        )
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--misses", type=int, default=0, help="print this many misses per kind")

    def handle(self, *args, **options):
        data_dir = options["data"] or default_data_dir()
        if not (data_dir / "sdn-2024-05-03.csv").exists():
            raise CommandError(f"OFAC files not found in {data_dir} (use --data or OFAC_DATA_DIR)")
        result = evaluate(
            data_dir=data_dir,
            alias_sample=options["aliases"] or None,
            per_kind=options["variants"],
            unlisted=options["unlisted"],
            seed=options["seed"],
            threshold=options["threshold"],
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "numbers": result.numbers(),
                        "targets": TARGETS,
                        "targets_met": result.targets_met(),
                        "aliases": result.aliases.as_dict(),
                        "variants": {
                            kind: recall.as_dict() for kind, recall in result.variants.items()
                        },
                        "false_positives": {
                            "total": result.false_positives.total,
                            "flagged": result.false_positives.flagged,
                            "examples": result.false_positives.examples[:20],
                        },
                        "seconds": {key: round(value, 1) for key, value in result.seconds.items()},
                    },
                    indent=2,
                )
            )
            return
        out = self.stdout.write
        out(f"threshold {options['threshold']}, seed {options['seed']}, data {data_dir}")
        out(f"{'measure':<28}{'n':>7}{'recall@1':>10}{'ties':>6}{'match@thr':>11}")
        alias = result.aliases.as_dict()
        out(f"{'aliases (2022 alt file)':<28}{alias['total']:>7}{alias['recall_at_1']:>10.4f}"
            f"{alias['ties']:>6}{alias['matched_at_threshold']:>11.4f}")  # fmt: skip
        for kind, recall in sorted(result.variants.items()):
            row = recall.as_dict()
            out(f"{'variant ' + kind:<28}{row['total']:>7}{row['recall_at_1']:>10.4f}{row['ties']:>6}"
                f"{row['matched_at_threshold']:>11.4f}")  # fmt: skip
            for miss in recall.misses[: options["misses"]]:
                out(f"    miss: {miss}")
        total = result.variants_total.as_dict()
        out(f"{'variants, all kinds':<28}{total['total']:>7}{total['recall_at_1']:>10.4f}{total['ties']:>6}"
            f"{total['matched_at_threshold']:>11.4f}")  # fmt: skip
        fp = result.false_positives
        out(
            f"false positives: {fp.flagged}/{fp.total} = {fp.rate:.4f} (names from Faker, not listed)"
        )
        for name, matched, score in fp.examples[: max(options["misses"], 5)]:
            out(f"    {name!r} ~ {matched!r} {score}")
        met = result.targets_met()
        out("targets: " + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in met.items()))
        out("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
