"""Ad-hoc screening of names against the sanctions lists my agency may use."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role
from hub.screening.selectors import lists_visible_to
from hub.screening.services import screen_parties

from ..access import web_view

MAX_NAMES = 200


class ScreenForm(forms.Form):
    names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=f"One name per line, any script; up to {MAX_NAMES}.",
        error_messages={"required": "Give at least one name."},
    )
    schema = forms.ChoiceField(
        choices=[
            ("LegalEntity", "any person or organisation"),
            ("Person", "persons"),
            ("Organization", "organisations"),
            ("Vessel", "vessels"),
        ],
        label="Look for",
    )
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        max_length=2,
        help_text="Optional evidence: ISO 3166-1 alpha-2.",
        error_messages={"invalid": "Two letters, ISO 3166-1 alpha-2."},
    )
    threshold = forms.DecimalField(
        min_value=0,
        max_value=1,
        decimal_places=2,
        initial="0.70",
        help_text="Results at or above this score count as matches.",
    )

    def clean_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]
        if not names:
            raise forms.ValidationError("Give at least one name.")
        if len(names) > MAX_NAMES:
            raise forms.ValidationError(f"At most {MAX_NAMES} names at a time.")
        return names


@web_view(Role.READER)
def screen(request: HttpRequest) -> HttpResponse:
    agency = request.caller.agency
    visible = sorted(lists_visible_to(agency=agency))
    form = ScreenForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        properties_extra = {"country": [data["country"].upper()]} if data["country"] else {}
        queries = {
            str(index): {
                "schema": data["schema"],
                "properties": {"name": [name], **properties_extra},
            }
            for index, name in enumerate(data["names"])
        }
        threshold = float(data["threshold"])
        responses = screen_parties(agency=agency, queries=queries, threshold=threshold, limit=5)
        results = [
            {"name": name, "results": responses[str(index)]["results"]}
            for index, name in enumerate(data["names"])
        ]
    context = {"section": "screen", "form": form, "results": results, "visible": visible}
    if request.headers.get("HX-Request"):
        # htmx swaps only successful answers: the errors come back as a 200 fragment.
        return render(request, "web/sanctions/_screen_results.html", context)
    return render(request, "web/sanctions/screen.html", context, status=400 if form.errors else 200)
