"""Sanctions personas: US-OFAC publishes OFAC-SDN; GB-OFSI is another sanctions authority."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from agencies.models import AgencyKind
from tests.factories import agency_make

# The real OFAC files live next to the repository (../shared/data/ofac), see its README.
OFAC_DATA = Path(
    os.environ.get("OFAC_DATA_DIR", Path(__file__).resolve().parents[3].parent / "shared/data/ofac")
)


@pytest.fixture(scope="session")
def ofac_data() -> Path:
    if not (OFAC_DATA / "sdn-2024-05-03.csv").exists():
        message = f"real OFAC data missing at {OFAC_DATA} (set OFAC_DATA_DIR)"
        if settings.HUB_REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return OFAC_DATA


@pytest.fixture
def authority(db):
    return agency_make("US-OFAC", country="US", kind=AgencyKind.SANCTIONS_AUTHORITY, name="OFAC")


@pytest.fixture
def other_authority(db):
    return agency_make("GB-OFSI", country="GB", kind=AgencyKind.SANCTIONS_AUTHORITY, name="OFSI")


EFFECTIVE = date(2024, 5, 3)


def person(entity_id: str = "ofac-1", name: str = "ZHOU, Wei", **properties) -> dict:
    props = {"name": [name], "program": ["SDGT"], "nationality": ["cn"]}
    props.update(properties)
    return {"id": entity_id, "schema": "Person", "properties": props}
