"""The screening matcher: an in-memory blocking index and a name scorer.

Pure Python, no Django: `ScreeningIndex.build(entries)` takes FtM entity
dicts (with the lists they are on) and `index.screen(query, ...)` returns
scored `Match`es with an explanation. `hub.screening.selectors` builds one
index per process from the register and rebuilds it when the register
changes.

Method, and why (numbers in BENCHMARKS.md, "Screening quality" and
"Screening speed"; `python -m bench.screening_speed` measures the baselines):

* Blocking. Every name token of the register is indexed under itself, its
  one-character deletions (a SymSpell-style neighbourhood: any query token
  within one edit, transposition included, shares a key), a spelling-neutral
  form (kh/h, dzh/j, shch/sh, y/i, ou/u: transliteration systems disagree
  there) and its consonant skeleton (Arabic and Hebrew script write no short
  vowels). Adjacent token pairs are also indexed joined, so "xi jin ping"
  finds "XI, Jinping" and "alassad" finds "AL-ASSAD". A query ranks the names
  sharing keys by tf-idf cosine and scores only the best 30 entities.
  Measured on the 2024 list: a rapidfuzz full scan (`process.extract` over
  every name) costs ~6 ms a query (this matcher: 0.8 ms) and ranks worse
  (recall@1 0.90 against 0.97 on the same variants); FollowTheMoney's
  `compare` against every entity costs ~0.35 s a query. Neither fits the
  5 ms budget.
* Scoring. Names are compared token by token (rapidfuzz's optimal string
  alignment distance, so a transposition is one edit, and the same on the
  spelling-neutral forms), aligned greedily best pair first, so token order
  never matters; initials match their name; two adjacent tokens may stand
  for one ("jin ping" = "jinping"). Each token weighs its inverse document
  frequency in the register, so agreeing on "Mohammed" says less than
  agreeing on "Soleimani". The name score is the weighted share of the query
  that matched, reduced by the share of the listed name left unmatched
  (lightly once two query tokens agree, which is what a missing middle name
  or patronymic looks like; heavily when only one does, so a shared surname
  is no match).
* Evidence. Birth dates, countries and identifiers move the name score up or
  down by fixed, explained amounts; an identifier match can lift a weak name
  match over the threshold; a different birth year pulls a strong name match
  under it. Schemata that cannot be the same thing (a Person and a Company)
  are never compared.

rigour supplies the legal-form data and person-prefix removal, normality and
pyicu (ICU) the transliteration of scripts without a table of our own,
rapidfuzz the edit distances (in C, in bulk per query). jellyfish is not
used: its Soundex/Metaphone codes are built for English spelling, and the
spelling-neutral folding and skeleton above were enough to reach the quality
targets (they were not benchmarked against jellyfish). nomenklatura's
matchers were a reference for the features (name, dates, identifiers,
countries as separate evidence) but are not installed.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from followthemoney import model
from followthemoney.types import registry
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hub.screening.normalise import NameForm, is_org_schema, name_form, phonetic, skeleton

NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias", "abbreviation")
NAME_KIND_FACTOR = {
    "name": 1.0,
    "alias": 1.0,
    "previousName": 1.0,
    "abbreviation": 0.95,
    "weakAlias": 0.9,
}

TOKEN_ACCEPT = 0.7  # a token pair below this similarity is not a match
INITIAL_SIMILARITY = 0.8
SKELETON_SIMILARITY = 0.85
LATIN_SKELETON_SIMILARITY = 0.75
PHONETIC_SIMILARITY = 0.92
PHONETIC_FLOOR = 0.7
JOIN_ACCEPT = 0.8
INITIAL_CREDIT_SHORT = 0.9  # the initial itself is fully explained by the name
INITIAL_CREDIT_FULL = 0.3  # but an initial says little about the full name
STRONG_CREDIT = 0.6
LEFTOVER_PENALTY = 0.45  # share of the unmatched listed name that counts against
LEFTOVER_PENALTY_WEAK = 0.8  # ... when fewer than two tokens agree
ARTICLES = frozenset(
    {"al", "el", "ul", "ad", "as", "ash", "ar", "an", "at", "az", "abd", "abu", "bin", "ibn", "bn"}
)
CANDIDATE_LIMIT = 30  # entities scored in full per query
BROAD_POSTING = 1500  # postings longer than this are skipped when rarer tokens exist
BROAD_FUZZY_POSTING = 300  # ... and near misses (one edit, same sound) this common

# Evidence adjustments (added to the name score, then clipped to [0, 1]).
BIRTH_DATE_SAME = 0.08
BIRTH_YEAR_SAME = 0.04
BIRTH_MONTH_DIFFERENT = -0.08
BIRTH_YEAR_DIFFERENT = -0.25
COUNTRY_SAME = 0.03
COUNTRY_DIFFERENT = -0.1
IDENTIFIER_SAME = 0.35
IDENTIFIER_DIFFERENT = -0.05

REACHED = "\x00reached"  # similarity-table key of every candidate token reached
DATE_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
NON_ALNUM_ID = re.compile(r"[^A-Z0-9]")


@lru_cache(maxsize=256)
def _schema_properties(schema: str) -> dict[str, tuple[str, ...]]:
    """Property names of `schema` grouped by what screening uses them for."""
    groups: dict[str, list[str]] = {"country": [], "identifier": [], "birthDate": []}
    found = model.get(schema)
    if found is None:
        return {
            "country": ("country", "nationality"),
            "identifier": ("idNumber",),
            "birthDate": ("birthDate",),
        }
    for name, prop in found.properties.items():
        if prop.type == registry.country:
            groups["country"].append(name)
        elif prop.type == registry.identifier:
            groups["identifier"].append(name)
    if "birthDate" in found.properties:
        groups["birthDate"].append("birthDate")
    return {key: tuple(value) for key, value in groups.items()}


@lru_cache(maxsize=1024)
def schemata_compatible(query_schema: str, entity_schema: str) -> bool:
    """False when the two schemata cannot describe the same thing (Person vs Company)."""
    query = model.get(query_schema)
    entity = model.get(entity_schema)
    if query is None or entity is None or query.name == "Thing":
        return True
    return query.can_match(entity) or entity.can_match(query)


def identifier_key(value: str) -> str:
    return NON_ALNUM_ID.sub("", value.upper())


def country_key(value: str) -> str | None:
    cleaned = registry.country.clean(value)
    return cleaned.lower() if cleaned else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One registered entity as the index holds it."""

    id: str
    schema: str
    caption: str
    lists: frozenset[str]
    countries: frozenset[str]
    birth_dates: tuple[str, ...]
    identifiers: frozenset[str]
    properties: dict


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int  # index into ScreeningIndex.entries
    kind: str  # name, alias, weakAlias, previousName, abbreviation
    form: NameForm
    reach: frozenset[str]  # its tokens and adjacent pairs joined


@dataclass(slots=True)
class PartyQuery:
    """One party to screen (the "properties" of a DESIGN 5 query)."""

    schema: str
    names: list[str]
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)

    @classmethod
    def from_properties(cls, schema: str, properties: dict) -> PartyQuery:
        """From FtM properties: every name-typed property is a name to screen (name,
        alias, previousName ...), every country-typed one a country, every
        identifier-typed one an identifier; birthDate as is; others are ignored."""
        groups = _schema_properties(schema)
        schema_obj = model.get(schema)
        name_props = [
            p for p in NAME_PROPERTIES if schema_obj is None or p in schema_obj.properties
        ] or ["name"]

        def values(props: Iterable[str]) -> list[str]:
            return [str(v) for prop in props for v in properties.get(prop, []) if str(v).strip()]

        return cls(
            schema=schema,
            names=values(["name", *[p for p in name_props if p != "name"]]),
            countries=values(groups["country"]),
            birth_dates=values(["birthDate"]),
            identifiers=values(groups["identifier"]),
        )


@dataclass(frozen=True, slots=True)
class Match:
    """A scored candidate for one query."""

    entry: Entry
    score: float
    name_score: float
    query_name: str
    matched_name: str
    matched_kind: str
    explanation: str
    features: dict


@dataclass(slots=True)
class NameComparison:
    score: float
    pairs: list[tuple[str, str, float]]  # query token(s), listed token(s), similarity
    unmatched_query: list[str]
    unmatched_listed: list[str]


def token_similarity(query: str, listed: str, abjad: bool) -> float:
    """Similarity of two tokens in [0, 1]; 0 below TOKEN_ACCEPT."""
    if query == listed:
        return 1.0
    if len(query) == 1 or len(listed) == 1:
        return INITIAL_SIMILARITY if query[0] == listed[0] else 0.0
    similarity = OSA.normalized_similarity(query, listed)
    if similarity < 1.0:
        query_phonetic, listed_phonetic = phonetic(query), phonetic(listed)
        if query_phonetic == listed_phonetic:
            similarity = max(similarity, PHONETIC_SIMILARITY)
        else:
            similarity = max(
                similarity, OSA.normalized_similarity(query_phonetic, listed_phonetic) * 0.95
            )
    if similarity < 1.0 and (abjad or min(len(query), len(listed)) >= 5):
        query_skeleton = skeleton(query)
        if len(query_skeleton) >= (2 if abjad else 4) and query_skeleton == skeleton(listed):
            base = SKELETON_SIMILARITY if abjad else LATIN_SKELETON_SIMILARITY
            similarity = max(similarity, base + 0.1 * similarity)
    return similarity if similarity >= TOKEN_ACCEPT else 0.0


class ScreeningIndex:
    """Names of registered entities, indexed for fast candidate retrieval."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.positions: dict[str, int] = {}  # entity id -> index into entries
        self.alive: list[bool] = []  # entry index -> still listed (False once replaced or removed)
        self.patched = 0  # entities changed in place since the last full build
        self._by_entry: list[list[IndexedName]] | None = None
        self.names: list[IndexedName] = []
        self.vocabulary: dict[str, int] = {}
        self.postings: list[list[int]] = []  # token id -> name indexes
        self.keys: dict[str, list[int]] = defaultdict(list)  # blocking key -> token ids
        self.idf: list[float] = []
        self.name_weight: list[float] = []  # norm of each name's idf vector
        self.name_entry: list[int] = []  # name id -> entry index
        self.joined_only: list[bool] = []  # token id -> only ever seen as two tokens joined
        self.unknown_weight = 1.0

    # -- building -----------------------------------------------------
    @classmethod
    def build(cls, entries: Iterable[tuple[dict, Iterable[str]]]) -> ScreeningIndex:
        """An index over (FtM entity dict, list names) pairs."""
        index = cls()
        for entity, lists in entries:
            index._add(entity, frozenset(lists))
        index._finish()
        return index

    def _add(self, entity: dict, lists: frozenset[str]) -> None:
        schema = entity.get("schema") or "LegalEntity"
        properties = entity.get("properties") or {}
        groups = _schema_properties(schema)
        org = is_org_schema(schema)
        names: list[tuple[str, str]] = [
            (kind, value) for kind in NAME_PROPERTIES for value in properties.get(kind, []) if value
        ]
        if not names:
            return
        countries = frozenset(
            key
            for prop in groups["country"]
            for value in properties.get(prop, [])
            if (key := country_key(value))
        )
        identifiers = frozenset(
            key
            for prop in groups["identifier"]
            for value in properties.get(prop, [])
            if len(key := identifier_key(value)) >= 4
        )
        entry = Entry(
            id=entity["id"],
            schema=schema,
            caption=entity.get("caption") or names[0][1],
            lists=lists,
            countries=countries,
            birth_dates=tuple(properties.get("birthDate", [])),
            identifiers=identifiers,
            properties=properties,
        )
        position = len(self.entries)
        self.entries.append(entry)
        self.positions[entry.id] = position
        self.alive.append(True)
        seen: set[tuple[str, ...]] = set()
        forms = []
        for kind, value in names:
            form = name_form(value, org)
            forms.append((kind, form))
            if form.org_form:
                # Also the name with its legal form spelt out, so a query whose
                # legal form is misspelt or unknown still lines up token by token.
                forms.append((kind, name_form(value, False, True)))
        for kind, form in forms:
            if not form.tokens or form.tokens in seen:
                continue
            seen.add(form.tokens)
            name_id = len(self.names)
            tokens = set(form.tokens)
            tokens.update(a + b for a, b in zip(form.tokens, form.tokens[1:], strict=False))
            self.names.append(
                IndexedName(entry=position, kind=kind, form=form, reach=frozenset(tokens))
            )
            real = set(form.tokens)
            for token in tokens:
                token_id = self.vocabulary.get(token)
                if token_id is None:
                    token_id = self.vocabulary[token] = len(self.postings)
                    self.postings.append([])
                    self.joined_only.append(True)
                if token in real:
                    self.joined_only[token_id] = False
                postings = self.postings[token_id]
                if not postings or postings[-1] != name_id:
                    postings.append(name_id)

    def _finish(self) -> None:
        total = max(len(self.names), 1)
        self.idf = [math.log((total + 1) / (len(p) + 1)) + 1.0 for p in self.postings]
        self.name_entry = [item.entry for item in self.names]
        self.name_weight = [
            math.sqrt(
                sum(self.idf[self.vocabulary[token]] ** 2 for token in set(item.form.tokens)) or 1.0
            )
            for item in self.names
        ]
        self.unknown_weight = math.log(total + 1) + 1.0
        for token, token_id in self.vocabulary.items():
            # A join ("alassad" from "al assad") is only looked up as it is.
            for key in blocking_keys(token, abjad=True, edits=not self.joined_only[token_id]):
                self.keys[key].append(token_id)
        self.keys = dict(self.keys)

    def apply(self, changes: Iterable[tuple[str, dict | None, Iterable[str]]]) -> None:
        """Patch the index in place: (entity id, entity dict or None when delisted, lists).

        The old entry of a changed entity is retired and a new one appended; new
        tokens get their keys and a weight from the current name count. Token
        weights of existing tokens are not recomputed, so a caller rebuilds in
        full once many entities have changed (see `patched`).
        """
        first_name, first_token = len(self.names), len(self.postings)
        for entity_id, entity, lists in changes:
            position = self.positions.pop(entity_id, None)
            if position is not None:
                self.alive[position] = False
            if entity is not None:
                self._add(entity, frozenset(lists))
            self.patched += 1
        total = max(len(self.names), 1)
        self.idf.extend(
            math.log((total + 1) / (len(p) + 1)) + 1.0 for p in self.postings[first_token:]
        )
        new_names = self.names[first_name:]
        self.name_entry.extend(item.entry for item in new_names)
        self.name_weight.extend(
            math.sqrt(
                sum(self.idf[self.vocabulary[token]] ** 2 for token in set(item.form.tokens)) or 1.0
            )
            for item in new_names
        )
        for token, token_id in list(self.vocabulary.items())[first_token:]:
            for key in blocking_keys(token, abjad=True, edits=not self.joined_only[token_id]):
                self.keys.setdefault(key, []).append(token_id)
        self._by_entry = None

    def weight(self, token: str) -> float:
        token_id = self.vocabulary.get(token)
        return self.idf[token_id] if token_id is not None else self.unknown_weight

    # -- querying -----------------------------------------------------
    def lists_of(self, entity_id: str) -> frozenset[str]:
        """The lists an entity is on ([] when it is not, or no longer, listed)."""
        position = self.positions.get(entity_id)
        return self.entries[position].lists if position is not None else frozenset()

    def candidates(
        self,
        forms: Sequence[NameForm],
        limit: int = CANDIDATE_LIMIT,
        allowed: set[int] | None = None,
    ) -> list[int]:
        """Entry indexes sharing blocking keys with the query names, best first.

        A name ranks by the cosine of idf-weighted token vectors (tf-idf), so
        "OOO Diapazon" ranks above the many "OOO <something else>" for the
        query "OOO Diapazon".
        """
        best: dict[int, float] = {}
        idf, postings_of, joined_only, keys = self.idf, self.postings, self.joined_only, self.keys
        for form in forms:
            name_scores: dict[int, float] = defaultdict(float)
            query_tokens = [(token, False) for token in dict.fromkeys(form.tokens)]
            query_tokens += [
                (a + b, True) for a, b in zip(form.tokens, form.tokens[1:], strict=False)
            ]
            hits: list[tuple[int, float, list[int]]] = []  # (query token, weight, postings)
            spellings: dict[int, int] = defaultdict(int)  # query token -> vocabulary tokens found
            for at, (token, joined) in enumerate(query_tokens):
                exact = self.vocabulary.get(token)
                if exact is not None and not (joined and joined_only[exact]):
                    hits.append((at, idf[exact] ** 2, postings_of[exact]))
                    spellings[at] += 1
                near: set[int] = set()
                for key in blocking_keys(token, abjad=form.abjad):
                    near.update(keys.get(key, ()))
                near.discard(exact)  # type: ignore[arg-type]
                for token_id in near:
                    postings = postings_of[token_id]
                    # A near miss on a common token finds too much to be worth scoring;
                    # two joined tokens on both sides count through their single tokens.
                    if len(postings) > BROAD_FUZZY_POSTING or (joined and joined_only[token_id]):
                        continue
                    hits.append((at, idf[token_id] ** 2 * 0.8, postings))
                    spellings[at] += 1
            narrow = [hit for hit in hits if len(hit[2]) <= BROAD_POSTING]
            if not narrow:  # only common tokens ("mohammed ali"): the two rarest still rank
                narrow = sorted(hits, key=lambda hit: len(hit[2]))[:2]
            credited: dict[int, set[int]] = {}  # query token -> names it counted for
            for at, weight, postings in narrow:
                if spellings[at] == 1:  # the usual case: one spelling, no double counting possible
                    for name_id in postings:
                        name_scores[name_id] += weight
                    continue
                done = credited.setdefault(at, set())
                for name_id in postings:  # a second spelling of the same token counts once
                    if name_id not in done:
                        name_scores[name_id] += weight
                        done.add(name_id)
            name_weight = self.name_weight
            query_norm = math.sqrt(
                sum(self.weight(token) ** 2 for token in set(form.tokens)) or 1.0
            )
            for name_id, shared in name_scores.items():
                rank = shared / (name_weight[name_id] * query_norm)
                if rank > best.get(name_id, 0.0):
                    best[name_id] = rank
        entry_scores: dict[int, float] = {}
        name_entry, alive = self.name_entry, self.alive
        for name_id, score in best.items():
            entry = name_entry[name_id]
            if score > entry_scores.get(entry, 0.0) and alive[entry]:
                entry_scores[entry] = score
        if allowed is not None:
            entry_scores = {
                entry: score for entry, score in entry_scores.items() if entry in allowed
            }
        ranked = heapq.nlargest(limit, entry_scores.items(), key=itemgetter(1))
        return [entry for entry, _ in ranked]

    def compare_names(
        self, query: NameForm, listed: NameForm, table: dict[str, dict[str, float]] | None = None
    ) -> NameComparison:
        """Token-aligned similarity of a query name and a listed name.

        `table` holds precomputed token similarities of the query (see
        `similarity_table`); without it they are computed pair by pair.
        """
        q_tokens, l_tokens = query.tokens, listed.tokens
        abjad = query.abjad or listed.abjad
        # (similarity, closeness, query token indexes, listed token indexes); two
        # adjacent tokens joined may stand for one ("al assad" = "alassad").
        scored: list[tuple[float, int, tuple[int, ...], tuple[int, ...]]] = []
        if table is not None and not listed.abjad:
            for i, q in enumerate(q_tokens):
                row = table.get(q)
                if not row:
                    continue
                for j, item in enumerate(l_tokens):
                    similarity = row.get(item)
                    if similarity:
                        scored.append((similarity, -abs(i - j), (i,), (j,)))
                for j in range(len(l_tokens) - 1):
                    similarity = row.get(l_tokens[j] + l_tokens[j + 1])
                    if similarity and similarity >= JOIN_ACCEPT:
                        scored.append((similarity, -abs(i - j), (i,), (j, j + 1)))
            for i in range(len(q_tokens) - 1):
                row = table.get(q_tokens[i] + q_tokens[i + 1])
                if not row:
                    continue
                for j, item in enumerate(l_tokens):
                    similarity = row.get(item)
                    if similarity and similarity >= JOIN_ACCEPT:
                        scored.append((similarity, -abs(i - j), (i, i + 1), (j,)))
        else:
            for i, q in enumerate(q_tokens):
                for j, item in enumerate(l_tokens):
                    similarity = token_similarity(q, item, abjad)
                    if similarity:
                        scored.append((similarity, -abs(i - j), (i,), (j,)))
        scored.sort(reverse=True)
        # Credit per token: an exact token, or the same sounds in another
        # transliteration ("yevgeniy" / "evgeny"), counts by its similarity; a
        # fuzzy one by its similarity squared (a typo costs, a different name
        # costs more); an
        # initial counts for the initial but little for the full name it stands for.
        q_credit: dict[int, float] = {}
        l_credit: dict[int, float] = {}
        pairs: list[tuple[str, str, float]] = []
        strong = 0
        for similarity, _, q_at, l_at in scored:
            if any(i in q_credit for i in q_at) or any(j in l_credit for j in l_at):
                continue
            q_token = " ".join(q_tokens[i] for i in q_at)
            l_token = " ".join(l_tokens[j] for j in l_at)
            if len(q_token) == 1 or len(l_token) == 1:
                q_credit[q_at[0]] = (
                    INITIAL_CREDIT_SHORT if len(q_token) == 1 else INITIAL_CREDIT_FULL
                )
                l_credit[l_at[0]] = (
                    INITIAL_CREDIT_SHORT if len(l_token) == 1 else INITIAL_CREDIT_FULL
                )
            else:
                credit = (
                    similarity
                    if (similarity >= PHONETIC_SIMILARITY or abjad)
                    else similarity * similarity
                )
                for i in q_at:
                    q_credit[i] = credit
                for j in l_at:
                    l_credit[j] = credit
                strong += credit >= STRONG_CREDIT
            pairs.append((q_token, l_token, similarity))
        q_left = len(q_tokens) - len(q_credit)
        l_left = len(l_tokens) - len(l_credit)
        if q_left >= 2 and l_left >= 1:
            strong += self._join_runs(
                q_tokens, l_tokens, q_credit, l_credit, pairs, abjad, query_side=True
            )
            q_left = len(q_tokens) - len(q_credit)
            l_left = len(l_tokens) - len(l_credit)
        if l_left >= 2 and q_left >= 1:
            strong += self._join_runs(
                l_tokens, q_tokens, l_credit, q_credit, pairs, abjad, query_side=False
            )
        q_weights = [self.weight(t) for t in q_tokens]
        l_weights = [self.weight(t) for t in l_tokens]
        # An unknown query token matched to a listed one weighs what the listed one weighs.
        for i, token in enumerate(q_tokens):
            if i in q_credit and token not in self.vocabulary:
                partner = next((p[1] for p in pairs if p[0] == token), None)
                if partner is not None and partner in self.vocabulary:
                    q_weights[i] = self.weight(partner)
        q_total = sum(q_weights) or 1.0
        l_total = sum(l_weights) or 1.0
        q_cover = sum(w * q_credit.get(i, 0.0) for i, w in enumerate(q_weights)) / q_total
        l_cover = sum(w * l_credit.get(j, 0.0) for j, w in enumerate(l_weights)) / l_total
        # Two agreeing tokens make a leftover listed token look like a missing
        # middle name; a single agreeing token (a shared surname) does not.
        leftover = LEFTOVER_PENALTY if strong >= 2 or len(l_tokens) == 1 else LEFTOVER_PENALTY_WEAK
        score = q_cover * (1.0 - leftover * (1.0 - l_cover))
        return NameComparison(
            score=score,
            pairs=pairs,
            unmatched_query=[t for i, t in enumerate(q_tokens) if i not in q_credit],
            unmatched_listed=[t for j, t in enumerate(l_tokens) if j not in l_credit],
        )

    @staticmethod
    def _join_runs(
        side: tuple[str, ...],
        other: tuple[str, ...],
        side_credit: dict[int, float],
        other_credit: dict[int, float],
        pairs: list[tuple[str, str, float]],
        abjad: bool,
        query_side: bool,
    ) -> int:
        """Match runs of unmatched consecutive tokens of `side`, joined, to one unmatched
        token of `other` ("jin ping" = "jinping", "al assad" = "alasad"); returns how many
        strong matches that added."""
        added = 0
        for j, target in enumerate(other):
            if j in other_credit or len(target) < 3:
                continue
            for start in range(len(side)):
                if start in side_credit or side[start][0] != target[0]:
                    continue
                joined = side[start]
                for end in range(start + 1, min(start + 4, len(side))):
                    if end in side_credit or len(joined) > len(target):
                        break
                    joined += side[end]
                    similarity = OSA.normalized_similarity(joined, target)
                    if (
                        abjad
                        and similarity < JOIN_ACCEPT
                        and (side[start] in ARTICLES or target[:2] in ("al", "el"))
                        and len(consonants := skeleton(joined)) >= 3
                        and consonants == skeleton(target)
                    ):
                        similarity = SKELETON_SIMILARITY
                    if similarity >= JOIN_ACCEPT:
                        credit = (
                            similarity if similarity == 1.0 or abjad else similarity * similarity
                        )
                        for k in range(start, end + 1):
                            side_credit[k] = credit
                        other_credit[j] = credit
                        added += credit >= STRONG_CREDIT
                        run = " ".join(side[start : end + 1])
                        pairs.append(
                            (run, target, similarity) if query_side else (target, run, similarity)
                        )
                        break
                if j in other_credit:
                    break
        return added

    def screen(
        self,
        query: PartyQuery,
        *,
        visible_lists: frozenset[str] | set[str] | None = None,
        limit: int = 5,
        cutoff: float = 0.5,
        restrict_ids: frozenset[str] | None = None,
    ) -> list[Match]:
        """The best `limit` matches scoring at least `cutoff`, best first.

        `visible_lists` None means every list; an empty set means none.
        `restrict_ids` limits the candidates to those entity ids (re-screening
        after a register change).
        """
        if visible_lists is not None and not visible_lists:
            return []
        query_org = is_org_schema(query.schema) or query.schema == "Thing"
        forms: list[NameForm] = []
        for name in query.names:
            for org in (False, True) if query_org else (False,):
                form = name_form(name, org, query_org)
                if form.tokens and form not in forms:
                    forms.append(form)
        if not forms:
            return []
        evidence_query = _QueryEvidence.of(query)
        if restrict_ids is None:
            positions = self.candidates(forms)
        else:
            allowed = {self.positions[i] for i in restrict_ids if i in self.positions}
            # A handful of changed entities is cheaper to score than to look up.
            positions = (
                sorted(allowed)
                if len(allowed) <= CANDIDATE_LIMIT
                else self.candidates(forms, allowed=allowed)
            )
        kept = []
        listed_tokens: set[str] = set()
        for position in positions:
            entry = self.entries[position]
            if visible_lists is not None and not (entry.lists & visible_lists):
                continue
            if not schemata_compatible(query.schema, entry.schema):
                continue
            kept.append((position, entry))
            for item in self.names_of(position):
                listed_tokens.update(item.reach)
        tables = {form: self.similarity_table(form, listed_tokens) for form in forms}
        scored = []
        for position, entry in kept:
            found = self._score_entry(position, entry, forms, evidence_query, tables, cutoff)
            if found is not None and found[0] >= cutoff:
                scored.append(found)
        scored.sort(key=lambda item: (-item[0], item[1].id))
        return [self._match(*item) for item in scored[:limit]]

    @staticmethod
    def similarity_table(form: NameForm, listed_tokens: set[str]) -> dict[str, dict[str, float]]:
        """token_similarity() of every query token with every candidate token, computed
        in bulk: rapidfuzz scans the candidate tokens in C for the raw and the phonetic
        spelling; only the few pairs above the floor come back to Python."""
        choices = list(listed_tokens)
        phonetic_choices = [phonetic(token) for token in choices]
        initials = [choice for choice in choices if len(choice) == 1]
        by_skeleton: dict[str, list[str]] = defaultdict(list)
        for choice in choices:
            if form.abjad or len(choice) >= 5:
                by_skeleton[skeleton(choice)].append(choice)
        table: dict[str, dict[str, float]] = {}
        tokens = set(form.tokens)
        tokens.update(a + b for a, b in zip(form.tokens, form.tokens[1:], strict=False))
        for token in tokens:
            row: dict[str, float] = {}
            if len(token) == 1:
                for choice in choices:
                    if choice[0] == token:
                        row[choice] = 1.0 if choice == token else INITIAL_SIMILARITY
                table[token] = row
                continue
            for choice, similarity, _ in process.extract(
                token,
                choices,
                scorer=OSA.normalized_similarity,
                score_cutoff=PHONETIC_FLOOR,
                limit=None,
            ):
                row[choice] = similarity
            sounds = phonetic(token)
            for _, similarity, at in process.extract(
                sounds,
                phonetic_choices,
                scorer=OSA.normalized_similarity,
                score_cutoff=PHONETIC_FLOOR,
                limit=None,
            ):
                choice = choices[at]
                spoken = PHONETIC_SIMILARITY if similarity == 1.0 else similarity * 0.95
                if spoken > row.get(choice, 0.0):
                    row[choice] = spoken
            for choice in initials:
                if choice == token[0]:
                    row[choice] = INITIAL_SIMILARITY
            if form.abjad or len(token) >= 5:
                # Vowel-less scripts say nothing about vowels; in Latin script a
                # shared skeleton is weaker evidence ("cardoso" / "credisa").
                skeleton_base = SKELETON_SIMILARITY if form.abjad else LATIN_SKELETON_SIMILARITY
                consonants = skeleton(token)
                if len(consonants) >= (2 if form.abjad else 4):
                    for choice in by_skeleton.get(consonants, ()):
                        raw = OSA.normalized_similarity(token, choice)
                        row[choice] = max(row.get(choice, 0.0), skeleton_base + 0.1 * raw)
            table[token] = {choice: value for choice, value in row.items() if value >= TOKEN_ACCEPT}
        # Every candidate token some query token (or joined pair) resembles: a listed
        # name with none of them cannot score and is not compared at all.
        table[REACHED] = {choice: 1.0 for row in table.values() for choice in row}
        return table

    def names_of(self, position: int) -> list[IndexedName]:
        return self._names_by_entry()[position]

    def _names_by_entry(self) -> list[list[IndexedName]]:
        cached = self._by_entry
        if cached is None:
            cached = [[] for _ in self.entries]
            for item in self.names:
                cached[item.entry].append(item)
            self._by_entry = cached
        return cached

    def _score_entry(
        self,
        position: int,
        entry: Entry,
        forms: list[NameForm],
        evidence_query: _QueryEvidence,
        tables: dict[NameForm, dict[str, dict[str, float]]] | None = None,
        cutoff: float = 0.0,
    ) -> tuple | None:
        best: tuple[float, NameForm, IndexedName, NameComparison] | None = None
        entry_org = is_org_schema(entry.schema)
        adjustments = evidence(evidence_query, entry)
        # The name score needed to reach the cutoff even with every bonus.
        needed = cutoff - sum(delta for _, delta, _ in adjustments if delta > 0)
        for listed in self.names_of(position):
            for form in forms:
                if bool(form.org_form) and not entry_org:
                    continue
                table = tables.get(form) if tables else None
                if table is not None:
                    if table[REACHED].keys().isdisjoint(listed.reach):
                        continue
                    floor = max(needed, best[0] if best else 0.0)
                    if floor > 0.0 and self._cover_bound(form, listed, table) <= floor:
                        continue  # cannot beat what we have or reach the cutoff
                comparison = self.compare_names(form, listed.form, table)
                score = comparison.score * NAME_KIND_FACTOR.get(listed.kind, 1.0)
                if best is None or score > best[0]:
                    best = (score, form, listed, comparison)
        if best is None or best[0] <= 0.0:
            return None
        name_score, form, listed, comparison = best
        score = min(1.0, max(0.0, name_score + sum(delta for _, delta, _ in adjustments)))
        return (round(score, 4), entry, name_score, form, listed, comparison, adjustments)

    def _cover_bound(
        self, form: NameForm, listed: IndexedName, table: dict[str, dict[str, float]]
    ) -> float:
        """An upper bound of compare_names(form, listed).score: the weighted share of
        query tokens that resemble any token of the listed name (or a join of two)."""
        tokens = form.tokens
        reach = listed.reach
        reached = 0.0
        total = 0.0
        for i, token in enumerate(tokens):
            weight = self.weight(token)
            total += weight
            row = table.get(token)
            if row and not reach.isdisjoint(row):
                reached += weight
                continue
            for pair in (
                tokens[i - 1] + token if i else None,
                token + tokens[i + 1] if i + 1 < len(tokens) else None,
            ):
                joined = table.get(pair) if pair else None
                if joined and not reach.isdisjoint(joined):
                    reached += weight
                    break
        return reached / total if total else 0.0

    @staticmethod
    def _match(
        score: float,
        entry: Entry,
        name_score: float,
        form: NameForm,
        listed: IndexedName,
        comparison: NameComparison,
        adjustments: list[tuple[str, float, str]],
    ) -> Match:
        explanation = explain(query_name=form.original, listed=listed, comparison=comparison,
                              name_score=name_score, adjustments=adjustments, form=form)  # fmt: skip
        features = {"name": round(name_score, 4)}
        for kind, delta, _ in adjustments:
            features[kind] = round(features.get(kind, 0.0) + delta, 4)
        return Match(
            entry=entry,
            score=score,
            name_score=round(name_score, 4),
            query_name=form.original,
            matched_name=listed.form.original,
            matched_kind=listed.kind,
            explanation=explanation,
            features=features,
        )


def deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


@lru_cache(maxsize=100_000)
def blocking_keys(token: str, abjad: bool = False, edits: bool = True) -> tuple[str, ...]:
    """Keys under which `token` is indexed (register side) or looked up (query side).

    `edits` False leaves out the one-deletion keys (for joined tokens, which
    are many and long).
    """
    keys: set[str] = {token}
    if edits and len(token) >= 4:
        keys.update("~" + d for d in deletions(token))
        keys.add("~" + token)
    keys.add("=" + phonetic(token))
    consonants = skeleton(token)
    if len(consonants) >= (2 if abjad else 3):
        keys.add("#" + consonants)
    keys.discard(token)  # the exact token is looked up in the vocabulary directly
    return tuple(keys)


@dataclass(slots=True)
class _QueryEvidence:
    countries: frozenset[str]
    birth_dates: list[tuple[str, str | None, str | None]]
    identifiers: frozenset[str]

    @classmethod
    def of(cls, query: PartyQuery) -> _QueryEvidence:
        return cls(
            countries=frozenset(key for value in query.countries if (key := country_key(value))),
            birth_dates=[parts for value in query.birth_dates if (parts := date_parts(value))],
            identifiers=frozenset(
                key for value in query.identifiers if len(key := identifier_key(value)) >= 4
            ),
        )


def date_parts(value: str) -> tuple[str, str | None, str | None] | None:
    found = DATE_PREFIX.match(value.strip())
    return (found.group(1), found.group(2), found.group(3)) if found else None


def evidence(query: _QueryEvidence, entry: Entry) -> list[tuple[str, float, str]]:
    """(feature, score delta, reason) for every piece of non-name evidence."""
    found: list[tuple[str, float, str]] = []
    listed_dates = [parts for value in entry.birth_dates if (parts := date_parts(value))]
    if query.birth_dates and listed_dates:
        found.append(("birthDate", *_compare_dates(query.birth_dates, listed_dates)))
    if query.countries and entry.countries:
        common = query.countries & entry.countries
        if common:
            found.append(("country", COUNTRY_SAME, f"country {', '.join(sorted(common))} matches"))
        else:
            found.append((
                "country",
                COUNTRY_DIFFERENT,
                f"country {', '.join(sorted(query.countries))} differs from listed {', '.join(sorted(entry.countries))}",
            ))  # fmt: skip
    if query.identifiers and entry.identifiers:
        common = query.identifiers & entry.identifiers
        if common:
            found.append(
                ("identifier", IDENTIFIER_SAME, f"identifier {', '.join(sorted(common))} matches")
            )
        else:
            found.append(
                ("identifier", IDENTIFIER_DIFFERENT, "identifiers differ from the listed ones")
            )
    return found


def _compare_dates(query: list, listed: list) -> tuple[float, str]:
    best: tuple[float, str] | None = None
    for q in query:
        for item in listed:
            q_text, l_text = "-".join(p for p in q if p), "-".join(p for p in item if p)
            if q[0] != item[0]:
                outcome = (
                    BIRTH_YEAR_DIFFERENT,
                    f"birth date {q_text} differs from listed {l_text}",
                )
            elif q[1] and item[1] and q[1] != item[1]:
                outcome = (
                    BIRTH_MONTH_DIFFERENT,
                    f"birth month {q_text} differs from listed {l_text}",
                )
            elif q[1] and item[1] and q[2] and item[2] and q[2] == item[2]:
                outcome = (BIRTH_DATE_SAME, f"birth date {q_text} matches")
            elif q[2] and item[2] and q[2] != item[2]:
                outcome = (
                    BIRTH_MONTH_DIFFERENT,
                    f"birth day {q_text} differs from listed {l_text}",
                )
            else:
                outcome = (BIRTH_YEAR_SAME, f"birth year {q[0]} matches listed {l_text}")
            if best is None or outcome[0] > best[0]:
                best = outcome
    assert best is not None
    return best


def explain(
    *,
    query_name: str,
    listed: IndexedName,
    comparison: NameComparison,
    name_score: float,
    adjustments: list[tuple[str, float, str]],
    form: NameForm,
) -> str:
    """One readable line: which names matched how, and what moved the score."""
    kind = {"name": "name", "weakAlias": "weak alias", "previousName": "previous name"}.get(
        listed.kind, listed.kind
    )
    parts = [f"name {query_name!r} ~ {kind} {listed.form.original!r}: {name_score:.2f}"]
    tokens = []
    for query_token, listed_token, similarity in comparison.pairs:
        if query_token == listed_token:
            tokens.append(query_token)
        elif len(query_token) == 1 or len(listed_token) == 1:
            tokens.append(f"{query_token}~{listed_token} (initial)")
        elif " " in query_token or " " in listed_token:
            tokens.append(f"{query_token}~{listed_token} (joined)")
        else:
            tokens.append(f"{query_token}~{listed_token} ({similarity:.2f})")
    if tokens:
        parts.append("tokens " + ", ".join(tokens))
    if comparison.unmatched_listed:
        parts.append("not in query: " + " ".join(comparison.unmatched_listed))
    if comparison.unmatched_query:
        parts.append("not listed: " + " ".join(comparison.unmatched_query))
    if form.org_form or listed.form.org_form:
        query_form = " ".join(form.org_form) or "none"
        listed_form = " ".join(listed.form.org_form) or "none"
        parts.append(f"legal form {query_form} / {listed_form} (ignored)")
    if form.abjad:
        parts.append("query in an abjad script, compared by consonants")
    for _, delta, reason in adjustments:
        parts.append(f"{reason} ({delta:+.2f})")
    return "; ".join(parts)
