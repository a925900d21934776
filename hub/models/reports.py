"""Signed suspicious-activity reports (DESIGN 2.1), their versions and retractions (2.2).

Each accepted SD-JWT is kept byte for byte in a ReportVersion, next to the
fully disclosed claims and the facts the sharing policy and queries need.
`Report` is the stable identity (the `report.id` claim) and points at the
latest version.
"""

from django.db import models
from django.utils import timezone

from agencies.models import Agency, SigningKey
from sharing.models import Tlp


class ReportStatus(models.TextChoices):
    ACTIVE = "active"
    RETRACTED = "retracted"


class Report(models.Model):
    # The report's own UUID from its claims, stable across versions.
    id = models.UUIDField(primary_key=True, editable=False)
    originator = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="reports")
    current_version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.ACTIVE
    )
    title = models.CharField(max_length=500)
    tlp = models.CharField(max_length=20, choices=Tlp.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The latest version whose parties were screened (0: none yet). A report is
    # due for screening while this is behind current_version (hub.screening).
    screened_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [
            models.Index(fields=["originator", "-updated_at"]),
            models.Index(
                fields=["updated_at"],
                name="report_screening_due",
                condition=models.Q(screened_version__lt=models.F("current_version"))
                & models.Q(status=ReportStatus.ACTIVE),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current_version__gte=1), name="report_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_known"
            ),
            models.CheckConstraint(condition=models.Q(tlp__in=Tlp.values), name="report_tlp_known"),
        ]

    def __str__(self) -> str:
        return f"{self.id} v{self.current_version} ({self.originator_id})"


class ReportVersion(models.Model):
    """One accepted version: the SD-JWT as received, and what it says."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    # The SD-JWT exactly as the issuer sent it (issuer JWT, every disclosure, trailing "~").
    token = models.TextField()
    claims = models.JSONField(help_text="the claims with every disclosure applied")
    issued_at = models.DateTimeField(help_text="iat")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(max_length=120)
    title = models.CharField(max_length=500)
    tlp = models.CharField(max_length=20, choices=Tlp.choices)
    # Facts for queries and for the sharing policy (DESIGN 3 scope filters).
    countries = models.JSONField(default=list, help_text="ISO codes of every party and route")
    hs_chapters = models.JSONField(default=list, help_text="first two digits of each hs_code")
    control_codes = models.JSONField(default=list)
    red_flags = models.JSONField(default=list)
    red_recipients = models.JSONField(default=list, help_text="agency codes named for TLP RED")
    # [{"encoded", "path", "redaction_class"}] in the order of the token.
    disclosures = models.JSONField(default=list)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.CharField(max_length=200, help_text="the actor that published it")

    class Meta:
        ordering = ["report", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_version_unique"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="report_version_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(tlp__in=Tlp.values), name="report_version_tlp_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.version}"

    @property
    def issuer_jwt(self) -> str:
        """The issuer-signed JWT: the part of the SD-JWT before the first "~"."""
        return self.token.split("~", 1)[0]


class Retraction(models.Model):
    """The originator's signed retraction of a report (DESIGN 2.2); at most one per report."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="retraction")
    version = models.PositiveIntegerField(help_text="the version current when retracted")
    token = models.TextField(help_text="the retraction JWT exactly as received")
    reason = models.TextField()
    issued_at = models.DateTimeField(help_text="iat")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    received_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="retraction_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"retraction of {self.report_id} v{self.version}"
