"""The mixed model for repeated measures (cratus.stats.mmrm) against independent computations.

References named per test:

* the closed form for complete data: with every subject measured at every visit and the same covariates at every
  visit (treatment, baseline, each by visit), generalised least squares under any covariance gives the per-visit
  OLS estimates (Zellner's seemingly-unrelated regressions with identical regressors), and under an unstructured
  covariance estimated by REML the standard errors too, with Σ the per-visit residuals' cross-products over the
  residual degrees of freedom — each per-visit fit is ``smf.ols("chg ~ C(arm, Treatment('P')) + base")``;
* statsmodels' formula interface, built independently of cratus' design matrix: ``smf.mixedlm(..., groups=,
  re_formula=)`` for both covariance structures on incomplete data with a site factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cratus.stats.mmrm import mmrm

ARMS = ["P", "L", "H"]
FORMULA = "chg ~ 0 + C(visit) + C(arm, Treatment('P')):C(visit) + base:C(visit)"


def _trial(n=120, seed=1, dropout=0.0):
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 3, n)
    base = rng.normal(20, 5, n)
    site = rng.choice(list("ABCD"), n)
    chol = np.array([[1, 0, 0], [0.6, 0.8, 0], [0.3, 0.5, 0.8]]) * 3
    noise = rng.normal(size=(n, 3)) @ chol.T
    rows = []
    for i in range(n):
        for v in range(3):
            if v > 0 and rng.random() < dropout:
                break  # monotone dropout
            rows.append({"usubjid": f"s{i:03d}", "arm": ARMS[arm[i]], "visit": f"V{v + 1}", "base": base[i],
                         "site": site[i], "chg": 0.5 * v - arm[i] * (v + 1) * 0.7 + 0.1 * base[i] + noise[i, v]})
    return pd.DataFrame(rows)


def test_complete_data_unstructured_equals_the_per_visit_ancovas():
    frame = _trial()
    result = mmrm(frame, "chg", ARMS, "P", covariance="unstructured")
    diffs = {(d.visit, d.arm): d for d in result.differences}
    residuals = []
    for visit, rows in frame.groupby("visit"):
        fit = smf.ols("chg ~ C(arm, Treatment('P')) + base", rows).fit()  # the closed form, visit by visit
        residuals.append(fit.resid.to_numpy())
        for arm in ("L", "H"):
            name = f"C(arm, Treatment('P'))[T.{arm}]"
            assert diffs[(visit, arm)].estimate == pytest.approx(fit.params[name], rel=1e-6)
            assert diffs[(visit, arm)].se == pytest.approx(fit.bse[name], rel=2e-4)
        # LS mean of the control: the prediction at the subjects' mean baseline
        lsmean = next(m for m in result.lsmeans if m.visit == visit and m.arm == "P")
        assert lsmean.estimate == pytest.approx(fit.params["Intercept"] + fit.params["base"] * rows["base"].mean())
    # Σ: the residuals' cross-products over the residual degrees of freedom (n − 4 per visit)
    r = np.column_stack(residuals)
    assert np.asarray(result.covariance_matrix) == pytest.approx(r.T @ r / (len(r) - 4), rel=2e-3)


def test_complete_data_compound_symmetry_has_the_same_estimates_and_pooled_errors():
    frame = _trial()
    result = mmrm(frame, "chg", ARMS, "P", covariance="compound symmetry")
    for d in result.differences:
        rows = frame[frame["visit"] == d.visit]
        fit = smf.ols("chg ~ C(arm, Treatment('P')) + base", rows).fit()  # GLS = OLS with identical regressors
        assert d.estimate == pytest.approx(fit.params[f"C(arm, Treatment('P'))[T.{d.arm}]"], rel=1e-6)
    sigma = np.asarray(result.covariance_matrix)
    assert np.allclose(np.diag(sigma), sigma[0, 0]) and np.allclose(sigma[~np.eye(3, dtype=bool)], sigma[0, 1])


@pytest.mark.parametrize("covariance, re_formula", [("unstructured", "0 + C(visit)"), ("compound symmetry", None)])
def test_incomplete_data_with_a_site_factor_equal_statsmodels_formula_interface(covariance, re_formula):
    frame = _trial(dropout=0.15, seed=4)
    result = mmrm(frame, "chg", ARMS, "P", factors=("site",), covariance=covariance)
    # statsmodels' formula interface, REML, the same mean model (site as a main effect)
    fit = smf.mixedlm(FORMULA + " + C(site)", frame, groups="usubjid", re_formula=re_formula).fit(reml=True)
    for d in result.differences:
        name = f"C(arm, Treatment('P'))[T.{d.arm}]:C(visit)[{d.visit}]"
        assert d.estimate == pytest.approx(fit.params[name], rel=1e-3, abs=1e-3)
        assert d.se == pytest.approx(fit.bse[name], rel=1e-2)
        assert d.p_value == pytest.approx(fit.pvalues[name], rel=5e-2, abs=1e-4)
    assert result.n_records == len(frame) and result.n_subjects == frame["usubjid"].nunique()
    assert "site" in result.formula and "arm * visit" in result.formula


def test_equal_weighting_moves_the_ls_means_not_the_differences():
    frame = _trial(seed=5)
    observed = mmrm(frame, "chg", ARMS, "P", factors=("site",), covariance="compound symmetry")
    equal = mmrm(frame, "chg", ARMS, "P", factors=("site",), covariance="compound symmetry", weighting="equal")
    assert [d.estimate for d in observed.differences] == pytest.approx([d.estimate for d in equal.differences])
    assert observed.lsmeans[0].estimate != pytest.approx(equal.lsmeans[0].estimate, abs=1e-9)


def test_what_cannot_be_estimated_says_why():
    frame = _trial(n=60)
    with pytest.raises(ValueError, match="not estimable: H has no value at V3"):
        mmrm(frame[~((frame["arm"] == "H") & (frame["visit"] == "V3"))], "chg", ARMS, "P")
    with pytest.raises(ValueError, match="not of full rank"):
        mmrm(frame.assign(age=70.0), "chg", ARMS, "P", continuous=("base", "age"))
    with pytest.raises(ValueError, match="at least two post-baseline visits"):
        mmrm(frame[frame["visit"] == "V1"], "chg", ARMS, "P")
    with pytest.raises(ValueError, match="lack: sex"):
        mmrm(frame, "chg", ARMS, "P", factors=("sex",))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ARMS), st.integers(1, 3), st.floats(-5, 5), st.sampled_from("AB")),
                min_size=0, max_size=30), st.sampled_from(["unstructured", "compound symmetry", "GEE unstructured"]))
def test_any_small_trial_gives_numbers_or_says_why(records, covariance):
    frame = pd.DataFrame([{"usubjid": f"s{i % 9}", "arm": ARMS[i % 9 % 3], "visit": f"V{v}", "chg": y + 0.1 * i,
                           "base": float(i % 9), "site": s} for i, (_, v, y, s) in enumerate(records)],
                         columns=["usubjid", "arm", "visit", "chg", "base", "site"])
    frame = frame.drop_duplicates(["usubjid", "visit"])
    try:
        result = mmrm(frame, "chg", ARMS, "P", factors=("site",), covariance=covariance)
    except ValueError as error:
        assert str(error).startswith("not estimable") or "lack" in str(error)
        return
    assert all(np.isfinite(m.estimate) and m.se >= 0 for m in result.lsmeans)


def test_complete_data_gee_unstructured_equals_the_per_visit_ols_with_robust_errors():
    frame = _trial(seed=6)
    result = mmrm(frame, "chg", ARMS, "P", covariance="GEE unstructured")
    for d in result.differences:
        rows = frame[frame["visit"] == d.visit]
        # the closed form: per-visit OLS with White's HC0 errors (GEE's sandwich with identical regressors)
        fit = smf.ols("chg ~ C(arm, Treatment('P')) + base", rows).fit(cov_type="HC0")
        name = f"C(arm, Treatment('P'))[T.{d.arm}]"
        assert d.estimate == pytest.approx(fit.params[name], rel=1e-4)
        assert d.se == pytest.approx(fit.bse[name], rel=1e-3)


def test_incomplete_data_gee_equals_statsmodels_formula_interface():
    from statsmodels.genmod.cov_struct import Unstructured

    frame = _trial(dropout=0.15, seed=7).sort_values(["usubjid", "visit"])
    result = mmrm(frame, "chg", ARMS, "P", factors=("site",), covariance="GEE unstructured")
    time = frame["visit"].str[1:].astype(int).to_numpy() - 1
    # statsmodels' formula interface: smf.gee(..., cov_struct=Unstructured(), time=visit position)
    fit = smf.gee(FORMULA + " + C(site)", "usubjid", frame, time=time, cov_struct=Unstructured()).fit()
    for d in result.differences:
        name = f"C(arm, Treatment('P'))[T.{d.arm}]:C(visit)[{d.visit}]"
        assert d.estimate == pytest.approx(fit.params[name], rel=1e-6)
        assert d.se == pytest.approx(fit.bse[name], rel=1e-6)
    assert "missing completely at random" in result.words() and "not the likelihood-based MMRM" in result.words()


def test_the_unstructured_fit_is_not_tried_where_statsmodels_would_take_minutes():
    frame = _trial(n=3_400)  # 3 visits: 6 covariance parameters, 3,400 × 36 beyond the budget of 120,000
    with pytest.raises(ValueError, match="not computed here: .* would take minutes"):
        mmrm(frame, "chg", ARMS, "P")
