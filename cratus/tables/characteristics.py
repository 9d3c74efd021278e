"""Table 1 from patient-level data, as a trial statistician writes it.

Continuous characteristics: n (missing), mean (SD), median, min, max; categorical ones: n (%) of every level
as the data give it (no level merged, none added), with a "Missing" row when a subject has no value.  The
precision follows the data: a variable recorded to *d* decimals has its mean and median to *d* + 1, its SD to
*d* + 2 and its minimum and maximum to *d* (the usual convention of clinical study reports).  Percentages
have one decimal and are of the arm's N (the subjects of the analysis population in the arm).

Which subject variables are characteristics: :func:`cratus.patient.characteristics.subject_variables`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cratus.patient.characteristics import Variable, level_text, ordered_levels, subject_variables
from cratus.formatting import fixed_half_up
from cratus.study.design import TOTAL

NOT_COMPUTABLE = "not computable"


#: Indent of a statistic or level under its characteristic (an em space: kept by HTML, unlike spaces).
INDENT = "\u2003"


def data_decimals(values: pd.Series, most: int = 3) -> int:
    """Decimals the values are recorded to (at most *most*).

    Examples
    --------
    >>> data_decimals(pd.Series([70.0, 81.0])), data_decimals(pd.Series([1.5, 2.25])), data_decimals(pd.Series([]))
    (0, 2, 0)
    """
    v = values.dropna().to_numpy(float)
    for places in range(most + 1):
        if np.allclose(v, np.round(v, places), rtol=0, atol=1e-9 * max(1.0, float(np.abs(v).max(initial=0)))):
            return places
    return most


def _number(value: float, places: int) -> str:
    """*value* to *places* decimals, halves rounded up as SAS's formats do (6.25 -> 6.3), minus as U+2212."""
    return fixed_half_up(value, places).replace("-", "\u2212")


def _percent(k: int, n: int) -> str:
    return f"{k} ({_number(100 * k / n, 1)}%)"


def continuous_cells(values: pd.Series) -> dict[str, str]:
    """The four rows of a continuous characteristic for one arm (pandas' count, mean, std (ddof 1), median,
    min, max); a statistic that needs more values than there are reads "not computable".

    Examples
    --------
    >>> continuous_cells(pd.Series([70.0, 72.0, None]))
    {'n (missing)': '2 (1)', 'Mean (SD)': '71.0 (1.41)', 'Median': '71.0', 'Min, max': '70, 72'}
    >>> continuous_cells(pd.Series([70.0]))["Mean (SD)"], continuous_cells(pd.Series([], dtype=float))["Median"]
    ('70.0 (not computable)', 'not computable')
    """
    present = values.dropna()
    d = data_decimals(present)
    if d == 3 and present.std() > 0:  # unrounded (computed) values: about two significant digits of the SD
        d = int(min(3, max(0, 1 - math.floor(math.log10(present.std())))))
    n, missing = len(present), int(values.isna().sum())
    if n == 0:
        return {"n (missing)": f"0 ({missing})", "Mean (SD)": NOT_COMPUTABLE, "Median": NOT_COMPUTABLE,
                "Min, max": NOT_COMPUTABLE}
    sd = present.std() if n > 1 else math.nan
    spread = _number(sd, d + 2) if not math.isnan(sd) else NOT_COMPUTABLE
    return {"n (missing)": f"{n} ({missing})", "Mean (SD)": f"{_number(present.mean(), d + 1)} ({spread})",
            "Median": _number(present.median(), d + 1),
            "Min, max": f"{_number(present.min(), d)}, {_number(present.max(), d)}"}


def categorical_cells(values: pd.Series, levels: list, n: int) -> dict[str, str]:
    """n (%) of each level among the arm's *n* subjects, and of those without a value when there are any.

    Examples
    --------
    >>> categorical_cells(pd.Series(["<12", ">=12", ">=12", None]), ["<12", ">=12"], 4)
    {'<12': '1 (25.0%)', '>=12': '2 (50.0%)', 'Missing': '1 (25.0%)'}
    """
    counts = values.dropna().map(level_text).value_counts()
    out = {}
    for level in levels:
        k = int(counts.get(level, 0))
        out[level] = _percent(k, n) if n else NOT_COMPUTABLE
    missing = int(values.isna().sum())
    if missing:
        out["Missing"] = _percent(missing, n)
    return out


@dataclass(frozen=True)
class TableOne:
    """Table 1 of patient-level data: rows of display text, and the notes a printed table carries."""

    frame: pd.DataFrame  # Characteristic, Statistic, one column per arm ("<arm> (N = n)")
    footnotes: tuple[str, ...]
    source: str


def _arm_columns(subjects: pd.DataFrame, arms: list, labels: dict, total: bool) -> list[tuple[str, pd.DataFrame]]:
    groups = [(f"{labels.get(a, a)} (N = {int((subjects['arm'] == a).sum())})", subjects[subjects["arm"] == a])
              for a in arms]
    if total:
        groups.append((f"{labels.get(TOTAL, 'Total')} (N = {len(subjects)})", subjects))
    return groups


def table_one_from_patients(subjects: pd.DataFrame, variables: list[Variable], arms: list, arm_labels: dict,
                            total: bool = True, population: str = "", source: str = "") -> TableOne:
    """Table 1: a heading row per characteristic, then one row per statistic or level (indented with an em space,
    which survives HTML), one column per arm: the single stub column of a clinical study report's table.

    Examples
    --------
    >>> s = pd.DataFrame({"usubjid": list("1234"), "arm": ["a", "a", "b", "b"], "age": [70.0, 72.0, 65.0, None],
    ...                   "grp": ["<12", ">=12", ">=12", ">=12"]})
    >>> t = table_one_from_patients(s, subject_variables(s), ["a", "b"], {"a": "Drug", "b": "Placebo"})
    >>> t.frame.values.tolist()[:3]
    [['Age', '', '', ''], ['\u2003n (missing)', '2 (0)', '1 (1)', '3 (1)'], ['\u2003Mean (SD)', '71.0 (1.41)', \
'65.0 (not computable)', '69.0 (3.61)']]
    >>> t.frame.iloc[5:].values.tolist()[1:]
    [['\u2003<12', '1 (50.0%)', '0 (0.0%)', '1 (25.0%)'], ['\u2003>=12', '1 (50.0%)', '2 (100.0%)', '3 (75.0%)']]
    """
    groups = _arm_columns(subjects, arms, arm_labels, total)
    headers = [name for name, _ in groups]
    records = []
    for variable in variables:
        values = subjects[variable.column]
        heading = variable.label if variable.kind == "continuous" else f"{variable.label}, n (%)"
        records.append({"Characteristic": heading, **{h: "" for h in headers}})
        if variable.kind == "continuous":
            cells = {h: continuous_cells(g[variable.column]) for h, g in groups}
        else:
            levels = ordered_levels(subjects, variable.column)
            cells = {h: categorical_cells(g[variable.column], levels, len(g)) for h, g in groups}
        rows = list(dict.fromkeys(k for c in cells.values() for k in c))
        for row in rows:
            records.append({"Characteristic": INDENT + row,
                            **{h: cells[h].get(row, "0 (0.0%)" if row == "Missing" else "") for h in headers}})
    frame = pd.DataFrame.from_records(records, columns=["Characteristic", *headers])
    footnotes = (
        f"Population: {population or 'all subjects'}; N is the number of its subjects in each arm (Total: in every "
        "arm of the study, shown or not).",
        "Continuous variables: n with a value (n missing), mean (sample SD), median, minimum and maximum; mean "
        "and median to one decimal more than the data are recorded to, SD to two more.",
        "Categorical variables: n (%) of the arm's N for each level as recorded; Missing: subjects without a value.",
        f"{NOT_COMPUTABLE.capitalize()}: too few values in the arm for the statistic (an SD needs two).",
    )
    return TableOne(frame, footnotes, source)


def population_words(data, analysis: str, rule: str = "") -> str:
    """The population of one analysis (``baseline``, ``safety``) in words, e.g. "subjects with SAFFL = 'Y'";
    *rule*: another population the table is shown in (:meth:`cratus.patient.PatientData.in_population`)."""
    from cratus.patient.populations import describe_rule

    if rule:
        words = describe_rule(rule)
    elif data.populations is None:
        flag = data.population
        return "all subjects" if not flag or flag == "all" else f"subjects with {flag} = 'Y'"
    else:
        words = data.populations.of(analysis).description
    return words if words.endswith("subjects") else f"subjects with {words}"


def study_variables(study) -> list[Variable]:
    """The subject variables of a patient-level study that Table 1 can show (:func:`subject_variables`)."""
    data = study.patients
    endpoints = study.endpoints
    units = {k: v for k, v in zip(endpoints["endpoint"], endpoints["unit"]) if v}
    ages = data.subjects["age_unit"].dropna().unique() if "age_unit" in data.subjects else []
    if len(ages) == 1:  # ADSL's AGEU: the unit of AGE
        units.setdefault("age", str(ages[0]).lower())
    labels = dict(zip(endpoints["endpoint"], endpoints["label"]))  # the study's own (to_study's) wording
    out = []
    for v in subject_variables(data.subjects, data.labels):
        label, unit = labels.get(v.column) or v.label, units.get(v.column, "")
        out.append(replace(v, label=f"{label} ({unit})" if unit and v.kind == "continuous" else label))
    return out


def study_table_one(study, arms=None, columns=None, total: bool = True, population: str = "") -> pd.DataFrame:
    """Table 1 of a patient-level study (``study.patients``) for *arms* (default: all) and the
    subject *columns* (default: the default characteristics of :func:`subject_variables`); its footnotes and
    source note: :func:`table_one_notes`; *population*: another than the baseline tables' (a flag, ``randomised``
    or ``all``; :meth:`cratus.patient.PatientData.in_population`)."""
    data = study.patients
    design = study.design
    arms = [a for a in design.order(arms if arms is not None else design.arm_ids) if a != TOTAL]
    found = study_variables(study)
    if columns is None:
        chosen = [v for v in found if v.default]
    else:
        by_column = {v.column: v for v in found}
        chosen = [by_column[c] for c in columns if c in by_column]
    # Total: every subject of the study, as the published Table 1's Total column; named for the arms it includes
    # that are hidden (Design.total_label)
    labels = {**{a: design.label(a) for a in arms}, TOTAL: design.total_label(arms)}
    return table_one_from_patients(data.in_population("baseline", population), chosen, arms, labels, total).frame


def table_one_notes(study, population: str = "") -> tuple[str, ...]:
    """The footnotes of :func:`study_table_one`: population, statistics, and the source."""
    data = study.patients
    population = population_words(data, "baseline", population)
    files = ", ".join(data.files.loc[data.files["role"] == "subjects", "file"])
    table = table_one_from_patients(data.subjects.iloc[0:0], [], [], {}, False, population,
                                    f"Source: {files or 'the subject file'}; computed here from patient-level data.")
    return (*table.footnotes, table.source)


def patient_standardized_differences(study, arms=None, reference: str | None = None, columns=None) -> pd.DataFrame:
    """Balance of Table 1's characteristics (the default ones, or *columns*) in a patient-level study: each arm
    against *reference* (default: the control), in the baseline population, from the subjects themselves —
    a mean's standardized difference (Austin 2009, eq. 1) for a continuous characteristic, a proportion's (eq. 2)
    for each level of a categorical one; columns as :func:`cratus.tables.baseline.standardized_differences`."""
    from cratus.stats.between_arms import standardized_difference, standardized_difference_of_proportions

    design = study.design
    reference = design.arm_id(reference) if reference else design.control
    arms = [a for a in design.order(arms if arms is not None else design.arm_ids) if a not in (reference, TOTAL)]
    columns_out = ["endpoint", "level", "characteristic", "arm", "reference", "estimate", "note"]
    found = study_variables(study)
    chosen = [v for v in found if v.default] if columns is None else \
        [v for c in columns for v in found if v.column == c]
    subjects = study.patients.in_population("baseline")
    records = []
    for v in chosen:
        values = subjects[["arm", v.column]].dropna()
        base = values.loc[values["arm"] == reference, v.column]
        for arm in arms:
            mine = values.loc[values["arm"] == arm, v.column]
            if v.kind == "continuous":
                estimate = (standardized_difference(mine.mean(), mine.std(), base.mean(), base.std())
                            if len(mine) > 1 and len(base) > 1 else math.nan)
                note = "" if not math.isnan(estimate) else (
                    "not computable: fewer than 2 values" if min(len(mine), len(base)) < 2 else
                    "not computable: no spread")
                records.append((v.column, "", v.label, arm, reference, estimate, note))
                continue
            for level in ordered_levels(subjects, v.column):
                p1 = float((mine.map(level_text) == level).mean()) if len(mine) else math.nan
                p0 = float((base.map(level_text) == level).mean()) if len(base) else math.nan
                estimate = standardized_difference_of_proportions(p1, p0) if len(mine) and len(base) else math.nan
                records.append((v.column, level, f"{v.label}: {level}", arm, reference, estimate,
                                "" if not math.isnan(estimate) else "not computable: no values"))
    return pd.DataFrame.from_records(records, columns=columns_out)
