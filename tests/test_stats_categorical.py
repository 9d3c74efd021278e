"""Ordered categories and binary endpoints (cratus.stats.categorical) against independent implementations.

References named per test: Kruskal–Wallis (scipy.stats.kruskal, tie-corrected), which for two groups in one
stratum equals the CMH mean-score statistic with rank scores; statsmodels StratifiedTable.test_null_odds, which
the mean-score statistic equals for two categories; van Elteren (1960)'s weighted rank sums written with
scipy.stats.rankdata and the tie-corrected Mann–Whitney variance (Lehmann, Nonparametrics, 1975, §1.4);
Newcombe RG, Stat Med 1998;17:873–90, Table II example (a): 56/70 − 48/80, method 10 CI 0.0524 to 0.3339;
scipy.stats.binomtest's exact (Clopper–Pearson) interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from cratus.stats.categorical import binary_summary, cmh_mean_score, distribution, ordinal_tests

LABELS = ["Marked improvement", "Moderate improvement", "Minimal improvement", "No change", "Minimal worsening",
          "Moderate worsening", "Marked worsening"]


def _ratings(n=120, seed=5, sites=3):
    rng = np.random.default_rng(seed)
    arm = np.array(["Placebo", "Low", "High"])[np.arange(n) % 3]
    shift = pd.Series(arm).map({"Placebo": 0.6, "Low": 0.0, "High": -0.4}).to_numpy()
    score = np.clip(np.round(rng.normal(3.5 + shift, 1.2)), 0, 6).astype(int)
    return pd.DataFrame({"usubjid": range(n), "arm": arm, "site": rng.integers(0, sites, n).astype(str),
                         "rating": np.array(LABELS)[score]})


def test_distribution_counts_every_category_in_its_order():
    frame = _ratings()
    d = distribution(frame, "rating", ["Placebo", "Low", "High"], order=LABELS)
    placebo = d[d["arm"] == "Placebo"]
    assert placebo["category"].tolist() == [c for c in LABELS if c in set(frame["rating"])]
    assert placebo["n"].sum() == 40 and placebo["percent"].sum() == pytest.approx(100)
    counted = frame[frame["arm"] == "Placebo"]["rating"].value_counts()
    # A category seen in another arm only is a 0 row here, not a missing one.
    assert placebo.set_index("category")["n"].to_dict() == counted.reindex(placebo["category"], fill_value=0).to_dict()
    assert (placebo["n"] == 0).any()


def test_mean_score_with_ranks_in_one_stratum_is_kruskal_wallis():
    frame = _ratings()
    two = frame[frame["arm"].isin(["High", "Placebo"])]
    code = two["rating"].map({c: i for i, c in enumerate(LABELS)})
    table = pd.crosstab(two["arm"], code).reindex(["High", "Placebo"]).to_numpy()[None]
    q, p = cmh_mean_score(table, "rank")
    h = stats.kruskal(code[two["arm"] == "High"], code[two["arm"] == "Placebo"])
    assert q == pytest.approx(h.statistic, rel=1e-10) and p == pytest.approx(h.pvalue, rel=1e-8)
    assert cmh_mean_score(table, "modridit")[0] == pytest.approx(q, rel=1e-10)  # ridits: ranks rescaled


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
                min_size=1, max_size=5))
def test_mean_score_with_two_categories_is_the_cmh_test(cells):
    tables = np.array([[[a, b], [c, d]] for a, b, c, d in cells], float)
    usable = [t for t in tables if t.sum(axis=1).min() > 0 and t.sum(axis=0).min() > 0]
    if not usable:
        return
    q, _ = cmh_mean_score(np.array(usable), scores=[0, 1])
    expected = StratifiedTable([t.T for t in usable]).test_null_odds(correction=False).statistic
    assert q == pytest.approx(expected, rel=1e-9)


def test_van_elteren_is_the_weighted_sum_of_stratum_rank_sums():
    frame = _ratings(sites=4)
    (high,) = [t for t in ordinal_tests(frame, "rating", ["Placebo", "Low", "High"], "Placebo", strata="site",
                                        order=LABELS) if t.arm == "High"]
    num = var = 0.0
    for _, g in frame[frame["arm"].isin(["High", "Placebo"])].groupby("site"):
        x = g["rating"].map({c: i for i, c in enumerate(LABELS)}).to_numpy()
        ranks = stats.rankdata(x)
        is_high = (g["arm"] == "High").to_numpy()
        n, n1 = len(x), is_high.sum()
        ties = np.unique(x, return_counts=True)[1]
        v = n1 * (n - n1) / 12 * (n + 1 - (ties ** 3 - ties).sum() / (n * (n - 1)))
        num += (ranks[is_high].sum() - n1 * (n + 1) / 2) / (n + 1)
        var += v / (n + 1) ** 2
    assert high.statistic == pytest.approx(num ** 2 / var, rel=1e-10)
    assert high.p_value == pytest.approx(stats.chi2.sf(num ** 2 / var, 1), rel=1e-8)
    assert "van Elteren" in high.test and high.strata == "site"


def test_unstratified_test_is_wilcoxon_mann_whitney_on_the_order():
    frame = _ratings()
    (low, high) = ordinal_tests(frame, "rating", ["Placebo", "Low", "High"], "Placebo", order=LABELS)
    code = frame["rating"].map({c: i for i, c in enumerate(LABELS)})
    expected = stats.mannwhitneyu(code[frame["arm"] == "High"], code[frame["arm"] == "Placebo"])
    assert (high.arm, high.p_value) == ("High", pytest.approx(expected.pvalue))
    assert low.n == 40 and low.n_reference == 40


def test_binary_matches_newcombe_and_clopper_pearson():
    frame = pd.DataFrame({"arm": ["A"] * 70 + ["B"] * 80, "resp": ["Y"] * 56 + ["N"] * 14 + ["Y"] * 48 + ["N"] * 32})
    arms, (comparison,) = binary_summary(frame, "resp", ["B", "A"], "B")
    assert comparison.difference == pytest.approx(0.2)
    assert (comparison.difference_ci_low, comparison.difference_ci_high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    exact = stats.binomtest(56, 70).proportion_ci(method="exact")
    a = arms[1]
    assert (a.arm, a.ci_low, a.ci_high) == ("A", pytest.approx(exact.low), pytest.approx(exact.high))
    assert comparison.odds_ratio == pytest.approx((56 * 32) / (14 * 48))
    assert comparison.p_value == pytest.approx(stats.fisher_exact([[56, 14], [48, 32]]).pvalue)


def test_stratified_binary_uses_the_mantel_haenszel_odds_ratio():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"arm": rng.choice(["A", "B"], 300), "site": rng.choice(list("xyz"), 300),
                          "resp": rng.choice(["Y", "N"], 300)})
    _, (c,) = binary_summary(frame, "resp", ["B", "A"], "B", strata="site")
    num = den = 0.0
    for _, g in frame.groupby("site"):  # Mantel & Haenszel (1959): Σ aᵢdᵢ/nᵢ / Σ bᵢcᵢ/nᵢ
        a = ((g.arm == "A") & (g.resp == "Y")).sum()
        b = ((g.arm == "A") & (g.resp == "N")).sum()
        cc = ((g.arm == "B") & (g.resp == "Y")).sum()
        d = ((g.arm == "B") & (g.resp == "N")).sum()
        num += a * d / len(g)
        den += b * cc / len(g)
    assert c.odds_ratio == pytest.approx(num / den) and "Mantel–Haenszel" in c.test


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from("xyz"), st.sampled_from("YN"), st.integers(1, 4)),
                min_size=1, max_size=25), st.sampled_from([None, "s"]))
def test_any_small_trial_gives_results_or_not_computable(rows, strata):
    """A stratum without one of the arms, an arm without subjects, one category: results or NaN, no exception."""
    import warnings

    frame = pd.DataFrame(rows, columns=["arm", "s", "v", "o"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_arm, comparisons = binary_summary(frame, "v", ["A", "B", "C"], "A", strata=strata)
        tests = ordinal_tests(frame, "o", ["A", "B", "C"], "A", strata=strata)
    assert sum(b.n for b in per_arm) == len(frame)
    assert all(0 <= t.p_value <= 1 or np.isnan(t.p_value) for t in tests)
    assert all(0 <= c.p_value <= 1 or np.isnan(c.p_value) for c in comparisons)
