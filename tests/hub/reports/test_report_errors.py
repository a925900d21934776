"""Every way POST /api/v1/reports/ refuses a request: status, error code, and nothing stored.

Table-driven: each case builds its request (after any setup it needs, such as
publishing a first version), then the test snapshots the tables, sends the
request, checks the error body of DESIGN 6 and that no table changed.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import ApiToken, AuditRecord, Role
from agencies.services import custodial_key_for, key_revoke
from hub.models import Report, ReportVersion, Retraction
from hub.reports.signing import report_sign
from sharing.models import Delivery
from tests.factories import TEST_ACTOR, key_make, token_make
from tests.hub.reports.conftest import (
    b64,
    report_claims,
    report_with_field_in_clear,
    sd_jwt_sign,
    token_join,
    token_parts,
    unb64,
)

URL = "/api/v1/reports/"


@dataclass
class Context:
    originator: Any
    partner: Any
    client_for: Callable
    custodial_key: Any

    @property
    def publisher(self) -> APIClient:
        return self.client_for(self.originator, Role.PUBLISHER)

    def sign(self, report: dict | None = None, **options: Any) -> str:
        return sd_jwt_sign(
            key=options.pop("key", self.custodial_key), report=report or report_claims(), **options
        )

    def publish(self, token: str) -> None:
        response = self.publisher.post(URL, {"token": token}, format="json")
        assert response.status_code == 201, response.json()


Request = tuple[APIClient, dict[str, Any]]


def body(token: str) -> dict[str, Any]:
    return {"data": json.dumps({"token": token}), "content_type": "application/json"}


def malformed_json(ctx: Context) -> Request:
    return ctx.publisher, {"data": '{"token": "eyJ', "content_type": "application/json"}


def no_api_token(ctx: Context) -> Request:
    return APIClient(), body(ctx.sign())


def expired_api_token(ctx: Context) -> Request:
    secret = token_make(
        ctx.originator, Role.PUBLISHER, expires_at=timezone.now() + timedelta(hours=1)
    )
    ApiToken.objects.filter(agency=ctx.originator).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client, body(ctx.sign())


def api_token_from_disallowed_ip(ctx: Context) -> Request:
    client = ctx.client_for(ctx.originator, Role.PUBLISHER, allowed_ips=["10.20.0.0/16"])
    return client, {**body(ctx.sign()), "REMOTE_ADDR": "192.0.2.44"}


def reader_role(ctx: Context) -> Request:
    return ctx.client_for(ctx.originator, Role.READER), body(ctx.sign())


def not_json_object(ctx: Context) -> Request:
    return ctx.publisher, {"data": json.dumps(["token"]), "content_type": "application/json"}


def missing_sd_jwt(ctx: Context) -> Request:
    return ctx.publisher, {"data": json.dumps({"tokn": "x"}), "content_type": "application/json"}


def _with_header(token: str, header: dict[str, Any], signature: str) -> str:
    issuer_jwt, disclosures = token_parts(token)
    _, payload, _ = issuer_jwt.split(".")
    return token_join(f"{b64(header)}.{payload}.{signature}", disclosures)


def alg_none(ctx: Context) -> Request:
    token = ctx.sign()
    header = {"alg": "none", "typ": "sar+sd-jwt", "kid": ctx.custodial_key.kid}
    return ctx.publisher, body(_with_header(token, header, ""))


def alg_hs256(ctx: Context) -> Request:
    # The classic confusion attack: HMAC keyed with the public key.
    token = ctx.sign()
    header = {"alg": "HS256", "typ": "sar+sd-jwt", "kid": ctx.custodial_key.kid}
    issuer_jwt, _ = token_parts(token)
    payload = issuer_jwt.split(".")[1]
    signing_input = f"{b64(header)}.{payload}".encode()
    secret = ctx.custodial_key.public_jwk["x"].encode()
    mac = base64.urlsafe_b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest())
    return ctx.publisher, body(_with_header(token, header, mac.decode().rstrip("=")))


def unknown_kid(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign(header={"kid": f"{ctx.originator.code}/never-registered"}))


def key_of_another_agency(ctx: Context) -> Request:
    partner_key, _ = custodial_key_for(agency=ctx.partner)
    return ctx.publisher, body(ctx.sign(key=partner_key, iss=ctx.originator.code))


def revoked_key(ctx: Context) -> Request:
    key = key_make(
        ctx.originator, label="compromised", valid_from=timezone.now() - timedelta(days=30)
    )
    key_revoke(key=key, actor=TEST_ACTOR, revoked_at=timezone.now() - timedelta(hours=1))
    return ctx.publisher, body(ctx.sign(key=key, iat=int(timezone.now().timestamp())))


def key_not_yet_valid_at_iat(ctx: Context) -> Request:
    key = key_make(ctx.originator, label="next-year", valid_from=timezone.now() + timedelta(days=1))
    return ctx.publisher, body(ctx.sign(key=key, iat=int(timezone.now().timestamp())))


def wrong_typ(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign(header={"typ": "example+sd-jwt"}))


def tampered_payload(ctx: Context) -> Request:
    issuer_jwt, disclosures = token_parts(ctx.sign())
    header, payload, signature = issuer_jwt.split(".")
    claims = unb64(payload)
    claims["report"]["tlp"] = "CLEAR"
    return ctx.publisher, body(token_join(f"{header}.{b64(claims)}.{signature}", disclosures))


def tampered_disclosure(ctx: Context) -> Request:
    issuer_jwt, disclosures = token_parts(ctx.sign())
    salt, name, value = unb64(disclosures[0])
    assert name == "narrative"
    disclosures[0] = b64([salt, name, value + " The exporter is innocent."])
    return ctx.publisher, body(token_join(issuer_jwt, disclosures))


def extra_disclosure(ctx: Context) -> Request:
    issuer_jwt, disclosures = token_parts(ctx.sign())
    disclosures.append(b64(["c2FsdHNhbHRzYWx0", "injected", "not signed by the issuer"]))
    return ctx.publisher, body(token_join(issuer_jwt, disclosures))


def duplicate_disclosure(ctx: Context) -> Request:
    issuer_jwt, disclosures = token_parts(ctx.sign())
    return ctx.publisher, body(token_join(issuer_jwt, [*disclosures, disclosures[3]]))


def key_binding_jwt(ctx: Context) -> Request:
    token = ctx.sign()
    kb = f"{b64({'alg': 'EdDSA', 'typ': 'kb+jwt'})}.{b64({'nonce': 'n'})}.c2ln"
    return ctx.publisher, body(token + kb)


def redactable_field_in_clear(ctx: Context) -> Request:
    report = report_claims()
    return ctx.publisher, body(ctx.sign(report, structure=report_with_field_in_clear(report)))


def float_amount(ctx: Context) -> Request:
    report = report_claims()
    report["goods"][0]["value"] = 1840000.5
    return ctx.publisher, body(ctx.sign(report))


def nul_character_in_a_claim(ctx: Context) -> Request:
    # PostgreSQL stores no NUL in text or jsonb: refused, never a server error.
    return ctx.publisher, body(ctx.sign(report_claims(title="Turbines\u0000 to Tehran")))


def nul_character_in_the_kid(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign(header={"kid": "DE-CUSTOMS/\u0000"}))


def unknown_tlp(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign(report_claims(tlp="PURPLE")))


def body_over_one_mib(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign() + "A" * (1024 * 1024))


def duplicate_version(ctx: Context) -> Request:
    token = ctx.sign()
    ctx.publish(token)
    return ctx.publisher, body(token)


def stale_version(ctx: Context) -> Request:
    report = report_claims()
    ctx.publish(ctx.sign(report))
    ctx.publish(ctx.sign({**report, "version": 2, "title": "Amended"}))
    return ctx.publisher, body(ctx.sign({**report, "title": "An old draft"}))


def version_gap(ctx: Context) -> Request:
    report = report_claims()
    ctx.publish(ctx.sign(report))
    return ctx.publisher, body(ctx.sign({**report, "version": 3}))


def first_version_not_one(ctx: Context) -> Request:
    return ctx.publisher, body(ctx.sign(report_claims(version=2)))


def report_id_of_another_agency(ctx: Context) -> Request:
    report = report_claims()
    partner_token = report_sign(agency=ctx.partner, claims=report)
    response = ctx.client_for(ctx.partner).post(URL, {"token": partner_token}, format="json")
    assert response.status_code == 201
    return ctx.publisher, body(ctx.sign({**report, "version": 2}))


def issuer_is_not_caller(ctx: Context) -> Request:
    return ctx.publisher, body(report_sign(agency=ctx.partner, claims=report_claims()))


CASES = [
    (malformed_json, 400, "malformed_json"),
    (not_json_object, 400, "invalid_request"),
    (missing_sd_jwt, 400, "invalid_request"),
    (no_api_token, 401, "not_authenticated"),
    (expired_api_token, 401, "token_expired"),
    (api_token_from_disallowed_ip, 403, "ip_not_allowed"),
    (reader_role, 403, "role_required"),
    (issuer_is_not_caller, 403, "issuer_not_caller"),
    (alg_none, 422, "unsupported_alg"),
    (alg_hs256, 422, "unsupported_alg"),
    (wrong_typ, 422, "wrong_typ"),
    (unknown_kid, 422, "unknown_kid"),
    (key_of_another_agency, 422, "kid_not_issuers"),
    (revoked_key, 422, "key_revoked"),
    (key_not_yet_valid_at_iat, 422, "key_not_yet_valid"),
    (tampered_payload, 422, "bad_signature"),
    (tampered_disclosure, 422, "unreferenced_disclosure"),
    (extra_disclosure, 422, "unreferenced_disclosure"),
    (duplicate_disclosure, 422, "duplicate_disclosure"),
    (key_binding_jwt, 422, "key_binding_not_allowed"),
    (redactable_field_in_clear, 422, "field_not_selectively_disclosable"),
    (float_amount, 422, "float_not_allowed"),
    (unknown_tlp, 422, "schema_violation"),
    (nul_character_in_a_claim, 422, "schema_violation"),
    (nul_character_in_the_kid, 422, "unknown_kid"),
    (first_version_not_one, 422, "version_gap"),
    (version_gap, 422, "version_gap"),
    (body_over_one_mib, 413, "request_too_large"),
    (duplicate_version, 409, "duplicate_version"),
    (stale_version, 409, "stale_version"),
    (report_id_of_another_agency, 409, "report_id_taken"),
]


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Report, ReportVersion, Retraction, AuditRecord, Delivery)
    }


@pytest.mark.parametrize(
    ("build", "status", "code"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_refused_publication_has_its_status_code_and_stores_nothing(
    build, status, code, originator, partner, client_for, custodial_key
):
    ctx = Context(
        originator=originator, partner=partner, client_for=client_for, custodial_key=custodial_key
    )
    client, request = build(ctx)
    before = table_counts()

    response = client.post(URL, **request)

    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    assert table_counts() == before


def test_redactable_fields_in_clear_are_all_named(originator, publisher, custodial_key):
    report = report_claims()
    structure = report_with_field_in_clear(report)
    structure["narrative"] = report["narrative"]
    del structure[next(k for k in structure if getattr(k, "value", None) == "narrative")]
    token = sd_jwt_sign(key=custodial_key, report=report, structure=structure)

    response = publisher.post(URL, {"token": token}, format="json")

    assert response.status_code == 422
    assert set(response.json()["error"]["details"]) == {
        "report.narrative",
        "report.parties[0].name",
    }


def test_schema_violations_are_all_named_by_path(originator, publisher, custodial_key):
    report = report_claims(tlp="RED")
    report["parties"][1]["country"] = "ZZ"
    report["goods"][2]["hs_code"] = "84"
    report["goods"][1]["currency"] = "EURO"
    report["route"]["transport_mode"] = ""
    report["activity"] = {"start": "2026-13-01"}
    token = sd_jwt_sign(key=custodial_key, report=report)

    response = publisher.post(URL, {"token": token}, format="json")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "schema_violation"
    assert set(error["details"]) == {
        "report.recipients",
        "report.parties[1].country",
        "report.goods[2].hs_code",
        "report.goods[1].currency",
        "report.route.transport_mode",
        "report.activity.start",
    }
