"""A small, seeded run of the screening evaluation on the real data, with the targets as assertions.

The full run is `python manage.py screening_evaluate` (numbers in BENCHMARKS.md).
"""

from hub.screening.evaluation import TARGETS, evaluate
from tests.hub.screening.conftest import OFAC


def test_screening_meets_its_quality_targets_on_a_sample(index_2022, index_2024):
    result = evaluate(
        data_dir=OFAC,
        alias_sample=200,
        per_kind=12,
        unlisted=400,
        seed=3,
        index_2022=index_2022,
        index_2024=index_2024,
    )
    numbers = result.numbers()
    assert result.aliases.total == 200
    assert result.variants_total.total >= 120
    assert result.false_positives.total == 400
    assert numbers["aliases_recall_at_1"] >= TARGETS["aliases_recall_at_1"], result.aliases.misses[
        :10
    ]
    assert numbers["variants_recall_at_1"] >= TARGETS["variants_recall_at_1"], {
        kind: recall.misses[:3] for kind, recall in result.variants.items()
    }
    assert numbers["false_positive_rate"] <= TARGETS["false_positive_rate"], (
        result.false_positives.examples
    )


def test_every_variant_kind_is_exercised(index_2024):
    from hub.screening.evaluation import variant_recall

    kinds = set(variant_recall(index_2024, per_kind=2, seed=5))
    assert kinds == {
        "person:typo", "person:cyrillic", "person:greek", "person:arabic", "person:reordered",
        "person:middle_dropped", "person:middle_initial",
        "org:typo", "org:cyrillic", "org:reordered", "org:legal_form",
    }  # fmt: skip
