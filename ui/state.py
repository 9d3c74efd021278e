"""Session state of the dashboard: which study this session shows, study-keyed caches, the page's report.

A study is loaded once per server process and shared read-only; an uploaded
study lives in its own session only.  Every cache is keyed by the study's
content hash, so two studies served by one process never mix.
"""

from __future__ import annotations

import functools

import streamlit as st

from cratus.outputs.report import Report
from cratus.study.model import Study, default_study_dir, load_study

STUDY_KEY = "study"
REPORT_KEY = "report"
PRESENT_SHARED = "present"


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_default_study(folder: str) -> Study:
    return load_study(folder)


def default_study() -> Study:
    """The server's study folder (``$CRATUS_STUDY_DIR`` or ``data/``), loaded once per process."""
    return _load_default_study(str(default_study_dir()))


def unfiltered_study() -> Study:
    """The study this session opened (else the server's study), before any subgroup filter."""
    state = st.session_state
    if STUDY_KEY not in state:
        state[STUDY_KEY] = default_study()
    return state[STUDY_KEY]


def study() -> Study:
    """The study this session shows: :func:`unfiltered_study` restricted to the subgroup filter in force
    (patient-level studies only, see :mod:`ui.filters`)."""
    base = unfiltered_study()
    if base.kind != "patient":
        return base
    from ui.filters import current

    return current(base).study


def use_study(chosen: Study | None) -> None:
    """Show *chosen* in this session only (``None``: back to the server's study)."""
    if chosen is None:
        st.session_state.pop(STUDY_KEY, None)
    else:
        st.session_state[STUDY_KEY] = chosen


def _apply(key: str, name: str, args: tuple, kwargs: tuple, _func):
    return _func(study(), *args, **dict(kwargs))


# Results are kept as shared objects (st.cache_resource): st.cache_data would unpickle a copy of every table on
# every call, and a page makes dozens of calls per rerun.  Callers treat results as read-only.  Figures too:
# unpickling a plotly figure re-validates it, which costs as much as building it.  ONE cache for both: Streamlit
# keys a function's cache by its source, so two st.cache_resource wrappers of _apply with different settings
# replaced each other's cache on every call (every rerun recomputed everything).
_cached_call = st.cache_resource(max_entries=1280, show_spinner=False)(_apply)


def _name(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


@functools.lru_cache(maxsize=1280)
def _memo(key: str, name: str, args: tuple, kwargs: tuple, func):
    return func(study(), *args, **dict(kwargs))


def cached(func, *args, **kwargs):
    """``func(study(), *args, **kwargs)``, computed once per study and distinct choice (pass lists as tuples);
    the result is shared, so callers must not modify it.

    Example: ``cached(table_one, arms=("a", "b"))``.

    Arguments Python can hash (strings, numbers, tuples of them) are looked up in a plain LRU cache:
    Streamlit's cache hashes every argument and reads the function's signature on every call, about
    1.5 ms each, which a figure page's sixteen calls per rerun turned into a third of the rerun.  Other
    arguments go through ``st.cache_resource``.
    """
    key = (study().key, _name(func), args, tuple(sorted(kwargs.items())))
    try:
        hash(key)
    except TypeError:
        return _cached_call(*key, func)
    return _memo(*key, func)


def cached_figure(func, *args, **kwargs):
    """Like :func:`cached` for plotly figures and other objects, shared as they are; callers must not modify them."""
    return cached(func, *args, **kwargs)


def presenting() -> bool:
    """Whether presentation mode is on in this session."""
    return bool(st.session_state.get(PRESENT_SHARED))


def new_report(title: str, selections: dict) -> Report:
    current = study()
    made = Report(f"{current.title} — {title}", citation=current.citation, selections=selections)
    if current.kind == "patient":
        from cratus.outputs.code import source_lines

        made.source = source_lines(current)
        made.provenance = ("Every number is computed here from the patient-level data named at the top; "
                           "individual patients' values are left out unless the report was asked to include them.")
    st.session_state[REPORT_KEY] = made
    return made


def report() -> Report:
    """The report of the page being rendered."""
    if REPORT_KEY not in st.session_state:
        st.session_state[REPORT_KEY] = Report(study().title)
    return st.session_state[REPORT_KEY]
