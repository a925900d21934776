"""Celery tasks of screening: thin, they take ids and call a service."""

from celery import shared_task

from hub.screening import services


@shared_task(name="screening.register_rescreen", acks_late=True, ignore_result=True)
def register_rescreen_task(entity_ids: list[str]) -> dict[str, int]:
    """Re-screen stored reports' parties against changed register entities (idempotent)."""
    return services.register_rescreen(entity_ids=entity_ids)


@shared_task(name="screening.reports_screen", acks_late=True, ignore_result=True)
def reports_screen_task() -> int:
    """Screen every report whose latest version is not screened yet (idempotent)."""
    return services.reports_due_screen()
