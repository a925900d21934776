"""Importing a complete list: diff it against the register, sign the differences,
apply them through `sanctions_updates_apply` (the same path as the API)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from agencies.errors import Refused
from agencies.models import Agency, AgencyKind
from agencies.services import Actor, custodial_key_for
from hub.models.sanctions import SanctionedEntity, UpdateOp

from ..ofac import entity_errors
from .apply import LIST_NAME, Progress, sanctions_updates_apply
from .content import content_key, properties_normalised
from .signing import sanctions_updates_sign


@dataclass
class ImportSummary:
    added: int = 0
    modified: int = 0
    removed: int = 0
    unchanged: int = 0
    batch: str | None = None
    skipped: int = 0  # file entries the register does not hold (other FtM schemata)

    def line(self) -> str:
        return f"added={self.added} modified={self.modified} removed={self.removed} unchanged={self.unchanged}"


def sanctions_authority_ensure(
    *, code: str, country: str, name: str | None = None, actor: Actor
) -> Agency:
    """The authority agency (kind sanctions_authority) and its custodial key, created if missing."""
    from agencies.services import agency_create

    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        agency = agency_create(
            code=code,
            name=name or code,
            country=country,
            kind=AgencyKind.SANCTIONS_AUTHORITY,
            actor=actor,
        )
    elif agency.kind != AgencyKind.SANCTIONS_AUTHORITY:
        raise Refused(
            f"Agency {code} is a {agency.kind}, not a sanctions authority.",
            code="not_sanctions_authority",
        )
    custodial_key_for(agency=agency, actor=actor)
    return agency


def import_operations(
    *, list_name: str, entities: Iterable[dict[str, Any]]
) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """Diff a complete list against the register: the (op, entity) updates and the unchanged count.

    Entities not in the file are removed; entities whose schema or property
    values differ are modified; new (or previously removed) ones are added.
    """
    current: dict[str, tuple] = {}
    for entity_id, schema, properties in SanctionedEntity.objects.filter(
        sanctions_list__name=list_name, deleted=False
    ).values_list("entity_id", "schema", "properties"):
        current[entity_id] = content_key(schema, properties)
    operations: list[tuple[str, dict[str, Any]]] = []
    unchanged = 0
    seen: set[str] = set()
    for index, entity in enumerate(entities):
        problems = entity_errors(entity)
        if problems:
            raise Refused(
                f"Entity #{index} is not valid: {'; '.join(problems)}",
                code="schema_violation",
                details={"index": index, "errors": problems},
            )
        entity_id = entity["id"]
        if entity_id in seen:
            raise Refused(f"Entity {entity_id} appears twice in the file.", code="duplicate_entity")
        seen.add(entity_id)
        entity = {
            "id": entity_id,
            "schema": entity["schema"],
            "properties": properties_normalised(entity.get("properties", {})),
        }
        existing = current.get(entity_id)
        if existing is None:
            operations.append((UpdateOp.ADD, entity))
        elif existing != content_key(entity["schema"], entity["properties"]):
            operations.append((UpdateOp.MOD, entity))
        else:
            unchanged += 1
    for entity_id in current.keys() - seen:
        operations.append((UpdateOp.DEL, {"id": entity_id}))
    return operations, unchanged


def sanctions_list_import(
    *,
    authority: Agency,
    list_name: str,
    entities: Iterable[dict[str, Any]],
    actor: Actor,
    effective: date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a complete list: diff it against the register, sign the ADD/MOD/DEL
    updates with the authority's custodial key and apply them in one batch
    (through `sanctions_updates_apply`, like the API)."""
    if not LIST_NAME.match(list_name):
        raise Refused("list must be a list name like OFAC-SDN.", code="invalid_list")
    effective = effective or timezone.now().date()
    operations, unchanged = import_operations(list_name=list_name, entities=entities)
    summary = ImportSummary(unchanged=unchanged)
    if not operations:
        return summary
    if progress:
        progress("sign", 0, len(operations))
    tokens = sanctions_updates_sign(
        authority=authority, list_name=list_name, operations=operations, effective=effective
    )
    if progress:
        progress("sign", len(operations), len(operations))
    result = sanctions_updates_apply(
        caller_agency=authority, tokens=tokens, actor=actor, progress=progress
    )
    summary.batch = result.batch
    summary.added = result.count(UpdateOp.ADD)
    summary.modified = result.count(UpdateOp.MOD)
    summary.removed = result.count(UpdateOp.DEL)
    summary.unchanged += result.unchanged
    return summary
