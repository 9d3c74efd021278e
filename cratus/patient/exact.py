"""Samples with given summary statistics: exact mean and SD, exact quartiles, pooled totals.

Used by :mod:`cratus.patient.synthetic` to build patient-level data whose
summaries equal printed ones: rescaled normal draws hit a mean and SD
exactly; setting the order statistics that numpy's linear quartiles
interpolate hits a median and IQR exactly; :func:`tune_to_totals` moves arm
means and SDs within their printed rounding so that the pooled total rounds
to the printed total as well.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cratus.study.design import TOTAL
from cratus.formatting import decimals_of
from cratus.study.provenance import select_figure_rows


def exact_mean_sd(z: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """Rescale draws *z* to have exactly *mean* and sample SD *sd* (ddof = 1).

    Examples
    --------
    >>> x = exact_mean_sd(np.array([0.3, -1.2, 2.0, 0.1]), 10.0, 2.0)
    >>> round(float(x.mean()), 10), round(float(x.std(ddof=1)), 10)
    (10.0, 2.0)
    """
    z = np.asarray(z, float)
    spread = z.std(ddof=1) if len(z) > 1 else 0.0
    return mean + (sd * (z - z.mean()) / spread if spread > 0 else 0.0 * z)


def quartile_candidates(rng, n: int, q1: float, median: float, q3: float, floor: float | None = None,
                        size: int = 1) -> np.ndarray:
    """*size* candidate samples (rows, sorted) of *n* values whose numpy (linear) quartiles are *q1*, *median*, *q3*.

    The two order statistics each quartile interpolates are set to it (exact
    where *n* allows); the others are drawn uniformly between their
    neighbours (tails 1.5 IQR wide, not below *floor*).
    """
    fixed: dict[int, float] = {}
    for p, target in ((0.25, q1), (0.5, median), (0.75, q3)):
        h = (n - 1) * p
        for k in {math.floor(h), math.ceil(h)}:
            fixed.setdefault(k, target)
    iqr = (q3 - q1) or max(abs(median) * 0.1, 1.0)
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    if floor is not None:
        low = max(low, floor)
    anchors = sorted(fixed.items())
    values = np.empty((size, n))
    for k in range(n):
        if k in fixed:
            values[:, k] = fixed[k]
            continue
        below = max((a for a in anchors if a[0] < k), default=(-1, min(low, q1)))
        above = min((a for a in anchors if a[0] > k), default=(n, max(high, q3)))
        values[:, k] = rng.uniform(below[1], above[1], size)
    return np.sort(values, axis=1)


def exact_quartiles(rng, n: int, q1: float, median: float, q3: float, floor: float | None = None) -> np.ndarray:
    """*n* sorted values whose numpy (linear) quartiles are *q1*, *median*, *q3* where *n* allows.

    Examples
    --------
    >>> x = exact_quartiles(np.random.default_rng(0), 10, 9.0, 10.5, 12.0)
    >>> [float(v) for v in np.quantile(x, [0.25, 0.5, 0.75])]
    [9.0, 10.5, 12.0]
    """
    return quartile_candidates(rng, n, q1, median, q3, floor)[0]


def best_pooled(candidates: list, total: dict) -> int:
    """The candidate row whose pooled quartiles (all groups together) come closest to the *total* ones.

    *candidates* holds one ``(size, n_group)`` array per group; the closeness
    is the largest absolute miss of Q1, median and Q3.

    Examples
    --------
    >>> a = np.array([[1.0, 2, 3], [1, 2, 9]]); b = np.array([[4.0, 5, 6], [4, 5, 6]])
    >>> best_pooled([a, b], {"q1": 2.25, "median": 3.5, "q3": 4.75})
    0
    """
    pooled = np.concatenate(candidates, axis=1)
    found = np.quantile(pooled, [0.25, 0.5, 0.75], axis=1)
    wanted = np.array([total["q1"], total["median"], total["q3"]])[:, None]
    return int(np.argmin(np.abs(found - wanted).max(axis=0)))


def draws(rng, n: int, target: dict, kind: str, z: np.ndarray, floor: float | None) -> np.ndarray:
    """Values for one arm and visit, paired with the scores *z* (rank-matched for quartiles)."""
    if kind == "median_iqr":
        values = exact_quartiles(rng, n, target["q1"], target["median"], target["q3"], floor)
        return values[np.argsort(np.argsort(z))]
    values = exact_mean_sd(z, target["mean"], target["sd"])
    for _ in range(200):  # redraw (skewed) when a non-negative quantity would go below zero
        if floor is None or values.min() >= floor:
            break
        z = np.exp(0.6 * rng.standard_normal(n))
        values = exact_mean_sd(z, target["mean"], target["sd"])
    return values


def _pooled(means, sds, sizes) -> tuple[float, float]:
    """Mean and SD of the union of groups with these means, SDs and sizes."""
    means, sds, sizes = (np.asarray(v, float) for v in (means, sds, sizes))
    total = sizes.sum()
    grand = (sizes * means).sum() / total
    ss = ((sizes - 1) * sds ** 2).sum() + (sizes * (means - grand) ** 2).sum()
    return grand, math.sqrt(ss / (total - 1))


def tune_to_totals(summary: pd.DataFrame, targets: dict, sizes: dict, arms) -> None:
    """Move arm means and SDs within their printed rounding so the pooled total rounds to the printed total too.

    Only for cells whose arms and total are all printed as mean ± SD; the
    arms stay within half a unit of their last printed digit (a bounded
    least-squares fit, :func:`scipy.optimize.minimize` with L-BFGS-B).
    """
    from scipy.optimize import minimize
    rows = select_figure_rows(summary[(summary["level"].fillna("") == "")
                                      & summary["statistic"].isin(["mean", "sd"])])
    half = {(e, a, v, st): 0.5 * 10.0 ** -decimals_of(p) for e, a, v, st, p in
            rows[["endpoint", "arm", "visit", "statistic", "printed"]].itertuples(index=False)}
    for (endpoint, arm, visit), total in list(targets.items()):
        if arm != TOTAL or not {"mean", "sd"} <= total.keys():
            continue
        cells = [targets.get((endpoint, a, visit), {}) for a in arms]
        if not all({"mean", "sd"} <= c.keys() for c in cells):
            continue
        n = [sizes[a] for a in arms]
        x0 = np.array([c["mean"] for c in cells] + [c["sd"] for c in cells])
        widths = np.array([half[(endpoint, a, visit, st)] for st in ("mean", "sd") for a in arms]) * 0.98
        scale = np.array([half[(endpoint, TOTAL, visit, "mean")], half[(endpoint, TOTAL, visit, "sd")]])

        def miss(x):
            m, s = _pooled(x[:len(arms)], x[len(arms):], n)
            return np.array([m - total["mean"], s - total["sd"]]) / scale

        if np.all(np.abs(miss(x0)) <= 0.9):
            continue
        fit = minimize(lambda x: float((miss(x) ** 2).sum()), x0, method="L-BFGS-B",
                       bounds=list(zip(x0 - widths, x0 + widths)))
        if np.all(np.abs(miss(fit.x)) <= 0.99):
            for i, a in enumerate(arms):
                targets[(endpoint, a, visit)] = {**cells[i], "mean": fit.x[i], "sd": fit.x[len(arms) + i]}
