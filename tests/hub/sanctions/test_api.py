"""POST sanctions/updates/, GET sanctions/entities/ and .../{id}/: who may, atomicity,
idempotency, search, history and visibility."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agencies.crypto import jws_sign
from agencies.models import Role
from agencies.services import custodial_key_for
from hub.models.sanctions import SanctionedEntity, SanctionsChange, SanctionsList, SanctionsUpdate
from hub.sanctions.selectors import lists_visible_to
from hub.sanctions.services import sanctions_update_sign
from sharing.models import Agreement, Delivery

from .conftest import EFFECTIVE, person

URL = "/api/v1/sanctions/updates/"
LIST = "OFAC-SDN"


def sign(authority, op="ADD", entity=None, list_name=LIST, effective=EFFECTIVE):
    return sanctions_update_sign(
        authority=authority,
        list_name=list_name,
        op=op,
        entity=entity or person(),
        effective=effective,
    )


def publish(client_for, authority, *tokens, role=Role.PUBLISHER):
    return client_for(authority, role).post(URL, {"tokens": list(tokens)}, format="json")


def agreement_make(provider, recipient, **fields):
    values = {"status": "active", "kinds": ["sanctions_update"], "scope_lists": []}
    values.update(fields)
    return Agreement.objects.create(provider=provider, recipient=recipient, **values)


def nothing_stored():
    return (
        SanctionsList.objects.count(),
        SanctionedEntity.objects.count(),
        SanctionsUpdate.objects.count(),
        SanctionsChange.objects.count(),
    ) == (0, 0, 0, 0)


@pytest.mark.django_db
def test_authority_publishes_an_update_and_owns_the_list(client_for, authority):
    response = publish(client_for, authority, sign(authority))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["added"], body["modified"], body["removed"], body["unchanged"]) == (1, 0, 0, 0)
    assert body["results"] == [
        {"index": 0, "op": "ADD", "entity_id": "ofac-1", "list": LIST, "outcome": "applied"}
    ]
    assert SanctionsList.objects.get(name=LIST).authority == authority
    entry = SanctionedEntity.objects.get(entity_id="ofac-1")
    assert entry.caption == "ZHOU, Wei"
    assert entry.countries == ["cn"]
    assert entry.first_listed == EFFECTIVE


@pytest.mark.django_db
def test_non_authority_agency_may_not_publish(client_for, originator):
    token = jws_sign(
        payload={
            "iss": originator.code,
            "iat": int(timezone.now().timestamp()),
            "kind": "sanctions_update",
            "list": LIST,
            "op": "ADD",
            "entity": person(),
            "effective": "2024-05-03",
        },
        key=custodial_key_for(agency=originator)[1],
        kid=custodial_key_for(agency=originator)[0].kid,
        typ="sanctions-update+jwt",
    )
    response = publish(client_for, originator, token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_sanctions_authority"
    assert nothing_stored()


@pytest.mark.django_db
def test_reader_of_an_authority_may_not_publish(client_for, authority):
    response = publish(client_for, authority, sign(authority), role=Role.READER)
    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.django_db
def test_authority_may_not_publish_to_a_list_another_owns(client_for, authority, other_authority):
    assert publish(client_for, authority, sign(authority)).status_code == 200
    response = publish(
        client_for, other_authority, sign(other_authority, entity=person("ofac-2", "OTHER, Name"))
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "sanctions_update_forbidden"
    assert error["details"]["errors"] == [
        {
            "index": 0,
            "code": "list_not_owned",
            "message": "List OFAC-SDN is owned by another authority.",
        }
    ]
    assert not SanctionedEntity.objects.filter(entity_id="ofac-2").exists()
    # Its own list is fine.
    assert (
        publish(client_for, other_authority, sign(other_authority, list_name="UK-OFSI")).status_code
        == 200
    )


@pytest.mark.django_db
def test_token_signed_by_another_agency_is_refused(client_for, authority, other_authority):
    response = publish(client_for, authority, sign(other_authority, list_name="UK-OFSI"))
    assert response.status_code == 403
    assert response.json()["error"]["details"]["errors"][0]["code"] == "issuer_not_caller"
    assert nothing_stored()


@pytest.mark.django_db
def test_the_same_update_twice_changes_nothing(client_for, authority):
    token = sign(authority)
    assert publish(client_for, authority, token).json()["added"] == 1
    again = publish(client_for, authority, token, token)
    assert again.status_code == 200
    body = again.json()
    assert (body["added"], body["unchanged"]) == (0, 2)
    assert {r["outcome"] for r in body["results"]} == {"unchanged"}
    assert SanctionsUpdate.objects.count() == 1
    assert SanctionsChange.objects.count() == 1
    # A freshly signed update with the same content is valid but changes nothing either.
    resigned = publish(client_for, authority, sign(authority, op="MOD")).json()
    assert (resigned["modified"], resigned["unchanged"]) == (0, 1)
    assert SanctionsChange.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_with_bad_tokens_stores_nothing_and_reports_each(client_for, authority):
    good = sign(authority)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    unknown_property = sign(authority, entity=person("ofac-3", imoNumber=["IMO1234567"]))
    unknown_schema = sign(
        authority, entity={"id": "ofac-4", "schema": "Thing", "properties": {"name": ["X"]}}
    )
    modify_unknown = sign(authority, op="MOD", entity=person("ofac-5"))
    nul_in_a_name = sign(authority, entity=person("ofac-6", "IVANOV\u0000 Ivan"))
    nul_in_an_id = sign(authority, op="DEL", entity={"id": "ofac-\u00007"})
    response = publish(
        client_for,
        authority,
        good,
        forged,
        unknown_property,
        "not a jwt",
        unknown_schema,
        modify_unknown,
        nul_in_a_name,
        nul_in_an_id,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_sanctions_updates"
    codes = {e["index"]: e["code"] for e in error["details"]["errors"]}
    assert codes == {
        1: "bad_signature",
        2: "schema_violation",
        3: "malformed_jwt",
        4: "schema_violation",
        6: "schema_violation",  # PostgreSQL stores no NUL: refused, not a server error
        7: "invalid_entity",
    }
    assert nothing_stored()
    # Once the invalid tokens are gone, the state errors show up, again storing nothing.
    response = publish(client_for, authority, good, modify_unknown)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["errors"] == [
        {"index": 1, "code": "entity_not_listed", "message": "ofac-5 is not on OFAC-SDN."}
    ]
    assert nothing_stored()


@pytest.mark.django_db
def test_body_shape_and_size_limits(client_for, authority, settings):
    client = client_for(authority, Role.PUBLISHER)
    assert client.post(URL, {"token": "x"}, format="json").status_code == 400
    assert client.post(URL, {"tokens": []}, format="json").status_code == 400
    too_many = client.post(URL, {"tokens": ["x"] * 10_001}, format="json")
    assert too_many.status_code == 413
    assert too_many.json()["error"]["code"] == "too_many_tokens"


@pytest.mark.django_db
def test_search_and_history(client_for, authority):
    publish(
        client_for,
        authority,
        sign(authority, entity=person("ofac-1", "MÜLLER, Jörg", alias=["Georg Mueller"])),
        sign(
            authority,
            entity={
                "id": "ofac-2",
                "schema": "Vessel",
                "properties": {"name": ["ADRIAN DARYA 1"], "flag": ["ir"], "program": ["IRGC"]},
            },
        ),
    )
    publish(
        client_for,
        authority,
        sign(
            authority,
            op="MOD",
            entity=person("ofac-1", "MÜLLER, Jörg", alias=["Georg Mueller"], nationality=["de"]),
            effective=EFFECTIVE + timedelta(days=1),
        ),
        sign(authority, op="DEL", entity={"id": "ofac-2"}, effective=EFFECTIVE + timedelta(days=2)),
    )
    reader = client_for(authority, Role.READER)
    found = reader.get("/api/v1/sanctions/entities/", {"q": "muller jorg"}).json()
    assert [r["id"] for r in found["results"]] == ["ofac-1"]
    assert reader.get("/api/v1/sanctions/entities/", {"q": "georg mueller"}).json()["count"] == 1
    assert reader.get("/api/v1/sanctions/entities/", {"country": "de"}).json()["count"] == 1
    assert reader.get("/api/v1/sanctions/entities/", {"country": "cn"}).json()["count"] == 0
    assert (
        reader.get("/api/v1/sanctions/entities/", {"schema": "Vessel"}).json()["count"] == 0
    )  # delisted
    with_deleted = reader.get(
        "/api/v1/sanctions/entities/", {"schema": "Vessel", "deleted": "true"}
    ).json()
    assert with_deleted["results"][0]["delisted"] == str(EFFECTIVE + timedelta(days=2))
    assert (
        reader.get("/api/v1/sanctions/entities/", {"program": "sdgt", "limit": 1}).json()["count"]
        == 1
    )

    detail = reader.get("/api/v1/sanctions/entities/ofac-1/").json()
    assert detail["properties"]["nationality"] == ["de"]
    assert [(h["op"], h["effective"], h["issuer"]) for h in detail["history"]] == [
        ("ADD", str(EFFECTIVE), "US-OFAC"),
        ("MOD", str(EFFECTIVE + timedelta(days=1)), "US-OFAC"),
    ]
    assert detail["history"][0]["before"] is None
    assert detail["history"][1]["before"]["properties"]["nationality"] == ["cn"]
    assert detail["history"][1]["after"]["properties"]["nationality"] == ["de"]
    vessel = reader.get("/api/v1/sanctions/entities/ofac-2/").json()
    assert vessel["deleted"] is True
    assert vessel["history"][-1]["op"] == "DEL"
    assert vessel["history"][-1]["after"] is None


@pytest.mark.django_db
def test_outsider_sees_nothing(client_for, authority, outsider):
    publish(client_for, authority, sign(authority))
    client = client_for(outsider, Role.READER)
    assert client.get("/api/v1/sanctions/entities/").json()["count"] == 0
    response = client.get("/api/v1/sanctions/entities/ofac-1/")
    assert response.status_code == 404
    assert lists_visible_to(agency=outsider) == set()


@pytest.mark.django_db
def test_partner_under_an_active_agreement_sees_the_list_and_gets_deliveries(
    client_for, authority, partner, narrow_partner, outsider
):
    agreement_make(authority, partner)
    agreement_make(authority, narrow_partner, scope_lists=["EU-FSF"])
    agreement_make(authority, outsider, status="suspended")
    publish(client_for, authority, sign(authority))
    assert lists_visible_to(agency=partner) == {LIST}
    assert lists_visible_to(agency=narrow_partner) == set()
    assert lists_visible_to(agency=outsider) == set()
    assert (
        client_for(partner, Role.READER).get("/api/v1/sanctions/entities/ofac-1/").status_code
        == 200
    )
    assert (
        client_for(narrow_partner, Role.READER)
        .get("/api/v1/sanctions/entities/ofac-1/")
        .status_code
        == 404
    )
    deliveries = Delivery.objects.filter(item_type="sanctions_update", item_id="ofac-1")
    assert [d.recipient.code for d in deliveries] == ["FR-DOUANE"]


@pytest.mark.django_db
def test_expired_or_wrong_kind_agreements_give_no_access(authority, partner, narrow_partner):
    SanctionsList.objects.create(name=LIST, authority=authority)
    agreement_make(
        authority,
        partner,
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(days=1),
    )
    agreement_make(authority, narrow_partner, kinds=["sar"])
    assert lists_visible_to(agency=partner) == set()
    assert lists_visible_to(agency=narrow_partner) == set()
    assert lists_visible_to(agency=authority) == {LIST}


@pytest.mark.django_db
def test_effective_date_and_claims_are_checked(client_for, authority):
    bad_date = sign(authority, effective=date(2024, 5, 3))
    key, private = custodial_key_for(agency=authority)
    wrong_kind = jws_sign(
        payload={
            "iss": authority.code,
            "iat": int(timezone.now().timestamp()) + 1,
            "kind": "retraction",
            "list": LIST,
            "op": "ADD",
            "entity": person(),
            "effective": "2024-05-03",
        },
        key=private,
        kid=key.kid,
        typ="sanctions-update+jwt",
    )
    bad_effective = jws_sign(
        payload={
            "iss": authority.code,
            "iat": int(timezone.now().timestamp()) + 1,
            "kind": "sanctions_update",
            "list": LIST,
            "op": "ADD",
            "entity": person(),
            "effective": "03/05/2024",
        },
        key=private,
        kid=key.kid,
        typ="sanctions-update+jwt",
    )
    wrong_typ = jws_sign(
        payload={
            "iss": authority.code,
            "iat": int(timezone.now().timestamp()) + 1,
            "kind": "sanctions_update",
            "list": LIST,
            "op": "ADD",
            "entity": person(),
            "effective": "2024-05-03",
        },
        key=private,
        kid=key.kid,
        typ="JWT",
    )
    response = publish(client_for, authority, bad_date, wrong_kind, bad_effective, wrong_typ)
    assert response.status_code == 422
    codes = [e["code"] for e in response.json()["error"]["details"]["errors"]]
    assert codes == ["wrong_kind", "invalid_effective", "wrong_typ"]
    assert nothing_stored()


@pytest.mark.django_db
def test_screening_hears_of_changed_entities_after_commit(
    client_for, authority, monkeypatch, django_capture_on_commit_callbacks
):
    from hub.screening import services as screening_services

    heard: list[list[str]] = []
    monkeypatch.setattr(
        screening_services, "register_changed", lambda *, entity_ids: heard.append(list(entity_ids))
    )
    token = sign(authority)
    with django_capture_on_commit_callbacks(execute=True):
        publish(client_for, authority, token, sign(authority, entity=person("ofac-2", "LI, Na")))
    assert heard == [["ofac-1", "ofac-2"]]
    with django_capture_on_commit_callbacks(execute=True):
        publish(client_for, authority, token)  # unchanged: nothing to re-screen
    assert heard == [["ofac-1", "ofac-2"]]
