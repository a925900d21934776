"""Compose, preview, publish, amend and retract a report in the web UI; the recipients' inbox."""

import pytest
from django.urls import reverse

from agencies.models import Role
from hub.models import Report, ReportStatus
from sharing.models import Delivery

from .conftest import compose_data

pytestmark = pytest.mark.django_db


def _publish(client, **overrides) -> Report:
    response = client.post(reverse("web:report_compose"), compose_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Report.objects.get()


def test_reader_cannot_open_compose_or_publish(web_client_for, originator, sharing_world):
    client = web_client_for(originator, Role.READER)
    assert client.get(reverse("web:report_compose")).status_code == 403
    assert client.post(reverse("web:report_compose"), compose_data()).status_code == 403
    assert not Report.objects.exists()


def test_publisher_publishes_a_signed_report_to_entitled_partners(
    web_client_for, originator, partner, narrow_partner, sharing_world
):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    version = report.versions.get()
    assert version.claims["report"]["parties"][1]["identifiers"] == [
        {"scheme": "passport", "value": "RU7211045"}
    ]
    assert version.claims["report"]["red_flags"] == ["BIS-RF-10", "BIS-RF-11", "HUB-TRANSSHIP"]
    assert version.claims["report"]["route"]["transit"] == ["AE", "TR"]
    assert version.kid.startswith("DE-CUSTOMS/")
    recipients = {d.recipient.code: d for d in Delivery.objects.filter(item_id=str(report.pk))}
    assert set(recipients) == {"FR-DOUANE", "NL-FIOD"}
    assert recipients["NL-FIOD"].withheld_classes == ["commercial", "person_identity"]


def test_invalid_input_shows_inline_errors_and_publishes_nothing(
    web_client_for, originator, sharing_world
):
    client = web_client_for(originator, Role.PUBLISHER)
    response = client.post(
        reverse("web:report_compose"),
        compose_data(**{"title": "", "parties-0-country": "Germany", "goods-0-value": "12,5"}),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in body
    assert "Two letters, ISO 3166-1 alpha-2" in body
    assert "A decimal number" in body
    assert not Report.objects.exists()


def test_hub_schema_problems_land_on_the_field(web_client_for, originator, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    # "ZZ" has the shape of a country code but is not one: the hub's own schema check says so.
    response = client.post(
        reverse("web:report_compose"), compose_data(**{"parties-1-country": "ZZ"})
    )
    assert response.status_code == 400
    assert "ISO 3166-1 alpha-2 country code" in response.content.decode()
    assert not Report.objects.exists()


def test_red_tlp_needs_named_recipients(web_client_for, originator, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    response = client.post(reverse("web:report_compose"), compose_data(tlp="RED"))
    assert response.status_code == 400
    assert "at least one named recipient" in response.content.decode()


def test_preview_shows_who_receives_which_view(web_client_for, originator, outsider, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    response = client.post(reverse("web:report_preview"), compose_data())
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-recipient="FR-DOUANE"' in body
    assert 'data-recipient="NL-FIOD"' in body
    assert "commercial, person identity" in body
    assert "XX-OUTSIDER" not in body
    assert not Report.objects.exists()


def test_preview_reflects_the_tlp_ceiling(web_client_for, originator, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    body = client.post(
        reverse("web:report_preview"), compose_data(tlp="RED", recipients=["FR-DOUANE"])
    ).content.decode()
    assert "above ceiling" in body


def test_partner_inbox_shows_the_report_with_a_verified_signature(
    web_client_for, originator, partner, sharing_world
):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(partner, Role.READER)
    listing = client.get(reverse("web:inbox")).content.decode()
    assert report.title in listing
    assert "verified" in listing
    delivery = Delivery.objects.get(item_id=str(report.pk), recipient=partner)
    page = client.get(reverse("web:inbox_item", args=[delivery.pk])).content.decode()
    assert 'id="signature-state">verified' in page
    assert "Viktor Lebedev" in page
    assert "212500.50" in page
    assert "Naples II Convention" in page


def test_narrow_partner_sees_redactions_and_why(
    web_client_for, originator, narrow_partner, sharing_world
):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(narrow_partner, Role.READER)
    delivery = Delivery.objects.get(item_id=str(report.pk), recipient=narrow_partner)
    page = client.get(reverse("web:inbox_item", args=[delivery.pk])).content.decode()
    assert 'id="signature-state">verified' in page
    assert "Gulf Horizon Woodworks FZE" in page  # organisations are not withheld from NL
    assert "Viktor Lebedev" not in page
    assert "212500.50" not in page
    assert "DE-BAFA-2026-004417" not in page
    assert "person identity" in page
    assert "internally visible actions" in page


def test_outsider_sees_nothing_of_the_report(web_client_for, originator, outsider, sharing_world):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(outsider, Role.AGENCY_ADMIN)
    assert report.title not in client.get(reverse("web:inbox")).content.decode()
    assert client.get(reverse("web:report_detail", args=[report.pk])).status_code == 404
    any_delivery = Delivery.objects.filter(item_id=str(report.pk)).first()
    assert client.get(reverse("web:inbox_item", args=[any_delivery.pk])).status_code == 404


def test_recipient_cannot_open_the_originators_report_page(
    web_client_for, originator, partner, sharing_world
):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    assert client.get(reverse("web:report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("web:report_amend", args=[report.pk])).status_code == 404


def test_inbox_filters(web_client_for, originator, partner, sharing_world):
    _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(partner, Role.READER)
    inbox = reverse("web:inbox")
    title = "CNC controllers rerouted through Dubai"
    assert title in client.get(inbox, {"country": "ae"}).content.decode()
    assert title not in client.get(inbox, {"country": "KP"}).content.decode()
    assert title in client.get(inbox, {"hs_chapter": "85"}).content.decode()
    assert title not in client.get(inbox, {"hs_chapter": "84"}).content.decode()
    assert title in client.get(inbox, {"control_code": "2B001"}).content.decode()
    assert title not in client.get(inbox, {"control_code": "3A"}).content.decode()
    assert title in client.get(inbox, {"tlp": "AMBER"}).content.decode()
    assert title not in client.get(inbox, {"tlp": "GREEN"}).content.decode()
    assert title in client.get(inbox, {"originator": "DE-CUSTOMS"}).content.decode()
    assert title not in client.get(inbox, {"kind": "sanctions_update"}).content.decode()
    assert title not in client.get(inbox, {"since": "2999-01-01"}).content.decode()


def test_inbox_filter_answers_htmx_with_the_results_only(
    web_client_for, originator, partner, sharing_world
):
    _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(partner, Role.READER)
    response = client.get(reverse("web:inbox"), {"country": "AE"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "CNC controllers" in body


def test_originator_report_page_shows_versions_deliveries_and_differences(
    web_client_for, originator, sharing_world
):
    client = web_client_for(originator, Role.PUBLISHER)
    report = _publish(client)
    amend_page = client.get(reverse("web:report_amend", args=[report.pk])).content.decode()
    assert "Gulf Horizon Woodworks FZE" in amend_page
    data = compose_data(
        report_id=str(report.pk),
        version="2",
        title="CNC controllers rerouted through Dubai and Istanbul",
        **{
            "parties-INITIAL_FORMS": "2",
            "parties-TOTAL_FORMS": "2",
            "goods-INITIAL_FORMS": "1",
            "documents-INITIAL_FORMS": "1",
        },
    )
    response = client.post(reverse("web:report_amend", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.current_version == 2
    page = client.get(reverse("web:report_detail", args=[report.pk])).content.decode()
    assert "Version 2" in page
    assert "and Istanbul" in page
    assert 'data-recipient="NL-FIOD"' in page
    assert "withheld: commercial, person identity" in page


def test_retraction_from_the_report_page(web_client_for, originator, partner, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    report = _publish(client)
    client.post(reverse("web:report_retract", args=[report.pk]), {"reason": "Duplicate of another"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETRACTED
    assert Delivery.objects.filter(
        item_id=str(report.pk), recipient=partner, item_type="retraction"
    ).exists()


def test_reader_cannot_retract(web_client_for, originator, sharing_world):
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(originator, Role.READER)
    response = client.post(reverse("web:report_retract", args=[report.pk]), {"reason": "no"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTIVE


def test_report_page_shows_screening_hits_and_the_list_alerts(
    web_client_for, originator, sharing_world, register
):
    from hub.screening.services import report_parties_screen

    client = web_client_for(originator, Role.PUBLISHER)
    report = _publish(client)
    report_parties_screen(report=report)  # what the task queued by the publication does
    page = client.get(reverse("web:report_detail", args=[report.pk])).content.decode()
    start = page.index('id="screening-title"')
    section = page[start : page.index("</section>", start)]
    assert "Viktor Lebedev" in section
    assert reverse("web:sanctions_entity", args=["ofac-1002"]) in section
    assert "open" in section
    listing = client.get(reverse("web:report_list")).content.decode()
    assert 'id="hit-alert"' in listing


def test_retraction_shows_in_the_partners_inbox(web_client_for, originator, partner, sharing_world):
    client = web_client_for(originator, Role.PUBLISHER)
    report = _publish(client)
    client.post(reverse("web:report_retract", args=[report.pk]), {"reason": "Wrong consignee"})
    retraction = Delivery.objects.get(
        item_id=str(report.pk), recipient=partner, item_type="retraction"
    )
    reader = web_client_for(partner, Role.READER)
    page = reader.get(reverse("web:inbox_item", args=[retraction.pk])).content.decode()
    assert 'id="signature-state">verified' in page
    assert "Wrong consignee" in page
    first = Delivery.objects.get(item_id=str(report.pk), recipient=partner, item_type="report")
    earlier = reader.get(reverse("web:inbox_item", args=[first.pk])).content.decode()
    assert "A later delivery of this item exists" in earlier


def test_sanctions_update_shows_in_the_recipients_inbox(web_client_for, partner):
    from datetime import date, timedelta

    from django.utils import timezone

    from agencies.services import Actor
    from hub.sanctions.services import sanctions_updates_apply, sanctions_updates_sign
    from sharing.models import Agreement
    from tests.factories import agency_make

    authority = agency_make("US-OFAC", country="US", kind="sanctions_authority")
    Agreement.objects.create(
        provider=authority,
        recipient=partner,
        status="active",
        kinds=["sanctions_update"],
        max_tlp="CLEAR",
        valid_from=timezone.now() - timedelta(days=1),
    )
    entity = {
        "id": "ofac-77",
        "schema": "Person",
        "properties": {"name": ["Reza Tavakoli"], "country": ["ir"]},
    }
    tokens = sanctions_updates_sign(
        authority=authority,
        list_name="OFAC-SDN",
        operations=[("ADD", entity)],
        effective=date(2026, 1, 5),
    )
    sanctions_updates_apply(
        caller_agency=authority, tokens=tokens, actor=Actor("test", authority.code)
    )
    delivery = Delivery.objects.get(recipient=partner, item_type="sanctions_update")
    client = web_client_for(partner, Role.READER)
    listing = client.get(reverse("web:inbox"), {"kind": "sanctions_update"}).content.decode()
    assert "Reza Tavakoli" in listing
    page = client.get(reverse("web:inbox_item", args=[delivery.pk])).content.decode()
    assert 'id="signature-state">verified' in page
    assert "OFAC-SDN" in page
    assert "Reza Tavakoli" in page


def test_unattributed_partner_never_sees_the_originators_code(
    web_client_for, originator, outsider, sharing_world
):
    from datetime import timedelta

    from django.utils import timezone

    from sharing.models import Agreement

    Agreement.objects.create(
        provider=originator,
        recipient=outsider,
        status="active",
        kinds=["sar"],
        max_tlp="AMBER",
        attribution="must-not",
        valid_from=timezone.now() - timedelta(days=1),
    )
    report = _publish(web_client_for(originator, Role.PUBLISHER))
    client = web_client_for(outsider, Role.READER)
    listing = client.get(reverse("web:inbox")).content.decode()
    assert "an agency of DE" in listing
    assert "DE-CUSTOMS" not in listing
    delivery = Delivery.objects.get(item_id=str(report.pk), recipient=outsider)
    page = client.get(reverse("web:inbox_item", args=[delivery.pk])).content.decode()
    assert 'id="signature-state">verified' in page
    assert "re-issued" in page
    assert "DE-CUSTOMS" not in page
    assert (
        "an agency of DE"
        in client.get(reverse("web:inbox"), {"originator": "an agency of DE"}).content.decode()
    )
