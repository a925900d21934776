"""Entity content: normal form, equality, and the register's derived search columns."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from followthemoney import model
from followthemoney.types import registry
from normality import normalize

from ..ofac import linked_names

NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
# The names a "Linked To" remark may point at: an entry's primary name or an alias.
LINK_TARGET_PROPS = ("name", "alias")


def properties_normalised(properties: dict[str, list[str]]) -> dict[str, list[str]]:
    """Properties with values stripped and de-duplicated (order kept), empty ones dropped."""
    result: dict[str, list[str]] = {}
    for prop, values in properties.items():
        seen: list[str] = []
        for value in values:
            value = value.strip()
            if value and value not in seen:
                seen.append(value)
        if seen:
            result[prop] = seen
    return result


def content_key(schema: str, properties: dict[str, list[str]]) -> tuple:
    """What makes two states of an entity equal: schema and the set of values per property."""
    return (
        schema,
        tuple(
            sorted((prop, tuple(sorted(values))) for prop, values in properties.items() if values)
        ),
    )


@functools.lru_cache(maxsize=65536)
def _name_key(value: str) -> str:
    # Transliteration is the costliest step of storing an entity, and list
    # updates mostly repeat the names already seen.
    return normalize(value, lowercase=True, ascii=True) or value.casefold()


def countries_of(schema: str, properties: dict[str, list[str]]) -> list[str]:
    """Values of the entity's country-typed properties (country, nationality, flag ...)."""
    schema_obj = model.get(schema)
    countries: list[str] = []
    for prop, values in properties.items():
        spec = schema_obj.properties.get(prop) if schema_obj else None
        if spec is not None and spec.type == registry.country:
            for value in values:
                code = value.lower()
                if code not in countries:
                    countries.append(code)
    return countries


def searchable_fields(schema: str, properties: dict[str, list[str]]) -> dict[str, Any]:
    """The register's derived columns of an entity state (caption, names, facets)."""
    names: list[str] = []
    for prop in NAME_PROPS:
        for value in properties.get(prop, []):
            if value not in names:
                names.append(value)
    countries = countries_of(schema, properties)
    programs = list(properties.get("program", []))
    facets = [f"c:{c}" for c in countries] + [f"p:{p.lower()}" for p in programs]
    return {
        "caption": (names[0] if names else "")[:500],
        "names": names,
        "name_text": "|" + "|".join(_name_key(n) for n in names) + "|",
        "countries": countries,
        "programs": programs,
        "facet_text": "|" + "|".join(facets) + "|",
    }


def linked_names_of(properties: dict[str, list[str]]) -> list[str]:
    """Names of the entity's ``Linked To: NAME.`` remarks, read from its notes."""
    names: list[str] = []
    for note in properties.get("notes", []):
        for name in linked_names(note):
            if name not in names:
                names.append(name)
    return names


def link_key(name: str) -> str:
    """How a linked name and a target's name are compared: case, accent and punctuation blind."""
    return " ".join(_name_key(name).split())


def link_targets_of(properties: dict[str, list[str]]) -> set[str]:
    """The link keys of an entity's primary names and aliases."""
    return {link_key(v) for prop in LINK_TARGET_PROPS for v in properties.get(prop) or []}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
