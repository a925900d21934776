"""An analyst's day in a real browser: sign in, compose, publish, receive, verify."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from hub.models import Report
from sharing.models import Agreement

from .conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(originator, partner, narrow_partner, person):
    Agreement.objects.create(
        provider=originator,
        recipient=partner,
        status="active",
        kinds=["sar"],
        max_tlp="AMBER",
        valid_from=timezone.now() - timedelta(days=1),
        legal_basis="Naples II, art. 7",
    )
    Agreement.objects.create(
        provider=originator,
        recipient=narrow_partner,
        status="active",
        kinds=["sar"],
        max_tlp="AMBER",
        withheld=["person_identity", "commercial"],
        valid_from=timezone.now() - timedelta(days=1),
    )
    return {
        "alice": person(originator, Role.PUBLISHER, "alice"),
        "bob": person(partner, Role.READER, "bob"),
        "nina": person(narrow_partner, Role.READER, "nina"),
    }


def compose_and_publish(page, title: str, check_preview=None) -> None:
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="New report").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("TLP", exact=True).select_option("AMBER")
    page.get_by_label("Activity from").fill("2026-03-01")
    page.get_by_label("Narrative").fill(
        "Declared for a furniture workshop, re-exported within days."
    )
    page.get_by_label("BIS-RF-11").check()
    parties = page.locator("#parties-rows .formset-row")
    first = parties.nth(0)
    first.get_by_label("Role").select_option("consignee")
    first.get_by_label("Type").select_option("organization")
    first.get_by_label("Name").fill("Gulf Horizon Woodworks FZE")
    first.get_by_label("Country").fill("AE")
    page.get_by_role("button", name="Add party").click()
    second = parties.nth(1)
    second.get_by_label("Role").select_option("broker")
    second.get_by_label("Type").select_option("person")
    second.get_by_label("Name").fill("Viktor Lebedev")
    second.get_by_label("Identifiers").fill("passport: RU7211045")
    second.get_by_label("Country").fill("RU")
    goods = page.locator("#goods-rows .formset-row").nth(0)
    goods.get_by_label("Description").fill("Numerical control units")
    goods.get_by_label("HS code").fill("853710")
    goods.get_by_label("Control code").fill("2B001.b")
    goods.get_by_label("Value").fill("212500.50")
    goods.get_by_label("Currency").fill("EUR")
    page.get_by_role("button", name="Preview deliveries").click()
    preview = page.locator("#preview-result")
    preview.locator('tr[data-recipient="FR-DOUANE"]').wait_for()
    if check_preview is not None:
        check_preview(preview)
    page.get_by_role("button", name="Sign and publish").click()
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}/$"))


def test_sign_in_is_refused_with_a_wrong_password(page, world):
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "correct username and password" in page.locator("#login-errors").inner_text()


def test_compose_publish_and_see_it_arrive_redacted_and_verified(page, world):
    def check_preview(preview) -> None:
        narrow = preview.locator('tr[data-recipient="NL-FIOD"]').inner_text()
        assert "commercial, person identity" in narrow
        assert "full view" in preview.locator('tr[data-recipient="FR-DOUANE"]').inner_text()

    sign_in(page, world["alice"])
    compose_and_publish(page, "CNC controllers rerouted through Dubai", check_preview)
    assert "Published" in page.locator(".messages").inner_text()
    assert page.locator('#deliveries tr[data-recipient="FR-DOUANE"]').count() == 1
    assert Report.objects.get().versions.get().kid.startswith("DE-CUSTOMS/")
    sign_out(page)

    sign_in(page, world["bob"])
    page.get_by_role("link", name="CNC controllers rerouted through Dubai").click()
    assert page.locator("#signature-state").inner_text() == "verified"
    body = page.locator("main").inner_text()
    assert "Viktor Lebedev" in body
    assert "212500.50" in body
    sign_out(page)

    sign_in(page, world["nina"])
    page.get_by_role("link", name="CNC controllers rerouted through Dubai").click()
    assert page.locator("#signature-state").inner_text() == "verified"
    body = page.locator("main").inner_text()
    assert "Gulf Horizon Woodworks FZE" in body
    assert "Viktor Lebedev" not in body
    assert "212500.50" not in body
    assert "person identity" in page.locator("#withheld-list").inner_text()


def test_inline_errors_in_the_browser(page, world):
    sign_in(page, world["alice"])
    page.goto("/reports/new/")
    page.get_by_label("Title").fill("Incomplete")
    first = page.locator("#parties-rows .formset-row").nth(0)
    first.get_by_label("Name").fill("Someone")
    page.get_by_role("button", name="Sign and publish").click()
    assert page.locator("#compose-errors").is_visible()
    assert first.get_by_label("Role").get_attribute("aria-invalid") == "true"
    # Shaped like a country code but not one: the hub's own check names the field.
    first.get_by_label("Role").select_option("exporter")
    first.get_by_label("Type").select_option("organization")
    first.get_by_label("Country").fill("ZZ")
    page.get_by_role("button", name="Sign and publish").click()
    assert first.get_by_label("Country").get_attribute("aria-invalid") == "true"
    assert "country code" in first.locator(".errorlist").inner_text()
    assert not Report.objects.exists()


def test_keyboard_only_sign_in_and_skip_link(page, world):
    page.goto("/login/")
    page.keyboard.type("alice")  # the username field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/inbox/.*"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
