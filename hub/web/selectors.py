"""Reads for the web UI that depend on who is asking: a recipient's inbox.

Everything here is filtered to deliveries made to the caller's agency, so an
agency never sees another's items except what was delivered to it.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from agencies.errors import NotFound
from agencies.models import Agency
from hub.models import HitState, Report, ReportVersion, ScreeningHit
from sharing.models import Delivery, DeliveryState

INBOX_TYPES = ("report", "retraction", "sanctions_update")


@dataclass(frozen=True)
class InboxFilters:
    kind: str = ""
    tlp: str = ""
    country: str = ""
    hs_chapter: str = ""
    control_code: str = ""
    originator: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def report_only(self) -> bool:
        """Filters on report facts leave out retractions and sanctions updates."""
        return bool(self.tlp or self.country or self.hs_chapter or self.control_code)


@dataclass
class InboxEntry:
    delivery: Delivery
    originator: str  # as the recipient may see it: "an agency of XX" when re-issued
    title: str = ""
    tlp: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


def _jwt_payload(token: str) -> dict[str, Any]:
    try:
        segment = token.split("~", 1)[0].split(".")[1]
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (IndexError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def shown_originator(delivery: Delivery) -> str:
    """Who the recipient may be told originated the item (attribution must-not hides it)."""
    if delivery.reissued:
        attribution = _jwt_payload(delivery.token).get("attribution")
        if isinstance(attribution, dict) and attribution.get("originator"):
            return str(attribution["originator"])
        return "an agency (not attributed)"
    return delivery.originator


def inbox_deliveries(*, agency: Agency) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(recipient=agency, seq__isnull=False, item_type__in=INBOX_TYPES)
        .exclude(state=DeliveryState.CANCELLED)
        .select_related("agreement")
        .order_by("-seq")
    )


def _version_facts(deliveries: list[Delivery]) -> dict[tuple[str, int], ReportVersion]:
    report_ids = {d.item_id for d in deliveries if d.item_type == "report"}
    versions = ReportVersion.objects.filter(report_id__in=report_ids).only(
        "report_id", "version", "title", "tlp", "countries", "hs_chapters", "control_codes"
    )
    return {(str(v.report_id), v.version): v for v in versions}


def _matches(entry: InboxEntry, filters: InboxFilters) -> bool:
    delivery = entry.delivery
    if filters.kind and delivery.item_type != filters.kind:
        return False
    if filters.originator and filters.originator.upper() != entry.originator.upper():
        return False
    delivered_on = delivery.created_at.date()
    if filters.since and delivered_on < filters.since:
        return False
    if filters.until and delivered_on > filters.until:
        return False
    if filters.report_only:
        if delivery.item_type != "report" or not entry.facts:
            return False
        if filters.tlp and entry.tlp != filters.tlp:
            return False
        if filters.country and filters.country.upper() not in entry.facts["countries"]:
            return False
        if filters.hs_chapter and filters.hs_chapter[:2] not in entry.facts["hs_chapters"]:
            return False
        if filters.control_code and not any(
            code.upper().startswith(filters.control_code.upper())
            for code in entry.facts["control_codes"]
        ):
            return False
    return True


def inbox_for(*, agency: Agency, filters: InboxFilters) -> list[InboxEntry]:
    """The agency's delivered items, newest first, with the filters applied."""
    deliveries = list(inbox_deliveries(agency=agency))
    if filters.since:
        deliveries = [d for d in deliveries if d.created_at.date() >= filters.since]
    versions = _version_facts(deliveries)
    entries = []
    for delivery in deliveries:
        entry = InboxEntry(delivery=delivery, originator=shown_originator(delivery))
        version = versions.get((delivery.item_id, delivery.item_version))
        if delivery.item_type == "report" and version is not None:
            entry.title, entry.tlp = version.title, version.tlp
            entry.facts = {
                "countries": set(version.countries),
                "hs_chapters": set(version.hs_chapters),
                "control_codes": list(version.control_codes),
            }
        elif delivery.item_type == "sanctions_update":
            payload = _jwt_payload(delivery.token)
            entity = payload.get("entity") or {}
            names = (entity.get("properties") or {}).get("name") or [entity.get("id", "")]
            entry.title = f"{payload.get('op', '')} {names[0]} ({payload.get('list', '')})"
        elif delivery.item_type == "retraction":
            payload = _jwt_payload(delivery.token)
            entry.title = (
                f"Retraction of v{payload.get('version', '?')}: {payload.get('reason', '')}"
            )
        if _matches(entry, filters):
            entries.append(entry)
    return entries


def inbox_originators(*, agency: Agency) -> list[str]:
    deliveries = (
        inbox_deliveries(agency=agency).select_related(None).only("originator", "reissued", "token")
    )
    return sorted({shown_originator(d) for d in deliveries})


def inbox_delivery_get(*, agency: Agency, delivery_id: int) -> Delivery:
    """One delivery made to `agency`; 404 for anything else."""
    delivery = inbox_deliveries(agency=agency).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No such item in your inbox.", code="delivery_not_found")
    return delivery


def related_deliveries(*, delivery: Delivery) -> list[Delivery]:
    """Every delivery of the same item to the same recipient, oldest first."""
    return list(
        inbox_deliveries(agency=delivery.recipient).filter(item_id=delivery.item_id).order_by("seq")
    )


def report_screening_hits(*, report: Report) -> QuerySet[ScreeningHit]:
    """The hits of the report's parties, for its originator: open ones first, best score first."""
    return ScreeningHit.objects.filter(report=report, agency_id=report.originator_id).order_by(
        "-state", "-score"
    )


def open_hit_counts(*, agency: Agency) -> dict[str, int]:
    """Open screening hits per report id of the agency's reports (the web alert)."""
    counts: dict[str, int] = {}
    hits = ScreeningHit.objects.filter(agency=agency, state=HitState.OPEN).values_list(
        "report_id", flat=True
    )
    for report_id in hits:
        counts[str(report_id)] = counts.get(str(report_id), 0) + 1
    return counts
