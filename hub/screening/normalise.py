# ruff: noqa: RUF001, RUF002 - transliteration tables are made of look-alike letters
"""Name normalisation for screening: any script to Latin tokens.

Pure functions, no Django. Every name, on the register side and on the query
side, goes through `name_form()`; the matcher only ever compares `NameForm`s.

Steps, and why each one:
1. Cyrillic is transliterated with our own BGN/PCGN-style table (shch, zh, kh,
   ts, yu, ya), because that is how OFAC and most Western lists spell Russian
   and Ukrainian names; ICU's default (ISO 9) gives "Ŝerbakov" -> "serbakov"
   for "Щербаков" where the list says "SHCHERBAKOV".
2. Everything else goes through ICU Any-Latin + Latin-ASCII (normality's
   `ascii_text`): Arabic, Persian, Hebrew, Greek, Chinese (pinyin, split per
   syllable), Japanese kana, Korean, Georgian, Armenian ...
3. Lower case; apostrophes and ayn/hamza marks vanish ("O'Brien" -> "obrien"),
   every other punctuation mark (hyphens, commas, dots, slashes) splits tokens.
4. Legal forms are recognised with rigour's org-type data (LLC, OOO, ООО,
   "Limited Liability Company", GmbH, Ltd, AO, ...) and taken out of the name
   core for organisations; they are kept aside as weak evidence only.
   Person names keep every token (rigour would read the Korean given name
   "In" as "Inc.").
5. Abjad scripts (Arabic, Persian, Hebrew) write no short vowels: "محمد" is
   "mhmd". Tokens from those scripts are compared by consonant skeleton
   ("muhammad" -> "mhmd"), see `skeleton()`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

from normality import ascii_text
from rigour.names import remove_org_types, remove_person_prefixes, replace_org_types_compare

# Cyrillic -> Latin in the BGN/PCGN style used by sanctions lists. Lower case
# only: names are case-folded before this table is applied.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian, Belarusian, Serbian, Macedonian, Kazakh letters
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j",
    "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
CYRILLIC_TABLE = str.maketrans(CYRILLIC)

# Greek -> Latin the modern way (ELOT 743: beta is v, eta is i), digraphs first.
GREEK_DIGRAPHS = (
    ("ου", "ou"),
    ("μπ", "b"),
    ("ντ", "d"),
    ("γγ", "ng"),
    ("γκ", "g"),
    ("αυ", "av"),
    ("ευ", "ev"),
)
GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "h", "ψ": "ps", "ω": "o",
}  # fmt: skip
GREEK_TABLE = str.maketrans(GREEK)

# Characters that vanish rather than split a token: apostrophes and the
# transliterations of Arabic ayn/hamza.
VANISHING = str.maketrans({c: "" for c in "'`´ʼʻʽʾʿ’‘ʹ?"})
NON_ALNUM = re.compile(r"[^a-z0-9]+")
ABJAD = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]")  # Hebrew, Arabic
ORG_SCHEMATA = frozenset({"Organization", "Company", "PublicBody", "LegalEntity"})

SKELETON_DROP = str.maketrans({c: "" for c in "aeiouwy"})


def undoubled(text: str) -> str:
    """Doubled letters as one: "saddam" -> "sadam"."""
    return "".join(letter for letter, _ in groupby(text))


def is_abjad(text: str) -> bool:
    """True if `text` holds letters of a script that does not write short vowels."""
    return ABJAD.search(text) is not None


@lru_cache(maxsize=200_000)
def latin(text: str) -> str:
    """`text` transliterated to lower-case ASCII, punctuation left in place."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(CYRILLIC_TABLE)
    if folded.isascii():
        return folded
    if any("\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff" for char in folded):
        # Strip accents and breathings first so the digraph table sees bare letters.
        bare = "".join(
            c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c)
        )
        for greek, roman in GREEK_DIGRAPHS:
            bare = bare.replace(greek, roman)
        folded = bare.translate(GREEK_TABLE)
        if folded.isascii():
            return folded
    return (ascii_text(folded) or "").lower()


def tokens_of(text: str) -> tuple[str, ...]:
    """Lower-case ASCII tokens of `text`, in order."""
    cleaned = latin(text).translate(VANISHING)
    return tuple(token for token in NON_ALNUM.split(cleaned) if token)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonant skeleton: no vowels, w or y, no doubled letters, q as k.

    "muhammad", "mohammed" and Arabic "mhmd" share "mhmd"; "saddam" and "sdam"
    share "sdm". Used for abjad-script tokens and for long Latin ones.
    """
    stripped = token.replace("q", "k").replace("ph", "f").translate(SKELETON_DROP)
    return undoubled(stripped)


PHONETIC_RULES = (
    ("shch", "sh"), ("sch", "sh"), ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"),
    ("gh", "g"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("q", "k"), ("w", "v"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"), ("x", "ks"),
)  # fmt: skip


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A spelling-neutral form: "khadzhi", "hajji" and "hadji" all become "haji".

    Transliteration systems disagree on digraphs (kh/h, dzh/j, shch/sh, y/i,
    ou/u); this folds them so that one transliteration compares with another.
    """
    if token.startswith(("ye", "yo")):
        token = token[1:]
    for written, spoken in PHONETIC_RULES:
        if written in token:
            token = token.replace(written, spoken)
    return undoubled(token)


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name, normalised: the tokens the matcher compares."""

    original: str
    tokens: tuple[str, ...]
    org_form: tuple[str, ...] = ()  # canonical legal form tokens ("llc", "ooo"), organisations only
    abjad: bool = False

    @property
    def joined(self) -> str:
        return "".join(self.tokens)


def is_org_schema(schema: str | None) -> bool:
    return schema in ORG_SCHEMATA


def joined_letters(tokens: list[str]) -> list[str]:
    """Runs of two or more single letters become one token: "s a de c v" -> "sa de cv"."""
    out: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1:
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    return out


@lru_cache(maxsize=200_000)
def name_form(name: str, org: bool = False, acronyms: bool | None = None) -> NameForm:
    """The normalised form of `name`.

    `org` strips legal forms into `org_form`; `acronyms` (default: `org`) joins
    dotted letters into one token ("S.A." -> "sa"), which for a person would
    merge initials ("V. V. Putin").
    """
    text = latin(name).translate(VANISHING)
    tokens = [token for token in NON_ALNUM.split(text) if token]
    flat = " ".join(joined_letters(tokens) if (org if acronyms is None else acronyms) else tokens)
    org_form: tuple[str, ...] = ()
    if org:
        core = remove_org_types(flat).split()
        if core:
            compared = replace_org_types_compare(flat).split()
            core_set = set(core)
            org_form = tuple(token for token in compared if token not in core_set)
            tokens = tuple(core)
        else:  # the name is nothing but a legal form ("OOO"): keep it as is
            tokens = tuple(flat.split())
    else:
        tokens = tuple(remove_person_prefixes(flat).split()) or tuple(flat.split())
    return NameForm(original=name, tokens=tokens, org_form=org_form, abjad=is_abjad(name))
