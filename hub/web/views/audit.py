"""The audit trail: every mutation and share decision, newest first."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role
from agencies.selectors import audit_record_list

from ..access import web_view


@web_view(Role.AGENCY_ADMIN)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Hub admins read every record (optionally of one agency); agency admins their agency's."""
    agency = request.GET.get("agency", "").strip().upper()
    if not request.caller.is_hub_admin:
        agency = request.caller.agency.code
    action = request.GET.get("action", "").strip()
    records = audit_record_list(caller=request.caller, agency_code=agency, action=action)
    page = Paginator(records.reverse(), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/manage/audit.html",
        {
            "section": "manage",
            "page": page,
            "agency": agency,
            "action": action,
            "query": query.urlencode(),
        },
    )
