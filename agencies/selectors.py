"""Reads of agencies, tokens and keys."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from jwcrypto import jwk

from .crypto import jws_signature_check, jwt_unverified_parts, public_jwk_parse
from .db import rows_read
from .errors import NotFound, PermissionDenied, Refused
from .models import Agency, AuditRecord, SigningKey


def agency_get(*, code: str) -> Agency:
    try:
        return Agency.objects.get(code=code)
    except Agency.DoesNotExist as exc:
        raise NotFound(f"No agency {code!r}.", code="agency_not_found") from exc


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.all()


def audit_record_list(*, caller: Any, agency_code: str = "", action: str = "") -> QuerySet:
    """The audit trail a caller may read: all of it for a hub admin, else its own agency's."""
    records = AuditRecord.objects.order_by("seq")
    if not caller.is_hub_admin:
        agency_code = caller.agency.code
    if agency_code:
        records = records.filter(agency=agency_code)
    if action:
        records = records.filter(action__startswith=action)
    return records


def signing_key_list(*, agency: Agency) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(agency=agency).order_by("-valid_from", "-pk")


def jwks_for(*, agency: Agency) -> dict[str, Any]:
    """Every published key of the agency, revoked ones included so old items still verify."""
    return {"keys": [key.public_jwk for key in signing_key_list(agency=agency)]}


# What a signature check reads of a key.
_KEY_FIELDS = ("id", "agency_id", "kid", "public_jwk", "valid_from", "valid_until", "revoked_at")


def _signing_key_with_agency_code(kid: str) -> SigningKey | None:
    """The key named `kid`, with its agency's code as `agency_code`.

    Plain SQL: every signed document looks its key up, and the ORM's compiler
    costs three times what the query does.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(f"k.{quote(name)}" for name in _KEY_FIELDS)
    # Table and column names come from the models; the kid is a bound parameter.
    sql = (
        f"SELECT {columns}, a.code FROM {quote(SigningKey._meta.db_table)} k "  # noqa: S608
        f"JOIN {quote(Agency._meta.db_table)} a ON a.id = k.agency_id WHERE k.kid = %s"
    )
    for key, (agency_code,) in rows_read(SigningKey, sql, [kid], _KEY_FIELDS):
        key.agency_code = agency_code
        return key
    return None


def signing_key_for(*, kid: Any, issuer: str, issued_at: datetime) -> SigningKey:
    """The key a document names, checked against its issuer and issue time (DESIGN 2)."""
    if not isinstance(kid, str) or not kid:
        raise Refused("The header has no kid.", code="missing_kid")
    if "\x00" in kid:  # no key is named so, and PostgreSQL cannot even compare it
        raise Refused(f"Unknown key {kid!r}.", code="unknown_kid", details={"kid": kid})
    key = _signing_key_with_agency_code(kid)
    if key is None:
        raise Refused(f"Unknown key {kid!r}.", code="unknown_kid", details={"kid": kid})
    if key.agency_code != issuer:
        raise Refused(
            f"Key {kid!r} belongs to {key.agency_code}, not to the issuer {issuer}.",
            code="kid_not_issuers",
            details={"kid": kid, "iss": issuer},
        )
    status = key.status_at(issued_at)
    if status == "revoked":
        raise Refused(
            f"Key {kid!r} was revoked before iat.", code="key_revoked", details={"kid": kid}
        )
    if status == "not_yet_valid":
        raise Refused(f"Key {kid!r} was not yet valid at iat.", code="key_not_yet_valid")
    if status == "expired":
        raise Refused(f"Key {kid!r} had expired at iat.", code="key_expired", details={"kid": kid})
    return key


# Documents dated slightly ahead of our clock are accepted; further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)


def issued_at(payload: dict[str, Any]) -> datetime:
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int):
        raise Refused("iat must be an integer (unix seconds).", code="invalid_iat")
    try:
        moment = datetime.fromtimestamp(iat, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Refused("iat is out of range.", code="invalid_iat") from exc
    if moment > timezone.now() + CLOCK_SKEW:
        raise Refused("iat is in the future.", code="invalid_iat")
    return moment


class VerifyingKeys:
    """`signing_key_for` and the parsed public key, looked up once per (kid, iss, iat).

    Pass one to `jwt_verified` when checking a batch: an import signs thousands
    of tokens with one key.
    """

    def __init__(self) -> None:
        self._keys: dict[tuple[Any, str, datetime], SigningKey] = {}
        self._public: dict[str, jwk.JWK] = {}

    def key(self, *, kid: Any, issuer: str, issued_at: datetime) -> tuple[SigningKey, jwk.JWK]:
        cache_key = (kid, issuer, issued_at)
        key = self._keys.get(cache_key)
        if key is None:
            key = signing_key_for(kid=kid, issuer=issuer, issued_at=issued_at)
            self._keys[cache_key] = key
        if key.kid not in self._public:
            self._public[key.kid] = public_jwk_parse(key.public_jwk)
        return key, self._public[key.kid]


def jwt_verified(
    *, token: str, typ: str, caller: Agency | None = None, keys: VerifyingKeys | None = None
) -> tuple[dict[str, Any], dict[str, Any], SigningKey]:
    """Verify a signed JWT of the hub's formats; return (header, payload, key).

    Checks, in order: alg, typ, that `iss` is the caller's agency (when given),
    that `kid` is a key of `iss` valid and unrevoked at `iat`, and the signature.
    `keys` remembers the keys across the tokens of one batch.
    """
    header, unverified = jwt_unverified_parts(token)
    if header.get("typ") != typ:
        raise Refused(f"typ must be {typ!r}.", code="wrong_typ", details={"typ": header.get("typ")})
    issuer = unverified.get("iss")
    if not isinstance(issuer, str):
        raise Refused("iss is missing.", code="missing_iss")
    if caller is not None and issuer != caller.code:
        raise PermissionDenied(
            f"iss {issuer!r} is not your agency ({caller.code}).", code="issuer_not_caller"
        )
    key, public = (keys or VerifyingKeys()).key(
        kid=header.get("kid"), issuer=issuer, issued_at=issued_at(unverified)
    )
    jws_signature_check(token, public)
    return header, unverified, key  # verified now: the payload is the signed one
