"""Checking, as a recipient would, the signature on exactly what was delivered.

A report arrives as an SD-JWT presentation (the issuer-signed JWT and the
disclosures the agreement allows); retractions and sanctions updates as JWTs.
The check uses only published keys: the originator's (the agency's JWKS) or,
for items the hub re-issued under attribution `must-not`, the hub's own.
"""

from dataclasses import dataclass
from typing import Any

from agencies.crypto import jws_verify, jwt_unverified_parts, public_jwk_parse
from agencies.errors import CordonError
from agencies.selectors import issued_at, signing_key_for
from hub.reports.sdjwt import DisclosureUnpacker
from sharing.services.hub_key import hub_issuer, hub_jwks


@dataclass(frozen=True)
class SignatureCheck:
    verified: bool
    kid: str
    signer: str  # agency code of the signer, or the hub's issuer code
    by_hub: bool  # re-issued by the hub under its own key
    detail: str
    claims: dict[str, Any] | None = None  # what the token discloses, once verified

    @property
    def state(self) -> str:
        return "verified" if self.verified else "invalid"


def _hub_key(kid: str):
    for candidate in hub_jwks()["keys"]:
        if candidate.get("kid") == kid:
            return public_jwk_parse(candidate)
    return None


def delivered_token_check(token: str) -> SignatureCheck:
    """Verify a delivered token against the signer's published key; never raises."""
    issuer_jwt, *rest = token.split("~")
    disclosures = [part for part in rest if part]
    kid, signer, by_hub = "", "", False
    try:
        header, unverified = jwt_unverified_parts(issuer_jwt)
        kid = str(header.get("kid") or "")
        signer = str(unverified.get("iss") or "")
        by_hub = signer == hub_issuer()
        if by_hub:
            key = _hub_key(kid)
            if key is None:
                return SignatureCheck(False, kid, signer, True, f"Unknown hub key {kid}.")
        else:
            stored = signing_key_for(kid=kid, issuer=signer, issued_at=issued_at(unverified))
            key = public_jwk_parse(stored.public_jwk)
        payload = jws_verify(issuer_jwt, key)
        unpacker = DisclosureUnpacker(disclosures)
        claims = unpacker.unpack(payload, ())
        if len(unpacker.landed) != len(disclosures):
            return SignatureCheck(
                False, kid, signer, by_hub, "A disclosure does not belong to the signed document."
            )
    except CordonError as error:
        return SignatureCheck(False, kid, signer, by_hub, error.message)
    who = "the hub, re-issued for attribution must-not" if by_hub else signer
    detail = f"Signature by {who} verified with published key {kid}"
    if disclosures:
        detail += f"; {len(disclosures)} disclosure(s) match the signed digests"
    return SignatureCheck(True, kid, signer, by_hub, detail + ".", claims=claims)
