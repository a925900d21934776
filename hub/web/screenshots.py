"""Screenshots of the main pages for the README, taken from a running demo world.

    ./cordon demo --bind 127.0.0.1:8765 &      # seeds the demo world and serves it
    python -m hub.web.screenshots --url http://127.0.0.1:8765 --out docs/screenshots

Drives Debian's Chromium through Playwright (never a downloaded browser).
"""

import argparse
import logging
import re
import sys
from pathlib import Path

logger = logging.getLogger("hub.web.screenshots")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
VIEWPORT = {"width": 1200, "height": 760}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--password", default="cordon-demo", help="the demo logins' password")
    return parser.parse_args(argv)


class Shooter:
    def __init__(self, browser, *, url: str, out: Path, password: str) -> None:
        self.browser, self.url, self.out, self.password = browser, url.rstrip("/"), out, password
        self.page = None

    def session(self, username: str | None) -> None:
        if self.page is not None:
            self.page.context.close()
        context = self.browser.new_context(viewport=VIEWPORT, base_url=self.url)
        context.set_default_timeout(20_000)
        self.page = context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        if username:
            self.page.goto("/login/")
            self.page.get_by_label("Username").fill(username)
            self.page.get_by_label("Password").fill(self.password)
            self.page.get_by_role("button", name="Sign in").click()
            self.page.wait_for_url(re.compile(r".*/inbox/.*"))

    def shot(self, name: str) -> None:
        path = self.out / f"{name}.png"
        self.page.screenshot(path=str(path))
        logger.info("%s (%d bytes)", path, path.stat().st_size)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = arguments(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
        )
        shooter = Shooter(browser, url=args.url, out=args.out, password=args.password)
        page = lambda: shooter.page  # noqa: E731 - the current page changes per session

        shooter.session(None)
        page().goto("/login/")
        shooter.shot("sign-in")

        shooter.session("alice@DE-CUSTOMS")
        shooter.shot("inbox")
        page().set_viewport_size({"width": 768, "height": 1024})
        shooter.shot("inbox-tablet")
        page().set_viewport_size(VIEWPORT)
        # A narrow partner under attribution must-not: redacted, re-signed by the hub.
        shooter.session("aigerim@KZ-SRC")
        page().locator("#inbox-results tbody a").first.click()
        page().locator("#signature-state").wait_for()
        shooter.shot("inbox-item")

        shooter.session("alice@DE-CUSTOMS")
        page().goto("/reports/")
        page().locator("main tbody a").first.click()
        shooter.shot("report")
        page().goto("/reports/new/")
        page().get_by_label("Title").fill("Gyroscopes declared as toy parts, bound for Tehran")
        page().get_by_label("BIS-RF-3").check()
        page().get_by_label("BIS-RF-11").check()
        party = page().locator("#parties-rows .formset-row").first
        party.get_by_label("Role").select_option("broker")
        party.get_by_label("Type").select_option("person")
        party.get_by_label("Name").fill("Reza Tavakoli")
        party.get_by_label("Country").fill("IR")
        goods = page().locator("#goods-rows .formset-row").first
        goods.get_by_label("Description").fill("Fibre-optic gyroscopes")
        goods.get_by_label("HS code").fill("901420")
        goods.get_by_label("Control code").fill("7A003")
        goods.get_by_label("Value").fill("84000.00")
        goods.get_by_label("Currency").fill("EUR")
        page().get_by_role("button", name="Preview deliveries").click()
        page().locator("#preview-result table").wait_for()
        page().locator("#preview-title").scroll_into_view_if_needed()
        shooter.shot("compose")

        page().goto("/sanctions/?q=bank")
        shooter.shot("sanctions")
        page().goto("/screen/")
        names = "Bank Melli\nRosoboronexport\nАлександр Петров\nAcme Bakery Ltd"  # noqa: RUF001
        page().get_by_label("Names").fill(names)
        page().get_by_role("button", name="Screen").click()
        page().locator(".screen-result").first.wait_for()
        shooter.shot("screening")

        shooter.session("operator@HUB")
        page().goto("/manage/matrix/")
        shooter.shot("sharing-matrix")
        page().goto("/manage/agencies/DE-CUSTOMS/")
        shooter.shot("agency-keys-tokens")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
