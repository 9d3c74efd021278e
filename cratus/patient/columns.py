"""Columns of a read file as typed series, every problem raised naming the file, column and row.

Rows are numbered as a spreadsheet numbers them (the header is row 1).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cratus.patient.readers import RawTable

_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}


def fail(name: str, row, column, message: str):
    where = f", row {int(row) + 2}" if row is not None else ""
    where += f", column {column!r}" if column is not None else ""
    raise ValueError(f"{name}{where}: {message}")


def first(mask) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0])


def id_text(series: pd.Series) -> pd.Series:
    """Subject ids as text: ``1.0`` (from a spreadsheet) becomes ``"1"``."""
    if pd.api.types.is_numeric_dtype(series):
        whole = series.dropna()
        if (whole == np.floor(whole)).all():
            return series.map(lambda v: np.nan if pd.isna(v) else str(int(v)))
        return series.map(lambda v: np.nan if pd.isna(v) else repr(float(v)))
    return series.astype("str").str.strip().replace("", np.nan).where(series.notna())


def numbers(table: RawTable, column: str, what: str = "a number") -> pd.Series:
    """A column as floats: blanks are missing, text or infinity raise naming the row."""
    series = table.frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        fail(table.name, 0, column, f"holds dates, not {what}")
    out = pd.to_numeric(series, errors="coerce").astype(float)
    bad = out.isna() & series.notna()
    if bad.any():
        row = first(bad)
        fail(table.name, row, column, f"{series.iloc[row]!r} is not {what}")
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        row = first(infinite)
        fail(table.name, row, column, f"{series.iloc[row]!r} is not a finite number")
    return out


def flag(table: RawTable, column: str, blank=np.nan) -> pd.Series:
    """A Y/N column as booleans (blank → *blank*); other text raises naming the row."""
    text = table.frame[column].astype("str").str.strip().str.lower()
    missing = table.frame[column].isna() | (text == "") | (text == "nan")
    known = text.isin(_TRUE | _FALSE) | missing
    if not known.all():
        row = first(~known)
        fail(table.name, row, column, f"{table.frame[column].iloc[row]!r} is not Y or N")
    out = pd.Series(text.isin(_TRUE).to_numpy(), index=text.index, dtype=object)
    out[missing.to_numpy()] = blank
    return out


def is_yes(series: pd.Series) -> np.ndarray:
    """True where a flag column holds Y (ADaM flags are Y or blank; Y/N, yes, true and 1 are read too)."""
    return series.astype("str").str.strip().str.lower().isin(_TRUE).to_numpy()


def text(table: RawTable, column: str | None, required: bool = False) -> pd.Series:
    frame = table.frame
    if column is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    series = frame[column]  # text was stripped and blanks made missing by the reader
    if pd.api.types.is_numeric_dtype(series):
        series = id_text(series)
    if required and series.isna().any():
        fail(table.name, first(series.isna()), column, "is empty")
    return series


def numeric_or_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    out = pd.to_numeric(series, errors="coerce")
    if series.notna().any() and out.notna().sum() == series.notna().sum():
        return out.astype(float)
    return series


def natural_key(value: str):
    return [(0, float(t), "") if re.fullmatch(r"\d+(\.\d+)?", t) else (1, 0.0, t.lower())
            for t in re.findall(r"\d+(?:\.\d+)?|\D+", str(value))]


def subject_ids(table: RawTable, column: str, known: pd.Index, missing: list | None = None) -> pd.Categorical:
    """Subject ids as a categorical over the subject file's ids.

    An id not in the subject file raises, unless *missing* is a list: the rows are then coded -1 (missing)
    and their ids appended to *missing*, for the caller to report.
    """
    ids = text(table, column, required=True)
    codes = known.get_indexer(ids)
    unknown = codes == -1
    if unknown.any():
        if missing is None:
            row = first(unknown)
            fail(table.name, row, column, f"subject {ids.iloc[row]!r} is not in the subject file")
        missing.extend(dict.fromkeys(ids[unknown]))
    return pd.Categorical.from_codes(codes, categories=known)
