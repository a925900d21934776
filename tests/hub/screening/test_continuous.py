"""Continuous screening (DESIGN 5): hits on publish, on register changes, once, and closed on delisting."""

import datetime

import pytest

from agencies.models import AuditRecord
from agencies.services import Actor
from hub.models import HitState, ScreeningHit
from hub.reports.services import report_publish
from hub.reports.signing import report_sign
from hub.screening import services
from sharing.models import Delivery, WebhookEndpoint
from tests.hub.reports.conftest import report_claims
from tests.hub.screening.conftest import LIST

pytestmark = pytest.mark.django_db


def broker_messages(queue: str) -> int:
    """Messages waiting in the Celery broker's queue (Redis or the embedded one)."""
    from config.celery import app

    with app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue).message_count


def party(name: str, kind: str = "person", role: str = "end_user", **extra) -> dict:
    return {"role": role, "type": kind, "name": name, **extra}


def publish_queued(agency, *parties, report: dict | None = None, version: int = 1):
    """Publish a report; its screening is only queued. Returns it and its claims."""
    claims = report or report_claims(parties=list(parties), version=version)
    token = report_sign(agency=agency, claims=claims)
    published = report_publish(caller_agency=agency, token=token, actor=Actor("alice", agency.code))
    assert published.screening == {"status": "queued"}
    return published, claims


def publish(agency, *parties, report: dict | None = None, version: int = 1):
    """Publish, then run the service of the screening task publishing queued (`.screened`)."""
    published, claims = publish_queued(agency, *parties, report=report, version=version)
    published.screened = services.report_parties_screen(report=published)
    return published, claims


def updates_apply(authority, *operations, effective=datetime.date(2030, 1, 2)):
    from hub.sanctions.services import sanctions_updates_apply, sanctions_updates_sign

    tokens = sanctions_updates_sign(
        authority=authority, list_name=LIST, operations=list(operations), effective=effective
    )
    return sanctions_updates_apply(caller_agency=authority, tokens=tokens, actor=Actor.system())


@pytest.fixture
def webhook(originator):
    return WebhookEndpoint.objects.create(
        agency=originator, url="https://hooks.de-customs.example/cordon", events=["screening.hit"]
    )


def test_publishing_a_report_with_a_listed_party_raises_one_alert(
    originator_sees_register, originator, webhook
):
    report, _ = publish(
        originator,
        party("Vladimir Putin", country="RU"),
        party(
            "Hartmann Praezisionstechnik GmbH", kind="organization", role="exporter", country="DE"
        ),
    )
    hit = ScreeningHit.objects.get()
    assert (hit.report_id, hit.agency, hit.entity_id, hit.state) == (
        report.pk,
        originator,
        "ofac-35096",
        "open",
    )
    assert hit.party_name == "Vladimir Putin"
    assert hit.lists == [LIST]
    assert hit.score >= 0.7
    assert "not in query: vladimirovich" in hit.explanation
    assert report.screened["hits"][0]["entity"] == "ofac-35096"
    assert report.screened["hits"][0]["new"] is True
    assert AuditRecord.objects.filter(action="screening.hit", object_id=str(hit.pk)).count() == 1
    event = Delivery.objects.get(event="screening.hit")
    assert event.recipient == originator
    assert event.payload["entity"]["id"] == "ofac-35096"
    assert event.payload["report"] == str(report.pk)


def test_the_same_hit_is_never_alerted_twice(originator_sees_register, originator, webhook):
    report, claims = publish(originator, party("Vladimir Putin", country="RU"))
    amended = dict(claims, version=2, title="Amended: same broker")
    publish(originator, report=amended)
    again = services.report_parties_screen(report=report)
    services.register_rescreen(entity_ids=["ofac-35096"])
    hit = ScreeningHit.objects.get()
    assert hit.alerts == 1
    assert hit.report_version == 2
    assert again["hits"][0]["new"] is False
    assert AuditRecord.objects.filter(action="screening.hit").count() == 1
    assert Delivery.objects.filter(event="screening.hit").count() == 1


def test_a_party_removed_by_an_amendment_closes_its_alert(originator_sees_register, originator):
    _report, claims = publish(originator, party("Vladimir Putin"), party("Maria Lindqvist"))
    publish(originator, report=dict(claims, version=2, parties=[party("Maria Lindqvist")]))
    hit = ScreeningHit.objects.get()
    assert hit.state == HitState.CLOSED
    assert hit.close_reason == "party_removed"


def test_an_entity_listed_after_publication_raises_a_hit(
    originator_sees_register,
    register,
    originator,
    webhook,
    rescreen_inline,
    django_capture_on_commit_callbacks,
):
    report, _ = publish(originator, party("Dmitri Ivanovich Kostrov", country="RU"))
    assert not ScreeningHit.objects.exists()
    listed = {
        "id": "ofac-99001",
        "schema": "Person",
        "properties": {"name": ["KOSTROV, Dmitriy Ivanovich"], "country": ["ru"]},
    }
    with django_capture_on_commit_callbacks(execute=True):
        updates_apply(register, ("ADD", listed))
    hit = ScreeningHit.objects.get()
    assert (hit.report_id, hit.entity_id, hit.state) == (report.pk, "ofac-99001", "open")
    assert Delivery.objects.filter(event="screening.hit", recipient=originator).count() == 1


def test_a_delisting_closes_the_alert(
    originator_sees_register,
    register,
    originator,
    rescreen_inline,
    django_capture_on_commit_callbacks,
):
    publish(originator, party("Vladimir Putin"))
    assert ScreeningHit.objects.get().state == HitState.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        updates_apply(register, ("DEL", {"id": "ofac-35096"}))
    hit = ScreeningHit.objects.get()
    assert hit.state == HitState.CLOSED
    assert hit.close_reason == "delisted"
    assert hit.closed_at is not None
    assert AuditRecord.objects.filter(action="screening.hit_close", object_id=str(hit.pk)).exists()


def test_a_relisting_reopens_and_alerts_again(
    originator_sees_register,
    register,
    originator,
    rescreen_inline,
    django_capture_on_commit_callbacks,
):
    from tests.hub.screening.conftest import PUTIN

    publish(originator, party("Vladimir Putin"))
    with django_capture_on_commit_callbacks(execute=True):
        updates_apply(register, ("DEL", {"id": "ofac-35096"}))
    with django_capture_on_commit_callbacks(execute=True):
        updates_apply(register, ("ADD", PUTIN), effective=datetime.date(2030, 1, 3))
    hit = ScreeningHit.objects.get()
    assert (hit.state, hit.alerts) == (HitState.OPEN, 2)


def test_an_agency_that_sees_no_list_gets_no_hits(register, partner):
    report, _ = publish(partner, party("Vladimir Putin"))
    assert report.screened == {"parties": 1, "lists": [], "hits": []}
    assert not ScreeningHit.objects.exists()


def test_publishing_queues_the_screening_for_after_the_commit(
    originator_sees_register, originator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        publish_queued(originator, party("Vladimir Putin"))
    assert not ScreeningHit.objects.exists()


def test_the_screening_task_screens_each_due_version_once(
    originator_sees_register, originator, webhook
):
    from hub.models import Report
    from hub.screening.tasks import reports_screen_task

    report, _ = publish_queued(originator, party("Vladimir Putin", country="RU"))
    assert Report.objects.get(pk=report.pk).screened_version == 0  # due

    assert reports_screen_task.run() == 1
    assert Report.objects.get(pk=report.pk).screened_version == 1
    hit = ScreeningHit.objects.get()
    assert hit.alerts == 1
    assert Delivery.objects.filter(event="screening.hit").count() == 1
    assert reports_screen_task.run() == 0  # nothing is due any more


def test_an_amendment_is_due_again_and_a_retracted_report_is_not(
    originator_sees_register, originator
):
    from hub.models import Report, ReportStatus

    report, claims = publish(originator, party("Vladimir Putin", country="RU"))
    publish(originator, report={**claims, "version": 2}, version=2)
    Report.objects.filter(pk=report.pk).update(screened_version=1)
    assert services.reports_due_screen() == 1
    assert Report.objects.get(pk=report.pk).screened_version == 2

    Report.objects.filter(pk=report.pk).update(screened_version=0, status=ReportStatus.RETRACTED)
    assert services.reports_due_screen() == 0


def test_a_report_that_cannot_be_screened_does_not_hold_up_the_others(
    originator_sees_register, originator
):
    from hub.models import Report, ReportVersion

    broken, _ = publish(originator, party("Vladimir Putin", country="RU"))
    fine, _ = publish(originator, party("Vladimir Putin", country="RU"))
    Report.objects.update(screened_version=0)
    ReportVersion.objects.filter(report=broken).delete()  # nothing left to screen

    services.reports_due_screen(batch=1)

    assert Report.objects.get(pk=fine.pk).screened_version == 1
    assert Report.objects.get(pk=broken.pk).screened_version == 0


def test_a_burst_of_publications_queues_one_screening_task(
    originator, django_capture_on_commit_callbacks
):
    """The hint is a flag in the shared cache: set by the first publication, cleared by the task."""
    from django.core.cache import cache

    from hub.screening.tasks import reports_screen_task

    queued = broker_messages("celery")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            publish_queued(originator, party("A B"))
    assert broker_messages("celery") == queued + 1
    assert cache.get(services.REPORTS_DUE_HINT)

    reports_screen_task.run()  # the task clears the flag first: the next publication hints
    assert cache.get(services.REPORTS_DUE_HINT) is None
    with django_capture_on_commit_callbacks(execute=True):
        publish_queued(originator, party("C D"))
    assert broker_messages("celery") == queued + 2


def test_beat_sweeps_for_reports_not_screened_yet():
    from django.conf import settings

    sweep = settings.CELERY_BEAT_SCHEDULE["screening-reports-sweep"]
    assert sweep["task"] == "screening.reports_screen"
    assert sweep["schedule"] == settings.SCREENING_SWEEP_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_published_report_is_screened_by_the_worker(
    celery_worker, originator_sees_register, originator
):
    import time

    report, _ = publish_queued(originator, party("Vladimir Putin", country="RU"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not ScreeningHit.objects.exists():
        time.sleep(0.1)
    hit = ScreeningHit.objects.get()
    assert (hit.report_id, hit.entity_id, hit.state) == (report.pk, "ofac-35096", "open")


def test_register_changes_are_rescreened_in_a_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.register_changed(entity_ids=["ofac-1", "ofac-1", "ofac-2"])
    assert len(callbacks) == 1


def test_a_retracted_report_is_not_rescreened(originator_sees_register, register, originator):
    from hub.models import Report, ReportStatus

    report, _ = publish(originator, party("Maria Lindqvist"))
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RETRACTED)
    counts = services.register_rescreen(entity_ids=["ofac-35096"])
    assert counts["reports"] == 0


def test_alerts_are_listed_for_their_agency_only(originator_sees_register, originator, partner):
    from hub.screening.selectors import report_hits, screening_hits_for

    report, _ = publish(originator, party("Vladimir Putin"))
    assert [hit.entity_id for hit in screening_hits_for(agency=originator)] == ["ofac-35096"]
    assert not screening_hits_for(agency=partner).exists()
    assert report_hits(report=report).count() == 1


def test_the_index_follows_register_changes_without_a_rebuild(
    register, originator_sees_register, originator
):
    from hub.screening.selectors import screening_index

    def found(name: str) -> list[str]:
        response = services.screen_parties(
            agency=originator, queries={"q": {"schema": "Person", "properties": {"name": [name]}}}
        )
        return [result["id"] for result in response["q"]["results"] if result["match"]]

    index = screening_index()
    renamed = {
        "id": "ofac-35096",
        "schema": "Person",
        "properties": {"name": ["PUTINOV, Vladislav Petrovich"]},
    }
    added = {
        "id": "ofac-99002",
        "schema": "Person",
        "properties": {"name": ["KOSTROV, Dmitriy Ivanovich"]},
    }
    updates_apply(register, ("MOD", renamed), ("ADD", added), ("DEL", {"id": "ofac-90003"}))
    assert found("Vladislav Petrovich Putinov") == ["ofac-35096"]
    assert found("Vladimir Vladimirovich Putin") == []
    assert found("Dmitriy Kostrov Ivanovich") == ["ofac-99002"]
    assert found("Khalid Yusuf Hamdan") == []
    assert screening_index() is index  # patched in place
    assert index.patched == 3
