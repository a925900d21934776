"""Webhook registration and one delivery attempt, against local receivers (no broker)."""

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.utils import timezone

from agencies.models import AuditRecord, Role
from sharing.client import webhook_signature_verify
from sharing.models import Delivery, DeliveryState, WebhookAttempt, WebhookEndpoint
from sharing.services import webhooks
from sharing.services.distribution import agency_event_send, item_distribute
from sharing.services.hub_key import hub_jwks
from sharing.services.webhooks import deliveries_due, delivery_attempt, next_delay
from tests.factories import TEST_ACTOR
from tests.sharing.builders import agreement_make, report_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 0  # no broker here: retries wait in the row


def publish(originator):
    item = report_item(originator)
    with transaction.atomic():
        deliveries = item_distribute(item=item, actor=TEST_ACTOR)
    return item, deliveries


def register(agency, url, events=()):
    return webhooks.webhook_endpoint_register(
        agency=agency, url=url, events=list(events), actor=TEST_ACTOR
    )


def test_agency_admin_registers_and_lists_its_webhook(partner, client_for, loopback_allowed):
    client = client_for(partner, Role.AGENCY_ADMIN)
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "events": ["report.published"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["events"] == ["report.published"]
    listed = client.get("/api/v1/webhooks/").json()
    assert [e["url"] for e in listed] == ["http://127.0.0.1:9/hook"]
    assert AuditRecord.objects.filter(action="webhook.register", agency="FR-DOUANE").exists()


def test_a_new_registration_replaces_the_active_endpoint(partner, loopback_allowed):
    first = register(partner, "http://127.0.0.1:9/a")
    second = register(partner, "http://127.0.0.1:9/b")
    first.refresh_from_db()
    assert first.disabled_at is not None
    assert list(WebhookEndpoint.objects.filter(disabled_at=None)) == [second]


def test_a_reader_or_publisher_may_not_register(partner, client_for):
    for role in (Role.READER, Role.PUBLISHER):
        response = client_for(partner, role).post(
            "/api/v1/webhooks/", {"url": "https://example.org/hook"}, format="json"
        )
        assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://example.org/hook",
    ],
)
def test_private_and_loopback_targets_are_refused(partner, client_for, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = client_for(partner, Role.AGENCY_ADMIN).post(
        "/api/v1/webhooks/", {"url": url}, format="json"
    )
    assert response.status_code in (400, 422)
    assert not WebhookEndpoint.objects.exists()


def test_unknown_events_are_refused(partner, client_for, loopback_allowed):
    response = client_for(partner, Role.AGENCY_ADMIN).post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/", "events": ["x.y"]}, format="json"
    )
    assert response.status_code == 400


def test_delivery_is_signed_v1a_with_the_hub_key(originator, partner, receivers, loopback_allowed):
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    register(partner, receiver.url)
    _item, [delivery] = publish(originator)
    assert delivery.state == DeliveryState.PENDING
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    [request] = receiver.requests
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert (
        webhook_signature_verify(headers=request.headers, body=request.body, jwks=hub_jwks())
        is None
    )
    # Straight from the spec, with nothing but `cryptography`:
    version, signature = request.headers["webhook-signature"].split(",", 1)
    assert version == "v1a"
    key = hub_jwks()["keys"][0]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(key["x"] + "=="))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
    public.verify(base64.b64decode(signature), signed + request.body)
    body = json.loads(request.body)
    assert body["type"] == "report.published"
    assert body["data"]["token"] == delivery.token
    assert body["data"]["seq"] == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.delivered_at is not None
    assert WebhookAttempt.objects.get(delivery=delivery).status_code == 200


def test_a_tampered_body_does_not_verify(originator, partner, receivers, loopback_allowed):
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    delivery_attempt(delivery_id=delivery.pk)
    [request] = receiver.requests
    tampered = request.body.replace(b"report.published", b"report.amended")
    assert webhook_signature_verify(headers=request.headers, body=tampered, jwks=hub_jwks())


def test_a_second_attempt_of_a_delivered_item_sends_nothing(
    originator, partner, receivers, loopback_allowed
):
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert delivery_attempt(delivery_id=delivery.pk) == "not_claimed"
    assert len(receiver.requests) == 1


def test_failure_schedules_a_retry_with_the_same_webhook_id(
    originator, partner, receivers, loopback_allowed, settings
):
    settings.DELIVERY_RETRY_SCHEDULE = [0, 0, 0]
    agreement_make(originator, partner)
    [receiver] = receivers(1, fail_times=2)
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "HTTP 503" in delivery.last_error
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.webhook_id}
    assert len(receiver.delivered) == 1


def test_dead_after_the_schedule(originator, partner, receivers, loopback_allowed, settings):
    settings.DELIVERY_RETRY_SCHEDULE = [0]
    agreement_make(originator, partner)
    [receiver] = receivers(1, fail_times=99, fail_status=500)
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert delivery_attempt(delivery_id=delivery.pk) == "dead"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DEAD, 2)


def test_retry_after_is_honoured(originator, partner, receivers, loopback_allowed, settings):
    settings.DELIVERY_RETRY_SCHEDULE = [1]
    agreement_make(originator, partner)
    [receiver] = receivers(1, fail_times=1, fail_status=429, retry_after="120")
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    before = timezone.now()
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= before + timedelta(seconds=119)
    # Not due yet: a worker that gets the message early does nothing.
    assert delivery_attempt(delivery_id=delivery.pk) == "not_claimed"


def test_410_disables_the_endpoint(originator, partner, receivers, loopback_allowed):
    agreement_make(originator, partner)
    [receiver] = receivers(1, fail_times=1, fail_status=410)
    endpoint = register(partner, receiver.url)
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "gone"
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD
    # Still in the feed: the partner can pull it.
    assert delivery.seq == 1


def test_private_target_refused_at_send_time(originator, partner, receivers, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 0
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    register(partner, receiver.url)
    _, [delivery] = publish(originator)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert "target refused" in delivery.last_error


def test_retry_schedule_grows_and_ends_near_72_hours(settings):
    settings.DELIVERY_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 86400, 86400]
    delays = []
    attempts = 1
    while (delay := next_delay(attempts=attempts, retry_after=None)) is not None:
        delays.append(delay)
        attempts += 1
    assert len(delays) == 8
    assert 4.5 <= delays[0] <= 5.5
    assert 60 * 3600 < sum(delays) < 72 * 3600 * 1.1


def test_sweeper_finds_due_unhinted_and_stale_in_flight_deliveries(
    originator, partner, loopback_allowed, settings
):
    settings.DELIVERY_CLAIM_STALE_SECONDS = 60
    agreement_make(originator, partner)
    WebhookEndpoint.objects.create(agency=partner, url="http://127.0.0.1:9/")
    _, [delivery] = publish(originator)
    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=timezone.now())
    assert deliveries_due() == []  # hinted just now: leave it to the queue
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.IN_FLIGHT, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert deliveries_due() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


def test_screening_hit_event_goes_only_to_a_subscribed_endpoint(
    partner, receivers, loopback_allowed
):
    assert agency_event_send(recipient=partner, event="screening.hit", data={"id": "x"}) is None
    [receiver] = receivers(1)
    register(partner, receiver.url, events=["screening.hit"])
    with transaction.atomic():
        delivery = agency_event_send(
            recipient=partner, event="screening.hit", data={"id": "hit-1", "score": 0.93}
        )
    assert delivery is not None
    assert delivery.seq is None
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    body = json.loads(receiver.requests[0].body)
    assert body == {
        "type": "screening.hit",
        "timestamp": body["timestamp"],
        "data": {"id": "hit-1", "score": 0.93},
    }


def test_the_request_goes_to_the_address_that_was_checked(
    originator, partner, receivers, loopback_allowed, monkeypatch
):
    """The name is resolved once; the connection uses that address, the Host header the name."""
    import socket

    agreement_make(originator, partner)
    [receiver] = receivers(1)
    port = receiver.server.server_address[1]
    real = socket.getaddrinfo
    lookups = []

    def fake_dns(host, *args, **kwargs):
        if host == "hooks.partner.test":
            lookups.append(host)
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    register(partner, f"http://hooks.partner.test:{port}/hook")
    lookups.clear()
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert lookups == ["hooks.partner.test"]
    assert receiver.requests[0].headers["host"] == f"hooks.partner.test:{port}"


def test_a_name_that_now_resolves_to_a_private_address_is_refused_at_send_time(
    originator, partner, receivers, settings, monkeypatch
):
    import socket

    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 0
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    agreement_make(originator, partner)
    WebhookEndpoint.objects.create(agency=partner, url="https://hooks.partner.test/hook")
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )
    _, [delivery] = publish(originator)
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "non-public address 10.0.0.7" in delivery.last_error


def test_event_data_with_dates_is_stored_as_plain_json(partner, loopback_allowed):
    import uuid

    register(partner, "http://127.0.0.1:9/hook", events=["screening.hit"])
    hit = uuid.uuid4()
    with transaction.atomic():
        delivery = agency_event_send(
            recipient=partner,
            event="screening.hit",
            data={"id": hit, "at": timezone.now(), "score": 0.9},
        )
    delivery.refresh_from_db()
    assert delivery.payload["id"] == str(hit)
    assert isinstance(delivery.payload["at"], str)
    assert delivery.item_id == str(hit)


def test_a_name_that_does_not_resolve_yet_may_be_registered(partner, client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = client_for(partner, Role.AGENCY_ADMIN).post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.partner.invalid/cordon", "events": ["report.published"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert WebhookEndpoint.objects.get().url == "https://hooks.partner.invalid/cordon"


def test_a_name_that_does_not_resolve_is_not_sent_to(partner):
    from sharing.services.webhooks import TargetRefused, target_resolve

    with pytest.raises(TargetRefused):
        target_resolve("https://hooks.partner.invalid/cordon")
