"""An administrator in a real browser: keys, a token shown once, a new agreement accepted."""

import re

import pytest

from agencies.models import ApiToken, Role, SigningKey
from agencies.services import token_hash
from sharing.models import Agreement

from .conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_manages_keys_tokens_and_an_agreement(page, originator, partner, person):
    admin = person(originator, Role.AGENCY_ADMIN, "ada")
    partner_admin = person(partner, Role.AGENCY_ADMIN, "pierre")

    sign_in(page, admin)
    page.get_by_role("link", name="Administration").click()
    page.wait_for_url(re.compile(r".*/manage/agencies/DE-CUSTOMS/$"))
    page.get_by_label("Label").fill("web-2026")
    page.get_by_role("button", name="Generate key").click()
    assert "DE-CUSTOMS/web-2026" in page.locator("main").inner_text()
    page.get_by_role("button", name="Rotate custodial key").click()
    page.locator(".msg-success").filter(has_text="Rotated").wait_for()
    assert SigningKey.objects.get(kid="DE-CUSTOMS/web-2026").revoked_at is not None

    page.get_by_label("Name", exact=True).fill("feed sync")
    page.get_by_label("Role").first.select_option("reader")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-secret").inner_text().strip()
    assert ApiToken.objects.get(name="feed sync").token_hash == token_hash(secret)
    page.reload()
    assert secret not in page.content()

    page.get_by_role("link", name="Agreements").click()
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Provider", exact=True).select_option("DE-CUSTOMS")
    page.get_by_label("Recipient", exact=True).select_option("FR-DOUANE")
    page.get_by_label("TLP ceiling").select_option("GREEN")
    page.get_by_label("commercial").check()
    page.get_by_label("Legal basis").fill("MoU 2026/4")
    page.get_by_role("button", name="Create agreement").click()
    assert page.locator("#agreement-status").inner_text() == "proposed"
    sign_out(page)

    sign_in(page, partner_admin)
    page.goto("/manage/agreements/")
    page.get_by_role("link", name=re.compile("DE-CUSTOMS.*FR-DOUANE")).click()
    page.get_by_role("button", name="Accept").click()
    page.locator("#agreement-status").filter(has_text="active").wait_for()
    agreement = Agreement.objects.get(provider=originator, recipient=partner)
    assert agreement.status == "active"
    assert agreement.withheld == ["commercial"]
