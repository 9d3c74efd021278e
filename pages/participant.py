"""One participant of patient-level data: characteristics, every endpoint against their arm, adverse events.

Opened by a link (``participant?subject=<USUBJID>``), by the chooser, or from a click on the Safety page's
listing or on a patient's point in a figure.
"""

import streamlit as st

import ui
from cratus.figures.profile import build_event_timeline, build_participant_endpoints
from cratus.patient.profile import subject_characteristics, subject_event_table, subjects_list
from ui.navigation import came_from

CHOICE_KEY = "subject_choice"


def keep_in_address() -> None:
    """The chosen participant in the address (``?subject=``), so the link reopens them."""
    chosen = st.session_state.get(CHOICE_KEY)
    if chosen:
        st.query_params["subject"] = chosen
    else:
        st.query_params.pop("subject", None)


study = ui.study()
ui.start_page("Participant", "One participant's values over the study, against the median of their arm, and their "
              "adverse events. **These are one patient's values, not evidence about the treatment**: a single "
              "course can follow the treatment, the disease or chance.", needs_arms=False)
back, back_query = came_from("safety")
if back is not None:
    st.page_link(back, label=f"Back to {back.title}", icon=":material/arrow_back:", query_params=back_query)

subjects = ui.cached(subjects_list)
labels = dict(zip(subjects["usubjid"], subjects["label"]))
asked = st.query_params.get("subject")
if asked and asked not in labels:
    st.warning(f"There is no participant **{asked}** in these data. Choose one below.",
               icon=":material/person_off:")
    asked, st.session_state[CHOICE_KEY] = None, None
if asked and st.session_state.get(CHOICE_KEY) != asked:
    st.session_state[CHOICE_KEY] = asked  # the address (a link, a click elsewhere) names the participant
subject = st.selectbox("Participant", list(labels), index=None, key=CHOICE_KEY, format_func=labels.get,
                       on_change=keep_in_address, placeholder="Choose a participant (type to search)")
if subject is None:
    st.info("Choose a participant, or open one from the Safety page's listing of serious adverse events or from "
            "a patient's point on a figure (switch on “Each patient's values”).")
    ui.finish_page("participant")
    st.stop()

ui.subheader("Baseline characteristics")
# Everything below is one patient's data: out of the page's report unless the reader asks for patient rows.
ui.table(ui.call(subject_characteristics, subject), caption=f"Participant {subject}", patient_rows=True,
         shown=lambda table: table.rename(columns={"characteristic": "Characteristic", "value": "Value"}))

ui.subheader("Every endpoint over the visits")
st.caption("Bold line: this participant. Dashed grey line: the median of their arm at each visit (the participant "
           "included). Shaded: the reference range, where the data give one.")
ui.chart(ui.call(build_participant_endpoints, subject, phone=ui.on_phone()), patient_rows=True)

ui.subheader("Adverse events")
events = ui.cached(subject_event_table, subject)
if events.empty:
    st.markdown("No adverse event is recorded for this participant.")
else:
    ui.chart(ui.call(build_event_timeline, subject, phone=ui.on_phone()), patient_rows=True)
    ui.table(ui.call(subject_event_table, subject), caption=f"Adverse events of participant {subject}",
             patient_rows=True)
ui.finish_page("participant")
