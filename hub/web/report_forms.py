"""The compose and amend forms of a report, and their translation into claims (DESIGN 2.1).

The forms check shape (required fields, formats) so errors show next to the
field; the hub's own schema check (`claims_validate`, the same one the API
uses) then runs on the built claims and its problems are mapped back onto the
fields they name.
"""

import re
from typing import Any

from django import forms

from agencies.errors import Refused
from agencies.models import Agency
from hub.reports.claims import (
    LICENCE_STATUSES,
    PARTY_ROLES,
    PARTY_TYPES,
    TLP_LEVELS,
    TRANSPORT_MODES,
    claims_validate,
)

from .red_flags import BIS_RED_FLAGS

COUNTRY = {"regex": r"^[A-Za-z]{2}$", "max_length": 2}
COUNTRY_ERROR = {"invalid": "Two letters, ISO 3166-1 alpha-2 (e.g. DE)."}
DECIMAL_ERROR = {"invalid": 'A decimal number such as "1250.00".'}


def _choices(values: tuple[str, ...], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(value, value.replace("_", " ")) for value in values]
    return ([("", blank)] if blank is not None else []) + choices


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ReportForm(forms.Form):
    title = forms.CharField(max_length=500)
    tlp = forms.ChoiceField(
        choices=_choices(TLP_LEVELS),
        initial="AMBER",
        label="TLP",
        help_text="RED goes only to the agencies named below.",
    )
    recipients = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Named recipients (TLP RED)",
    )
    activity_start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Activity from"
    )
    activity_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Activity until"
    )
    red_flags = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, code) for code in BIS_RED_FLAGS],
        label="BIS red flags",
    )
    other_red_flags = forms.CharField(
        required=False,
        label="Other red-flag codes",
        help_text="Hub or agency codes, separated by spaces or commas.",
    )
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, originator: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [
            (agency.code, f"{agency.code} · {agency.name}")
            for agency in Agency.objects.exclude(pk=originator.pk)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("activity_start"), cleaned.get("activity_end")
        if end and not start:
            self.add_error("activity_start", "Give a start date when there is an end date.")
        if start and end and end < start:
            self.add_error("activity_end", "Must not be before the start.")
        if cleaned.get("tlp") == "RED" and not cleaned.get("recipients"):
            self.add_error("recipients", "TLP RED needs at least one named recipient.")
        return cleaned


class PartyForm(forms.Form):
    # A blank first choice, so an untouched extra row stays empty and is ignored.
    role = forms.ChoiceField(choices=_choices(PARTY_ROLES, "—"))
    type = forms.ChoiceField(choices=_choices(PARTY_TYPES, "—"))
    name = forms.CharField(max_length=500)
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line."
    )
    identifiers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, as scheme: value (e.g. IMO: 9123456).",
    )
    address = forms.CharField(required=False, max_length=2000)
    country = forms.RegexField(required=False, error_messages=COUNTRY_ERROR, **COUNTRY)

    def clean_identifiers(self) -> list[dict[str, str]]:
        identifiers = []
        for line in _lines(self.cleaned_data.get("identifiers", "")):
            scheme, sep, value = line.partition(":")
            if not sep or not scheme.strip() or not value.strip():
                raise forms.ValidationError(f"{line!r} is not 'scheme: value'.")
            identifiers.append({"scheme": scheme.strip(), "value": value.strip()})
        return identifiers


class GoodsForm(forms.Form):
    description = forms.CharField(max_length=5000)
    hs_code = forms.RegexField(
        regex=r"^[0-9]{6,10}$",
        required=False,
        label="HS code",
        error_messages={"invalid": "6 to 10 digits."},
    )
    control_code = forms.CharField(
        required=False, max_length=60, help_text="ECCN, EU dual-use entry or ML category."
    )
    quantity = forms.RegexField(
        regex=r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$", required=False, error_messages=DECIMAL_ERROR
    )
    unit = forms.CharField(required=False, max_length=40)
    value = forms.RegexField(
        regex=r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$", required=False, error_messages=DECIMAL_ERROR
    )
    currency = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        required=False,
        max_length=3,
        error_messages={"invalid": "Three letters, ISO 4217 (e.g. EUR)."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("value") and not cleaned.get("currency"):
            self.add_error("currency", "Give the currency of the value.")
        return cleaned


class RouteForm(forms.Form):
    origin = forms.RegexField(required=False, error_messages=COUNTRY_ERROR, **COUNTRY)
    transit = forms.CharField(
        required=False, help_text="Countries, separated by spaces or commas (e.g. AE, TR)."
    )
    destination = forms.RegexField(required=False, error_messages=COUNTRY_ERROR, **COUNTRY)
    stated_end_destination = forms.RegexField(
        required=False, error_messages=COUNTRY_ERROR, **COUNTRY
    )
    transport_mode = forms.ChoiceField(required=False, choices=_choices(TRANSPORT_MODES, "—"))

    def clean_transit(self) -> list[str]:
        codes = [
            c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data.get("transit") or "") if c
        ]
        bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
        if bad:
            raise forms.ValidationError(f"Not country codes: {', '.join(bad)}.")
        return codes


class LicenceForm(forms.Form):
    status = forms.ChoiceField(choices=_choices(LICENCE_STATUSES), initial="none")
    number = forms.CharField(required=False, max_length=500)
    authority = forms.CharField(required=False, max_length=500)


class DocumentForm(forms.Form):
    type = forms.CharField(max_length=100, help_text="e.g. invoice, bill of lading.")
    reference = forms.CharField(required=False, max_length=500)


PartyFormSet = forms.formset_factory(PartyForm, extra=1, can_delete=True, max_num=500)
GoodsFormSet = forms.formset_factory(GoodsForm, extra=1, can_delete=True, max_num=500)
DocumentFormSet = forms.formset_factory(DocumentForm, extra=1, can_delete=True, max_num=500)


class ReportComposer:
    """The whole compose page: the report form, its formsets and sub-forms."""

    def __init__(self, data: Any = None, *, originator: Agency, initial: dict | None = None):
        initial = initial or {}
        self.report = ReportForm(data, originator=originator, initial=initial.get("report"))
        self.parties = PartyFormSet(data, prefix="parties", initial=initial.get("parties"))
        self.goods = GoodsFormSet(data, prefix="goods", initial=initial.get("goods"))
        self.route = RouteForm(data, prefix="route", initial=initial.get("route"))
        self.licence = LicenceForm(data, prefix="licence", initial=initial.get("licence"))
        self.documents = DocumentFormSet(data, prefix="documents", initial=initial.get("documents"))

    @property
    def parts(self) -> list[Any]:
        return [self.report, self.parties, self.goods, self.route, self.licence, self.documents]

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.parts])  # every part, for every error

    def has_errors(self) -> bool:
        return any(
            part.errors if not hasattr(part, "total_error_count") else part.total_error_count()
            for part in self.parts
        )

    @staticmethod
    def _rows(formset: Any) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in ReportComposer._kept(formset)]

    @staticmethod
    def _kept(formset: Any) -> list[Any]:
        """The rows that count: filled in (untouched extra rows have no data) and not deleted."""
        return [
            form
            for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]

    def report_claims(self, *, report_id: str, version: int) -> dict[str, Any]:
        """The report object of the claims, from valid forms."""
        data = self.report.cleaned_data
        report: dict[str, Any] = {
            "id": report_id,
            "version": version,
            "title": data["title"],
            "tlp": data["tlp"],
        }
        if data["tlp"] == "RED":
            report["recipients"] = list(data["recipients"])
        if data.get("activity_start"):
            report["activity"] = {"start": data["activity_start"].isoformat()}
            if data.get("activity_end"):
                report["activity"]["end"] = data["activity_end"].isoformat()
        others = [c for c in re.split(r"[\s,;]+", data.get("other_red_flags") or "") if c]
        report["red_flags"] = list(dict.fromkeys([*data["red_flags"], *others]))
        if data.get("narrative", "").strip():
            report["narrative"] = data["narrative"].strip()
        report["parties"] = [self._party(row) for row in self._rows(self.parties)]
        report["goods"] = [self._goods(row) for row in self._rows(self.goods)]
        route = self.route.cleaned_data
        route_claims = {
            key: (value.upper() if isinstance(value, str) else value)
            for key, value in route.items()
            if value
        }
        if route_claims:
            if "transport_mode" in route_claims:
                route_claims["transport_mode"] = route_claims["transport_mode"].lower()
            report["route"] = route_claims
        licence = self.licence.cleaned_data
        if licence.get("status"):
            report["licence"] = {"status": licence["status"]}
            for key in ("number", "authority"):
                if licence.get(key):
                    report["licence"][key] = licence[key]
        documents = []
        for row in self._rows(self.documents):
            document = {"type": row["type"]}
            if row.get("reference"):
                document["reference"] = row["reference"]
            documents.append(document)
        report["documents"] = documents
        return report

    @staticmethod
    def _party(row: dict[str, Any]) -> dict[str, Any]:
        party: dict[str, Any] = {"role": row["role"], "type": row["type"], "name": row["name"]}
        aliases = _lines(row.get("aliases", ""))
        if aliases:
            party["aliases"] = aliases
        if row.get("identifiers"):
            party["identifiers"] = row["identifiers"]
        if row.get("address"):
            party["address"] = row["address"]
        if row.get("country"):
            party["country"] = row["country"].upper()
        return party

    @staticmethod
    def _goods(row: dict[str, Any]) -> dict[str, Any]:
        goods: dict[str, Any] = {"description": row["description"]}
        for key in ("hs_code", "control_code", "quantity", "unit", "value"):
            if row.get(key):
                goods[key] = row[key]
        if row.get("currency"):
            goods["currency"] = row["currency"].upper()
        return goods

    def schema_check(self, claims: dict[str, Any]) -> bool:
        """Run the hub's schema check; put its problems on the fields they name."""
        try:
            claims_validate(claims)
        except Refused as error:
            for path, message in error.details.items():
                self._error_at(path, message)
            return False
        return True

    def _error_at(self, path: str, message: str) -> None:
        match = re.fullmatch(r"report\.(parties|goods|documents)\[(\d+)\]\.(\w+)(?:\[\d+\])?", path)
        if match:
            formset = getattr(self, match.group(1))
            rows = self._kept(formset)
            index = int(match.group(2))
            if index < len(rows):
                field = match.group(3)
                rows[index].add_error(field if field in rows[index].fields else None, message)
                return
        match = re.fullmatch(r"report\.(route|licence)\.(\w+)(?:\[\d+\])?", path)
        if match:
            form = getattr(self, match.group(1))
            form.add_error(match.group(2) if match.group(2) in form.fields else None, message)
            return
        match = re.fullmatch(r"report\.(\w+)", path)
        field = match.group(1) if match else ""
        if field == "activity":
            field = "activity_start"
        self.report.add_error(field if field in self.report.fields else None, f"{path}: {message}")


def composer_initial(report: dict[str, Any]) -> dict[str, Any]:
    """Initial form data from a version's claims, for amending it."""
    bis = [code for code in report.get("red_flags", []) if code in BIS_RED_FLAGS]
    other = [code for code in report.get("red_flags", []) if code not in BIS_RED_FLAGS]
    activity = report.get("activity") or {}
    route = dict(report.get("route") or {})
    route["transit"] = ", ".join(route.get("transit") or [])
    return {
        "report": {
            "title": report.get("title"),
            "tlp": report.get("tlp"),
            "recipients": report.get("recipients", []),
            "activity_start": activity.get("start"),
            "activity_end": activity.get("end"),
            "red_flags": bis,
            "other_red_flags": " ".join(other),
            "narrative": report.get("narrative", ""),
        },
        "parties": [
            {
                **{k: party.get(k, "") for k in ("role", "type", "name", "address", "country")},
                "aliases": "\n".join(party.get("aliases", [])),
                "identifiers": "\n".join(
                    f"{i['scheme']}: {i['value']}" for i in party.get("identifiers", [])
                ),
            }
            for party in report.get("parties", [])
        ],
        "goods": [dict(item) for item in report.get("goods", [])],
        "route": route,
        "licence": dict(report.get("licence") or {}),
        "documents": [dict(document) for document in report.get("documents", [])],
    }
