"""How the collections date deliveries (no database needed)."""

from datetime import UTC, datetime, timedelta

from hub.taxii.collections import _feed_ordered

T = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def test_delivery_dates_increase_strictly_in_feed_order():
    # Feed order (seq): a bulk of three written at one instant, then one whose
    # time was taken before it waited for its feed position.
    times = [T, T, T, T - timedelta(seconds=1), T + timedelta(seconds=5)]
    added = None
    dated = []
    for created_at in times:
        added = _feed_ordered(added, created_at)
        dated.append(added)
    assert dated == sorted(set(dated))
    assert dated[0] == T
    assert dated[3] == T + timedelta(microseconds=3)  # late commit: after what came before
    assert dated[4] == T + timedelta(seconds=5)  # an in-order time is kept as is
