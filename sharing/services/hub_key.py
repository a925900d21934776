"""The hub's own Ed25519 signing key.

It signs webhook requests (Standard Webhooks `v1a`), the hub's notices
(retraction notices when an amendment is no longer shared) and items re-issued
under attribution `must-not`. Its public half is at `/.well-known/jwks.json`.

The key comes from the HUB_SIGNING_KEY setting (a private Ed25519 JWK as JSON)
when set; otherwise the hub generates one on first use and keeps it in the
database, encrypted like the agencies' custodial keys.
"""

import json
import secrets
import threading
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk

from agencies.audit import audit_record
from agencies.crypto import (
    ed25519_generate,
    jws_sign,
    private_key_decrypt,
    private_key_encrypt,
    public_jwk,
)
from agencies.errors import Conflict
from agencies.services import Actor
from sharing.models import HubSigningKey

_cache_lock = threading.Lock()
_cache: dict[str, tuple[str, jwk.JWK]] = {}


def hub_issuer() -> str:
    """The `iss` of everything the hub signs itself."""
    return getattr(settings, "HUB_ISSUER", "CORDON-HUB")


def _from_setting() -> tuple[str, jwk.JWK] | None:
    raw = getattr(settings, "HUB_SIGNING_KEY", "")
    if not raw:
        return None
    key = jwk.JWK(**json.loads(raw))
    kid = key.get("kid") or f"{hub_issuer()}/{key.thumbprint()[:16]}"
    return kid, key


def hub_signing_key() -> tuple[str, jwk.JWK]:
    """(kid, private key) of the hub's current signing key, created on first use."""
    configured = _from_setting()
    if configured is not None:
        return configured
    # One cheap query per call finds the current kid (keys rotate, tests roll
    # back); decrypting it is what we cache.
    kid = (
        HubSigningKey.objects.filter(retired_at__isnull=True).values_list("kid", flat=True).first()
    )
    if kid is None:
        kid = _hub_key_create()
    with _cache_lock:
        cached = _cache.get(kid)
    if cached is None:
        stored = HubSigningKey.objects.get(kid=kid)
        cached = (kid, private_key_decrypt(stored.encrypted_private_key))
        with _cache_lock:
            _cache[kid] = cached
    return cached


def _hub_key_create() -> str:
    private = ed25519_generate()
    kid = f"{hub_issuer()}/{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    try:
        with transaction.atomic():
            HubSigningKey.objects.create(
                kid=kid,
                public_jwk=public_jwk(private, kid=kid),
                encrypted_private_key=private_key_encrypt(private),
            )
    except IntegrityError:
        pass  # a kid collision: 32 random bits, practically never; use the current one
    return (
        HubSigningKey.objects.filter(retired_at__isnull=True).values_list("kid", flat=True).first()
    )


def hub_key_cache_clear() -> None:
    """Forget the cached key (tests that reset the database)."""
    with _cache_lock:
        _cache.clear()


def hub_jwks() -> dict[str, Any]:
    """Every public key of the hub, retired ones included so old items still verify."""
    keys = [stored.public_jwk for stored in HubSigningKey.objects.order_by("-created_at")]
    configured = _from_setting()
    if configured is not None:
        kid, key = configured
        keys.insert(0, public_jwk(key, kid=kid))
    if not keys:
        kid, key = hub_signing_key()
        keys = [public_jwk(key, kid=kid)]
    return {"keys": keys}


def hub_sign(*, payload: dict[str, Any], typ: str) -> str:
    kid, key = hub_signing_key()
    return jws_sign(payload=payload, key=key, kid=kid, typ=typ)


def hub_sign_bytes(message: bytes) -> bytes:
    """A raw Ed25519 signature over `message` (webhook signatures)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, key = hub_signing_key()
    private = key.get_op_key("sign")
    assert isinstance(private, Ed25519PrivateKey)
    return private.sign(message)


def hub_key_rotate(*, actor: Actor) -> HubSigningKey:
    """Retire the hub's current key and make a new one current.

    Retired keys stay in the JWKS, so items and webhooks signed before still
    verify. Refused when HUB_SIGNING_KEY pins the key in settings.
    """
    if _from_setting() is not None:
        raise Conflict(
            "HUB_SIGNING_KEY pins the hub's key; change the setting instead.",
            code="hub_key_pinned",
        )
    private = ed25519_generate()
    kid = f"{hub_issuer()}/{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    with transaction.atomic():
        retired = list(
            HubSigningKey.objects.select_for_update()
            .filter(retired_at__isnull=True)
            .values_list("kid", flat=True)
        )
        HubSigningKey.objects.filter(kid__in=retired).update(retired_at=timezone.now())
        key = HubSigningKey.objects.create(
            kid=kid,
            public_jwk=public_jwk(private, kid=kid),
            encrypted_private_key=private_key_encrypt(private),
        )
        audit_record(
            actor=actor.label,
            agency=actor.agency,
            action="hub_key.rotate",
            object_type="hub_signing_key",
            object_id=kid,
            before={"retired": retired},
            after={"kid": kid, "public_jwk": key.public_jwk},
        )
    return key
