"""Tests for the appraisal: cratus.stats.between_arms, within_arm, power, multiplicity, appraisal_tables,
appraisal_text and the study-first views of cratus.appraisal.views.  Reference values come from scipy/statsmodels
calls or textbooks (named next to each)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from cratus.appraisal.views import (between_arm_view, comparisons, endpoints_with_estimates, multiplicity_view,
                              power_defaults, power_view, within_arm_back_calculation, within_arm_detail,
                              within_arm_view)
from cratus.appraisal.tables import (adjusted_p, comparison_table, comparisons_view, format_alpha, format_estimate,
                                     multiplicity_table, summarize_adjustment)
from cratus.appraisal.text import back_calculation_table, describe_sample_size_claim, sensitivity_table
from cratus.stats.between_arms import (SKEW_LIMIT, WAN_METHOD, Contrast, compare_all_arms, compare_arms,
                                 compare_arms_from_stats, estimate_from_median_iqr, lookup_n, quartile_skewness)
from cratus.study.design import make_design
from cratus.formatting import format_p
from cratus.stats.multiplicity import adjust_p_values, holm_survivors, multiplicity_families
from cratus.stats.power import (analysis_sd, effect_needed_for_n, judge_sample_size_claim, n_by_correlation,
                          plan_next_trial, power_curve, sample_size)
from cratus.study.model import load_study
from cratus.stats.within_arm import (PLAUSIBLE_RHO, back_calculate_all, back_calculate_correlation, change_sensitivity,
                               judge_correlation, sd_change, subgroup_n, within_arm_results)

ARM_IDS = ("100M", "200M", "placebo")
SIZES = {"100M": 10.0, "200M": 10.0, "placebo": 10.0, "total": 30.0}


def make_summary(rows):
    """A summary frame from (endpoint, arm, visit, statistic, value) tuples."""
    frame = pd.DataFrame(rows, columns=["endpoint", "arm", "visit", "statistic", "value"])
    return frame.assign(level=None, source="Results", quote="")


# --- compare_arms_from_stats ---------------------------------------------------
# Dataset A: x = [12, 15, 11, 18, 14, 16, 13], y = [10, 9, 14, 8, 11, 12, 7, 9, 10]
# Dataset B: x = [3.1, 2.8, 3.6, 4.0, 2.2], y = [2.0, 2.9, 2.5, 1.1, 3.0, 2.4]
# Reference: r = scipy.stats.ttest_ind(x, y, equal_var=False); r.statistic, r.pvalue,
# r.df, r.confidence_interval() (scipy 1.17.1), summaries from x.mean(), x.std(ddof=1).
WELCH_CASES = [
    pytest.param((14.142857142857142, 2.410295378065479, 7, 10.0, 2.1213203435596424, 9),
                 dict(t=3.592404604716702, p_value=0.003646085188598866, df=12.110545233702231,
                      ci_low=1.6327332901897398, ci_high=6.652980995524545), id="A"),
    pytest.param((3.14, 0.6985699678629192, 5, 2.316666666666667, 0.696897888263888, 6),
                 dict(t=1.9485095015141232, p_value=0.08452818216199715, df=8.634749423561983,
                      ci_low=-0.138729406307894, ci_high=1.7853960729745597), id="B"),
]


@pytest.mark.parametrize("stats_in, expected", WELCH_CASES)
@pytest.mark.parametrize("column", ["t", "p_value", "df", "ci_low", "ci_high"])
def test_welch_results_match_scipy_on_the_raw_data(stats_in, expected, column):
    res = compare_arms_from_stats(*stats_in)
    assert res.loc[0, column] == pytest.approx(expected[column], rel=1e-9)


@pytest.mark.parametrize("column, expected", [
    # Borenstein et al. 2009, Introduction to Meta-Analysis, section 4.3 worked example:
    # d = 0.5970, J = 0.9923, g = 0.5924, V(g) = 0.0411, SE(g) = 0.2028.
    ("hedges_g", 0.5924),
    ("hedges_g_ci_low", 0.5924 - 1.959964 * 0.2028),
    ("hedges_g_ci_high", 0.5924 + 1.959964 * 0.2028),
])
def test_hedges_g_matches_the_borenstein_worked_example(column, expected):
    res = compare_arms_from_stats(103, 5.5, 50, 100, 4.5, 50)
    assert res.loc[0, column] == pytest.approx(expected, abs=2e-4)


@pytest.mark.parametrize("args, word", [
    ((1, 0, 10, 1, 1, 10), "sd1"),
    ((1, 1, 10, 1, -2, 10), "sd2"),
    ((1, 1, 1, 1, 1, 10), "n1"),
    ((1, 1, 10, 1, 1, 1), "n2"),
])
def test_compare_arms_from_stats_rejects_impossible_inputs(args, word):
    with pytest.raises(ValueError, match=word):
        compare_arms_from_stats(*args)


# --- estimate_from_median_iqr --------------------------------------------------
@pytest.mark.parametrize("n, expected_sd", [
    (10, 7.740031182760351),    # 9 / (2 * scipy.stats.norm.ppf((0.75*10 - 0.125) / (10 + 0.25)))
    (50, 6.869741227408479),    # 9 / (2 * scipy.stats.norm.ppf((0.75*50 - 0.125) / (50 + 0.25)))
    (1000, 6.681445764182672),  # 9 / (2 * scipy.stats.norm.ppf((0.75*1000 - 0.125) / 1000.25))
])
def test_wan_sd_uses_the_sample_size_dependent_divisor(n, expected_sd):
    res = estimate_from_median_iqr(10, 6, 15, n)
    assert res.loc[0, "sd"] == pytest.approx(expected_sd, rel=1e-9)


def test_wan_sd_tends_to_iqr_over_1_349_for_large_n():
    # Normal distribution: IQR = 2 * 0.6745 SD (textbook).
    res = estimate_from_median_iqr(0, -0.6745, 0.6745, 10**7)
    assert res.loc[0, "sd"] == pytest.approx(1.0, abs=1e-4)


def test_wan_mean_is_the_average_of_the_three_quartiles():
    # (1470.0 + 5118.8 + 14542) / 3, CHAMPS 200M baseline, by hand
    assert estimate_from_median_iqr(5118.8, 1470.0, 14542, 10).loc[0, "mean"] == pytest.approx(7043.6, abs=1e-9)


def test_wan_result_names_its_method_and_reference():
    res = estimate_from_median_iqr(3.2, 2.8, 3.8, 10)
    reference = res.loc[0, "reference"]
    assert (res.loc[0, "method"], "BMC Med Res Methodol 2014;14:135" in reference, "scenario C3" in reference) == (
        WAN_METHOD, True, True)


@pytest.mark.parametrize("median, q1, q3, n", [(1, 2, 3, 10), (4, 2, 3, 10), (2, 1, 3, 1)])
def test_wan_rejects_disordered_quartiles_or_tiny_n(median, q1, q3, n):
    with pytest.raises(ValueError):
        estimate_from_median_iqr(median, q1, q3, n)




# --- within-arm change -------------------------------------------------------------
# Pre [1, 2, 3, 4, 5], post [2, 4, 3, 6, 5]: means 3 and 4, SDs sqrt(2.5), r = 0.8.
# Reference: r = scipy.stats.ttest_rel([2, 4, 3, 6, 5], [1, 2, 3, 4, 5])
@pytest.mark.parametrize("column, expected", [
    ("t", 2.23606797749979),            # r.statistic
    ("p_value", 0.08900934250008567),   # r.pvalue
    ("ci_low", -0.24166399820376405),   # r.confidence_interval().low
    ("ci_high", 2.241663998203764),     # r.confidence_interval().high
    ("sd_change", 1.0),                 # std([1, 2, 0, 2, 0], ddof=1), by hand
])
def test_change_sensitivity_matches_a_paired_t_test_at_the_true_correlation(column, expected):
    res = change_sensitivity(3, math.sqrt(2.5), 4, math.sqrt(2.5), 5, [0.8])
    assert res.loc[0, column] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("r, expected", [(0.0, math.hypot(3, 4)), (1.0, 1.0), (-1.0, 7.0)])
def test_sd_of_change_follows_the_variance_of_a_difference(r, expected):
    assert change_sensitivity(0, 3, 1, 4, 10, [r]).loc[0, "sd_change"] == pytest.approx(expected, abs=1e-12)


def test_change_sensitivity_default_grid_runs_from_0_to_0_95():
    res = change_sensitivity(345.9, 103.4, 410.7, 155.4, 10)
    assert (len(res), res["correlation"].iloc[0], res["correlation"].iloc[-1]) == (20, 0.0, pytest.approx(0.95))


def test_change_sensitivity_rejects_correlations_outside_minus_one_to_one():
    with pytest.raises(ValueError, match="correlation"):
        change_sensitivity(0, 1, 1, 1, 10, [1.2])


def test_back_calculation_recovers_the_correlation_of_known_data():
    res = back_calculate_correlation(3, math.sqrt(2.5), 4, math.sqrt(2.5), 5, 0.08900934250008567)
    assert res.loc[0, "correlation"] == pytest.approx(0.8, abs=1e-7)


def test_back_calculation_matches_the_closed_form_for_the_6mwt():
    # sd_c = 64.8 * sqrt(10) / scipy.stats.t.isf(0.011 / 2, 9)
    # r = (103.4**2 + 155.4**2 - sd_c**2) / (2 * 103.4 * 155.4) = 0.9557698343368077
    res = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011)
    assert res.loc[0, "correlation"] == pytest.approx(0.9557698343368077, abs=1e-7)


def test_back_calculation_interval_brackets_the_point_for_a_rounded_p():
    res = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011).loc[0]
    assert res["correlation_low"] < res["correlation"] < res["correlation_high"]


def test_rounded_means_widen_the_interval():
    exact = back_calculate_correlation(2.5, 0.66, 2.6, 0.77, 10, 0.025).loc[0]
    rounded = back_calculate_correlation(2.5, 0.66, 2.6, 0.77, 10, 0.025, decimals=1).loc[0]
    assert rounded["correlation_low"] < exact["correlation_low"] - 0.03


def test_back_calculation_flags_a_p_value_no_correlation_can_produce():
    # B-cell TNF-α 200M: even r = -1 gives p of about 1e-5, far below the printed .001
    res = back_calculate_correlation(17.1, 2.0, 8.4, 1.1, 10, 0.001).loc[0]
    assert (res["consistent"], "no correlation" in res["note"]) == (False, True)


def test_a_less_than_p_value_gives_a_lower_bound_only():
    res = back_calculate_correlation(3, math.sqrt(2.5), 4, math.sqrt(2.5), 5, 0.09, relation="<").loc[0]
    assert (math.isnan(res["correlation"]), res["correlation_high"]) == (True, 1.0)


@pytest.mark.parametrize("kwargs, word", [
    (dict(p_value=0), "p_value"), (dict(p_value=0.01, relation=">"), "relation"), (dict(p_value=0.01, n=1), "n"),
])
def test_back_calculation_names_the_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        back_calculate_correlation(1, 1, 2, 1, **{"n": 10, **kwargs})


# --- multiplicity ------------------------------------------------------------------
def make_p(values, endpoints=None, relation="=", source="Results"):
    endpoints = endpoints or [f"e{i}" for i in range(len(values))]
    return pd.DataFrame({"endpoint": endpoints, "arm": "100M", "comparison": "within_arm",
                         "visit": "month6", "p_value": values, "relation": relation, "source": source})


P = [0.01, 0.04, 0.03, 0.005, 0.2]


@pytest.mark.parametrize("column, expected", [
    # statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03, 0.005, 0.2], method=...)[1]
    ("p_bonferroni", [0.05, 0.2, 0.15, 0.025, 1.0]),   # method="bonferroni"
    ("p_holm", [0.04, 0.09, 0.09, 0.025, 0.2]),        # method="holm"
    ("p_fdr_bh", [0.025, 0.05, 0.05, 0.025, 0.2]),     # method="fdr_bh"
])
def test_adjusted_p_values_match_statsmodels(column, expected):
    res = adjust_p_values(make_p(P)).set_index("endpoint").loc[[f"e{i}" for i in range(5)]]
    assert res[column].tolist() == pytest.approx(expected, abs=1e-12)


def test_significance_flags_compare_adjusted_p_with_alpha():
    res = adjust_p_values(make_p(P)).set_index("endpoint")
    assert res.loc[["e0", "e3"], "significant_holm"].tolist() == [True, True] and not res.loc["e1", "significant_holm"]


def test_results_p_value_is_preferred_to_the_abstract():
    p = pd.concat([make_p([0.01], ["fev1"], source="Abstract"), make_p([0.025], ["fev1"], source="Results: x")])
    res = adjust_p_values(p)
    assert (len(res), res.loc[0, "p_value"]) == (1, 0.025)


def test_a_bound_enters_with_its_value_and_keeps_its_relation():
    res = adjust_p_values(make_p([0.0001], relation="<"))
    assert (res.loc[0, "p_value"], res.loc[0, "relation"]) == (0.0001, "<")


def test_a_domain_family_keeps_only_that_domain():
    dictionary = pd.DataFrame({"endpoint": ["e0", "e1", "e2"], "domain": ["functional", "immune", "functional"]})
    res = adjust_p_values(make_p([0.01, 0.02, 0.03]), family="functional", endpoints=dictionary)
    assert (sorted(res["endpoint"]), res["m"].iloc[0]) == (["e0", "e2"], 2)


@pytest.mark.parametrize("p, kwargs, word", [
    (make_p([0.01]), dict(family="immune"), "endpoints"),
    (make_p([0.01], relation="<="), {}, "relation"),
    (make_p([1.5]), {}, "p_value"),
    (make_p([0.01]).drop(columns="source"), {}, "source"),
])
def test_adjust_p_values_names_the_bad_input(p, kwargs, word):
    with pytest.raises(ValueError, match=word):
        adjust_p_values(p, **kwargs)


# --- power -------------------------------------------------------------------------
@pytest.mark.parametrize("d, n, expected", [
    (0.5, 64, 0.8014595579222542),   # TTestIndPower().power(0.5, nobs1=64, alpha=0.05)
    (0.8, 20, 0.6934041966153818),   # TTestIndPower().power(0.8, nobs1=20, alpha=0.05)
])
def test_power_curve_matches_statsmodels(d, n, expected):
    assert power_curve(d, [n]).loc[0, "power"] == pytest.approx(expected, rel=1e-9)


def test_power_curve_is_long_over_effects_and_sizes():
    assert power_curve([0.5, 0.8], range(10, 15)).shape[0] == 10


@pytest.mark.parametrize("power, exact, n", [
    (0.8, 63.76561058891169, 64),   # TTestIndPower().solve_power(0.5, power=0.8, alpha=0.05)
    (0.9, 85.0312841157341, 86),    # TTestIndPower().solve_power(0.5, power=0.9, alpha=0.05)
])
def test_sample_size_for_a_medium_effect_is_cohens_64_and_86(power, exact, n):
    res = sample_size(0.5, power).loc[0]
    assert (res["n_per_arm_exact"], res["n_per_arm"]) == (pytest.approx(exact, rel=1e-6), n)


def test_sample_size_rejects_a_zero_effect():
    with pytest.raises(ValueError, match="effect_size"):
        sample_size(0.0)


def test_thirty_per_arm_detects_d_of_about_0_74():
    # TTestIndPower().solve_power(None, nobs1=30, power=0.8, alpha=0.05) = 0.7356198334313554
    assert effect_needed_for_n(30).loc[0, "effect_size"] == pytest.approx(0.7356198334313554, rel=1e-6)




# --- compare_arms (between_arms) -----------------------------------------------------------------
PARTICIPANTS = [("participants", arm, "baseline", "n", 10.0) for arm in ARM_IDS]
AGE = make_summary([("age", "100M", "baseline", "mean", 75.0), ("age", "100M", "baseline", "sd", 7.4),
                    ("age", "placebo", "baseline", "mean", 75.3), ("age", "placebo", "baseline", "sd", 6.8),
                    ("age", "200M", "month6", "mean", 70.0)] + PARTICIPANTS)
TNF = make_summary([("tnf", "100M", "baseline", "median", 3.2), ("tnf", "100M", "baseline", "q1", 2.8),
                    ("tnf", "100M", "baseline", "q3", 3.8), ("tnf", "placebo", "baseline", "median", 2.2),
                    ("tnf", "placebo", "baseline", "q1", 1.1), ("tnf", "placebo", "baseline", "q3", 3.1)]
                   + PARTICIPANTS)
PAIRS = [("100M", "placebo"), ("200M", "placebo"), ("100M", "200M")]


def test_compare_arms_agrees_with_compare_arms_from_stats_for_mean_sd_endpoints():
    res = compare_arms(AGE, Contrast("age", "100M", "placebo", "baseline"), SIZES)
    direct = compare_arms_from_stats(75.0, 7.4, 10, 75.3, 6.8, 10)
    columns = ["estimate", "ci_low", "ci_high", "p_value", "hedges_g"]
    assert res.loc[0, columns].tolist() == pytest.approx(direct.loc[0, columns].tolist(), rel=1e-12)


def test_compare_arms_approximates_a_symmetric_median_iqr_with_wan_and_says_so():
    res = compare_arms(TNF, Contrast("tnf", "100M", "placebo", "baseline"), SIZES)
    wan = estimate_from_median_iqr(3.2, 2.8, 3.8, 10).loc[0]
    assert (res.loc[0, "method"], res.loc[0, "mean"], res.loc[0, "sd"], res.loc[0, "withheld"]) == (
        WAN_METHOD, wan["mean"], wan["sd"], "")


@pytest.mark.parametrize("median, q1, q3, expected", [
    (5.0, 4.0, 6.0, 0.0),                    # symmetric
    (1470.0, 472.5, 6090.0, 0.6448),         # CHAMPS placebo baseline: (6090 + 472.5 - 2·1470) / 5617.5, by hand
    (2.0, 1.0, 2.0, -1.0),                   # median at q3
])
def test_quartile_skewness_is_bowleys(median, q1, q3, expected):
    assert quartile_skewness(median, q1, q3) == pytest.approx(expected, abs=1e-4)


def test_a_skewed_median_iqr_is_withheld_with_the_reason():
    skewed = make_summary([("kcal", arm, "baseline", s, v) for arm in ("100M", "placebo")
                           for s, v in (("median", 1470.0), ("q1", 472.5), ("q3", 6090.0))])
    res = compare_arms(skewed, Contrast("kcal", "100M", "placebo", "baseline"), SIZES,
                       names={"100M": "Drug"}).iloc[0]
    assert (math.isnan(res["estimate"]), res["withheld"].startswith("Drug skewed (quartile skewness 0.64"),
            res["method"]) == (True, True, WAN_METHOD)
    assert SKEW_LIMIT < 0.64


def test_a_value_the_paper_prints_malformed_withholds_the_effect():
    summary = make_summary([("x", arm, "baseline", s, v) for arm in ("100M", "placebo")
                            for s, v in (("median", 5.0), ("q1", 4.0), ("q3", 6.0))])
    bad = pd.DataFrame([{"id": "D1", "endpoint": "x", "arm": "100M", "visit": "baseline", "statistic": "q3",
                         "kind": "malformed", "reason": "misplaced separator"}])
    res = compare_arms(summary, Contrast("x", "100M", "placebo", "baseline"), SIZES, discrepancies=bad).iloc[0]
    assert (res["withheld"], math.isnan(res["hedges_g"])) == ("100M Q3 printed malformed", True)


def test_compare_arms_reports_missing_numbers_instead_of_inventing_them():
    res = compare_arms(AGE, Contrast("age", "200M", "placebo", "month6"), SIZES)
    assert "not reported" in res.loc[0, "note"] and math.isnan(res.loc[0, "estimate"])


@pytest.mark.parametrize("n, expected_source", [
    (None, "assumed: arm size (no n printed for this endpoint)"), (8, "given")])
def test_compare_arms_says_where_n_came_from(n, expected_source):
    res = compare_arms(AGE, Contrast("age", "100M", "placebo", "baseline"), SIZES, n=n, n_reference=n)
    assert res.loc[0, "n_source"] == expected_source


def test_lookup_n_prefers_an_n_printed_for_the_endpoint():
    summary = make_summary(PARTICIPANTS + [("cpra", "100M", "month6", "n", 9.0)])
    assert lookup_n(summary, "cpra", "100M", "month6", SIZES).loc[0, "n_source"].startswith("reported")


def test_compare_arms_names_an_unknown_endpoint():
    with pytest.raises(ValueError, match="endpoint"):
        compare_arms(AGE, Contrast("nope", "100M", "placebo", "baseline"), SIZES)


def test_compare_all_arms_lists_only_pairs_with_both_arms_reported():
    res = compare_all_arms(AGE, PAIRS, SIZES)
    assert res[["endpoint", "visit", "arm", "reference"]].values.tolist() == [["age", "baseline", "100M", "placebo"]]


def test_compare_all_arms_can_list_the_unreported_pairs_with_a_note():
    res = compare_all_arms(AGE, PAIRS, SIZES, only_computable=False)
    assert (res["note"] != "").sum() == len(res) - 1


def test_compare_arms_uses_the_results_copy_of_a_number_printed_twice():
    # cratus.study.provenance: the Results copy wins over a table's
    table = make_summary([("age", "100M", "baseline", "sd", 7.43)]).assign(source="Table 1")
    summary = pd.concat([AGE, table], ignore_index=True)
    assert compare_arms(summary, Contrast("age", "100M", "placebo", "baseline"), SIZES).loc[0, "sd"] == 7.4


# --- within arm: one SD of change, Fisher-z verdicts -----------------------------------------------
@pytest.mark.parametrize("sd_pre, sd_post, r, expected", [
    (1.0, 1.0, 0.5, 1.0),                      # SD·sqrt(2(1 − ρ)) with equal SDs
    (2.0, 2.0, 0.9, 2.0 * math.sqrt(0.2)),
    (3.0, 4.0, 0.0, 5.0),
])
def test_sd_change_is_the_variance_of_a_difference(sd_pre, sd_post, r, expected):
    assert sd_change(sd_pre, sd_post, r) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("low, high, n, verdict, probability", [
    # P(sample r ≥ 0.953 | ρ = 0.9) = norm.sf((atanh(0.953) − atanh(0.9)) · sqrt(7)) = 0.1496
    (0.953111, 0.958461, 10, "plausible", stats.norm.sf((math.atanh(0.953111) - math.atanh(0.9)) * math.sqrt(7))),
    (0.98, 1.0, 10, "unusual, possible", stats.norm.sf((math.atanh(0.98) - math.atanh(0.9)) * math.sqrt(7))),
    (0.995, 1.0, 10, "very unlikely", stats.norm.sf((math.atanh(0.995) - math.atanh(0.9)) * math.sqrt(7))),
    (-0.9, -0.8, 20, "very unlikely", stats.norm.cdf(math.atanh(-0.8) * math.sqrt(17))),
    (0.3, 0.5, 10, "plausible", math.nan),
])
def test_judge_correlation_uses_the_sampling_distribution_of_r(low, high, n, verdict, probability):
    found = judge_correlation(low, high, n)
    assert found["verdict"] == verdict
    assert found["probability"] == pytest.approx(probability, rel=1e-9, nan_ok=True)


def test_no_correlation_at_all_is_impossible():
    assert judge_correlation(math.nan, math.nan, 10, consistent=False)["verdict"] == "impossible"


@pytest.mark.parametrize("n, inside", [(4, True), (10, False)])
def test_sqol_f_correlation_depends_on_counting_only_the_women(n, inside):
    # 4 women per arm: r ≈ 0.82, inside 0 to 0.9; 10 patients: r ≈ −0.07, outside it (but not unusual, P ≈ .45)
    res = back_calculate_correlation(59.8, 15.3, 76.0, 12.9, n, 0.035, decimals=1).iloc[0]
    found = judge_correlation(res["correlation_low"], res["correlation_high"], n)
    assert (found["verdict"], math.isnan(found["probability"])) == ("plausible", inside)


# --- power: the n needed by correlation and analysis -----------------------------------------------
@pytest.mark.parametrize("analysis, rho, expected", [
    ("follow_up", 0.7, 112.9), ("change", 0.7, 112.9 * math.sqrt(0.6)), ("ancova", 0.7, 112.9 * math.sqrt(0.51))])
def test_analysis_sd_follows_the_variance_formulas(analysis, rho, expected):
    assert analysis_sd(112.9, rho, analysis) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("rho, analysis", [(0.0, "follow_up"), (0.5, "change"), (0.8, "ancova")])
def test_n_by_correlation_matches_statsmodels(rho, analysis):
    table = n_by_correlation(64.8, 112.9, [rho]).set_index("analysis")
    d = 64.8 / analysis_sd(112.9, rho, analysis)
    exact = TTestIndPower().solve_power(d, power=0.8, alpha=0.05)  # statsmodels, two-sided
    assert table.loc[analysis, "n_per_arm"] == math.ceil(exact)


@pytest.mark.parametrize("difference, verdict", [
    (64.8, "cannot be verified from the text"),   # 11 to 97 per arm over ρ from 0 to 0.9
    (300.0, "enough under every reading"),
    (10.0, "too few under every reading"),
])
def test_a_claimed_n_is_judged_over_every_plausible_reading(difference, verdict):
    assert judge_sample_size_claim(difference, 112.9, 30)["verdict"] == verdict


def test_the_claim_sentence_does_not_overreach():
    judged = judge_sample_size_claim(64.8, 112.9, 30)
    text = describe_sample_size_claim(64.8, 112.9, 30, judged, unit="m")
    # TTestIndPower().solve_power(64.8 / 112.9, power=0.8) = 48.6 -> 49; power(…, nobs1=30) = 0.586
    for words in ("d = 0.57", "needs 49 patients per arm for 80% power and 65 for 90%", "power is 59%",
                  "from 11 to 97 per arm", "cannot be verified from the text"):
        assert words in text
    assert "not reproduced" not in text and "too few" not in text


# --- formatting: one p formatter, printed digits, bounds ---------------------------------------------
@pytest.mark.parametrize("args, kwargs, expected", [
    ((0.011,), {"computed": True, "prefix": False}, ".011"),
    ((0.00811862726548334,), {"computed": True, "prefix": False}, ".0081"),
    ((0.00004,), {"computed": True, "prefix": False}, "< .0001"),
    ((0.00045, "<"), {"computed": True, "prefix": False}, "< .0005"),   # p < .00001 × 45, rounded up
    ((0.0045, "<"), {"computed": True, "prefix": False}, "< .005"),
    ((0.3, "=", "0.300"), {"prefix": False}, ".300"),
    ((0.00001, "<", "0.00001"), {}, "p < .00001"),
])
def test_format_p_styles(args, kwargs, expected):
    assert format_p(*args, **kwargs) == expected


@pytest.mark.parametrize("p, relation, expected", [(0.00045, "<", "< .0005"), (0.022, "=", ".022"), (1.0, "=", "1")])
def test_adjusted_bounds_keep_their_relation(p, relation, expected):
    assert adjusted_p(p, relation) == expected


@pytest.mark.parametrize("args, expected", [
    ((-1.4, -2.3883, -0.4117, 1), "−1.4 (−2.4 to −0.4)"),
    ((4138.73, -3979.08, 12256.55, 0), "4,139 (−3,979 to 12,257)"),
    ((-0.001, -0.7, 0.7, 1), "0.0 (−0.7 to 0.7)"),
])
def test_format_estimate_uses_a_true_minus_and_thousands_separators(args, expected):
    assert format_estimate(*args) == expected


def test_format_alpha():
    assert [format_alpha(a) for a in (0.05, 0.01, 0.1)] == [".05", ".01", ".1"]


# --- the published study ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def within(study):
    return within_arm_back_calculation(study)


def test_within_arm_results_lists_the_mean_sd_results_with_both_ends(within):
    # Results: 6MWT and FEV1 (100M), CD69, CD8, CD4/CD8 (200M), CD25 and B-cell TNF-α (both), SQOL-F (100M)
    assert list(zip(within["endpoint"], within["arm"])) == [
        ("six_minute_walk", "100M"), ("fev1", "100M"), ("cd69", "200M"), ("cd25", "100M"), ("cd25", "200M"),
        ("cd8", "200M"), ("cd4_cd8_ratio", "200M"), ("tnf_alpha_bcell", "100M"), ("tnf_alpha_bcell", "200M"),
        ("sqol_f", "100M")]


def test_within_arm_results_prefer_the_results_copies(within):
    fev1 = within.set_index(["endpoint", "arm"]).loc[("fev1", "100M")]
    # Abstract p = .01, Results p = .025 (discrepancy D02); SD 0.7 in Table 1, 0.66 in the Results (D08)
    assert (fev1["p_value"], fev1["sd_pre"], fev1["p_source"].startswith("Results")) == (0.025, 0.66, True)


def test_subgroup_n_counts_the_women_from_the_dictionary(study):
    found = subgroup_n(study.summary, study.endpoints, "sqol_f", "100M", "month6", study.n_per_arm()).iloc[0]
    assert (found["n"], found["n_source"].startswith("assumed: the patients with sex female")) == (4.0, True)


@pytest.mark.parametrize("endpoint, arm, verdict, words", [
    # 6MWT, FEV1 and CD69 need r outside 0 to 0.9, but as sample correlations of 10 pairs (Fisher z) with
    # probability .15, .13 and .49: ordinary sampling variation, not failures
    ("six_minute_walk", "100M", "plausible", "needs a pre–post correlation of 0.956"),
    ("fev1", "100M", "plausible", "probability .13 even if the true correlation is 0.9"),
    ("cd69", "200M", "plausible", "probability .49 even if the true correlation is 0"),
    ("tnf_alpha_bcell", "200M", "impossible", "If ± were an SEM (SD = SEM·√n), r = 0.431 would reproduce it"),
    ("tnf_alpha_bcell", "100M", "plausible", "holds whatever the pre–post correlation"),
    ("cd25", "100M", "plausible", "within the plausible 0 to 0.9"),
])
def test_back_calculation_verdicts_and_sentences(study, within, endpoint, arm, verdict, words):
    key = f"{endpoint}:{arm}"
    detail = within_arm_detail(study, key, None, 0.5)
    assert (detail.verdict, words in detail.sentence) == (verdict, True)
    assert detail.sentence.startswith("Assuming a paired t-test")


def test_back_calculation_table_keeps_the_printed_digits(study, within):
    table = back_calculation_table(within, study.design, study.endpoints).set_index("Result")
    assert table.loc["CD69+ T cells (early activation), 200M", "Baseline → follow-up"] == "27.0 ± 4.30 → 16.4 ± 7.25"
    assert table.loc["SQOL-F, 100M", ["n", "Paper's p"]].tolist() == ["4 (female patients only)", ".035"]
    assert table.loc["B-cell intracellular TNF-α, 200M", "Correlation needed"] == "none from −1 to 1"


def test_sensitivity_table_reproduces_the_paper_at_the_back_calculated_correlation(within):
    table = sensitivity_table(within.iloc[0], 0.9)  # 6MWT 100M
    # r = 0.9: sd_change = sqrt(103.4² + 155.4² − 2·0.9·103.4·155.4) = 76.926,
    # p = 2 * scipy.stats.t.sf(64.8 / (76.926 / sqrt(10)), 9) = 0.025885
    assert table["p, assuming a paired t-test"].tolist() == [".301", ".026", ".011"]
    assert table.loc[1, "SD of change"] == "76.9"


def test_between_arms_shows_follow_up_with_p_and_baseline_without(study):
    view = between_arm_view(study, study.design.arm_ids)
    (heading, follow_up), = view.follow_up
    assert heading == "At 6 months" and "Welch p" in follow_up
    assert "Welch p" not in view.baseline and "Standardized difference (d)" in view.baseline
    with_p = between_arm_view(study, study.design.arm_ids, show_p=True).baseline
    assert "Welch p (chance alone)" in with_p


def test_b_cell_tnf_comparison_carries_the_sem_reading(study):
    table = between_arm_view(study, ("100M", "200M")).follow_up[0][1].set_index("Endpoint")
    row = table.loc["B-cell intracellular TNF-α"]
    # scipy.stats.ttest_ind_from_stats(7.0, 1.0, 10, 8.4, 1.1, 10, equal_var=False).pvalue = 0.00811862726548334;
    # as SEMs: SDs 1.0·√10 and 1.1·√10: ttest_ind_from_stats(7.0, 3.162, 10, 8.4, 3.479, 10, False).pvalue = 0.359
    assert (row["Welch p"], row["Difference (95% CI)"]) == (".0081", "−1.4 (−2.4 to −0.4)")
    assert row["If ± were SEM: difference (95% CI), p"] == "−1.4 (−4.5 to 1.7), p = .359"
    assert row["Caution"].startswith("± may be an SEM, not an SD")


def test_champs_effects_are_withheld_with_their_reasons(study):
    frame = comparisons(study)
    champs = frame[(frame["endpoint"] == "champs") & (frame["arm"] == "200M") & (frame["reference"] == "placebo")]
    reasons = dict(zip(champs["visit"], champs["withheld"]))
    assert reasons["baseline"].startswith("200M Q3 printed malformed")   # discrepancies.csv, kind malformed
    assert "skewed" in reasons["month6"] and champs["hedges_g"].isna().all()


def test_median_iqr_rows_are_marked_as_approximations(study):
    table = between_arm_view(study, study.design.arm_ids).baseline
    assert set(table["Method"]) == {"Welch (mean ± SD)", "≈ Wan 2014 (from median, IQR)"}


def test_multiplicity_view_keeps_bounds_and_names_the_control(study):
    view = multiplicity_view(study, "all", 0.05, study.design.arm_ids)
    first = view.table.iloc[0]
    # p < .00001 (B-cell TNF-α 100M vs placebo) × 45 = .00045: a bound, rounded up
    assert first[["p", "Bonferroni", "Holm", "Test"]].tolist() == ["< .00001", "< .0005", "< .0005",
                                                                   "100M vs Placebo, 6 months"]
    assert "Surviving Holm: B-cell intracellular TNF-α (100M vs Placebo, 6 months;" in view.sentence


def test_only_b_cell_tnf_survives_holm_across_all_published_p_values(study):
    found = holm_survivors(study)
    assert set(found.loc[found["significant_holm"], "endpoint"]) == {"tnf_alpha_bcell"} and found["m"].iloc[0] == 45


def test_multiplicity_families_offer_every_domain_with_a_p_value(study):
    assert list(multiplicity_families(study.p_values, study.endpoints)) == [
        "all", "each_domain", "functional", "immune", "quality_of_life", "safety"]


def test_power_defaults_come_from_the_data(study):
    found = power_defaults(study)
    # trial.csv: 30 per group (Discussion); summary: 410.7 − 345.9 (Results), SD 112.9 (Table 1, total)
    assert (found.n_claimed, found.difference, found.sd) == (30, pytest.approx(64.8), 112.9)


def test_power_view_says_the_claim_cannot_be_verified(study):
    view = power_view(study, "six_minute_walk", "100M", "placebo", 64.8, 112.9)
    assert (view.verdict, view.n80, view.n_claimed) == ("cannot be verified from the text", 49, 30)
    assert list(view.table.columns)[0] == "Pre–post correlation ρ"


def test_power_view_of_another_endpoint_makes_no_claim(study):
    view = power_view(study, "cd25", "100M", "200M")
    assert (view.n_claimed, view.verdict) == (None, "") and "per group" not in view.sentence


def test_endpoints_with_estimates(study):
    found = endpoints_with_estimates(study)
    assert ("six_minute_walk" in found, "sex" in found, "participants" in found, "cpra" in found) == (
        True, False, False, False)


# --- a made-up study: nothing depends on CRATUS ------------------------------------------------------
def _made_up_study(tmp_path):
    rows = []
    for arm, (pre, post) in {"drug": (50.0, 62.0), "vehicle": (51.0, 53.0)}.items():
        rows += [("participants", "", arm, "w0", "n", 12, "Table 1"),
                 ("score", "", arm, "w0", "mean", pre, "Table 1"), ("score", "", arm, "w0", "sd", 10.0, "Table 1"),
                 ("score", "", arm, "w12", "mean", (pre + post) / 2, "Results"),
                 ("score", "", arm, "w12", "sd", 10.0, "Results"),
                 ("score", "", arm, "w24", "mean", post, "Results"), ("score", "", arm, "w24", "sd", 11.0, "Results")]
    rows += [("participants", "", "total", "w0", "n", 24, "Table 1")]
    files = {
        "arms.csv": "arm,label,short,role\ndrug,Drug X,Drug X,active\nvehicle,Vehicle,Vehicle,control\n",
        "visits.csv": "visit,label,role\nw0,Week 0,baseline\nw12,Week 12,\nw24,Week 24,primary\n",
        "endpoints.csv": ("endpoint,label,unit,domain,page,figure,summary,better,population,subgroup,description\n"
                          "participants,Participants,patients,demographics,,,n_percent,,,,Patients\n"
                          "score,Score,points,functional,,,mean_sd,higher,,,A score\n"),
        "summary.csv": "endpoint,level,arm,visit,statistic,value,source,quote\n" + "".join(
            f"{e},{lv},{a},{v},{s},{x:g},{src},\n" for e, lv, a, v, s, x, src in rows),
        "p_values.csv": ("endpoint,arm,comparison,visit,p_value,relation,source,quote\n"
                         "score,drug,within_arm,w24,0.002,=,Results,\nscore,vehicle,within_arm,w24,0.5,=,Results,\n"
                         "score,drug,vs_control,w24,0.04,=,Results,\n"),
        "trial.csv": "key,value,source,quote\ntitle,Made-up trial,Title,\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_study(tmp_path)


def test_the_appraisal_runs_on_a_made_up_study(tmp_path):
    study = _made_up_study(tmp_path)
    arms = study.design.arm_ids
    view = between_arm_view(study, arms)
    assert [h for h, _ in view.follow_up] == ["At week 12", "At week 24"]
    week24 = view.follow_up[1][1].iloc[0]
    # scipy.stats.ttest_ind_from_stats(62, 11, 12, 53, 11, 12, equal_var=False): difference 9
    expected = stats.ttest_ind_from_stats(62, 11, 12, 53, 11, 12, equal_var=False).pvalue
    assert (week24["Comparison"], week24["Welch p"]) == ("Drug X vs Vehicle", format_p(expected, computed=True,
                                                                                        prefix=False))
    options, table = within_arm_view(study, arms)
    assert list(options.values()) == ["Score, Drug X", "Score, Vehicle"] and len(table) == 2
    assert set(table["Verdict"]) <= {"plausible", "unusual, possible", "very unlikely", "impossible"}
    multiplicity = multiplicity_view(study, "all", 0.05, arms)
    assert "Drug X vs Vehicle, week 24" in set(multiplicity.table["Test"])
    assert power_defaults(study) is None
    power = power_view(study, "score", "drug", "vehicle")
    assert power.n_claimed is None and power.n80 > 0
    from cratus.appraisal.audit_display import audit_view
    counts, _ = audit_view(study, arms)
    assert counts["pass"] > 0


def test_the_claim_facts_quote_the_paper(study, paper_text):
    text = paper_text  # the paper beside the checkout (tests/conftest.py), whitespace runs as one space
    rows = study.trial[study.trial["key"].str.startswith("claimed_n")]
    assert len(rows) == 3 and all(q in text for q in rows["quote"])
    assert all(v in q for v, q in zip(rows["value"].str.replace("six_minute_walk", "6MWD"), rows["quote"]))


def test_the_appraisal_charts_have_a_phone_layout():
    # At 390 px the desktop layout clipped the forest plot's labels (leaving ~40 px for the intervals), laid the
    # two sensitivity panels' titles over each other and ran titles under plotly's toolbar (found at 390×844).
    from cratus.appraisal.charts import forest_figure, n_by_correlation_figure, power_figure, sensitivity_figure
    from cratus.figures.geometry import line_width
    from cratus.figures.theme import CHART_PHONE_FONT as PHONE_FONT, MIN_WIDTH_PHONE, MODEBAR_TOUCH

    study, arms = load_study(), ("100M", "200M", "placebo")
    from cratus.appraisal.views import within_arm_view

    key = next(iter(within_arm_view(study, list(arms))[0]))
    phone = [forest_figure(study, arms, phone=True), sensitivity_figure(study, key, 10, 0.5, phone=True),
             power_figure(study, 0.5, 0.05, 100, "100M", 64, 86, 30, phone=True),
             n_by_correlation_figure(study, 64.8, 112.9, n_claimed=30, phone=True)]
    for fig in phone:
        assert fig.layout.font.size == PHONE_FONT and fig.layout.title.pad.t >= 12 + MODEBAR_TOUCH
        for line in (fig.layout.title.text or "").split("<br>"):
            assert line_width(line, fig.layout.title.font.size) <= MIN_WIDTH_PHONE - 20, line
    forest, sensitivity = phone[:2]
    assert max(line_width(line, PHONE_FONT) for text in forest.layout.yaxis.ticktext
               for line in text.split("<br>")) <= 140                        # the intervals keep the rest
    assert tuple(sensitivity.layout.xaxis.domain) == tuple(sensitivity.layout.xaxis2.domain) == (0, 1)
    assert sensitivity.layout.yaxis2.domain[1] < sensitivity.layout.yaxis.domain[0]    # one above the other
    desktop = forest_figure(study, arms)
    assert desktop.layout.font.size == 16 and desktop.layout.title.pad.t == 12
    assert desktop.layout.legend.y == 1 - 46 / desktop.layout.height
