"""Real ADaM as delivered (issue 23, the data side): analysis records, ADTTE, arm order, exact SAS numbers,
Dataset-JSON, reference ranges, safety-only data, distinct PARAMCD values — on generated files shaped like a
submission's (tests/adam_shaped.py) and on the shared pharmaverse files."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pyreadstat
import pytest

import adam_shaped
from cratus.patient import Mapping, read_patient_data, to_study
from cratus.patient.labs import lab_endpoints
from tests.server import SHARED

PHARMAVERSE = SHARED / "adam" / "pharmaverseadam"


def read(files: dict, **mapping):
    return read_patient_data(*files.values(), names=list(files), mapping=mapping or None)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return adam_shaped.xpt_files(tmp_path_factory.mktemp("adam"))


@pytest.fixture(scope="module")
def data(files):
    return read(files)


def test_the_flagged_records_are_the_default_derived_ones_included(data):
    m = data.measurements[data.measurements["endpoint"] == "actot"]
    # subject GEN-002 missed Week 24: its LOCF record (DTYPE = LOCF, ANL01FL = Y) carries Week 8's 23.0 forward
    week24 = m[(m["usubjid"] == "GEN-002") & (m["visit"] == "Week 24")]
    assert week24["value"].tolist() == [23.0] and week24["dtype"].tolist() == ["LOCF"]
    # GEN-003's LOCF copies are not flagged: its observed Week 24 (20 + 2 + 6) is used
    assert m[(m["usubjid"] == "GEN-003") & (m["visit"] == "Week 24")]["value"].tolist() == [28.0]
    assert "records flagged ANL01FL = 'Y'" in data.records
    assert any("adqs.xpt: analysis records: records flagged ANL01FL = 'Y'" in n and "baseline records" in n
               for n in data.notes)


def test_observed_records_are_a_choice(files):
    observed = read(files, records="observed")
    m = observed.measurements
    assert m[(m["usubjid"] == "GEN-002") & (m["visit"] == "Week 24") & (m["endpoint"] == "actot")].empty
    assert observed.mapping.records == "observed" and "observed records" in observed.records


def test_every_record_uses_the_derived_one_where_both_exist(files):
    every = read(files, records="all")
    m = every.measurements
    row = m[(m["usubjid"] == "GEN-003") & (m["visit"] == "Week 24") & (m["endpoint"] == "actot")]
    assert row["dtype"].tolist() == ["LOCF"]
    assert any("derived record is used" in n for n in every.notes)


def test_duplicates_no_flag_resolves_are_reported_by_subject_visit_and_parameter():
    subjects = b"usubjid,arm\nP01,Drug\nP02,Placebo\n"
    values = (b"usubjid,visit,endpoint,value\nP01,Baseline,score,1\nP01,Baseline,score,2\nP01,Week 4,score,3\n"
              b"P02,Baseline,score,1\nP02,Week 4,score,1\n")
    data = read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"])
    note = next(n for n in data.notes if "no analysis flag tells apart" in n)
    assert "subject P01, score, Baseline (measurements.csv, row 2)" in note
    assert len(data.duplicates) == 2 and set(data.duplicates["value"]) == {1.0, 2.0}
    assert not ((data.measurements["usubjid"] == "P01") & (data.measurements["visit"] == "Baseline")).any()


def test_time_to_event_records_load_as_a_typed_frame(data):
    tte = data.time_to_event
    assert list(tte.columns) == ["usubjid", "arm", "dataset", "endpoint", "label", "unit", "time", "cnsr", "event",
                                 "event_description", "censor_description"]
    assert set(tte["endpoint"]) == {"TTDERM"} and len(tte) == 12
    # CNSR = 0 is an event (ADaM); subjects 1, 4, 7, 10 are censored (adam_shaped.adtte: i % 3 == 0)
    assert tte["event"].sum() == 8 and (tte.loc[~tte["event"].astype(bool), "cnsr"] == 1).all()
    assert tte.loc[tte["usubjid"] == "GEN-002", "time"].tolist() == [17.0]
    assert tte["arm"].notna().all()
    assert data.files.set_index("file").loc["adtte.xpt", "role"] == "time_to_event"


def test_time_to_event_alone_beside_adsl_loads(files):
    only = read({k: v for k, v in files.items() if k in ("adsl.xpt", "adtte.xpt")})
    assert only.measurements.empty and len(only.time_to_event) == 12
    to_study(only)


def test_arms_follow_trt01pn_and_zero_is_zero(data, files):
    assert data.arms == ("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose") and data.control == "Placebo"
    assert "Screen Failure" not in data.arms
    by_planned_code = read(files, arm_variable="TRT01PN")
    # pyreadstat reads the transport file's zero as 0 (pandas.read_sas: 5.397605346934028e-79)
    assert "0" in by_planned_code.arms and not any("e-79" in a for a in by_planned_code.arms)


def test_paramcd_values_stay_distinct(data):
    labels = data.measurements.drop_duplicates("endpoint").set_index("endpoint")["label"]
    assert "sodium" in labels.index and "_SODIUM" in labels.index
    assert labels["_SODIUM"] == "Sodium change"


def test_unscheduled_and_blank_visits_are_kept_apart(data):
    assert "Unscheduled 1.1" not in set(data.visits["visit"])
    u = data.unscheduled
    assert len(u) == 10 and set(u["usubjid"]) == {"GEN-001"}  # 5 tests × (one unscheduled + one blank visit)
    assert any("blank or unscheduled visit are left out of the by-visit summaries" in n for n in data.notes)


def test_analysis_ranges_are_used_when_there_is_no_reference_range(data):
    sodium = data.measurements[data.measurements["endpoint"] == "sodium"]
    assert (sodium["anrlo"] == 135.0).all() and (sodium["anrhi"] == 145.0).all()
    assert any("analysis range (A1LO/A1HI) is used as the reference range" in n for n in data.notes)
    assert "sodium" in lab_endpoints(data)


def test_an_event_of_a_subject_missing_from_adsl_is_reported_by_id(data):
    assert any("adae.xpt: 1 event of 1 subject(s) not in the subject file left out (GEN-404)" in n
               for n in data.notes)
    assert "GEN-404" not in set(data.adverse_events["usubjid"].astype(str))


def test_safety_only_data_load(files):
    safety = read({k: v for k, v in files.items() if k in ("adsl.xpt", "adae.xpt")})
    assert safety.measurements.empty and len(safety.adverse_events) == 5
    study = to_study(safety)
    assert study.design.arm_ids[0] == "placebo" and study.n_per_arm()["total"] == 12


def test_a_subject_file_alone_is_refused_with_what_to_give(files):
    with pytest.raises(ValueError, match="no data file beside the subject file"):
        read({"adsl.xpt": files["adsl.xpt"]})


def test_dataset_json_reads_like_xpt(files):
    frames = adam_shaped.frames()
    as_json = {"adsl.json": adam_shaped.dataset_json(frames["adsl"], "adsl", {"AGE": "Age"}),
               "adqs.json": adam_shaped.dataset_json(frames["adqs"], "adqs")}
    from_json = read(as_json)
    from_xpt = read({k: files[k] for k in ("adsl.xpt", "adqs.xpt")})
    assert from_json.arms == from_xpt.arms
    pd.testing.assert_series_equal(from_json.measurements["value"], from_xpt.measurements["value"])
    assert from_json.labels["age"] == "Age"
    assert from_json.files["format"].tolist() == ["json", "json"]


def test_dataset_json_ndjson_and_bad_rows():
    from cratus.patient.readers import read_source
    meta = b'{"datasetJSONVersion": "1.1.0", "name": "ADSL", "columns": [{"itemOID": "a", "name": "USUBJID", ' \
           b'"label": "Subject", "dataType": "string"}, {"itemOID": "b", "name": "AGE", "dataType": "integer"}]}'
    table = read_source(meta + b'\n["01", 70]\n["02", 71]\n', name="adsl.ndjson")
    assert table.frame["AGE"].tolist() == [70.0, 71.0] and table.labels == {"USUBJID": "Subject"}
    with pytest.raises(ValueError, match=r"adsl.ndjson, row 2, column 'AGE': 'old' is not a number"):
        read_source(meta + b'\n["01", 70]\n["02", "old"]\n', name="adsl.ndjson")
    with pytest.raises(ValueError, match="adsl.json: is not a Dataset-JSON file"):
        read_source(b"USUBJID,AGE\n01,70\n", name="adsl.json")


def test_xpt_labels_and_exact_numbers(tmp_path):
    frame = pd.DataFrame({"USUBJID": ["1", "2"], "TRT01PN": [0.0, 54.0]})
    path = tmp_path / "adsl.xpt"
    pyreadstat.write_xport(frame, str(path), column_labels=["Unique Subject Identifier", "Planned Treatment (N)"],
                           file_format_version=5)
    from cratus.patient.readers import read_source
    table = read_source(path.read_bytes(), name="adsl.xpt")
    assert table.frame["TRT01PN"].tolist() == [0.0, 54.0] and table.frame["TRT01PN"].iloc[0] == 0
    assert table.labels["TRT01PN"] == "Planned Treatment (N)"


def test_guessed_columns_are_named():
    subjects = b"usubjid,group\nP01,Drug\nP02,Placebo\n"
    values = b"usubjid,visit,test,result\nP01,Baseline,score,1\nP02,Baseline,score,2\n"
    data = read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"])
    assert "subjects.csv: column 'group' read as the arm (no TRT01A, TRT01P or ARM)" in data.notes
    assert "measurements.csv: column 'result' read as the value" in data.notes
    assert "measurements.csv: column 'test' read as the endpoint" in data.notes


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_pharmaverse_advs_and_adlb_load_with_their_flags():
    data = read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adae", "adlb", "advs")))
    assert data.arms == ("Placebo", "Xanomeline High Dose", "Xanomeline Low Dose")  # no TRT01PN: data order
    assert data.duplicates.empty
    assert "Screen Failure" not in data.arms and len(data.subjects) == 254  # SAFFL = 'Y'
    # ADVS keeps its time points apart: systolic pressure after lying down is its own series
    assert "sysbp_after_lying_down_for_5_minutes" in set(data.measurements["endpoint"])
    assert len(data.unscheduled) and data.unscheduled["visit"].str.startswith("Unscheduled").all()


def test_populations_per_analysis(data, files):
    p = data.populations
    assert (p.efficacy.rule, p.safety.rule, p.baseline.rule) == ("EFFFL", "SAFFL", "ITTFL")
    assert (p.efficacy.n, p.safety.n, p.baseline.n) == (11, 12, 12)  # GEN-001 has EFFFL = N; GEN-999 is a screen failure
    # efficacy records in the efficacy population, laboratory (safety) records in the safety population
    m = data.measurements
    assert "GEN-001" not in set(m.loc[m["endpoint"] == "actot", "usubjid"].astype(str))
    assert "GEN-001" in set(m.loc[m["endpoint"] == "sodium", "usubjid"].astype(str))
    assert data.mapping.efficacy_population == "EFFFL"
    every = read(files, efficacy_population="all")
    assert every.populations.efficacy.n == 13  # the screen failure too (but it has no arm of the trial)
    assert "GEN-001" in set(every.measurements.loc[every.measurements["endpoint"] == "actot", "usubjid"].astype(str))
    with pytest.raises(ValueError, match="the population 'XYZFL' of the mapping is not a column"):
        read(files, safety_population="XYZFL")


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_pharmaverse_populations_say_what_they_fell_back_to():
    data = read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adae")))
    # pharmaverse ADSL: no EFFFL/ITTFL/FASFL/RANDFL; RANDDT is given for the 254 randomised subjects
    assert data.populations.efficacy.rule == "randomised" and data.populations.efficacy.n == 254
    assert data.populations.baseline.rule == "randomised" and data.populations.safety.rule == "SAFFL"
    assert any("no EFFFL for the efficacy analyses: the randomised subjects (RANDFL, else RANDDT given) used" in n
               for n in data.notes)


def test_kinds_and_roles_of_parameters(data, files):
    p = data.parameters.set_index("code")
    assert p.loc["CIBICVAL", "kind"] == "categorical" and p.loc["ACTOT", "kind"] == "continuous"
    assert p.loc["ACTOT", "role"] == "efficacy" and p.loc["SODIUM", "role"] == "safety"
    assert not p["primary"].any()
    chosen = read(files, efficacy="ACTOT", primary="CIBICVAL").parameters.set_index("code")
    assert chosen.loc["CIBICVAL", "primary"] and chosen.loc["CIBICVAL", "role"] == "efficacy"
    assert chosen.loc["ACTOT", "role"] == "efficacy" and chosen.loc["SODIUM", "role"] == "safety"


def test_binary_flags_are_recognised():
    from cratus.patient.parameters import _kind
    assert _kind(np.array([0.0, 1.0, 1.0]), pd.Series([None] * 3)) == "binary"
    assert _kind(np.array([np.nan, np.nan]), pd.Series(["Y", "N"])) == "binary"
    assert _kind(np.array([1.0, 4.0, 7.0, 2.0]), pd.Series(["a", "b", "c", "d"])) == "categorical"
    assert _kind(np.array([1.5, 4.0, 7.0]), pd.Series([None] * 3)) == "continuous"


def test_edish_counts_a_blank_visit_after_day_one(data):
    from cratus.patient.edish import edish_data, edish_missing
    e = edish_data(data).set_index("usubjid")
    # GEN-001: ALT 20 × 8 = 160 U/L over A1HI 40 = 4×ULN, bilirubin 10 × 8 = 80 over 21 = 3.8×ULN, only at a blank
    # visit on study day 30 (tests/adam_shaped.adlb): possible Hy's law
    assert e.loc["GEN-001", "quadrant"] == "hys_law"
    assert e.loc["GEN-001", "alt_xuln"] == pytest.approx(160 / 40)
    assert edish_missing(data) == ""


def test_edish_says_what_is_missing(files):
    from cratus.patient.edish import edish_missing
    frames = adam_shaped.frames()
    lab = frames["adlb"][frames["adlb"]["PARAMCD"] != "BILI"]
    no_bili = read({"adsl.json": adam_shaped.dataset_json(frames["adsl"], "adsl"),
                    "adlb.json": adam_shaped.dataset_json(lab, "adlb")})
    assert edish_missing(no_bili) == ("No eDISH plot: it needs ALT or AST and total bilirubin, each with an upper "
                                      "limit of normal; these data lack total bilirubin.")


def test_a_categorical_parameter_is_counted_and_tested_on_its_order(data):
    from scipy import stats as scipy_stats

    study = to_study(data)
    s = study.summary[study.summary["endpoint"] == "cibicval"]
    assert not s["statistic"].isin(["mean", "sd"]).any()
    counts = s[(s["statistic"] == "count") & (s["arm"] == "total")].set_index("level")["value"]
    # CIBIC scores 2 + i % 5 over the 11 subjects of the efficacy population (GEN-002 … GEN-012):
    # i = 1..11 → 3, 4, 5, 6, 2, 3, 4, 5, 6, 2, 3
    assert counts.to_dict() == {"Moderate improvement": 2.0, "Minimal improvement": 3.0, "No change": 2.0,
                                "Minimal worsening": 2.0, "Moderate worsening": 2.0}
    levels = study.levels[study.levels["endpoint"] == "cibicval"]["level"].tolist()
    assert levels == ["Moderate improvement", "Minimal improvement", "No change", "Minimal worsening",
                      "Moderate worsening"]  # in the order of the AVAL codes 2..6, each as given
    p = study.p_values[(study.p_values["endpoint"] == "cibicval")].set_index("arm")
    scores = data.measurements[data.measurements["endpoint"] == "cibicval"]
    placebo = scores.loc[scores["arm"] == "Placebo", "value"]
    high = scores.loc[scores["arm"] == "Xanomeline High Dose", "value"]
    expected = scipy_stats.mannwhitneyu(high, placebo, alternative="two-sided", method="asymptotic").pvalue
    assert p.loc["xanomeline_high_dose", "p_value"] == pytest.approx(expected)
    assert "Wilcoxon–Mann–Whitney" in p.loc["xanomeline_high_dose", "source"]


def test_a_binary_flag_is_a_proportion_with_fishers_test():
    from scipy import stats as scipy_stats

    from cratus.patient.categories import category_table
    subjects = "usubjid,arm\n" + "".join(f"P{i:02d},{'Drug' if i < 10 else 'Placebo'}\n" for i in range(20))
    rows = "usubjid,visit,endpoint,value\n" + "".join(
        f"P{i:02d},Baseline,HYSLAW,0\nP{i:02d},Week 4,HYSLAW,{1 if i in (0, 1, 2, 10) else 0}\n" for i in range(20))
    data = read_patient_data(subjects.encode(), rows.encode(), names=["subjects.csv", "measurements.csv"])
    assert data.parameters.set_index("code").loc["HYSLAW", "kind"] == "binary"
    study = to_study(data)
    p = study.p_values[study.p_values["endpoint"] == "hyslaw"]
    assert p["p_value"].iloc[0] == pytest.approx(scipy_stats.fisher_exact([[3, 7], [1, 9]]).pvalue)
    assert "Fisher" in p["source"].iloc[0] and p["visit"].tolist() == ["week_4"]  # no test at baseline
    table = category_table(study, "hyslaw").set_index(["Visit", "Arm"])
    assert table.loc[("Week 4", "Drug"), "Proportion (95% exact CI)"].startswith("3/10 = 30% (")


def test_safety_parameters_stay_out_of_the_bottom_line_and_its_family(files):
    from cratus.reading.verdicts import efficacy_endpoints
    study = to_study(read(files, primary="CIBICVAL"))
    listed = [e for _, e in efficacy_endpoints(study)]
    assert listed[0] == "cibicval" and "actot" in listed and "sodium" not in listed
    assert set(study.p_values["endpoint"]) <= {"cibicval", "actot"}


def test_a_few_whole_numbers_without_labels_stay_continuous():
    from cratus.patient.parameters import MIN_RATINGS, _kind
    few = np.array([0.0, 1.0, 2.0, 2.0, 1.0, 0.0])
    assert _kind(few, pd.Series([None] * len(few))) == "continuous"
    many = np.tile(np.arange(1.0, 8.0), MIN_RATINGS // 7 + 1)  # a 1–7 rating over 35 records
    assert _kind(many, pd.Series([None] * len(many))) == "categorical"


def test_figure_pages_name_their_population(data):
    study = to_study(data)
    intros = {page["figure"]: page["intro"] for page in study.figure_pages()}
    adqs = next(i for f, i in intros.items() if "actot" in study.panels(f))
    assert adqs.endswith("efficacy population: EFFFL = 'Y' (N = 11).")
    adlb = next(i for f, i in intros.items() if "sodium" in study.panels(f))
    assert adlb.endswith("safety population: SAFFL = 'Y' (N = 12).")


def test_a_parameter_can_be_read_as_continuous(files):
    forced = read(files, continuous="CIBICVAL")
    assert forced.parameters.set_index("code").loc["CIBICVAL", "kind"] == "continuous"
    study = to_study(forced)
    s = study.summary[(study.summary["endpoint"] == "cibicval") & (study.summary["statistic"] == "mean")]
    assert len(s)  # means, not counts, once the reader says it is a measure


def test_a_dataset_json_file_beyond_the_limits_is_refused_before_parsing(monkeypatch):
    from cratus.patient.readers import read_source
    monkeypatch.setenv("CRATUS_UPLOAD_CELLS", "1000")
    frame = pd.DataFrame({"USUBJID": [f"{i:04d}" for i in range(600)], "AGE": np.arange(600.0)})
    with pytest.raises(ValueError, match="adsl.json: about 600 rows × 2 columns"):
        read_source(adam_shaped.dataset_json(frame, "adsl"), name="adsl.json")


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_efficacy_and_baseline_by_the_arm_randomised_to_safety_by_the_treatment_received():
    """pharmaverse ADSL: 12 subjects randomised to Xanomeline High Dose (TRT01P) received the low dose (TRT01A).
    Baseline tables count them in the high-dose arm (86 / 84 / 84, as the CDISC pilot's demographics table), the
    safety analyses in the low-dose arm (86 / 72 / 96); their adverse events follow the treatment received."""
    data = read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adae")))
    assert (data.mapping.arm_variable, data.mapping.safety_arm_variable) == ("TRT01P", "TRT01A")
    assert data.in_population("baseline").groupby("arm").size().to_dict() == {
        "Placebo": 86, "Xanomeline High Dose": 84, "Xanomeline Low Dose": 84}
    assert data.in_population("safety").groupby("arm").size().to_dict() == {
        "Placebo": 86, "Xanomeline High Dose": 72, "Xanomeline Low Dose": 96}
    switched = data.subjects.loc[data.subjects["arm"] != data.subjects["arm_actual"], "usubjid"]
    assert len(switched) == 12
    events = data.adverse_events[data.adverse_events["usubjid"].isin(switched)]
    assert len(events) and set(events["arm"]) == {"Xanomeline Low Dose"}
    assert any("12 subject(s) received another arm's treatment" in n for n in data.notes)
    # the reader may choose one arm variable for every analysis
    same = read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adae")),
                             mapping=Mapping(safety_arm_variable="TRT01P"))
    assert same.in_population("safety").groupby("arm").size().to_dict()["Xanomeline High Dose"] == 84


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_no_within_arm_test_at_a_visit_of_extremes():
    """pharmaverse ADLB (admiral template): ANL01FL flags DTYPE MINIMUM / MAXIMUM records at the visits
    'POST-BASELINE MINIMUM' / 'POST-BASELINE MAXIMUM'.  The maximum of several values lies above baseline by chance
    alone (ALT placebo: +6.3 U/L, paired t p = .0002 before this rule), so no within-arm test is run there; the
    comparison between arms (each arm's maximum alike) and the last value (DTYPE LOV) keep theirs."""
    from cratus.patient.stats import between_arm_tests, within_arm_tests

    data = read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adlb")))
    extreme = data.visits.loc[data.visits["extreme"], "visit"].tolist()
    assert extreme == ["POST-BASELINE MINIMUM", "POST-BASELINE MAXIMUM"]
    assert any(n.startswith("POST-BASELINE MINIMUM, POST-BASELINE MAXIMUM: extremes of several values") for n in
               data.notes)
    within = within_arm_tests(data, "alt")
    assert not within["visit"].isin(extreme).any() and "POST-BASELINE LAST" in set(within["visit"])
    between = between_arm_tests(data, "alt")
    assert set(extreme) <= set(between["visit"])


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_a_figure_page_of_safety_parameters_reads_as_a_statistician_would():
    """pharmaverse ADSL+ADLB: every ADLB parameter is a safety parameter (laboratory), so the page's reading lists
    them as described, not as 'No test computed'; the outcome definition names the safety population and its N;
    a cell with no patient (the visit 'Ambul Ecg Placement' of 5 records) gets no 'not reported' box."""
    from cratus.figures.builders import build_endpoint_figure
    from cratus.figures.sentences import outcome_definition
    from cratus.reading.figure_line import figure_reading

    study = to_study(read_patient_data(*(PHARMAVERSE / f"{n}.parquet" for n in ("adsl", "adlb"))))
    page = next(p for p in study.figure_pages() if p["nav_title"].startswith("ADLB by visit"))
    reading = figure_reading(study, page["figure"])
    assert "**Safety parameters, described**" in reading and "No test computed" not in reading
    assert "safety population, SAFFL = 'Y' (N = 254)," in outcome_definition(study, "alt")
    figure = build_endpoint_figure(study, "alt", study.design.arm_ids, study.design.visit_ids)
    texts = [a.text for a in figure.layout.annotations]
    assert not any("not reported" in str(t) for t in texts)
