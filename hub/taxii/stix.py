"""STIX 2.1 objects for the hub's content: reports, sanctions entries, and what they refer to.

Ids are deterministic, so every caller (and every request) names the same
thing the same way:
- a report is `report--<report UUID>`; each accepted version is a STIX
  version (`modified` = when the hub accepted it), a retraction is a last
  version with `revoked: true`;
- a sanctions entry is `identity--uuid5(list, FtM entity id)`; each accepted
  update is a version, a DEL revokes it;
- an agency is `identity--uuid5(agency code)`; an originator hidden by an
  `attribution: must-not` agreement is `identity--uuid5("an agency of <country>")`,
  which names nobody.

The signed documents travel inside the objects, in property extensions
defined here, so a recipient can verify exactly what it was given.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import Any

from sharing.taxii.protocol import timestamp_format

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:cordon:stix")
FIXED_CREATED = "2026-01-01T00:00:00.000Z"  # of the hub's own definitions and identities

# TLP 2.0 as published by the OASIS CTI TC (cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0): fixed ids and `created`, so
# consumers recognise the markings by id.
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_MARKINGS = {
    "CLEAR": ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    "GREEN": ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    "AMBER": ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    "AMBER+STRICT": ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    "RED": ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
}


@functools.lru_cache(maxsize=65536)  # a sanctions listing names thousands per request
def _id(kind: str, name: str) -> str:
    """A deterministic id in UUIDv4 form (STIX 2.1 asks SDO ids to be v4).

    The bits of a name-based UUIDv5 with the version nibble set to 4: stable for
    the same name, and accepted by validators that check the version.
    """
    return f"{kind}--{uuid.UUID(bytes=uuid.uuid5(NAMESPACE, name).bytes, version=4)}"


HUB_IDENTITY_ID = _id("identity", "hub")
REPORT_EXTENSION_ID = _id("extension-definition", "report-presentation/1")
SANCTIONS_EXTENSION_ID = _id("extension-definition", "sanctions-update/1")

REPORT_EXTENSION_SCHEMA = """\
Cordon signed report presentation, a STIX 2.1 property extension of `report`.
Properties:
- presentation (string, required): the SD-JWT presentation (RFC 9901, no key
  binding) exactly as the hub delivered it to this recipient: the
  issuer-signed JWT, then only the disclosures its sharing agreement allows,
  then "~". Verify it with the public key `kid` names (GET
  /api/v1/agencies/<iss>/jwks.json, or /.well-known/jwks.json when `iss` is
  the hub, which re-issued it under an `attribution: must-not` agreement).
- report_version (integer, required): the report's own version number.
- withheld_classes (list of string): redaction classes (narrative,
  person_identity, organization_identity, commercial) left out for this
  recipient; their disclosures are not in the presentation.
- reissued (boolean): true when the hub re-signed the claims under its own key
  to hide the originator; the `attribution` claim then says so.
- retraction (string): on a revoked version, the signed retraction JWT
  (typ sar-retraction+jwt from the originator, or hub-retraction+jwt when the
  recipient is no longer entitled to the report).
The STIX properties of the object (name, description, labels, published,
markings) repeat only claims disclosed in the presentation; the presentation
is authoritative.
"""

SANCTIONS_EXTENSION_SCHEMA = """\
Cordon signed sanctions update, a STIX 2.1 property extension of `identity`
(one identity per entity per list; every accepted update is a version, a DEL
revokes the object).
Properties:
- token (string, required): the sanctions update JWT (typ
  sanctions-update+jwt, Ed25519) exactly as delivered; verify it with the
  public key `kid` names (GET /api/v1/agencies/<iss>/jwks.json).
- list (string, required): the sanctions list, e.g. OFAC-SDN.
- operation (string, required): the update's op: ADD, MOD or DEL.
- entity (object, required): the FollowTheMoney entity as signed ({id,
  schema, properties} with list values; a DEL carries only id).
- effective (string): the date the change takes effect (ISO 8601).
"""


def timestamp(moment: datetime | int | float) -> str:
    if isinstance(moment, int | float):
        moment = datetime.fromtimestamp(moment, tz=UTC)
    return timestamp_format(moment)


def agency_identity_id(code: str) -> str:
    return _id("identity", f"agency:{code}")


def anonymous_identity_id(shown_as: str) -> str:
    return _id("identity", f"anonymous:{shown_as}")


def sanctions_entry_id(list_name: str, entity_id: str) -> str:
    return _id("identity", f"sanctions:{list_name}:{entity_id}")


def identity_object(identity_id: str, name: str, *, description: str = "") -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": FIXED_CREATED,
        "modified": FIXED_CREATED,
        "name": name,
        "identity_class": "organization",
    }
    if description:
        identity["description"] = description
    if identity_id != HUB_IDENTITY_ID:
        identity["sectors"] = ["government-national"]
    return identity


def hub_identity() -> dict[str, Any]:
    return identity_object(
        HUB_IDENTITY_ID,
        "Cordon hub",
        description="The cross-agency sharing hub that serves these collections.",
    )


def tlp_marking(tlp: str) -> dict[str, Any]:
    marking_id, level = TLP2_MARKINGS[tlp]
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": TLP2_CREATED,
        "name": f"TLP:{tlp}",
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}
        },
    }


def extension_definition(extension_id: str, *, name: str, description: str, schema: str) -> dict:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": extension_id,
        "created_by_ref": HUB_IDENTITY_ID,
        "created": FIXED_CREATED,
        "modified": FIXED_CREATED,
        "name": name,
        "description": description,
        "schema": schema,
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }


def report_extension_definition() -> dict[str, Any]:
    return extension_definition(
        REPORT_EXTENSION_ID,
        name="Cordon signed report presentation",
        description="Carries the SD-JWT presentation of a suspicious-activity report, "
        "so the originator's signature travels with the STIX report.",
        schema=REPORT_EXTENSION_SCHEMA,
    )


def sanctions_extension_definition() -> dict[str, Any]:
    return extension_definition(
        SANCTIONS_EXTENSION_ID,
        name="Cordon signed sanctions update",
        description="Carries the signed sanctions update JWT and its FollowTheMoney entity.",
        schema=SANCTIONS_EXTENSION_SCHEMA,
    )


def report_object(
    *,
    report_id: str,
    created: datetime,
    modified: datetime,
    claims: dict[str, Any],
    presentation: str,
    report_version: int,
    creator_id: str,
    withheld_classes: list[str],
    reissued: bool,
    retraction: str | None = None,
) -> dict[str, Any]:
    """A STIX `report` from what one recipient was given (`claims` = what it discloses).

    Only disclosed claims are copied: a withheld narrative has no description.
    """
    report = claims.get("report") or {}
    tlp = report.get("tlp")
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "presentation": presentation,
        "report_version": report_version,
        "reissued": reissued,
    }
    if withheld_classes:  # STIX forbids empty lists
        extension["withheld_classes"] = sorted(withheld_classes)
    stix: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{report_id}",
        "created_by_ref": creator_id,
        "created": timestamp(created),
        "modified": timestamp(modified),
        "name": str(report.get("title") or f"Report {report_id}"),
        "report_types": ["threat-report"],
        "published": timestamp(claims["iat"]) if isinstance(claims.get("iat"), int) else None,
        "object_refs": [creator_id],
    }
    if stix["published"] is None:
        stix["published"] = stix["modified"]
    if isinstance(report.get("narrative"), str) and report["narrative"]:
        stix["description"] = report["narrative"]
    red_flags = [flag for flag in report.get("red_flags") or [] if isinstance(flag, str)]
    if red_flags:
        stix["labels"] = red_flags
    if tlp in TLP2_MARKINGS:
        stix["object_marking_refs"] = [TLP2_MARKINGS[tlp][0]]
    if retraction is not None:
        stix["revoked"] = True
        extension["retraction"] = retraction
    stix["extensions"] = {REPORT_EXTENSION_ID: extension}
    return stix


IDENTITY_CLASSES = {"Person": "individual", "Organization": "organization"}
IDENTITY_CLASSES.update({schema: "organization" for schema in ("Company", "LegalEntity")})


def sanctions_entry_object(
    *,
    list_name: str,
    entity: dict[str, Any],
    op: str,
    token: str,
    effective: str | None,
    created: datetime,
    modified: datetime,
    creator_id: str,
    name: str,
) -> dict[str, Any]:
    """One version of a sanctions entry: an `identity` carrying the signed update."""
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "token": token,
        "list": list_name,
        "operation": op,
        "entity": entity,
    }
    if effective:
        extension["effective"] = effective
    stix: dict[str, Any] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": sanctions_entry_id(list_name, str(entity.get("id"))),
        "created_by_ref": creator_id,
        "created": timestamp(created),
        "modified": timestamp(modified),
        "name": name,
        # Vessels and aircraft are listed too; STIX has no class for them.
        "identity_class": IDENTITY_CLASSES.get(str(entity.get("schema")), "unknown"),
        "labels": [f"sanctions-list:{list_name}"],
    }
    if op == "DEL":
        stix["revoked"] = True
    stix["extensions"] = {SANCTIONS_EXTENSION_ID: extension}
    return stix
