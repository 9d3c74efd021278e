"""The page frame: the sidebar's controls, presentation mode, the data banner, the title, and the page's report.

Every page starts with :func:`start_page`.  It may open the deck (:mod:`ui.deck`), which draws with
:mod:`ui.render`; the frame sits above both, so imports run one way.
"""

from __future__ import annotations

import streamlit as st

from ui import keys
from ui.controls import arm_selector, on_phone, presentation_toggle
from ui.data_source import banner
from ui.deck import leave_deck, open_deck_at
from ui.filters import filter_caption, filter_panel, filter_selection, p_value_switch
from ui.navigation import close_page_not_found, current_url_path, ensure_navigation
from ui.session import study
from ui.state import new_report, report


def _presentation(deck: bool) -> None:
    """Enter or leave presentation mode (the deck page) when the reader asks, by the switch or ``?present=1``."""
    request = presentation_toggle(deck)
    asked = request is True or (not deck and st.query_params.get("present") in ("1", "true", "yes"))
    if deck and request is False:
        leave_deck()
    if asked and not deck:
        if on_phone():
            # Said on this page until the reader goes elsewhere (the first run of a session is drawn twice).
            st.session_state[keys.PRESENT_ON_PHONE] = current_url_path()
            st.query_params.pop("present", None)
        else:
            open_deck_at(current_url_path())
    if st.session_state.get(keys.PRESENT_ON_PHONE) is not None:
        if st.session_state[keys.PRESENT_ON_PHONE] == current_url_path():
            st.info("Presentation mode is made for a projector; on a phone this is the normal page.",
                    icon=":material/smartphone:")
        else:
            del st.session_state[keys.PRESENT_ON_PHONE]


def start_page(title: str, intro: str | None = None, needs_arms: bool = True, deck: bool = False) -> list[str]:
    """Render the shared controls and the page title; start the page's report.

    Returns the selected arms.  When *needs_arms* and none is selected, the
    page stops with a hint.  On the deck page (*deck*) the slide bar replaces
    the title.
    """
    ensure_navigation()
    close_page_not_found()
    arms = arm_selector()
    filter_panel()
    design = study().design
    _presentation(deck)
    banner()
    filter_caption()
    p_value_switch()
    if not deck:
        if on_phone():   # a page's title in at most three lines at 390 px, so that what it shows starts on screen
            st.html("<style>h1 { font-size: 1.9rem !important; line-height: 1.2 !important; }</style>")
        st.title(title)
        if on_phone() and needs_arms:
            # A shared link's arms, visible without opening the sidebar.
            st.caption("Arms shown: " + (", ".join(design.short(a) for a in arms) or "none")
                       + " (change them in the side menu »)")
        if intro:
            st.markdown(intro)
    new_report(title, {"Arms": ", ".join(design.short(a) for a in arms) or "none", **filter_selection()})
    st.session_state[keys.CODE_SNIPPETS] = []
    if intro:
        report().add_text(intro)
    if needs_arms and not arms:
        st.info("Select at least one arm in the sidebar.")
        st.stop()
    return arms
