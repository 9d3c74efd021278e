"""The subject file (ADSL or ``subjects.csv``): one row per subject, the arm, the population and the arms' order.

* **Arm variable**: the mapping's, else the first of
  :data:`~cratus.patient.mapping.ARM_VARIABLES` present (a column found by a
  non-CDISC name such as ``group`` is named in a note).
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
from cratus.patient.mapping import ARM_VARIABLES, Dictionary, Mapping, choose_control, slug
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
    tidy, labels = {"usubjid": ids, "arm": arms}, {}
    for column in frame.columns:
        if column in (rec.columns["usubjid"], arm):
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
    return subjects, {"arm_variable": arm.upper(), "populations": populations, "labels": labels, "arm_codes": codes}


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
