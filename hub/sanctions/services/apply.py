"""Verifying and applying batches of signed sanctions updates, all or nothing.

The batch goes through four steps: verify every token (signature, key, claims,
FtM schema); lock or create the lists and check ownership; plan the changes in
memory against the current register (idempotency, ADD/MOD/DEL rules); store
the plan, audit it and hand it to the outbox, in one transaction.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.audit import audit_deferred, audit_record
from agencies.errors import Conflict, CordonError, PermissionDenied, Refused
from agencies.models import Agency, AgencyKind
from agencies.selectors import VerifyingKeys, issued_at, jwt_verified
from agencies.services import Actor
from hub.models.sanctions import (
    SanctionedEntity,
    SanctionsChange,
    SanctionsList,
    SanctionsUpdate,
    UpdateOp,
    UpdateOutcome,
)

from ..bulk import rows_insert, rows_update
from ..ofac import entity_errors
from .content import (
    content_key,
    countries_of,
    link_key,
    link_targets_of,
    linked_names_of,
    properties_normalised,
    searchable_fields,
    token_digest,
)
from .signing import UPDATE_KIND, UPDATE_TYP

logger = logging.getLogger(__name__)

LIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
# A progress callback: (stage, done, total).
Progress = Callable[[str, int, int], None]
ROW_UPDATE_FIELDS = (
    "schema",
    "properties",
    "caption",
    "names",
    "name_text",
    "countries",
    "programs",
    "facet_text",
    "linked_to",
    "last_changed",
    "delisted",
    "deleted",
    "last_update",
    "updated_at",
)


@dataclass
class TokenResult:
    index: int
    op: str
    entity_id: str
    list: str
    outcome: str  # applied | unchanged


@dataclass
class ApplyResult:
    batch: str
    results: list[TokenResult] = field(default_factory=list)
    changed_entity_ids: list[str] = field(default_factory=list)

    def count(self, op: str, outcome: str = UpdateOutcome.APPLIED) -> int:
        return sum(1 for r in self.results if r.op == op and r.outcome == outcome)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.results if r.outcome == UpdateOutcome.UNCHANGED)


@dataclass
class _Verified:
    index: int
    token: str
    digest: str
    kid: str
    issued_at: datetime
    list_name: str
    op: str
    entity: dict[str, Any]
    effective: date


@dataclass
class _State:
    """An entity's state while a batch is planned (row None: not in the register yet)."""

    row: SanctionedEntity | None
    schema: str | None
    properties: dict[str, list[str]] | None
    deleted: bool


@dataclass
class _Change:
    update: _Verified
    pair: tuple[int, str]  # (list pk, entity id)
    before: dict | None
    after: dict | None


@dataclass
class _Plan:
    records: list[tuple[_Verified, str]] = field(default_factory=list)  # new tokens + outcome
    changes: list[_Change] = field(default_factory=list)
    states: dict[tuple[int, str], _State] = field(default_factory=dict)


class _TokenError(Exception):
    def __init__(self, code: str, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.forbidden = forbidden


def _error(index: int, code: str, message: str) -> dict[str, Any]:
    return {"index": index, "code": code, "message": message}


def _refuse(errors: list[dict[str, Any]], forbidden: bool) -> None:
    errors.sort(key=lambda e: e["index"])
    details = {"errors": errors}
    if forbidden:
        raise PermissionDenied(
            "Some updates are for lists or issuers you may not publish for; nothing was stored.",
            code="sanctions_update_forbidden",
            details=details,
        )
    raise Refused(
        f"{len(errors)} of the updates are invalid; nothing was stored.",
        code="invalid_sanctions_updates",
        details=details,
    )


# --------------------------------------------------------------------------
# 1. Verify


def _effective_parse(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _TokenError("invalid_effective", "effective must be a date YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _TokenError("invalid_effective", "effective must be a date YYYY-MM-DD.") from exc


def _claims_check(payload: dict[str, Any]) -> tuple[str, str, dict[str, Any], date]:
    if payload.get("kind") != UPDATE_KIND:
        raise _TokenError("wrong_kind", f"kind must be {UPDATE_KIND!r}.")
    list_name = payload.get("list")
    if not isinstance(list_name, str) or not LIST_NAME.match(list_name):
        raise _TokenError("invalid_list", "list must be a list name like OFAC-SDN.")
    op = payload.get("op")
    if op not in UpdateOp.values:
        raise _TokenError("invalid_op", "op must be ADD, MOD or DEL.")
    entity = payload.get("entity")
    if not isinstance(entity, dict):
        raise _TokenError("invalid_entity", "entity must be an object.")
    if op == UpdateOp.DEL:
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip() or len(entity_id) > 200:
            raise _TokenError("invalid_entity", "entity.id must be a non-empty string.")
        if "\x00" in entity_id:
            raise _TokenError("invalid_entity", "entity.id must not contain NUL characters.")
        entity = {"id": entity_id}
    else:
        problems = entity_errors(entity)
        if problems:
            raise _TokenError("schema_violation", "; ".join(problems))
        entity = {
            "id": entity["id"],
            "schema": entity["schema"],
            "properties": properties_normalised(entity.get("properties", {})),
        }
        if not entity["properties"].get("name"):
            raise _TokenError("schema_violation", "entity.properties.name must have a value.")
    return list_name, op, entity, _effective_parse(payload.get("effective"))


def _verify(index: int, token: Any, *, caller: Agency, keys: VerifyingKeys) -> _Verified:
    """agencies.selectors.jwt_verified (alg, typ, iss = caller, key valid at iat,
    signature), then the sanctions update claims."""
    if not isinstance(token, str):
        raise _TokenError("malformed_jwt", "token must be a string.")
    try:
        _, payload, key = jwt_verified(token=token, typ=UPDATE_TYP, caller=caller, keys=keys)
        moment = issued_at(payload)
    except CordonError as exc:
        forbidden = isinstance(exc, PermissionDenied)  # iss is another agency
        raise _TokenError(exc.code, exc.message, forbidden=forbidden) from exc
    list_name, op, entity, effective = _claims_check(payload)
    return _Verified(
        index=index,
        token=token,
        digest=token_digest(token),
        kid=key.kid,
        issued_at=moment,
        list_name=list_name,
        op=op,
        entity=entity,
        effective=effective,
    )


def _verify_all(
    tokens: Sequence[Any], *, caller: Agency, progress: Progress | None
) -> list[_Verified]:
    keys = VerifyingKeys()
    verified: list[_Verified] = []
    errors: list[dict[str, Any]] = []
    forbidden = False
    total = len(tokens)
    for index, token in enumerate(tokens):
        try:
            verified.append(_verify(index, token, caller=caller, keys=keys))
        except _TokenError as exc:
            forbidden = forbidden or exc.forbidden
            errors.append(_error(index, exc.code, exc.message))
        if progress and (index % 500 == 0 or index + 1 == total):
            progress("verify", index + 1, total)
    if errors:
        _refuse(errors, forbidden)
    return verified


# --------------------------------------------------------------------------
# 2. Lists and ownership


def _lists_lock(
    verified: list[_Verified], *, caller: Agency, actor: Actor
) -> dict[str, SanctionsList]:
    """The batch's lists, locked (so batches on one list apply one after the other);
    refused if another authority owns one; created, owned by the caller, if new."""
    names = {v.list_name for v in verified}
    lists = {
        sanctions_list.name: sanctions_list
        for sanctions_list in SanctionsList.objects.select_for_update().filter(name__in=names)
    }
    errors = [
        _error(v.index, "list_not_owned", f"List {v.list_name} is owned by another authority.")
        for v in verified
        if v.list_name in lists and lists[v.list_name].authority_id != caller.pk
    ]
    if errors:
        _refuse(errors, forbidden=True)
    for name in sorted(names - set(lists)):
        lists[name] = SanctionsList.objects.create(name=name, authority=caller)
        audit_record(
            actor=actor.label,
            agency=caller.code,
            action="sanctions_list.create",
            object_type="sanctions_list",
            object_id=name,
            after={"name": name, "authority": caller.code},
        )
    return lists


# --------------------------------------------------------------------------
# 3. Plan


def _states_load(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], _State]:
    """Current register rows for (list pk, entity id) pairs, in few queries."""
    states: dict[tuple[int, str], _State] = {}
    by_list: dict[int, list[str]] = {}
    for list_pk, entity_id in pairs:
        by_list.setdefault(list_pk, []).append(entity_id)
    for list_pk, entity_ids in by_list.items():
        for start in range(0, len(entity_ids), 5000):
            chunk = entity_ids[start : start + 5000]
            for row in SanctionedEntity.objects.filter(
                sanctions_list_id=list_pk, entity_id__in=chunk
            ):
                states[(list_pk, row.entity_id)] = _State(
                    row=row, schema=row.schema, properties=row.properties, deleted=row.deleted
                )
    return states


def _plan(verified: list[_Verified], lists: dict[str, SanctionsList], result: ApplyResult) -> _Plan:
    """Apply the batch in memory, in order. Raises (422) on an op the state does not allow:
    ADD of a listed entity with other content, MOD or DEL of an unknown entity."""
    known = set(
        SanctionsUpdate.objects.filter(token_hash__in=[v.digest for v in verified]).values_list(
            "token_hash", flat=True
        )
    )
    plan = _Plan(states=_states_load({(lists[v.list_name].pk, v.entity["id"]) for v in verified}))
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for v in verified:
        entity_id = v.entity["id"]
        if v.digest in known or v.digest in seen:
            # The same signed update again: idempotent, nothing is stored twice.
            result.results.append(
                TokenResult(v.index, v.op, entity_id, v.list_name, UpdateOutcome.UNCHANGED)
            )
            continue
        seen.add(v.digest)
        pair = (lists[v.list_name].pk, entity_id)
        state = plan.states.get(pair)
        listed = state is not None and not state.deleted
        current = content_key(state.schema, state.properties) if listed else None
        after: dict | None = None
        if v.op == UpdateOp.DEL:
            if state is None:
                errors.append(
                    _error(v.index, "entity_not_listed", f"{entity_id} is not on {v.list_name}.")
                )
                continue
            changed = listed
        else:
            after = {"schema": v.entity["schema"], "properties": v.entity["properties"]}
            proposed = content_key(after["schema"], after["properties"])
            if v.op == UpdateOp.ADD and listed and current != proposed:
                errors.append(
                    _error(
                        v.index,
                        "entity_exists",
                        f"{entity_id} is already on {v.list_name}; send a MOD.",
                    )
                )
                continue
            if v.op == UpdateOp.MOD and not listed:
                errors.append(
                    _error(v.index, "entity_not_listed", f"{entity_id} is not on {v.list_name}.")
                )
                continue
            changed = current != proposed
        outcome = UpdateOutcome.APPLIED if changed else UpdateOutcome.UNCHANGED
        plan.records.append((v, outcome))
        result.results.append(TokenResult(v.index, v.op, entity_id, v.list_name, outcome))
        if not changed:
            continue
        before = {"schema": state.schema, "properties": state.properties} if listed else None
        if state is None:
            state = plan.states[pair] = _State(row=None, schema=None, properties=None, deleted=True)
        if after is None:
            state.deleted = True
        else:
            state.schema, state.properties, state.deleted = (
                after["schema"],
                after["properties"],
                False,
            )
        plan.changes.append(_Change(update=v, pair=pair, before=before, after=after))
    if errors:
        _refuse(errors, forbidden=False)
    return plan


# --------------------------------------------------------------------------
# 4. Store


def _store(
    plan: _Plan, *, lists: dict[str, SanctionsList], caller: Agency, batch: str, now: datetime
) -> dict[str, float]:
    """Write the accepted updates, the entities' new state and the change history."""
    timings = {"start": time.monotonic()}
    updates = [
        SanctionsUpdate(
            sanctions_list=lists[v.list_name],
            token=v.token,
            token_hash=v.digest,
            op=v.op,
            entity_id=v.entity["id"],
            issuer=caller,
            kid=v.kid,
            issued_at=v.issued_at,
            effective=v.effective,
            outcome=outcome,
            batch=batch,
            received_at=now,
        )
        for v, outcome in plan.records
    ]
    rows_insert(updates)
    update_of = {v.index: update for (v, _), update in zip(plan.records, updates, strict=True)}
    timings["updates"] = time.monotonic()

    # The last change of each entity decides its stored row.
    last_change: dict[tuple[int, str], _Verified] = {}
    first_change: dict[tuple[int, str], _Verified] = {}
    for change in plan.changes:
        last_change[change.pair] = change.update
        first_change.setdefault(change.pair, change.update)
    new_rows: list[SanctionedEntity] = []
    old_rows: list[SanctionedEntity] = []
    for pair, v in last_change.items():
        state = plan.states[pair]
        row = state.row
        if row is None:
            row = SanctionedEntity(
                sanctions_list_id=pair[0],
                entity_id=pair[1],
                first_listed=first_change[pair].effective,
            )
            state.row = row
            new_rows.append(row)
        else:
            old_rows.append(row)
        # A delisted entity keeps its last listed state, for the history and the admin.
        row.schema = state.schema
        row.properties = state.properties
        for name, value in searchable_fields(state.schema, state.properties).items():
            setattr(row, name, value)
        # Resolved to entity ids by _links_resolve, once every row of the batch is stored.
        row.linked_to = [{"name": n, "id": None} for n in linked_names_of(state.properties)]
        row.deleted = state.deleted
        row.delisted = v.effective if state.deleted else None
        row.last_changed = v.effective
        row.last_update = update_of[v.index]
        row.updated_at = now
    rows_insert(new_rows)
    timings["insert"] = time.monotonic()
    rows_update(old_rows, ROW_UPDATE_FIELDS)
    timings["update"] = time.monotonic()
    rows_insert(
        [
            SanctionsChange(
                entity=plan.states[change.pair].row,
                update=update_of[change.update.index],
                op=change.update.op,
                issuer=caller,
                effective=change.update.effective,
                recorded_at=now,
                before=change.before,
                after=change.after,
            )
            for change in plan.changes
        ]
    )
    timings["changes"] = time.monotonic()
    return timings


def _links_dirty(plan: _Plan) -> set[int]:
    """Lists whose links this batch may change: a changed entity carries links, or
    its primary names or aliases changed (it may become or stop being a target)."""
    dirty: set[int] = set()
    for change in plan.changes:
        before = change.before["properties"] if change.before else {}
        after = change.after["properties"] if change.after else {}
        if (
            linked_names_of(before)
            or linked_names_of(after)
            or link_targets_of(before) != link_targets_of(after)
        ):
            dirty.add(change.pair[0])
    return dirty


def _link_target(
    key: str, by_name: dict[str, set[str]], by_alias: dict[str, set[str]]
) -> str | None:
    """The one entity whose primary name is `key`, else the one whose alias is; else None."""
    for index in (by_name, by_alias):
        found = index.get(key, set())
        if len(found) == 1:
            return next(iter(found))
        if found:
            return None  # ambiguous: not guessed
    return None


def _links_resolve(list_pks: set[int]) -> None:
    """Point every listed entity's linked names at the listed entity of the same list
    whose primary name (else alias) matches after normalisation (id null if none or
    several); rows whose resolution changed are rewritten."""
    for list_pk in sorted(list_pks):
        by_name: dict[str, set[str]] = {}
        by_alias: dict[str, set[str]] = {}
        linking: list[tuple[int, str, list[dict]]] = []
        rows = SanctionedEntity.objects.filter(sanctions_list_id=list_pk, deleted=False)
        for pk, entity_id, names, aliases, linked in rows.values_list(
            "pk", "entity_id", "properties__name", "properties__alias", "linked_to"
        ).iterator(chunk_size=5000):
            for value in names or []:
                by_name.setdefault(link_key(value), set()).add(entity_id)
            for value in aliases or []:
                by_alias.setdefault(link_key(value), set()).add(entity_id)
            if linked:
                linking.append((pk, entity_id, linked))
        changed: list[SanctionedEntity] = []
        for pk, entity_id, linked in linking:
            resolved = [
                {
                    "name": link["name"],
                    "id": _link_target(link_key(link["name"]), by_name, by_alias),
                }
                for link in linked
            ]
            for link in resolved:
                if link["id"] == entity_id:
                    link["id"] = None  # a link to itself says nothing
            if resolved != linked:
                changed.append(SanctionedEntity(pk=pk, linked_to=resolved))
        rows_update(changed, ("linked_to",))


def _distribute(*, changes: list[_Change], caller: Agency, actor: Actor) -> None:
    """Hand every applied update to the outbox (DESIGN 4), inside the transaction."""
    if not changes:
        return
    from sharing.items import ShareableItem
    from sharing.services.distribution import items_distribute

    items = []
    for change in changes:
        countries: list[str] = []
        for state in (change.before, change.after):
            if state:
                for code in countries_of(state["schema"], state["properties"]):
                    if code.upper() not in countries:
                        countries.append(code.upper())
        items.append(
            ShareableItem(
                type="sanctions_update",
                kind="sanctions_update",
                event="sanctions.updated",
                item_id=change.update.entity["id"],
                version=1,
                originator=caller.code,
                issuer_jwt=change.update.token,
                list_name=change.update.list_name,
                countries=tuple(countries),
            )
        )
    items_distribute(items=items, actor=actor)


def _screening_notify(entity_ids: list[str]) -> None:
    """Tell screening (if installed) which entities changed; after commit, never fatal."""
    try:
        from hub.screening import services as screening_services
    except ImportError:
        return
    register_changed = getattr(screening_services, "register_changed", None)
    if register_changed is None:
        return
    try:
        register_changed(entity_ids=entity_ids)
    except Exception:
        # The register change is committed; a failed re-screen must not undo it.
        logger.exception("screening.register_changed failed for %d entities", len(entity_ids))


def sanctions_updates_apply(
    *,
    caller_agency: Agency,
    tokens: Sequence[Any],
    actor: Actor,
    progress: Progress | None = None,
) -> ApplyResult:
    """Verify and apply a batch of signed sanctions updates, all or nothing.

    Tokens are applied in the order given. A token already accepted earlier (or
    twice in this batch) is reported `unchanged` and changes nothing; so is an
    update that leaves the entity as it is. Any bad token refuses the whole
    batch: 422 `invalid_sanctions_updates` (403 `sanctions_update_forbidden`
    when a token is for a list or issuer the caller may not publish for) with
    `details.errors` = [{"index", "code", "message"}], and nothing is stored.
    """
    if caller_agency.kind != AgencyKind.SANCTIONS_AUTHORITY:
        raise PermissionDenied(
            "Only sanctions authorities publish sanctions updates.", code="not_sanctions_authority"
        )
    verified = _verify_all(tokens, caller=caller_agency, progress=progress)
    result = ApplyResult(batch=str(uuid.uuid4()))
    now = timezone.now()
    try:
        # audit_deferred: the audit chain's head is taken last (after the feed counters).
        with transaction.atomic(), audit_deferred():
            lists = _lists_lock(verified, caller=caller_agency, actor=actor)
            plan = _plan(verified, lists, result)
            if progress:
                progress("store", 0, len(plan.records))
            timings = _store(plan, lists=lists, caller=caller_agency, batch=result.batch, now=now)
            _links_resolve(_links_dirty(plan))
            timings["links"] = time.monotonic()
            result.changed_entity_ids = list(
                dict.fromkeys(change.pair[1] for change in plan.changes)
            )
            audit_record(
                actor=actor.label,
                agency=caller_agency.code,
                action="sanctions.updates_apply",
                object_type="sanctions_update_batch",
                object_id=result.batch,
                after={
                    "lists": sorted(lists),
                    "tokens": len(verified),
                    "added": result.count(UpdateOp.ADD),
                    "modified": result.count(UpdateOp.MOD),
                    "removed": result.count(UpdateOp.DEL),
                    "unchanged": result.unchanged,
                },
            )
            _distribute(changes=plan.changes, caller=caller_agency, actor=actor)
            timings["distribute"] = time.monotonic()
            changed_ids = result.changed_entity_ids
            if changed_ids:
                transaction.on_commit(lambda: _screening_notify(changed_ids))
    except IntegrityError as exc:
        # Only a concurrent batch creating the same list or entity gets here.
        raise Conflict(
            "Another batch changed the same list at the same time; send this batch again.",
            code="concurrent_update",
        ) from exc
    marks = list(timings.items())
    logger.info(
        "sanctions batch %s: %d tokens stored (%s)",
        result.batch,
        len(plan.records),
        ", ".join(
            f"{name} {end - start:.2f}s" for (_, start), (name, end) in itertools.pairwise(marks)
        ),
    )
    if progress:
        progress("store", len(plan.records), len(plan.records))
    return result
