"""CSV text read compactly with pyarrow: repeated text as categories, numbers as numbers.

:func:`read_csv` reads CSV bytes with pyarrow's multithreaded reader (which
works outside Python's interpreter lock, so other sessions keep running while
it parses) and returns a pandas frame in which every text column with
repeated values (subject ids, visits, endpoints, arms…) is a categorical:
4 million rows of ``usubjid, visit, endpoint`` take a few integer codes each
instead of a Python string per cell.  It reads what :func:`pandas.read_csv`
read before (same missing-value texts, dates left as text, ids as text) and
returns ``None`` when pyarrow cannot read the file (ragged rows, …) so that
the caller can fall back to pandas for its exact messages.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

#: Columns with at most this many distinct texts per block are read as categories.
DICTIONARY_CARDINALITY = 1_000_000
#: Bytes per block read (pyarrow's default is 1 MB; larger blocks mean fewer per-block dictionaries).
BLOCK_SIZE = 16 << 20
#: The C library's allocator: it gives freed memory back to the system (pyarrow's default pool keeps it for reuse,
#: which held ~700 MB after one 100 MB CSV was read).
POOL = pa.system_memory_pool()
_TRUE = ["True", "TRUE", "true"]
_FALSE = ["False", "FALSE", "false"]


def read_csv(data: bytes, delimiter: str, decimal: str, missing: list[str], text_columns) -> pd.DataFrame | None:
    """*data* (UTF-8, no byte-order mark) as a frame, or ``None`` when pyarrow cannot parse it.

    *text_columns*: header names read as text whatever they hold (subject ids
    keep leading zeros); dates and times are kept as the text in the file.
    """
    table = _read(data, delimiter, decimal, missing, set(text_columns))
    if table is None:
        return None
    temporal = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
    if temporal:  # pandas kept them as text: read those columns again as text, exactly as written
        table = _read(data, delimiter, decimal, missing, set(text_columns) | set(temporal))
        if table is None:
            return None
    columns = {}
    for index, field in enumerate(table.schema):
        chunked = table.column(index)
        if pa.types.is_null(field.type):
            columns[index] = pd.Series(np.full(len(table), np.nan))
        else:
            columns[index] = chunked.to_pandas(memory_pool=POOL)
    frame = pd.DataFrame(columns)
    frame.columns = table.column_names
    return frame


def _read(data: bytes, delimiter: str, decimal: str, missing: list[str], text: set) -> pa.Table | None:
    header = _header(data, delimiter)
    convert = pa_csv.ConvertOptions(
        null_values=missing, strings_can_be_null=True, quoted_strings_can_be_null=True, true_values=_TRUE,
        false_values=_FALSE, decimal_point=decimal, auto_dict_encode=True,
        auto_dict_max_cardinality=DICTIONARY_CARDINALITY,
        column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in header if c.strip().upper() in text
                      or c in text})
    try:
        return pa_csv.read_csv(pa.BufferReader(data), read_options=pa_csv.ReadOptions(block_size=BLOCK_SIZE),
                               parse_options=pa_csv.ParseOptions(delimiter=delimiter), convert_options=convert,
                               memory_pool=POOL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None


def _header(data: bytes, delimiter: str) -> list[str]:
    """The header's column names (first line only), for naming the text columns."""
    import csv

    end = data.find(b"\n")
    line = (data if end < 0 else data[:end]).decode("utf-8", "replace").rstrip("\r")
    return next(csv.reader([line], delimiter=delimiter), [])


def strip_categorical(series: pd.Series) -> pd.Series:
    """A categorical with its texts stripped and blanks made missing, working on the categories only."""
    categories = series.cat.categories
    stripped = pd.Index(categories.astype("str")).str.strip()
    if stripped.equals(pd.Index(categories)) and not (stripped == "").any():
        return series
    codes, uniques = pd.factorize(stripped)
    blank = uniques == ""
    remap = np.where(blank[codes], -1, codes - np.cumsum(blank)[codes]) if blank.any() else codes
    kept = uniques[~blank]
    old = series.cat.codes.to_numpy()
    new = np.where(old < 0, -1, remap[np.maximum(old, 0)])
    return pd.Series(pd.Categorical.from_codes(new, categories=kept), index=series.index, name=series.name)
