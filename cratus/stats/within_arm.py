"""Within-arm change from baseline: the SD of the change, paired t-tests and the implied pre–post correlation.

A paper that prints mean ± SD at baseline and follow-up and a within-arm
p-value does not print the SD of the change, which depends on the unknown
pre–post correlation r.  This module holds the one SD-of-change formula
(:func:`sd_change`), paired-t results over assumed correlations
(:func:`change_sensitivity`), the correlation that reproduces a printed
p-value assuming a paired t-test (:func:`back_calculate_correlation`), and
the verdict on it (:func:`judge_correlation`): the implied r is a *sample*
correlation of n pairs, judged by its sampling distribution (Fisher z), not
by a fixed range.  All return tidy frames; sentences live in
:mod:`cratus.appraisal.text`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cratus.formatting import rounding_interval
from cratus.stats.between_arms import index_summary, lookup_n
from cratus.study.provenance import select_p_values

#: True pre–post correlations regarded as plausible for one person measured twice months apart: test–retest
#: correlations of gait, spirometry and immune markers are mostly 0.5–0.9; a true value outside 0 to 0.9 is
#: not assumed.  A *sample* correlation of a few pairs strays far from the true one, hence :func:`judge_correlation`.
PLAUSIBLE_RHO = (0.0, 0.9)
#: A printed result is called very unlikely (audit: fail) when, for every plausible true correlation, a sample
#: correlation at least as extreme as the one it needs has a probability below this.
VERY_UNLIKELY = 0.001
#: Below this probability (and above :data:`VERY_UNLIKELY`) an implied correlation is "unusual, possible"; at or
#: above it, a sample r outside the plausible range is ordinary sampling variation of n pairs: "plausible".
UNUSUAL = 0.05
#: Verdicts of :func:`judge_correlation`, from best to worst, and the audit status each gets.
VERDICTS = {"plausible": "pass", "unusual, possible": "pass", "very unlikely": "fail", "impossible": "fail"}
BACK_COLUMNS = ["correlation", "correlation_low", "correlation_high", "sd_change", "consistent", "note",
                "verdict", "probability", "rho_reference", "sem_correlation", "sem_consistent"]


def sd_change(sd_pre, sd_post, r):
    """SD of the change from two SDs and their correlation: ``sqrt(sd_pre² + sd_post² - 2 r sd_pre sd_post)``.

    With equal SDs this is ``SD·sqrt(2(1 - r))``.

    >>> round(sd_change(103.4, 155.4, 0.5), 3), round(sd_change(1.0, 1.0, 0.5), 3)
    (137.012, 1.0)
    """
    return math.sqrt(max(sd_pre**2 + sd_post**2 - 2 * r * sd_pre * sd_post, 0.0))


def paired_p(diff, sd_of_change, n):
    """Two-sided paired-t p-value of a mean change *diff* with SD *sd_of_change* over *n* pairs.

    >>> round(paired_p(64.8, 137.012, 10), 3)
    0.169
    """
    if sd_of_change == 0:
        return 0.0 if diff != 0 else 1.0
    return float(2 * stats.t.sf(abs(diff) / (sd_of_change / math.sqrt(n)), n - 1))


def change_sensitivity(mean_pre, sd_pre, mean_post, sd_post, n, correlations=np.arange(0, 0.951, 0.05),
                       confidence=0.95):
    """Paired-t results for a within-arm change over assumed pre–post correlations.

    Returns
    -------
    pandas.DataFrame
        One row per correlation: ``correlation, n, sd_change, estimate`` (post
        - pre), ``ci_low, ci_high`` (t with n - 1 df), ``t, df, p_value``.

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
        sd = sd_change(sd_pre, sd_post, r)
        se = sd / math.sqrt(n)
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
        rows.append({"correlation": r, "n": n, "sd_change": sd, "estimate": diff, "ci_low": diff - half,
                     "ci_high": diff + half, "t": diff / se if se > 0 else math.copysign(math.inf, diff),
                     "df": n - 1, "p_value": paired_p(diff, sd, n)})
    return pd.DataFrame(rows)


def _solve_r(diff, sd_pre, sd_post, n, p):
    """The r at which the paired p-value equals p (p falls as r rises); ±inf when none in [-1, 1]."""
    def gap(r):
        return paired_p(diff, sd_change(sd_pre, sd_post, r), n) - p
    if gap(-1.0) < 0:
        return -math.inf
    if gap(1.0) > 0:
        return math.inf
    return optimize.brentq(gap, -1.0, 1.0, xtol=1e-10)


def _p_decimals(p):
    """Decimals of a printed p-value (12 for a p-value given in full)."""
    return next((d for d in range(1, 12) if abs(round(p, d) - p) < 1e-12), 12)


def back_calculate_correlation(mean_pre, sd_pre, mean_post, sd_post, n, p_value, relation="=", decimals=None):
    """The pre–post correlation that reproduces a printed p-value, assuming a paired t-test on n pairs.

    Solves ``p(r) = p_value`` with ``scipy.optimize.brentq`` (the paired-t
    p-value falls as r rises).  Printed numbers are rounded, so the answer is
    an interval: "p = .011" stands for [.0105, .0115] and, with ``decimals``,
    each mean for ± half a unit.  For ``relation="<"`` only a lower bound on r
    follows.  When no r in [-1, 1] reproduces the p-value, ``consistent`` is
    False and ``note`` gives the range of p a paired t-test can give.

    Returns
    -------
    pandas.DataFrame
        One row: ``n, p_value, relation, correlation`` (NaN for bounds),
        ``correlation_low, correlation_high, sd_change, consistent, note``.

    Examples
    --------
    >>> res = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011)
    >>> res[["correlation", "correlation_low", "correlation_high"]].round(3)
       correlation  correlation_low  correlation_high
    0        0.956            0.954             0.958
    """
    if relation not in ("=", "<"):
        raise ValueError(f"relation {relation!r} is not '=' or '<'")
    if not 0 < p_value <= 1:
        raise ValueError(f"p_value must lie in (0, 1], got {p_value!r}")
    if not n >= 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    diff = abs(mean_post - mean_pre)
    slack = 0.0 if decimals is None else 10.0**-decimals  # each mean ± half a unit
    if relation == "=":
        p_low, p_high = rounding_interval(p_value, _p_decimals(p_value))   # the one rounding rule
        p_high, p_low = min(p_high, 1.0), max(p_low, 0.0)
        r = _solve_r(diff, sd_pre, sd_post, n, p_value)
    else:
        p_high, p_low, r = p_value, 0.0, math.nan
    # the largest change with the largest p needs the smallest r, and vice versa
    r_low = _solve_r(diff + slack, sd_pre, sd_post, n, p_high)
    r_high = _solve_r(max(diff - slack, 0.0), sd_pre, sd_post, n, p_low)
    consistent = not (r_low == math.inf or r_high == -math.inf or r_low > r_high)
    low, high = (max(r_low, -1.0), min(r_high, 1.0)) if consistent else (math.nan, math.nan)
    note = ""
    if not consistent:
        note = (f"no correlation in [-1, 1] reproduces p {relation} {p_value}: with these numbers and n = {n}, a "
                f"paired t-test gives p from {paired_p(diff, abs(sd_pre - sd_post), n):.2g} (r = 1) to "
                f"{paired_p(diff, sd_pre + sd_post, n):.2g} (r = -1)")
    return pd.DataFrame([{
        "n": n, "p_value": p_value, "relation": relation, "correlation": r if math.isfinite(r) else math.nan,
        "correlation_low": low, "correlation_high": high,
        "sd_change": sd_change(sd_pre, sd_post, r) if math.isfinite(r) else math.nan,
        "consistent": consistent, "note": note,
    }])


def _fisher_z(r):
    return math.atanh(min(max(r, -1 + 1e-15), 1 - 1e-15))


def judge_correlation(low, high, n, consistent=True, plausible=PLAUSIBLE_RHO, threshold=VERY_UNLIKELY,
                      unusual=UNUSUAL):
    """Verdict on an implied sample correlation of n pairs, by its sampling distribution.

    A sample correlation of n pairs scatters around the true ρ: Fisher's
    ``z = atanh(r)`` is about normal with mean ``atanh(ρ)`` and SE
    ``1 / sqrt(n - 3)``.  When the implied interval [low, high] overlaps the
    plausible true range the verdict is "plausible"; when it lies above it,
    the probability is ``P(sample r ≥ low | ρ = plausible[1])`` (the largest
    over plausible ρ), below it ``P(sample r ≤ high | ρ = plausible[0])``.
    Under ``threshold`` the result is "very unlikely", under ``unusual``
    "unusual, possible", else "plausible" (ordinary sampling variation of n
    pairs; the probability is still given); with no r at all, "impossible".

    Returns
    -------
    dict
        ``verdict, probability`` (NaN unless unusual or very unlikely) and
        ``rho_reference`` (the true ρ the probability assumes).

    Examples
    --------
    >>> v = judge_correlation(0.954, 0.958, 10)
    >>> v["verdict"], round(v["probability"], 3), v["rho_reference"]
    ('plausible', 0.144, 0.9)
    >>> [judge_correlation(r, 1.0, 10)["verdict"] for r in (0.98, 0.999)], judge_correlation(0.5, 0.6, 10)["verdict"]
    (['unusual, possible', 'very unlikely'], 'plausible')
    """
    if not consistent:
        return {"verdict": "impossible", "probability": 0.0, "rho_reference": math.nan}
    if n <= 3:
        return {"verdict": "plausible", "probability": math.nan, "rho_reference": math.nan}
    se = 1 / math.sqrt(n - 3)
    if low > plausible[1]:
        rho = plausible[1]
        probability = float(stats.norm.sf((_fisher_z(low) - math.atanh(rho)) / se))
    elif high < plausible[0]:
        rho = plausible[0]
        probability = float(stats.norm.cdf((_fisher_z(high) - math.atanh(rho)) / se))
    else:
        return {"verdict": "plausible", "probability": math.nan, "rho_reference": math.nan}
    verdict = ("very unlikely" if probability < threshold else "unusual, possible" if probability < unusual
               else "plausible")
    return {"verdict": verdict, "probability": probability, "rho_reference": rho}


def subgroup_n(summary, endpoints, endpoint, arm, visit, arm_sizes, index=None):
    """The n behind a within-arm result, counting only the subgroup the endpoint was measured in.

    The dictionary's ``subgroup`` column (``"sex=female"``) names a
    characteristic and level; the count of that level in the arm is used.
    Other endpoints fall back to :func:`cratus.stats.between_arms.lookup_n`.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["sex"], "level": ["female"], "arm": "A", "visit": "w0",
    ...     "statistic": ["count"], "value": [4.0], "source": "Table 1"})
    >>> e = pd.DataFrame({"endpoint": ["qol"], "subgroup": ["sex=female"]})
    >>> found = subgroup_n(s, e, "qol", "A", "w12", {"A": 10}).iloc[0]
    >>> float(found["n"]), found["n_source"]
    (4.0, 'assumed: the patients with sex female in the arm (Table 1); no n printed for this endpoint')
    """
    rule = ""
    if endpoints is not None and "subgroup" in endpoints:
        found = endpoints.loc[endpoints["endpoint"] == endpoint, "subgroup"].fillna("")
        rule = str(found.iloc[0]) if len(found) else ""
    if "=" in rule:
        characteristic, level = (x.strip() for x in rule.split("=", 1))
        rows = summary[(summary["endpoint"] == characteristic) & (summary["level"] == level)
                       & (summary["arm"] == arm) & (summary["statistic"] == "count")].dropna(subset=["value"])
        if len(rows):
            return pd.DataFrame([{"endpoint": endpoint, "arm": arm, "visit": visit, "n": float(rows["value"].iloc[0]),
                                  "n_source": f"assumed: the patients with {characteristic} {level} in the arm "
                                              f"({rows['source'].iloc[0]}); no n printed for this endpoint"}])
    return lookup_n(summary, endpoint, arm, visit, arm_sizes, index)


def within_arm_results(summary, p_values, design, arm_sizes, endpoints=None, visit=None):
    """Within-arm results whose baseline and follow-up mean ± SD are both printed.

    One row per printed within-arm p-value (the copy chosen by
    :func:`cratus.study.provenance.select_p_values`) for which the summary holds
    mean and SD at ``design.baseline`` and at *visit* (default
    ``design.follow_up``).  Median (IQR) endpoints are left out: a paired
    t-test is not assumed for them.

    Returns
    -------
    pandas.DataFrame
        ``endpoint, label, arm, visit, mean_pre, sd_pre, mean_post, sd_post,
        printed`` (the four numbers as printed), ``decimals, n, n_source,
        p_value, relation, p_printed, p_source``.
    """
    visit = visit or design.follow_up
    columns = ["endpoint", "label", "arm", "visit", "mean_pre", "sd_pre", "mean_post", "sd_post", "printed",
               "decimals", "n", "n_source", "p_value", "relation", "p_printed", "p_source"]
    labels = endpoints.set_index("endpoint")["label"].to_dict() if endpoints is not None else {}
    chosen = select_p_values(p_values)
    chosen = chosen[(chosen["comparison"] == "within_arm") & chosen["arm"].isin(design.arm_ids)
                    & (chosen["visit"] == visit)]
    order = {e: i for i, e in enumerate(endpoints["endpoint"])} if endpoints is not None else {}
    chosen = chosen.assign(_o=chosen["endpoint"].map(order).fillna(len(order)), _a=chosen["arm"].map(design.index))
    index = index_summary(summary)
    rows = []
    for p in chosen.sort_values(["_o", "_a"], kind="stable").to_dict("records"):
        got = {(v, s): index.get((p["endpoint"], p["arm"], v, s)) for v in (design.baseline, visit)
               for s in ("mean", "sd")}
        if any(x is None for x in got.values()):
            continue
        printed = [str(got[k].get("printed") or got[k]["value"]) for k in got]
        decimals = max(_decimals(printed[0]), _decimals(printed[2]))
        found = subgroup_n(summary, endpoints, p["endpoint"], p["arm"], visit, arm_sizes, index).iloc[0]
        rows.append({"endpoint": p["endpoint"], "label": labels.get(p["endpoint"], p["endpoint"]), "arm": p["arm"],
                     "visit": visit, "mean_pre": got[design.baseline, "mean"]["value"],
                     "sd_pre": got[design.baseline, "sd"]["value"], "mean_post": got[visit, "mean"]["value"],
                     "sd_post": got[visit, "sd"]["value"], "printed": tuple(printed), "decimals": decimals,
                     "n": found["n"], "n_source": found["n_source"], "p_value": p["p_value"],
                     "relation": p["relation"], "p_printed": p.get("printed"), "p_source": p["source"]})
    return pd.DataFrame(rows, columns=columns)


def _decimals(text):
    return len(text.split(".", 1)[1]) if "." in text else 0


def back_calculate_all(within, n=None, plausible=PLAUSIBLE_RHO, threshold=VERY_UNLIKELY):
    """:func:`back_calculate_correlation` and :func:`judge_correlation` for every row of :func:`within_arm_results`.

    Adds :data:`BACK_COLUMNS`: the implied r and its rounding interval, the
    verdict with its probability, and ``sem_correlation``/``sem_consistent``:
    the same back-calculation if "±" were an SEM (SD = SEM·√n), shown when
    the SD reading is impossible.  ``n`` replaces every row's n.

    Examples
    --------
    >>> w = pd.DataFrame([{"endpoint": "walk", "label": "Walk", "arm": "A", "visit": "w12", "mean_pre": 345.9,
    ...     "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1, "n": 10.0,
    ...     "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011"}])
    >>> back_calculate_all(w)[["correlation", "verdict"]].round(3).values.tolist()
    [[0.956, 'plausible']]
    """
    if n is not None:
        within = within.assign(n=float(n), n_source="given")
    rows = []
    for w in within.to_dict("records"):
        k = int(w["n"])
        args = (w["mean_pre"], w["sd_pre"], w["mean_post"], w["sd_post"])
        res = back_calculate_correlation(*args, k, w["p_value"], w["relation"], int(w["decimals"])).iloc[0]
        row = {**w, **{c: res[c] for c in ("correlation", "correlation_low", "correlation_high", "sd_change",
                                           "consistent", "note")}}
        row.update(judge_correlation(res["correlation_low"], res["correlation_high"], k, bool(res["consistent"]),
                                     plausible, threshold))
        row["sem_correlation"], row["sem_consistent"] = math.nan, False
        if not res["consistent"]:
            root = math.sqrt(k)
            sem = back_calculate_correlation(args[0], args[1] * root, args[2], args[3] * root, k, w["p_value"],
                                             w["relation"], int(w["decimals"])).iloc[0]
            row["sem_correlation"], row["sem_consistent"] = sem["correlation"], bool(sem["consistent"])
        rows.append(row)
    return pd.DataFrame(rows, columns=[*within.columns, *BACK_COLUMNS])


def sd_doubtful(results):
    """``{(endpoint, arm)}`` whose printed "±" cannot be an SD (no r reproduces the paired p) but could be an SEM."""
    bad = results[(results["verdict"] == "impossible") & results["sem_consistent"].astype(bool)]
    return set(zip(bad["endpoint"], bad["arm"]))
