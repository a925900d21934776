"""The webhooks page: register, test event, disable; only for the agency's admins."""

import pytest
from django.urls import reverse

from agencies.models import Role
from sharing.models import Delivery, WebhookAttempt, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_targets(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


def test_publisher_cannot_manage_webhooks(web_client_for, originator):
    client = web_client_for(originator, Role.PUBLISHER)
    assert client.get(reverse("web:webhooks")).status_code == 403


def test_admin_registers_tests_and_disables_an_endpoint(web_client_for, partner):
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    response = client.post(reverse("web:webhooks"), {"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get(agency=partner, disabled_at__isnull=True)
    assert endpoint.url == "http://127.0.0.1:9/hook"

    client.post(reverse("web:webhook_test"))
    test = Delivery.objects.get(recipient=partner, event="webhook.test")
    assert test.payload["test"] is True
    assert test.seq is None  # not part of the feed

    client.post(reverse("web:webhook_disable"))
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None


def test_refused_target_is_shown_on_the_form(web_client_for, partner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    response = client.post(reverse("web:webhooks"), {"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 400
    assert "refused" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_agency_admin_cannot_touch_another_agencys_webhooks(web_client_for, originator, partner):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    assert client.get(reverse("web:webhooks"), {"agency": partner.code}).status_code == 404
    response = client.post(
        reverse("web:webhooks"), {"agency": partner.code, "url": "http://127.0.0.1:9/x"}
    )
    assert response.status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_recent_attempts_are_listed(web_client_for, partner):
    client = web_client_for(partner, Role.AGENCY_ADMIN)
    client.post(reverse("web:webhooks"), {"url": "http://127.0.0.1:9/hook"})
    client.post(reverse("web:webhook_test"))
    delivery = Delivery.objects.get(recipient=partner, event="webhook.test")
    from django.utils import timezone

    WebhookAttempt.objects.create(
        delivery=delivery,
        endpoint=delivery.recipient.webhook_endpoints.first(),
        number=1,
        started_at=timezone.now(),
        status_code=503,
        error="Service Unavailable",
    )
    page = client.get(reverse("web:webhooks")).content.decode()
    assert "HTTP 503" in page
    assert "webhook.test" in page
