"""A small published world for the TAXII tests, served by pytest-django's live server.

DE-CUSTOMS publishes; FR-DOUANE receives reports with person identities
withheld; NL-FIOD receives only up to TLP GREEN, with the narrative and
commercial details withheld; XX-OUTSIDER has no agreement. US-OFAC (a
sanctions authority) shares its list with FR-DOUANE only.

Everything is published through the real services (signing, report_publish,
agreements, sanctions_updates_apply), never by writing rows by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from taxii2client.common import TokenAuth
from taxii2client.v21 import Collection, Server

from agencies.models import Agency, Role
from agencies.services import Actor
from hub.models import Report
from hub.reports.services import report_publish, report_retract
from hub.reports.signing import report_sign, retraction_sign
from hub.sanctions.services import (
    sanctions_authority_ensure,
    sanctions_update_sign,
    sanctions_updates_apply,
)
from sharing.services.agreements import agreement_create
from tests.factories import agency_make, token_make

ACTOR = Actor(label="taxii-test")

# Values that belong to withheld redaction classes; the tests look for them in every byte.
PERSON_NAME = "Viktor Lebedev"
PERSON_PASSPORT = "RU7211045"
NARRATIVE = "Three consignments of CNC machining centres were re-exported within days."
INVOICE_VALUE = "1840000.00"
LICENCE_NUMBER = "DE-BAFA-2026-004417"
ORGANIZATION_NAME = "Gulf Horizon Woodworks FZE"


def report_claims(*, tlp: str = "AMBER", title: str = "CNC tools diverted via a UAE front") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "title": title,
        "tlp": tlp,
        "activity": {"start": "2026-03-02", "end": "2026-05-18"},
        "red_flags": ["BIS-RF-5", "HUB-TRANSSHIP"],
        "narrative": NARRATIVE,
        "parties": [
            {
                "role": "consignee",
                "type": "organization",
                "name": ORGANIZATION_NAME,
                "address": "Jebel Ali Free Zone, Dubai",
                "country": "AE",
            },
            {
                "role": "broker",
                "type": "person",
                "name": PERSON_NAME,
                "identifiers": [{"scheme": "passport", "value": PERSON_PASSPORT}],
                "country": "RU",
            },
        ],
        "goods": [
            {
                "description": "5-axis CNC machining centre",
                "hs_code": "845710",
                "control_code": "2B001",
                "quantity": "3",
                "unit": "pcs",
                "value": INVOICE_VALUE,
                "currency": "EUR",
            }
        ],
        "route": {
            "origin": "DE",
            "transit": ["AE"],
            "destination": "AE",
            "stated_end_destination": "AE",
            "transport_mode": "sea",
        },
        "licence": {"number": LICENCE_NUMBER, "authority": "BAFA", "status": "granted"},
        "documents": [{"type": "commercial_invoice", "reference": "INV-2026-0312"}],
    }


def publish(agency: Agency, claims: dict[str, Any]) -> Report:
    token = report_sign(agency=agency, claims=claims)
    return report_publish(caller_agency=agency, token=token, actor=ACTOR)


def amend(agency: Agency, claims: dict[str, Any], **changes: Any) -> tuple[dict, Report]:
    claims = {**claims, **changes, "version": claims["version"] + 1}
    return claims, publish(agency, claims)


def retract(agency: Agency, report: Report, reason: str = "Filed in error") -> None:
    token = retraction_sign(
        agency=agency, report_id=str(report.pk), version=report.current_version, reason=reason
    )
    report_retract(caller_agency=agency, report_id=report.pk, token=token, actor=ACTOR)


def agreement(provider: Agency, recipient: Agency, **terms: Any):
    return agreement_create(
        provider=provider,
        recipient=recipient,
        actor=ACTOR,
        status="active",
        valid_from=timezone.now() - timedelta(days=1),
        **terms,
    )


@dataclass
class World:
    originator: Agency
    partner: Agency
    narrow_partner: Agency
    outsider: Agency
    authority: Agency
    tokens: dict[str, str] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)


@pytest.fixture
def world(transactional_db) -> World:
    originator = agency_make("DE-CUSTOMS", country="DE", name="German Customs")
    partner = agency_make("FR-DOUANE", country="FR", name="French Customs")
    narrow = agency_make("NL-FIOD", country="NL", kind="intelligence", name="Dutch FIOD")
    outsider = agency_make("XX-OUTSIDER", country="XX", kind="partner", name="Outsider")
    authority = sanctions_authority_ensure(code="US-OFAC", country="US", actor=ACTOR)
    agreement(originator, partner, withheld=["person_identity"], max_tlp="AMBER")
    agreement(originator, narrow, max_tlp="GREEN", withheld=["narrative", "commercial"])
    agreement(authority, partner, kinds=["sanctions_update"])
    world = World(originator, partner, narrow, outsider, authority)
    for agency in (originator, partner, narrow, outsider, authority):
        world.tokens[agency.code] = token_make(agency, Role.READER)
    return world


@pytest.fixture
def published(world: World) -> World:
    """Two reports: an AMBER one (FR only) amended once, and a GREEN one (FR and NL)."""
    amber = report_claims(tlp="AMBER", title="CNC tools diverted via a UAE front")
    world.reports["amber"] = publish(world.originator, amber)
    amber, world.reports["amber"] = amend(
        world.originator, amber, title="CNC tools diverted via a UAE front (amended)"
    )
    world.claims["amber"] = amber
    green = report_claims(tlp="GREEN", title="Dual-use valves misdeclared as spare parts")
    world.reports["green"] = publish(world.originator, green)
    world.claims["green"] = green
    return world


def sanctions_publish(authority: Agency, operations: list[tuple[str, dict]]) -> None:
    tokens = [
        sanctions_update_sign(
            authority=authority,
            list_name="OFAC-SDN",
            op=op,
            entity=entity,
            effective=date(2026, 11, 1),
        )
        for op, entity in operations
    ]
    sanctions_updates_apply(caller_agency=authority, tokens=tokens, actor=ACTOR)


def taxii_server(live_server, token: str | None) -> Server:
    auth = TokenAuth(token) if token else None
    return Server(f"{live_server.url}/taxii2/", auth=auth)


def collection(live_server, token: str, collection_id: str) -> Collection:
    url = f"{live_server.url}/taxii2/cordon/collections/{collection_id}/"
    return Collection(url, auth=TokenAuth(token))
