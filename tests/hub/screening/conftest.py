"""Screening fixtures: a small real register (through the sanctions services),
the full 2024 OFAC list as a pure index, and the agreement that lets the
originator screen against the authority's list."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from agencies.services import Actor
from hub.screening import selectors
from hub.screening.matcher import ScreeningIndex
from sharing.models import Agreement

# The real OFAC files live next to the repository (../shared/data/ofac), see its README.
OFAC = Path(
    os.environ.get("OFAC_DATA_DIR", Path(__file__).resolve().parents[3].parent / "shared/data/ofac")
)

LIST = "OFAC-SDN"

# A handful of entities shaped like the OFAC importer's output.
PUTIN = {
    "id": "ofac-35096",
    "schema": "Person",
    "properties": {
        "name": ["PUTIN, Vladimir Vladimirovich"],
        "birthDate": ["1952-10-07"],
        "nationality": ["ru"],
        "country": ["ru"],
        "program": ["RUSSIA-EO14024"],
    },
}
ROMASHKA = {
    "id": "ofac-90001",
    "schema": "Company",
    "properties": {
        "name": ["LIMITED LIABILITY COMPANY ROMASHKA TRADE"],
        "alias": ["OOO ROMASHKA TRADE"],
        "registrationNumber": ["1157746123456"],
        "country": ["ru"],
    },
}
VESSEL = {
    "id": "ofac-90002",
    "schema": "Vessel",
    "properties": {"name": ["SEA LANTERN"], "imoNumber": ["IMO 9387421"], "flag": ["pa"]},
}
ALIASED = {
    "id": "ofac-90003",
    "schema": "Person",
    "properties": {
        "name": ["AL-MASRI, Abu Khalid"],
        "alias": ["HAMDAN, Khalid Yusuf"],
        "weakAlias": ["Abu Khalid the Engineer"],
        "birthDate": ["1971"],
        "country": ["eg"],
        "passportNumber": ["A1234567"],
    },
}
REGISTER = [PUTIN, ROMASHKA, VESSEL, ALIASED]


@pytest.fixture(autouse=True)
def fresh_index():
    """Every test starts without a cached index (its register is rolled back after)."""
    selectors.index_reset()
    yield
    selectors.index_reset()


@pytest.fixture
def authority(db):
    from hub.sanctions.services import sanctions_authority_ensure

    return sanctions_authority_ensure(
        code="US-OFAC", country="US", name="OFAC", actor=Actor.system()
    )


@pytest.fixture
def register(authority):
    """The OFAC-SDN list of US-OFAC holding REGISTER, imported the real way."""
    from hub.sanctions.services import sanctions_list_import

    sanctions_list_import(
        authority=authority, list_name=LIST, entities=REGISTER, actor=Actor.system()
    )
    return authority


def agreement_make(provider, recipient, **fields: Any) -> Agreement:
    now = timezone.now()
    values = {
        "status": "active",
        "kinds": ["sanctions_update"],
        "valid_from": now - timedelta(days=1),
        "valid_until": now + timedelta(days=365),
    }
    values.update(fields)
    return Agreement.objects.create(provider=provider, recipient=recipient, **values)


@pytest.fixture
def originator_sees_register(register, originator):
    """DE-CUSTOMS receives US-OFAC's sanctions updates, so it screens against OFAC-SDN."""
    return agreement_make(register, originator)


@pytest.fixture
def rescreen_inline(settings):
    """Run Celery tasks in the calling process (the re-screen enqueued on commit)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def ofac_2024() -> list[dict]:
    from hub.sanctions.ofac import ofac_entities

    return ofac_entities(sdn=OFAC / "sdn-2024-05-03.csv")


@pytest.fixture(scope="session")
def index_2024(ofac_2024) -> ScreeningIndex:
    """The whole 2024 SDN list (14,965 entities) as a screening index."""
    return ScreeningIndex.build((entity, [LIST]) for entity in ofac_2024)


@pytest.fixture(scope="session")
def index_2022() -> ScreeningIndex:
    """The early-2022 SDN list with its alt (aliases) and add files."""
    from hub.sanctions.ofac import ofac_entities

    entities = ofac_entities(
        sdn=OFAC / "sdn-2022.csv", alt=OFAC / "alt-2022.csv", add=OFAC / "add-2022.csv"
    )
    return ScreeningIndex.build((entity, [LIST]) for entity in entities)


@pytest.fixture(scope="session")
def small_index() -> ScreeningIndex:
    return ScreeningIndex.build((entity, [LIST]) for entity in REGISTER)
