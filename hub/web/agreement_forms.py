"""The agreement form (DESIGN 3 fields); the service checks values and refuses."""

import re
from typing import Any

from django import forms

from agencies.models import Agency
from sharing.models.agreements import (
    REDACTION_CLASSES,
    AffectedPartyNotifications,
    Attribution,
    EncryptInTransit,
    ItemKind,
    PermittedActions,
    Tlp,
)


def _codes(value: str) -> list[str]:
    return [part.upper() for part in re.split(r"[\s,;]+", value or "") if part]


class AgreementForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Agency.objects.none(), to_field_name="code")
    recipient = forms.ModelChoiceField(queryset=Agency.objects.none(), to_field_name="code")
    kinds = forms.MultipleChoiceField(
        choices=ItemKind.choices, widget=forms.CheckboxSelectMultiple, initial=[ItemKind.SAR]
    )
    max_tlp = forms.ChoiceField(choices=Tlp.choices, initial=Tlp.AMBER, label="TLP ceiling")
    withheld = forms.MultipleChoiceField(
        required=False,
        choices=[(c, c.replace("_", " ")) for c in REDACTION_CLASSES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Redaction classes never disclosed to the recipient.",
    )
    valid_from = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC; empty: now.",
    )
    valid_until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC; empty: open-ended.",
    )
    scope_countries = forms.CharField(required=False, label="Countries", help_text="e.g. AE IR RU")
    scope_hs_chapters = forms.CharField(required=False, label="HS chapters", help_text="e.g. 84 85")
    scope_control_prefixes = forms.CharField(
        required=False, label="Control-code prefixes", help_text="e.g. 3A 5A002"
    )
    scope_red_flags = forms.CharField(required=False, label="Red-flag codes")
    scope_lists = forms.CharField(
        required=False, label="Sanctions lists", help_text="e.g. OFAC-SDN"
    )
    onward_sharing = forms.BooleanField(required=False, label="Recipient may share onward")
    attribution = forms.ChoiceField(
        choices=[
            (Attribution.MUST, "must name the provider"),
            (Attribution.MUST_NOT, "must not name the provider (the hub re-signs)"),
        ],
    )
    permitted_actions = forms.ChoiceField(
        choices=[(v, v.replace("-", " ")) for v in PermittedActions.values],
        initial=PermittedActions.INTERNALLY_VISIBLE,
    )
    encrypt_in_transit = forms.ChoiceField(choices=EncryptInTransit.choices)
    affected_party_notifications = forms.ChoiceField(choices=AffectedPartyNotifications.choices)
    legal_basis = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The MoU or treaty reference.",
    )
    activate = forms.BooleanField(
        required=False,
        label="Active at once (hub admin)",
        help_text="Otherwise it is proposed until both parties accept.",
    )

    def __init__(self, *args: Any, hub_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Agency.objects.all()
        self.fields["recipient"].queryset = Agency.objects.all()
        if not hub_admin:
            del self.fields["activate"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "provider": data["provider"],
            "recipient": data["recipient"],
            "kinds": data["kinds"],
            "max_tlp": data["max_tlp"],
            "withheld": data["withheld"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "scope_countries": _codes(data["scope_countries"]),
            "scope_hs_chapters": _codes(data["scope_hs_chapters"]),
            "scope_control_prefixes": _codes(data["scope_control_prefixes"]),
            "scope_red_flags": _codes(data["scope_red_flags"]),
            "scope_lists": _codes(data["scope_lists"]),
            "onward_sharing": data["onward_sharing"],
            "attribution": data["attribution"],
            "permitted_actions": data["permitted_actions"],
            "encrypt_in_transit": data["encrypt_in_transit"],
            "affected_party_notifications": data["affected_party_notifications"],
            "legal_basis": data["legal_basis"],
        }
