"""Browser tests: Playwright for Python driving Debian's Chromium (never its own download).

Without /usr/bin/chromium (or without the playwright package) these tests
skip, unless HUB_REQUIRE_SERVICES is set, as in CI: then they fail.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from agencies.models import Role
from agencies.services import member_create
from tests.factories import TEST_ACTOR

CHROMIUM = Path(os.environ.get("CORDON_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (.ci/system-packages installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (requirements-dev.txt)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """One browser per test module.

    Playwright's sync API keeps an event loop running in this thread while it is
    open, and Django refuses ORM calls under a running loop. The ORM calls these
    tests make between browser steps are plain synchronous code, so the check is
    lifted while the browser is open, and only then: the browser closes with its
    module, before any other test runs.
    """
    problem = _unavailable()
    if problem:
        if settings.HUB_REQUIRE_SERVICES:
            pytest.fail(f"HUB_REQUIRE_SERVICES is set but {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(chromium, live_server, settings) -> Iterator:
    # A private in-memory cache: sign-in throttling must not leak between tests.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "b"}
    }
    cache.clear()
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Confirmation dialogs (revoke, retract) are accepted, as the person would.
    page.on("dialog", lambda dialog: dialog.accept())
    # Anything the Content-Security-Policy blocks (an inline style, a script from
    # elsewhere) or any script error fails the test: the pages must work under it.
    # A page answering 400 with its form errors is fine; a missing asset is not.
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer) -> None:
        if answer.request.resource_type != "document" and answer.status >= 400:
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, f"browser console errors: {problems}"


@pytest.fixture
def person(transactional_db, settings):
    """person(agency, role, username) -> the username of a new member, with PASSWORD."""

    # Passwords hash slowly by design; these tests sign in several people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def build(agency, role: str = Role.READER, username: str | None = None) -> str:
        username = username or f"{agency.code.lower()}-{role}"
        member_create(
            agency=agency, username=username, password=PASSWORD, role=role, actor=TEST_ACTOR
        )
        return username

    return build


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/inbox/.*"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login/.*"))
