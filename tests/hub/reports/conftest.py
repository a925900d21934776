"""Report builders and signers for the reports tests.

`report_claims()` is a realistic export-control report: 5 parties (a front
company, a person, a vessel ...), 3 dual-use goods with HS and control codes,
a transshipment route, a licence and documents: 21 disclosures once signed.
"""

import base64
import copy
import json
import time
import uuid
from typing import Any

import pytest
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer

from agencies.crypto import private_key_decrypt
from agencies.models import Agency, SigningKey
from agencies.services import custodial_key_for
from hub.reports.signing import report_sd_structure


def report_claims(**overrides: Any) -> dict[str, Any]:
    """The report object (the `report` claim) of a realistic SAR."""
    report = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "title": "Diversion of CNC machine tools via a UAE front company",
        "tlp": "AMBER",
        "activity": {"start": "2026-03-02", "end": "2026-05-18"},
        "red_flags": ["BIS-RF-5", "BIS-RF-11", "HUB-TRANSSHIP"],
        "narrative": (
            "Three consignments of 5-axis CNC machining centres declared for a furniture "
            "workshop in Dubai were re-exported within days to Novorossiysk. The consignee "
            "shares an address with two freight forwarders and paid in cash equivalents."
        ),
        "parties": [
            {
                "role": "exporter",
                "type": "organization",
                "name": "Hartmann Präzisionstechnik GmbH",
                "identifiers": [{"scheme": "EORI", "value": "DE123456789012345"}],
                "address": "Industriestraße 12, 70565 Stuttgart",
                "country": "DE",
            },
            {
                "role": "consignee",
                "type": "organization",
                "name": "Gulf Horizon Woodworks FZE",
                "aliases": ["Gulf Horizon Trading", "GHW FZE"],
                "address": "Jebel Ali Free Zone, Dubai",
                "country": "AE",
            },
            {
                "role": "end_user",
                "type": "organization",
                "name": "OOO Tekhnomash-Yug",
                "aliases": ["ООО Техномаш-Юг"],  # noqa: RUF001 (Cyrillic on purpose)
                "country": "RU",
            },
            {
                "role": "broker",
                "type": "person",
                "name": "Viktor Lebedev",
                "aliases": ["Victor Lebedev"],
                "identifiers": [{"scheme": "passport", "value": "RU7211045"}],
                "country": "RU",
            },
            {
                "role": "carrier",
                "type": "vessel",
                "name": "MV Sea Lantern",
                "identifiers": [{"scheme": "IMO", "value": "9387421"}],
                "country": "PA",
            },
        ],
        "goods": [
            {
                "description": "5-axis CNC machining centre",
                "hs_code": "845710",
                "control_code": "2B001",
                "quantity": "3",
                "unit": "pcs",
                "value": "1840000.00",
                "currency": "EUR",
            },
            {
                "description": "Numerical control units for machine tools",
                "hs_code": "853710",
                "control_code": "2B001.b",
                "quantity": "6",
                "unit": "pcs",
                "value": "212500.50",
                "currency": "EUR",
            },
            {
                "description": "Spindle assemblies",
                "hs_code": "846693",
                "control_code": None,
                "quantity": "12",
                "unit": "pcs",
                "value": "96000",
                "currency": "USD",
            },
        ],
        "route": {
            "origin": "DE",
            "transit": ["AE", "TR"],
            "destination": "AE",
            "stated_end_destination": "AE",
            "transport_mode": "sea",
        },
        "licence": {"number": "DE-BAFA-2026-004417", "authority": "BAFA", "status": "granted"},
        "documents": [
            {"type": "commercial_invoice", "reference": "INV-2026-0312"},
            {"type": "bill_of_lading", "reference": "MSCU7734120"},
        ],
    }
    report.update(overrides)
    return report


def private_key_of(key: SigningKey):
    return private_key_decrypt(key.encrypted_private_key)


def sd_jwt_sign(
    *,
    key: SigningKey,
    report: dict[str, Any],
    iss: str | None = None,
    iat: int | None = None,
    header: dict[str, Any] | None = None,
    structure: Any = None,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """An SD-JWT of `report` signed with a (custodial, test) key, every class field disclosable.

    `structure` replaces the SDObj-marked report, to build badly formed reports.
    """
    claims = {
        "iss": iss or key.agency.code,
        "iat": iat
        if iat is not None
        else max(int(time.time()), int(key.valid_from.timestamp()) + 1),
        "kind": "sar",
        "report": structure if structure is not None else report_sd_structure(report),
        **(extra_claims or {}),
    }
    issued = SDJWTIssuer(
        claims,
        private_key_of(key),
        sign_alg="EdDSA",
        extra_header_parameters={"typ": "sar+sd-jwt", "kid": key.kid, **(header or {})},
    )
    return issued.sd_jwt_issuance


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def token_parts(token: str) -> tuple[str, list[str]]:
    issuer_jwt, *rest = token.split("~")
    return issuer_jwt, rest[:-1]


def token_join(issuer_jwt: str, disclosures: list[str]) -> str:
    return "~".join([issuer_jwt, *disclosures]) + "~"


def report_with_field_in_clear(report: dict[str, Any]) -> dict[str, Any]:
    """The SD structure of `report`, except the first party's name is sent in clear."""
    structure = report_sd_structure(report)
    first = structure["parties"][0]
    structure["parties"][0] = {
        (key.value if isinstance(key, SDObj) and key.value == "name" else key): value
        for key, value in first.items()
    }
    return structure


@pytest.fixture
def custodial_key(originator: Agency) -> SigningKey:
    key, _ = custodial_key_for(agency=originator)
    return key


@pytest.fixture
def sign_report(custodial_key):
    """sign_report(report=None, **options) -> an SD-JWT by the originator's custodial key."""

    def sign(report: dict[str, Any] | None = None, **options: Any) -> str:
        return sd_jwt_sign(
            key=options.pop("key", custodial_key), report=report or report_claims(), **options
        )

    return sign


@pytest.fixture
def publisher(originator, client_for):
    return client_for(originator)


def claims_copy(report: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(report)
