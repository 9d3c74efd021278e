"""The dashboard's frame around the minimal chart: the second yardstick of ``bench/bench_browser.py --shell``.

Every page of the app (same sections, titles, icons and addresses, from :func:`ui.navigation.app_pages`),
the app's page configuration (wide layout, page icon) and each page's title — and on every page only the
minimal page's one chart (:func:`minimal_app.minimal_figure`).  A deep link such as ``/functional`` is
opened the way a shared link to the dashboard is.  So ``page / shell`` is what a page's own content costs
in the browser, and ``shell / minimal`` what Streamlit's multipage frame costs before any content.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minimal_app import minimal_figure  # noqa: E402 - Streamlit puts bench/ on sys.path

from cratus.study.model import load_study  # noqa: E402
from ui.navigation import app_pages  # noqa: E402


def _page(spec: dict):
    def draw() -> None:
        st.title(spec["title"])
        st.plotly_chart(minimal_figure())
    return draw


study = load_study()
page = st.navigation(app_pages(study, page=_page), expanded=True)
st.set_page_config(page_title=f"{study.title} results", page_icon=":material/biotech:", layout="wide")
page.run()
