"""The Streamlit layer shared by the pages: cached data, the arm selection, small renderers.

The analysis lives in :mod:`cratus`; this module only wires it to widgets.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cratus.arms import ARM_SHORT, ARMS, order_arms
from cratus.data import Published, load_published

ARMS_KEY = "arms"
SHARED_KEY = "shared_arms"


@st.cache_data(max_entries=1, show_spinner=False)
def published() -> Published:
    """The paper's results, loaded and validated once per server process."""
    return load_published()


def _keep_arms() -> None:
    st.session_state[SHARED_KEY] = order_arms(st.session_state.get(ARMS_KEY) or [])


def ensure_navigation() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Streamlit 1.67 treats an app with a ``pages/`` folder as a v1 multipage
    app until some session has called ``st.navigation``: the very first
    visitor of a deep link such as ``/baseline`` would get the page without
    app.py (no page titles, no sections).  Clearing that flag and rerunning
    sends the run through app.py's ``st.navigation``, which keeps the URL's page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def arm_selector() -> list[str]:
    """The arm selection, in the sidebar of every page and in the URL (``?arms=100M&arms=placebo``).

    Every page renders the same widget; its value is mirrored under
    :data:`SHARED_KEY` so that it survives page switches (a widget's own
    state is dropped when its page is left).  A URL parameter wins on a
    session's first run, so a copied link opens the same arms.
    """
    ensure_navigation()
    state = st.session_state
    if SHARED_KEY not in state and ARMS_KEY not in st.query_params:
        state[SHARED_KEY] = list(ARMS)
    if SHARED_KEY in state:
        state[ARMS_KEY] = state[SHARED_KEY]
    arms = st.sidebar.pills(
        "Arms", list(ARMS), selection_mode="multi", default=None, key=ARMS_KEY, bind="query-params",
        format_func=ARM_SHORT.get, on_change=_keep_arms,
        help="Arms shown on every page. The selection is part of the page address, so a copied link keeps it.",
    )
    state[SHARED_KEY] = order_arms(arms or [])
    return state[SHARED_KEY]


def require_arms() -> list[str]:
    """Render the arm selection and return it; stop the page with a hint when none is selected."""
    arms = arm_selector()
    if not arms:
        st.info("Select at least one arm in the sidebar.")
        st.stop()
    return arms


def table_height(frame: pd.DataFrame, row: int = 35) -> int:
    """Height that shows every row of *frame* without an inner scroll bar."""
    return row * (len(frame) + 1) + 3


def show_table(frame: pd.DataFrame, **kwargs) -> None:
    """A full-height, index-free table."""
    st.dataframe(frame, hide_index=True, height=table_height(frame), **kwargs)


def show_sources(frame: pd.DataFrame, title: str = "Where each number comes from") -> None:
    """An expander listing the source and quote of each number."""
    with st.expander(title):
        st.dataframe(frame, hide_index=True, column_config={
            "quote": st.column_config.TextColumn("Quote from the paper", width="large")})
