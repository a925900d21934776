"""Every way POST /api/v1/reports/{id}/retractions/ refuses a request, storing nothing."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.crypto import jws_sign
from agencies.models import AuditRecord, Role
from agencies.services import key_revoke
from hub.models import Report, ReportStatus, Retraction
from hub.reports.signing import report_sign, retraction_sign
from sharing.models import Delivery
from tests.factories import TEST_ACTOR, key_make
from tests.hub.reports.conftest import private_key_of, report_claims
from tests.hub.reports.test_report_publish import agreement_make


@pytest.fixture
def published(originator, publisher):
    report = report_claims()
    response = publisher.post(
        "/api/v1/reports/", {"token": report_sign(agency=originator, claims=report)}, format="json"
    )
    assert response.status_code == 201
    return report["id"]


def signed(key, **claims) -> str:
    # Never before the key's valid_from, which has microseconds.
    iat = max(int(timezone.now().timestamp()), int(key.valid_from.timestamp()) + 1)
    payload = {"iss": key.agency.code, "iat": iat, "kind": "retraction"}
    payload.update(claims)
    return jws_sign(payload=payload, key=private_key_of(key), kid=key.kid, typ="sar-retraction+jwt")


def malformed_json(ctx):
    return ctx["url"], {"data": '{"token": ', "content_type": "application/json"}


def wrong_report_id(ctx):
    token = retraction_sign(
        agency=ctx["originator"], report_id=str(uuid.uuid4()), version=1, reason="x"
    )
    return ctx["url"], {"data": json.dumps({"token": token}), "content_type": "application/json"}


def unknown_report(ctx):
    token = retraction_sign(agency=ctx["originator"], report_id=ctx["id"], version=1, reason="x")
    url = f"/api/v1/reports/{uuid.uuid4()}/retractions/"
    return url, {"data": json.dumps({"token": token}), "content_type": "application/json"}


def empty_reason(ctx):
    token = retraction_sign(agency=ctx["originator"], report_id=ctx["id"], version=1, reason=" ")
    return ctx["url"], {"data": json.dumps({"token": token}), "content_type": "application/json"}


def nul_character_in_the_reason(ctx):
    token = retraction_sign(
        agency=ctx["originator"], report_id=ctx["id"], version=1, reason="no\u0000longer valid"
    )
    return ctx["url"], {"data": json.dumps({"token": token}), "content_type": "application/json"}


def wrong_kind(ctx):
    key = key_make(ctx["originator"], label="r-kind")
    token = signed(key, kind="sar", report_id=ctx["id"], version=1, reason="x")
    return ctx["url"], {"data": json.dumps({"token": token}), "content_type": "application/json"}


def revoked_key(ctx):
    key = key_make(ctx["originator"], label="r-old", valid_from=timezone.now() - timedelta(days=3))
    key_revoke(key=key, actor=TEST_ACTOR, revoked_at=timezone.now() - timedelta(hours=1))
    token = signed(key, report_id=ctx["id"], version=1, reason="x")
    return ctx["url"], {"data": json.dumps({"token": token}), "content_type": "application/json"}


CASES = [
    (malformed_json, 400, "malformed_json"),
    (unknown_report, 404, "report_not_found"),
    (wrong_report_id, 422, "schema_violation"),
    (empty_reason, 422, "schema_violation"),
    (nul_character_in_the_reason, 422, "schema_violation"),
    (wrong_kind, 422, "schema_violation"),
    (revoked_key, 422, "key_revoked"),
]


@pytest.mark.parametrize(("build", "status", "code"), CASES, ids=[c[0].__name__ for c in CASES])
def test_refused_retraction_has_its_status_code_and_stores_nothing(
    build, status, code, originator, publisher, published
):
    ctx = {
        "originator": originator,
        "id": published,
        "url": f"/api/v1/reports/{published}/retractions/",
    }
    url, request = build(ctx)
    before = [m.objects.count() for m in (Retraction, AuditRecord, Delivery)]

    response = publisher.post(url, **request)

    assert response.status_code == status, response.content[:400]
    assert response.json()["error"]["code"] == code
    assert [m.objects.count() for m in (Retraction, AuditRecord, Delivery)] == before
    assert Report.objects.get(pk=published).status == ReportStatus.ACTIVE


def test_reader_cannot_retract(originator, client_for, published):
    token = retraction_sign(agency=originator, report_id=published, version=1, reason="x")

    response = client_for(originator, Role.READER).post(
        f"/api/v1/reports/{published}/retractions/", {"token": token}, format="json"
    )

    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")
    assert not Retraction.objects.exists()


@pytest.fixture
def received(originator, partner, publisher):
    agreement_make(originator, partner)
    report = report_claims()
    response = publisher.post(
        "/api/v1/reports/", {"token": report_sign(agency=originator, claims=report)}, format="json"
    )
    assert response.status_code == 201
    return report["id"]


def test_a_recipient_cannot_retract_what_it_received(originator, partner, client_for, received):
    published = received
    # The partner's own key and iss: a validly signed retraction, but not the originator's.
    token = retraction_sign(agency=partner, report_id=published, version=1, reason="x")
    assert Delivery.objects.filter(recipient=partner, item_id=published).exists()

    response = client_for(partner, Role.PUBLISHER).post(
        f"/api/v1/reports/{published}/retractions/", {"token": token}, format="json"
    )

    assert (response.status_code, response.json()["error"]["code"]) == (403, "not_originator")
    assert not Retraction.objects.exists()
    assert Report.objects.get(pk=published).status == ReportStatus.ACTIVE


def test_an_outsider_is_not_told_the_report_exists(originator, outsider, client_for, published):
    token = retraction_sign(agency=outsider, report_id=published, version=1, reason="x")

    response = client_for(outsider, Role.PUBLISHER).post(
        f"/api/v1/reports/{published}/retractions/", {"token": token}, format="json"
    )

    assert (response.status_code, response.json()["error"]["code"]) == (404, "report_not_found")
