"""Report SD-JWT verification: what RFC 9901 lets through that the hub must not, and the labels.

Reports are built with the reference issuer in shapes a careless or hostile
partner could send; `report_token_verify` must accept the legitimate variants
(decoys, per-element disclosures, the fully specified alg name) and refuse
the rest with a stable code.
"""

import json

import pytest
from sd_jwt.common import SDObj
from sd_jwt.issuer import SDJWTIssuer

from agencies.crypto import jws_sign
from agencies.errors import PermissionDenied, Refused
from hub.reports.sdjwt import disclosure_digest, report_token_verify
from hub.reports.signing import report_sd_structure
from tests.hub.reports.conftest import (
    b64,
    private_key_of,
    report_claims,
    sd_jwt_sign,
    token_join,
    token_parts,
    unb64,
)


def issue(key, structure, *, sign_alg="EdDSA", decoys=False, extra=None, header=None) -> str:
    claims = {
        "iss": key.agency.code,
        "iat": int(key.valid_from.timestamp()) + 1,
        "kind": "sar",
        "report": structure,
        **(extra or {}),
    }
    issuer = SDJWTIssuer(
        claims,
        private_key_of(key),
        sign_alg=sign_alg,
        add_decoy_claims=decoys,
        extra_header_parameters={"typ": "sar+sd-jwt", "kid": key.kid, **(header or {})},
    )
    return issuer.sd_jwt_issuance


def resign(key, claims) -> str:
    """An issuer JWT over doctored claims, validly signed by `key`."""
    return jws_sign(payload=claims, key=private_key_of(key), kid=key.kid, typ="sar+sd-jwt")


def refused_code(token, caller) -> str:
    with pytest.raises(Refused) as caught:
        report_token_verify(token=token, caller=caller)
    return caught.value.code


def test_every_disclosure_is_labelled_with_its_path_and_class(originator, custodial_key):
    report = report_claims()
    verified = report_token_verify(
        token=sd_jwt_sign(key=custodial_key, report=report), caller=originator
    )

    assert verified.claims["report"] == report
    labels = {d.path: d.redaction_class for d in verified.disclosures}
    assert labels == {
        "report.narrative": "narrative",
        "report.parties[0].name": "organization_identity",
        "report.parties[0].identifiers": "organization_identity",
        "report.parties[0].address": "organization_identity",
        "report.parties[1].name": "organization_identity",
        "report.parties[1].aliases": "organization_identity",
        "report.parties[1].address": "organization_identity",
        "report.parties[2].name": "organization_identity",
        "report.parties[2].aliases": "organization_identity",
        "report.parties[3].name": "person_identity",
        "report.parties[3].aliases": "person_identity",
        "report.parties[3].identifiers": "person_identity",
        "report.parties[4].name": "organization_identity",
        "report.parties[4].identifiers": "organization_identity",
        "report.goods[0].value": "commercial",
        "report.goods[1].value": "commercial",
        "report.goods[2].value": "commercial",
        "report.licence.number": "commercial",
        "report.documents[0].reference": "commercial",
        "report.documents[1].reference": "commercial",
    }
    assert [d.encoded for d in verified.disclosures] == token_parts(verified.token)[1]


def test_decoy_digests_are_accepted(originator, custodial_key):
    report = report_claims()
    token = issue(custodial_key, report_sd_structure(report), decoys=True)

    verified = report_token_verify(token=token, caller=originator)

    assert verified.claims["report"] == report


@pytest.mark.parametrize("decoys", [False, True])
def test_disclosed_claims_equal_what_the_reference_verifier_gives(
    originator, custodial_key, decoys
):
    """The hub verifies the signature and unpacks the disclosures itself (precise
    errors, paths and classes); on every demo report the claims it gets are the
    `sd-jwt` reference verifier's."""
    from jwcrypto import jwk
    from sd_jwt.verifier import SDJWTVerifier

    from hub.demo_world.reports import DEMO_REPORTS

    public = jwk.JWK(**custodial_key.public_jwk)
    for demo in DEMO_REPORTS:
        token = issue(custodial_key, report_sd_structure(demo.report_claims(1)), decoys=decoys)
        ours = report_token_verify(token=token, caller=originator).claims
        assert ours == SDJWTVerifier(token, lambda _iss, _header: public).get_verified_payload()


def test_fully_specified_alg_ed25519_is_accepted(originator, custodial_key):
    report = report_claims()
    token = issue(
        custodial_key, report_sd_structure(report), sign_alg="Ed25519", header={"alg": "Ed25519"}
    )

    assert report_token_verify(token=token, caller=originator).header["alg"] == "Ed25519"


def test_each_alias_as_its_own_disclosure_counts_as_selectively_disclosable(
    originator, custodial_key
):
    report = report_claims()
    structure = report_sd_structure(report)
    party = structure["parties"][1]
    aliases_key = next(k for k in party if getattr(k, "value", None) == "aliases")
    party["aliases"] = [SDObj(alias) for alias in party.pop(aliases_key)]

    verified = report_token_verify(token=issue(custodial_key, structure), caller=originator)

    labels = {d.path: d.redaction_class for d in verified.disclosures}
    assert labels["report.parties[1].aliases[0]"] == "organization_identity"
    assert labels["report.parties[1].aliases[1]"] == "organization_identity"
    assert verified.claims["report"]["parties"][1]["aliases"] == report["parties"][1]["aliases"]


def test_a_party_disclosed_whole_still_needs_its_own_identity_disclosures(
    originator, custodial_key
):
    report = report_claims()
    structure = report_sd_structure(report)
    structure["parties"][3] = SDObj(report["parties"][3])  # one disclosure with the name inside

    with pytest.raises(Refused) as caught:
        report_token_verify(token=issue(custodial_key, structure), caller=originator)

    assert caught.value.code == "field_not_selectively_disclosable"
    assert set(caught.value.details) == {
        "report.parties[3].name",
        "report.parties[3].aliases",
        "report.parties[3].identifiers",
    }


def test_nested_disclosure_inside_a_whole_party_gets_the_identity_class(originator, custodial_key):
    report = report_claims()
    structure = report_sd_structure(report)
    structure["parties"][3] = SDObj(structure["parties"][3])

    verified = report_token_verify(token=issue(custodial_key, structure), caller=originator)

    labels = {d.path: d.redaction_class for d in verified.disclosures}
    assert labels["report.parties[3]"] is None
    assert labels["report.parties[3].name"] == "person_identity"


def test_empty_identity_fields_may_travel_in_clear(originator, custodial_key):
    report = report_claims()
    report["parties"][2]["aliases"] = []
    structure = report_sd_structure(report)
    party = structure["parties"][2]
    structure["parties"][2] = {
        getattr(k, "value", k): v for k, v in party.items() if getattr(k, "value", k) != "name"
    }
    structure["parties"][2][SDObj("name")] = report["parties"][2]["name"]

    verified = report_token_verify(token=issue(custodial_key, structure), caller=originator)

    assert verified.claims["report"]["parties"][2]["aliases"] == []


def test_duplicate_digest_is_refused(originator, custodial_key):
    issuer_jwt, disclosures = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))
    claims = unb64(issuer_jwt.split(".")[1])
    claims["report"]["licence"]["_sd"].append(claims["report"]["_sd"][0])
    # Re-signed with the same key, so only the duplicate is wrong.
    doctored = resign(custodial_key, claims)

    assert refused_code(token_join(doctored, disclosures), originator) == "duplicate_digest"


def test_sd_alg_other_than_sha256_is_refused(originator, custodial_key):
    issuer_jwt, disclosures = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))
    claims = unb64(issuer_jwt.split(".")[1])
    claims["_sd_alg"] = "sha-512"
    doctored = resign(custodial_key, claims)

    assert refused_code(token_join(doctored, disclosures), originator) == "unsupported_sd_alg"


def test_holder_binding_claim_is_refused(originator, custodial_key):
    token = issue(
        custodial_key,
        report_sd_structure(report_claims()),
        extra={"cnf": {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}}},
    )

    assert refused_code(token, originator) == "key_binding_not_allowed"


def test_missing_trailing_tilde_is_refused(originator, custodial_key):
    token = sd_jwt_sign(key=custodial_key, report=report_claims())

    assert refused_code(token[:-1], originator) == "malformed_sd_jwt"


def test_plain_jwt_without_disclosure_separator_is_refused(originator, custodial_key):
    issuer_jwt, _ = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))

    assert refused_code(issuer_jwt, originator) == "malformed_sd_jwt"


def test_disclosure_that_is_not_json_is_refused(originator, custodial_key):
    issuer_jwt, disclosures = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))

    token = token_join(issuer_jwt, [*disclosures, b64(b"not json")])

    assert refused_code(token, originator) == "malformed_disclosure"


def test_array_disclosure_in_an_object_digest_list_is_refused(originator, custodial_key):
    # A token whose report._sd refers to a two-element (array-style) disclosure.
    issuer_jwt, disclosures = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))
    claims = unb64(issuer_jwt.split(".")[1])
    odd = b64(["c2FsdHNhbHQ", "an array element"])
    claims["report"]["_sd"].append(disclosure_digest(odd))
    doctored = resign(custodial_key, claims)

    assert (
        refused_code(token_join(doctored, [*disclosures, odd]), originator) == "invalid_disclosure"
    )


def test_disclosed_claim_that_is_also_in_clear_is_refused(originator, custodial_key):
    report = report_claims()
    structure = report_sd_structure(report)
    structure[SDObj("title")] = "A second title"

    assert refused_code(issue(custodial_key, structure), originator) == "invalid_disclosure"


def test_issuer_other_than_the_caller_is_forbidden(originator, partner, custodial_key):
    token = sd_jwt_sign(key=custodial_key, report=report_claims())

    with pytest.raises(PermissionDenied) as caught:
        report_token_verify(token=token, caller=partner)

    assert caught.value.code == "issuer_not_caller"


def test_expired_report_is_refused(originator, custodial_key):
    token = issue(custodial_key, report_sd_structure(report_claims()), extra={"exp": 1_000_000_000})

    assert refused_code(token, originator) == "token_expired"


def test_deeply_nested_json_is_refused_not_a_server_error(originator, custodial_key):
    issuer_jwt, disclosures = token_parts(sd_jwt_sign(key=custodial_key, report=report_claims()))
    claims = unb64(issuer_jwt.split(".")[1])
    header = issuer_jwt.split(".")[0]
    # json.dumps itself recurses; build the nested text by hand.
    text = json.dumps({**claims, "report": {**claims["report"], "red_flags": "@"}})
    text = text.replace('"@"', "[" * 5000 + '"bottom"' + "]" * 5000)
    doctored = f"{header}.{b64(text.encode())}.c2ln"

    assert refused_code(token_join(doctored, disclosures), originator) == "malformed_sd_jwt"
