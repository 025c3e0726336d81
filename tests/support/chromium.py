"""Debian's Chromium for the browser tests: where it is, how it starts, when tests skip.

Playwright's Python package drives /usr/bin/chromium; nothing downloads a browser. Without it
the browser tests skip with that reason, except when REQUIRE_CHROMIUM is set (as `.ci/run`
does), where a missing browser is a failure.
"""

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

BROWSER_TEST_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("REQUIRE_CHROMIUM"),
        reason=f"needs Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)",
    ),
]


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def chromium_page():
    """A 1400x900 page in a fresh Chromium; the browser is closed whatever the test does."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 900})
        finally:
            browser.close()
