"""Baseline characteristics: Table 1 for the selected arms, and balance across arms."""

import streamlit as st

import ui
from ui.controls import population_choice
from cratus.stats.between_arms import IMBALANCE_THRESHOLD
from cratus.tables.baseline import describe_uncomputed, standardized_differences, table_one, table_one_cells
from cratus.figures.bars import balance_figure
from cratus.tables.characteristics import study_table_one, study_variables, table_one_notes

study = ui.study()
arms = ui.start_page(study.text("baseline", "title", "title", "Baseline characteristics"),
                     study.text("baseline", "intro", "markdown") or None)
if study.has_patients:  # computed from the subject file, as a statistician writes Table 1
    variables = ui.cached(study_variables)
    labels = {v.column: v.label for v in variables}
    population = population_choice(study, "baseline", "t1_population")
    chosen = st.multiselect("Characteristics", list(labels), default=[v.column for v in variables if v.default],
                            format_func=labels.get, key="table_one_columns", bind="query-params",
                            help="Every subject variable that can be summarised; by default the demographic and "
                                 "baseline ones (not identifiers, sites, dates, flags, doses, treatment or outcomes).")
    ui.table(ui.call(study_table_one, arms=tuple(arms), columns=tuple(chosen), population=population),
             caption="Demographic and baseline characteristics", download="table1")
    st.caption("  \n".join(ui.cached(table_one_notes, population=population)))
else:
    ui.table(ui.call(table_one, arms=tuple(arms)), caption="Baseline characteristics", download="table1",
             column_config={"Characteristic": st.column_config.TextColumn(width="large")})
    cells = ui.cached(table_one_cells, arms=tuple(arms))
    ui.show_sources(cells[["characteristic", "level_label", "arm", "cell", "source", "quote"]])

ui.subheader("Balance across arms")
design = study.design
control = design.short(design.control) if design.control else "the control arm"
st.markdown(f"Standardized differences of each arm against {control}. These describe how alike the arms were at "
            "baseline; they are **not significance tests**, which CONSORT advises against for baseline "
            f"characteristics of a randomized trial (item 15). |d| < {IMBALANCE_THRESHOLD:g} is a common mark of good "
            "balance (the one mark the dashboard uses, on the Overview and the Appraisal too); with few patients "
            "per arm, larger chance differences are expected.")
if design.control not in arms or len(arms) < 2:
    st.info(f"Select {control} and at least one other arm to compare.")
else:
    columns = {"columns": tuple(chosen)} if study.has_patients else {}  # patient data: Table 1's characteristics
    ui.chart(ui.call(balance_figure, arms=tuple(arms), compact=ui.on_phone(), **columns))
    if note := describe_uncomputed(ui.cached(standardized_differences, arms=tuple(arms), **columns)):
        st.caption(note)

ui.finish_page("baseline")
