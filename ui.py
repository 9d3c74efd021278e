"""The Streamlit layer shared by the pages: cached data, shared controls, renderers, sharing.

The analysis lives in :mod:`cratus`; this module only wires it to widgets.
Every page starts with :func:`start_page` (sidebar controls, title, a fresh
report) and ends with :func:`finish_page` (link and report downloads);
tables and figures shown through :func:`show_table` and :func:`render_figure`
are collected into that page's HTML report.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cratus.arms import ARM_SHORT, ARMS, order_arms
from cratus.study import Study, default_study_dir, load_study
from cratus.export import to_csv_bytes
from cratus.report import Report

ARMS_KEY = "arms"
SHARED_KEY = "shared_arms"
PRESENT_KEY = "present_toggle"
PRESENT_SHARED = "present"
REPORT_KEY = "report"

PRESENTATION_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 1rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.1rem; color: #1A1A1A !important; opacity: 1 !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.1rem; }
[data-testid="stTable"] table { font-size: 1rem; }
</style>
"""


STUDY_KEY = "study"


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_default_study(folder: str) -> Study:
    return load_study(folder)


def study() -> Study:
    """The study this session shows: an uploaded one kept in the session, else the study folder of the server.

    The default study is loaded and validated once per server process and
    shared read-only; nothing modifies it.
    """
    state = st.session_state
    if STUDY_KEY not in state:
        state[STUDY_KEY] = _load_default_study(str(default_study_dir()))
    return state[STUDY_KEY]


def _apply(key: str, name: str, args: tuple, kwargs: tuple, _func):
    return _func(study(), *args, **dict(kwargs))


_cached_call = st.cache_data(max_entries=512, show_spinner=False)(_apply)
#: Figures are kept as objects: unpickling a plotly figure re-validates it, which costs as much as building it.
_cached_figure = st.cache_resource(max_entries=256, show_spinner=False)(_apply)


def cached(func, *args, **kwargs):
    """``func(study(), *args, **kwargs)``, computed once per study and distinct choice.

    Pages rerun on every click; a study never changes once loaded, so a table
    depends only on the study (keyed by its content hash, so two studies never
    mix) and the widget choices (pass lists as tuples).  Example:
    ``cached(table_one, arms=("a", "b"))``.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return _cached_call(study().key, name, args, tuple(sorted(kwargs.items())), func)


def cached_figure(func, *args, **kwargs):
    """Like :func:`cached` for plotly figures, kept as shared objects; callers must not modify them."""
    name = f"{func.__module__}.{func.__qualname__}"
    return _cached_figure(study().key, name, args, tuple(sorted(kwargs.items())), func)


def show_chart(figure, **kwargs) -> None:
    """A plotly chart with the figure's own fonts and colours (Streamlit's theme would shrink fonts to 12 px)."""
    kwargs.setdefault("config", {"displaylogo": False})
    st.plotly_chart(figure, theme=None, **kwargs)
    report().add_figure(figure)


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


# --- Shared sidebar controls ---------------------------------------------------------------------

def _keep_arms() -> None:
    st.session_state[SHARED_KEY] = order_arms(st.session_state.get(ARMS_KEY) or [])


def arm_selector() -> list[str]:
    """The arm selection, in the sidebar of every page and in the URL (``?arms=100M&arms=Placebo``).

    Every page renders the same widget; its value is mirrored under
    :data:`SHARED_KEY` so that it survives page switches (a widget's own
    state is dropped when its page is left).  A URL parameter wins on a
    session's first run, so a copied link opens the same arms.
    """
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


def _keep_presenting() -> None:
    st.session_state[PRESENT_SHARED] = bool(st.session_state.get(PRESENT_KEY))


def presentation_toggle() -> bool:
    """Lab-meeting mode: larger type and markers, 16:9 figures, one panel at a time (``?present=1``)."""
    state = st.session_state
    if PRESENT_SHARED not in state:
        state[PRESENT_SHARED] = st.query_params.get("present", "") in ("1", "true", "yes")
    state[PRESENT_KEY] = state[PRESENT_SHARED]
    on = st.sidebar.toggle("Presentation mode", key=PRESENT_KEY, on_change=_keep_presenting,
                           help="For a projector: larger text and markers, 16:9 figures, one panel at a time "
                                "(← and → step through the panels). Also set by ?present=1 in the address.")
    state[PRESENT_SHARED] = on
    if on:
        st.query_params["present"] = "1"
        st.html(PRESENTATION_CSS)
    elif "present" in st.query_params:
        del st.query_params["present"]
    return on


def presenting() -> bool:
    """Whether presentation mode is on in this session."""
    return bool(st.session_state.get(PRESENT_SHARED))


def start_page(title: str, intro: str | None = None, needs_arms: bool = True) -> list[str]:
    """Render the shared controls and the page title; start the page's report.

    Returns the selected arms.  When *needs_arms* and none is selected, the
    page stops with a hint.
    """
    ensure_navigation()
    arms = arm_selector()
    if presentation_toggle():
        st.caption(title)  # less chrome: the figure carries its own title
    else:
        st.title(title)
        if intro:
            st.markdown(intro)
    data = published()
    st.session_state[REPORT_KEY] = Report(
        f"CRATUS trial — {title}", citation=f"{data.fact('citation')} doi:{data.fact('doi')}",
        selections={"Arms": ", ".join(ARM_SHORT[a] for a in arms) or "none"})
    if intro:
        report().add_text(intro)
    if needs_arms and not arms:
        st.info("Select at least one arm in the sidebar.")
        st.stop()
    return arms


def report() -> Report:
    """The report of the page being rendered."""
    if REPORT_KEY not in st.session_state:
        st.session_state[REPORT_KEY] = Report("CRATUS trial")
    return st.session_state[REPORT_KEY]


# --- Renderers -----------------------------------------------------------------------------------

def table_height(frame: pd.DataFrame, row: int = 35) -> int:
    """Height that shows every row of *frame* without an inner scroll bar."""
    return row * (len(frame) + 1) + 3


def show_table(frame: pd.DataFrame, caption: str = "", download: str | None = None, **kwargs) -> None:
    """A full-height, index-free table; added to the page's report, optionally with a CSV download.

    In presentation mode the table is static HTML, whose text grows with the page (an interactive
    table is drawn on a canvas at a fixed 13 px, unreadable on a projector).
    """
    if presenting():
        st.table(frame, hide_index=True)
    else:
        st.dataframe(frame, hide_index=True, height=table_height(frame), **kwargs)
    report().add_table(caption, frame)
    if download:
        # Built on click only: the page reruns on every widget change.
        st.download_button("Table (CSV)", lambda: to_csv_bytes(frame), file_name=f"cratus_{download}.csv",
                           mime="text/csv", key=f"csv_table_{download}", icon=":material/download:")


def show_sources(frame: pd.DataFrame, title: str = "Where each number comes from") -> None:
    """An expander listing the source and quote of each number."""
    with st.expander(title):
        st.dataframe(frame, hide_index=True, column_config={
            "quote": st.column_config.TextColumn("Quote from the paper", width="large")})


def subheader(text: str, **kwargs) -> None:
    """A section heading, also in the report."""
    st.subheader(text, **kwargs)
    report().add_heading(text)


# --- Sharing -------------------------------------------------------------------------------------

def current_link() -> str:
    """The address of the current view, with its query parameters."""
    base = urlsplit(st.context.url or "")
    address = f"{base.scheme}://{base.netloc}{base.path}" if base.netloc else base.path
    pairs = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    return address + ("?" + urlencode(pairs) if pairs else "")


def finish_page(name: str) -> None:
    """The sharing panel at the end of every page: a link to this view and the HTML report."""
    page_report = report()
    with st.expander("Share this view", icon=":material/share:", expanded=False):
        st.markdown("**Link to this view** (page, arms, endpoint, time points, view and mode):")
        st.code(current_link(), language=None, wrap_lines=True)
        st.download_button(
            "Report of this view (HTML)", lambda: page_report.to_html().encode("utf-8"),
            file_name=f"cratus_{name}_report.html", mime="text/html", key=f"report_{name}",
            icon=":material/description:",
            help="One self-contained file: the tables and interactive figures on this page, the selections, "
                 "the citation and where the numbers come from. Opens offline.")


# --- Figure pages (Figures 2–4) ------------------------------------------------------------------

TIME_POINTS = {"both": ("baseline", "month6"), "baseline": ("baseline",), "month6": ("month6",)}
TIME_LABELS = {"both": "Both", "baseline": "Baseline", "month6": "6 months"}
METRIC_LABELS = {"value": "Values", "change": "Change"}
VIEW_LABELS = {"grid": "All panels", "single": "One, large"}
IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}


@st.cache_resource(max_entries=64, show_spinner=False)
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


# cache_resource hands back the same objects (no unpickling on every rerun); nothing modifies them.
@st.cache_resource(max_entries=256, show_spinner=False)
def _panel(endpoint: str, arms: tuple[str, ...], visits: tuple[str, ...], metric: str, correlation: float | None):
    from cratus.figures import endpoint_panel_data, figure_summary_sentence, outcome_definition

    data = published()
    panel = endpoint_panel_data(data.summary, data.p_values, endpoint, list(arms), list(visits), data.endpoints,
                                metric=metric, correlation=correlation)
    return (panel, figure_summary_sentence(panel, data.endpoints, endpoint),
            outcome_definition(endpoint, data.endpoints, metric, visits, correlation), to_csv_bytes(panel))


def _step(endpoints: list[str], by: int) -> None:
    current = st.session_state.get("endpoint", endpoints[0])
    index = endpoints.index(current) if current in endpoints else 0
    st.session_state["endpoint"] = endpoints[(index + by) % len(endpoints)]


def on_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its user agent, as MDN advises)."""
    try:
        return "Mobi" in (st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - no request headers (AppTest, bare mode)
        return False


def figure_controls(endpoints: list[str]) -> dict:
    """The figure choices of a page (view, endpoint, time points, metric, assumed correlation), kept in the URL."""
    labels = published().endpoints.set_index("endpoint")["label"].to_dict()
    present = presenting()
    stepping = present and len(endpoints) > 1
    if stepping:
        # One compact row, so that a 16:9 figure fits under it on a 1920×1080 projector.
        back, choose, forward, second, third = st.columns([1, 2.4, 1, 2, 1.6], vertical_alignment="bottom")
        back.button("Previous", icon=":material/arrow_back:", shortcut="Left", on_click=_step,
                    args=(endpoints, -1), key="previous_panel", width="stretch")
        forward.button("Next", icon=":material/arrow_forward:", shortcut="Right", on_click=_step,
                       args=(endpoints, 1), key="next_panel", width="stretch")
        first = None
    else:
        first, second, third = st.columns(3)
        choose = st
    # A multi-panel grid is cramped on a phone: phones start with one large panel (the reader can switch).
    view = "single" if present or len(endpoints) == 1 else first.segmented_control(
        "View", list(VIEW_LABELS), default="single" if on_phone() else "grid", required=True, key="view",
        format_func=VIEW_LABELS.get, bind="query-params")
    metric = third.segmented_control("Show", list(METRIC_LABELS), default="value", required=True, key="metric",
                                     format_func=METRIC_LABELS.get, bind="query-params",
                                     help="Values at each time point, or the change from baseline to 6 months "
                                          "(difference of the reported centres).")
    time = second.segmented_control(
        "Time points", list(TIME_POINTS), default="both", required=True, key="time", format_func=TIME_LABELS.get,
        bind="query-params", disabled=metric == "change",
        help="Baseline, 6 months, or both side by side. Change from baseline always uses both.")
    endpoint = endpoints[0]
    if view == "single" and len(endpoints) > 1:
        # The URL carries the label shown (?endpoint=FEV1).
        endpoint = choose.selectbox("Endpoint", endpoints, key="endpoint", bind="query-params",
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


def figure_arms(arms: list[str]) -> list[str]:
    """The sidebar's arms, or this page's own choice when the reader overrides them (kept in the URL)."""
    if presenting() or not st.toggle("Other arms for this figure", key="own_arms", bind="query-params",
                                     help="Compare other arms on this page only; the sidebar choice stays for "
                                          "the other pages."):
        return arms
    own = st.pills("Arms in this figure", list(ARMS), selection_mode="multi", default=list(ARMS), key="figure_arms",
                   format_func=ARM_SHORT.get, bind="query-params")
    return order_arms(own or [])


def render_figure(figure_id: str, endpoints: list[str], arms: list[str]) -> None:
    """Controls, chart, outcome definitions, summaries, downloads and discrepancies of one paper figure."""
    from cratus.figures import image_export_config
    from cratus.safety import discrepancies_for

    choice = figure_controls(endpoints)
    shown, visits = choice["endpoints"], choice["visits"]
    present = presenting()
    arms = figure_arms(arms)
    if not arms:
        st.info("Select at least one arm for this figure.")
        return
    figure = _figure(tuple(shown), tuple(arms), tuple(visits), choice["metric"], choice["correlation"], present)
    export_id = shown[0] if len(shown) == 1 else f"figure{figure_id}"
    image_format = st.session_state.get("image_format", "png")
    config = image_export_config(export_id, dictionary=published().endpoints)
    config["toImageButtonOptions"] = {**config.get("toImageButtonOptions", {}), "format": image_format}
    if on_phone() and not present:
        # A phone has no room for the figure's own title block; the page prints the outcome and summary below.
        figure = go.Figure(figure).update_layout(title=None, margin={"t": 40}, legend={"y": 1.0, "title": None})
    show_chart(figure, config=config, key=f"chart_{figure_id}")
    for endpoint in shown:
        panel, sentence, definition, csv = _panel(endpoint, tuple(arms), tuple(visits), choice["metric"],
                                                  choice["correlation"])
        report().add_text(sentence, "sentence")
        report().add_text(f"Outcome: {definition}")
        report().add_table(f"Data of the {endpoint} panel", panel)
        with st.container(border=True):
            st.markdown(f"**{sentence}**")
            if not present:
                st.caption(f"Outcome: {definition}")
                st.download_button("Panel data (CSV)", csv, file_name=f"cratus_{endpoint}.csv",
                                   mime="text/csv", key=f"csv_{endpoint}", icon=":material/download:")
    if not present:
        st.segmented_control("Image format of the chart's camera button", list(IMAGE_FORMATS), default="png",
                             required=True, key="image_format", format_func=IMAGE_FORMATS.get,
                             help="The camera icon above the chart saves the figure at presentation "
                                  "resolution (3× scale) as PNG or SVG.")
    found = discrepancies_for(published().discrepancies, shown)
    if not found.empty:
        with st.expander(f"⚠ Where the paper contradicts itself on these endpoints ({len(found)})"):
            show_table(found, caption="Discrepancies", column_config={
                "reason": st.column_config.TextColumn(width="large")})
