"""BDS records (ADLB, ADVS, ADQS…, or ``measurements.csv``): which records an analysis uses, and the tidy frame.

The records an analysis uses follow the ADaM rules (:func:`analysis_records`):

* where the file has analysis flags (``ANLzzFL``), by default the records
  ``ANL01FL`` (the first one) flags, derived records (``DTYPE``: LOCF,
  AVERAGE…) included, plus the baseline records (``ABLFL = 'Y'``: a baseline
  is used by every analysis of change even where the flag leaves it out);
* otherwise the observed records (``DTYPE`` blank); derived records are a
  choice (``records = "all"``);
* the mapping's ``records`` chooses another flag, ``observed`` or ``all``.

``PARAMCD`` values stay as given (``SODIUM`` and ``_SODIUM`` are two
parameters).  Records at a time point within a visit (``ATPT``) are their own
series (``SYSBP`` after lying down, after standing…).  Records with a blank or
unscheduled visit are kept apart (:attr:`~cratus.patient.model.PatientData.unscheduled`)
for analyses that need no visit (eDISH, profiles, worst after baseline), and
left out of by-visit summaries; a baseline record (``ABLFL``) of an
unscheduled visit counts at the baseline visit.  Records that share subject,
parameter and visit and that no flag tells apart are reported and kept out
of the by-visit summaries (:attr:`~cratus.patient.model.PatientData.duplicates`).

Reference ranges: ``ANRLO``/``ANRHI``, else the analysis range
``A1LO``/``A1HI`` (noted), else only the indicators ``ANRIND``/``BNRIND``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cratus.patient import compact
from cratus.patient.columns import flag, is_yes, numbers, subject_ids, text
from cratus.patient.mapping import Dictionary, Mapping, normalise, slug, split_label_unit
from cratus.patient.readers import RawTable
from cratus.patient.roles import Recognised

MEASUREMENT_COLUMNS = ["usubjid", "arm", "dataset", "endpoint", "label", "unit", "visit", "visit_order", "value",
                       "baseline", "anrlo", "anrhi", "anrind", "bnrind", "avalc", "dtype", "day"]
#: ``records`` values of the mapping besides a flag's name.
OBSERVED, ALL_RECORDS = "observed", "all"
_UNSCHEDULED = re.compile(r"unsch", re.IGNORECASE)


def dataset_name(table: RawTable, rec: Recognised) -> str:
    return re.sub(r"\.[^.]*$", "", table.name).upper() if rec.adam else "measurements"


def analysis_records(table: RawTable, rec: Recognised, wanted: str, notes: list) -> tuple[np.ndarray, str]:
    """Which rows of a BDS file an analysis uses (see the module docstring), and the rule in words."""
    frame, cols, name = table.frame, rec.columns, table.name
    derived = frame[cols["dtype"]].notna().to_numpy() if "dtype" in cols else np.zeros(len(frame), bool)
    baseline = is_yes(frame[cols["baseline"]]) if "baseline" in cols else np.zeros(len(frame), bool)
    flags = {c.upper(): c for c in rec.analysis_flags}
    choice = wanted.upper() if wanted and wanted.lower() not in (OBSERVED, ALL_RECORDS) else ""
    if choice and choice not in flags:
        notes.append(f"{name}: has no analysis flag {choice}; " + ("its first flag used instead" if flags
                                                                   else "its observed records used"))
        choice = ""
    if wanted.lower() == ALL_RECORDS:
        keep, rule = np.ones(len(frame), bool), "every record, observed and derived (DTYPE)"
    elif wanted.lower() == OBSERVED or not flags:
        keep, rule = ~derived, "observed records (DTYPE blank)"
        if derived.any():
            rule += f"; {int(derived.sum())} derived records left out (a choice: all records)"
    else:
        column = flags[choice] if choice else rec.analysis_flags[0]
        flagged = is_yes(frame[column])
        keep = flagged | baseline
        rule = (f"records flagged {column.upper()} = 'Y' ({int(flagged.sum())}, "
                f"{int((flagged & derived).sum())} of them derived (DTYPE))")
        if (baseline & ~flagged).any():
            rule += f" and the {int((baseline & ~flagged).sum())} baseline records (ABLFL = 'Y')"
    left = int((~keep).sum())
    notes.append(f"{name}: analysis records: {rule}" + (f"; {left} other records left out" if left else ""))
    return keep, rule


def read_records(table: RawTable, rec: Recognised, known: pd.Index, dictionary: Dictionary, mapping: Mapping,
                 notes: list) -> pd.DataFrame:
    """The analysis records of one BDS file as tidy rows (``visit`` blank where the record has none)."""
    name, cols, frame = table.name, rec.columns, table.frame
    keep, _ = analysis_records(table, rec, mapping.records, notes)
    value = numbers(table, cols["value"])
    avalc = _optional_text(table, cols.get("avalc"))
    missing = value.isna().to_numpy() & avalc.isna().to_numpy() & keep
    if missing.any():
        notes.append(f"{name}: {int(missing.sum())} missing values (blank or SAS special missing) left out")
        keep &= ~missing
    out = pd.DataFrame({"usubjid": subject_ids(table, cols["usubjid"], known),
                        "endpoint_raw": text(table, cols["endpoint"], required=True),
                        "visit": text(table, cols.get("visit")), "value": value, "avalc": avalc,
                        "_file": compact.constant(name, frame.index), "_row": np.arange(len(frame))})
    for tidy in ("label", "unit", "timepoint", "dtype", "anrind", "bnrind"):
        out[f"{tidy}_raw" if tidy in ("label", "unit") else tidy] = _optional_text(table, cols.get(tidy))
    out["visit_order"] = numbers(table, cols["visit_order"]) if "visit_order" in cols else np.nan
    out["day"] = numbers(table, cols["day"], "a study day (ADY)") if "day" in cols else np.nan
    out["baseline"] = flag(table, cols["baseline"], blank=False) if "baseline" in cols else np.nan
    _ranges(out, table, rec, keep, notes)
    out["dataset"] = compact.constant(dataset_name(table, rec), out.index)
    out = out[keep]
    if "visit" not in cols:
        notes.append(f"{name}: no visit column (AVISIT); its records are used where no visit is needed")
    return out


def _optional_text(table: RawTable, column: str | None) -> pd.Series:
    """A text column of a large file as a categorical (absent: all missing), see :mod:`cratus.patient.compact`."""
    return compact.blank(table.frame.index) if column is None else compact.text(text(table, column))


def _ranges(out: pd.DataFrame, table: RawTable, rec: Recognised, keep: np.ndarray, notes: list) -> None:
    cols = rec.columns
    for column in ("anrlo", "anrhi"):
        out[column] = numbers(table, cols[column]) if column in cols else np.nan
    if "a1lo" in cols or "a1hi" in cols:
        no_range = (out["anrlo"].isna() & out["anrhi"].isna()).to_numpy()
        low = numbers(table, cols["a1lo"]) if "a1lo" in cols else pd.Series(np.nan, index=out.index)
        high = numbers(table, cols["a1hi"]) if "a1hi" in cols else pd.Series(np.nan, index=out.index)
        used = no_range & (low.notna() | high.notna()).to_numpy()
        if (used & keep).any():
            out.loc[used, "anrlo"], out.loc[used, "anrhi"] = low[used], high[used]
            notes.append(f"{table.name}: {int((used & keep).sum())} records have no reference range (ANRLO/ANRHI); "
                         "their analysis range (A1LO/A1HI) is used as the reference range")


def place_visits(records: pd.DataFrame, notes: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """By-visit records and the others (blank or unscheduled visit); baseline records count at the baseline
    visit."""
    visit = records["visit"]
    off = _unscheduled(visit)
    flagged = (records["baseline"] == True).to_numpy()  # noqa: E712
    if (off & flagged).any() and (flagged & ~off).any():
        at = visit[flagged & ~off].astype(object).value_counts().index[0]
        moved = off & flagged
        notes.append(f"{int(moved.sum())} baseline records (ABLFL = 'Y') of blank or unscheduled visits counted "
                     f"at the visit {at!r}")
        records = records.assign(visit=visit.astype(object).where(~moved, at))
        records.loc[moved, "visit_order"] = np.nan
        off = off & ~moved
    if off.any():
        notes.append(f"{int(off.sum())} records with a blank or unscheduled visit are left out of the by-visit "
                     "summaries (kept for eDISH, worst value after baseline and participant profiles)")
    if not off.any():
        return records, records.iloc[:0]
    return records[~off], records[off]


def _unscheduled(visit: pd.Series) -> np.ndarray:
    """Rows with a blank or unscheduled visit; a categorical is matched by its few categories, not row by row."""
    if isinstance(visit.dtype, pd.CategoricalDtype):
        named = np.asarray(visit.cat.categories.astype(str).str.contains(_UNSCHEDULED), dtype=bool)
        return np.append(named, True)[visit.cat.codes.to_numpy()]  # code -1 (blank): the appended True
    visit = visit.astype(object)
    return visit.isna().to_numpy() | visit.fillna("").str.contains(_UNSCHEDULED).to_numpy()


def split_duplicates(records: pd.DataFrame, notes: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records that share subject, parameter and visit with another (no flag tells them apart), reported.

    Where a derived record (DTYPE: AVERAGE, LOCF…) shares them with observed ones, the derived record is the
    one derived for the analysis of that visit: it is used and the observed ones are left out (noted).
    """
    key = ["usubjid", "endpoint", "visit"]
    if not compact.has_duplicates(records, key):
        return records, records.iloc[:0]
    dup = records.duplicated(key, keep=False).to_numpy()
    if dup.any() and records["dtype"].notna().any():
        derived = records["dtype"].notna().to_numpy()
        has_derived = records.assign(_d=derived).groupby(key, observed=True, sort=False)["_d"].transform("any")
        replaced = dup & ~derived & has_derived.to_numpy()
        if replaced.any():
            notes.append(f"{int(replaced.sum())} observed records share subject, parameter and visit with a derived "
                         "record (DTYPE) of the analysis records; the derived record is used")
            records = records[~replaced]
            dup = records.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return records, records.iloc[:0]
    rows = records[dup]
    cases = rows.drop_duplicates(["usubjid", "endpoint", "visit"])
    shown = "; ".join(f"subject {s}, {e}, {v} ({f}, row {int(r) + 2})" for s, e, v, f, r in
                      cases[["usubjid", "endpoint", "visit", "_file", "_row"]].head(5).itertuples(index=False))
    more = f" and {len(cases) - 5} more" if len(cases) > 5 else ""
    notes.append(f"{len(rows)} records share a subject, parameter and visit with another record that no analysis "
                 f"flag tells apart ({len(cases)} cases: {shown}{more}); left out of the by-visit summaries — "
                 "choose an analysis flag on the Data source page")
    return records[~dup], rows


def name_endpoints(out: pd.DataFrame, dictionary: Dictionary, mapping: Mapping) -> None:
    """Endpoint id, label and unit per distinct (code, label, unit, time point): rename, dictionary match, else
    a slug; two codes never share an id (``_SODIUM`` stays apart from ``SODIUM``).

    The distinct combinations are few; the rows get them through integer codes (no per-row Python).
    """
    renames = {normalise(a): b for a, b in mapping.endpoints}
    raw = ["endpoint_raw", "label_raw", "unit_raw", "timepoint"]
    inverse, firsts = compact.distinct(out, raw)
    columns = {"endpoint": [], "label": [], "unit": []}
    owner: dict = {}
    for row in firsts:
        code, raw_label, raw_unit, point = (out[c].iloc[row] for c in raw)
        label, unit = split_label_unit(raw_label) if isinstance(raw_label, str) else ("", "")
        timed = isinstance(point, str) and point != ""
        endpoint = renames.get(normalise(code)) or dictionary.match(code, label) or slug(code)
        if timed:
            endpoint = f"{endpoint}_{slug(point)}"
        key = (code, point if timed else None)
        if owner.setdefault(endpoint, key) != key:
            endpoint = str(code) + (f" {point}" if timed else "")
            while owner.setdefault(endpoint, key) != key:
                endpoint += "_"
        info = dictionary.info(endpoint)
        label = label or info.get("label") or str(code)
        columns["endpoint"].append(endpoint)
        columns["label"].append(f"{label}, {point.lower()}" if timed else label)
        columns["unit"].append((raw_unit if isinstance(raw_unit, str) else "") or unit or info.get("unit", ""))
    for column, values in columns.items():
        categories = list(dict.fromkeys(values))
        position = np.array([categories.index(v) for v in values], dtype=np.int64)
        out[column] = pd.Categorical.from_codes(position[inverse], categories=categories)
