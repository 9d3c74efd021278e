"""Critical appraisal of the published numbers: effect sizes, multiplicity, power.

Everything here works from the summary statistics the paper prints (the
trial's raw data are not public), so every function states what it had to
assume.  Numbers the text does not print are never invented: a comparison that
needs them returns a row whose ``note`` says they are not reported.

Frames used (see ``data/``): the *summary* frame (``endpoint, level, arm,
visit, statistic, value, source, quote``), the *p_values* frame (``endpoint,
arm, comparison, visit, p_value, relation, source, quote``) and the endpoint
dictionary (``endpoint, label, unit, domain, ...``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower

from cratus.arms import ARMS, VISITS
from cratus.multiplicity import FAMILY_LABELS, adjust_p_values, multiplicity_families  # noqa: F401
from cratus.formatting import NOT_REPORTED, decimals_of, format_number

WAN_METHOD = "Wan et al. 2014 approximation from median (IQR)"
WAN_REFERENCE = (
    "Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard "
    "deviation from the sample size, median, range and/or interquartile range. "
    "BMC Med Res Methodol 2014;14:135 (scenario S2)"
)
WELCH_METHOD = "Welch t-test from mean ± SD"
COMPARISON_COLUMNS = [
    "endpoint", "visit", "arm", "reference", "n", "n_reference", "n_source", "mean", "sd",
    "mean_reference", "sd_reference", "estimate", "ci_low", "ci_high", "t", "df", "p_value",
    "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "method", "note",
]
#: Pre-post correlations regarded as plausible for repeated measures of one
#: person six months apart (test-retest reliabilities of gait, spirometry and
#: immune markers are mostly 0.5-0.95; negative values would be unusual).
PLAUSIBLE_CORRELATION = (0.0, 0.95)


# --------------------------------------------------------------------------
# Two independent arms
# --------------------------------------------------------------------------
def compare_arms_from_stats(mean1, sd1, n1, mean2, sd2, n2, confidence=0.95):
    """Compare two independent groups from their means, SDs and sizes.

    Welch's t-test (``scipy.stats.ttest_ind_from_stats`` with
    ``equal_var=False``), the mean difference ``mean1 - mean2`` with a Welch
    confidence interval (Welch-Satterthwaite degrees of freedom), and Hedges'
    g with a large-sample interval: ``d`` uses the pooled SD, ``g = J d`` with
    ``J = 1 - 3 / (4 (n1 + n2) - 9)``, ``Var(g) = J² ((n1 + n2) / (n1 n2) +
    d² / (2 (n1 + n2)))`` (Hedges & Olkin 1985; Borenstein et al. 2009,
    *Introduction to Meta-Analysis*, eqs 4.18-4.24).

    Parameters
    ----------
    mean1, sd1, n1 : float
        Mean, standard deviation and size of the first group.
    mean2, sd2, n2 : float
        The same for the reference group.
    confidence : float
        Confidence level of both intervals.

    Returns
    -------
    pandas.DataFrame
        One row: ``n1, n2, estimate`` (mean difference), ``ci_low, ci_high,
        t, df, p_value, hedges_g, hedges_g_ci_low, hedges_g_ci_high, method``.

    Examples
    --------
    Borenstein et al. (2009), section 4.3: d = 0.5970, g = 0.5924.

    >>> res = compare_arms_from_stats(103, 5.5, 50, 100, 4.5, 50)
    >>> res[["estimate", "hedges_g", "hedges_g_ci_low"]].round(4)
       estimate  hedges_g  hedges_g_ci_low
    0         3    0.5924           0.1949
    """
    for name, value in {"sd1": sd1, "sd2": sd2}.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")
    for name, value in {"n1": n1, "n2": n2}.items():
        if not value >= 2:
            raise ValueError(f"{name} must be at least 2, got {value!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    welch = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=False)
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    diff = mean1 - mean2
    sd_pooled = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    d = diff / sd_pooled
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    se_g = j * math.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return pd.DataFrame([{
        "n1": n1, "n2": n2, "estimate": diff, "ci_low": diff - half, "ci_high": diff + half,
        "t": float(welch.statistic), "df": df, "p_value": float(welch.pvalue),
        "hedges_g": j * d, "hedges_g_ci_low": j * d - z * se_g,
        "hedges_g_ci_high": j * d + z * se_g, "method": WELCH_METHOD,
    }])


def estimate_from_median_iqr(median, q1, q3, n):
    """Approximate a mean and SD from a median, quartiles and sample size.

    Wan et al. (2014), scenario S2: mean ≈ (q1 + median + q3) / 3 and
    SD ≈ (q3 - q1) / (2 Φ⁻¹((0.75 n - 0.125) / (n + 0.25))).  The result is
    an approximation that assumes a roughly normal underlying distribution;
    for skewed data (e.g. CHAMPS kcal/week) treat it with caution.

    Parameters
    ----------
    median, q1, q3 : float
        Median and first and third quartiles.
    n : int
        Sample size (at least 2).

    Returns
    -------
    pandas.DataFrame
        One row: ``mean, sd, n, method, reference``.

    Examples
    --------
    >>> estimate_from_median_iqr(10.5, 9.0, 12.0, 10)[["mean", "sd"]].round(3)
       mean    sd
    0  10.5  2.58
    """
    if not n >= 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    if not q1 <= median <= q3:
        raise ValueError(f"need q1 <= median <= q3, got q1={q1!r}, median={median!r}, q3={q3!r}")
    eta = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    return pd.DataFrame([{
        "mean": (q1 + median + q3) / 3, "sd": (q3 - q1) / eta, "n": n,
        "method": WAN_METHOD, "reference": WAN_REFERENCE,
    }])


def _check_columns(frame, columns, name):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks column(s) {missing}")


def _pick(summary, endpoint, arm, visit, statistic):
    """The value of one statistic; of duplicates, the most precise print."""
    rows = summary[(summary["endpoint"] == endpoint) & (summary["arm"] == arm)
                   & (summary["visit"] == visit) & (summary["statistic"] == statistic)]
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return None
    if "printed" in rows:  # the loader keeps the printed text, trailing zeros included
        precision = rows["printed"].fillna("").astype(str).map(decimals_of)
    else:
        precision = rows["value"].map(lambda v: decimals_of(format_number(v)))
    return rows.assign(_p=precision).sort_values("_p", ascending=False, kind="stable").iloc[0]


def lookup_n(summary, endpoint, arm, visit):
    """The n behind one arm's numbers, and where it came from.

    The text prints no n per endpoint, so unless the summary holds an ``n``
    row for the endpoint, the arm size from ``participants`` is assumed.
    That overstates n for subgroup endpoints (SQOL-F: women only, 4 per arm
    in Table 1) and after drop-outs; pass n explicitly there.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    endpoint, arm, visit : str
        Which numbers.

    Returns
    -------
    pandas.DataFrame
        One row: ``endpoint, arm, visit, n, n_source``; ``n`` is NaN when not
        even the arm size is known.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants"], "level": [None],
    ...     "arm": ["100M"], "visit": ["baseline"], "statistic": ["n"],
    ...     "value": [10.0], "source": ["Table 1"], "quote": [""]})
    >>> found = lookup_n(s, "six_minute_walk", "100M", "month6")
    >>> float(found.loc[0, "n"]), found.loc[0, "n_source"]
    (10.0, 'assumed: arm size from participants (no n printed for this endpoint)')
    """
    row = _pick(summary, endpoint, arm, visit, "n")
    if row is not None:
        return pd.DataFrame([{"endpoint": endpoint, "arm": arm, "visit": visit,
                              "n": float(row["value"]), "n_source": f"reported ({row['source']})"}])
    size = summary[(summary["endpoint"] == "participants") & (summary["arm"] == arm)
                   & (summary["statistic"] == "n")]["value"].dropna()
    if size.empty:
        n, source = math.nan, NOT_REPORTED
    else:
        n, source = float(size.iloc[0]), "assumed: arm size from participants (no n printed for this endpoint)"
    return pd.DataFrame([{"endpoint": endpoint, "arm": arm, "visit": visit, "n": n, "n_source": source}])


def _arm_stats(summary, endpoint, arm, visit, n):
    """mean, sd, n, n_source, method for one arm, or a note if unreported."""
    if n is None:
        found = lookup_n(summary, endpoint, arm, visit).iloc[0]
        n, n_source = found["n"], found["n_source"]
    else:
        n_source = "given"
    mean, sd = (_pick(summary, endpoint, arm, visit, s) for s in ("mean", "sd"))
    if mean is not None and sd is not None:
        return {"mean": mean["value"], "sd": sd["value"], "n": n, "n_source": n_source,
                "method": WELCH_METHOD, "note": ""}
    med, q1, q3 = (_pick(summary, endpoint, arm, visit, s) for s in ("median", "q1", "q3"))
    if med is not None and q1 is not None and q3 is not None and n >= 2:
        wan = estimate_from_median_iqr(med["value"], q1["value"], q3["value"], n).iloc[0]
        return {"mean": wan["mean"], "sd": wan["sd"], "n": n, "n_source": n_source,
                "method": WAN_METHOD, "note": ""}
    return {"mean": math.nan, "sd": math.nan, "n": n, "n_source": n_source, "method": "",
            "note": f"{endpoint} {arm} {visit}: mean ± SD or median (IQR) {NOT_REPORTED}"}


def _validate_choice(value, allowed, column):
    if value not in allowed:
        raise ValueError(f"{column} {value!r} is not one of {sorted(allowed)}")


def compare_arms(summary, endpoint, arm, reference="placebo", visit="month6",
                 n=None, n_reference=None, confidence=0.95):
    """Compare one arm with another at one visit from the printed summaries.

    Mean ± SD endpoints go straight to :func:`compare_arms_from_stats`;
    median (IQR) endpoints are first converted with
    :func:`estimate_from_median_iqr` and ``method`` says so.  Of values printed
    twice (Table 1 and Results), the more precise print is used.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    endpoint : str
        Endpoint code, e.g. ``"six_minute_walk"``.
    arm, reference : str
        The arm and the arm it is compared with (``100M``, ``200M``, ``placebo``).
    visit : str
        ``baseline``, ``month1``, ``month6`` or ``month12``.
    n, n_reference : int, optional
        Group sizes; by default looked up with :func:`lookup_n` (the arm
        size is assumed, and ``n_source`` says so).
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``endpoint, visit, arm, reference, n, n_reference, n_source,
        mean, sd, mean_reference, sd_reference`` and the columns of
        :func:`compare_arms_from_stats`, plus ``note`` (non-empty, with NaN
        statistics, when the text does not report the numbers).

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "age", "level": None,
    ...     "arm": ["100M", "100M", "placebo", "placebo"], "visit": "baseline",
    ...     "statistic": ["mean", "sd", "mean", "sd"],
    ...     "value": [75.0, 7.4, 75.3, 6.8], "source": "Table 1", "quote": ""})
    >>> res = compare_arms(s, "age", "100M", visit="baseline", n=10, n_reference=10)
    >>> res[["estimate", "ci_low", "ci_high", "p_value"]].round(3)
       estimate  ci_low  ci_high  p_value
    0      -0.3   -6.98     6.38    0.926
    """
    _check_columns(summary, ["endpoint", "arm", "visit", "statistic", "value", "source"], "summary")
    if endpoint not in set(summary["endpoint"]):
        raise ValueError(f"endpoint {endpoint!r} is not in the summary frame")
    for column, value in (("arm", arm), ("reference", reference)):
        _validate_choice(value, set(ARMS), column)
    _validate_choice(visit, set(VISITS), "visit")
    a = _arm_stats(summary, endpoint, arm, visit, n)
    b = _arm_stats(summary, endpoint, reference, visit, n_reference)
    head = {"endpoint": endpoint, "visit": visit, "arm": arm, "reference": reference,
            "n": a["n"], "n_reference": b["n"],
            "n_source": a["n_source"] if a["n_source"] == b["n_source"]
            else f"{a['n_source']}; reference: {b['n_source']}",
            "mean": a["mean"], "sd": a["sd"], "mean_reference": b["mean"], "sd_reference": b["sd"]}
    note = "; ".join(x for x in (a["note"], b["note"]) if x)
    if not note and not (a["n"] >= 2 and b["n"] >= 2):
        note = f"n {NOT_REPORTED}"
    if note:
        return pd.DataFrame([{**head, "method": "", "note": note}], columns=COMPARISON_COLUMNS)
    res = compare_arms_from_stats(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"], confidence)
    res["method"] = WAN_METHOD if WAN_METHOD in (a["method"], b["method"]) else WELCH_METHOD
    out = pd.concat([pd.DataFrame([head]), res.drop(columns=["n1", "n2"])], axis=1)
    return out.assign(note="")[COMPARISON_COLUMNS]


def compare_all_arms(summary, n=None, confidence=0.95, only_computable=True):
    """Every (endpoint, visit, pair of arms) comparison the summary allows.

    Pairs are 100M vs placebo, 200M vs placebo and 100M vs 200M.  Baseline
    comparisons describe the randomisation, not an effect of treatment.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    n : int, optional
        One size for every arm; by default looked up per arm (:func:`lookup_n`).
    confidence : float
        Confidence level.
    only_computable : bool
        Drop pairs for which the text lacks one arm's numbers (otherwise they
        are listed with a ``note``).

    Returns
    -------
    pandas.DataFrame
        Rows as in :func:`compare_arms`.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "cd25", "level": None,
    ...     "arm": ["100M", "100M", "200M", "200M"], "visit": "month6",
    ...     "statistic": ["mean", "sd", "mean", "sd"],
    ...     "value": [6.9, 3.30, 8.0, 4.64], "source": "Results", "quote": ""})
    >>> compare_all_arms(s, n=10)[["arm", "reference", "estimate", "p_value"]].round(3)
        arm reference  estimate  p_value
    0  100M      200M      -1.1     0.55
    """
    has_numbers = summary[summary["statistic"].isin(["mean", "median"])
                          & summary["arm"].isin(ARMS) & (summary["endpoint"] != "participants")]
    rows = []
    for (endpoint, visit), _ in has_numbers.groupby(["endpoint", "visit"], sort=False):
        for arm, reference in (("100M", "placebo"), ("200M", "placebo"), ("100M", "200M")):
            rows.append(compare_arms(summary, endpoint, arm, reference, visit, n, n, confidence))
    if not rows:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    return out[out["note"] == ""].reset_index(drop=True) if only_computable else out


# --------------------------------------------------------------------------
# Within-arm change
# --------------------------------------------------------------------------
def _sd_change(sd_pre, sd_post, r):
    return math.sqrt(max(sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post, 0.0))


def _paired_p(diff, sd_change, n):
    if sd_change == 0:
        return 0.0 if diff != 0 else 1.0
    return float(2 * stats.t.sf(abs(diff) / (sd_change / math.sqrt(n)), n - 1))


def change_sensitivity(mean_pre, sd_pre, mean_post, sd_post, n,
                       correlations=np.arange(0, 0.951, 0.05), confidence=0.95):
    """Paired-t results for a within-arm change over assumed pre-post correlations.

    The paper prints mean ± SD before and after, and a paired p-value, but
    not the SD of the change, which depends on the unknown correlation r:
    ``sd_change = sqrt(sd_pre² + sd_post² - 2 r sd_pre sd_post)``.

    Parameters
    ----------
    mean_pre, sd_pre, mean_post, sd_post : float
        Printed summaries at the two visits.
    n : int
        Number of pairs (the text prints none; the arm size is the usual guess).
    correlations : array-like of float
        Correlations in [-1, 1] to try.
    confidence : float
        Confidence level of the interval of the mean change.

    Returns
    -------
    pandas.DataFrame
        One row per correlation: ``correlation, n, sd_change, estimate``
        (post - pre), ``ci_low, ci_high`` (t with n - 1 df), ``t, df, p_value``.

    Examples
    --------
    >>> res = change_sensitivity(345.9, 103.4, 410.7, 155.4, 10, [0.5, 0.9])
    >>> res[["correlation", "sd_change", "p_value"]].round(3)
       correlation  sd_change  p_value
    0          0.5    137.012    0.169
    1          0.9     76.926    0.026
    """
    if not n >= 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    rows = []
    diff = mean_post - mean_pre
    for r in np.atleast_1d(correlations).astype(float):
        if not -1 <= r <= 1:
            raise ValueError(f"correlation must lie in [-1, 1], got {r!r}")
        sd = _sd_change(sd_pre, sd_post, r)
        se = sd / math.sqrt(n)
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
        rows.append({"correlation": r, "n": n, "sd_change": sd, "estimate": diff,
                     "ci_low": diff - half, "ci_high": diff + half,
                     "t": diff / se if se > 0 else math.copysign(math.inf, diff),
                     "df": n - 1, "p_value": _paired_p(diff, sd, n)})
    return pd.DataFrame(rows)


def _solve_r(diff, sd_pre, sd_post, n, p):
    """The r at which the paired p-value equals p (p falls as r rises)."""
    def gap(r):
        return _paired_p(diff, _sd_change(sd_pre, sd_post, r), n) - p
    lo, hi = gap(-1.0), gap(1.0)
    if lo < 0:
        return -math.inf  # even r = -1 gives a smaller p than this
    if hi > 0:
        return math.inf  # even r = 1 cannot make p this small
    return optimize.brentq(gap, -1.0, 1.0, xtol=1e-10)


def _p_decimals(p):
    """Decimals of a printed p-value (12 for a p-value given in full)."""
    return next((d for d in range(1, 12) if abs(round(p, d) - p) < 1e-12), 12)


def back_calculate_correlation(mean_pre, sd_pre, mean_post, sd_post, n, p_value,
                               relation="=", decimals=None, plausible=PLAUSIBLE_CORRELATION):
    """Find the pre-post correlation that reproduces a published paired p-value.

    Solves ``p(r) = p_value`` for r with ``scipy.optimize.brentq``; the
    paired-t p-value falls monotonically as r rises.  Printed numbers are
    rounded, so the answer is an interval: a printed "p = .011" stands for any
    p in [.0105, .0115], and with ``decimals`` the two means are taken as
    rounded to that many places (which matters when the change is small, as
    for FEV1 2.5 to 2.6 L).  For ``relation="<"`` (e.g. "p < .0001") only a
    lower bound on r follows.  When no r in [-1, 1] reproduces the p-value,
    ``consistent`` is False and ``note`` says why: the printed numbers then
    cannot come from a paired t-test on n pairs (fewer patients may have been
    measured, the test may have been another, or "±" may be an SEM).

    The correlation is called plausible when the consistent interval
    overlaps ``plausible`` (by default 0 to 0.95): two measures of one person
    six months apart are positively correlated, but almost never
    near-perfectly, and a negative correlation would be odd.

    Parameters
    ----------
    mean_pre, sd_pre, mean_post, sd_post : float
        Printed summaries.
    n : int
        Number of pairs.
    p_value : float
        The published p-value (or bound).
    relation : {"=", "<"}
        How the p-value is printed.
    decimals : int, optional
        Decimals to which the means are printed; by default they are exact.
    plausible : tuple of float
        Range of correlations called plausible.

    Returns
    -------
    pandas.DataFrame
        One row: ``n, p_value, relation, correlation`` (NaN for bounds),
        ``correlation_low, correlation_high`` (the interval consistent with
        the printed rounding), ``sd_change`` (at ``correlation``),
        ``consistent, plausible, note``.

    Examples
    --------
    >>> res = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011)
    >>> res[["correlation", "correlation_low", "correlation_high", "plausible"]].round(3)
       correlation  correlation_low  correlation_high  plausible
    0        0.956            0.954             0.958      False
    """
    _validate_choice(relation, {"=", "<"}, "relation")
    if not 0 < p_value <= 1:
        raise ValueError(f"p_value must lie in (0, 1], got {p_value!r}")
    if not n >= 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    diff = abs(mean_post - mean_pre)
    slack = 0.0 if decimals is None else 10.0**-decimals  # each mean ± half a unit
    if relation == "=":
        half = 0.5 * 10.0 ** -_p_decimals(p_value)
        p_high, p_low = min(p_value + half, 1.0), max(p_value - half, 0.0)
        r = _solve_r(diff, sd_pre, sd_post, n, p_value)
    else:
        p_high, p_low, r = p_value, 0.0, math.nan
    # the largest change with the largest p needs the smallest r, and vice versa
    r_low = _solve_r(diff + slack, sd_pre, sd_post, n, p_high)
    r_high = _solve_r(max(diff - slack, 0.0), sd_pre, sd_post, n, p_low)
    consistent = not (r_low == math.inf or r_high == -math.inf or r_low > r_high)
    low, high = (max(r_low, -1.0), min(r_high, 1.0)) if consistent else (math.nan, math.nan)
    sign = "=" if relation == "=" else "<"
    if not consistent:
        p_min = _paired_p(diff, abs(sd_pre - sd_post), n)
        p_max = _paired_p(diff, sd_pre + sd_post, n)
        note = (f"no correlation in [-1, 1] reproduces p {sign} {p_value}: with these numbers and "
                f"n = {n}, a paired t-test gives p between {p_min:.2g} (r = 1) and {p_max:.2g} (r = -1)")
    elif relation == "<":
        note = f"p < {p_value} holds for every correlation above {low:.3f}"
    else:
        note = ""
    return pd.DataFrame([{
        "n": n, "p_value": p_value, "relation": relation,
        "correlation": r if math.isfinite(r) else math.nan,
        "correlation_low": low, "correlation_high": high,
        "sd_change": _sd_change(sd_pre, sd_post, r) if math.isfinite(r) else math.nan,
        "consistent": consistent,
        "plausible": bool(consistent and low <= plausible[1] and high >= plausible[0]),
        "note": note,
    }])


# --------------------------------------------------------------------------
# Power and sample size
# --------------------------------------------------------------------------
def power_curve(effect_size, n_per_arm=range(5, 101), alpha=0.05, ratio=1.0,
                alternative="two-sided"):
    """Power of a two-sample t-test against n per arm.

    Parameters
    ----------
    effect_size : float or array-like
        Standardized difference(s) (Cohen's d).
    n_per_arm : array-like of int
        Sizes of the first arm; the other has ``n * ratio``.
    alpha : float
        Significance level.
    ratio : float
        Size of the reference arm relative to the first.
    alternative : {"two-sided", "larger", "smaller"}
        As in ``statsmodels.stats.power.TTestIndPower``.

    Returns
    -------
    pandas.DataFrame
        ``effect_size, n_per_arm, n_reference, alpha, power`` (long format).

    Examples
    --------
    >>> power_curve(0.5, [64], alpha=0.05).round(3)
       effect_size  n_per_arm  n_reference  alpha  power
    0          0.5         64         64.0   0.05  0.801
    """
    analysis = TTestIndPower()
    rows = [{"effect_size": float(d), "n_per_arm": int(n), "n_reference": n * ratio, "alpha": alpha,
             "power": float(analysis.power(abs(d), nobs1=n, alpha=alpha, ratio=ratio,
                                           alternative=alternative))}
            for d, n in itertools.product(np.atleast_1d(effect_size), n_per_arm)]
    return pd.DataFrame(rows)


def sample_size(effect_size, power=(0.8, 0.9), alpha=0.05, ratio=1.0, alternative="two-sided"):
    """Patients per arm for a two-sample t-test to reach the given power.

    Parameters
    ----------
    effect_size : float
        Standardized difference (Cohen's d); its sign is ignored.
    power : float or sequence of float
        Target power(s).
    alpha : float
        Significance level.
    ratio : float
        Size of the reference arm relative to the first.
    alternative : {"two-sided", "larger", "smaller"}
        As in ``TTestIndPower``.

    Returns
    -------
    pandas.DataFrame
        ``effect_size, power, alpha, n_per_arm_exact, n_per_arm`` (rounded
        up), ``n_reference, n_total``.

    Examples
    --------
    >>> sample_size(0.5)[["power", "n_per_arm", "n_total"]]
       power  n_per_arm  n_total
    0    0.8         64      128
    1    0.9         86      172
    """
    if not effect_size or not math.isfinite(effect_size):
        raise ValueError(f"effect_size must be a non-zero number, got {effect_size!r}")
    rows = []
    for target in np.atleast_1d(power):
        exact = float(TTestIndPower().solve_power(abs(effect_size), nobs1=None, alpha=alpha,
                                                  power=target, ratio=ratio, alternative=alternative))
        n1, n2 = math.ceil(exact), math.ceil(exact * ratio)
        rows.append({"effect_size": effect_size, "power": float(target), "alpha": alpha,
                     "n_per_arm_exact": exact, "n_per_arm": n1, "n_reference": n2, "n_total": n1 + n2})
    return pd.DataFrame(rows)


def effect_needed_for_n(n_per_arm, power=0.8, alpha=0.05, ratio=1.0, alternative="two-sided"):
    """The standardized effect a trial of a given size detects with given power.

    Parameters
    ----------
    n_per_arm : int or sequence of int
        Size(s) of the first arm.
    power : float or sequence of float
        Target power(s).
    alpha, ratio, alternative
        As in :func:`sample_size`.

    Returns
    -------
    pandas.DataFrame
        ``n_per_arm, power, alpha, effect_size``.

    Examples
    --------
    >>> effect_needed_for_n(30).round(3)
       n_per_arm  power  alpha  effect_size
    0         30    0.8   0.05        0.736
    """
    rows = [{"n_per_arm": int(n), "power": float(pw), "alpha": alpha,
             "effect_size": float(TTestIndPower().solve_power(None, nobs1=n, alpha=alpha, power=pw,
                                                              ratio=ratio, alternative=alternative))}
            for n, pw in itertools.product(np.atleast_1d(n_per_arm), np.atleast_1d(power))]
    return pd.DataFrame(rows)


def plan_next_trial(summary, endpoint, arm="100M", reference="placebo", visit="month6",
                    difference=None, sd=None, power=(0.8, 0.9), alpha=0.05, ratio=1.0,
                    n=None, n_reference=None):
    """Patients per arm needed to detect the observed (or a chosen) effect.

    By default the effect is the observed Cohen's d at ``visit``: the
    difference of arm means over the pooled SD, from the summary (median-IQR
    endpoints via :func:`estimate_from_median_iqr`).  When the text does not
    print one arm's numbers, the row says the effect cannot be computed from
    the text; pass ``difference`` and ``sd`` to plan from an assumed effect
    instead (e.g. the 100M 6MWT change 410.7 - 345.9 = 64.8 m over the
    baseline SD).

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    endpoint, arm, reference, visit : str
        The contrast, as in :func:`compare_arms`.
    difference, sd : float, optional
        A user-given raw difference and SD; both or neither.
    power : float or sequence of float
        Target power(s).
    alpha, ratio
        As in :func:`sample_size`.
    n, n_reference : int, optional
        Group sizes behind the observed SDs (for the pooled SD).

    Returns
    -------
    pandas.DataFrame
        One row per power: ``endpoint, arm, reference, visit, difference, sd,
        effect_size, effect_source, power, alpha, n_per_arm, n_total, note``.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "six_minute_walk", "level": None,
    ...     "arm": "100M", "visit": "month6", "statistic": ["mean", "sd"],
    ...     "value": [410.7, 155.4], "source": "Results", "quote": ""})
    >>> plan_next_trial(s, "six_minute_walk", power=0.8)["note"].iloc[0]
    'cannot be computed from the text: six_minute_walk placebo month6: mean ± SD or median (IQR) not reported in the text'
    >>> plan_next_trial(s, "six_minute_walk", difference=64.8, sd=112.9)[["power", "n_per_arm"]]
       power  n_per_arm
    0    0.8         49
    1    0.9         65
    """
    if (difference is None) != (sd is None):
        raise ValueError("give both difference and sd, or neither")
    head = {"endpoint": endpoint, "arm": arm, "reference": reference, "visit": visit}
    note = ""
    if difference is not None:
        if not sd > 0:
            raise ValueError(f"sd must be positive, got {sd!r}")
        source = "user-given difference / SD"
    else:
        res = compare_arms(summary, endpoint, arm, reference, visit, n, n_reference).iloc[0]
        difference, source = res["mean"] - res["mean_reference"], f"observed Cohen's d ({res['method']})"
        sd = math.sqrt(((res["n"] - 1) * res["sd"] ** 2 + (res["n_reference"] - 1)
                        * res["sd_reference"] ** 2) / (res["n"] + res["n_reference"] - 2))
        if res["note"]:
            note, source = f"cannot be computed from the text: {res['note']}", ""
    d = difference / sd if not note else math.nan
    rows = []
    for target in np.atleast_1d(power):
        if math.isfinite(d) and d != 0:
            size = sample_size(d, target, alpha, ratio).iloc[0]
            n1, total = int(size["n_per_arm"]), int(size["n_total"])
        else:
            n1 = total = pd.NA
            note = note or "no difference: the sample size is unbounded"
        rows.append({**head, "difference": difference, "sd": sd, "effect_size": d,
                     "effect_source": source, "power": float(target), "alpha": alpha,
                     "n_per_arm": n1, "n_total": total, "note": note})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Reading aids: within-arm results, sentences and display tables
# --------------------------------------------------------------------------
#: Endpoints measured in a subgroup of each arm, and the Table 1 level that
#: counts it (SQOL-F: women only; IIEF: men only).
SUBGROUPS = {"sqol_f": ("sex", "female"), "iief": ("sex", "male")}

#: Families :func:`adjust_p_values` understands besides the single domains.

_MINUS = "\u2212"


def format_p_value(p_value, relation="=", printed=None):
    """A p-value for reading: no leading zero, at most four decimals.

    Published values keep their printed digits (``printed``); computed ones
    get three decimals (four below .001) and "<.0001" below that.

    Examples
    --------
    >>> format_p_value(0.011), format_p_value(0.00811862), format_p_value(0.00034), format_p_value(3e-7)
    ('.011', '.0081', '.0003', '<.0001')
    >>> format_p_value(0.00001, "<", printed="0.00001"), format_p_value(1.0)
    ('<.00001', '>.999')
    """
    if printed:
        text = str(printed).strip()
        text = text[1:] if text.startswith("0.") else text
        return f"<{text}" if relation == "<" else text
    if p_value is None or pd.isna(p_value):
        return ""
    if relation == "<":  # a bound: all its digits (.00001)
        text = f"{p_value:.10f}".rstrip("0").rstrip(".")
        return f"<{text[1:] if text.startswith('0.') else text}"
    if p_value < 0.0001:
        return "<.0001"
    if p_value >= 0.9995:
        return ">.999"
    if p_value < 0.00995:  # two significant digits, at most four decimals
        return f"{p_value:.4f}".rstrip("0")[1:] if p_value < 0.001 else f"{p_value:.2g}"[1:]
    return f"{p_value:.3f}"[1:]


def format_alpha(alpha):
    """A significance level as printed: ``.05``.

    Examples
    --------
    >>> format_alpha(0.05), format_alpha(0.1), format_alpha(0.005)
    ('.05', '.1', '.005')
    """
    text = format_number(alpha)
    return text[1:] if text.startswith("0.") else text


def _signed(value, decimals):
    """A number with a true minus sign, and no sign on a value that rounds to zero."""
    text = format_number(value, decimals)
    if text.lstrip("-").strip("0.,") == "":
        return text.lstrip("-")
    return text.replace("-", _MINUS)


def format_estimate(value, low, high, decimals):
    """``estimate (low to high)`` with a true minus sign and thousands separators.

    Examples
    --------
    >>> format_estimate(-1.4, -2.388, -0.412, 1)
    '−1.4 (−2.4 to −0.4)'
    >>> format_estimate(12500, -45067.4, 70067.4, 0), format_estimate(-0.01, -1.2, 1.1, 1)
    ('12,500 (−45,067 to 70,067)', '0.0 (−1.2 to 1.1)')
    """
    if pd.isna(value):
        return ""
    text = _signed(value, decimals)
    if pd.isna(low) or pd.isna(high):
        return text
    low_text, high_text = (_signed(x, decimals) for x in (low, high))
    return f"{text} ({low_text} to {high_text})"


def _labels(endpoints):
    return endpoints.set_index("endpoint")["label"].to_dict() if endpoints is not None else {}


def _label_with_unit(endpoints, endpoint):
    if endpoints is None:
        return endpoint
    row = endpoints[endpoints["endpoint"] == endpoint]
    if row.empty:
        return endpoint
    label, unit = row["label"].iloc[0], str(row["unit"].iloc[0] or "").strip()
    if not unit or unit == "points" or ("%" in unit and unit.replace("%", "percent") in label):
        # "FEV1, percent predicted" needs no "(% predicted)"
        return label
    return f"{label} ({unit})"


def _printed_decimals(summary, endpoint, visit, statistics=("mean", "median")):
    rows = summary[(summary["endpoint"] == endpoint) & (summary["visit"] == visit)
                   & summary["statistic"].isin(statistics) & summary["arm"].isin(ARMS)]
    if rows.empty:
        return 1
    if "printed" in rows:
        return int(rows["printed"].fillna("").astype(str).map(decimals_of).max())
    return int(rows["value"].map(lambda v: decimals_of(format_number(v))).max())


def _sensible_decimals(printed, half_width):
    """The printed decimals, but no more than about three significant digits of ``half_width``.

    Examples
    --------
    >>> _sensible_decimals(1, 88.4), _sensible_decimals(1, 8118.0), _sensible_decimals(1, 1.3)
    (1, 0, 1)
    """
    if not (half_width > 0 and math.isfinite(half_width)):
        return printed
    return int(min(printed, max(0, 2 - math.floor(math.log10(half_width)))))


def comparisons_view(comparisons, summary, endpoints, arms=ARMS, visits=VISITS):
    """The comparisons between two chosen arms, labelled for tables and charts.

    Keeps the rows of :func:`compare_all_arms` whose two arms are both in
    ``arms`` and whose visit is in ``visits``, latest visit first and then in
    the order of the endpoint dictionary, and adds ``label`` (with the unit), ``decimals`` (those of
    the printed means, fewer when the interval is wide: about three
    significant digits of its half-width) and ``pair``.

    Examples
    --------
    >>> c = pd.DataFrame({"endpoint": ["age", "age"], "visit": "baseline", "arm": ["100M", "100M"],
    ...     "reference": ["placebo", "200M"], "method": WELCH_METHOD, "ci_low": -7.0, "ci_high": 6.4})
    >>> s = pd.DataFrame({"endpoint": "age", "arm": "100M", "visit": "baseline",
    ...     "statistic": "mean", "value": [75.0], "printed": ["75.0"]})
    >>> e = pd.DataFrame({"endpoint": ["age"], "label": ["Age"], "unit": ["years"]})
    >>> comparisons_view(c, s, e, arms=["100M", "placebo"])[["label", "pair", "decimals"]]
             label             pair  decimals
    0  Age (years)  100M vs Placebo         1
    """
    from cratus.arms import ARM_SHORT

    keep = comparisons[comparisons["arm"].isin(arms) & comparisons["reference"].isin(arms)
                       & comparisons["visit"].isin(visits)].copy()
    order = {e: i for i, e in enumerate(endpoints["endpoint"])}
    keep["_order"] = keep["endpoint"].map(order).fillna(len(order))
    keep["_visit"] = keep["visit"].map({v: -i for i, v in enumerate(VISITS)})  # latest visit first
    keep = keep.sort_values(["_visit", "_order"], kind="stable").drop(columns=["_order", "_visit"])
    keep["label"] = [_label_with_unit(endpoints, e) for e in keep["endpoint"]]
    keep["endpoint_label"] = keep["endpoint"].map(_labels(endpoints)).fillna(keep["endpoint"])
    keep["pair"] = keep["arm"].map(ARM_SHORT) + " vs " + keep["reference"].map(ARM_SHORT)
    keep["decimals"] = [_sensible_decimals(_printed_decimals(summary, e, v), (high - low) / 2)
                        for e, v, low, high in zip(keep["endpoint"], keep["visit"], keep["ci_low"], keep["ci_high"])]
    if len(keep):  # one format per endpoint and visit, so that its rows line up
        keep["decimals"] = keep.groupby(["endpoint", "visit"])["decimals"].transform("min")
    return keep.reset_index(drop=True)


def comparison_table(view, visit_column=True):
    """A table for reading: one row per comparison of :func:`comparisons_view`.

    The n behind each row is not shown: it is the arm size for every row
    (the text prints no n per endpoint), which the page states once.
    ``Method`` is "Welch" (from mean ± SD) or "Wan 2014" (mean and SD
    approximated from median (IQR)).  ``visit_column=False`` leaves out
    the visit, for a table of one visit.

    Examples
    --------
    >>> r = compare_arms_from_stats(7.0, 1.0, 10, 8.4, 1.1, 10).assign(
    ...     label="B-cell TNF-α", visit="month6", pair="100M vs 200M", decimals=1)
    >>> comparison_table(r).iloc[0][["Difference (95% CI)", "Welch p"]].tolist()
    ['−1.4 (−2.4 to −0.4)', '.0081']
    """
    from cratus.arms import VISIT_LABELS

    rows = []
    for _, r in view.iterrows():
        rows.append({
            "Endpoint": r["label"], "Visit": VISIT_LABELS.get(r["visit"], r["visit"]), "Comparison": r["pair"],
            "Difference (95% CI)": format_estimate(r["estimate"], r["ci_low"], r["ci_high"], int(r["decimals"])),
            "Welch p": format_p_value(r["p_value"]),
            "Hedges' g (95% CI)": format_estimate(r["hedges_g"], r["hedges_g_ci_low"], r["hedges_g_ci_high"], 2),
            "Method": "Wan 2014" if r["method"] == WAN_METHOD else "Welch",
        })
    columns = ["Endpoint", "Visit", "Comparison", "Difference (95% CI)", "Welch p", "Hedges' g (95% CI)", "Method"]
    table = pd.DataFrame(rows, columns=columns)
    return table if visit_column else table.drop(columns="Visit")


def _preferred_p_values(p_values):
    keys = ["endpoint", "arm", "comparison", "visit"]
    return (p_values.assign(_rank=p_values["source"].map(_source_rank))
            .sort_values("_rank", kind="stable").drop_duplicates(keys).drop(columns="_rank"))


def subgroup_n(summary, endpoint, arm, visit="month6"):
    """The n behind a within-arm result, counting only the subgroup measured.

    SQOL-F was answered by the women (4 per arm in Table 1), the IIEF by the
    men (6 per arm); for them the count of that sex in the arm is used.  Other
    endpoints fall back to :func:`lookup_n` (the arm size, assumed).

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "sex"], "level": [None, "female"],
    ...     "arm": "100M", "visit": "baseline", "statistic": ["n", "count"],
    ...     "value": [10.0, 4.0], "source": "Table 1", "quote": ""})
    >>> float(subgroup_n(s, "sqol_f", "100M").loc[0, "n"]), subgroup_n(s, "sqol_f", "100M").loc[0, "n_source"]
    (4.0, 'assumed: the female patients of the arm (Table 1); no n printed for this endpoint')
    """
    if endpoint in SUBGROUPS:
        characteristic, level = SUBGROUPS[endpoint]
        rows = summary[(summary["endpoint"] == characteristic) & (summary["level"] == level)
                       & (summary["arm"] == arm) & (summary["statistic"] == "count")]["value"].dropna()
        if not rows.empty:
            return pd.DataFrame([{"endpoint": endpoint, "arm": arm, "visit": visit, "n": float(rows.iloc[0]),
                                  "n_source": f"assumed: the {level} patients of the arm (Table 1); "
                                              "no n printed for this endpoint"}])
    return lookup_n(summary, endpoint, arm, visit)


def within_arm_results(summary, p_values, endpoints=None, visit="month6"):
    """Within-arm results whose baseline and follow-up mean ± SD are both printed.

    One row per published within-arm p-value (a Results value preferred to
    the Abstract's) for which the summary holds mean and SD at baseline and
    at ``visit``.  Median (IQR) endpoints are left out: their p-values come
    from a rank test, which a paired t-test cannot reproduce.

    Returns
    -------
    pandas.DataFrame
        ``endpoint, label, arm, mean_pre, sd_pre, mean_post, sd_post,
        decimals`` (of the printed means), ``n, n_source, p_value, relation,
        p_printed, p_source``.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants"] + ["six_minute_walk"] * 4, "level": None,
    ...     "arm": "100M", "visit": ["baseline", "baseline", "baseline", "month6", "month6"],
    ...     "statistic": ["n", "mean", "sd", "mean", "sd"],
    ...     "value": [10.0, 345.9, 103.4, 410.7, 155.4], "source": "Results", "quote": ""})
    >>> p = pd.DataFrame({"endpoint": ["six_minute_walk"], "arm": ["100M"], "comparison": ["within_arm"],
    ...     "visit": ["month6"], "p_value": [0.011], "relation": ["="], "source": ["Results"]})
    >>> within_arm_results(s, p)[["arm", "mean_pre", "mean_post", "n", "p_value"]]
        arm  mean_pre  mean_post     n  p_value
    0  100M     345.9      410.7  10.0    0.011
    """
    columns = ["endpoint", "label", "arm", "mean_pre", "sd_pre", "mean_post", "sd_post", "decimals",
               "n", "n_source", "p_value", "relation", "p_printed", "p_source"]
    labels = _labels(endpoints)
    chosen = _preferred_p_values(p_values)
    chosen = chosen[(chosen["comparison"] == "within_arm") & chosen["arm"].isin(ARMS)
                    & (chosen["visit"] == visit)]
    order = {e: i for i, e in enumerate(endpoints["endpoint"])} if endpoints is not None else {}
    chosen = chosen.assign(_o=chosen["endpoint"].map(order).fillna(len(order)),
                           _a=chosen["arm"].map({a: i for i, a in enumerate(ARMS)}))
    rows = []
    for _, p in chosen.sort_values(["_o", "_a"], kind="stable").iterrows():
        picked = {(v, s): _pick(summary, p["endpoint"], p["arm"], v, s)
                  for v in ("baseline", visit) for s in ("mean", "sd")}
        if any(x is None for x in picked.values()):
            continue
        means = [picked["baseline", "mean"], picked[visit, "mean"]]
        if "printed" in summary:
            decimals = max(decimals_of(str(m["printed"])) for m in means)
        else:
            decimals = max(decimals_of(format_number(m["value"])) for m in means)
        found = subgroup_n(summary, p["endpoint"], p["arm"], visit).iloc[0]
        rows.append({"endpoint": p["endpoint"], "label": labels.get(p["endpoint"], p["endpoint"]),
                     "arm": p["arm"], "mean_pre": picked["baseline", "mean"]["value"],
                     "sd_pre": picked["baseline", "sd"]["value"], "mean_post": picked[visit, "mean"]["value"],
                     "sd_post": picked[visit, "sd"]["value"], "decimals": decimals, "n": found["n"],
                     "n_source": found["n_source"], "p_value": p["p_value"], "relation": p["relation"],
                     "p_printed": p.get("printed", None) if "printed" in p else None, "p_source": p["source"]})
    return pd.DataFrame(rows, columns=columns)


def _verdict(row, plausible=PLAUSIBLE_CORRELATION):
    if not row["consistent"]:
        return "impossible"
    if row["plausible"]:
        return "plausible"
    if row["correlation_low"] > plausible[1]:
        return "implausibly high"
    return "implausibly low"


def _r(value):
    return f"{value:.3f}".replace("-", _MINUS)


def _tiny_p(p_value):
    """A p-value with two significant digits however small: ``.000034``."""
    if p_value >= 0.0001:
        return format_p_value(p_value)
    digits = -math.floor(math.log10(p_value)) + 1
    return f"{p_value:.{digits}f}"[1:]


def describe_back_calculation(row, plausible=PLAUSIBLE_CORRELATION):
    """One plain sentence on the correlation a published paired p-value needs.

    ``row`` is a row of :func:`back_calculate_all` (or of
    :func:`back_calculate_correlation` plus ``mean_pre, sd_pre, mean_post,
    sd_post`` and ``p_printed``).

    Examples
    --------
    >>> res = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011).iloc[0]
    >>> describe_back_calculation(res)
    "To reproduce the paper's p = .011 with n = 10 pairs, the pre–post correlation would have to be 0.956 (0.954 to 0.958 given the rounding of the printed numbers), above the plausible 0.95."
    >>> res = back_calculate_correlation(17.1, 2.0, 8.4, 1.1, 10, 0.001).iloc[0]
    >>> describe_back_calculation(res.to_dict() | {"mean_pre": 17.1, "sd_pre": 2.0, "mean_post": 8.4, "sd_post": 1.1})
    "No pre–post correlation reproduces the paper's p = .001: even the least favourable correlation (r = −1) gives p = .0000096 with n = 10 pairs. The printed numbers cannot come from a paired t-test on 10 pairs (fewer patients, another test, or ± meaning SEM?)."
    """
    relation = "<" if row["relation"] == "<" else "="
    p_text = f"p {relation} " + format_p_value(row["p_value"], "=", row.get("p_printed"))
    n = int(row["n"])
    n_text = f"n = {n} pairs"
    low, high = row["correlation_low"], row["correlation_high"]
    if not row["consistent"]:
        text = f"No pre–post correlation reproduces the paper's {p_text}"
        if all(k in row and pd.notna(row[k]) for k in ("mean_pre", "sd_pre", "mean_post", "sd_post")):
            diff = abs(row["mean_post"] - row["mean_pre"])
            p_min = _paired_p(diff, abs(row["sd_pre"] - row["sd_post"]), n)
            p_max = _paired_p(diff, row["sd_pre"] + row["sd_post"], n)
            if p_max < row["p_value"]:
                text += (f": even the least favourable correlation (r = {_MINUS}1) gives p = {_tiny_p(p_max)} "
                         f"with {n_text}")
            else:
                text += f": even a perfect correlation (r = 1) gives p = {_tiny_p(p_min)} with {n_text}"
        return (text + f". The printed numbers cannot come from a paired t-test on {n} pairs (fewer patients, "
                       "another test, or ± meaning SEM?).")
    if relation == "<":
        if low <= -1 + 1e-9:
            return f"The paper's {p_text} holds with {n_text} whatever the pre–post correlation."
        where = ("which includes plausible values" if row["plausible"]
                 else f"all above the plausible {plausible[1]:g}")
        return f"The paper's {p_text} holds with {n_text} for every pre–post correlation above {_r(low)}, {where}."
    span = ""
    if pd.notna(low) and pd.notna(high) and _r(low) != _r(high):
        span = f" ({_r(low)} to {_r(high)} given the rounding of the printed numbers)"
    verdict = (f"within the plausible {plausible[0]:g} to {plausible[1]:g}" if row["plausible"]
               else f"above the plausible {plausible[1]:g}" if low > plausible[1]
               else f"below {plausible[0]:g}, which would be odd for two measurements of the same person")
    return (f"To reproduce the paper's {p_text} with {n_text}, the pre–post correlation would have to be "
            f"{_r(row['correlation'])}{span}, {verdict}.")


def back_calculate_all(within, n=None, plausible=PLAUSIBLE_CORRELATION):
    """:func:`back_calculate_correlation` for every row of :func:`within_arm_results`.

    The printed means' decimals are passed on, so the interval allows for
    their rounding.  Adds ``verdict`` ("plausible", "implausibly high"
    (above the plausible range), "implausibly low" (below it) or
    "impossible" (no correlation reproduces the p-value)) and ``sentence``
    (plain words, :func:`describe_back_calculation`).
    ``n`` replaces every row's n (to see how much the verdict hangs on it).

    Examples
    --------
    >>> w = pd.DataFrame([{"endpoint": "six_minute_walk", "label": "6MWT", "arm": "100M",
    ...     "mean_pre": 345.9, "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1,
    ...     "n": 10.0, "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011",
    ...     "p_source": "Results"}])
    >>> back_calculate_all(w)[["correlation", "verdict"]].round(3)
       correlation           verdict
    0        0.956  implausibly high
    >>> back_calculate_all(w, n=12).loc[0, "n_source"]
    'given'
    """
    if n is not None:
        within = within.assign(n=float(n), n_source="given")
    rows = []
    for _, w in within.iterrows():
        res = back_calculate_correlation(w["mean_pre"], w["sd_pre"], w["mean_post"], w["sd_post"], int(w["n"]),
                                         w["p_value"], w["relation"], int(w["decimals"]), plausible).iloc[0]
        row = {**w.to_dict(), **{k: res[k] for k in ("correlation", "correlation_low", "correlation_high",
                                                      "sd_change", "consistent", "plausible", "note")}}
        row["verdict"] = _verdict(row, plausible)
        row["sentence"] = describe_back_calculation(row, plausible)
        rows.append(row)
    extra = ["correlation", "correlation_low", "correlation_high", "sd_change", "consistent", "plausible",
             "note", "verdict", "sentence"]
    return pd.DataFrame(rows, columns=[*within.columns, *extra])


def _mean_sd(mean, sd, decimals):
    return f"{format_number(mean, decimals)} ± {format_number(sd, max(decimals, decimals_of(format_number(sd))))}"


def back_calculation_table(results):
    """A table for reading of :func:`back_calculate_all`.

    Examples
    --------
    >>> w = pd.DataFrame([{"endpoint": "six_minute_walk", "label": "6MWT", "arm": "100M",
    ...     "mean_pre": 345.9, "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1,
    ...     "n": 10.0, "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011",
    ...     "p_source": "Results"}])
    >>> back_calculation_table(back_calculate_all(w)).iloc[0].tolist()
    ['6MWT, 100M', '345.9 ± 103.4 → 410.7 ± 155.4', '10', '.011', '0.956 (0.953 to 0.958)', 'implausibly high']
    """
    from cratus.arms import ARM_SHORT

    rows = []
    for _, r in results.iterrows():
        if not r["consistent"]:
            needed = f"none from {_MINUS}1 to 1"
        elif r["relation"] == "<":
            needed = "any" if r["correlation_low"] <= -1 + 1e-9 else f"above {_r(r['correlation_low'])}"
        else:
            needed = f"{_r(r['correlation'])} ({_r(r['correlation_low'])} to {_r(r['correlation_high'])})"
        decimals = int(r["decimals"])
        rows.append({
            "Result": f"{r['label']}, {ARM_SHORT.get(r['arm'], r['arm'])}",
            "Baseline → 6 months": f"{_mean_sd(r['mean_pre'], r['sd_pre'], decimals)} → "
                                   f"{_mean_sd(r['mean_post'], r['sd_post'], decimals)}",
            "n": format_number(r["n"]) + (" women" if r["endpoint"] in SUBGROUPS
                                          and SUBGROUPS[r["endpoint"]][1] == "female" else ""),
            "Paper's p": format_p_value(r["p_value"], r["relation"], r.get("p_printed")),
            "Correlation needed": needed,
            "Verdict": r["verdict"],
        })
    return pd.DataFrame(rows, columns=["Result", "Baseline → 6 months", "n", "Paper's p", "Correlation needed",
                                       "Verdict"])


def sensitivity_table(row, correlation, confidence=0.95):
    """The paired-t result at no correlation, a chosen one and the back-calculated one.

    ``row`` is a row of :func:`back_calculate_all`.

    Examples
    --------
    >>> w = pd.DataFrame([{"endpoint": "six_minute_walk", "label": "6MWT", "arm": "100M",
    ...     "mean_pre": 345.9, "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1,
    ...     "n": 10.0, "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011",
    ...     "p_source": "Results"}])
    >>> sensitivity_table(back_calculate_all(w).iloc[0], 0.5)[["Assumption", "p (paired t)"]]
                             Assumption p (paired t)
    0         No correlation (r = 0.00)         .301
    1            Your choice (r = 0.50)         .169
    2  Reproduces the paper (r = 0.956)         .011
    """
    choices = [("No correlation", 0.0), ("Your choice", float(correlation))]
    if row["consistent"] and pd.notna(row["correlation"]):
        choices.append(("Reproduces the paper", float(row["correlation"])))
    res = change_sensitivity(row["mean_pre"], row["sd_pre"], row["mean_post"], row["sd_post"], int(row["n"]),
                             [r for _, r in choices], confidence)
    decimals = max(int(row["decimals"]), *(decimals_of(format_number(row[k])) for k in ("sd_pre", "sd_post")))
    rows = []
    for (name, r), (_, s) in zip(choices, res.iterrows()):
        r_text = f"{r:.3f}" if name == "Reproduces the paper" else f"{r:.2f}"
        rows.append({"Assumption": f"{name} (r = {r_text})",
                     "SD of change": format_number(s["sd_change"], decimals),
                     "Mean change (95% CI)": format_estimate(s["estimate"], s["ci_low"], s["ci_high"], decimals),
                     "p (paired t)": format_p_value(s["p_value"])})
    return pd.DataFrame(rows, columns=["Assumption", "SD of change", "Mean change (95% CI)", "p (paired t)"])


def summarize_adjustment(adjusted, alpha=0.05, endpoints=None):
    """One or two plain sentences on what survives the multiplicity adjustment.

    Examples
    --------
    >>> p = pd.DataFrame({"endpoint": ["a", "b", "c"], "arm": "100M",
    ...     "comparison": "within_arm", "visit": "month6",
    ...     "p_value": [0.001, 0.03, 0.04], "relation": "=", "source": "Results"})
    >>> summarize_adjustment(adjust_p_values(p))
    'Of 3 p-values in one family, 3 are below α = .05 without adjustment; 1 survives Bonferroni, 1 survives Holm and 3 survive Benjamini–Hochberg (false discovery rate .05). Surviving Holm: a (100M change within arm).'
    """
    def count(column):
        k = int(adjusted[column].sum())
        return f"{k} survive{'s' if k == 1 else ''}"

    total, families = len(adjusted), adjusted["family"].nunique()
    alpha_text = format_alpha(alpha)
    where = "in one family" if families == 1 else f"in {families} families (each adjusted separately)"
    text = (f"Of {total} p-values {where}, {int(adjusted['significant_raw'].sum())} are below α = {alpha_text} "
            f"without adjustment; {count('significant_bonferroni')} Bonferroni, {count('significant_holm')} Holm "
            f"and {count('significant_fdr_bh')} Benjamini–Hochberg (false discovery rate {alpha_text}).")
    survivors = adjusted[adjusted["significant_holm"]]
    if len(survivors):
        labels = _labels(endpoints)
        from cratus.arms import ARM_SHORT
        parts = {}
        for _, r in survivors.iterrows():
            what = {"within_arm": "change within arm", "vs_control": "vs placebo",
                    "between_arms": "between arms"}.get(r["comparison"], r["comparison"])
            parts.setdefault(labels.get(r["endpoint"], r["endpoint"]), []).append(
                f"{ARM_SHORT.get(r['arm'], 'all arms')} {what}")
        text += " Surviving Holm: " + "; ".join(f"{k} ({', '.join(v)})" for k, v in parts.items()) + "."
    else:
        text += " None survives Holm."
    return text


def _adjusted_p(p_value):
    return "1" if p_value >= 0.9995 else format_p_value(p_value)


def _significant_after(row):
    methods = [name for name, column in (("Bonferroni", "significant_bonferroni"), ("Holm", "significant_holm"),
                                         ("BH", "significant_fdr_bh")) if row[column]]
    if not row["significant_raw"]:
        return "—"
    if not methods:
        return "no adjustment"
    return "all three" if len(methods) == 3 else ", ".join(methods)


def multiplicity_table(adjusted, endpoints=None):
    """A table for reading of :func:`adjust_p_values`.

    ``Significant after`` names the adjustments under which the p-value
    stays below α: "all three", e.g. "BH", "no adjustment" (below α only
    unadjusted) or "—" (not even unadjusted).  ``Family`` appears only when
    there is more than one.

    Examples
    --------
    >>> p = pd.DataFrame({"endpoint": ["a", "b"], "arm": "100M", "comparison": "within_arm",
    ...     "visit": "month6", "p_value": [0.011, 0.6], "relation": "=", "source": "Results",
    ...     "printed": ["0.011", "0.600"]})
    >>> multiplicity_table(adjust_p_values(p)).values.tolist()
    [['a', '100M: change to 6 months', 2, '.011', '.022', '.022', '.022', 'all three'], ['b', '100M: change to 6 months', 2, '.600', '1', '.600', '.600', '—']]
    """
    from cratus.arms import ARM_SHORT, VISIT_LABELS

    labels = _labels(endpoints)
    rows = []
    for _, r in adjusted.iterrows():
        arm = ARM_SHORT.get(r["arm"], "all arms")
        visit = VISIT_LABELS.get(r["visit"], r["visit"]).lower()
        test = {"within_arm": f"{arm}: change to {visit}", "vs_control": f"{arm} vs placebo, {visit}",
                "between_arms": f"{arm}, {visit}"}.get(r["comparison"], f"{arm}, {r['comparison']}, {visit}")
        rows.append({
            "Endpoint": labels.get(r["endpoint"], r["endpoint"]), "Test": test,
            "Family": FAMILY_LABELS.get(r["family"], str(r["family"]).replace("_", " ").capitalize()),
            "m": int(r["m"]), "p": format_p_value(r["p_value"], r["relation"], r.get("printed")),
            "Bonferroni": _adjusted_p(r["p_bonferroni"]), "Holm": _adjusted_p(r["p_holm"]),
            "BH": _adjusted_p(r["p_fdr_bh"]), "Significant after": _significant_after(r),
        })
    columns = ["Endpoint", "Test", "Family", "m", "p", "Bonferroni", "Holm", "BH", "Significant after"]
    table = pd.DataFrame(rows, columns=columns)
    return table if adjusted["family"].nunique() > 1 else table.drop(columns="Family")


def describe_sample_size_claim(difference, sd, n_claimed=30, alpha=0.05, unit="", ratio=1.0):
    """Plain sentences checking a claimed "n patients per group" against a difference and SD.

    Two-sided two-sample t-test with ``ratio`` allocation: the n per arm for
    80% and 90% power (:func:`sample_size`), the power at ``n_claimed``
    (:func:`power_curve`), and the smallest effect ``n_claimed`` detects
    with 80% power (:func:`effect_needed_for_n`).

    Examples
    --------
    >>> print(describe_sample_size_claim(64.8, 112.9, unit="m"))  # doctest: +NORMALIZE_WHITESPACE
    A difference of 64.8 m with an SD of 112.9 m is a standardized effect of d = 0.57. A two-sided t-test at α = .05 with equal arms needs 49 patients per arm for 80% power and 65 for 90%. With 30 per arm, power is 59%: 30 per arm reaches 80% power only for d ≥ 0.74, a difference of 83.1 m with this SD (or this difference with an SD of at most 88.1 m). Under these assumptions 30 patients per group are too few: the claim of 30 per group is not reproduced.
    >>> describe_sample_size_claim(1.4, 1.0512).split(". ")[0]
    'A difference of 1.40 with an SD of 1.05 is a standardized effect of d = 1.33'
    """
    d = difference / sd
    size = sample_size(d, (0.8, 0.9), alpha, ratio)
    n80, n90 = (int(x) for x in size["n_per_arm"])
    power = float(power_curve(d, [n_claimed], alpha, ratio)["power"].iloc[0])
    needed = float(effect_needed_for_n(n_claimed, 0.8, alpha, ratio)["effect_size"].iloc[0])
    u = f" {unit}" if unit else ""
    given = max(decimals_of(format_number(difference)), decimals_of(format_number(sd)))
    decimals = min(given, max(1, 2 - math.floor(math.log10(sd))))
    allocation = "equal arms" if ratio == 1 else f"a {format_number(ratio)}:1 allocation"
    power_text = "over 99%" if power > 0.995 else f"{power:.0%}"
    text = (f"A difference of {format_number(abs(difference), decimals)}{u} with an SD of "
            f"{format_number(sd, decimals)}{u} is a standardized effect of d = {abs(d):.2f}. A two-sided t-test at "
            f"α = {format_alpha(alpha)} with {allocation} needs {n80} patients per arm for 80% power and {n90} for "
            f"90%. With {n_claimed} per arm, power is {power_text}")
    if power >= 0.8:
        return text + (f". Under these assumptions {n_claimed} patients per group are enough (consistent with "
                       f"the claim of {n_claimed} per group).")
    return text + (f": {n_claimed} per arm reaches 80% power only for d ≥ {needed:.2f}, a difference of "
                   f"{format_number(needed * sd, decimals)}{u} with this SD (or this difference with an SD of at "
                   f"most {format_number(abs(difference) / needed, decimals)}{u}). Under these assumptions "
                   f"{n_claimed} patients per group are too few: the claim of {n_claimed} per group is not "
                   f"reproduced.")


def endpoints_with_estimates(summary, endpoints):
    """Endpoints for which some arm has a printed mean or median, in dictionary order.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "age", "sex"], "arm": "100M",
    ...     "statistic": ["n", "mean", "count"]})
    >>> endpoints_with_estimates(s, pd.DataFrame({"endpoint": ["participants", "sex", "age"]}))
    ['age']
    """
    found = set(summary.loc[summary["statistic"].isin(["mean", "median"]) & summary["arm"].isin(ARMS), "endpoint"])
    return [e for e in endpoints["endpoint"] if e in found and e != "participants"]
