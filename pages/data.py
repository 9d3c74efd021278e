"""Data source: show the published study, the synthetic patient-level demo, or your own patient-level files."""

from dataclasses import replace

import streamlit as st

import ui
from cratus.patient.mapping import ALL_SUBJECTS, ARM_VARIABLES
from cratus.patient.populations import RANDOMISED
from cratus.patient.records import ALL_RECORDS, OBSERVED
from ui import data_source, session

ui.start_page("Data source", "Every page shows one study at a time. By default that is the **published** study: "
              "numbers read from the paper. With **patient-level data** — a CDISC ADaM set (ADSL, ADAE and any "
              "BDS datasets) or a long CSV — every page is recomputed from the patients.", needs_arms=False)
study = ui.study()
SOURCES = {"published": "Published results (the paper)", "synthetic": "Synthetic demo (made-up patients)",
           "upload": "Your patient-level files"}
# A link to a view of uploaded files opens on the upload choice
current = session.source() or data_source.linked_source() or "published"
choice = st.radio("Show", list(SOURCES), index=list(SOURCES).index(current), format_func=SOURCES.get,
                  key="source_choice", horizontal=True)
mapping = data_source.mapping_from_url()

# Actions run as button callbacks, before the page is drawn: the page then shows the study just opened.
if choice == "published" and current != "published":
    st.button("Show the published results", type="primary", on_click=data_source.open_published)
elif choice == "synthetic" and current != "synthetic":
    st.button("Open the synthetic demo", type="primary", on_click=data_source.open_synthetic, args=(mapping,))
elif choice == "upload":
    st.markdown("Upload every file at once: one subject file (ADSL or `subjects.csv`), measurement files (BDS "
                "datasets such as ADLB, ADQS, or `measurements.csv`), adverse events (ADAE or "
                "`adverse_events.csv`) and time-to-event data (ADTTE), as you have them. SAS transport (`.xpt`), "
                "CDISC Dataset-JSON (`.json`, `.ndjson`), CSV, Excel (`.xlsx`) or Parquet. The files are "
                "read in memory — nothing is written to disk, logged or shown to anyone else — and dropped once "
                f"read. {data_source.limits_sentence()}")
    files = st.file_uploader("Patient-level files", type=["xpt", "json", "ndjson", "csv", "xlsx", "parquet"],
                             accept_multiple_files=True, key=data_source.uploader_key())
    if files:
        st.button("Read these files", type="primary", on_click=data_source.open_uploads, args=(files, mapping))
    if notice := data_source.notice():
        st.info(notice, icon=":material/upload_file:")
    if error := data_source.error():
        st.error(f"**The files could not be read.** {error}", icon=":material/error:")

data = session.patients_as_read()
if data is not None:
    ui.subheader("How the data were read")
    ui.show_table(data.files.rename(columns=str.capitalize), caption="Files")
    for note in data.notes:
        st.caption(f"• {note}")
    ui.subheader("Mapping")
    st.caption("Defaults follow the CDISC ADaM rules; change them here. The choices (never the data) are kept in "
               "the page address.")
    columns = [c.upper() for c in data.subjects.columns]
    arm_options = list(data.arm_columns or [c for c in columns if c in ARM_VARIABLES]) or [""]
    if data.mapping.arm_variable and data.mapping.arm_variable not in arm_options:
        arm_options.append(data.mapping.arm_variable)
    populations = [c for c in columns if c.endswith("FL")] + [RANDOMISED, ALL_SUBJECTS]
    flags = sorted({f.strip() for text in data.files["analysis flags"] for f in str(text).split(",") if f.strip()})
    record_options = flags + [OBSERVED, ALL_RECORDS]
    records = data.mapping.records or (flags[0] if flags else OBSERVED)
    visits = data.visits["visit"].tolist()

    def pick(column, label, options, value, **kwargs):
        options = options if value in options else [*options, value]
        return column.selectbox(label, options, index=options.index(value), **kwargs)

    left, middle, right, last = st.columns(4)
    arm_variable = pick(left, "Arm variable", arm_options, data.mapping.arm_variable,
                        help="The arm each subject was randomised to (ADaM TRT01P): the arm of the efficacy analyses "
                             "and the baseline tables")
    safety_arm = pick(middle, "Safety arm variable", arm_options, data.mapping.safety_arm_variable or arm_variable,
                      help="The treatment each subject received (ADaM TRT01A): the arm of adverse events, laboratory "
                           "and other safety analyses")
    control = pick(right, "Control arm", list(data.arms), data.control)
    baseline_visit = pick(last, "Baseline visit", visits, data.baseline_visit) if visits else ""
    first, second, third, fourth = st.columns(4)
    records = pick(first, "Analysis records", record_options, records,
                   format_func=lambda r: {OBSERVED: "observed records (DTYPE blank)",
                                          ALL_RECORDS: "all records (observed and derived)"}.get(r, f"{r} = 'Y'"),
                   help="Which BDS records the analyses use: the records an analysis flag (ANLzzFL) marks, derived "
                        "records (DTYPE) included, plus the baseline records; or the observed records; or all")
    said = {RANDOMISED: "randomised subjects", ALL_SUBJECTS: "all subjects"}
    chosen_populations = {
        f"{a}_population": pick(column, label, populations, data.populations.of(a).rule,
                                format_func=lambda r: said.get(r, f"{r} = 'Y'"))
        for a, column, label in (("efficacy", second, "Efficacy population"), ("safety", third, "Safety population"),
                                 ("baseline", fourth, "Baseline-table population"))}
    parameters = data.parameters
    efficacy, primary, continuous = data.mapping.efficacy, data.mapping.primary, data.mapping.continuous
    if len(parameters):
        codes = parameters["code"].tolist()
        chosen_efficacy = st.multiselect(
            "Efficacy endpoints", codes, default=parameters.loc[parameters["role"] == "efficacy", "code"].tolist(),
            help="Their p-values make the Overview's bottom line and its multiplicity family; they are analysed in "
                 "the efficacy population, the other parameters in the safety population")
        defaults = parameters.loc[parameters["role"] == "efficacy", "code"].tolist()
        efficacy = "" if chosen_efficacy == defaults and not data.mapping.efficacy else ",".join(chosen_efficacy)
        current = parameters.loc[parameters["primary"], "code"].tolist()
        primary_options = ["", *chosen_efficacy]
        primary = pick(st, "Primary endpoint", primary_options, current[0] if current else "",
                       format_func=lambda c: c or "none named")
        counted = parameters.loc[parameters["kind"] != "continuous", "code"].tolist()
        forced = [c.strip() for c in data.mapping.continuous.split(",") if c.strip()]
        continuous = ",".join(st.multiselect(
            "Read as continuous", list(dict.fromkeys(counted + forced)), default=forced,
            help="Parameters recognised as categorical or binary from their values (a few whole numbers, 0/1, Y/N) "
                 "that are measures: they are then summarised with means and t-tests"))
    chosen = replace(data.mapping, arm_variable=arm_variable, control=control,
                     # another arm variable with the safety arm untouched: the new one's actual counterpart
                     safety_arm_variable="" if safety_arm == data.mapping.safety_arm_variable and arm_variable !=
                     data.mapping.arm_variable else safety_arm, baseline_visit=baseline_visit,
                     records="" if records == (flags[0] if flags else OBSERVED) and not data.mapping.records
                     else records, efficacy=efficacy, primary=primary, continuous=continuous, population="",
                     **chosen_populations)
    if chosen != replace(data.mapping, population=""):
        st.button("Apply the mapping", on_click=data_source.reapply, args=(chosen,))
    if len(parameters):
        ui.subheader("Parameters")
        st.caption("Each BDS parameter as recognised: continuous (means), categorical or binary (counts and "
                   "percentages); efficacy or safety; the primary endpoint if one is named.")
        ui.show_table(parameters.rename(columns=str.capitalize), caption="Parameters", download="parameters")
    if study.synthetic and study.filters:
        st.caption("The fidelity table compares all synthetic patients with the published numbers: clear the "
                   "subgroup filter to see it.")
    elif study.synthetic:
        ui.subheader("Fidelity: the synthetic data against the published numbers")
        st.caption("Each number the paper prints, next to the same summary of the synthetic patients; "
                   "'within rounding' means it rounds to the printed value.")
        ui.show_table(ui.cached(data_source.fidelity_against_published), caption="Fidelity table",
                      download="fidelity")


ui.finish_page("data")
