"""Which subject variables are baseline characteristics, their labels and their levels as recorded.

Every summarisable column of the subject file can be a characteristic (:func:`subject_variables`); by default
those that describe a subject at baseline, not identifiers, sites, dates, times, flags, doses, treatment
variables, visit numbers, or outcomes (death, disposition).  Labels come from the file (SAS transport labels),
else the CDISC ADaM IG's label of a standard ADSL variable, else the column's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Most levels a text column may have to be summarised as a categorical characteristic.
MAX_LEVELS = 20
#: Subject columns that are never characteristics: the subject and arm themselves, and bookkeeping.
_NEVER = {"usubjid", "arm", "arm_actual", "age_unit", "ageu", "_in_population"}
#: Column-name patterns (lower case) of variables that are not baseline characteristics by default.
_NOT_DEFAULT = re.compile(
    r"(^|_)(id|studyid|subjid|usubjid|siteid|site|sitegr\d*|invid|invnam|domain)$"  # identifiers, sites
    r"|id$|(dt|dtc|dtm|tm|dy|dtf|tmf|date|time)$"  # identifiers, dates and times, their imputation flags
    r"|fl$|seq$"  # flags, sequence numbers
    r"|dose|^avgdd|^trt|^tr\d\d|^arm|^actarm"  # doses and treatment
    r"|visit|visn|vis$"  # visit numbers and dates
    r"|^dth|^lddth|^eos|^dcs|^dcdecod|^dcreas"  # outcomes: death and disposition
)
#: Labels of standard ADSL variables (CDISC ADaM IG), used when the file carries no label of its own.
CDISC_LABELS = {
    "age": "Age", "agegr1": "Pooled Age Group 1", "sex": "Sex", "race": "Race", "racegr1": "Pooled Race Group 1",
    "ethnicity": "Ethnicity", "ethnic": "Ethnicity", "country": "Country", "region1": "Geographic Region 1",
    "heightbl": "Baseline Height (cm)", "weightbl": "Baseline Weight (kg)", "bmibl": "Baseline BMI (kg/m2)",
    "bmiblgr1": "Pooled Baseline BMI Group 1", "educlvl": "Years of Education", "durdis": "Duration of Disease",
    "durdsgr1": "Pooled Disease Duration Group 1", "mmsetot": "MMSE Total",
}


@dataclass(frozen=True)
class Variable:
    """A subject variable that Table 1 can summarise."""

    column: str
    label: str
    kind: str  # "continuous" or "categorical"
    default: bool


def subject_variables(subjects: pd.DataFrame, labels: dict | None = None) -> list[Variable]:
    """Every subject column Table 1 can summarise, in file order, with whether it is shown by default.

    Examples
    --------
    >>> s = pd.DataFrame({"usubjid": ["1", "2"], "arm": ["A", "B"], "siteid": [701, 702], "age": [70.0, 71.0],
    ...                   "sex": ["F", "M"], "trtsdt": ["2014-01-02", "2014-01-03"], "saffl": ["Y", "Y"]})
    >>> [(v.column, v.kind, v.default) for v in subject_variables(s)]
    [('siteid', 'categorical', False), ('age', 'continuous', True), ('sex', 'categorical', True), \
('trtsdt', 'categorical', False), ('saffl', 'categorical', False)]
    """
    labels = labels or {}
    out = []
    for column in subjects.columns:
        series = subjects[column]
        name = str(column).lower()
        if name in _NEVER or pd.api.types.is_datetime64_any_dtype(series) or series.notna().sum() == 0:
            continue
        coded_copy = name.endswith("n") and (name[:-1] in subjects.columns or name[:-1].upper() in subjects.columns)
        binary = set(pd.unique(series.dropna())) <= {0, 1}
        identifier = re.search(r"id$|site", name)  # a site number is a label, not a quantity
        if (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) and not binary
                and not identifier):
            kind = "continuous"
        elif series.nunique() <= MAX_LEVELS:
            kind = "categorical"
        else:
            continue
        label = labels.get(column) or CDISC_LABELS.get(name) or str(column)
        out.append(Variable(str(column), label, kind, not (coded_copy or _NOT_DEFAULT.search(name))))
    return out


def characteristic_name(column) -> bool:
    """Whether a column's name is one of a default characteristic (not an identifier, a date, a flag, ...)."""
    return not _NOT_DEFAULT.search(str(column).lower())


def level_text(value) -> str:
    """A level as the data give it (a number without a trailing ``.0``)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return f"{value:.0f}"
    return str(value)


def ordered_levels(subjects: pd.DataFrame, column: str) -> list[str]:
    """The levels of *column* as recorded: in the order of its numeric code when the file has one (``SEX`` and
    ``SEXN``, ADaM's convention), else numbers in numeric order before text in alphabetical order.

    Examples
    --------
    >>> ordered_levels(pd.DataFrame({"sex": ["M", "F", "M"], "sexn": [1, 2, 1]}), "sex")
    ['M', 'F']
    >>> ordered_levels(pd.DataFrame({"g": [">=12", "<12", None]}), "g")
    ['<12', '>=12']
    """
    values = subjects[column]
    levels = list(dict.fromkeys(level_text(v) for v in values.dropna()))
    code = next((c for c in subjects.columns if str(c).lower() == f"{str(column).lower()}n"), None)
    if code is not None and pd.api.types.is_numeric_dtype(subjects[code]):
        pairs = pd.DataFrame({"level": values.map(level_text, na_action="ignore"), "code": subjects[code]}).dropna()
        codes = pairs.groupby("level")["code"].nunique()
        if len(pairs) and (codes == 1).all() and set(codes.index) == set(levels):
            first = pairs.groupby("level")["code"].first()
            return sorted(levels, key=lambda lv: first[lv])
    return sorted(levels, key=_level_key)


def _level_key(level: str):
    """Numbers in numeric order before text in the data's alphabetical order."""
    try:
        return (0, float(level), "")
    except ValueError:
        return (1, 0.0, level)


#: BDS parameters (PARAMCD) whose baseline value is a baseline characteristic, and the ADSL variable that holds
#: it in a submission (ADaM IG: HEIGHTBL, WEIGHTBL, BMIBL).
BASELINE_MEASURES = {"HEIGHT": "heightbl", "WEIGHT": "weightbl", "BMI": "bmibl"}


def add_baseline_measures(subjects: pd.DataFrame, measurements: pd.DataFrame, parameters: pd.DataFrame,
                          labels: dict, notes: list) -> pd.DataFrame:
    """*subjects* with the baseline height, weight and BMI of a BDS dataset (the record flagged as baseline,
    ABLFL = 'Y') as ``heightbl, weightbl, bmibl`` where the subject file has none of its own — Table 1's
    baseline characteristics, named in *notes* and *labels* (``Baseline Weight (kg)``)."""
    if measurements.empty or parameters.empty:
        return subjects
    base = measurements[measurements["baseline"].to_numpy(bool)]
    for code, column in BASELINE_MEASURES.items():
        rows = parameters[parameters["code"].astype(str).str.upper() == code]
        if column in subjects or len(rows) != 1:
            continue
        endpoint = rows["endpoint"].iloc[0]
        found = base[(base["endpoint"] == endpoint).to_numpy()]
        if found.empty:
            continue
        first = found.drop_duplicates("usubjid").set_index(found["usubjid"].drop_duplicates().astype(object))
        subjects = subjects.assign(**{column: subjects["usubjid"].astype(object).map(first["value"]).astype(float)})
        unit = str(found["unit"].iloc[0]) if pd.notna(found["unit"].iloc[0]) and str(found["unit"].iloc[0]) else ""
        labels[column] = f"Baseline {rows['label'].iloc[0]}" + (f" ({unit})" if unit else "")
        notes.append(f"{labels[column]}: from {found['dataset'].iloc[0]}'s baseline records of {code} "
                     f"(ABLFL = 'Y'), the subject file having no {column.upper()}")
    return subjects
