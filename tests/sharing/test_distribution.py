"""The outbox: decisions, exact tokens per recipient, feed positions, audit, notices."""

import json

import pytest
from django.db import transaction
from jwcrypto import jwk
from sd_jwt.verifier import SDJWTVerifier

from agencies.crypto import jws_verify, jwt_unverified_parts
from agencies.models import AuditRecord, SigningKey
from sharing.models import Delivery, DeliveryState, HubSigningKey
from sharing.services.distribution import (
    agreement_deliveries_cancel,
    item_distribute,
    items_distribute,
    retraction_distribute,
)
from sharing.services.hub_key import hub_issuer
from tests.factories import TEST_ACTOR, agency_make
from tests.sharing.builders import agreement_make, report_item, retraction_item, sanctions_item

pytestmark = pytest.mark.django_db


def distribute(item):
    with transaction.atomic():
        return item_distribute(item=item, actor=TEST_ACTOR)


def issuer_key(iss: str, header: dict) -> jwk.JWK:
    if iss == hub_issuer():
        stored = HubSigningKey.objects.get(kid=header["kid"])
        return jwk.JWK(**stored.public_jwk)
    key = SigningKey.objects.get(kid=header["kid"], agency__code=iss)
    return jwk.JWK(**key.public_jwk)


def verified_claims(token: str) -> dict:
    return SDJWTVerifier(token, issuer_key).get_verified_payload()


def test_partner_gets_a_presentation_that_verifies_with_the_originators_key(originator, partner):
    agreement = agreement_make(originator, partner)
    item = report_item(originator)
    [delivery] = distribute(item)
    assert delivery.recipient == partner
    assert delivery.agreement == agreement
    assert delivery.seq == 1
    assert delivery.token.startswith(item.issuer_jwt + "~")
    assert delivery.token.endswith("~")
    claims = verified_claims(delivery.token)
    assert claims["iss"] == originator.code
    assert claims["report"]["narrative"].endswith("SECRET-NARRATIVE")
    assert delivery.withheld_classes == []
    # Without a webhook the item is delivered once it is in the feed.
    assert delivery.state == DeliveryState.DELIVERED


def test_withheld_classes_are_absent_from_the_token(originator, narrow_partner):
    agreement_make(originator, narrow_partner, withheld=["narrative", "person_identity"])
    [delivery] = distribute(report_item(originator))
    claims = verified_claims(delivery.token)
    assert "narrative" not in claims["report"]
    assert "contact_person" not in claims["report"]
    assert claims["report"]["exporter_name"].endswith("SECRET-ORG")
    assert sorted(delivery.withheld_classes) == ["narrative", "person_identity"]
    decoded = "".join(
        part if i == 0 else __import__("base64").urlsafe_b64decode(part + "==").decode()
        for i, part in enumerate(delivery.token.split("~")[:-1])
    )
    assert "SECRET-NARRATIVE" not in decoded
    assert "SECRET-PERSON" not in decoded


def test_outsider_and_originator_get_nothing(originator, partner, outsider):
    agreement_make(originator, partner)
    deliveries = distribute(report_item(originator))
    assert [d.recipient for d in deliveries] == [partner]
    assert not Delivery.objects.filter(recipient__in=[outsider, originator]).exists()


def test_refused_decisions_are_audited_with_their_reason(originator, partner, narrow_partner):
    agreement_make(originator, partner, status="suspended")
    agreement_make(originator, narrow_partner, max_tlp="GREEN")
    item = report_item(originator, tlp="AMBER")
    assert distribute(item) == []
    record = AuditRecord.objects.get(action="share.decide")
    reasons = {d["recipient"]: d["reason"] for d in record.after["decisions"]}
    assert reasons == {
        "FR-DOUANE": "agreement suspended",
        "NL-FIOD": "TLP AMBER above ceiling GREEN",
    }
    assert record.object_id == f"{item.item_id}@1"


def test_feed_positions_are_consecutive_per_recipient(originator, partner, narrow_partner):
    agreement_make(originator, partner)
    agreement_make(originator, narrow_partner)
    for _ in range(3):
        distribute(report_item(originator))
    for agency in (partner, narrow_partner):
        seqs = list(Delivery.objects.filter(recipient=agency).values_list("seq", flat=True))
        assert sorted(seqs) == [1, 2, 3]


def test_bulk_distribution_writes_one_delivery_per_item_and_recipient(originator, partner):
    agreement_make(originator, partner, kinds=["sanctions_update"], scope_lists=["OFAC-SDN"])
    items = [sanctions_item(originator, entity_id=f"ofac-{n}") for n in range(50)]
    items.append(sanctions_item(originator, entity_id="eu-1", list_name="EU-FSF"))
    with transaction.atomic():
        deliveries = items_distribute(items=items, actor=TEST_ACTOR)
    assert len(deliveries) == 50
    assert sorted(d.seq for d in deliveries) == list(range(1, 51))
    assert AuditRecord.objects.filter(action="share.decide").count() == 51
    # The sanctions update JWT is passed on unchanged.
    assert deliveries[0].token == items[0].issuer_jwt


def test_attribution_must_not_reissues_under_the_hub_key(originator, partner):
    agreement_make(originator, partner, attribution="must-not", withheld=["narrative"])
    [delivery] = distribute(report_item(originator))
    header, payload = jwt_unverified_parts(delivery.token.split("~")[0])
    assert payload["iss"] == hub_issuer()
    assert header["kid"].startswith(hub_issuer() + "/")
    assert payload["attribution"]["originator"] == "an agency of DE"
    assert originator.code not in delivery.token.split("~")[0]
    claims = verified_claims(delivery.token)  # hub key, same disclosures still match
    assert claims["report"]["exporter_name"].endswith("SECRET-ORG")
    assert "narrative" not in claims["report"]
    assert delivery.reissued


def test_amendment_no_longer_entitled_gets_a_hub_retraction_notice(originator, partner):
    agreement_make(originator, partner, scope_countries=["AE"])
    first = report_item(originator)
    distribute(first)
    amended = report_item(originator, report_id=first.item_id, version=2, countries=("DE", "CN"))
    [notice] = distribute(amended)
    assert notice.item_type == "retraction"
    assert notice.event == "report.retracted"
    header, _ = jwt_unverified_parts(notice.token)
    stored = HubSigningKey.objects.get(kid=header["kid"])
    claims = jws_verify(notice.token, jwk.JWK(**stored.public_jwk))
    assert header["typ"] == "hub-retraction+jwt"
    assert claims["report_id"] == first.item_id
    assert claims["version"] == 2
    assert claims["previous_version"] == 1
    assert claims["reason"] == "no_longer_shared"
    # A further amendment, still out of scope, sends no second notice.
    third = report_item(originator, report_id=first.item_id, version=3, countries=("CN",))
    assert distribute(third) == []


def test_amendment_still_entitled_gets_the_new_version(originator, partner):
    agreement_make(originator, partner)
    first = report_item(originator)
    distribute(first)
    [delivery] = distribute(report_item(originator, report_id=first.item_id, version=2))
    assert (delivery.item_type, delivery.item_version, delivery.event) == (
        "report",
        2,
        "report.amended",
    )


def test_retraction_reaches_every_agency_that_received_any_version(
    originator, partner, narrow_partner, outsider
):
    agreement_make(originator, partner)
    narrow = agreement_make(originator, narrow_partner)
    first = report_item(originator)
    distribute(first)
    narrow.status = "terminated"
    narrow.save()
    retraction = retraction_item(originator, report_id=first.item_id, version=1)
    with transaction.atomic():
        relayed = retraction_distribute(item=retraction, actor=TEST_ACTOR)
    assert sorted(d.recipient.code for d in relayed) == ["FR-DOUANE", "NL-FIOD"]
    assert all(d.token == retraction.issuer_jwt for d in relayed)
    assert {d.seq for d in relayed} == {2}


def test_cancel_stops_pending_deliveries_and_hides_them_from_the_feed(originator, partner):
    from sharing.models import WebhookEndpoint

    agreement = agreement_make(originator, partner)
    WebhookEndpoint.objects.create(agency=partner, url="https://partner.example/hook")
    [delivery] = distribute(report_item(originator))
    assert delivery.state == DeliveryState.PENDING
    assert agreement_deliveries_cancel(agreement=agreement) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.CANCELLED


def test_every_sar_rule_refusal_stores_no_delivery(originator, partner):
    agency_make("JP-METI", country="JP")
    agreement_make(originator, partner, kinds=["sanctions_update"])
    assert distribute(report_item(originator)) == []
    assert json.loads(json.dumps(list(Delivery.objects.values()), default=str)) == []


def test_retraction_to_a_must_not_recipient_is_reissued_by_the_hub(originator, partner):
    agreement_make(originator, partner, attribution="must-not")
    first = report_item(originator)
    distribute(first)
    retraction = retraction_item(originator, report_id=first.item_id, version=1)
    with transaction.atomic():
        [relayed] = retraction_distribute(item=retraction, actor=TEST_ACTOR)
    header, payload = jwt_unverified_parts(relayed.token)
    assert header["typ"] == "sar-retraction+jwt"
    assert payload["iss"] == hub_issuer()
    assert payload["attribution"]["originator"] == "an agency of DE"
    assert payload["report_id"] == first.item_id
    stored = HubSigningKey.objects.get(kid=header["kid"])
    assert jws_verify(relayed.token, jwk.JWK(**stored.public_jwk))["reason"] == "entered in error"


def test_sanctions_update_under_must_not_is_reissued(originator, partner):
    agreement_make(originator, partner, attribution="must-not", kinds=["sanctions_update"])
    item = sanctions_item(originator, entity_id="ofac-7")
    with transaction.atomic():
        [delivery] = items_distribute(items=[item], actor=TEST_ACTOR)
    header, payload = jwt_unverified_parts(delivery.token)
    assert (header["typ"], payload["iss"], payload["entity"]["id"]) == (
        "sanctions-update+jwt",
        hub_issuer(),
        "ofac-7",
    )


def test_an_endpoint_not_taking_the_event_leaves_the_item_to_the_feed(originator, partner):
    from sharing.models import WebhookEndpoint

    agreement_make(originator, partner)
    WebhookEndpoint.objects.create(
        agency=partner, url="https://partner.example/hook", events=["report.retracted"]
    )
    [delivery] = distribute(report_item(originator))
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.seq == 1


def test_deliveries_are_returned_with_their_ids(originator, partner, narrow_partner):
    agreement_make(originator, partner)
    agreement_make(originator, narrow_partner)
    deliveries = distribute(report_item(originator))
    stored = {d.pk: (d.recipient_id, d.seq) for d in Delivery.objects.all()}
    assert {d.pk: (d.recipient_id, d.seq) for d in deliveries} == stored


def test_bulk_audit_records_keep_the_hash_chain_intact(originator, partner):
    from agencies.audit import audit_chain_verify

    agreement_make(originator, partner, kinds=["sanctions_update"])
    with transaction.atomic():
        items_distribute(
            items=[sanctions_item(originator, entity_id=f"ofac-{n}") for n in range(30)],
            actor=TEST_ACTOR,
        )
    distribute(report_item(originator))  # an ordinary record after the bulk ones
    checked, broken = audit_chain_verify()
    assert broken is None
    assert checked == AuditRecord.objects.count()
