"""Sign-in, sign-out, throttling and the page guard."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from agencies.models import Role

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get(reverse("web:manage_agencies"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_sign_in_page_has_labelled_fields_and_csrf():
    response = Client(enforce_csrf_checks=True).get(reverse("web:login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in body
    assert '<label for="id_password">' in body
    assert "csrfmiddlewaretoken" in body
    assert "Content-Security-Policy" in response.headers


def test_sign_in_without_csrf_token_is_refused(originator, person_make):
    user = person_make(originator, Role.READER)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


def test_member_signs_in_and_lands_on_a_page(originator, person_make):
    user = person_make(originator, Role.READER)
    client = Client()
    response = _sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_wrong_password_is_refused_with_a_message(originator, person_make):
    user = person_make(originator, Role.READER)
    client = Client()
    response = _sign_in(client, user.username, "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "correct username and password" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_repeated_failures_lock_the_username_even_with_the_right_password(originator, person_make):
    user = person_make(originator, Role.READER)
    client = Client()
    for _ in range(3):
        _sign_in(client, user.username, "wrong")
    response = _sign_in(client, user.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_lockout_is_per_address_so_others_cannot_lock_a_person_out(originator, person_make):
    user = person_make(originator, Role.READER)
    for _ in range(3):
        _sign_in(Client(), user.username, "wrong", address="203.0.113.9")
    client = Client()
    _sign_in(client, user.username, PASSWORD, address="10.0.0.1")
    assert client.session.get("_auth_user_id") == str(user.pk)


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_success_resets_the_failure_count(originator, person_make):
    user = person_make(originator, Role.READER)
    for _ in range(2):
        _sign_in(Client(), user.username, "wrong")
    _sign_in(Client(), user.username, PASSWORD)
    for _ in range(2):
        _sign_in(Client(), user.username, "wrong")
    client = Client()
    _sign_in(client, user.username, PASSWORD)
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_sign_out_needs_post(web_client_for, originator):
    client = web_client_for(originator, Role.READER)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_cookie_is_http_only_and_ends_with_the_browser(originator, person_make):
    user = person_make(originator, Role.READER)
    client = Client()
    _sign_in(client, user.username, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert not cookie["max-age"]
    assert cookie["samesite"] == "Lax"


def test_a_person_of_no_agency_is_denied():
    user = get_user_model().objects.create_user(username="stray", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("web:manage_agencies"))
    assert response.status_code == 403
    assert "belongs to no agency" in response.content.decode()


def test_signed_in_pages_are_not_cached(web_client_for, originator):
    client = web_client_for(originator, Role.AGENCY_ADMIN)
    response = client.get(reverse("web:manage_agency", args=[originator.code]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_lockout_counts_in_redis_shared_by_every_web_process(settings, originator, person_make):
    """With REDIS_URL (production, CI) the counter lives in Redis; atomic add/incr there."""
    import os
    import uuid as uuid_module

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if settings.HUB_REQUIRE_SERVICES:
            pytest.fail("HUB_REQUIRE_SERVICES is set but REDIS_URL is not")
        pytest.skip("REDIS_URL is not set")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid_module.uuid4().hex}",
            "TIMEOUT": 60,
        }
    }
    settings.LOGIN_MAX_FAILURES = 2
    user = person_make(originator, Role.READER)
    for _ in range(2):
        _sign_in(Client(), user.username, "wrong")
    client = Client()
    response = _sign_in(client, user.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()
