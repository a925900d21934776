"""Screening services: ad-hoc screening (API and web UI) and continuous screening.

* `screen_parties` answers DESIGN 5's `/screen/` for one agency, against the
  lists that agency may see.
* `report_parties_screen` screens a published report's parties and raises
  hits; `reports_due_screen` (the `screening.reports_screen` task, hinted
  after each publication commits and run periodically) calls it for every
  report whose latest version is not screened yet.
* `register_changed` runs after a register update commits: it enqueues
  `register_rescreen` (a Celery task), which re-screens every active report's
  parties against the changed entities, raising new hits and closing those
  whose entity was delisted or no longer matches.

A hit is raised at most once per (report, party, entity) (a unique
constraint); raising it writes an audit record and a `screening.hit` webhook
event in the same transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.audit import audit_record
from agencies.models import Agency
from agencies.services import Actor
from hub.models import HitCloseReason, HitState, Report, ReportStatus, ReportVersion, ScreeningHit
from hub.screening.matcher import Match, PartyQuery, ScreeningIndex
from hub.screening.normalise import name_form
from hub.screening.selectors import lists_visible_to, screening_index

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.7
DEFAULT_CUTOFF = 0.5
PARTY_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel"}


def screening_threshold() -> float:
    """The score at and above which a report party counts as a hit (SCREENING_THRESHOLD)."""
    return float(getattr(settings, "SCREENING_THRESHOLD", DEFAULT_THRESHOLD))


def match_as_result(
    match: Match, *, threshold: float, visible: frozenset[str] | None
) -> dict[str, Any]:
    """One result in the shape of DESIGN 5 (yente /match)."""
    lists = sorted(match.entry.lists if visible is None else match.entry.lists & visible)
    return {
        "id": match.entry.id,
        "caption": match.entry.caption,
        "schema": match.entry.schema,
        "lists": lists,
        "score": match.score,
        "match": match.score >= threshold,
        "explanation": match.explanation,
        "features": match.features,
        "matched_name": match.matched_name,
    }


def screen_parties(
    *,
    agency: Agency,
    queries: dict[str, dict[str, Any]],
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
    cutoff: float = DEFAULT_CUTOFF,
) -> dict[str, dict[str, Any]]:
    """Screen each query (`{"schema", "properties"}`) for `agency`.

    Returns `{key: {"results": [...]}}` with at most `limit` results scoring at
    least min(cutoff, threshold), best first, against only the lists `agency`
    owns or receives under an active agreement.
    """
    visible = lists_visible_to(agency=agency)
    index = screening_index() if visible else None
    floor = min(cutoff, threshold)
    responses: dict[str, dict[str, Any]] = {}
    for key, query in queries.items():
        party = PartyQuery.from_properties(
            query.get("schema") or "LegalEntity", query.get("properties") or {}
        )
        matches = (
            index.screen(party, visible_lists=visible, limit=limit, cutoff=floor) if index else []
        )
        responses[key] = {
            "results": [match_as_result(m, threshold=threshold, visible=visible) for m in matches],
            "total": {"value": len(matches), "relation": "eq"},
        }
    return responses


# -- continuous screening ------------------------------------------------------


@dataclass(frozen=True)
class ReportParty:
    key: str  # normalised name, the party's identity across versions
    name: str
    role: str
    query: PartyQuery


def party_key(name: str) -> str:
    return " ".join(sorted(name_form(name).tokens))[:300] or name.strip().lower()[:300]


def report_parties(version: ReportVersion) -> list[ReportParty]:
    """The parties of one report version, as screening queries."""
    report = (version.claims or {}).get("report") or {}
    parties = report.get("parties") or []
    found: dict[str, ReportParty] = {}
    for party in parties if isinstance(parties, list) else []:
        if (
            not isinstance(party, dict)
            or not isinstance(party.get("name"), str)
            or not party["name"].strip()
        ):
            continue
        names = [party["name"]] + [
            a for a in party.get("aliases") or [] if isinstance(a, str) and a.strip()
        ]
        identifiers = [
            str(i["value"])
            for i in party.get("identifiers") or []
            if isinstance(i, dict) and i.get("value")
        ]
        query = PartyQuery(
            schema=PARTY_SCHEMA.get(str(party.get("type")), "LegalEntity"),
            names=names,
            countries=[party["country"]] if isinstance(party.get("country"), str) else [],
            identifiers=identifiers,
        )
        key = party_key(party["name"])
        found.setdefault(
            key,
            ReportParty(
                key=key, name=party["name"], role=str(party.get("role") or ""), query=query
            ),
        )
    return list(found.values())


def _latest_version(report: Report) -> ReportVersion | None:
    # Screening reads only the claims: not the token and disclosures (most of the row).
    return (
        ReportVersion.objects.filter(report=report, version=report.current_version)
        .only("id", "report_id", "version", "claims")
        .first()
    )


def _hit_payload(hit: ScreeningHit) -> dict[str, Any]:
    return {
        "id": str(hit.pk),
        "report": str(hit.report_id),
        "report_version": hit.report_version,
        "party": {"name": hit.party_name, "role": hit.party_role},
        "entity": {
            "id": hit.entity_id,
            "caption": hit.caption,
            "schema": hit.schema,
            "lists": hit.lists,
        },
        "score": hit.score,
        "explanation": hit.explanation,
        "state": hit.state,
    }


def _alert(hit: ScreeningHit, *, actor: Actor, before: dict | None) -> None:
    """Record the alert (audit) and send the `screening.hit` webhook event; inside the transaction."""
    payload = _hit_payload(hit)
    audit_record(
        actor=actor.label,
        agency=hit.agency.code,
        action="screening.hit",
        object_type="screening_hit",
        object_id=str(hit.pk),
        before=before,
        after=payload,
    )
    try:
        from sharing.services.distribution import agency_event_send
    except ImportError:  # the distribution outbox is not installed
        logger.warning("no webhook outbox: screening hit %s stored only", hit.pk)
        return
    agency_event_send(recipient=hit.agency, event="screening.hit", data=payload)


def hit_record(
    *,
    report: Report,
    version: int,
    party: ReportParty,
    match: Match,
    visible: frozenset[str],
    actor: Actor,
) -> tuple[ScreeningHit, bool]:
    """Store `match` as a hit of `party`; returns (hit, alerted). Alerts only a new or reopened hit."""
    values = {
        "agency_id": report.originator_id,
        "report_version": version,
        "party_name": party.name[:500],
        "party_role": party.role[:40],
        "caption": match.entry.caption[:500],
        "schema": match.entry.schema,
        "lists": sorted(match.entry.lists & visible),
        "score": match.score,
        "explanation": match.explanation,
    }
    for _attempt in range(2):
        try:
            with transaction.atomic():
                hit = (
                    ScreeningHit.objects.select_for_update()
                    .select_related("agency")
                    .filter(report=report, party_key=party.key, entity_id=match.entry.id)
                    .first()
                )
                now = timezone.now()
                if hit is None:
                    hit = ScreeningHit.objects.create(
                        report=report, party_key=party.key, entity_id=match.entry.id, opened_at=now,
                        updated_at=now, **values,
                    )  # fmt: skip
                    _alert(hit, actor=actor, before=None)
                    return hit, True
                if hit.state == HitState.CLOSED:
                    before = {"state": hit.state, "close_reason": hit.close_reason}
                    for field, value in values.items():
                        setattr(hit, field, value)
                    hit.state, hit.close_reason, hit.closed_at = HitState.OPEN, "", None
                    hit.opened_at = hit.updated_at = now
                    hit.alerts = F("alerts") + 1
                    hit.save()
                    hit.refresh_from_db()
                    _alert(hit, actor=actor, before=before)
                    return hit, True
                changed = {f: v for f, v in values.items() if getattr(hit, f) != v}
                if changed:
                    for field, value in changed.items():
                        setattr(hit, field, value)
                    hit.updated_at = now
                    hit.save(update_fields=[*changed, "updated_at"])
                return hit, False
        except IntegrityError:
            # Another worker created the same hit between our read and insert:
            # it raised the alert; read its row on the next attempt.
            continue
    raise RuntimeError("screening hit could not be stored")  # pragma: no cover


def hit_close(*, hit: ScreeningHit, reason: str, actor: Actor) -> ScreeningHit:
    """Close an open hit (delisted, no longer matches, party removed); audited."""
    with transaction.atomic():
        closed = ScreeningHit.objects.filter(pk=hit.pk, state=HitState.OPEN).update(
            state=HitState.CLOSED,
            close_reason=reason,
            closed_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not closed:  # somebody closed it first
            return hit
        audit_record(
            actor=actor.label,
            agency=hit.agency.code,
            action="screening.hit_close",
            object_type="screening_hit",
            object_id=str(hit.pk),
            before={"state": HitState.OPEN},
            after={"state": HitState.CLOSED, "close_reason": reason},
        )
    hit.refresh_from_db()
    return hit


def _screen_report(
    *,
    report: Report,
    version: ReportVersion,
    index: ScreeningIndex,
    visible: frozenset[str],
    threshold: float,
    actor: Actor,
    restrict: frozenset[str] | None = None,
) -> list[tuple[ScreeningHit, bool]]:
    """Screen one report version; store hits; close what no longer holds.

    `restrict` limits the work to those entity ids (a register change).
    """
    parties = report_parties(version)
    recorded: list[tuple[ScreeningHit, bool]] = []
    still_matching: set[tuple[str, str]] = set()
    for party in parties:
        matches = index.screen(
            party.query, visible_lists=visible, limit=10, cutoff=threshold, restrict_ids=restrict
        )
        for match in matches:
            still_matching.add((party.key, match.entry.id))
            recorded.append(
                hit_record(report=report, version=version.version, party=party, match=match, visible=visible,
                           actor=actor)
            )  # fmt: skip
    party_keys = {party.key for party in parties}
    open_hits = ScreeningHit.objects.filter(report=report, state=HitState.OPEN).select_related(
        "agency"
    )
    if restrict is not None:
        open_hits = open_hits.filter(entity_id__in=restrict)
    for hit in open_hits:
        if (hit.party_key, hit.entity_id) in still_matching:
            continue
        if hit.party_key not in party_keys:
            reason = HitCloseReason.PARTY_REMOVED
        elif not (index.lists_of(hit.entity_id) & visible):
            reason = HitCloseReason.DELISTED
        else:
            reason = HitCloseReason.NO_LONGER_MATCHES
        hit_close(hit=hit, reason=reason, actor=actor)
    return recorded


def report_parties_screen(*, report: Report) -> dict[str, Any]:
    """Screen the parties of `report`'s latest version and mark that version screened.

    Returns a summary (the task's result): the number of parties
    screened and the open hits, each marked `new` when this call raised it.
    """
    version = _latest_version(report)
    if version is None or report.status != ReportStatus.ACTIVE:
        return {"parties": 0, "hits": []}
    visible = lists_visible_to(agency=report.originator)
    index = screening_index()
    recorded = _screen_report(
        report=report, version=version, index=index, visible=visible, threshold=screening_threshold(),
        actor=Actor.system(),
    )  # fmt: skip
    Report.objects.filter(pk=report.pk, screened_version__lt=version.version).update(
        screened_version=version.version
    )
    return {
        "parties": len(report_parties(version)),
        "lists": sorted(visible),
        "hits": [
            {
                "id": hit.pk,
                "party": hit.party_name,
                "entity": hit.entity_id,
                "caption": hit.caption,
                "lists": hit.lists,
                "score": hit.score,
                "new": alerted,
            }
            for hit, alerted in recorded
        ],
    }


# Set in the shared cache while a `screening.reports_screen` task is queued and
# not yet started; it expires in case that message is lost.
REPORTS_DUE_HINT = "screening:reports-due-hinted"
REPORTS_DUE_HINT_SECONDS = 60


def report_screen_enqueue(*, report: Report) -> dict[str, str]:
    """See that `report`'s parties get screened once the publication commits.

    Called inside the publish transaction. Building the screening index can
    take tens of seconds in a fresh process, so publishing never screens in
    the request: a report is due while its `screened_version` is behind its
    current version, and a Celery task screens every due report. Returns what
    the publish response says of screening.
    """
    # robust: a broker outage is logged, never raised into the publication that committed.
    transaction.on_commit(reports_due_hint, robust=True)
    return {"status": "queued"}


def reports_due_hint() -> None:
    """Queue `screening.reports_screen` unless one is queued and not started yet.

    One task screens every report due when it starts, so under a burst of
    publications one message serves them all: sending a Celery message costs
    more than the rest of what a publication does after its commit. The
    periodic sweep (SCREENING_SWEEP_SECONDS) catches a lost message.
    """
    from hub.screening.tasks import reports_screen_task

    if cache.add(REPORTS_DUE_HINT, True, timeout=REPORTS_DUE_HINT_SECONDS):
        reports_screen_task.delay()


def reports_due_screen(*, batch: int = 100, budget_seconds: float = 120.0) -> int:
    """Screen the parties of every report due for screening; how many were screened.

    Runs for at most about `budget_seconds` (under the task's time limit),
    then queues itself again for the rest.
    """
    # From here on a publication hints again: a report committed after the
    # reads below starts another task, one committed before is read by them.
    cache.delete(REPORTS_DUE_HINT)
    deadline = time.monotonic() + budget_seconds
    due = Report.objects.select_related("originator").filter(
        status=ReportStatus.ACTIVE, screened_version__lt=F("current_version")
    )
    screened, after = 0, None  # the run walks the due reports once, in (updated_at, id) order
    while time.monotonic() < deadline:
        page = (
            due
            if after is None
            else due.filter(Q(updated_at__gt=after[0]) | Q(updated_at=after[0], pk__gt=after[1]))
        )
        reports = list(page.order_by("updated_at", "pk")[:batch])
        if not reports:
            return screened
        for report in reports:
            try:
                report_parties_screen(report=report)
                screened += 1
            except Exception:
                # Left due: the next run tries it again; this one goes on with the others.
                logger.exception("screening report %s failed", report.pk)
        after = (reports[-1].updated_at, reports[-1].pk)
    reports_due_hint()
    return screened


def register_changed(*, entity_ids: Iterable[str]) -> None:
    """The register changed (called by the sanctions services after commit).

    Re-screening every stored report is heavy, so it runs in a Celery task,
    enqueued once the surrounding transaction (if any) commits.
    """
    ids = sorted({str(entity_id) for entity_id in entity_ids})
    if not ids:
        return
    from hub.screening.tasks import register_rescreen_task

    # robust: a broker outage is logged, never raised into the sanctions update that committed.
    transaction.on_commit(lambda: register_rescreen_task.delay(ids), robust=True)


def register_rescreen(*, entity_ids: Iterable[str]) -> dict[str, int]:
    """Re-screen every active report's parties against the changed entities.

    New hits are raised (and alerted) once; open hits on those entities are
    closed when the entity was delisted or no longer matches.
    """
    changed = frozenset(str(entity_id) for entity_id in entity_ids)
    counts = {"reports": 0, "alerted": 0, "open": 0}
    if not changed:
        return counts
    index = screening_index()
    threshold = screening_threshold()
    actor = Actor.system()
    visible_by_agency: dict[int, frozenset[str]] = {}
    versions = (
        ReportVersion.objects.filter(
            report__status=ReportStatus.ACTIVE, version=F("report__current_version")
        )
        .select_related("report", "report__originator")
        .order_by("report_id")
    )
    for version in versions.iterator(chunk_size=200):
        report = version.report
        visible = visible_by_agency.get(report.originator_id)
        if visible is None:
            visible = visible_by_agency[report.originator_id] = lists_visible_to(
                agency=report.originator
            )
        recorded = _screen_report(
            report=report, version=version, index=index, visible=visible, threshold=threshold, actor=actor,
            restrict=changed,
        )  # fmt: skip
        counts["reports"] += 1
        counts["alerted"] += sum(1 for _, alerted in recorded if alerted)
    counts["open"] = ScreeningHit.objects.filter(entity_id__in=changed, state=HitState.OPEN).count()
    logger.info(
        "re-screened %d reports for %d changed entities: %s",
        counts["reports"],
        len(changed),
        counts,
    )
    return counts
