"""The outbox: one Delivery per (item, recipient), the exact bytes it was given.

The database is the source of truth for every delivery (DESIGN 4): the broker
only carries "look at delivery N" hints, and a sweeper re-enqueues whatever is
due, so a lost message, a killed worker or a flushed Redis loses nothing.
"What did partner X receive, and when" is one query:
`Delivery.objects.filter(recipient=x).exclude(seq=None).order_by("seq")`.
"""

import uuid

from django.db import models
from django.utils import timezone

from agencies.models import Agency

from .agreements import Agreement


def webhook_id_new() -> str:
    return f"msg_{uuid.uuid4().hex}"


class DeliveryState(models.TextChoices):
    PENDING = "pending"  # waiting for its (first or next) webhook attempt
    IN_FLIGHT = "in_flight"  # claimed by a worker, request under way
    DELIVERED = "delivered"  # acknowledged by the webhook, or in the feed when there is none
    FAILED = "failed"  # last attempt failed, another one is due at next_attempt_at
    DEAD = "dead"  # retry schedule exhausted, or the endpoint is gone
    CANCELLED = "cancelled"  # agreement suspended/terminated before delivery


# States in which a delivery still waits for a webhook attempt.
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


class FeedCounter(models.Model):
    """Per-recipient feed sequence. Publishing locks this row to assign `seq`.

    The lock is held until the publishing transaction commits, so sequence
    numbers of one recipient commit in order: a reader that sees seq N has
    already seen, or can still see, every seq below N (none commits late).
    """

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, primary_key=True, related_name="feed_counter"
    )
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.agency_id} feed at {self.last_seq}"


class Delivery(models.Model):
    recipient = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="deliveries")
    # Null for hub notices not governed by an agreement (screening.hit).
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    originator = models.CharField(max_length=40)
    item_type = models.CharField(max_length=20)  # report | retraction | sanctions_update | event
    item_id = models.CharField(max_length=200)
    item_version = models.PositiveIntegerField(default=1)
    event = models.CharField(max_length=40)
    # Exactly what the recipient is given: an SD-JWT presentation (issuer JWT,
    # allowed disclosures, trailing "~") or a JWT. Empty for webhook-only events.
    token = models.TextField(blank=True)
    # Webhook-only events carry their data here instead of a token.
    payload = models.JSONField(null=True, blank=True)
    withheld_classes = models.JSONField(default=list, blank=True)
    # True when the hub re-issued the token under its own key (attribution must-not).
    reissued = models.BooleanField(default=False)
    # Position in the recipient's feed; null for webhook-only events.
    seq = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    webhook_id = models.CharField(max_length=40, unique=True, default=webhook_id_new)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recipient_id", "seq"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "seq"], name="delivery_feed_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["item_id", "recipient"], name="delivery_item"),
            models.Index(fields=["agreement", "state"], name="delivery_agreement_state"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.item_id} v{self.item_version} -> {self.recipient_id} ({self.state})"
