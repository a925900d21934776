"""TAXII 2.1 at /taxii2/, driven by an independent client (taxii2-client) over real HTTP.

Objects are checked with `stix2` (parse) and `stix2-validator`; presentations
with the `sd-jwt` reference library against the keys the hub publishes.
"""

from __future__ import annotations

import json

import pytest
import requests
import stix2
from jwcrypto import jwk, jws
from requests.exceptions import HTTPError
from sd_jwt.verifier import SDJWTVerifier
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import as_pages

from hub.taxii import stix as cordon_stix
from sharing.taxii.protocol import TAXII_MEDIA_TYPE
from tests.factories import agency_make, token_make
from tests.taxii.conftest import (
    INVOICE_VALUE,
    LICENCE_NUMBER,
    NARRATIVE,
    PERSON_NAME,
    PERSON_PASSPORT,
    agreement,
    amend,
    collection,
    publish,
    report_claims,
    retract,
    sanctions_publish,
    taxii_server,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = "/taxii2/cordon/"


def get(live_server, path: str, token: str | None = None, **headers: str) -> requests.Response:
    headers.setdefault("Accept", TAXII_MEDIA_TYPE)
    if token:
        headers["Authorization"] = f"Token {token}"
    return requests.get(f"{live_server.url}{path}", headers=headers, timeout=30)


def report_stix_id(report) -> str:
    return f"report--{report.pk}"


def reports_of(envelope: dict) -> list[dict]:
    return [o for o in envelope.get("objects", []) if o["type"] == "report"]


def everything(live_server, token: str, collection_id: str) -> bytes:
    """Every byte a caller can read about a collection: objects (all versions), manifest,
    each object by id and its versions."""
    base = f"{ROOT}collections/{collection_id}/"
    bodies = [
        get(live_server, f"{base}objects/?match[version]=all", token).content,
        get(live_server, f"{base}manifest/?match[version]=all", token).content,
    ]
    for record in json.loads(bodies[1])["objects"]:
        bodies.append(
            get(live_server, f"{base}objects/{record['id']}/?match[version]=all", token).content
        )
        bodies.append(get(live_server, f"{base}objects/{record['id']}/versions/", token).content)
    return b"\n".join(bodies)


def agency_key(live_server, token: str, issuer: str, kid: str) -> jwk.JWK:
    """The issuer's public key as the hub publishes it (the hub's own for re-issued items)."""
    path = (
        "/.well-known/jwks.json"
        if issuer == "CORDON-HUB"
        else f"/api/v1/agencies/{issuer}/jwks.json"
    )
    keys = requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Token {token}"}, timeout=30
    ).json()["keys"]
    (key,) = [k for k in keys if k["kid"] == kid]
    return jwk.JWK(**key)


def verified(live_server, token: str, presentation: str) -> dict:
    return SDJWTVerifier(
        presentation, lambda iss, header: agency_key(live_server, token, iss, header["kid"])
    ).get_verified_payload()


@pytest.fixture
def reader_token(transactional_db) -> str:
    return token_make(agency_make("FR-DOUANE", country="FR"), "reader")


# --------------------------------------------------------------------------
# Discovery, API root, collections


def test_discovery_api_root_and_collections(live_server, world):
    server = taxii_server(live_server, world.tokens["FR-DOUANE"])
    assert server.title == "Cordon TAXII 2.1"
    assert [root.url for root in server.api_roots] == [f"{live_server.url}{ROOT}"]
    assert server.default.url == f"{live_server.url}{ROOT}"
    root = server.api_roots[0]
    assert root.title == "Cordon"
    assert root.versions == [TAXII_MEDIA_TYPE]
    assert root.max_content_length > 0
    assert [c.id for c in root.collections] == ["reports", "sanctions"]
    for found in root.collections:
        assert found.can_read is True
        assert found.can_write is False
        assert found.media_types == ["application/stix+json;version=2.1"]

    response = get(live_server, f"{ROOT}collections/reports/", world.tokens["FR-DOUANE"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE
    assert response.json()["id"] == "reports"


def test_unknown_collection_and_status_are_taxii_404s(live_server, world):
    token = world.tokens["FR-DOUANE"]
    for path in (f"{ROOT}collections/indicators/", f"{ROOT}collections/indicators/objects/"):
        response = get(live_server, path, token)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE
        assert response.json()["http_status"] == "404"
        assert response.json()["title"]
    assert get(live_server, f"{ROOT}status/abc/", token).status_code == 404


# --------------------------------------------------------------------------
# Authentication and content negotiation


UNAUTHENTICATED_PATHS = (
    "/taxii2/",
    ROOT,
    f"{ROOT}collections/",
    f"{ROOT}collections/reports/objects/",
    f"{ROOT}collections/reports/manifest/",
)


def test_no_token_is_401_with_a_taxii_error(live_server, transactional_db):
    # One test over every path: a live-server test costs a database flush.
    for path in UNAUTHENTICATED_PATHS:
        response = get(live_server, path)
        assert response.status_code == 401, path
        assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE
        assert response.headers["WWW-Authenticate"] == "Token"
        assert response.json()["http_status"] == "401"
        unknown = get(live_server, path, "not-a-real-token")
        assert unknown.status_code == 401, path
        assert unknown.json()["error_code"] == "invalid_token"


def test_the_taxii_client_fails_without_credentials(live_server, transactional_db):
    with pytest.raises(HTTPError) as raised:
        _ = taxii_server(live_server, None).title
    assert raised.value.response.status_code == 401


ACCEPT_CASES = (
    (TAXII_MEDIA_TYPE, 200),
    ("application/taxii+json", 200),
    ("*/*", 200),
    ("application/json", 406),
    ("application/taxii+json;version=2.0", 406),
    ("text/html", 406),
)


def test_accept_negotiation(live_server, reader_token):
    for accept, status in ACCEPT_CASES:
        response = get(
            live_server, f"{ROOT}collections/reports/objects/", reader_token, Accept=accept
        )
        assert response.status_code == status, accept
        assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE
        if status == 406:
            assert response.json()["http_status"] == "406"


def test_the_collections_are_read_only(live_server, world):
    url = f"{live_server.url}{ROOT}collections/reports/objects/"
    headers = {"Accept": TAXII_MEDIA_TYPE, "Content-Type": TAXII_MEDIA_TYPE}
    body = json.dumps({"objects": []})
    assert requests.post(url, data=body, headers=headers, timeout=30).status_code == 401
    headers["Authorization"] = f"Token {world.tokens['FR-DOUANE']}"
    response = requests.post(url, data=body, headers=headers, timeout=30)
    assert response.status_code == 403
    assert response.json()["error_code"] == "read_only"


BAD_QUERIES = (
    "limit=0",
    "limit=x",
    "added_after=yesterday",
    "next=garbage",
    "match[version]=newest",
)


def test_bad_parameters_are_400_taxii_errors(live_server, reader_token):
    for query in BAD_QUERIES:
        response = get(live_server, f"{ROOT}collections/reports/objects/?{query}", reader_token)
        assert response.status_code == 400, query
        assert response.headers["Content-Type"] == TAXII_MEDIA_TYPE
        assert response.json()["http_status"] == "400"


# --------------------------------------------------------------------------
# Objects, paging, filters, manifest, versions


def test_paging_with_limit_and_next_gives_every_object_once(live_server, published):
    reports = collection(live_server, published.tokens["DE-CUSTOMS"], "reports")
    whole = reports.get_objects(limit=1000)
    assert whole["more"] is False
    assert "next" not in whole
    expected = [(o["id"], o.get("modified", o["created"])) for o in whole["objects"]]
    assert len(expected) >= 5  # 2 reports, identity, hub identity, extension, 2 markings

    pages = list(as_pages(reports.get_objects, per_request=2))
    assert all(len(page["objects"]) == 2 for page in pages[:-1])
    for page in pages[:-1]:
        assert page["more"] is True
        assert page["next"]
    assert pages[-1]["more"] is False
    paged = [(o["id"], o.get("modified", o["created"])) for p in pages for o in p["objects"]]
    assert paged == expected

    response = get(
        live_server, f"{ROOT}collections/reports/objects/?limit=2", published.tokens["DE-CUSTOMS"]
    )
    records = reports.get_manifest(limit=2)["objects"]
    assert response.headers["X-TAXII-Date-Added-First"] == records[0]["date_added"]
    assert response.headers["X-TAXII-Date-Added-Last"] == records[-1]["date_added"]


def test_added_after_returns_only_what_was_added_later(live_server, published):
    token = published.tokens["FR-DOUANE"]
    reports = collection(live_server, token, "reports")
    manifest = reports.get_manifest()["objects"]
    green = report_stix_id(published.reports["green"])
    amber_added = next(
        r["date_added"] for r in manifest if r["id"] == report_stix_id(published.reports["amber"])
    )
    later = reports.get_objects(added_after=amber_added)
    assert green in [o["id"] for o in reports_of(later)]
    assert report_stix_id(published.reports["amber"]) not in [o["id"] for o in later["objects"]]

    last = get(live_server, f"{ROOT}collections/reports/objects/", token)
    newest = last.headers["X-TAXII-Date-Added-Last"]
    assert reports.get_objects(added_after=newest)["objects"] == []


def test_match_id_type_and_version(live_server, published):
    token = published.tokens["DE-CUSTOMS"]
    reports = collection(live_server, token, "reports")
    amber = report_stix_id(published.reports["amber"])

    only_reports = reports.get_objects(type="report")["objects"]
    assert {o["type"] for o in only_reports} == {"report"}
    assert len(only_reports) == 2
    markings = reports.get_objects(type=["marking-definition", "extension-definition"])["objects"]
    assert {o["type"] for o in markings} == {"marking-definition", "extension-definition"}

    (last,) = reports.get_objects(id=amber)["objects"]
    assert last["extensions"][cordon_stix.REPORT_EXTENSION_ID]["report_version"] == 2
    assert last["name"].endswith("(amended)")
    (first,) = reports.get_objects(id=amber, version="first")["objects"]
    assert first["extensions"][cordon_stix.REPORT_EXTENSION_ID]["report_version"] == 1
    # created is the first version's modified, the same on every version
    assert first["created"] == last["created"] == first["modified"] < last["modified"]
    both = reports.get_objects(id=amber, version="all")["objects"]
    assert [o["modified"] for o in both] == [first["modified"], last["modified"]]
    (exact,) = reports.get_objects(id=amber, version=first["modified"])["objects"]
    assert exact["modified"] == first["modified"]

    by_id = reports.get_object(amber)
    assert [o["modified"] for o in by_id["objects"]] == [last["modified"]]
    assert len(reports.get_object(amber, version="all")["objects"]) == 2

    versions = reports.object_versions(amber)
    assert versions["versions"] == [first["modified"], last["modified"]]
    assert versions["more"] is False
    paged_versions = reports.object_versions(amber, limit=1)
    assert paged_versions["versions"] == [first["modified"]]
    assert paged_versions["more"] is True
    assert paged_versions["next"]

    manifest = reports.get_manifest(id=amber, version="all")["objects"]
    assert [r["version"] for r in manifest] == [first["modified"], last["modified"]]
    assert all(r["media_type"] == "application/stix+json;version=2.1" for r in manifest)


def test_every_object_parses_with_stix2_and_passes_the_validator(live_server, published):
    sanctions_publish(
        published.authority,
        [
            (
                "ADD",
                {
                    "id": "ofac-7001",
                    "schema": "Person",
                    "properties": {"name": ["Ivan Petrov"], "birthDate": ["1970-02-03"]},
                },
            ),
            ("ADD", {"id": "ofac-7002", "schema": "Vessel", "properties": {"name": ["SEA STAR"]}}),
        ],
    )
    sanctions_publish(published.authority, [("DEL", {"id": "ofac-7002"})])
    retract(published.originator, published.reports["green"])
    seen = 0
    for code, collection_id in [
        ("DE-CUSTOMS", "reports"),
        ("FR-DOUANE", "reports"),
        ("NL-FIOD", "reports"),
        ("FR-DOUANE", "sanctions"),
        ("US-OFAC", "sanctions"),
    ]:
        envelope = collection(live_server, published.tokens[code], collection_id).get_objects(
            version="all"
        )
        for stix_object in envelope["objects"]:
            stix2.parse(stix_object, allow_custom=False)
            result = validate_instance(stix_object, ValidationOptions(strict=False))
            assert result.is_valid, [str(e) for e in result.errors]
            assert not result.warnings, [str(w) for w in result.warnings]
            seen += 1
    assert seen > 20


# --------------------------------------------------------------------------
# Who sees what


def test_an_outsider_sees_empty_collections_and_no_object_by_id(live_server, published):
    token = published.tokens["XX-OUTSIDER"]
    for collection_id in ("reports", "sanctions"):
        taxii = collection(live_server, token, collection_id)
        assert taxii.get_objects() == {"more": False, "objects": []}
        assert taxii.get_manifest() == {"more": False, "objects": []}
    amber = report_stix_id(published.reports["amber"])
    for path in (f"objects/{amber}/", f"objects/{amber}/versions/"):
        response = get(live_server, f"{ROOT}collections/reports/{path}", token)
        assert response.status_code == 404
        assert response.json()["http_status"] == "404"
    # Not even the hub's own definitions leak that the collection has content.
    assert b"report--" not in everything(live_server, token, "reports")


def test_a_partner_sees_only_its_delivered_view(live_server, published):
    token = published.tokens["FR-DOUANE"]
    reports = collection(live_server, token, "reports")
    amber = report_stix_id(published.reports["amber"])
    found = {o["id"]: o for o in reports_of(reports.get_objects())}
    assert set(found) == {amber, report_stix_id(published.reports["green"])}

    report = found[amber]
    extension = report["extensions"][cordon_stix.REPORT_EXTENSION_ID]
    assert extension["withheld_classes"] == ["person_identity"]
    assert report["description"] == NARRATIVE  # narrative is not withheld from FR
    assert report["object_marking_refs"] == [cordon_stix.TLP2_MARKINGS["AMBER"][0]]
    assert report["created_by_ref"] == cordon_stix.agency_identity_id("DE-CUSTOMS")

    # The presentation is exactly the delivered one and verifies with DE-CUSTOMS' key.
    claims = verified(live_server, token, extension["presentation"])
    assert claims["iss"] == "DE-CUSTOMS"
    assert claims["report"]["version"] == 2
    assert claims["report"]["narrative"] == NARRATIVE
    assert all("name" not in p for p in claims["report"]["parties"] if p["type"] == "person")
    assert any(p.get("name") for p in claims["report"]["parties"] if p["type"] == "organization")

    # The withheld class is absent from every byte the partner can fetch.
    data = everything(live_server, token, "reports")
    assert PERSON_NAME.encode() not in data
    assert PERSON_PASSPORT.encode() not in data
    for disclosure in published.reports["amber"].versions.get(version=2).disclosures:
        if disclosure["redaction_class"] == "person_identity":
            assert disclosure["encoded"].encode() not in data


def test_a_narrow_partner_gets_green_only_without_narrative_or_commercial(live_server, published):
    token = published.tokens["NL-FIOD"]
    reports = collection(live_server, token, "reports")
    green = report_stix_id(published.reports["green"])
    (report,) = reports_of(reports.get_objects())
    assert report["id"] == green
    assert "description" not in report
    assert report["extensions"][cordon_stix.REPORT_EXTENSION_ID]["withheld_classes"] == [
        "commercial",
        "narrative",
    ]
    claims = verified(
        live_server, token, report["extensions"][cordon_stix.REPORT_EXTENSION_ID]["presentation"]
    )
    assert "narrative" not in claims["report"]
    amber = report_stix_id(published.reports["amber"])
    assert get(live_server, f"{ROOT}collections/reports/objects/{amber}/", token).status_code == 404
    data = everything(live_server, token, "reports")
    for secret in (NARRATIVE, INVOICE_VALUE, LICENCE_NUMBER, "INV-2026-0312", amber):
        assert secret.encode() not in data


def test_the_originator_sees_every_version_whole(live_server, published):
    token = published.tokens["DE-CUSTOMS"]
    reports = collection(live_server, token, "reports")
    amber = report_stix_id(published.reports["amber"])
    both = reports.get_object(amber, version="all")["objects"]
    assert [o["extensions"][cordon_stix.REPORT_EXTENSION_ID]["report_version"] for o in both] == [
        1,
        2,
    ]
    claims = verified(
        live_server, token, both[-1]["extensions"][cordon_stix.REPORT_EXTENSION_ID]["presentation"]
    )
    assert any(p.get("name") == PERSON_NAME for p in claims["report"]["parties"])
    assert "withheld_classes" not in both[-1]["extensions"][cordon_stix.REPORT_EXTENSION_ID]


def test_a_retraction_is_a_revoked_last_version_for_originator_and_partner(live_server, published):
    retract(published.originator, published.reports["amber"], reason="Duplicate of another SAR")
    amber = report_stix_id(published.reports["amber"])
    for code in ("DE-CUSTOMS", "FR-DOUANE"):
        reports = collection(live_server, published.tokens[code], "reports")
        (last,) = reports.get_object(amber)["objects"]
        assert last["revoked"] is True
        retraction = last["extensions"][cordon_stix.REPORT_EXTENSION_ID]["retraction"]
        assert retraction.count(".") == 2
        assert len(reports.object_versions(amber)["versions"]) == 3
        (previous,) = reports.get_objects(id=amber, version="all")["objects"][1:2]
        assert "revoked" not in previous


def test_attribution_must_not_hides_the_originator_in_every_byte(live_server, published):
    hidden_from = agency_make("IT-ADM", country="IT", name="Italian Customs")
    agreement(published.originator, hidden_from, attribution="must-not", max_tlp="AMBER")
    token = token_make(hidden_from, "reader")
    claims = report_claims(tlp="GREEN", title="Valves again")
    report = publish(published.originator, claims)
    reports = collection(live_server, token, "reports")
    (stix_report,) = reports_of(reports.get_objects())
    assert stix_report["id"] == report_stix_id(report)
    shown = cordon_stix.anonymous_identity_id("an agency of DE")
    assert stix_report["created_by_ref"] == shown
    (identity,) = reports.get_objects(id=shown)["objects"]
    assert identity["name"] == "an agency of DE"
    extension = stix_report["extensions"][cordon_stix.REPORT_EXTENSION_ID]
    assert extension["reissued"] is True
    assert verified(live_server, token, extension["presentation"])["iss"] == "CORDON-HUB"
    data = everything(live_server, token, "reports")
    assert b"DE-CUSTOMS" not in data
    assert b"German Customs" not in data


def test_an_amendment_is_a_new_version_for_the_partner(live_server, published):
    token = published.tokens["FR-DOUANE"]
    reports = collection(live_server, token, "reports")
    green = report_stix_id(published.reports["green"])
    before = reports.object_versions(green)["versions"]
    amend(published.originator, published.claims["green"], title="Valves, amended")
    after = reports.object_versions(green)["versions"]
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    (latest,) = reports.get_object(green)["objects"]
    assert latest["name"] == "Valves, amended"
    assert latest["modified"] == after[-1]


# --------------------------------------------------------------------------
# Sanctions


def test_sanctions_updates_reach_entitled_partners_as_signed_identities(live_server, world):
    sanctions_publish(
        world.authority,
        [
            (
                "ADD",
                {"id": "ofac-501", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}},
            ),
            (
                "ADD",
                {"id": "ofac-502", "schema": "Company", "properties": {"name": ["Petrov Trading"]}},
            ),
        ],
    )
    sanctions_publish(
        world.authority,
        [
            (
                "MOD",
                {
                    "id": "ofac-501",
                    "schema": "Person",
                    "properties": {"name": ["Ivan Petrov"], "alias": ["I. Petrov"]},
                },
            ),
            ("DEL", {"id": "ofac-502"}),
        ],
    )
    person = cordon_stix.sanctions_entry_id("OFAC-SDN", "ofac-501")
    company = cordon_stix.sanctions_entry_id("OFAC-SDN", "ofac-502")
    for code in ("FR-DOUANE", "US-OFAC"):
        token = world.tokens[code]
        sanctions = collection(live_server, token, "sanctions")
        entries = {
            o["id"]: o
            for o in sanctions.get_objects(type="identity")["objects"]
            if o["id"] in (person, company)
        }
        assert set(entries) == {person, company}
        assert entries[person]["name"] == "Ivan Petrov"
        assert entries[person]["identity_class"] == "individual"
        extension = entries[person]["extensions"][cordon_stix.SANCTIONS_EXTENSION_ID]
        assert extension["operation"] == "MOD"
        assert extension["entity"]["properties"]["alias"] == ["I. Petrov"]
        assert entries[company]["revoked"] is True
        assert len(sanctions.object_versions(person)["versions"]) == 2
        assert entries[person]["created_by_ref"] == cordon_stix.agency_identity_id("US-OFAC")
        # The signed update verifies with the authority's published key.
        signed = extension["token"]
        header = json.loads(jwk.base64url_decode(signed.split(".")[0]))
        key = agency_key(live_server, token, "US-OFAC", header["kid"])
        verifier = jws.JWS()
        verifier.deserialize(signed)
        verifier.verify(key)
        assert json.loads(verifier.payload)["entity"]["id"] == "ofac-501"
    for code in ("NL-FIOD", "DE-CUSTOMS", "XX-OUTSIDER"):
        sanctions = collection(live_server, world.tokens[code], "sanctions")
        assert sanctions.get_objects()["objects"] == []
        status = get(
            live_server, f"{ROOT}collections/sanctions/objects/{person}/", world.tokens[code]
        ).status_code
        assert status == 404


def test_a_partner_no_longer_entitled_gets_a_revoked_version_not_the_amendment(
    live_server, published
):
    token = published.tokens["NL-FIOD"]
    green = report_stix_id(published.reports["green"])
    amend(
        published.originator,
        published.claims["green"],
        tlp="AMBER",
        title="Valves, now AMBER and beyond NL-FIOD's agreement",
    )
    reports = collection(live_server, token, "reports")
    (last,) = reports.get_object(green)["objects"]
    assert last["revoked"] is True
    extension = last["extensions"][cordon_stix.REPORT_EXTENSION_ID]
    assert extension["report_version"] == 1  # the view it had, now revoked
    header = json.loads(jwk.base64url_decode(extension["retraction"].split(".")[0]))
    assert header["typ"] == "hub-retraction+jwt"
    assert len(reports.object_versions(green)["versions"]) == 2
    assert b"beyond NL-FIOD" not in everything(live_server, token, "reports")
