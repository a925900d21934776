"""Publishing against a suspend running at the same time (real PostgreSQL, two connections).

Distribution reads the originator's agreements locked until its commit, so
whichever of the two commits first, no pending delivery survives under a
suspended agreement.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from sharing.models import Agreement, Delivery, DeliveryState, WebhookEndpoint
from sharing.services.agreements import agreement_suspend
from sharing.services.distribution import item_distribute
from tests.factories import TEST_ACTOR
from tests.sharing.builders import agreement_make, report_item

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def other_backend_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """True once another connection to our database is blocked on a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for our transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def in_thread(work):
    """Run `work` on its own connection; the thread and what it returned or raised."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_publish_waits_for_a_suspend_in_progress_and_decides_on_its_outcome(
    originator, partner, narrow_partner
):
    suspended = agreement_make(originator, partner)
    agreement_make(originator, narrow_partner)
    item = report_item(originator)

    def publish():
        with transaction.atomic():
            return [d.recipient.code for d in item_distribute(item=item, actor=TEST_ACTOR)]

    with transaction.atomic():
        agreement_suspend(agreement=suspended, actor=TEST_ACTOR)
        thread, outcome = in_thread(publish)
        assert other_backend_waits_for_a_lock()
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["value"] == [narrow_partner.code]
    assert not Delivery.objects.filter(recipient=partner).exists()


def test_a_suspend_waits_for_a_publish_in_progress_and_cancels_what_it_wrote(originator, partner):
    agreement = agreement_make(originator, partner)
    WebhookEndpoint.objects.create(agency=partner, url="https://partner.example/hook", events=[])
    item = report_item(originator)

    with transaction.atomic():
        [delivery] = item_distribute(item=item, actor=TEST_ACTOR)
        assert delivery.state == DeliveryState.PENDING
        thread, outcome = in_thread(
            lambda: agreement_suspend(
                agreement=Agreement.objects.get(pk=agreement.pk), actor=TEST_ACTOR
            )
        )
        assert other_backend_waits_for_a_lock()
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.CANCELLED
