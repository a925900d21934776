"""My agency's reports: list, compose, amend, preview, detail and retract.

Publishing goes through exactly the services the API uses: the hub signs the
claims with the agency's custodial key (`report_sign`) and `report_publish`
verifies, stores and distributes them.
"""

import difflib
import json
import time
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agencies.errors import CordonError
from agencies.models import Role
from hub.models import ReportStatus
from hub.reports.selectors import (
    own_report_get,
    report_deliveries,
    report_list_for,
    report_versions,
)
from hub.reports.services import report_publish, report_retract
from hub.reports.signing import report_sign, retraction_sign

from ..access import web_view
from ..preview import delivery_preview
from ..red_flags import BIS_RED_FLAGS
from ..report_forms import ReportComposer, composer_initial
from ..selectors import open_hit_counts, report_screening_hits


@web_view(Role.READER)
def report_list(request: HttpRequest) -> HttpResponse:
    agency = request.caller.agency
    hits = open_hit_counts(agency=agency)
    reports = list(report_list_for(agency=agency))
    for report in reports:
        report.open_hits = hits.get(str(report.pk), 0)
    return render(
        request,
        "web/reports/list.html",
        {"section": "reports", "reports": reports, "open_hits": sum(hits.values())},
    )


def _claims(request: HttpRequest, report: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": request.caller.agency.code,
        "iat": int(time.time()),
        "kind": "sar",
        "report": report,
    }


def _compose_page(
    request: HttpRequest,
    composer: ReportComposer,
    *,
    report_id: str,
    version: int,
    status: int = 200,
    amending: Any = None,
) -> HttpResponse:
    return render(
        request,
        "web/reports/compose.html",
        {
            "section": "reports",
            "composer": composer,
            "report_id": report_id,
            "version": version,
            "amending": amending,
            "bis_red_flags": BIS_RED_FLAGS,
        },
        status=status,
    )


def _publish(
    request: HttpRequest, composer: ReportComposer, *, report_id: str, version: int, amending: Any
) -> HttpResponse:
    """Validate, sign with the custodial key and publish; or show the form with its errors."""
    if composer.is_valid():
        report = composer.report_claims(report_id=report_id, version=version)
        if composer.schema_check(_claims(request, report)):
            agency, actor = request.caller.agency, request.caller.actor
            try:
                token = report_sign(agency=agency, claims=report, actor=actor)
                published = report_publish(caller_agency=agency, token=token, actor=actor)
            except CordonError as error:
                composer.report.add_error(None, error.message)
                for path, message in (error.details or {}).items():
                    composer.report.add_error(None, f"{path}: {message}")
            else:
                count = len(getattr(published, "deliveries", []) or [])
                verb = "Published" if version == 1 else f"Amended to version {version}:"
                messages.success(
                    request, f"{verb} “{published.title}”, signed and sent to {count} partner(s)."
                )
                return redirect("web:report_detail", report_id=published.pk)
    return _compose_page(
        request, composer, report_id=report_id, version=version, status=400, amending=amending
    )


@web_view(Role.PUBLISHER)
def report_compose(request: HttpRequest) -> HttpResponse:
    agency = request.caller.agency
    if request.method == "POST":
        report_id = _report_id_field(request.POST.get("report_id"))
        composer = ReportComposer(request.POST, originator=agency)
        return _publish(request, composer, report_id=report_id, version=1, amending=None)
    composer = ReportComposer(originator=agency)
    return _compose_page(request, composer, report_id=str(uuid.uuid4()), version=1)


def _report_id_field(value: str | None) -> str:
    # The id is minted when the form is first shown, so a resubmission cannot create a twin.
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


@web_view(Role.PUBLISHER)
def report_amend(request: HttpRequest, report_id: str) -> HttpResponse:
    report = own_report_get(agency=request.caller.agency, report_id=report_id)
    if report.status == ReportStatus.RETRACTED:
        messages.error(request, "A retracted report cannot be amended.")
        return redirect("web:report_detail", report_id=report.pk)
    version = report.current_version + 1
    if request.method == "POST":
        composer = ReportComposer(request.POST, originator=request.caller.agency)
        return _publish(
            request, composer, report_id=str(report.pk), version=version, amending=report
        )
    current = report_versions(report=report).get(version=report.current_version)
    composer = ReportComposer(
        originator=request.caller.agency, initial=composer_initial(current.claims["report"])
    )
    return _compose_page(
        request, composer, report_id=str(report.pk), version=version, amending=report
    )


@require_POST
@web_view(Role.PUBLISHER)
def report_preview(request: HttpRequest) -> HttpResponse:
    """htmx: who would receive the composed report, in which view (nothing is stored)."""
    composer = ReportComposer(request.POST, originator=request.caller.agency)
    rows, problem = [], ""
    if composer.is_valid():
        report = composer.report_claims(
            report_id=_report_id_field(request.POST.get("report_id")),
            version=int(request.POST.get("version") or 1),
        )
        claims = _claims(request, report)
        if composer.schema_check(claims):
            rows = delivery_preview(originator=request.caller.agency, claims=claims)
        else:
            problem = "The report does not pass the hub's checks yet; see the fields marked."
    else:
        problem = "Fill in the required fields first; see the fields marked."
    return render(request, "web/reports/_preview.html", {"rows": rows, "problem": problem})


def _flatten(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            line
            for key in sorted(value)
            for line in _flatten(value[key], f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list):
        return [line for i, item in enumerate(value) for line in _flatten(item, f"{path}[{i}]")]
    return [f"{path} = {json.dumps(value, ensure_ascii=False)}"]


def version_differences(versions: list[Any]) -> list[dict[str, Any]]:
    """Each version with the lines that changed from the one before it."""
    shown = []
    previous: list[str] = []
    for version in versions:
        lines = _flatten({k: v for k, v in version.claims["report"].items() if k != "version"})
        changes = []
        if previous:
            for line in difflib.unified_diff(previous, lines, lineterm="", n=0):
                if line.startswith(("+++", "---", "@@")):
                    continue
                changes.append({"kind": "add" if line.startswith("+") else "del", "text": line})
        shown.append({"version": version, "changes": changes})
        previous = lines
    return shown


@web_view(Role.READER)
def report_detail(request: HttpRequest, report_id: str) -> HttpResponse:
    report = own_report_get(agency=request.caller.agency, report_id=report_id)
    versions = list(report_versions(report=report))
    current = versions[-1]
    return render(
        request,
        "web/reports/detail.html",
        {
            "section": "reports",
            "report": report,
            "current": current,
            "claims_report": current.claims["report"],
            "versions": list(reversed(version_differences(versions))),
            "deliveries": report_deliveries(report=report),
            "hits": report_screening_hits(report=report),
            "retraction": getattr(report, "retraction", None),
        },
    )


@require_POST
@web_view(Role.PUBLISHER)
def report_retract_view(request: HttpRequest, report_id: str) -> HttpResponse:
    report = own_report_get(agency=request.caller.agency, report_id=report_id)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, "Give a reason for the retraction.")
        return redirect("web:report_detail", report_id=report.pk)
    agency, actor = request.caller.agency, request.caller.actor
    try:
        token = retraction_sign(
            agency=agency,
            report_id=str(report.pk),
            version=report.current_version,
            reason=reason,
            actor=actor,
        )
        report_retract(caller_agency=agency, report_id=report.pk, token=token, actor=actor)
    except CordonError as error:
        messages.error(request, f"Not retracted: {error.message}")
    else:
        messages.success(request, "Report retracted; every recipient is told.")
    return redirect("web:report_detail", report_id=report.pk)
