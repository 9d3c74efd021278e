"""Generated files shaped like a submission's ADaM datasets (the ADaM Implementation Guide's structures).

Small, seeded and made up, built to the IG's rules rather than one file's quirks:

* ``adsl``: USUBJID, TRT01P/TRT01PN (placebo 0, low 54, high 81, listed high dose first), SAFFL, ITTFL,
  EFFFL, RANDFL, AGE, SEX, a screen failure (arm "Screen Failure", every flag N);
* ``adqs``: a continuous BDS score with observed and LOCF-derived (DTYPE) records, ANL01FL flagging the
  analysis records (LOCF where the visit was missed) and ABLFL the baseline;
* ``adcibc``: a categorical BDS (a 1–7 rating in AVAL and its text in AVALC), no baseline;
* ``adlb``: laboratory values with analysis ranges only (A1LO/A1HI), two parameters that differ only by a
  prefix (SODIUM and _SODIUM), an unscheduled and a blank visit, ALT/AST/BILI for eDISH;
* ``adtte``: time to event (PARAMCD, AVAL, CNSR, no visit);
* ``adae``: events, one of a subject missing from ADSL.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat

ARMS = (("Xanomeline High Dose", 81.0), ("Placebo", 0.0), ("Xanomeline Low Dose", 54.0))
VISITS = (("Baseline", 0.0), ("Week 8", 8.0), ("Week 24", 24.0))


def adsl(n_per_arm: int = 4) -> pd.DataFrame:
    rows = []
    for i in range(n_per_arm * len(ARMS)):
        arm, code = ARMS[i % len(ARMS)]
        rows.append({"STUDYID": "GEN01", "USUBJID": f"GEN-{i + 1:03d}", "TRT01P": arm, "TRT01PN": code,
                     "SAFFL": "Y", "ITTFL": "Y", "EFFFL": "N" if i == 0 else "Y", "RANDFL": "Y",
                     "AGE": 60.0 + i, "SEX": "F" if i % 2 else "M"})
    rows.append({"STUDYID": "GEN01", "USUBJID": "GEN-999", "TRT01P": "Screen Failure", "TRT01PN": np.nan,
                 "SAFFL": "N", "ITTFL": "N", "EFFFL": "N", "RANDFL": "N", "AGE": 70.0, "SEX": "F"})
    return pd.DataFrame(rows)


def adqs(subjects: pd.DataFrame) -> pd.DataFrame:
    """Observed records at each visit, except subject 2's Week 24 (missed): LOCF carries Week 8 forward."""
    rows = []
    for i, s in enumerate(subjects["USUBJID"][subjects["SAFFL"] == "Y"]):
        for visit, order in VISITS:
            value = 20.0 + i + order / 4
            observed = not (i == 1 and visit == "Week 24")
            if observed:
                rows.append({"USUBJID": s, "PARAMCD": "ACTOT", "PARAM": "ADAS-Cog(11) Subscore", "AVISIT": visit,
                             "AVISITN": order, "AVAL": value, "DTYPE": "", "ABLFL": "Y" if order == 0 else "",
                             "ANL01FL": "" if order == 0 else "Y"})
            if order > 0 and i in (1, 2):  # LOCF records: subject 2 missed Week 24; subject 3's is a copy
                carried = 20.0 + i + 8.0 / 4 if visit == "Week 24" else value
                rows.append({"USUBJID": s, "PARAMCD": "ACTOT", "PARAM": "ADAS-Cog(11) Subscore", "AVISIT": visit,
                             "AVISITN": order, "AVAL": carried, "DTYPE": "LOCF", "ABLFL": "",
                             "ANL01FL": "Y" if (i == 1 and visit == "Week 24") else ""})
    return pd.DataFrame(rows)


def adcibc(subjects: pd.DataFrame) -> pd.DataFrame:
    texts = {1: "Marked improvement", 2: "Moderate improvement", 3: "Minimal improvement", 4: "No change",
             5: "Minimal worsening", 6: "Moderate worsening", 7: "Marked worsening"}
    rows = []
    for i, s in enumerate(subjects["USUBJID"][subjects["SAFFL"] == "Y"]):
        score = 2 + i % 5
        rows.append({"USUBJID": s, "PARAMCD": "CIBICVAL", "PARAM": "CIBIC+ Score", "AVISIT": "Week 24",
                     "AVISITN": 24.0, "AVAL": float(score), "AVALC": texts[score], "ANL01FL": "Y"})
    return pd.DataFrame(rows)


def adlb(subjects: pd.DataFrame) -> pd.DataFrame:
    rows = []
    tests = (("SODIUM", "Sodium (mmol/L)", 140.0, 135.0, 145.0), ("_SODIUM", "Sodium change (mmol/L)", 1.0,
                                                                    np.nan, np.nan),
             ("ALT", "Alanine Aminotransferase (U/L)", 20.0, 7.0, 40.0),
             ("AST", "Aspartate Aminotransferase (U/L)", 22.0, 8.0, 40.0),
             ("BILI", "Bilirubin (umol/L)", 10.0, 3.0, 21.0))
    ids = list(subjects["USUBJID"][subjects["SAFFL"] == "Y"])
    for i, s in enumerate(ids):
        for code, label, level, low, high in tests:
            visits = list(VISITS) + ([("Unscheduled 1.1", 1.1), ("", np.nan)] if i == 0 else [])
            for visit, order in visits:
                # GEN-001's ALT and bilirubin rise 8-fold at a visit with no name (study day 30)
                value = level * (1 + 0.05 * i) * (8 if (i == 0 and code in ("ALT", "BILI") and visit == "") else 1)
                rows.append({"USUBJID": s, "PARAMCD": code, "PARAM": label, "AVISIT": visit, "AVISITN": order,
                             "AVAL": value, "A1LO": low, "A1HI": high, "ABLFL": "Y" if order == 0 else "",
                             "ADY": 30.0 if visit == "" else (1.0 if order == 0 else 7.0 * order)})
    return pd.DataFrame(rows)


def adtte(subjects: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for i, s in enumerate(subjects["USUBJID"][subjects["SAFFL"] == "Y"]):
        event = i % 3 != 0
        rows.append({"USUBJID": s, "PARAMCD": "TTDERM", "PARAM": "Time to First Dermatologic Event",
                     "AVAL": float(10 + 7 * i), "CNSR": 0.0 if event else 1.0,
                     "EVNTDESC": "Dermatologic event" if event else "", "CNSDESC": "" if event else "Study completion",
                     "STARTDT": 19000.0})
    return pd.DataFrame(rows)


def adae(subjects: pd.DataFrame) -> pd.DataFrame:
    ids = list(subjects["USUBJID"][subjects["SAFFL"] == "Y"])
    rows = [{"USUBJID": s, "AEBODSYS": "Skin and subcutaneous tissue disorders", "AEDECOD": "Pruritus",
             "AESER": "N", "TRTEMFL": "Y"} for s in ids[:5]]
    rows.append({"USUBJID": "GEN-404", "AEBODSYS": "General disorders", "AEDECOD": "Fatigue", "AESER": "N",
                 "TRTEMFL": "Y"})
    return pd.DataFrame(rows)


def frames() -> dict[str, pd.DataFrame]:
    subjects = adsl()
    return {"adsl": subjects, "adqs": adqs(subjects), "adcibc": adcibc(subjects), "adlb": adlb(subjects),
            "adtte": adtte(subjects), "adae": adae(subjects)}


def xpt_files(tmp_path, names=None) -> dict[str, bytes]:
    """The datasets as SAS transport v5 files (written by pyreadstat into *tmp_path*, returned as bytes)."""
    out = {}
    for name, frame in frames().items():
        if names is not None and name not in names:
            continue
        path = tmp_path / f"{name}.xpt"
        pyreadstat.write_xport(frame, str(path), table_name=name.upper(), file_format_version=5)
        out[path.name] = path.read_bytes()
    return out


def dataset_json(frame: pd.DataFrame, name: str, labels: dict | None = None) -> bytes:
    """A frame as CDISC Dataset-JSON v1.1 (numbers as ``double``, text as ``string``)."""
    labels = labels or {}
    columns = [{"itemOID": f"IT.{name.upper()}.{c}", "name": c, "label": labels.get(c, c),
                "dataType": "double" if pd.api.types.is_numeric_dtype(frame[c]) else "string"} for c in frame]
    rows = [[None if (isinstance(v, float) and np.isnan(v)) else v for v in row]
            for row in frame.itertuples(index=False)]
    doc = {"datasetJSONCreationDateTime": "2026-12-07T06:00:00", "datasetJSONVersion": "1.1.0",
           "itemGroupOID": f"IG.{name.upper()}", "records": len(rows), "name": name.upper(),
           "label": name.upper(), "columns": columns, "rows": rows}
    return json.dumps(doc).encode()
