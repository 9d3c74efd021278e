"""The room and the pocket (issue 21): the deck's ending at 1920×1080 driven by the keyboard only, and the
Overview on a 390×844 touch phone.

Screenshots go to ``test-output/`` (git-ignored) under the names below.
"""

from __future__ import annotations

import re

import pytest
from conftest import DEFAULT_VIEWPORT, assert_no_exception, open_page, save_screenshot

from tests.server import PRESENTATION_TITLE, wait_until_rendered

PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PHONE_USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1")

_COUNTER = """() => { const c = document.querySelector('.st-key-deck_counter'); return c ? c.innerText : ""; }"""
_CHART_FONT_SIZES = """() => Array.from(document.querySelectorAll('.js-plotly-plot svg text'))
    .filter((t) => (t.textContent || '').trim() && t.getClientRects().length)
    .map((t) => ({text: t.textContent.trim().slice(0, 40), size: parseFloat(getComputedStyle(t).fontSize)}))"""
#: The lowest visible element of the main area, in px below the window's bottom (≤ 0: the slide fits).
_OVERHANG = """() => { const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const shown = Array.from(main.querySelectorAll('*')).filter((e) => e.getClientRects().length
        && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.st-key-deck_hidden_keys'));
    return Math.max(0, ...shown.map((e) => e.getBoundingClientRect().bottom)) - window.innerHeight; }"""


@pytest.fixture(scope="module")
def app_url(browser, app_server):
    """The shared server, after one session has opened the root page (see tests/test_browser.py's app_url)."""
    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    open_page(context.new_page(), app_server, "")
    context.close()
    return app_server


def _slide(page) -> tuple[int, int, str]:
    match = re.match(r"\s*(\d+) / (\d+)\s*·\s*(.*)", page.evaluate(_COUNTER).replace("\n", " "))
    assert match, page.evaluate(_COUNTER)
    return int(match.group(1)), int(match.group(2)), match.group(3).strip()


def _wait_for_slide(page, number: int) -> None:
    page.wait_for_function(
        """(n) => { const c = document.querySelector('.st-key-deck_counter');
                    return c && c.innerText.trim().startsWith(n + ' / '); }""", arg=number, timeout=30_000)
    wait_until_rendered(page, heading_selector=PRESENTATION_TITLE)


@pytest.mark.browser
def test_the_deck_ends_on_the_bottom_line_and_its_slides_read_from_the_back(browser, app_url):
    """Keyboard only at 1920×1080: End jumps to the last slide, which is the bottom line in sentences (safety,
    efficacy, the paper's limitation) and not a table; ← walks back through the safety slides, where Table 2
    is one slide, fits without scrolling and its text (and every chart's) is at least 22 px."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        open_page(page, app_url, "?present=1", PROJECTOR, heading_selector=PRESENTATION_TITLE)
        page.keyboard.press("End")
        _, total, _ = _slide(page)
        _wait_for_slide(page, total)
        number, _, section = _slide(page)
        assert (number, section) == (total, "Bottom line")
        main = page.locator('[data-testid="stMain"]')
        body = main.inner_text()
        # Results: no TE-SAE in 30 days; 0 of 20 treated patients, exact 95% upper bound 16.8%
        assert "0 of 20" in body and "16.8%" in body
        # Discussion: "This study is limited by a small sample size."
        assert "This study is limited by a small sample size." in body
        assert main.locator("table").count() == 0, "a table on the closing slide"
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.st-key-deck_bottom_line p'))
                                 .map((p) => parseFloat(getComputedStyle(p).fontSize))""")
        assert sizes and min(sizes) >= 22, sizes
        assert page.evaluate(_OVERHANG) <= 2
        save_screenshot(page, "deck-last-1920x1080")
        seen = []
        for step in range(1, 4):     # back through the safety section
            page.keyboard.press("ArrowLeft")
            _wait_for_slide(page, total - step)
            seen.append(_slide(page)[2])
            small = [f for f in page.evaluate(_CHART_FONT_SIZES) if f["size"] < 22]
            assert not small, (total - step, small[:5])
            assert page.evaluate(_OVERHANG) <= 2, f"slide {total - step} scrolls"
            save_screenshot(page, f"deck-last-minus-{step}-1920x1080")
        assert seen == ["Safety", "Safety", "Safety"]       # hospitalizations, antibodies, Table 2: one slide each
        table_font = page.evaluate("""() => parseFloat(getComputedStyle(
                                       document.querySelector('[data-testid=stMain] .cratus-table td')).fontSize)""")
        assert table_font >= 22, table_font
        assert "(1 of" not in page.locator(".st-key-deck_counter").inner_text()
        assert_no_exception(page)
    finally:
        context.close()


_SCROLL = """() => { const m = document.querySelector('[data-testid="stMain"]');
    return Math.max(window.scrollY, m ? m.scrollTop : 0); }"""


def _swipe_up(context, page, x: float, y: float) -> None:
    """A finger on (x, y) moving 300 px up, as touch events (Chromium's DevTools protocol)."""
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x + step, "y": y - 30 * step}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(800)


@pytest.mark.browser
def test_a_phone_gets_the_bottom_line_first_and_each_endpoint_with_its_reading(browser, app_url):
    """390×844, touch, a phone's user agent: the bottom line is on the first screen, before the endpoints; each
    endpoint is one card with its name and reading, its numbers a tap away inside the same card; a swipe that
    starts on a card scrolls the page."""
    context = browser.new_context(viewport=PHONE, user_agent=PHONE_USER_AGENT, is_mobile=True, has_touch=True,
                                  device_scale_factor=3)
    page = context.new_page()
    try:
        open_page(page, app_url, "", PHONE)
        assert_no_exception(page)
        save_screenshot(page, "overview-390x844-phone")
        safety = page.get_by_text("The bottom line", exact=False).first    # safety, efficacy, the limitation
        cards = page.locator(".cratus-card")
        from cratus.reading.display import bottom_line_table
        from cratus.study.model import load_study

        assert cards.count() == len(bottom_line_table(load_study()))
        assert safety.bounding_box()["y"] < 844                   # on the first screen
        assert safety.bounding_box()["y"] < cards.first.bounding_box()["y"]
        # no stacked table of the readings (it was ~90 rows, the endpoint's name on the first row only)
        assert page.locator("table", has_text="Reading").count() == 0
        names = cards.locator("h4")
        assert all(names.nth(i).inner_text().strip() for i in range(cards.count()))
        walk = cards.filter(has_text="6-minute walk distance").first
        assert "within-arm change" in walk.locator("p").inner_text()
        walk.scroll_into_view_if_needed()
        walk.locator("summary").tap()
        page.wait_for_timeout(300)
        details = walk.locator("dl").inner_text()
        # Results: "345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011" — read inside the card named 6-minute walk distance
        assert "345.9 → 410.7" in details and "p = .011" in details
        box = cards.nth(3).bounding_box()
        before = page.evaluate(_SCROLL)
        _swipe_up(context, page, box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700))
        assert page.evaluate(_SCROLL) > before + 100, "a swipe on a card did not scroll the page"
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        assert_no_exception(page)
    finally:
        context.close()
