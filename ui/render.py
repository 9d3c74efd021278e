"""Drawing shared by the pages and the deck: tables, charts, sources, headings and the study's notes.

Everything shown through these helpers is also collected into the page's HTML
report (:mod:`cratus.outputs.report`).  The page frame is :mod:`ui.frame`; one
call per output (computed, shown, reported, with its code) is :mod:`ui.output`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st
from plotly.basedatatypes import BaseFigure

from cratus.outputs.export import html_cards, html_table, stack_columns, to_csv_bytes
from ui import keys
from ui.controls import on_phone
from ui.fold import after_chart
from ui.session import study
from ui.state import report


_NOTE_RENDERERS = {
    "markdown": st.markdown, "caption": st.caption,
    "info": lambda text: st.info(text, icon=":material/info:"),
    "warning": lambda text: st.warning(text, icon=":material/warning:"),
    "success": lambda text: st.success(text, icon=":material/check_circle:"),
}


def show_notes(page: str, section: str) -> None:
    """The study's own notes for one place of a page (``notes.csv``): text, captions, info and warning boxes."""
    for kind, text in study().notes_for(page, section):
        if kind in _NOTE_RENDERERS:
            _NOTE_RENDERERS[kind](text)
            report().add_text(text)


def heading(page: str, section: str, default: str, **kwargs) -> None:
    """A section heading: the study's own wording (``notes.csv`` kind ``heading``) or *default*."""
    subheader(study().text(page, section, "heading", default), **kwargs)


def show_table(frame: pd.DataFrame, caption: str = "", download: str | None = None, patient_rows: bool | None = None,
               stack: bool = True, cards: tuple[str, str, str] | None = None,
               **kwargs) -> None:
    """A full-height, index-free table; added to the page's report, optionally with a CSV download.

    *patient_rows* marks a table of individual patients, left out of the report unless the reader asks
    (default: when it has a subject id column, :func:`cratus.outputs.report.lists_patients`).

    Tables are static HTML (:func:`static_table`).  On a phone a table wider than three columns is stacked
    (one row per arm, see :func:`cratus.outputs.export.stack_columns`), so every number reads at 390 px without
    sideways scrolling.  ``stack=False`` keeps a narrow cross-table (short
    headers and cells, such as a shift table) as a grid on a phone too.  ``cards=(title, lead, details)`` draws
    it on a phone as one card per row instead (:func:`cratus.outputs.export.html_cards`): the *title* column
    heads each card, the *lead* column follows, the other columns open under *details*; a row's values never
    scroll away from its name.
    """
    if cards is not None and on_phone():
        title, lead, details = cards
        st.html(CARDS_CSS + html_cards(frame, title, lead, label=caption, details=details))
    else:
        static_table(for_screen(frame, stack), label=caption)
    report().add_table(caption, frame, patient_rows=patient_rows)
    if download:
        # Built on click only: the page reruns on every widget change.
        st.download_button("Table (CSV)", lambda: to_csv_bytes(frame), file_name=f"{download}.csv",
                           mime="text/csv", key=f"csv_table_{download}", icon=":material/download:")


#: How a static table looks: as Streamlit's own tables (small type, light rules, a faded header), with text that
#: wraps to its column; a table wider than the page scrolls sideways inside its frame.
TABLE_CSS = """<style>
.cratus-table-frame { overflow-x: auto; border: 1px solid rgba(49, 51, 63, 0.12); border-radius: 0.5rem;
  margin-bottom: 0.5rem; }
.cratus-table { border-collapse: collapse; width: 100%; font-size: 0.875rem; line-height: 1.45; color: inherit; }
.cratus-table th, .cratus-table td { padding: 0.25rem 0.5rem; text-align: left; vertical-align: middle;
  border-bottom: 1px solid rgba(49, 51, 63, 0.12); border-right: 1px solid rgba(49, 51, 63, 0.12);
  overflow-wrap: break-word; font-weight: 400; }
.cratus-table th:last-child, .cratus-table td:last-child { border-right: none; }
.cratus-table tbody tr:last-child td { border-bottom: none; }
.cratus-table th { color: rgba(26, 26, 26, 0.72); }
.cratus-table .num { text-align: right; font-variant-numeric: tabular-nums; }
</style>"""

#: How a table drawn as cards looks on a phone: one bordered block per row, its name in bold, details folded.
CARDS_CSS = """<style>
.cratus-cards { display: flex; flex-direction: column; gap: 0.5rem; margin-bottom: 0.5rem; }
.cratus-card { border: 1px solid rgba(49, 51, 63, 0.15); border-radius: 0.5rem; padding: 0.5rem 0.75rem; }
.cratus-card h4 { font-size: 1rem; font-weight: 600; margin: 0 0 0.2rem 0; padding: 0; line-height: 1.35; }
.cratus-card p { margin: 0; font-size: 0.95rem; line-height: 1.45; }
.cratus-card details { margin-top: 0.35rem; font-size: 0.875rem; }
.cratus-card summary { cursor: pointer; color: rgba(26, 26, 26, 0.72); min-height: 1.75rem; padding: 0.2rem 0; }
.cratus-card dl { margin: 0.25rem 0 0 0; }
.cratus-card dt { font-weight: 600; margin-top: 0.35rem; }
.cratus-card dd { margin: 0; overflow-wrap: break-word; }
</style>"""

_HTML: OrderedDict = OrderedDict()
_HTML_LOCK = threading.Lock()


def for_screen(frame: pd.DataFrame, stack: bool = True) -> pd.DataFrame:
    """*frame* as a table is drawn on this screen: on a phone, wider than three columns, stacked (one row per arm,
    :func:`cratus.outputs.export.stack_columns`, without its source columns), so every number reads at 390 px without
    sideways scrolling; otherwise as it is."""
    if not (stack and on_phone() and len(frame.columns) > 3):
        return frame
    shown = frame.drop(columns=[c for c in ("Source", "Quote", "Note") if c in frame])
    design = study().design
    names = [design.label(a) for a in (*design.arm_ids, "total")] + [design.short(a) for a in design.arm_ids]
    by_arm = all(any(str(c).startswith(n) for n in names) for c in shown.columns[1:])
    return stack_columns(shown, name="Arm" if by_arm else "Column")


def static_table(frame: pd.DataFrame, label: str = "", container=None) -> None:
    """*frame* drawn as a static HTML table (:func:`cratus.outputs.export.html_table`), in *container* (default: here).

    Plain HTML, not ``st.table``: the browser draws it at once, without Streamlit's Arrow decoder (0.7 MB of
    code that a page would otherwise load before its first chart, ``bench/bench_browser.py``) or a React
    component per cell.  Its text wraps to the column and nothing is clipped.
    """
    (container or st).html(TABLE_CSS + _table_html(frame, label))


def _table_html(frame: pd.DataFrame, label: str) -> str:
    """The table's HTML, once per frame object: tables come from the page caches, the same object each rerun.

    The last 256 frames are kept (with their frames, so an id is never reused while its entry lives).
    """
    key = (id(frame), label)
    with _HTML_LOCK:
        found = _HTML.get(key)
        if found is not None and found[0] is frame:
            _HTML.move_to_end(key)
            return found[1]
    html = f'<div class="cratus-table-frame">{html_table(frame, label=label)}</div>'
    with _HTML_LOCK:
        _HTML[key] = (frame, html)
        while len(_HTML) > 256:
            _HTML.popitem(last=False)
    return html


def plot(figure, config: dict | None = None, key: str | None = None, clickable: bool = False):
    """Draw a plotly figure with its own fonts and colours (Streamlit's theme would shrink fonts to 12 px).

    On a phone a finger dragged across the chart scrolls the page instead of zooming it
    (``dragmode=False``); the chart's + and − buttons still zoom, and "Zoom with a finger" turns
    dragging back on.  Desktop browsers keep plotly's drag-to-zoom.  With *clickable*, a click (a tap)
    on a point reruns the page and the chart's event is returned (read it with :func:`clicked`); dragging
    still zooms (desktop) or scrolls (phone), as box and lasso selection stay off.
    """
    config = {"displaylogo": False, **(config or {})}
    if on_phone() and not st.session_state.get(keys.TOUCH_ZOOM):
        spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else dict(figure)
        figure = {**spec, "layout": {**spec.get("layout", {}), "dragmode": False}}
        config.update(scrollZoom=False, modeBarButtonsToRemove=["select2d", "lasso2d"])
    elif isinstance(figure, BaseFigure):
        figure = _Converted(figure)
    events = {"on_select": "rerun", "selection_mode": "points"} if clickable else {}
    shown = st.plotly_chart(figure, theme=None, config=config, key=key, **events)
    after_chart()  # a new visitor's first page: the rest is drawn once this chart is (ui/fold.py)
    return shown


def clicked(event) -> str | None:
    """The ``customdata`` of the point a reader clicked in a :func:`plot` drawn with ``clickable=True``."""
    for point in (event or {}).get("selection", {}).get("points", []):
        value = point.get("customdata")
        value = value[0] if isinstance(value, (list, tuple)) and value else value
        if isinstance(value, str) and value:
            return value
    return None


def pick_row(frame: pd.DataFrame, key: str) -> int | None:
    """An interactive table in which the reader picks one row (a tap on a phone); returns its position or ``None``.

    Its rows are patients' (a listing), so it is not put in the page's report, which embeds no patient rows.
    """
    event = st.dataframe(frame, hide_index=True, on_select="rerun", selection_mode="single-row", key=key)
    rows = event.selection.rows if event is not None else []
    return rows[0] if rows else None


class _Converted(BaseFigure):
    """A figure whose ``to_dict()`` (what ``st.plotly_chart`` sends) is computed once per figure object.

    ``st.plotly_chart`` converts a figure to a dict on every run (10–40 ms for a grid of panels, the biggest
    part of a rerun); figures from :func:`ui.state.cached_figure` are shared and never modified, so their
    dict is kept on the figure.  Not a usable figure otherwise: it skips ``BaseFigure.__init__``.
    """

    def __init__(self, figure: BaseFigure):  # noqa: D107 - no BaseFigure.__init__: nothing to validate again
        spec = getattr(figure, "_cratus_dict", None)
        if spec is None:
            spec = figure.to_dict()
            figure._cratus_dict = spec  # BaseFigure allows private attributes
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def touch_zoom_switch() -> None:
    """On a phone, the switch that lets a finger zoom and pan the charts (off: the page scrolls)."""
    if on_phone():
        st.toggle("Zoom with a finger", key=keys.TOUCH_ZOOM,
                  help="Off: swiping over a chart scrolls the page; use the chart's + and − buttons to zoom.")


def show_chart(figure, **kwargs):
    """:func:`plot` a figure and add it to the page's report; returns :func:`plot`'s selection event.

    ``patient_rows=True``: a figure of individual patients throughout, left out of the report unless the reader
    asks; ``clickable=True``: its points can be clicked (see :func:`plot` and :func:`clicked`).
    """
    page_report = report()
    if not getattr(page_report, "touch_switch_shown", False):
        touch_zoom_switch()  # once per page, above its first chart
        page_report.touch_switch_shown = True
    event = plot(figure, config=kwargs.get("config"), key=kwargs.get("key"), clickable=kwargs.get("clickable", False))
    report().add_figure(figure, patient_rows=kwargs.get("patient_rows", False))
    return event


def show_sources(frame: pd.DataFrame, title: str = "Where each number comes from") -> None:
    """An expander listing the source and quote of each number (built only when opened)."""
    box = st.expander(title, key=f"sources_{title}", on_change="rerun")
    if box.open:
        with box:
            st.dataframe(frame, hide_index=True, column_config={
                "quote": st.column_config.TextColumn("Quote from the paper", width="large")})


def subheader(text: str, **kwargs) -> None:
    """A section heading, also in the report."""
    st.subheader(text, **kwargs)
    report().add_heading(text)
