"""Subgroup filters of patient-level data: choose subjects by their characteristics, keep what belongs to them.

A filter is a tuple of ``(variable, levels)`` pairs (:data:`Filters`), one per
subject-level variable (a column of ``PatientData.subjects``):

* a categorical variable keeps the subjects whose value is one of *levels*,
  a tuple of texts: ``("sex", ("Female",))``;
* a numeric variable keeps the subjects whose value lies in a closed range:
  ``("age", ("range", 70.0, 80.0))``.

A subject passes when every pair keeps them; a subject whose value is missing
for a filtered variable does not pass.  :func:`filter_patient_data` keeps the
chosen subjects and, through ``usubjid``, their measurements and adverse
events.  The address of a page carries filters as ``f_<variable>=a|b`` or
``f_<variable>=low..high`` (:func:`filters_from_query`, :func:`filters_to_query`).

Examples
--------
>>> from cratus.patient import read_patient_data
>>> from cratus.patient.synthetic import synthetic_files
>>> files = synthetic_files("adam", seed=1)
>>> data = read_patient_data(*files.values(), names=list(files))
>>> women = filter_patient_data(data, (("sex", ("Female",)),))
>>> selected_counts(data, women)[["arm", "selected", "total"]].values.tolist()
[['Allo-hMSC 100M', 4, 10], ['Allo-hMSC 200M', 4, 10], ['Placebo', 4, 10]]
>>> filters_to_query((("sex", ("Female",)), ("age", ("range", 70.0, 80.5))))
{'f_sex': 'Female', 'f_age': '70..80.5'}
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd

from cratus.patient.roles import SUBJECT_BOOKKEEPING

#: ``((variable, levels), ...)``; *levels* is a tuple of texts, or ``("range", low, high)``.
Filters = tuple
RANGE = "range"
QUERY_PREFIX = "f_"
LEVEL_SEPARATOR = "|"
RANGE_SEPARATOR = ".."
#: A text variable with more distinct values than this is an identifier or free text, not a subgroup.
MAX_LEVELS = 20
OPTION_COLUMNS = ["variable", "label", "kind", "level", "n", "low", "high"]
_SKIP = {c.lower() for c in SUBJECT_BOOKKEEPING} | {"usubjid", "arm", "arm_actual", "age_unit"}


def _level_text(value) -> str:
    """A subject's value as the text a filter names: 4.0 → ``"4"``, ``"Female"`` stays."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def as_text(series: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(series)
    texts = np.array([_level_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=series.index)  # code -1 (missing) picks the trailing ""


def is_range(levels) -> bool:
    return len(levels) == 3 and levels[0] == RANGE


def label_of(data, variable: str) -> str:
    return data.labels.get(variable) or variable.replace("_", " ").capitalize()


def filter_options(data) -> pd.DataFrame:
    """The subject-level variables a filter can use: ``variable, label, kind, level, n, low, high``.

    A categorical variable (text, at most :data:`MAX_LEVELS` values) has one
    row per level with its number of subjects ``n``; a numeric variable one
    row with its smallest and largest value (``low``, ``high``) and ``n``
    subjects with a value.  Subject ids, the arm, bookkeeping columns
    (``STUDYID``, ``TRT01P``, ...), dates, population flags and variables with
    a single value are left out.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> options = filter_options(make_synthetic(seed=1))
    >>> options.drop_duplicates("variable")["variable"].tolist()
    ['age', 'sex', 'ethnicity', 'race', 'cfs', 'mmse']
    >>> options.query("variable == 'sex'")[["level", "n"]].values.tolist()
    [['Female', 12], ['Male', 18]]
    >>> options.query("variable == 'age'")[["label", "low", "high"]].values.tolist()
    [['Age', 57.9539, 89.6442]]
    """
    from cratus.patient.stats import patient_data

    data = patient_data(data)
    rows = []
    for variable in data.subjects.columns:
        series = data.subjects[variable]
        present = series.dropna()
        if (variable in _SKIP or variable.endswith(("fl", "dtc", "dt", "dtm", "tm"))
                or pd.api.types.is_datetime64_any_dtype(series) or present.nunique() < 2):
            continue
        base = {"variable": variable, "label": label_of(data, variable)}
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            rows.append({**base, "kind": "numeric", "level": "", "n": len(present),
                         "low": float(present.min()), "high": float(present.max())})
        elif present.nunique() <= MAX_LEVELS:
            counts = as_text(present).value_counts()
            for level in sorted(counts.index, key=str.lower):
                rows.append({**base, "kind": "categorical", "level": level, "n": int(counts[level]),
                             "low": np.nan, "high": np.nan})
    return pd.DataFrame(rows, columns=OPTION_COLUMNS).astype({"n": int})


def subject_mask(subjects: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which rows of *subjects* pass every filter (a missing value never passes)."""
    keep = np.ones(len(subjects), dtype=bool)
    for variable, levels in filters:
        if variable not in subjects.columns:
            raise ValueError(f"subject filter: {variable!r} is not a subject-level variable")
        series = subjects[variable]
        if is_range(levels):
            values = pd.to_numeric(series, errors="coerce").to_numpy(float)
            with np.errstate(invalid="ignore"):
                keep &= (values >= float(levels[1])) & (values <= float(levels[2]))
        else:
            keep &= (as_text(series).isin([str(v) for v in levels]) & series.notna()).to_numpy()
    return keep


def _rows_of(frame: pd.DataFrame, kept: pd.Index) -> np.ndarray:
    """Rows of *frame* whose ``usubjid`` is in *kept* (through the categorical's codes when there are some)."""
    # get_indexer on the (unique) kept ids hashes in C; isin on arrow-backed text loops in Python (50× slower)
    ids = frame["usubjid"]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        wanted = kept.get_indexer(ids.cat.categories) >= 0
        codes = ids.cat.codes.to_numpy()
        return np.where(codes >= 0, wanted[codes], False)
    return kept.get_indexer(ids) >= 0


def describe_filters(filters: Filters, data=None) -> str:
    """The filters in words: ``"Gender: Female; Age at infusion 70 to 80"``.

    Examples
    --------
    >>> describe_filters((("sex", ("Female", "Male")), ("age", ("range", 70.0, 80.0))))
    'Sex: Female or Male; Age 70 to 80'
    """
    parts = []
    for variable, levels in filters:
        label = label_of(data, variable) if data is not None else variable.replace("_", " ").capitalize()
        if is_range(levels):
            parts.append(f"{label} {float(levels[1]):g} to {float(levels[2]):g}")
        else:
            parts.append(f"{label}: {' or '.join(str(v) for v in levels)}")
    return "; ".join(parts)


def filter_patient_data(data, filters: Filters):
    """The subjects passing *filters*, with their measurements and adverse events (a new :class:`PatientData`).

    Parameters
    ----------
    data : PatientData
        From :func:`cratus.patient.read_patient_data` (or a patient study).
    filters : Filters
        ``((variable, levels), ...)``; see the module docstring.  An empty
        tuple returns *data* itself.

    Returns
    -------
    PatientData
        With a new ``key`` (the content hash and the filters), a note saying
        what was filtered, ``filters`` and the unfiltered counts per
        arm in ``unfiltered_n``.  Arms and visits are kept even when
        no subject of an arm passes (check :func:`selected_counts`).

    Raises
    ------
    ValueError
        When a filter names a variable that is not a subject-level column.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> data = make_synthetic(seed=1)
    >>> old = filter_patient_data(data, (("age", ("range", 80, 120)),))
    >>> len(old.subjects), old.measurements["usubjid"].isin(old.subjects["usubjid"]).all(), old.notes[-1]
    (6, np.True_, 'subgroup filter: Age 80 to 120 (6 of 30 subjects)')
    """
    from cratus.patient.stats import patient_data

    data = patient_data(data)
    filters = tuple(filters)
    if not filters:
        return data
    keep = subject_mask(data.subjects, filters)
    subjects = data.subjects[keep].reset_index(drop=True)
    kept = pd.Index(subjects["usubjid"])
    measurements = data.measurements[_rows_of(data.measurements, kept)].reset_index(drop=True)
    for column in ("endpoint", "label", "unit", "dataset"):
        if column in measurements and isinstance(measurements[column].dtype, pd.CategoricalDtype):
            measurements[column] = measurements[column].cat.remove_unused_categories()
    adverse = data.adverse_events[_rows_of(data.adverse_events, kept)].reset_index(drop=True)
    note = f"subgroup filter: {describe_filters(filters, data)} ({len(subjects)} of {len(data.subjects)} subjects)"
    key = hashlib.sha256(f"{data.key}|{filters!r}".encode()).hexdigest()[:16]
    return replace(data, subjects=subjects, measurements=measurements, adverse_events=adverse,
                   notes=(*data.notes, note), key=key, filters=filters, unfiltered_n=data.n_per_arm())


def selected_counts(full, filtered) -> pd.DataFrame:
    """Subjects selected out of the total, per arm: ``arm, selected, total`` (arms in display order).

    *full* and *filtered* are :class:`PatientData` or patient studies (the arms are written as in *full*).
    """
    from cratus.patient.stats import patient_data

    full, filtered = patient_data(full), patient_data(filtered)
    total, selected = full.n_per_arm(), filtered.n_per_arm()
    arms = list(full.arms)
    return pd.DataFrame({"arm": arms, "selected": [int(selected.get(a, 0)) for a in arms],
                         "total": [int(total.get(a, 0)) for a in arms]})


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _parse(value: str):
    """One address value as levels, or None when it is not usable."""
    if RANGE_SEPARATOR in value:
        low, _, high = value.partition(RANGE_SEPARATOR)
        low, high = _number(low), _number(high)
        if low is None or high is None or low > high:
            return None
        return (RANGE, low, high)
    levels = tuple(dict.fromkeys(v.strip() for v in value.split(LEVEL_SEPARATOR) if v.strip()))
    return levels or None


def filters_from_query(query, options: pd.DataFrame | None = None) -> Filters:
    """The filters carried by an address: ``f_<variable>=a|b`` or ``f_<variable>=low..high``.

    Values that cannot be read are ignored, never raised.  With *options*
    (:func:`filter_options`), unknown variables and levels are dropped and a
    range must be on a numeric variable (a list of texts on a categorical one).

    Examples
    --------
    >>> filters_from_query({"f_sex": "Female|Male", "f_age": "70..80", "f_bad": "9..1", "page": "x"})
    (('sex', ('Female', 'Male')), ('age', ('range', 70.0, 80.0)))
    """
    out = []
    for key in query:
        if not (isinstance(key, str) and key.startswith(QUERY_PREFIX)) or len(key) == len(QUERY_PREFIX):
            continue
        raw = query[key]
        raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
        levels = _parse(raw) if isinstance(raw, str) else None
        variable = key[len(QUERY_PREFIX):]
        if levels is not None and options is not None:
            levels = _valid(levels, options[options["variable"] == variable])
        if levels is not None:
            out.append((variable, levels))
    return tuple(out)


def _valid(levels, rows: pd.DataFrame):
    if rows.empty:
        return None
    if rows["kind"].iloc[0] == "numeric":
        return levels if is_range(levels) else None
    if is_range(levels):
        return None
    known = [v for v in levels if v in set(rows["level"])]
    return tuple(known) or None


def filters_to_query(filters: Filters) -> dict:
    """The address parameters of *filters* (the inverse of :func:`filters_from_query`)."""
    out = {}
    for variable, levels in filters:
        if is_range(levels):
            out[QUERY_PREFIX + variable] = f"{float(levels[1]):.10g}{RANGE_SEPARATOR}{float(levels[2]):.10g}"
        else:
            out[QUERY_PREFIX + variable] = LEVEL_SEPARATOR.join(str(v) for v in levels)
    return out
