"""Time to event (patient-level data with an ADTTE file): Kaplan–Meier by arm, medians, log-rank and hazard ratio
for each time-to-event parameter, the parameter in the address (``?tte=TTDERM``)."""

import streamlit as st

import ui
from cratus.patient.time_to_event import tte_parameters
from ui.protocol import time_to_event_section

study = ui.study()
arms = ui.start_page("Time to event", "Kaplan–Meier estimates by arm with the numbers at risk, the median time to "
                     "event, and each arm against the control: the log-rank test and the hazard ratio from a Cox "
                     "model. Computed here from the patients' time-to-event records (ADTTE).")
parameters = ui.cached(tte_parameters)
if not parameters:
    st.info("These data have no time-to-event records (an ADTTE file with PARAMCD, AVAL and CNSR).")
    ui.finish_page("time_to_event")
    st.stop()
parameter = st.selectbox("Parameter", list(parameters), format_func=lambda p: f"{parameters[p]} ({p})", key="tte",
                         bind="query-params")
time_to_event_section(parameter, arms, phone=ui.on_phone())
ui.finish_page("time_to_event")
