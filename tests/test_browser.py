"""The real app in a real browser: every page renders, without errors, with its charts.

One ``streamlit run app.py`` server and one Chromium for the whole session; a
fresh page (and so a fresh Streamlit session) per test.  Screenshots go to
``test-output/<page>-<width>x<height>.png``.

To test a new page, add one row to :data:`PAGES`.  ``test_every_page_is_tested``
fails when ``app.py`` registers a page that has no row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import DEFAULT_VIEWPORT, assert_no_exception, open_page, page_slug, save_screenshot, url_of

from tests.server import ROOT, streamlit_server, wait_until_rendered

#: (url path, substring of the page's h1, whether the page shows a Plotly chart
#: with the default arm selection).  One row per page registered in app.py.
PAGES = [
    ("", "CRATUS: allogeneic mesenchymal stem cells for aging frailty", False),
    ("baseline", "Baseline characteristics (Table 1)", True),
    ("safety", "Safety", True),
    ("functional", "Functional endpoints (Figure 2)", True),
    ("immune", "Immune markers (Figure 3)", True),
    ("quality_of_life", "Quality of life (Figure 4)", True),
    ("appraisal", "Appraisal", True),
]

VIEWPORTS = [DEFAULT_VIEWPORT]
CHART = ".js-plotly-plot .main-svg"
PRESSED_ARMS = '.st-key-arms [data-testid="stButtonGroup"] button[aria-pressed="true"]'


def registered_url_paths(app_file: Path = ROOT / "app.py") -> list[str]:
    """The url paths of the ``st.Page(...)`` calls in app.py (``""`` for the default page).

    Without ``url_path=``, Streamlit derives the path from the file name.
    """
    paths = []
    for node in ast.walk(ast.parse(app_file.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Page"):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        if isinstance(keywords.get("default"), ast.Constant) and keywords["default"].value is True:
            paths.append("")
        elif isinstance(keywords.get("url_path"), ast.Constant):
            paths.append(keywords["url_path"].value)
        elif node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            paths.append(re.sub(r"^[0-9_ -]+", "", Path(node.args[0].value).stem))
    return paths


def test_every_page_is_tested():
    registered = registered_url_paths()
    assert registered, "found no st.Page(...) in app.py"
    tested = [path for path, _, _ in PAGES]
    assert sorted(registered) == sorted(tested), (
        f"app.py registers {registered}, tests/test_browser.py PAGES lists {tested}: add or remove a row")


@pytest.fixture(scope="module")
def app_url(browser, app_server):
    """The shared server, after one session has opened the root page.

    Streamlit runs a ``pages/`` folder next to the main script as an old-style
    multipage app until a script run has called ``st.navigation``, so a deep
    link as the *first* request of a fresh server skips app.py.  That defect
    has its own test (``test_deep_link_on_fresh_server``); the other tests
    start from a server that has served the root page once.
    """
    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    open_page(context.new_page(), app_server, "")
    context.close()
    return app_server


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize(("path", "heading", "expects_chart"), PAGES, ids=[page_slug(p) for p, _, _ in PAGES])
def test_page_renders(page, app_url, path, heading, expects_chart, viewport):
    from playwright.sync_api import expect

    try:
        open_page(page, app_url, path, viewport, heading=heading)
        expect(page.locator("h1").filter(has_text=heading).first).to_be_visible()
        assert_no_exception(page)
        if expects_chart:
            expect(page.locator(CHART).first).to_be_visible(timeout=30_000)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than the {viewport['width']} px window"
        assert_no_exception(page)
    finally:
        save_screenshot(page, f"{page_slug(path)}-{viewport['width']}x{viewport['height']}")


@pytest.mark.browser
def test_arm_selection_from_url(page, app_url):
    """``?arms=100M&arms=Placebo`` (the labels the selector shows) opens the page with those two arms."""
    from playwright.sync_api import expect

    try:
        open_page(page, app_url, "baseline?arms=100M&arms=Placebo", heading="Baseline characteristics")
        assert_no_exception(page)
        pressed = page.locator(PRESSED_ARMS)
        try:
            expect(pressed).to_have_count(2)
        except AssertionError:
            pytest.fail(f"?arms=100M&arms=Placebo should select two arms; the sidebar shows "
                        f"{pressed.all_inner_texts()} selected and the address became {page.url} (a widget bound to "
                        "the URL reads each option by its *displayed* label, e.g. 'Placebo', not by its value)",
                        pytrace=False)
        assert sorted(t.strip().lower() for t in pressed.all_inner_texts()) == ["100m", "placebo"], \
            pressed.all_inner_texts()
        headers = " | ".join(page.locator('[data-testid="stDataFrame"]').first.locator('[role="columnheader"]')
                             .all_inner_texts())
        assert "100M" in headers and "Placebo" in headers and "200M" not in headers, headers
        assert "arms=100M" in page.url, page.url
    finally:
        save_screenshot(page, "baseline-arms-100M-placebo")


@pytest.mark.browser
def test_arm_selection_link_round_trips(browser, app_url):
    """Clicking an arm writes the selection into the URL; opening that URL restores it."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    try:
        first = open_page(context.new_page(), app_url, "safety", heading="Safety")
        pressed = first.locator(PRESSED_ARMS)
        expect(pressed).to_have_count(3)
        first.locator('.st-key-arms [data-testid="stButtonGroup"] button').last.click()  # drop one arm
        expect(pressed).to_have_count(2)
        expect(first).to_have_url(re.compile(r"[?&]arms="))
        wait_until_rendered(first, heading="Safety")
        kept = sorted(pressed.all_inner_texts())
        link = first.url

        second = context.new_page()
        second.goto(link)
        wait_until_rendered(second, heading="Safety")
        assert sorted(second.locator(PRESSED_ARMS).all_inner_texts()) == kept, link
        assert_no_exception(second)
    finally:
        context.close()


@pytest.mark.browser
def test_deep_link_on_fresh_server(browser):
    """A shared link to a page, as the first request to a just-started server, still runs app.py.

    Streamlit treats a ``pages/`` folder next to the main script as an old-style
    multipage app until ``st.navigation`` has run once in the process; the page
    file then runs alone (no app.py, no page config, navigation by file name).
    """
    from playwright.sync_api import expect

    with streamlit_server(log_path=ROOT / "test-output" / "streamlit-fresh.log") as (base_url, _process):
        context = browser.new_context(viewport=DEFAULT_VIEWPORT)
        try:
            page = context.new_page()
            page.goto(url_of(base_url, "safety"))
            page.wait_for_function(
                """() => document.querySelector('[data-testid="stApp"]')
                           ?.getAttribute("data-test-script-state") === "notRunning" """,
                timeout=60_000)
            save_screenshot(page, "safety-first-request")
            nav = page.locator('[data-testid="stSidebarNav"]')
            expect(nav.get_by_text("Overview", exact=True)).to_be_visible(timeout=15_000)
            expect(page.locator("h1").filter(has_text="Safety").first).to_be_visible(timeout=15_000)
            assert_no_exception(page)
        finally:
            context.close()
