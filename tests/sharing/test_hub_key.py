"""The hub's own signing key: generated on first use, rotated, old keys still published."""

import pytest
from django.core.management import call_command
from jwcrypto import jwk

from agencies.crypto import jws_verify
from agencies.models import AuditRecord
from sharing.models import HubSigningKey
from sharing.services.hub_key import hub_jwks, hub_sign, hub_signing_key

pytestmark = pytest.mark.django_db


def verify_with_jwks(token: str) -> dict:
    for key in hub_jwks()["keys"]:
        try:
            return jws_verify(token, jwk.JWK(**key))
        except Exception:  # noqa: S112 - try the next published key
            continue
    raise AssertionError("no published hub key verifies the token")


def test_rotation_keeps_old_signatures_verifiable(capsys):
    before = hub_sign(payload={"n": 1}, typ="test+jwt")
    old_kid, _ = hub_signing_key()
    call_command("hub_key_rotate")
    new_kid, _ = hub_signing_key()
    assert new_kid != old_kid
    assert f"hub signing key is now {new_kid}" in capsys.readouterr().out
    assert HubSigningKey.objects.get(kid=old_kid).retired_at is not None
    assert {k["kid"] for k in hub_jwks()["keys"]} == {old_kid, new_kid}
    assert verify_with_jwks(before) == {"n": 1}
    assert verify_with_jwks(hub_sign(payload={"n": 2}, typ="test+jwt")) == {"n": 2}
    assert AuditRecord.objects.filter(action="hub_key.rotate", object_id=new_kid).exists()


def test_a_configured_key_is_used_and_published(settings):
    private = jwk.JWK.generate(kty="OKP", crv="Ed25519", kid="CORDON-HUB/pinned")
    settings.HUB_SIGNING_KEY = private.export_private()
    assert hub_signing_key()[0] == "CORDON-HUB/pinned"
    assert [k["kid"] for k in hub_jwks()["keys"]] == ["CORDON-HUB/pinned"]
    assert "d" not in hub_jwks()["keys"][0]
