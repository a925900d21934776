"""Publishing, amending and retracting signed reports (DESIGN 2.1, 2.2, 4).

Each operation verifies the signed document first (nothing is written for a
refused one), then, in ONE transaction: stores the document byte for byte,
appends the audit record and hands the item to distribution, which writes the
policy decisions and the deliveries (the transactional outbox). Screening of
the parties runs after commit.
"""

import hashlib
import logging
import uuid
from importlib import import_module
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.audit import audit_deferred, audit_record
from agencies.db import insert_new, rows_insert
from agencies.errors import Conflict, NotFound, PermissionDenied, Refused
from agencies.models import Agency
from agencies.selectors import issued_at, jwt_verified
from agencies.services import Actor
from hub.models import Report, ReportStatus, ReportVersion, Retraction
from sharing.items import Disclosure, ShareableItem
from sharing.models import Delivery
from sharing.services.distribution import item_distribute, retraction_distribute

from .claims import ReportFacts, claims_validate, report_facts
from .sdjwt import VerifiedReport, report_token_verify
from .signing import RETRACTION_TYP

logger = logging.getLogger(__name__)

MAX_REASON = 5000


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _shareable_report(
    *, report: Report, version: ReportVersion, verified: VerifiedReport, facts: ReportFacts
) -> ShareableItem:
    return ShareableItem(
        type="report",
        kind="sar",
        event="report.published" if version.version == 1 else "report.amended",
        item_id=str(report.pk),
        version=version.version,
        originator=report.originator.code,
        issuer_jwt=verified.issuer_jwt,
        disclosures=tuple(
            Disclosure(encoded=d.encoded, redaction_class=d.redaction_class)
            for d in verified.disclosures
        ),
        tlp=facts.tlp,
        red_recipients=facts.red_recipients,
        countries=facts.countries,
        hs_chapters=facts.hs_chapters,
        control_codes=facts.control_codes,
        red_flags=facts.red_flags,
    )


def _report_for_version(*, caller_agency: Agency, facts: ReportFacts) -> tuple[Report, int | None]:
    """The report row a new version goes to (locked), and the version it supersedes.

    Version 1 creates the report; N + 1 supersedes N. Anything else is refused.
    """
    if facts.version == 1:
        # The common case in one statement: a new id is inserted (and so locked).
        report = Report(
            id=facts.report_id,
            originator=caller_agency,
            current_version=1,
            title=facts.title,
            tlp=facts.tlp,
        )
        if insert_new(report):
            return report, None
        # The id is taken: the checks below say how (another agency's, retracted, a duplicate).
    report = Report.objects.select_for_update().filter(pk=facts.report_id).first()
    if report is None:
        if facts.version != 1:
            raise Refused(
                f"Report {facts.report_id} does not exist; its first version must be 1.",
                code="version_gap",
                details={"version": facts.version, "expected": 1},
            )
        try:
            # A savepoint: a concurrent publisher of the same id makes this insert fail.
            with transaction.atomic():
                report = Report.objects.create(
                    id=facts.report_id,
                    originator=caller_agency,
                    current_version=1,
                    title=facts.title,
                    tlp=facts.tlp,
                )
        except IntegrityError as exc:
            raise Conflict(
                f"Version 1 of report {facts.report_id} exists already.",
                code="duplicate_version",
                details={"id": str(facts.report_id), "version": 1},
            ) from exc
        return report, None
    if report.originator_id != caller_agency.pk:
        raise Conflict(
            f"Report id {facts.report_id} is taken by another agency.", code="report_id_taken"
        )
    if report.status == ReportStatus.RETRACTED:
        raise Conflict(
            f"Report {facts.report_id} was retracted; it takes no new versions.",
            code="report_retracted",
        )
    current = report.current_version
    details = {"id": str(facts.report_id), "version": facts.version, "current_version": current}
    if facts.version == current:
        raise Conflict(
            f"Version {current} of report {facts.report_id} exists already.",
            code="duplicate_version",
            details=details,
        )
    if facts.version < current:
        raise Conflict(
            f"Version {facts.version} is older than the current version {current}.",
            code="stale_version",
            details=details,
        )
    if facts.version > current + 1:
        raise Refused(
            f"Version {facts.version} skips versions; the next is {current + 1}.",
            code="version_gap",
            details={**details, "expected": current + 1},
        )
    previous = current
    report.current_version = facts.version
    report.title = facts.title
    report.tlp = facts.tlp
    report.updated_at = timezone.now()
    report.save(update_fields=["current_version", "title", "tlp", "updated_at"])
    return report, previous


def _parties_screen_enqueue(report: Report) -> Any:
    """Queue the screening of the report's parties if screening is installed (optional).

    hub.screening queues a task that runs once the publication commits (screening
    never runs in the request). Failing to queue must never undo a publication,
    so failures are logged, not raised.
    """
    try:
        screening = import_module("hub.screening.services")
    except ModuleNotFoundError as exc:
        if exc.name != "hub.screening.services":
            logger.exception("screening cannot be imported; report %s was not screened", report.pk)
        return None
    except Exception:
        logger.exception("screening cannot be imported; report %s was not screened", report.pk)
        return None
    enqueue = getattr(screening, "report_screen_enqueue", None)
    if enqueue is None:
        return None
    try:
        return enqueue(report=report)
    except Exception:
        logger.exception("queueing the screening of report %s failed", report.pk)
        return None


def report_publish(*, caller_agency: Agency, token: str, actor: Actor) -> Report:
    """Verify and store a report SD-JWT sent by `caller_agency`; distribute it.

    Returns the Report with two extra attributes for the caller: `deliveries`
    (the Delivery rows written for this version) and `screening` (what
    hub.screening said when queueing the screening of its parties, e.g.
    {"status": "queued"}, or None).
    """
    verified = report_token_verify(token=token, caller=caller_agency)
    claims_validate(verified.claims)
    facts = report_facts(verified.claims)
    # audit_deferred: the audit chain's head is locked only at the end, right before the commit.
    with transaction.atomic(), audit_deferred():
        report, previous = _report_for_version(caller_agency=caller_agency, facts=facts)
        version = ReportVersion(
            report=report,
            version=facts.version,
            token=token,
            claims=verified.claims,
            issued_at=verified.issued_at,
            signing_key=verified.signing_key,
            kid=verified.signing_key.kid,
            title=facts.title,
            tlp=facts.tlp,
            countries=list(facts.countries),
            hs_chapters=list(facts.hs_chapters),
            control_codes=list(facts.control_codes),
            red_flags=list(facts.red_flags),
            red_recipients=list(facts.red_recipients),
            disclosures=[
                {"encoded": d.encoded, "path": d.path, "redaction_class": d.redaction_class}
                for d in verified.disclosures
            ],
            received_by=actor.label[:200],
        )
        rows_insert([version])
        audit_record(
            actor=actor.label,
            agency=caller_agency.code,
            action="report.publish" if previous is None else "report.amend",
            object_type="report",
            object_id=str(report.pk),
            before=None if previous is None else {"version": previous},
            after={
                "version": version.version,
                "title": facts.title,
                "tlp": facts.tlp,
                "kid": version.kid,
                "token_sha256": _token_digest(token),
                "disclosures": len(verified.disclosures),
            },
        )
        deliveries = item_distribute(
            item=_shareable_report(report=report, version=version, verified=verified, facts=facts),
            actor=actor,
        )
        # The parties are screened in a task queued for after the commit.
        screening = _parties_screen_enqueue(report)
    report.deliveries = deliveries
    report.screening = screening
    return report


def _retraction_claims(payload: dict[str, Any], report_id: uuid.UUID) -> tuple[int, str]:
    problems: dict[str, str] = {}
    if payload.get("kind") != "retraction":
        problems["kind"] = 'must be "retraction"'
    if str(payload.get("report_id", "")).lower() != str(report_id):
        problems["report_id"] = "must be the id of the report in the URL"
    version = payload.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems["version"] = "must be an integer >= 1"
    reason = payload.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        problems["reason"] = f"must be a non-empty string of at most {MAX_REASON} characters"
    elif "\x00" in reason:
        problems["reason"] = "must not contain NUL characters"
    if problems:
        raise Refused(
            "The retraction's claims do not follow the schema.",
            code="schema_violation",
            details=problems,
        )
    return version, reason


def report_retract(
    *, caller_agency: Agency, report_id: uuid.UUID | str, token: str, actor: Actor
) -> Retraction:
    """Accept the originator's signed retraction of a report and relay it to every recipient."""
    try:
        report_id = uuid.UUID(str(report_id))
    except ValueError as exc:
        raise NotFound("No such report.", code="report_not_found") from exc
    # An agency that does not own the report must not learn whether it exists,
    # unless it was given it: then it is told plainly that only the originator may retract.
    if not Report.objects.filter(pk=report_id, originator=caller_agency).exists():
        if Delivery.objects.filter(recipient=caller_agency, item_id=str(report_id)).exists():
            raise PermissionDenied(
                "Only the originator may retract a report.", code="not_originator"
            )
        raise NotFound("No such report.", code="report_not_found")
    try:
        _, payload, key = jwt_verified(token=token, typ=RETRACTION_TYP, caller=caller_agency)
    except RecursionError as exc:
        raise Refused("The JWT is nested too deeply.", code="malformed_jwt") from exc
    version, reason = _retraction_claims(payload, report_id)
    with transaction.atomic(), audit_deferred():
        report = Report.objects.select_for_update().select_related("originator").get(pk=report_id)
        if report.originator_id != caller_agency.pk:
            raise PermissionDenied(
                "Only the originator may retract a report.", code="not_originator"
            )
        if report.status == ReportStatus.RETRACTED:
            raise Conflict(f"Report {report_id} is already retracted.", code="already_retracted")
        if version < report.current_version:
            raise Conflict(
                f"Version {version} is not the current version {report.current_version}.",
                code="stale_version",
                details={"version": version, "current_version": report.current_version},
            )
        if version > report.current_version:
            raise Refused(
                f"Report {report_id} has no version {version}.",
                code="unknown_version",
                details={"version": version, "current_version": report.current_version},
            )
        retraction = Retraction.objects.create(
            report=report,
            version=version,
            token=token,
            reason=reason,
            issued_at=issued_at(payload),
            signing_key=key,
            kid=key.kid,
            received_by=actor.label[:200],
        )
        report.status = ReportStatus.RETRACTED
        report.updated_at = timezone.now()
        report.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor.label,
            agency=caller_agency.code,
            action="report.retract",
            object_type="report",
            object_id=str(report.pk),
            before={"status": ReportStatus.ACTIVE, "version": version},
            after={"status": ReportStatus.RETRACTED, "reason": reason, "kid": key.kid},
        )
        latest = report.versions.get(version=version)
        retraction.deliveries = retraction_distribute(
            item=ShareableItem(
                type="retraction",
                kind="sar",
                event="report.retracted",
                item_id=str(report.pk),
                version=version,
                originator=report.originator.code,
                issuer_jwt=token,
                tlp=latest.tlp,
                red_recipients=tuple(latest.red_recipients),
                countries=tuple(latest.countries),
                hs_chapters=tuple(latest.hs_chapters),
                control_codes=tuple(latest.control_codes),
                red_flags=tuple(latest.red_flags),
            ),
            actor=actor,
        )
    return retraction
