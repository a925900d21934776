"""Register search with facets, entity history and ad-hoc screening, per visible lists."""

import pytest
from django.urls import reverse

from agencies.models import Role

pytestmark = pytest.mark.django_db


def test_partner_searches_the_register_with_facets(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    page = client.get(reverse("web:sanctions")).content.decode()
    assert "3 entities" in page
    assert "Rosoboronexport" in page
    assert "RUSSIA-EO14024" in page
    narrowed = client.get(reverse("web:sanctions"), {"country": "IR"}).content.decode()
    assert "Sea Lantern" in narrowed
    assert "Rosoboronexport" not in narrowed
    by_name = client.get(reverse("web:sanctions"), {"q": "victor"}).content.decode()
    assert "Viktor Lebedev" in by_name
    assert "1 entity" in by_name
    persons = client.get(reverse("web:sanctions"), {"schema": "Person"}).content.decode()
    assert "Viktor Lebedev" in persons
    assert "Sea Lantern" not in persons


def test_entity_page_shows_its_history(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    page = client.get(reverse("web:sanctions_entity", args=["ofac-1002"])).content.decode()
    assert "Viktor Lebedev" in page
    assert "UKRAINE-EO13662" in page
    assert 'id="history"' in page
    assert "US-OFAC" in page


def test_outsider_reads_no_list(web_client_for, outsider, register):
    client = web_client_for(outsider, Role.READER)
    page = client.get(reverse("web:sanctions")).content.decode()
    assert "Rosoboronexport" not in page
    assert "0 entities" in page
    response = client.get(reverse("web:sanctions_entity", args=["ofac-1001"]))
    assert response.status_code == 404


def test_screening_page_finds_a_listed_name(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    response = client.post(
        reverse("web:screen"),
        {"names": "Viktor Lebedev\nAcme Bakery Ltd", "schema": "LegalEntity", "threshold": "0.70"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "possible match" in body
    assert reverse("web:sanctions_entity", args=["ofac-1002"]) in body
    assert body.count('class="card screen-result"') == 2


def test_screening_in_other_scripts(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    body = client.post(
        reverse("web:screen"),
        {"names": "Виктор Лебедев", "schema": "Person", "threshold": "0.70"},
    ).content.decode()
    assert "possible match" in body


def test_outsider_screening_finds_nothing(web_client_for, outsider, register):
    client = web_client_for(outsider, Role.READER)
    body = client.post(
        reverse("web:screen"), {"names": "Viktor Lebedev", "schema": "Person", "threshold": "0.70"}
    ).content.decode()
    assert "possible match" not in body
    assert "ofac-1002" not in body


def test_screening_form_errors(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    response = client.post(
        reverse("web:screen"), {"names": "  \n ", "schema": "Person", "threshold": "2"}
    )
    assert response.status_code == 400
    assert "at least one name" in response.content.decode()


def test_screening_errors_reach_htmx_as_a_fragment(web_client_for, partner, register):
    client = web_client_for(partner, Role.READER)
    response = client.post(
        reverse("web:screen"),
        {"names": "", "schema": "Person", "threshold": "0.7"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "at least one name" in response.content.decode()
    assert "<html" not in response.content.decode()
