"""Continuous screening (DESIGN 5): a hit is one report party matching one listed entity.

A hit is the alert: it is raised once (stored for the web UI and sent as a
`screening.hit` webhook event) when the party first matches, is kept open
while it still matches, and is closed when the entity is delisted, the party
no longer matches, or an amendment removed the party. The unique constraint
on (report, party_key, entity_id) is what makes "never twice for the same
hit" hold even when two workers re-screen at once.
"""

from django.db import models
from django.utils import timezone

from agencies.models import Agency

from .reports import Report


class HitState(models.TextChoices):
    OPEN = "open"
    CLOSED = "closed"


class HitCloseReason(models.TextChoices):
    DELISTED = "delisted"  # the entity left every list the agency screens against
    NO_LONGER_MATCHES = "no_longer_matches"  # the entity or the party changed
    PARTY_REMOVED = "party_removed"  # a later version of the report dropped the party


class ScreeningHit(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="screening_hits")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="screening_hits")
    report_version = models.PositiveIntegerField(help_text="the version last screened")
    # The party's normalised name: its identity across versions of the report.
    party_key = models.CharField(max_length=300)
    party_name = models.CharField(max_length=500)
    party_role = models.CharField(max_length=40, blank=True, default="")
    entity_id = models.CharField(max_length=200)
    caption = models.CharField(max_length=500)
    schema = models.CharField(max_length=40)
    lists = models.JSONField(default=list)
    score = models.FloatField()
    explanation = models.TextField()
    state = models.CharField(max_length=10, choices=HitState.choices, default=HitState.OPEN)
    close_reason = models.CharField(
        max_length=30, choices=HitCloseReason.choices, blank=True, default=""
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    alerts = models.PositiveIntegerField(default=1, help_text="times the alert was raised")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "party_key", "entity_id"], name="screening_hit_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(state="open", closed_at__isnull=True)
                | models.Q(state="closed", closed_at__isnull=False),
                name="screening_hit_closed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                name="screening_hit_score_range",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "-opened_at"]),
            models.Index(fields=["entity_id", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.party_name} ~ {self.entity_id} ({self.state})"
