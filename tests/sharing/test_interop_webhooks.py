"""Webhooks and delivered tokens checked by independent implementations in Node.

`tests/interop/webhook_verify.mjs` verifies the Standard Webhooks `v1a`
signature straight from the spec with node:crypto; `sd_jwt_interop.mjs`
(@sd-jwt/core) verifies the SD-JWT presentation each recipient received.
"""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction

from agencies.models import SigningKey
from sharing.models import HubSigningKey
from sharing.services.distribution import item_distribute
from sharing.services.hub_key import hub_issuer, hub_jwks
from sharing.services.webhooks import delivery_attempt, webhook_endpoint_register
from tests.factories import TEST_ACTOR
from tests.sharing.builders import agreement_make, report_item

pytestmark = pytest.mark.django_db

INTEROP_DIR = Path(__file__).resolve().parents[1] / "interop"


@pytest.fixture
def node_ready(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    problem = None
    if shutil.which("node") is None:
        problem = "node is not installed"
    elif not (INTEROP_DIR / "node_modules" / "@sd-jwt" / "core").is_dir():
        problem = "run `npm ci --prefix tests/interop` first"
    if problem:
        if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


def node(script: str, payload: dict, *args: str) -> tuple[int, dict]:
    result = subprocess.run(
        ["node", str(INTEROP_DIR / script), *args],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        return result.returncode, json.loads(result.stdout or "{}")
    except ValueError:
        return result.returncode, {"stderr": result.stderr}


def delivered_request(originator, partner, receivers, **agreement):
    agreement_make(originator, partner, **agreement)
    [receiver] = receivers(1)
    webhook_endpoint_register(agency=partner, url=receiver.url, events=[], actor=TEST_ACTOR)
    with transaction.atomic():
        [delivery] = item_distribute(item=report_item(originator), actor=TEST_ACTOR)
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    return receiver.requests[0]


def test_node_verifies_the_webhook_signature_and_refuses_a_tampered_body(
    node_ready, originator, partner, receivers
):
    request = delivered_request(originator, partner, receivers)
    payload = {
        "headers": request.headers,
        "body_b64": base64.b64encode(request.body).decode(),
        "jwks": hub_jwks(),
        "tolerance_seconds": 300,
    }
    code, result = node("webhook_verify.mjs", payload)
    assert (code, result["valid"]) == (0, True), result
    tampered = dict(payload, body_b64=base64.b64encode(request.body + b" ").decode())
    code, result = node("webhook_verify.mjs", tampered)
    assert (code, result["valid"]) == (1, False)
    other_id = dict(payload, headers={**request.headers, "webhook-id": "msg_other"})
    assert node("webhook_verify.mjs", other_id)[0] == 1


@pytest.mark.parametrize("attribution", ["must", "must-not"])
def test_sd_jwt_js_verifies_the_received_presentation(
    node_ready, originator, partner, receivers, attribution
):
    request = delivered_request(
        originator, partner, receivers, attribution=attribution, withheld=["narrative"]
    )
    token = json.loads(request.body)["data"]["token"]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    if attribution == "must":
        public = SigningKey.objects.get(kid=header["kid"]).public_jwk
    else:
        public = HubSigningKey.objects.get(kid=header["kid"]).public_jwk
    code, result = node("sd_jwt_interop.mjs", {"public_jwk": public, "token": token}, "verify")
    assert code == 0, result
    claims = result["claims"]
    assert "narrative" not in claims["report"]
    assert claims["report"]["exporter_name"].endswith("SECRET-ORG")
    expected_iss = originator.code if attribution == "must" else hub_issuer()
    assert claims["iss"] == expected_iss
