"""Can printed p-values all be true together?  Bounds a t-test sets on one p-value given others.

A paper that prints within-arm p-values (paired t-tests on each arm's changes) and a between-arm
p-value (a two-sample t-test on the same changes) fixes how small the between-arm p-value can be:
with ``t_a`` and ``t_b`` the within-arm t statistics, the two-sample t on the changes is at most
``sqrt(t_a² + t_b²)`` (Welch's standard error; Cauchy–Schwarz), reached when the arms change in
opposite directions.  Printed p-values are rounded, so each stands for an interval
(:func:`cratus.formatting.printed_interval`, the audit's rounding rule) and the bound takes its most
favourable end.  This is an assumption about the analysis, stated wherever the bound is used: a
model adjusted for baseline is not bound this way.
"""

from __future__ import annotations

import math

from scipy import optimize, stats

from cratus.formatting import printed_interval


def _largest_t(printed_p: str, n: int) -> float:
    """The largest |t| of a paired t-test on *n* pairs whose two-sided p prints as *printed_p*."""
    interval = printed_interval(printed_p)
    if interval is None:
        raise ValueError(f"{printed_p!r} is not a printed p-value")
    low = max(interval[0], 1e-300)
    return float(stats.t.isf(low / 2, n - 1))


def _pooled_t(t_a: float, t_b: float, n_a: int, n_b: int, log_ratio: float) -> float:
    """Pooled two-sample t of the changes when arm b's SD of change is exp(log_ratio) times arm a's."""
    ratio = math.exp(log_ratio)
    mean_a, mean_b = t_a / math.sqrt(n_a), -t_b * ratio / math.sqrt(n_b)
    pooled = math.sqrt(((n_a - 1) + (n_b - 1) * ratio**2) / (n_a + n_b - 2))
    return (mean_a - mean_b) / (pooled * math.sqrt(1 / n_a + 1 / n_b))


def smallest_p_between(p_within_a: str, p_within_b: str, n_a: int, n_b: int) -> float:
    """The smallest two-sided p a t-test comparing two arms' changes can give, given their within-arm p-values.

    Assumes the within-arm p-values are paired t-tests on each arm's changes and the between-arm p-value a
    two-sample t-test (pooled, or Welch's) on the same changes, with *n_a* and *n_b* patients.  The
    degrees of freedom are taken as ``n_a + n_b - 2`` for both tests (Welch's are fewer, which only
    raises p), so the bound is generous.

    Parameters
    ----------
    p_within_a, p_within_b : str
        The within-arm p-values as printed (``"p = .001"``, ``".69"``): any value that rounds to them.
    n_a, n_b : int
        Patients in each arm.

    Examples
    --------
    B-cell TNF-α (Results: Immune biomarkers): 200M within-arm p = .001, placebo p = .69, 10 per arm —
    the smallest between-arm p is about .00005, so the printed .00002 (below .000025) is not reachable:

    >>> round(smallest_p_between("p = .001", "p = .69", 10, 10), 6)
    4.8e-05
    """
    if n_a < 2 or n_b < 2:
        raise ValueError(f"each arm needs at least 2 patients, got {n_a} and {n_b}")
    t_a, t_b = _largest_t(p_within_a, n_a), _largest_t(p_within_b, n_b)
    df = n_a + n_b - 2
    welch = math.hypot(t_a, t_b)
    best = optimize.minimize_scalar(lambda x: -_pooled_t(t_a, t_b, n_a, n_b, x), bounds=(-12, 12),
                                    method="bounded")
    largest = max(welch, -float(best.fun))
    return float(2 * stats.t.sf(largest, df))
