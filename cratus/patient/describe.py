"""Numbers of a patient study's summary: n, mean, SD, median and quartiles per group in one pass, and the
printed text of each number (precision from the spread, as a paper prints them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.study.design import TOTAL

SOURCE = "computed from patient data"
SUMMARY_COLUMNS = ["endpoint", "level", "arm", "visit", "statistic", "value", "source", "quote", "printed"]


def _printed(value: float, statistic: str) -> str:
    """The computed number as text: counts whole, others to 4 significant digits (no float artefacts)."""
    if pd.isna(value):
        return ""
    if statistic in ("n", "count"):
        return str(int(round(value)))
    return f"{float(f'{value:.4g}'):g}" if abs(value) < 1e15 else f"{value:.4g}"


def _spread_decimals(summary: pd.DataFrame) -> pd.Series:
    """Digits after the point for each row's number: one cell (endpoint, level, arm, visit) shares one precision.

    The precision follows the spread (SD, or the IQR for medians) to about two significant digits, with at
    least one decimal: 75.0 ± 7.4, 2.50 ± 0.66, 374.1 ± 112.9 — as a paper prints them.  Counts are whole
    and percentages have no decimals.
    """
    keys = ["endpoint", "level", "arm", "visit"]
    spread = summary.pivot_table(index=keys, columns="statistic", values="value", aggfunc="first", observed=True)
    sd = spread["sd"] if "sd" in spread else pd.Series(np.nan, index=spread.index)
    iqr = (spread["q3"] - spread["q1"]) if {"q1", "q3"} <= set(spread.columns) else pd.Series(np.nan, index=spread.index)
    scale = sd.where(sd > 0, iqr.where(iqr > 0))
    digits = (1 - np.floor(np.log10(scale.astype(float)))).clip(lower=1, upper=4).fillna(1).astype(int)
    looked_up = summary.set_index(keys).index.map(digits.to_dict())
    return pd.Series(looked_up, index=summary.index).fillna(1).astype(int)


def _printed_cells(summary: pd.DataFrame) -> list[str]:
    """The ``printed`` text of every summary row (see :func:`_spread_decimals`)."""
    digits = _spread_decimals(summary)
    texts = []
    for value, statistic, places in zip(summary["value"], summary["statistic"], digits):
        if pd.isna(value):
            texts.append("")
        elif statistic in ("n", "count"):
            texts.append(str(int(round(value))))
        elif statistic == "percent":
            texts.append(f"{value:.0f}")
        else:
            texts.append(f"{value:.{places}f}")
    return texts


STATISTICS = ("n", "mean", "sd", "median", "q1", "q3")


def _group_ids(by: list) -> np.ndarray:
    """One integer per row for the combination of the *by* series (categorical codes, else factorized)."""
    ids = np.zeros(len(by[0]), dtype=np.int64)
    for series in by:
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes, count = series.cat.codes.to_numpy(np.int64), len(series.cat.categories)
        else:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            count = len(uniques)
        ids = ids * (count + 1) + codes + 1  # + 1: a missing key (-1) is its own code
    return ids


def _describe(values: pd.Series, by: list) -> pd.DataFrame:
    """n, mean, sd, median, q1, q3 of *values* per group of the *by* series, long (one row per statistic).

    The same numbers as pandas' ``groupby(...).count/mean/std/median/quantile`` (sample SD; quartiles by
    linear interpolation between order statistics, numpy's and pandas' default), from one sort by group
    and value instead of six grouped passes.  Groups in order of first appearance; a group whose values
    are all missing has n = 0 and no other statistic.
    """
    v = values.to_numpy(float)
    ids = pd.factorize(_group_ids(by))[0]  # dense: a radix sort of small integers below
    narrow = np.int16 if len(ids) and ids.max() < 2 ** 15 else np.int64
    ids = ids.astype(narrow)
    order = np.argsort(v)  # missing values last
    order = order[np.argsort(ids[order], kind="stable")]  # by group, then value within the group
    v, ids, rows = v[order], ids[order], order
    start = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype=np.int64)
    del ids  # 4 million rows: each array of them is 32 MB, so the statistics below reuse their buffers
    present = ~np.isnan(v)
    n = np.add.reduceat(present, start, dtype=np.int64) if len(start) else np.array([], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        work = np.where(present, v, 0.0)
        mean = np.add.reduceat(work, start) / n if len(start) else np.array([])
        np.subtract(v, np.repeat(mean, np.diff(np.r_[start, len(v)])), out=work)
        work[~present] = 0.0
        np.multiply(work, work, out=work)  # squared deviations from the group's mean
        sd = np.sqrt(np.add.reduceat(work, start) / (n - 1)) if len(start) else np.array([])
        del work
    sd[n < 2] = np.nan

    def quantile(q: float) -> np.ndarray:
        position = start + q * np.maximum(n - 1, 0)
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, start + np.maximum(n - 1, 0))
        out = v[low] + (position - low) * (v[high] - v[low])
        return np.where(n > 0, out, np.nan)

    columns = dict(zip(STATISTICS, (n.astype(float), mean, sd, quantile(0.5), quantile(0.25), quantile(0.75))))
    first = np.minimum.reduceat(rows, start) if len(start) else np.array([], dtype=np.int64)
    groups = np.argsort(first, kind="stable")
    keys = {b.name: b.iloc[first[groups]].to_numpy() for b in by}
    long = pd.DataFrame({**{k: np.tile(col, len(STATISTICS)) for k, col in keys.items()},
                         "statistic": np.repeat(STATISTICS, len(groups)),
                         "value": np.concatenate([columns[s][groups] for s in STATISTICS])})
    return long.dropna(subset=["value"]).reset_index(drop=True)


def _with_totals(frame: pd.DataFrame, keys: list[str], value: str = "value") -> pd.DataFrame:
    """:func:`_describe` per arm and for all arms together (arm ``TOTAL``), grouped by *keys* too."""
    by = [frame[k] for k in keys]
    every = pd.Series(pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [TOTAL]), index=frame.index,
                      name="arm")  # one group without copying the frame
    per_arm, total = _describe(frame[value], by + [frame["arm"]]), _describe(frame[value], by + [every])
    return pd.concat([per_arm, total], ignore_index=True)

