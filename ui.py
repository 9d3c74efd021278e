"""The Streamlit layer shared by the pages: cached data, the arm selection, small renderers.

The analysis lives in :mod:`cratus`; this module only wires it to widgets.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cratus.arms import ARM_LABELS, ARMS, order_arms
from cratus.data import Published, load_published

ARMS_KEY = "arms"


@st.cache_data(max_entries=1, show_spinner=False)
def published() -> Published:
    """The paper's results, loaded and validated once per server process."""
    return load_published()


def arm_selector() -> None:
    """The shared arm selection, in the sidebar and in the URL (``?arms=100M&arms=placebo``)."""
    st.sidebar.pills(
        "Arms", list(ARMS), selection_mode="multi", default=list(ARMS), key=ARMS_KEY,
        format_func=ARM_LABELS.get, bind="query-params", persist_state="session",
        help="Arms shown on every page. The selection is part of the page address, so a copied link keeps it.",
    )


def selected_arms() -> list[str]:
    """The arms chosen in the sidebar, in canonical order."""
    return order_arms(st.session_state.get(ARMS_KEY) or [])


def require_arms() -> list[str]:
    """The selected arms; stops the page with a hint when none is selected."""
    arms = selected_arms()
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
