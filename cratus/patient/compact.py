"""Compact columns for large patient-level frames: text held as categories, not one Python string per row.

A measurement file of 4 million rows repeats a few dozen texts (its name, a
blank unit, visits, endpoints); as object or string columns each copy costs
a pointer or a string, and building them costs seconds.  As categoricals
they cost one byte a row and are built in milliseconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_TEXT = pd.Index([], dtype="str")


def constant(value: str, index: pd.Index) -> pd.Series:
    """*value* on every row, as a one-category categorical."""
    codes = np.zeros(len(index), dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index([value], dtype="str")), index=index)


def blank(index: pd.Index) -> pd.Series:
    """A text column with every row missing, as a categorical with no categories."""
    codes = np.full(len(index), -1, dtype=np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, categories=_TEXT), index=index)


def text(series: pd.Series) -> pd.Series:
    """*series* as a categorical when it is text (already categorical: unchanged)."""
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_numeric_dtype(series):
        return series
    return series.astype("category")


def _codes(series: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes (missing: the last code) and how many there are, without copying text."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        size = len(series.cat.categories) + 1
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        size = len(uniques) + 1
    codes[codes < 0] = size - 1
    return codes, size


def combined_codes(frame: pd.DataFrame, columns) -> np.ndarray:
    """One int64 code per row for the combination of *columns* (equal rows, equal codes)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    space = 1
    for column in columns:
        codes, size = _codes(frame[column])
        if space * size >= 2 ** 62:  # too many combinations for one integer: number those seen so far
            combined, _ = pd.factorize(combined)
            combined = combined.astype(np.int64)
            space = int(combined.max()) + 1 if len(combined) else 1
        combined = combined * size + codes
        space *= size
    return combined


def has_duplicates(frame: pd.DataFrame, columns) -> bool:
    """Whether two rows hold the same values in *columns* (a sort of integer codes: no hash table of rows)."""
    if len(frame) < 2:
        return False
    ordered = np.sort(combined_codes(frame, columns))
    return bool((ordered[1:] == ordered[:-1]).any())


def distinct(frame: pd.DataFrame, columns) -> tuple[np.ndarray, np.ndarray]:
    """The distinct combinations of *columns*, in order of first appearance: each row's combination number and
    the first row of each combination.  Works on integer codes (a table indexed by code when the combinations
    possible are few, else hashing), never on the rows' text."""
    combined = combined_codes(frame, columns)
    rows = len(combined)
    space = int(combined.max()) + 1 if rows else 0
    if space > max(4 * rows, 1 << 20):
        inverse, _ = pd.factorize(combined)
        return inverse.astype(np.int64), np.flatnonzero(~pd.Series(inverse).duplicated().to_numpy())
    first_row = np.full(space, rows, dtype=np.int64)
    np.minimum.at(first_row, combined, np.arange(rows, dtype=np.int64))
    seen = np.flatnonzero(first_row < rows)
    seen = seen[np.argsort(first_row[seen], kind="stable")]
    number = np.empty(space, dtype=np.int64)
    number[seen] = np.arange(len(seen))
    return number[combined], first_row[seen]


def without_unused(series: pd.Series) -> pd.Series:
    """A categorical without the categories no row holds (a text column: as a categorical), without a sort of
    the rows' codes."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object).astype("category")
    codes = series.cat.codes.to_numpy()
    present = np.zeros(len(series.cat.categories) + 1, dtype=bool)
    present[codes] = True  # code -1 (missing) marks the extra last slot
    if present[:-1].all():
        return series
    kept = np.flatnonzero(present[:-1])
    lookup = np.full(len(present), -1, dtype=codes.dtype)
    lookup[kept] = np.arange(len(kept), dtype=codes.dtype)
    return pd.Series(pd.Categorical.from_codes(lookup[codes], categories=series.cat.categories[kept]),
                     index=series.index, name=series.name)
