"""Reading patient files: one test per bad input (the message names file, column and row) and the quirks read.

Inputs are built in memory as bytes with a file name, as an upload arrives; SAS transport files are written
with pyreadstat.write_xport into pytest's tmp_path and read back as bytes.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cratus.patient import Mapping, read_patient_data
from cratus.patient.readers import read_source

HEAD = b"usubjid,visit,endpoint,value\n"
SUBJECTS = b"usubjid,arm,age\nP01,Drug,70\nP02,Drug,71\nP03,Placebo,72\nP04,Placebo,73\n"
MEASURES = (b"usubjid,visit,endpoint,value\n" + b"".join(
    f"P0{i},{v},score,{10 + i + k}\n".encode() for i in range(1, 5) for k, v in enumerate(("Baseline", "Week 4"))))
ADVERSE = b"usubjid,soc,term,serious\nP01,Cardiac disorders,Palpitations,N\n"


def read(*files):
    """read_patient_data on (name, bytes) pairs; the default subject and measurement files fill in."""
    given = dict(files)
    if not any(name.startswith(("subjects", "adsl")) for name in given):
        given["subjects.csv"] = SUBJECTS
    if not any(name.startswith(("measurements", "adlb")) for name in given):
        given["measurements.csv"] = MEASURES
    return read_patient_data(*given.values(), names=list(given))


def xpt(tmp_path, frame: pd.DataFrame, name: str, **kwargs) -> bytes:
    path = tmp_path / name
    pyreadstat.write_xport(frame, str(path), table_name=name.split(".")[0].upper(), file_format_version=5, **kwargs)
    return path.read_bytes()


def xlsx(rows) -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- one test per bad input ------------------------------------------------------------------------
BAD = [
    # (id, files, the words the message must contain)
    ("unknown role", [("notes.csv", b"a,b\n1,2\n")], ["notes.csv", "is not a known patient file"]),
    ("no value column", [("measurements.csv", b"usubjid,visit,endpoint\nP01,Baseline,score\n")],
     ["measurements.csv", "missing column 'value'"]),
    ("no subject id", [("measurements.csv", b"visit,endpoint,value\nBaseline,score,1\n")],
     ["measurements.csv", "missing the subject id column"]),
    ("no arm", [("subjects.csv", b"usubjid,age\nP01,70\n")], ["subjects.csv", "no arm column"]),
    ("blank arm", [("subjects.csv", b"usubjid,arm\nP01,Drug\nP02,\n")], ["subjects.csv, row 3, column 'arm'", "empty"]),
    ("text value", [("measurements.csv", HEAD + b"P01,Baseline,score,1\nP02,Baseline,score,abc\n")],
     ["measurements.csv, row 3, column 'value'", "'abc' is not a number"]),
    ("infinite value", [("measurements.csv", b"usubjid,visit,endpoint,value\nP01,Baseline,score,inf\n")],
     ["measurements.csv, row 2, column 'value'", "not a finite number"]),
    ("unknown subject", [("measurements.csv", HEAD + b"P01,Baseline,score,1\nX99,Baseline,score,2\n")],
     ["measurements.csv, row 3, column 'usubjid'", "'X99' is not in the subject file"]),
    ("duplicate subject", [("subjects.csv", b"usubjid,arm\nP01,Drug\nP01,Placebo\n")],
     ["subjects.csv, row 3, column 'usubjid'", "'P01' appears twice (rows 2 and 3)"]),
    ("empty file", [("adverse_events.csv", b"")], ["adverse_events.csv", "is empty"]),
    ("header only", [("adverse_events.csv", b"usubjid,soc,term\n")], ["adverse_events.csv", "header but no rows"]),
    ("png named xpt", [("adsl.xpt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)],
     ["adsl.xpt", "is not a SAS transport file", "PNG image"]),
    ("csv named xlsx", [("subjects.xlsx", SUBJECTS)], ["subjects.xlsx", "is not an Excel workbook", "text"]),
    ("zip named xlsx", [("subjects.xlsx", b"PK\x03\x04" + b"\x00" * 100)], ["subjects.xlsx", "not a readable Excel"]),
    ("csv formula", [("measurements.csv", b"usubjid,visit,endpoint,value\nP01,Baseline,score,=A1*2\n")],
     ["measurements.csv, row 2, column 'value'", "spreadsheet formula"]),
    ("bad flag", [("adverse_events.csv", b"usubjid,term,serious\nP01,Cough,maybe\n")],
     ["adverse_events.csv, row 2, column 'serious'", "'maybe' is not Y or N"]),
    ("two subject files", [("subjects.csv", SUBJECTS), ("subjects2.csv", SUBJECTS)], ["two subject files"]),
    ("unsupported xls", [("subjects.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64)], ["subjects.xls", "not supported"]),
]


@pytest.mark.parametrize("files, words", [(f, w) for _, f, w in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_named(files, words):
    files = [(n, d) for n, d in files if d is not None]
    if words == ["no measurement file"]:
        with pytest.raises(ValueError) as error:
            read_patient_data(*(d for _, d in files), names=[n for n, _ in files])
    else:
        with pytest.raises(ValueError) as error:
            read(*files)
    for word in words:
        assert word in str(error.value)


def test_no_subject_file():
    with pytest.raises(ValueError, match="no subject file"):
        read_patient_data(MEASURES, names=["measurements.csv"])


def test_two_files_with_one_name():
    with pytest.raises(ValueError, match="two files are named 'subjects.csv'"):
        read_patient_data(SUBJECTS, SUBJECTS, names=["subjects.csv", "subjects.csv"])


def test_formula_in_a_spreadsheet_cell_names_the_cell():
    book = xlsx([["usubjid", "visit", "endpoint", "value"], ["P01", "Baseline", "score", 1],
                 ["P02", "Baseline", "score", "=B2*2"]])
    with pytest.raises(ValueError) as error:
        read(("measurements.xlsx", book))
    assert "measurements.xlsx, cell D3 (row 3, column 'value'): holds a spreadsheet formula" in str(error.value)


def test_truncated_xpt(tmp_path):
    data = xpt(tmp_path, pd.DataFrame({"USUBJID": ["P01", "P02"], "TRT01A": ["Drug", "Placebo"]}), "adsl.xpt")
    with pytest.raises(ValueError, match="adsl.xpt: is truncated or corrupt"):
        read(("adsl.xpt", data[:500]))


def test_truncated_and_corrupt_parquet():
    buffer = io.BytesIO()
    pd.DataFrame({"usubjid": ["P01"], "arm": ["Drug"]}).to_parquet(buffer)
    data = buffer.getvalue()
    with pytest.raises(ValueError, match="subjects.parquet: is truncated or corrupt .no Parquet footer"):
        read(("subjects.parquet", data[: len(data) // 2]))
    damaged = data[:4] + b"\xff" * (len(data) - 8) + data[-4:]
    with pytest.raises(ValueError, match="subjects.parquet: is truncated or corrupt and cannot be read as Parquet"):
        read(("subjects.parquet", damaged))


def test_an_arm_without_subjects_in_the_population():
    adsl = b"USUBJID,TRT01A,SAFFL\nP01,Drug,Y\nP02,Drug,Y\nP03,Placebo,N\nP04,Placebo,\n"
    with pytest.raises(ValueError, match="adsl.csv: arm 'Placebo' has no subjects in the analysis population"):
        read(("adsl.csv", adsl))


def test_mapping_names_a_missing_column():
    with pytest.raises(ValueError, match="the arm variable 'TRT01P' of the mapping is not a column"):
        read_patient_data(SUBJECTS, MEASURES, names=["subjects.csv", "measurements.csv"],
                          mapping=Mapping(arm_variable="TRT01P"))


# --- quirks that are read, with a note -------------------------------------------------------------
@pytest.mark.parametrize("content, note", [
    (SUBJECTS.replace(b",", b";"), "subjects.csv: delimiter ';' detected"),
    (SUBJECTS.replace(b",", b"\t"), "subjects.csv: delimiter tab detected"),
    (b"\xef\xbb\xbf" + SUBJECTS, "subjects.csv: byte-order mark removed"),
    (SUBJECTS.replace(b"Placebo", "Placébo".encode("latin-1")), "subjects.csv: text is not UTF-8; read as latin-1"),
])
def test_csv_quirks_are_read_and_noted(content, note):
    data = read(("subjects.csv", content))
    assert note in data.notes
    assert len(data.subjects) == 4 and data.subjects["usubjid"].tolist()[0] == "P01"


def test_decimal_comma_with_semicolons():
    content = b"usubjid;visit;endpoint;value\nP01;Baseline;score;1,5\nP01;Week 4;score;2,25\n"
    data = read(("measurements.csv", content))
    assert data.measurements["value"].tolist() == [1.5, 2.25]
    assert "measurements.csv: decimal comma detected (1,5 read as 1.5)" in data.notes


def test_latin1_text_in_xpt_is_decoded_and_noted(tmp_path):
    frame = pd.DataFrame({"USUBJID": ["P01", "P02", "P03", "P04"],
                          "TRT01A": ["Dose é", "Dose é", "Placebo", "Placebo"]})
    data = xpt(tmp_path, frame, "adsl.xpt").replace("Dose é".encode("utf-8"), "Dose é ".encode("latin-1"))
    read_back = read(("adsl.xpt", data))
    assert read_back.arms == ("Dose é", "Placebo")
    assert "adsl.xpt: text is not UTF-8; read as latin-1" in read_back.notes


def test_adam_quirks(tmp_path):
    """Padded AVISIT, blank ABLFL, SAS special missing (.A), SAS dates, mixed-case names, AVISITN order."""
    adsl = pd.DataFrame({"USUBJID": ["P01", "P02"], "TRT01P": ["Drug", "Placebo"], "TRT01A": ["Drug", "Placebo"],
                         "SAFFL": ["Y", "Y"], "TRTSDT": [20000.0, 20007.0], "ETHNIC": ["HISPANIC OR LATINO", ""]})
    bds = pd.DataFrame({"USUBJID": ["P01"] * 3 + ["P02"] * 3, "PARAMCD": ["ALT"] * 6,
                        "PARAM": ["Alanine Aminotransferase (U/L)"] * 6,
                        "AVAL": [20.0, 25.0, np.nan, 30.0, 31.0, 33.0],
                        "AVISIT": ["  Baseline", "Week 12 ", "Week 2"] * 2, "AVISITN": [0.0, 12.0, 2.0] * 2,
                        "ABLFL": ["Y", "", ""] * 2})
    files = {"adsl.xpt": xpt(tmp_path, adsl, "adsl.xpt", variable_format={"TRTSDT": "DATE9."}),
             "adlb.xpt": xpt(tmp_path, bds, "adlb.xpt")}
    # the missing AVAL becomes SAS special missing .A (first byte 'A', then zeros)
    files["adlb.xpt"] = files["adlb.xpt"].replace(b"\x2e" + b"\x00" * 7, b"A" + b"\x00" * 7)
    data = read_patient_data(*files.values(), names=list(files))
    assert data.visits["visit"].tolist() == ["Baseline", "Week 2", "Week 12"]  # AVISITN, text stripped
    m = data.measurements
    assert set(m["endpoint"]) == {"alt"} and set(m["unit"]) == {"U/L"}
    assert set(m["label"]) == {"Alanine Aminotransferase"}
    assert len(m) == 5  # the .A value is missing and left out
    assert "adlb.xpt: 1 missing values (blank or SAS special missing) left out" in data.notes
    assert data.subjects["trtsdt"].tolist() == [pd.Timestamp("2014-10-04"), pd.Timestamp("2014-10-11")]
    assert data.subjects["ethnicity"].tolist()[0] == "HISPANIC OR LATINO"
    # efficacy and baseline by the arm randomised to (TRT01P), safety by the treatment received (TRT01A)
    assert data.mapping.arm_variable == "TRT01P" and data.mapping.safety_arm_variable == "TRT01A"
    assert data.population == "SAFFL"


def test_column_names_ignore_case_and_ids_keep_leading_zeros():
    subjects = b"USUBJID,Arm,AGE\n001,Drug,70\n002,Placebo,71\n"
    measures = b"UsubjId,VISIT,Endpoint,VALUE\n001,Baseline,score,1\n002,Baseline,score,2\n"
    data = read(("subjects.csv", subjects), ("measurements.csv", measures))
    assert data.subjects["usubjid"].tolist() == ["001", "002"]
    assert data.measurements["usubjid"].astype(str).tolist() == ["001", "002"]


def test_excel_and_parquet_are_read():
    book = xlsx([["usubjid", "arm", "age"], [1, "Drug", 70], [2, "Placebo", 71]])
    buffer = io.BytesIO()
    pd.DataFrame({"usubjid": ["1", "2"], "visit": ["Baseline"] * 2, "endpoint": ["score"] * 2,
                  "value": [1.0, 2.0]}).to_parquet(buffer)
    data = read(("subjects.xlsx", book), ("measurements.parquet", buffer.getvalue()))
    assert data.subjects["usubjid"].tolist() == ["1", "2"]  # 1.0 from the spreadsheet is the id "1"
    assert data.files["format"].tolist() == ["xlsx", "parquet"]


def test_uploaded_file_objects_use_their_name():
    upload = io.BytesIO(SUBJECTS)
    upload.name = "subjects.csv"
    upload.read()  # a page may have read it already: the reader rewinds
    measures = io.BytesIO(MEASURES)
    measures.name = "measurements.csv"
    data = read_patient_data(upload, measures)
    assert data.files["file"].tolist() == ["subjects.csv", "measurements.csv"]


def test_population_flag_leaves_out_subjects_and_their_rows():
    adsl = b"USUBJID,TRT01A,SAFFL\nP01,Drug,Y\nP02,Drug,Y\nP03,Placebo,Y\nP04,Placebo,N\n"
    data = read(("adsl.csv", adsl))
    assert data.n_per_arm() == {"Drug": 2, "Placebo": 1}
    assert "P04" not in set(data.measurements["usubjid"].astype(str))
    assert "safety analyses: SAFFL = 'Y' (3 of 4 subjects); 1 left out" in data.notes
    # no efficacy flag: the efficacy analyses use the next of the rule's flags present (stated)
    assert any(n.startswith("adsl.csv: no EFFFL for the efficacy analyses: SAFFL = 'Y' used") for n in data.notes)
    everyone = read_patient_data(adsl, MEASURES, names=["adsl.csv", "measurements.csv"],
                                 mapping={"population": "all"})
    assert len(everyone.subjects) == 4


def test_key_is_a_content_hash():
    a = read(("subjects.csv", SUBJECTS))
    b = read(("subjects.csv", SUBJECTS))
    c = read(("subjects.csv", SUBJECTS.replace(b"73", b"74")))
    assert a.key == b.key != c.key


def test_read_source_sniffs_a_file_without_extension():
    table = read_source(SUBJECTS, name="upload")
    assert table.format == "csv" and list(table.frame.columns) == ["usubjid", "arm", "age"]


def test_zip_of_synthetic_files_is_written_to_a_buffer():
    from cratus.patient.synthetic import write_synthetic
    buffer = io.BytesIO()
    names = write_synthetic(buffer, format="long", seed=3)
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == sorted(names) == ["adverse_events.csv", "measurements.csv",
                                                               "subjects.csv"]


def test_unnamed_bytes_get_numbered_names():
    data = read_patient_data(SUBJECTS, MEASURES)
    assert data.files["file"].tolist() == ["uploaded file 1", "uploaded file 2"]
    assert data.files["role"].tolist() == ["subjects", "measurements"]


def test_without_adverse_events_the_frame_is_empty():
    data = read_patient_data(SUBJECTS, MEASURES)
    assert data.adverse_events.empty and list(data.adverse_events.columns)[:4] == ["usubjid", "arm", "soc", "term"]
