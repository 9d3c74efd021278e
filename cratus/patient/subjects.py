"""The subject file (ADSL or ``subjects.csv``): one row per subject, the arm, the population and the arms' order.

* **Arm variable**: the mapping's, else the first of
  :data:`~cratus.patient.mapping.ARM_VARIABLES` present (a column found by a
  non-CDISC name such as ``group`` is named in a note).
* **Arm of the safety analyses**: the treatment received — the mapping's
  ``safety_arm_variable``, else the arm variable's actual counterpart
  (``TRT01P`` → ``TRT01A``, ``ARM`` → ``ACTARM``) when the file has it, else
  the arm variable — as ``arm_actual``; a subject whose received treatment is
  none of the arms keeps the planned arm, and is counted in a note.
* **Arm order**: by the arm's numeric code when the data give one — the arm
  variable's own ``…N`` column (``TRT01P`` → ``TRT01PN``, ``TRT01A`` →
  ``TRT01AN``, ``ARM`` → ``ARMN``) with one code per arm — else in the order
  the arms first appear in the data.  The control is the arm the data name like
  one (placebo, control, …) or the mapping's choice; its place is the data's.
* **Populations**: one per kind of analysis (:mod:`cratus.patient.populations`);
  subjects in none of them, and arms with no subject in any (``Screen
  Failure``), are left out, and said so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.columns import fail, first, numeric_or_text, text
from cratus.patient.mapping import ACTUAL_OF, ARM_VARIABLES, Dictionary, Mapping, choose_control, slug
from cratus.patient.populations import choose
from cratus.patient.readers import RawTable
from cratus.patient.roles import GUESSED, SUBJECT_RENAMES, Recognised


def arm_column(table: RawTable, mapping: Mapping, notes: list) -> str:
    """The subject file's arm column (the mapping's, else the first CDISC or plain name present)."""
    upper = {c.upper(): c for c in table.frame.columns}
    wanted = mapping.arm_variable.upper()
    if wanted and wanted not in upper:
        raise ValueError(f"{table.name}: the arm variable {mapping.arm_variable!r} of the mapping is not a column")
    column = upper[wanted] if wanted else next(upper[c] for c in ARM_VARIABLES if c in upper)
    if not wanted and column.upper() in GUESSED:
        notes.append(f"{table.name}: column {column!r} read as the arm (no TRT01A, TRT01P or ARM)")
    return column


def safety_arm_column(table: RawTable, mapping: Mapping, arm: str) -> str:
    """The subject file's column of the treatment received (the safety analyses' arm): the mapping's, else the
    actual counterpart of the arm column (TRTxxP → TRTxxA, ARM → ACTARM) when present, else the arm column."""
    upper = {c.upper(): c for c in table.frame.columns}
    wanted = mapping.safety_arm_variable.upper()
    if wanted and wanted not in upper:
        raise ValueError(f"{table.name}: the safety arm variable {mapping.safety_arm_variable!r} of the mapping is "
                         "not a column")
    if wanted:
        return upper[wanted]
    name = arm.upper()
    actual = ACTUAL_OF.get(name) or (name[:-1] + "A" if name.startswith("TRT") and name.endswith("P") else "")
    return upper.get(actual, arm)


def _actual_arms(table: RawTable, arms: pd.Series, column: str, arm: str, notes: list) -> pd.Series:
    """The treatment received per subject (``arm_actual``); a subject whose received treatment is blank or not one
    of the planned arms keeps the planned arm (counted in a note)."""
    if column == arm:
        return arms
    actual, arms = text(table, column).astype(object), arms.astype(object)
    known = set(arms.dropna())
    off = actual.notna().to_numpy() & ~actual.isin(known).to_numpy()
    differ = actual.notna().to_numpy() & actual.isin(known).to_numpy() & (actual != arms).to_numpy()
    notes.append(f"{table.name}: safety analyses by the treatment received ({column}), efficacy analyses and "
                 f"baseline tables by the arm randomised to ({arm})"
                 + (f"; {int(differ.sum())} subject(s) received another arm's treatment" if differ.any() else ""))
    if off.any():
        notes.append(f"{table.name}: {int(off.sum())} subject(s) with a {column} that is none of the arms "
                     f"({', '.join(map(repr, sorted(set(actual[off]))[:3]))}) keep their {arm} in safety analyses")
    return actual.where(actual.isin(known), arms)


def read_subjects(table: RawTable, rec: Recognised, mapping: Mapping, dictionary: Dictionary,
                  notes: list) -> tuple[pd.DataFrame, dict]:
    """Tidy subjects (``usubjid, arm`` and every other column in snake_case, ``_in_population``: in one of
    the analysis populations) and the choices made (``arm_variable``, ``populations``, ``labels``,
    ``arm_codes``)."""
    frame, name = table.frame, table.name
    upper = {c.upper(): c for c in frame.columns}
    arm = arm_column(table, mapping, notes)
    ids = text(table, rec.columns["usubjid"], required=True)
    duplicated = ids.duplicated()
    if duplicated.any():
        row = first(duplicated)
        earlier = first(ids == ids.iloc[row])
        fail(name, row, rec.columns["usubjid"], f"subject {ids.iloc[row]!r} appears twice (rows {earlier + 2} "
                                                f"and {row + 2}); a subject file has one row per subject")
    arms = text(table, arm)
    actual = safety_arm_column(table, mapping, arm)
    tidy, labels = {"usubjid": ids, "arm": arms, "arm_actual": _actual_arms(table, arms, actual, arm, notes)}, {}
    for column in frame.columns:
        if column in (rec.columns["usubjid"], arm, actual):
            continue
        key = (SUBJECT_RENAMES.get(column.upper()) or dictionary.match(column, table.labels.get(column))
               or slug(column))
        if key in tidy:
            continue
        tidy[key] = numeric_or_text(frame[column])
        if table.labels.get(column):
            labels[key] = table.labels[column]
        if pd.api.types.is_float_dtype(tidy[key]) and np.isinf(tidy[key].to_numpy()).any():
            fail(name, first(np.isinf(tidy[key].to_numpy())), column, "is not a finite number")
    subjects = pd.DataFrame(tidy)
    populations = choose(frame, ids, mapping, name, notes)
    subjects["_in_population"] = ids.isin(populations.union).to_numpy()
    blank = arms.isna().to_numpy() & subjects["_in_population"].to_numpy(bool)
    if blank.any():
        fail(name, first(blank), arm, "is empty (a subject of the analysis population has no arm)")
    subjects = subjects[arms.notna().to_numpy()].reset_index(drop=True)
    codes = _arm_codes(frame, upper, arm, arms, name, notes)
    candidates = [c.upper() for c in frame.columns if c.upper() in ARM_VARIABLES]
    return subjects, {"arm_variable": arm.upper(), "safety_arm_variable": actual.upper(), "arm_columns": candidates,
                      "populations": populations, "labels": labels, "arm_codes": codes}


def _arm_codes(frame: pd.DataFrame, upper: dict, arm: str, arms: pd.Series, name: str, notes: list) -> dict:
    """Arm → its numeric code from the arm variable's ``…N`` column, when there is one code per arm."""
    candidates = [arm.upper() + "N"] + (["ARMN"] if arm.upper() in ("ARM", "ARMCD") else []) + \
                 (["ACTARMN"] if arm.upper() in ("ACTARM", "ACTARMCD") else [])
    column = next((upper[c] for c in candidates if c in upper), None)
    if column is None:
        return {}
    codes = pd.to_numeric(frame[column], errors="coerce")
    pairs = pd.DataFrame({"arm": arms, "code": codes}).dropna().drop_duplicates()
    if pairs.empty or pairs["arm"].duplicated().any() or pairs["code"].duplicated().any():
        notes.append(f"{name}: {column} does not give one number per arm; arms in the data's order")
        return {}
    notes.append(f"arms in the order of their codes in {column}")
    return dict(zip(pairs["arm"], pairs["code"].astype(float)))


def arm_order(subjects: pd.DataFrame, mapping: Mapping, codes: dict, name: str, notes: list) -> tuple[tuple, str]:
    """Arms of the population in the trial's order (numeric code, else first appearance) and the control."""
    kept = subjects.loc[subjects["_in_population"], "arm"]
    every = list(dict.fromkeys(subjects["arm"]))
    present = list(dict.fromkeys(kept))
    left = [a for a in every if a not in present]
    if left and len(present) < 2:
        raise ValueError(f"{name}: arm {left[0]!r} has no subjects in the analysis population")
    if left:
        notes.append(f"{name}: arm(s) {', '.join(map(repr, left))} have no subject in the analysis population; "
                     "left out")
    if not present:
        raise ValueError(f"{name}: no subject is in the analysis population")
    if codes and all(a in codes for a in present):
        present.sort(key=lambda a: codes[a])
    control = choose_control(present, mapping.control)
    return tuple(present), control
