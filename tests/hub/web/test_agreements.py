"""Agreements list and the sharing matrix: who sees which agreements."""

import pytest
from django.urls import reverse

from agencies.models import Role

pytestmark = pytest.mark.django_db


def test_reader_cannot_open_agreements(web_client_for, originator, sharing_world):
    client = web_client_for(originator, Role.READER)
    assert client.get(reverse("web:agreements")).status_code == 403
    assert client.get(reverse("web:matrix")).status_code == 403


def test_agency_admin_sees_only_agreements_of_their_agency(
    web_client_for, partner, narrow_partner, sharing_world
):
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    listing = client.get(reverse("web:agreements")).content.decode()
    assert "FR-DOUANE" in listing
    assert "NL-FIOD" not in listing
    matrix = client.get(reverse("web:matrix")).content.decode()
    assert 'data-pair="DE-CUSTOMS-FR-DOUANE"' in matrix
    assert "NL-FIOD" not in matrix


def test_hub_admin_matrix_shows_every_pair_with_terms(web_client_for, hub_operator, sharing_world):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    matrix = client.get(reverse("web:matrix")).content.decode()
    start = matrix.index('data-pair="DE-CUSTOMS-NL-FIOD"')
    cell = matrix[start : matrix.index("</td>", start)]
    assert "active" in cell
    assert "TLP:AMBER" in cell
    assert "person identity" in cell
    assert "commercial" in cell


def _create_data(provider, recipient, **overrides):
    data = {
        "provider": provider.code,
        "recipient": recipient.code,
        "kinds": ["sar"],
        "max_tlp": "GREEN",
        "withheld": ["narrative"],
        "scope_countries": "ae ir",
        "attribution": "must",
        "permitted_actions": "internally-visible-actions",
        "encrypt_in_transit": "must",
        "affected_party_notifications": "may",
        "legal_basis": "MoU 2026/4",
    }
    data.update(overrides)
    return data


def test_agency_admin_proposes_and_the_partner_accepts(web_client_for, originator, outsider):
    from sharing.models import Agreement

    proposer = web_client_for(originator, Role.AGENCY_ADMIN)
    response = proposer.post(reverse("web:agreement_create"), _create_data(originator, outsider))
    assert response.status_code == 302
    agreement = Agreement.objects.get(provider=originator, recipient=outsider)
    assert agreement.status == "proposed"
    assert agreement.scope_countries == ["AE", "IR"]
    assert agreement.provider_accepted_at is not None

    partner_admin = web_client_for(outsider, Role.AGENCY_ADMIN)
    partner_admin.post(reverse("web:agreement_action", args=[agreement.pk, "accept"]))
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_agency_admin_cannot_create_agreements_between_others(
    web_client_for, originator, partner, outsider
):
    from sharing.models import Agreement

    client = web_client_for(outsider, Role.AGENCY_ADMIN)
    response = client.post(reverse("web:agreement_create"), _create_data(originator, partner))
    assert response.status_code == 400
    assert "provider or the recipient" in response.content.decode()
    assert not Agreement.objects.exists()


def test_invalid_agreement_is_refused_on_the_form(
    web_client_for, hub_operator, originator, partner
):
    from sharing.models import Agreement

    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    response = client.post(
        reverse("web:agreement_create"),
        _create_data(originator, partner, scope_hs_chapters="8471", activate="on"),
    )
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_hub_admin_creates_an_active_agreement(web_client_for, hub_operator, originator, partner):
    from sharing.models import Agreement

    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    client.post(reverse("web:agreement_create"), _create_data(originator, partner, activate="on"))
    assert Agreement.objects.get().status == "active"


def test_party_suspends_and_terminates(web_client_for, partner, sharing_world):
    agreement = sharing_world["full"]
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    client.post(reverse("web:agreement_action", args=[agreement.pk, "suspend"]))
    agreement.refresh_from_db()
    assert agreement.status == "suspended"
    page = client.get(reverse("web:agreement", args=[agreement.pk])).content.decode()
    assert 'id="agreement-status">suspended' in page
    client.post(reverse("web:agreement_action", args=[agreement.pk, "terminate"]))
    agreement.refresh_from_db()
    assert agreement.status == "terminated"


def test_non_party_cannot_see_or_act_on_an_agreement(web_client_for, outsider, sharing_world):
    agreement = sharing_world["full"]
    client = web_client_for(outsider, Role.AGENCY_ADMIN)
    assert client.get(reverse("web:agreement", args=[agreement.pk])).status_code == 404
    response = client.post(reverse("web:agreement_action", args=[agreement.pk, "suspend"]))
    assert response.status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_publisher_cannot_suspend(web_client_for, partner, sharing_world):
    agreement = sharing_world["full"]
    client = web_client_for(partner, Role.PUBLISHER)
    response = client.post(reverse("web:agreement_action", args=[agreement.pk, "suspend"]))
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "active"
