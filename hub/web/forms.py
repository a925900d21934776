"""Forms of the web UI. They validate shape only; the services decide and refuse."""

from django import forms

from agencies.models import AgencyKind, Role


class AgencyCreateForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Z0-9][A-Z0-9-]{1,39}$",
        max_length=40,
        help_text="Upper-case letters, digits and hyphens, e.g. DE-CUSTOMS.",
        error_messages={"invalid": "Use upper-case letters, digits and hyphens (2-40)."},
    )
    name = forms.CharField(max_length=200)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        help_text="ISO 3166-1 alpha-2, e.g. FR.",
        error_messages={"invalid": "Two letters, ISO 3166-1 alpha-2."},
    )
    kind = forms.ChoiceField(choices=AgencyKind.choices)


class KeyGenerateForm(forms.Form):
    label = forms.RegexField(
        regex=r"^[A-Za-z0-9._-]{1,60}$",
        required=False,
        help_text="Optional; the key id becomes AGENCY/label. Default: the date and time.",
        error_messages={"invalid": "Letters, digits, dot, hyphen and underscore only."},
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'feed sync'.")
    role = forms.ChoiceField(choices=Role.choices)
    expires_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional (UTC).",
    )
    allowed_ips = forms.CharField(
        required=False,
        label="Allowed addresses",
        help_text="Optional: addresses or CIDRs separated by spaces or commas.",
    )

    def __init__(self, *args, roles: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            labels = dict(Role.choices)
            self.fields["role"].choices = [(role, labels[role]) for role in roles]

    def clean_allowed_ips(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_ips") or ""
        return [part for part in raw.replace(",", " ").split() if part]


TLP_CHOICES = [("", "any")] + [(t, t) for t in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")]


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "any"),
            ("report", "report"),
            ("retraction", "retraction"),
            ("sanctions_update", "sanctions update"),
        ],
    )
    tlp = forms.ChoiceField(required=False, choices=TLP_CHOICES, label="TLP")
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$", required=False, help_text="Any party or route country."
    )
    hs_chapter = forms.RegexField(regex=r"^[0-9]{2,10}$", required=False, label="HS chapter")
    control_code = forms.CharField(required=False, max_length=60, help_text="Prefix, e.g. 3A001.")
    originator = forms.ChoiceField(required=False, choices=[("", "any")])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, originators: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["originator"].choices = [("", "any")] + [(o, o) for o in originators]


class MemberCreateForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$",
        help_text="e.g. jane@FR-DOUANE",
        error_messages={"invalid": "3-150 letters, digits and @ . + - _ only."},
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, roles: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            labels = dict(Role.choices)
            self.fields["role"].choices = [(role, labels[role]) for role in roles]

    def clean_username(self) -> str:
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken.")
        return username

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password
