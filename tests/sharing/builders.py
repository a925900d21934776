"""Builders for distribution tests: agreements, and signed items made without the reports app.

The SD-JWT is built by hand from RFC 9901 (salted disclosures, sha-256 `_sd`
digests), independent of the hub's own signing code, and signed with the
originator's custodial key so the published JWKS verifies it.
"""

import base64
import hashlib
import json
import secrets
import time
import uuid
from datetime import timedelta

from django.utils import timezone

from agencies.crypto import jws_sign
from agencies.models import Agency
from agencies.services import custodial_key_for
from sharing.items import Disclosure, ShareableItem
from sharing.models import Agreement


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def agreement_make(provider: Agency, recipient: Agency, **fields) -> Agreement:
    values = {
        "status": "active",
        "kinds": ["sar", "sanctions_update"],
        "max_tlp": "AMBER",
        "valid_from": timezone.now() - timedelta(days=1),
        "valid_until": timezone.now() + timedelta(days=365),
    }
    values.update(fields)
    return Agreement.objects.create(provider=provider, recipient=recipient, **values)


# field name -> (redaction class, value); each becomes one disclosure of the report object.
DEFAULT_SECRET_FIELDS = {
    "narrative": ("narrative", "Shipment of CNC controllers rerouted via AE; SECRET-NARRATIVE"),
    "exporter_name": ("organization_identity", "Acme Precision GmbH SECRET-ORG"),
    "contact_person": ("person_identity", "Hans SECRET-PERSON Muller"),
    "invoice_value": ("commercial", "125000.00 SECRET-VALUE"),
}


def report_sd_jwt(
    originator: Agency,
    *,
    report_id: str | None = None,
    version: int = 1,
    tlp: str = "AMBER",
    secret_fields: dict | None = None,
) -> tuple[str, tuple[Disclosure, ...], str]:
    """(issuer JWT, disclosures, report id): a SAR-shaped SD-JWT of `originator`."""
    report_id = report_id or str(uuid.uuid4())
    secret_fields = DEFAULT_SECRET_FIELDS if secret_fields is None else secret_fields
    disclosures = []
    digests = []
    for name, (redaction_class, value) in secret_fields.items():
        encoded = b64url(json.dumps([b64url(secrets.token_bytes(16)), name, value]).encode())
        disclosures.append(Disclosure(encoded=encoded, redaction_class=redaction_class))
        digests.append(b64url(hashlib.sha256(encoded.encode()).digest()))
    payload = {
        "iss": originator.code,
        "iat": int(time.time()),
        "kind": "sar",
        "_sd_alg": "sha-256",
        "report": {
            "id": report_id,
            "version": version,
            "title": "Diverted CNC controllers",
            "tlp": tlp,
            "_sd": sorted(digests),
        },
    }
    key, private = custodial_key_for(agency=originator)
    issuer_jwt = jws_sign(payload=payload, key=private, kid=key.kid, typ="sar+sd-jwt")
    return issuer_jwt, tuple(disclosures), report_id


def report_item(
    originator: Agency,
    *,
    version: int = 1,
    report_id: str | None = None,
    tlp: str = "AMBER",
    countries: tuple[str, ...] = ("DE", "AE"),
    red_recipients: tuple[str, ...] = (),
    secret_fields: dict | None = None,
    **facts,
) -> ShareableItem:
    issuer_jwt, disclosures, report_id = report_sd_jwt(
        originator, report_id=report_id, version=version, tlp=tlp, secret_fields=secret_fields
    )
    return ShareableItem(
        type="report",
        kind="sar",
        event="report.published" if version == 1 else "report.amended",
        item_id=report_id,
        version=version,
        originator=originator.code,
        issuer_jwt=issuer_jwt,
        disclosures=disclosures,
        tlp=tlp,
        red_recipients=red_recipients,
        countries=countries,
        **facts,
    )


def retraction_item(originator: Agency, *, report_id: str, version: int) -> ShareableItem:
    key, private = custodial_key_for(agency=originator)
    token = jws_sign(
        payload={
            "iss": originator.code,
            "iat": int(time.time()),
            "kind": "retraction",
            "report_id": report_id,
            "version": version,
            "reason": "entered in error",
        },
        key=private,
        kid=key.kid,
        typ="sar-retraction+jwt",
    )
    return ShareableItem(
        type="retraction",
        kind="sar",
        event="report.retracted",
        item_id=report_id,
        version=version,
        originator=originator.code,
        issuer_jwt=token,
    )


def sanctions_item(
    authority: Agency, *, entity_id: str, list_name: str = "OFAC-SDN"
) -> ShareableItem:
    key, private = custodial_key_for(agency=authority)
    token = jws_sign(
        payload={
            "iss": authority.code,
            "iat": int(time.time()),
            "kind": "sanctions_update",
            "list": list_name,
            "op": "ADD",
            "entity": {"id": entity_id, "schema": "Person", "properties": {"name": ["X"]}},
            "effective": "2026-01-01",
        },
        key=private,
        kid=key.kid,
        typ="sanctions-update+jwt",
    )
    return ShareableItem(
        type="sanctions_update",
        kind="sanctions_update",
        event="sanctions.updated",
        item_id=entity_id,
        version=1,
        originator=authority.code,
        issuer_jwt=token,
        list_name=list_name,
    )
