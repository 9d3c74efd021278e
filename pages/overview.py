"""Overview: what the study was, the participant flow, how to read the dashboard."""

import re

import streamlit as st

import ui
from ui.filters import p_values_shown, without_p_values
from cratus.tables.flow import consort_dot, consort_table
from cratus.reading.display import (bottom_line_table, contested_notes, safety_summary as safety_line,
                                    stated_notes, verdict_vocabulary)
from cratus.reading.family import family_sentence
from cratus.reading.summary import plain_bottom_line
from cratus.tables.safety_statements import discrepancies_for

study = ui.study()
ui.start_page(study.text("overview", "title", "title", study.title), needs_arms=False)
fact = study.fact
phone = ui.on_phone()
plain = ui.cached(plain_bottom_line) if p_values_shown() else []  # a filtered view: its readings are hidden
if plain:  # the answer first, without a table (a printed source; patient data have the table below)
    with st.container(border=True, key="bottom_line"):
        st.markdown("**The bottom line**  \n" + "  \n".join(re.sub(r"^([^:“]{1,40}):", r"**\1:**", s) for s in plain))
heading = (f"**{fact('title')}**" + "".join(f" — {part}" for part in (fact("design"), fact("registration"))
                                            if part) + ".") if fact("title") else ""
if heading and not phone:
    st.markdown(heading)

items = [("Population", "population"), ("Intervention", "intervention"), ("Participants", "participants"),
         ("Primary endpoint", "primary_endpoint"), ("Secondary endpoints", "secondary_endpoints"),
         ("Follow-up", "follow_up"), ("Sample size", "sample_size"), ("Multiplicity", "multiplicity")]
study_facts = "\n".join(f"- **{name}:** {fact(key)}." for name, key in items if fact(key))
if phone:   # the bottom line first: the design, folded, a tap away
    st.expander("The study: design, population, endpoints", icon=":material/info:").markdown(
        f"{heading}\n\n{study_facts}")
else:
    ui.subheader("The study")
    st.markdown(study_facts)
if fact("primary_result"):
    st.success(f"**Primary endpoint result:** {fact('primary_result')}", icon=":material/check_circle:")
ui.show_notes("overview", "after_design")

ui.subheader("What the trial shows")
st.markdown("One row per efficacy endpoint: what was reported within each arm and in which direction, whether any "
            "comparison with the control arm was reported (in numbers or in words), and whether it survives a Holm "
            "adjustment over the study's efficacy p-values (the family is stated under the table). A within-arm "
            "change compares an arm with its own baseline; it is **not** a difference from the control arm.")
p_values = p_values_shown()  # a filtered view hides them (and the readings drawn from them) unless asked
ON_SCREEN_ONLY = ["Caveats", "Stated in words (no p-value)"]  # listed under the table, each quote once
# on a phone one card per endpoint (its reading, the rest folded under it), not ~90 stacked rows
if study.has_patients and not study.patients.endpoints_of(role="efficacy") and not len(study.p_values):
    st.info("No efficacy endpoint in these data: " + (
        "every parameter read is a safety measurement (laboratory, vital signs, ECG), shown on the Safety, "
        "Laboratory and figure pages. Choose efficacy endpoints on the Data source page."
        if len(study.patients.parameters) else "no measurement file was read (safety data: see the Safety page)."),
        icon=":material/info:")
bottom_line = ui.table(ui.call(bottom_line_table), caption="What the trial shows", download="bottom_line",
                       cards=("Endpoint", "Reading", "The numbers and tests behind it"),
                       shown=lambda table: table.drop(columns=ON_SCREEN_ONLY) if p_values else without_p_values(
                           table.drop(columns=ON_SCREEN_ONLY), ("Reading", "Compared with the control arm",
                                                               "After Holm adjustment")))
if not p_values:
    st.caption("Subgroup filter on: the readings, the comparisons with the control and their p-values are hidden "
               "(exploratory in a subgroup); the values within each arm are shown.")
else:
    for note in ui.cached(contested_notes):
        st.warning(note, icon=":material/report:")
    stated = ui.cached(stated_notes)
    if stated:
        st.markdown("**Reported in words, without a p-value:**\n" + "\n".join(f"- {s}" for s in stated))
    st.caption(ui.cached(family_sentence))
caveats = bottom_line[bottom_line["Caveats"] != ""]
if len(caveats):
    with st.expander(f"Caveats behind these readings ({len(caveats)} endpoints)", icon=":material/warning:"):
        st.markdown("\n".join(f"- **{e}:** {c}" for e, c in zip(caveats["Endpoint"], caveats["Caveats"])))
claims = ui.cached(discrepancies_for, (), "*")   # contradictions about the trial as a whole, not one endpoint
if len(claims):
    with st.expander(f"⚠ Where the paper contradicts itself about its conclusions ({len(claims)})"):
        st.markdown("\n".join(f"- {sentence}" for sentence in claims["What the paper says"]))
safety = ui.cached(safety_line)
if not safety.empty:
    st.markdown("**Safety:** " + " ".join(safety["sentence"]))
with st.expander("How the readings are worded"):
    st.markdown(ui.cached(verdict_vocabulary))

ui.subheader("Participant flow")
if not ui.on_phone():  # at 390 px the diagram's boxes shrink below legibility: the table says the same
    st.graphviz_chart(ui.cached(consort_dot), width="stretch")
ui.table(ui.call(consort_table), caption="Participant flow")
ui.show_notes("overview", "flow")

ui.subheader("How to read this dashboard")
st.markdown((
    "- Every number comes from the source, with its section and the words it was read from "
    "(open *Where each number comes from* under a table, or hover a chart).\n"
    "- **Not reported in the text** means exactly that: such cells are never filled in, estimated or drawn "
    "as zero.\n"
    "- ⚠ marks a place where the source contradicts itself; the note says which version is shown and why.\n"
    if study.has_printed_sources else
    "- Every number is computed here from the patient-level data; *Python* under an output opens the code that "
    "reproduces it from the same files.\n"
    "- **Not computable** marks a statistic the data are too few for (an SD from one value, a test without "
    "spread); it is never estimated.\n") + (
    "- A within-arm p-value compares a later visit with baseline *in that arm*; it is not a comparison with "
    "the control arm.\n"
    "- Choose the arms in the sidebar; the choice is kept in the page address, so a copied link opens the same view."
))
if study.citation:
    ui.subheader("Citation")
    doi = fact("doi")
    st.markdown(f"{fact('citation')}" + (f" doi:[{doi}](https://doi.org/{doi})" if doi else ""))

ui.finish_page("overview")
