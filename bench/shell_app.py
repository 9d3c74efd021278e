"""The dashboard's frame around the minimal chart: the second yardstick of ``bench/bench_browser.py --shell``.

Every page of the app (same sections, titles, icons and addresses, from :func:`ui.navigation.page_specs`),
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

from cratus.study import load_study  # noqa: E402
from ui.navigation import page_specs  # noqa: E402


def _page(title: str):
    def draw() -> None:
        st.title(title)
        st.plotly_chart(minimal_figure())
    return draw


study = load_study()
sections: dict[str, list] = {}
for spec in page_specs(study):
    default = spec["url_path"] == ""
    sections.setdefault(spec["section"], []).append(st.Page(
        _page(spec["title"]), title=spec["title"], icon=f":material/{spec['icon']}:", default=default,
        **({} if default else {"url_path": spec["url_path"]})))
page = st.navigation(sections, expanded=True)
st.set_page_config(page_title=f"{study.title} results", page_icon=":material/biotech:", layout="wide")
page.run()
