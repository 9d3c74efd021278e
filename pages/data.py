"""Data source: show the published study, the synthetic patient-level demo, or your own patient-level files."""

import streamlit as st

import ui
from cratus.patient import Mapping
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
                "datasets such as ADLB, or `measurements.csv`) and, optionally, adverse events (ADAE or "
                "`adverse_events.csv`). SAS transport (`.xpt`), CSV, Excel (`.xlsx`) or Parquet. The files are "
                "read in memory — nothing is written to disk, logged or shown to anyone else — and dropped once "
                f"read. {data_source.limits_sentence()}")
    files = st.file_uploader("Patient-level files", type=["xpt", "csv", "xlsx", "parquet"],
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
    st.caption("Defaults follow CDISC conventions; change them here. The choices (never the data) are kept in "
               "the page address.")
    columns = [c.upper() for c in data.subjects.columns]
    arm_options = [c for c in columns if c in ("TRT01A", "TRT01P", "ARM", "ACTARM", "TREATMENT", "GROUP")] or [""]
    flags = [c for c in columns if c.endswith("FL")] + ["all"]
    left, middle, right, last = st.columns(4)
    chosen = Mapping(
        arm_variable=left.selectbox("Arm variable", arm_options, index=arm_options.index(data.mapping.arm_variable)
                                    if data.mapping.arm_variable in arm_options else 0),
        control=middle.selectbox("Control arm", list(data.arms), index=list(data.arms).index(data.control)
                                 if data.control in data.arms else 0),
        population=right.selectbox("Analysis population", flags, index=flags.index(data.mapping.population)
                                   if data.mapping.population in flags else len(flags) - 1,
                                   help="A Y/N flag of the subject file (SAFFL: safety population), or all"),
        baseline_visit=last.selectbox("Baseline visit", data.visits["visit"].tolist(),
                                      index=data.visits["visit"].tolist().index(data.baseline_visit)),
    )
    if chosen != data.mapping:
        st.button("Apply the mapping", on_click=data_source.reapply, args=(chosen,))
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
