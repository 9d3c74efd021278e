"""One participant: the numbers of the profile against the synthetic ADaM files, its figures, the page, the ways in.

Reference values are read from the synthetic demo's own files (``synthetic_files("adam", seed=1)``, the files
the app's demo opens) with pandas, independently of the reader.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from cratus.figures.profile import build_event_timeline, build_participant_endpoints
from cratus.patient import read_patient_data, to_study
from cratus.patient.display import add_trajectories
from cratus.patient.profile import (serious_event_listing, study_days, subject_characteristics, subject_endpoints,
                                    subject_event_table, subject_events, subjects_list)
from cratus.patient.synthetic import synthetic_files
from cratus.study.model import load_study
from tests.apptest import tables
from tests.test_patient_pages import go as go_to_page
from tests.test_patient_pages import synthetic_session, texts  # noqa: F401 (a fixture used by the page tests)
from ui.navigation import page_specs

SUBJECT = "SYN-001"  # the synthetic demo's Hy's-law subject, with two serious adverse events


@pytest.fixture(scope="module")
def files():
    return synthetic_files("adam", seed=1)


@pytest.fixture(scope="module")
def study(files):
    return to_study(read_patient_data(*files.values(), names=list(files)), reference=load_study())


def adam(files, name: str) -> pd.DataFrame:
    return pd.read_sas(io.BytesIO(files[name]), format="xport", encoding="utf-8")


@pytest.mark.parametrize("paramcd, endpoint, avisit, visit", [
    ("ALT", "alt", "Baseline", "baseline"),
    ("ALT", "alt", "6 months", "month6"),
    ("BILI", "bili", "6 months", "month6"),
])
def test_a_participants_value_is_the_row_of_the_adlb_file(files, study, paramcd, endpoint, avisit, visit):
    lb = adam(files, "adlb.xpt")
    row = lb[(lb["USUBJID"] == SUBJECT) & (lb["PARAMCD"] == paramcd) & (lb["AVISIT"] == avisit)]
    mine = subject_endpoints(study, SUBJECT)
    shown = mine[(mine["endpoint"] == endpoint) & (mine["visit"] == visit)]
    assert len(row) == 1 and len(shown) == 1
    # AVAL of that ADLB row (ALT at baseline: 65.8568 U/L)
    assert shown["value"].iloc[0] == pytest.approx(row["AVAL"].iloc[0])
    assert shown["anrhi"].iloc[0] == pytest.approx(row["ANRHI"].iloc[0])


@pytest.mark.parametrize("paramcd, endpoint, avisit, visit", [("ALT", "alt", "6 months", "month6"),
                                                             ("AST", "ast", "Baseline", "baseline")])
def test_the_arm_median_is_the_median_of_the_arms_rows(files, study, paramcd, endpoint, avisit, visit):
    lb, sl = adam(files, "adlb.xpt"), adam(files, "adsl.xpt")
    arm = sl.loc[sl["USUBJID"] == SUBJECT, "TRT01A"].iloc[0]
    arm_rows = lb[(lb["TRT01A"] == arm) & (lb["PARAMCD"] == paramcd) & (lb["AVISIT"] == avisit)]
    mine = subject_endpoints(study, SUBJECT).set_index(["endpoint", "visit"])
    # numpy.median of the AVAL of the arm's ADLB rows at that visit
    assert mine.loc[(endpoint, visit), "arm_median"] == pytest.approx(np.median(arm_rows["AVAL"]))
    assert mine.loc[(endpoint, visit), "arm_n"] == len(arm_rows) == 10


def test_every_endpoint_of_the_data_is_in_the_profile(files, study):
    mine = subject_endpoints(study, SUBJECT)
    # every PARAMCD of the BDS files, each at the visits the arm has (SQOL-F: women only, SYN-001 is a man)
    assert mine["endpoint"].nunique() == 18
    sqol = mine[mine["endpoint"] == "sqol_f"]
    assert len(sqol) == 2 and sqol["value"].isna().all() and sqol["arm_median"].notna().all()


@pytest.mark.parametrize("characteristic, value", [
    ("Participant", "SYN-001"),
    ("Arm", "Allo-hMSC 100M"),                 # ADSL TRT01A, the study's arm label
    ("Age at infusion", "76.3 years"),         # ADSL AGE 76.3462
    ("Gender", "Male"),                        # ADSL SEX
    ("Canadian Clinical Frailty Score", "4"),  # ADSL CFS 4.0
])
def test_characteristics_have_display_labels(study, characteristic, value):
    table = subject_characteristics(study, SUBJECT).set_index("characteristic")["value"]
    assert table[characteristic] == value


def test_the_chooser_lists_every_subject_of_adsl(files, study):
    chooser = subjects_list(study)
    assert chooser["usubjid"].tolist() == adam(files, "adsl.xpt")["USUBJID"].tolist()
    assert chooser["label"].iloc[0] == "SYN-001 · Allo-hMSC 100M · Male · 76 years"


def test_a_participants_adverse_events_are_the_adae_rows(files, study):
    ae = adam(files, "adae.xpt")
    rows = ae[ae["USUBJID"] == SUBJECT].sort_values("ASTDY")
    events = subject_events(study, SUBJECT)
    assert events["term"].tolist() == rows["AEDECOD"].tolist() == ["Ureteric stenosis", "Flank pain"]
    assert events["start_day"].tolist() == rows["ASTDY"].tolist() == [166.0, 246.0]
    assert events["end_day"].tolist() == rows["AENDY"].tolist() == [178.0, 251.0]
    assert events["severity"].tolist() == ["mild", "severe"] and events["serious"].tolist() == [True, True]
    assert not events["ongoing"].any()
    table = subject_event_table(study, SUBJECT)
    assert table[["Study days", "Severity", "Serious"]].values.tolist() == [["166–178", "Mild", "yes"],
                                                                             ["246–251", "Severe", "yes"]]


@pytest.mark.parametrize("call", [subject_characteristics, subject_endpoints, subject_events,
                                  build_participant_endpoints, build_event_timeline])
def test_an_unknown_subject_raises_a_clear_error(study, call):
    with pytest.raises(ValueError, match="participant 'SYN-999' is not among the 30 participants"):
        call(study, "SYN-999")


@pytest.mark.parametrize("arms, expected", [
    (None, 10),          # ADAE rows with AESER = "Y"
    (("placebo",), 6),   # of them, TRT01A = "Placebo"
    (("100M",), 2),      # SYN-001's two events
])
def test_the_serious_event_listing_has_one_row_per_serious_event(files, study, arms, expected):
    ae = adam(files, "adae.xpt")
    listing = serious_event_listing(study, arms=arms)
    assert len(listing) == expected
    if arms is None:
        assert len(listing) == int((ae["AESER"] == "Y").sum())
        assert listing.iloc[0].tolist() == ["SYN-001", "Allo-hMSC 100M", "Ureteric stenosis", "166–178", "Mild", "no"]


@pytest.mark.parametrize("start, end, ongoing, text", [
    (166.0, 178.0, False, "166–178"), (5.0, 5.0, False, "5"), (246.0, np.nan, True, "from 246, ongoing"),
    (np.nan, np.nan, False, "not recorded"),
])
def test_study_days_read_as_text(start, end, ongoing, text):
    assert study_days(start, end, ongoing) == text


@pytest.fixture(scope="module")
def ongoing_study():
    """Two subjects; subject 1 has a serious related event with no end day, subject 2 one that ends on day 40."""
    subjects = b"usubjid,arm\n1,Drug\n2,Placebo\n"
    values = b"usubjid,visit,endpoint,value\n1,Day 1,score,3\n1,Day 8,score,5\n2,Day 1,score,4\n2,Day 8,score,6\n"
    events = (b"usubjid,term,serious,severity,related,start_day,end_day\n"
              b"1,Headache,N,mild,not related,2,3\n1,Hepatitis,Y,severe,related,10,\n2,Nausea,N,moderate,no,5,40\n")
    return to_study(read_patient_data(subjects, values, events,
                                      names=["subjects.csv", "measurements.csv", "adverse_events.csv"]))


def test_an_ongoing_event_is_drawn_to_the_last_day(ongoing_study):
    events = subject_events(ongoing_study, "1")
    assert events["ongoing"].tolist() == [False, True]
    figure = go.Figure(build_event_timeline(ongoing_study, "1").to_dict())  # validates every property
    severe = next(t for t in figure.data if t.meta["severity"] == "severe")
    # Hepatitis: from day 10 to the last recorded day of any event (subject 2's Nausea ends on day 40)
    assert severe.base[0] == 10 and severe.base[0] + severe.x[0] == 40
    assert severe.marker.line.width[0] == 3  # serious: the thick outline
    assert [a.text for a in figure.layout.annotations] == ["ongoing ▶"]
    labels = list(figure.layout.yaxis.ticktext)
    assert labels[0] == "Headache" and "⚠ serious" in labels[1] and "related" in labels[1]
    assert "Related to treatment: yes" in severe.hovertext[0] and "Serious: yes" in severe.hovertext[0]
    assert serious_event_listing(ongoing_study)["Study days"].tolist() == ["from 10, ongoing"]


@pytest.mark.parametrize("phone, columns", [(False, 3), (True, 1)])
def test_the_endpoint_figure_draws_the_participant_against_the_arm_median(study, phone, columns):
    figure = go.Figure(build_participant_endpoints(study, SUBJECT, phone=phone).to_dict())
    rows = subject_endpoints(study, SUBJECT)
    alt = rows[rows["endpoint"] == "alt"]
    own = next(t for t in figure.data if t.meta and t.meta["role"] == "participant" and t.meta["endpoint"] == "alt")
    median = next(t for t in figure.data if t.meta and t.meta["role"] == "arm_median" and t.meta["endpoint"] == "alt")
    assert list(own.y) == pytest.approx(alt["value"].tolist())
    assert list(median.y) == pytest.approx(alt["arm_median"].tolist()) and median.line.dash == "dash"
    assert own.line.color == study.design.color("100M") and own.line.width > median.line.width
    titles = {a.name.split("|")[1]: a.text for a in figure.layout.annotations if (a.name or "").startswith("panel")}
    assert titles["alt"] == "<b>ALT (U/L)</b>" and len(titles) == 18
    starts = {figure.layout[f"xaxis{i if i > 1 else ''}"].domain[0] for i in range(1, 19)}
    assert len(starts) == columns
    assert any((s.name or "").startswith("reference_range|alt") for s in figure.layout.shapes)


def test_trajectory_points_carry_the_subject_id(study):
    from cratus.figures import build_endpoint_figure

    base = build_endpoint_figure(study, "alt", arms=list(study.design.arm_ids), visits=list(study.design.visit_ids))
    figure, _ = add_trajectories(study, base)
    lines = [t for t in figure.data if t.meta and t.meta["role"] == "trajectory" and t.meta["arm"] == "100M"]
    ids, ys = list(lines[0].customdata), list(lines[0].y)
    position = ids.index(SUBJECT)
    # SYN-001's ALT at baseline and 6 months (adlb.xpt, USUBJID SYN-001, PARAMCD ALT: 65.8568 and 63.0295)
    assert ys[position:position + 2] == pytest.approx([65.8568, 63.0295])
    assert {i for i in ids if i} == set(subjects_list(study).query("arm == '100M'")["usubjid"])


def test_the_participant_page_is_registered_for_patient_data_only(study):
    assert "participant" in [s["url_path"] for s in page_specs(study)]
    assert "participant" not in [s["url_path"] for s in page_specs(load_study())]


# --- the page, in streamlit.testing ------------------------------------------------------------------------------
def open_participant(at, subject: str):
    at.query_params.clear()
    at.query_params["subject"] = subject
    return go_to_page(at, "participant")


@pytest.mark.page
def test_a_deep_link_opens_the_participant(synthetic_session):
    at = open_participant(synthetic_session, "SYN-001")
    assert not at.exception, [e.message for e in at.exception]
    characteristics = tables(at)[0].set_index("Characteristic")["Value"]
    assert characteristics["Participant"] == "SYN-001" and characteristics["Age at infusion"] == "76.3 years"
    assert at.selectbox(key="subject_choice").value == "SYN-001"
    assert len(at.get("plotly_chart")) == 2  # the endpoints and the adverse-event timeline
    assert tables(at)[1]["Event"].tolist() == ["Ureteric stenosis", "Flank pain"]
    assert "not evidence about the treatment" in texts(at)


@pytest.mark.page
def test_choosing_another_participant_puts_them_in_the_address(synthetic_session):
    at = open_participant(synthetic_session, "SYN-001")
    at.selectbox(key="subject_choice").set_value("SYN-011").run()
    assert at.query_params["subject"] == "SYN-011"
    assert tables(at)[0].set_index("Characteristic")["Value"]["Arm"] == "Allo-hMSC 200M"


@pytest.mark.page
def test_an_unknown_subject_says_so_and_the_app_keeps_working(synthetic_session):
    at = open_participant(synthetic_session, "SYN-999")
    assert not at.exception, [e.message for e in at.exception]
    assert any("no participant **SYN-999**" in w.value for w in at.warning)
    assert at.selectbox(key="subject_choice").value is None and not at.get("plotly_chart")
    go_to_page(at, "safety")
    assert not at.exception


@pytest.mark.page
def test_the_safety_page_lists_serious_events_by_participant(synthetic_session, files):
    synthetic_session.query_params.clear()
    at = go_to_page(synthetic_session, "safety")
    listing = next(d.value for d in at.dataframe if "Participant" in d.value.columns)
    # ADAE rows with AESER = "Y"
    assert len(listing) == int((adam(files, "adae.xpt")["AESER"] == "Y").sum()) == 10


@pytest.mark.page
def test_patients_points_are_clickable_only_when_drawn(synthetic_session):
    synthetic_session.query_params.clear()
    at = go_to_page(synthetic_session, "functional")
    for patients in (True, False, True):
        at.toggle(key="trajectories").set_value(patients).run()
        assert not at.exception, [e.message for e in at.exception]
        assert bool(at.get("plotly_chart")[0].proto.selection_mode) is patients
