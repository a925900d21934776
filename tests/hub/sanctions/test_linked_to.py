"""OFAC "Linked To: NAME." remarks: parsed out of the Remarks (the entity stays valid
FtM, the names stay in notes), stored on the register row and resolved to the listed
entity of the same list whose primary name or alias is that name."""

from datetime import date

import pytest

from agencies.models import Role
from agencies.services import Actor
from hub.models.sanctions import SanctionedEntity
from hub.sanctions.importers import ofac_import
from hub.sanctions.ofac import csv_rows, entity_errors, linked_names, ofac_parse, sdn_entity

ACTOR = Actor(label="test")
LIST = "OFAC-SDN"
NASRALLAH, BANK_MARKAZI, HIZBALLAH, QODS_FORCE, CBSP = "2686", "4632", "4697", "10465", "7916"
QODS_NAME = "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE"


@pytest.fixture(scope="module")
def real_rows(ofac_data) -> dict[str, bytes]:
    """The raw lines of a few real 2024 entries, by ent_num."""
    wanted = {NASRALLAH, BANK_MARKAZI, HIZBALLAH, QODS_FORCE, CBSP}
    lines: dict[str, bytes] = {}
    for line in (ofac_data / "sdn-2024-05-03.csv").read_bytes().splitlines(keepends=True):
        ent_num = line.split(b",", 1)[0].decode()
        if ent_num in wanted:
            lines[ent_num] = line
    assert set(lines) == wanted
    return lines


def sdn_of(real_rows: dict[str, bytes], *ent_nums: str) -> bytes:
    return b"".join(real_rows[n] for n in ent_nums)


def test_linked_names_reads_every_linked_to_remark_without_the_final_period(real_rows):
    [row] = csv_rows(real_rows[BANK_MARKAZI])
    assert linked_names(row[11]) == [QODS_NAME, "HIZBALLAH"]
    [row] = csv_rows(real_rows[NASRALLAH])
    assert linked_names(row[11]) == ["HIZBALLAH"]  # the last remark: "Linked To: HIZBALLAH."
    [row] = csv_rows(real_rows[HIZBALLAH])
    assert linked_names(row[11]) == []
    assert linked_names("Linked To: A LTD.; Linked To: B;Linked To: A LTD") == ["A LTD", "B"]


def test_parse_returns_links_apart_and_the_entity_stays_valid_ftm(real_rows):
    parsed = ofac_parse(sdn=sdn_of(real_rows, BANK_MARKAZI, HIZBALLAH, NASRALLAH))
    assert parsed.links == {
        f"ofac-{BANK_MARKAZI}": [QODS_NAME, "HIZBALLAH"],
        f"ofac-{NASRALLAH}": ["HIZBALLAH"],
    }
    bank = parsed.entities[0]
    assert entity_errors(bank) == []
    assert all(
        "Linked To" not in v for p, vs in bank["properties"].items() if p != "notes" for v in vs
    )
    assert any("Linked To: HIZBALLAH" in note for note in bank["properties"]["notes"])


@pytest.mark.django_db
def test_import_resolves_linked_names_to_the_listed_entity_ids(authority, real_rows):
    ofac_import(
        authority=authority,
        list_name=LIST,
        sdn=sdn_of(real_rows, NASRALLAH, BANK_MARKAZI, HIZBALLAH, QODS_FORCE, CBSP),
        actor=ACTOR,
        effective=date(2024, 5, 3),
    )
    links = dict(SanctionedEntity.objects.values_list("entity_id", "linked_to"))
    assert links[f"ofac-{BANK_MARKAZI}"] == [
        {"name": QODS_NAME, "id": f"ofac-{QODS_FORCE}"},
        {"name": "HIZBALLAH", "id": f"ofac-{HIZBALLAH}"},
    ]
    assert links[f"ofac-{NASRALLAH}"] == [{"name": "HIZBALLAH", "id": f"ofac-{HIZBALLAH}"}]
    assert links[f"ofac-{CBSP}"] == [{"name": "HAMAS", "id": None}]  # HAMAS not in this list
    assert links[f"ofac-{HIZBALLAH}"] == []


@pytest.mark.django_db
def test_links_follow_the_target_being_listed_and_delisted(authority, real_rows):
    def run(*ent_nums: str, day: int) -> None:
        ofac_import(
            authority=authority,
            list_name=LIST,
            sdn=sdn_of(real_rows, *ent_nums),
            actor=ACTOR,
            effective=date(2024, 5, day),
        )

    def nasrallah_link() -> list[dict]:
        return SanctionedEntity.objects.get(entity_id=f"ofac-{NASRALLAH}").linked_to

    run(NASRALLAH, day=1)
    assert nasrallah_link() == [{"name": "HIZBALLAH", "id": None}]
    run(NASRALLAH, HIZBALLAH, day=2)  # only the target is added; the linking row is unchanged
    assert nasrallah_link() == [{"name": "HIZBALLAH", "id": f"ofac-{HIZBALLAH}"}]
    run(NASRALLAH, day=3)  # the target is delisted
    assert nasrallah_link() == [{"name": "HIZBALLAH", "id": None}]


@pytest.mark.django_db
def test_a_link_matches_an_alias_case_and_punctuation_blind(authority):
    from hub.sanctions.services import sanctions_list_import

    target = sdn_entity(["1", "ACME TRADING CO.", "", "SDGT"] + [""] * 7 + ["a.k.a. 'ACME-GROUP'"])
    linker = sdn_entity(
        ["2", "DOE, John", "individual", "SDGT"] + [""] * 7 + ["Linked To: acme group."]
    )
    sanctions_list_import(
        authority=authority, list_name=LIST, entities=[target, linker], actor=ACTOR
    )
    row = SanctionedEntity.objects.get(entity_id="ofac-2")
    assert row.linked_to == [{"name": "acme group", "id": "ofac-1"}]


@pytest.mark.django_db
def test_entity_api_shows_links_and_the_history_their_names(client_for, authority, real_rows):
    ofac_import(
        authority=authority,
        list_name=LIST,
        sdn=sdn_of(real_rows, NASRALLAH, HIZBALLAH),
        actor=ACTOR,
        effective=date(2024, 5, 3),
    )
    reader = client_for(authority, Role.READER)
    detail = reader.get(f"/api/v1/sanctions/entities/ofac-{NASRALLAH}/").json()
    assert detail["linked_to"] == [{"name": "HIZBALLAH", "id": f"ofac-{HIZBALLAH}"}]
    assert [change["linked_to"] for change in detail["history"]] == [["HIZBALLAH"]]
    assert "linkedTo" not in detail["properties"]  # properties keep FtM names only
    found = reader.get("/api/v1/sanctions/entities/", {"q": "hizballah"}).json()
    by_id = {entry["id"]: entry for entry in found["results"]}
    assert by_id[f"ofac-{HIZBALLAH}"]["linked_to"] == []
