"""Limits checked before the work: hostile and oversized uploads are refused at once with a clear message.

Each hostile file is built in memory (a ZIP bomb named .xlsx, a CSV with a million columns, a single 100 MB
line) and must be refused by :func:`cratus.patient.read_patient_data` before anything is parsed: the tests
finish in seconds and never come near the memory such a parse would take.  Estimates are checked against
what the readers then read (rows and columns of CSV, Excel and Parquet files written by pandas).
"""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cratus.patient import read_patient_data
from cratus.patient import limits
from cratus.patient.limits import Limits, check_file, check_upload, estimate
from cratus.patient.readers import read_source

SUBJECTS = b"usubjid,arm\nP01,Drug\nP02,Placebo\n"


def refused(name: str, data: bytes) -> str:
    with pytest.raises(ValueError) as error:
        read_patient_data(SUBJECTS, data, names=["subjects.csv", name])
    return str(error.value)


def test_zip_bomb_named_xlsx_is_refused_before_unpacking():
    # One part that deflates 600 MB of zeros into about 0.6 MB: the ZIP directory tells its unpacked size.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(600):
                part.write(block)
    data = buffer.getvalue()
    assert len(data) < 5_000_000
    message = refused("measurements.xlsx", data)
    assert message.startswith("measurements.xlsx: unpacks to 629 MB of spreadsheet XML")
    assert "Save it as CSV or Parquet" in message


def test_csv_with_a_million_columns_is_refused():
    header = ",".join(f"c{i}" for i in range(1_000_000)).encode()
    message = refused("measurements.csv", header + b"\n" + b"1," * 999_999 + b"1\n")
    assert message.startswith("measurements.csv: its header has more than")
    assert f"a file may have at most {Limits().columns:,}" in message
    assert "Keep only the columns the analysis needs" in message


def test_a_single_100_mb_line_is_refused():
    message = refused("measurements.csv", b"x" * (100 << 20))
    assert message.startswith("measurements.csv: its first line is longer than 1 MB")


def test_a_100_mb_line_after_a_normal_header_is_refused():
    data = b"usubjid,visit,endpoint,value\nP01,Baseline,score,1\n" + b"y" * (100 << 20) + b"\n"
    assert refused("measurements.csv", data).startswith("measurements.csv: a line is 100.0 MB long")


def test_too_many_cells_are_refused_with_the_limit_and_what_to_do():
    data = b"usubjid,visit,endpoint,value\n" + b"P01,Baseline,score,1\n" * 300
    with pytest.raises(ValueError) as error:
        check_file("measurements.csv", "csv", data, Limits(cells=1_000))
    assert str(error.value) == (
        "measurements.csv: about 300 rows × 4 columns (1,200 cells); one upload may hold at most 1,000 cells on "
        "this shared server. Upload only the datasets and parameters the analysis needs (e.g. filter the BDS "
        "datasets to the endpoints of interest), or run the app on your own computer with a larger "
        "CRATUS_UPLOAD_CELLS")


def test_excel_gets_a_tenth_and_its_dimension_is_read_from_the_sheet_xml():
    # A workbook whose first sheet declares A1:E600001 (3 million cells) although it holds two rows: the
    # declared dimension is what is checked, before openpyxl reads anything.
    buffer = io.BytesIO()
    pd.DataFrame({"usubjid": ["P01"], "visit": ["Baseline"], "endpoint": ["score"], "value": [1.0],
                  "unit": ["kg"]}).to_excel(buffer, index=False)
    forged = _with_dimension(buffer.getvalue(), "A1:E600001")
    assert (estimate("m.xlsx", "xlsx", forged).rows, estimate("m.xlsx", "xlsx", forged).columns) == (600001, 5)
    message = refused("measurements.xlsx", forged)
    assert "an Excel upload may hold at most 2.5 million cells, because Excel is slow to read" in message
    assert "Save it as CSV or Parquet, which may hold up to 25.0 million cells" in message


def _with_dimension(data: bytes, ref: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
            target.writestr(info.filename, content)
    return out.getvalue()


def test_the_files_of_one_upload_are_counted_together():
    parts = [limits.Estimate("adsl.csv", "csv", 1_000, 100), limits.Estimate("adlb.csv", "csv", 200_000, 60)]
    with pytest.raises(ValueError, match=r"^these files hold about 12.1 million cells together \(adlb.csv 12.0 "
                                         r"million, adsl.csv 100,000\); one upload may hold at most 10.0 million"):
        check_upload(parts, Limits(cells=10_000_000))
    check_upload(parts, Limits(cells=13_000_000))


def test_the_one_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(limits.SETTING, "40_000_000")
    assert Limits.from_environment() == Limits(cells=40_000_000)
    assert Limits.from_environment().excel_cells == 4_000_000
    monkeypatch.setenv(limits.SETTING, "lots")
    assert Limits.from_environment() == Limits()


frames = st.lists(st.tuples(st.sampled_from(["P01", "P02", "x y", ""]), st.integers(-5, 5),
                            st.floats(allow_nan=False, allow_infinity=False, width=32)), min_size=1, max_size=40)


@settings(max_examples=30, deadline=None)
@given(rows=frames, trailing_newline=st.booleans())
def test_csv_estimate_is_the_rows_and_columns_read(rows, trailing_newline):
    frame = pd.DataFrame(rows, columns=["usubjid", "count", "value"])
    data = frame.to_csv(index=False).encode()
    data = data if trailing_newline else data.rstrip(b"\n")
    found = estimate("m.csv", "csv", data)
    read = read_source(data, "m.csv").frame
    assert (found.rows, found.columns) == (len(read), read.shape[1]) == (len(frame), 3)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_excel_and_parquet_estimates_are_the_rows_and_columns_read(fmt):
    frame = pd.DataFrame({"usubjid": [f"P{i:02d}" for i in range(37)], "value": range(37), "arm": "Drug"})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False) if fmt == "xlsx" else frame.to_parquet(buffer, index=False)
    found = estimate(f"m.{fmt}", fmt, buffer.getvalue())
    read = read_source(buffer.getvalue(), f"m.{fmt}").frame
    # the Excel dimension counts the header row: one more row than the data rows, never fewer
    assert (found.rows - (fmt == "xlsx"), found.columns) == read.shape == (37, 3)


def test_deflated_csv_zip_is_not_an_excel_bypass():
    # A ZIP named .xlsx holding no workbook parts is refused by the Excel reader as before, not estimated as empty.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(ValueError, match="is not a readable Excel workbook"):
        read_source(buffer.getvalue(), "m.xlsx")


def test_the_readme_states_the_limits_in_force():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    defaults = Limits()
    assert f"**`{limits.SETTING}` cells**" in readme
    assert f"default **{defaults.cells / 1e6:.0f} million**" in readme
    assert f"a tenth of that ({defaults.excel_cells / 1e6:.1f} million cells)" in readme
    assert f"at most {defaults.columns:,} columns" in readme
    assert f"a CSV line at most {limits.MAX_LINE_BYTES >> 20} MB" in readme
    assert (f"at most {limits.PARQUET_BYTES_PER_CELL} bytes per allowed cell "
            f"({defaults.cells * limits.PARQUET_BYTES_PER_CELL / 1e9:.1f} GB)") in readme
    from cratus.patient import worker

    assert f"more than {worker.IN_PROCESS_CELLS / 1e6:.0f} million cells is read in a worker process" in readme
    assert (f"{limits.WORKER_BASE_BYTES / 2 ** 30:.1f} GB + {limits.WORKER_BYTES_PER_CELL} bytes per allowed cell "
            f"of memory ({defaults.worker_bytes / 2 ** 30:.1f} GB), {worker.CPU_LIMIT_SECONDS} s of computing or "
            f"{worker.TIME_LIMIT_SECONDS:.0f} s in all") in readme.replace("\n  ", " ")
