# ruff: noqa: RUF001 - transliteration tables are made of look-alike letters
"""Screening quality evaluation on the real OFAC data (no Django needed).

Three measures, each a plain function over a `ScreeningIndex`:

* `alias_recall`: every known (primary name, alias) pair of an OFAC entry;
  the alias is the query and the entry must come first.
* `variant_recall`: listed names changed the way names change between
  documents (typos, transliteration round trips through Cyrillic, Greek and
  Arabic script, reordered tokens, a dropped middle name, initials, another
  legal form); the entry must come first.
* `false_positive_rate`: names made up by Faker in many locales (and so in
  many scripts), minus those that happen to equal a listed name; the share
  that gets any result at or above the threshold.

"First" means ranked first or tied with the first score (several OFAC entries
share a name; the tie count is reported). Everything is seeded.
"""

from __future__ import annotations

import csv
import logging
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import icu

from hub.screening.matcher import PartyQuery, ScreeningIndex
from hub.screening.normalise import is_org_schema, name_form

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.7
RANK_CUTOFF = 0.2  # below this a result is no candidate at all
TARGETS = {"variants_recall_at_1": 0.95, "aliases_recall_at_1": 0.90, "false_positive_rate": 0.01}
FAKER_LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "nl_NL", "pl_PL", "pt_BR",
    "ru_RU", "uk_UA", "tr_TR", "ar_AA", "fa_IR", "zh_CN", "ja_JP", "ko_KR", "el_GR", "hi_IN",
    "sv_SE", "cs_CZ", "hu_HU", "ro_RO", "id_ID",
)  # fmt: skip

# Latin -> Cyrillic the way a Russian clerk would write a transliterated name
# (digraphs first), so that a round trip is realistic rather than letter by letter.
LATIN_TO_CYRILLIC = [
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("yo", "ё"), ("iy", "ий"), ("y", "ы"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"),
    ("c", "к"), ("q", "к"), ("w", "в"), ("x", "кс"),
]  # fmt: skip
# Latin -> Greek as a Greek clerk would write a foreign name (modern values).
LATIN_TO_GREEK = [
    ("th", "θ"), ("ch", "χ"), ("kh", "χ"), ("ps", "ψ"), ("ks", "ξ"), ("ou", "ου"), ("sh", "σ"),
    ("a", "α"), ("b", "μπ"), ("v", "β"), ("g", "γ"), ("d", "ντ"), ("e", "ε"), ("z", "ζ"),
    ("i", "ι"), ("k", "κ"), ("l", "λ"), ("m", "μ"), ("n", "ν"), ("o", "ο"), ("p", "π"),
    ("r", "ρ"), ("s", "σ"), ("t", "τ"), ("u", "ου"), ("f", "φ"), ("x", "ξ"), ("y", "ι"),
    ("h", "χ"), ("j", "τζ"), ("c", "κ"), ("q", "κ"), ("w", "ου"),
]  # fmt: skip
LEGAL_FORMS = (
    "LLC", "Limited Liability Company", "OOO", "ООО", "Ltd", "Limited", "GmbH", "JSC",
    "Joint Stock Company", "AO", "АО", "Inc.", "Co., Ltd.", "S.A.", "PJSC",
)  # fmt: skip


@lru_cache(maxsize=8)
def _transliterator(name: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(name)


def to_cyrillic(text: str) -> str:
    return _spell(text, LATIN_TO_CYRILLIC)


def _spell(text: str, table: list[tuple[str, str]]) -> str:
    out: list[str] = []
    lowered = text.lower()
    i = 0
    while i < len(lowered):
        for latin, letters in table:
            if lowered.startswith(latin, i):
                out.append(letters)
                i += len(latin)
                break
        else:
            out.append(lowered[i])
            i += 1
    return "".join(out)


def to_greek(text: str) -> str:
    spelt = _spell(text, LATIN_TO_GREEK)
    return re.sub(r"σ\b", "ς", spelt)


def to_arabic(text: str) -> str:
    return _transliterator("Latin-Arabic").transliterate(text.lower())


WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def words_in_order(name: str) -> list[str]:
    """Words of a listed name in reading order: "PUTIN, Vladimir" -> ["Vladimir", "PUTIN"]."""
    if "," in name:
        surname, _, given = name.partition(",")
        return WORD.findall(given) + WORD.findall(surname)
    return WORD.findall(name)


def typo(name: str, rng: random.Random) -> str | None:
    """One random edit (substitution, deletion, insertion or transposition) in one long word."""
    words = words_in_order(name)
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    position = rng.randrange(1, len(word) - 1)
    letter = rng.choice("aeioulnrstmkdh")
    edit = rng.choice(("substitute", "delete", "insert", "transpose"))
    if edit == "substitute":
        word = word[:position] + letter + word[position + 1 :]
    elif edit == "delete":
        word = word[:position] + word[position + 1 :]
    elif edit == "insert":
        word = word[:position] + letter + word[position:]
    else:
        word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    words[i] = word
    return " ".join(words)


def reordered(name: str, rng: random.Random) -> str | None:
    words = words_in_order(name)
    if len(words) < 2:
        return None
    shuffled = words[:]
    while shuffled == words:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def middle_dropped(name: str, rng: random.Random) -> str | None:
    words = words_in_order(name)
    if len(words) < 3:
        return None
    del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


def middle_initial(name: str, rng: random.Random) -> str | None:
    words = words_in_order(name)
    if len(words) < 3:
        return None
    i = rng.randrange(1, len(words) - 1)
    words[i] = words[i][0] + "."
    return " ".join(words)


def legal_form_changed(name: str, rng: random.Random) -> str | None:
    form = name_form(name, org=True)
    if not form.tokens:
        return None
    core = " ".join(form.tokens).upper()
    choices = [f for f in LEGAL_FORMS if name_form(f"X {f}", org=True).org_form != form.org_form]
    new_form = rng.choice(choices)
    return f"{new_form} {core}" if rng.random() < 0.3 else f"{core} {new_form}"


def cyrillic_round_trip(name: str, rng: random.Random) -> str | None:
    return to_cyrillic(" ".join(words_in_order(name)))


def greek_round_trip(name: str, rng: random.Random) -> str | None:
    return to_greek(" ".join(words_in_order(name)))


def arabic_round_trip(name: str, rng: random.Random) -> str | None:
    return to_arabic(" ".join(words_in_order(name)))


Variant = Callable[[str, random.Random], "str | None"]
PERSON_VARIANTS: dict[str, Variant] = {
    "typo": typo,
    "cyrillic": cyrillic_round_trip,
    "greek": greek_round_trip,
    "arabic": arabic_round_trip,
    "reordered": reordered,
    "middle_dropped": middle_dropped,
    "middle_initial": middle_initial,
}
ORG_VARIANTS: dict[str, Variant] = {
    "typo": typo,
    "cyrillic": cyrillic_round_trip,
    "reordered": reordered,
    "legal_form": legal_form_changed,
}


@dataclass
class Recall:
    """Recall@1 of one kind of query."""

    total: int = 0
    first: int = 0  # expected entity ranked first (or tied first)
    ties: int = 0  # ... of which tied with another entity
    matched: int = 0  # expected entity first and scored at or above the threshold
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (query, expected, got)

    @property
    def recall(self) -> float:
        return self.first / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "recall_at_1": round(self.recall, 4),
            "ties": self.ties,
            "matched_at_threshold": round(self.matched / self.total, 4) if self.total else 0.0,
        }


def _rank_first(
    index: ScreeningIndex, schema: str, query: str, expected: str, threshold: float, recall: Recall
) -> None:
    results = index.screen(PartyQuery(schema=schema, names=[query]), limit=10, cutoff=RANK_CUTOFF)
    recall.total += 1
    if results:
        top = results[0].score
        tied = [m.entry.id for m in results if m.score == top]
        if expected in tied:
            recall.first += 1
            recall.ties += len(tied) > 1
            recall.matched += top >= threshold
            return
    got = (
        f"{results[0].entry.id} {results[0].matched_name!r} {results[0].score}" if results else "-"
    )
    recall.misses.append((query, expected, got))


def alias_recall(
    index: ScreeningIndex,
    pairs: Iterable[tuple[str, str, str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> Recall:
    """pairs: (entity id, schema, alias name)."""
    recall = Recall()
    for entity_id, schema, alias in pairs:
        _rank_first(index, schema, alias, entity_id, threshold, recall)
    return recall


def variant_recall(
    index: ScreeningIndex, *, per_kind: int, seed: int = 7, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, Recall]:
    """Recall@1 per variant kind over `per_kind` sampled listed names (per schema family)."""
    rng = random.Random(seed)
    persons: list[tuple[str, str, str]] = []
    orgs: list[tuple[str, str, str]] = []
    for item in index.names:
        if item.kind != "name":
            continue
        entry = index.entries[item.entry]
        target = (
            orgs if is_org_schema(entry.schema) else persons if entry.schema == "Person" else None
        )
        if target is not None:
            target.append((entry.id, entry.schema, item.form.original))
    results: dict[str, Recall] = defaultdict(Recall)
    for family, population, variants in (
        ("person", persons, PERSON_VARIANTS),
        ("org", orgs, ORG_VARIANTS),
    ):
        sample = rng.sample(population, min(per_kind * 3, len(population)))
        for kind, make in variants.items():
            done = 0
            for entity_id, schema, name in sample:
                if done >= per_kind:
                    break
                variant = make(name, rng)
                if not variant:
                    continue
                done += 1
                _rank_first(
                    index, schema, variant, entity_id, threshold, results[f"{family}:{kind}"]
                )
    return dict(results)


def unlisted_names(index: ScreeningIndex, *, count: int, seed: int = 11) -> list[tuple[str, str]]:
    """(schema, name) made up by Faker in many locales; names equal to a listed one are left out."""
    from faker import Faker

    listed = {tuple(sorted(item.form.tokens)) for item in index.names}
    fake = Faker(list(FAKER_LOCALES))
    fake.seed_instance(seed)
    rng = random.Random(seed)
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < count:
        locale = rng.choice(FAKER_LOCALES)
        generator = fake[locale]
        schema, name = (
            ("Company", generator.company()) if rng.random() < 0.3 else ("Person", generator.name())
        )
        if name in seen:
            continue
        seen.add(name)
        if tuple(sorted(name_form(name, org=schema == "Company").tokens)) in listed:
            continue
        names.append((schema, name))
    return names


@dataclass
class FalsePositives:
    total: int = 0
    flagged: int = 0
    examples: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.flagged / self.total if self.total else 0.0


def false_positive_rate(
    index: ScreeningIndex, names: Iterable[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD
) -> FalsePositives:
    outcome = FalsePositives()
    for schema, name in names:
        outcome.total += 1
        results = index.screen(PartyQuery(schema=schema, names=[name]), limit=1, cutoff=threshold)
        if results:
            outcome.flagged += 1
            outcome.examples.append((name, results[0].matched_name, results[0].score))
    return outcome


def alias_pairs(path: Path, schemata: dict[str, str]) -> list[tuple[str, str, str]]:
    """(entity id, schema, alias) of alias-pairs-2022.csv, for entities in `schemata`."""
    pairs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entity_id = f"ofac-{row['ent_num'].strip()}"
            if entity_id in schemata and row["alias_name"].strip():
                pairs.append((entity_id, schemata[entity_id], row["alias_name"].strip()))
    return pairs


@dataclass
class Evaluation:
    aliases: Recall
    variants: dict[str, Recall]
    false_positives: FalsePositives
    seconds: dict[str, float]

    @property
    def variants_total(self) -> Recall:
        total = Recall()
        for recall in self.variants.values():
            total.total += recall.total
            total.first += recall.first
            total.ties += recall.ties
            total.matched += recall.matched
        return total

    def numbers(self) -> dict[str, float]:
        return {
            "variants_recall_at_1": round(self.variants_total.recall, 4),
            "aliases_recall_at_1": round(self.aliases.recall, 4),
            "false_positive_rate": round(self.false_positives.rate, 4),
        }

    def targets_met(self) -> dict[str, bool]:
        numbers = self.numbers()
        return {
            "variants_recall_at_1": numbers["variants_recall_at_1"]
            >= TARGETS["variants_recall_at_1"],
            "aliases_recall_at_1": numbers["aliases_recall_at_1"] >= TARGETS["aliases_recall_at_1"],
            "false_positive_rate": numbers["false_positive_rate"] <= TARGETS["false_positive_rate"],
        }


def evaluate(
    *,
    data_dir: Path,
    alias_sample: int | None = None,
    per_kind: int = 400,
    unlisted: int = 3000,
    seed: int = 7,
    threshold: float = DEFAULT_THRESHOLD,
    index_2022: ScreeningIndex | None = None,
    index_2024: ScreeningIndex | None = None,
) -> Evaluation:
    """The three measures on the real files in `data_dir`.

    Aliases: the 2022 list with its alt and add files (the alias pairs belong
    to it). Variants and unlisted names: the 2024 list (14,965 entries).
    """
    from hub.sanctions.ofac import ofac_entities, ofac_parse

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if index_2022 is None:
        parsed = ofac_parse(
            sdn=data_dir / "sdn-2022.csv",
            alt=data_dir / "alt-2022.csv",
            add=data_dir / "add-2022.csv",
        )
        index_2022 = ScreeningIndex.build((entity, ["OFAC-SDN"]) for entity in parsed.entities)
    if index_2024 is None:
        entities = ofac_entities(sdn=data_dir / "sdn-2024-05-03.csv")
        index_2024 = ScreeningIndex.build((entity, ["OFAC-SDN"]) for entity in entities)
    seconds["load_and_index"] = time.perf_counter() - started

    started = time.perf_counter()
    schemata = {entry.id: entry.schema for entry in index_2022.entries}
    pairs = alias_pairs(data_dir / "alias-pairs-2022.csv", schemata)
    if alias_sample is not None and alias_sample < len(pairs):
        pairs = random.Random(seed).sample(pairs, alias_sample)
    aliases = alias_recall(index_2022, pairs, threshold)
    seconds["aliases"] = time.perf_counter() - started

    started = time.perf_counter()
    variants = variant_recall(index_2024, per_kind=per_kind, seed=seed, threshold=threshold)
    seconds["variants"] = time.perf_counter() - started

    started = time.perf_counter()
    names = unlisted_names(index_2024, count=unlisted, seed=seed + 4)
    false_positives = false_positive_rate(index_2024, names, threshold)
    seconds["false_positives"] = time.perf_counter() - started
    return Evaluation(
        aliases=aliases, variants=variants, false_positives=false_positives, seconds=seconds
    )
