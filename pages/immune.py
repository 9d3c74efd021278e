"""Immune markers: Figure 3 (CD69, CD25, CD8, CD4/CD8, serum and B-cell TNF-α) and CD4."""

import streamlit as st

import ui
from cratus.tables import reported_only_table

arms = ui.start_page(
    "Immune markers (Figure 3)",
    "T-cell activation (CD69 early, CD25 late), CD8 cells, the CD4/CD8 ratio, serum TNF-α and B-cell intracellular "
    "TNF-α at baseline and 6 months. B-cell TNF-α also has p-values against placebo.")
data = ui.published()
ui.render_figure("3", ["cd69", "cd25", "cd8", "cd4_cd8_ratio", "tnf_alpha_serum", "tnf_alpha_bcell"], arms)

ui.subheader("CD4 cells: reported only as p-values")
ui.show_table(reported_only_table(data.p_values, data.endpoints, ["cd4"], arms), caption="CD4 cells",
              download="cd4_p_values", column_config={"Quote": st.column_config.TextColumn(width="large")})
st.page_link("pages/safety.py", label="Immunotolerability: cPRA (Table 3) is on the Safety page",
             icon=":material/arrow_forward:")

ui.finish_page("immune")
