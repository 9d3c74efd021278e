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


# --- Figure pages (Figures 2–4) --------------------------------------------------------------

TIME_POINTS = {"both": ("baseline", "month6"), "baseline": ("baseline",), "month6": ("month6",)}
TIME_LABELS = {"both": "Both", "baseline": "Baseline", "month6": "6 months"}
METRIC_LABELS = {"value": "Values", "change": "Change"}
VIEW_LABELS = {"grid": "All panels", "single": "One, large"}


@st.cache_data(max_entries=64, show_spinner=False)
def _figure(endpoints: tuple[str, ...], arms: tuple[str, ...], visits: tuple[str, ...], metric: str,
            correlation: float | None, presentation: bool):
    from cratus.figures import build_endpoint_figure, build_figure_grid

    data = published()
    common = dict(summary=data.summary, p_values=data.p_values, arms=list(arms), visits=list(visits),
                  dictionary=data.endpoints, discrepancies=data.discrepancies, metric=metric,
                  correlation=correlation, presentation=presentation)
    if len(endpoints) == 1:
        return build_endpoint_figure(endpoint=endpoints[0], **common)
    return build_figure_grid(endpoints=list(endpoints), **common)


@st.cache_data(max_entries=256, show_spinner=False)
def _panel(endpoint: str, arms: tuple[str, ...], visits: tuple[str, ...], metric: str, correlation: float | None):
    from cratus.figures import endpoint_panel_data, figure_summary_sentence, outcome_definition

    data = published()
    panel = endpoint_panel_data(data.summary, data.p_values, endpoint, list(arms), list(visits), data.endpoints,
                                metric=metric, correlation=correlation)
    return (panel, figure_summary_sentence(panel, data.endpoints, endpoint),
            outcome_definition(endpoint, data.endpoints, metric, visits, correlation))


def figure_controls(endpoints: list[str]) -> dict:
    """The figure choices of a page (view, endpoint, time points, metric, assumed correlation), kept in the URL."""
    labels = published().endpoints.set_index("endpoint")["label"].to_dict()
    first, second, third = st.columns(3)
    view = first.segmented_control("View", list(VIEW_LABELS), default="grid", required=True, key="view",
                                   format_func=VIEW_LABELS.get, bind="query-params") if len(endpoints) > 1 else "single"
    metric = third.segmented_control("Show", list(METRIC_LABELS), default="value", required=True, key="metric",
                                     format_func=METRIC_LABELS.get, bind="query-params",
                                     help="Values at each time point, or the change from baseline to 6 months "
                                          "(difference of the reported centres).")
    time = second.segmented_control(
        "Time points", list(TIME_POINTS), default="both", required=True, key="time", format_func=TIME_LABELS.get,
        bind="query-params", disabled=metric == "change",
        help="Baseline, 6 months, or both side by side. Change from baseline always uses both.")
    endpoint = endpoints[0]
    if view == "single":
        # The URL carries the label shown (?endpoint=FEV1).
        endpoint = st.selectbox("Endpoint", endpoints, key="endpoint", bind="query-params",
                                format_func=lambda e: labels.get(e, e))
    correlation = None
    if metric == "change":
        st.caption("The change is the difference of the reported centres (6 months − baseline). The paper does "
                   "not report the spread of the change; an interval needs an assumption you choose.")
        if st.toggle("Show an interval for the change, assuming a pre–post correlation", key="interval",
                     bind="query-params"):
            correlation = st.slider("Assumed pre–post correlation r", 0.0, 0.95, 0.5, 0.05, key="r",
                                    bind="query-params",
                                    help="SD of change = √(SD₀² + SD₆² − 2·r·SD₀·SD₆). Mean ± SD endpoints only.")
    visits = TIME_POINTS["both"] if metric == "change" else TIME_POINTS[time]
    shown = [endpoint] if view == "single" else endpoints
    return {"endpoints": shown, "visits": visits, "metric": metric, "correlation": correlation}


def render_figure(figure_id: str, endpoints: list[str], arms: list[str]) -> None:
    """Controls, chart, outcome definitions, summaries, downloads and discrepancies of one paper figure."""
    from cratus.export import to_csv_bytes
    from cratus.figures import image_export_config
    from cratus.safety import discrepancies_for

    choice = figure_controls(endpoints)
    shown, visits = choice["endpoints"], choice["visits"]
    figure = _figure(tuple(shown), tuple(arms), tuple(visits), choice["metric"], choice["correlation"], False)
    export_id = shown[0] if len(shown) == 1 else f"figure{figure_id}"
    st.plotly_chart(figure, config=image_export_config(export_id, dictionary=published().endpoints),
                    key=f"chart_{figure_id}")
    for endpoint in shown:
        panel, sentence, definition = _panel(endpoint, tuple(arms), tuple(visits), choice["metric"],
                                             choice["correlation"])
        with st.container(border=True):
            st.markdown(f"**{sentence}**")
            st.caption(f"Outcome: {definition}")
            st.download_button("Panel data (CSV)", to_csv_bytes(panel), file_name=f"cratus_{endpoint}.csv",
                               mime="text/csv", key=f"csv_{endpoint}", icon=":material/download:")
    found = discrepancies_for(published().discrepancies, shown)
    if not found.empty:
        with st.expander(f"⚠ Where the paper contradicts itself on these endpoints ({len(found)})"):
            show_table(found, column_config={"reason": st.column_config.TextColumn(width="large")})
