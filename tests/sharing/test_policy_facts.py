"""Stored agreements as the policy sees them (sharing.selectors.agreement_facts)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.models import Agreement
from sharing.policy import AgreementFacts, ItemFacts, decide
from sharing.selectors import agreement_facts, agreement_facts_of_provider

pytestmark = pytest.mark.django_db


def stored(provider, recipient, **fields) -> Agreement:
    values = {
        "status": "active",
        "kinds": ["sar"],
        "valid_from": timezone.now() - timedelta(days=1),
        "valid_until": timezone.now() + timedelta(days=30),
    }
    values.update(fields)
    return Agreement.objects.create(provider=provider, recipient=recipient, **values)


def test_facts_carry_every_field_the_policy_reads(originator, partner):
    agreement = stored(
        originator,
        partner,
        kinds=["sar", "sanctions_update"],
        max_tlp="AMBER+STRICT",
        withheld=["commercial"],
        scope_countries=["IR"],
        scope_hs_chapters=["84"],
        scope_control_prefixes=["3A"],
        scope_red_flags=["BIS-RF-5"],
        scope_lists=["OFAC-SDN"],
    )
    facts = agreement_facts(agreement)
    assert facts == AgreementFacts(
        id=str(agreement.pk),
        provider="DE-CUSTOMS",
        recipient="FR-DOUANE",
        status="active",
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        kinds=("sar", "sanctions_update"),
        max_tlp="AMBER+STRICT",
        withheld=("commercial",),
        scope_countries=("IR",),
        scope_hs_chapters=("84",),
        scope_control_prefixes=("3A",),
        scope_red_flags=("BIS-RF-5",),
        scope_lists=("OFAC-SDN",),
    )


def test_stored_agreement_past_valid_until_is_refused_by_the_policy(originator, partner):
    agreement = stored(
        originator,
        partner,
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(minutes=1),
    )
    assert agreement.status == "active"
    assert agreement.effective_status == "expired"
    item = ItemFacts(kind="sar", originator="DE-CUSTOMS", tlp="GREEN")
    decision = decide(item, agreement_facts(agreement), timezone.now())
    assert not decision.deliver
    assert decision.reason == "agreement expired"


def test_terminated_stays_terminated_after_expiry(originator, partner):
    agreement = stored(
        originator,
        partner,
        status="terminated",
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(days=1),
    )
    assert agreement.effective_status == "terminated"


def test_facts_of_provider_lists_only_its_own_agreements(originator, partner, narrow_partner):
    stored(originator, partner)
    stored(originator, narrow_partner, status="suspended")
    stored(partner, narrow_partner)
    facts = agreement_facts_of_provider(provider_code="DE-CUSTOMS")
    assert sorted((f.recipient, f.status) for f in facts) == [
        ("FR-DOUANE", "active"),
        ("NL-FIOD", "suspended"),
    ]
