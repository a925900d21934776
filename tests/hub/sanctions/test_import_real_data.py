"""Importing the real OFAC lists: the op counts are the true difference of the files,
and replaying the real day-by-day changes ends in the published list."""

import csv
import io
import json
from collections import defaultdict
from datetime import date

import pytest

from agencies.services import Actor
from hub.models.sanctions import SanctionedEntity, SanctionsChange, SanctionsUpdate
from hub.sanctions.importers import ofac_import
from hub.sanctions.ofac import clean_cell, ofac_parse, sdn_entity
from hub.sanctions.services import (
    content_key,
    properties_normalised,
    sanctions_updates_apply,
    sanctions_updates_sign,
)

ACTOR = Actor(label="test")
LIST = "OFAC-SDN"


def raw_rows(path) -> dict[str, list[str]]:
    """ent_num -> the first row with that ent_num, cells stripped (no parser involved)."""
    text = path.read_bytes().decode("utf-8").replace("\x1a", "")
    rows: dict[str, list[str]] = {}
    for row in csv.reader(io.StringIO(text, newline="")):
        if row:
            rows.setdefault(row[0].strip(), [cell.strip() for cell in row])
    return rows


def ent_nums(path) -> set[str]:
    return set(raw_rows(path))


def key_of(entity: dict) -> tuple:
    return content_key(entity["schema"], properties_normalised(entity["properties"]))


def register_state() -> dict[str, tuple]:
    return {
        entity_id: content_key(schema, properties)
        for entity_id, schema, properties in SanctionedEntity.objects.filter(
            sanctions_list__name=LIST, deleted=False
        ).values_list("entity_id", "schema", "properties")
    }


def expected_state(path) -> dict[str, tuple]:
    return {entity["id"]: key_of(entity) for entity in ofac_parse(sdn=path).entities}


@pytest.mark.django_db
def test_import_2022_then_2024_yields_exactly_the_difference(authority, ofac_data):
    sdn22, sdn24 = ofac_data / "sdn-2022.csv", ofac_data / "sdn-2024-05-03.csv"
    first = ofac_import(
        authority=authority,
        list_name=LIST,
        sdn=sdn22,
        alt=ofac_data / "alt-2022.csv",
        add=ofac_data / "add-2022.csv",
        actor=ACTOR,
        effective=date(2022, 1, 1),
    )
    assert (first.added, first.modified, first.removed, first.unchanged) == (9043, 0, 0, 0)

    # Expected counts from the raw rows by ent_num. Rows with the same cells are the
    # same entity unless the 2022 alt/add files gave it aliases or addresses (the 2024
    # import has neither file); only the other common rows need the parsed entities.
    rows22, rows24 = raw_rows(sdn22), raw_rows(sdn24)
    with_extras = {
        row[0].strip()
        for name in ("alt-2022.csv", "add-2022.csv")
        for row in csv.reader(
            io.StringIO((ofac_data / name).read_text("utf-8").replace("\x1a", ""), newline="")
        )
        if row
    }
    added = len(rows24.keys() - rows22.keys())
    removed = len(rows22.keys() - rows24.keys())
    common = rows22.keys() & rows24.keys()
    candidates = {n for n in common if rows22[n] != rows24[n] or n in with_extras}
    parsed22 = {
        e["id"]: e
        for e in ofac_parse(
            sdn=sdn22, alt=ofac_data / "alt-2022.csv", add=ofac_data / "add-2022.csv"
        ).entities
    }
    parsed24 = {e["id"]: e for e in ofac_parse(sdn=sdn24).entities}
    modified = sum(
        1 for n in candidates if key_of(parsed22[f"ofac-{n}"]) != key_of(parsed24[f"ofac-{n}"])
    )
    unchanged = len(common) - modified
    assert added > 5000
    assert modified > 1000
    assert removed > 100

    second = ofac_import(
        authority=authority, list_name=LIST, sdn=sdn24, actor=ACTOR, effective=date(2024, 5, 3)
    )
    assert (second.added, second.modified, second.removed, second.unchanged) == (
        added,
        modified,
        removed,
        unchanged,
    )
    assert register_state() == expected_state(sdn24)
    assert SanctionedEntity.objects.filter(deleted=True).count() == removed
    # "Linked To" remarks resolve within the list (the entity counts above are unchanged).
    links = dict(
        SanctionedEntity.objects.filter(deleted=False).values_list("entity_id", "linked_to")
    )
    assert links["ofac-4632"] == [
        {"name": "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE", "id": "ofac-10465"},
        {"name": "HIZBALLAH", "id": "ofac-4697"},
    ]
    pairs = [link for linked in links.values() for link in linked]
    assert len(pairs) > 3000
    assert sum(1 for link in pairs if link["id"]) > len(pairs) * 0.8
    delisted = SanctionedEntity.objects.filter(deleted=True).first()
    assert delisted.delisted == date(2024, 5, 3)
    assert [c.op for c in delisted.changes.order_by("id")] == ["ADD", "DEL"]

    # Importing the same list again changes nothing and signs nothing.
    updates_before = SanctionsUpdate.objects.count()
    again = ofac_import(authority=authority, list_name=LIST, sdn=sdn24, actor=ACTOR)
    assert (again.added, again.modified, again.removed, again.unchanged) == (0, 0, 0, len(rows24))
    assert SanctionsUpdate.objects.count() == updates_before


@pytest.mark.django_db
def test_replaying_the_real_daily_changes_ends_in_the_2024_list(authority, ofac_data):
    base = ofac_import(
        authority=authority,
        list_name=LIST,
        sdn=ofac_data / "sdn-2021-08-18.csv",
        actor=ACTOR,
        effective=date(2021, 8, 18),
    )
    assert base.added == 9083

    by_date: dict[str, list[dict]] = defaultdict(list)
    with (ofac_data / "sdn-changes-2021-2024.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            change = json.loads(line)
            by_date[change["date"]].append(change)
    assert list(by_date) == sorted(by_date)  # oldest first, as the README says

    totals = {"ADD": 0, "MOD": 0, "DEL": 0}
    for day, changes in by_date.items():
        operations = []
        for change in changes:
            op = change["op"]
            totals[op] += 1
            if op == "DEL":
                operations.append(("DEL", {"id": f"ofac-{change['ent_num']}"}))
            else:
                cells = [clean_cell(cell) for cell in change["row" if op == "ADD" else "after"]]
                operations.append((op, sdn_entity(cells)))
        tokens = sanctions_updates_sign(
            authority=authority,
            list_name=LIST,
            operations=operations,
            effective=date.fromisoformat(day),
        )
        result = sanctions_updates_apply(caller_agency=authority, tokens=tokens, actor=ACTOR)
        assert result.count("ADD") == sum(1 for op, _ in operations if op == "ADD")
        assert result.count("DEL") == sum(1 for op, _ in operations if op == "DEL")

    assert totals == {"ADD": 6809, "MOD": 1126, "DEL": 927}
    assert register_state() == expected_state(ofac_data / "sdn-2024-05-03.csv")
    assert SanctionsChange.objects.filter(op="DEL").count() == 927
