"""Kaplan–Meier, log-rank and Cox (cratus.stats.survival) against published R output and the product-limit formula.

Reference data: remission times of the 6-MP trial (Freireich et al. 1963; Gehan 1965; R's ``MASS::gehan``).
Published R output (survival package; also Kleinbaum & Klein, Survival Analysis, 3rd ed., ch. 2–4):
``summary(survfit(Surv(time, cens) ~ treat, gehan))`` (conf.type = "log", R's default),
``survdiff(...)`` Chisq = 16.8 on 1 df, p = 4.17e-05, and ``coxph(Surv(time, cens) ~ treat, gehan)`` (Efron ties):
coef (control vs 6-MP) 1.572, se 0.412, exp(coef) 4.817, p = 0.000138.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cratus.stats.survival import at_risk, kaplan_meier, time_to_event

SIX_MP = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1), (16, 1), (17, 0),
          (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0), (34, 0), (35, 0)]
CONTROL = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


@pytest.fixture(scope="module")
def gehan():
    rows = [(t, e, "6-MP") for t, e in SIX_MP] + [(t, 1, "control") for t in CONTROL]
    return pd.DataFrame(rows, columns=["aval", "event", "arm"])


def test_kaplan_meier_matches_r_survfit(gehan):
    rows = gehan[gehan["arm"] == "6-MP"]
    curve, median = kaplan_meier(rows["aval"], rows["event"], "6-MP", transform="log")
    # R: survival, lower and upper 95% CI (log) of the 6-MP arm at its event times 6, 7, 10, 13, 16, 22, 23.
    assert curve.times.tolist() == [6, 7, 10, 13, 16, 22, 23]
    assert curve.survival == pytest.approx([0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448], abs=5e-4)
    assert curve.ci_low == pytest.approx([0.720, 0.653, 0.586, 0.510, 0.439, 0.337, 0.249], abs=5e-4)
    assert curve.ci_high[1:] == pytest.approx([0.996, 0.968, 0.935, 0.896, 0.858, 0.807], abs=5e-4)
    # R: median 23, 0.95LCL 16, 0.95UCL NA; control median 8 (4, 12).
    assert (median.median, median.ci_low, np.isnan(median.ci_high)) == (23, 16, True)
    control = gehan[gehan["arm"] == "control"]
    _, m = kaplan_meier(control["aval"], control["event"], transform="log")
    assert (m.median, m.ci_low, m.ci_high, m.events) == (8, 4, 12, 21)
    # Censoring marks sit on the curve: the 6-MP arm's censored at 6 after the drop to 0.857.
    assert curve.censored_times[0] == 6 and curve.censored_survival[0] == pytest.approx(0.857, abs=5e-4)


def test_logrank_and_cox_match_r(gehan):
    result = time_to_event(gehan, ["control", "6-MP"], "control")
    assert result.logrank.chi2 == pytest.approx(16.8, abs=0.05)
    assert result.logrank.p_value == pytest.approx(4.17e-05, rel=1e-2)
    (hr,) = result.hazard_ratios
    assert hr.arm == "6-MP" and 1 / hr.hr == pytest.approx(4.817, abs=1e-3)
    assert np.log(hr.hr) == pytest.approx(-1.572, abs=1e-3) and hr.p_value == pytest.approx(0.000138, rel=1e-2)
    # Wald CI: exp(-1.572 ± 1.96 × 0.412)
    assert (hr.ci_low, hr.ci_high) == pytest.approx((np.exp(-1.572 - 1.96 * 0.412), np.exp(-1.572 + 1.96 * 0.412)),
                                                    rel=2e-3)
    assert result.logrank_vs_control[0].chi2 == pytest.approx(result.logrank.chi2)


def test_not_reached_and_at_risk(gehan):
    rows = gehan.assign(event=np.where(gehan["arm"] == "6-MP", 0, gehan["event"]))
    result = time_to_event(rows, ["control", "6-MP"], "control", at_times=[0, 10, 20])
    six = result.medians[1]
    assert six.arm == "6-MP" and not six.reached and six.events == 0
    # At risk: subjects whose time is ≥ t (counted from the data above: 6-MP ≥10 → 15, control ≥10 → 8).
    assert result.at_risk.loc[10].tolist() == [8, 15]
    assert at_risk(gehan, ["6-MP"], [35.0]).iloc[0, 0] == 1


def test_stratified_analysis_with_one_stratum_is_the_unstratified_one(gehan):
    plain = time_to_event(gehan, ["control", "6-MP"], "control")
    one = time_to_event(gehan.assign(site="A"), ["control", "6-MP"], "control", strata="site")
    assert one.logrank.chi2 == pytest.approx(plain.logrank.chi2)
    assert one.hazard_ratios[0].hr == pytest.approx(plain.hazard_ratios[0].hr, rel=1e-6)
    assert one.hazard_ratios[0].strata == "site"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=40))
def test_curve_is_the_product_limit_estimate(rows):
    # Kaplan & Meier (1958): S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ), written out here independently of statsmodels.
    times = np.array([t for t, _ in rows], float)
    events = np.array([e for _, e in rows], float)
    if not events.any():
        return
    curve, median = kaplan_meier(times, events)
    expected, s = [], 1.0
    for t in np.unique(times[events == 1]):
        s *= 1 - ((times == t) & (events == 1)).sum() / (times >= t).sum()
        expected.append(s)
    assert curve.survival == pytest.approx(expected)
    assert median.reached == (expected[-1] < 0.5)  # statsmodels: first time strictly below 0.5
    assert np.all((curve.ci_low <= curve.survival + 1e-12) | np.isnan(curve.ci_low))


def test_adjusted_and_stratified_cox_are_statsmodels_formula_models():
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame({"arm": rng.choice(["A", "B", "C"], n), "site": rng.choice(["s1", "s2", "s3"], n),
                          "age": rng.normal(70, 8, n)})
    rate = 0.05 * np.exp(frame["arm"].map({"A": 0, "B": 0.4, "C": 0.7}) + 0.02 * (frame["age"] - 70))
    time = rng.exponential(1 / rate)
    censor = rng.uniform(5, 40, n)
    frame = frame.assign(aval=np.minimum(time, censor), event=(time <= censor).astype(float))
    result = time_to_event(frame, ["A", "B", "C"], "A", covariates=("age", "site"), strata=None)
    # statsmodels' formula interface, Efron ties: an independent route to the same model
    fit = PHReg.from_formula("aval ~ C(arm, Treatment('A')) + age + C(site)", frame, status=frame["event"],
                             ties="efron").fit()
    names = fit.model.exog_names
    for hr in result.hazard_ratios:
        i = names.index(f"C(arm, Treatment('A'))[T.{hr.arm}]")
        assert np.log(hr.hr) == pytest.approx(fit.params[i], rel=1e-6)
        assert hr.p_value == pytest.approx(fit.pvalues[i], rel=1e-6)
    strat = time_to_event(frame, ["A", "B", "C"], "A", strata="site")
    fit = PHReg.from_formula("aval ~ C(arm, Treatment('A'))", frame, status=frame["event"], strata=frame["site"],
                             ties="efron").fit()
    assert [np.log(h.hr) for h in strat.hazard_ratios] == pytest.approx(list(fit.params), rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 20), st.booleans()), min_size=1,
                max_size=30))
def test_any_small_trial_gives_curves_or_a_clear_error(rows):
    """Arms with one subject, no event or only events; ties; time 0: never an exception other than ValueError."""
    import warnings

    frame = pd.DataFrame(rows, columns=["arm", "aval", "event"]).assign(event=lambda f: f["event"].astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = time_to_event(frame, ["A", "B", "C"], "A")
        except ValueError:
            return
    assert [c.arm for c in result.curves] == [a for a in "ABC" if a in set(frame["arm"])]
    assert all(m.n == (frame["arm"] == m.arm).sum() for m in result.medians)
    for hr in result.hazard_ratios:
        assert hr.hr >= 0 or (np.isnan(hr.hr) and hr.note)
        if hr.note.startswith("no event"):  # a likelihood without a maximum gives no estimate, not a huge one
            assert np.isnan(hr.hr)
