"""Patient-level data as tidy frames: :class:`PatientData` and :func:`read_patient_data`.

Files are read (:mod:`cratus.patient.readers`), given a role from their
columns (:mod:`cratus.patient.roles`) and turned into three tidy frames with
arms and visits written as in the data:

* ``subjects``: one row per subject of the analysis population: ``usubjid,
  arm`` and every other column in snake_case (``age, sex, race, ethnicity,
  saffl, ...``);
* ``measurements``: ``usubjid, arm, dataset, endpoint, label, unit, visit,
  visit_order, value, baseline`` (+ ``anrlo, anrhi, anrind, bnrind`` for labs);
* ``adverse_events``: ``usubjid, arm, soc, term, serious, severity, related,
  treatment_emergent, start_day, end_day``.

Everything the reader assumed is in ``notes``; every problem raises
:class:`ValueError` naming the file, column and row (rows as a spreadsheet
numbers them: the header is row 1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cratus.patient import compact
from cratus.patient.mapping import (ALL_SUBJECTS, ARM_VARIABLES, POPULATION_FLAGS, Dictionary, Mapping,
                                    choose_control, normalise, slug, split_label_unit)
from cratus.patient.readers import UNNAMED, RawTable, read_source, source_name
from cratus.patient.roles import SUBJECT_RENAMES, Recognised, recognise, require
from cratus.patient.visits import order_visits

MEASUREMENT_COLUMNS = ["usubjid", "arm", "dataset", "endpoint", "label", "unit", "visit", "visit_order", "value",
                       "baseline", "anrlo", "anrhi", "anrind", "bnrind"]
AE_COLUMNS = ["usubjid", "arm", "soc", "term", "serious", "severity", "related", "treatment_emergent",
              "start_day", "end_day"]
_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}
_NOT_RELATED = {"n", "no", "none", "notrelated", "unrelated", "unlikely", "unlikelyrelated", "notsuspected",
                "false", "0"}


@dataclass(frozen=True, eq=False)
class PatientData:
    """Tidy patient-level frames read from files (see the module docstring for their columns).

    ``files`` lists each file with its role; ``visits`` the visits in order
    (``visit, visit_order, baseline``); ``arms`` the arms in display order
    (control last); ``mapping`` the choices made (a :class:`Mapping` with no
    empty field left to a rule); ``key`` a content hash of the inputs;
    ``extra["labels"]`` the subject file's variable labels (SAS transport).
    Key text columns of ``measurements`` are categoricals.
    """

    subjects: pd.DataFrame
    measurements: pd.DataFrame
    adverse_events: pd.DataFrame
    files: pd.DataFrame
    notes: tuple
    visits: pd.DataFrame
    arms: tuple
    mapping: Mapping
    key: str
    population: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def control(self) -> str:
        return self.mapping.control

    @property
    def baseline_visit(self) -> str:
        return self.mapping.baseline_visit

    def n_per_arm(self) -> dict:
        return self.subjects.groupby("arm", sort=False).size().to_dict()


def _fail(name: str, row, column, message: str):
    where = f", row {int(row) + 2}" if row is not None else ""
    where += f", column {column!r}" if column is not None else ""
    raise ValueError(f"{name}{where}: {message}")


def _first(mask) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0])


def _id_text(series: pd.Series) -> pd.Series:
    """Subject ids as text: ``1.0`` (from a spreadsheet) becomes ``"1"``."""
    if pd.api.types.is_numeric_dtype(series):
        whole = series.dropna()
        if (whole == np.floor(whole)).all():
            return series.map(lambda v: np.nan if pd.isna(v) else str(int(v)))
        return series.map(lambda v: np.nan if pd.isna(v) else repr(float(v)))
    return series.astype("str").str.strip().replace("", np.nan)


def _numbers(table: RawTable, column: str, what: str = "a number") -> pd.Series:
    """A column as floats: blanks are missing, text or infinity raise naming the row."""
    series = table.frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        _fail(table.name, 0, column, f"holds dates, not {what}")
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    bad = numbers.isna() & series.notna()
    if bad.any():
        row = _first(bad)
        _fail(table.name, row, column, f"{series.iloc[row]!r} is not {what}")
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        row = _first(infinite)
        _fail(table.name, row, column, f"{series.iloc[row]!r} is not a finite number")
    return numbers


def _flag(table: RawTable, column: str, blank=np.nan) -> pd.Series:
    """A Y/N column as booleans (blank → *blank*); other text raises naming the row."""
    text = table.frame[column].astype("str").str.strip().str.lower()
    missing = table.frame[column].isna() | (text == "") | (text == "nan")
    known = text.isin(_TRUE | _FALSE) | missing
    if not known.all():
        row = _first(~known)
        _fail(table.name, row, column, f"{table.frame[column].iloc[row]!r} is not Y or N")
    out = pd.Series(text.isin(_TRUE).to_numpy(), index=text.index, dtype=object)
    out[missing.to_numpy()] = blank
    return out


def _text(table: RawTable, column: str | None, required: bool = False) -> pd.Series:
    frame = table.frame
    if column is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    series = frame[column]  # text was stripped and blanks made missing by the reader
    if pd.api.types.is_numeric_dtype(series):
        series = _id_text(series)
    if required and series.isna().any():
        _fail(table.name, _first(series.isna()), column, "is empty")
    return series


def _numeric_or_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    numbers = pd.to_numeric(series, errors="coerce")
    if series.notna().any() and numbers.notna().sum() == series.notna().sum():
        return numbers.astype(float)
    return series


def _natural_key(text: str):
    return [(0, float(t), "") if re.fullmatch(r"\d+(\.\d+)?", t) else (1, 0.0, t.lower())
            for t in re.findall(r"\d+(?:\.\d+)?|\D+", str(text))]


# --- subjects ------------------------------------------------------------------------------------
def _subjects(table: RawTable, rec: Recognised, mapping: Mapping, dictionary: Dictionary,
              notes: list) -> tuple[pd.DataFrame, dict]:
    frame, name = table.frame, table.name
    upper = {c.upper(): c for c in frame.columns}
    wanted = mapping.arm_variable.upper()
    if wanted and wanted not in upper:
        raise ValueError(f"{name}: the arm variable {mapping.arm_variable!r} of the mapping is not a column")
    arm_column = upper[wanted] if wanted else next(upper[c] for c in ARM_VARIABLES if c in upper)
    ids = _text(table, rec.columns["usubjid"], required=True)
    duplicated = ids.duplicated()
    if duplicated.any():
        row = _first(duplicated)
        first = _first(ids == ids.iloc[row])
        _fail(name, row, rec.columns["usubjid"], f"subject {ids.iloc[row]!r} appears twice (rows {first + 2} "
                                                 f"and {row + 2}); a subject file has one row per subject")
    arms = _text(table, arm_column, required=True)
    tidy, labels = {"usubjid": ids, "arm": arms}, {}
    for column in frame.columns:
        if column in (rec.columns["usubjid"], arm_column):
            continue
        key = (SUBJECT_RENAMES.get(column.upper()) or dictionary.match(column, table.labels.get(column))
               or slug(column))
        if key in tidy:
            continue
        tidy[key] = _numeric_or_text(frame[column])
        if table.labels.get(column):
            labels[key] = table.labels[column]
        if pd.api.types.is_float_dtype(tidy[key]) and np.isinf(tidy[key].to_numpy()).any():
            _fail(name, _first(np.isinf(tidy[key].to_numpy())), column, "is not a finite number")
    subjects = pd.DataFrame(tidy)
    population = _population(subjects, frame, upper, mapping, name, notes)
    return subjects, {"arm_variable": arm_column.upper(), "population": population, "labels": labels}


def _population(subjects: pd.DataFrame, frame, upper, mapping: Mapping, name: str, notes: list) -> str:
    """Choose the population flag; mark ``_in_population``; return its description."""
    wanted = mapping.population
    if wanted.lower() == ALL_SUBJECTS:
        subjects["_in_population"] = True
        return ALL_SUBJECTS
    if wanted and wanted.upper() not in upper:
        raise ValueError(f"{name}: the population flag {wanted!r} of the mapping is not a column")
    flag = wanted.upper() or next((f for f in POPULATION_FLAGS if f in upper), "")
    if not flag:
        subjects["_in_population"] = True
        notes.append(f"{name}: no population flag ({', '.join(POPULATION_FLAGS)}); every subject analysed")
        return ALL_SUBJECTS
    values = frame[upper[flag]].astype("str").str.strip().str.upper()
    subjects["_in_population"] = (values == "Y").to_numpy()
    kept = int(subjects["_in_population"].sum())
    notes.append(f"analysis population: {flag} = 'Y' ({kept} of {len(subjects)} subjects)"
                 + (f"; {len(subjects) - kept} with {flag} blank or not 'Y' left out" if kept < len(subjects) else ""))
    return flag


def _arm_order(subjects: pd.DataFrame, mapping: Mapping, name: str) -> tuple[tuple, str]:
    every = sorted(subjects["arm"].unique(), key=_natural_key)
    kept = subjects.loc[subjects["_in_population"], "arm"]
    for arm in every:
        if not (kept == arm).any():
            raise ValueError(f"{name}: arm {arm!r} has no subjects in the analysis population")
    control = choose_control(every, mapping.control)
    return tuple([a for a in every if a != control] + [control]), control


# --- measurements --------------------------------------------------------------------------------
def _measurements(table: RawTable, rec: Recognised, known: pd.Series, dictionary: Dictionary,
                  mapping: Mapping, notes: list) -> pd.DataFrame:
    name, cols = table.name, rec.columns
    frame = table.frame
    keep = np.ones(len(frame), dtype=bool)
    if "dtype" in cols:
        derived = frame[cols["dtype"]].notna().to_numpy()
        if derived.any():
            notes.append(f"{name}: {int(derived.sum())} derived records (DTYPE not blank) left out")
            keep &= ~derived
    ids = _subject_ids(table, cols["usubjid"], known)
    endpoint = pd.Categorical(_text(table, cols["endpoint"], required=True))
    visit = pd.Categorical(_text(table, cols["visit"], required=True))
    value = _numbers(table, cols["value"])
    missing = value.isna().to_numpy() & keep
    if missing.any():
        notes.append(f"{name}: {int(missing.sum())} missing values (blank or SAS special missing) left out")
        keep &= ~missing
    out = pd.DataFrame({"usubjid": ids, "endpoint_raw": endpoint, "visit": visit, "value": value,
                        "_file": compact.constant(name, frame.index), "_row": np.arange(len(frame))})
    out["label_raw"] = _optional_text(table, cols.get("label"))
    out["unit_raw"] = _optional_text(table, cols.get("unit"))
    out["visit_order"] = _numbers(table, cols["visit_order"]) if "visit_order" in cols else np.nan
    out["baseline"] = _flag(table, cols["baseline"], blank=False) if "baseline" in cols else np.nan
    for column in ("anrlo", "anrhi"):
        out[column] = _numbers(table, cols[column]) if column in cols else np.nan
    out["anrind"] = _optional_text(table, cols.get("anrind"))
    out["bnrind"] = _optional_text(table, cols.get("bnrind"))
    dataset = re.sub(r"\.[^.]*$", "", name).upper() if rec.adam else "measurements"
    out["dataset"] = compact.constant(dataset, out.index)
    out = out[keep]
    _name_endpoints(out, dictionary, mapping)
    return out.drop(columns=["endpoint_raw", "label_raw", "unit_raw"])


def _optional_text(table: RawTable, column: str | None) -> pd.Series:
    """A text column of a large file as a categorical (absent: all missing), see :mod:`cratus.patient.compact`."""
    return compact.blank(table.frame.index) if column is None else compact.text(_text(table, column))


def _subject_ids(table: RawTable, column: str, known: pd.Index) -> pd.Categorical:
    """Subject ids as a categorical over the subject file's ids; an id not in that file raises."""
    text = _text(table, column, required=True)
    codes = known.get_indexer(text)
    unknown = codes == -1
    if unknown.any():
        row = _first(unknown)
        _fail(table.name, row, column, f"subject {text.iloc[row]!r} is not in the subject file")
    return pd.Categorical.from_codes(codes, categories=known)


def _name_endpoints(out: pd.DataFrame, dictionary: Dictionary, mapping: Mapping) -> None:
    """Endpoint id, label and unit per distinct (code, label, unit): rename, dictionary match, else a slug.

    The distinct combinations are few; the rows get them through integer codes (no per-row Python).
    """
    renames = {normalise(a): b for a, b in mapping.endpoints}
    raw = ["endpoint_raw", "label_raw", "unit_raw"]
    inverse, first = compact.distinct(out, raw)
    columns = {"endpoint": [], "label": [], "unit": []}
    for row in first:
        code, raw_label, raw_unit = (out[c].iloc[row] for c in raw)
        label, unit = split_label_unit(raw_label) if isinstance(raw_label, str) else ("", "")
        endpoint = renames.get(normalise(code)) or dictionary.match(code, label) or slug(code)
        info = dictionary.info(endpoint)
        columns["endpoint"].append(endpoint)
        columns["label"].append(label or info.get("label") or str(code))
        columns["unit"].append((raw_unit if isinstance(raw_unit, str) else "") or unit or info.get("unit", ""))
    for column, values in columns.items():
        categories = list(dict.fromkeys(values))
        position = np.array([categories.index(v) for v in values], dtype=np.int64)
        out[column] = pd.Categorical.from_codes(position[inverse], categories=categories)


# --- adverse events ------------------------------------------------------------------------------
def _adverse_events(table: RawTable, rec: Recognised, known: pd.Series, notes: list) -> pd.DataFrame:
    name, cols = table.name, rec.columns
    ids = _subject_ids(table, cols["usubjid"], known)
    out = pd.DataFrame({"usubjid": ids, "soc": _text(table, cols.get("soc")).fillna(""),
                        "term": _text(table, cols["term"], required=True), "_file": name,
                        "_row": np.arange(len(table.frame))})
    out["serious"] = _flag(table, cols["serious"]) if "serious" in cols else np.nan
    severity = _text(table, cols.get("severity"))
    out["severity"] = severity.str.lower() if severity.notna().any() else severity
    out["related"] = _related(_text(table, cols.get("related")))
    if "treatment_emergent" in cols:
        out["treatment_emergent"] = _flag(table, cols["treatment_emergent"], blank=False)
    else:
        out["treatment_emergent"] = np.nan
        notes.append(f"{name}: no treatment-emergent flag; every event counted")
    for column in ("start_day", "end_day"):
        out[column] = _numbers(table, cols[column]) if column in cols else np.nan
    return out


def _related(text: pd.Series) -> pd.Series:
    """Relatedness as booleans: "not related", "unlikely", "N" … are False; blank is missing; other text True."""
    codes, uniques = pd.factorize(text)
    keys = [normalise(v) for v in uniques]
    answers = np.array([k not in _NOT_RELATED and not k.startswith("not") for k in keys] + [np.nan], dtype=object)
    return pd.Series(answers[codes], index=text.index, dtype=object)  # code -1 (blank) picks the trailing NaN


def _check_duplicates(measurements: pd.DataFrame) -> None:
    if not compact.has_duplicates(measurements, ["usubjid", "visit", "endpoint"]):
        return
    dup = measurements.duplicated(["usubjid", "visit", "endpoint"], keep=False).to_numpy()
    if dup.any():
        rows = measurements[dup]
        first = rows.iloc[0]
        same = rows[(rows["usubjid"] == first["usubjid"]) & (rows["visit"] == first["visit"])
                    & (rows["endpoint"] == first["endpoint"])]
        other = same.iloc[1]
        where = f"row {int(other['_row']) + 2}" + (f" of {other['_file']}" if other["_file"] != first["_file"] else "")
        _fail(first["_file"], first["_row"], None,
              f"two values for subject {first['usubjid']!r}, visit {first['visit']!r}, endpoint "
              f"{first['endpoint']!r} (here and {where})")


# --- the reader ----------------------------------------------------------------------------------
def read_patient_data(*sources, names=None, mapping: Mapping | dict | None = None,
                      dictionary: Dictionary | None = None) -> PatientData:
    """Read patient-level files (CDISC ADaM or a plain long format) into tidy frames.

    Parameters
    ----------
    *sources : path, bytes or file-like
        The files, in any order: one subject file (ADSL or ``subjects.csv``),
        measurement files (BDS datasets or ``measurements.csv``) and
        optionally adverse events (ADAE or ``adverse_events.csv``); ``.xpt``,
        ``.csv``, ``.xlsx`` or ``.parquet``.  A single list is accepted too.
    names : list of str, optional
        File names for bytes (the extension tells the format).
    mapping : Mapping or dict, optional
        Choices overriding the default rules (see :class:`Mapping`).
    dictionary : Dictionary, optional
        Endpoint dictionary to match names against (default ``data/``).

    Returns
    -------
    PatientData

    Raises
    ------
    ValueError
        Naming the file, and the column and row where there is one.

    Examples
    --------
    >>> subjects = b"usubjid,arm,age\\n1,Drug,70\\n2,Placebo,72\\n"
    >>> values = b"usubjid,visit,endpoint,value\\n1,Baseline,score,3\\n1,Week 4,score,5\\n2,Baseline,score,4\\n"
    >>> data = read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"])
    >>> data.arms, data.control, data.baseline_visit, data.measurements["value"].tolist()
    (('Drug', 'Placebo'), 'Placebo', 'Baseline', [3.0, 5.0, 4.0])
    """
    if len(sources) == 1 and isinstance(sources[0], (list, tuple)):
        sources = tuple(sources[0])
    if not sources:
        raise ValueError("no files given")
    names = list(names) if names is not None else [None] * len(sources)
    if len(names) != len(sources):
        raise ValueError(f"{len(sources)} files but {len(names)} names")
    mapping = mapping if isinstance(mapping, Mapping) else Mapping.from_dict(mapping)
    dictionary = dictionary or Dictionary.default()
    names = [n or (None if source_name(s) != UNNAMED else f"{UNNAMED} {i + 1}")
             for i, (s, n) in enumerate(zip(sources, names))]
    tables = [read_source(s, n) for s, n in zip(sources, names)]
    seen = [t.name for t in tables]
    if len(set(seen)) != len(seen):
        raise ValueError(f"two files are named {next(n for n in seen if seen.count(n) > 1)!r}")
    roles = [recognise(t.frame.columns, t.name, mapping.arm_variable) for t in tables]
    for table, rec in zip(tables, roles):
        require(rec, table.name)
    notes = [n for t in tables for n in t.notes]
    return _assemble(tables, roles, mapping, dictionary, notes)


def _subject_table(tables, roles):
    found = [(t, r) for t, r in zip(tables, roles) if r.role == "subjects"]
    if not found:
        raise ValueError("no subject file: one file must list the subjects with their arm (ADSL with USUBJID and "
                         "TRT01A/TRT01P/ARM, or subjects.csv with usubjid and arm)")
    if len(found) > 1:
        raise ValueError(f"two subject files ({found[0][0].name} and {found[1][0].name}); give one")
    return found[0]


def _assemble(tables, roles, mapping: Mapping, dictionary: Dictionary, notes: list) -> PatientData:
    table, rec = _subject_table(tables, roles)
    subjects, chosen = _subjects(table, rec, mapping, dictionary, notes)
    arms, control = _arm_order(subjects, mapping, table.name)
    known = pd.Index(subjects["usubjid"])
    in_population = set(subjects.loc[subjects["_in_population"], "usubjid"])
    arm_of = dict(zip(subjects["usubjid"], subjects["arm"]))
    parts = [_measurements(t, r, known, dictionary, mapping, notes)
             for t, r in zip(tables, roles) if r.role == "measurements"]
    if not parts:
        raise ValueError("no measurement file: give a BDS dataset (USUBJID, PARAMCD, AVAL, AVISIT) or "
                         "measurements.csv (usubjid, visit, endpoint, value)")
    measurements = _categorical(pd.concat(parts, ignore_index=True), ["usubjid", "endpoint", "visit", "label",
                                                                      "unit", "dataset", "_file"])
    _check_duplicates(measurements)
    measurements = _only_population(measurements, in_population, "measurement rows", notes)
    if measurements.empty:
        raise ValueError("no measurement of a subject of the analysis population")
    measurements["_seq"] = np.arange(len(measurements))
    visits, baseline = order_visits(measurements, mapping.baseline_visit, notes)
    if measurements["baseline"].isna().all():
        measurements["baseline"] = measurements["visit"] == baseline
    measurements["baseline"] = measurements["baseline"].astype(bool)
    order = dict(zip(visits["visit"], visits["visit_order"]))
    measurements["visit_order"] = measurements["visit"].map(order).astype(float)
    measurements["arm"] = measurements["usubjid"].map(arm_of).astype("category")
    ae_parts = [_adverse_events(t, r, known, notes) for t, r in zip(tables, roles) if r.role == "adverse_events"]
    adverse = (pd.concat(ae_parts, ignore_index=True) if ae_parts
               else pd.DataFrame({c: pd.Series(dtype=object) for c in AE_COLUMNS}))
    adverse = _only_population(_categorical(adverse, ["usubjid"]), in_population, "adverse events", notes)
    adverse["arm"] = adverse["usubjid"].astype(object).map(arm_of).astype(object)
    subjects = subjects[subjects["_in_population"]].drop(columns="_in_population").reset_index(drop=True)
    resolved = replace(mapping, arm_variable=chosen["arm_variable"], control=control,
                       population=chosen["population"], baseline_visit=baseline)
    files = pd.DataFrame({"file": [t.name for t in tables], "role": [r.role for r in roles],
                          "format": [t.format for t in tables], "standard": ["ADaM" if r.adam else "long"
                                                                             for r in roles],
                          "rows": [len(t.frame) for t in tables]})
    return PatientData(
        subjects=subjects, measurements=measurements[MEASUREMENT_COLUMNS].reset_index(drop=True),
        adverse_events=adverse[AE_COLUMNS].reset_index(drop=True), files=files, notes=tuple(notes),
        visits=visits, arms=arms, mapping=resolved, key=_digest(tables, resolved),
        population=chosen["population"], extra={"labels": chosen["labels"]})


def _categorical(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Key text columns as categoricals: grouping and matching 10⁵–10⁶ rows then work on integer codes."""
    return frame.assign(**{c: frame[c].astype("category") for c in columns if c in frame})


def _only_population(frame: pd.DataFrame, in_population: set, what: str, notes: list) -> pd.DataFrame:
    inside = frame["usubjid"].isin(in_population).to_numpy()
    if inside.all():
        return frame
    if not inside.all():
        notes.append(f"{int((~inside).sum())} {what} of subjects outside the analysis population left out")
    return frame[inside]


def _digest(tables, mapping: Mapping) -> str:
    digest = hashlib.sha256()
    for table in tables:
        digest.update(table.name.encode())
        digest.update(hashlib.sha256(table.digest_bytes).digest())
    digest.update(repr(sorted(mapping.to_dict().items())).encode())
    return digest.hexdigest()[:16]
