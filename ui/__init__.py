"""The Streamlit layer shared by the pages (the analysis lives in :mod:`cratus`, which never imports Streamlit).

One job per module:

* :mod:`ui.session` — which study the session shows (the subgroup filter included), and its one copy of the patients;
* :mod:`ui.keys` — every key kept in a session's state, each named once;
* :mod:`ui.state` — caches keyed by the study, presentation mode, the page's report;
* :mod:`ui.navigation` — the page list (figure pages generated from the study) and the deep-link workaround;
* :mod:`ui.controls` — the sidebar's arm selection and presentation mode, bound to the URL;
* :mod:`ui.filters` — the subgroup filter's controls (sidebar panel, address, N caption);
* :mod:`ui.frame` — the page frame (sidebar controls, presentation mode, banner, title, the page's report);
* :mod:`ui.render` — tables (static HTML), charts, headings, the study's notes;
* :mod:`ui.output` — one call per output: computed (cached by the study), shown, reported, with the code behind it;
* :mod:`ui.figure_page` — the body of a figure page;
* :mod:`ui.share` — the link to this view and the HTML report;
* :mod:`ui.fold` — a new visitor's first page: its first chart first, the rest once the browser has drawn it.

Pages use the names re-exported here: ``import ui; arms = ui.start_page(...)``.
"""

from ui.controls import on_phone
from ui.figure_page import render_figure
from ui.navigation import current_figure
from ui.frame import start_page
from ui.output import call, chart, code, compute, table
from ui.render import heading, pick_row, show_chart, show_notes, show_sources, show_table, subheader
from ui.share import finish_page
from ui.session import study, unfiltered_study
from ui.state import cached, cached_figure, presenting, report

__all__ = ["cached", "cached_figure", "call", "chart", "code", "compute", "current_figure", "finish_page", "heading",
           "on_phone", "pick_row", "presenting", "render_figure", "report", "show_chart", "show_notes", "show_sources",
           "show_table", "start_page", "study", "subheader", "table", "unfiltered_study"]
