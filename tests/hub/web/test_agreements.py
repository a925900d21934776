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
