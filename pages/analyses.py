"""Protocol analyses (patient-level data): ANCOVA with the covariates the protocol names, the dose trend, and the
distribution and test of an ordered categorical endpoint; every choice in the address."""

import streamlit as st

import ui
from cratus.patient.protocol import categorical_endpoints
from ui.protocol import ancova_section, categorical_section, mmrm_section

study = ui.study()
design = study.design
arms = ui.start_page("Protocol analyses", "The models a protocol pre-specifies, computed here from the patients: "
                     "ANCOVA with the covariates you choose (least-squares means, differences from the control), a "
                     "dose–response test where arms carry a dose, on request a model of every post-baseline visit "
                     "(mixed model for repeated measures, or GEE), and ordered categories by arm with a test that "
                     "respects their order.")
data = study.patients
visits = [v for v in data.visits["visit"] if v != data.baseline_visit]
categorical = set(ui.cached(categorical_endpoints))
endpoints = [str(e) for e in dict.fromkeys(data.measurements["endpoint"].astype(str))]
continuous = [e for e in endpoints if e not in categorical]
if continuous and visits:
    ui.subheader("ANCOVA: least-squares means")
    endpoint = st.selectbox("Endpoint", continuous, format_func=study.label, key="an_endpoint", bind="query-params")
    m = data.measurements
    measured = set(m.loc[m["endpoint"] == endpoint, "visit"].astype(str))
    choice = ancova_section(endpoint, arms, [v for v in visits if v in measured] or visits)
    if len([v for v in visits if v in measured]) >= 2:
        ui.subheader("Repeated measures over all post-baseline visits: LS means by visit")
        mmrm_section(endpoint, arms, choice)
if categorical:
    ui.subheader("Ordered categories")
    chosen = st.selectbox("Categorical endpoint", sorted(categorical, key=endpoints.index), format_func=study.label,
                          key="cat_endpoint", bind="query-params")
    categorical_section(chosen, arms, [v for v in data.visits["visit"]])
ui.finish_page("analyses")
