"""Administration pages: agencies, keys and tokens, allowed and denied."""

import pytest
from django.urls import reverse

from agencies.models import Agency, ApiToken, Role, SigningKey
from agencies.services import token_hash
from tests.factories import key_make, token_make

pytestmark = pytest.mark.django_db


def test_reader_and_publisher_cannot_open_administration(web_client_for, originator):
    for role in (Role.READER, Role.PUBLISHER):
        client = web_client_for(originator, role)
        assert client.get(reverse("web:manage_agencies")).status_code == 403
        assert client.get(reverse("web:manage_agency", args=[originator.code])).status_code == 403


def test_agency_admin_sees_only_their_agency(web_client_for, originator, partner):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    listing = client.get(reverse("web:manage_agencies")).content.decode()
    assert originator.code in listing
    assert partner.code not in listing
    assert client.get(reverse("web:manage_agency", args=[partner.code])).status_code == 404


def test_agency_admin_cannot_create_agencies(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.post(
        reverse("web:manage_agencies"),
        {"code": "ES-AEAT", "name": "Spanish Customs", "country": "ES", "kind": "customs"},
    )
    assert response.status_code == 403
    assert not Agency.objects.filter(code="ES-AEAT").exists()


def test_hub_admin_creates_an_agency(web_client_for, hub_operator):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    response = client.post(
        reverse("web:manage_agencies"),
        {"code": "ES-AEAT", "name": "Spanish Customs", "country": "es", "kind": "customs"},
    )
    assert response.status_code == 302
    assert Agency.objects.get(code="ES-AEAT").country == "ES"


def test_agency_form_shows_inline_errors_and_stores_nothing(web_client_for, hub_operator):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    response = client.post(
        reverse("web:manage_agencies"),
        {"code": "bad code", "name": "", "country": "Spain", "kind": "customs"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in body
    assert "Two letters" in body
    assert not Agency.objects.filter(name="").exists()


def test_duplicate_agency_is_reported_on_the_form(web_client_for, hub_operator, originator):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    response = client.post(
        reverse("web:manage_agencies"),
        {"code": originator.code, "name": "Again", "country": "DE", "kind": "customs"},
    )
    assert response.status_code == 400
    assert "exists already" in response.content.decode()


def test_hub_admin_administers_any_agency(web_client_for, hub_operator, partner):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    assert client.get(reverse("web:manage_agency", args=[partner.code])).status_code == 200
    client.post(reverse("web:key_generate", args=[partner.code]), {"label": "web-1"})
    assert SigningKey.objects.filter(kid="FR-DOUANE/web-1", agency=partner).exists()


def test_admin_generates_and_revokes_a_key(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    client.post(reverse("web:key_generate", args=[originator.code]), {"label": "k1"})
    key = SigningKey.objects.get(kid="DE-CUSTOMS/k1")
    assert key.custodial
    client.post(reverse("web:key_revoke", args=[originator.code]), {"kid": key.kid})
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_admin_cannot_revoke_another_agencys_key(web_client_for, originator, partner):
    foreign = key_make(partner, label="theirs")
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.post(reverse("web:key_revoke", args=[partner.code]), {"kid": foreign.kid})
    assert response.status_code == 404
    response = client.post(reverse("web:key_revoke", args=[originator.code]), {"kid": foreign.kid})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_rotation_adds_a_key_and_revokes_the_old_custodial_one(web_client_for, originator):
    old = key_make(originator, label="old")
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    client.post(reverse("web:key_rotate", args=[originator.code]))
    old.refresh_from_db()
    assert old.revoked_at is not None
    live = [k for k in SigningKey.objects.filter(agency=originator) if k.revoked_at is None]
    assert len(live) == 1
    assert live[0].custodial


def test_key_actions_need_post(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    assert client.get(reverse("web:key_rotate", args=[originator.code])).status_code == 405


def test_token_secret_is_shown_once_and_only_its_hash_is_kept(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.post(
        reverse("web:token_create", args=[originator.code]),
        {"name": "feed sync", "role": Role.READER, "allowed_ips": "10.0.0.0/8, 192.0.2.1"},
    )
    body = response.content.decode()
    token = ApiToken.objects.get(name="feed sync")
    start = body.index('id="new-token-secret">') + len('id="new-token-secret">')
    secret = body[start : body.index("</code>", start)]
    assert token.token_hash == token_hash(secret)
    assert token.allowed_ips == ["10.0.0.0/8", "192.0.2.1/32"]
    again = client.get(reverse("web:manage_agency", args=[originator.code])).content.decode()
    assert secret not in again
    assert token.prefix in again


def test_agency_admin_cannot_hand_out_hub_admin_tokens(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    client.post(
        reverse("web:token_create", args=[originator.code]),
        {"name": "escalate", "role": Role.HUB_ADMIN},
    )
    assert not ApiToken.objects.filter(name="escalate").exists()


def test_admin_revokes_a_token_of_their_agency_only(web_client_for, originator, partner):
    token_make(originator, Role.READER)
    token_make(partner, Role.READER)
    own = ApiToken.objects.get(agency=originator)
    foreign = ApiToken.objects.get(agency=partner)
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    client.post(reverse("web:token_revoke", args=[originator.code, own.pk]))
    response = client.post(reverse("web:token_revoke", args=[originator.code, foreign.pk]))
    assert response.status_code == 404
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.revoked_at is not None
    assert foreign.revoked_at is None


def test_admin_adds_a_person_who_can_then_sign_in(web_client_for, originator):
    from django.test import Client

    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.post(
        reverse("web:member_create", args=[originator.code]),
        {"username": "jane@DE-CUSTOMS", "password": "a long passphrase 42", "role": "publisher"},
    )
    assert response.status_code == 302
    fresh = Client()
    fresh.post(
        reverse("web:login"), {"username": "jane@DE-CUSTOMS", "password": "a long passphrase 42"}
    )
    assert "_auth_user_id" in fresh.session


def test_admin_cannot_add_a_hub_admin_or_a_weak_password(web_client_for, originator):
    from agencies.models import Membership

    client = web_client_for(originator, Role.AGENCY_ADMIN)
    escalate = client.post(
        reverse("web:member_create", args=[originator.code]),
        {"username": "mallory", "password": "a long passphrase 42", "role": "hub_admin"},
    )
    weak = client.post(
        reverse("web:member_create", args=[originator.code]),
        {"username": "weak", "password": "password", "role": "reader"},
    )
    assert escalate.status_code == 400
    assert weak.status_code == 400
    assert not Membership.objects.filter(user__username__in=["mallory", "weak"]).exists()


def test_admin_cannot_add_people_to_another_agency(web_client_for, originator, partner):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.post(
        reverse("web:member_create", args=[partner.code]),
        {"username": "spy", "password": "a long passphrase 42", "role": "reader"},
    )
    assert response.status_code == 404


def test_hub_admin_cannot_hand_out_hub_admin_in_another_agency(
    web_client_for, hub_operator, partner
):
    client = web_client_for(hub_operator, Role.HUB_ADMIN)
    page = client.get(reverse("web:manage_agency", args=[partner.code])).content.decode()
    assert 'value="hub_admin"' not in page
    client.post(
        reverse("web:token_create", args=[partner.code]), {"name": "too much", "role": "hub_admin"}
    )
    assert not ApiToken.objects.filter(name="too much").exists()


def test_token_form_offers_the_lowest_role_first(web_client_for, originator):
    page = (
        web_client_for(originator, Role.AGENCY_ADMIN)
        .get(reverse("web:manage_agency", args=[originator.code]))
        .content.decode()
    )
    start = page.index('name="role"')
    assert page.index('value="reader"', start) < page.index('value="agency_admin"', start)
