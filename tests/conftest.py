"""Shared fixtures: persona agencies and authenticated API clients.

Personas: DE-CUSTOMS (alice's agency) publishes; FR-DOUANE is an entitled
partner; NL-FIOD has a narrower agreement; XX-OUTSIDER must see nothing.
"""

import pytest
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import agency_make, token_make


@pytest.fixture
def originator(db):
    return agency_make("DE-CUSTOMS", country="DE", kind="customs", name="German Customs")


@pytest.fixture
def partner(db):
    return agency_make("FR-DOUANE", country="FR", kind="customs", name="French Customs")


@pytest.fixture
def narrow_partner(db):
    return agency_make("NL-FIOD", country="NL", kind="intelligence", name="Dutch FIOD")


@pytest.fixture
def outsider(db):
    return agency_make("XX-OUTSIDER", country="XX", kind="partner", name="Outsider")


@pytest.fixture
def hub_operator(db):
    return agency_make("HUB", country="EU", kind="partner", name="Hub operator")


@pytest.fixture
def client_for(db):
    """client_for(agency, role) -> an APIClient authenticated with a fresh token."""

    def build(agency, role: str = Role.PUBLISHER, **token_options) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_make(agency, role, **token_options)}")
        return client

    return build


@pytest.fixture
def hub_admin_client(hub_operator, client_for):
    return client_for(hub_operator, Role.HUB_ADMIN)
