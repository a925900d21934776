"""Celery tasks of distribution: thin, they take ids and call a service.

Sending is idempotent (a compare-and-set claim), so duplicate messages, the
on-commit hint and the sweeper racing are all harmless.
"""

import logging

from celery import shared_task

from sharing.services import webhooks

logger = logging.getLogger(__name__)


@shared_task(name="sharing.delivery_send", acks_late=True, ignore_result=True)
def delivery_send(delivery_id: int) -> str:
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="sharing.deliveries_send", acks_late=True, ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="sharing.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> int:
    """Re-enqueue every delivery that is due and not in flight (beat, every few seconds)."""
    from sharing.services.distribution import deliveries_enqueue

    due = webhooks.deliveries_due()
    if due:
        logger.info("sweeper re-enqueues %d deliveries", len(due))
        deliveries_enqueue(delivery_ids=due)
    return len(due)
