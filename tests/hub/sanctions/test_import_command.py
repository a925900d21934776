"""The sanctions_import command: both formats, summary line, progress, authority creation."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, SigningKey
from hub.models.sanctions import SanctionedEntity, SanctionsList

SDN = (
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."\r\n\x1a'
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sanctions_import", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.mark.django_db
def test_ofac_import_creates_the_authority_and_prints_the_summary(tmp_path):
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(SDN.encode())
    alt = tmp_path / "alt.csv"
    alt.write_text("36,12,aka,AERO-CARIBBEAN,-0- \r\n")
    out, err = run(
        "ofac", "--authority", "US-OFAC", "--list", "OFAC-SDN", "--sdn", str(sdn), "--alt", str(alt)
    )
    assert out == "added=2 modified=0 removed=0 unchanged=0"
    assert "sign" in err
    authority = Agency.objects.get(code="US-OFAC")
    assert (authority.kind, authority.country) == ("sanctions_authority", "US")
    assert SigningKey.objects.filter(agency=authority, encrypted_private_key__isnull=False).exists()
    assert SanctionedEntity.objects.get(entity_id="ofac-36").properties["alias"] == [
        "AERO-CARIBBEAN"
    ]

    # A newer file without 306 and with 36 changed.
    sdn.write_text(
        '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA] [SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    out, _ = run(
        "ofac", "--authority", "US-OFAC", "--list", "OFAC-SDN", "--sdn", str(sdn), "--no-progress"
    )
    assert out == "added=0 modified=1 removed=1 unchanged=0"
    assert SanctionedEntity.objects.get(entity_id="ofac-306").deleted


@pytest.mark.django_db
def test_ftm_import_skips_other_schemata_and_refuses_invalid_entities(tmp_path):
    lines = [
        {
            "id": "eu-1",
            "schema": "Company",
            "properties": {"name": ["ACME OOO"], "country": ["ru"]},
            "caption": "ACME OOO",
            "datasets": ["eu_fsf"],
        },
        {"id": "eu-addr-1", "schema": "Address", "properties": {"full": ["Moscow"]}},
        {
            "id": "eu-2",
            "schema": "Person",
            "properties": {"name": ["Ivan Petrov"], "birthDate": ["1970-01-01"]},
        },
    ]
    path = tmp_path / "eu.ftm.json"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out, err = run("ftm", "--authority", "EU-COM", "--list", "EU-FSF", str(path), "--country", "BE")
    assert out == "added=2 modified=0 removed=0 unchanged=0"
    assert "skipped 1 entities" in err
    assert SanctionsList.objects.get(name="EU-FSF").authority.country == "BE"

    path.write_text(
        json.dumps({"id": "eu-3", "schema": "Person", "properties": {"imoNumber": ["IMO1"]}})
    )
    with pytest.raises(CommandError, match="unknown property 'imoNumber'"):
        run("ftm", "--authority", "EU-COM", "--list", "EU-FSF", str(path))
    assert SanctionedEntity.objects.filter(deleted=False).count() == 2


@pytest.mark.django_db
def test_import_refuses_an_agency_that_is_not_a_sanctions_authority(tmp_path, originator):
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(SDN.encode())
    with pytest.raises(CommandError, match="not a sanctions authority"):
        run("ofac", "--authority", originator.code, "--list", "OFAC-SDN", "--sdn", str(sdn))
    assert not SanctionsList.objects.exists()
