"""Webhook endpoints of agencies and the log of every attempt made to them."""

from django.db import models
from django.utils import timezone

from agencies.models import Agency

from .deliveries import Delivery


class WebhookEndpoint(models.Model):
    """Where the hub POSTs an agency's deliveries. No shared secret: the hub
    signs every request with its Ed25519 key (Standard Webhooks `v1a`)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="event names; empty means every event")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agency__code", "-created_at"]
        constraints = [
            # One active endpoint per agency: a delivery has one place to go.
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(disabled_at__isnull=True),
                name="webhook_one_active_endpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} -> {self.url}"

    @staticmethod
    def takes(events: list[str], event: str) -> bool:
        """Whether an endpoint taking `events` (empty: every event) takes `event`."""
        return not events or event in events

    def wants(self, event: str) -> bool:
        return self.takes(self.events, event)


class WebhookAttempt(models.Model):
    """One HTTP attempt for a delivery, for the UI and for forensics."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.SET_NULL, null=True, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"


class HubSigningKey(models.Model):
    """The hub's own Ed25519 key: signs webhooks, notices and re-issued items.

    The private half is encrypted with the custodial-key secret, like agencies'
    custodial keys. Retired keys stay published so old items still verify.
    """

    kid = models.CharField(max_length=120, unique=True)
    public_jwk = models.JSONField()
    encrypted_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid
