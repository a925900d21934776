"""The partner feed (DESIGN 4): every delivery of a recipient, in feed order.

The cursor is opaque to partners; inside it is the last `seq` they were
given. Because `seq` is assigned per recipient under a row lock held until the
publishing transaction commits, reading `seq > cursor` in order never skips an
item that commits late and never repeats one.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from agencies.errors import MalformedRequest
from agencies.models import Agency
from sharing.models import Delivery, DeliveryState

CURSOR_PREFIX = "cdnfeed1:"
FEED_MAX_LIMIT = 1000
FEED_DEFAULT_LIMIT = 100


def cursor_encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> int:
    """The seq a cursor stands for; 0 (the beginning) when absent."""
    if cursor is None or cursor == "":
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise MalformedRequest("after is not a feed cursor.", code="invalid_cursor") from exc
    if not raw.startswith(CURSOR_PREFIX) or not raw[len(CURSOR_PREFIX) :].isdigit():
        raise MalformedRequest("after is not a feed cursor.", code="invalid_cursor")
    return int(raw[len(CURSOR_PREFIX) :])


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


def feed_item(delivery: Delivery) -> dict[str, Any]:
    """A delivery as the partner sees it in the feed and in a webhook's `data`."""
    return {
        "seq": delivery.seq,
        "type": delivery.item_type,
        "id": delivery.item_id,
        "version": delivery.item_version,
        "token": delivery.token,
        "agreement": str(delivery.agreement_id) if delivery.agreement_id else None,
        "delivered_at": delivery.created_at.isoformat().replace("+00:00", "Z"),
    }


@dataclass(frozen=True)
class FeedPage:
    items: list[dict[str, Any]]
    next: str
    more: bool


FEED_FIELDS = (
    "seq",
    "item_type",
    "item_id",
    "item_version",
    "token",
    "agreement_id",
    "created_at",
)


def feed_page(*, agency: Agency, after: int, limit: int) -> FeedPage:
    """Up to `limit` items of `agency`'s feed after position `after`, in order."""
    rows = list(
        Delivery.objects.filter(recipient=agency, seq__gt=after)
        .exclude(state=DeliveryState.CANCELLED)
        .order_by("seq")
        .only(*FEED_FIELDS)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else after
    return FeedPage(items=[feed_item(row) for row in rows], next=cursor_encode(last), more=more)
