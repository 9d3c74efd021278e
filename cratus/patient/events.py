"""Event files: adverse events (ADAE or ``adverse_events.csv``) and time-to-event records (ADTTE).

Time-to-event records (:func:`read_time_to_event`) follow ADaM's ADTTE: one
record per subject and parameter, ``AVAL`` the time from the origin
(``STARTDT``) to the event or censoring, ``CNSR`` 0 for an event and a
positive integer for a censoring (its reason in ``CNSDESC``).  They become
:attr:`~cratus.patient.model.PatientData.time_to_event`: ``usubjid, arm,
dataset, endpoint, label, unit, time, cnsr, event, event_description,
censor_description``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.columns import fail, first, flag, numbers, subject_ids, text
from cratus.patient.mapping import normalise, split_label_unit
from cratus.patient.readers import RawTable
from cratus.patient.records import dataset_name
from cratus.patient.roles import Recognised

AE_COLUMNS = ["usubjid", "arm", "soc", "term", "serious", "severity", "related", "treatment_emergent",
              "start_day", "end_day"]
TTE_COLUMNS = ["usubjid", "arm", "dataset", "endpoint", "label", "unit", "time", "cnsr", "event",
               "event_description", "censor_description"]
_NOT_RELATED = {"n", "no", "none", "notrelated", "unrelated", "unlikely", "unlikelyrelated", "notsuspected",
                "false", "0"}


def _known_subjects(table: RawTable, column: str, known: pd.Index, notes: list, what: str) -> pd.Categorical:
    """Subject ids of an event file; events of subjects missing from the subject file are reported by id."""
    missing: list = []
    ids = subject_ids(table, column, known, missing)
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        count = int((pd.Series(ids).isna()).sum())
        what = what if count != 1 else what.rstrip("s")
        notes.append(f"{table.name}: {count} {what} of {len(missing)} subject(s) not in the subject file left out "
                     f"({shown})")
    return ids


def read_adverse_events(table: RawTable, rec: Recognised, known: pd.Index, notes: list) -> pd.DataFrame:
    name, cols = table.name, rec.columns
    ids = _known_subjects(table, cols["usubjid"], known, notes, "events")
    out = pd.DataFrame({"usubjid": ids, "soc": text(table, cols.get("soc")).fillna(""),
                        "term": text(table, cols["term"], required=True), "_file": name,
                        "_row": np.arange(len(table.frame))})
    out["serious"] = flag(table, cols["serious"]) if "serious" in cols else np.nan
    severity = text(table, cols.get("severity"))
    out["severity"] = severity.str.lower() if severity.notna().any() else severity
    out["related"] = _related(text(table, cols.get("related")))
    if "treatment_emergent" in cols:
        out["treatment_emergent"] = flag(table, cols["treatment_emergent"], blank=False)
    else:
        out["treatment_emergent"] = np.nan
        notes.append(f"{name}: no treatment-emergent flag; every event counted")
    for column in ("start_day", "end_day"):
        out[column] = numbers(table, cols[column]) if column in cols else np.nan
    return out[out["usubjid"].notna()]


def _related(values: pd.Series) -> pd.Series:
    """Relatedness as booleans: "not related", "unlikely", "N" … are False; blank is missing; other text True."""
    codes, uniques = pd.factorize(values)
    keys = [normalise(v) for v in uniques]
    answers = np.array([k not in _NOT_RELATED and not k.startswith("not") for k in keys] + [np.nan], dtype=object)
    return pd.Series(answers[codes], index=values.index, dtype=object)  # code -1 (blank) picks the trailing NaN


def read_time_to_event(table: RawTable, rec: Recognised, known: pd.Index, notes: list) -> pd.DataFrame:
    """The time-to-event records of an ADTTE file (see the module docstring)."""
    name, cols = table.name, rec.columns
    ids = _known_subjects(table, cols["usubjid"], known, notes, "records")
    time = numbers(table, cols["value"], "a time (AVAL)")
    cnsr = numbers(table, cols["cnsr"], "a censoring code (CNSR: 0 event, 1 or more censored)")
    bad = (cnsr.notna() & ((cnsr < 0) | (cnsr != np.floor(cnsr)))).to_numpy()
    if bad.any():
        fail(name, first(bad), cols["cnsr"], f"{cnsr.iloc[first(bad)]:g} is not 0 (event) or a positive integer "
                                             "(censored)")
    negative = (time < 0).to_numpy()
    if negative.any():
        fail(name, first(negative), cols["value"], f"time {time.iloc[first(negative)]:g} is negative")
    labels = text(table, cols.get("label"))
    split = [split_label_unit(v) if isinstance(v, str) else ("", "") for v in labels]
    unit = text(table, cols.get("unit"))
    out = pd.DataFrame({"usubjid": ids, "dataset": dataset_name(table, rec),
                        "endpoint": text(table, cols["endpoint"], required=True),
                        "label": [s[0] for s in split],
                        "unit": unit.where(unit.notna(), [s[1] or np.nan for s in split]),
                        "time": time, "cnsr": cnsr, "event": (cnsr == 0).where(cnsr.notna()),
                        "event_description": text(table, cols.get("event_description")),
                        "censor_description": text(table, cols.get("censor_description"))})
    out["label"] = out["label"].where(out["label"] != "", out["endpoint"])
    out = out[out["usubjid"].notna()]
    incomplete = (out["time"].isna() | out["cnsr"].isna()).to_numpy()
    if incomplete.any():
        notes.append(f"{name}: {int(incomplete.sum())} records without a time (AVAL) or censoring (CNSR) left out")
        out = out[~incomplete]
    dup = out.duplicated(["usubjid", "endpoint"], keep=False).to_numpy()
    if dup.any():
        row = out[dup].iloc[0]
        raise ValueError(f"{name}: subject {row['usubjid']!r} has two records of parameter {row['endpoint']!r}; "
                         "a time-to-event dataset has one record per subject and parameter")
    counts = out.groupby("endpoint", sort=False)["event"].agg(["size", "sum"])
    notes.append(f"{name}: time-to-event parameters " + "; ".join(
        f"{e} ({int(r['size'])} subjects, {int(r['sum'])} events)" for e, r in counts.iterrows()))
    return out
