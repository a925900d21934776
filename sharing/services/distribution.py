"""Distribution: the transactional outbox (DESIGN 4).

Publishers call these inside their own `transaction.atomic()`. In that one
transaction we decide per recipient (sharing/policy.py), audit every decision,
write one Delivery per entitled recipient with the exact token it is given and
its feed position, and only after commit hint Celery to send the webhooks. If
the hint is lost, the sweeper (sharing/tasks.py) finds the row anyway.

Tokens given to recipients:
- a report: an SD-JWT presentation, `<issuer JWT>~<allowed disclosure>~...~`
  (no key binding), so the originator's signature verifies on it;
- a retraction or a sanctions update: the originator's JWT unchanged;
- under attribution `must-not`: the same, but the issuer JWT is re-issued by
  the hub under its own key (see `jwt_reissue`);
- a hub retraction notice (an amendment the recipient is no longer entitled
  to): a JWT signed by the hub, typ `hub-retraction+jwt`, claims
  `iss` (the hub), `iat`, `kind: "retraction"`, `report_id`, `version` (the new
  version it will not receive), `previous_version` (the last one it did),
  `reason: "no_longer_shared"`, `originator` (agency code, or
  "an agency of <country>" when the recipient got the report re-issued).
"""

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from agencies.audit import audit_deferred, audit_record
from agencies.crypto import jwt_unverified_parts
from agencies.db import bulk_insert, json_record, rows_insert, rows_read
from agencies.models import Agency
from agencies.services import Actor
from sharing.items import ShareableItem
from sharing.models import Agreement, Delivery, DeliveryState, FeedCounter, WebhookEndpoint
from sharing.policy import Decision, ItemFacts, decide_all
from sharing.selectors import agreement_facts
from sharing.services.hub_key import hub_issuer, hub_sign

logger = logging.getLogger(__name__)

HUB_NOTICE_TYP = "hub-retraction+jwt"
ATTRIBUTION_NOTE = "The originator's signature was replaced by the hub's (attribution must-not)."


def item_facts(item: ShareableItem) -> ItemFacts:
    return ItemFacts(
        kind=item.kind,
        originator=item.originator,
        tlp=item.tlp,
        red_recipients=tuple(item.red_recipients),
        countries=tuple(item.countries),
        hs_chapters=tuple(item.hs_chapters),
        control_codes=tuple(item.control_codes),
        red_flags=tuple(item.red_flags),
        list_name=item.list_name,
        disclosure_classes=tuple(d.redaction_class for d in item.disclosures),
    )


def presentation(issuer_jwt: str, disclosures: Iterable[str]) -> str:
    """An SD-JWT presentation without key binding: JWT, each disclosure, trailing "~"."""
    return "~".join([issuer_jwt, *disclosures]) + "~"


def attributed_originator(country: str) -> str:
    return f"an agency of {country}"


def jwt_reissue(*, issuer_jwt: str, originator_country: str) -> str:
    """The same claims signed by the hub, the originator shown only by country.

    `iss` becomes the hub's code and an `attribution` claim says who originated
    it and that the signature was replaced. `_sd` digests are copied unchanged,
    so the disclosures of the original still match.
    """
    header, payload = jwt_unverified_parts(issuer_jwt)
    payload = dict(payload)
    payload["iss"] = hub_issuer()
    payload["attribution"] = {
        "originator": attributed_originator(originator_country),
        "signature": "hub",
        "note": ATTRIBUTION_NOTE,
    }
    return hub_sign(payload=payload, typ=header.get("typ", "JWT"))


@dataclass
class _Plan:
    """One delivery to write, before it has a feed position."""

    item: ShareableItem
    recipient: Agency
    agreement: Agreement | None
    token: str
    withheld: tuple[str, ...]
    reissued: bool
    item_type: str
    event: str
    version: int


# What distribution reads of each agreement (the policy's facts and the
# attribution; the rest is left deferred) and of its two agencies.
_AGREEMENT_FIELDS = (
    "id", "provider_id", "recipient_id", "status", "valid_from", "valid_until", "kinds",
    "max_tlp", "withheld", "scope_countries", "scope_hs_chapters", "scope_control_prefixes",
    "scope_red_flags", "scope_lists", "attribution",
)  # fmt: skip
_AGENCY_FIELDS = ("id", "code", "name", "country", "kind")


def _agreements_locked(originators: Sequence[str]) -> dict[str, dict[str, Agreement]]:
    """Every agreement the originators provide, by originator and id, locked until the commit.

    Each carries its provider and recipient agencies and `webhook_events`: the
    events its recipient's active webhook endpoint takes (empty: all of
    them), or None when it has none. Plain SQL: this runs on every publish, and
    the ORM's compiler (select_related, the subquery) cost three times the CPU.

    The lock is FOR SHARE: publishers of one originator do not wait for each
    other here, while a suspend or terminate (FOR UPDATE) waits for them and
    they for it.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = {field.attname: field.column for field in Agreement._meta.concrete_fields}
    agreement_columns = ", ".join(f"a.{quote(columns[name])}" for name in _AGREEMENT_FIELDS)
    agency_columns = ", ".join(
        f"{side}.{quote(field)}" for side in "pr" for field in _AGENCY_FIELDS
    )
    agencies = quote(Agency._meta.db_table)
    # At most one active endpoint per agency (webhook_one_active_endpoint).
    webhook_events = (
        f"SELECT w.events FROM {quote(WebhookEndpoint._meta.db_table)} w "  # noqa: S608
        "WHERE w.agency_id = a.recipient_id AND w.disabled_at IS NULL"
    )
    lock = " FOR SHARE OF a" if connection.features.has_select_for_update_of else ""
    # Table and column names come from the models; the codes are bound parameters.
    sql = (
        f"SELECT {agreement_columns}, {agency_columns}, "  # noqa: S608
        f"({webhook_events}) "
        f"FROM {quote(Agreement._meta.db_table)} a "
        f"JOIN {agencies} p ON p.id = a.provider_id JOIN {agencies} r ON r.id = a.recipient_id "
        f"WHERE p.code IN ({', '.join(['%s'] * len(originators))}) ORDER BY a.id{lock}"
    )
    by_originator: dict[str, dict[str, Agreement]] = {code: {} for code in originators}
    providers: dict[int, Agency] = {}
    width = len(_AGENCY_FIELDS)
    alias = connection.alias
    for agreement, rest in rows_read(
        Agreement, sql, list(originators), _AGREEMENT_FIELDS, alias=alias
    ):
        provider, recipient, (events,) = rest[:width], rest[width : 2 * width], rest[2 * width :]
        if agreement.provider_id not in providers:
            providers[agreement.provider_id] = Agency.from_db(alias, _AGENCY_FIELDS, provider)
        agreement.provider = providers[agreement.provider_id]
        agreement.recipient = Agency.from_db(alias, _AGENCY_FIELDS, recipient)
        agreement.webhook_events = json.loads(events) if isinstance(events, str) else events
        by_originator[agreement.provider.code][str(agreement.pk)] = agreement
    return by_originator


def _active_endpoints(recipient_ids: Iterable[int]) -> dict[int, list[str]]:
    """The events each recipient's active webhook endpoint takes; recipients without one are left out."""
    return dict(
        WebhookEndpoint.objects.filter(
            agency_id__in=set(recipient_ids), disabled_at__isnull=True
        ).values_list("agency_id", "events")
    )


def _audit_many(*, actor: Actor, entries: Sequence[dict[str, Any]]) -> None:
    """Append the decisions' records to the audit chain, all under one lock of its head.

    Inside the caller's `audit_deferred()` block they join the records it
    appends at its end.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decisions must be audited inside the publishing transaction")
    with audit_deferred():
        for entry in entries:
            audit_record(
                actor=actor.label,
                agency=entry["agency"],
                action=entry["action"],
                object_type=entry["object_type"],
                object_id=entry["object_id"],
                after=entry["after"],
            )


def _decision_audit(item: ShareableItem, decisions: list[Decision]) -> dict[str, Any]:
    return {
        "agency": item.originator,
        "action": "share.decide",
        "object_type": item.type,
        "object_id": f"{item.item_id}@{item.version}",
        "after": {
            "event": item.event,
            "decisions": [
                {
                    "recipient": d.recipient,
                    "agreement": d.agreement_id,
                    "deliver": d.deliver,
                    "reason": d.reason,
                    "disclosed": len(d.disclosed),
                    "withheld_classes": list(d.withheld_classes),
                }
                for d in decisions
            ],
        },
    }


def _counters_bump(counts: dict[int, int]) -> tuple[str, list[int]]:
    """PostgreSQL: one statement that creates, bumps and returns (agency_id,
    last_seq) for every recipient's feed counter, in agency order."""
    table = connection.ops.quote_name(FeedCounter._meta.db_table)
    agency_ids = sorted(counts)
    values = ", ".join(["(%s, %s)"] * len(agency_ids))
    # The table name comes from the model and every value is a bound parameter.
    sql = (
        f"INSERT INTO {table} AS counter (agency_id, last_seq) VALUES {values} "  # noqa: S608
        "ON CONFLICT (agency_id) DO UPDATE "
        "SET last_seq = counter.last_seq + EXCLUDED.last_seq "
        "RETURNING agency_id, last_seq"
    )
    return sql, [value for agency_id in agency_ids for value in (agency_id, counts[agency_id])]


def _seqs_allocate(counts: dict[int, int]) -> dict[int, int]:
    """Reserve `counts[agency_id]` feed positions per recipient; return the first of each.

    The UPDATE locks the recipient's counter row until our transaction ends, so
    a concurrent publisher waits and gets the positions after ours: positions
    commit in order and the feed cursor never passes one that commits later.
    Rows are locked in agency order so two publishers cannot deadlock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*_counters_bump(counts))
            rows = cursor.fetchall()
        return {agency_id: last - counts[agency_id] + 1 for agency_id, last in rows}
    FeedCounter.objects.bulk_create(
        [FeedCounter(agency_id=agency_id) for agency_id in counts], ignore_conflicts=True
    )
    first: dict[int, int] = {}
    for agency_id in sorted(counts):
        FeedCounter.objects.filter(pk=agency_id).update(last_seq=F("last_seq") + counts[agency_id])
        last = FeedCounter.objects.values_list("last_seq", flat=True).get(pk=agency_id)
        first[agency_id] = last - counts[agency_id] + 1
    return first


def _insert_at_positions(rows: list[Delivery], counts: dict[int, int]) -> None:
    """PostgreSQL: take the feed positions (as `_seqs_allocate`) and insert the
    deliveries at them in one statement; sets each row's seq and id.

    One round trip fewer inside the section that holds the counters' locks. The
    rows travel as one JSON parameter (see agencies.db); each carries in `seq`
    how far before its recipient's new last_seq it sits: the k-th of n rows
    gets last_seq - (n - k).
    """
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    fields = [field for field in Delivery._meta.concrete_fields if not field.primary_key]
    taken: dict[int, int] = defaultdict(int)
    records = []
    for row in rows:
        taken[row.recipient_id] += 1
        row.seq = counts[row.recipient_id] - taken[row.recipient_id]
        records.append(json_record(row, fields))
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(
        "counter.last_seq - r.seq" if field.attname == "seq" else f"r.{quote(field.column)}"
        for field in fields
    )
    counter_sql, params = _counters_bump(counts)
    # Table and column names come from the model; every value is a bound parameter.
    sql = (
        f"WITH counter AS ({counter_sql}) "  # noqa: S608
        f"INSERT INTO {table} ({columns}) SELECT {values} "
        f"FROM json_populate_recordset(NULL::{table}, %s) r "
        "JOIN counter ON counter.agency_id = r.recipient_id "
        "RETURNING id, webhook_id, seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, json.dumps(records)])
        stored = {webhook_id: (pk, seq) for pk, webhook_id, seq in cursor.fetchall()}
    for row in rows:
        row.pk, row.seq = stored[row.webhook_id]
        row._state.adding = False
        row._state.db = connection.alias


def _write(
    plans: list[_Plan], webhook_events: dict[int, list[str] | None] | None = None
) -> list[Delivery]:
    """Write the planned deliveries with their feed positions; enqueue after commit.

    `webhook_events`: what the caller already knows of the recipients' active
    webhook endpoints (the events taken, None for no endpoint); the others are
    read here.
    """
    if not plans:
        return []
    now = timezone.now()
    webhook_events = dict(webhook_events or {})
    unknown = {plan.recipient.pk for plan in plans} - webhook_events.keys()
    if unknown:
        webhook_events.update(dict.fromkeys(unknown))
        webhook_events.update(_active_endpoints(unknown))
    counts: dict[int, int] = defaultdict(int)
    for plan in plans:
        counts[plan.recipient.pk] += 1
    rows = []
    for plan in plans:
        events = webhook_events[plan.recipient.pk]
        wants_webhook = events is not None and WebhookEndpoint.takes(events, plan.event)
        rows.append(
            Delivery(
                recipient=plan.recipient,
                agreement=plan.agreement,
                originator=plan.item.originator,
                item_type=plan.item_type,
                item_id=plan.item.item_id,
                item_version=plan.version,
                event=plan.event,
                token=plan.token,
                withheld_classes=list(plan.withheld),
                reissued=plan.reissued,
                # Without a webhook the delivery is complete once it is in the feed.
                state=DeliveryState.PENDING if wants_webhook else DeliveryState.DELIVERED,
                delivered_at=None if wants_webhook else now,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if len(rows) <= 100 and connection.vendor == "postgresql":
        _insert_at_positions(rows, dict(counts))
    else:
        next_seq = _seqs_allocate(dict(counts))
        for row in rows:
            row.seq = next_seq[row.recipient_id]
            next_seq[row.recipient_id] += 1
        if len(rows) <= 100:
            rows_insert(rows)  # ids returned by the INSERT
        else:
            bulk_insert(Delivery, rows)
            _ids_assign(rows)  # found again by (recipient, seq): COPY returns no ids
    to_send = [row.pk for row in rows if row.state == DeliveryState.PENDING]
    if to_send:
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=to_send))
    return rows


def _ids_assign(rows: list[Delivery]) -> list[Delivery]:
    """Give the rows just inserted their primary keys, found by (recipient, seq)."""
    ranges: dict[int, list[int]] = {}
    for row in rows:
        low_high = ranges.setdefault(row.recipient_id, [row.seq, row.seq])
        low_high[0] = min(low_high[0], row.seq)
        low_high[1] = max(low_high[1], row.seq)
    condition = Q()
    for recipient_id, (low, high) in ranges.items():
        condition |= Q(recipient_id=recipient_id, seq__gte=low, seq__lte=high)
    ids = {
        (recipient_id, seq): pk
        for recipient_id, seq, pk in Delivery.objects.filter(condition).values_list(
            "recipient_id", "seq", "pk"
        )
    }
    for row in rows:
        row.pk = ids[(row.recipient_id, row.seq)]
        row._state.adding = False
        row._state.db = "default"
    return rows


def deliveries_enqueue(*, delivery_ids: list[int]) -> None:
    """Hint the workers (after commit). Losing this is harmless: the sweeper re-enqueues."""
    from sharing import tasks  # tasks import services; import lazily to avoid a cycle

    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(enqueued_at=timezone.now())
    try:
        if len(delivery_ids) <= 200:
            for delivery_id in delivery_ids:
                tasks.delivery_send.delay(delivery_id)
        else:
            # Bulk publishing: fewer, larger messages.
            for start in range(0, len(delivery_ids), 50):
                tasks.deliveries_send.delay(delivery_ids[start : start + 50])
    except Exception:
        # The broker is down: the rows are committed, the sweeper will send them.
        logger.exception("could not enqueue %d deliveries; the sweeper will", len(delivery_ids))


def _plan_for(
    item: ShareableItem,
    decision: Decision,
    agreement: Agreement,
) -> _Plan:
    reissue = agreement.attribution == "must-not"
    issuer_jwt = item.issuer_jwt
    if reissue:
        issuer_jwt = jwt_reissue(
            issuer_jwt=issuer_jwt, originator_country=agreement.provider.country
        )
    if item.is_presentation:
        token = presentation(issuer_jwt, (item.disclosures[i].encoded for i in decision.disclosed))
    else:
        token = issuer_jwt
    return _Plan(
        item=item,
        recipient=agreement.recipient,
        agreement=agreement,
        token=token,
        withheld=tuple(decision.withheld_classes),
        reissued=reissue,
        item_type=item.type,
        event=item.event,
        version=item.version,
    )


def _notice_plan(item: ShareableItem, previous: Delivery) -> _Plan:
    """A hub-signed retraction notice for a recipient no longer entitled to the new version."""
    originator = item.originator
    if previous.reissued and previous.agreement is not None:
        originator = attributed_originator(previous.agreement.provider.country)
    token = hub_sign(
        payload={
            "iss": hub_issuer(),
            "iat": int(time.time()),
            "kind": "retraction",
            "report_id": item.item_id,
            "version": item.version,
            "previous_version": previous.item_version,
            "reason": "no_longer_shared",
            "originator": originator,
        },
        typ=HUB_NOTICE_TYP,
    )
    return _Plan(
        item=item,
        recipient=previous.recipient,
        agreement=previous.agreement,
        token=token,
        withheld=(),
        reissued=True,
        item_type="retraction",
        event="report.retracted",
        version=item.version,
    )


def _latest_per_recipient(item_id: str) -> dict[int, Delivery]:
    """The latest delivery of `item_id` per recipient that got any version of it."""
    latest: dict[int, Delivery] = {}
    deliveries = (
        Delivery.objects.select_related("recipient", "agreement__provider")
        .filter(item_id=item_id, item_type__in=("report", "retraction"))
        .exclude(state=DeliveryState.CANCELLED)
        .order_by("pk")
    )
    for delivery in deliveries:
        latest[delivery.recipient_id] = delivery
    return latest


def items_distribute(*, items: Sequence[ShareableItem], actor: Actor) -> list[Delivery]:
    """Decide, audit and write the deliveries of many items in one go (bulk publishing).

    Must run inside the caller's transaction. Agreements are read once per
    originator and the rows are inserted in bulk, so ~15k sanctions updates
    cost a handful of queries per recipient rather than per item.

    The originators' agreements are read once, locked until the commit (with
    their recipients' webhook endpoints), and everything is decided on them.
    A suspend or terminate running meanwhile thus either waits for our commit
    and cancels what we wrote, or commits first and we decide on its new
    status: a publish cannot write a pending delivery under an agreement whose
    cancellation already ran. Callers distribute last in their transaction, so
    these locks are held only for its end. Audit records come last (the
    chain's head is the last lock any transaction takes): callers wrap their
    transaction's work in `audit_deferred()` so that the head is locked only
    right before their commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("distribute inside the publishing transaction")
    now = timezone.now()
    agreements = _agreements_locked(sorted({item.originator for item in items}))
    plans, audits = _decide(items, agreements, now)
    webhook_events = {
        agreement.recipient_id: agreement.webhook_events
        for by_id in agreements.values()
        for agreement in by_id.values()
    }
    deliveries = _write(plans, webhook_events)
    _audit_many(actor=actor, entries=audits)
    return deliveries


def _decide(
    items: Sequence[ShareableItem],
    agreements_by_originator: dict[str, dict[str, Agreement]],
    now: datetime,
) -> tuple[list[_Plan], list[dict[str, Any]]]:
    """The deliveries to write and the decision audit entries, for every item."""
    plans: list[_Plan] = []
    audits: list[dict[str, Any]] = []
    for item in items:
        agreements = agreements_by_originator[item.originator]
        decisions = decide_all(
            item_facts(item), [agreement_facts(a) for a in agreements.values()], now
        )
        audits.append(_decision_audit(item, decisions))
        entitled = set()
        for decision in decisions:
            if decision.deliver:
                entitled.add(decision.recipient)
                plans.append(_plan_for(item, decision, agreements[decision.agreement_id]))
        if item.event == "report.amended":
            plans.extend(_notices_for_amendment(item, entitled, audits))
    return plans, audits


def _notices_for_amendment(
    item: ShareableItem, entitled: set[str], audits: list[dict[str, Any]]
) -> list[_Plan]:
    notices = []
    for previous in _latest_per_recipient(item.item_id).values():
        if previous.recipient.code in entitled or previous.item_type != "report":
            continue
        notices.append(_notice_plan(item, previous))
        audits.append(
            {
                "agency": item.originator,
                "action": "share.notice",
                "object_type": "report",
                "object_id": f"{item.item_id}@{item.version}",
                "after": {
                    "recipient": previous.recipient.code,
                    "previous_version": previous.item_version,
                    "reason": "no_longer_shared",
                },
            }
        )
    return notices


def item_distribute(*, item: ShareableItem, actor: Actor) -> list[Delivery]:
    """Decide, audit and write the deliveries of one item; enqueue them after commit."""
    return items_distribute(items=[item], actor=actor)


def retraction_distribute(*, item: ShareableItem, actor: Actor) -> list[Delivery]:
    """Relay a retraction JWT to every agency that received any version of the report.

    No policy decision: whoever got the report must learn it was retracted,
    even if its agreement has since ended. The token is re-issued by the hub
    for recipients whose last copy was re-issued (attribution must-not).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("distribute inside the publishing transaction")
    plans = []
    relayed = []
    for previous in _latest_per_recipient(item.item_id).values():
        agreement = previous.agreement
        token = item.issuer_jwt
        if previous.reissued and agreement is not None:
            token = jwt_reissue(issuer_jwt=token, originator_country=agreement.provider.country)
        plans.append(
            _Plan(
                item=item,
                recipient=previous.recipient,
                agreement=agreement,
                token=token,
                withheld=(),
                reissued=previous.reissued,
                item_type=item.type,
                event=item.event,
                version=item.version,
            )
        )
        relayed.append(previous.recipient.code)
    deliveries = _write(plans)
    _audit_many(
        actor=actor,
        entries=[
            {
                "agency": item.originator,
                "action": "share.relay_retraction",
                "object_type": "report",
                "object_id": f"{item.item_id}@{item.version}",
                "after": {"recipients": sorted(relayed)},
            }
        ],
    )
    return deliveries


def agreement_deliveries_cancel(*, agreement: Agreement) -> int:
    """Stop every delivery still waiting under `agreement` (suspended or terminated).

    Call inside the transaction that changes the agreement's status (the caller
    audits). A delivery being sent right now finishes; it cannot be recalled.
    Cancelled deliveries also leave the recipient's feed.
    """
    return Delivery.objects.filter(
        agreement=agreement, state__in=(DeliveryState.PENDING, DeliveryState.FAILED)
    ).update(state=DeliveryState.CANCELLED, last_error="agreement no longer active")


def agency_event_send(*, recipient: Agency, event: str, data: dict[str, Any]) -> Delivery | None:
    """Send a webhook-only event (e.g. `screening.hit`) to `recipient`'s endpoint.

    Not part of the feed. Returns None when the agency has no endpoint taking
    the event. Call inside the transaction that produced the event.
    """
    events = _active_endpoints([recipient.pk]).get(recipient.pk)
    if events is None or not WebhookEndpoint.takes(events, event):
        return None
    with transaction.atomic():
        delivery = Delivery.objects.create(
            recipient=recipient,
            originator=hub_issuer(),
            item_type="event",
            item_id=str(data.get("id", ""))[:200],
            event=event,
            # Stored (and later sent) as plain JSON: dates and UUIDs become strings.
            payload=json.loads(json.dumps(data, default=str)),
        )
        delivery_ids = [delivery.pk]
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=delivery_ids))
    return delivery


WEBHOOK_TEST_EVENT = "webhook.test"


def webhook_test_send(*, agency: Agency) -> Delivery | None:
    """Queue a signed `webhook.test` event to `agency`'s endpoint.

    None when the agency has no active endpoint, or its endpoint takes only
    selected events (a test goes to endpoints that take every event).
    """
    with transaction.atomic():
        return agency_event_send(
            recipient=agency,
            event=WEBHOOK_TEST_EVENT,
            data={
                "id": f"test-{timezone.now():%Y%m%dT%H%M%S}",
                "agency": agency.code,
                "test": True,
            },
        )
