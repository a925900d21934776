"""Interop with an independent SD-JWT implementation (@sd-jwt/core, Node).

(a) A partner system signs a report with its own Ed25519 key using
@sd-jwt/core; the hub accepts it and classifies its disclosures.
(b) The hub's custodial signer produces an SD-JWT that @sd-jwt/core verifies,
and a recipient's presentation (fewer disclosures) verifies too.

Needs Node and `npm ci --prefix tests/interop`. Skipped without them, except
in CI (HUB_REQUIRE_SERVICES=1), where a missing toolchain is a failure.
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from jwcrypto import jwk

from agencies.services import key_register
from hub.models import ReportVersion
from hub.reports.signing import report_sign
from tests.factories import TEST_ACTOR
from tests.hub.reports.conftest import report_claims, token_join, token_parts, unb64

INTEROP_DIR = Path(__file__).resolve().parents[2] / "interop"
SCRIPT = INTEROP_DIR / "sd_jwt_interop.mjs"


def _toolchain_ready() -> str | None:
    """Why the Node toolchain is not usable, or None when it is."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (INTEROP_DIR / "node_modules" / "@sd-jwt" / "core").is_dir():
        return "run `npm ci --prefix tests/interop` first"
    return None


@pytest.fixture(scope="module")
def node_ready() -> None:
    problem = _toolchain_ready()
    if problem is None:
        return
    if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"SD-JWT interop needs Node and @sd-jwt/core: {problem}")
    pytest.skip(problem)


def node(command: str, payload: dict[str, Any]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", str(SCRIPT), command],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_report_issued_by_sd_jwt_js_is_accepted(node_ready, originator, publisher):
    # A partner system holds its own key; the hub only has the public half.
    private = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    key = key_register(
        agency=originator,
        kid="DE-CUSTOMS/partner-system-1",
        jwk_value=private.export_public(as_dict=True),
        actor=TEST_ACTOR,
        valid_from=timezone.now() - timedelta(minutes=1),
    )
    report = report_claims()
    claims = {
        "iss": "DE-CUSTOMS",
        "iat": int(timezone.now().timestamp()),
        "kind": "sar",
        "report": report,
    }

    issued = node(
        "issue",
        {"private_jwk": private.export_private(as_dict=True), "kid": key.kid, "claims": claims},
    )

    assert issued.returncode == 0, issued.stderr
    response = publisher.post("/api/v1/reports/", {"token": issued.stdout}, format="json")
    assert response.status_code == 201, response.json()
    stored = ReportVersion.objects.get(report_id=report["id"])
    assert stored.token == issued.stdout
    assert stored.claims["report"] == report
    assert stored.kid == "DE-CUSTOMS/partner-system-1"
    classes = {d["path"]: d["redaction_class"] for d in stored.disclosures}
    assert len(classes) == 20
    assert classes["report.parties[3].identifiers"] == "person_identity"
    assert classes["report.parties[1].aliases"] == "organization_identity"
    assert classes["report.goods[2].value"] == "commercial"


def test_sd_jwt_js_refuses_nothing_the_hub_signs(node_ready, originator, custodial_key):
    report = report_claims()
    token = report_sign(agency=originator, claims=report)

    verified = node("verify", {"public_jwk": custodial_key.public_jwk, "token": token})

    assert verified.returncode == 0, verified.stderr
    result = json.loads(verified.stdout)
    assert result["header"]["typ"] == "sar+sd-jwt"
    assert result["header"]["kid"] == custodial_key.kid
    assert result["claims"]["report"] == report
    assert result["claims"]["iss"] == "DE-CUSTOMS"


def test_sd_jwt_js_verifies_a_redacted_presentation_and_rejects_a_forgery(
    node_ready, originator, custodial_key
):
    token = report_sign(agency=originator, claims=report_claims())
    issuer_jwt, disclosures = token_parts(token)
    kept = [d for d in disclosures if unb64(d)[1] != "narrative"]
    header, payload, signature = issuer_jwt.split(".")
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]

    presentation = node(
        "verify", {"public_jwk": custodial_key.public_jwk, "token": token_join(issuer_jwt, kept)}
    )
    forgery = node(
        "verify",
        {
            "public_jwk": custodial_key.public_jwk,
            "token": token_join(f"{header}.{payload}.{forged_signature}", kept),
        },
    )

    assert presentation.returncode == 0, presentation.stderr
    assert "narrative" not in json.loads(presentation.stdout)["claims"]["report"]
    assert forgery.returncode != 0
