"""The OFAC legacy CSV parser: file quirks, Remarks parsing, FtM validity."""

import pytest
from followthemoney import model
from followthemoney.types import registry

from hub.sanctions.ofac import (
    csv_rows,
    entity_errors,
    ofac_parse,
    parse_dates,
    sdn_entity,
    split_remarks,
)

SDN = (
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."\r\n'
    '36,"SOMETHING ELSE LTD",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    "\x1a"
)
ALT = "36,12,aka,AERO-CARIBBEAN,-0- \r\n306,220,fka,NATIONAL BANK OF CUBA,-0- \r\n999,1,aka,NOBODY,-0- \r\n"
ADD = '36,25,-0- ,"Havana","Cuba",-0- \r\n'


def row(*cells: str) -> list[str]:
    return (list(cells) + [""] * 12)[:12]


def test_file_quirks_nulls_trailing_spaces_sub_byte_and_duplicates():
    parsed = ofac_parse(sdn=SDN.encode(), alt=ALT.encode(), add=ADD.encode())
    assert [e["id"] for e in parsed.entities] == ["ofac-36", "ofac-306"]
    assert parsed.duplicates == ["36"]  # the first row of a repeated ent_num wins
    assert parsed.orphans == 1
    airline = parsed.entities[0]
    assert airline["properties"]["name"] == ["AEROCARIBBEAN AIRLINES"]
    assert airline["properties"]["alias"] == ["AERO-CARIBBEAN"]
    assert airline["properties"]["address"] == ["Havana, Cuba"]
    assert airline["properties"]["country"] == ["cu"]
    assert airline["properties"]["program"] == ["CUBA"]
    assert "notes" not in airline["properties"]  # -0- is null, not a value
    bank = parsed.entities[1]
    assert bank["properties"]["alias"] == ["BNC"]
    assert bank["properties"]["previousName"] == ["NATIONAL BANK OF CUBA"]
    rows = list(csv_rows(SDN.encode()))
    assert rows[0][2] == ""
    assert rows[0][11] == ""


def test_person_remarks_birth_nationality_documents_gender():
    entity = sdn_entity(
        row(
            "33051",
            "JIMENEZ GONZALEZ, Abelardo",
            "individual",
            "GLOMAG] [SDGT",
            "Chief, Central Army",
            "",
            "",
            "",
            "",
            "",
            "",
            "DOB 22 Feb 1952; alt. DOB circa 1950; POB Barajagua, Las Villas, Cuba; nationality Cuba; "
            "citizen Spain; Gender Male; National ID No. 52022201646 (Cuba); Passport K754050 issued "
            "26 May 1999 expires 25 May 2004; a.k.a. 'EL JEFE'; Linked To: SOME GROUP.",
        )
    )
    props = entity["properties"]
    assert entity["schema"] == "Person"
    assert props["birthDate"] == ["1952-02-22", "1950"]
    assert props["birthPlace"] == ["Barajagua, Las Villas, Cuba"]
    assert props["nationality"] == ["cu"]
    assert props["citizenship"] == ["es"]
    assert props["gender"] == ["male"]
    assert props["idNumber"] == ["52022201646"]
    assert props["passportNumber"] == ["K754050"]
    assert props["alias"] == ["EL JEFE"]
    assert props["program"] == ["GLOMAG", "SDGT"]
    assert props["position"] == ["Chief, Central Army"]
    assert "Linked To: SOME GROUP" in props["notes"][0]


def test_company_registration_tax_and_company_numbers():
    entity = sdn_entity(
        row(
            "906",
            "HAVIN BANK LIMITED",
            "",
            "CUBA",
            *[""] * 7,
            "SWIFT/BIC HAVIGB2L; Website www.havanaintbank.co.uk; Company Number 01074897 (United Kingdom); "
            "Tax ID No. 6317063064 (Russia); Registration ID 14063277; Business Registration Number "
            "1066317027787 (Russia); Identification Number IMO 6188586; Organization Established Date 21 Mar 2017.",
        )
    )
    props = entity["properties"]
    assert entity["schema"] == "Company"
    assert props["registrationNumber"] == ["01074897", "14063277", "1066317027787"]
    assert props["taxNumber"] == ["6317063064"]
    assert props["swiftBic"] == ["HAVIGB2L"]
    assert props["imoNumber"] == ["IMO6188586"]
    assert props["incorporationDate"] == ["2017-03-21"]


def test_vessel_columns_and_remarks():
    entity = sdn_entity(
        row(
            "15036",
            "ADRIAN DARYA 1",
            "vessel",
            "SDGT] [IRGC",
            "",
            "9VRT7",
            "Crude Oil Tanker",
            "",
            "150,000",
            "Iran",
            "IRANIAN OIL SHIPPING CO",
            "Vessel Registration Identification IMO 9116412; MMSI 572469210; Former Vessel Flag Panama; "
            "Linked To: IRANIAN OIL SHIPPING CO.",
        )
    )
    props = entity["properties"]
    assert entity["schema"] == "Vessel"
    assert props["imoNumber"] == ["IMO9116412"]
    assert props["mmsi"] == ["572469210"]
    assert props["flag"] == ["ir"]
    assert props["pastFlags"] == ["pa"]
    assert props["callSign"] == ["9VRT7"]
    assert props["type"] == ["Crude Oil Tanker"]
    assert props["grossRegisteredTonnage"] == ["150,000"]
    assert "Owner: IRANIAN OIL SHIPPING CO" in props["notes"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04 Jul 1954", ["1954-07-04"]),
        ("Jul 1954", ["1954-07"]),
        ("1955", ["1955"]),
        ("circa 1960", ["1960"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("01 Jan 1961 to 31 Dec 1962", ["1961", "1962"]),
        ("unknown", []),
        ("19 Jun 0177", []),  # a typo of the real list
    ],
)
def test_dates_become_iso_prefixes(text, expected):
    assert parse_dates(text) == expected


def test_remarks_split_keeps_semicolons_inside_quoted_aliases():
    assert split_remarks("a.k.a. 'A; B'; a.k.a. 'O'NEIL'; DOB 1960.") == [
        "a.k.a. 'A; B'",
        "a.k.a. 'O'NEIL'",
        "DOB 1960",
    ]


def test_every_real_entity_is_valid_ftm(ofac_data):
    files = [
        {
            "sdn": ofac_data / "sdn-2022.csv",
            "alt": ofac_data / "alt-2022.csv",
            "add": ofac_data / "add-2022.csv",
        },
        {"sdn": ofac_data / "sdn-2021-08-18.csv"},
        {"sdn": ofac_data / "sdn-2024-05-03.csv"},
    ]
    counts = []
    for sources in files:
        parsed = ofac_parse(**sources)
        counts.append(len(parsed.entities))
        if sources["sdn"].name == "sdn-2022.csv":
            assert parsed.duplicates == ["2677"]
        for entity in parsed.entities:
            assert entity_errors(entity) == [], entity["id"]
            schema = model.get(entity["schema"])
            for prop, values in entity["properties"].items():
                kind = schema.get(prop).type
                if kind in (registry.country, registry.date):
                    assert all(kind.validate(value) for value in values), (
                        entity["id"],
                        prop,
                        values,
                    )
    assert counts == [9043, 9083, 14965]


def test_entity_errors_name_unknown_schema_and_property():
    assert entity_errors({"id": "x", "schema": "Thing", "properties": {}})[0].startswith(
        "unknown schema"
    )
    errors = entity_errors({"id": "x", "schema": "Person", "properties": {"imoNumber": ["IMO1"]}})
    assert errors == ["unknown property 'imoNumber' for schema Person"]
    assert (
        entity_errors({"id": "x", "schema": "Vessel", "properties": {"imoNumber": ["IMO1"]}}) == []
    )


def test_entity_errors_name_invalid_countries_and_dates():
    errors = entity_errors(
        {
            "id": "x",
            "schema": "Person",
            "properties": {"nationality": ["Russia"], "birthDate": ["31/01/1960"]},
        }
    )
    assert errors == [
        "property 'nationality' has invalid country values: ['Russia']",
        "property 'birthDate' has invalid date values: ['31/01/1960']",
    ]
    assert (
        entity_errors(
            {
                "id": "x",
                "schema": "Person",
                "properties": {"nationality": ["ru"], "birthDate": ["1960-01"]},
            }
        )
        == []
    )
