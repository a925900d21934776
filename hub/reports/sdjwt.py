"""Verification of a report SD-JWT (DESIGN 2.1, RFC 9901).

The JWS signature is checked as every signed document's is
(`agencies.crypto.jws_signature_check`), and the disclosures are applied here:
the claims come out as the `sd-jwt` reference verifier gives them
(tests/hub/reports/test_sdjwt.py holds the two equal, and
tests/hub/reports/test_interop_sd_jwt_js.py checks against @sd-jwt/core), plus
what a verifier must refuse and the reference one leaves to its caller:

- before any key is looked up: `alg` is Ed25519, `typ` is `sar+sd-jwt`,
  `_sd_alg` is sha-256, no key binding, and `iss` is the caller's agency;
- the key is the issuer's and was valid and unrevoked at `iat`;
- every disclosure is referenced by exactly one digest, no digest appears
  twice, and each disclosure has the shape its place requires (the reference
  verifier silently ignores a disclosure that nothing references, so a
  tampered or smuggled one would otherwise pass);
- every field of a redaction class is its own disclosure; each disclosure is
  labelled with its path and redaction class for the sharing policy.
"""

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from jwcrypto.jwk import JWK

from agencies.crypto import jws_signature_check, jwt_unverified_parts, public_jwk_parse
from agencies.errors import MalformedRequest, PermissionDenied, Refused
from agencies.models import Agency, SigningKey
from agencies.selectors import CLOCK_SKEW, issued_at, signing_key_for

REPORT_TYP = "sar+sd-jwt"
SD_ALG = "sha-256"
SD_KEY = "_sd"
SD_LIST_KEY = "..."

# Fields of a redaction class, per DESIGN 2.1. Party identity fields take the
# person or organisation class from the party's type.
PARTY_IDENTITY_FIELDS = ("name", "aliases", "identifiers", "address")
LIST_VALUED_FIELDS = ("aliases", "identifiers")
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ReportDisclosure:
    encoded: str  # exactly as in the SD-JWT
    path: str  # where its value lands in the disclosed claims, e.g. "report.parties[0].name"
    redaction_class: str | None


@dataclass(frozen=True)
class VerifiedReport:
    token: str
    issuer_jwt: str
    header: dict[str, Any]
    claims: dict[str, Any]  # every disclosure applied
    disclosures: tuple[ReportDisclosure, ...]  # in the order of the token
    signing_key: SigningKey
    issued_at: datetime


def path_text(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _refuse_disclosure(
    message: str, *, code: str = "invalid_disclosure", **details: Any
) -> Refused:
    return Refused(message, code=code, details=details)


def _split(token: Any) -> tuple[str, list[str]]:
    """Issuer JWT and disclosures of a compact SD-JWT without key binding."""
    if not isinstance(token, str) or not token:
        raise MalformedRequest("token must be a non-empty string.", code="malformed_sd_jwt")
    if not token.isascii():
        raise Refused("An SD-JWT is ASCII only.", code="malformed_sd_jwt")
    parts = token.split("~")
    if len(parts) < 2:
        raise Refused(
            "A report is an SD-JWT: the issuer JWT, its disclosures, each followed by '~'.",
            code="malformed_sd_jwt",
        )
    if parts[-1]:
        # Anything after the last "~" is a key-binding JWT; reports are not holder-bound.
        if parts[-1].count(".") == 2:
            raise Refused(
                "Key binding is not used for reports; send no KB-JWT.",
                code="key_binding_not_allowed",
            )
        raise Refused("The SD-JWT must end with '~'.", code="malformed_sd_jwt")
    disclosures = parts[1:-1]
    for index, disclosure in enumerate(disclosures):
        if not BASE64URL.match(disclosure):
            raise _refuse_disclosure(
                "A disclosure is not base64url.", code="malformed_disclosure", index=index
            )
    return parts[0], disclosures


def _disclosure_decode(encoded: str, index: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _refuse_disclosure(
            "A disclosure is not base64url-encoded JSON.", code="malformed_disclosure", index=index
        ) from exc
    if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[0], str):
        raise _refuse_disclosure(
            "A disclosure must be [salt, value] or [salt, name, value].",
            code="malformed_disclosure",
            index=index,
        )
    return value


def disclosure_digest(encoded: str) -> str:
    """The sha-256 digest by which the signed JWT refers to a disclosure."""
    return (
        base64.urlsafe_b64encode(hashlib.sha256(encoded.encode("ascii")).digest())
        .decode()
        .rstrip("=")
    )


class _Unpacker:
    """Applies disclosures to the signed payload, recording where each one lands.

    Mirrors the reference verifier's output (array elements whose digest
    matches no disclosure are decoys and are dropped), but refuses what RFC 9901
    says a verifier must refuse and remembers, for each path, whether it came
    from its own disclosure.
    """

    def __init__(self, disclosures: list[str]) -> None:
        self.by_digest: dict[str, tuple[int, list[Any]]] = {}
        for index, encoded in enumerate(disclosures):
            digest = disclosure_digest(encoded)
            if digest in self.by_digest:
                raise _refuse_disclosure(
                    "The same disclosure is sent twice.", code="duplicate_disclosure", index=index
                )
            self.by_digest[digest] = (index, _disclosure_decode(encoded, index))
        self.seen_digests: set[str] = set()
        self.landed: dict[int, Path] = {}  # disclosure index -> path
        self.disclosed_paths: set[Path] = set()

    def _claim(self, digest: Any) -> tuple[int, list[Any]] | None:
        if not isinstance(digest, str):
            raise _refuse_disclosure("A digest must be a string.", code="malformed_sd_jwt")
        if digest in self.seen_digests:
            raise _refuse_disclosure(
                "A digest appears more than once in the SD-JWT.",
                code="duplicate_digest",
                digest=digest,
            )
        self.seen_digests.add(digest)
        return self.by_digest.get(digest)

    def unpack(self, node: Any, path: Path) -> Any:
        if isinstance(node, list):
            return self._unpack_list(node, path)
        if isinstance(node, dict):
            return self._unpack_object(node, path)
        return node

    def _unpack_list(self, node: list[Any], path: Path) -> list[Any]:
        output: list[Any] = []
        for element in node:
            if isinstance(element, dict) and SD_LIST_KEY in element:
                if len(element) != 1:
                    raise _refuse_disclosure(
                        'An array element digest must be {"...": digest} alone.',
                        code="malformed_sd_jwt",
                        path=path_text(path),
                    )
                found = self._claim(element[SD_LIST_KEY])
                if found is None:
                    continue  # a decoy
                index, disclosure = found
                if len(disclosure) != 2:
                    raise _refuse_disclosure(
                        "An array element disclosure must be [salt, value].", index=index
                    )
                where = (*path, len(output))
                self.landed[index] = where
                self.disclosed_paths.add(where)
                output.append(self.unpack(disclosure[1], where))
            else:
                output.append(self.unpack(element, (*path, len(output))))
        return output

    def _unpack_object(self, node: dict[str, Any], path: Path) -> dict[str, Any]:
        digests = node.get(SD_KEY, [])
        if not isinstance(digests, list):
            raise _refuse_disclosure("_sd must be a list of digests.", code="malformed_sd_jwt")
        output = {
            key: self.unpack(value, (*path, key))
            for key, value in node.items()
            if key != SD_KEY and not (key == "_sd_alg" and not path)
        }
        if SD_LIST_KEY in output:
            raise _refuse_disclosure('"..." is not a claim name.', code="malformed_sd_jwt")
        for digest in digests:
            found = self._claim(digest)
            if found is None:
                continue  # a decoy
            index, disclosure = found
            if len(disclosure) != 3 or not isinstance(disclosure[1], str):
                raise _refuse_disclosure(
                    "An object property disclosure must be [salt, name, value].", index=index
                )
            name = disclosure[1]
            if name in (SD_KEY, SD_LIST_KEY, "_sd_alg"):
                raise _refuse_disclosure(
                    f"{name!r} may not be a disclosed claim name.", index=index
                )
            if name in output:
                raise _refuse_disclosure(
                    f"Claim {name!r} is both in clear and disclosed.", index=index
                )
            where = (*path, name)
            self.landed[index] = where
            self.disclosed_paths.add(where)
            output[name] = self.unpack(disclosure[2], where)
        return output


def _class_fields(claims: dict[str, Any]) -> list[tuple[Path, str]]:
    """Every field of a redaction class present in the claims, with its class."""
    report = claims.get("report")
    if not isinstance(report, dict):
        return []
    fields: list[tuple[Path, str]] = []
    if "narrative" in report:
        fields.append((("report", "narrative"), "narrative"))
    parties = report.get("parties")
    for index, party in enumerate(parties if isinstance(parties, list) else []):
        if not isinstance(party, dict):
            continue
        redaction_class = (
            "person_identity" if party.get("type") == "person" else "organization_identity"
        )
        for field in PARTY_IDENTITY_FIELDS:
            if field in party:
                fields.append((("report", "parties", index, field), redaction_class))
    goods = report.get("goods")
    for index, item in enumerate(goods if isinstance(goods, list) else []):
        if isinstance(item, dict) and "value" in item:
            fields.append((("report", "goods", index, "value"), "commercial"))
    licence = report.get("licence")
    if isinstance(licence, dict) and "number" in licence:
        fields.append((("report", "licence", "number"), "commercial"))
    documents = report.get("documents")
    for index, document in enumerate(documents if isinstance(documents, list) else []):
        if isinstance(document, dict) and "reference" in document:
            fields.append((("report", "documents", index, "reference"), "commercial"))
    return fields


def _value_at(claims: Any, path: Path) -> Any:
    for part in path:
        claims = claims[part]
    return claims


def _selectively_disclosable(claims: dict[str, Any], path: Path, unpacker: _Unpacker) -> bool:
    """True if the field is its own disclosure (or, for a list, each element is one).

    An empty value discloses nothing, so it may travel in clear.
    """
    if path in unpacker.disclosed_paths:
        return True
    value = _value_at(claims, path)
    if value is None or value in ("", []):
        return True
    if path[-1] in LIST_VALUED_FIELDS and isinstance(value, list):
        return all((*path, index) in unpacker.disclosed_paths for index in range(len(value)))
    return False


def _classify(
    unpacker: _Unpacker, class_fields: list[tuple[Path, str]], disclosures: list[str]
) -> tuple[ReportDisclosure, ...]:
    labelled = []
    for index, encoded in enumerate(disclosures):
        where = unpacker.landed[index]
        redaction_class = None
        # A disclosure inside a class field (an alias, an identifier) takes the field's class.
        for field_path, field_class in class_fields:
            if where[: len(field_path)] == field_path:
                redaction_class = field_class
                break
        labelled.append(ReportDisclosure(encoded, path_text(where), redaction_class))
    return tuple(labelled)


def _key_lookup(header: dict[str, Any], payload: dict[str, Any], caller: Agency) -> SigningKey:
    if header.get("typ") != REPORT_TYP:
        raise Refused(
            f"typ must be {REPORT_TYP!r}.", code="wrong_typ", details={"typ": header.get("typ")}
        )
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise Refused(
            "_sd_alg must be sha-256.",
            code="unsupported_sd_alg",
            details={"_sd_alg": payload.get("_sd_alg")},
        )
    if "cnf" in payload:
        raise Refused("Key binding (cnf) is not used for reports.", code="key_binding_not_allowed")
    issuer = payload.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise Refused("iss is missing (it must be in clear).", code="missing_iss")
    if issuer != caller.code:
        raise PermissionDenied(
            f"iss {issuer!r} is not your agency ({caller.code}).", code="issuer_not_caller"
        )
    return signing_key_for(kid=header.get("kid"), issuer=issuer, issued_at=issued_at(payload))


def _lifetime_check(payload: dict[str, Any]) -> None:
    """Honour exp and nbf when an issuer sets them (reports need neither)."""
    now = timezone.now().timestamp()
    for claim in ("exp", "nbf"):
        value = payload.get(claim)
        if claim in payload and (isinstance(value, bool) or not isinstance(value, int)):
            raise Refused(f"{claim} must be an integer (unix seconds).", code=f"invalid_{claim}")
    if "exp" in payload and payload["exp"] <= now:
        raise Refused("The report's exp has passed.", code="token_expired")
    if "nbf" in payload and payload["nbf"] > now + CLOCK_SKEW.total_seconds():
        raise Refused("The report's nbf is in the future.", code="token_not_yet_valid")


def report_token_verify(*, token: str, caller: Agency) -> VerifiedReport:
    """Verify a report SD-JWT sent by `caller`; refuse it with a stable code otherwise."""
    try:
        return _report_token_verify(token=token, caller=caller)
    except RecursionError as exc:
        # JSON nested thousands deep: refuse it rather than fail with a 500.
        raise Refused("The SD-JWT is nested too deeply.", code="malformed_sd_jwt") from exc


def _report_token_verify(*, token: str, caller: Agency) -> VerifiedReport:
    issuer_jwt, disclosures = _split(token)
    header, unverified = jwt_unverified_parts(issuer_jwt)
    key = _key_lookup(header, unverified, caller)
    public_key: JWK = public_jwk_parse(key.public_jwk)
    moment = issued_at(unverified)

    # The disclosures are decoded before the signature is checked: precise errors.
    unpacker = _Unpacker(disclosures)
    jws_signature_check(issuer_jwt, public_key)
    # The signature covers the very bytes `unverified` was decoded from
    # (jwt_unverified_parts already made sure they are a JSON object).
    signed_payload = unverified
    _lifetime_check(signed_payload)

    claims = unpacker.unpack(signed_payload, ())
    unreferenced = [index for index in range(len(disclosures)) if index not in unpacker.landed]
    if unreferenced:
        raise _refuse_disclosure(
            "Every disclosure must be referenced by a digest in the signed JWT; "
            "these are not (tampered or added).",
            code="unreferenced_disclosure",
            indexes=unreferenced,
        )

    class_fields = _class_fields(claims)
    in_clear = [
        path_text(path)
        for path, _ in class_fields
        if not _selectively_disclosable(claims, path, unpacker)
    ]
    if in_clear:
        raise Refused(
            "Fields of a redaction class must each be selectively disclosable.",
            code="field_not_selectively_disclosable",
            details={path: "must be its own disclosure" for path in in_clear},
        )
    return VerifiedReport(
        token=token,
        issuer_jwt=issuer_jwt,
        header=header,
        claims=claims,
        disclosures=_classify(unpacker, class_fields, disclosures),
        signing_key=key,
        issued_at=moment,
    )


# Public names for other modules (the web UI's preview and signature checks).
redaction_class_fields = _class_fields
DisclosureUnpacker = _Unpacker
