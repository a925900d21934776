"""The audit trail page: agency admins read their agency's records only."""

import pytest
from django.urls import reverse

from agencies.models import Role
from tests.factories import token_make

pytestmark = pytest.mark.django_db


def test_agency_admin_reads_only_their_agencys_records(web_client_for, originator, partner):
    token_make(partner, Role.READER)
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    page = client.get(reverse("web:audit"), {"agency": partner.code}).content.decode()
    assert "<code>DE-CUSTOMS</code>" in page
    assert "<code>FR-DOUANE</code>" not in page


def test_hub_admin_filters_by_agency_and_action(web_client_for, hub_operator, partner):
    token_make(partner, Role.READER)
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    page = client.get(
        reverse("web:audit"), {"agency": partner.code, "action": "token."}
    ).content.decode()
    assert "<code>token.create</code>" in page
    assert "<code>agency.create</code>" not in page


def test_reader_cannot_read_the_audit_trail(web_client_for, originator):
    assert web_client_for(originator, Role.READER).get(reverse("web:audit")).status_code == 403
