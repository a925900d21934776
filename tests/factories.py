"""Test data builders, in one place."""

import uuid
from datetime import date

from django.utils import timezone

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


def register_entity_make(
    sanctions_list, entity_id: str, schema: str, names, countries, programs, *, issuer
):
    """A listed entity written straight into the register, as an applied ADD would leave it
    (its derived columns from the register's own `searchable_fields`)."""
    from hub.models import SanctionedEntity, SanctionsChange, SanctionsUpdate
    from hub.sanctions.services.content import searchable_fields

    properties = {"name": names[:1], "alias": names[1:], "country": countries, "program": programs}
    properties = {key: values for key, values in properties.items() if values}
    listed = date(2022, 1, 1)
    update = SanctionsUpdate.objects.create(
        sanctions_list=sanctions_list,
        token=f"t-{entity_id}",
        token_hash=uuid.uuid4().hex * 2,
        op="ADD",
        entity_id=entity_id,
        issuer=issuer,
        kid=f"{issuer.code}/k",
        issued_at=timezone.now(),
        effective=listed,
        outcome="applied",
        batch=uuid.uuid4(),
    )
    entity = SanctionedEntity.objects.create(
        sanctions_list=sanctions_list,
        entity_id=entity_id,
        schema=schema,
        properties=properties,
        **searchable_fields(schema, properties),
        first_listed=listed,
        last_changed=listed,
        last_update=update,
    )
    SanctionsChange.objects.create(
        entity=entity,
        update=update,
        op="ADD",
        issuer=issuer,
        effective=listed,
        after={"schema": schema, "properties": properties},
    )
    return entity


def register_sample_make(authority):
    """The OFAC-SDN list of `authority` with three entries: a company, a person and a vessel."""
    from hub.models import SanctionsList

    sdn = SanctionsList.objects.create(name="OFAC-SDN", authority=authority)
    entries = [
        ("ofac-1001", "Organization", ["Rosoboronexport", "ROE"], ["RU"], ["RUSSIA-EO14024"]),
        ("ofac-1002", "Person", ["Viktor Lebedev", "Victor Lebedev"], ["RU"], ["UKRAINE-EO13662"]),
        ("ofac-1003", "Vessel", ["Sea Lantern"], ["IR"], ["IRAN"]),
    ]
    for entity_id, schema, names, countries, programs in entries:
        register_entity_make(sdn, entity_id, schema, names, countries, programs, issuer=authority)
    return sdn
