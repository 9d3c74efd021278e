"""Safety: the primary endpoint, adverse events, categorical safety outcomes, hospitalizations, notable events."""

import streamlit as st

import ui
from ui.controls import population_choice
from cratus.figures.bars import build_category_figure
from cratus.tables.safety_statements import (discrepancies_for, notable_events, safety_definitions, safety_p_values,
                                             stated_safety_results)
from cratus.reading.display import safety_summary as safety_line
from cratus.tables.safety import category_table, hospitalization_table, sae_table, safety_counts
from ui.navigation import PARTICIPANT, go_to

study = ui.study()
arms = ui.start_page(study.text("safety", "title", "title", "Safety"))
if study.fact("primary_result"):
    st.success(f"**Primary endpoint** ({study.fact('primary_endpoint')}): {study.fact('primary_result')}",
               icon=":material/check_circle:")
for definition in ui.cached(safety_definitions):  # what the count counts, next to it (Table 2 counts more)
    st.markdown(f"**What counts:** {definition}")
safety = ui.cached(safety_line)
if not safety.empty:
    st.markdown("**None observed is not none possible.** " + " ".join(safety["sentence"]))
stated = ui.cached(stated_safety_results)
if stated:
    st.markdown("**Reported in words, without numbers:**\n" + "\n".join(f"- {s}" for s in stated))

if not study.adverse_events.empty:
    ui.heading("safety", "adverse_events", "Serious adverse events")
    ui.show_notes("safety", "adverse_events")
    sae = ui.call(sae_table, arms=tuple(arms), compact=True)
    ui.table(sae, caption="Serious adverse events", download="adverse_events", column_config={
        **{column: st.column_config.TextColumn(width=128) for column in ui.compute(sae).columns
           if column.endswith("patients")},
        "System organ class / preferred term": st.column_config.TextColumn(width=220),
        "Arm assignment": st.column_config.TextColumn("Arm", width=70, help="stated in the source, or inferred "
                                                      "from the table's percentages"),
        "Note": st.column_config.TextColumn(width="large")})

if study.has_patients and not study.adverse_events.empty:
    from cratus.patient.display import incidence_table

    ui.heading("safety", "incidence", "Patients with adverse events, with exact confidence intervals")
    serious = st.toggle("Serious adverse events only", value=True, key="serious_only", bind="query-params")
    ui.table(ui.call(incidence_table, serious_only=serious, arms=tuple(arms)), caption="Incidence",
             download="incidence")
    st.caption("Treatment-emergent events only where the data flag them. The 95% interval is exact "
               "(Clopper–Pearson), so an arm with no event still gets an upper bound.")

if study.has_patients and not study.patients.adverse_events.empty:
    from cratus.tables.teae import severity_levels, teae_notes, teae_table

    ui.heading("safety", "teae", "Treatment-emergent adverse events by system organ class and preferred term")
    left, middle, right = st.columns([1, 1, 2])
    serious = left.toggle("Serious only", value=False, key="teae_serious", bind="query-params")
    related = middle.toggle("Related only", value=False, key="teae_related", bind="query-params")
    levels = ui.cached(severity_levels)
    severities = right.multiselect("Severity", levels, default=levels, key="teae_severity",
                                                bind="query-params") if levels else []
    chosen = tuple(severities) if levels and len(severities) < len(levels) else None
    population = population_choice(study, "safety", "teae_population")
    ui.table(ui.call(teae_table, arms=tuple(arms), serious_only=serious, related_only=related, severities=chosen,
                     population=population),
             caption="Treatment-emergent adverse events", download="teae")
    st.caption("  \n".join(ui.cached(teae_notes, serious_only=serious, related_only=related, severities=chosen,
                                      population=population)))

if study.has_patients:
    from cratus.patient.profile import serious_event_listing

    listing = ui.cached(serious_event_listing, arms=tuple(arms))
    if not listing.empty:
        ui.heading("safety", "listing", "Serious adverse events by participant")
        st.caption("One row per event. Pick a row (the box at its left) to open that participant's profile: "
                   "their characteristics, every endpoint over the visits and their adverse events.")
        picked = ui.pick_row(listing, key="sae_listing")
        ui.code(ui.call(serious_event_listing, arms=tuple(arms)), title="Serious adverse events by participant")
        if picked is not None:
            go_to(PARTICIPANT, {"subject": listing.iloc[picked]["Participant"]})

events = ui.cached(notable_events)
comparisons = ui.cached(safety_p_values)
if events or not comparisons.empty:
    ui.heading("safety", "long_term", "Other adverse events")
    st.markdown("\n".join(f"- {sentence}" for sentence in events))
    if not comparisons.empty:
        ui.table(ui.call(safety_p_values), caption="Safety comparisons between groups",
                 column_config={"Quote": st.column_config.TextColumn(width="large")})

counts = ui.cached(safety_counts, arms=tuple(arms))
if not counts.empty:
    ui.heading("safety", "counts", "Other safety counts stated in the text")
    ui.show_notes("safety", "counts")
    ui.table(ui.call(safety_counts, arms=tuple(arms)), caption="Other safety counts", download="safety_counts",
             column_config={"Outcome": st.column_config.TextColumn(width="large")})

if not study.hospitalizations.empty:
    ui.heading("safety", "hospitalizations", "Hospitalizations")
    ui.table(ui.call(hospitalization_table, arms=tuple(arms)), caption="Hospitalizations",
             download="hospitalizations")
    ui.show_notes("safety", "hospitalizations")

for endpoint in study.category_endpoints():
    ui.heading("safety", "categories", study.label(endpoint), anchor=endpoint)
    ui.show_notes("safety", "categories")
    ui.table(ui.call(category_table, endpoint, arms=tuple(arms)), caption=study.label(endpoint), download=endpoint)
    ui.chart(ui.call(build_category_figure, endpoint, arms=tuple(arms), compact=ui.on_phone()))

safety_endpoints = study.endpoints.loc[study.endpoints["domain"] == "safety", "endpoint"]
found = ui.cached(discrepancies_for, tuple(safety_endpoints))
if not found.empty:
    ui.subheader("⚠ Where the source contradicts itself on safety")
    ui.show_table(found, caption="Where the source contradicts itself",
                  column_config={"What the paper says": st.column_config.TextColumn(width="large")})

ui.finish_page("safety")
