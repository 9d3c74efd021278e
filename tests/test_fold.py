"""A new visitor's first page stops after its first chart and continues when the browser presses on (ui/fold.py).

AppTest has no browser, so these tests press the hidden button themselves; the browser tests (which wait for
the button to be gone, tests/server.py) see the script do it.
"""

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, set_page
from ui.fold import CONTINUE_KEY
from ui.keys import FIRST_PAGE_DRAWN as SEEN_KEY

pytestmark = pytest.mark.page  # every test here runs the app (streamlit.testing)


def first_visit(url_path: str) -> AppTest:
    """A fresh session's first run of *url_path*, as a shared link opens it (no skip_for_session)."""
    at = AppTest.from_file(APP, default_timeout=60)
    return set_page(at, url_path).run()


def expanders(at) -> list[str]:
    return [e.label for e in at.expander]


def test_a_first_visit_stops_after_the_first_chart_then_draws_the_whole_page():
    at = first_visit("functional")
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.get("plotly_chart")) == 1                         # the chart is sent ...
    assert at.button(key=f"{CONTINUE_KEY}_button")                   # ... with the hidden button to go on
    assert "Share this view" not in expanders(at)                    # nothing below the chart yet
    assert not any(b.label == "Panel data (CSV)" for b in at.get("download_button"))

    at.button(key=f"{CONTINUE_KEY}_button").click().run()           # what the page's script does once drawn
    assert not at.exception, [e.message for e in at.exception]
    assert "Share this view" in expanders(at)
    assert len([b for b in at.get("download_button") if b.label == "Panel data (CSV)"]) == 4  # Figure 2A–D
    assert not [b for b in at.button if b.key == f"{CONTINUE_KEY}_button"]

    at.sidebar.get("button_group")[0].set_value(["100M", "placebo"]).run()  # later runs: whole pages at once
    assert "Share this view" in expanders(at)
    assert not [b for b in at.button if b.key == f"{CONTINUE_KEY}_button"]


def test_a_first_page_without_a_chart_is_drawn_whole_and_ends_the_first_run():
    at = first_visit("")
    assert not at.exception, [e.message for e in at.exception]
    assert "Share this view" in expanders(at)
    assert at.session_state[SEEN_KEY] is True
    assert not [b for b in at.button if b.key == f"{CONTINUE_KEY}_button"]
