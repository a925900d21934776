"""The sanctions register (DESIGN 5): lists, accepted updates, entity state and its history.

The register is built only from accepted sanctions updates (signed JWTs, DESIGN
2.2). `SanctionsUpdate` keeps every accepted token; `SanctionedEntity` holds the
current state of each entity per list; `SanctionsChange` keeps every state
change with the update that caused it, so the history of an entity is complete.
"""

from django.db import models
from django.utils import timezone

from agencies.models import Agency

SCHEMA_CHOICES = [
    (name, name)
    for name in ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")
]


class UpdateOp(models.TextChoices):
    ADD = "ADD"
    MOD = "MOD"
    DEL = "DEL"


class UpdateOutcome(models.TextChoices):
    APPLIED = "applied"  # the register changed
    UNCHANGED = "unchanged"  # valid, but the register already had this state


class SanctionsList(models.Model):
    """A named list (e.g. OFAC-SDN), owned by the sanctions authority that first published it."""

    name = models.CharField(max_length=60, unique=True)
    authority = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sanctions_lists")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(name__regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$"),
                name="sanctions_list_name_format",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SanctionsUpdate(models.Model):
    """One accepted update token, kept exactly as received."""

    sanctions_list = models.ForeignKey(
        SanctionsList, on_delete=models.PROTECT, related_name="updates"
    )
    token = models.TextField()
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    op = models.CharField(max_length=3, choices=UpdateOp.choices)
    entity_id = models.CharField(max_length=200)
    issuer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sanctions_updates")
    kid = models.CharField(max_length=200)
    issued_at = models.DateTimeField(help_text="iat")
    effective = models.DateField()
    outcome = models.CharField(max_length=10, choices=UpdateOutcome.choices)
    batch = models.UUIDField(help_text="the request (or import) that brought it")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["sanctions_list", "entity_id"]),
            models.Index(fields=["batch"]),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.entity_id} ({self.sanctions_list_id})"


class SanctionedEntity(models.Model):
    """Current state of one FtM entity on one list; a delisted entity stays with deleted=True."""

    sanctions_list = models.ForeignKey(
        SanctionsList, on_delete=models.PROTECT, related_name="entities"
    )
    entity_id = models.CharField(max_length=200)
    schema = models.CharField(max_length=20, choices=SCHEMA_CHOICES)
    properties = models.JSONField(default=dict)
    caption = models.CharField(max_length=500)
    # Searchable name fields: every name, alias, weak alias and previous name.
    names = models.JSONField(default=list)
    # Lower-cased, accent-free names joined by "|", for substring search.
    name_text = models.TextField(default="", blank=True)
    countries = models.JSONField(default=list)
    programs = models.JSONField(default=list)
    # "|c:ru|c:by|p:SDGT|": country and program facets as text, for filters that
    # work the same on PostgreSQL and SQLite.
    facet_text = models.TextField(default="", blank=True)
    # OFAC "Linked To: NAME." remarks (read from notes): [{"name", "id"}], id the
    # listed entity of the same list whose name or alias is that name, else null.
    linked_to = models.JSONField(default=list, blank=True)
    first_listed = models.DateField(help_text="effective date of the first ADD")
    last_changed = models.DateField(help_text="effective date of the last change")
    delisted = models.DateField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    last_update = models.ForeignKey(SanctionsUpdate, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sanctions_list", "caption"]
        verbose_name_plural = "sanctioned entities"
        constraints = [
            models.UniqueConstraint(
                fields=["sanctions_list", "entity_id"], name="sanctioned_entity_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(deleted=False, delisted__isnull=True)
                | models.Q(deleted=True, delisted__isnull=False),
                name="sanctioned_entity_deleted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["entity_id"]),
            models.Index(fields=["sanctions_list", "deleted", "schema"]),
            models.Index(fields=["caption"]),
        ]

    def __str__(self) -> str:
        return f"{self.caption} ({self.entity_id})"


class SanctionsChange(models.Model):
    """One state change of an entity: which update, by whom, when, before and after."""

    entity = models.ForeignKey(SanctionedEntity, on_delete=models.CASCADE, related_name="changes")
    update = models.ForeignKey(SanctionsUpdate, on_delete=models.PROTECT, related_name="changes")
    op = models.CharField(max_length=3, choices=UpdateOp.choices)
    issuer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    effective = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    # {"schema", "properties"} of the entity, or null (before an ADD, after a DEL).
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["entity", "id"]
        indexes = [models.Index(fields=["entity", "id"])]

    def __str__(self) -> str:
        return f"{self.op} on {self.effective} by {self.issuer_id}"
