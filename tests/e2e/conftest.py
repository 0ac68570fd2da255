"""Browser tests: Playwright driving the system Chromium against pytest-django's live server.

Fixtures (reusable by every e2e test):
- `browser`: one headless Chromium per session, launched by path (env CHROMIUM_PATH, default
  the `chromium` on PATH); the tests are skipped when it is missing, unless REQUIRE_BROWSER=1
  (as in CI), where a missing browser fails them.
- `page`: a fresh context and page on the live server (base_url set, so `page.goto("/")` works);
  confirm() dialogs are accepted.
- `login_page(user, password=...)`: a separate context signed in through the login form, so
  several users can act in one test.
- `screenshot(page, name)`: saves test-artifacts/screenshots/<test>-<nn>-<name>.png.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DEFAULT_PASSWORD = "pass-1234-word"  # tests.factories.contest.UserFactory's password


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)")
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls (the
    # tests' own set-up and assertions) from a thread with a running loop unless allowed.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server):
    """Factory of browser contexts on the live server; all are closed after the test."""
    contexts = []

    def make(**kwargs):
        options = {"base_url": live_server.url, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
        options.update(kwargs)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _new_page(context):
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.fixture
def page(new_context):
    return _new_page(new_context())


@pytest.fixture
def login_page(new_context):
    """`login_page(user)` → a page of a new context, signed in through the login form."""

    def login(user, password: str = DEFAULT_PASSWORD, **context_options):
        page = _new_page(new_context(**context_options))
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return login


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "step-name")` saves a full-page PNG under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def shot(page, name: str) -> Path:
        counter["n"] += 1
        safe = re.sub(r"[^\w.-]+", "_", name)
        path = SCREENSHOTS / f"{test_name}-{counter['n']:02d}-{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot
