"""Power and sample size of a two-arm comparison, and what a claimed "n per group" depends on.

Two-sample t-test power from ``statsmodels.stats.power.TTestIndPower``
(:func:`power_curve`, :func:`sample_size`, :func:`effect_needed_for_n`), the
observed or a chosen effect (:func:`plan_next_trial`), and the n needed as a
function of the pre–post correlation ρ under three analyses of a follow-up
measure (:func:`n_by_correlation`): follow-up values alone (SD), change
scores (SD·√(2(1−ρ))) and ANCOVA on baseline (SD·√(1−ρ²), Borm et al. 2007).
:func:`judge_sample_size_claim` says whether a claim can be verified.  Tidy
frames only; sentences live in :mod:`cratus.appraisal.text`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.power import TTestIndPower

from cratus.stats.between_arms import Contrast, compare_arms, pooled_sd
from cratus.stats.within_arm import PLAUSIBLE_RHO, sd_change

#: The analyses of a follow-up measure compared by :func:`n_by_correlation`, and the SD each works with.
ANALYSES = {
    "follow_up": "follow-up values only (SD)",
    "change": "change from baseline (SD·√(2(1−ρ)))",
    "ancova": "ANCOVA on baseline (SD·√(1−ρ²))",
}
ANCOVA_REFERENCE = ("Borm GF, Fransen J, Lemmens WA. A simple sample size formula for analysis of covariance in "
                    "randomized clinical trials. J Clin Epidemiol 2007;60:1234-8")


def power_curve(effect_size, n_per_arm=range(5, 101), alpha=0.05, ratio=1.0, alternative="two-sided"):
    """Power of a two-sample t-test against n per arm (long format).

    >>> power_curve(0.5, [64], alpha=0.05).round(3)
       effect_size  n_per_arm  n_reference  alpha  power
    0          0.5         64         64.0   0.05  0.801
    """
    analysis = TTestIndPower()
    rows = [{"effect_size": float(d), "n_per_arm": int(n), "n_reference": n * ratio, "alpha": alpha,
             "power": float(analysis.power(abs(d), nobs1=n, alpha=alpha, ratio=ratio, alternative=alternative))}
            for d, n in itertools.product(np.atleast_1d(effect_size), n_per_arm)]
    return pd.DataFrame(rows)


def sample_size(effect_size, power=(0.8, 0.9), alpha=0.05, ratio=1.0, alternative="two-sided"):
    """Patients per arm for a two-sample t-test to reach the given power(s).

    >>> sample_size(0.5)[["power", "n_per_arm", "n_total"]]
       power  n_per_arm  n_total
    0    0.8         64      128
    1    0.9         86      172
    """
    if not effect_size or not math.isfinite(effect_size):
        raise ValueError(f"effect_size must be a non-zero number, got {effect_size!r}")
    rows = []
    for target in np.atleast_1d(power):
        analysis = TTestIndPower()
        if analysis.power(abs(effect_size), nobs1=2, alpha=alpha, ratio=ratio, alternative=alternative) >= target:
            exact = 2.0  # the smallest two-sample t-test already has the power (the solver would not converge)
        else:
            exact = float(analysis.solve_power(abs(effect_size), nobs1=None, alpha=alpha, power=target, ratio=ratio,
                                               alternative=alternative))
        n1, n2 = math.ceil(exact), math.ceil(exact * ratio)
        rows.append({"effect_size": effect_size, "power": float(target), "alpha": alpha, "n_per_arm_exact": exact,
                     "n_per_arm": n1, "n_reference": n2, "n_total": n1 + n2})
    return pd.DataFrame(rows)


def effect_needed_for_n(n_per_arm, power=0.8, alpha=0.05, ratio=1.0, alternative="two-sided"):
    """The standardized effect a trial of a given size detects with the given power.

    >>> effect_needed_for_n(30).round(3)
       n_per_arm  power  alpha  effect_size
    0         30    0.8   0.05        0.736
    """
    rows = [{"n_per_arm": int(n), "power": float(pw), "alpha": alpha,
             "effect_size": float(TTestIndPower().solve_power(None, nobs1=n, alpha=alpha, power=pw, ratio=ratio,
                                                              alternative=alternative))}
            for n, pw in itertools.product(np.atleast_1d(n_per_arm), np.atleast_1d(power))]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Effect:
    """An effect to plan for: a difference in the endpoint's unit and the SD it is measured against."""

    difference: float
    sd: float

    def __post_init__(self):
        if not self.sd > 0:
            raise ValueError(f"sd must be positive, got {self.sd!r}")


def plan_next_trial(summary, contrast: Contrast, arm_sizes, effect: Effect | None = None, power=(0.8, 0.9),
                    alpha=0.05, ratio=1.0):
    """Patients per arm needed to detect the observed (or a chosen) effect.

    By default the effect is the observed Cohen's d of *contrast*: the
    difference of arm means over the pooled SD from the summary.  When the
    text does not print one arm's numbers (or the effect is withheld), the
    rows say so in ``note``; pass an *effect* to plan from an assumed one
    instead.

    Returns
    -------
    pandas.DataFrame
        One row per power: ``endpoint, arm, reference, visit, difference, sd,
        effect_size, effect_source, power, alpha, n_per_arm, n_total, note``.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "walk", "level": None, "arm": "A", "visit": "w12",
    ...     "statistic": ["mean", "sd"], "value": [410.7, 155.4], "source": "Results"})
    >>> walk = Contrast("walk", "A", "P", "w12")
    >>> plan_next_trial(s, walk, {"A": 10, "P": 10}, power=0.8)["note"].iloc[0]
    'cannot be computed from the text: mean ± SD or median (IQR) not reported in the text'
    >>> plan_next_trial(s, walk, {}, Effect(64.8, 112.9))[["power", "n_per_arm"]]
       power  n_per_arm
    0    0.8         49
    1    0.9         65
    """
    note = ""
    if effect is not None:
        difference, sd, source = effect.difference, effect.sd, "a difference and SD you chose"
    else:
        res = compare_arms(summary, contrast, arm_sizes).iloc[0]
        source = f"observed Cohen's d ({res['method']})"
        difference, sd = res["mean"] - res["mean_reference"], math.nan
        if res["note"] or res["withheld"]:
            note, source = f"cannot be computed from the text: {res['note'] or res['withheld']}", ""
        else:
            sd = pooled_sd(res["sd"], res["n"], res["sd_reference"], res["n_reference"])
    d = difference / sd if not note else math.nan
    rows = []
    for target in np.atleast_1d(power):
        if math.isfinite(d) and d != 0:
            size = sample_size(d, target, alpha, ratio).iloc[0]
            n1, total = int(size["n_per_arm"]), int(size["n_total"])
        else:
            n1 = total = pd.NA
            note = note or "no difference: the sample size is unbounded"
        rows.append({"endpoint": contrast.endpoint, "arm": contrast.arm, "reference": contrast.reference,
                     "visit": contrast.visit,
                     "difference": difference, "sd": sd, "effect_size": d, "effect_source": source,
                     "power": float(target), "alpha": alpha, "n_per_arm": n1, "n_total": total, "note": note})
    return pd.DataFrame(rows)


def analysis_sd(sd, rho, analysis):
    """The SD an analysis works with at pre–post correlation *rho* (see :data:`ANALYSES`).

    >>> [round(analysis_sd(10.0, 0.5, a), 3) for a in ANALYSES]
    [10.0, 10.0, 8.66]
    """
    if analysis == "follow_up":
        return sd
    if analysis == "change":
        return sd_change(sd, sd, rho)  # = SD·√(2(1−ρ)) with equal SDs
    if analysis == "ancova":
        return sd * math.sqrt(1 - rho**2)
    raise ValueError(f"analysis {analysis!r} is not one of {', '.join(ANALYSES)}")


def n_by_correlation(difference, sd, correlations=np.round(np.arange(0, 0.951, 0.05), 2), power=0.8, alpha=0.05,
                     ratio=1.0):
    """Patients per arm to detect *difference* as a function of the pre–post correlation, per analysis.

    Assumes equal SDs at baseline and follow-up.  Change scores need fewer
    patients than follow-up values only when ρ > 0.5; ANCOVA never needs more
    than either (Borm et al. 2007; Frison & Pocock 1992).

    Returns
    -------
    pandas.DataFrame
        ``correlation, analysis, sd, effect_size, n_per_arm`` (long format).

    Examples
    --------
    >>> t = n_by_correlation(64.8, 112.9, [0.0, 0.5, 0.8])
    >>> t.pivot(index="correlation", columns="analysis", values="n_per_arm")[list(ANALYSES)].values.tolist()
    [[49, 97, 49], [49, 49, 37], [49, 21, 19]]
    """
    if not sd > 0:
        raise ValueError(f"sd must be positive, got {sd!r}")
    rows = []
    for rho, analysis in itertools.product(np.atleast_1d(correlations).astype(float), ANALYSES):
        used = analysis_sd(sd, rho, analysis)
        d = abs(difference) / used if used > 0 else math.inf
        n = int(sample_size(d, power, alpha, ratio)["n_per_arm"].iloc[0]) if math.isfinite(d) and d > 0 else pd.NA
        rows.append({"correlation": rho, "analysis": analysis, "sd": used, "effect_size": d, "n_per_arm": n})
    return pd.DataFrame(rows)


def judge_sample_size_claim(difference, sd, n_claimed, power=0.8, alpha=0.05, plausible=PLAUSIBLE_RHO):
    """Whether "n_claimed per group" for *difference* holds under every plausible reading, none, or some.

    The readings: follow-up values only, and change scores or ANCOVA at every
    pre–post correlation in *plausible*.  ``verdict`` is "enough under every
    reading", "too few under every reading" or "cannot be verified from the
    text" (the readings disagree).

    Returns
    -------
    dict
        ``verdict, n_low, n_high`` (the range of n per arm over the
        readings), ``readings`` (the :func:`n_by_correlation` frame used).

    Examples
    --------
    >>> found = judge_sample_size_claim(64.8, 112.9, 30)
    >>> found["verdict"], found["n_low"], found["n_high"]
    ('cannot be verified from the text', 11, 97)
    """
    grid = np.round(np.linspace(plausible[0], plausible[1], 19), 3)
    readings = n_by_correlation(difference, sd, grid, power, alpha)
    n = readings["n_per_arm"].dropna().astype(int)
    low, high = int(n.min()), int(n.max())
    if high <= n_claimed:
        verdict = "enough under every reading"
    elif low > n_claimed:
        verdict = "too few under every reading"
    else:
        verdict = "cannot be verified from the text"
    return {"verdict": verdict, "n_low": low, "n_high": high, "readings": readings}
