"""Sharing a view of patient-level data: the report names its data and keeps individual patients out unless asked;
the link carries the view (and the kind of data), never the data.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from cratus.patient import Mapping
from cratus.outputs.code import Recipe, describe_filters
from cratus.patient.synthetic import synthetic_files
from cratus.outputs.report import Report, without_patients
from tests.apptest import open_page, tables
from tests.test_patient_pages import go as go_to, synthetic_session, texts, upload  # noqa: F401 - a fixture


def _report_html(at, **kwargs) -> str:
    return at.session_state["report"].to_html(include_plotlyjs=False, **kwargs)


@pytest.mark.page
def test_the_report_of_a_patient_page_names_its_data(synthetic_session):
    at = go_to(synthetic_session, "baseline")
    page = _report_html(at)
    # cratus.patient.synthetic: six ADaM files, 10 subjects per arm, safety population (SAFFL) by default
    for words in ("adsl.xpt", "adlb.xpt", "adae.xpt", "synthetic demo", "seed 1", "30 subjects",
                  "Allo-hMSC 100M (n = 10)", "Placebo (n = 10)", "SAFFL", "Subject filters",
                  "none (every subject)", "computed here from the patient-level data"):
        assert words in page, words
    assert "read from the text of the paper" not in page
    subjects = at.session_state["study"].patients.subjects["usubjid"].astype(str)
    assert not any(s in page for s in subjects)


@pytest.mark.page
def test_each_patient_s_lines_stay_out_of_the_report_unless_asked(synthetic_session):
    at = go_to(synthetic_session, "functional")
    at.toggle(key="trajectories").set_value(True).run()
    figure = next(c for kind, c in at.session_state["report"].items if kind == "figure")
    lines = sum((t.meta or {}).get("role") == "trajectory" for t in figure.data)
    assert lines == 12      # 4 panels × 3 arms (cratus.patient.display.add_trajectories: one trace per arm and panel)
    assert '"trajectory"' not in _report_html(at) and "Each patient’s line left out" in _report_html(at)
    assert _report_html(at, patient_rows=True).count('"role":"trajectory"') == lines
    at.toggle(key="trajectories").set_value(False).run()


def test_a_listing_of_patients_is_left_out_of_a_report_unless_asked():
    report = Report("Safety")
    report.add_table("Serious adverse events by participant", pd.DataFrame({"Participant": ["CR-0107"], "Term": ["fall"]}))
    report.add_table("Incidence", pd.DataFrame({"Arm": ["Placebo"], "Patients with an event": ["1 of 10"]}))
    report.add_figure(go.Figure(go.Scatter(x=[1], y=[4.2], meta={"role": "subject"})), patient_rows=True)
    page = report.to_html(include_plotlyjs=False)
    assert "CR-0107" not in page and "1 of 10" in page and "4.2" not in page
    assert "“Serious adverse events by participant” left out" in page and "A figure left out" in page
    assert "CR-0107" in report.to_html(include_plotlyjs=False, patient_rows=True)


def test_only_the_patients_traces_are_dropped_from_a_figure():
    figure = go.Figure([go.Scatter(y=[1, 2], meta={"role": "trajectory"}), go.Scatter(y=[3], meta={"role": "arm"}),
                        go.Scatter(y=[5])])
    kept, dropped = without_patients(figure)
    assert dropped == 1 and [list(t.y) for t in kept.data] == [[3], [5]]


@pytest.mark.page
def test_the_share_panel_offers_patient_rows_off_by_default_and_says_what_the_link_carries(synthetic_session):
    at = go_to(synthetic_session, "safety")
    at.session_state["share_safety"] = True
    at.run()
    box = at.checkbox(key="patient_rows_safety")
    assert box.label == "Include patient-level rows in the report" and box.value is False
    link = next(c.value for c in at.code if "://" in c.value or "?" in c.value)
    assert "source=synthetic" in link
    assert "The link reopens the synthetic demo" in texts(at)
    at.session_state["share_safety"] = False
    at.run()


@pytest.mark.page
def test_every_page_of_the_synthetic_demo_keeps_source_in_the_address(synthetic_session):
    for url_path in ("", "baseline", "functional"):
        at = go_to(synthetic_session, url_path)
        assert at.query_params["source"] == "synthetic", url_path


@pytest.mark.page
def test_a_link_to_the_synthetic_demo_reopens_it_in_a_fresh_session():
    at = open_page("baseline", query={"source": "synthetic", "arms": ["100M", "Placebo"]})
    assert not at.exception, [e.message for e in at.exception]
    assert "Synthetic data — not trial data" in texts(at)
    assert at.session_state["study"].recipe == Recipe(synthetic_seed=1)
    # Table 1 of the synthetic patients, the two arms of the link: age 75.0 ± 7.4 in 100M (data/summary.csv; ages
    # recorded to one decimal, so the mean has two decimals and the SD three)
    table = tables(at)[0]
    assert list(table.columns)[1:] == ["Allo-hMSC 100M (N = 10)", "Placebo (N = 10)",
                                       "All arms (incl. hidden 200M) (N = 30)"]
    row = table.index[table["Characteristic"] == "Age at infusion (years)"][0] + 2
    assert table.loc[row, "Characteristic"] == "\u2003Mean (SD)" and table.iloc[row, 1] == "75.00 (7.400)"


@pytest.mark.page
def test_a_link_to_uploaded_files_asks_for_them_and_keeps_their_mapping():
    at = open_page("baseline", query={"source": "upload", "m_population": "all"})
    assert "This view was made from uploaded files" in texts(at)
    assert at.session_state["study"].kind == "published"
    for key in list(at.query_params):          # moving to another page may drop the address's parameters
        at.query_params.pop(key)
    at = go_to(at, "data")
    assert "This view was made from uploaded files" in texts(at)
    at = upload(at, synthetic_files("long", seed=3))
    assert not at.exception and not at.error, [e.value for e in at.error]
    study = at.session_state["study"]
    assert study.recipe.mapping == {"population": "all"}
    assert at.session_state["study"].patients.population == "all"
    assert "This view was made from uploaded files" not in texts(at)
    assert at.query_params["source"] == "upload" and at.query_params["m_population"] == "all"


def test_filters_are_described_in_words():
    assert describe_filters((("sex", ("F",)), ("age", ("range", 65.0, 80.5)))) == "sex: F; age: 65 to 80.5"


@pytest.mark.page
def test_a_link_to_a_view_of_uploaded_files_reopens_that_view_once_the_files_are_uploaded():
    """Round trip: a view of another trial's files (bench/make_large_patient_data.py: arms "Drug 10 mg", "Drug 20 mg",
    "Placebo"), shared as its address; a fresh session opens the address, uploads the same files, sees the view."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from make_large_patient_data import make_large

    files = make_large(40)
    first = upload(open_page("data"), files)
    study = first.session_state["study"]
    first.sidebar.get("button_group")[0].set_value([study.design.short(study.design.arm_ids[0])]).run()
    first = go_to(first, "baseline")
    link = dict(first.query_params)          # the address of the view: what a copied link carries
    assert link["source"] == "upload" and set(link) <= {"source", "arms"} | {f"m_{k}" for k in Mapping().to_dict()}
    second = open_page("baseline", query=link)
    assert "This view was made from uploaded files" in texts(second)
    second = upload(go_to(second, "data"), files)
    second = go_to(second, "baseline")
    assert second.session_state["shared_arms"] == [study.design.arm_ids[0]]
    assert list(tables(second)[0].columns) == list(tables(first)[0].columns)


def test_the_session_keeps_one_copy_of_the_patients(synthetic_session):
    """The patients live on the session's study (``study.patients``) and nowhere else in the session's state."""
    from cratus.patient import PatientData

    at = go_to(synthetic_session, "baseline")
    study = at.session_state["study"]
    assert study.has_patients and study.synthetic and not study.has_printed_sources
    held = [key for key in at.session_state if isinstance(at.session_state[key], PatientData)]
    assert held == []


def test_every_session_key_is_named_once():
    """ui.keys names each key of a session's state once: no two names share a value (two modules once kept the
    arms and the filter under one name with two values), and no other module of ui/ assigns a key's value."""
    import pathlib
    import re

    from ui import keys

    named = {name: value for name, value in vars(keys).items() if name.isupper()}
    assert len(set(named.values())) == len(named)
    ui_dir = pathlib.Path(keys.__file__).parent
    for path in ui_dir.glob("*.py"):
        if path.name == "keys.py":
            continue
        for value in named.values():
            assert not re.search(rf'^\w+ = "{re.escape(value)}"$', path.read_text(), re.M), (path.name, value)


def test_a_published_study_has_printed_sources_and_no_patients():
    from cratus.study.model import load_study

    published = load_study()
    assert published.has_printed_sources and not published.has_patients and not published.synthetic
    assert published.recipe is None and published.filters == ()
