"""The page list of the app (figure pages generated from the study), and the one module that touches Streamlit's
internals: the legacy ``pages/`` flag navigation needs (:func:`ensure_navigation`) and the upload storage that
keeps an upload's bytes after it is read (:func:`drop_uploaded_files`).  ``tests/test_navigation.py`` pins both.

Figure pages all run ``pages/figure.py``; each is registered under its own
``url_path`` from the study's ``figures.csv``, and :func:`current_figure` tells
the running page which figure it is.
"""

from __future__ import annotations

import streamlit as st

from cratus.study.model import Study
from ui import keys

#: The participant profile's page (patient-level studies only); its query key ``subject`` is the subject id.
PARTICIPANT = "participant"
#: The protocol analyses' page (patient-level studies only); ``an_endpoint`` names its endpoint.
ANALYSES = "analyses"


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
    if study.has_patients:
        specs.append({"section": "Study", "script": "pages/participant.py", "title": "Participant",
                      "url_path": PARTICIPANT, "icon": "person"})
    specs += [{"section": "Results", "script": "pages/figure.py", "title": f["nav_title"], "url_path": f["url_path"],
               "icon": f["icon"] or "insert_chart"} for f in study.figure_pages()]
    if study.has_patients:
        specs.append({"section": "Results", "script": "pages/analyses.py", "title": "Protocol analyses",
                      "url_path": ANALYSES, "icon": "functions"})
        if _has_time_to_event(study):
            specs.append({"section": "Results", "script": "pages/time_to_event.py", "title": "Time to event",
                          "url_path": "time_to_event", "icon": "timeline"})
        specs.append({"section": "Results", "script": "pages/subgroups.py", "title": "Subgroups",
                      "url_path": "subgroups", "icon": "forest"})
    specs.append({"section": "Study", "script": "pages/data.py", "title": "Data source", "url_path": "data",
                  "icon": "dataset"})
    specs.append({"section": "Appraise", "script": "pages/appraisal.py", "title": title("appraisal", "Appraisal"),
                  "url_path": "appraisal", "icon": "fact_check"})
    specs.append({"section": "Present", "script": "pages/present.py", "title": "Presentation (deck)",
                  "url_path": "present", "icon": "slideshow"})
    return specs


def _has_time_to_event(study: Study) -> bool:
    from cratus.patient.time_to_event import tte_parameters

    return bool(tte_parameters(study))


def _has_lab_data(study: Study) -> bool:
    """Whether the study is computed from patients and has laboratory tests with reference ranges."""
    return study.has_patients and _lab_tests(study.key, study)


@st.cache_resource(max_entries=8, show_spinner=False)
def _lab_tests(key: str, _study: Study) -> bool:
    from cratus.patient.labs import lab_endpoints

    return bool(lab_endpoints(_study))


def app_pages(study: Study, page=None) -> dict[str, list]:
    """``st.navigation``'s sections of ``st.Page`` objects for *study* (see :func:`page_specs`).

    *page* (a spec → the page's script or callable) replaces each page's own script; the browser bench's
    frame (``bench/shell_app.py``) draws the same navigation around a minimal chart with it.
    """
    sections: dict[str, list] = {}
    for spec in page_specs(study):
        default = spec["url_path"] == ""
        sections.setdefault(spec["section"], []).append(st.Page(
            page(spec) if page else spec["script"], title=spec["title"], icon=f":material/{spec['icon']}:",
            default=default,
            **({} if default else {"url_path": spec["url_path"]})))
    return sections


def remember_page(page, sections: dict[str, list]) -> None:
    """Record which page ``st.navigation`` chose (for :func:`current_figure`) and this run's pages (for :func:`go_to`)."""
    st.session_state[keys.CURRENT_PAGE] = page.url_path
    st.session_state[keys.PAGES] = {p.url_path: p for pages in sections.values() for p in pages}


def current_url_path() -> str:
    """URL path of the page being run (``""`` for the overview)."""
    return st.session_state.get(keys.CURRENT_PAGE, "")


def go_to(url_path: str, query: dict | None = None):
    """Switch to the page at *url_path* with the query parameters *query* (:func:`came_from` remembers this one;
    nothing happens if this study has no such page)."""
    # The arms follow by themselves: their selector is bound to the address on every page.
    pages = st.session_state.get(keys.PAGES, {})
    if url_path not in pages:  # a page this study or this version of the app does not have
        return
    st.session_state[keys.CAME_FROM] = (current_url_path(), {k: st.query_params.get_all(k) for k in st.query_params})
    st.switch_page(pages[url_path], query_params=query or {})


def came_from(default: str = "") -> tuple:
    """``(page, query)`` of the page that last called :func:`go_to` (*default* and no query if none is known)."""
    pages = st.session_state.get(keys.PAGES, {})
    url_path, query = st.session_state.get(keys.CAME_FROM, (default, {}))
    if url_path not in pages:
        url_path, query = default, {}
    return pages.get(url_path), query


def current_figure(study: Study) -> dict:
    """The ``figures.csv`` row of the figure page being run (the first figure if none matches)."""
    url_path = st.session_state.get(keys.CURRENT_PAGE, "")
    pages = study.figure_pages()
    return next((f for f in pages if f["url_path"] == url_path), pages[0] if pages else {})


def ensure_navigation(in_app: bool = False) -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Streamlit (1.67) treats an app with a ``pages/`` folder as a v1 multipage
    app until some session has called ``st.navigation``: the very first
    visitor of a deep link such as ``/baseline`` would get the page file run
    alone (no page titles, no sections).  Clearing that flag and rerunning
    sends the run through app.py's ``st.navigation``, which keeps the URL's
    page.  A page with no file of its own (a figure page such as
    ``/functional``) has by then also been answered with Streamlit's "Page not
    found" dialog before app.py runs as the default page: app.py calls this with
    ``in_app=True`` and the page closes the dialog (:func:`close_page_not_found`).
    This and :func:`drop_uploaded_files` are the only places that touch a Streamlit internal;
    ``tests/test_navigation.py`` fails when an upgrade removes the flag or
    makes this unnecessary, and ``tests/test_browser.py::test_deep_link_on_fresh_server``
    checks the page and the dialog in a browser.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if in_app:
        # app.py runs as the legacy app's default page because the URL names no file of pages/; Streamlit has
        # already sent its dialog, and app.py's own st.navigation will show the right page: close the dialog.
        st.session_state[keys.LEGACY_RUN] = True
    else:
        st.rerun()


def drop_uploaded_files(files) -> None:
    """Remove uploaded files (``st.file_uploader``'s values) from Streamlit's upload storage, where their bytes
    otherwise stay until the session ends; as Streamlit's own chat input does, through the script context's
    ``uploaded_file_mgr.remove_file``.  What it cannot find it skips; ``tests/test_navigation.py`` fails when an
    upgrade renames it."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    manager = getattr(context, "uploaded_file_mgr", None)
    for upload in files:
        if manager is not None and getattr(upload, "file_id", None):
            manager.remove_file(context.session_id, upload.file_id)


def close_page_not_found() -> None:
    """Close the "Page not found" dialog of a legacy first run (see :func:`ensure_navigation`)."""
    if st.session_state.pop(keys.LEGACY_RUN, False):
        st.sidebar.html(_CLOSE_NOT_FOUND, unsafe_allow_javascript=True)


# Closes the dialog the legacy run sent (it may arrive a moment after this script; give up after 5 s).
_CLOSE_NOT_FOUND = """<script>
(() => {
  let tries = 0;
  const timer = setInterval(() => {
    const dialog = [...document.querySelectorAll('[role="dialog"]')]
      .find((d) => d.textContent.includes("Page not found"));
    const close = dialog && dialog.querySelector('button[aria-label="Close"]');
    if (close) close.click();
    if (close || ++tries > 50) clearInterval(timer);
  }, 100);
})();
</script>"""
