"""Sharing agreements: the list, one agreement, its lifecycle, and the matrix of who shares what."""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency, Role
from sharing.models import Agreement
from sharing.selectors import agreement_list_for

from ..access import web_view


def effective_status(agreement: Agreement, now) -> str:
    """The stored status, or `expired`/`not yet valid` when the window says so (DESIGN 3)."""
    if agreement.status == "active":
        if agreement.valid_until is not None and now >= agreement.valid_until:
            return "expired"
        if now < agreement.valid_from:
            return "not_yet_valid"
    return agreement.status


@dataclass
class MatrixRow:
    provider: Agency
    cells: list[list[tuple[Agreement, str]]] = field(default_factory=list)


@web_view(Role.AGENCY_ADMIN)
def agreement_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    agreements = [
        (agreement, effective_status(agreement, now))
        for agreement in agreement_list_for(caller=request.caller)
    ]
    return render(
        request,
        "web/manage/agreements.html",
        {"section": "manage", "agreements": agreements},
    )


@web_view(Role.AGENCY_ADMIN)
def sharing_matrix(request: HttpRequest) -> HttpResponse:
    """Providers by recipients; each cell lists the agreements from one to the other."""
    now = timezone.now()
    agreements = list(agreement_list_for(caller=request.caller))
    if request.caller.is_hub_admin:
        agencies = list(Agency.objects.all())
    else:
        involved = {request.caller.agency.pk}
        for agreement in agreements:
            involved.update((agreement.provider_id, agreement.recipient_id))
        agencies = list(Agency.objects.filter(pk__in=involved))
    by_pair: dict[tuple[int, int], list[tuple[Agreement, str]]] = {}
    for agreement in agreements:
        key = (agreement.provider_id, agreement.recipient_id)
        by_pair.setdefault(key, []).append((agreement, effective_status(agreement, now)))
    providers = [a for a in agencies if any(k[0] == a.pk for k in by_pair)] or agencies
    recipients = [a for a in agencies if any(k[1] == a.pk for k in by_pair)] or agencies
    rows = [
        MatrixRow(
            provider=provider,
            cells=[by_pair.get((provider.pk, recipient.pk), []) for recipient in recipients],
        )
        for provider in providers
    ]
    return render(
        request,
        "web/manage/matrix.html",
        {"section": "manage", "recipients": recipients, "rows": rows},
    )
