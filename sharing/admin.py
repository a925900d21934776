"""Django admin for sharing agreements.

Every change goes through the agreement services, so it is validated and
audited exactly as over the API: an agreement is created with the service, its
terms are read-only afterwards, and the lifecycle runs through admin actions.
Admin users act like a hub admin (they may create an agreement directly active,
and "activate" accepts for both parties).
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agencies.errors import CordonError
from agencies.services import Actor
from sharing.models.agreements import (
    REDACTION_CLASSES,
    Agreement,
    AgreementStatus,
    ItemKind,
)
from sharing.services.agreements import (
    agreement_accept,
    agreement_create,
    agreement_problems,
    agreement_suspend,
    agreement_terminate,
)

SCOPE_FIELDS = [
    "scope_countries",
    "scope_hs_chapters",
    "scope_control_prefixes",
    "scope_red_flags",
    "scope_lists",
]
TERM_FIELDS = [
    "valid_from",
    "valid_until",
    "kinds",
    "max_tlp",
    "withheld",
    *SCOPE_FIELDS,
    "onward_sharing",
    "attribution",
    "permitted_actions",
    "encrypt_in_transit",
    "affected_party_notifications",
    "legal_basis",
]


def admin_actor(request: HttpRequest) -> Actor:
    membership = getattr(request.user, "membership", None)
    agency = membership.agency.code if membership is not None else ""
    return Actor(label=f"admin:{request.user.get_username()}", agency=agency)


class CommaSeparatedField(forms.CharField):
    """A list of codes typed as "IR, RU"; an empty box is an empty list (no filter)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class AgreementCreateForm(forms.ModelForm):
    status = forms.ChoiceField(
        choices=[(AgreementStatus.PROPOSED, "proposed"), (AgreementStatus.ACTIVE, "active")],
        initial=AgreementStatus.PROPOSED,
    )
    kinds = forms.MultipleChoiceField(
        choices=ItemKind.choices, initial=[ItemKind.SAR], widget=forms.CheckboxSelectMultiple
    )
    withheld = forms.MultipleChoiceField(
        choices=[(c, c) for c in REDACTION_CLASSES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_countries = CommaSeparatedField(required=False, help_text="e.g. IR, RU")
    scope_hs_chapters = CommaSeparatedField(required=False, help_text="e.g. 84, 85")
    scope_control_prefixes = CommaSeparatedField(required=False, help_text="e.g. 3A, ML")
    scope_red_flags = CommaSeparatedField(required=False, help_text="e.g. BIS-RF-5")
    scope_lists = CommaSeparatedField(required=False, help_text="e.g. OFAC-SDN")
    valid_from = forms.DateTimeField(required=False, help_text="empty: now")

    class Meta:
        model = Agreement
        fields = ["provider", "recipient", "status", *TERM_FIELDS]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        terms = {name: cleaned.get(name) for name in TERM_FIELDS}
        terms["valid_from"] = terms["valid_from"] or timezone.now()
        terms["legal_basis"] = terms["legal_basis"] or ""
        problems = agreement_problems(
            provider=cleaned["provider"],
            recipient=cleaned["recipient"],
            status=cleaned["status"],
            accepted_by=None,
            terms=terms,
            now=timezone.now(),
        )
        for field, messages_ in problems.items():
            name = field.replace("scope.", "scope_")
            target = name if name in self.fields else None
            for message in messages_:
                self.add_error(target, f"{field}: {message}" if target is None else message)
        return cleaned


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "provider",
        "recipient",
        "status",
        "effective_status",
        "kinds_shown",
        "max_tlp",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["status", "max_tlp", "attribution", "provider", "recipient"]
    search_fields = ["provider__code", "recipient__code", "legal_basis"]
    list_select_related = ["provider", "recipient"]
    date_hierarchy = "valid_from"
    actions = ["activate", "suspend", "terminate"]

    @admin.display(description="kinds")
    def kinds_shown(self, agreement: Agreement) -> str:
        return ", ".join(agreement.kinds)

    @admin.display(description="effective status")
    def effective_status(self, agreement: Agreement) -> str:
        return agreement.effective_status

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AgreementCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return []
        # Terms are fixed once created: a changed agreement is a new agreement.
        return [
            "provider",
            "recipient",
            "status",
            *TERM_FIELDS,
            "provider_accepted_at",
            "recipient_accepted_at",
            "created_at",
            "updated_at",
        ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deliveries refer to agreements; terminate instead

    def save_model(self, request, obj: Agreement, form, change: bool) -> None:
        if change:
            return  # nothing is editable; lifecycle changes go through the actions
        data = form.cleaned_data
        created = agreement_create(
            provider=data["provider"],
            recipient=data["recipient"],
            actor=admin_actor(request),
            status=data["status"],
            **{name: data[name] for name in TERM_FIELDS if data.get(name) is not None},
        )
        # The admin logs and redirects to `obj` afterwards: give it the stored row's identity.
        obj.pk = created.pk
        obj._state.adding = False

    def _each(self, request, queryset: QuerySet[Agreement], verb: str, change) -> None:
        done = 0
        for agreement in queryset.select_related("provider", "recipient"):
            try:
                change(agreement)
                done += 1
            except CordonError as error:
                self.message_user(request, f"{agreement}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done} agreement(s).", messages.SUCCESS)

    @admin.action(description="Activate (accept for both parties)")
    def activate(self, request, queryset: QuerySet[Agreement]) -> None:
        actor = admin_actor(request)
        self._each(
            request,
            queryset,
            "Activated",
            lambda a: agreement_accept(agreement=a, party=None, actor=actor),
        )

    @admin.action(description="Suspend (cancels pending deliveries)")
    def suspend(self, request, queryset: QuerySet[Agreement]) -> None:
        actor = admin_actor(request)
        self._each(
            request,
            queryset,
            "Suspended",
            lambda a: agreement_suspend(agreement=a, actor=actor, reason="suspended in admin"),
        )

    @admin.action(description="Terminate (final; cancels pending deliveries)")
    def terminate(self, request, queryset: QuerySet[Agreement]) -> None:
        actor = admin_actor(request)
        self._each(
            request,
            queryset,
            "Terminated",
            lambda a: agreement_terminate(agreement=a, actor=actor, reason="terminated in admin"),
        )
