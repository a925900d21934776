"""In a real browser: search the register and screen a name; suspend an agreement and
see new reports no longer reach that partner."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from hub.screening.selectors import index_reset
from sharing.models import Agreement
from tests.factories import agency_make, register_sample_make

from .conftest import sign_in, sign_out
from .test_reports_flow import compose_and_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register_world(partner, person):
    authority = agency_make("US-OFAC", country="US", kind="sanctions_authority")
    register_sample_make(authority)
    Agreement.objects.create(
        provider=authority,
        recipient=partner,
        status="active",
        kinds=["sanctions_update"],
        max_tlp="CLEAR",
        valid_from=timezone.now() - timedelta(days=1),
    )
    index_reset()
    yield person(partner, Role.READER, "bob")
    index_reset()


def test_search_the_register_and_screen_a_name(page, register_world):
    sign_in(page, register_world)
    page.get_by_role("link", name="Sanctions").click()
    assert "3 entities" in page.locator("#register-results").inner_text()
    page.get_by_label("Name or id").fill("victor")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*q=victor.*"))
    table = page.locator("#register-table")
    assert "Viktor Lebedev" in table.inner_text()
    assert "Rosoboronexport" not in table.inner_text()
    page.get_by_role("link", name="Viktor Lebedev").click()
    assert "UKRAINE-EO13662" in page.locator("main").inner_text()
    assert "ADD" in page.locator("#history").inner_text()

    page.get_by_role("link", name="Screening").click()
    page.get_by_label("Names").fill("Виктор Лебедев\nAcme Bakery Ltd")
    page.get_by_role("button", name="Screen").click()
    results = page.locator(".screen-result")
    results.nth(1).wait_for()
    assert "possible match" in results.nth(0).inner_text()
    assert "Viktor Lebedev" in results.nth(0).inner_text()
    assert "no match" in results.nth(1).inner_text()


def test_suspended_agreement_stops_new_reports_reaching_the_partner(
    page, originator, partner, person
):
    agreement = Agreement.objects.create(
        provider=originator,
        recipient=partner,
        status="active",
        kinds=["sar"],
        max_tlp="AMBER",
        valid_from=timezone.now() - timedelta(days=1),
    )
    alice = person(originator, Role.AGENCY_ADMIN, "alice")
    bob = person(partner, Role.READER, "bob")

    sign_in(page, alice)
    compose_and_publish(page, "Before the suspension")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Agreements").click()
    page.get_by_role("link", name=re.compile("DE-CUSTOMS.*FR-DOUANE")).click()
    page.get_by_role("button", name="Suspend").click()
    page.locator("#agreement-status").filter(has_text="suspended").wait_for()
    agreement.refresh_from_db()
    assert agreement.status == "suspended"

    page.get_by_role("link", name="Sharing matrix").click()
    cell = page.locator('td[data-pair="DE-CUSTOMS-FR-DOUANE"]')
    assert "suspended" in cell.inner_text()

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="New report").click()
    page.get_by_label("Title").fill("After the suspension")
    page.get_by_role("button", name="Preview deliveries").click()
    row = page.locator('#preview-result tr[data-recipient="FR-DOUANE"]')
    row.wait_for()
    assert "agreement suspended" in row.inner_text()
    page.get_by_role("button", name="Sign and publish").click()
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))
    assert page.locator('#deliveries tr[data-recipient="FR-DOUANE"]').count() == 0
    sign_out(page)

    sign_in(page, bob)
    inbox = page.locator("#inbox-results").inner_text()
    assert "Before the suspension" in inbox
    assert "After the suspension" not in inbox
