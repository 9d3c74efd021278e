"""Baseline characteristics: Table 1 for the selected arms, and balance across arms."""

import streamlit as st

import ui
from cratus.charts import build_balance_figure_from_summary
from cratus.tables import describe_uncomputed, standardized_differences, table_one, table_one_cells

arms = ui.start_page("Baseline characteristics (Table 1)",
                     "Values are mean ± SD, n (%), or median (IQR), as printed in Table 1. The total column is "
                     "the paper's, over all 30 patients.")
data = ui.published()
ui.show_table(ui.cached(table_one, "summary", "endpoints", "levels", arms=tuple(arms)), caption="Table 1",
              download="table1", column_config={"Characteristic": st.column_config.TextColumn(width="large")})
cells = ui.cached(table_one_cells, "summary", "endpoints", "levels", arms=tuple(arms))
ui.show_sources(cells[["characteristic", "level_label", "arm", "cell", "source", "quote"]])

ui.subheader("Balance across arms")
st.markdown("Standardized differences of each arm against placebo. These describe how alike the arms were at "
            "baseline; they are **not significance tests**, which CONSORT advises against for baseline "
            "characteristics of a randomized trial (item 15). |d| < 0.1 is a common mark of good balance; with "
            "10 patients per arm, larger chance differences are expected.")
if "placebo" not in arms or len(arms) < 2:
    st.info("Select placebo and at least one active arm to compare.")
else:
    differences = ui.cached(standardized_differences, "summary", "endpoints", "levels", arms=tuple(arms))
    ui.show_chart(ui.cached_figure(build_balance_figure_from_summary, "summary", "endpoints", "levels",
                                   arms=tuple(arms)))
    if note := describe_uncomputed(differences):
        st.caption(note)

ui.finish_page("baseline")
