"""Reads of sharing agreements, and their translation into the policy's plain facts."""

import uuid

from django.db.models import Q, QuerySet

from agencies.auth import Caller
from agencies.errors import NotFound
from agencies.models import Agency
from sharing.models import Agreement
from sharing.policy import AgreementFacts


def agreement_facts(agreement: Agreement) -> AgreementFacts:
    """The plain data the policy decides on.

    The stored status is passed as is: expiry is the policy's window rule, so an
    agreement past valid_until is refused there even before anyone looks at it.
    """
    return AgreementFacts(
        id=str(agreement.pk),
        provider=agreement.provider.code,
        recipient=agreement.recipient.code,
        status=agreement.status,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        kinds=tuple(agreement.kinds),
        max_tlp=agreement.max_tlp,
        withheld=tuple(agreement.withheld),
        scope_countries=tuple(agreement.scope_countries),
        scope_hs_chapters=tuple(agreement.scope_hs_chapters),
        scope_control_prefixes=tuple(agreement.scope_control_prefixes),
        scope_red_flags=tuple(agreement.scope_red_flags),
        scope_lists=tuple(agreement.scope_lists),
    )


def agreement_facts_of_provider(*, provider_code: str) -> list[AgreementFacts]:
    """Facts of every agreement the agency provides, whatever its status: the policy refuses."""
    agreements = Agreement.objects.select_related("provider", "recipient").filter(
        provider__code=provider_code
    )
    return [agreement_facts(agreement) for agreement in agreements]


def agreement_list_for(*, caller: Caller) -> QuerySet[Agreement]:
    """Every agreement for a hub admin; for anyone else the ones their agency is party to."""
    agreements = Agreement.objects.select_related("provider", "recipient")
    if caller.is_hub_admin:
        return agreements
    return agreements.filter(Q(provider=caller.agency) | Q(recipient=caller.agency))


def agreement_access(*, caller: Caller, agreement_id: object) -> Agreement:
    """The agreement if the caller may see it; 404 otherwise, so outsiders learn nothing."""
    agreement = agreement_list_for(caller=caller).filter(pk=_uuid_or_none(agreement_id)).first()
    if agreement is None:
        raise NotFound(f"No agreement {agreement_id}.", code="agreement_not_found")
    return agreement


def agreements_between(*, provider: Agency, recipient: Agency) -> QuerySet[Agreement]:
    return Agreement.objects.filter(provider=provider, recipient=recipient)


def _uuid_or_none(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None
