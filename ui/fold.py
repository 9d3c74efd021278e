"""Chart first: a new visitor's first page shows its first chart before the browser draws the rest.

A browser opening the app for the first time must fetch and start plotly.js
(4.7 MB) before it can draw a chart.  Drawing the rest of the page meanwhile
(the panels' sentences, tables, downloads, the share panel) takes the same one
browser thread, and delayed the first chart by a second or more
(``bench/bench_browser.py``).  So on a session's first run a page stops right
after its first chart (:func:`after_chart`, called by ``ui.render.plot``); a
small script waits until the chart is drawn (five seconds at most) and presses
a hidden button, and the rerun that follows — cached, so fast — draws the
whole page.  Every later run of the session draws the whole page at once.

A session without a browser (``streamlit.testing`` AppTest) never presses the
button: tests mark their sessions as past the first page with
:func:`skip_for_session` (``tests/apptest.py``), and test this step on its own.
"""

from __future__ import annotations

import streamlit as st

from ui import keys

#: The hidden container whose button continues the page (the browser tests wait until it is gone).
CONTINUE_KEY = "chart_first_continue"

# Inside the container, so the rule goes with it; in the same st.html as the script (a Markdown block with
# HTML would load another 0.2 MB of the browser's code alongside the first chart).  It may take effect a few
# frames after the button is drawn; the button is then below the chart, off screen (tests/test_browser.py).
_CONTINUE = """<style>.st-key-%(key)s { display: none; }</style>
<script>
(() => {
  // Press the hidden button once a chart is on screen and painted, or after 5 s whatever happens.
  const started = performance.now();
  const drawn = () => [...document.querySelectorAll(".js-plotly-plot .main-svg .trace")]
    .some((e) => e.getClientRects().length > 0);
  const timer = setInterval(() => {
    const button = document.querySelector(".st-key-%(key)s button");
    if (!button || (!drawn() && performance.now() - started < 5000)) return;
    clearInterval(timer);
    requestAnimationFrame(() => setTimeout(() => button.click(), 0));  // after the chart's frame is painted
  }, 50);
})();
</script>"""


def skip_for_session(session_state) -> None:
    """Mark a session (e.g. an AppTest's ``at.session_state``) as past its first page: pages draw in full."""
    session_state[keys.FIRST_PAGE_DRAWN] = True


def page_done() -> None:
    """Note that this session has run a page to its end (a page without a chart ends its first run so)."""
    st.session_state[keys.FIRST_PAGE_DRAWN] = True


def after_chart() -> None:
    """On the session's first page run, stop here, after its first chart, until the browser has drawn it."""
    if st.session_state.get(keys.FIRST_PAGE_DRAWN):
        return
    st.session_state[keys.FIRST_PAGE_DRAWN] = True
    with st.container(key=CONTINUE_KEY):
        st.html(_CONTINUE % {"key": CONTINUE_KEY}, unsafe_allow_javascript=True)
        st.button("Show the rest of the page", key=f"{CONTINUE_KEY}_button")
    st.stop()
