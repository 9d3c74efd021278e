"""ANCOVA LS means, differences and dose trend (cratus.stats.ancova) against independent computations.

References named per test: the textbook adjusted-mean formula and its standard error for one covariate
(Snedecor GW, Cochran WG. Statistical Methods, 8th ed., 1989, §18.3: ȳᵢ − b(x̄ᵢ − x̄), SE² = MSE(1/nᵢ +
(x̄ᵢ − x̄)²/Eₓₓ)); statsmodels' formula interface (``smf.ols`` with ``C(arm, Treatment)``) for the coefficients;
predictions on a reference grid (emmeans' construction) for the equal-weight LS means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from cratus.stats.ancova import ancova, dose_trend

ARMS = ["Placebo", "Low", "High"]


def _trial(n=90, seed=3, sites=4, missing=0):
    rng = np.random.default_rng(seed)
    arm = np.array(ARMS)[np.arange(n) % 3]
    site = np.array([f"S{i}" for i in rng.integers(0, sites, n)])
    base = rng.normal(50, 10, n)
    effect = pd.Series(arm).map({"Placebo": 0.0, "Low": 2.0, "High": 4.5}).to_numpy()
    chg = 0.4 * (base - 50) + effect + pd.Series(site).map({f"S{i}": i * 1.5 for i in range(sites)}).to_numpy() \
        + rng.normal(0, 5, n)
    frame = pd.DataFrame({"usubjid": [f"P{i:03d}" for i in range(n)], "arm": arm, "site": site, "base": base,
                          "chg": chg})
    if missing:
        frame.loc[frame.index[:missing], "base"] = np.nan
    return frame


def test_lsmeans_match_the_adjusted_mean_formula_with_one_covariate():
    frame = _trial()
    result = ancova(frame, "chg", ARMS, "Placebo")
    # Snedecor & Cochran §18.3: b is the pooled within-arm slope, Exx the within-arm sum of squares of x.
    g = frame.groupby("arm")
    dx = frame["base"] - g["base"].transform("mean")
    dy = frame["chg"] - g["chg"].transform("mean")
    exx = (dx ** 2).sum()
    b = (dx * dy).sum() / exx
    mse = ((dy - b * dx) ** 2).sum() / (len(frame) - 3 - 1)
    for m in result.lsmeans:
        rows = frame[frame["arm"] == m.arm]
        adjusted = rows["chg"].mean() - b * (rows["base"].mean() - frame["base"].mean())
        se = np.sqrt(mse * (1 / len(rows) + (rows["base"].mean() - frame["base"].mean()) ** 2 / exx))
        assert m.estimate == pytest.approx(adjusted, rel=1e-10)
        assert m.se == pytest.approx(se, rel=1e-10)


def test_differences_are_the_formula_models_coefficients():
    frame = _trial(missing=5)
    result = ancova(frame, "chg", ARMS, "Placebo", factors=("site",))
    # statsmodels' formula interface, an independent route to the same model.
    fit = smf.ols("chg ~ C(arm, Treatment('Placebo')) + C(site) + base", data=frame.dropna()).fit()
    for d in result.differences:
        name = f"C(arm, Treatment('Placebo'))[T.{d.arm}]"
        assert d.estimate == pytest.approx(fit.params[name], rel=1e-10)
        assert d.se == pytest.approx(fit.bse[name], rel=1e-10)
        assert d.p_value == pytest.approx(fit.pvalues[name], rel=1e-8)
        assert (d.ci_low, d.ci_high) == pytest.approx(tuple(fit.conf_int().loc[name]), rel=1e-10)
    assert result.n_used == 85 and result.dropped == tuple(f"P{i:03d}" for i in range(5))
    assert "chg ~ arm + site + base" in result.words() and "5 subjects left out" in result.words()


def test_observed_margin_lsmeans_are_mean_predictions_and_equal_weights_use_the_grid():
    frame = _trial(sites=3)
    fit = smf.ols("chg ~ C(arm) + C(site) + base", data=frame).fit()
    observed = ancova(frame, "chg", ARMS, "Placebo", factors=("site",), weighting="observed")
    equal = ancova(frame, "chg", ARMS, "Placebo", factors=("site",), weighting="equal")
    for m in observed.lsmeans:  # the counterfactual mean: every subject given the arm
        assert m.estimate == pytest.approx(fit.predict(frame.assign(arm=m.arm)).mean(), rel=1e-10)
    grid_base = frame["base"].mean()
    for m in equal.lsmeans:  # emmeans: the reference grid of arm × site at mean baseline, sites weighted equally
        grid = pd.DataFrame({"arm": m.arm, "site": ["S0", "S1", "S2"], "base": grid_base})
        assert m.estimate == pytest.approx(fit.predict(grid).mean(), rel=1e-10)
    # Differences do not depend on the weighting in a model without interactions.
    assert [d.estimate for d in observed.differences] == pytest.approx([d.estimate for d in equal.differences])


def test_pairwise_adjustment_uses_multipletests():
    from statsmodels.stats.multitest import multipletests

    result = ancova(_trial(), "chg", ARMS, "Placebo", pairwise=True, adjustment="holm")
    assert [(d.arm, d.reference) for d in result.pairwise] == [("High", "Low")]
    d = result.pairwise[0]
    assert d.p_adjusted == pytest.approx(multipletests([d.p_value], method="holm")[1][0])
    low = {x.arm: x.estimate for x in result.lsmeans}
    assert d.estimate == pytest.approx(low["High"] - low["Low"])


def test_dose_trend_is_the_slope_of_the_dose_in_the_same_model():
    frame = _trial()
    doses = {"Placebo": 0, "Low": 54, "High": 81}
    trend = dose_trend(frame, "chg", doses, factors=("site",))
    fit = smf.ols("chg ~ dose + C(site) + base", data=frame.assign(dose=frame["arm"].map(doses))).fit()
    assert trend.slope == pytest.approx(fit.params["dose"], rel=1e-10)
    assert trend.p_value == pytest.approx(fit.pvalues["dose"], rel=1e-8)
    assert trend.n_used == 90 and "dose ~" not in trend.formula


def test_bad_requests_say_what_is_wrong():
    frame = _trial()
    with pytest.raises(ValueError, match="lack: age"):
        ancova(frame, "chg", ARMS, "Placebo", continuous=("base", "age"))
    with pytest.raises(ValueError, match="cannot be fitted"):
        ancova(frame.head(4), "chg", ARMS, "Placebo", factors=("site",))
    with pytest.raises(ValueError, match="two different doses"):
        dose_trend(frame, "chg", {"Placebo": 0, "Low": 0})
    with pytest.raises(ValueError, match="not estimable: .* age is constant among the 90 subjects"):
        ancova(frame.assign(age=70.0), "chg", ARMS, "Placebo", continuous=("base", "age"))
    with pytest.raises(ValueError, match="not estimable: .* site is constant"):
        ancova(frame.assign(site="S1"), "chg", ARMS, "Placebo", factors=("site",))
    with pytest.raises(ValueError, match="not estimable: .* base2 is collinear with intercept, base \\(the design"):
        ancova(frame.assign(base2=2 * frame["base"] + 1), "chg", ARMS, "Placebo", continuous=("base", "base2"))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(6, 40), seed=st.integers(0, 10_000), sites=st.integers(1, 4))
def test_any_small_trial_either_fits_or_says_why(n, seed, sites):
    frame = _trial(n=n, seed=seed, sites=sites)
    try:
        result = ancova(frame, "chg", ARMS, "Placebo", factors=("site",) if sites > 1 else ())
    except ValueError as error:
        assert "cannot be fitted" in str(error) or "complete values" in str(error)
        return
    assert result.n_used + result.n_dropped == n
    assert all(np.isfinite(m.estimate) for m in result.lsmeans)
