"""The feed under concurrent publishers (real PostgreSQL): every item exactly once, in order.

Publishers hold their transaction open for a random while after writing the
deliveries, so transactions commit out of order, while a reader pages the
feed. A sequence taken from a plain auto-increment would let the reader's
cursor pass an item that commits late; the per-recipient lock must not.
"""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from agencies.models import Role
from sharing.models import Delivery
from sharing.services.distribution import item_distribute
from tests.factories import TEST_ACTOR
from tests.sharing.builders import agreement_make, report_item

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PUBLISHERS = 6
ITEMS_EACH = 8


class Rollback(Exception):
    pass


def test_concurrent_publishers_reader_sees_every_item_exactly_once(
    originator, partner, narrow_partner, client_for
):
    agreement_make(originator, partner)
    agreement_make(originator, narrow_partner)
    items = [[report_item(originator) for _ in range(ITEMS_EACH)] for _ in range(PUBLISHERS)]
    committed: list[str] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def publish(batch, seed):
        rng = random.Random(seed)
        try:
            for number, item in enumerate(batch):
                try:
                    with transaction.atomic():
                        item_distribute(item=item, actor=TEST_ACTOR)
                        time.sleep(rng.uniform(0, 0.05))  # commit late, out of order
                        if number % 5 == 4:
                            raise Rollback  # allocated positions are given back
                    committed.append(item.item_id)
                except Rollback:
                    pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    seen: list[dict] = []
    client = client_for(partner, Role.READER)

    def read():
        after = None
        try:
            while True:
                params = {"limit": 3, **({"after": after} if after else {})}
                body = client.get("/api/v1/feed/", params).json()
                seen.extend(body["items"])
                after = body["next"]
                if not body["more"] and done.is_set():
                    # One last page after every publisher finished.
                    body = client.get("/api/v1/feed/", {"after": after, "limit": 1000}).json()
                    seen.extend(body["items"])
                    return
                time.sleep(0.005)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    publishers = [
        threading.Thread(target=publish, args=(batch, seed)) for seed, batch in enumerate(items)
    ]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in publishers:
        thread.start()
    for thread in publishers:
        thread.join(60)
    done.set()
    reader.join(60)

    assert errors == []
    seqs = [item["seq"] for item in seen]
    assert seqs == sorted(seqs), "out of order"
    assert len(seqs) == len(set(seqs)), "repeated"
    assert sorted(item["id"] for item in seen) == sorted(committed), "skipped or phantom"
    # Rolled-back publications left no hole: positions are 1..N.
    assert seqs == list(range(1, len(committed) + 1))
    expected_rollbacks = PUBLISHERS * (ITEMS_EACH // 5)
    assert len(committed) == PUBLISHERS * ITEMS_EACH - expected_rollbacks
    assert Delivery.objects.filter(recipient=narrow_partner).count() == len(committed)
