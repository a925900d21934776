"""The report claims schema (DESIGN 2.1) and the facts taken from it. Pure, no database."""

import copy
import uuid

import pytest

from agencies.errors import Refused
from hub.reports.claims import claims_validate, report_facts
from tests.hub.reports.conftest import report_claims


def claims_of(report: dict) -> dict:
    return {"iss": "DE-CUSTOMS", "iat": 1_780_000_000, "kind": "sar", "report": report}


def problems(report: dict, **top: object) -> tuple[str, dict]:
    with pytest.raises(Refused) as caught:
        claims_validate({**claims_of(report), **top})
    return caught.value.code, caught.value.details


def test_realistic_report_is_valid():
    claims_validate(claims_of(report_claims()))


def test_minimal_report_is_valid():
    claims_validate(
        claims_of({"id": str(uuid.uuid4()), "version": 1, "title": "t", "tlp": "CLEAR"})
    )


@pytest.mark.parametrize("field", ["id", "version", "title", "tlp"])
def test_required_report_fields(field):
    report = report_claims()
    del report[field]

    code, details = problems(report)

    assert code == "schema_violation"
    assert details == {f"report.{field}": "is required"}


@pytest.mark.parametrize("field", ["iss", "iat", "kind", "report"])
def test_required_top_level_claims(field):
    claims = claims_of(report_claims())
    del claims[field]

    with pytest.raises(Refused) as caught:
        claims_validate(claims)

    assert field in caught.value.details


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("id",), "not-a-uuid", "report.id"),
        (("version",), 0, "report.version"),
        (("version",), True, "report.version"),
        (("version",), "2", "report.version"),
        (("tlp",), "amber", "report.tlp"),
        (("tlp",), "WHITE", "report.tlp"),
        (("activity", "start"), "02/03/2026", "report.activity.start"),
        (("activity", "end"), "2026-02-30", "report.activity.end"),
        (("activity", "end"), "2026-01-01", "report.activity.end"),
        (("red_flags", 0), "", "report.red_flags[0]"),
        (("parties", 0, "role"), "smuggler", "report.parties[0].role"),
        (("parties", 0, "type"), "company", "report.parties[0].type"),
        (("parties", 0, "country"), "de", "report.parties[0].country"),
        (("parties", 0, "country"), "UK", "report.parties[0].country"),
        (
            ("parties", 0, "identifiers", 0),
            {"scheme": "EORI"},
            "report.parties[0].identifiers[0].value",
        ),
        (("goods", 0, "hs_code"), "84", "report.goods[0].hs_code"),
        (("goods", 0, "hs_code"), 845710, "report.goods[0].hs_code"),
        (("goods", 0, "hs_code"), "8457-10", "report.goods[0].hs_code"),
        (("goods", 0, "value"), 1840000, "report.goods[0].value"),
        (("goods", 0, "value"), "1,840,000", "report.goods[0].value"),
        (("goods", 0, "value"), "-5", "report.goods[0].value"),
        (("goods", 0, "quantity"), "three", "report.goods[0].quantity"),
        (("goods", 0, "currency"), "XYZ", "report.goods[0].currency"),
        (("route", "transit", 1), "Turkey", "report.route.transit[1]"),
        (("route", "transport_mode"), "", "report.route.transport_mode"),
        (("route", "transport_mode"), 3, "report.route.transport_mode"),
        (("licence", "status"), "pending", "report.licence.status"),
        (("documents", 0, "type"), "", "report.documents[0].type"),
        (("goods", 0, "colour"), "red", "report.goods[0].colour"),
    ],
)
def test_schema_violation_names_the_path(path, value, where):
    report = report_claims()
    target = report
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value

    code, details = problems(report)

    assert code == "schema_violation"
    assert list(details) == [where]


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("goods", 1, "value"), "report.goods[1].value"),
        (("goods", 1, "quantity"), "report.goods[1].quantity"),
        (("route", "distance_km"), "report.route.distance_km"),
    ],
)
def test_floats_are_refused_anywhere(path, where):
    report = report_claims()
    target = report
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = 12.5

    code, details = problems(report)

    assert code == "float_not_allowed"
    assert where in details


def test_red_needs_recipients_and_other_levels_ignore_them():
    code, details = problems(report_claims(tlp="RED"))
    assert (code, list(details)) == ("schema_violation", ["report.recipients"])
    claims_validate(claims_of(report_claims(tlp="RED", recipients=["FR-DOUANE"])))
    claims_validate(claims_of(report_claims(tlp="GREEN", recipients=["FR-DOUANE"])))


def test_kind_must_be_sar():
    code, details = problems(report_claims(), kind="retraction")
    assert code == "schema_violation"

    assert details == {"kind": 'must be "sar"'}


def test_every_problem_is_reported_at_once():
    report = report_claims(tlp="PURPLE", version=0)
    report["goods"][0]["currency"] = "EURO"

    _, details = problems(report)

    assert set(details) == {"report.tlp", "report.version", "report.goods[0].currency"}


def test_facts_collect_countries_chapters_codes_and_red_recipients():
    report = report_claims(tlp="RED", recipients=["NL-FIOD", "FR-DOUANE"])

    facts = report_facts(claims_of(copy.deepcopy(report)))

    assert facts.report_id == uuid.UUID(report["id"])
    assert facts.countries == ("AE", "DE", "PA", "RU", "TR")
    assert facts.hs_chapters == ("84", "85")
    assert facts.control_codes == ("2B001", "2B001.b")
    assert facts.red_flags == ("BIS-RF-11", "BIS-RF-5", "HUB-TRANSSHIP")
    assert facts.red_recipients == ("FR-DOUANE", "NL-FIOD")


def test_recipients_of_a_non_red_report_are_not_red_recipients():
    facts = report_facts(claims_of(report_claims(tlp="AMBER", recipients=["NL-FIOD"])))

    assert facts.red_recipients == ()


def test_recipients_of_a_non_red_report_are_ignored_even_if_odd():
    claims_validate(claims_of(report_claims(tlp="AMBER", recipients="FR-DOUANE")))


def test_red_recipients_must_be_agency_codes():
    code, details = problems(report_claims(tlp="RED", recipients=["fr douane"]))

    assert (code, list(details)) == ("schema_violation", ["report.recipients[0]"])


def test_structured_address_is_accepted():
    report = report_claims()
    report["parties"][0]["address"] = {"street": "Industriestraße 12", "city": "Stuttgart"}

    claims_validate(claims_of(report))


@pytest.mark.parametrize("hs_code", ["8457", "845710", "8457.10", "8457.10.90", "8457109000"])
def test_hs_headings_and_dotted_codes_are_valid_and_give_the_chapter(hs_code):
    report = report_claims()
    report["goods"][0]["hs_code"] = hs_code

    claims_validate(claims_of(report))
    assert "84" in report_facts(claims_of(report)).hs_chapters


@pytest.mark.parametrize("mode", ["sea", "vessel", "truck"])
def test_any_transport_mode_wording_is_accepted(mode):
    report = report_claims()
    report["route"]["transport_mode"] = mode

    claims_validate(claims_of(report))
