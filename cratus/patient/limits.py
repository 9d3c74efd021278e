"""How much one upload may hold, checked before any file is parsed.

The app runs on one shared server (Streamlit Community Cloud gives an app at
most about 2.7 GB of memory for all its visitors).  Before a file is read its
size in rows, columns and cells is *estimated* from what is cheap to look at,
and a file beyond what one upload may use is refused at once with a message
that gives the limit and what to do:

* CSV: the header line gives the columns, the count of line breaks the rows;
  a line longer than :data:`MAX_LINE_BYTES` (a single 100 MB line, a header of
  a million columns) is refused without splitting it;
* Excel (``.xlsx``): the ZIP directory gives every part's unpacked size (a
  ZIP bomb is refused before anything is unpacked) and the first sheet's
  ``<dimension ref="A1:E300001"/>`` its rows and columns; Excel is slow to
  read, so it gets a tenth of the cells of the other formats;
* Parquet: its footer gives rows, columns and unpacked size;
* SAS transport: the header gives the record length, the file size the rows.

**One setting**: ``CRATUS_UPLOAD_CELLS``, the cells (rows × columns, all files of
one upload together) one upload may hold; default 25 million, which admits a
long CSV of 4 million rows × 5 columns (40,000 subjects × 20 endpoints × 5
visits, about 140 MB), read by a worker process that peaks at about 0.9 GB resident (bench_uploads).
Everything else is derived from it.  Large uploads are read one at a time (see
:mod:`cratus.patient.worker`): with the server's own ~0.45 GB and the studies
its sessions hold (~0.2 GB for such an upload) that stays within 2.7 GB for a
few visitors at once.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass

#: The environment variable of the one setting (cells per upload).
SETTING = "CRATUS_UPLOAD_CELLS"
DEFAULT_CELLS = 25_000_000
#: A CSV line longer than this is refused (a row of 10,000 columns of 100 characters fits).
MAX_LINE_BYTES = 1 << 20
#: Excel is read cell by cell in Python (about 10 µs and 100 bytes a cell): it gets this share of the cells.
EXCEL_SHARE = 10
#: Unpacked bytes of XML allowed per Excel cell (a cell is ~20–60 bytes of XML); beyond: a ZIP bomb.
EXCEL_XML_BYTES_PER_CELL = 200
#: Unpacked Parquet bytes allowed per cell (numbers take 8, short texts ~10–40).
PARQUET_BYTES_PER_CELL = 64
#: A worker's memory: the libraries and the upload's bytes, and the parse's per cell (bench/bench_uploads.py).
WORKER_BASE_BYTES = 512 << 20
WORKER_BYTES_PER_CELL = 48
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; :meth:`from_environment` reads the one setting."""

    cells: int = DEFAULT_CELLS

    @classmethod
    def from_environment(cls) -> "Limits":
        value = os.environ.get(SETTING, "").replace("_", "").strip()
        return cls(cells=int(value)) if value.isdigit() and int(value) > 0 else cls()

    @property
    def excel_cells(self) -> int:
        return self.cells // EXCEL_SHARE

    @property
    def worker_bytes(self) -> int:
        """Resident memory a worker reading one upload may reach: the libraries (~0.3 GB) and the upload's
        bytes, plus what the parse of this many cells needs (the 4-million-row CSV: a resident peak of ~0.9 GB,
        under 20 bytes a cell above the base)."""
        return WORKER_BASE_BYTES + WORKER_BYTES_PER_CELL * self.cells

    @property
    def columns(self) -> int:
        """Columns per file: ADaM datasets have tens to a few hundred."""
        return max(1_000, min(20_000, self.cells // 2_000))


@dataclass(frozen=True)
class Estimate:
    """A file's size as estimated before parsing it."""

    name: str
    format: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _millions(cells: int) -> str:
    return f"{cells / 1e6:,.1f} million" if cells >= 1e6 else f"{cells:,}"


def _refuse(name: str, what: str, todo: str):
    raise ValueError(f"{name}: {what}. {todo}")


# --- estimates, per format --------------------------------------------------------------------------------
def estimate(name: str, fmt: str, data: bytes, limits: Limits | None = None) -> Estimate:
    """Rows and columns of one file from its header, footer or directory; refuses what is malformed or hostile
    (a line too long, a ZIP bomb) before anything is parsed."""
    limits = limits or Limits.from_environment()
    reader = {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet, "xpt": _xpt, "json": _json}.get(fmt)
    return reader(name, data, limits) if reader else Estimate(name, fmt, 0, 0)


def _csv(name: str, data: bytes, limits: Limits) -> Estimate:
    end = data.find(b"\n", 0, MAX_LINE_BYTES + 1)
    if end < 0 and len(data) > MAX_LINE_BYTES:
        start = data[:MAX_LINE_BYTES]
        commas = max(start.count(d) for d in (b",", b";", b"\t", b"|"))
        if commas >= limits.columns:
            _refuse(name, f"its header has more than {commas:,} columns; a file may have at most "
                          f"{limits.columns:,}", "Keep only the columns the analysis needs")
        _refuse(name, f"its first line is longer than {MAX_LINE_BYTES >> 20} MB (a CSV file has one row per line)",
                "Check that it is a CSV file with one row per line")
    header = data[:end if end >= 0 else len(data)]
    delimiter = max((b",", b";", b"\t", b"|"), key=header.count)
    columns = header.count(delimiter) + 1
    if columns > limits.columns:
        _refuse(name, f"its header has {columns:,} columns; a file may have at most {limits.columns:,}",
                "Keep only the columns the analysis needs")
    rows = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
    longest = _longest_line(data)
    if longest:
        _refuse(name, f"a line is {longest / 2 ** 20:,.1f} MB long; a line may be at most "
                      f"{MAX_LINE_BYTES >> 20} MB", "Check that it is a CSV file with one row per line")
    return Estimate(name, "csv", max(rows, 0), columns)


def _longest_line(data: bytes) -> int:
    """0 if every line is at most 2 × :data:`MAX_LINE_BYTES` long, else the length of a window of that many bytes
    without a line break: a line that long covers a whole window, so checking the windows suffices (no copy,
    no split)."""
    for start in range(0, len(data), MAX_LINE_BYTES):
        stop = min(start + MAX_LINE_BYTES, len(data))
        if stop - start == MAX_LINE_BYTES and data.find(b"\n", start, stop) < 0:
            following = data.find(b"\n", stop)
            return (len(data) if following < 0 else following) - data.rfind(b"\n", 0, start)
    return 0


def _xlsx(name: str, data: bytes, limits: Limits) -> Estimate:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):  # the reader explains damaged files itself
        return Estimate(name, "xlsx", 0, 0)
    unpacked = sum(p.file_size for p in parts)
    allowed = limits.excel_cells * EXCEL_XML_BYTES_PER_CELL
    if unpacked > allowed:
        _refuse(name, f"unpacks to {unpacked / 1e6:,.0f} MB of spreadsheet XML; an Excel upload may unpack to at "
                      f"most {allowed / 1e6:,.0f} MB", "Save it as CSV or Parquet, which are read faster and may "
                                                       f"hold up to {_millions(limits.cells)} cells")
    sheet = _first_sheet(book)
    rows = columns = 0
    if sheet is not None:
        with book.open(sheet) as part:
            found = _DIMENSION.search(part.read(1 << 16))
        if found and found.group(4):
            rows, columns = int(found.group(4)), _column_number(found.group(3).decode())
        elif found and found.group(2):
            rows, columns = int(found.group(2)), _column_number(found.group(1).decode())
        cells_by_size = book.getinfo(sheet).file_size // 20  # no cell takes fewer than ~20 bytes of XML
        if rows * columns == 0:
            rows, columns = cells_by_size, 1
    return Estimate(name, "xlsx", rows, columns)


def _first_sheet(book: zipfile.ZipFile) -> str | None:
    """The ZIP part of the workbook's first sheet (as openpyxl reads it), from the workbook's relationships."""
    names = set(book.namelist())
    try:
        workbook = book.read("xl/workbook.xml")[:1 << 20]
        relations = book.read("xl/_rels/workbook.xml.rels")[:1 << 20]
        first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook) or \
            re.search(rb"<(?:\w+:)?sheet\b[^>]*?\bid=\"([^\"]+)\"", workbook)
        target = re.search(rb"<Relationship\b[^>]*\bId=\"" + re.escape(first.group(1)) + rb"\"[^>]*\bTarget=\"([^\"]+)\"",
                           relations) or re.search(rb"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\""
                                                   + re.escape(first.group(1)) + rb"\"", relations)
        path = target.group(1).decode().lstrip("/")
        path = path if path.startswith("xl/") else "xl/" + path
        if path in names:
            return path
    except (KeyError, AttributeError, zipfile.BadZipFile):
        pass
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return sheets[0] if sheets else None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _json(name: str, data: bytes, limits: Limits) -> Estimate:
    """Dataset-JSON: columns from the column definitions (each has an ``itemOID``), rows from the closing brackets
    of the row arrays — counted in the bytes, before the JSON is parsed."""
    columns = data.count(b'"itemOID"') or data.count(b'"dataType"')
    arrays = 2 if b'"rows"' in data else 1  # besides the rows' own: the columns list, and the rows list if any
    return Estimate(name, "json", max(data.count(b"]") - arrays, 0), columns)


def _parquet(name: str, data: bytes, limits: Limits) -> Estimate:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(pa.BufferReader(data))
    except Exception:  # pyarrow raises ArrowInvalid, OSError, ...: the reader explains damaged files itself
        return Estimate(name, "parquet", 0, 0)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    allowed = limits.cells * PARQUET_BYTES_PER_CELL
    if unpacked > allowed:
        _refuse(name, f"unpacks to {unpacked / 1e6:,.0f} MB; an upload may unpack to at most "
                      f"{allowed / 1e6:,.0f} MB", "Keep only the rows and columns the analysis needs")
    return Estimate(name, "parquet", meta.num_rows, meta.num_columns)


def _xpt(name: str, data: bytes, limits: Limits) -> Estimate:
    import pandas as pd

    try:
        reader = pd.read_sas(io.BytesIO(data), format="xport", iterator=True, encoding=None)
        columns, length, start = len(reader.fields), reader.record_length, reader.record_start
        reader.close()
    except Exception:  # the reader explains damaged files itself
        return Estimate(name, "xpt", 0, 0)
    return Estimate(name, "xpt", (len(data) - start) // max(length, 1), columns)


# --- the checks -------------------------------------------------------------------------------------------
def check_file(name: str, fmt: str, data: bytes, limits: Limits | None = None) -> Estimate:
    """Refuse one file beyond what one upload may hold (before it is parsed); return its estimate."""
    limits = limits or Limits.from_environment()
    found = estimate(name, fmt, data, limits)
    if found.columns > limits.columns:
        _refuse(name, f"has {found.columns:,} columns; a file may have at most {limits.columns:,}",
                "Keep only the columns the analysis needs")
    if fmt == "xlsx" and found.cells > limits.excel_cells:
        _refuse(name, f"an Excel sheet of about {found.rows:,} rows × {found.columns:,} columns "
                      f"({_millions(found.cells)} cells); an Excel upload may hold at most "
                      f"{_millions(limits.excel_cells)} cells, because Excel is slow to read",
                f"Save it as CSV or Parquet, which may hold up to {_millions(limits.cells)} cells")
    if found.cells > limits.cells:
        _refuse(name, f"about {found.rows:,} rows × {found.columns:,} columns ({_millions(found.cells)} cells); "
                      f"one upload may hold at most {_millions(limits.cells)} cells on this shared server",
                _fewer())
    return found


def check_upload(estimates: list[Estimate], limits: Limits | None = None) -> None:
    """Refuse an upload whose files together hold more cells than one upload may."""
    limits = limits or Limits.from_environment()
    total = sum(e.cells for e in estimates)
    if total > limits.cells:
        sizes = ", ".join(f"{e.name} {_millions(e.cells)}" for e in sorted(estimates, key=lambda e: -e.cells))
        raise ValueError(f"these files hold about {_millions(total)} cells together ({sizes}); one upload may "
                         f"hold at most {_millions(limits.cells)} cells on this shared server. {_fewer()}")


def _fewer() -> str:
    return ("Upload only the datasets and parameters the analysis needs (e.g. filter the BDS datasets to the "
            f"endpoints of interest), or run the app on your own computer with a larger {SETTING}")
