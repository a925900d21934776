import pytest

from agencies.models import Agency, ApiToken, AuditRecord, Role, SigningKey

pytestmark = pytest.mark.django_db


def test_directory_lists_agencies_to_any_caller(originator, partner, client_for):
    response = client_for(partner, Role.READER).get("/api/v1/agencies/")
    assert response.status_code == 200
    assert {a["code"] for a in response.json()} == {"DE-CUSTOMS", "FR-DOUANE"}


def test_hub_admin_creates_an_agency_and_it_is_audited(hub_admin_client):
    response = hub_admin_client.post(
        "/api/v1/agencies/",
        {"code": "PL-KAS", "name": "Polish Customs", "country": "pl", "kind": "customs"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Agency.objects.get(code="PL-KAS").country == "PL"
    assert AuditRecord.objects.filter(action="agency.create", object_id="PL-KAS").exists()


def test_agency_admin_cannot_create_agencies(originator, client_for):
    response = client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/",
        {"code": "PL-KAS", "name": "x", "country": "PL", "kind": "customs"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "hub_admin_required"
    assert not Agency.objects.filter(code="PL-KAS").exists()


def test_request_without_token_is_401_in_the_error_shape(originator):
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/agencies/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_generated_key_is_published_in_jwks_and_private_half_never_leaves(originator, client_for):
    admin = client_for(originator, Role.AGENCY_ADMIN)
    response = admin.post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True, "label": "2026-1"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["kid"] == "DE-CUSTOMS/2026-1"
    assert "d" not in response.json()["jwk"]
    jwks = admin.get("/api/v1/agencies/DE-CUSTOMS/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == ["DE-CUSTOMS/2026-1"]
    assert all("d" not in k for k in jwks["keys"])


def test_registering_a_key_under_another_agencys_code_is_refused(originator, partner, client_for):
    from agencies.crypto import ed25519_generate

    public = ed25519_generate().export_public(as_dict=True)
    response = client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"kid": "FR-DOUANE/x", "jwk": public}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_kid"
    assert not SigningKey.objects.exists()


def test_agency_admin_cannot_manage_another_agencys_keys(originator, partner, client_for):
    response = client_for(partner, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True}, format="json"
    )
    assert response.status_code == 403
    assert not SigningKey.objects.exists()


def test_key_revocation(originator, client_for):
    admin = client_for(originator, Role.AGENCY_ADMIN)
    admin.post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True, "label": "k1"}, format="json"
    )
    response = admin.post(
        "/api/v1/agencies/DE-CUSTOMS/keys/DE-CUSTOMS/k1/revoke", {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    again = admin.post("/api/v1/agencies/DE-CUSTOMS/keys/DE-CUSTOMS/k1/revoke", {}, format="json")
    assert again.status_code == 409


def test_token_is_shown_once_and_stored_hashed(originator, client_for):
    response = client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/tokens/",
        {"name": "partner system", "role": "reader", "allowed_ips": ["10.0.0.0/8"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    secret = response.json()["token"]
    stored = ApiToken.objects.get(name="partner system")
    assert secret not in (stored.token_hash, stored.prefix)
    assert stored.allowed_ips == ["10.0.0.0/8"]


def test_agency_admin_cannot_mint_a_hub_admin_token(originator, client_for):
    response = client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/tokens/", {"name": "x", "role": "hub_admin"}, format="json"
    )
    assert response.status_code == 403


def test_agency_admin_reads_only_its_own_agencys_audit_trail(originator, partner, client_for):
    client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True, "label": "a1"}, format="json"
    )
    client_for(partner, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/FR-DOUANE/keys/", {"generate": True, "label": "b1"}, format="json"
    )
    response = client_for(originator, Role.AGENCY_ADMIN).get("/api/v1/audit/?agency=FR-DOUANE")
    assert response.status_code == 200, response.content
    records = response.json()["results"]
    assert records
    assert {r["agency"] for r in records} == {"DE-CUSTOMS"}
    assert any(r["object_id"] == "DE-CUSTOMS/a1" for r in records)


def test_hub_admin_reads_every_agencys_audit_trail(originator, partner, hub_admin_client):
    hub_admin_client.post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True, "label": "a1"}, format="json"
    )
    hub_admin_client.post(
        "/api/v1/agencies/FR-DOUANE/keys/", {"generate": True, "label": "b1"}, format="json"
    )
    records = hub_admin_client.get("/api/v1/audit/?limit=1000").json()["results"]
    assert {"DE-CUSTOMS", "FR-DOUANE"} <= {r["agency"] for r in records}
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert all(len(r["hash"]) == 64 for r in records)


def test_publisher_cannot_read_the_audit_trail(originator, client_for):
    response = client_for(originator, Role.PUBLISHER).get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_required"


@pytest.mark.parametrize("suffix", ["revoke/", "revoke"])
def test_key_revocation_takes_a_time_with_or_without_trailing_slash(originator, client_for, suffix):
    admin = client_for(originator, Role.AGENCY_ADMIN)
    admin.post(
        "/api/v1/agencies/DE-CUSTOMS/keys/", {"generate": True, "label": "k1"}, format="json"
    )
    response = admin.post(
        f"/api/v1/agencies/DE-CUSTOMS/keys/DE-CUSTOMS/k1/{suffix}",
        {"revoked_at": "2026-06-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["revoked_at"] == "2026-06-01T00:00:00Z"


def test_unknown_api_url_answers_in_the_error_shape(originator, client_for, settings):
    settings.DEBUG = False
    response = client_for(originator, Role.READER).get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_document_signed_in_the_second_the_key_was_registered_is_accepted(originator, client_for):
    from datetime import UTC, datetime

    from agencies.crypto import ed25519_generate
    from agencies.selectors import signing_key_for

    public = ed25519_generate().export_public(as_dict=True)
    response = client_for(originator, Role.AGENCY_ADMIN).post(
        "/api/v1/agencies/DE-CUSTOMS/keys/",
        {"kid": "DE-CUSTOMS/fresh", "jwk": public},
        format="json",
    )
    # A partner signs at once, with iat in whole seconds (int(time.time())).
    iat = datetime.fromtimestamp(int(datetime.now(UTC).timestamp()), tz=UTC)

    assert response.status_code == 201, response.content
    key = signing_key_for(kid="DE-CUSTOMS/fresh", issuer="DE-CUSTOMS", issued_at=iat)
    assert key.valid_from.microsecond == 0
