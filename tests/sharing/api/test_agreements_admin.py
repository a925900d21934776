"""The Django admin for agreements goes through the same services: validated and audited."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import AuditRecord
from sharing.models import Agreement

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/sharing/agreement/add/"
LIST_URL = "/admin/sharing/agreement/"


@pytest.fixture
def admin_client_(db) -> Client:
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456789")
    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    return client


def form(provider, recipient, **changes) -> dict:
    values = {
        "provider": provider.pk,
        "recipient": recipient.pk,
        "status": "active",
        "kinds": ["sar"],
        "max_tlp": "AMBER",
        "withheld": ["commercial"],
        "scope_countries": "IR, RU",
        "scope_hs_chapters": "",
        "scope_control_prefixes": "",
        "scope_red_flags": "",
        "scope_lists": "",
        "valid_from": "",
        "valid_until": "",
        "attribution": "must",
        "permitted_actions": "internally-visible-actions",
        "encrypt_in_transit": "must",
        "affected_party_notifications": "may",
        "legal_basis": "MoU",
    }
    values.update(changes)
    return values


def test_admin_creates_an_agreement_through_the_service(admin_client_, originator, partner):
    response = admin_client_.post(ADD_URL, form(originator, partner))
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert agreement.status == "active"
    assert agreement.scope_countries == ["IR", "RU"]
    assert agreement.withheld == ["commercial"]
    record = AuditRecord.objects.get(action="agreement.create", object_id=str(agreement.pk))
    assert record.actor == "admin:root"


def test_admin_form_refuses_what_the_api_refuses(admin_client_, originator, partner):
    response = admin_client_.post(
        ADD_URL, form(originator, partner, scope_countries="ir", scope_hs_chapters="847")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"scope_countries", "scope_hs_chapters"} <= set(errors)
    assert not Agreement.objects.exists()


def test_admin_actions_suspend_and_terminate_through_the_services(
    admin_client_, originator, partner
):
    admin_client_.post(ADD_URL, form(originator, partner))
    agreement = Agreement.objects.get()
    for verb, status in [("suspend", "suspended"), ("terminate", "terminated")]:
        response = admin_client_.post(
            LIST_URL, {"action": verb, "_selected_action": [str(agreement.pk)]}
        )
        assert response.status_code == 302
        agreement.refresh_from_db()
        assert agreement.status == status
        assert AuditRecord.objects.filter(
            action=f"agreement.{verb}", object_id=str(agreement.pk)
        ).exists()


def test_admin_action_on_a_terminated_agreement_changes_nothing(admin_client_, originator, partner):
    admin_client_.post(ADD_URL, form(originator, partner))
    agreement = Agreement.objects.get()
    admin_client_.post(LIST_URL, {"action": "terminate", "_selected_action": [str(agreement.pk)]})
    admin_client_.post(LIST_URL, {"action": "activate", "_selected_action": [str(agreement.pk)]})
    agreement.refresh_from_db()
    assert agreement.status == "terminated"


def test_admin_change_page_shows_terms_read_only(admin_client_, originator, partner):
    admin_client_.post(ADD_URL, form(originator, partner))
    agreement = Agreement.objects.get()
    response = admin_client_.get(f"{LIST_URL}{agreement.pk}/change/")
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    listing = admin_client_.get(LIST_URL, {"status__exact": "active"})
    assert listing.status_code == 200
    assert "DE-CUSTOMS" in listing.content.decode()
