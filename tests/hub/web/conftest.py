"""Web UI fixtures: people of the persona agencies, signed in through Django's session."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from agencies.models import Role
from agencies.services import member_create
from hub.screening.selectors import index_reset
from sharing.models import Agreement
from tests.factories import TEST_ACTOR, agency_make, register_sample_make

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _throttle_cleared(settings):
    # Sign-in failures are counted in the cache. A private in-memory cache per
    # test starts with none, and clearing it cannot flush a shared Redis database.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "web"}
    }
    # Passwords hash slowly by design; tests sign in dozens of people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


@pytest.fixture
def sharing_world(originator, partner, narrow_partner, outsider):
    """DE-CUSTOMS shares everything with FR-DOUANE, and with NL-FIOD without
    person identities and commercial details; XX-OUTSIDER has no agreement."""
    full = Agreement.objects.create(
        provider=originator,
        recipient=partner,
        status="active",
        kinds=["sar", "sanctions_update"],
        max_tlp="AMBER",
        valid_from=timezone.now() - timedelta(days=1),
        legal_basis="Naples II Convention, art. 7",
    )
    narrow = Agreement.objects.create(
        provider=originator,
        recipient=narrow_partner,
        status="active",
        kinds=["sar"],
        max_tlp="AMBER",
        withheld=["person_identity", "commercial"],
        valid_from=timezone.now() - timedelta(days=1),
        permitted_actions="internally-visible-actions",
    )
    return {"full": full, "narrow": narrow}


def compose_data(**overrides) -> dict[str, str]:
    """The POST body of the compose page: one organisation, one person, one item."""
    data = {
        "report_id": str(uuid.uuid4()),
        "version": "1",
        "title": "CNC controllers rerouted through Dubai",
        "tlp": "AMBER",
        "activity_start": "2026-03-01",
        "activity_end": "",
        "red_flags": ["BIS-RF-10", "BIS-RF-11"],
        "other_red_flags": "HUB-TRANSSHIP",
        "narrative": "Declared for a furniture workshop, re-exported within days.",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-role": "consignee",
        "parties-0-type": "organization",
        "parties-0-name": "Gulf Horizon Woodworks FZE",
        "parties-0-aliases": "Gulf Horizon Trading\nGHW FZE",
        "parties-0-identifiers": "",
        "parties-0-address": "Jebel Ali Free Zone",
        "parties-0-country": "AE",
        "parties-1-role": "broker",
        "parties-1-type": "person",
        "parties-1-name": "Viktor Lebedev",
        "parties-1-aliases": "",
        "parties-1-identifiers": "passport: RU7211045",
        "parties-1-address": "",
        "parties-1-country": "RU",
        # an untouched extra row: ignored
        "parties-2-role": "",
        "parties-2-type": "",
        "parties-2-name": "",
        "goods-TOTAL_FORMS": "1",
        "goods-INITIAL_FORMS": "0",
        "goods-MIN_NUM_FORMS": "0",
        "goods-MAX_NUM_FORMS": "1000",
        "goods-0-description": "Numerical control units",
        "goods-0-hs_code": "853710",
        "goods-0-control_code": "2B001.b",
        "goods-0-quantity": "6",
        "goods-0-unit": "pcs",
        "goods-0-value": "212500.50",
        "goods-0-currency": "EUR",
        "route-origin": "DE",
        "route-transit": "AE, TR",
        "route-destination": "AE",
        "route-stated_end_destination": "AE",
        "route-transport_mode": "sea",
        "licence-status": "granted",
        "licence-number": "DE-BAFA-2026-004417",
        "licence-authority": "BAFA",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-type": "commercial_invoice",
        "documents-0-reference": "INV-2026-0312",
    }
    data.update(overrides)
    return data


@pytest.fixture
def register(partner, outsider, originator):
    authority = agency_make("US-OFAC", country="US", kind="sanctions_authority")
    sdn = register_sample_make(authority)
    Agreement.objects.create(
        provider=authority,
        recipient=partner,
        status="active",
        kinds=["sanctions_update"],
        max_tlp="CLEAR",
        valid_from=timezone.now() - timedelta(days=1),
    )
    Agreement.objects.create(
        provider=authority,
        recipient=originator,
        status="active",
        kinds=["sanctions_update"],
        max_tlp="CLEAR",
        valid_from=timezone.now() - timedelta(days=1),
    )
    index_reset()
    yield sdn
    index_reset()
