"""Tests and estimates from patient data (cratus.patient.stats) against direct scipy/statsmodels calls.

The fixture is tests/fixtures/patient (12 subjects, 3 arms, SAFFL = N for P12).  Reference values were
produced by the calls quoted in the comments, on the score at Week 12 read straight from the CSV files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cratus.patient import read_patient_data, to_study
from cratus.patient.stats import (ae_incidence, between_arm_tests, change_from_baseline, pairs,
                                  within_arm_tests)

FIXTURES = Path(__file__).parent / "fixtures" / "patient"


@pytest.fixture(scope="module")
def data():
    return read_patient_data(*(FIXTURES / f for f in ("subjects.csv", "measurements.csv", "adverse_events.csv")))


def _row(frame, **where):
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_pairs_are_complete_pairs_of_the_population(data):
    p = pairs(data, "score", "Week 12")
    assert sorted(p["usubjid"]) == [f"P{i:02d}" for i in range(1, 12)]  # P12 is not in the population
    assert _row(p, usubjid="P05")[["base", "value", "chg"]].tolist() == [20.0, 32.0, 12.0]


def test_paired_t_matches_scipy(data):
    t = within_arm_tests(data, "score", "Week 12")
    row = _row(t, arm="Drug Low", test="paired t-test")
    # scipy.stats.ttest_rel(week12, baseline) for P01-P04: pvalue 0.0006250418029416881,
    # confidence_interval() (5.7265198191711875, 8.773480180828813); mean change 7.25
    assert row["p_value"] == pytest.approx(0.0006250418029416881, rel=1e-9)
    assert (row["estimate"], row["n"]) == (7.25, 4)
    assert row["ci_low"] == pytest.approx(5.7265198191711875)
    assert row["ci_high"] == pytest.approx(8.773480180828813)
    assert row["comparison"] == "within_arm"


def test_wilcoxon_uses_the_normal_approximation_with_ties(data):
    row = _row(within_arm_tests(data, "score", "Week 12"), arm="Drug Low", test="Wilcoxon signed-rank test")
    # differences [7, 8, 6, 8] have a tie: scipy.stats.wilcoxon(d, method="approx").pvalue = 0.06559969214707187
    assert row["p_value"] == pytest.approx(0.06559969214707187, rel=1e-9)
    assert row["estimate"] == 7.5  # median change


@pytest.mark.parametrize("test, estimate, ci_low, ci_high, p_value", [
    # scipy.stats.ttest_ind(chg_high, chg_placebo, equal_var=False): pvalue, confidence_interval(); 12+10+8+12 vs 0+2-2
    ("Welch t-test", 10.5, 6.457802503195011, 14.542197496804988, 0.0016223204886336646),
    # scipy.stats.mannwhitneyu(chg_high, chg_placebo).pvalue; estimate = median 11 - median 0
    ("Mann–Whitney U test", 11.0, None, None, 0.04974599072150299),
    # statsmodels.formula.api.ols("chg ~ C(arm, Treatment('Matching placebo')) + base", sc).fit():
    # params / conf_int() / pvalues of the Drug High term
    ("ANCOVA", 10.129526, 7.984794, 12.274259, 0.000010),
])
def test_between_arm_tests_match_scipy_and_statsmodels(data, test, estimate, ci_low, ci_high, p_value):
    row = _row(between_arm_tests(data, "score", "Week 12"), arm="Drug High", test=test)
    assert row["control"] == "Matching placebo" and row["comparison"] == "vs_control"
    assert (row["n"], row["n_control"]) == (4, 3)
    assert row["estimate"] == pytest.approx(estimate, abs=1e-6)
    assert row["p_value"] == pytest.approx(p_value, rel=1e-6 if p_value > 1e-4 else 0.05)
    if ci_low is None:
        assert row[["ci_low", "ci_high"]].isna().all()
    else:
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci_low, abs=1e-6), pytest.approx(ci_high, abs=1e-6))


def test_ancova_low_dose_term(data):
    row = _row(between_arm_tests(data, "score", "Week 12", tests=("ANCOVA",)), arm="Drug Low")
    # same statsmodels fit: Drug Low 6.720752, CI (4.554778, 8.886726), p 0.000158
    assert row["estimate"] == pytest.approx(6.720752, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.000158, abs=1e-6)


def test_change_from_baseline_has_the_paired_interval(data):
    row = _row(change_from_baseline(data, "score", "Week 12"), arm="Drug Low")
    assert (row["n"], row["estimate"]) == (4, 7.25)
    assert row["ci_low"] == pytest.approx(5.7265198191711875)  # as ttest_rel's confidence_interval()


def test_ae_incidence_with_clopper_pearson(data):
    table = ae_incidence(data)
    # treatment-emergent events only: P09's event has a blank TRTEMFL, so placebo has 1 of 3 (P12 is outside SAFFL)
    row = _row(table, arm="Matching placebo")
    assert (row["patients"], row["n"]) == (1, 3)
    # statsmodels.stats.proportion.proportion_confint(1, 3, method="beta") = (0.008403758659612636, 0.9057006759497539)
    assert row["ci_low"] == pytest.approx(0.8403758659612636)
    assert row["ci_high"] == pytest.approx(90.57006759497539)
    low = _row(table, arm="Drug Low")
    # proportion_confint(2, 4, method="beta") = (0.06758598648854294, 0.932414013511457)
    assert (low["patients"], low["estimate"], low["ci_low"]) == (2, 50.0, pytest.approx(6.758598648854294))


def test_ae_incidence_serious_and_by_term(data):
    serious = ae_incidence(data, serious_only=True)
    assert dict(zip(serious["arm"], serious["patients"])) == {"Drug High": 1, "Drug Low": 0, "Matching placebo": 1}
    terms = ae_incidence(data, by_term=True)
    nausea = terms[terms["term"] == "Nausea"]
    assert dict(zip(nausea["arm"], nausea["patients"])) == {"Drug High": 1, "Drug Low": 1, "Matching placebo": 0}


def test_stats_take_a_patient_study_with_ids(data):
    study = to_study(data)
    row = _row(within_arm_tests(study, "score", "week_12"), arm="drug_low", test="paired t-test")
    assert row["p_value"] == pytest.approx(0.0006250418029416881, rel=1e-9)


def test_stats_refuse_a_published_study():
    from cratus.study.model import load_study
    with pytest.raises(ValueError, match="not computed from patient data"):
        within_arm_tests(load_study(), "six_minute_walk")


def test_unknown_endpoint_is_named(data):
    with pytest.raises(ValueError, match="'nope' has no measurements"):
        change_from_baseline(data, "nope")


def test_first_tests_are_the_first_of_all_tests_and_no_other_test_takes_the_place_of_a_missing_p_value(data):
    from cratus.patient.display import tests_table
    from cratus.patient.stats import all_tests, first_tests
    within, between = first_tests(data)
    every_within, every_between = all_tests(data)
    assert set(within["test"]) == {"paired t-test"} and set(between["test"]) == {"Welch t-test"}
    keys = ["endpoint", "arm", "visit", "test"]
    for shown, every in ((within, every_within), (between, every_between)):
        same = shown.merge(every, on=keys, suffixes=("", "_all"))
        assert len(same) == len(shown)
        assert same["p_value"].tolist() == pytest.approx(same["p_value_all"].tolist(), nan_ok=True)
    # Every patient changes by exactly 1: no spread, so no t-test p-value, and no rank test put in its place
    # (choosing the test after seeing the data changes the analysis); the tests table says why
    constant = read_patient_data(b"usubjid,arm\n1,Drug\n2,Drug\n3,Placebo\n4,Placebo\n",
                                 b"usubjid,visit,endpoint,value\n" + b"".join(
                                     f"{s},{v},score,{k + s}\n".encode() for s in (1, 2, 3, 4)
                                     for k, v in enumerate(("Day 1", "Day 8"))), names=["s.csv", "m.csv"])
    within, between = first_tests(constant)
    assert within["test"].tolist() == ["paired t-test"] * 2 and within["p_value"].isna().all()
    assert between["test"].tolist() == ["Welch t-test"] and between["p_value"].isna().all()
    study = to_study(constant)
    table = tests_table(study, "score")
    shown = dict(zip(table["Test"], table["p-value"]))
    assert shown["paired t-test"] == shown["Welch t-test"] == "not computable: no spread"
    # the rank tests stay in the table, each named: scipy.stats.wilcoxon([1, 1], method="approx").pvalue = 0.1573
    assert shown["Wilcoxon signed-rank test"] == "p = .157"


def test_an_ancova_of_less_than_full_rank_is_not_estimable_and_says_why():
    """A baseline the same for every patient: chg ~ arm + base has a column equal to the intercept times a constant;
    statsmodels would fit it with a pseudo-inverse (SingularMatrixWarning).  The row says 'not estimable'."""
    import warnings

    from cratus.patient.stats import between_arm_tests
    data = read_patient_data(b"usubjid,arm\n1,Drug\n2,Drug\n3,Drug\n4,Placebo\n5,Placebo\n6,Placebo\n",
                             b"usubjid,visit,endpoint,value\n" + b"".join(
                                 f"{s},Day 1,score,5\n{s},Day 8,score,{s * s}\n".encode() for s in range(1, 7)),
                             names=["s.csv", "m.csv"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tests = between_arm_tests(data)
    ancova = tests[tests["test"] == "ANCOVA"].iloc[0]
    assert np.isnan(ancova["p_value"]) and ancova["note"] == "not estimable: the baseline is the same for every patient"
    welch = tests[tests["test"] == "Welch t-test"].iloc[0]
    # scipy.stats.ttest_ind([1, 4, 9], [16, 25, 36], equal_var=False).pvalue
    from scipy import stats
    assert welch["p_value"] == pytest.approx(stats.ttest_ind([1, 4, 9], [16, 25, 36], equal_var=False).pvalue)
