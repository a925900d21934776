"""Reads of reports. Who may see what is decided here and only here (STYLE rule 2).

The originator sees its reports whole: every version as signed, the
retraction, and where each version went. A recipient sees only what was
delivered to it: the latest presentation it was given, with what was withheld.
Anyone else is told the report does not exist.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet, Subquery

from agencies.crypto import jwt_unverified_parts
from agencies.errors import NotFound
from agencies.models import Agency
from hub.models import Report, ReportStatus, ReportVersion
from sharing.models import Delivery, DeliveryState

from .sdjwt import DisclosureUnpacker


@dataclass(frozen=True)
class ReceivedView:
    """What one recipient was given of a report (its latest delivery)."""

    report_id: str
    version: int
    status: str  # active | retracted
    originator: str  # agency code, or "an agency of <country>" when re-issued by the hub
    token: str  # the presentation exactly as delivered
    claims: dict[str, Any]  # what that presentation discloses
    withheld_classes: list[str]
    agreement: str | None
    delivered_at: Any
    reissued: bool
    retraction_token: str | None = None
    versions_received: list[int] = field(default_factory=list)


def received_report_list(*, agency: Agency) -> QuerySet[Delivery]:
    """The latest delivery of each report the agency received, newest first."""
    received = Delivery.objects.filter(
        recipient=agency, item_type="report", seq__isnull=False
    ).exclude(state=DeliveryState.CANCELLED)
    latest = received.values("item_id").annotate(last=Max("seq")).values("last")
    return received.filter(seq__in=Subquery(latest)).order_by("-seq")


def received_summary(delivery: Delivery) -> dict[str, Any]:
    """One line of a recipient's report list, from the presentation it was given."""
    claims = presentation_claims(delivery.token)
    report = claims.get("report") or {}
    attribution = claims.get("attribution")
    originator = delivery.originator
    if delivery.reissued and isinstance(attribution, dict):
        originator = attribution.get("originator", originator)
    return {
        "id": delivery.item_id,
        "version": delivery.item_version,
        "title": report.get("title"),
        "tlp": report.get("tlp"),
        "originator": originator,
        "withheld_classes": list(delivery.withheld_classes),
        "delivered_at": delivery.delivered_at or delivery.created_at,
    }


def report_list_for(*, agency: Agency) -> QuerySet[Report]:
    """The agency's own reports, newest change first."""
    return (
        Report.objects.filter(originator=agency)
        .select_related("originator")
        .order_by("-updated_at", "id")
    )


def _report_id(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound("No such report.", code="report_not_found") from exc


def own_report_get(*, agency: Agency, report_id: Any) -> Report:
    """The agency's own report, or 404 (also when it exists but belongs to another agency)."""
    report = (
        Report.objects.select_related("originator", "retraction")
        .filter(pk=_report_id(report_id), originator=agency)
        .first()
    )
    if report is None:
        raise NotFound("No such report.", code="report_not_found")
    return report


def report_versions(*, report: Report) -> QuerySet[ReportVersion]:
    return report.versions.order_by("version")


def report_deliveries(*, report: Report) -> QuerySet[Delivery]:
    """Where each version (and the retraction) went: for the originator only."""
    return (
        Delivery.objects.filter(item_id=str(report.pk), item_type__in=("report", "retraction"))
        .select_related("recipient")
        .order_by("pk")
    )


def _received_deliveries(*, agency: Agency, report_id: uuid.UUID) -> list[Delivery]:
    return list(
        Delivery.objects.filter(
            recipient=agency,
            item_id=str(report_id),
            item_type__in=("report", "retraction"),
            seq__isnull=False,
        )
        .exclude(state=DeliveryState.CANCELLED)
        .order_by("seq")
    )


def presentation_claims(token: str) -> dict[str, Any]:
    """The claims a stored presentation discloses (its signature was checked on the way in).

    Digests without a disclosure (withheld fields, decoys) are left out.
    """
    issuer_jwt, *disclosures = token.split("~")
    _, payload = jwt_unverified_parts(issuer_jwt)
    return DisclosureUnpacker([encoded for encoded in disclosures if encoded]).unpack(payload, ())


def received_view_for(*, agency: Agency, report_id: Any) -> ReceivedView:
    """The latest view of a report delivered to `agency`; 404 if it received none."""
    report_id = _report_id(report_id)
    deliveries = _received_deliveries(agency=agency, report_id=report_id)
    reports = [d for d in deliveries if d.item_type == "report"]
    if not reports:
        raise NotFound("No such report.", code="report_not_found")
    latest = reports[-1]
    retractions = [d for d in deliveries if d.item_type == "retraction" and d.seq > latest.seq]
    claims = presentation_claims(latest.token)
    originator = latest.originator
    attribution = claims.get("attribution")
    if latest.reissued and isinstance(attribution, dict):
        originator = attribution.get("originator", originator)
    return ReceivedView(
        report_id=str(report_id),
        version=latest.item_version,
        status=ReportStatus.RETRACTED if retractions else ReportStatus.ACTIVE,
        originator=originator,
        token=latest.token,
        claims=claims,
        withheld_classes=list(latest.withheld_classes),
        agreement=str(latest.agreement_id) if latest.agreement_id else None,
        delivered_at=latest.delivered_at or latest.created_at,
        reissued=latest.reissued,
        retraction_token=retractions[-1].token if retractions else None,
        versions_received=sorted({d.item_version for d in reports}),
    )


def report_view_for(*, agency: Agency, report_id: Any) -> Report | ReceivedView:
    """The one access check for reading a report (STYLE rule 2).

    The originator gets the Report itself; a recipient the view delivered to
    it; anyone else NotFound, so an outsider cannot even learn the id exists.
    """
    try:
        return own_report_get(agency=agency, report_id=report_id)
    except NotFound:
        return received_view_for(agency=agency, report_id=report_id)
