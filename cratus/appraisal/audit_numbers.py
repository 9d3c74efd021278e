"""Audit checks on printed means and SDs: pooled totals, GRIM and score ranges, plus the audit row helpers.

Part of the audit (:mod:`cratus.appraisal.audit` runs every check, :mod:`cratus.appraisal.audit_display` shows them).  Each check
returns audit rows ``check, endpoint, level, arm, visit, status, expected, reported, explanation``; a printed
value passes when it is reachable from the other printed values given their rounding.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import optimize

from cratus.study.design import TOTAL
from cratus.formatting import decimals_of, format_number, rounding_interval

AUDIT_COLUMNS = ["check", "endpoint", "level", "arm", "visit", "status",
                 "expected", "reported", "explanation"]
#: The study fact (trial.csv) listing integer-scored instruments and their ranges: ``"sppb 0-12; mmse 0-30"``.
INTEGER_SCALES_FACT = "integer_scales"


def _row(check, endpoint, arm, visit, status, expected, reported, explanation, level=""):
    return {"check": check, "endpoint": endpoint, "level": "" if pd.isna(level) else level,
            "arm": arm, "visit": visit, "status": status, "expected": expected,
            "reported": reported, "explanation": explanation}


def _frame(rows):
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def _decimals(value, printed=None):
    """Decimals as printed: from the ``printed`` text when the loader kept it."""
    if isinstance(printed, str) and printed.strip():
        return decimals_of(printed.strip())
    return decimals_of(format_number(float(value)))


def parse_scales(text):
    """``{endpoint: (lowest, highest)}`` from ``"sppb 0-12; mmse 0-30"`` (the study fact :data:`INTEGER_SCALES_FACT`).

    >>> parse_scales("sppb 0-12; mmse 0-30"), parse_scales("")
    ({'sppb': (0, 12), 'mmse': (0, 30)}, {})
    """
    scales = {}
    for part in (p.strip() for p in str(text or "").split(";")):
        if not part:
            continue
        try:
            name, span = part.rsplit(" ", 1)
            low, high = (int(x) for x in span.split("-"))
        except ValueError:
            raise ValueError(f"trial.csv, key {INTEGER_SCALES_FACT!r}: {part!r} is not 'endpoint low-high'") from None
        scales[name.strip()] = (low, high)
    return scales

def _pooled_sd(means, sds, ns):
    means, sds, ns = (np.asarray(x, dtype=float) for x in (means, sds, ns))
    grand = np.sum(ns * means) / ns.sum()
    ss = np.sum((ns - 1) * sds**2) + np.sum(ns * (means - grand) ** 2)
    return math.sqrt(ss / (ns.sum() - 1))


def pooled_total_interval(means, sds, ns, mean_decimals, sd_decimals):
    """The range of total mean and SD reachable from rounded arm summaries.

    Pooled SD: ``sqrt((Σ(n_i - 1) sd_i² + Σ n_i (m_i - M)²) / (N - 1))``.
    Each printed arm mean and SD may lie anywhere within half a unit of its
    last digit; the mean is linear in the arm means and the SD grows with the
    arm SDs, and the between-arm term is convex in the means, so its maximum
    sits at a corner of the box and its minimum is found by bounded
    minimisation (``scipy.optimize.minimize``).

    Parameters
    ----------
    means, sds, ns : sequence of float
        Printed arm means, SDs and sizes.
    mean_decimals, sd_decimals : int
        Decimals to which means and SDs are printed.

    Returns
    -------
    pandas.DataFrame
        One row: ``mean_low, mean_high, sd_low, sd_high``.

    Examples
    --------
    >>> pooled_total_interval([75.0, 76.3, 75.3], [7.4, 8.4, 6.8], [10, 10, 10], 1, 1).round(2)
       mean_low  mean_high  sd_low  sd_high
    0     75.48      75.58    7.27     7.37
    """
    means, sds, ns = (np.asarray(x, dtype=float) for x in (means, sds, ns))
    hm, hs = 0.5 * 10.0**-mean_decimals, 0.5 * 10.0**-sd_decimals
    corners = [means + hm * np.array(signs) for signs in itertools.product((-1, 1), repeat=len(means))]
    sd_high = max(_pooled_sd(c, sds + hs, ns) for c in corners)
    best = optimize.minimize(lambda m: _pooled_sd(m, np.maximum(sds - hs, 0), ns), means,
                             bounds=[(m - hm, m + hm) for m in means], method="L-BFGS-B")
    return pd.DataFrame([{"mean_low": np.sum(ns * (means - hm)) / ns.sum(),
                          "mean_high": np.sum(ns * (means + hm)) / ns.sum(),
                          "sd_low": float(best.fun), "sd_high": sd_high}])


def check_pooled_totals(summary, arm_sizes):
    """Check each total mean and SD against the arms' means and SDs.

    Arm values are taken from the same source as the total (Table 1), arm
    sizes from *arm_sizes* (the arms are its keys other than ``total``).  Pass when the interval the printed total
    stands for overlaps the interval reachable from the rounded arm values
    (:func:`pooled_total_interval`).  Assumes no missing values (every
    patient counted in every arm summary).

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.

    Returns
    -------
    pandas.DataFrame
        Two audit rows (mean, SD) per endpoint and visit with a total column.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants"] * 3 + ["age"] * 8,
    ...     "level": None, "arm": ["100M", "200M", "placebo"] + ["100M", "100M",
    ...     "200M", "200M", "placebo", "placebo", "total", "total"],
    ...     "visit": "baseline", "statistic": ["n"] * 3 + ["mean", "sd"] * 4,
    ...     "value": [10.0, 10, 10, 75.0, 7.4, 76.3, 8.4, 75.3, 6.8, 75.5, 7.3],
    ...     "source": "Table 1"})
    >>> check_pooled_totals(s, {"100M": 10, "200M": 10, "placebo": 10, "total": 30})[["check", "status", "expected"]]
             check status          expected
    0  pooled mean   pass  [75.483, 75.583]
    1    pooled SD   pass    [7.267, 7.370]
    """
    sizes = arm_sizes
    arms = [a for a in arm_sizes if a != TOTAL]
    rows = []
    totals = summary[(summary["arm"] == TOTAL) & (summary["statistic"] == "mean")]
    for _, total in totals.iterrows():
        def pick(arm, statistic, total=total):
            found = summary[(summary["endpoint"] == total["endpoint"]) & (summary["arm"] == arm)
                            & (summary["visit"] == total["visit"]) & (summary["statistic"] == statistic)
                            & (summary["source"] == total["source"])]
            if found.empty:
                return math.nan, 0
            first = found.iloc[0]
            return first["value"], _decimals(first["value"], first.get("printed"))
        picked = {(a, s): pick(a, s) for a in (*arms, TOTAL) for s in ("mean", "sd")}
        means, sds = ([picked[a, s][0] for a in arms] for s in ("mean", "sd"))
        ns = [sizes.get(a, math.nan) for a in arms]
        total_sd = picked[TOTAL, "sd"][0]
        args = (total["endpoint"], TOTAL, total["visit"])
        if all(math.isnan(x) for x in means):
            continue  # a total quoted on its own (e.g. in the Abstract): nothing to pool
        if any(math.isnan(x) for x in [*means, *sds, *ns, total_sd]):
            rows.append(_row("pooled mean", *args, "not_checkable", "", format_number(total["value"]),
                             f"arm means, SDs or sizes not printed in {total['source']}"))
            continue
        # one table column shares one format, so take the most decimals printed in it
        md, sdd = (max(picked[a, s][1] for a in (*arms, TOTAL)) for s in ("mean", "sd"))
        box = pooled_total_interval(means, sds, ns, md, sdd).iloc[0]
        at_printed = (np.dot(ns, means) / sum(ns), _pooled_sd(means, sds, ns))
        for check, value, dec, low, high, point in (
                ("pooled mean", total["value"], md, box["mean_low"], box["mean_high"], at_printed[0]),
                ("pooled SD", total_sd, sdd, box["sd_low"], box["sd_high"], at_printed[1])):
            stands = rounding_interval(value, dec)       # the one rounding rule (cratus.formatting)
            ok = stands[1] >= low - 1e-9 and stands[0] <= high + 1e-9
            rows.append(_row(check, *args, "pass" if ok else "fail", f"[{low:.{dec + 2}f}, {high:.{dec + 2}f}]",
                             format_number(value, dec),
                             f"the rounded arm values ({total['source']}, n = "
                             f"{'/'.join(format_number(n) for n in ns)}) give {point:.{dec + 2}f} as printed and "
                             f"the expected range within their rounding; the printed total stands for "
                             f"[{stands[0]:.{dec + 1}f}, {stands[1]:.{dec + 1}f}], which "
                             + ("overlaps it" if ok else "lies outside it")))
    return _frame(rows)


def check_grim(value, n, decimals, statistic="mean", items=1):
    """GRIM-style test: can this mean or median come from n integer scores?

    A mean of n integer scores (on ``items`` items each) is a multiple of
    1 / (n · items); a median is a score (odd n) or half the sum of two
    scores (even n).  The value passes when some such number rounds to it at
    the printed ``decimals`` (Brown & Heathers 2017, the GRIM test).

    Parameters
    ----------
    value : float
        Printed mean or median.
    n : int
        Number of people.
    decimals : int
        Decimals printed.
    statistic : {"mean", "median"}
        Which statistic ``value`` is.
    items : int
        Integer items averaged into the score.

    Returns
    -------
    pandas.DataFrame
        One row: ``statistic, value, n, decimals, granularity,
        nearest_possible, consistent``.

    Examples
    --------
    >>> check_grim(10.5, 10, 1, "median")[["granularity", "consistent"]]
       granularity  consistent
    0          0.5        True
    >>> bool(check_grim(5.19, 28, 2)["consistent"].iloc[0])
    False
    """
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic {statistic!r} is not 'mean' or 'median'")
    if not (n >= 1 and float(n).is_integer()):
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    if statistic == "mean":
        step = 1 / (n * items)
    else:
        step = (1 if n % 2 else 0.5) / items
    nearest = round(value / step) * step
    ok = abs(nearest - value) <= 0.5 * 10.0**-decimals + 1e-9
    return pd.DataFrame([{"statistic": statistic, "value": value, "n": n, "decimals": decimals,
                          "granularity": step, "nearest_possible": nearest, "consistent": ok}])


def check_integer_scores(summary, arm_sizes, scales):
    """GRIM and range checks for integer-scored instruments (e.g. a 0-12 battery score).

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    arm_sizes : dict
        ``{arm: N}``; a ``total`` row uses the sum of the arms.
    scales : dict
        ``{endpoint: (lowest, highest)}`` (see :func:`parse_scales`).

    Returns
    -------
    pandas.DataFrame
        Audit rows: ``grim`` for means and medians, ``range`` for every value.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "sppb"], "level": None,
    ...     "arm": "100M", "visit": ["baseline", "month6"], "statistic": ["n", "median"],
    ...     "value": [10.0, 10.5], "source": "Results"})
    >>> check_integer_scores(s, {"100M": 10.0}, {"sppb": (0, 12)})[["check", "status"]]
               check status
    0    grim median   pass
    1  range 0 to 12   pass
    """
    sizes = {a: n for a, n in arm_sizes.items() if a != TOTAL}
    rows = []
    subset = summary[summary["endpoint"].isin(scales) & summary["statistic"].isin(["mean", "median", "q1", "q3"])]
    for _, rec in subset.iterrows():
        low, high = scales[rec["endpoint"]]
        args = (rec["endpoint"], rec["arm"], rec["visit"])
        n = sizes.get(rec["arm"], sum(sizes.values()) if rec["arm"] == TOTAL else math.nan)
        if rec["statistic"] in ("mean", "median"):
            if math.isnan(n):
                rows.append(_row(f"grim {rec['statistic']}", *args, "not_checkable", "",
                                 format_number(rec["value"]), "n not printed"))
            else:
                grim = check_grim(rec["value"], int(n), _decimals(rec["value"], rec.get("printed")),
                                  rec["statistic"]).iloc[0]
                rows.append(_row(f"grim {rec['statistic']}", *args, "pass" if grim["consistent"] else "fail",
                                 f"multiple of 1/{int(n)}" if rec["statistic"] == "mean"
                                 else "multiple of 0.5" if n % 2 == 0 else "whole number",
                                 format_number(rec["value"]),
                                 f"a {rec['statistic']} of {int(n)} integer scores (n assumed from the arm size) "
                                 f"can be {format_number(grim['nearest_possible'])}"))
        inside = low <= rec["value"] <= high
        rows.append(_row(f"range {low} to {high}", *args, "pass" if inside else "fail",
                         f"[{low}, {high}]", format_number(rec["value"]),
                         f"{rec['statistic']} {'within' if inside else 'outside'} the scale's range"))
    return _frame(rows)
