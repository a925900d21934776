"""Ed25519 keys (jwcrypto JWKs), custodial key encryption and compact JWS.

Only Ed25519 is accepted: `alg` `EdDSA` or its fully specified name `Ed25519`
(RFC 9864). `none`, HMAC and every other `alg` are refused before any key is
looked at. Tokens are signed and checked with `cryptography` directly:
building a jwcrypto JWS object per token cost more than the Ed25519 operation
itself on a 15k-token sanctions import.
"""

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from jwcrypto import jwk
from jwcrypto.common import JWException

from .errors import MalformedRequest, Refused

ACCEPTED_ALGS = ("EdDSA", "Ed25519")
SIGNING_ALG = "EdDSA"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"cordon-custodial-keys:" + settings.CUSTODIAL_KEY_SECRET.encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def ed25519_generate() -> jwk.JWK:
    return jwk.JWK.generate(kty="OKP", crv="Ed25519")


def public_jwk(key: jwk.JWK, *, kid: str) -> dict[str, Any]:
    public = key.export_public(as_dict=True)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": public["x"],
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def private_key_encrypt(key: jwk.JWK) -> bytes:
    return _fernet().encrypt(key.export_private().encode())


def private_key_decrypt(blob: bytes) -> jwk.JWK:
    try:
        return jwk.JWK.from_json(_fernet().decrypt(bytes(blob)).decode())
    except InvalidToken as exc:
        raise RuntimeError("custodial key cannot be decrypted: wrong CUSTODIAL_KEY_SECRET") from exc


def public_jwk_parse(value: Any) -> jwk.JWK:
    """A registered public JWK: must be an Ed25519 OKP key with no private part."""
    if not isinstance(value, dict):
        raise Refused("jwk must be a JSON object.", code="invalid_jwk")
    if value.get("kty") != "OKP" or value.get("crv") != "Ed25519":
        raise Refused("Only Ed25519 keys (kty OKP, crv Ed25519) are accepted.", code="invalid_jwk")
    if "d" in value:
        raise Refused("Send the public key only; jwk holds a private part.", code="invalid_jwk")
    try:
        key = jwk.JWK(**{"kty": "OKP", "crv": "Ed25519", "x": value.get("x", "")})
    except (JWException, ValueError, TypeError) as exc:
        raise Refused(f"jwk is not a valid Ed25519 key: {exc}", code="invalid_jwk") from exc
    return key


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _json_compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def jws_sign(*, payload: dict[str, Any], key: jwk.JWK, kid: str, typ: str) -> str:
    """Sign a JWT (compact JWS) with an Ed25519 private key.

    The same bytes jwcrypto's JWS serialises, built directly: imports sign
    thousands of tokens and jwcrypto's per-token objects cost more than the
    signature itself.
    """
    private = key.get_op_key("sign")
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("jws_sign needs an Ed25519 private key.")
    header = {"alg": SIGNING_ALG, "kid": kid, "typ": typ}
    signing_input = _b64url(_json_compact(header)) + "." + _b64url(_json_compact(payload))
    return signing_input + "." + _b64url(private.sign(signing_input.encode("ascii")))


def _b64json(segment: str, what: str) -> dict[str, Any]:
    try:
        padded = segment + "=" * (-len(segment) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise Refused(f"The JWT {what} is not base64url JSON.", code="malformed_jwt") from exc
    if not isinstance(value, dict):
        raise Refused(f"The JWT {what} is not a JSON object.", code="malformed_jwt")
    return value


def jwt_unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, not yet verified: only to find the key."""
    if not isinstance(token, str):
        raise MalformedRequest("token must be a string.", code="malformed_jwt")
    parts = token.split(".")
    if len(parts) != 3:
        raise Refused(
            "The token is not a compact JWS (three dot-separated parts).", code="malformed_jwt"
        )
    header = _b64json(parts[0], "header")
    payload = _b64json(parts[1], "payload")
    alg = header.get("alg")
    if alg not in ACCEPTED_ALGS:
        raise Refused(
            f"alg {alg!r} is not accepted; only EdDSA (Ed25519) signatures are.",
            code="unsupported_alg",
            details={"alg": alg},
        )
    if header.get("crit"):
        raise Refused("Critical header parameters are not supported.", code="unsupported_header")
    return header, payload


def jws_signature_check(token: str, key: jwk.JWK) -> None:
    """Check the Ed25519 signature of a compact JWS whose header `jwt_unverified_parts`
    already accepted; Refused (bad_signature) when it does not verify."""
    signing_input, _, signature = token.rpartition(".")
    try:
        public = key.get_op_key("verify")
        if not isinstance(public, Ed25519PublicKey):
            raise InvalidSignature("not an Ed25519 key")
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public.verify(raw, signing_input.encode("ascii"))
    except (InvalidSignature, JWException, ValueError, TypeError, UnicodeError) as exc:
        raise Refused("The signature does not verify.", code="bad_signature") from exc


def jws_verify(token: str, key: jwk.JWK) -> dict[str, Any]:
    """Verify a compact JWS with `key`; return its payload. Refused on a bad signature."""
    _, payload = jwt_unverified_parts(token)
    jws_signature_check(token, key)
    return payload
