"""Quality of life: Figure 4 (SQOL-F, female patients) and IIEF (male patients, p-value only)."""

import streamlit as st

import ui
from cratus.tables import reported_only_table

arms = ui.start_page("Quality of life (Figure 4)")
data = ui.published()
st.info("**Who was measured:** the Sexual Quality of Life–Female questionnaire (SQOL-F) was given to the "
        "female patients only — 4 per arm at baseline (Table 1). The International Index of Erectile Function "
        "(IIEF) was given to the male patients — 6 per arm — and is reported only as one p-value.",
        icon=":material/group:")
ui.render_figure("4", ["sqol_f"], arms)

ui.subheader("IIEF (male patients): reported only as a p-value")
ui.show_table(reported_only_table(data.p_values, data.endpoints, ["iief"], arms), caption="IIEF",
              column_config={"Quote": st.column_config.TextColumn(width="large")})

ui.finish_page("quality_of_life")
