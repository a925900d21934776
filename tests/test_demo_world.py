"""The demo world: seeded through the real services, complete, and idempotent.

The OFAC import is left out here (the sanctions tests cover the importer, and
it takes seconds); everything else is seeded exactly as `./cordon demo` does.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings

from agencies.models import Agency, ApiToken, AuditRecord, Membership, Role, SigningKey
from hub.demo_world.cast import AGENCIES, AGREEMENTS, DEMO_PASSWORD
from hub.demo_world.reports import DEMO_REPORTS
from hub.demo_world.seed import world_seed
from hub.models import Report, ReportStatus, ReportVersion
from sharing.models import Agreement, Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo world, seeded once for this module and rolled back after it."""
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(VAR_DIR=tmp_path_factory.mktemp("var"), PASSWORD_HASHERS=fast_hashing),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield world_seed(sanctions=False)
        transaction.set_rollback(True)


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Agency,
            Membership,
            ApiToken,
            SigningKey,
            Agreement,
            Report,
            ReportVersion,
            Delivery,
            AuditRecord,
        )
    }


def test_demo_world_has_agencies_in_several_countries_with_custodial_keys(world):
    agencies = Agency.objects.exclude(code="HUB")
    assert agencies.count() >= 5
    assert len(set(agencies.values_list("country", flat=True))) >= 4
    assert {"customs", "intelligence", "licensing", "fiu", "sanctions_authority"} <= set(
        agencies.values_list("kind", flat=True)
    )
    for agency in Agency.objects.all():
        assert agency.keys.filter(encrypted_private_key__isnull=False).exists(), agency.code


def test_demo_logins_work_with_the_printed_password(world):
    assert {"alice@DE-CUSTOMS", "operator@HUB"} <= {login.username for login in world.logins}
    alice = get_user_model().objects.get(username="alice@DE-CUSTOMS")
    assert alice.check_password(DEMO_PASSWORD)
    assert alice.membership.role == Role.PUBLISHER
    assert Membership.objects.get(user__username="operator@HUB").role == Role.HUB_ADMIN
    assert all(
        Membership.objects.filter(agency__code=demo.code, role=Role.AGENCY_ADMIN).exists()
        for demo in AGENCIES
        if demo.code != "HUB"
    )


def test_printed_api_tokens_authenticate(world, client):
    role, token = world.tokens["DE-CUSTOMS"]
    assert role == Role.PUBLISHER
    response = client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    bad = client.get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Token {token}x")
    assert bad.status_code == 401


def test_reports_are_published_through_the_service_and_distributed(world):
    assert Report.objects.count() == len(DEMO_REPORTS) >= 20
    amended = [demo for demo in DEMO_REPORTS if demo.amendment]
    retracted = [demo for demo in DEMO_REPORTS if demo.retraction]
    assert ReportVersion.objects.count() == len(DEMO_REPORTS) + len(amended)
    assert Report.objects.get(pk=retracted[0].id).status == ReportStatus.RETRACTED
    # Each stored version keeps the SD-JWT as signed, with every redactable field disclosable.
    version = ReportVersion.objects.get(report_id=DEMO_REPORTS[0].id, version=1)
    assert version.token.count("~") >= 20
    assert Agreement.objects.filter(status="active").count() == len(AGREEMENTS)
    assert Delivery.objects.filter(originator="DE-CUSTOMS").exists()
    # No report ever goes back to its originator.
    for delivery in Delivery.objects.filter(item_type="report").select_related("recipient"):
        assert delivery.recipient.code != delivery.originator


def test_narrow_partner_gets_only_what_its_agreement_allows(world):
    to_kz = Delivery.objects.filter(recipient__code="KZ-SRC", item_type="report")
    assert to_kz.exists()
    for delivery in to_kz:
        report = ReportVersion.objects.get(
            report_id=delivery.item_id, version=delivery.item_version
        )
        assert "KZ" in report.countries
        assert report.tlp in ("CLEAR", "GREEN")
        assert {"narrative", "person_identity"} <= set(delivery.withheld_classes)


def test_seeding_twice_changes_nothing(world):
    sizes = table_sizes()

    second = world_seed(sanctions=False)

    assert table_sizes() == sizes
    assert second.tokens == world.tokens
    assert second.counts["reports"] == 0
    assert second.counts["agreements"] == 0
