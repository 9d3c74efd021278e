"""Caches keyed by the study the session shows, presentation mode, and the page's report.

Which study that is, is decided in :mod:`ui.session`.  Every cache is keyed by
the study's content hash, so two studies served by one process never mix.
"""

from __future__ import annotations

import functools

import streamlit as st

from cratus.outputs.code import source_lines
from cratus.outputs.report import Report
from ui import keys
from ui.session import study


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
    return bool(st.session_state.get(keys.PRESENTING))


def new_report(title: str, selections: dict) -> Report:
    current = study()
    made = Report(f"{current.title} — {title}", citation=current.citation, selections=selections)
    if current.has_patients:
        made.source = source_lines(current)
        made.provenance = ("Every number is computed here from the patient-level data named at the top; "
                           "individual patients' values are left out unless the report was asked to include them.")
    st.session_state[keys.REPORT] = made
    return made


def report() -> Report:
    """The report of the page being rendered."""
    if keys.REPORT not in st.session_state:
        st.session_state[keys.REPORT] = Report(study().title)
    return st.session_state[keys.REPORT]
