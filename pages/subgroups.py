"""Subgroups (patient-level data only): the difference between arms within levels of patient characteristics."""

import streamlit as st

import ui
from cratus.figures.forest import forest_plot
from cratus.patient.display import subgroup_table
from cratus.patient.subgroups import CAVEAT, METHOD, endpoint_choices, subgroup_effects, variable_choices

study = ui.study()
design = study.design
arms = ui.start_page("Subgroups", "Is the difference between arms alike in every kind of patient? Each row "
                     f"compares the change from baseline of an arm with {design.short(design.control)} among the "
                     "patients of one level of a characteristic.")
endpoints = ui.cached(endpoint_choices)
variables = ui.cached(variable_choices)
if not endpoints or not variables:
    st.info("These data have no endpoint measured at baseline and follow-up, or no patient characteristic to form "
            "subgroups from.")
    ui.finish_page("subgroups")
    st.stop()
endpoint = st.selectbox("Endpoint", endpoints, format_func=study.label, key="subgroup_endpoint",
                        bind="query-params")
preferred = [v for v in ("sex", "age") if v in variables] or list(variables[:2])
chosen = st.multiselect("Subgroups by", variables, default=preferred, format_func=study.label,
                        key="subgroup_by", bind="query-params", placeholder="Choose characteristics")
active = tuple(a for a in arms if a != design.control)
if not active:
    st.info(f"Select at least one arm other than {design.short(design.control)} in the sidebar.")
else:
    ui.show_chart(ui.cached_figure(forest_plot, endpoint, tuple(chosen), arms=active, compact=ui.on_phone()))
    ui.show_table(ui.cached(subgroup_table, endpoint, tuple(chosen), arms=active),
                  caption=f"{study.label(endpoint)}: difference between arms by subgroup", download="subgroups")
    splits = [s for s in ui.cached(subgroup_effects, endpoint, tuple(chosen), arms=active)["split"].unique() if s]
    st.caption(" ".join([METHOD + ".", *[s + "." for s in splits],
                         "Patients: those with both values, arm / control. A level with fewer than 2 patients in an "
                         "arm is not estimated. The interaction p-value asks whether the difference between arms "
                         "changes from one level to another; it is not a test within a level."]))
    st.warning(CAVEAT, icon=":material/warning:")
ui.finish_page("subgroups")
