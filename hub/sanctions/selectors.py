"""Reads of the sanctions register. Who may see which list is decided here, once.

An agency sees the lists it owns (it is their authority) and the lists it
receives under an active sharing agreement of kind ``sanctions_update`` whose
provider owns the list (an agreement's ``scope_lists`` narrows it to those
lists; empty means every list of the provider). Nothing else.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from normality import normalize

from agencies.errors import NotFound
from agencies.models import Agency
from hub.models.sanctions import SanctionedEntity, SanctionsChange, SanctionsList

AGREEMENT_KIND = "sanctions_update"


def lists_visible_to(*, agency: Agency, at: datetime | None = None) -> set[str]:
    """Names of the lists `agency` may read and screen against (see module docstring)."""
    from sharing.models import Agreement, AgreementStatus

    moment = at or timezone.now()
    owned_by: dict[int, set[str]] = {}
    for name, authority_id in SanctionsList.objects.values_list("name", "authority_id"):
        owned_by.setdefault(authority_id, set()).add(name)
    visible = set(owned_by.get(agency.pk, set()))
    agreements = Agreement.objects.filter(
        recipient=agency, status=AgreementStatus.ACTIVE, valid_from__lte=moment
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=moment))
    for agreement in agreements:
        # kinds and scope_lists are JSON lists, filtered here so SQLite works too.
        if AGREEMENT_KIND not in (agreement.kinds or []):
            continue
        provided = owned_by.get(agreement.provider_id, set())
        scope = set(agreement.scope_lists or [])
        visible |= provided & scope if scope else provided
    return visible


def name_key(text: str) -> str:
    """How names are folded for search: lower case, ASCII, punctuation to spaces."""
    return normalize(text, lowercase=True, ascii=True) or ""


def entity_search(
    *,
    agency: Agency,
    q: str | None = None,
    list_name: str | None = None,
    schema: str | None = None,
    country: str | None = None,
    program: str | None = None,
    include_deleted: bool = False,
) -> QuerySet[SanctionedEntity]:
    """Register entries visible to `agency` matching every given filter.

    `q` matches the entity id exactly, or every word of it appears in one of
    the entity's names or aliases (transliterated, case and accent blind).
    """
    visible = lists_visible_to(agency=agency)
    if list_name is not None:
        visible &= {list_name}
    entries = SanctionedEntity.objects.select_related("sanctions_list").filter(
        sanctions_list__name__in=visible
    )
    if not include_deleted:
        entries = entries.filter(deleted=False)
    if schema:
        entries = entries.filter(schema=schema)
    if country:
        entries = entries.filter(facet_text__contains=f"|c:{country.strip().lower()}|")
    if program:
        entries = entries.filter(facet_text__contains=f"|p:{program.strip().lower()}|")
    if q and q.strip():
        words = name_key(q).split()
        by_name = Q()
        for word in words:
            by_name &= Q(name_text__contains=word)
        entries = (
            entries.filter(by_name | Q(entity_id=q.strip()))
            if words
            else entries.filter(entity_id=q.strip())
        )
    return entries.order_by("caption", "entity_id", "sanctions_list__name")


def entity_access(
    *, agency: Agency, entity_id: str, list_name: str | None = None
) -> SanctionedEntity:
    """The register entry `entity_id` on a list `agency` may see; 404 otherwise (also for
    entries it may not see, so their existence does not leak)."""
    visible = lists_visible_to(agency=agency)
    if list_name is not None:
        visible &= {list_name}
    entry = (
        SanctionedEntity.objects.select_related("sanctions_list", "last_update")
        .filter(entity_id=entity_id, sanctions_list__name__in=visible)
        .order_by("sanctions_list__name")
        .first()
    )
    if entry is None:
        raise NotFound(f"No sanctioned entity {entity_id!r}.", code="entity_not_found")
    return entry


def entity_history(*, entry: SanctionedEntity) -> QuerySet[SanctionsChange]:
    """Every state change of a register entry, oldest first, with the update and issuer."""
    return entry.changes.select_related("update", "issuer").order_by("id")


def entities_current(*, list_names: set[str] | None = None) -> QuerySet[SanctionedEntity]:
    """Listed (not deleted) entities, optionally of some lists only: what screening indexes."""
    entries = SanctionedEntity.objects.select_related("sanctions_list").filter(deleted=False)
    if list_names is not None:
        entries = entries.filter(sanctions_list__name__in=list_names)
    return entries
