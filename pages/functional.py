"""Functional endpoints: Figure 2 (6MWT, SPPB, CHAMPS, FEV1) and the endpoints reported only as p-values."""

import streamlit as st

import ui
from cratus.tables import reported_only_table

arms = ui.start_page(
    "Functional endpoints (Figure 2)",
    "Physical performance at baseline and 6 months after infusion: 6-minute walk distance (2A), SPPB total score "
    "(2B), CHAMPS caloric expenditure (2C) and FEV1 (2D). Within-arm p-values compare 6 months with baseline in "
    "that arm, as printed in the paper.")
data = ui.published()
ui.render_figure("2", ["six_minute_walk", "sppb", "champs", "fev1"], arms)

ui.subheader("Reported only as p-values")
st.caption("The text gives no values for these endpoints, only p-values (or a sentence).")
ui.show_table(reported_only_table(data.p_values, data.endpoints,
                                  ["gait_speed_4m", "weight", "mfi", "grip_strength", "ejection_fraction"], arms),
              caption="Reported only as p-values", download="functional_p_values", column_config={"Quote": st.column_config.TextColumn(width="large")})

ui.finish_page("functional")
