"""Which study this session shows: the one place that decides it, and the one copy of the session's patients.

The server's study (``$CRATUS_STUDY_DIR`` or ``data/``) is loaded once per
process and shared read-only.  A session that opens patient-level data
(:mod:`ui.data_source` reads them) hands the study built from them to
:func:`show`; it lives in this session's state only, and its patients are
the study's own (``study.patients``): nothing else keeps them.

:func:`study` is what every page shows: the session's study restricted to the
subgroup filter in force.  The filter lives in the page address
(``?f_sex=Female&f_age=70..80``, :mod:`cratus.patient.subset`) so that a
shared link carries it, and in this session's state so that it survives a
page switch (Streamlit drops the address's parameters when the reader picks
another page).  A filter that leaves an arm without subjects is not applied:
the pages show every subject and :class:`Filtered` says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import pandas as pd
import streamlit as st

from cratus.words import join
from cratus.patient import to_study
from cratus.patient.subset import (QUERY_PREFIX, describe_filters, filter_options, filter_patient_data,
                                   filters_from_query, selected_counts)
from cratus.patient.summarize import as_read
from cratus.study.model import Study, default_study_dir, load_study
from ui import keys


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_default_study(folder: str) -> Study:
    return load_study(folder)


def default_study() -> Study:
    """The server's study folder (``$CRATUS_STUDY_DIR`` or ``data/``), loaded once per process."""
    return _load_default_study(str(default_study_dir()))


def unfiltered_study() -> Study:
    """The study this session opened (else the server's study), before any subgroup filter."""
    state = st.session_state
    if keys.STUDY not in state:
        state[keys.STUDY] = default_study()
    return state[keys.STUDY]


def show(chosen: Study | None, source: str) -> None:
    """Show *chosen* in this session only (``None``: back to the server's study); *source* names the kind of
    data (``"published"``, ``"synthetic"`` or ``"upload"``)."""
    st.session_state[keys.SOURCE] = source
    if st.session_state.get(keys.STUDY) is not chosen:  # what was made from the previous study goes with it
        st.session_state.pop(keys.SESSION_MEMO, None)
    if chosen is None:
        st.session_state.pop(keys.STUDY, None)
    else:
        st.session_state[keys.STUDY] = chosen


def source() -> str | None:
    """The kind of data this session opened (``"published"``, ``"synthetic"``, ``"upload"``), None before any."""
    return st.session_state.get(keys.SOURCE)


def study() -> Study:
    """The study this session shows: :func:`unfiltered_study` restricted to the subgroup filter in force."""
    return filtered().study


# --- the subgroup filter -----------------------------------------------------------------------------
class Filtered(NamedTuple):
    """The study the pages show, the filter applied, the counts per arm and what to tell the reader."""

    study: Study
    filters: tuple
    counts: pd.DataFrame | None
    message: str
    applied: bool


def address_filters() -> tuple:
    """The raw ``(f_<variable>, value)`` pairs in force: the address's, else this session's."""
    url = tuple(sorted((k, st.query_params.get(k)) for k in st.query_params if k.startswith(QUERY_PREFIX)))
    if url:
        st.session_state[keys.SHARED_FILTERS] = url
        return url
    return st.session_state.get(keys.SHARED_FILTERS, ())


def filter_choices(base: Study) -> pd.DataFrame:
    """The variables and levels a subgroup filter of *base*'s patients can use (:func:`filter_options`)."""
    return _options(base.key, base)


def _kept(name: str, key: tuple, compute):
    """*compute()* once per session and *key*, kept in this session's state only: values made from a session's
    patients (a copy of them, a filtered study holding them) are dropped with the session or when it opens other
    data.  A process-wide cache (``st.cache_resource``) kept up to four of them after their sessions had ended:
    ~1 GB for four 4-million-row uploads on a server of ~2.7 GB."""
    memo = st.session_state.setdefault(keys.SESSION_MEMO, {})
    study_key = key[0]
    if memo.get("_study") != study_key:
        memo.clear()
        memo["_study"] = study_key
    entries = memo.setdefault(name, {})
    if key not in entries:
        if len(entries) >= KEPT_PER_NAME:
            entries.pop(next(iter(entries)))
        entries[key] = compute()
    return entries[key]


#: Values kept per name (e.g. the last few subgroup filters of the session's study).
KEPT_PER_NAME = 4


def _options(key: str, _base: Study) -> pd.DataFrame:
    return _kept("options", (key,), lambda: filter_options(_base.patients))


def filtered() -> Filtered:
    """The session's study under the subgroup filter in force (itself when it has no patients or no filter)."""
    base = unfiltered_study()
    raw = address_filters() if base.has_patients else ()
    if not raw:
        return Filtered(base, (), None, "", False)
    return _filtered(base.key, raw, base)


# At 10,000 subjects each filtered study holds tens of MB: a few per session, gone with the session.
def _filtered(key: str, raw: tuple, _base: Study) -> Filtered:
    return _kept("filtered", (key, raw), lambda: _filter(key, raw, _base))


def _filter(key: str, raw: tuple, _base: Study) -> Filtered:
    """The study of the subjects passing the address's filter (see :class:`Filtered`)."""
    data = _base.patients
    filters = filters_from_query(dict(raw), _options(key, _base))
    if not filters:
        return Filtered(_base, (), None, "", False)
    subset = filter_patient_data(data, filters)
    counts = selected_counts(data, subset)
    empty = counts.loc[counts["selected"] == 0, "arm"].tolist()
    if empty:
        where = "" if len(empty) == len(counts) else " in " + join([_base.design.short(a) for a in empty])
        message = (f"The subgroup filter ({describe_filters(filters, data)}) leaves no patient{where}, so it "
                   "is not applied: every page shows all patients until the filter is changed or cleared.")
        return Filtered(_base, filters, counts, message, False)
    built = to_study(as_read(subset), reference=default_study())
    # Where the data come from carries over; the code behind each output reopens the same subjects.
    recipe = _base.recipe.with_filters(filters) if _base.recipe is not None else None
    return Filtered(replace(built, origin=_base.origin, recipe=recipe, filters=filters), filters, counts, "", True)


def patients_as_read():
    """The session's patients with arms and visits named as their files name them (what the mapping choices
    name), before any subgroup filter; None for a study without patients."""
    base = unfiltered_study()
    return _as_read(base.key, base) if base.has_patients else None


def _as_read(key: str, _base: Study):
    return _kept("as_read", (key,), lambda: as_read(_base.patients))
