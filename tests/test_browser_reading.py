"""What a reader sees first on the Overview, in a real browser (issue 21): the plain bottom line, above the fold on a
laptop and first on a phone, before any table."""

from __future__ import annotations

import pytest
from conftest import assert_no_exception, open_page, save_screenshot

pytestmark = pytest.mark.browser

PHONE_USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1")
TITLE = "CRATUS: allogeneic mesenchymal stem cells for aging frailty"


def _bottom_line(page):
    box = page.locator(".st-key-bottom_line").first
    box.wait_for(state="visible")
    return box


@pytest.mark.parametrize("viewport, phone", [({"width": 1280, "height": 800}, False),
                                             ({"width": 390, "height": 844}, True)])
def test_the_overview_answers_before_any_table(browser, app_server, viewport, phone):
    extra = {"user_agent": PHONE_USER_AGENT, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(viewport=viewport, **extra)
    try:
        page = context.new_page()
        open_page(page, app_server, "", viewport, heading=TITLE)
        assert_no_exception(page)
        box = _bottom_line(page)
        text = box.inner_text()
        # Results: Safety "No TE-SAEs occurred ..." (0 of 30; exact upper bound 16.8% over the 20 treated); the
        # Discussion's limitation, quoted
        for words in ("Safety: none of the 30 patients", "up to 16.8%", "not a comparison with Placebo",
                      "whose p-values the paper itself contradicts", "This study is limited by a small sample size"):
            assert words in text, (words, text)
        top = box.bounding_box()["y"]
        save_screenshot(page, f"overview-bottom-line-{viewport['width']}x{viewport['height']}")
        assert top < viewport["height"] / 2, top          # read without scrolling, in the upper half of the window
        first_table = page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]').first
        if first_table.count():
            assert first_table.bounding_box()["y"] > top   # the answer comes before any table
        save_screenshot(page, f"overview-bottom-line-{viewport['width']}x{viewport['height']}")
    finally:
        context.close()
