"""The partner feed (DESIGN 4): every delivery of a recipient, in feed order.

The cursor is opaque to partners; inside it is the last `seq` they were
given. Because `seq` is assigned per recipient under a row lock held until the
publishing transaction commits, reading `seq > cursor` in order never skips an
item that commits late and never repeats one.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from agencies.errors import MalformedRequest
from agencies.models import Agency
from sharing.cursor import CursorError, cursor_encode
from sharing.cursor import cursor_decode as cursor_value
from sharing.models import Agreement, Delivery, DeliveryState

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # always microseconds, always UTC
FEED_MAX_LIMIT = 1000
FEED_DEFAULT_LIMIT = 100


def cursor_decode(cursor: str | None) -> int:
    """The seq a cursor stands for; 0 (the beginning) when absent."""
    if cursor is None or cursor == "":
        return 0
    try:
        return cursor_value(cursor)
    except CursorError as exc:
        raise MalformedRequest("after is not a feed cursor.", code="invalid_cursor") from exc


def feed_limit_parse(value: str | None) -> int:
    if value is None or value == "":
        return FEED_DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError as exc:
        raise MalformedRequest("limit must be an integer.", code="invalid_limit") from exc
    if not 1 <= limit <= FEED_MAX_LIMIT:
        raise MalformedRequest(
            f"limit must be between 1 and {FEED_MAX_LIMIT}.",
            code="invalid_limit",
            details={"min": 1, "max": FEED_MAX_LIMIT},
        )
    return limit


def _item(
    seq: int | None,
    item_type: str,
    item_id: str,
    version: int,
    token: str,
    agreement_id: Any,
    created_at: datetime,
    withheld: list[str],
    handling: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "type": item_type,
        "id": item_id,
        "version": version,
        "token": token,
        "agreement": str(agreement_id) if agreement_id else None,
        "delivered_at": created_at.astimezone(UTC).strftime(TIMESTAMP_FORMAT),
        # Beyond DESIGN 4's fields: what was left out, and the agreement's
        # handling terms (IEP 2.0), shown to the recipient with each item.
        "withheld": withheld,
        "handling": handling,
    }


def feed_item(delivery: Delivery) -> dict[str, Any]:
    """A delivery as the partner sees it in the feed and in a webhook's `data`."""
    handling = None
    if delivery.agreement_id:
        handling = {name: getattr(delivery.agreement, name) for name in HANDLING_FIELDS}
    return _item(
        delivery.seq,
        delivery.item_type,
        delivery.item_id,
        delivery.item_version,
        delivery.token,
        delivery.agreement_id,
        delivery.created_at,
        delivery.withheld_classes,
        handling,
    )


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    next: str
    more: bool


HANDLING_FIELDS = (
    "attribution",
    "onward_sharing",
    "permitted_actions",
    "encrypt_in_transit",
    "affected_party_notifications",
    "legal_basis",
)
FEED_FIELDS = (
    "seq",
    "item_type",
    "item_id",
    "item_version",
    "token",
    "agreement_id",
    "created_at",
    "withheld_classes",
)


def feed_page(*, agency: Agency, after: int, limit: int) -> FeedPage:
    """Up to `limit` items of `agency`'s feed after position `after`, in order.

    The hot path of a partner's sync: plain tuples rather than model instances,
    and each agreement's handling terms read once per page.
    """
    rows = list(
        Delivery.objects.filter(recipient=agency, seq__gt=after)
        .exclude(state=DeliveryState.CANCELLED)
        .order_by("seq")
        .values_list(*FEED_FIELDS)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    agreement_ids = {row[5] for row in rows if row[5]}
    handling = {
        values.pop("id"): values
        for values in Agreement.objects.filter(pk__in=agreement_ids).values("id", *HANDLING_FIELDS)
    }
    items = [_item(*row, handling.get(row[5])) for row in rows]
    last = rows[-1][0] if rows else after
    return FeedPage(items=items, next=cursor_encode(last), more=more)


def feed_page_json(*, agency: Agency, after: int, limit: int) -> bytes:
    """The feed page as the response body (`{"items", "next", "more"}`), ready to send.

    On PostgreSQL the database builds each item's JSON itself, so a page of
    1000 costs about what reading the rows costs; elsewhere (SQLite) the items
    are built in Python by feed_page. Both give the same document.
    """
    if connection.vendor != "postgresql":
        page = feed_page(agency=agency, after=after, limit=limit)
        return json.dumps(
            {"items": page.items, "next": page.next, "more": page.more},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    handling = ", ".join(f"'{name}', a.{name}" for name in HANDLING_FIELDS)
    sql = f"""
        SELECT d.seq, json_build_object(
            'seq', d.seq, 'type', d.item_type, 'id', d.item_id, 'version', d.item_version,
            'token', d.token, 'agreement', d.agreement_id::text,
            'delivered_at', to_char(d.created_at AT TIME ZONE 'UTC',
                                    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'withheld', d.withheld_classes,
            'handling', CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object({handling}) END
        )::text
        FROM {Delivery._meta.db_table} d
        LEFT JOIN {Agreement._meta.db_table} a ON a.id = d.agreement_id
        WHERE d.recipient_id = %s AND d.seq > %s AND d.state <> %s
        ORDER BY d.seq
        LIMIT %s
    """  # noqa: S608 - table and column names are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, after, DeliveryState.CANCELLED, limit + 1])
        rows = cursor.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else after
    tail = json.dumps({"next": cursor_encode(last), "more": more}, separators=(",", ":"))
    return ('{"items":[' + ",".join(row[1] for row in rows) + "]," + tail[1:]).encode()
