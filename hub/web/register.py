"""Reads of the sanctions register for the web UI, limited to the lists the agency may use.

An agency reads the lists it owns or receives under an active agreement
(DESIGN 5); `hub.screening.selectors.lists_visible_to` answers which.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from normality import normalize

from agencies.errors import NotFound
from agencies.models import Agency
from hub.models import SanctionedEntity, SanctionsChange
from hub.screening.selectors import lists_visible_to

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


def register_entities_for(*, agency: Agency) -> QuerySet[SanctionedEntity]:
    visible = lists_visible_to(agency=agency)
    return SanctionedEntity.objects.filter(sanctions_list__name__in=visible).select_related(
        "sanctions_list"
    )


def register_search(*, agency: Agency, query: RegisterQuery) -> RegisterPage:
    entities = register_entities_for(agency=agency)
    if not query.include_delisted:
        entities = entities.filter(deleted=False)
    if query.text.strip():
        key = normalize(query.text, lowercase=True, ascii=True) or query.text.casefold()
        entities = entities.filter(Q(name_text__contains=key) | Q(entity_id=query.text.strip()))
    if query.list_name:
        entities = entities.filter(sanctions_list__name=query.list_name)
    if query.schema:
        entities = entities.filter(schema=query.schema)
    if query.country:
        entities = entities.filter(facet_text__contains=f"|c:{query.country.lower()}|")
    if query.program:
        entities = entities.filter(facet_text__contains=f"|p:{query.program.lower()}|")
    counts: dict[str, Counter] = {
        "list": Counter(),
        "schema": Counter(),
        "country": Counter(),
        "program": Counter(),
    }
    rows = entities.values_list("sanctions_list__name", "schema", "countries", "programs")
    total = 0
    for list_name, schema, countries, programs in rows.iterator(chunk_size=2000):
        total += 1
        counts["list"][list_name] += 1
        counts["schema"][schema] += 1
        counts["country"].update(c.upper() for c in countries or [])
        counts["program"].update(programs or [])
    return RegisterPage(
        entities=entities.order_by("caption", "id"),
        total=total,
        facets={name: counter.most_common(FACET_LIMIT) for name, counter in counts.items()},
        visible=sorted(lists_visible_to(agency=agency)),
    )


def register_entity_for(*, agency: Agency, entity_id: str) -> list[SanctionedEntity]:
    """Every visible list's state of one entity (an entity may be on several lists); 404 if none."""
    states = list(register_entities_for(agency=agency).filter(entity_id=entity_id))
    if not states:
        raise NotFound("No such entity on the lists you may read.", code="entity_not_found")
    return states


def entity_history(*, states: list[SanctionedEntity]) -> QuerySet[SanctionsChange]:
    return (
        SanctionsChange.objects.filter(entity__in=states)
        .select_related("update", "issuer", "entity__sanctions_list")
        .order_by("-recorded_at", "-id")
    )
