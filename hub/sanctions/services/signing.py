"""Signing sanctions updates (DESIGN 2.2) with an authority's custodial key."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from agencies.crypto import jws_sign
from agencies.models import Agency
from agencies.services import custodial_key_for
from hub.models.sanctions import UpdateOp

UPDATE_TYP = "sanctions-update+jwt"
UPDATE_KIND = "sanctions_update"


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
        tokens.append(jws_sign(payload=payload, key=private, kid=key.kid, typ=UPDATE_TYP))
    return tokens


def sanctions_update_sign(
    *, authority: Agency, list_name: str, op: str, entity: dict[str, Any], effective: date
) -> str:
    """One signed sanctions update JWT (DESIGN 2.2) with the authority's custodial key."""
    return sanctions_updates_sign(
        authority=authority, list_name=list_name, operations=[(op, entity)], effective=effective
    )[0]
