"""Statistics between two randomized arms, from the summary statistics a paper prints.

Tidy frames only (no display text): Welch's t-test and Hedges' g from mean ±
SD (:func:`compare_arms_from_stats`), mean and SD approximated from a median
and quartiles (:func:`estimate_from_median_iqr`, Wan et al. 2014) with the
skewness that withholds it (:func:`quartile_skewness`), the n behind a number
(:func:`lookup_n`), and every pair of arms the design defines
(:func:`compare_all_arms`).  Baseline balance is described by standardized
differences, not tested (CONSORT 2010 item 15).

Frames used: the *summary* frame (``endpoint, level, arm, visit, statistic,
value, source[, printed]``); of numbers printed twice, the copy chosen by
:func:`cratus.study.provenance.select_figure_rows` is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy import optimize, stats

from cratus.formatting import NOT_REPORTED
from cratus.study.provenance import select_figure_rows

WELCH = "welch"
WAN = "wan"
#: How each method is named in the frames (``method`` column).
METHODS = {WELCH: "Welch t-test from mean ± SD", WAN: "Wan et al. 2014 approximation from median (IQR)"}
WAN_METHOD = METHODS[WAN]
WELCH_METHOD = METHODS[WELCH]
WAN_REFERENCE = (
    "Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation from the sample size, "
    "median, range and/or interquartile range. BMC Med Res Methodol 2014;14:135 (scenario C3: median, "
    "first and third quartiles)"
)
#: Bowley (quartile) skewness above which a median (IQR) is too skewed for the normal-theory approximation
#: of Wan et al. 2014.  The quartile skewness of a normal distribution is 0; 0.25 is the position of the
#: median a quarter of the IQR off the middle of it (an exponential distribution has 0.26).
SKEW_LIMIT = 0.25
COMPARISON_COLUMNS = [
    "endpoint", "visit", "arm", "reference", "n", "n_reference", "n_source", "mean", "sd",
    "mean_reference", "sd_reference", "estimate", "ci_low", "ci_high", "t", "df", "p_value",
    "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "method", "note", "withheld",
]


def compare_arms_from_stats(mean1, sd1, n1, mean2, sd2, n2, confidence=0.95):
    """Compare two independent groups from their means, SDs and sizes.

    Welch's t-test (``scipy.stats.ttest_ind_from_stats`` with
    ``equal_var=False``), the mean difference ``mean1 - mean2`` with a Welch
    confidence interval, and Hedges' g with a large-sample interval: ``d``
    uses the pooled SD, ``g = J d`` with ``J = 1 - 3 / (4 (n1 + n2) - 9)``,
    ``Var(g) = J² ((n1 + n2) / (n1 n2) + d² / (2 (n1 + n2)))`` (Borenstein et
    al. 2009, *Introduction to Meta-Analysis*, eqs 4.18-4.24).

    Returns
    -------
    pandas.DataFrame
        One row: ``n1, n2, estimate, ci_low, ci_high, t, df, p_value,
        hedges_g, hedges_g_ci_low, hedges_g_ci_high, method``.

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
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = stats.t.ppf(0.5 + confidence / 2, df) * math.sqrt(v1 + v2)
    diff = mean1 - mean2
    d = diff / pooled_sd(sd1, n1, sd2, n2)
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    se_g = j * math.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return pd.DataFrame([{
        "n1": n1, "n2": n2, "estimate": diff, "ci_low": diff - half, "ci_high": diff + half,
        "t": float(welch.statistic), "df": df, "p_value": float(welch.pvalue),
        "hedges_g": j * d, "hedges_g_ci_low": j * d - z * se_g, "hedges_g_ci_high": j * d + z * se_g,
        "method": WELCH_METHOD,
    }])


#: Baseline |standardized difference| above which arms are called imbalanced: 0.1, the mark Austin (2009, *Stat
#: Med* 28:3083) reports as commonly used.  The one threshold of the package: Table 1's balance plot, the
#: Appraisal's baseline tab and the Overview's regression-to-the-mean notes all use it.  With ten patients an arm,
#: chance alone gives larger differences often; the threshold describes, it does not test (CONSORT 2010, item 15).
IMBALANCE_THRESHOLD = 0.1


def standardized_difference(mean1, sd1, mean0, sd0):
    """Standardized difference of a mean at baseline, group 1 against group 0: the one rule of the package.

    ``d = (m₁ − m₀) / √((s₁² + s₀²) / 2)`` (Austin 2009, *Stat Med* 28:3083, eq. 1): the SDs are averaged
    unweighted, so the arms' sizes do not change the description of balance; NaN when both SDs are 0.

    >>> round(standardized_difference(345.9, 103.4, 385.8, 83.1), 2)
    -0.43
    """
    pooled = math.sqrt((sd1 ** 2 + sd0 ** 2) / 2)
    return (mean1 - mean0) / pooled if pooled > 0 else math.nan


def standardized_difference_of_proportions(p1, p0):
    """Standardized difference of a proportion, ``(p₁ − p₀) / √((p₁(1 − p₁) + p₀(1 − p₀)) / 2)`` (Austin 2009,
    eq. 2); 0 when both proportions are 0 (or both 1).

    >>> round(standardized_difference_of_proportions(0.6, 0.4), 3), standardized_difference_of_proportions(0, 0)
    (0.408, 0.0)
    """
    variance = (p1 * (1 - p1) + p0 * (1 - p0)) / 2
    return (p1 - p0) / math.sqrt(variance) if variance > 0 else (0.0 if p1 == p0 else math.nan)


def pooled_sd(sd1, n1, sd2, n2):
    """The pooled SD of two groups, ``sqrt(((n1 - 1) sd1² + (n2 - 1) sd2²) / (n1 + n2 - 2))``.

    >>> round(pooled_sd(5.5, 50, 4.5, 50), 4)
    5.0249
    """
    return math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))


def estimate_from_median_iqr(median, q1, q3, n):
    """Approximate a mean and SD from a median, quartiles and sample size.

    Wan et al. (2014), scenario C3 (median, first and third quartiles, n):
    mean ≈ (q1 + median + q3) / 3 (their eq. 14, after Luo et al.) and
    SD ≈ (q3 - q1) / (2 Φ⁻¹((0.75 n - 0.125) / (n + 0.25))) (their eq. 16).
    Both assume roughly normal data: see :func:`quartile_skewness`.

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
    return pd.DataFrame([{"mean": (q1 + median + q3) / 3, "sd": (q3 - q1) / eta, "n": n,
                          "method": WAN_METHOD, "reference": WAN_REFERENCE}])


def quartile_skewness(median, q1, q3):
    """Bowley's quartile skewness ``(q3 + q1 - 2 median) / (q3 - q1)``, in [-1, 1]; NaN when q1 = q3.

    >>> quartile_skewness(1470.0, 472.5, 6090.0) > SKEW_LIMIT, quartile_skewness(10.5, 9.0, 12.0)
    (True, 0.0)
    """
    return (q3 + q1 - 2 * median) / (q3 - q1) if q3 > q1 else math.nan


def index_summary(summary):
    """``{(endpoint, arm, visit, statistic): row}`` of the preferred printed copies (one per number)."""
    chosen = select_figure_rows(summary)
    chosen = chosen[chosen["level"].fillna("").astype(str) == ""] if "level" in chosen else chosen
    rows = chosen.dropna(subset=["value"]).to_dict("records")
    return {(r["endpoint"], r["arm"], r["visit"], r["statistic"]): r for r in rows}


def lookup_n(summary, endpoint, arm, visit, arm_sizes, index=None):
    """The n behind one arm's numbers, and where it came from.

    Unless the summary holds an ``n`` row for the endpoint, the arm size
    (``arm_sizes``, e.g. :meth:`cratus.study.model.Study.n_per_arm`) is assumed;
    that overstates n after drop-outs and for subgroup endpoints.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["walk"], "level": [None], "arm": ["A"], "visit": ["w12"],
    ...     "statistic": ["mean"], "value": [1.0], "source": ["Results"]})
    >>> found = lookup_n(s, "walk", "A", "w12", {"A": 10.0})
    >>> float(found.loc[0, "n"]), found.loc[0, "n_source"]
    (10.0, 'assumed: arm size (no n printed for this endpoint)')
    """
    row = (index_summary(summary) if index is None else index).get((endpoint, arm, visit, "n"))
    if row is not None:
        n, source = float(row["value"]), f"reported ({row['source']})"
    elif pd.notna(arm_sizes.get(arm, math.nan)):
        n, source = float(arm_sizes[arm]), "assumed: arm size (no n printed for this endpoint)"
    else:
        n, source = math.nan, NOT_REPORTED
    return pd.DataFrame([{"endpoint": endpoint, "arm": arm, "visit": visit, "n": n, "n_source": source}])


def malformed_values(discrepancies):
    """``{(endpoint, arm, visit, statistic): reason}`` of numbers the paper prints malformed."""
    if discrepancies is None or discrepancies.empty:
        return {}
    rows = discrepancies[discrepancies["kind"] == "malformed"].fillna("")
    return {(r["endpoint"], r["arm"], r["visit"], r["statistic"]): r["reason"] for r in rows.to_dict("records")}


def _arm_stats(index, endpoint, arm, visit, n, n_source, malformed):
    """mean, sd, method and why a median (IQR) approximation is withheld, for one arm at one visit."""
    found = {s: index.get((endpoint, arm, visit, s)) for s in ("mean", "sd", "median", "q1", "q3")}
    base = {"n": n, "n_source": n_source, "mean": math.nan, "sd": math.nan, "method": "", "note": "", "withheld": ""}
    if found["mean"] is not None and found["sd"] is not None:
        return {**base, "mean": found["mean"]["value"], "sd": found["sd"]["value"], "method": WELCH_METHOD}
    if all(found[s] is not None for s in ("median", "q1", "q3")) and n >= 2:
        med, q1, q3 = (float(found[s]["value"]) for s in ("median", "q1", "q3"))
        bad = [s for s in ("median", "q1", "q3") if (endpoint, arm, visit, s) in malformed]
        skew = quartile_skewness(med, q1, q3)
        if bad:
            withheld = f"{'/'.join(s.upper() if s != 'median' else s for s in bad)} printed malformed"
        elif not q1 <= med <= q3:
            withheld = "printed quartiles out of order"
        elif abs(skew) > SKEW_LIMIT:
            withheld = f"skewed (quartile skewness {skew:.2f}, beyond ±{SKEW_LIMIT:g})"
        else:
            wan = estimate_from_median_iqr(med, q1, q3, n).iloc[0]
            return {**base, "mean": wan["mean"], "sd": wan["sd"], "method": WAN_METHOD}
        return {**base, "method": WAN_METHOD, "withheld": withheld}
    return {**base, "note": f"mean ± SD or median (IQR) {NOT_REPORTED}"}


@dataclass(frozen=True)
class Contrast:
    """What a between-arm comparison compares: *endpoint* in *arm* against *reference*, at *visit* (ids)."""

    endpoint: str
    arm: str
    reference: str
    visit: str


def compare_arms(summary, contrast: Contrast, arm_sizes, n=None, n_reference=None, confidence=0.95,
                 discrepancies=None, index=None, names=None):
    """Compare one arm with another at one visit from the printed summaries (*contrast* says which).

    Mean ± SD endpoints go straight to :func:`compare_arms_from_stats`;
    median (IQR) endpoints are first approximated with
    :func:`estimate_from_median_iqr` (``method`` says so), unless they are
    visibly skewed or rest on a malformed printed value (a ``malformed`` row
    of *discrepancies*): then ``withheld`` says why, per arm (named by
    *names*, a ``{arm: display name}`` dict), and no effect is given.

    Returns
    -------
    pandas.DataFrame
        One row with :data:`COMPARISON_COLUMNS`; ``note`` is non-empty (and
        the statistics NaN) when the text does not report the numbers.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "age", "level": None, "arm": ["A", "A", "P", "P"], "visit": "w0",
    ...     "statistic": ["mean", "sd", "mean", "sd"], "value": [75.0, 7.4, 75.3, 6.8], "source": "Table 1"})
    >>> res = compare_arms(s, Contrast("age", "A", "P", "w0"), {"A": 10, "P": 10})
    >>> res[["estimate", "ci_low", "ci_high", "hedges_g"]].round(3)
       estimate  ci_low  ci_high  hedges_g
    0      -0.3   -6.98     6.38     -0.04
    """
    endpoint, arm, reference, visit = contrast.endpoint, contrast.arm, contrast.reference, contrast.visit
    missing = [c for c in ("endpoint", "arm", "visit", "statistic", "value", "source") if c not in summary]
    if missing:
        raise ValueError(f"summary frame lacks column(s) {missing}")
    if endpoint not in set(summary["endpoint"]):
        raise ValueError(f"endpoint {endpoint!r} is not in the summary frame")
    index = index_summary(summary) if index is None else index
    malformed = malformed_values(discrepancies)
    names = names or {}
    sides = []
    for who, given in ((arm, n), (reference, n_reference)):
        if given is None:
            found = lookup_n(summary, endpoint, who, visit, arm_sizes, index).iloc[0]
            given, source = found["n"], found["n_source"]
        else:
            source = "given"
        sides.append(_arm_stats(index, endpoint, who, visit, given, source, malformed))
    a, b = sides
    head = {"endpoint": endpoint, "visit": visit, "arm": arm, "reference": reference, "n": a["n"],
            "n_reference": b["n"], "n_source": a["n_source"] if a["n_source"] == b["n_source"]
            else f"{a['n_source']}; reference: {b['n_source']}", "mean": a["mean"], "sd": a["sd"],
            "mean_reference": b["mean"], "sd_reference": b["sd"],
            "method": WAN_METHOD if WAN_METHOD in (a["method"], b["method"]) else a["method"] or b["method"],
            "note": "; ".join(dict.fromkeys(x for x in (a["note"], b["note"]) if x)),
            "withheld": "; ".join(f"{names.get(who, who)} {side['withheld']}" for who, side in ((arm, a), (reference, b))
                                  if side["withheld"])}
    if not head["note"] and not (a["n"] >= 2 and b["n"] >= 2):
        head["note"] = f"n {NOT_REPORTED}"
    if not head["note"] and (a["sd"] <= 0 or b["sd"] <= 0):  # a constant arm: no t-test, no effect size
        flat = ", ".join(names.get(w, w) for w, side in ((arm, a), (reference, b)) if side["sd"] <= 0)
        head["note"] = f"not computable: no spread (SD 0) in {flat}"
    if head["note"] or head["withheld"]:
        return pd.DataFrame([head], columns=COMPARISON_COLUMNS)
    res = compare_arms_from_stats(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"], confidence).iloc[0]
    row = {**head, **{k: res[k] for k in res.index if k not in ("n1", "n2", "method")}}
    return pd.DataFrame([row], columns=COMPARISON_COLUMNS)


def compare_all_arms(summary, pairs, arm_sizes, confidence=0.95, only_computable=True, discrepancies=None,
                     names=None):
    """Every (endpoint, visit, pair of arms) comparison the summary allows.

    Parameters
    ----------
    pairs : list of (arm, reference)
        Usually :meth:`cratus.study.design.Design.pairs` (each active arm vs the
        control, then the active arms among themselves).
    arm_sizes : dict
        Arm sizes (:meth:`cratus.study.model.Study.n_per_arm`).
    only_computable : bool
        Drop pairs for which the text lacks one arm's numbers (rows whose
        effect is withheld stay, with the reason).

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "cd25", "level": None, "arm": ["A", "A", "B", "B"], "visit": "w12",
    ...     "statistic": ["mean", "sd", "mean", "sd"], "value": [6.9, 3.30, 8.0, 4.64], "source": "Results"})
    >>> compare_all_arms(s, [("A", "B")], {"A": 10, "B": 10})[["arm", "reference", "estimate", "p_value"]].round(3)
      arm reference  estimate  p_value
    0   A         B      -1.1     0.55
    """
    arms = {a for pair in pairs for a in pair}
    index = index_summary(summary)
    keys = dict.fromkeys((e, v) for (e, a, v, s) in index if a in arms and s in ("mean", "median"))
    rows = [compare_arms(summary, Contrast(endpoint, arm, reference, visit), arm_sizes, None, None, confidence,
                         discrepancies, index, names)
            for endpoint, visit in keys for arm, reference in pairs]
    if not rows:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    return out[out["note"] == ""].reset_index(drop=True) if only_computable else out


def smallest_between_p(p_arm: float, p_control: float, n_arm: int, n_control: int) -> float:
    """The smallest two-sided p a t-test of change scores between two arms can give, from each arm's within-arm
    paired-t p-value.

    Each within-arm test gives ``t_i = mean change_i / SE_i``; the between-arm statistic of the change scores is
    ``(change_1 - change_0) / sqrt(SE_1² + SE_0²)`` (Welch; the pooled test with equal n is the same).  With
    the signs free, Cauchy–Schwarz bounds it by ``sqrt(t_1² + t_0²)``, reached when the two changes have
    opposite signs in proportion to their SEs.  The p is taken with ``n_arm + n_control - 2`` degrees of
    freedom, the most a Welch test can have, so no t-test of change scores gives a smaller p.  With unequal
    n the pooled test's statistic can exceed that bound, so its largest value over the ratio of the arms' SDs
    of change (``scipy.optimize.minimize_scalar``) is taken too.  Pass the smallest within-arm p-values the
    printed ones can round from (:func:`cratus.formatting.printed_interval`) for the most favourable case.

    Examples
    --------
    >>> round(smallest_between_p(0.001, 0.69, 10, 10), 5)   # scipy.stats.t: sqrt(4.781² + 0.409²) = 4.799, df 18
    0.00014
    >>> round(smallest_between_p(0.0005, 0.685, 9, 10), 6)  # pooled, 9 and 10 patients: above the Welch bound
    1.6e-05
    """
    t_arm = stats.t.isf(p_arm / 2, n_arm - 1)
    t_control = stats.t.isf(p_control / 2, n_control - 1)

    def pooled_t(log_ratio: float) -> float:   # the control's SD of change is exp(log_ratio) times the arm's
        ratio = math.exp(log_ratio)
        pooled = math.sqrt(((n_arm - 1) + (n_control - 1) * ratio**2) / (n_arm + n_control - 2))
        return ((t_arm / math.sqrt(n_arm) + t_control * ratio / math.sqrt(n_control))
                / (pooled * math.sqrt(1 / n_arm + 1 / n_control)))

    pooled = -optimize.minimize_scalar(lambda x: -pooled_t(x), bounds=(-12, 12), method="bounded").fun
    largest = max(math.hypot(t_arm, t_control), float(pooled))
    return float(2 * stats.t.sf(largest, n_arm + n_control - 2))
