"""`./cordon demo`: migrate, seed the demo world, then run web, worker and beat.

    python -m hub.demo [--bind HOST:PORT] [--web gunicorn|runserver] [--seed-only]

With no DATABASE_URL / REDIS_URL it runs on the embedded default (SQLite and
a filesystem Celery broker under var/); with them, on PostgreSQL and Redis.
Ctrl-C (or SIGTERM) stops every process it started. Running it again is safe:
seeding only adds what is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
STOP_TIMEOUT_SECONDS = 20


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./cordon demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bind",
        default=os.environ.get("CORDON_BIND", "127.0.0.1:8000"),
        help="address of the web server (default: $CORDON_BIND or %(default)s)",
    )
    parser.add_argument(
        "--web",
        choices=("gunicorn", "runserver"),
        default=os.environ.get("CORDON_WEB", "gunicorn"),
        help="web server (default: %(default)s)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="gunicorn worker processes (default: $WEB_CONCURRENCY or %(default)s)",
    )
    parser.add_argument("--seed-only", action="store_true", help="migrate and seed, then exit")
    parser.add_argument(
        "--no-sanctions",
        action="store_true",
        help="skip importing the OFAC list (faster first start; screening finds nothing)",
    )
    return parser.parse_args(argv)


def prepare(*, sanctions: bool):
    """Migrate, collect static files and seed; return the seeded world."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from hub.demo_world.seed import world_seed

    database = settings.DATABASES["default"]
    where = (
        f"PostgreSQL {database['NAME']} on {database['HOST'] or 'localhost'}"
        if database["ENGINE"].endswith("postgresql")
        else f"SQLite {database['NAME']}"
    )
    broker = "Redis " + settings.REDIS_URL if settings.REDIS_URL else "embedded filesystem broker"
    say(f"database: {where}")
    say(f"broker:   {broker}")
    say("migrating")
    call_command("migrate", interactive=False, verbosity=0)
    say("collecting static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    say("seeding the demo world")
    return world_seed(say=say, sanctions=sanctions)


def commands(args: argparse.Namespace, var_dir: Path) -> dict[str, list[str]]:
    python = sys.executable
    if args.web == "gunicorn":
        web = [
            python, "-m", "gunicorn", "config.wsgi:application",
            "--bind", args.bind,
            "--workers", str(args.web_workers),
            "--access-logfile", "-",
            "--graceful-timeout", "10",
            # A worker's first screening builds the register's index (seconds).
            "--timeout", "120",
        ]  # fmt: skip
    else:
        web = [python, "manage.py", "runserver", "--noreload", args.bind]
    return {
        "web": web,
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            # Threads: deliveries wait on the network, not the CPU, and a
            # threads pool stops in a few seconds on Ctrl-C.
            "--pool=threads",
            "--concurrency=4",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={var_dir / 'celerybeat-schedule'}",
        ],
    }


class Supervisor:
    """Start child processes in their own process groups; stop them all together."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own fixed commands
            command,
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own process group: the terminal's Ctrl-C reaches only us, and we
            # stop the children in order instead of all at once.
            start_new_session=True,
        )
        log.close()

    def exited(self) -> list[tuple[str, int]]:
        return [
            (name, process.returncode)
            for name, process in self.processes.items()
            if process.poll() is not None
        ]

    def stop(self) -> None:
        """SIGTERM to each main process (a warm shutdown: gunicorn and celery
        stop their own children), SIGKILL to whatever is left after the timeout."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in {STOP_TIMEOUT_SECONDS}s; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def web_ready(bind: str, timeout: float = 60.0) -> bool:
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - connecting, not binding
        host = "127.0.0.1"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def banner(world, *, url: str, log_dir: Path) -> None:
    say()
    say("=" * 72)
    say(f"Cordon is running at {url}")
    say(f"  API docs   {url}api/docs/")
    say(f"  admin      {url}admin/   (operator@HUB)")
    say(f"  logs       {log_dir}/web.log, worker.log, beat.log")
    say()
    say(
        "Demo logins (password for everyone: %s)"
        % (world.logins[0].password if world.logins else "")
    )
    for login in world.logins:
        say(f"  {login.username:<24} {login.role:<13} {login.agency}")
    say()
    say("API tokens (Authorization: Token <token>)")
    for code, (role, secret) in world.tokens.items():
        say(f"  {code:<11} {role:<10} {secret}")
    say()
    say("Try:")
    token = world.tokens.get("DE-CUSTOMS", ("", ""))[1]
    say(f'  curl -H "Authorization: Token {token}" {url}api/v1/reports/')
    say()
    say("Ctrl-C stops web, worker and beat.")
    say("=" * 72)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    os.chdir(PROJECT_DIR)
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    world = prepare(sanctions=not args.no_sanctions)
    if args.seed_only:
        say("seeded; not starting any process (--seed-only)")
        return 0

    from django.conf import settings

    var_dir = Path(settings.VAR_DIR)
    log_dir = var_dir / "log"
    supervisor = Supervisor(log_dir)
    stopping = False

    def on_signal(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    for name, command in commands(args, var_dir).items():
        say(f"starting {name}")
        supervisor.start(name, command)
    host, _, port = args.bind.rpartition(":")
    url = f"http://{host}:{port}/"
    status = 0
    if web_ready(args.bind) and not supervisor.exited():
        banner(world, url=url, log_dir=log_dir)
    else:
        say(f"the web server did not come up on {args.bind}; see {log_dir}/web.log")
        stopping, status = True, 1
    while not stopping:
        dead = supervisor.exited()
        if dead:
            for name, code in dead:
                say(f"{name} exited with status {code}; see {log_dir}/{name}.log")
            status = 1
            break
        time.sleep(0.5)
    say("stopping web, worker and beat")
    supervisor.stop()
    say("stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
