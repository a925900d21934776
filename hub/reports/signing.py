"""Signing reports and retractions with an agency's custodial key.

Used by the web UI (analysts do not hold keys), the demo world, benchmarks and
tests. Partner systems sign with their own keys; the hub verifies both alike.
"""

import copy
import math
import time
from typing import Any

from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer

from agencies.crypto import SIGNING_ALG, jws_sign
from agencies.models import Agency, SigningKey
from agencies.services import Actor, custodial_key_for

from .sdjwt import PARTY_IDENTITY_FIELDS, REPORT_TYP

RETRACTION_TYP = "sar-retraction+jwt"


def _iat_for(key: SigningKey) -> int:
    """Now in unix seconds, but never before the key's valid_from.

    A custodial key created a moment ago has a valid_from with microseconds;
    truncating now to whole seconds could date the document before the key
    existed, and the hub would refuse it (key_not_yet_valid).
    """
    return max(int(time.time()), math.ceil(key.valid_from.timestamp()))


def _sd(container: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The same object with each of `fields` made its own disclosure."""
    return {(SDObj(key) if key in fields else key): value for key, value in container.items()}


def report_sd_structure(report: dict[str, Any]) -> dict[str, Any]:
    """The report object with every field of a redaction class marked selectively disclosable."""
    report = copy.deepcopy(report)
    if isinstance(report.get("parties"), list):
        report["parties"] = [
            _sd(party, PARTY_IDENTITY_FIELDS) if isinstance(party, dict) else party
            for party in report["parties"]
        ]
    if isinstance(report.get("goods"), list):
        report["goods"] = [
            _sd(item, ("value",)) if isinstance(item, dict) else item for item in report["goods"]
        ]
    if isinstance(report.get("licence"), dict):
        report["licence"] = _sd(report["licence"], ("number",))
    if isinstance(report.get("documents"), list):
        report["documents"] = [
            _sd(document, ("reference",)) if isinstance(document, dict) else document
            for document in report["documents"]
        ]
    return _sd(report, ("narrative",))


def report_sign(*, agency: Agency, claims: dict[str, Any], actor: Actor | None = None) -> str:
    """Sign a report as an SD-JWT with the agency's custodial key (DESIGN 2.1).

    `claims` is either the whole claim set (`{"report": {...}, ...}`) or just the
    report object. `iss`, `iat` (now) and `kind` are filled in; every field of a
    redaction class becomes its own disclosure. The result carries every
    disclosure and ends with "~" (no key binding).
    """
    whole = "report" in claims
    report = claims["report"] if whole else claims
    if whole and claims.get("iss", agency.code) != agency.code:
        raise ValueError(f"iss {claims['iss']!r} is not the signing agency {agency.code}")
    key, private = custodial_key_for(agency=agency, actor=actor)
    user_claims = {
        "iss": agency.code,
        "iat": claims.get("iat", _iat_for(key)) if whole else _iat_for(key),
        "kind": "sar",
        "report": report_sd_structure(report),
    }
    issuer_run = SDJWTIssuer(
        user_claims,
        private,
        sign_alg=SIGNING_ALG,
        extra_header_parameters={"typ": REPORT_TYP, "kid": key.kid},
    )
    return issuer_run.sd_jwt_issuance


def retraction_sign(
    *, agency: Agency, report_id: str, version: int, reason: str, actor: Actor | None = None
) -> str:
    """A retraction JWT (DESIGN 2.2) signed with the agency's custodial key."""
    key, private = custodial_key_for(agency=agency, actor=actor)
    payload = {
        "iss": agency.code,
        "iat": _iat_for(key),
        "kind": "retraction",
        "report_id": str(report_id),
        "version": version,
        "reason": reason,
    }
    return jws_sign(payload=payload, key=private, kid=key.kid, typ=RETRACTION_TYP)
