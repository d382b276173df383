"""End-to-end checks in a real browser and by outside judges (W3C Nu Html Checker, axe-core).

They need Debian's chromium, Java, and `npm ci` (vnu-jar, axe-core). Where those
are missing the tests are skipped with the reason, unless REQUIRE_E2E is set, as
.ci/run sets it: there a missing tool fails the run instead of hiding it.
"""

import os

import pytest

from tests.e2e.judges import CHROMIUM, need
from tests.factories import approve_seed_content

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# live server's fixtures make here are ordinary blocking calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def site(live_server, django_db_serialized_rollback):
    """The seed content, approved, served over HTTP."""
    approve_seed_content()
    return live_server.url


@pytest.fixture
def browser():
    need(CHROMIUM, "Debian's chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
