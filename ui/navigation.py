"""The page list of the app (figure pages generated from the study) and the one Streamlit internal we touch.

Figure pages all run ``pages/figure.py``; each is registered under its own
``url_path`` from the study's ``figures.csv``, and :func:`current_figure` tells
the running page which figure it is.
"""

from __future__ import annotations

import streamlit as st

from cratus.study import Study

CURRENT_PAGE_KEY = "_current_page"
PAGES_KEY = "_pages"
CLICK_KEY = "_chart_click"


def page_specs(study: Study) -> list[dict]:
    """Every page of the app for *study*, in order: ``section, script, title, url_path, icon``.

    The trial pages (Laboratory only for patient data with reference ranges), one page per figure of
    ``figures.csv`` (all run ``pages/figure.py``), the appraisal.
    """
    def title(page: str, default: str) -> str:
        return study.text(page, "title", "nav_title", default)

    specs = [
        {"section": "Study", "script": "pages/overview.py", "title": title("overview", "Overview"),
         "url_path": "", "icon": "home"},
        {"section": "Study", "script": "pages/baseline.py", "title": title("baseline", "Baseline"),
         "url_path": "baseline", "icon": "table_chart"},
        {"section": "Study", "script": "pages/safety.py", "title": title("safety", "Safety"),
         "url_path": "safety", "icon": "health_and_safety"},
    ]
    if _has_lab_data(study):
        specs.append({"section": "Study", "script": "pages/laboratory.py", "title": title("laboratory", "Laboratory"),
                      "url_path": "laboratory", "icon": "biotech"})
    specs += [{"section": "Results", "script": "pages/figure.py", "title": f["nav_title"], "url_path": f["url_path"],
               "icon": f["icon"] or "insert_chart"} for f in study.figure_pages()]
    specs.append({"section": "Study", "script": "pages/data.py", "title": "Data source", "url_path": "data",
                  "icon": "dataset"})
    specs.append({"section": "Appraise", "script": "pages/appraisal.py", "title": title("appraisal", "Appraisal"),
                  "url_path": "appraisal", "icon": "fact_check"})
    specs.append({"section": "Present", "script": "pages/present.py", "title": "Presentation (deck)",
                  "url_path": "present", "icon": "slideshow"})
    return specs


def _has_lab_data(study: Study) -> bool:
    """Whether the study is computed from patients and has laboratory tests with reference ranges."""
    if study.kind != "patient":
        return False
    from cratus.patient.labs import lab_endpoints
    from ui.state import cached

    return bool(cached(lab_endpoints))


def app_pages(study: Study) -> dict[str, list]:
    """``st.navigation``'s sections of ``st.Page`` objects for *study* (see :func:`page_specs`)."""
    sections: dict[str, list] = {}
    for spec in page_specs(study):
        default = spec["url_path"] == ""
        sections.setdefault(spec["section"], []).append(st.Page(
            spec["script"], title=spec["title"], icon=f":material/{spec['icon']}:", default=default,
            **({} if default else {"url_path": spec["url_path"]})))
    return sections


def remember_page(page, sections: dict[str, list]) -> None:
    """Record which page ``st.navigation`` chose (for :func:`current_figure`) and this run's pages (for :func:`go_to`)."""
    st.session_state[CURRENT_PAGE_KEY] = page.url_path
    st.session_state[PAGES_KEY] = {p.url_path: p for pages in sections.values() for p in pages}


def current_url_path() -> str:
    """URL path of the page being run (``""`` for the overview)."""
    return st.session_state.get(CURRENT_PAGE_KEY, "")


def go_to(url_path: str, query: dict | None = None):
    """Switch to the page at *url_path* with the query parameters *query* (nothing happens if it is missing)."""
    # The arms follow by themselves: their selector is bound to the address on every page.
    pages = st.session_state.get(PAGES_KEY, {})
    if url_path not in pages:  # a page this study or this version of the app does not have
        return
    st.switch_page(pages[url_path], query_params=query or {})


def open_on_click(chart_key: str, url_path: str, param: str):
    """An ``on_select`` callback for a chart whose points carry an id as ``customdata``: the clicked point's id
    is remembered, and :func:`follow_click` (at the top of the next run) opens *url_path* with ``param=id``.

    (A page cannot be switched from inside a callback; the next run does it, before drawing anything.)
    """
    def remember() -> None:
        event = st.session_state.get(chart_key) or {}
        points = (event.get("selection") or {}).get("points") or []
        value = points[0].get("customdata") if points else None
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if value is not None:
            st.session_state[CLICK_KEY] = (url_path, {param: str(value)})
    return remember


def follow_click() -> None:
    """Open the page a chart click asked for (:func:`open_on_click`), if any; nothing if that page is missing."""
    target = st.session_state.pop(CLICK_KEY, None)
    if target:
        go_to(*target)


def current_figure(study: Study) -> dict:
    """The ``figures.csv`` row of the figure page being run (the first figure if none matches)."""
    url_path = st.session_state.get(CURRENT_PAGE_KEY, "")
    pages = study.figure_pages()
    return next((f for f in pages if f["url_path"] == url_path), pages[0] if pages else {})


def ensure_navigation() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Streamlit (1.67) treats an app with a ``pages/`` folder as a v1 multipage
    app until some session has called ``st.navigation``: the very first
    visitor of a deep link such as ``/baseline`` would get the page without
    app.py (no page titles, no sections).  Clearing that flag and rerunning
    sends the run through app.py's ``st.navigation``, which keeps the URL's
    page.  This is the only place that touches a Streamlit internal;
    ``tests/test_navigation.py`` fails when an upgrade removes the flag or
    makes this unnecessary.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
