"""Distribution end to end: real PostgreSQL, Redis, Celery worker (and beat), local receivers.

Reports go through the real publishing path (hub.reports.services.report_publish
with an SD-JWT from report_sign). Every receiver is a local HTTP server on
127.0.0.1; what it received is compared byte for byte with what the hub says
it delivered, and verified independently of the hub's own signing code.
"""

import base64
import copy
import json
import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from jwcrypto import jwk
from sd_jwt.verifier import SDJWTVerifier

from agencies.models import Role, SigningKey
from hub.reports.services import report_publish
from hub.reports.signing import report_sign
from sharing.client import webhook_signature_verify
from sharing.models import Delivery, DeliveryState, HubSigningKey, WebhookAttempt
from sharing.services.hub_key import hub_issuer, hub_jwks
from sharing.services.webhooks import webhook_endpoint_register
from tests.factories import TEST_ACTOR, agency_make
from tests.sharing.builders import agreement_make
from tests.sharing.receivers import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKER_ENV = {
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
    "WEBHOOK_TIMEOUT_SECONDS": "20",
    "DELIVERY_RETRY_SCHEDULE": "0.2,0.2,0.2,0.2,0.2",
    "DELIVERY_CLAIM_STALE_SECONDS": "3",
    "DELIVERY_REENQUEUE_AFTER_SECONDS": "1",
    "DELIVERY_SWEEP_SECONDS": "0.5",
}

# Text of each redaction class in the report below; none may reach a recipient withholding it.
SECRETS = {
    "narrative": ["Three consignments of 5-axis", "cash equivalents"],
    "person_identity": ["Viktor Lebedev", "RU7211045"],
    "organization_identity": ["Hartmann Praezisionstechnik", "Gulf Horizon", "MV Sea Lantern"],
    "commercial": ["1840000.00", "DE-BAFA-2026-004417", "INV-2026-0312"],
}

REPORT = {
    "version": 1,
    "title": "Diversion of CNC machine tools via a UAE front company",
    "tlp": "AMBER",
    "activity": {"start": "2026-03-02", "end": "2026-05-18"},
    "red_flags": ["BIS-RF-5"],
    "narrative": "Three consignments of 5-axis CNC centres; paid in cash equivalents.",
    "parties": [
        {
            "role": "exporter",
            "type": "organization",
            "name": "Hartmann Praezisionstechnik GmbH",
            "identifiers": [{"scheme": "EORI", "value": "DE123456789012345"}],
            "address": "Industriestrasse 12, Stuttgart",
            "country": "DE",
        },
        {"role": "consignee", "type": "organization", "name": "Gulf Horizon FZE", "country": "AE"},
        {
            "role": "broker",
            "type": "person",
            "name": "Viktor Lebedev",
            "identifiers": [{"scheme": "passport", "value": "RU7211045"}],
            "country": "RU",
        },
        {"role": "carrier", "type": "vessel", "name": "MV Sea Lantern", "country": "PA"},
    ],
    "goods": [
        {
            "description": "5-axis CNC machining centre",
            "hs_code": "845710",
            "control_code": "2B001",
            "quantity": "3",
            "unit": "pcs",
            "value": "1840000.00",
            "currency": "EUR",
        }
    ],
    "route": {
        "origin": "DE",
        "transit": ["AE"],
        "destination": "AE",
        "stated_end_destination": "AE",
        "transport_mode": "sea",
    },
    "licence": {"number": "DE-BAFA-2026-004417", "authority": "BAFA", "status": "granted"},
    "documents": [{"type": "commercial_invoice", "reference": "INV-2026-0312"}],
}


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def worker_with_beat(celery_worker_factory):
    def start(*, beat: bool = True):
        worker = celery_worker_factory("worker", env=WORKER_ENV)
        if beat:
            celery_worker_factory("beat", env=WORKER_ENV)
        return worker

    return start


def report_publish_as(originator, **overrides):
    claims = copy.deepcopy(REPORT)
    claims["id"] = str(uuid.uuid4())
    claims.update(overrides)
    token = report_sign(agency=originator, claims=claims)
    return report_publish(caller_agency=originator, token=token, actor=TEST_ACTOR)


def endpoint_for(agency, receiver):
    return webhook_endpoint_register(agency=agency, url=receiver.url, events=[], actor=TEST_ACTOR)


def issuer_key(iss, header):
    if iss == hub_issuer():
        return jwk.JWK(**HubSigningKey.objects.get(kid=header["kid"]).public_jwk)
    return jwk.JWK(**SigningKey.objects.get(kid=header["kid"], agency__code=iss).public_jwk)


def decoded_text(token: str) -> str:
    """Everything a recipient can read from a token: JWT payload and each disclosure."""
    parts = token.split("~")
    texts = [base64.urlsafe_b64decode(parts[0].split(".")[1] + "==").decode()]
    texts += [base64.urlsafe_b64decode(p + "==").decode() for p in parts[1:] if p]
    return "\n".join(texts)


def test_one_report_reaches_20_partners_each_in_exactly_its_view(
    originator, receivers, worker_with_beat, loopback
):
    templates = {
        "full": {},
        "narrow": {"withheld": ["narrative", "person_identity", "commercial"]},
        "anonymised": {"attribution": "must-not", "withheld": ["organization_identity"]},
    }
    names = list(templates)
    partners = {}
    hooks = receivers(20)
    for number, receiver in enumerate(hooks):
        agency = agency_make(f"P{number:02d}-CUSTOMS", country="FR")
        template = names[number % 3]
        agreement_make(originator, agency, **templates[template])
        endpoint_for(agency, receiver)
        partners[agency.code] = (agency, template, receiver)
    worker_with_beat(beat=False)

    report = report_publish_as(originator)
    assert len(report.deliveries) == 20

    assert wait_until(lambda: all(r.delivered for r in hooks), timeout=60), [
        len(r.requests) for r in hooks
    ]
    jwks = hub_jwks()
    for code, (agency, template, receiver) in partners.items():
        assert len(receiver.requests) == 1, code
        [request] = receiver.requests
        assert (
            webhook_signature_verify(headers=request.headers, body=request.body, jwks=jwks) is None
        )
        delivery = Delivery.objects.get(recipient=agency, item_id=str(report.pk))
        assert delivery.state == DeliveryState.DELIVERED
        body = json.loads(request.body)
        assert body["type"] == "report.published"
        assert body["data"]["token"] == delivery.token
        assert request.headers["webhook-id"] == delivery.webhook_id
        # The signature verifies on exactly what was received (the hub's for must-not).
        claims = SDJWTVerifier(body["data"]["token"], issuer_key).get_verified_payload()
        withheld = set(templates[template].get("withheld", []))
        if template == "anonymised":
            assert claims["iss"] == hub_issuer()
            assert claims["attribution"]["originator"] == "an agency of DE"
            assert originator.code not in request.body.decode()
        else:
            assert claims["iss"] == originator.code
        readable = request.body.decode() + decoded_text(body["data"]["token"])
        for redaction_class, texts in SECRETS.items():
            for text in texts:
                if redaction_class in withheld:
                    assert text not in readable, (code, text)
                else:
                    assert text in readable, (code, text)
        assert sorted(body["data"]["withheld"]) == sorted(withheld)


def test_failing_receiver_recovers_and_gets_it_once_with_one_webhook_id(
    originator, partner, receivers, worker_with_beat, loopback
):
    agreement_make(originator, partner)
    [receiver] = receivers(1, fail_times=3, fail_status=503)
    endpoint_for(partner, receiver)
    worker_with_beat(beat=False)  # short retries ride broker countdowns

    report = report_publish_as(originator)

    assert wait_until(lambda: receiver.delivered, timeout=30)
    delivery = Delivery.objects.get(recipient=partner, item_id=str(report.pk))
    assert wait_until(lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED)
    assert len(receiver.requests) == 4
    assert len(receiver.delivered) == 1
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.webhook_id}
    assert [a.status_code for a in WebhookAttempt.objects.filter(delivery=delivery)] == [
        503,
        503,
        503,
        200,
    ]


def test_worker_killed_mid_delivery_the_next_worker_delivers(
    originator, partner, receivers, worker_with_beat, celery_worker_factory, loopback
):
    agreement_make(originator, partner)
    [receiver] = receivers(1, hold_first=True)
    endpoint_for(partner, receiver)
    first = worker_with_beat(beat=True)

    report = report_publish_as(originator)
    assert receiver.got_request.wait(30)
    first.kill()  # SIGKILL while the request is in flight
    delivery = Delivery.objects.get(recipient=partner, item_id=str(report.pk))
    # In flight (or already released by the sweeper as stale): not delivered.
    assert delivery.state != DeliveryState.DELIVERED
    celery_worker_factory("worker", env=WORKER_ENV)

    assert wait_until(
        lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED, timeout=45
    )
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.webhook_id}
    assert len(receiver.requests) == 2  # the interrupted attempt and the one that completed


def test_redis_flushed_after_publish_the_sweeper_still_delivers(
    originator, partner, receivers, worker_with_beat, loopback
):
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    endpoint_for(partner, receiver)

    report = report_publish_as(originator)  # no worker yet: the hint waits in Redis
    broker = redis.Redis.from_url(settings.REDIS_URL)
    assert broker.llen("celery") >= 1
    broker.flushdb()
    worker_with_beat(beat=True)

    assert wait_until(lambda: receiver.delivered, timeout=45)
    delivery = Delivery.objects.get(recipient=partner, item_id=str(report.pk))
    assert wait_until(lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED)
    assert len(receiver.requests) == 1


def test_unentitled_agencies_get_nothing_anywhere(
    originator, partner, narrow_partner, outsider, receivers, worker_with_beat, client_for, loopback
):
    now = timezone.now()
    expired = agency_make("BE-EXPIRED", country="BE")
    suspended = agency_make("AT-SUSPENDED", country="AT")
    ceiling = agency_make("PL-GREEN", country="PL")
    scoped = agency_make("JP-SCOPED", country="JP")
    agreement_make(originator, partner)  # the control: entitled
    agreement_make(
        originator,
        expired,
        valid_from=now - timedelta(days=30),
        valid_until=now - timedelta(days=1),
    )
    agreement_make(originator, suspended, status="suspended")
    agreement_make(originator, ceiling, max_tlp="GREEN")
    agreement_make(originator, scoped, scope_countries=["JP"], scope_hs_chapters=["93"])
    # The outsider has an agreement, but with the partner: nothing passes through the hub.
    agreement_make(partner, outsider)
    hooks = {}
    for agency in (partner, expired, suspended, ceiling, scoped, outsider):
        [hooks[agency.code]] = receivers(1)
        endpoint_for(agency, hooks[agency.code])
    worker_with_beat(beat=True)

    report = report_publish_as(originator)

    assert wait_until(lambda: hooks["FR-DOUANE"].delivered, timeout=30)
    # Let the worker and sweeper run a few more rounds before looking for leaks.
    wait_until(lambda: False, timeout=2)
    for agency in (expired, suspended, ceiling, scoped, outsider):
        assert hooks[agency.code].requests == [], agency.code
        assert not Delivery.objects.filter(recipient=agency).exists()
        client = client_for(agency, Role.READER)
        assert client.get("/api/v1/feed/").json()["items"] == []
        assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 404
        listed = client.get("/api/v1/reports/").content.decode()
        assert str(report.pk) not in listed
    assert narrow_partner is not None  # persona present, no agreement: nothing either
    assert not Delivery.objects.filter(recipient=narrow_partner).exists()
