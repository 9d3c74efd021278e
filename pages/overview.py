"""Overview: what the trial was, the participant flow, how to read the dashboard."""

import streamlit as st

import ui
from cratus.overview import consort_dot, consort_flow, consort_table

ui.start_page("CRATUS: allogeneic mesenchymal stem cells for aging frailty", needs_arms=False)
data = ui.published()
fact = data.fact
st.markdown(f"**{fact('title')}** — {fact('design')} trial, {fact('registration')}.")

st.subheader("The trial")
st.markdown(
    f"- **Population:** {fact('population')}.\n"
    f"- **Intervention:** {fact('intervention')}.\n"
    f"- **Participants:** {fact('participants')}.\n"
    f"- **Primary endpoint:** {fact('primary_endpoint')}.\n"
    f"- **Secondary endpoints:** {fact('secondary_endpoints')}.\n"
    f"- **Follow-up:** {fact('follow_up')}.\n"
    f"- **Statistics:** {fact('sample_size')}; {fact('multiplicity').lower()}."
)
st.success(f"**Primary endpoint result:** {fact('primary_result')}", icon=":material/check_circle:")
st.subheader("Participant flow")
flow = consort_flow(data.summary, data.long_term_events)
st.graphviz_chart(consort_dot(flow), width="stretch")
with st.expander("Participant flow as a table"):
    ui.show_table(consort_table(flow), caption="Participant flow")
st.caption("Screening numbers and per-endpoint analysis numbers are in the paper's Figure 1 and "
           "supplement, which we do not have: they are shown as not reported.")

st.subheader("How to read this dashboard")
st.markdown(
    "- Every number comes from the paper's text, with its section and the words it was read from "
    "(open *Where each number comes from* under a table, or hover a chart).\n"
    "- **Not reported in the text** means exactly that: many 6-month values appear only in the paper's "
    "figures, which we do not have. They are never filled in, estimated or drawn as zero.\n"
    "- ⚠ marks a place where the paper contradicts itself; the note says which version is shown and why.\n"
    "- Choose the arms in the sidebar; the choice is kept in the page address, so a copied link opens the same view."
)
st.subheader("Citation")
st.markdown(f"{fact('citation')} doi:[{fact('doi')}](https://doi.org/{fact('doi')})")

ui.finish_page("overview")
