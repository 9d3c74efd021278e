"""Open a page of the app in ``streamlit.testing`` by its URL path, as a shared link would.

Figure pages all run ``pages/figure.py`` under their own URL path, so tests
address pages by URL path (``""`` is the overview).  ``AppTest.switch_page``
takes a file; several pages share one file, so :func:`set_page` sets the
page's hash (Streamlit derives it from the URL path alone) directly, as a
deep link reaches a fresh server.  It is the one place where tests (and the
benches) touch that Streamlit internal.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from ui.fold import skip_for_session

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def open_page(url_path: str = "", query: dict | None = None, arms: list | None = None, study_dir=None,
              timeout: float = 60) -> AppTest:
    """Run app.py on the page at *url_path*, with URL parameters *query*; optionally select *arms*.

    *study_dir* points the app at another study folder for this run (``CRATUS_STUDY_DIR``).
    """
    previous = os.environ.get("CRATUS_STUDY_DIR")
    if study_dir is not None:
        os.environ["CRATUS_STUDY_DIR"] = str(study_dir)
    try:
        at = AppTest.from_file(APP, default_timeout=timeout)
        skip_for_session(at.session_state)  # no browser to press "continue" after the first chart (ui/fold.py)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        # As a shared link opened on a fresh server: the first run already asks for the page.
        set_page(at, url_path)
        at.run()
        if arms is not None:
            at.sidebar.get("button_group")[0].set_value(arms).run()
    finally:
        if study_dir is not None:
            if previous is None:
                os.environ.pop("CRATUS_STUDY_DIR", None)
            else:
                os.environ["CRATUS_STUDY_DIR"] = previous
    return at


def set_page(at: AppTest, url_path: str) -> AppTest:
    """Make *at*'s next run the page at *url_path* (``""``: the overview), as a link to it would; returns *at*.

    AppTest has no public way to address a page by URL path (``switch_page`` takes a file, and several pages run
    ``pages/figure.py``): this sets its private page hash, computed as Streamlit computes it from the URL path.
    """
    at._page_hash = calc_hash(url_path.strip("/"))
    return at


def open_synthetic_demo() -> AppTest:
    """A session that opened the synthetic patient-level demo on the Data source page, as a reader would."""
    at = open_page("data")
    at.radio(key="source_choice").set_value("synthetic").run()
    next(b for b in at.button if b.label == "Open the synthetic demo").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


class _TableReader(HTMLParser):
    """Reads the cells of ``table.cratus-table`` elements (:func:`cratus.outputs.export.html_table`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "cratus-table" in (attrs.get("class") or "").split():
            self.tables.append({"header": [], "numeric": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self._cell = []
            if tag == "th":
                self.tables[-1]["numeric"].append("num" in (attrs.get("class") or "").split())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None and self.tables:
            table = self.tables[-1]
            (table["header"] if tag == "th" else table["rows"][-1]).append("".join(self._cell))
            self._cell = None


def read_tables(html: str) -> list[pd.DataFrame]:
    """The static tables in *html*, each as a frame of its text; numeric columns (``class="num"``) as numbers."""
    reader = _TableReader()
    reader.feed(html)
    frames = []
    for table in reader.tables:
        frame = pd.DataFrame([row for row in table["rows"] if row], columns=table["header"], dtype=object)
        for column, numeric in zip(table["header"], table["numeric"]):
            if numeric:
                frame[column] = pd.to_numeric(frame[column])
        frames.append(frame)
    return frames


def tables(at) -> list[pd.DataFrame]:
    """The static tables a run drew (``ui.render.static_table``), in page order, as :func:`read_tables` reads them."""
    return [frame for element in at.get("html") for frame in read_tables(element.value)]
