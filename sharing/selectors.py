"""Reads of sharing agreements, and their translation into the policy's plain facts."""

import uuid
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.auth import Caller
from agencies.errors import NotFound
from sharing.models.agreements import EFFECTIVE_EXPIRED, Agreement, AgreementStatus
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


def agreement_list_for(
    *,
    caller: Caller,
    provider_code: str | None = None,
    recipient_code: str | None = None,
    effective_status: str | None = None,
) -> QuerySet[Agreement]:
    """Every agreement for a hub admin; for anyone else the ones their agency is party to.

    Optional filters: provider and recipient agency codes, and the effective
    status (the stored one, or "expired" for those past valid_until).
    """
    agreements = Agreement.objects.select_related("provider", "recipient")
    if not caller.is_hub_admin:
        agreements = agreements.filter(Q(provider=caller.agency) | Q(recipient=caller.agency))
    if provider_code:
        agreements = agreements.filter(provider__code=provider_code)
    if recipient_code:
        agreements = agreements.filter(recipient__code=recipient_code)
    if effective_status:
        agreements = agreements.filter(_effective_status_is(effective_status, timezone.now()))
    return agreements


def _effective_status_is(effective_status: str, moment: datetime) -> Q:
    expired = Q(valid_until__isnull=False, valid_until__lte=moment) & ~Q(
        status=AgreementStatus.TERMINATED
    )
    if effective_status == EFFECTIVE_EXPIRED:
        return expired
    return Q(status=effective_status) & ~expired


def agreement_access(*, caller: Caller, agreement_id: object) -> Agreement:
    """The agreement if the caller may see it; 404 otherwise, so outsiders learn nothing."""
    agreement = agreement_list_for(caller=caller).filter(pk=_uuid_or_none(agreement_id)).first()
    if agreement is None:
        raise NotFound(f"No agreement {agreement_id}.", code="agreement_not_found")
    return agreement


def _uuid_or_none(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None
