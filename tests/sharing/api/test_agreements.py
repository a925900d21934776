"""Agreements over the API (DESIGN 3, 6): who may do what, validation, lifecycle, audit.

Personas: DE-CUSTOMS (originator) provides to FR-DOUANE (partner); NL-FIOD's admin
is a third party who must learn nothing of their agreement.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import AuditRecord, Role
from sharing.models import Agreement, Delivery, DeliveryState, WebhookEndpoint
from sharing.services.distribution import item_distribute
from tests.factories import TEST_ACTOR
from tests.sharing.builders import report_item

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"


@pytest.fixture
def admin_of(client_for):
    def build(agency) -> APIClient:
        return client_for(agency, Role.AGENCY_ADMIN)

    return build


def create(client: APIClient, **body):
    values = {"provider": "DE-CUSTOMS", "recipient": "FR-DOUANE"}
    values.update(body)
    return client.post(URL, values, format="json")


def action(client: APIClient, agreement_id: str, verb: str, **body):
    return client.post(f"{URL}{agreement_id}/{verb}", body, format="json")


def audit_actions(agreement_id: str) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="agreement", object_id=agreement_id)
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def proposed(originator, partner, admin_of) -> dict:
    """An agreement DE-CUSTOMS -> FR-DOUANE proposed by DE-CUSTOMS's admin."""
    response = create(admin_of(originator))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def active(originator, partner, hub_admin_client) -> dict:
    response = create(hub_admin_client, status="active")
    assert response.status_code == 201, response.content
    return response.json()


# --- create -------------------------------------------------------------------


def test_provider_admin_proposes_an_agreement_with_sensible_defaults(originator, partner, admin_of):
    response = create(admin_of(originator))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["provider"] == "DE-CUSTOMS"
    assert body["recipient"] == "FR-DOUANE"
    assert body["status"] == "proposed"
    assert body["effective_status"] == "proposed"
    assert body["kinds"] == ["sar"]
    assert body["max_tlp"] == "AMBER"
    assert body["withheld"] == []
    assert body["attribution"] == "must"
    assert body["onward_sharing"] is False
    assert body["scope"] == {
        "countries": [],
        "hs_chapters": [],
        "control_prefixes": [],
        "red_flags": [],
        "lists": [],
    }
    assert body["valid_until"] is None
    # Proposing counts as the provider's acceptance; the recipient has yet to accept.
    assert body["provider_accepted_at"] is not None
    assert body["recipient_accepted_at"] is None
    stored = Agreement.objects.get(pk=body["id"])
    assert stored.status == "proposed"
    assert audit_actions(body["id"]) == ["agreement.create"]


def test_recipient_admin_may_propose_too(originator, partner, admin_of):
    response = create(admin_of(partner))
    assert response.status_code == 201, response.content
    assert response.json()["recipient_accepted_at"] is not None
    assert response.json()["provider_accepted_at"] is None


def test_every_field_of_design_3_round_trips(originator, partner, admin_of):
    start = timezone.now() - timedelta(days=1)
    end = timezone.now() + timedelta(days=90)
    response = create(
        admin_of(originator),
        valid_from=start.isoformat(),
        valid_until=end.isoformat(),
        kinds=["sar", "sanctions_update"],
        max_tlp="AMBER+STRICT",
        withheld=["person_identity", "commercial"],
        scope={
            "countries": ["IR", "RU"],
            "hs_chapters": ["84", "85"],
            "control_prefixes": ["3A", "ML"],
            "red_flags": ["BIS-RF-5"],
            "lists": ["OFAC-SDN"],
        },
        onward_sharing=True,
        attribution="must-not",
        permitted_actions="contact-for-instruction",
        encrypt_in_transit="may",
        affected_party_notifications="must-not",
        legal_basis="DE-FR customs MoU 2024, art. 7",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kinds"] == ["sar", "sanctions_update"]
    assert body["max_tlp"] == "AMBER+STRICT"
    assert body["withheld"] == ["person_identity", "commercial"]
    assert body["scope"]["countries"] == ["IR", "RU"]
    assert body["scope"]["control_prefixes"] == ["3A", "ML"]
    assert body["scope"]["lists"] == ["OFAC-SDN"]
    assert body["onward_sharing"] is True
    assert body["attribution"] == "must-not"
    assert body["permitted_actions"] == "contact-for-instruction"
    assert body["encrypt_in_transit"] == "may"
    assert body["affected_party_notifications"] == "must-not"
    assert body["legal_basis"] == "DE-FR customs MoU 2024, art. 7"
    stored = Agreement.objects.get(pk=body["id"])
    assert stored.valid_from == start
    assert stored.valid_until == end
    assert stored.scope_hs_chapters == ["84", "85"]
    assert stored.scope_red_flags == ["BIS-RF-5"]


def test_tlp_is_accepted_in_any_case_and_with_prefix(originator, partner, admin_of):
    response = create(admin_of(originator), max_tlp="tlp:green")
    assert response.status_code == 201, response.content
    assert response.json()["max_tlp"] == "GREEN"


def test_hub_admin_creates_an_agreement_directly_active(originator, partner, hub_admin_client):
    response = create(hub_admin_client, status="active")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "active"
    assert response.json()["effective_status"] == "active"


def test_hub_admin_proposal_waits_for_both_parties(originator, partner, hub_admin_client):
    response = create(hub_admin_client)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "proposed"
    assert body["provider_accepted_at"] is None
    assert body["recipient_accepted_at"] is None


def test_agency_admin_may_not_create_an_active_agreement(originator, partner, admin_of):
    response = create(admin_of(originator), status="active")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "hub_admin_required"
    assert not Agreement.objects.exists()


def test_admin_of_a_third_agency_may_not_create_an_agreement_between_others(
    originator, partner, narrow_partner, admin_of
):
    response = create(admin_of(narrow_partner))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_party"
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("role", [Role.PUBLISHER, Role.READER])
def test_roles_below_agency_admin_may_not_create(originator, partner, client_for, role):
    response = create(client_for(originator, role))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_required"
    assert not Agreement.objects.exists()


def test_request_without_a_token_is_401(originator, partner):
    response = create(APIClient())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# --- validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recipient": "DE-CUSTOMS"}, "recipient"),
        (
            {
                "valid_from": "2030-01-02T00:00:00Z",
                "valid_until": "2030-01-01T00:00:00Z",
            },
            "valid_until",
        ),
        ({"valid_until": "2020-01-01T00:00:00Z"}, "valid_until"),
        ({"kinds": ["sar", "gossip"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["sar", "sar"]}, "kinds"),
        ({"max_tlp": "WHITE"}, "max_tlp"),
        ({"withheld": ["narrative", "salary"]}, "withheld"),
        ({"scope": {"countries": ["fr"]}}, "scope.countries"),
        ({"scope": {"countries": ["FRA"]}}, "scope.countries"),
        ({"scope": {"hs_chapters": ["847"]}}, "scope.hs_chapters"),
        ({"scope": {"hs_chapters": ["8a"]}}, "scope.hs_chapters"),
        ({"scope": {"control_prefixes": ["3A 001"]}}, "scope.control_prefixes"),
        ({"scope": {"red_flags": [""]}}, "scope.red_flags"),
        ({"scope": {"lists": ["ofac sdn"]}}, "scope.lists"),
        ({"attribution": "may"}, "attribution"),
        ({"permitted_actions": "anything"}, "permitted_actions"),
        ({"encrypt_in_transit": "never"}, "encrypt_in_transit"),
        ({"affected_party_notifications": "must"}, "affected_party_notifications"),
    ],
)
def test_invalid_values_are_refused_with_the_field_named_and_nothing_stored(
    originator, partner, admin_of, body, field
):
    client = admin_of(originator)
    records_before = AuditRecord.objects.count()
    response = create(client, **body)
    assert response.status_code in (400, 422), response.content
    error = response.json()["error"]
    assert error["code"] in ("invalid_agreement", "invalid_request")
    assert field.split(".")[0] in {key.split(".")[0] for key in error["details"]}
    assert not Agreement.objects.exists()
    assert AuditRecord.objects.count() == records_before


def test_semantic_errors_are_422_and_name_every_problem(originator, partner, admin_of):
    response = create(admin_of(originator), kinds=["gossip"], max_tlp="PURPLE", withheld=["x"])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_agreement"
    assert set(error["details"]) == {"kinds", "max_tlp", "withheld"}


def test_unknown_agency_is_refused(originator, admin_of):
    response = create(admin_of(originator), recipient="ZZ-NOBODY")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_agency"
    assert not Agreement.objects.exists()


def test_unknown_scope_filter_is_refused_rather_than_ignored(originator, partner, admin_of):
    response = create(admin_of(originator), scope={"country": ["IR"]})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert not Agreement.objects.exists()


def test_malformed_types_are_400(originator, partner, admin_of):
    response = create(admin_of(originator), kinds="sar", valid_from="yesterday")
    assert response.status_code == 400
    assert {"kinds", "valid_from"} <= set(response.json()["error"]["details"])
    assert not Agreement.objects.exists()


def test_missing_parties_are_400(originator, admin_of):
    response = admin_of(originator).post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"provider", "recipient"} <= set(response.json()["error"]["details"])


# --- list and read --------------------------------------------------------------


def test_hub_admin_lists_every_agreement(
    originator, partner, narrow_partner, hub_admin_client, admin_of
):
    create(hub_admin_client)
    create(hub_admin_client, provider="FR-DOUANE", recipient="NL-FIOD")
    response = hub_admin_client.get(URL)
    assert response.status_code == 200
    assert len(response.json()) == 2


def test_agency_admin_lists_only_agreements_its_agency_is_party_to(
    originator, partner, narrow_partner, hub_admin_client, admin_of
):
    create(hub_admin_client)  # DE -> FR
    create(hub_admin_client, provider="FR-DOUANE", recipient="NL-FIOD")
    pairs = lambda client: {(a["provider"], a["recipient"]) for a in client.get(URL).json()}  # noqa: E731
    assert pairs(admin_of(originator)) == {("DE-CUSTOMS", "FR-DOUANE")}
    assert pairs(admin_of(partner)) == {
        ("DE-CUSTOMS", "FR-DOUANE"),
        ("FR-DOUANE", "NL-FIOD"),
    }
    assert pairs(admin_of(narrow_partner)) == {("FR-DOUANE", "NL-FIOD")}


def test_reader_may_not_list_agreements(originator, client_for):
    response = client_for(originator, Role.READER).get(URL)
    assert response.status_code == 403


def test_list_filters_by_effective_status(originator, partner, hub_admin_client, active):
    create(hub_admin_client)  # a proposed one
    Agreement.objects.filter(pk=active["id"]).update(
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(days=1),
    )
    expired = hub_admin_client.get(URL, {"status": "expired"}).json()
    assert [a["id"] for a in expired] == [active["id"]]
    assert expired[0]["status"] == "active"
    assert expired[0]["effective_status"] == "expired"
    assert hub_admin_client.get(URL, {"status": "active"}).json() == []
    assert len(hub_admin_client.get(URL, {"status": "proposed"}).json()) == 1


def test_party_admin_reads_an_agreement(partner, admin_of, proposed):
    response = admin_of(partner).get(f"{URL}{proposed['id']}/")
    assert response.status_code == 200
    assert response.json()["id"] == proposed["id"]


def test_third_agency_admin_gets_404_for_an_agreement_it_is_not_party_to(
    narrow_partner, admin_of, proposed
):
    response = admin_of(narrow_partner).get(f"{URL}{proposed['id']}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "agreement_not_found"


def test_reader_of_a_party_may_not_read_agreements(partner, client_for, proposed):
    response = client_for(partner, Role.READER).get(f"{URL}{proposed['id']}/")
    assert response.status_code == 403


@pytest.mark.parametrize("agreement_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_agreement_is_404(hub_admin_client, agreement_id):
    response = hub_admin_client.get(f"{URL}{agreement_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "agreement_not_found"


def test_expired_agreement_reads_as_expired(hub_admin_client, active):
    Agreement.objects.filter(pk=active["id"]).update(
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(seconds=1),
    )
    body = hub_admin_client.get(f"{URL}{active['id']}").json()
    assert body["status"] == "active"
    assert body["effective_status"] == "expired"


# --- accept ---------------------------------------------------------------------


def test_agreement_becomes_active_when_the_recipient_accepts_the_providers_proposal(
    partner, admin_of, proposed
):
    response = action(admin_of(partner), proposed["id"], "accept")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert response.json()["recipient_accepted_at"] is not None
    assert Agreement.objects.get(pk=proposed["id"]).status == "active"
    assert audit_actions(proposed["id"]) == ["agreement.create", "agreement.accept"]
    record = AuditRecord.objects.get(object_id=proposed["id"], action="agreement.accept")
    assert record.before["status"] == "proposed"
    assert record.after["status"] == "active"
    assert record.agency == "FR-DOUANE"


def test_proposal_stays_proposed_until_both_parties_accept(
    originator, partner, hub_admin_client, admin_of
):
    agreement_id = create(hub_admin_client).json()["id"]
    first = action(admin_of(originator), agreement_id, "accept")
    assert first.status_code == 200
    assert first.json()["status"] == "proposed"
    second = action(admin_of(partner), agreement_id, "accept")
    assert second.json()["status"] == "active"


def test_accepting_twice_is_harmless(originator, admin_of, proposed):
    response = action(admin_of(originator), proposed["id"], "accept")
    assert response.status_code == 200
    assert response.json()["status"] == "proposed"
    assert audit_actions(proposed["id"]) == ["agreement.create"]


def test_hub_admin_accepts_for_both_parties(hub_admin_client, proposed):
    response = action(hub_admin_client, proposed["id"], "accept")
    assert response.status_code == 200
    assert response.json()["status"] == "active"


def test_third_agency_admin_cannot_accept(narrow_partner, admin_of, proposed):
    response = action(admin_of(narrow_partner), proposed["id"], "accept")
    assert response.status_code == 404
    assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"


def test_publisher_of_a_party_cannot_accept(partner, client_for, proposed):
    response = action(client_for(partner, Role.PUBLISHER), proposed["id"], "accept")
    assert response.status_code == 403
    assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"


def test_accepting_an_active_agreement_is_a_conflict(partner, admin_of, active):
    response = action(admin_of(partner), active["id"], "accept")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "agreement_already_active"


def test_accepting_an_expired_proposal_is_a_conflict(partner, admin_of, proposed):
    Agreement.objects.filter(pk=proposed["id"]).update(
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(days=1),
    )
    response = action(admin_of(partner), proposed["id"], "accept")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "agreement_expired"
    assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"


# --- suspend, reactivate, terminate ---------------------------------------------


def test_either_party_admin_suspends_an_active_agreement(partner, admin_of, active):
    response = action(admin_of(partner), active["id"], "suspend", reason="audit pending")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    assert response.json()["effective_status"] == "suspended"
    record = AuditRecord.objects.get(object_id=active["id"], action="agreement.suspend")
    assert record.before["status"] == "active"
    assert record.after["status"] == "suspended"
    assert record.after["reason"] == "audit pending"


def test_third_agency_admin_cannot_suspend(narrow_partner, admin_of, active):
    response = action(admin_of(narrow_partner), active["id"], "suspend")
    assert response.status_code == 404
    assert Agreement.objects.get(pk=active["id"]).status == "active"


def test_reader_of_a_party_cannot_suspend(originator, client_for, active):
    response = action(client_for(originator, Role.READER), active["id"], "suspend")
    assert response.status_code == 403
    assert Agreement.objects.get(pk=active["id"]).status == "active"


def test_suspending_a_proposal_is_a_conflict(originator, admin_of, proposed):
    response = action(admin_of(originator), proposed["id"], "suspend")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "agreement_not_active"


def test_suspending_twice_is_a_conflict(originator, admin_of, active):
    assert action(admin_of(originator), active["id"], "suspend").status_code == 200
    response = action(admin_of(originator), active["id"], "suspend")
    assert response.status_code == 409


def test_suspended_agreement_resumes_when_both_parties_accept_again(
    originator, partner, admin_of, active
):
    action(admin_of(originator), active["id"], "suspend")
    first = action(admin_of(originator), active["id"], "accept")
    assert first.json()["status"] == "suspended"
    second = action(admin_of(partner), active["id"], "accept")
    assert second.json()["status"] == "active"


def test_hub_admin_resumes_a_suspended_agreement(originator, admin_of, hub_admin_client, active):
    action(admin_of(originator), active["id"], "suspend")
    response = action(hub_admin_client, active["id"], "accept")
    assert response.json()["status"] == "active"


@pytest.mark.parametrize("start", ["proposed", "active", "suspended"])
def test_terminate_from_any_live_state(originator, partner, admin_of, hub_admin_client, start):
    body = {} if start == "proposed" else {"status": "active"}
    agreement_id = create(hub_admin_client, **body).json()["id"]
    if start == "suspended":
        action(hub_admin_client, agreement_id, "suspend")
    response = action(admin_of(originator), agreement_id, "terminate", reason="MoU ended")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    record = AuditRecord.objects.get(object_id=agreement_id, action="agreement.terminate")
    assert record.before["status"] == start
    assert record.after["reason"] == "MoU ended"


def test_terminated_is_final(originator, partner, admin_of, hub_admin_client, active):
    action(admin_of(partner), active["id"], "terminate")
    for client, verb in [
        (admin_of(originator), "accept"),
        (hub_admin_client, "accept"),
        (admin_of(originator), "suspend"),
        (hub_admin_client, "terminate"),
    ]:
        response = action(client, active["id"], verb)
        assert response.status_code == 409, verb
        assert response.json()["error"]["code"] == "agreement_terminated"
    assert Agreement.objects.get(pk=active["id"]).status == "terminated"


def test_third_agency_admin_cannot_terminate(narrow_partner, admin_of, active):
    response = action(admin_of(narrow_partner), active["id"], "terminate")
    assert response.status_code == 404
    assert Agreement.objects.get(pk=active["id"]).status == "active"


def test_lifecycle_urls_accept_a_trailing_slash(partner, admin_of, proposed):
    response = admin_of(partner).post(f"{URL}{proposed['id']}/accept/", {}, format="json")
    assert response.status_code == 200


# --- pending deliveries ---------------------------------------------------------


def _pending_delivery(originator, recipient) -> Delivery:
    # Only a webhook delivery waits; a feed-only delivery is delivered at once.
    WebhookEndpoint.objects.create(agency=recipient, url="https://partner.example/hook")
    with transaction.atomic():
        (delivery,) = item_distribute(item=report_item(originator), actor=TEST_ACTOR)
    assert delivery.state == DeliveryState.PENDING
    return delivery


@pytest.mark.parametrize("verb", ["suspend", "terminate"])
def test_stopping_an_agreement_cancels_its_pending_deliveries(
    originator, partner, admin_of, hub_admin_client, verb
):
    agreement_id = create(hub_admin_client, status="active").json()["id"]
    delivery = _pending_delivery(originator, partner)
    assert str(delivery.agreement_id) == agreement_id
    response = action(admin_of(originator), agreement_id, verb)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.CANCELLED
    record = AuditRecord.objects.get(object_id=agreement_id, action=f"agreement.{verb}")
    assert record.after["cancelled_deliveries"] == 1


def test_suspended_agreement_delivers_nothing_new(originator, partner, admin_of, hub_admin_client):
    agreement_id = create(hub_admin_client, status="active").json()["id"]
    action(admin_of(partner), agreement_id, "suspend")
    with transaction.atomic():
        deliveries = item_distribute(item=report_item(originator), actor=TEST_ACTOR)
    assert deliveries == []


def test_lifecycle_posts_need_no_body(originator, partner, admin_of, proposed):
    accepted = admin_of(partner).post(f"{URL}{proposed['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    suspended = admin_of(originator).post(f"{URL}{proposed['id']}/suspend")
    assert suspended.status_code == 200, suspended.content
    terminated = admin_of(originator).post(f"{URL}{proposed['id']}/terminate")
    assert terminated.json()["status"] == "terminated"
