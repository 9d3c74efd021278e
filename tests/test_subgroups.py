"""Subgroup filters (cratus.patient.subset) and subgroup effects (cratus.patient.subgroups, cratus.figures.forest).

The data are the synthetic demo (synthetic_files("adam", seed=1), 30 subjects, 10 per arm).  Reference values were
produced by the calls quoted in the comments, on the six-minute walk at 6 months taken straight from the
measurements (a pivot of baseline and month 6 per subject, change = month 6 − baseline), not through cratus.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cratus.figures.forest import build_forest_plot, forest_plot
from cratus.patient import read_patient_data, to_study
from cratus.patient.display import subgroup_table
from cratus.patient.subgroups import TOO_FEW, endpoint_choices, interaction_p, subgroup_effects, variable_choices
from cratus.patient.subset import (filter_options, filter_patient_data, filters_from_query, filters_to_query,
                                   selected_counts)
from cratus.patient.synthetic import synthetic_files
from cratus.study.model import load_study

WOMEN = (("sex", ("Female",)),)


@pytest.fixture(scope="module")
def data():
    files = synthetic_files("adam", seed=1)
    return read_patient_data(*files.values(), names=list(files))


@pytest.fixture(scope="module")
def study(data):
    return to_study(data, reference=load_study())


# --- filters -------------------------------------------------------------------------------------
def test_a_filter_keeps_the_subjects_and_their_measurements_and_events(data):
    women = filter_patient_data(data, WOMEN)
    ids = set(data.subjects.loc[data.subjects["sex"] == "Female", "usubjid"])
    assert set(women.subjects["usubjid"]) == ids and len(ids) == 12
    # len(data.measurements[data.measurements["usubjid"].isin(ids)]) → 468 of 1134 rows; adverse events 3 of 10
    assert (len(women.measurements), len(data.measurements)) == (468, 1134)
    assert (len(women.adverse_events), len(data.adverse_events)) == (3, 10)
    assert set(women.measurements["usubjid"].astype(str)) <= ids
    assert set(women.adverse_events["usubjid"].astype(str)) <= ids
    assert women.key != data.key and women.key == filter_patient_data(data, WOMEN).key
    assert women.notes[-1] == "subgroup filter: Gender: Female (12 of 30 subjects)"
    assert women.filters == WOMEN and data.filters is None


def test_selected_counts_per_arm(data):
    counts = selected_counts(data, filter_patient_data(data, WOMEN))
    # data.subjects.groupby(["arm", "sex"]).size(): 4 women and 6 men in each arm
    assert counts.values.tolist() == [["Allo-hMSC 100M", 4, 10], ["Allo-hMSC 200M", 4, 10], ["Placebo", 4, 10]]


@pytest.mark.parametrize("filters, n", [
    ((("age", ("range", 57.9539, 61.631)),), 2),     # the two youngest ages (sorted ages), both ends included
    ((("age", ("range", 80.0, 120.0)),), 6),         # (data.subjects["age"] >= 80).sum()
    ((("age", ("range", 80.0, 120.0)), ("sex", ("Male",))), 3),
    ((("sex", ("Female", "Male")),), 30),
    ((("cfs", ("4",)),), 17),                        # (data.subjects["cfs"] == 4).sum(): numbers match as text too
    ((("age", ("range", 95.0, 99.0)),), 0),
])
def test_filters_combine_with_and(data, filters, n):
    assert len(filter_patient_data(data, filters).subjects) == n


def test_a_missing_value_does_not_pass_a_filter(data):
    subjects = data.subjects.copy()
    subjects.loc[0, "age"] = np.nan
    from dataclasses import replace

    holed = replace(data, subjects=subjects)
    assert subjects.loc[0, "usubjid"] not in set(
        filter_patient_data(holed, (("age", ("range", 0.0, 200.0)),)).subjects["usubjid"])


def test_no_filter_is_the_data_itself_and_an_unknown_variable_raises(data):
    assert filter_patient_data(data, ()) is data
    with pytest.raises(ValueError, match="'height' is not a subject-level variable"):
        filter_patient_data(data, (("height", ("range", 1.0, 2.0)),))


def test_filter_options_leave_out_ids_arm_bookkeeping_dates_and_constants(data):
    options = filter_options(data)
    assert list(pd.unique(options["variable"])) == ["age", "sex", "ethnicity", "race", "cfs", "mmse"]
    # data.subjects["sex"].value_counts(); labels are the SAS labels of adsl.xpt
    sex = options[options["variable"] == "sex"]
    assert sex[["label", "level", "n"]].values.tolist() == [["Gender", "Female", 12], ["Gender", "Male", 18]]
    age = options[options["variable"] == "age"].iloc[0]
    assert (age["kind"], age["low"], age["high"], age["n"]) == ("numeric", 57.9539, 89.6442, 30)


OPTIONS = pd.DataFrame({"variable": ["sex", "sex", "age"], "label": ["Sex", "Sex", "Age"],
                        "kind": ["categorical", "categorical", "numeric"], "level": ["Female", "Male", ""],
                        "n": [1, 1, 2], "low": [np.nan, np.nan, 50.0], "high": [np.nan, np.nan, 90.0]})


@pytest.mark.parametrize("query, options, expected", [
    ({"f_sex": "Female"}, None, (("sex", ("Female",)),)),
    ({"f_sex": "Female|Male|Female"}, None, (("sex", ("Female", "Male")),)),
    ({"f_age": "70..80.5"}, None, (("age", ("range", 70.0, 80.5)),)),
    ({"f_age": "-5..1e2"}, None, (("age", ("range", -5.0, 100.0)),)),
    ({"f_sex": ["Male", "Female"]}, None, (("sex", ("Female",)),)),  # a repeated parameter: the last one
    # bad values are ignored
    ({"f_age": "80..70"}, None, ()),
    ({"f_age": "a..b"}, None, ()),
    ({"f_age": "..", "f_": "x", "f_sex": "", "f_x": "|"}, None, ()),
    ({"f_age": "nan..inf"}, None, ()),
    ({"arms": "100M", "subject": "S1"}, None, ()),
    ({"f_sex": 3}, None, ()),
    # with the options: unknown variables and levels dropped, the kind must match
    ({"f_sex": "Female|Other"}, OPTIONS, (("sex", ("Female",)),)),
    ({"f_sex": "Other"}, OPTIONS, ()),
    ({"f_height": "1..2"}, OPTIONS, ()),
    ({"f_sex": "1..2", "f_age": "old"}, OPTIONS, ()),
])
def test_filters_from_the_address(query, options, expected):
    assert filters_from_query(query, options) == expected


def test_filters_survive_the_address_round_trip():
    filters = (("sex", ("Female", "Male")), ("age", ("range", 61.631, 80.0)), ("race", ("White American",)))
    query = filters_to_query(filters)
    assert query == {"f_sex": "Female|Male", "f_age": "61.631..80", "f_race": "White American"}
    assert filters_from_query(query) == filters


# --- subgroup effects ----------------------------------------------------------------------------
def _cell(effects, level_label, arm):
    rows = effects[(effects["level_label"] == level_label) & (effects["arm"] == arm)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("level, arm, n, n_control, estimate, low, high", [
    # scipy.stats.ttest_ind(chg[arm & level], chg[placebo & level], equal_var=False).confidence_interval(0.95)
    ("All patients", "100M", 10, 10, 75.53422, -6.243214, 157.311654),
    ("All patients", "200M", 10, 10, 16.02087, -91.537279, 123.579019),
    ("Female", "100M", 4, 4, 89.965325, -89.606941, 269.537591),
    ("Male", "200M", 6, 6, -45.150567, -206.060749, 115.759616),
])
def test_the_effect_in_each_level_is_the_welch_difference(study, level, arm, n, n_control, estimate, low, high):
    effects = subgroup_effects(study, "six_minute_walk", ("sex",))
    cell = _cell(effects, level, arm)
    assert (cell["n"], cell["n_control"], cell["control"]) == (n, n_control, "placebo")
    assert cell[["estimate", "ci_low", "ci_high"]].tolist() == pytest.approx([estimate, low, high], abs=1e-5)


@pytest.mark.parametrize("variable, arms, expected", [
    # statsmodels: anova_lm(ols("chg ~ C(arm) + C(sex)", w).fit(), ols("chg ~ C(arm) * C(sex)", w).fit())
    # ["Pr(>F)"][1], w = one row per subject with chg, arm, sex; full.compare_f_test(reduced) gives the same
    ("sex", None, 0.24560317256629288),
    ("sex", ("100M",), 0.7722216899930999),        # the same on 100M and placebo only
    # age split at its median (76.2617): ag = np.where(age <= median, "low", "high"), then as above
    ("age", None, 0.16585074974731617),
])
def test_the_interaction_p_value_is_the_f_test_of_the_interaction_terms(study, variable, arms, expected):
    effects = subgroup_effects(study, "six_minute_walk", (variable,), arms=arms)
    values = effects.loc[effects["variable"] == variable, "interaction_p"].unique()
    assert len(values) == 1 and values[0] == pytest.approx(expected, rel=1e-9)


def test_a_numeric_variable_is_split_at_the_median_and_says_so(study):
    effects = subgroup_effects(study, "six_minute_walk", ("age",))
    age = effects[effects["variable"] == "age"]
    assert list(pd.unique(age["level_label"])) == ["up to 76.26", "over 76.26"]   # np.median(age) = 76.2617
    # (age <= 76.2617).sum() == 15 subjects, 4 of 100M and 5 of placebo among them
    low = _cell(effects, "up to 76.26", "100M")
    assert (low["n"], low["n_control"]) == (4, 5)
    assert age["split"].iloc[0] == "Age at infusion split at the median of the patients analysed (76.26)"


def test_a_level_with_too_few_patients_is_not_estimated_nor_tested(study):
    effects = subgroup_effects(study, "six_minute_walk", ("race",))
    few = _cell(effects, "American Indian/Alaskan Native", "200M")   # one 200M patient, no placebo patient
    assert (few["n"], few["n_control"], few["estimable"], few["note"]) == (1, 0, False, TOO_FEW)
    assert math.isnan(few["estimate"])
    # one level left with enough patients: no interaction to test
    assert effects.loc[effects["variable"] == "race", "interaction_p"].isna().all()


def test_interaction_p_needs_two_levels_and_residual_freedom():
    one_level = pd.DataFrame({"chg": [1.0, 2, 3, 4], "arm": ["a", "a", "b", "b"], "level": ["x"] * 4})
    saturated = pd.DataFrame({"chg": [1.0, 2, 3, 4], "arm": ["a", "a", "b", "b"], "level": ["x", "y", "x", "y"]})
    assert math.isnan(interaction_p(one_level)) and math.isnan(interaction_p(saturated))


def test_bad_subgroup_requests_raise(study):
    with pytest.raises(ValueError, match="'height' is not a subject-level variable"):
        subgroup_effects(study, "six_minute_walk", ("height",))
    with pytest.raises(ValueError, match="'week_99' is not a visit"):
        subgroup_effects(study, "six_minute_walk", ("sex",), visit="week_99")


def test_choices_of_the_subgroup_page(study):
    assert endpoint_choices(study)[0] == "six_minute_walk"   # the first with a better direction in endpoints.csv
    assert variable_choices(study) == ("age", "sex", "ethnicity", "race", "cfs", "mmse")


# --- table and forest plot -----------------------------------------------------------------------
def test_the_subgroup_table(study):
    table = subgroup_table(study, "six_minute_walk", ("sex", "race"))
    assert table.columns.tolist() == ["Subgroup", "Level", "100M vs Placebo: difference (95% CI)",
                                      "100M vs Placebo: patients", "200M vs Placebo: difference (95% CI)",
                                      "200M vs Placebo: patients", "Interaction p"]
    # the Welch values of test_the_effect_in_each_level_is_the_welch_difference, rounded
    assert table.iloc[1].tolist() == ["Gender", "Female", "90 (−90 to 270)", "4 / 4", "108 (−11 to 226)", "4 / 4",
                                      "p = .246"]
    assert table.iloc[3][["200M vs Placebo: difference (95% CI)", "Interaction p"]].tolist() == [TOO_FEW,
                                                                                               "not tested"]


def test_the_forest_plot(study):
    fig = forest_plot(study, "six_minute_walk", ("sex", "race"))
    assert [t.name for t in fig.data] == ["Allo-hMSC 100M vs Placebo", "Allo-hMSC 200M vs Placebo"]
    design = study.design
    assert [t.marker.color for t in fig.data] == [design.color("100M"), design.color("200M")]
    assert [t.marker.symbol for t in fig.data] == [design.symbol("100M"), design.symbol("200M")]
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0] == "<b>All patients (n = 30)</b>" and "<b>Gender</b> · interaction p = .246" in ticks
    assert "   American Indian/Alaskan Native (n = 1) · too few patients" in ticks
    # 100M: all patients, Female, Male, White American (the too-few level has no point)
    assert len(fig.data[0].x) == 4 and fig.data[0].x[0] == pytest.approx(75.53422, abs=1e-5)
    assert fig.data[0].error_x.array[0] == pytest.approx(157.311654 - 75.53422, abs=1e-5)
    assert any(s.x0 == 0 and s.x1 == 0 for s in fig.layout.shapes)      # the line of no difference
    assert fig.layout.annotations[0].text.startswith("Subgroup findings in a small trial are exploratory:")
    effects = subgroup_effects(study, "six_minute_walk", ("sex", "race"), arms=("200M",))
    assert [t.name for t in build_forest_plot(study, effects, "six_minute_walk").data] == [
        "Allo-hMSC 200M vs Placebo"]


def test_subgroups_of_a_filtered_study(data):
    women = to_study(filter_patient_data(data, WOMEN), reference=load_study())
    effects = subgroup_effects(women, "six_minute_walk", ("age",))
    overall = _cell(effects, "All patients", "100M")
    # the Female row of the unfiltered analysis
    assert (overall["n"], overall["estimate"]) == (4, pytest.approx(89.965325, abs=1e-5))


def test_a_subgroup_of_a_study_s_patients_is_summarised_as_if_read_that_way(data, study):
    """The session keeps one copy of the patients (``study.patients``, arms and visits as the study's ids): a
    filtered study built from it (``as_read``, then ``to_study``) equals the one built from the files' own frames."""
    from cratus.patient.summarize import as_read

    reference = load_study()
    for filters in (WOMEN, (("age", ("range", 70.0, 80.0)), ("sex", ("Male",)))):
        from_files = to_study(filter_patient_data(data, filters), reference=reference)
        from_study = to_study(as_read(filter_patient_data(study.patients, filters)), reference=reference)
        assert from_study.key == from_files.key and from_study.design == from_files.design
        for name in ("summary", "p_values", "endpoints", "adverse_events", "levels", "trial", "figures"):
            pd.testing.assert_frame_equal(getattr(from_study, name), getattr(from_files, name))
        pd.testing.assert_frame_equal(from_study.patients.measurements, from_files.patients.measurements)
        assert from_study.caveats == from_files.caveats


def test_as_read_names_arms_and_visits_as_the_files_do():
    # Arms that match no reference get ids made from their names (drug, placebo; cratus.patient.summarize._id_map)
    subjects = b"usubjid,arm,sex\n1,Drug,F\n2,Drug,M\n3,Placebo,F\n4,Placebo,M\n"
    values = b"usubjid,visit,endpoint,value\n" + b"".join(
        f"{s},{v},score,{s * 2 + k * s}\n".encode() for s in (1, 2, 3, 4) for k, v in enumerate(("Day 1", "Day 8")))
    read = read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"])
    built = to_study(read)
    from cratus.patient.summarize import as_read

    again = as_read(built.patients)
    assert built.patients.arms == ("drug", "placebo") and again.arms == read.arms == ("Drug", "Placebo")
    assert (again.control, again.baseline_visit) == (read.control, read.baseline_visit) == ("Placebo", "Day 1")
    assert list(again.subjects["arm"]) == list(read.subjects["arm"])
    assert list(again.measurements["visit"].astype(str)) == list(read.measurements["visit"].astype(str))
    women = to_study(as_read(filter_patient_data(built.patients, (("sex", ("F",)),))))
    assert women.design.arm_ids == built.design.arm_ids and women.n_per_arm() == {"drug": 1, "placebo": 1, "total": 2}
