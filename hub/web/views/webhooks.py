"""Webhook endpoint of an agency: register, disable, send a test event, recent attempts."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.errors import CordonError, NotFound
from agencies.models import Agency, Role
from sharing.items import EVENTS
from sharing.models import WebhookAttempt, WebhookEndpoint
from sharing.services.distribution import webhook_test_send
from sharing.services.webhooks import webhook_endpoint_disable, webhook_endpoint_register

from ..access import administrable_agencies, web_view


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=500, label="Endpoint URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        required=False,
        choices=[(event, event) for event in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )


def _agency(request: HttpRequest) -> Agency:
    code = request.GET.get("agency") or request.POST.get("agency") or request.caller.agency.code
    agency = administrable_agencies(request.caller).filter(code=code).first()
    if agency is None:
        raise NotFound(f"No agency {code} that you administer.", code="agency_not_found")
    return agency


def _page(
    request: HttpRequest, agency: Agency, form: WebhookForm, status: int = 200
) -> HttpResponse:
    endpoint = WebhookEndpoint.objects.filter(agency=agency, disabled_at__isnull=True).first()
    attempts = (
        WebhookAttempt.objects.filter(delivery__recipient=agency)
        .select_related("delivery", "endpoint")
        .order_by("-started_at")[:50]
    )
    return render(
        request,
        "web/manage/webhooks.html",
        {
            "section": "manage",
            "agency": agency,
            "agencies": administrable_agencies(request.caller),
            "endpoint": endpoint,
            "past": WebhookEndpoint.objects.filter(agency=agency, disabled_at__isnull=False)[:10],
            "attempts": attempts,
            "form": form,
        },
        status=status,
    )


@web_view(Role.AGENCY_ADMIN)
def webhooks(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook_endpoint_register(
                    agency=agency,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    actor=request.caller.actor,
                )
            except CordonError as error:
                form.add_error("url", error.message)
            else:
                messages.success(request, "Webhook endpoint saved.")
                return redirect(f"{request.path}?agency={agency.code}")
        return _page(request, agency, form, status=400)
    return _page(request, agency, WebhookForm())


@require_POST
@web_view(Role.AGENCY_ADMIN)
def webhook_disable(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    endpoint = WebhookEndpoint.objects.filter(agency=agency, disabled_at__isnull=True).first()
    if endpoint is not None:
        webhook_endpoint_disable(
            endpoint=endpoint, reason="disabled in the web UI", actor=request.caller.actor
        )
        messages.success(request, "Webhook endpoint disabled; items stay in the feed.")
    return redirect(f"{reverse('web:webhooks')}?agency={agency.code}")


@require_POST
@web_view(Role.AGENCY_ADMIN)
def webhook_test(request: HttpRequest) -> HttpResponse:
    """Queue a signed `webhook.test` event to the agency's endpoint."""
    agency = _agency(request)
    delivery = webhook_test_send(agency=agency)
    if delivery is None:
        messages.error(
            request,
            "No test sent: the agency has no active endpoint, or its endpoint takes only "
            "selected events (a test goes to endpoints that take every event).",
        )
    else:
        messages.success(request, "Test event queued; its attempt appears below within seconds.")
    return redirect(f"{reverse('web:webhooks')}?agency={agency.code}")
