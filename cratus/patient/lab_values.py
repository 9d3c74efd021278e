"""Laboratory values over time: box statistics per arm and visit, the values beyond the whiskers, and a test's
reference range (:mod:`cratus.patient.labs` has the definitions: reference ranges, categories, eDISH)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cratus.patient.labs import _arm_order, _rows
from cratus.patient.stats import patient_data

# --- values over time ----------------------------------------------------------------------------
OVER_TIME_COLUMNS = ["arm", "visit", "visit_order", "n", "median", "q1", "q3", "lower_fence", "upper_fence",
                     "mean", "ci_low", "ci_high"]


def lab_values_over_time(study, endpoint: str, arms=None) -> pd.DataFrame:
    """Per arm and visit: ``n``, median, quartiles (numpy's linear), Tukey whiskers, mean and its t 95% CI.

    ``lower_fence`` / ``upper_fence`` are the most extreme values within 1.5 IQR
    of the quartiles (the box plot's whiskers).  Rows by arm (design order) and visit.
    """
    data = patient_data(study)
    out, _rows_used, _group = _box_stats(data, endpoint, arms)
    out["visit_order"] = out["visit"].map(dict(zip(data.visits["visit"].astype(str), data.visits["visit_order"])))
    order = {a: i for i, a in enumerate(_arm_order(study, arms))}
    out = out.sort_values(["arm", "visit_order"], key=lambda s: s.map(order) if s.name == "arm" else s)
    return out[OVER_TIME_COLUMNS].reset_index(drop=True)


def _box_stats(data, endpoint: str, arms=None):
    """Box statistics per arm and visit (grouped on the categorical codes), the rows used and each row's group."""
    rows = _rows(data, endpoint, arms)[["usubjid", "arm", "visit", "value"]]
    rows = rows[rows["value"].notna().to_numpy()]
    grouped = rows.groupby(["arm", "visit"], observed=True, sort=True)
    group = grouped.ngroup().to_numpy()
    g = grouped["value"]
    out = g.agg(n="count", median="median", mean="mean", sd="std")
    out["q1"], out["q3"] = g.quantile(0.25), g.quantile(0.75)
    iqr = (out["q3"] - out["q1"]).to_numpy()
    low, high = (out["q1"].to_numpy() - 1.5 * iqr)[group], (out["q3"].to_numpy() + 1.5 * iqr)[group]
    values = rows["value"].to_numpy(float)
    inside = (values >= low) & (values <= high)
    fences = pd.Series(values[inside]).groupby(group[inside]).agg(["min", "max"]).reindex(range(len(out)))
    out["lower_fence"], out["upper_fence"] = fences["min"].to_numpy(), fences["max"].to_numpy()
    crit = stats.t.ppf(0.975, (out["n"] - 1).clip(lower=1))
    half = np.where(out["n"] > 1, crit * out["sd"] / np.sqrt(out["n"]), np.nan)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    out = out.reset_index()
    out["arm"], out["visit"] = out["arm"].astype(str), out["visit"].astype(str)
    return out, rows, group


def lab_outliers(study, endpoint: str, arms=None, limit: int = 300) -> pd.DataFrame:
    """Values beyond the whiskers of :func:`lab_values_over_time`: ``usubjid, arm, visit, value``.

    At most *limit* per arm (the furthest from the median of their arm and visit).
    """
    out, rows, group = _box_stats(patient_data(study), endpoint, arms)
    values = rows["value"].to_numpy(float)
    beyond = (values < out["lower_fence"].to_numpy()[group]) | (values > out["upper_fence"].to_numpy()[group])
    found = rows[beyond].assign(_d=np.abs(values[beyond] - out["median"].to_numpy()[group[beyond]]))
    found = found.sort_values("_d", ascending=False).groupby("arm", observed=True, sort=False).head(limit)
    return pd.DataFrame({"usubjid": found["usubjid"].astype(str).to_numpy(),
                         "arm": found["arm"].astype(str).to_numpy(), "visit": found["visit"].astype(str).to_numpy(),
                         "value": found["value"].to_numpy(float)})


def reference_range(study, endpoint: str) -> tuple[float, float, bool]:
    """The most common ``(lower, upper)`` limits of an endpoint's records (NaN if none) and whether they vary.
    """
    rows = _rows(patient_data(study), endpoint)
    pairs = rows[["anrlo", "anrhi"]].astype(float).fillna(-np.inf)
    counts = pairs.value_counts(sort=True)
    counts = counts[[not (np.isinf(lo) and np.isinf(hi)) for lo, hi in counts.index]]
    if counts.empty:
        return float("nan"), float("nan"), False
    low, high = counts.index[0]
    return (float("nan") if np.isinf(low) else float(low)), (float("nan") if np.isinf(high) else float(high)), \
        len(counts) > 1
