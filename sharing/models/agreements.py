"""Sharing agreements (DESIGN 3): directional provider -> recipient, modelled on FIRST IEP 2.0."""

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone

from agencies.models import Agency


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class ItemKind(models.TextChoices):
    SAR = "sar"
    SANCTIONS_UPDATE = "sanctions_update"


class Tlp(models.TextChoices):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class Attribution(models.TextChoices):
    MUST = "must"
    MUST_NOT = "must-not"


# FIRST IEP 2.0 enumerations, recorded and shown to the recipient with each item.
class PermittedActions(models.TextChoices):
    NONE = "none"
    CONTACT_FOR_INSTRUCTION = "contact-for-instruction"
    INTERNALLY_VISIBLE = "internally-visible-actions"
    EXTERNALLY_VISIBLE_INDIRECT = "externally-visible-indirect-actions"
    EXTERNALLY_VISIBLE_DIRECT = "externally-visible-direct-actions"


class EncryptInTransit(models.TextChoices):
    MUST = "must"
    MAY = "may"


class AffectedPartyNotifications(models.TextChoices):
    MAY = "may"
    MUST_NOT = "must-not"


# Derived, never stored: an agreement whose valid_until has passed (DESIGN 3).
EFFECTIVE_EXPIRED = "expired"

REDACTION_CLASSES = ("narrative", "person_identity", "organization_identity", "commercial")


class Agreement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements_given")
    recipient = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="agreements_received"
    )
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    kinds = models.JSONField(default=list, help_text="subset of: sar, sanctions_update")
    max_tlp = models.CharField(max_length=20, choices=Tlp.choices, default=Tlp.AMBER)
    withheld = models.JSONField(
        default=list, blank=True, help_text="redaction classes never disclosed"
    )
    # Scope filters; an empty list means "no filter".
    scope_countries = models.JSONField(default=list, blank=True)
    scope_hs_chapters = models.JSONField(default=list, blank=True)
    scope_control_prefixes = models.JSONField(default=list, blank=True)
    scope_red_flags = models.JSONField(default=list, blank=True)
    scope_lists = models.JSONField(default=list, blank=True)
    onward_sharing = models.BooleanField(default=False)
    attribution = models.CharField(
        max_length=10, choices=Attribution.choices, default=Attribution.MUST
    )
    permitted_actions = models.CharField(
        max_length=40, choices=PermittedActions.choices, default=PermittedActions.INTERNALLY_VISIBLE
    )
    encrypt_in_transit = models.CharField(
        max_length=20, choices=EncryptInTransit.choices, default=EncryptInTransit.MUST
    )
    affected_party_notifications = models.CharField(
        max_length=20,
        choices=AffectedPartyNotifications.choices,
        default=AffectedPartyNotifications.MAY,
    )
    legal_basis = models.TextField(blank=True)
    provider_accepted_at = models.DateTimeField(null=True, blank=True)
    recipient_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider__code", "recipient__code", "-created_at"]
        indexes = [models.Index(fields=["provider", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("recipient")),
                name="agreement_provider_is_not_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="agreement_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} -> {self.recipient.code} ({self.status})"

    def effective_status_at(self, moment: datetime) -> str:
        """The stored status, or "expired" once valid_until has passed (terminated stays final)."""
        if (
            self.status != AgreementStatus.TERMINATED
            and self.valid_until is not None
            and moment >= self.valid_until
        ):
            return EFFECTIVE_EXPIRED
        return self.status

    @property
    def effective_status(self) -> str:
        return self.effective_status_at(timezone.now())
