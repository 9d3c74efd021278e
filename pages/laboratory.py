"""Laboratory: a test's values over time against its reference range, the shift table and the liver (eDISH) plot."""

import streamlit as st

import ui
from cratus.figures.labs import build_edish_figure, build_lab_values_figure, edish_tests
from cratus.patient.edish import edish_caveat, edish_missing, hys_law_sentence
from cratus.patient.labs import lab_endpoints, shift_note, shift_table
from ui.navigation import PARTICIPANT, go_to
from ui.render import clicked

study = ui.study()
arms = ui.start_page("Laboratory", "Laboratory values of the participants, against each test's reference range "
                                   "(the normal limits recorded with the values).")
tests = ui.cached(lab_endpoints) if study.has_patients else ()
if not tests:
    st.info("These data have no laboratory tests: no BDS parameter has a reference range (ANRLO/ANRHI, or the "
            "analysis range A1LO/A1HI) or a reference-range indicator (ANRIND/BNRIND).")
    ui.finish_page("laboratory")
    st.stop()

test = st.selectbox("Laboratory test", tests, format_func=study.label, key="lab_test", bind="query-params")
if (populations := study.patients.populations) is not None:
    st.caption(f"Safety population: {populations.safety.description} (N = {populations.safety.n}).")
presentation, phone = ui.presenting(), ui.on_phone()

ui.subheader(f"{study.label(test)} over time")
ui.chart(ui.call(build_lab_values_figure, test, arms=tuple(arms), presentation=presentation, phone=phone))
if by_visit := [page["nav_title"] for page in study.figure_pages() if page["figure"] == study.endpoint_info(test)
                .get("page")]:  # the figure page that holds this test (ADLB by visit, Laboratory by visit, …)
    st.caption(f"Means, medians and tests of the change from baseline of {study.label(test)} are on the page "
               f"“{by_visit[0]}”.")

ui.subheader(f"{study.label(test)}: shift from baseline")
direction = st.segmented_control("Worst value after baseline", ["high", "low"], required=True, default="high",
                                 format_func={"high": "Highest", "low": "Lowest"}.get, key="shift",
                                 bind="query-params")
ui.table(ui.call(shift_table, test, arms=tuple(arms), direction=direction),
         caption=f"{study.label(test)}: shift from baseline", download=f"shift_{test}", stack=False)
st.caption(ui.cached(shift_note, test, arms=tuple(arms), direction=direction))

transaminases = ui.cached(edish_tests)
if transaminases:
    ui.subheader("Liver safety: possible Hy's law (eDISH)")
    x_test = transaminases[0]
    if len(transaminases) > 1:
        x_test = st.segmented_control("Horizontal axis", transaminases, required=True, default=transaminases[0],
                                      format_func=str.upper, key="edish_test", bind="query-params")
    sentence, caveat = ui.cached(hys_law_sentence, arms=tuple(arms)), ui.cached(edish_caveat)
    st.markdown(sentence)
    ui.report().add_text(sentence)
    # One point per subject: a patient-level figure (out of the report unless asked); a click opens the profile.
    event = ui.chart(ui.call(build_edish_figure, arms=tuple(arms), test=x_test, presentation=presentation,
                             phone=phone), key="edish", clickable=True, patient_rows=True)
    if subject := clicked(event):
        go_to(PARTICIPANT, {"subject": subject})
    st.info(caveat, icon=":material/info:")
    ui.report().add_text(caveat)
elif missing := ui.cached(edish_missing):
    ui.subheader("Liver safety: possible Hy's law (eDISH)")
    st.info(missing, icon=":material/info:")

ui.finish_page("laboratory")
