"""The register search page's reads: Z1's selectors, plus facet counts over the results.

Which lists an agency may read is decided once, in hub.sanctions.selectors.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from agencies.models import Agency
from hub.models import SanctionedEntity, SanctionsChange
from hub.sanctions.selectors import entity_access, entity_history, entity_search, lists_visible_to

FACET_LIMIT = 25


@dataclass(frozen=True)
class RegisterQuery:
    text: str = ""
    list_name: str = ""
    schema: str = ""
    country: str = ""
    program: str = ""
    include_delisted: bool = False


@dataclass
class RegisterPage:
    entities: QuerySet[SanctionedEntity]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)


def register_search(*, agency: Agency, query: RegisterQuery) -> RegisterPage:
    """The matching entries and, over all of them, counts per list, schema, country, program."""
    entities = entity_search(
        agency=agency,
        q=query.text,
        list_name=query.list_name or None,
        schema=query.schema or None,
        country=query.country or None,
        program=query.program or None,
        include_deleted=query.include_delisted,
    )
    counts: dict[str, Counter] = {
        "list": Counter(),
        "schema": Counter(),
        "country": Counter(),
        "program": Counter(),
    }
    total = 0
    rows = entities.values_list("sanctions_list__name", "schema", "countries", "programs")
    for list_name, schema, countries, programs in rows.iterator(chunk_size=2000):
        total += 1
        counts["list"][list_name] += 1
        counts["schema"][schema] += 1
        counts["country"].update(c.upper() for c in countries or [])
        counts["program"].update(programs or [])
    return RegisterPage(
        entities=entities,
        total=total,
        facets={name: counter.most_common(FACET_LIMIT) for name, counter in counts.items()},
        visible=sorted(lists_visible_to(agency=agency)),
    )


def register_entity_for(*, agency: Agency, entity_id: str) -> list[SanctionedEntity]:
    """The entity on every list the agency may read (404 when on none of them)."""
    first = entity_access(agency=agency, entity_id=entity_id)
    visible = lists_visible_to(agency=agency)
    others = (
        SanctionedEntity.objects.select_related("sanctions_list")
        .filter(entity_id=entity_id, sanctions_list__name__in=visible)
        .exclude(pk=first.pk)
        .order_by("sanctions_list__name")
    )
    return [first, *others]


def register_history(*, states: list[SanctionedEntity]) -> list[SanctionsChange]:
    """Every change of the entity on the visible lists, newest first."""
    changes = [change for state in states for change in entity_history(entry=state)]
    return sorted(changes, key=lambda change: (change.recorded_at, change.pk), reverse=True)
