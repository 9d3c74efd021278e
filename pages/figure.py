"""A figure page: the study's figure (chosen by the page address), its one-line reading, and the endpoints
the source reports only as p-values."""

import streamlit as st

import ui
from cratus.patient.categories import category_table, kind_of
from cratus.reading.figure_line import figure_reading
from cratus.tables.safety import reported_only_table
from ui.filters import p_values_shown

study = ui.study()
figure = ui.current_figure(study)
figure_id = figure["figure"]
arms = ui.start_page(figure["title"], figure["intro"] or None)
if p_values_shown():
    st.info(ui.cached(figure_reading, figure_id), icon=":material/lightbulb:")
else:  # the reading sorts endpoints by p < .05: in a subgroup that is exploratory
    st.info("Subgroup filter on: the reading by significance is hidden (exploratory in a subgroup chosen after "
            "seeing the data); the figure, the values and their intervals are shown.", icon=":material/filter_alt:")
ui.show_notes(figure_id, "before")
if study.panels(figure_id):
    ui.render_figure(figure_id, study.panels(figure_id), arms)

others = study.reported_only(figure_id)
counted = [e for e in others if study.has_patients and kind_of(study.patients, e) != "continuous"]
for endpoint in counted:  # categorical and binary parameters of patient data: counts per category, not means
    ui.subheader(f"{study.label(endpoint)}: counts per category")
    st.caption(f"A {kind_of(study.patients, endpoint)} parameter: subjects per category at each visit, with the "
               "test against the control named in each row (no test at or before baseline).")
    shown = None if p_values_shown() else (lambda t: t.drop(columns=["vs control"], errors="ignore"))
    ui.table(ui.call(category_table, endpoint, arms=tuple(arms)), caption=study.label(endpoint),
             download=f"categories_{endpoint}", stack=False, shown=shown)
others = [e for e in others if e not in counted]
if others:
    ui.heading(figure_id, "reported_only", "Reported only as p-values")
    st.caption("The source gives no values for these endpoints, only p-values (or a sentence).")
    ui.table(ui.call(reported_only_table, tuple(others), arms=tuple(arms)), caption="Reported only as p-values",
             download=f"figure_{figure_id}_p_values",
             column_config={"Quote": st.column_config.TextColumn(width="large")})
ui.show_notes(figure_id, "after")
ui.finish_page(figure["url_path"])
