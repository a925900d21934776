"""Reads for screening: the per-process index of the register, and visibility.

The index is built from every listed (not delisted) entity of every list and
cached per process. Each use compares a cheap register version (the highest
accepted-update id and entity id) with the one the index was built at, and
rebuilds when they differ, so a web or worker process never screens against
a stale register for longer than one request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet

from agencies.models import Agency
from hub.models import Report, SanctionedEntity, SanctionsUpdate, ScreeningHit
from hub.sanctions.selectors import entities_current
from hub.sanctions.selectors import lists_visible_to as register_lists_visible_to
from hub.screening.matcher import ScreeningIndex

logger = logging.getLogger(__name__)

PATCH_LIMIT = 500  # entities changed in place before the index is rebuilt in full
_lock = threading.Lock()
_cached: tuple[tuple, ScreeningIndex] | None = None


def register_version() -> tuple:
    """A value that changes whenever the register changes: (last update id, number
    of updates, last entity id). The count catches an update whose transaction
    commits after one with a higher id. One statement: it runs on every screening."""
    quote = connection.ops.quote_name
    updates = quote(SanctionsUpdate._meta.db_table)
    entities = quote(SanctionedEntity._meta.db_table)
    # Table names come from the models; there are no values.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {updates}), (SELECT COUNT(id) FROM {updates}), "  # noqa: S608
        f"(SELECT MAX(id) FROM {entities})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _register_entries(entity_ids: Iterable[str] | None = None) -> Iterator[tuple[dict, list[str]]]:
    """(FtM entity dict, list names) for every listed entity (or those of `entity_ids`)."""
    merged: dict[str, tuple[dict, list[str]]] = {}
    rows = entities_current()
    if entity_ids is not None:
        rows = rows.filter(entity_id__in=list(entity_ids))
    rows = rows.order_by("entity_id", "id").values_list(
        "entity_id", "schema", "caption", "properties", "sanctions_list__name"
    )
    for entity_id, schema, caption, properties, list_name in rows.iterator(chunk_size=2000):
        found = merged.get(entity_id)
        if found is None:
            entity = {
                "id": entity_id,
                "schema": schema,
                "caption": caption,
                "properties": properties,
            }
            merged[entity_id] = (entity, [list_name])
        else:
            found[1].append(list_name)
    return iter(merged.values())


def _index_build() -> ScreeningIndex:
    started = time.perf_counter()
    index = ScreeningIndex.build(_register_entries())
    logger.info(
        "screening index built: %d entities, %d names in %.2f s",
        len(index.entries),
        len(index.names),
        time.perf_counter() - started,
    )
    return index


def _index_patch(index: ScreeningIndex, built_at: tuple, version: tuple) -> bool:
    """Apply the updates accepted since `built_at` to `index` in place.

    Returns False (rebuild instead) when that cannot be done exactly (an update
    committed late, below the last id seen) or the change is large: token
    weights are not recomputed by a patch, so past a tenth of the register a
    full build is more accurate and not much slower.
    """
    since_update, seen, _ = built_at
    if since_update is None:
        return False
    rows = list(
        SanctionsUpdate.objects.filter(id__gt=since_update).values_list("entity_id", flat=True)
    )
    if seen + len(rows) != version[1]:
        return False
    changed = set(rows)
    if index.patched + len(changed) > max(PATCH_LIMIT, len(index.positions) // 10):
        return False
    current = {entity["id"]: (entity, lists) for entity, lists in _register_entries(changed)}
    index.apply((entity_id, *current.get(entity_id, (None, ()))) for entity_id in sorted(changed))
    logger.info("screening index patched with %d changed entities", len(changed))
    return True


def screening_index() -> ScreeningIndex:
    """The index of the current register: built on first use, patched after small
    register changes, rebuilt after large ones."""
    global _cached
    version = register_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] == version:
            return cached[1]
        if cached is not None and _index_patch(cached[1], cached[0], version):
            index = cached[1]
        else:
            index = _index_build()
        _cached = (version, index)
        return index


def index_reset() -> None:
    """Forget the cached index (tests that rebuild the register use it)."""
    global _cached
    with _lock:
        _cached = None


def lists_visible_to(*, agency: Agency) -> frozenset[str]:
    """Names of the lists `agency` may screen against (owned, or received under an
    active agreement). The rule lives with the register, in one place."""
    return frozenset(register_lists_visible_to(agency=agency))


def screening_hits_for(*, agency: Agency, state: str | None = "open") -> QuerySet[ScreeningHit]:
    """The screening alerts of `agency` (its reports' hits), newest first; `state` None for all."""
    hits = ScreeningHit.objects.filter(agency=agency).select_related("report")
    return hits.filter(state=state) if state else hits


def report_hits(*, report: Report) -> QuerySet[ScreeningHit]:
    """Every hit of one report (open first), for its detail page. Access is the caller's check."""
    return ScreeningHit.objects.filter(report=report).order_by("state", "-score", "id")
