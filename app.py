"""cratus: an interactive results dashboard for a clinical trial.  Run with ``streamlit run app.py``.

The study shown is ``data/`` (the CRATUS trial), or the folder named by ``$CRATUS_STUDY_DIR``.
"""

import os
import sys
import time

import streamlit as st

from ui.data_source import follow_link
from ui.navigation import app_pages, ensure_navigation, remember_page
from ui.session import study

started = time.perf_counter()
ensure_navigation(in_app=True)
follow_link()  # a shared link to the synthetic demo reopens it
current = study()
sections = app_pages(current)
page = st.navigation(sections, expanded=True)  # every page listed: none hidden under "View more"
remember_page(page, sections)
# Presentation mode (the deck, or ?present=1 on its way there) opens with the sidebar folded: the slide gets
# the whole projector, and the header's control still opens the sidebar.
presenting = page.url_path == "present" or st.query_params.get("present") == "1"
st.set_page_config(page_title=f"{current.title} results", page_icon=":material/biotech:", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
st.sidebar.caption(current.text("app", "sidebar", "caption",
                                "Cells the source does not report are marked, never estimated." if current.has_printed_sources
                                else "Every number is computed here from the patient-level data."))
page.run()
if os.environ.get("CRATUS_TIMING"):  # bench/bench_load.py reads the server's own time per script run
    print(f"cratus-run {page.url_path} {(time.perf_counter() - started) * 1000:.1f}", file=sys.stderr, flush=True)
