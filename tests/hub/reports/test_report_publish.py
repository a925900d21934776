"""Publishing, amending, retracting and reading reports through the API.

Personas: DE-CUSTOMS publishes; FR-DOUANE has an agreement withholding
person identities; NL-FIOD's agreement only covers TLP GREEN, so it gets
nothing of an AMBER report; XX-OUTSIDER has no agreement and must see nothing.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AuditRecord, Role
from hub.models import Report, ReportStatus, ReportVersion, Retraction
from hub.reports.signing import report_sign, retraction_sign
from sharing.models import Agreement, Delivery
from tests.hub.reports.conftest import report_claims, token_parts, unb64

URL = "/api/v1/reports/"


def agreement_make(provider, recipient, **fields) -> Agreement:
    defaults = {
        "status": "active",
        "valid_from": timezone.now() - timedelta(days=1),
        "kinds": ["sar"],
        "max_tlp": "AMBER",
        "withheld": [],
    }
    return Agreement.objects.create(
        provider=provider, recipient=recipient, **{**defaults, **fields}
    )


@pytest.fixture
def agreements(originator, partner, narrow_partner):
    return {
        "partner": agreement_make(originator, partner, withheld=["person_identity"]),
        "narrow": agreement_make(originator, narrow_partner, max_tlp="GREEN"),
    }


def publish(client, token):
    return client.post(URL, {"token": token}, format="json")


def test_publisher_publishes_a_report_and_it_is_stored_byte_for_byte(originator, publisher):
    report = report_claims()
    token = report_sign(agency=originator, claims=report)

    response = publish(publisher, token)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == report["id"]
    assert body["version"] == 1
    assert body["status"] == "active"
    assert "screening" in body
    assert body["deliveries"] == []
    stored = ReportVersion.objects.get(report_id=report["id"], version=1)
    assert stored.token == token
    assert stored.claims["report"] == report
    assert stored.kid.startswith("DE-CUSTOMS/")
    assert stored.countries == ["AE", "DE", "PA", "RU", "TR"]
    assert stored.hs_chapters == ["84", "85"]
    assert stored.control_codes == ["2B001", "2B001.b"]
    assert stored.red_flags == ["BIS-RF-11", "BIS-RF-5", "HUB-TRANSSHIP"]
    assert len(stored.disclosures) == 20
    classes = {d["path"]: d["redaction_class"] for d in stored.disclosures}
    assert classes["report.narrative"] == "narrative"
    assert classes["report.parties[3].name"] == "person_identity"
    assert classes["report.parties[4].identifiers"] == "organization_identity"
    assert classes["report.goods[1].value"] == "commercial"
    assert classes["report.licence.number"] == "commercial"
    assert classes["report.documents[0].reference"] == "commercial"


def test_publishing_writes_an_audit_record_in_the_chain(originator, publisher):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))

    record = AuditRecord.objects.filter(action="report.publish", object_id=report["id"]).get()
    assert record.agency == "DE-CUSTOMS"
    assert record.actor.startswith("token:")
    assert record.after["version"] == 1
    assert record.after["disclosures"] == 20


def test_publication_is_delivered_to_entitled_partners_in_their_view(
    originator, partner, narrow_partner, outsider, publisher, agreements
):
    report = report_claims()
    response = publish(publisher, report_sign(agency=originator, claims=report))

    deliveries = response.json()["deliveries"]
    assert [(d["recipient"], d["withheld_classes"]) for d in deliveries] == [
        ("FR-DOUANE", ["person_identity"])
    ]
    delivery = Delivery.objects.get(recipient=partner, item_id=report["id"])
    _, disclosed = token_parts(delivery.token)
    names = {unb64(d)[1] for d in disclosed if len(unb64(d)) == 3}
    assert "Viktor Lebedev" not in delivery.token
    assert len(disclosed) == 17  # 20 minus the broker's name, aliases and identifiers
    assert "narrative" in names
    assert not Delivery.objects.filter(recipient__in=[narrow_partner, outsider]).exists()


def test_publish_response_has_the_documented_shape(
    originator, partner, narrow_partner, publisher, agreements
):
    from hub.reports.api import ReportDeliveryOutput, ReportListApi

    report = report_claims()
    body = publish(publisher, report_sign(agency=originator, claims=report)).json()

    assert set(body) == set(ReportListApi.ReportPublishOutput().fields)
    stored = Delivery.objects.filter(item_id=report["id"]).select_related("recipient")
    assert body["deliveries"] == ReportDeliveryOutput(stored, many=True).data


@pytest.mark.services
def test_a_publication_to_three_partners_takes_a_fixed_number_of_statements(
    originator, partner, narrow_partner, outsider, publisher, django_assert_num_queries
):
    """Publishing is the hot path (BENCHMARKS.md): a statement more per publish shows here."""
    for recipient in (partner, narrow_partner, outsider):
        agreement_make(originator, recipient)
    token = report_sign(agency=originator, claims=report_claims())
    publisher.post(URL, {"token": "warm-up"}, format="json")  # the token's last_used_at
    # The API token; the signing key; SAVEPOINT (BEGIN outside tests); the report; its
    # version; the agreements; the feed positions with the deliveries; the audit head;
    # the audit records with the head; RELEASE SAVEPOINT (COMMIT).
    with django_assert_num_queries(10):
        response = publish(publisher, token)
    assert response.status_code == 201, response.json()
    assert len(response.json()["deliveries"]) == 3


def test_amendment_supersedes_the_previous_version(originator, publisher):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))

    response = publish(
        publisher,
        report_sign(
            agency=originator, claims={**report, "version": 2, "tlp": "GREEN", "title": "Update"}
        ),
    )

    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    stored = Report.objects.get(pk=report["id"])
    assert (stored.current_version, stored.tlp, stored.title) == (2, "GREEN", "Update")
    assert list(stored.versions.values_list("version", flat=True)) == [1, 2]
    amend = AuditRecord.objects.get(action="report.amend", object_id=report["id"])
    assert amend.before == {"version": 1}


def test_amendment_is_distributed_as_report_amended(originator, partner, publisher, agreements):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    publish(publisher, report_sign(agency=originator, claims={**report, "version": 2}))

    events = list(
        Delivery.objects.filter(recipient=partner, item_id=report["id"])
        .order_by("seq")
        .values_list("event", "item_version")
    )
    assert events == [("report.published", 1), ("report.amended", 2)]


def test_originator_lists_and_reads_its_reports(originator, publisher, client_for):
    first, second = report_claims(), report_claims(title="Second")
    publish(publisher, report_sign(agency=originator, claims=first))
    publish(publisher, report_sign(agency=originator, claims=second))
    reader = client_for(originator, Role.READER)

    listing = reader.get(URL, {"limit": 1})
    detail = reader.get(f"{URL}{first['id']}/")

    assert listing.status_code == 200
    assert listing.json()["count"] == 2
    assert len(listing.json()["results"]) == 1
    assert listing.json()["next"]
    body = detail.json()
    assert detail.status_code == 200
    assert body["view"] == "originator"
    assert body["claims"]["report"] == first
    assert [v["version"] for v in body["versions"]] == [1]
    assert body["retraction"] is None


def test_other_agencies_do_not_see_each_others_reports_in_the_list(
    originator, partner, publisher, client_for, agreements
):
    publish(publisher, report_sign(agency=originator, claims=report_claims()))

    listing = client_for(partner, Role.READER).get(URL)

    assert listing.json()["count"] == 0


def test_recipient_sees_only_its_delivered_view(
    originator, partner, publisher, client_for, agreements
):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))

    response = client_for(partner, Role.READER).get(f"{URL}{report['id']}/")

    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "recipient"
    assert body["originator"] == "DE-CUSTOMS"
    assert body["withheld_classes"] == ["person_identity"]
    broker = body["claims"]["report"]["parties"][3]
    assert broker == {"role": "broker", "type": "person", "country": "RU"}
    assert body["claims"]["report"]["parties"][1]["name"] == "Gulf Horizon Woodworks FZE"
    assert "versions" not in body
    assert "Viktor" not in response.content.decode()


def test_outsider_never_sees_the_report(
    originator, outsider, narrow_partner, publisher, client_for, agreements
):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))

    for agency in (outsider, narrow_partner):
        response = client_for(agency, Role.READER).get(f"{URL}{report['id']}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "report_not_found"
    unknown = client_for(outsider, Role.READER).get(f"{URL}not-a-uuid/")
    assert unknown.status_code == 404


def test_originator_retracts_and_recipients_are_told(
    originator, partner, publisher, client_for, agreements
):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    token = retraction_sign(
        agency=originator, report_id=report["id"], version=1, reason="Goods were lawful"
    )

    response = publisher.post(f"{URL}{report['id']}/retractions/", {"token": token}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["reason"] == "Goods were lawful"
    assert [d["recipient"] for d in response.json()["deliveries"]] == ["FR-DOUANE"]
    assert Report.objects.get(pk=report["id"]).status == ReportStatus.RETRACTED
    assert Retraction.objects.get(report_id=report["id"]).token == token
    assert AuditRecord.objects.filter(action="report.retract", object_id=report["id"]).exists()
    relayed = Delivery.objects.get(recipient=partner, item_type="retraction")
    assert relayed.token == token
    view = client_for(partner, Role.READER).get(f"{URL}{report['id']}/").json()
    assert view["status"] == "retracted"
    assert view["retraction_token"] == token
    detail = publisher.get(f"{URL}{report['id']}/").json()
    assert detail["status"] == "retracted"
    assert detail["retraction"]["reason"] == "Goods were lawful"


def test_retracted_report_takes_no_new_version_or_second_retraction(originator, publisher):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    url = f"{URL}{report['id']}/retractions/"
    publisher.post(
        url,
        {
            "token": retraction_sign(
                agency=originator, report_id=report["id"], version=1, reason="x"
            )
        },
        format="json",
    )

    again = publisher.post(
        url,
        {
            "token": retraction_sign(
                agency=originator, report_id=report["id"], version=1, reason="y"
            )
        },
        format="json",
    )
    amended = publish(publisher, report_sign(agency=originator, claims={**report, "version": 2}))

    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_retracted")
    assert (amended.status_code, amended.json()["error"]["code"]) == (409, "report_retracted")


def test_only_the_originator_can_retract(originator, partner, publisher, client_for, agreements):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    url = f"{URL}{report['id']}/retractions/"
    partner_publisher = client_for(partner)
    signed_by_partner = {
        "token": retraction_sign(agency=partner, report_id=report["id"], version=1, reason="x")
    }
    before = (Retraction.objects.count(), AuditRecord.objects.count())

    by_partner = partner_publisher.post(url, signed_by_partner, format="json")
    sent_by_originator = publisher.post(url, signed_by_partner, format="json")

    # The partner holds the report, so it is told why, not that the report does not exist.
    assert (by_partner.status_code, by_partner.json()["error"]["code"]) == (403, "not_originator")
    assert (sent_by_originator.status_code, sent_by_originator.json()["error"]["code"]) == (
        403,
        "issuer_not_caller",
    )
    assert (Retraction.objects.count(), AuditRecord.objects.count()) == before
    assert Report.objects.get(pk=report["id"]).status == ReportStatus.ACTIVE


@pytest.mark.parametrize(
    ("version", "status", "code"), [(1, 409, "stale_version"), (3, 422, "unknown_version")]
)
def test_retraction_must_name_the_current_version(originator, publisher, version, status, code):
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    publish(publisher, report_sign(agency=originator, claims={**report, "version": 2}))
    token = retraction_sign(agency=originator, report_id=report["id"], version=version, reason="x")

    response = publisher.post(f"{URL}{report['id']}/retractions/", {"token": token}, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not Retraction.objects.exists()


def test_retraction_with_a_report_token_type_is_refused(originator, publisher):
    report = report_claims()
    token = report_sign(agency=originator, claims=report)
    publish(publisher, token)

    response = publisher.post(f"{URL}{report['id']}/retractions/", {"token": token}, format="json")

    assert response.status_code == 422
    assert not Retraction.objects.exists()


def test_red_report_reaches_only_named_recipients(originator, partner, narrow_partner, publisher):
    agreement_make(originator, partner, max_tlp="RED")
    agreement_make(originator, narrow_partner, max_tlp="RED")
    report = report_claims(tlp="RED", recipients=["NL-FIOD"])

    response = publish(publisher, report_sign(agency=originator, claims=report))

    assert response.status_code == 201, response.json()
    assert [d["recipient"] for d in response.json()["deliveries"]] == ["NL-FIOD"]
    assert ReportVersion.objects.get(report_id=report["id"]).red_recipients == ["NL-FIOD"]


def test_recipient_lists_the_reports_delivered_to_it(
    originator, partner, outsider, publisher, client_for, agreements
):
    first, second = report_claims(), report_claims(title="Second")
    publish(publisher, report_sign(agency=originator, claims=first))
    publish(publisher, report_sign(agency=originator, claims=second))
    publish(publisher, report_sign(agency=originator, claims={**first, "version": 2}))

    listing = client_for(partner, Role.READER).get(URL, {"view": "received"})
    nothing = client_for(outsider, Role.READER).get(URL, {"view": "received"})

    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert [(row["id"], row["version"]) for row in rows] == [(first["id"], 2), (second["id"], 1)]
    assert rows[0]["originator"] == "DE-CUSTOMS"
    assert rows[0]["withheld_classes"] == ["person_identity"]
    assert nothing.json()["count"] == 0


def test_recipient_under_attribution_must_not_never_learns_the_originator(
    originator, partner, publisher, client_for
):
    agreement_make(originator, partner, attribution="must-not")
    report = report_claims()
    publish(publisher, report_sign(agency=originator, claims=report))
    reader = client_for(partner, Role.READER)

    detail = reader.get(f"{URL}{report['id']}/")
    listing = reader.get(URL, {"view": "received"})

    assert detail.status_code == 200
    assert detail.json()["originator"] == "an agency of DE"
    assert detail.json()["reissued"] is True
    assert listing.json()["results"][0]["originator"] == "an agency of DE"
    for response in (detail, listing):
        assert "DE-CUSTOMS" not in response.content.decode()
    header, payload, _ = token_parts(detail.json()["token"])[0].split(".")
    assert "DE-CUSTOMS" not in json.dumps([unb64(header), unb64(payload)])


def test_publication_queues_the_screening_of_the_parties(originator, publisher):
    screening = pytest.importorskip("hub.screening.services")
    if not hasattr(screening, "report_parties_screen"):
        pytest.skip("screening has no report_parties_screen yet")

    response = publish(publisher, report_sign(agency=originator, claims=report_claims()))

    assert response.status_code == 201
    assert response.json()["screening"] == {"status": "queued"}
    report = Report.objects.get(pk=response.json()["id"])
    assert screening.report_parties_screen(report=report)["parties"] == 5
