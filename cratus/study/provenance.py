"""Which printed copy of a number is shown: the one rule, used by figures, tables, appraisal and audit.

The paper prints some numbers twice (a Results sentence and a table, or the
abstract, which rounds).  For each number the Results copy wins, then a
table, then the abstract; any other source (a summary of patient-level data)
comes last.  Every module that shows or tests a number selects it here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.formatting import clean as _clean


def source_rank(source) -> int:
    """Preference of a source when the paper prints the same number twice.

    The Results sections come first (they sit next to the test they report),
    then the tables, then the abstract (which rounds); any other source, such
    as a summary of patient-level data, comes last.

    Parameters
    ----------
    source : str
        The ``source`` cell, e.g. ``"Results: Immune biomarkers"``.

    Returns
    -------
    int
        0 for Results, 1 for a table, 2 for the abstract, 3 otherwise.

    Examples
    --------
    >>> [source_rank(s) for s in ("Results: Immune biomarkers", "Table 1", "Abstract", "patients.csv")]
    [0, 1, 2, 3]
    """
    text = _clean(source)
    for rank, prefix in enumerate(("Results", "Table", "Abstract")):
        if text.startswith(prefix):
            return rank
    return 3


def _records(frame: pd.DataFrame, column: str | None = None, value: str | None = None) -> list[dict]:
    """Rows as dicts, optionally only those where ``frame[column] == value``.

    Column lists are zipped by hand: ``DataFrame.to_dict("records")`` costs
    about a millisecond even for six rows, which adds up over a page rerun.
    """
    if column is not None:
        positions = np.flatnonzero(frame[column].to_numpy() == value)
        columns = {c: frame[c].to_numpy()[positions].tolist() for c in frame.columns}
    else:
        positions = range(len(frame))
        columns = {c: frame[c].tolist() for c in frame.columns}
    names = list(columns)
    return [dict(zip(names, values), _position=int(p)) for p, *values in zip(positions, *columns.values())]


def _best_rows(records: list[dict], key: list[str], own: str | None = None) -> list[dict]:
    """Keep, for each *key*, the record whose source ranks best (first wins ties).

    The one place where the source preference of :func:`source_rank` is applied.
    """
    best: dict[tuple, tuple[int, dict]] = {}
    for record in records:
        k = tuple(_clean(record.get(column)) for column in key)
        source = record.get("source")
        rank = -1 if own and _clean(source) == own else source_rank(source)
        if k not in best or rank < best[k][0]:
            best[k] = (rank, record)
    return sorted((r for _, r in best.values()), key=lambda r: r["_position"])


def _prefer_sources(frame: pd.DataFrame, key: list[str], own: str | None = None) -> pd.DataFrame:
    """Frame version of :func:`_best_rows`, in the original row order."""
    kept = [r["_position"] for r in _best_rows(_records(frame), key, own)]
    return frame.iloc[kept].copy()


def select_figure_rows(summary: pd.DataFrame, own: str | None = None) -> pd.DataFrame:
    """The rows a figure plots: one per number, from the preferred source.

    The paper prints some numbers twice (FEV1 baseline SD is 0.7 in Table 1 and
    0.66 in the Results).  For each ``(endpoint, level, arm, visit,
    statistic)`` the figures use the Results row when there is one, else the
    Table 1 row, else the Abstract row (see :func:`source_rank`).  A
    reproduction of one printed table passes that table as *own*: its own
    copy comes first, so the reproduction matches the page it reproduces.  A
    summary of patient-level data, with a single source, passes through
    unchanged.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame (``endpoint, level, arm, visit, statistic, value,
        source``, optionally ``quote`` and ``printed``).

    Returns
    -------
    pandas.DataFrame
        The same columns, one row per number, in the original row order.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["fev1", "fev1"], "level": ["", ""],
    ...     "arm": ["100M", "100M"], "visit": ["baseline", "baseline"],
    ...     "statistic": ["sd", "sd"], "value": [0.7, 0.66],
    ...     "source": ["Table 1", "Results: Functional status"]})
    >>> select_figure_rows(s)[["value", "source"]].values.tolist()
    [[0.66, 'Results: Functional status']]
    >>> select_figure_rows(s, own="Table 1")["value"].tolist()
    [0.7]
    """
    return _prefer_sources(summary, ["endpoint", "level", "arm", "visit", "statistic"], own)


def select_p_values(p_values: pd.DataFrame) -> pd.DataFrame:
    """One p-value per test, the Results one when the Abstract disagrees.

    Parameters
    ----------
    p_values : pandas.DataFrame
        The p-value frame (``endpoint, arm, comparison, visit, p_value,
        relation, source, quote``).

    Returns
    -------
    pandas.DataFrame
        One row per ``(endpoint, arm, comparison, visit)``.

    Examples
    --------
    >>> p = pd.DataFrame({"endpoint": ["sppb", "sppb"], "arm": ["100M", "100M"],
    ...     "comparison": ["within_arm"] * 2, "visit": ["month6"] * 2,
    ...     "p_value": [0.01, 0.031], "relation": ["=", "="],
    ...     "source": ["Abstract", "Results: Functional status"]})
    >>> select_p_values(p)["p_value"].tolist()
    [0.031]
    """
    return _prefer_sources(p_values, ["endpoint", "arm", "comparison", "visit"])
