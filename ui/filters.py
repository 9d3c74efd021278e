"""The subgroup filter of patient-level studies: the sidebar panel, the address, the N caption, the filtered study.

The filter lives in the page address (``?f_sex=Female&f_age=70..80``, see
:mod:`cratus.patient.subset`) so that a shared link carries it, and in this
session's state so that it survives a page switch (Streamlit drops the
address's parameters when the reader picks another page).  An address that
names a filter wins; an address without one gets the session's filter back.

:func:`current` gives the study of the subjects that pass (memoized per
unfiltered study and filter); :func:`ui.state.study` returns it, so every page
changes at once.  A filter that leaves an arm without subjects is not applied:
the pages show every subject and the caption says why.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import streamlit as st

from cratus.figures.words import join
from cratus.patient import to_study
from cratus.patient.subset import (QUERY_PREFIX, RANGE, describe_filters, filter_options, filter_patient_data,
                                   filters_from_query, filters_to_query, selected_counts)
from cratus.study.model import Study

SHARED_KEY = "shared_filters"
WIDGET_PREFIX = "filter_"
#: What a study carries over from the unfiltered one (where the data come from).
CARRIED = ("synthetic", "source_label")


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
        st.session_state[SHARED_KEY] = url
        return url
    return st.session_state.get(SHARED_KEY, ())


@st.cache_resource(max_entries=4, show_spinner=False)
def _options(key: str, _data) -> pd.DataFrame:
    return filter_options(_data)


# A few entries: at 10,000 subjects each filtered study holds tens of MB, shared by every session.
@st.cache_resource(max_entries=4, show_spinner=False)
def _filtered(key: str, raw: tuple, _base: Study, _data) -> Filtered:
    """The study of the subjects passing the address's filter (see :class:`Filtered`)."""
    filters = filters_from_query(dict(raw), _options(key, _data))
    if not filters:
        return Filtered(_base, (), None, "", False)
    subset = filter_patient_data(_data, filters)
    counts = selected_counts(_data, subset)
    # The raw data's arms are in the order of the study's arm ids.
    ids = dict(zip(_data.arms, _base.extra["patient_data"].arms))
    counts = counts.assign(arm=counts["arm"].map(ids))
    empty = counts.loc[counts["selected"] == 0, "arm"].tolist()
    if empty:
        where = "" if len(empty) == len(counts) else " in " + join([_base.design.short(a) for a in empty])
        message = (f"The subgroup filter ({describe_filters(filters, _data)}) leaves no patient{where}, so it "
                   "is not applied: every page shows all patients until the filter is changed or cleared.")
        return Filtered(_base, filters, counts, message, False)
    built = to_study(subset, reference=_default_study())
    built.extra.update({k: _base.extra[k] for k in CARRIED if k in _base.extra})
    built.extra["filters"] = filters
    if "recipe" in _base.extra:  # the code behind each output reopens the same subjects
        built.extra["recipe"] = _base.extra["recipe"].with_filters(filters)
    return Filtered(built, filters, counts, "", True)


def _default_study():
    from ui.state import default_study

    return default_study()


def current(base: Study) -> Filtered:
    """The filtered view of *base* (the session's unfiltered study) under the filter in force."""
    data = st.session_state.get("patient_data")
    raw = address_filters() if base.kind == "patient" and data is not None else ()
    if not raw:
        return Filtered(base, (), None, "", False)
    return _filtered(base.key, raw, base, data)


def _unfiltered():
    from ui.state import unfiltered_study

    return unfiltered_study()


# --- the address ---------------------------------------------------------------------------------
def _write(filters: tuple) -> None:
    """Put *filters* in the address and in this session's state (the same pairs)."""
    wanted = filters_to_query(filters)
    for key in [k for k in st.query_params if k.startswith(QUERY_PREFIX) and k not in wanted]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[SHARED_KEY] = tuple(sorted(wanted.items()))


def clear_filters() -> None:
    """Drop the filter (the "Clear filter" button's callback)."""
    _write(())
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def _from_widgets(options: pd.DataFrame) -> tuple:
    out = []
    for variable, rows in options.groupby("variable", sort=False):
        value = st.session_state.get(WIDGET_PREFIX + variable)
        if not value:
            continue
        if rows["kind"].iloc[0] == "numeric":
            low, high = _slider_bounds(rows.iloc[0])
            if (float(value[0]), float(value[1])) != (low, high):
                out.append((variable, (RANGE, float(value[0]), float(value[1]))))
        else:
            out.append((variable, tuple(value)))
    return tuple(out)


def _changed(options: pd.DataFrame) -> None:
    _write(_from_widgets(options))


# --- the panel -----------------------------------------------------------------------------------
def _slider_bounds(row) -> tuple[float, float]:
    """The slider's ends: the data's range widened to whole numbers."""
    return float(math.floor(row["low"])), float(math.ceil(row["high"]))


def _variable_widget(variable: str, rows: pd.DataFrame, chosen, options: pd.DataFrame) -> None:
    """A multiselect of levels or a range slider, showing the filter in force (the address is the truth)."""
    key = WIDGET_PREFIX + variable
    label = rows["label"].iloc[0]
    if rows["kind"].iloc[0] == "numeric":
        low, high = _slider_bounds(rows.iloc[0])
        # An address's range may reach past the data: the slider shows it clipped to its ends.
        wanted = (float(chosen[1]), float(chosen[2])) if chosen else (low, high)
        st.session_state[key] = tuple(min(max(v, low), high) for v in wanted)
        step = 1.0 if high - low >= 20 else (0.1 if high - low >= 2 else 0.01)
        st.slider(label, min_value=low, max_value=high, step=step, key=key, on_change=_changed, args=(options,))
    else:
        counts = dict(zip(rows["level"], rows["n"]))
        st.session_state[key] = [v for v in (chosen or ()) if v in counts]
        st.multiselect(label, list(counts), key=key, on_change=_changed, args=(options,), placeholder="All",
                       format_func=lambda level: f"{level} ({counts[level]})")


def filter_panel() -> None:
    """The sidebar's "Subgroup filter" of a patient-level study; nothing for a published study."""
    base = _unfiltered()
    data = st.session_state.get("patient_data")
    if base.kind != "patient" or data is None:
        return
    view = current(base)
    _write(view.filters)  # back into the address after a page switch, so a copied link keeps it
    options = _options(base.key, data)
    if options.empty:
        return
    chosen = dict(view.filters)
    with st.sidebar.expander("Subgroup filter", expanded=bool(view.filters), icon=":material/filter_alt:"):
        st.caption("Keep only the patients you choose, on every page. Counts in brackets are patients.")
        for variable, rows in options.groupby("variable", sort=False):
            _variable_widget(variable, rows, chosen.get(variable), options)
        st.button("Clear filter", on_click=clear_filters, disabled=not view.filters, key="clear_filter",
                  icon=":material/filter_alt_off:")


def filter_caption() -> None:
    """The always-visible line under the banner: subjects selected out of the total, per arm."""
    base = _unfiltered()
    if base.kind != "patient":
        return
    view = current(base)
    if view.message:
        st.warning(view.message, icon=":material/filter_alt_off:")
    design = base.design
    if view.counts is None:
        n = base.n_per_arm()
        per_arm = " · ".join(f"{design.short(a)} {n.get(a, 0):g}" for a in design.arm_ids)
        st.caption(f":material/filter_alt: **All {n.get('total', 0):g} subjects** (no subgroup filter) · {per_arm}")
        return
    per_arm = " · ".join(f"{design.short(a)} {s}/{t}" for a, s, t in view.counts.itertuples(index=False))
    what = describe_filters(view.filters, st.session_state.get("patient_data"))
    state = "Filter on" if view.applied else "Filter not applied"
    st.caption(f":material/filter_alt: **{state}** ({what}): {view.counts['selected'].sum()} of "
               f"{view.counts['total'].sum()} subjects · {per_arm}")


def filter_selection() -> dict:
    """The filter in force for the page's report (``{"Subgroup filter": ...}``), or nothing."""
    base = _unfiltered()
    view = current(base) if base.kind == "patient" else None
    if view is None or not view.applied:
        return {}
    what = describe_filters(view.filters, st.session_state.get("patient_data"))
    return {"Subgroup filter": f"{what} ({view.counts['selected'].sum()} of {view.counts['total'].sum()} patients)"}
