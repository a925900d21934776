"""Writes of agencies, people, tokens and keys. Each one audits in its transaction."""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk

from .audit import audit_record
from .crypto import (
    ed25519_generate,
    private_key_decrypt,
    private_key_encrypt,
    public_jwk,
    public_jwk_parse,
)
from .errors import Conflict, MalformedRequest, Refused
from .models import Agency, AgencyKind, ApiToken, Membership, Role, SigningKey

TOKEN_PREFIX = "cdn_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class Actor:
    """Who performs a mutation, as written in the audit trail."""

    label: str
    agency: str = ""

    @classmethod
    def system(cls) -> "Actor":
        return cls("system")


def token_hash(secret: str) -> str:
    # Tokens carry 256 bits of entropy, so a plain SHA-256 is enough to store them.
    return hashlib.sha256(secret.encode()).hexdigest()


def agency_create(*, code: str, name: str, country: str, kind: str, actor: Actor) -> Agency:
    if kind not in AgencyKind.values:
        raise Refused(f"Unknown agency kind {kind!r}.", code="invalid_kind")
    with transaction.atomic():
        if Agency.objects.filter(code=code).exists():
            raise Conflict(f"Agency {code} exists already.", code="agency_exists")
        agency = Agency(code=code, name=name, country=country.upper(), kind=kind)
        agency.full_clean()
        agency.save()
        audit_record(
            actor=actor.label,
            agency=actor.agency or code,
            action="agency.create",
            object_type="agency",
            object_id=code,
            after={"code": code, "name": name, "country": agency.country, "kind": kind},
        )
    return agency


def member_create(
    *, agency: Agency, username: str, password: str, role: str, actor: Actor, **names: str
) -> Membership:
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password, **names)
        membership = Membership.objects.create(user=user, agency=agency, role=role)
        audit_record(
            actor=actor.label,
            agency=agency.code,
            action="member.create",
            object_type="user",
            object_id=username,
            after={"agency": agency.code, "role": role},
        )
    return membership


def _allowed_ips_clean(values: list[str]) -> list[str]:
    cleaned = []
    for value in values:
        try:
            cleaned.append(str(ipaddress.ip_network(value, strict=False)))
        except (ValueError, TypeError) as exc:
            raise MalformedRequest(
                f"{value!r} is not an IP address or CIDR.", code="invalid_allowed_ips"
            ) from exc
    return cleaned


def token_create(
    *,
    agency: Agency,
    name: str,
    role: str,
    actor: Actor,
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; return it and its secret, which is never shown again."""
    if role not in Role.values:
        raise MalformedRequest(f"Unknown role {role!r}.", code="invalid_role")
    if expires_at is not None and expires_at <= timezone.now():
        raise MalformedRequest("expires_at is in the past.", code="invalid_expiry")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            agency=agency,
            name=name,
            role=role,
            token_hash=token_hash(secret),
            prefix=secret[:10],
            expires_at=expires_at,
            allowed_ips=_allowed_ips_clean(allowed_ips or []),
        )
        audit_record(
            actor=actor.label,
            agency=agency.code,
            action="token.create",
            object_type="api_token",
            object_id=str(token.pk),
            after={"name": name, "role": role, "expires_at": expires_at, "prefix": token.prefix},
        )
    return token, secret


def token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit_record(
                actor=actor.label,
                agency=token.agency.code,
                action="token.revoke",
                object_type="api_token",
                object_id=str(token.pk),
            )
    token.refresh_from_db()
    return token


def _kid_check(*, agency: Agency, kid: str) -> None:
    if (
        not isinstance(kid, str)
        or not kid.startswith(f"{agency.code}/")
        or kid == f"{agency.code}/"
    ):
        raise Refused(f"kid must look like '{agency.code}/label'.", code="invalid_kid")
    if SigningKey.objects.filter(kid=kid).exists():
        raise Conflict(f"Key {kid} exists already.", code="kid_exists")


def _key_save(*, key: SigningKey, actor: Actor, action: str) -> SigningKey:
    try:
        with transaction.atomic():
            key.save()
            audit_record(
                actor=actor.label,
                agency=key.agency.code,
                action=action,
                object_type="signing_key",
                object_id=key.kid,
                after={
                    "kid": key.kid,
                    "public_jwk": key.public_jwk,
                    "valid_from": key.valid_from,
                    "valid_until": key.valid_until,
                    "custodial": key.custodial,
                },
            )
    except IntegrityError as exc:
        raise Conflict(f"Key {key.kid} exists already.", code="kid_exists") from exc
    return key


def _window_check(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise MalformedRequest("valid_until must be after valid_from.", code="invalid_window")


def _this_second() -> datetime:
    # iat is whole seconds: a key registered at 12:00:00.7 must accept a document
    # signed right after with iat 12:00:00, so a key starts at the start of its second.
    return timezone.now().replace(microsecond=0)


def key_register(
    *,
    agency: Agency,
    kid: str,
    jwk_value: dict,
    actor: Actor,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> SigningKey:
    """Register the public half of a key the agency holds itself."""
    _kid_check(agency=agency, kid=kid)
    key = public_jwk_parse(jwk_value)
    valid_from = valid_from or _this_second()
    _window_check(valid_from, valid_until)
    return _key_save(
        key=SigningKey(
            agency=agency,
            kid=kid,
            public_jwk=public_jwk(key, kid=kid),
            valid_from=valid_from,
            valid_until=valid_until,
        ),
        actor=actor,
        action="key.register",
    )


def key_generate(
    *,
    agency: Agency,
    actor: Actor,
    label: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> SigningKey:
    """Generate a custodial key whose private half the hub keeps, encrypted."""
    valid_from = valid_from or _this_second()
    kid = f"{agency.code}/{label or valid_from.strftime('%Y%m%d-%H%M%S-') + secrets.token_hex(2)}"
    _kid_check(agency=agency, kid=kid)
    _window_check(valid_from, valid_until)
    private = ed25519_generate()
    return _key_save(
        key=SigningKey(
            agency=agency,
            kid=kid,
            public_jwk=public_jwk(private, kid=kid),
            valid_from=valid_from,
            valid_until=valid_until,
            encrypted_private_key=private_key_encrypt(private),
        ),
        actor=actor,
        action="key.generate",
    )


def key_revoke(*, key: SigningKey, actor: Actor, revoked_at: datetime | None = None) -> SigningKey:
    """Revoke a key from `revoked_at` on (now by default). Documents signed before stay valid."""
    revoked_at = revoked_at or timezone.now()
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise Conflict(f"Key {key.kid} is already revoked.", code="key_already_revoked")
        key.revoked_at = revoked_at
        key.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor.label,
            agency=key.agency.code,
            action="key.revoke",
            object_type="signing_key",
            object_id=key.kid,
            after={"revoked_at": revoked_at},
        )
    return key


def custodial_key_rotate(*, agency: Agency, actor: Actor) -> tuple[SigningKey, list[SigningKey]]:
    """Generate a new custodial key, then revoke the custodial keys active until now.

    Returns (new key, revoked keys). Documents signed before the revocation keep
    verifying (DESIGN 2: a key is judged at the document's iat); everything the
    hub signs from now on uses the new key. All or nothing.
    """
    with transaction.atomic():
        now = timezone.now()
        old_keys = [
            key
            for key in SigningKey.objects.filter(agency=agency, encrypted_private_key__isnull=False)
            if key.status_at(now) == "active"
        ]
        new_key = key_generate(agency=agency, actor=actor)
        revoked = [key_revoke(key=key, actor=actor) for key in old_keys]
    return new_key, revoked


def custodial_key_for(*, agency: Agency, actor: Actor | None = None) -> tuple[SigningKey, jwk.JWK]:
    """The agency's current custodial key and its private half, created if missing."""
    now = timezone.now()
    candidates = SigningKey.objects.filter(
        agency=agency, encrypted_private_key__isnull=False, valid_from__lte=now
    ).order_by("-valid_from", "-pk")  # keys made in the same second: the newest
    for key in candidates:
        if key.status_at(now) == "active":
            return key, private_key_decrypt(key.encrypted_private_key)
    key = key_generate(agency=agency, actor=actor or Actor.system())
    return key, private_key_decrypt(key.encrypted_private_key)
