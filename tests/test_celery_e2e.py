"""End to end: a real Celery worker on Redis runs what a transaction commits.

The worker is a separate `celery -A config worker` process on the test
database; everything is observed through the database, nothing is mocked.
The probe tasks below are loaded into the worker with `-I`.
"""

import time

import pytest
from django.db import transaction

from agencies.models import Agency
from config.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THIS_MODULE = __name__


@app.task(name="tests.probe_agency_rename")
def probe_agency_rename(code: str, name: str) -> None:
    """Rename an agency the enqueuing transaction created (so it must be committed)."""
    updated = Agency.objects.filter(code=code).update(name=name)
    if updated != 1:
        raise LookupError(f"agency {code} not visible to the worker")


def agency_name_when(code: str, expected: str, timeout: float = 20.0) -> str | None:
    """The agency's name once it equals `expected` (or the last name seen at timeout)."""
    deadline = time.monotonic() + timeout
    name = None
    while time.monotonic() < deadline:
        name = Agency.objects.filter(code=code).values_list("name", flat=True).first()
        if name == expected:
            return name
        time.sleep(0.05)
    return name


def broker_queue_length() -> int:
    with app.connection_for_read() as connection:
        return connection.default_channel.client.llen("celery")


def test_task_enqueued_on_commit_runs_in_the_worker(celery_worker_factory):
    celery_worker_factory("worker", args=["-I", THIS_MODULE])

    with transaction.atomic():
        Agency.objects.create(code="DE-PROBE", name="before", country="DE", kind="customs")
        transaction.on_commit(lambda: probe_agency_rename.delay("DE-PROBE", "renamed by worker"))

    assert agency_name_when("DE-PROBE", "renamed by worker") == "renamed by worker"


def test_task_enqueued_in_a_rolled_back_transaction_never_runs(celery_worker_factory):
    worker = celery_worker_factory("worker", args=["-I", THIS_MODULE])
    Agency.objects.create(code="FR-PROBE", name="before", country="FR", kind="customs")

    def change_then_abort() -> None:
        with transaction.atomic():
            Agency.objects.filter(code="FR-PROBE").update(name="changed in rolled back txn")
            transaction.on_commit(lambda: probe_agency_rename.delay("FR-PROBE", "must not happen"))
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError, match="abort"):
        change_then_abort()

    # A committed task sent afterwards on the same queue: once the solo worker
    # has run it, anything enqueued before it would have run too.
    with transaction.atomic():
        Agency.objects.create(code="NL-PROBE", name="before", country="NL", kind="customs")
        transaction.on_commit(lambda: probe_agency_rename.delay("NL-PROBE", "marker"))
    assert agency_name_when("NL-PROBE", "marker") == "marker"

    assert Agency.objects.get(code="FR-PROBE").name == "before"
    assert broker_queue_length() == 0
    assert "tests.probe_agency_rename" in worker.log()
    assert "must not happen" not in worker.log()


def test_embedded_filesystem_broker_carries_tasks_between_processes(
    celery_worker_factory, tmp_path
):
    """The embedded default (no REDIS_URL): web and worker share var/broker/ folders."""
    from celery import Celery

    var_dir = tmp_path / "var"
    celery_worker_factory(
        "worker", env={"REDIS_URL": "", "CORDON_VAR_DIR": str(var_dir)}, args=["-I", THIS_MODULE]
    )
    # What config/settings.py configures without REDIS_URL, for that CORDON_VAR_DIR.
    sender = Celery("sender")
    sender.conf.broker_url = "filesystem://localhost//"
    sender.conf.broker_transport_options = {
        "data_folder_in": str(var_dir / "broker" / "queue"),
        "data_folder_out": str(var_dir / "broker" / "queue"),
        "processed_folder": str(var_dir / "broker" / "processed"),
        "control_folder": str(var_dir / "broker" / "control"),
        "store_processed": False,
    }
    Agency.objects.create(code="GB-PROBE", name="before", country="GB", kind="customs")

    sender.send_task("tests.probe_agency_rename", args=["GB-PROBE", "via the filesystem"])

    assert agency_name_when("GB-PROBE", "via the filesystem") == "via the filesystem"
