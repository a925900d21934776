"""Test data builders, in one place."""

from agencies.models import Agency, Role
from agencies.services import Actor, agency_create, key_generate, token_create

TEST_ACTOR = Actor(label="test")


def agency_make(code: str, *, country: str = "DE", kind: str = "customs", name: str = "") -> Agency:
    return agency_create(code=code, name=name or code, country=country, kind=kind, actor=TEST_ACTOR)


def token_make(agency: Agency, role: str = Role.PUBLISHER, **options) -> str:
    _, secret = token_create(
        agency=agency, name=f"{role} token", role=role, actor=TEST_ACTOR, **options
    )
    return secret


def key_make(agency: Agency, **options):
    return key_generate(agency=agency, actor=TEST_ACTOR, **options)
