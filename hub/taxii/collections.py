"""The two TAXII collections, `reports` and `sanctions`, as one caller sees them.

A caller sees exactly:
- what was delivered to its agency (its Delivery rows: the presentation or
  JWT it was given, with only the disclosures its agreement allows), and
- what its own agency originated (every version as signed).
Nothing else: an agency with neither sees empty collections, and an object
another agency sees is, for this caller, not there (404 by id).

Around the content objects each collection also lists the objects they refer
to (the creator's identity, the TLP 2.0 marking, the extension definition and
the hub's identity), each dated by the first content object that needs it,
so a consumer can resolve every reference from the collection itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agencies.crypto import jwt_unverified_parts
from agencies.errors import CordonError
from agencies.models import Agency
from hub.models import ReportVersion, Retraction
from hub.models.sanctions import SanctionsUpdate, UpdateOutcome
from hub.reports.selectors import presentation_claims
from sharing.models import Delivery, DeliveryState
from sharing.services.distribution import attributed_originator
from sharing.taxii.protocol import Entry

from . import stix

RETRACTION_TYP = "sar-retraction+jwt"


def _feed_ordered(previous: datetime | None, created_at: datetime) -> datetime:
    """date_added of a delivery: its time, made strictly increasing in feed order.

    Feed positions (seq) commit in order, but a delivery's time is taken before
    its position is: under concurrent publishing a later position can carry an
    earlier time. Nudging it past its predecessor means a client polling with
    `added_after` = the last date_added it saw never misses a delivery that
    committed later, and a date_added, once seen, never changes.
    """
    if previous is None or created_at > previous:
        return created_at
    return previous + timedelta(microseconds=1)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class SupportRef:
    """A referenced object (identity, marking, extension definition), built on demand."""

    build: Callable[[], dict[str, Any]]


def _support_entries(
    content: list[Entry], needs: dict[str, list[str]], builders: dict[str, SupportRef]
) -> list[Entry]:
    """One entry per referenced object, added when the first content entry needing it was."""
    first_added: dict[str, datetime] = {}
    for entry in content:
        for object_id in needs.get(entry.id, ()):
            if object_id not in first_added or entry.date_added < first_added[object_id]:
                first_added[object_id] = entry.date_added
    support = []
    for object_id, added in first_added.items():
        ref = builders[object_id]
        built = ref.build()
        version = built.get("modified") or built["created"]
        support.append(Entry(id=object_id, version=_parse_time(version), date_added=added, ref=ref))
    return support


class _Identities:
    """Identity objects for creators: agencies by name, hidden originators by country."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.builders: dict[str, SupportRef] = {}
        self._countries: dict[str, str] | None = None

    def _agency_countries(self) -> dict[str, str]:
        if self._countries is None:
            self._countries = dict(
                Agency.objects.filter(code__in=self.codes).values_list("code", "country")
            )
        return self._countries

    def of_agency(self, code: str) -> str:
        identity_id = stix.agency_identity_id(code)
        if identity_id not in self.builders:
            self.builders[identity_id] = SupportRef(build=lambda: self._agency_identity(code))
        return identity_id

    def of_hidden(self, code: str) -> str:
        """The identity shown when the originator is hidden: "an agency of <country>"."""
        if code not in self.codes:  # not announced before the first lookup: load again
            self.codes.add(code)
            self._countries = None
        country = self._agency_countries().get(code, "??")
        shown_as = attributed_originator(country)
        identity_id = stix.anonymous_identity_id(shown_as)
        if identity_id not in self.builders:
            self.builders[identity_id] = SupportRef(
                build=lambda: stix.identity_object(
                    identity_id,
                    shown_as,
                    description="The originator is not named under the sharing agreement.",
                )
            )
        return identity_id

    def _agency_identity(self, code: str) -> dict[str, Any]:
        agency = Agency.objects.filter(code=code).values("name", "country").first() or {}
        description = f"Agency {code}"
        if agency.get("country"):
            description += f" ({agency['country']})"
        return stix.identity_object(
            stix.agency_identity_id(code), agency.get("name") or code, description=description
        )


def _common_builders(extension: Callable[[], dict[str, Any]], extension_id: str) -> dict:
    builders = {
        stix.HUB_IDENTITY_ID: SupportRef(build=stix.hub_identity),
        extension_id: SupportRef(build=extension),
    }
    for tlp, (marking_id, _) in stix.TLP2_MARKINGS.items():
        builders[marking_id] = SupportRef(build=lambda tlp=tlp: stix.tlp_marking(tlp))
    return builders


# --------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class ReportRef:
    """How to build one version of a STIX report for one caller."""

    report_id: str
    version: int
    created: datetime
    modified: datetime
    creator_id: str
    delivery_id: int | None = None  # the presentation delivered (None: the caller's own report)
    retraction_delivery_id: int | None = None  # the retraction delivered, for a revoked version
    own_retraction: bool = False


class ReportsCollection:
    id = "reports"
    title = "Suspicious-activity reports"
    description = (
        "STIX 2.1 reports: those your agency originated, and the view of each report "
        "delivered to it under a sharing agreement. Each carries its SD-JWT presentation "
        "in a property extension; a retraction is a revoked last version."
    )

    def entries(self, *, agency: Agency) -> list[Entry]:
        identities = _Identities()
        content: list[Entry] = []
        needs: dict[str, list[str]] = {}

        def add(entry: Entry, ref: ReportRef, tlp: str | None) -> None:
            content.append(entry)
            refs = needs.setdefault(entry.id, [])
            for object_id in (
                ref.creator_id,
                stix.TLP2_MARKINGS[tlp][0] if tlp in stix.TLP2_MARKINGS else None,
                stix.REPORT_EXTENSION_ID,
                stix.HUB_IDENTITY_ID,
            ):
                if object_id and object_id not in refs:
                    refs.append(object_id)

        self._own_entries(agency, identities, add)
        self._received_entries(agency, identities, add)
        content = _deduplicated(content)
        builders = _common_builders(stix.report_extension_definition, stix.REPORT_EXTENSION_ID)
        builders.update(identities.builders)
        return content + _support_entries(content, needs, builders)

    def _own_entries(self, agency: Agency, identities: _Identities, add: Callable) -> None:
        creator = identities.of_agency(agency.code)
        versions = list(
            ReportVersion.objects.filter(report__originator=agency).values_list(
                "report_id", "version", "received_at", "tlp"
            )
        )
        created = _first_received(versions)
        tlps: dict[tuple[str, int], str] = {}
        for report_id, version, received_at, tlp in versions:
            report_id = str(report_id)
            tlps[(report_id, version)] = tlp
            ref = ReportRef(
                report_id=report_id,
                version=version,
                created=created[report_id],
                modified=received_at,
                creator_id=creator,
            )
            add(
                Entry(
                    id=f"report--{report_id}", version=received_at, date_added=received_at, ref=ref
                ),
                ref,
                tlp,
            )
        retractions = Retraction.objects.filter(report__originator=agency).values_list(
            "report_id", "version", "created_at"
        )
        for report_id, version, created_at in retractions:
            report_id = str(report_id)
            ref = ReportRef(
                report_id=report_id,
                version=version,
                created=created[report_id],
                modified=created_at,
                creator_id=creator,
                own_retraction=True,
            )
            add(
                Entry(
                    id=f"report--{report_id}", version=created_at, date_added=created_at, ref=ref
                ),
                ref,
                tlps.get((report_id, version)),
            )

    def _received_entries(self, agency: Agency, identities: _Identities, add: Callable) -> None:
        deliveries = list(
            Delivery.objects.filter(
                recipient=agency, item_type__in=("report", "retraction"), seq__isnull=False
            )
            .exclude(state=DeliveryState.CANCELLED)
            .order_by("seq")
            .values_list(
                "pk", "item_type", "item_id", "item_version", "created_at", "originator", "reissued"
            )
        )
        if not deliveries:
            return
        report_ids = {row[2] for row in deliveries}
        versions = list(
            ReportVersion.objects.filter(report_id__in=report_ids).values_list(
                "report_id", "version", "received_at", "tlp"
            )
        )
        created = _first_received(versions)
        accepted = {(str(r), v): (at, tlp) for r, v, at, tlp in versions}
        retracted_at = {
            str(r): at
            for r, at in Retraction.objects.filter(report_id__in=report_ids).values_list(
                "report_id", "created_at"
            )
        }
        retraction_typs = {
            pk: _typ(token)
            for pk, token in Delivery.objects.filter(
                pk__in=[row[0] for row in deliveries if row[1] == "retraction"]
            ).values_list("pk", "token")
        }
        identities.codes.update(row[5] for row in deliveries if row[6])
        latest_report: dict[
            str, tuple[int, int, str | None]
        ] = {}  # item -> (delivery, version, tlp)
        added: datetime | None = None
        for pk, item_type, item_id, version, created_at, originator, reissued in deliveries:
            added = _feed_ordered(added, created_at)
            creator = (
                identities.of_hidden(originator) if reissued else identities.of_agency(originator)
            )
            if item_type == "report":
                if (item_id, version) not in accepted:
                    continue
                modified, tlp = accepted[(item_id, version)]
                latest_report[item_id] = (pk, version, tlp)
                ref = ReportRef(
                    report_id=item_id,
                    version=version,
                    created=created[item_id],
                    modified=modified,
                    creator_id=creator,
                    delivery_id=pk,
                )
            else:
                if item_id not in latest_report:
                    continue  # nothing delivered to revoke
                base_pk, base_version, tlp = latest_report[item_id]
                modified = created_at
                if retraction_typs.get(pk) == RETRACTION_TYP and item_id in retracted_at:
                    modified = retracted_at[item_id]
                ref = ReportRef(
                    report_id=item_id,
                    version=base_version,
                    created=created[item_id],
                    modified=modified,
                    creator_id=creator,
                    delivery_id=base_pk,
                    retraction_delivery_id=pk,
                )
            add(
                Entry(id=f"report--{item_id}", version=ref.modified, date_added=added, ref=ref),
                ref,
                tlp,
            )

    def objects(self, *, agency: Agency, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        refs = [entry.ref for entry in entries]
        delivery_ids = set()
        own_versions = set()
        for ref in refs:
            if isinstance(ref, ReportRef):
                if ref.delivery_id is None:
                    own_versions.add((ref.report_id, ref.version))
                else:
                    delivery_ids.add(ref.delivery_id)
                    if ref.retraction_delivery_id:
                        delivery_ids.add(ref.retraction_delivery_id)
        deliveries = Delivery.objects.in_bulk(delivery_ids) if delivery_ids else {}
        own: dict[tuple[str, int], ReportVersion] = {}
        if own_versions:
            # Scoped to the caller's agency again: an own ref never reads another's report.
            for version in ReportVersion.objects.filter(
                report__originator=agency,
                report_id__in={report_id for report_id, _ in own_versions},
            ):
                own[(str(version.report_id), version.version)] = version
        retractions = {
            str(r.report_id): r.token
            for r in Retraction.objects.filter(
                report__originator=agency,
                report_id__in={
                    ref.report_id
                    for ref in refs
                    if isinstance(ref, ReportRef) and ref.own_retraction
                },
            )
        }
        objects = []
        for ref in refs:
            if isinstance(ref, SupportRef):
                objects.append(ref.build())
                continue
            if ref.delivery_id is None:
                version = own[(ref.report_id, ref.version)]
                presentation, claims, withheld, reissued = version.token, version.claims, [], False
                retraction = retractions.get(ref.report_id) if ref.own_retraction else None
            else:
                delivery = deliveries[ref.delivery_id]
                if delivery.recipient_id != agency.pk:  # defence in depth: never another's view
                    raise LookupError("delivery of another agency")
                presentation = delivery.token
                claims = presentation_claims(delivery.token)
                withheld = list(delivery.withheld_classes)
                reissued = delivery.reissued
                retraction = (
                    deliveries[ref.retraction_delivery_id].token
                    if ref.retraction_delivery_id
                    else None
                )
            objects.append(
                stix.report_object(
                    report_id=ref.report_id,
                    created=ref.created,
                    modified=ref.modified,
                    claims=claims,
                    presentation=presentation,
                    report_version=ref.version,
                    creator_id=ref.creator_id,
                    withheld_classes=withheld,
                    reissued=reissued,
                    retraction=retraction,
                )
            )
        return objects


def _first_received(versions: list[tuple[Any, int, datetime, str]]) -> dict[str, datetime]:
    """When each report's first version was accepted: its STIX `created`, for every version."""
    first: dict[str, tuple[int, datetime]] = {}
    for report_id, version, received_at, _ in versions:
        key = str(report_id)
        if key not in first or version < first[key][0]:
            first[key] = (version, received_at)
    return {key: at for key, (_, at) in first.items()}


def _typ(token: str) -> str | None:
    try:
        header, _ = jwt_unverified_parts(token)
    except CordonError:
        return None
    return header.get("typ")


def _deduplicated(entries: list[Entry]) -> list[Entry]:
    """One entry per (id, version); a re-delivery of the same version keeps the latest."""
    latest: dict[tuple[str, datetime], Entry] = {}
    for entry in entries:
        key = (entry.id, entry.version)
        if key not in latest or entry.date_added >= latest[key].date_added:
            latest[key] = entry
    return list(latest.values())


# --------------------------------------------------------------------------
# Sanctions


@dataclass(frozen=True)
class SanctionsRef:
    list_name: str
    entity_id: str
    created: datetime
    modified: datetime
    creator_id: str
    update_id: int | None = None  # the caller's own update
    delivery_id: int | None = None  # the update as delivered to the caller


class SanctionsCollection:
    id = "sanctions"
    title = "Sanctions updates"
    description = (
        "One STIX identity per listed entity and list; every accepted update is a version "
        "carrying the signed sanctions update JWT and its FollowTheMoney entity in a "
        "property extension; a removal (DEL) revokes the object. You see the updates your "
        "agency issued and those delivered to it under a sharing agreement."
    )

    def entries(self, *, agency: Agency) -> list[Entry]:
        identities = _Identities()
        content: list[Entry] = []
        needs: dict[str, list[str]] = {}

        def add(entry: Entry, ref: SanctionsRef) -> None:
            content.append(entry)
            needs.setdefault(
                entry.id, [ref.creator_id, stix.SANCTIONS_EXTENSION_ID, stix.HUB_IDENTITY_ID]
            )

        self._own_entries(agency, identities, add)
        self._received_entries(agency, identities, add)
        content = _deduplicated(content)
        builders = _common_builders(
            stix.sanctions_extension_definition, stix.SANCTIONS_EXTENSION_ID
        )
        builders.update(identities.builders)
        return content + _support_entries(content, needs, builders)

    def _own_entries(self, agency: Agency, identities: _Identities, add: Callable) -> None:
        updates = list(
            SanctionsUpdate.objects.filter(issuer=agency, outcome=UpdateOutcome.APPLIED)
            .order_by("received_at", "pk")
            .values_list("pk", "sanctions_list__name", "entity_id", "received_at")
        )
        if not updates:
            return
        creator = identities.of_agency(agency.code)
        created: dict[tuple[str, str], datetime] = {}
        for pk, list_name, entity_id, received_at in updates:
            created.setdefault((list_name, entity_id), received_at)
            ref = SanctionsRef(
                list_name=list_name,
                entity_id=entity_id,
                created=created[(list_name, entity_id)],
                modified=received_at,
                creator_id=creator,
                update_id=pk,
            )
            add(
                Entry(
                    id=stix.sanctions_entry_id(list_name, entity_id),
                    version=received_at,
                    date_added=received_at,
                    ref=ref,
                ),
                ref,
            )

    def _received_entries(self, agency: Agency, identities: _Identities, add: Callable) -> None:
        deliveries = list(
            Delivery.objects.filter(
                recipient=agency, item_type="sanctions_update", seq__isnull=False
            )
            .exclude(state=DeliveryState.CANCELLED)
            .order_by("seq")
            .values_list("pk", "item_id", "created_at", "originator", "reissued")
        )
        if not deliveries:
            return
        # Which accepted update each delivery carries: the issuer's latest update of
        # that entity accepted before the delivery was written (both are written in
        # the one transaction that accepts the update). Matching on times keeps the
        # tokens (re-signed ones included) out of this listing.
        originators = {row[3] for row in deliveries}
        history: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        for issuer, entity_id, list_name, received_at in (
            SanctionsUpdate.objects.filter(
                issuer__code__in=originators, outcome=UpdateOutcome.APPLIED
            )
            .order_by("received_at", "pk")
            .values_list("issuer__code", "entity_id", "sanctions_list__name", "received_at")
        ):
            history.setdefault((issuer, entity_id), []).append((received_at, list_name))
        identities.codes.update(row[3] for row in deliveries if row[4])
        created: dict[tuple[str, str], datetime] = {}
        added: datetime | None = None
        for pk, entity_id, created_at, originator, reissued in deliveries:
            added = _feed_ordered(added, created_at)
            updates = history.get((originator, entity_id))
            if not updates:
                continue
            index = bisect.bisect_right(updates, (created_at, "\uffff")) - 1
            if index < 0:
                continue
            modified, list_name = updates[index]
            created.setdefault((list_name, entity_id), modified)
            creator = (
                identities.of_hidden(originator) if reissued else identities.of_agency(originator)
            )
            ref = SanctionsRef(
                list_name=list_name,
                entity_id=entity_id,
                created=created[(list_name, entity_id)],
                modified=modified,
                creator_id=creator,
                delivery_id=pk,
            )
            add(
                Entry(
                    id=stix.sanctions_entry_id(list_name, entity_id),
                    version=modified,
                    date_added=added,
                    ref=ref,
                ),
                ref,
            )

    def objects(self, *, agency: Agency, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        refs = [entry.ref for entry in entries]
        delivery_ids = {
            r.delivery_id for r in refs if isinstance(r, SanctionsRef) and r.delivery_id
        }
        update_ids = {r.update_id for r in refs if isinstance(r, SanctionsRef) and r.update_id}
        tokens = dict(
            Delivery.objects.filter(pk__in=delivery_ids, recipient=agency).values_list(
                "pk", "token"
            )
        )
        own_tokens = dict(
            SanctionsUpdate.objects.filter(pk__in=update_ids, issuer=agency).values_list(
                "pk", "token"
            )
        )
        objects = []
        for ref in refs:
            if isinstance(ref, SupportRef):
                objects.append(ref.build())
                continue
            token = own_tokens[ref.update_id] if ref.update_id else tokens[ref.delivery_id]
            _, claims = jwt_unverified_parts(token)
            entity = claims.get("entity") if isinstance(claims.get("entity"), dict) else {}
            names = (entity.get("properties") or {}).get("name") or []
            objects.append(
                stix.sanctions_entry_object(
                    list_name=ref.list_name,
                    entity={**entity, "id": ref.entity_id} if not entity.get("id") else entity,
                    op=str(claims.get("op")),
                    token=token,
                    effective=claims.get("effective"),
                    created=ref.created,
                    modified=ref.modified,
                    creator_id=ref.creator_id,
                    name=str(names[0]) if names else ref.entity_id,
                )
            )
        return objects


COLLECTIONS = (ReportsCollection(), SanctionsCollection())
