"""Agencies, their people, API tokens, signing keys and the audit chain."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AgencyKind(models.TextChoices):
    CUSTOMS = "customs"
    INTELLIGENCE = "intelligence"
    LICENSING = "licensing"
    FIU = "fiu"
    SANCTIONS_AUTHORITY = "sanctions_authority"
    PARTNER = "partner"


class Role(models.TextChoices):
    HUB_ADMIN = "hub_admin"
    AGENCY_ADMIN = "agency_admin"
    PUBLISHER = "publisher"
    READER = "reader"


# A role includes every role below it: an agency admin may also publish and read.
ROLE_RANK = {Role.READER: 1, Role.PUBLISHER: 2, Role.AGENCY_ADMIN: 3, Role.HUB_ADMIN: 4}


class Agency(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9-]{1,39}$"),
                name="agency_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="agency_country_format"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Membership(models.Model):
    """A person of an agency, with one role there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READER)

    def __str__(self) -> str:
        return f"{self.user} ({self.agency.code}, {self.role})"


class ApiToken(models.Model):
    """A bearer token bound to one agency and one role. Only its hash is kept."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token")
    expires_at = models.DateTimeField(null=True, blank=True)
    allowed_ips = models.JSONField(default=list, blank=True, help_text="CIDRs; empty allows any")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.name} ({self.prefix}…)"


class SigningKey(models.Model):
    """An Ed25519 key of an agency; `kid` is `AGENCY-CODE/label`."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(max_length=120, unique=True)
    public_jwk = models.JSONField()
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Custodial keys: the private key, Fernet-encrypted with CUSTODIAL_KEY_SECRET.
    encrypted_private_key = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__code", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="signing_key_window",
            ),
        ]

    def __str__(self) -> str:
        return self.kid

    @property
    def custodial(self) -> bool:
        return self.encrypted_private_key is not None

    def status_at(self, moment) -> str:
        if self.revoked_at is not None and self.revoked_at <= moment:
            return "revoked"
        if moment < self.valid_from:
            return "not_yet_valid"
        if self.valid_until is not None and moment >= self.valid_until:
            return "expired"
        return "active"


class AuditHead(models.Model):
    """The single row that serialises appends to the audit chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class AuditRecord(models.Model):
    """One link of the hash chain: hash = sha256(prev_hash + canonical record)."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    agency = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["agency", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
