"""Safety: the primary endpoint, Table 2 (SAEs), Table 3 (cPRA), hospitalizations, long-term events."""

import streamlit as st

import ui
from cratus.charts import build_cpra_figure_from_summary
from cratus.safety import adverse_event_comparisons, discrepancies_for, notable_events
from cratus.tables import cpra_table, hospitalization_table, sae_table

arms = ui.start_page("Safety")
data = ui.published()
st.success(f"**Primary endpoint** ({data.fact('primary_endpoint')}): {data.fact('primary_result')} "
           "(Results: Safety)", icon=":material/check_circle:")

ui.subheader("Serious adverse events over the study (Table 2)")
st.markdown("Events are shown with their share of the arm's events, patients with their share of the arm's "
            "N — as the paper prints them. The total column covers all three arms. None of the events was "
            "related to treatment.")
st.warning("**Arm assignments marked *inferred*:** the flattened text of Table 2 does not say which arm each "
           "term belongs to. Placebo terms follow from their share of events (1 of 6 = 17%); the death is stated "
           "to be in 200M; flank pain, spondylolisthesis and ureteric stenosis (each 1 of 2 events = 50%) belong "
           "to 100M or 200M, and which of them is in which arm is a judgement (see data/README.md). Per-arm "
           "totals are as printed.", icon=":material/warning:")
sae = ui.cached(sae_table, "adverse_events", "summary", arms=tuple(arms), compact=True)
ui.show_table(sae, caption="Table 2", download="table2", column_config={
    **{column: st.column_config.TextColumn(width=128) for column in sae.columns if column.endswith("patients")},
    "System organ class / preferred term": st.column_config.TextColumn(width=220),
    "Arm assignment": st.column_config.TextColumn("Arm", width=70, help="stated in the text, or inferred from the "
                                                  "table's percentages (see data/README.md)"),
    "Note": st.column_config.TextColumn(width="large")})

ui.subheader("Long-term adverse events")
for sentence in notable_events(data.long_term_events):
    st.markdown(f"- {sentence}")
st.markdown("The proportion of patients with adverse events did not differ between groups:")
ui.show_table(ui.cached(adverse_event_comparisons, "p_values"), caption="Patients with adverse events, between groups")

ui.subheader("Hospitalizations within 12 months")
ui.show_table(ui.cached(hospitalization_table, "hospitalizations", arms=tuple(arms)), caption="Hospitalizations",
              download="hospitalizations")
st.caption("Results: Hospitalization. None of the hospitalizations was related to the procedure. "
           "The total row covers all three arms.")

ui.subheader("Immunotolerability: cPRA (Table 3)", anchor="cpra")
st.caption("Patients per category of increase in donor-specific calculated panel reactive antibodies, "
           "baseline to 6 months.")
ui.show_table(ui.cached(cpra_table, "summary", "levels", arms=tuple(arms)), caption="Table 3", download="table3")
ui.show_chart(ui.cached_figure(build_cpra_figure_from_summary, "summary", "levels", arms=tuple(arms)))

ui.subheader("⚠ Where the paper contradicts itself on safety")
ui.show_table(discrepancies_for(data.discrepancies, ["serious_adverse_events", "cpra"]), caption="Discrepancies",
              column_config={"reason": st.column_config.TextColumn(width="large")})

ui.finish_page("safety")
