"""Sharing agreements: list, create, one agreement and its lifecycle, and the matrix."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.errors import CordonError, PermissionDenied
from agencies.models import Agency, Role
from sharing.models import Agreement
from sharing.selectors import agreement_access, agreement_list_for
from sharing.services.agreements import (
    agreement_accept,
    agreement_create,
    agreement_suspend,
    agreement_terminate,
)

from ..access import web_view
from ..agreement_forms import AgreementForm


@dataclass
class MatrixRow:
    provider: Agency
    cells: list[list[tuple[Agreement, str]]] = field(default_factory=list)


def _party_admin(request: HttpRequest, agreement: Agreement) -> None:
    caller = request.caller
    if not (caller.can_admin(agreement.provider) or caller.can_admin(agreement.recipient)):
        raise PermissionDenied("Only the parties' admins or a hub admin may do this.")


@web_view(Role.AGENCY_ADMIN)
def agreement_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    agreements = [
        (agreement, agreement.effective_status_at(now))
        for agreement in agreement_list_for(caller=request.caller)
    ]
    return render(
        request, "web/manage/agreements.html", {"section": "manage", "agreements": agreements}
    )


@web_view(Role.AGENCY_ADMIN)
def agreement_create_view(request: HttpRequest) -> HttpResponse:
    caller = request.caller
    form = AgreementForm(request.POST or None, hub_admin=caller.is_hub_admin)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        provider, recipient = arguments["provider"], arguments["recipient"]
        if not (caller.can_admin(provider) or caller.can_admin(recipient)):
            form.add_error(None, "Your agency must be the provider or the recipient.")
        else:
            activate = caller.is_hub_admin and form.cleaned_data.get("activate")
            accepted_by = None
            if not caller.is_hub_admin:
                accepted_by = caller.agency
            try:
                agreement = agreement_create(
                    actor=caller.actor,
                    status="active" if activate else "proposed",
                    accepted_by=accepted_by,
                    **arguments,
                )
            except CordonError as error:
                form.add_error(None, error.message)
                for path, message in (error.details or {}).items():
                    name = path.replace("scope.", "scope_")
                    form.add_error(name if name in form.fields else None, str(message))
            else:
                messages.success(request, f"Agreement {agreement} created.")
                return redirect("web:agreement", agreement_id=agreement.pk)
    return render(
        request,
        "web/manage/agreement_form.html",
        {"section": "manage", "form": form},
        status=400 if form.errors else 200,
    )


@web_view(Role.AGENCY_ADMIN)
def agreement_detail(request: HttpRequest, agreement_id: str) -> HttpResponse:
    agreement = agreement_access(caller=request.caller, agreement_id=agreement_id)
    caller = request.caller
    party = caller.is_hub_admin or caller.agency.pk in (
        agreement.provider_id,
        agreement.recipient_id,
    )
    return render(
        request,
        "web/manage/agreement.html",
        {
            "section": "manage",
            "agreement": agreement,
            "status": agreement.effective_status,
            "can_act": party,
            "deliveries": agreement.deliveries.select_related("recipient").order_by("-pk")[:20],
        },
    )


@require_POST
@web_view(Role.AGENCY_ADMIN)
def agreement_action(request: HttpRequest, agreement_id: str, action: str) -> HttpResponse:
    agreement = agreement_access(caller=request.caller, agreement_id=agreement_id)
    _party_admin(request, agreement)
    caller, reason = request.caller, (request.POST.get("reason") or "").strip()
    try:
        if action == "accept":
            party = None if caller.is_hub_admin else caller.agency
            agreement = agreement_accept(agreement=agreement, party=party, actor=caller.actor)
            done = "accepted" + (" — now active" if agreement.status == "active" else "")
        elif action == "suspend":
            agreement_suspend(agreement=agreement, actor=caller.actor, reason=reason)
            done = "suspended; deliveries not yet made under it are cancelled"
        elif action == "terminate":
            agreement_terminate(agreement=agreement, actor=caller.actor, reason=reason)
            done = "terminated"
        else:
            return render(request, "web/denied.html", {"message": "Unknown action."}, status=404)
    except CordonError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Agreement {done}.")
    return redirect("web:agreement", agreement_id=agreement.pk)


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
        by_pair.setdefault(key, []).append((agreement, agreement.effective_status_at(now)))
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
