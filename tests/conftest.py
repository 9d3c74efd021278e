"""Fixtures for the browser tests: one Streamlit server and one headless Chromium per session.

The server and browser plumbing lives in :mod:`tests.server` so that
``scripts/screenshot.py`` and ``bench/bench_pages.py`` reuse it.

Without Chromium or Playwright the browser tests are skipped locally, but fail
when ``CI=true``: a browser test that silently skips in CI tests nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.server import (ROOT, SHARED, ServerError, chromium_path, full_page_screenshot, launch_chromium, streamlit_server,
                          wait_until_rendered)

OUTPUT = ROOT / "test-output"
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}


# The paper lies in shared/, beside the checkout (as on developers' machines and in CI).
# $CRATUS_PAPER points elsewhere (e.g. a worktree that is not beside shared/).
PAPER = Path(os.environ.get("CRATUS_PAPER") or SHARED / "paper" / "cratus-phase2.txt")


@pytest.fixture(scope="session")
def paper_text() -> str:
    """The paper's text with whitespace runs as one space (every quote in data/ is checked against it)."""
    if not PAPER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the paper's text is missing at {PAPER}")
        pytest.skip("the paper's text is not beside this checkout")
    return re.sub(r"\s+", " ", PAPER.read_text(encoding="utf-8"))


def _unavailable(reason: str):
    """Skip, or fail in CI, when a browser test cannot run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """``test-output/`` (git-ignored): screenshots and server logs."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def app_server(output_dir):
    """Base URL of ``streamlit run app.py``, started once from the repo root for the session."""
    try:
        with streamlit_server(log_path=output_dir / "streamlit.log") as (base_url, _process):
            yield base_url
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    if chromium_path() is None:
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except Exception as error:  # noqa: BLE001 - any launch failure means "no browser"
            _unavailable(f"chromium did not start: {error}")
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page (its own browser context, so its own Streamlit session) per test."""
    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def url_of(base_url: str, path: str) -> str:
    """``base_url`` joined with a page path such as ``""``, ``"baseline"`` or ``"baseline?arms=100M"``."""
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def open_page(page, base_url: str, path: str = "", viewport: dict | None = None, heading: str | None = None,
              timeout: float = 60_000, heading_selector: str = "h1"):
    """Open *path* of the app and wait until Streamlit has finished running it.

    Waits for ``[data-testid="stApp"]``, for the script run to end (no running
    status widget), for the network to go idle and for the ``h1`` (or
    *heading_selector*, e.g. :data:`tests.server.PRESENTATION_TITLE`) containing
    *heading* when given.  Returns *page*.
    """
    page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
    page.goto(url_of(base_url, path))
    wait_until_rendered(page, heading=heading, timeout=timeout, heading_selector=heading_selector)
    return page


def with_query(path: str, **params: str) -> str:
    """*path* with more query parameters: ``with_query("functional?arms=100M", present="1")``."""
    extra = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{path}{'&' if '?' in path else '?'}{extra}" if extra else path


def assert_no_exception(page) -> None:
    """Fail with the exception's text when the page shows a Streamlit error box."""
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        texts = "\n---\n".join(text[:2000] for text in exceptions.all_inner_texts())
        pytest.fail(f"the page shows {exceptions.count()} exception(s) at {page.url}:\n{texts}", pytrace=False)


def page_slug(path: str) -> str:
    """A file-name-safe name for a page path: ``""`` is ``overview``."""
    name = path.split("?", 1)[0].strip("/") or "overview"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def save_screenshot(page, name: str) -> Path:
    """A full-page screenshot ``test-output/<name>.png`` (the whole scrolled page, not just the window)."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    full_page_screenshot(page, path)
    return path



# --- the kinds of tests ---------------------------------------------------------------------------
#: Markers that say what a test runs (pyproject.toml describes them).  A test with none of the others is a unit
#: test; a test that opens the app in ``streamlit.testing`` must be marked ``page`` (checked below).
KINDS = ("unit", "page", "browser", "package")
_RUNNING: dict = {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark every test of no other kind ``unit``, before ``-m`` selects (``python -m pytest -m unit``)."""
    for item in items:
        if not any(item.get_closest_marker(kind) for kind in KINDS):
            item.add_marker(pytest.mark.unit)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _RUNNING["item"] = item


def _page_tests_are_marked() -> None:
    """A test (or the fixture it sets up) that runs the app fails unless it is marked ``page``, so that
    ``-m unit`` stays quick and a page test is never counted as a unit test."""
    from streamlit.testing.v1 import AppTest

    from_file = AppTest.from_file.__func__

    def checked(cls, *args, **kwargs):
        item = _RUNNING.get("item")
        if item is not None and item.get_closest_marker("page") is None:
            pytest.fail(f"{item.nodeid} runs the app in streamlit.testing: mark it @pytest.mark.page", pytrace=False)
        return from_file(cls, *args, **kwargs)

    AppTest.from_file = classmethod(checked)


_page_tests_are_marked()
