"""The inbox: items delivered to my agency, with signature status and sharing terms."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role

from ..access import web_view
from ..forms import InboxFilterForm
from ..selectors import (
    InboxFilters,
    inbox_delivery_get,
    inbox_for,
    inbox_originators,
    inbox_page_load,
    open_hit_counts,
    related_deliveries,
    shown_originator,
)
from ..signatures import delivered_token_check

REDACTION_CLASS_MEANINGS = {
    "narrative": "the free-text narrative",
    "person_identity": "names, aliases, identifiers and addresses of persons",
    "organization_identity": "names, aliases, identifiers and addresses of organisations and vessels",
    "commercial": "values, licence numbers and document references",
}


@web_view(Role.READER)
def inbox(request: HttpRequest) -> HttpResponse:
    agency = request.caller.agency
    form = InboxFilterForm(request.GET or None, originators=inbox_originators(agency=agency))
    filters = InboxFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = InboxFilters(
            kind=data["kind"],
            tlp=data["tlp"],
            country=data["country"],
            hs_chapter=data["hs_chapter"],
            control_code=data["control_code"].strip(),
            originator=data["originator"],
            since=data["since"],
            until=data["until"],
        )
    rows = inbox_for(agency=agency, filters=filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    entries = inbox_page_load(agency=agency, rows=list(page.object_list))
    for entry in entries:
        entry.signature = delivered_token_check(entry.delivery.token)
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "web/inbox/_results.html" if request.headers.get("HX-Request") else "web/inbox/list.html"
    )
    return render(
        request,
        template,
        {
            "section": "inbox",
            "form": form,
            "page": page,
            "entries": entries,
            "total": len(rows),
            "query": query.urlencode(),
            "open_hits": sum(open_hit_counts(agency=agency).values()),
        },
    )


@web_view(Role.READER)
def inbox_item(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = inbox_delivery_get(agency=request.caller.agency, delivery_id=delivery_id)
    signature = delivered_token_check(delivery.token)
    history = related_deliveries(delivery=delivery)
    withheld = [(c, REDACTION_CLASS_MEANINGS.get(c, c)) for c in delivery.withheld_classes]
    claims = signature.claims or {}
    return render(
        request,
        "web/inbox/item.html",
        {
            "section": "inbox",
            "delivery": delivery,
            "originator": shown_originator(delivery),
            "signature": signature,
            "claims": claims,
            "report": claims.get("report") if delivery.item_type == "report" else None,
            "withheld": withheld,
            "agreement": delivery.agreement,
            "history": history,
            "latest": history[-1] if history else delivery,
        },
    )
