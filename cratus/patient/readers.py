"""Reading one patient-level file into a DataFrame, whatever its format, with the assumptions made.

:func:`read_source` accepts a path, raw bytes or an uploaded file-like object
(anything with ``.read()`` and, ideally, ``.name``), checks that the content
is what the extension says (a PNG named ``.xpt`` is refused), and reads

* SAS transport files (``.xpt``, version 5) with :func:`pyreadstat.read_xport`,
  from memory (nothing is written to disk), numbers exact (``pandas.read_sas``
  reads a zero as 5.4e-79); text is decoded as UTF-8, else as latin-1
  (noted); SAS special missing values (``.A``–``.Z``, ``._``) become missing;
  numeric columns with a SAS date format become dates; labels are kept;
* CSV / TSV text: a byte-order mark is removed, latin-1 bytes are decoded as
  such, and a ``;``, tab or ``|`` delimiter is detected (each noted);
* Excel workbooks (``.xlsx``, first sheet) with openpyxl, refusing formulas;
* Parquet files with pyarrow;
* CDISC Dataset-JSON v1.1 (``.json``, or ``.ndjson``: one metadata line, then
  one row per line) with :mod:`cratus.patient.dataset_json`: labels and data
  types as the file declares them.

Every problem raises :class:`ValueError` naming the file (and the column and
row where there is one).  Text cells are returned stripped of padding.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cratus.patient import csv_arrow, limits
from cratus.patient.dataset_json import read_dataset_json

XPT_MAGIC = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"
XPT_V8_MAGIC = b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
BOM = b"\xef\xbb\xbf"
#: SAS display formats of dates (days since 1960-01-01) and date-times (seconds since then).
SAS_DATE_FORMATS = ("DATE", "YYMMDD", "E8601DA", "MMDDYY", "DDMMYY", "IS8601DA", "WORDDATE", "MONYY", "B8601DA")
SAS_DATETIME_FORMATS = ("DATETIME", "E8601DT", "IS8601DT", "B8601DT")
SAS_EPOCH = pd.Timestamp("1960-01-01")
FORMATS = ("xpt", "csv", "xlsx", "parquet", "json")
#: Name of a file given as bytes without a name (numbered when there are several).
UNNAMED = "uploaded file"
#: Cell texts read as missing in CSV files (besides blank cells): R's NA, SAS's ".".
MISSING_TEXT = ["", "NA", "NaN", "."]
#: Column names read as text in CSV files whatever they hold (subject ids keep leading zeros).
ID_COLUMNS = ("USUBJID", "SUBJID", "SUBJECT_ID", "SUBJECT", "PATIENT_ID", "PATIENT", "PARTICIPANT_ID")
_KNOWN_MAGIC = {b"\x89PNG": "a PNG image", b"%PDF": "a PDF document", b"\xff\xd8\xff": "a JPEG image",
                b"GIF8": "a GIF image", ZIP_MAGIC: "a ZIP archive (e.g. an Excel workbook)",
                PARQUET_MAGIC: "a Parquet file", XPT_MAGIC[:20]: "a SAS transport file",
                b"\xd0\xcf\x11\xe0": "an old-style Office file (.xls)"}


@dataclass
class RawTable:
    """One file as read: its name, format, the frame (columns as in the file) and notes."""

    name: str
    format: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    digest_bytes: bytes = b""
    #: Variable labels (SAS transport files), column → label.
    labels: dict = field(default_factory=dict)

    def release(self) -> None:
        """Drop the rows once they are read into tidy frames (the columns stay): a 4-million-row file is not
        held beside its records."""
        self.frame = self.frame.iloc[:0]


def source_name(source, given: str | None = None) -> str:
    """The name used in messages: *given*, else the path's file name, else ``.name``, else a placeholder."""
    if given:
        return str(given)
    if isinstance(source, (str, Path)):
        return Path(source).name
    name = getattr(source, "name", None)
    return Path(str(name)).name if name else UNNAMED


def source_bytes(source, name: str) -> bytes:
    """The raw content of a path, bytes or file-like object (rewound first)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        try:
            return Path(source).read_bytes()
        except OSError as error:
            raise ValueError(f"{name}: cannot be opened ({error.strerror or error})") from error
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise ValueError(f"{name}: not a path, bytes or file-like object ({type(source).__name__})")


def _sniff(data: bytes) -> str:
    """What the content looks like, from its first bytes (``""`` for text)."""
    for magic, what in _KNOWN_MAGIC.items():
        if data.startswith(magic):
            return what
    if data.startswith(XPT_V8_MAGIC[:20]):
        return "a SAS transport file"
    if b"\x00" in data[:4096]:
        return "a binary file"
    return ""


def _format_of(name: str, data: bytes) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    looks = _sniff(data)
    wanted = {"xpt": "a SAS transport file", "xlsx": "a ZIP archive (e.g. an Excel workbook)",
              "parquet": "a Parquet file"}
    kinds = {"xpt": "a SAS transport file", "xlsx": "an Excel workbook", "parquet": "a Parquet file"}
    if ext in ("csv", "txt", "tsv"):
        if looks:
            raise ValueError(f"{name}: is not a text (CSV) file; its content looks like {looks}")
        return "csv"
    if ext in ("json", "ndjson"):
        if looks or not data.lstrip(BOM + b" \t\r\n").startswith(b"{"):
            raise ValueError(f"{name}: is not a Dataset-JSON file; its content looks like {looks or 'other text'}")
        return "json"
    if ext in wanted:
        if looks != wanted[ext]:
            raise ValueError(f"{name}: is not {kinds[ext]}; its content looks like {looks or 'text'}")
        return ext
    if ext in ("xls", "sas7bdat"):
        raise ValueError(f"{name}: .{ext} files are not supported; save as .xpt, Dataset-JSON (.json), .csv, "
                         ".xlsx or .parquet")
    by_content = {wanted["xpt"]: "xpt", wanted["xlsx"]: "xlsx", wanted["parquet"]: "parquet", "": "csv"}
    if looks in by_content:
        return by_content[looks]
    raise ValueError(f"{name}: unknown file type (looks like {looks}); use .xpt, .csv, .xlsx or .parquet")


def read_source(source, name: str | None = None) -> RawTable:
    """Read one file into a :class:`RawTable` (columns as in the file, text stripped).

    Parameters
    ----------
    source : path, bytes or file-like
        The file.  File-like objects (e.g. Streamlit uploads) are read from
        memory; nothing is written to disk.
    name : str, optional
        Name for messages and roles; defaults to the path's or object's name.

    Raises
    ------
    ValueError
        Naming the file, and the column and row where there is one.

    Examples
    --------
    >>> table = read_source(b"USUBJID;ARM\\n01;Placebo\\n", name="subjects.csv")
    >>> table.frame.to_dict("list"), table.notes
    ({'USUBJID': ['01'], 'ARM': ['Placebo']}, ["subjects.csv: delimiter ';' detected"])
    """
    name = source_name(source, name)
    data = source_bytes(source, name)
    if not data.strip():
        raise ValueError(f"{name}: is empty")
    fmt = _format_of(name, data)
    limits.check_file(name, fmt, data)  # rows, columns, cells estimated before parsing (cratus/patient/limits.py)
    reader = {"xpt": _read_xpt, "csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet,
              "json": read_dataset_json}[fmt]
    frame, notes = reader(data, name)
    labels = frame.attrs.pop("labels", {})
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise ValueError(f"{name}: has a header but no rows")
    _check_unique_columns(frame, name)
    return RawTable(name=name, format=fmt, frame=_strip_text(frame), notes=notes, digest_bytes=data,
                    labels=labels)


def _check_unique_columns(frame: pd.DataFrame, name: str) -> None:
    upper = [c.upper() for c in frame.columns]
    seen = {c for c in upper if upper.count(c) > 1}
    if seen:
        raise ValueError(f"{name}: column(s) {', '.join(sorted(seen))} appear more than once "
                         "(column names are compared ignoring case)")


def _strip_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text stripped, blanks missing; the other columns are not copied (a 4-million-row file is not held twice)."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[column] = csv_arrow.strip_categorical(series)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            text = series.astype("str").str.strip()
            out[column] = text.where(text != "")
        else:
            out[column] = series
    return pd.DataFrame(out, index=frame.index, copy=False)


# --- SAS transport ------------------------------------------------------------------------------
def _read_xpt(data: bytes, name: str):
    """SAS transport v5 with pyreadstat, from memory: numbers exact (a zero stays 0, not pandas' 5.4e-79),
    labels kept, dates by their SAS format, special missing values (.A–.Z, ._) missing."""
    if data.startswith(XPT_V8_MAGIC[:20]) and b"LIBV8" in data[:80]:
        raise ValueError(f"{name}: SAS transport version 8 is not supported; export as version 5 (XPORT)")
    notes: list[str] = []
    try:
        frame, meta = _pyreadstat_xport(data, None)
    except UnicodeDecodeError:
        frame, meta = _pyreadstat_xport(data, "latin1")
        notes.append(f"{name}: text is not UTF-8; read as latin-1")
    except Exception as error:  # pyreadstat raises ReadstatError and others on damaged files
        raise ValueError(f"{name}: is truncated or corrupt and cannot be read as a SAS transport file "
                         f"({type(error).__name__})") from error
    if frame is None or not len(frame.columns):
        raise ValueError(f"{name}: has no variables")
    if frame.empty:
        raise ValueError(f"{name}: has variables but no rows")
    formats = {k: str(v or "").upper() for k, v in (meta.original_variable_types or {}).items()}
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            what = "date-times" if formats.get(column, "").startswith(SAS_DATETIME_FORMATS) else "dates"
            notes.append(f"{name}: column {column} read as SAS {what} (format {formats.get(column) or '?'})")
        elif pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].astype(object)
    frame.attrs["labels"] = {k: str(v).strip() for k, v in (meta.column_names_to_labels or {}).items()
                             if v and str(v).strip()}
    return frame, notes


def _pyreadstat_xport(data: bytes, encoding: str | None):
    import pyreadstat

    return pyreadstat.read_xport(io.BytesIO(data), dates_as_pandas_datetime=True, encoding=encoding,
                                 extra_date_formats=list(SAS_DATE_FORMATS),
                                 extra_datetime_formats=list(SAS_DATETIME_FORMATS))


# --- CSV -----------------------------------------------------------------------------------------
def _read_csv(data: bytes, name: str):
    notes: list[str] = []
    if data.startswith(BOM):
        data = data[len(BOM):]
        notes.append(f"{name}: byte-order mark removed")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = data.decode("latin-1").encode("utf-8")
            notes.append(f"{name}: text is not UTF-8; read as latin-1")
    lines = _first_lines(data[:1 << 20].decode("utf-8", "ignore"), 2)
    if not lines:
        raise ValueError(f"{name}: is empty")
    if len(lines) < 2:
        raise ValueError(f"{name}: has a header but no rows")
    delimiter = _delimiter(lines[0])
    if delimiter != ",":
        notes.append(f"{name}: delimiter {_shown(delimiter)} detected")
    decimal = "," if delimiter == ";" and re.search(rb"\d,\d", data) else "."
    if decimal == ",":
        notes.append(f"{name}: decimal comma detected (1,5 read as 1.5)")
    # Subject ids stay text ("001" is not 1); other columns are inferred, checked later cell by cell.
    frame = csv_arrow.read_csv(data, delimiter, decimal, MISSING_TEXT, ID_COLUMNS)
    if frame is None:  # what pyarrow cannot parse, pandas reads or explains
        frame = _read_csv_pandas(data.decode("utf-8"), name, lines[0], delimiter, decimal)
    if any(str(c).startswith("Unnamed: ") or str(c).strip() == "" for c in frame.columns):
        position = next(i for i, c in enumerate(frame.columns) if str(c).startswith("Unnamed: ") or str(c).strip() == "")
        raise ValueError(f"{name}: column {position + 1} has no name in the header row")
    if b"=" in data:
        _refuse_formulas(frame, name)
    return frame, notes


def _read_csv_pandas(text: str, name: str, header_line: str, delimiter: str, decimal: str) -> pd.DataFrame:
    header = next(csv.reader([header_line], delimiter=delimiter))
    ids = {c: str for c in header if c.strip().upper() in ID_COLUMNS}
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=ids, keep_default_na=False,
                           na_values=MISSING_TEXT, skip_blank_lines=True, engine="c", decimal=decimal)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"{name}: cannot be read as CSV ({str(error).strip()})") from error


def _first_lines(text: str, count: int) -> list[str]:
    """The first *count* non-blank lines (without splitting the whole text)."""
    found, start = [], 0
    while start < len(text) and len(found) < count:
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].rstrip("\r")
        if line.strip():
            found.append(line)
        start = end + 1
    return found


def _shown(delimiter: str) -> str:
    return {"\t": "tab", "|": "'|'", ";": "';'"}.get(delimiter, repr(delimiter))


def _delimiter(header: str) -> str:
    """The delimiter of a header line: the most frequent of , ; tab | outside quotes (comma on ties)."""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
        best = max(counts, key=lambda d: (counts[d], d == ","))
        return best if counts[best] else ","


_FORMULA = re.compile(r"^=\s*[A-Za-z_(+\-\d$]")


def _refuse_formulas(frame: pd.DataFrame, name: str) -> None:
    """A cell that starts like a spreadsheet formula (``=SUM(A1:A3)``) is refused, not evaluated."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        text = values.astype("str")
        hits = (text.str.startswith("=").fillna(False) & text.str.match(_FORMULA.pattern).fillna(False)).astype(bool)
        if hits.any():
            row = int(np.flatnonzero(hits.to_numpy())[0])
            raise ValueError(f"{name}, row {row + 2}, column {column!r}: holds a spreadsheet formula "
                             f"({values.iloc[row][:40]!r}); save the values, not formulas")


# --- Excel ---------------------------------------------------------------------------------------
def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_xlsx(data: bytes, name: str):
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # a ZIP that is no workbook, or a damaged one
        raise ValueError(f"{name}: is not a readable Excel workbook ({type(error).__name__})") from error
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    rows = [r for r in rows if any(v is not None and str(v).strip() != "" for v in r)]
    notes = [f"{name}: read the first sheet ({sheet.title!r})"] if len(book.sheetnames) > 1 else []
    if not rows:
        raise ValueError(f"{name}: is empty")
    if len(rows) < 2:
        raise ValueError(f"{name}: has a header but no rows")
    header = [("" if v is None else str(v).strip()) for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if "" in header:
        raise ValueError(f"{name}: column {_column_letter(header.index(''))} has no name in the header row")
    body = [r[:len(header)] + [None] * (len(header) - len(r)) for r in rows[1:]]
    for i, row in enumerate(body):
        for j, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                raise ValueError(f"{name}, cell {_column_letter(j)}{i + 2} (row {i + 2}, column {header[j]!r}): "
                                 f"holds a spreadsheet formula ({value[:40]!r}); save the values, not formulas")
    frame = pd.DataFrame(body, columns=header)
    out = {}
    for column in frame.columns:
        series = frame[column]
        numeric = pd.to_numeric(series, errors="coerce")
        if series.notna().any() and numeric.notna().sum() == series.notna().sum():
            out[column] = numeric.astype(float)
        else:
            out[column] = series.map(lambda v: "" if v is None else str(v)).astype(object)
    return pd.DataFrame(out), notes


# --- Parquet -------------------------------------------------------------------------------------
def _read_parquet(data: bytes, name: str):
    if not data.endswith(PARQUET_MAGIC):
        raise ValueError(f"{name}: is truncated or corrupt (no Parquet footer)")
    try:
        frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise ValueError(f"{name}: is truncated or corrupt and cannot be read as Parquet "
                         f"({type(error).__name__})") from error
    return frame, []
