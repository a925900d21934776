"""The report's claims schema (DESIGN 2.1), checked on the fully disclosed claims.

`claims_validate` collects every problem as `{path: message}` and raises one
422 `schema_violation` (or `float_not_allowed` when a number that must be a
decimal string arrived as a JSON float). `report_facts` then extracts what the
sharing policy and queries need.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pycountry

from agencies.errors import Refused

TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
PARTY_ROLES = (
    "exporter",
    "consignee",
    "end_user",
    "intermediate_consignee",
    "forwarder",
    "broker",
    "carrier",
    "financier",
    "other",
)
PARTY_TYPES = ("person", "organization", "vessel")
LICENCE_STATUSES = ("none", "applied", "granted", "denied", "revoked")
# Modes of transport, after UN/ECE Recommendation 19 (plus courier and unknown): the
# web form offers these. DESIGN 2.1 fixes no list, so a partner's own wording is accepted.
TRANSPORT_MODES = (
    "sea",
    "air",
    "road",
    "rail",
    "inland_waterway",
    "post",
    "courier",
    "pipeline",
    "multimodal",
    "unknown",
)

# ISO 3166-1 alpha-2, plus XK (Kosovo), the user-assigned code the EU and customs use.
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}
CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)

REPORT_FIELDS = {
    "id",
    "version",
    "title",
    "tlp",
    "recipients",
    "activity",
    "red_flags",
    "narrative",
    "parties",
    "goods",
    "route",
    "licence",
    "documents",
}
PARTY_FIELDS = {"role", "type", "name", "aliases", "identifiers", "address", "country"}
GOODS_FIELDS = {
    "description",
    "hs_code",
    "control_code",
    "quantity",
    "unit",
    "value",
    "currency",
}
ROUTE_FIELDS = {"origin", "transit", "destination", "stated_end_destination", "transport_mode"}
LICENCE_FIELDS = {"number", "authority", "status"}
DOCUMENT_FIELDS = {"type", "reference"}
# Registered JWT claims an issuer may add next to ours.
TOP_LEVEL_FIELDS = {"iss", "iat", "kind", "report", "exp", "nbf", "jti", "sub", "aud"}

UUID_PATTERN = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
DECIMAL_PATTERN = re.compile(r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$")
# A heading (4 digits) to a national tariff line (10), dots allowed as customs
# writes them ("8457.10"); DESIGN 2.1 only relies on the first 2 digits (the chapter).
HS_CODE_PATTERN = re.compile(r"^[0-9]{2}(\.?[0-9]){2,8}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
AGENCY_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
RED_FLAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,59}$")

MAX_TEXT = 100_000
MAX_SHORT_TEXT = 500
MAX_ITEMS = 500


@dataclass(frozen=True)
class ReportFacts:
    """What the sharing policy and the queries need from a report's claims."""

    report_id: uuid.UUID
    version: int
    title: str
    tlp: str
    countries: tuple[str, ...]
    hs_chapters: tuple[str, ...]
    control_codes: tuple[str, ...]
    red_flags: tuple[str, ...]
    red_recipients: tuple[str, ...]


class _Problems:
    """Collects problems by path; remembers whether any was a float."""

    def __init__(self) -> None:
        self.by_path: dict[str, str] = {}
        self.float_seen = False

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(problems: _Problems, value: Any, path: str, *, limit: int = MAX_SHORT_TEXT) -> bool:
    if not isinstance(value, str):
        problems.add(path, "must be a string")
        return False
    if not value.strip():
        problems.add(path, "must not be empty")
        return False
    if len(value) > limit:
        problems.add(path, f"must be at most {limit} characters")
        return False
    return True


def _choice(problems: _Problems, value: Any, path: str, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        problems.add(path, f"must be one of {', '.join(choices)}")


def _country(problems: _Problems, value: Any, path: str) -> None:
    if not isinstance(value, str) or value not in COUNTRY_CODES:
        problems.add(path, "must be an ISO 3166-1 alpha-2 country code (upper case)")


def _iso_date(problems: _Problems, value: Any, path: str) -> date | None:
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        problems.add(path, "must be an ISO 8601 date (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.add(path, "is not a valid calendar date")
        return None


def _decimal(problems: _Problems, value: Any, path: str) -> None:
    if isinstance(value, float):
        problems.float_seen = True
        problems.add(path, 'must be a decimal string such as "1250.00", not a JSON number')
    elif not isinstance(value, str):
        problems.add(path, 'must be a decimal string such as "1250.00"')
    elif not DECIMAL_PATTERN.match(value):
        problems.add(path, 'must be a non-negative decimal string such as "1250.00"')


def _object(
    problems: _Problems, value: Any, path: str, allowed: set[str], required: tuple[str, ...] = ()
) -> bool:
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return False
    for key in sorted(set(value) - allowed):
        problems.add(f"{path}.{key}", "is not a field of this object")
    for key in required:
        if key not in value:
            problems.add(f"{path}.{key}", "is required")
    return True


def _list(problems: _Problems, value: Any, path: str, *, limit: int = MAX_ITEMS) -> bool:
    if not isinstance(value, list):
        problems.add(path, "must be a list")
        return False
    if len(value) > limit:
        problems.add(path, f"must have at most {limit} entries")
        return False
    return True


def _scalars_anywhere(problems: _Problems, value: Any, path: str) -> None:
    """Every number in a report is an integer (amounts and quantities are decimal
    strings), and no text holds a NUL character (PostgreSQL cannot store one)."""
    if isinstance(value, float):
        problems.float_seen = True
        problems.add(path, "floats are not allowed; send decimal strings")
    elif isinstance(value, str):
        if "\x00" in value:
            problems.add(path, "must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                problems.add(path, "keys must not contain NUL characters")
            _scalars_anywhere(problems, item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scalars_anywhere(problems, item, f"{path}[{index}]")


def _party(problems: _Problems, party: Any, path: str) -> None:
    if not _object(problems, party, path, PARTY_FIELDS, ("role", "type", "name")):
        return
    if "role" in party:
        _choice(problems, party["role"], f"{path}.role", PARTY_ROLES)
    if "type" in party:
        _choice(problems, party["type"], f"{path}.type", PARTY_TYPES)
    if "name" in party:
        _text(problems, party["name"], f"{path}.name")
    if "aliases" in party and _list(problems, party["aliases"], f"{path}.aliases"):
        for index, alias in enumerate(party["aliases"]):
            _text(problems, alias, f"{path}.aliases[{index}]")
    if "identifiers" in party and _list(problems, party["identifiers"], f"{path}.identifiers"):
        for index, identifier in enumerate(party["identifiers"]):
            where = f"{path}.identifiers[{index}]"
            if _object(problems, identifier, where, {"scheme", "value"}, ("scheme", "value")):
                if "scheme" in identifier:
                    _text(problems, identifier["scheme"], f"{where}.scheme")
                if "value" in identifier:
                    _text(problems, identifier["value"], f"{where}.value")
    address = party.get("address")
    if isinstance(address, dict):
        # A structured address (street, city, postal code ...): strings only.
        for key, line in address.items():
            if line is not None:
                _text(problems, line, f"{path}.address.{key}")
    elif address is not None:
        _text(problems, address, f"{path}.address", limit=2000)
    if "country" in party and party["country"] is not None:
        _country(problems, party["country"], f"{path}.country")


def _goods(problems: _Problems, goods: Any, path: str) -> None:
    if not _object(problems, goods, path, GOODS_FIELDS, ("description",)):
        return
    if "description" in goods:
        _text(problems, goods["description"], f"{path}.description", limit=5000)
    if "hs_code" in goods and goods["hs_code"] is not None:
        hs_code = goods["hs_code"]
        if not isinstance(hs_code, str) or not HS_CODE_PATTERN.match(hs_code):
            problems.add(f"{path}.hs_code", "must be an HS code of 4 to 10 digits")
    if goods.get("control_code") is not None:
        _text(problems, goods["control_code"], f"{path}.control_code", limit=60)
    for field in ("quantity", "value"):
        if field in goods and goods[field] is not None:
            _decimal(problems, goods[field], f"{path}.{field}")
    if goods.get("unit") is not None:
        _text(problems, goods["unit"], f"{path}.unit", limit=40)
    if goods.get("currency") is not None:
        if not isinstance(goods["currency"], str) or goods["currency"] not in CURRENCY_CODES:
            problems.add(f"{path}.currency", "must be an ISO 4217 currency code")
    elif goods.get("value") is not None:
        problems.add(f"{path}.currency", "is required when value is given")


def _route(problems: _Problems, route: Any, path: str) -> None:
    if not _object(problems, route, path, ROUTE_FIELDS):
        return
    for field in ("origin", "destination", "stated_end_destination"):
        if route.get(field) is not None:
            _country(problems, route[field], f"{path}.{field}")
    if "transit" in route and _list(problems, route["transit"], f"{path}.transit"):
        for index, country in enumerate(route["transit"]):
            _country(problems, country, f"{path}.transit[{index}]")
    if route.get("transport_mode") is not None:
        _text(problems, route["transport_mode"], f"{path}.transport_mode")


def _licence(problems: _Problems, licence: Any, path: str) -> None:
    if not _object(problems, licence, path, LICENCE_FIELDS, ("status",)):
        return
    if "status" in licence:
        _choice(problems, licence["status"], f"{path}.status", LICENCE_STATUSES)
    for field in ("number", "authority"):
        if licence.get(field) is not None:
            _text(problems, licence[field], f"{path}.{field}")


def _report(problems: _Problems, report: dict[str, Any]) -> None:
    path = "report"
    if "id" in report and (
        not isinstance(report["id"], str) or not UUID_PATTERN.match(report["id"])
    ):
        problems.add(f"{path}.id", "must be a UUID")
    if "version" in report:
        version = report["version"]
        if not _is_int(version) or version < 1:
            problems.add(f"{path}.version", "must be an integer >= 1")
    if "title" in report:
        _text(problems, report["title"], f"{path}.title")
    if "tlp" in report:
        _choice(problems, report["tlp"], f"{path}.tlp", TLP_LEVELS)
    # recipients matter only for RED (DESIGN 2.1: "ignored otherwise").
    recipients = report.get("recipients")
    if report.get("tlp") == "RED":
        if not recipients:
            problems.add(
                f"{path}.recipients", "is required for TLP RED: name the recipient agencies"
            )
        elif _list(problems, recipients, f"{path}.recipients"):
            for index, code in enumerate(recipients):
                if not isinstance(code, str) or not AGENCY_CODE_PATTERN.match(code):
                    problems.add(f"{path}.recipients[{index}]", "must be an agency code")
    if "activity" in report and report["activity"] is not None:
        activity = report["activity"]
        where = f"{path}.activity"
        if _object(problems, activity, where, {"start", "end"}, ("start",)):
            start = (
                _iso_date(problems, activity["start"], f"{where}.start")
                if "start" in activity
                else None
            )
            end = None
            if activity.get("end") is not None:
                end = _iso_date(problems, activity["end"], f"{where}.end")
            if start and end and end < start:
                problems.add(f"{where}.end", "must not be before start")
    if "red_flags" in report and _list(problems, report["red_flags"], f"{path}.red_flags"):
        for index, code in enumerate(report["red_flags"]):
            if not isinstance(code, str) or not RED_FLAG_PATTERN.match(code):
                problems.add(
                    f"{path}.red_flags[{index}]", "must be a red-flag code such as BIS-RF-5"
                )
    if "narrative" in report and report["narrative"] is not None:
        _text(problems, report["narrative"], f"{path}.narrative", limit=MAX_TEXT)
    if "parties" in report and _list(problems, report["parties"], f"{path}.parties"):
        for index, party in enumerate(report["parties"]):
            _party(problems, party, f"{path}.parties[{index}]")
    if "goods" in report and _list(problems, report["goods"], f"{path}.goods"):
        for index, goods in enumerate(report["goods"]):
            _goods(problems, goods, f"{path}.goods[{index}]")
    if "route" in report and report["route"] is not None:
        _route(problems, report["route"], f"{path}.route")
    if "licence" in report and report["licence"] is not None:
        _licence(problems, report["licence"], f"{path}.licence")
    if "documents" in report and _list(problems, report["documents"], f"{path}.documents"):
        for index, document in enumerate(report["documents"]):
            where = f"{path}.documents[{index}]"
            if _object(problems, document, where, DOCUMENT_FIELDS, ("type",)):
                if "type" in document:
                    _text(problems, document["type"], f"{where}.type", limit=100)
                if document.get("reference") is not None:
                    _text(problems, document["reference"], f"{where}.reference")


def claims_validate(claims: dict[str, Any]) -> None:
    """Refuse (422) claims that do not follow DESIGN 2.1, naming every problem by path."""
    problems = _Problems()
    _scalars_anywhere(problems, claims, "$")
    if _object(problems, claims, "$", TOP_LEVEL_FIELDS, ("iss", "iat", "kind", "report")):
        if "kind" in claims and claims["kind"] != "sar":
            problems.add("kind", 'must be "sar"')
        if "iat" in claims and not _is_int(claims["iat"]):
            problems.add("iat", "must be an integer (unix seconds)")
        report = claims.get("report")
        if "report" in claims and _object(
            problems, report, "report", REPORT_FIELDS, ("id", "version", "title", "tlp")
        ):
            _report(problems, report)
    if problems.by_path:
        # Paths of the whole claims object read better without the "$." root.
        details = {
            path.removeprefix("$."): message for path, message in sorted(problems.by_path.items())
        }
        if problems.float_seen:
            raise Refused(
                "Money, quantities and every non-integer number must be decimal strings.",
                code="float_not_allowed",
                details=details,
            )
        raise Refused(
            "The report's claims do not follow the schema.",
            code="schema_violation",
            details=details,
        )


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def report_facts(claims: dict[str, Any]) -> ReportFacts:
    """The facts of validated claims: the policy's scope inputs and the list columns."""
    report = claims["report"]
    countries = [party["country"] for party in report.get("parties", []) if party.get("country")]
    route = report.get("route") or {}
    countries += [
        route[field]
        for field in ("origin", "destination", "stated_end_destination")
        if route.get(field)
    ]
    countries += list(route.get("transit") or [])
    goods = report.get("goods") or []
    return ReportFacts(
        report_id=uuid.UUID(report["id"]),
        version=report["version"],
        title=report["title"],
        tlp=report["tlp"],
        countries=_unique(countries),
        hs_chapters=_unique([item["hs_code"][:2] for item in goods if item.get("hs_code")]),
        control_codes=_unique([item["control_code"] for item in goods if item.get("control_code")]),
        red_flags=_unique(list(report.get("red_flags") or [])),
        red_recipients=_unique(list(report.get("recipients") or []))
        if report["tlp"] == "RED"
        else (),
    )
