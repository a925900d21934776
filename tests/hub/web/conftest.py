"""Web UI fixtures: people of the persona agencies, signed in through Django's session."""

import pytest
from django.core.cache import cache
from django.test import Client

from agencies.models import Role
from agencies.services import member_create
from tests.factories import TEST_ACTOR

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _throttle_cleared(settings):
    # Sign-in failures are counted in the cache. A private in-memory cache per
    # test starts with none, and clearing it cannot flush a shared Redis database.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "web"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person_make(db):
    """person_make(agency, role, username=None) -> the new user, with PASSWORD."""
    counter = {"n": 0}

    def build(agency, role: str = Role.READER, username: str | None = None):
        counter["n"] += 1
        username = username or f"{agency.code.lower()}-{role}-{counter['n']}"
        membership = member_create(
            agency=agency, username=username, password=PASSWORD, role=role, actor=TEST_ACTOR
        )
        return membership.user

    return build


@pytest.fixture
def web_client_for(person_make):
    """web_client_for(agency, role) -> a Django test Client signed in as a new person."""

    def build(agency, role: str = Role.READER) -> Client:
        client = Client()
        client.force_login(person_make(agency, role))
        return client

    return build
