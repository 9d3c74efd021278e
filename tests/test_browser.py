"""The real app in a real browser: every page renders, without errors, with its charts, at every size.

One ``streamlit run app.py`` server and one Chromium for the whole session; a
fresh page (and so a fresh Streamlit session) per test.  Every page is opened
at three viewports — 1280×800, 1920×1080 in presentation mode (``?present=1``)
and a 390×844 phone — and screenshots go to
``test-output/<page>-<width>x<height>[-present].png``.

To test a new page, add one row to :data:`PAGES`.  ``test_every_page_is_tested``
fails when ``app.py`` registers a page that has no row.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import (DEFAULT_VIEWPORT, assert_no_exception, open_page, page_slug, save_screenshot, url_of,
                      with_query)

from tests.server import PRESENTATION_TITLE, ROOT, streamlit_server, wait_until_rendered

#: (url path, substring of the page's h1, whether the page shows a Plotly chart with the default arm
#: selection, the deck section that ``?present=1`` opens — shown in the deck's counter —, whether that
#: section's first slide is a chart).  One row per page registered in app.py.
PAGES = [
    ("", "CRATUS: allogeneic mesenchymal stem cells for aging frailty", False, "Study", False),
    ("baseline", "Baseline characteristics (Table 1)", True, "Baseline", False),
    ("safety", "Safety", True, "Safety", False),
    ("functional", "Functional endpoints (Figure 2)", True, "Functional (Figure 2)", True),
    ("immune", "Immune markers (Figure 3)", True, "Immune markers (Figure 3)", True),
    ("quality_of_life", "Quality of life (Figure 4)", True, "Quality of life (Figure 4)", True),
    ("data", "Data source", False, "Study", False),
    ("appraisal", "Appraisal", True, "Bottom line", False),   # the Appraisal opens the deck on its closing slide
    ("present", "", False, "Study", False),
]


@dataclass(frozen=True)
class Viewport:
    """A window size the app is tested at, and how the page is opened there."""

    width: int
    height: int
    label: str  # the end of the test id: "Baseline page at 1280x800 <label>"
    present: bool = False  # open the page with ?present=1
    sidebar_collapsed: bool = False  # the sidebar must start folded away

    @property
    def size(self) -> dict:
        return {"width": self.width, "height": self.height}

    @property
    def suffix(self) -> str:
        """``1920x1080-present``: the end of the screenshot's file name."""
        return f"{self.width}x{self.height}" + ("-present" if self.present else "")

    def address(self, path: str) -> str:
        return with_query(path, present="1") if self.present else path

    @property
    def title_selector(self) -> str:
        """Where the page title is: an ``h1``, or in presentation mode a caption at the top of the main area."""
        return PRESENTATION_TITLE if self.present else "h1"


DESKTOP = Viewport(DEFAULT_VIEWPORT["width"], DEFAULT_VIEWPORT["height"], "in the light theme")
PROJECTOR = Viewport(1920, 1080, "in presentation mode", present=True, sidebar_collapsed=True)
PHONE = Viewport(390, 844, "on a phone", sidebar_collapsed=True)
VIEWPORTS = [DESKTOP, PROJECTOR, PHONE]

CHART = ".js-plotly-plot .main-svg"
PRESSED_ARMS = '.st-key-arms [data-testid="stButtonGroup"] button[aria-pressed="true"]'


def registered_url_paths() -> list[str]:
    """The url paths of the pages app.py registers for the default study (``""`` for the default page)."""
    from cratus.study.model import load_study
    from ui.navigation import page_specs

    return [spec["url_path"] for spec in page_specs(load_study())]


def test_every_page_is_tested():
    registered = registered_url_paths()
    assert registered, "app.py registers no page"
    tested = [path for path, *_ in PAGES]
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


def page_name(path: str) -> str:
    """``"quality_of_life"`` -> ``"Quality of life"``; the default page is ``"Overview"``."""
    return page_slug(path).replace("_", " ").capitalize()


#: Visible Plotly charts (not in a closed expander or hidden tab): their main SVG's size and drawn traces.
_CHARTS = """() => {
    const TRACE = ".main-svg .trace";  // plotly.js 3: g.trace inside the cartesian layer (legend items are g.traces)
    const shown = (e) => !e.closest("details:not([open])")
        && (e.checkVisibility ? e.checkVisibility() : e.getClientRects().length > 0);
    return Array.from(document.querySelectorAll(".js-plotly-plot")).filter(shown).map((plot) => {
        const svg = plot.querySelector(".main-svg");
        const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        const title = plot.querySelector(".gtitle");
        return {svg: !!svg, width: box.width, height: box.height, traces: plot.querySelectorAll(TRACE).length,
                title: title ? title.textContent : ""};
    });
}"""

#: How wide the document and the main area are against the window.
_WIDTHS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {window: window.innerWidth, document: document.documentElement.scrollWidth,
            main_scroll: main ? main.scrollWidth : null, main_client: main ? main.clientWidth : null};
}"""

#: The outermost elements of the main area that stick out to the right of it and are not clipped by a
#: scrolling or hidden-overflow container of their own (tables and charts may scroll inside themselves).
_OVERFLOWING = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return [];
    const limit = Math.min(window.innerWidth, main.getBoundingClientRect().left + main.clientWidth) + 0.5;
    const clipped = (e) => {
        for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return a.getBoundingClientRect().right <= limit;
        }
        return false;
    };
    const out = Array.from(main.querySelectorAll("*")).filter((e) => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.right > limit && !clipped(e);
    });
    return out.filter((e) => !out.some((o) => o !== e && o.contains(e))).slice(0, 6).map((e) => {
        const owner = e.closest("[data-testid]");
        return `${owner ? owner.getAttribute("data-testid") + " > " : ""}${e.tagName.toLowerCase()}`
            + `${e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : ""}`
            + ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`
            + ` "${(e.innerText || e.textContent || "").trim().slice(0, 50)}"`;
    });
}"""

_APP_BACKGROUND = """() => getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor"""

#: Whether the sidebar takes no room: folded away to the left, or zero wide.
_SIDEBAR_FOLDED = """() => {
    const side = document.querySelector('[data-testid="stSidebar"]');
    if (!side) return true;
    const box = side.getBoundingClientRect();
    return box.width === 0 || box.right <= 0;
}"""


def assert_charts_drawn(page) -> None:
    """At least one Plotly chart is on screen, and every one has an SVG of non-zero size with a drawn trace."""
    from playwright.sync_api import expect

    expect(page.locator(CHART).first).to_be_visible(timeout=30_000)
    charts = page.evaluate(_CHARTS)
    assert charts, "no visible Plotly chart"
    empty = [c for c in charts if not (c["svg"] and c["width"] > 0 and c["height"] > 0 and c["traces"] > 0)]
    assert not empty, f"Plotly charts without a sized SVG or a drawn trace: {empty}"


def assert_no_horizontal_overflow(page, viewport: Viewport) -> None:
    """Neither the document nor the main area is wider than the window (inner scrolling is allowed)."""
    widths = page.evaluate(_WIDTHS)
    too_wide = widths["document"] > widths["window"] or (
        widths["main_scroll"] is not None and widths["main_scroll"] > widths["main_client"])
    if too_wide:
        culprits = page.evaluate(_OVERFLOWING)
        pytest.fail(f"at {viewport.width}x{viewport.height} the page overflows horizontally: document "
                    f"{widths['document']} px and main area {widths['main_scroll']} px wide, for a "
                    f"{widths['window']} px window and a {widths['main_client']} px main area. Sticking out: "
                    + ("; ".join(culprits) or "(no single element found)"), pytrace=False)


CASES = [pytest.param(path, section if viewport.present else heading,
                      deck_chart if viewport.present else expects_chart, viewport,
                      id=f"{page_name(path)} page at {viewport.width}x{viewport.height} {viewport.label}")
         for (path, heading, expects_chart, section, deck_chart), viewport in itertools.product(PAGES, VIEWPORTS)
         if heading or viewport.present]


PHONE_USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1")


@pytest.mark.browser
def test_a_phone_starts_figure_pages_with_one_large_panel(browser, app_url):
    """On a phone (its user agent says "Mobi") the Figure 2 page opens on panel 2A alone, not the 2×2 grid."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_USER_AGENT,
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        open_page(page, app_url, "functional", {"width": 390, "height": 844}, heading="Functional endpoints")
        assert_no_exception(page)
        page.locator(CHART).first.wait_for(state="visible")
        endpoints = page.evaluate("""() => [...new Set(document.querySelector('.js-plotly-plot').data
                                         .map(t => t.meta && t.meta.endpoint).filter(Boolean))]""")
        assert endpoints == ["six_minute_walk"], endpoints
        save_screenshot(page, "functional-390x844-phone")
    finally:
        context.close()


def phone_context(browser):
    """A 390×844 phone: touch, a mobile user agent (the app reads it), device pixel ratio 3."""
    return browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_USER_AGENT,
                               is_mobile=True, has_touch=True, device_scale_factor=3)


@pytest.mark.browser
@pytest.mark.parametrize(("path", "heading", "expects_chart", "viewport"), CASES)
def test_page_renders(browser, app_url, path, heading, expects_chart, viewport):
    """No error box; the title (or the deck's counter) is visible; charts are drawn; nothing overflows sideways."""
    from playwright.sync_api import expect

    context = phone_context(browser) if viewport is PHONE else browser.new_context(viewport=viewport.size)
    page = context.new_page()
    try:
        open_page(page, app_url, viewport.address(path), viewport.size, heading=heading,
                  heading_selector=viewport.title_selector)
        assert_no_exception(page)
        expect(page.locator(viewport.title_selector).filter(has_text=heading).first).to_be_visible()
        if viewport.sidebar_collapsed:
            assert page.evaluate(_SIDEBAR_FOLDED), f"the sidebar is open at {viewport.width}x{viewport.height}"
        background = parse_css_color(page.evaluate(_APP_BACKGROUND))
        assert relative_luminance(background[:3]) >= 0.8, f"not the light theme: the app's background is {background}"
        if expects_chart:
            assert_charts_drawn(page)
        assert_no_horizontal_overflow(page, viewport)
        assert_no_exception(page)
    finally:
        save_screenshot(page, f"{page_slug(path)}-{viewport.suffix}")
        context.close()


_COUNTER = """() => { const c = document.querySelector('.st-key-deck_counter'); return c ? c.innerText : ""; }"""

#: Font sizes of every text of every visible Plotly chart (SVG text: its computed font size in CSS px).
_CHART_FONT_SIZES = """() => Array.from(document.querySelectorAll('.js-plotly-plot svg text'))
    .filter((t) => (t.textContent || '').trim() && t.getClientRects().length)
    .map((t) => ({text: t.textContent.trim().slice(0, 40), size: parseFloat(getComputedStyle(t).fontSize)}))"""

#: How far the slide reaches below the window (px; ≤ 0 fits): the lowest visible element of the main area.
_OVERHANG = """() => { const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return 0;
    const shown = Array.from(main.querySelectorAll('*')).filter((e) => e.getClientRects().length
        && getComputedStyle(e).visibility !== 'hidden' && !e.closest('.st-key-deck_hidden_keys'));
    const bottom = Math.max(0, ...shown.map((e) => e.getBoundingClientRect().bottom));
    const scrolled = document.scrollingElement.scrollTop + (document.querySelector('[data-testid="stMain"]') || {}).scrollTop || 0;
    return bottom + scrolled - window.innerHeight; }"""


def _slide_number(page) -> tuple[int, int]:
    text = page.evaluate(_COUNTER)
    match = re.match(r"\s*(\d+) / (\d+)", text)
    assert match, f"no deck counter: {text!r}"
    return int(match.group(1)), int(match.group(2))


def _wait_for_slide(page, number: int) -> None:
    page.wait_for_function(
        """(n) => { const c = document.querySelector('.st-key-deck_counter');
                    return c && c.innerText.trim().startsWith(n + ' / '); }""", arg=number, timeout=30_000)
    wait_until_rendered(page, heading_selector=PRESENTATION_TITLE)


@pytest.mark.browser
def test_a_presenter_steps_through_the_whole_deck_with_the_keyboard(browser, app_url):
    """At 1920×1080 with ?present=1: → walks from the first slide to the last across every section, with the
    counter; every slide fits 16:9 without scrolling and its chart text is at least 22 px; ← and Page Up step
    back, Home and End jump, and Esc leaves presentation mode for the page of the slide."""
    context = browser.new_context(viewport=PROJECTOR.size)
    page = context.new_page()
    try:
        open_page(page, app_url, "?present=1", PROJECTOR.size, heading_selector=PRESENTATION_TITLE)
        number, total = _slide_number(page)
        assert number == 1 and total > 20
        sections, small, overhangs = [], [], []
        for expected in range(1, total + 1):
            if expected > 1:
                page.keyboard.press("ArrowRight" if expected % 2 else "PageDown")
                _wait_for_slide(page, expected)
            assert_no_exception(page)
            sections.append(page.evaluate(_COUNTER).split("·")[1].strip())
            small += [(expected, f) for f in page.evaluate(_CHART_FONT_SIZES) if f["size"] < 22]
            if page.evaluate(_OVERHANG) > 2:
                overhangs.append((expected, page.evaluate(_OVERHANG)))
            save_screenshot(page, f"deck-{expected:02d}-1920x1080")
        assert not small, f"chart text under 22 px on slides: {small[:8]}"
        assert not overhangs, f"slides that scroll (slide, px): {overhangs}"
        assert {"Study", "Baseline", "Functional (Figure 2)", "Immune markers (Figure 3)", "Safety",
                "Bottom line"} <= {re.sub(r" \(\d+ of \d+\)$", "", s) for s in sections}
        assert sections[-1] == "Bottom line"      # the deck ends on the bottom line, not on tables
        page.keyboard.press("Home")
        _wait_for_slide(page, 1)
        page.keyboard.press("End")
        _wait_for_slide(page, total)
        page.keyboard.press("ArrowLeft")
        _wait_for_slide(page, total - 1)
        page.keyboard.press("PageUp")
        _wait_for_slide(page, total - 2)
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('.st-key-deck_counter')", timeout=30_000)
        wait_until_rendered(page)
        assert "present" not in page.url and "slide" not in page.url, page.url
        assert_no_exception(page)
    finally:
        context.close()


@pytest.mark.browser
def test_the_visible_exit_and_the_sidebar_stay_reachable_in_presentation_mode(page, app_url):
    from playwright.sync_api import expect

    open_page(page, app_url, "immune?present=1", PROJECTOR.size, heading="Immune markers",
              heading_selector=PRESENTATION_TITLE)
    # the header keeps the control that opens the sidebar, and the sidebar lists every page
    page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
    expect(page.locator('[data-testid="stSidebarNav"]').get_by_text("Safety (Tables 2–3)")).to_be_visible()
    page.get_by_role("button", name="Exit").click()
    expect(page.locator("h1").filter(has_text="Immune markers (Figure 3)")).to_be_visible(timeout=30_000)
    assert_no_exception(page)


_AXIS_RANGE = """() => JSON.stringify(document.querySelector('.js-plotly-plot')._fullLayout.yaxis.range)"""
_SCROLL = """() => { const m = document.querySelector('[data-testid="stMain"]');
    return Math.max(window.scrollY, m ? m.scrollTop : 0); }"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["functional", "baseline"])
def test_a_vertical_swipe_on_a_chart_scrolls_the_phone_page(browser, app_url, path):
    """On a touch phone, a finger that starts on a chart and moves up scrolls the page; the chart keeps its axes."""
    context = phone_context(browser)
    page = context.new_page()
    try:
        open_page(page, app_url, path, {"width": 390, "height": 844})
        chart = page.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = chart.bounding_box()
        x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700)
        before_range, before_scroll = page.evaluate(_AXIS_RANGE), page.evaluate(_SCROLL)
        cdp = context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for step in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                  "touchPoints": [{"x": x + 2 * step, "y": y - 30 * step}]})
            page.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(800)
        assert page.evaluate(_SCROLL) > before_scroll + 100, "the page did not scroll"
        assert page.evaluate(_AXIS_RANGE) == before_range, "the swipe zoomed the chart"
        assert_no_horizontal_overflow(page, PHONE)
        save_screenshot(page, f"{path}-390x844-after-swipe")
    finally:
        context.close()


@pytest.mark.browser
def test_a_shared_presentation_link_on_a_phone_opens_the_normal_page(browser, app_url):
    context = phone_context(browser)
    page = context.new_page()
    try:
        open_page(page, app_url, "functional?present=1&arms=100M&arms=Placebo", {"width": 390, "height": 844},
                  heading="Functional endpoints")
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "made for a projector" in body
        assert "Arms shown: 100M, Placebo" in body      # the sender's arms without opening the sidebar
        assert page.evaluate(_COUNTER) == ""
        assert_no_exception(page)
    finally:
        context.close()


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with 0–255 channels.

    >>> round(relative_luminance((255, 255, 255)), 3), relative_luminance((0, 0, 0))
    (1.0, 0.0)
    """
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 to 21.

    >>> round(contrast_ratio((0, 0, 0), (255, 255, 255)), 1), round(contrast_ratio((118, 118, 118), (255, 255, 255)), 2)
    (21.0, 4.54)
    """
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def parse_css_color(text: str) -> tuple[float, float, float, float]:
    """``"rgb(26, 26, 26)"`` or ``"rgba(0, 0, 0, 0.6)"`` (what getComputedStyle returns) as (r, g, b, alpha).

    >>> parse_css_color("rgba(26, 26, 26, 0.6)")
    (26.0, 26.0, 26.0, 0.6)
    """
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text.strip())
    assert match, f"cannot read the computed colour {text!r}"
    parts = [float(v) for v in re.split(r"[\s,/]+", match.group(1).strip())]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def over(top, bottom):
    """Colour *top* (r, g, b, alpha) composited over opaque *bottom* (r, g, b)."""
    *rgb, alpha = top
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(rgb, bottom))


#: For each sample of main text: its colour, the product of its and its ancestors' opacities, and the
#: background colours from the element up to the root (the first opaque one ends the list).
_TEXT_COLOURS = """(selectors) => {
    const shown = (e) => e.checkVisibility ? e.checkVisibility() : e.getClientRects().length > 0;
    const samples = [];
    for (const selector of selectors) {
        for (const e of Array.from(document.querySelectorAll(selector)).filter(shown).slice(0, 3)) {
            let opacity = 1;
            const backgrounds = [];
            for (let a = e; a; a = a.parentElement) {
                const style = getComputedStyle(a);
                opacity *= parseFloat(style.opacity);
                if (style.backgroundColor !== "rgba(0, 0, 0, 0)") backgrounds.push(style.backgroundColor);
            }
            samples.push({selector, text: (e.innerText || "").trim().slice(0, 40), color: getComputedStyle(e).color,
                          opacity, backgrounds});
        }
    }
    return samples;
}"""
MAIN_TEXT = ['[data-testid="stMain"] [data-testid="stMarkdownContainer"] p',
             '[data-testid="stMain"] [data-testid="stMarkdownContainer"] li']


@pytest.mark.browser
@pytest.mark.parametrize(("path", "viewport", "title"), [
    pytest.param("", DESKTOP, "h1", id="page title and body text of the Overview page at 1280x800"),
    pytest.param("functional", PROJECTOR, PRESENTATION_TITLE,
                 id="deck counter and body text of the Functional slides in presentation mode"),
])
def test_main_text_has_a_contrast_of_at_least_4_5_to_1(page, app_url, path, viewport, title):
    """WCAG 2 AA for normal text: the title and body text against the page background, from computed styles."""
    open_page(page, app_url, viewport.address(path), viewport.size, heading_selector=viewport.title_selector)
    samples = page.evaluate(_TEXT_COLOURS, [title, *MAIN_TEXT])
    assert {s["selector"] for s in samples} >= {title, MAIN_TEXT[0]}, f"no title or body text found: {samples}"
    failing = []
    for sample in samples:
        background = (255.0, 255.0, 255.0)  # the canvas under everything
        for layer in reversed(sample["backgrounds"]):
            background = over(parse_css_color(layer), background)
        r, g, b, alpha = parse_css_color(sample["color"])
        text = over((r, g, b, alpha * sample["opacity"]), background)
        ratio = contrast_ratio(text, background)
        if ratio < 4.5:
            failing.append(f"{sample['text']!r} ({sample['selector']}): {sample['color']} at opacity "
                           f"{sample['opacity']:.2f} on {background} is {ratio:.2f}:1")
    assert not failing, "text below 4.5:1 contrast: " + "; ".join(failing)


@pytest.mark.browser
def test_a_new_visitor_sees_the_first_chart_before_the_rest_of_the_page_is_drawn(page, app_url):
    """ui/fold.py: the first page of a session is drawn in two steps, the chart first; the reader sees no button."""
    page.add_init_script("""(() => {
        const marks = window.__order = {};
        const tick = () => {
            const chart = [...document.querySelectorAll('.js-plotly-plot .main-svg .trace')]
                .some((e) => e.getClientRects().length > 0);
            if (chart && !('chart' in marks)) marks.chart = performance.now();
            if (document.querySelector('[data-testid="stDownloadButton"]') && !('below' in marks))
                marks.below = performance.now();
            // On screen: the rule hiding it may come a few frames after it (it is below the chart, off screen).
            const shown = [...document.querySelectorAll('.st-key-chart_first_continue')].some((e) => {
                const box = e.getBoundingClientRect();
                return e.getClientRects().length > 0 && box.top < window.innerHeight && box.bottom > 0;
            });
            if (shown && !marks.buttonShown) marks.buttonShown = performance.now();
            requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    })();""")
    open_page(page, app_url, "functional", heading="Functional endpoints")
    page.get_by_role("button", name="Panel data (CSV)").first.wait_for()
    marks = page.evaluate("window.__order")
    assert marks["chart"] < marks["below"], marks  # the panels' downloads come after the chart is drawn
    assert not marks.get("buttonShown"), "the hidden continue button was on screen"
    assert page.get_by_text("Share this view").count() == 1
    assert_no_exception(page)


@pytest.mark.browser
def test_a_panels_csv_is_written_when_its_button_is_clicked(page, app_url):
    """The panel CSV is made on click (a deferred download), and holds the panel's numbers as printed."""
    open_page(page, app_url, "functional", heading="Functional endpoints")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Panel data (CSV)").first.click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "six_minute_walk.csv", download.suggested_filename
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Outcome,Arm,Time point,Statistic,Value"), text[:200]
    assert "345.9 ± 103.4" in text  # Results, Functional status: 6MWT 100M baseline 345.9 ± 103.4 m
    assert_no_exception(page)


@pytest.mark.browser
def test_share_this_view_links_to_the_view_and_downloads_its_report(page, app_url):
    """"Share this view" holds this page's address with its arms, and a one-file HTML report with the citation."""
    from playwright.sync_api import expect

    open_page(page, app_url, "functional?arms=100M&arms=Placebo", heading="Functional endpoints")
    share = page.locator('[data-testid="stExpander"]').filter(has_text="Share this view")
    share.locator("summary").click()
    code = share.locator('[data-testid="stCode"] code')
    expect(code).to_be_visible()
    expect(code).to_contain_text("arms=Placebo")  # the link follows the URL's selection once it has applied
    link = code.inner_text().strip()
    address = urlsplit(link)
    assert link.startswith(url_of(app_url, "functional")), (link, app_url)
    assert address.path == "/functional", link
    assert parse_qs(address.query).get("arms") == ["100M", "Placebo"], link

    with page.expect_download(timeout=60_000) as download_info:
        share.get_by_role("button", name="Report of this view (HTML)").click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".html"), download.suggested_filename
    report = Path(download.path()).read_text(encoding="utf-8")
    assert report.lstrip().lower().startswith("<!doctype html"), report[:200]
    assert "Plotly.newPlot" in report
    assert "doi:10.1093/gerona/glx137" in report
    assert "100M, Placebo" in report, "the report should name the selected arms"
    visible = re.sub(r"<script.*?</script>", "", report, flags=re.S)     # the text a reader sees
    internal = [w for w in ("six_minute_walk", "version_a", "location_a", "p_within", "center_text", "vs_control",
                            "within_arm", "month6") if w in visible]
    assert not internal and not re.search(r"\bD\d{2}\b", visible), internal
    assert_no_exception(page)


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
        header_cells = page.locator("table.cratus-table").first.locator("thead th")
        expect(header_cells.filter(has_text="Placebo")).to_have_count(1, timeout=15_000)
        headers = header_cells.all_inner_texts()
        # the two arms' columns, and the total of all arms saying it includes the hidden one (issue 21)
        assert [h.split(" (N")[0] for h in headers[1:]] == ["Allo-hMSC 100M", "Placebo", "All arms (incl. hidden 200M)"], \
            headers
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
        # The pills can show the URL's selection a moment after the first paint: wait for it.
        expect(second.locator(PRESSED_ARMS)).to_have_count(len(kept))
        assert sorted(second.locator(PRESSED_ARMS).all_inner_texts()) == kept, link
        assert_no_exception(second)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path, title", [("safety", "Safety"), ("functional", "Functional endpoints (Figure 2)")])
def test_deep_link_on_fresh_server(browser, path, title):
    """A shared link to a page, as the first request to a just-started server, still runs app.py.

    Streamlit treats a ``pages/`` folder next to the main script as an old-style
    multipage app until ``st.navigation`` has run once in the process; a page
    with a file (``safety``) then runs alone (no app.py, no page config), and a
    page without one (a figure page) is answered with a "Page not found" dialog
    before app.py shows it.  Either way the visitor must see the page, with the
    app's navigation, and no dialog.
    """
    from playwright.sync_api import expect

    with streamlit_server(log_path=ROOT / "test-output" / f"streamlit-fresh-{path}.log") as (base_url, _process):
        context = browser.new_context(viewport=DEFAULT_VIEWPORT)
        try:
            page = context.new_page()
            page.goto(url_of(base_url, path))
            page.wait_for_function(
                """() => document.querySelector('[data-testid="stApp"]')
                           ?.getAttribute("data-test-script-state") === "notRunning" """,
                timeout=60_000)
            nav = page.locator('[data-testid="stSidebarNav"]')
            expect(nav.get_by_text("Overview", exact=True)).to_be_visible(timeout=15_000)
            expect(page.locator("h1").filter(has_text=title).first).to_be_visible(timeout=15_000)
            expect(page.get_by_role("dialog")).to_have_count(0, timeout=10_000)
            save_screenshot(page, f"{path}-first-request")
            assert_no_exception(page)
        finally:
            context.close()


@pytest.mark.browser
@pytest.mark.parametrize("study", ["study_two_arms", "study_three_arms"])
def test_a_made_up_study_renders_every_page_in_the_browser(browser, study):
    """``CRATUS_STUDY_DIR`` points the same code at another study: every page renders, with its own names."""
    from cratus.study.model import load_study
    from ui.navigation import page_specs

    folder = ROOT / "tests" / "fixtures" / study
    specs = page_specs(load_study(folder))
    with streamlit_server(log_path=ROOT / "test-output" / f"streamlit-{study}.log",
                          env={"CRATUS_STUDY_DIR": str(folder)}) as (base_url, _process):
        context = browser.new_context(viewport=DEFAULT_VIEWPORT)
        try:
            page = context.new_page()
            for spec in specs:
                open_page(page, base_url, spec["url_path"])
                assert_no_exception(page)
                body = page.locator('[data-testid="stMain"]').inner_text()
                assert "CRATUS" not in body and "Placebo" not in body, spec["url_path"]
                nav = page.locator('[data-testid="stSidebarNav"]')
                assert nav.get_by_text(specs[-2]["title"], exact=True).count() == 1
                save_screenshot(page, f"{study}-{page_slug(spec['url_path'])}")
        finally:
            context.close()


@pytest.mark.browser
def test_an_upload_in_one_browser_is_never_seen_by_another(browser, app_url):
    """Two browser sessions: one uploads patient-level files and sees every page recomputed; the other keeps the
    published study, and nothing of the upload reaches its pages or its address."""
    from playwright.sync_api import expect

    from cratus.patient.synthetic import synthetic_files

    first, second = browser.new_context(viewport=DEFAULT_VIEWPORT), browser.new_context(viewport=DEFAULT_VIEWPORT)
    try:
        page = first.new_page()
        open_page(page, app_url, "data", heading="Data source")
        page.get_by_text("Your patient-level files").click()
        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        uploader.wait_for(state="attached", timeout=30_000)
        uploader.set_input_files([{"name": name, "mimeType": "text/csv", "buffer": content}
                                  for name, content in synthetic_files("long", seed=7).items()])
        page.get_by_role("button", name="Read these files").click()
        expect(page.get_by_text("computed here from patients").first).to_be_visible(timeout=60_000)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Baseline").first.click()
        wait_until_rendered(page, heading="Baseline characteristics")
        assert "computed here from patients" in page.locator('[data-testid="stMain"]').inner_text()
        assert_no_exception(page)

        other = second.new_page()
        open_page(other, app_url, "baseline", heading="Baseline characteristics")
        text = other.locator('[data-testid="stMain"]').inner_text()
        assert "computed here from patients" not in text and "Uploaded" not in text
        assert "Table 1" in text
        open_page(other, app_url, "data", heading="Data source")
        assert other.locator('[data-testid="stFileUploaderFile"]').count() == 0
        assert "subjects.csv" not in other.locator('[data-testid="stMain"]').inner_text()
        assert_no_exception(other)
    finally:
        first.close()
        second.close()


def open_synthetic_demo(page, app_url: str) -> None:
    """Open the synthetic patient-level demo on the Data source page, as a reader would."""
    from playwright.sync_api import expect

    open_page(page, app_url, "data", heading="Data source")
    page.get_by_text("Synthetic demo (made-up patients)").click()
    page.get_by_role("button", name="Open the synthetic demo").click()
    expect(page.get_by_text("Synthetic data — not trial data").first).to_be_visible(timeout=60_000)


@pytest.mark.browser
def test_a_subgroup_filter_follows_the_reader_across_pages_and_clears(browser, app_url):
    """Synthetic demo: choose women in the sidebar's filter; the N caption shows 4 of 10 per arm (4 women per arm,
    data.subjects.groupby(["arm", "sex"]).size()), the address carries the filter, and it survives clicking
    another page in the sidebar (the browser drops the address's parameters); one click clears it."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    try:
        page = context.new_page()
        open_synthetic_demo(page, app_url)
        wait_until_rendered(page, heading="Data source")
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Subgroup filter").click()
        gender = sidebar.get_by_role("combobox", name="Gender")
        expect(gender).to_be_visible(timeout=90_000)
        female = page.get_by_role("option", name="Female (12)")
        for _ in range(3):  # a rerun still drawing the sidebar may close the list as it opens
            gender.click()
            try:
                female.wait_for(state="visible", timeout=15_000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError; try again
                page.keyboard.press("Escape")
        female.click()
        caption = "12 of 30 subjects · 100M 4/10 · 200M 4/10 · Placebo 4/10"
        expect(page.get_by_text(caption)).to_be_visible(timeout=60_000)
        assert parse_qs(urlsplit(page.url).query).get("f_sex") == ["Female"]
        sidebar.locator('[data-testid="stSidebarNav"] a').filter(has_text="Subgroups").first.click()
        wait_until_rendered(page, heading="Subgroups")
        expect(page.get_by_text(caption)).to_be_visible(timeout=60_000)
        assert parse_qs(urlsplit(page.url).query).get("f_sex") == ["Female"]
        assert_no_exception(page)
        sidebar.get_by_role("button", name="Clear filter").click()
        expect(page.get_by_text(caption)).to_have_count(0, timeout=60_000)
        assert "f_sex" not in parse_qs(urlsplit(page.url).query)
    finally:
        context.close()


#: The screen position of a patient's point (a trajectory marker) that a click reaches: not under an annotation,
#: inside the window, lowest on the screen (away from the p-value tags at the top of each panel).
_PATIENT_POINT = """() => {
    let best = null;
    for (const trace of document.querySelectorAll('.js-plotly-plot .scatterlayer .trace')) {
        const data = trace.__data__ && trace.__data__[0] && trace.__data__[0].trace;
        if (!data || !data.meta || data.meta.role !== 'trajectory') continue;
        for (const point of trace.querySelectorAll('path.point')) {
            const box = point.getBoundingClientRect();
            const x = box.x + box.width / 2, y = box.y + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.classList.contains('nsewdrag') && y < window.innerHeight - 20 && (!best || y > best.y)) {
                best = {x, y};
            }
        }
    }
    return best;
}"""


@pytest.mark.browser
def test_a_click_on_a_serious_event_or_a_patients_point_opens_their_profile(browser, app_url):
    """Synthetic demo: a row of the Safety page's listing, then a patient's point on a figure, open the profile."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    try:
        page = context.new_page()
        open_synthetic_demo(page, app_url)
        nav = page.locator('[data-testid="stSidebarNav"] a')

        nav.filter(has_text="Safety").first.click()
        wait_until_rendered(page, heading="Safety")
        listing = page.locator('[data-testid="stDataFrame"]').first
        listing.scroll_into_view_if_needed()
        box = listing.bounding_box()
        # The third row's selection box (the grid draws 35 px rows under a 35 px header): SYN-011's "Death".
        page.mouse.click(box["x"] + 14, box["y"] + 35 * 3 + 17)
        page.wait_for_url("**/participant?subject=SYN-011*", timeout=30_000)
        wait_until_rendered(page, heading="Participant")
        assert "Allo-hMSC 200M" in page.locator('[data-testid="stMain"]').inner_text()
        assert_no_exception(page)

        nav.filter(has_text="Functional (Figure 2)").first.click()
        wait_until_rendered(page, heading="Functional")
        page.get_by_text("Each patient's values").click()
        expect(page.get_by_text("Click a patient's point to open their profile")).to_be_visible(timeout=30_000)
        wait_until_rendered(page)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        point = page.evaluate(_PATIENT_POINT)
        assert point, "no patient's point to click"
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url(re.compile(r".*/participant\?subject=SYN-\d{3}.*"), timeout=30_000)
        wait_until_rendered(page, heading="Participant")
        subject = parse_qs(urlsplit(page.url).query)["subject"][0]
        assert subject in page.locator('[data-testid="stMain"]').inner_text()
        assert_no_exception(page)
        save_screenshot(page, "participant-from-a-click")
    finally:
        context.close()


@pytest.mark.browser
def test_a_statistician_runs_the_protocol_ancova_and_the_time_to_event_page(browser, app_url):
    """ADaM-shaped files (tests/adam_trial.py): the Protocol analyses page takes a site factor into the ANCOVA and
    into the address; with ADTTE read, the Time to event page draws the KM curves with the numbers at risk."""
    import io

    from playwright.sync_api import expect

    from tests.adam_trial import adam_trial

    files = []
    for name, frame in adam_trial().items():
        out = io.BytesIO()
        frame.to_parquet(out)
        files.append({"name": f"{name}.parquet", "mimeType": "application/octet-stream", "buffer": out.getvalue()})
    context = browser.new_context(viewport=DEFAULT_VIEWPORT)
    try:
        page = context.new_page()
        open_page(page, app_url, "data", heading="Data source")
        page.get_by_text("Your patient-level files").click()
        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        uploader.wait_for(state="attached", timeout=30_000)
        reads_adtte = _reader_reads_adtte()
        uploader.set_input_files(files if reads_adtte else [f for f in files if f["name"] != "adtte.parquet"])
        page.get_by_role("button", name="Read these files").click()
        expect(page.get_by_text("computed here from patients").first).to_be_visible(timeout=60_000)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Protocol analyses").first.click()
        wait_until_rendered(page, heading="Protocol analyses")
        page.locator(".st-key-an_factors").click()
        page.get_by_role("option", name="SITEGR1").click()
        page.keyboard.press("Escape")
        expect(page.get_by_text("chg ~ arm + sitegr1 + base").first).to_be_visible(timeout=30_000)
        assert parse_qs(urlsplit(page.url).query).get("an_factors") == ["SITEGR1"], page.url  # as the widget shows it
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "LS mean (SE)" in main and "Dose–response test" in main and "Wilcoxon" in main
        save_screenshot(page, "protocol-analyses")
        assert_no_exception(page)
        # the repeated-measures model on request: its chart and table, the choice in the address
        page.locator(".st-key-an_mmrm").scroll_into_view_if_needed()
        page.locator(".st-key-an_mmrm").click()
        page.get_by_role("option", name="compound symmetry").first.click()
        expect(page.get_by_text("Difference from control (SE)").first).to_be_visible(timeout=60_000)
        assert parse_qs(urlsplit(page.url).query).get("an_mmrm") == ["compound symmetry"], page.url
        expect(page.locator(".js-plotly-plot").filter(has_text="LS mean (95% CI) by visit")).to_have_count(1, timeout=30_000)
        assert_no_exception(page)
        if reads_adtte:
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Time to event").first.click()
            wait_until_rendered(page, heading="Time to event")
            main = page.locator('[data-testid="stMain"]').inner_text()
            # the numbers at risk are drawn under the curves (cratus.figures.km: no "At risk" title), in the
            # efficacy population by default (tests/adam_trial: placebo subjects with EFFFL = 'Y' at risk at time 0)
            adsl = adam_trial()["adsl"]
            placebo = int(((adsl["TRT01P"] == "Placebo") & (adsl["EFFFL"] == "Y")).sum())
            assert "Hazard ratio (95% CI)" in main and "Median, days (95% CI)" in main and f"\n{placebo}\n" in main
            assert "efficacy population, EFFFL = 'Y'" in main
            save_screenshot(page, "time-to-event")
            assert_no_exception(page)
    finally:
        context.close()


def _reader_reads_adtte() -> bool:
    from cratus.patient.model import PatientData

    return "time_to_event" in PatientData.__dataclass_fields__
