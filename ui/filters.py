"""The subgroup filter's controls: the sidebar panel, the address, the N caption, the report's line.

Which study the filter gives, and where the filter in force is read from,
is decided in :mod:`ui.session` (:func:`ui.session.filtered`); this module
draws the panel, writes the reader's choice into the address and this
session's state, and says what is shown.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from cratus.patient.subset import QUERY_PREFIX, RANGE, describe_filters, filters_to_query
from ui import keys
from ui.session import filter_choices, filtered, unfiltered_study


# --- the address ---------------------------------------------------------------------------------
def _write(filters: tuple) -> None:
    """Put *filters* in the address and in this session's state (the same pairs)."""
    wanted = filters_to_query(filters)
    for key in [k for k in st.query_params if k.startswith(QUERY_PREFIX) and k not in wanted]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[keys.SHARED_FILTERS] = tuple(sorted(wanted.items()))


def clear_filters() -> None:
    """Drop the filter (the "Clear filter" button's callback)."""
    _write(())
    for key in [k for k in st.session_state if str(k).startswith(keys.FILTER_WIDGET_PREFIX)]:
        del st.session_state[key]


def _from_widgets(options: pd.DataFrame) -> tuple:
    out = []
    for variable, rows in options.groupby("variable", sort=False):
        value = st.session_state.get(keys.FILTER_WIDGET_PREFIX + variable)
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
    key = keys.FILTER_WIDGET_PREFIX + variable
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
    """The sidebar's "Subgroup filter" of a study with patients; nothing for a published study."""
    base = unfiltered_study()
    if not base.has_patients:
        return
    view = filtered()
    _write(view.filters)  # back into the address after a page switch, so a copied link keeps it
    options = filter_choices(base)
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
    base = unfiltered_study()
    if not base.has_patients:
        return
    view = filtered()
    if view.message:
        st.warning(view.message, icon=":material/filter_alt_off:")
    design = base.design
    if view.counts is None:
        n = base.n_per_arm()
        per_arm = " · ".join(f"{design.short(a)} {n.get(a, 0):g}" for a in design.arm_ids)
        st.caption(f":material/filter_alt: **All {n.get('total', 0):g} subjects** (no subgroup filter) · {per_arm}")
        return
    per_arm = " · ".join(f"{design.short(a)} {s}/{t}" for a, s, t in view.counts.itertuples(index=False))
    what = describe_filters(view.filters, base.patients)
    state = "Filter on" if view.applied else "Filter not applied"
    st.caption(f":material/filter_alt: **{state}** ({what}): {view.counts['selected'].sum()} of "
               f"{view.counts['total'].sum()} subjects · {per_arm}")


P_VALUES_KEY = keys.P_VALUES
P_VALUES_LABEL = "Show p-values of this subgroup (exploratory)"


def p_values_shown() -> bool:
    """Whether outputs show p-values: always without a subgroup filter; in a filtered view only when the reader
    turns the switch on (a subgroup chosen after seeing the data makes its p-values exploratory; FDA reviewers
    asked the R Submissions Pilot 2 app to remove them from filtered tables).  Estimates and intervals stay."""
    if not unfiltered_study().has_patients or not filtered().applied:
        return True
    return bool(st.session_state.get(P_VALUES_KEY, False))


def p_value_switch() -> None:
    """The visible switch under the filter caption of a filtered view (nothing otherwise)."""
    if not unfiltered_study().has_patients or not filtered().applied:
        return
    st.toggle(P_VALUES_LABEL, key=P_VALUES_KEY, bind="query-params", value=False,
              help="A subgroup picked after seeing the data invites p-hacking: its p-values are exploratory, not "
                   "evidence. Off, every table of this view shows estimates and intervals without p-values. The "
                   "subgroup forest plot, with its interaction test, is the way to look at subgroups.")
    if not st.session_state.get(P_VALUES_KEY, False):
        st.caption(":material/visibility_off: Filtered view: p-values are hidden (exploratory); estimates and "
                   "95% intervals are shown.")


#: A p-value in a sentence or cell with what it belongs to: "(within 100M, 6 months vs baseline, p = .088)",
#: "100M vs placebo at 6 months: p = .247;", "(p < .0001)", ", p = .067".
_P_VALUE = re.compile(r"\s*\([^()]*\bp\s*[=<>≤≥][^)]*\)"
                      r"|\s*[^.;:()]*:\s*p\s*[=<>≤≥]\s*[.\d]+(e-?\d+)?;?"
                      r"|,?\s*\bp\s*[=<>≤≥]\s*[.\d]+(e-?\d+)?")


def without_p_value_text(text: str) -> str:
    """A sentence with its p-values taken out (a filtered view while p-values are hidden)."""
    return _P_VALUE.sub("", text)


def without_p_values(frame: pd.DataFrame, resting_on_p=()) -> pd.DataFrame:
    """*frame* as a filtered view shows it while p-values are hidden: the columns *resting_on_p* (verdicts read
    from p-values) left out, and every p-value written in a text cell taken out; estimates stay."""
    out = frame.drop(columns=[c for c in resting_on_p if c in frame.columns])
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    return out.assign(**{c: out[c].map(lambda v: _P_VALUE.sub("", v) if isinstance(v, str) else v) for c in text})


def filter_selection() -> dict:
    """The filter in force for the page's report (``{"Subgroup filter": ...}``), or nothing."""
    view = filtered()
    if not view.applied:
        return {}
    what = describe_filters(view.filters, unfiltered_study().patients)
    return {"Subgroup filter": f"{what} ({view.counts['selected'].sum()} of {view.counts['total'].sum()} patients)"}
