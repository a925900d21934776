"""The partner feed (DESIGN 4): every delivery of a recipient, in feed order.

The cursor is opaque to partners; inside it is the last `seq` they were
given. Because `seq` is assigned per recipient under a row lock held until the
publishing transaction commits, reading `seq > cursor` in order never skips an
item that commits late and never repeats one.
"""

from dataclasses import dataclass
from typing import Any

from agencies.errors import MalformedRequest
from agencies.models import Agency
from sharing.cursor import CursorError, cursor_encode
from sharing.cursor import cursor_decode as cursor_value
from sharing.models import Agreement, Delivery, DeliveryState

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
        # Beyond DESIGN 4's fields: what was left out, and the agreement's
        # handling terms (IEP 2.0), shown to the recipient with each item.
        "withheld": delivery.withheld_classes,
        "handling": _handling(delivery.agreement) if delivery.agreement_id else None,
    }


def _handling(agreement: Agreement) -> dict[str, Any]:
    return {
        "attribution": agreement.attribution,
        "onward_sharing": agreement.onward_sharing,
        "permitted_actions": agreement.permitted_actions,
        "encrypt_in_transit": agreement.encrypt_in_transit,
        "affected_party_notifications": agreement.affected_party_notifications,
        "legal_basis": agreement.legal_basis,
    }


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
    """Up to `limit` items of `agency`'s feed after position `after`, in order."""
    rows = list(
        Delivery.objects.filter(recipient=agency, seq__gt=after)
        .exclude(state=DeliveryState.CANCELLED)
        .select_related("agreement")
        .order_by("seq")
        .only(*FEED_FIELDS, *(f"agreement__{name}" for name in HANDLING_FIELDS))[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if rows else after
    return FeedPage(items=[feed_item(row) for row in rows], next=cursor_encode(last), more=more)
