"""Writes of the sanctions register: sign, apply and import sanctions updates.

Every change of the register goes through `sanctions_updates_apply`: the HTTP
endpoint, the importers and the tests all hand it signed JWTs (DESIGN 2.2).

List ownership: a list is owned by the sanctions authority that first
published an update to it (the `SanctionsList` row is created then); from then
on only that agency may publish updates to it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.db import transaction
from django.utils import timezone
from followthemoney import model
from followthemoney.types import registry
from normality import normalize

from agencies.audit import audit_record
from agencies.crypto import SIGNING_ALG, jwt_unverified_parts, public_jwk_parse
from agencies.errors import CordonError, PermissionDenied, Refused
from agencies.models import Agency, AgencyKind, SigningKey
from agencies.selectors import issued_at, signing_key_for
from agencies.services import Actor, custodial_key_for
from hub.models.sanctions import (
    SanctionedEntity,
    SanctionsChange,
    SanctionsList,
    SanctionsUpdate,
    UpdateOp,
    UpdateOutcome,
)

from .bulk import rows_insert, rows_update
from .ofac import entity_errors

logger = logging.getLogger(__name__)

UPDATE_TYP = "sanctions-update+jwt"
UPDATE_KIND = "sanctions_update"
LIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
# A progress callback: (stage, done, total).
Progress = Callable[[str, int, int], None]


# --------------------------------------------------------------------------
# Entity content helpers


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


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------
# Signing


def sanctions_updates_sign(
    *,
    authority: Agency,
    list_name: str,
    operations: Iterable[tuple[str, dict[str, Any]]],
    effective: date,
    issued_at_: datetime | None = None,
) -> list[str]:
    """Sign many (op, entity) pairs with the authority's custodial key, one JWT each.

    A DEL carries only the entity id. The key is fetched (or created) once.
    """
    key, private = custodial_key_for(agency=authority)
    # iat has whole seconds; a key generated just now is valid from a fraction of a
    # second later than the truncated time, so never date a token before its key.
    iat = max(
        int((issued_at_ or timezone.now()).timestamp()), math.ceil(key.valid_from.timestamp())
    )
    signer = private.get_op_key("sign")  # the cryptography Ed25519 private key
    header = _b64url(
        json.dumps(
            {"alg": SIGNING_ALG, "kid": key.kid, "typ": UPDATE_TYP}, separators=(",", ":")
        ).encode()
    )
    tokens = []
    for op, entity in operations:
        if op == UpdateOp.DEL:
            entity = {"id": entity["id"]}
        payload = {
            "iss": authority.code,
            "iat": iat,
            "kind": UPDATE_KIND,
            "list": list_name,
            "op": str(op),
            "entity": entity,
            "effective": effective.isoformat(),
        }
        # The same compact JWS jws_sign makes, built directly: jwcrypto's per-token
        # object copies cost more than the Ed25519 signature itself.
        signing_input = header + "." + _b64url(json.dumps(payload, separators=(",", ":")).encode())
        tokens.append(signing_input + "." + _b64url(signer.sign(signing_input.encode("ascii"))))
    return tokens


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature_verify(token: str, public: Any) -> None:
    """Check the Ed25519 signature of a compact JWS whose header was already checked."""
    signing_input, _, signature = token.rpartition(".")
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public.get_op_key("verify").verify(raw, signing_input.encode("ascii"))
    except (InvalidSignature, ValueError, UnicodeError) as exc:
        raise Refused("The signature does not verify.", code="bad_signature") from exc


def sanctions_update_sign(
    *, authority: Agency, list_name: str, op: str, entity: dict[str, Any], effective: date
) -> str:
    """One signed sanctions update JWT (DESIGN 2.2) with the authority's custodial key."""
    return sanctions_updates_sign(
        authority=authority, list_name=list_name, operations=[(op, entity)], effective=effective
    )[0]


# --------------------------------------------------------------------------
# Applying


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
    """An entity's state while a batch is applied (None row: not in the register yet)."""

    row: SanctionedEntity | None
    schema: str | None
    properties: dict[str, list[str]] | None
    deleted: bool
    dirty: bool = False


class _TokenError(Exception):
    def __init__(self, code: str, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.forbidden = forbidden


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


class _KeyCache:
    """signing_key_for, once per (kid, iat): imports sign thousands of tokens with one key."""

    def __init__(self) -> None:
        self.keys: dict[tuple[Any, str, datetime], SigningKey] = {}
        self.parsed: dict[str, Any] = {}

    def key(self, *, kid: Any, issuer: str, moment: datetime) -> tuple[SigningKey, Any]:
        cache_key = (kid, issuer, moment)
        key = self.keys.get(cache_key)
        if key is None:
            key = signing_key_for(kid=kid, issuer=issuer, issued_at=moment)
            self.keys[cache_key] = key
        if key.kid not in self.parsed:
            self.parsed[key.kid] = public_jwk_parse(key.public_jwk)
        return key, self.parsed[key.kid]


def _verify(index: int, token: Any, *, caller: Agency, keys: _KeyCache) -> _Verified:
    if not isinstance(token, str):
        raise _TokenError("malformed_jwt", "token must be a string.")
    try:
        header, unverified = jwt_unverified_parts(token)
        if header.get("typ") != UPDATE_TYP:
            raise _TokenError("wrong_typ", f"typ must be {UPDATE_TYP!r}.")
        issuer = unverified.get("iss")
        if not isinstance(issuer, str):
            raise _TokenError("missing_iss", "iss is missing.")
        if issuer != caller.code:
            raise _TokenError(
                "issuer_not_caller",
                f"iss {issuer!r} is not your agency ({caller.code}).",
                forbidden=True,
            )
        moment = issued_at(unverified)
        key, public = keys.key(kid=header.get("kid"), issuer=issuer, moment=moment)
        _signature_verify(token, public)
        payload = unverified  # verified now: the payload is the signed one
    except CordonError as exc:
        raise _TokenError(exc.code, exc.message) from exc
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
    result = ApplyResult(batch=str(uuid.uuid4()))
    errors: list[dict[str, Any]] = []
    forbidden = False
    keys = _KeyCache()
    verified: list[_Verified] = []
    total = len(tokens)
    for index, token in enumerate(tokens):
        try:
            verified.append(_verify(index, token, caller=caller_agency, keys=keys))
        except _TokenError as exc:
            forbidden = forbidden or exc.forbidden
            errors.append({"index": index, "code": exc.code, "message": exc.message})
        if progress and (index % 500 == 0 or index + 1 == total):
            progress("verify", index + 1, total)
    if errors:
        _refuse(errors, forbidden)

    now = timezone.now()
    with transaction.atomic():
        lists = {
            sanctions_list.name: sanctions_list
            for sanctions_list in SanctionsList.objects.select_for_update().filter(
                name__in={v.list_name for v in verified}
            )
        }
        for v in verified:
            owned = lists.get(v.list_name)
            if owned is not None and owned.authority_id != caller_agency.pk:
                forbidden = True
                errors.append(
                    {
                        "index": v.index,
                        "code": "list_not_owned",
                        "message": f"List {v.list_name} is owned by another authority.",
                    }
                )
        if errors:
            _refuse(errors, forbidden)
        for name in {v.list_name for v in verified} - set(lists):
            # First publication creates the list, owned by its publisher.
            lists[name] = SanctionsList.objects.create(name=name, authority=caller_agency)
            audit_record(
                actor=actor.label,
                agency=caller_agency.code,
                action="sanctions_list.create",
                object_type="sanctions_list",
                object_id=name,
                after={"name": name, "authority": caller_agency.code},
            )

        known = set(
            SanctionsUpdate.objects.filter(token_hash__in=[v.digest for v in verified]).values_list(
                "token_hash", flat=True
            )
        )
        states = _states_load({(lists[v.list_name].pk, v.entity["id"]) for v in verified})
        seen_digests: set[str] = set()
        to_record: list[tuple[_Verified, str]] = []  # (update, outcome) for the new tokens
        changes: list[tuple[_Verified, tuple[int, str], dict | None, dict | None]] = []
        for v in verified:
            entity_id = v.entity["id"]
            if v.digest in known or v.digest in seen_digests:
                result.results.append(
                    TokenResult(v.index, v.op, entity_id, v.list_name, UpdateOutcome.UNCHANGED)
                )
                continue
            seen_digests.add(v.digest)
            pair = (lists[v.list_name].pk, entity_id)
            state = states.get(pair)
            listed = state is not None and not state.deleted
            before = {"schema": state.schema, "properties": state.properties} if listed else None
            after: dict | None
            if v.op == UpdateOp.DEL:
                if state is None:
                    errors.append(
                        {
                            "index": v.index,
                            "code": "entity_not_listed",
                            "message": f"{entity_id} is not on {v.list_name}.",
                        }
                    )
                    continue
                after = None
                changed = listed
            else:
                if (
                    v.op == UpdateOp.ADD
                    and listed
                    and content_key(state.schema, state.properties)
                    != content_key(v.entity["schema"], v.entity["properties"])
                ):
                    errors.append(
                        {
                            "index": v.index,
                            "code": "entity_exists",
                            "message": f"{entity_id} is already on {v.list_name}; send a MOD.",
                        }
                    )
                    continue
                if v.op == UpdateOp.MOD and not listed:
                    errors.append(
                        {
                            "index": v.index,
                            "code": "entity_not_listed",
                            "message": f"{entity_id} is not on {v.list_name}.",
                        }
                    )
                    continue
                after = {"schema": v.entity["schema"], "properties": v.entity["properties"]}
                changed = not listed or content_key(state.schema, state.properties) != content_key(
                    after["schema"], after["properties"]
                )
            outcome = UpdateOutcome.APPLIED if changed else UpdateOutcome.UNCHANGED
            to_record.append((v, outcome))
            result.results.append(TokenResult(v.index, v.op, entity_id, v.list_name, outcome))
            if changed:
                if state is None:
                    state = _State(row=None, schema=None, properties=None, deleted=True)
                    states[pair] = state
                state.dirty = True
                if after is None:
                    state.deleted = True
                else:
                    state.schema, state.properties, state.deleted = (
                        after["schema"],
                        after["properties"],
                        False,
                    )
                changes.append((v, pair, before, after))
        if errors:
            _refuse(errors, False)
        if progress:
            progress("store", 0, len(to_record))

        timings = {"check": time.monotonic()}
        updates = [
            SanctionsUpdate(
                sanctions_list=lists[v.list_name],
                token=v.token,
                token_hash=v.digest,
                op=v.op,
                entity_id=v.entity["id"],
                issuer=caller_agency,
                kid=v.kid,
                issued_at=v.issued_at,
                effective=v.effective,
                outcome=outcome,
                batch=result.batch,
                received_at=now,
            )
            for v, outcome in to_record
        ]
        rows_insert(updates)
        update_of = {v.index: update for (v, _), update in zip(to_record, updates, strict=True)}

        # The last change of each entity decides its stored row.
        last_change: dict[tuple[int, str], _Verified] = {}
        first_add: dict[tuple[int, str], _Verified] = {}
        for v, pair, _before, _after in changes:
            last_change[pair] = v
            first_add.setdefault(pair, v)
        new_rows: list[SanctionedEntity] = []
        old_rows: list[SanctionedEntity] = []
        for pair, v in last_change.items():
            state = states[pair]
            row = state.row
            if row is None:
                row = SanctionedEntity(
                    sanctions_list_id=pair[0],
                    entity_id=pair[1],
                    first_listed=first_add[pair].effective,
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
            row.deleted = state.deleted
            row.delisted = v.effective if state.deleted else None
            row.last_changed = v.effective
            row.last_update = update_of[v.index]
            row.updated_at = now
        timings["updates"] = time.monotonic()
        rows_insert(new_rows)
        timings["insert"] = time.monotonic()
        rows_update(old_rows, ROW_UPDATE_FIELDS)
        timings["update"] = time.monotonic()
        rows_insert(
            [
                SanctionsChange(
                    entity=states[pair].row,
                    update=update_of[v.index],
                    op=v.op,
                    issuer=caller_agency,
                    effective=v.effective,
                    recorded_at=now,
                    before=before,
                    after=after,
                )
                for v, pair, before, after in changes
            ]
        )
        result.changed_entity_ids = list(dict.fromkeys(pair[1] for _, pair, _, _ in changes))
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
        timings["changes"] = time.monotonic()
        _distribute(changes=changes, lists=lists, caller_agency=caller_agency, actor=actor)
        timings["distribute"] = time.monotonic()
        marks = list(timings.items())
        logger.info(
            "sanctions batch %s stored: %s",
            result.batch,
            ", ".join(
                f"{name} {end - start:.2f}s"
                for (_, start), (name, end) in itertools.pairwise(marks)
            ),
        )
        changed_ids = result.changed_entity_ids
        if changed_ids:
            transaction.on_commit(lambda: _screening_notify(changed_ids))
    if progress:
        progress("store", len(to_record), len(to_record))
    return result


ROW_UPDATE_FIELDS = (
    "schema",
    "properties",
    "caption",
    "names",
    "name_text",
    "countries",
    "programs",
    "facet_text",
    "last_changed",
    "delisted",
    "deleted",
    "last_update",
    "updated_at",
)


def _distribute(
    *,
    changes: list[tuple[_Verified, tuple[int, str], dict | None, dict | None]],
    lists: dict[str, SanctionsList],
    caller_agency: Agency,
    actor: Actor,
) -> None:
    """Hand every applied update to the outbox (DESIGN 4), inside the transaction."""
    if not changes:
        return
    from sharing.items import ShareableItem
    from sharing.services.distribution import items_distribute

    items = []
    for v, _pair, before, after in changes:
        countries: list[str] = []
        for state in (before, after):
            if state:
                for code in countries_of(state["schema"], state["properties"]):
                    if code.upper() not in countries:
                        countries.append(code.upper())
        items.append(
            ShareableItem(
                type="sanctions_update",
                kind="sanctions_update",
                event="sanctions.updated",
                item_id=v.entity["id"],
                version=1,
                originator=caller_agency.code,
                issuer_jwt=v.token,
                list_name=v.list_name,
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


# --------------------------------------------------------------------------
# Importing


@dataclass
class ImportSummary:
    added: int = 0
    modified: int = 0
    removed: int = 0
    unchanged: int = 0
    batch: str | None = None

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
