"""Register search with facets, entity history and ad-hoc screening, per visible lists."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from hub.models import SanctionedEntity, SanctionsChange, SanctionsList, SanctionsUpdate
from hub.screening.selectors import index_reset
from sharing.models import Agreement
from tests.factories import agency_make

pytestmark = pytest.mark.django_db


def _entity(sanctions_list, entity_id, schema, names, countries, programs, *, issuer):
    properties = {"name": names[:1], "alias": names[1:], "country": countries, "program": programs}
    properties = {k: v for k, v in properties.items() if v}
    update = SanctionsUpdate.objects.create(
        sanctions_list=sanctions_list,
        token=f"t-{entity_id}",
        token_hash=uuid.uuid4().hex * 2,
        op="ADD",
        entity_id=entity_id,
        issuer=issuer,
        kid=f"{issuer.code}/k",
        issued_at=timezone.now(),
        effective=date(2022, 1, 1),
        outcome="applied",
        batch=uuid.uuid4(),
    )
    entity = SanctionedEntity.objects.create(
        sanctions_list=sanctions_list,
        entity_id=entity_id,
        schema=schema,
        properties=properties,
        caption=names[0],
        names=names,
        name_text="|" + "|".join(n.lower() for n in names) + "|",
        countries=[c.lower() for c in countries],
        programs=programs,
        facet_text="|"
        + "|".join([f"c:{c.lower()}" for c in countries] + [f"p:{p.lower()}" for p in programs])
        + "|",
        first_listed=date(2022, 1, 1),
        last_changed=date(2022, 1, 1),
        last_update=update,
    )
    SanctionsChange.objects.create(
        entity=entity,
        update=update,
        op="ADD",
        issuer=issuer,
        effective=date(2022, 1, 1),
        after={"schema": schema, "properties": properties},
    )
    return entity


@pytest.fixture
def register(partner, outsider):
    authority = agency_make("US-OFAC", country="US", kind="sanctions_authority")
    sdn = SanctionsList.objects.create(name="OFAC-SDN", authority=authority)
    _entity(
        sdn,
        "ofac-1001",
        "Organization",
        ["Rosoboronexport", "ROE"],
        ["RU"],
        ["RUSSIA-EO14024"],
        issuer=authority,
    )
    _entity(
        sdn,
        "ofac-1002",
        "Person",
        ["Viktor Lebedev", "Victor Lebedev"],
        ["RU"],
        ["UKRAINE-EO13662"],
        issuer=authority,
    )
    _entity(sdn, "ofac-1003", "Vessel", ["Sea Lantern"], ["IR"], ["IRAN"], issuer=authority)
    Agreement.objects.create(
        provider=authority,
        recipient=partner,
        status="active",
        kinds=["sanctions_update"],
        max_tlp="CLEAR",
        valid_from=timezone.now() - timedelta(days=1),
    )
    index_reset()
    yield sdn
    index_reset()


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
