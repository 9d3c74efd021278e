"""CDISC Dataset-JSON v1.1: a dataset as JSON (``.json``) or NDJSON (``.ndjson``), read from memory.

The file declares its columns (``name``, ``label``, ``dataType``, optional
``targetDataType``) and gives ``rows`` as arrays in that order (NDJSON: the
metadata object on the first line, then one array per line).  Columns are
read by their declared type: ``string`` as text; ``integer``, ``float``,
``double`` and ``decimal`` (a decimal written as a string) as numbers;
``boolean`` as Y/N text; ``date`` and ``datetime`` (ISO 8601) as dates;
``time`` and ``URI`` as text.  Labels are kept as variable labels, as from a
SAS transport file.

Examples
--------
>>> import json
>>> doc = {"datasetJSONVersion": "1.1.0", "name": "ADSL", "records": 2,
...        "columns": [{"itemOID": "IT.USUBJID", "name": "USUBJID", "label": "Unique Subject Identifier",
...                     "dataType": "string"},
...                    {"itemOID": "IT.TRT01PN", "name": "TRT01PN", "label": "Planned Treatment (N)",
...                     "dataType": "integer"}],
...        "rows": [["01", 0], ["02", 54]]}
>>> frame, notes = read_dataset_json(json.dumps(doc).encode(), "adsl.json")
>>> frame.to_dict("list"), frame.attrs["labels"]["TRT01PN"]
({'USUBJID': ['01', '02'], 'TRT01PN': [0.0, 54.0]}, 'Planned Treatment (N)')
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

NUMERIC_TYPES = ("integer", "float", "double", "decimal")
DATE_TYPES = ("date", "datetime")
KNOWN_TYPES = NUMERIC_TYPES + DATE_TYPES + ("string", "boolean", "time", "URI", "uri")


def _document(data: bytes, name: str) -> tuple[dict, list]:
    text = data.decode("utf-8-sig")
    try:
        return _whole(json.loads(text), name)
    except json.JSONDecodeError:
        pass
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        meta = json.loads(lines[0])
        rows = [json.loads(line) for line in lines[1:]]
    except (json.JSONDecodeError, IndexError) as error:
        raise ValueError(f"{name}: is not valid JSON or NDJSON ({error})") from error
    if not isinstance(meta, dict):
        raise ValueError(f"{name}: the first line of an NDJSON Dataset-JSON file must be its metadata object")
    return meta, rows


def _whole(doc, name: str) -> tuple[dict, list]:
    if not isinstance(doc, dict):
        raise ValueError(f"{name}: a Dataset-JSON file is one JSON object (with columns and rows)")
    if "columns" not in doc and "clinicalData" in doc:
        raise ValueError(f"{name}: is Dataset-JSON version 1.0 (clinicalData/itemGroupData); export as "
                         "version 1.1 (columns and rows)")
    return doc, doc.get("rows", [])


def read_dataset_json(data: bytes, name: str) -> tuple[pd.DataFrame, list[str]]:
    """The frame (labels in ``attrs["labels"]``) and notes of a Dataset-JSON v1.1 file; ValueError naming the
    file, and the row and column where there is one."""
    meta, rows = _document(data, name)
    columns = meta.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, dict) and c.get("name")
                                                              for c in columns):
        raise ValueError(f"{name}: has no 'columns' list naming each column (Dataset-JSON v1.1)")
    names = [str(c["name"]) for c in columns]
    width = len(names)
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            raise ValueError(f"{name}, row {i + 1}: has {len(row) if isinstance(row, list) else 'no'} values; "
                             f"the columns list {width}")
    notes = []
    version = str(meta.get("datasetJSONVersion", ""))
    if version and not version.startswith("1.1"):
        notes.append(f"{name}: Dataset-JSON version {version} read as version 1.1")
    out = {}
    for j, spec in enumerate(columns):
        values = [row[j] for row in rows]
        out[names[j]] = _typed(values, spec, name, notes)
    frame = pd.DataFrame(out, columns=names)
    frame.attrs["labels"] = {str(c["name"]): str(c["label"]).strip() for c in columns if c.get("label")}
    declared = meta.get("records")
    if isinstance(declared, int) and declared != len(frame):
        notes.append(f"{name}: declares {declared} records but holds {len(frame)} rows; the rows were read")
    return frame, notes


def _typed(values: list, spec: dict, name: str, notes: list) -> pd.Series:
    kind = str(spec.get("dataType", "string"))
    column = str(spec["name"])
    if kind not in KNOWN_TYPES:
        notes.append(f"{name}: column {column} has data type {kind!r}; read as text")
        kind = "string"
    if kind in NUMERIC_TYPES or spec.get("targetDataType") in ("integer", "decimal") and kind not in DATE_TYPES:
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
        bad = numbers.isna() & pd.Series([v is not None and v != "" for v in values])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{name}, row {row + 1}, column {column!r}: {values[row]!r} is not a number "
                             f"(declared {kind})")
        return numbers
    if kind in DATE_TYPES:
        if spec.get("targetDataType") == "integer" and all(isinstance(v, (int, float)) or v is None
                                                           for v in values):
            unit = "s" if kind == "datetime" else "D"
            return pd.Timestamp("1960-01-01") + pd.to_timedelta(pd.Series(values, dtype=float), unit=unit)
        dates = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", format="ISO8601")
        bad = dates.isna() & pd.Series([v is not None and v != "" for v in values])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{name}, row {row + 1}, column {column!r}: {values[row]!r} is not an ISO 8601 "
                             f"{kind}")
        return dates
    if kind == "boolean":
        return pd.Series([None if v is None else ("Y" if v is True or str(v).lower() == "true" else "N")
                          for v in values], dtype=object)
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)
