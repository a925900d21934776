"""Reads for the web UI that depend on who is asking: a recipient's inbox.

Everything here is filtered to deliveries made to the caller's agency, so an
agency never sees another's items except what was delivered to it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from agencies.crypto import jwt_unverified_parts
from agencies.errors import CordonError, NotFound
from agencies.models import Agency
from hub.models import HitState, Report, ReportVersion, ScreeningHit
from sharing.models import Delivery, DeliveryState
from sharing.services.distribution import attributed_originator

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
class InboxRow:
    """One delivery in the inbox list, without its token (pages load tokens for 50 rows)."""

    pk: int
    item_type: str
    item_id: str
    item_version: int
    originator: str  # as the recipient may see it
    created_at: datetime
    title: str = ""
    tlp: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class InboxEntry:
    delivery: Delivery
    originator: str  # as the recipient may see it: "an agency of XX" when re-issued
    title: str = ""
    tlp: str = ""


def _jwt_payload(token: str) -> dict[str, Any]:
    """The issuer JWT's claims of a stored token (verified when it came in), {} if unreadable."""
    try:
        _, payload = jwt_unverified_parts(token.split("~", 1)[0])
    except CordonError:
        return {}
    return payload


def _shown(originator: str, reissued: bool, countries: dict[str, str]) -> str:
    """Who the recipient may be told originated an item: attribution must-not hides the agency."""
    if reissued:
        return attributed_originator(countries.get(originator, "??"))
    return originator


def shown_originator(delivery: Delivery) -> str:
    countries = dict(Agency.objects.filter(code=delivery.originator).values_list("code", "country"))
    return _shown(delivery.originator, delivery.reissued, countries)


def inbox_deliveries(*, agency: Agency) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(recipient=agency, seq__isnull=False, item_type__in=INBOX_TYPES)
        .exclude(state=DeliveryState.CANCELLED)
        .order_by("-seq")
    )


def _version_facts(report_ids: set[str]) -> dict[tuple[str, int], tuple]:
    facts: dict[tuple[str, int], tuple] = {}
    ids = sorted(report_ids)
    for start in range(0, len(ids), 500):  # bounded IN lists, for SQLite too
        rows = ReportVersion.objects.filter(report_id__in=ids[start : start + 500]).values_list(
            "report_id", "version", "title", "tlp", "countries", "hs_chapters", "control_codes"
        )
        for report_id, version, title, tlp, countries, hs_chapters, control_codes in rows:
            facts[(str(report_id), version)] = (title, tlp, countries, hs_chapters, control_codes)
    return facts


def _matches(row: InboxRow, filters: InboxFilters) -> bool:
    if filters.kind and row.item_type != filters.kind:
        return False
    if filters.originator and filters.originator.upper() != row.originator.upper():
        return False
    delivered_on = row.created_at.date()
    if filters.since and delivered_on < filters.since:
        return False
    if filters.until and delivered_on > filters.until:
        return False
    if filters.report_only:
        if row.item_type != "report" or not row.facts:
            return False
        if filters.tlp and row.tlp != filters.tlp:
            return False
        if filters.country and filters.country.upper() not in row.facts["countries"]:
            return False
        if filters.hs_chapter and filters.hs_chapter[:2] not in row.facts["hs_chapters"]:
            return False
        if filters.control_code and not any(
            code.upper().startswith(filters.control_code.upper())
            for code in row.facts["control_codes"]
        ):
            return False
    return True


def inbox_for(*, agency: Agency, filters: InboxFilters) -> list[InboxRow]:
    """The agency's delivered items, newest first, with the filters applied.

    Reads no tokens: the facts come from the stored report versions, so a long
    inbox filters quickly; `inbox_page_load` then loads the rows shown.
    """
    deliveries = inbox_deliveries(agency=agency)
    if filters.kind:
        deliveries = deliveries.filter(item_type=filters.kind)
    if filters.report_only:
        deliveries = deliveries.filter(item_type="report")
    rows = list(
        deliveries.values_list(
            "pk", "item_type", "item_id", "item_version", "originator", "reissued", "created_at"
        )
    )
    countries = dict(Agency.objects.values_list("code", "country"))
    facts = _version_facts({item_id for _, kind, item_id, *_ in rows if kind == "report"})
    matching = []
    for pk, item_type, item_id, version, originator, reissued, created_at in rows:
        row = InboxRow(
            pk=pk,
            item_type=item_type,
            item_id=item_id,
            item_version=version,
            originator=_shown(originator, reissued, countries),
            created_at=created_at,
        )
        known = facts.get((item_id, version)) if item_type == "report" else None
        if known is not None:
            row.title, row.tlp, report_countries, hs_chapters, control_codes = known
            row.facts = {
                "countries": set(report_countries),
                "hs_chapters": set(hs_chapters),
                "control_codes": list(control_codes),
            }
        if _matches(row, filters):
            matching.append(row)
    return matching


def inbox_page_load(*, agency: Agency, rows: list[InboxRow]) -> list[InboxEntry]:
    """The full deliveries (tokens, agreements) of the rows on one page, in their order."""
    deliveries = {
        d.pk: d
        for d in inbox_deliveries(agency=agency)
        .filter(pk__in=[row.pk for row in rows])
        .select_related("agreement")
    }
    entries = []
    for row in rows:
        delivery = deliveries[row.pk]
        entry = InboxEntry(
            delivery=delivery, originator=row.originator, title=row.title, tlp=row.tlp
        )
        if delivery.item_type == "sanctions_update":
            payload = _jwt_payload(delivery.token)
            entity = payload.get("entity") or {}
            names = (entity.get("properties") or {}).get("name") or [entity.get("id", "")]
            entry.title = f"{payload.get('op', '')} {names[0]} ({payload.get('list', '')})"
        elif delivery.item_type == "retraction":
            payload = _jwt_payload(delivery.token)
            entry.title = (
                f"Retraction of v{payload.get('version', '?')}: {payload.get('reason', '')}"
            )
        entries.append(entry)
    return entries


def inbox_originators(*, agency: Agency) -> list[str]:
    countries = dict(Agency.objects.values_list("code", "country"))
    pairs = (
        inbox_deliveries(agency=agency).order_by().values_list("originator", "reissued").distinct()
    )
    return sorted({_shown(originator, reissued, countries) for originator, reissued in pairs})


def inbox_delivery_get(*, agency: Agency, delivery_id: int) -> Delivery:
    """One delivery made to `agency`; 404 for anything else."""
    delivery = (
        inbox_deliveries(agency=agency).select_related("agreement").filter(pk=delivery_id).first()
    )
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
