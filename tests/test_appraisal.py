"""Tests for cratus.appraisal: reference values from scipy/statsmodels or textbooks."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cratus.appraisal import (
    WAN_METHOD,
    adjust_p_values,
    back_calculate_correlation,
    change_sensitivity,
    compare_all_arms,
    compare_arms,
    compare_arms_from_stats,
    effect_needed_for_n,
    estimate_from_median_iqr,
    lookup_n,
    plan_next_trial,
    power_curve,
    sample_size,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def make_summary(rows):
    """A summary frame from (endpoint, arm, visit, statistic, value) tuples."""
    frame = pd.DataFrame(rows, columns=["endpoint", "arm", "visit", "statistic", "value"])
    return frame.assign(level=None, source="Results", quote="")


PARTICIPANTS = [("participants", arm, "baseline", "n", 10.0) for arm in ("100M", "200M", "placebo")]


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
    assert (res.loc[0, "method"], "BMC Med Res Methodol 2014;14:135" in res.loc[0, "reference"]) == (WAN_METHOD, True)


@pytest.mark.parametrize("median, q1, q3, n", [(1, 2, 3, 10), (4, 2, 3, 10), (2, 1, 3, 1)])
def test_wan_rejects_disordered_quartiles_or_tiny_n(median, q1, q3, n):
    with pytest.raises(ValueError):
        estimate_from_median_iqr(median, q1, q3, n)


# --- compare_arms --------------------------------------------------------------
AGE = make_summary([("age", "100M", "baseline", "mean", 75.0), ("age", "100M", "baseline", "sd", 7.4),
                    ("age", "placebo", "baseline", "mean", 75.3), ("age", "placebo", "baseline", "sd", 6.8),
                    ("age", "200M", "month6", "mean", 70.0)] + PARTICIPANTS)
TNF = make_summary([("tnf", "100M", "baseline", "median", 3.2), ("tnf", "100M", "baseline", "q1", 2.8),
                    ("tnf", "100M", "baseline", "q3", 3.8), ("tnf", "placebo", "baseline", "median", 2.4),
                    ("tnf", "placebo", "baseline", "q1", 1.1), ("tnf", "placebo", "baseline", "q3", 3.1)]
                   + PARTICIPANTS)


def test_compare_arms_agrees_with_compare_arms_from_stats_for_mean_sd_endpoints():
    res = compare_arms(AGE, "age", "100M", visit="baseline")
    direct = compare_arms_from_stats(75.0, 7.4, 10, 75.3, 6.8, 10)
    assert res.loc[0, ["estimate", "ci_low", "ci_high", "p_value", "hedges_g"]].tolist() == pytest.approx(
        direct.loc[0, ["estimate", "ci_low", "ci_high", "p_value", "hedges_g"]].tolist(), rel=1e-12)


def test_compare_arms_converts_median_iqr_endpoints_with_wan_and_says_so():
    res = compare_arms(TNF, "tnf", "100M", visit="baseline")
    wan = estimate_from_median_iqr(3.2, 2.8, 3.8, 10).loc[0]
    assert (res.loc[0, "method"], res.loc[0, "mean"], res.loc[0, "sd"]) == (WAN_METHOD, wan["mean"], wan["sd"])


def test_compare_arms_reports_missing_numbers_instead_of_inventing_them():
    res = compare_arms(AGE, "age", "200M", visit="month6")
    assert "not reported" in res.loc[0, "note"] and math.isnan(res.loc[0, "estimate"])


@pytest.mark.parametrize("n, expected_source", [
    (None, "assumed: arm size from participants (no n printed for this endpoint)"),
    (8, "given"),
])
def test_compare_arms_says_where_n_came_from(n, expected_source):
    res = compare_arms(AGE, "age", "100M", visit="baseline", n=n, n_reference=n)
    assert res.loc[0, "n_source"] == expected_source


def test_lookup_n_prefers_an_n_printed_for_the_endpoint():
    summary = make_summary(PARTICIPANTS + [("cpra", "100M", "month6", "n", 9.0)])
    assert lookup_n(summary, "cpra", "100M", "month6").loc[0, "n_source"].startswith("reported")


@pytest.mark.parametrize("kwargs, word", [
    (dict(endpoint="nope", arm="100M"), "endpoint"),
    (dict(endpoint="age", arm="300M"), "arm"),
    (dict(endpoint="age", arm="100M", visit="month3"), "visit"),
])
def test_compare_arms_names_the_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        compare_arms(AGE, **kwargs)


def test_compare_all_arms_lists_only_pairs_with_both_arms_reported():
    res = compare_all_arms(AGE)
    assert res[["endpoint", "visit", "arm", "reference"]].values.tolist() == [["age", "baseline", "100M", "placebo"]]


def test_compare_all_arms_can_list_the_unreported_pairs_with_a_note():
    res = compare_all_arms(AGE, only_computable=False)
    assert (res["note"] != "").sum() == len(res) - 1


def test_compare_arms_prefers_the_more_precise_of_two_printed_values():
    summary = pd.concat([AGE, make_summary([("age", "100M", "baseline", "sd", 7.43)])], ignore_index=True)
    assert compare_arms(summary, "age", "100M", visit="baseline").loc[0, "sd"] == 7.43


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
    assert (res["consistent"], res["plausible"], "no correlation" in res["note"]) == (False, False, True)


def test_a_less_than_p_value_gives_a_lower_bound_only():
    res = back_calculate_correlation(3, math.sqrt(2.5), 4, math.sqrt(2.5), 5, 0.09, relation="<").loc[0]
    assert (math.isnan(res["correlation"]), res["correlation_high"]) == (True, 1.0)


@pytest.mark.parametrize("n, plausible", [(10, False), (4, True)])
def test_plausibility_of_sqol_f_depends_on_counting_only_the_women(n, plausible):
    res = back_calculate_correlation(59.8, 15.3, 76.0, 12.9, n, 0.035)
    assert bool(res.loc[0, "plausible"]) is plausible


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


SIX_MWT = make_summary([("six_minute_walk", "100M", "month6", "mean", 410.7),
                        ("six_minute_walk", "100M", "month6", "sd", 155.4),
                        ("six_minute_walk", "100M", "baseline", "mean", 345.9),
                        ("six_minute_walk", "100M", "baseline", "sd", 103.4),
                        ("six_minute_walk", "placebo", "baseline", "mean", 385.8),
                        ("six_minute_walk", "placebo", "baseline", "sd", 83.1)] + PARTICIPANTS)


def test_plan_says_the_6mwt_contrast_cannot_be_computed_from_the_text():
    res = plan_next_trial(SIX_MWT, "six_minute_walk")
    assert res["note"].str.startswith("cannot be computed from the text").all() and res["n_per_arm"].isna().all()


def test_plan_from_a_user_given_effect_matches_sample_size():
    # TTestIndPower().solve_power(64.8 / 112.9, power=0.8, alpha=0.05) = 48.63053501210227
    res = plan_next_trial(SIX_MWT, "six_minute_walk", difference=64.8, sd=112.9, power=0.8)
    assert res.loc[0, "n_per_arm"] == 49


def test_plan_uses_cohens_d_with_the_pooled_sd_when_both_arms_are_printed():
    res = plan_next_trial(SIX_MWT, "six_minute_walk", visit="baseline", power=0.8)
    pooled = math.sqrt((103.4**2 + 83.1**2) / 2)   # equal n: pooled SD is the root mean square
    assert res.loc[0, "effect_size"] == pytest.approx((345.9 - 385.8) / pooled, rel=1e-12)


def test_plan_needs_both_difference_and_sd():
    with pytest.raises(ValueError, match="difference and sd"):
        plan_next_trial(SIX_MWT, "six_minute_walk", difference=64.8)


# --- on the published values --------------------------------------------------------
needs_data = pytest.mark.skipif(not (DATA / "summary.csv").exists(), reason="data/summary.csv not written yet")


@needs_data
def test_published_6mwt_change_needs_a_pre_post_correlation_above_0_95():
    s = pd.read_csv(DATA / "summary.csv")
    pick = lambda visit, stat: s[(s.endpoint == "six_minute_walk") & (s.arm == "100M")  # noqa: E731
                                 & (s.visit == visit) & (s.statistic == stat)]["value"].iloc[0]
    res = back_calculate_correlation(pick("baseline", "mean"), pick("baseline", "sd"),
                                     pick("month6", "mean"), pick("month6", "sd"), 10, 0.011, decimals=1)
    assert res.loc[0, "correlation_low"] > 0.95


@needs_data
def test_only_b_cell_tnf_survives_holm_across_all_published_p_values():
    res = adjust_p_values(pd.read_csv(DATA / "p_values.csv"))
    assert set(res[res["significant_holm"]]["endpoint"]) == {"tnf_alpha_bcell"}


# --- reading aids (used by pages/appraisal.py) ----------------------------------------------------
from cratus.appraisal import (  # noqa: E402
    back_calculate_all,
    back_calculation_table,
    comparison_table,
    comparisons_view,
    describe_back_calculation,
    describe_sample_size_claim,
    endpoints_with_estimates,
    format_alpha,
    format_estimate,
    format_p_value,
    multiplicity_families,
    multiplicity_table,
    sensitivity_table,
    subgroup_n,
    summarize_adjustment,
    within_arm_results,
)


@pytest.mark.parametrize("args, expected", [
    ((0.011,), ".011"), ((0.3551,), ".355"), ((0.00811862726548334,), ".0081"), ((0.00034,), ".0003"),
    ((0.00004,), "<.0001"), ((0.99999,), ">.999"), ((0.0797, "=", "0.0797"), ".0797"),
    ((0.00001, "<", "0.00001"), "<.00001"), ((0.00001, "<"), "<.00001"), ((0.3, "=", "0.300"), ".300"),
])
def test_format_p_value_reads_like_a_paper(args, expected):
    assert format_p_value(*args) == expected


@pytest.mark.parametrize("args, expected", [
    ((-1.4, -2.3883, -0.4117, 1), "−1.4 (−2.4 to −0.4)"),
    ((4138.73, -3979.08, 12256.55, 0), "4,139 (−3,979 to 12,257)"),
    ((-0.001, -0.7, 0.7, 1), "0.0 (−0.7 to 0.7)"),
])
def test_format_estimate_uses_a_true_minus_and_thousands_separators(args, expected):
    assert format_estimate(*args) == expected


def test_format_alpha():
    assert [format_alpha(a) for a in (0.05, 0.01, 0.1)] == [".05", ".01", ".1"]


@pytest.fixture(scope="module")
def published():
    from cratus.data import load_published
    return load_published()


@pytest.fixture(scope="module")
def published_comparisons(published):
    return compare_all_arms(published.summary)


def test_comparisons_view_keeps_only_pairs_of_the_chosen_arms(published, published_comparisons):
    view = comparisons_view(published_comparisons, published.summary, published.endpoints, ["100M", "placebo"])
    assert set(zip(view["arm"], view["reference"])) == {("100M", "placebo")} and len(view) == 11


def test_comparisons_view_puts_the_latest_visit_first(published, published_comparisons):
    view = comparisons_view(published_comparisons, published.summary, published.endpoints)
    assert view["visit"].tolist() == ["month6"] * 3 + ["baseline"] * 36


def test_comparison_table_row_for_b_cell_tnf_matches_scipy(published, published_comparisons):
    view = comparisons_view(published_comparisons, published.summary, published.endpoints, visits=["month6"])
    table = comparison_table(view, visit_column=False).set_index(["Endpoint", "Comparison"])
    row = table.loc[("B-cell intracellular TNF-α", "100M vs 200M")]
    # scipy.stats.ttest_ind_from_stats(7.0, 1.0, 10, 8.4, 1.1, 10, equal_var=False).pvalue = 0.00811862726548334
    assert (row["Welch p"], row["Difference (95% CI)"], row["Method"]) == (".0081", "−1.4 (−2.4 to −0.4)", "Welch")


def test_wide_intervals_are_printed_with_fewer_decimals(published, published_comparisons):
    view = comparisons_view(published_comparisons, published.summary, published.endpoints, ["200M", "placebo"],
                            visits=["month6"])
    # CHAMPS medians are printed to 0.1 kcal/week; the interval is thousands wide
    assert comparison_table(view).loc[0, "Difference (95% CI)"] == "739 (−2,885 to 4,364)"


def test_subgroup_n_counts_the_women_for_sqol_f(published):
    found = subgroup_n(published.summary, "sqol_f", "100M").iloc[0]
    assert (found["n"], found["n_source"].startswith("assumed: the female patients")) == (4.0, True)


def test_subgroup_n_falls_back_to_the_arm_size(published):
    assert subgroup_n(published.summary, "six_minute_walk", "100M").loc[0, "n"] == 10.0


@pytest.fixture(scope="module")
def within(published):
    return within_arm_results(published.summary, published.p_values, published.endpoints)


def test_within_arm_results_lists_the_mean_sd_results_with_both_ends(within):
    # Results: 6MWT and FEV1 (100M), CD69, CD8, CD4/CD8 (200M), CD25 and B-cell TNF-α (both), SQOL-F (100M)
    assert list(zip(within["endpoint"], within["arm"])) == [
        ("six_minute_walk", "100M"), ("fev1", "100M"), ("cd69", "200M"), ("cd25", "100M"), ("cd25", "200M"),
        ("cd8", "200M"), ("cd4_cd8_ratio", "200M"), ("tnf_alpha_bcell", "100M"), ("tnf_alpha_bcell", "200M"),
        ("sqol_f", "100M")]


def test_within_arm_results_prefer_the_results_p_value_and_precise_sd(within):
    fev1 = within.set_index(["endpoint", "arm"]).loc[("fev1", "100M")]
    # Abstract p = .01, Results p = .025 (D02); SD 0.7 in Table 1, 0.66 in the Results (D08)
    assert (fev1["p_value"], fev1["sd_pre"], fev1["p_source"].startswith("Results")) == (0.025, 0.66, True)


def test_back_calculate_all_agrees_with_back_calculate_correlation(within):
    res = back_calculate_all(within).set_index(["endpoint", "arm"]).loc[("six_minute_walk", "100M")]
    direct = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011, decimals=1).iloc[0]
    assert [res[c] for c in ("correlation", "correlation_low", "correlation_high")] == pytest.approx(
        [direct[c] for c in ("correlation", "correlation_low", "correlation_high")], rel=1e-12)


def test_back_calculate_all_can_override_n(within):
    sqol = within[within["endpoint"] == "sqol_f"]
    assert [bool(back_calculate_all(sqol, n=n).loc[0, "plausible"]) for n in (4, 10)] == [True, False]


@pytest.mark.parametrize("endpoint, arm, verdict, words", [
    ("six_minute_walk", "100M", "implausibly high",
     "To reproduce the paper's p = .011 with n = 10 pairs, the pre–post correlation would have to be 0.956"),
    ("tnf_alpha_bcell", "200M", "impossible",
     "No pre–post correlation reproduces the paper's p = .001"),
    ("tnf_alpha_bcell", "100M", "plausible", "The paper's p < .0001 holds with n = 10 pairs whatever"),
    ("cd69", "200M", "implausibly low", "below 0, which would be odd"),
    ("cd25", "100M", "plausible", "within the plausible 0 to 0.95"),
])
def test_back_calculation_verdicts_and_sentences(within, endpoint, arm, verdict, words):
    row = back_calculate_all(within).set_index(["endpoint", "arm"]).loc[(endpoint, arm)]
    assert (row["verdict"], words in row["sentence"]) == (verdict, True)


def test_describe_back_calculation_of_a_bound_that_needs_a_high_correlation():
    res = back_calculate_correlation(3, math.sqrt(2.5), 4, math.sqrt(2.5), 5, 0.01, relation="<").iloc[0]
    text = describe_back_calculation(res.to_dict() | {"p_printed": "0.01"})
    assert text == ("The paper's p < .01 holds with n = 5 pairs for every pre–post correlation above "
                    f"{res['correlation_low']:.3f}, all above the plausible 0.95.")


def test_back_calculation_table_shows_the_women_and_the_interval(within):
    table = back_calculation_table(back_calculate_all(within)).set_index("Result")
    assert table.loc["SQOL-F, 100M", ["n", "Baseline → 6 months", "Paper's p"]].tolist() == [
        "4 women", "59.8 ± 15.3 → 76.0 ± 12.9", ".035"]
    assert table.loc["B-cell intracellular TNF-α, 200M", "Correlation needed"] == "none from −1 to 1"
    # FEV1: means printed to 0.1 L, SDs to 0.01 L (Results)
    assert table.loc["FEV1, 100M", "Baseline → 6 months"] == "2.5 ± 0.66 → 2.6 ± 0.77"


def test_sensitivity_table_reproduces_the_paper_at_the_back_calculated_correlation(within):
    row = back_calculate_all(within).iloc[0]  # 6MWT 100M
    table = sensitivity_table(row, 0.9)
    # r = 0.9: sd_change = sqrt(103.4² + 155.4² - 2 * 0.9 * 103.4 * 155.4) = 76.926,
    # p = 2 * scipy.stats.t.sf(64.8 / (76.926 / sqrt(10)), 9) = 0.025885
    assert table["p (paired t)"].tolist() == [".301", ".026", ".011"]
    assert table.loc[1, "SD of change"] == "76.9"


def test_multiplicity_families_offer_every_domain_with_a_p_value(published):
    assert list(multiplicity_families(published.p_values, published.endpoints)) == [
        "all", "each_domain", "functional", "immune", "quality_of_life", "safety"]


def test_summarize_adjustment_on_the_published_p_values(published):
    text = summarize_adjustment(adjust_p_values(published.p_values), 0.05, published.endpoints)
    assert text == ("Of 45 p-values in one family, 16 are below α = .05 without adjustment; 4 survive Bonferroni, "
                    "4 survive Holm and 5 survive Benjamini–Hochberg (false discovery rate .05). Surviving Holm: "
                    "B-cell intracellular TNF-α (100M vs placebo, 200M vs placebo, 100M change within arm, "
                    "200M change within arm).")


def test_summarize_adjustment_says_when_nothing_survives():
    p = make_p([0.03, 0.04])
    assert summarize_adjustment(adjust_p_values(p)).endswith("None survives Holm.")


def test_multiplicity_table_keeps_the_printed_p_value(published):
    table = multiplicity_table(adjust_p_values(published.p_values), published.endpoints)
    # "p = .0797" (CD69 and CD8 placebo) and "p = .300" as printed, "p < .00001" as a bound
    assert {".0797", ".300", "<.00001"} <= set(table["p"])
    assert "Family" not in table.columns


def test_multiplicity_table_names_what_survives(published):
    res = adjust_p_values(published.p_values, "each_domain", published.endpoints)
    table = multiplicity_table(res, published.endpoints).set_index(["Endpoint", "Test"])
    # within the immune family (m = 23) B-cell TNF-α 200M within arm, p = .001: Holm .001 * 20 = .020 (4th smallest)
    row = table.loc[("B-cell intracellular TNF-α", "200M: change to 6 months")]
    assert row[["Family", "m", "Holm", "Significant after"]].tolist() == ["Immune", 23, ".020", "all three"]
    assert table.loc[("Weight loss", "all arms, 6 months"), "Significant after"] == "—"


def test_adjust_p_values_keeps_the_printed_column_when_given():
    res = adjust_p_values(make_p([0.3]).assign(printed="0.300"))
    assert res.loc[0, "printed"] == "0.300"


def test_describe_sample_size_claim_agrees_with_statsmodels():
    text = describe_sample_size_claim(64.8, 112.9, 30, 0.05, "m")
    # TTestIndPower().solve_power(64.8 / 112.9, power=0.8) = 48.6 -> 49; power=0.9 -> 65;
    # TTestIndPower().power(64.8 / 112.9, nobs1=30, alpha=0.05) = 0.586; effect for n = 30 at 80%: d = 0.7356
    for words in ("d = 0.57", "needs 49 patients per arm for 80% power and 65 for 90%", "power is 59%",
                  "d ≥ 0.74", "a difference of 83.1 m", "not reproduced"):
        assert words in text


def test_describe_sample_size_claim_accepts_a_large_effect():
    assert describe_sample_size_claim(1.0, 1.0).endswith("are enough (consistent with the claim of 30 per group).")


def test_endpoints_with_estimates_are_those_with_a_mean_or_median(published):
    found = endpoints_with_estimates(published.summary, published.endpoints)
    assert ("six_minute_walk" in found, "sex" in found, "participants" in found, "cpra" in found) == (
        True, False, False, False)


def test_one_endpoint_keeps_one_format_and_its_unit(published, published_comparisons):
    view = comparisons_view(published_comparisons, published.summary, published.endpoints, visits=["baseline"])
    table = comparison_table(view, visit_column=False)
    walk = table[table["Endpoint"] == "6-minute walk distance (m)"]["Difference (95% CI)"].tolist()
    # 345.9 - 385.8, 390.6 - 385.8, 345.9 - 390.6; the widest interval (±116 m) sets whole metres for all three
    assert walk == ["−40 (−128 to 49)", "5 (−111 to 120)", "−45 (−166 to 77)"]
    assert "FEV1, percent predicted" in set(table["Endpoint"])
