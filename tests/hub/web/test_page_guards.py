"""Every page: anonymous visitors go to sign-in; each role gets the page or a 403."""

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Role

pytestmark = pytest.mark.django_db

# page -> the lowest role that may open it
PAGES = {
    "web:inbox": Role.READER,
    "web:report_list": Role.READER,
    "web:report_compose": Role.PUBLISHER,
    "web:sanctions": Role.READER,
    "web:screen": Role.READER,
    "web:manage_agencies": Role.AGENCY_ADMIN,
    "web:agreements": Role.AGENCY_ADMIN,
    "web:agreement_create": Role.AGENCY_ADMIN,
    "web:matrix": Role.AGENCY_ADMIN,
    "web:webhooks": Role.AGENCY_ADMIN,
    "web:audit": Role.AGENCY_ADMIN,
}
RANK = [Role.READER, Role.PUBLISHER, Role.AGENCY_ADMIN, Role.HUB_ADMIN]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", RANK)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_role_gets_the_page_or_a_403(web_client_for, hub_operator, name, role):
    response = web_client_for(hub_operator, role).get(reverse(name))
    allowed = RANK.index(role) >= RANK.index(PAGES[name])
    assert response.status_code == (200 if allowed else 403)
