"""Shared fixtures: persona agencies, authenticated API clients, real services.

Personas: DE-CUSTOMS (alice's agency) publishes; FR-DOUANE is an entitled
partner; NL-FIOD has a narrower agreement; XX-OUTSIDER must see nothing.

Real services: tests marked `@pytest.mark.services`, or using the `services`,
`celery_worker`, `celery_worker_factory` or `celery_beat` fixtures, need
PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). Without them they skip, unless
HUB_REQUIRE_SERVICES is set (as in CI): then they fail. `celery_worker` runs a
real `celery -A config worker` subprocess against the test database, so such
tests use `@pytest.mark.django_db(transaction=True)`: the worker only sees
committed rows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import agency_make, token_make

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def screening_hint_cleared():
    """Each test starts with no screening task hinted (the flag lives in the shared cache)."""
    from django.core.cache import cache

    from hub.screening.services import REPORTS_DUE_HINT

    cache.delete(REPORTS_DUE_HINT)


@pytest.fixture
def originator(db):
    return agency_make("DE-CUSTOMS", country="DE", kind="customs", name="German Customs")


@pytest.fixture
def partner(db):
    return agency_make("FR-DOUANE", country="FR", kind="customs", name="French Customs")


@pytest.fixture
def narrow_partner(db):
    return agency_make("NL-FIOD", country="NL", kind="intelligence", name="Dutch FIOD")


@pytest.fixture
def outsider(db):
    return agency_make("XX-OUTSIDER", country="XX", kind="partner", name="Outsider")


@pytest.fixture
def hub_operator(db):
    return agency_make("HUB", country="EU", kind="partner", name="Hub operator")


@pytest.fixture
def client_for(db):
    """client_for(agency, role) -> an APIClient authenticated with a fresh token."""

    def build(agency, role: str = Role.PUBLISHER, **token_options) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_make(agency, role, **token_options)}")
        return client

    return build


@pytest.fixture
def hub_admin_client(hub_operator, client_for):
    return client_for(hub_operator, Role.HUB_ADMIN)


# --- real services: PostgreSQL, Redis, Celery worker and beat -----------------

_services_problem: str | bool | None = False  # False: not checked yet


def _services_unavailable() -> str | None:
    """Why PostgreSQL + Redis cannot be used by this run, or None if they can."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    import psycopg
    import redis

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        return f"PostgreSQL does not answer: {error}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis does not answer at {settings.REDIS_URL}: {error}"
    return None


def services_check() -> None:
    """Skip the calling test when the real services are missing; fail in CI."""
    global _services_problem
    if _services_problem is False:
        _services_problem = _services_unavailable()
    if _services_problem:
        if settings.HUB_REQUIRE_SERVICES:
            pytest.fail(f"HUB_REQUIRE_SERVICES is set but this test {_services_problem}")
        pytest.skip(str(_services_problem))


@pytest.fixture
def services() -> None:
    """PostgreSQL and Redis are there (skip, or fail under HUB_REQUIRE_SERVICES)."""
    services_check()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # A test marked `services` gets the check even if it uses no service fixture.
    if item.get_closest_marker("services") is not None:
        services_check()


def _test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test DB)."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'], safe='')}"


def _broker_purge() -> None:
    """Drop messages left in the test broker by earlier tests or runs."""
    from config.celery import app

    with app.connection_for_write() as connection:
        app.control.purge(connection=connection)


class CeleryProcess:
    """A `celery -A config <worker|beat>` subprocess on the test DB and Redis.

    `start()` returns once the process says it is ready; `stop()` is a warm
    shutdown (SIGTERM), `kill()` a crash (SIGKILL to the whole process group),
    `restart()` starts it again with the same options. `log()` is its output.
    """

    READY_MARKERS = {"worker": " ready.", "beat": "beat: Starting..."}

    def __init__(self, kind: str, *, workdir: Path, env: dict[str, str], args: list[str]) -> None:
        self.kind = kind
        self.workdir = workdir
        self.env = env
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"{kind}-{uuid.uuid4().hex[:8]}.log"
        self.name = ""

    def command(self) -> list[str]:
        base = [sys.executable, "-m", "celery", "-A", "config"]
        if self.kind == "worker":
            self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
            return [
                *base,
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname={self.name}",
                *self.args,
            ]
        return [
            *base,
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.workdir / 'celerybeat-schedule'}",
            f"--pidfile={self.workdir / 'celerybeat.pid'}",
            *self.args,
        ]

    def start(self, timeout: float = 60.0) -> CeleryProcess:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.log_path = self.workdir / f"{self.kind}-{uuid.uuid4().hex[:8]}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches children
            )
        marker = self.READY_MARKERS[self.kind]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker in self.log():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.kind} exited early:\n{self.log()}")
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"celery {self.kind} not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL: as if the machine died mid-task (unacked work stays in the broker)."""
        if self.process is None:
            return
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        """Warm shutdown: finish the current task, then exit; SIGKILL if it hangs."""
        if not self.running:
            return
        assert self.process is not None
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Children of a prefork pool may outlive the parent for a moment.
        self._signal_group(signal.SIGKILL)

    def restart(self, timeout: float = 60.0) -> CeleryProcess:
        self.stop()
        return self.start(timeout=timeout)


@pytest.fixture
def celery_worker_factory(
    services, transactional_db, tmp_path_factory
) -> Iterator[Callable[..., CeleryProcess]]:
    """celery_worker_factory(kind="worker", env={...}, args=[...], start=True).

    Every process runs against this test's database and REDIS_URL, with
    CORDON_VAR_DIR in a temporary folder; `env` adds or overrides variables
    (settings changed with the `settings` fixture do NOT reach the subprocess:
    pass them here), `args` are extra celery arguments (e.g. `["-I",
    "tests.my_tasks"]` to load a module of test tasks, or `["--pool=prefork"]`).
    All processes are killed at teardown, before the database is flushed.
    """
    workdir = tmp_path_factory.mktemp("celery")
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CORDON_VAR_DIR": str(workdir / "var"),
        "CONN_MAX_AGE": "0",
        "CELERY_SKIP_CHECKS": "true",  # Django's system checks already ran here
        "PYTHONUNBUFFERED": "1",
    }
    _broker_purge()
    started: list[CeleryProcess] = []

    def make(
        kind: str = "worker",
        *,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        start: bool = True,
    ) -> CeleryProcess:
        process = CeleryProcess(
            kind, workdir=workdir, env={**base_env, **(env or {})}, args=list(args or [])
        )
        started.append(process)
        return process.start() if start else process

    yield make
    for process in reversed(started):
        process.stop(timeout=10)


@pytest.fixture
def celery_worker(celery_worker_factory) -> CeleryProcess:
    """One running Celery worker (solo pool) on the test database and Redis."""
    return celery_worker_factory("worker")


@pytest.fixture
def celery_beat(celery_worker_factory) -> CeleryProcess:
    """A running Celery beat with the project's CELERY_BEAT_SCHEDULE."""
    return celery_worker_factory("beat")
