"""Large synthetic patient-level data in memory, for :mod:`bench.bench_patient`.

``make_large(n_subjects)`` returns ``{file name: bytes}`` in the long format
(``subjects.csv``, ``measurements.csv``, ``adverse_events.csv``) or as
Parquet: *n_subjects* in three arms, 10 endpoints × 5 visits, about two
adverse events per subject.  Vectorised numpy; nothing is written to disk
unless run as a script with ``--out FOLDER``::

    python bench/make_large_patient_data.py --subjects 10000 --out /tmp/large
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ARMS = ("Drug 10 mg", "Drug 20 mg", "Placebo")
VISITS = ("Baseline", "Week 4", "Week 12", "Week 26", "Week 52")
N_ENDPOINTS = 10
SOCS = ("Gastrointestinal disorders", "Nervous system disorders", "Infections and infestations",
        "Skin and subcutaneous tissue disorders")
TERMS = ("Nausea", "Headache", "Nasopharyngitis", "Rash", "Diarrhoea", "Dizziness")


def make_frames(n_subjects: int, seed: int = 0, n_endpoints: int = N_ENDPOINTS) -> dict:
    rng = np.random.default_rng(seed)
    ids = np.array([f"S{i:06d}" for i in range(n_subjects)], dtype=object)
    arms = np.array(ARMS, dtype=object)[rng.integers(0, len(ARMS), n_subjects)]
    subjects = pd.DataFrame({"usubjid": ids, "arm": arms, "age": rng.normal(60, 10, n_subjects).round(1),
                             "sex": rng.choice(["Male", "Female"], n_subjects),
                             "weight": rng.normal(75, 12, n_subjects).round(1)})
    n_rows = n_subjects * n_endpoints * len(VISITS)
    subject = np.repeat(np.arange(n_subjects), n_endpoints * len(VISITS))
    endpoint = np.tile(np.repeat(np.arange(n_endpoints), len(VISITS)), n_subjects)
    visit = np.tile(np.arange(len(VISITS)), n_subjects * n_endpoints)
    level = rng.normal(50, 10, (n_subjects, n_endpoints))[subject, endpoint]
    effect = np.where(arms[subject] == "Placebo", 0.0, 1.5) * visit
    values = (level + effect + rng.normal(0, 5, n_rows)).round(3)
    names = np.array([f"marker_{e + 1}" for e in range(n_endpoints)], dtype=object)
    measurements = pd.DataFrame({"usubjid": ids[subject], "visit": np.array(VISITS, dtype=object)[visit],
                                 "visit_order": visit, "endpoint": names[endpoint], "value": values})
    n_ae = 2 * n_subjects
    term = rng.integers(0, len(TERMS), n_ae)
    adverse = pd.DataFrame({"usubjid": ids[rng.integers(0, n_subjects, n_ae)],
                            "soc": np.array(SOCS, dtype=object)[term % len(SOCS)],
                            "term": np.array(TERMS, dtype=object)[term],
                            "serious": np.where(rng.random(n_ae) < 0.1, "Y", "N"),
                            "severity": rng.choice(["MILD", "MODERATE", "SEVERE"], n_ae),
                            "start_day": rng.integers(1, 365, n_ae)})
    return {"subjects": subjects, "measurements": measurements, "adverse_events": adverse}


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """*frame* as a one-sheet .xlsx written directly (inline strings, numbers; with its ``<dimension>``): openpyxl
    takes minutes to write millions of cells, this takes seconds."""
    import zipfile
    from xml.sax.saxutils import escape

    def letter(i: int) -> str:
        return chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)

    columns = [letter(i) for i in range(frame.shape[1])]
    cells = []
    for j, name in enumerate(frame.columns):
        values = frame[name].to_numpy()
        if pd.api.types.is_numeric_dtype(frame[name]):
            cells.append([f'<c r="{columns[j]}{{r}}"><v>{v}</v></c>' for v in values])
        else:
            cells.append([f'<c r="{columns[j]}{{r}}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
                          for v in values])
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{escape(str(n))}</t></is></c>'
                     for c, n in zip(columns, frame.columns))
    rows = [f'<row r="1">{header}</row>']
    for i in range(len(frame)):
        r = i + 2
        rows.append(f'<row r="{r}">' + "".join(col[i].replace("{r}", str(r)) for col in cells) + "</row>")
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats'
             f'.org/spreadsheetml/2006/main"><dimension ref="A1:{columns[-1]}{len(frame) + 1}"/><sheetData>'
             + "".join(rows) + "</sheetData></worksheet>")
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
        f'org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" xmlns:r="{main}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return out.getvalue()


def make_large(n_subjects: int, seed: int = 0, format: str = "csv", n_endpoints: int = N_ENDPOINTS) -> dict:
    """``{file name: bytes}`` of the large data set, in memory (*n_endpoints* × 5 visits per subject)."""
    out = {}
    for name, frame in make_frames(n_subjects, seed, n_endpoints).items():
        buffer = io.BytesIO()
        if format == "csv":
            frame.to_csv(buffer, index=False)
        elif format == "xlsx":
            buffer.write(xlsx_bytes(frame))
        elif format == "parquet":
            frame.to_parquet(buffer, index=False)
        else:
            raise ValueError(f"format must be csv, xlsx or parquet, not {format!r}")
        out[f"{name}.{format}"] = buffer.getvalue()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    parser.add_argument("--endpoints", type=int, default=N_ENDPOINTS)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in make_large(args.subjects, format=args.format, n_endpoints=args.endpoints).items():
        (args.out / name).write_bytes(data)
        print(args.out / name, f"{len(data) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
