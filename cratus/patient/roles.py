"""Which role a patient-level file plays, recognised from its column names (ignoring case).

Roles, and the columns that mark them:

=================  ===========================================================
``subjects``       one row per subject: a subject id and an arm (CDISC ADSL:
                   USUBJID, TRT01A/TRT01P/ARM; or a plain ``subjects.csv``)
``measurements``   CDISC BDS (USUBJID, PARAMCD, AVAL, AVISIT, ...) or the long
                   format (usubjid, visit, endpoint, value)
``adverse_events`` CDISC ADAE (USUBJID, AEDECOD/AETERM, AEBODSYS, ...) or the
                   long format (usubjid, soc, term, serious, ...)
``time_to_event``  CDISC ADTTE (USUBJID, PARAMCD, AVAL, CNSR; no visit)
=================  ===========================================================

:func:`recognise` returns the role and a dict from tidy column names to the
file's own column names; :data:`ALIASES` lists the names accepted for each
tidy column, first match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cratus.patient.mapping import ARM_VARIABLES as ARM_NAMES

from cratus.patient.readers import ID_COLUMNS as SUBJECT_IDS  # noqa: E402  (read as text by the CSV reader)

#: Tidy column → accepted source names (upper case), per role.
ALIASES = {
    "measurements": {
        "endpoint": ("PARAMCD", "ENDPOINT", "PARAMETER", "TEST"),
        "label": ("PARAM", "LABEL", "ENDPOINT_LABEL"),
        "unit": ("AVALU", "UNIT", "UNITS"),
        "value": ("AVAL", "VALUE", "RESULT"),
        "visit": ("AVISIT", "VISIT"),
        "visit_order": ("AVISITN", "VISITN", "VISIT_ORDER", "VISITNUM"),
        "baseline": ("ABLFL", "BASELINE", "BASELINE_FLAG"),
        "base": ("BASE",),
        "chg": ("CHG",),
        "anrlo": ("ANRLO", "NORMAL_LOW"),
        "anrhi": ("ANRHI", "NORMAL_HIGH"),
        "a1lo": ("A1LO",),
        "a1hi": ("A1HI",),
        "avalc": ("AVALC",),
        "timepoint": ("ATPT",),
        "day": ("ADY", "STUDY_DAY"),
        "timepoint_order": ("ATPTN",),
        "anrind": ("ANRIND",),
        "bnrind": ("BNRIND",),
        "dtype": ("DTYPE",),
        "arm": (),
    },
    "time_to_event": {
        "endpoint": ("PARAMCD",),
        "label": ("PARAM",),
        "unit": ("AVALU",),
        "value": ("AVAL",),
        "cnsr": ("CNSR",),
        "event_description": ("EVNTDESC",),
        "censor_description": ("CNSDTDSC", "CNSDESC"),  # CNSDTDSC: the ADaM BDS-TTE variable
        "start_date": ("STARTDT",),
        "analysis_date": ("ADT",),
    },
    "adverse_events": {
        "soc": ("AEBODSYS", "AESOC", "SOC", "BODY_SYSTEM"),
        "term": ("AEDECOD", "AETERM", "TERM", "PREFERRED_TERM"),
        "serious": ("AESER", "SERIOUS"),
        "severity": ("AESEV", "ASEV", "SEVERITY"),
        "related": ("AEREL", "AREL", "RELATED", "RELATEDNESS"),
        "treatment_emergent": ("TRTEMFL", "TREATMENT_EMERGENT", "TEAE"),
        "start_day": ("ASTDY", "AESTDY", "START_DAY"),
        "end_day": ("AENDY", "AEENDY", "END_DAY"),
    },
}
#: Subject-file renames of CDISC names to the tidy snake_case names (others are lower-cased).
SUBJECT_RENAMES = {"ETHNIC": "ethnicity", "AGEU": "age_unit"}
#: Subject-file columns that are bookkeeping, not baseline characteristics.
SUBJECT_BOOKKEEPING = ("STUDYID", "SUBJID", "SITEID", "SITE", "ARMCD", "ACTARMCD", "ACTARM", "ARM", "TRT01P",
                       "TRT01A", "TRT01PN", "TRT01AN", "TRTSEQP", "TRTSEQA", "AGEU", "COUNTRY", "INVID", "INVNAM",
                       "DTHFL", "RANDDT", "RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "DTHDTC", "BRTHDTC",
                       # outcomes and coded copies, not baseline characteristics
                       "EOSSTT", "DCSREAS", "DCSREASP", "DCDECOD", "DTHCAUS", "TRTDURD", "TRTDUR", "SEXN", "RACEN",
                       "ETHNICN", "AGEGR1N")

ROLES = ("subjects", "measurements", "adverse_events", "time_to_event")
#: Names accepted for a column that are not the CDISC name: when one is used, the reader says so in a note.
GUESSED = {"GROUP", "TREATMENT", "RESULT", "TEST", "PARAMETER", "UNITS", "NORMAL_LOW", "NORMAL_HIGH", "BASELINE_FLAG",
           "VISITNUM", "VISIT_ORDER"}
EXPECTED = ("a subject file (USUBJID and TRT01A/TRT01P/ARM, or usubjid and arm), a measurement file "
            "(USUBJID, PARAMCD, AVAL, AVISIT, or usubjid, visit, endpoint, value) or an adverse-event file "
            "(USUBJID, AEDECOD/AETERM, or usubjid, soc, term)")


@dataclass(frozen=True)
class Recognised:
    """A file's role, whether it is CDISC ADaM, tidy name → the file's column name, and analysis flags."""

    role: str
    adam: bool
    columns: dict
    #: ANLzzFL columns in the file, in order (ANL01FL first).
    analysis_flags: tuple = ()

    def guessed(self, name: str) -> list[str]:
        """Notes naming each column whose role was guessed from a non-CDISC name (``group`` as the arm)."""
        return [f"{name}: column {column!r} read as the {tidy.replace('_', ' ')}" for tidy, column in
                self.columns.items() if str(column).upper() in GUESSED]

def _find(upper: dict, names) -> str | None:
    return next((upper[n] for n in names if n in upper), None)


def recognise(columns, name: str, arm_variable: str = "") -> Recognised:
    """The role of a file with *columns*.

    Raises
    ------
    ValueError
        When the columns fit no role, or a role's key column is missing.

    Examples
    --------
    >>> r = recognise(["usubjid", "Visit", "endpoint", "VALUE"], "measurements.csv")
    >>> r.role, r.adam, r.columns["value"]
    ('measurements', False, 'VALUE')
    >>> recognise(["STUDYID", "USUBJID", "TRT01A", "AGE"], "adsl.xpt").role
    'subjects'
    """
    upper = {str(c).strip().upper(): c for c in columns}
    subject = _find(upper, SUBJECT_IDS)
    if "CNSR" in upper and ("PARAMCD" in upper or "AVAL" in upper):
        role, adam = "time_to_event", True
    elif "PARAMCD" in upper or "AVAL" in upper or (upper.keys() & {"ENDPOINT", "TEST", "PARAMETER"} and
                                                     upper.keys() & {"VALUE", "RESULT", "VISIT"}):
        role, adam = "measurements", "PARAMCD" in upper or "AVAL" in upper
    elif upper.keys() & {"AEDECOD", "AETERM", "AEBODSYS", "TERM"}:
        role, adam = "adverse_events", bool(upper.keys() & {"AEDECOD", "AETERM", "AEBODSYS"})
    elif subject and (_find(upper, ARM_NAMES) or (arm_variable and arm_variable.upper() in upper)):
        role, adam = "subjects", bool(upper.keys() & {"TRT01A", "TRT01P", "SAFFL", "ITTFL"})
    elif subject:
        raise ValueError(f"{name}: has a subject id column ({subject}) but no arm column; a subject file needs "
                         f"one of {', '.join(ARM_NAMES)} (or name it in the mapping)")
    else:
        shown = ", ".join(str(c) for c in list(columns)[:12])
        raise ValueError(f"{name}: is not a known patient file; expected {EXPECTED}. Its columns: {shown}")
    if subject is None:
        raise ValueError(f"{name}: missing the subject id column (one of {', '.join(SUBJECT_IDS[:3])}, ...)")
    found = {"usubjid": subject}
    for tidy, names in ALIASES.get(role, {}).items():
        column = _find(upper, names)
        if column is not None:
            found[tidy] = column
    flags = tuple(upper[c] for c in sorted(upper) if re.fullmatch(r"ANL\d\dFL", c)) if role == "measurements" else ()
    return Recognised(role=role, adam=adam, columns=found, analysis_flags=flags)


REQUIRED = {
    "measurements": ("endpoint", "value"),
    "time_to_event": ("endpoint", "value", "cnsr"),
    "adverse_events": ("term",),
}


def require(recognised: Recognised, name: str) -> None:
    """Refuse a file that lacks a key column of its role, naming the column."""
    for tidy in REQUIRED.get(recognised.role, ()):
        if tidy not in recognised.columns:
            names = ALIASES[recognised.role][tidy]
            raise ValueError(f"{name}: missing column {names[0] if recognised.adam else tidy!r} "
                             f"(the {tidy} of each row; accepted names: {', '.join(names)})")
