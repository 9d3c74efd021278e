"""Patient-level data as tidy frames: :class:`PatientData` and :func:`read_patient_data`.

Files are read (:mod:`cratus.patient.readers`), given a role from their
columns (:mod:`cratus.patient.roles`) and turned into tidy frames with arms
and visits written as in the data:

* ``subjects``: one row per subject of the analysis population: ``usubjid,
  arm`` and every other column in snake_case (``age, sex, race, ethnicity,
  saffl, ...``; :mod:`cratus.patient.subjects`);
* ``measurements``: the BDS analysis records with a scheduled visit
  (:mod:`cratus.patient.records`): ``usubjid, arm, dataset, endpoint, label,
  unit, visit, visit_order, value, baseline, anrlo, anrhi, anrind, bnrind,
  avalc, dtype, day`` (ADY); ``unscheduled``: the same columns for records with a blank
  or unscheduled visit; ``duplicates``: records no flag tells apart;
* ``adverse_events``: ``usubjid, arm, soc, term, serious, severity, related,
  treatment_emergent, start_day, end_day`` (:mod:`cratus.patient.events`);
* ``time_to_event``: ADTTE records ``usubjid, arm, dataset, endpoint, label,
  unit, time, cnsr, event, event_description, censor_description``.

Everything the reader assumed is in ``notes``; every problem raises
:class:`ValueError` naming the file, column and row (rows as a spreadsheet
numbers them: the header is row 1).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cratus.patient import compact
from cratus.patient.characteristics import add_baseline_measures
from cratus.patient.events import AE_COLUMNS, TTE_COLUMNS, read_adverse_events, read_time_to_event
from cratus.patient.mapping import Dictionary, Mapping
from cratus.patient.parameters import PARAMETER_COLUMNS, parameter_table
from cratus.patient.mapping import ALL_SUBJECTS
from cratus.patient.populations import Populations, members_of, rule_options
from cratus.patient.readers import UNNAMED, read_source, source_name
from cratus.patient.records import MEASUREMENT_COLUMNS, name_endpoints, place_visits, read_records, \
    split_duplicates
from cratus.patient.roles import recognise, require
from cratus.patient.subjects import arm_order, read_subjects
from cratus.patient.visits import mark_extreme_visits, order_visits

__all__ = ["AE_COLUMNS", "MEASUREMENT_COLUMNS", "TTE_COLUMNS", "PatientData", "read_patient_data"]


@dataclass(frozen=True, eq=False)
class PatientData:
    """Tidy patient-level frames read from files (see the module docstring for their columns).

    ``files`` lists each file with its role; ``visits`` the visits in order
    (``visit, visit_order, baseline``); ``arms`` the arms in the trial's order
    (numeric code, else the data's order); ``mapping`` the choices made (a
    :class:`Mapping` with no empty field left to a rule); ``records`` the
    rule that chose the BDS records, in words; ``key`` a content hash of the
    inputs; ``labels`` the subject file's variable labels.  Key text
    columns of ``measurements`` are categoricals.
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
    #: The subject file's variable labels (``{column: label}``, e.g. ``{"age": "Age"}``).
    labels: dict = field(default_factory=dict)
    #: The subject file's columns that can be an arm (TRT01P, TRT01A, ARM, …), for the mapping's choices.
    arm_columns: tuple = ()
    #: A subgroup filter's choices (``None`` for all subjects) and the arms' sizes before it.
    filters: dict | None = None
    unfiltered_n: dict | None = None
    #: Arm and visit names as the files give them, by the study's ids (``None`` until :func:`to_study`
    #: writes ids: :func:`cratus.patient.summarize.as_read` reads them back).
    read_as: tuple | None = None
    #: ADTTE records (one per subject and parameter) of the subjects of any analysis population: an analysis
    #: keeps those of its own (``in_population("efficacy")``); empty without a time-to-event file.
    time_to_event: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TTE_COLUMNS))
    #: BDS analysis records with a blank or unscheduled visit (not in by-visit summaries).
    unscheduled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEASUREMENT_COLUMNS))
    #: BDS records sharing subject, parameter and visit that no analysis flag tells apart.
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEASUREMENT_COLUMNS))
    #: The rule that chose the BDS records, in words ("" without BDS data).
    records: str = ""
    #: The population of each kind of analysis (efficacy, safety, baseline tables), with its rule and members.
    populations: Populations | None = None
    #: One row per BDS parameter: ``endpoint, code, label, dataset, kind, role, primary``.
    parameters: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARAMETER_COLUMNS))

    @property
    def control(self) -> str:
        return self.mapping.control

    @property
    def baseline_visit(self) -> str:
        return self.mapping.baseline_visit

    @property
    def has_measurements(self) -> bool:
        return not self.measurements.empty

    def in_population(self, analysis: str, rule: str = "") -> pd.DataFrame:
        """The subjects of one analysis's population (``efficacy``, ``safety`` or ``baseline``), each in the arm
        of that analysis: the treatment received for safety (``arm_actual``), the arm randomised to otherwise.
        *rule* (a flag such as ``ITTFL``, ``randomised`` or ``all``; :meth:`population_options`) shows a table in
        another population than the analysis's own, among the subjects read (those of any analysis population)."""
        subjects = self.subjects
        if analysis == "safety" and "arm_actual" in subjects:
            subjects = subjects.assign(arm=subjects["arm_actual"])
        if rule and (self.populations is None or rule != self.populations.of(analysis).rule):
            return subjects[members_of(subjects, rule)]
        if self.populations is None:
            return subjects
        return subjects[subjects["usubjid"].isin(self.populations.of(analysis).members)]

    def population_options(self, analysis: str) -> list[str]:
        """The populations a table of *analysis* can be shown in, its own first (see :meth:`in_population`)."""
        own = self.populations.of(analysis).rule if self.populations is not None else ALL_SUBJECTS
        return rule_options(self.subjects, own)

    def endpoints_of(self, kind: str | None = None, role: str | None = None) -> list[str]:
        """Endpoint ids of a kind (continuous, categorical, binary) and/or a role (efficacy, safety)."""
        p = self.parameters
        keep = np.ones(len(p), bool)
        if kind is not None:
            keep &= (p["kind"] == kind).to_numpy()
        if role is not None:
            keep &= (p["role"] == role).to_numpy()
        return p.loc[keep, "endpoint"].tolist()

    def n_per_arm(self) -> dict:
        return self.subjects.groupby("arm", sort=False).size().to_dict()


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
    notes += [n for t, r in zip(tables, roles) for n in r.guessed(t.name)]
    subjects, chosen = read_subjects(table, rec, mapping, dictionary, notes)
    arms, control = arm_order(subjects, mapping, chosen["arm_codes"], table.name, notes)
    known = pd.Index(subjects["usubjid"])
    populations = chosen["populations"]
    armed = set(subjects.loc[subjects["arm"].isin(arms), "usubjid"])
    efficacy, safety = populations.efficacy.members & armed, populations.safety.members & armed
    arm_of = dict(zip(subjects["usubjid"], subjects["arm"]))
    actual_of = dict(zip(subjects["usubjid"], subjects["arm_actual"]))  # the safety analyses' arm
    files = pd.DataFrame({"file": [t.name for t in tables], "role": [r.role for r in roles],
                          "format": [t.format for t in tables], "standard": ["ADaM" if r.adam else "long"
                                                                             for r in roles],
                          "rows": [len(t.frame) for t in tables],
                          "analysis flags": [", ".join(r.analysis_flags) for r in roles]})
    bds = [(t, r) for t, r in zip(tables, roles) if r.role == "measurements"]
    records, parameters = _records(bds, known, (efficacy, safety), dictionary, mapping, notes, (arm_of, actual_of))
    measurements, unscheduled, duplicates, visits, baseline = _by_visit(records, mapping, notes)
    adverse = _events(tables, roles, known, safety, actual_of, notes)
    tte = [read_time_to_event(t, r, known, notes) for t, r in zip(tables, roles) if r.role == "time_to_event"]
    # every analysis population's records: an ADTTE parameter may be an efficacy or a safety analysis
    time_to_event = _only_population(pd.concat(tte, ignore_index=True) if tte else pd.DataFrame(columns=TTE_COLUMNS),
                                     populations.union & armed, "time-to-event records", notes, "analysis")
    time_to_event = time_to_event.assign(arm=time_to_event["usubjid"].astype(object).map(arm_of))[TTE_COLUMNS]
    if not bds and not ae_or_tte(roles):
        raise ValueError("no data file beside the subject file: give BDS datasets (USUBJID, PARAMCD, AVAL, AVISIT), "
                         "adverse events (ADAE) or time-to-event data (ADTTE)")
    subjects = subjects[subjects["usubjid"].isin(populations.union & armed)].drop(columns="_in_population")
    subjects = add_baseline_measures(subjects, measurements, parameters, chosen["labels"], notes)
    resolved = replace(mapping, arm_variable=chosen["arm_variable"],
                       safety_arm_variable=chosen["safety_arm_variable"], control=control, baseline_visit=baseline,
                       **{f"{a}_population": populations.of(a).rule for a in ("efficacy", "safety", "baseline")})
    rules = _record_rules(notes)
    return PatientData(
        subjects=subjects.reset_index(drop=True), measurements=measurements, adverse_events=adverse[AE_COLUMNS].reset_index(drop=True),
        files=files, notes=tuple(notes), visits=visits, arms=arms, mapping=resolved, key=_digest(tables, resolved),
        population=populations.safety.rule, labels=chosen["labels"], arm_columns=tuple(chosen["arm_columns"]),
        time_to_event=time_to_event.reset_index(drop=True), unscheduled=unscheduled, duplicates=duplicates,
        records=rules, populations=populations, parameters=parameters)


def _record_rules(notes) -> str:
    """The rule of each BDS file in words, files with the same rule together: ``ADQS, ADCIBC: records flagged
    ANL01FL = 'Y'; ADLB: observed records``."""
    by_rule: dict = {}
    for note in notes:
        if ": analysis records: " in note:
            name, rule = note.split(": analysis records: ", 1)
            dataset = name.rsplit(".", 1)[0].upper()
            by_rule.setdefault(rule.split(" (")[0].split(";")[0], []).append(dataset)
    if len(by_rule) == 1:
        return next(iter(by_rule))
    return "; ".join(f"{', '.join(names)}: {rule}" for rule, names in by_rule.items())


def ae_or_tte(roles) -> bool:
    return any(r.role in ("adverse_events", "time_to_event") for r in roles)


def _records(bds, known, populations: tuple, dictionary: Dictionary, mapping: Mapping, notes: list, arms: tuple):
    """Every BDS file's analysis records, endpoints named, each in its analysis's population and arm (efficacy
    endpoints in the efficacy population by the arm randomised to, the others in the safety population by the
    treatment received: *arms* is the pair of subject → arm maps), and the parameter table."""
    if not bds:
        if mapping.records:
            notes.append(f"no BDS dataset: the record choice {mapping.records!r} has nothing to apply to")
        return None, pd.DataFrame(columns=PARAMETER_COLUMNS)
    frames = []
    for table, rec in bds:
        frames.append(read_records(table, rec, known, dictionary, mapping, notes))
        table.release()
    records = pd.concat(frames, ignore_index=True)
    name_endpoints(records, dictionary, mapping)
    parameters = parameter_table(records, mapping, notes)
    records = records.drop(columns=["endpoint_raw", "label_raw", "unit_raw", "timepoint"])
    efficacy = records["endpoint"].isin(parameters.loc[parameters["role"] == "efficacy", "endpoint"]).to_numpy()
    ids = records["usubjid"]
    inside = np.where(efficacy, ids.isin(populations[0]).to_numpy(), ids.isin(populations[1]).to_numpy())
    for rows, analysis in ((efficacy, "efficacy"), (~efficacy, "safety")):
        left = int((rows & ~inside).sum())
        if left:
            notes.append(f"{left} {analysis} records of subjects outside the {analysis} population left out")
    if not inside.all():  # one filter: no copies to concatenate
        records, efficacy = records[inside], efficacy[inside]
    return records.assign(arm=_arms(records["usubjid"], efficacy, arms)), parameters


def _empty_records() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("value", "visit_order", "anrlo", "anrhi", "day") else object)
                         for c in MEASUREMENT_COLUMNS})


#: Numeric columns a file may not have (reference ranges, study day): with no value they are held as float32
#: missing values, half of float64's 8 bytes a row (48 MB of a 4-million-row upload's 211 MB).
ABSENT_AS_FLOAT32 = ("anrlo", "anrhi", "day")


def _by_visit(records, mapping: Mapping, notes: list):
    """By-visit records, the unscheduled and the duplicated ones, the visits in order and the baseline visit."""
    if records is None or records.empty:
        if records is not None:
            notes.append("no measurement of a subject of the analysis population")
        visits = pd.DataFrame({"visit": pd.Series(dtype=object), "visit_order": pd.Series(dtype=float),
                               "baseline": pd.Series(dtype=bool)})
        return _empty_records(), _empty_records(), _empty_records(), visits, ""
    scheduled, unscheduled = place_visits(records, notes)
    scheduled, duplicates = split_duplicates(scheduled, notes)
    measurements = _categorical(scheduled.reset_index(drop=True),
                                ["usubjid", "endpoint", "visit", "label", "unit", "dataset", "_file"])
    if measurements.empty:
        raise ValueError("no measurement at a scheduled visit: every record has a blank or unscheduled visit")
    measurements["_seq"] = np.arange(len(measurements))
    visits, baseline = order_visits(measurements, mapping.baseline_visit, notes)
    visits = mark_extreme_visits(visits, measurements, notes)
    if measurements["baseline"].isna().all():
        measurements["baseline"] = measurements["visit"] == baseline
    measurements["baseline"] = (measurements["baseline"] == True).to_numpy()  # noqa: E712  (blank: not baseline)
    order = dict(zip(visits["visit"], visits["visit_order"]))
    measurements["visit_order"] = measurements["visit"].map(order).astype(float)
    frames = []
    for frame in (measurements, unscheduled, duplicates):
        frame = frame.assign(arm=compact.without_unused(frame["arm"]),
                             **{c: frame[c].astype(np.float32) for c in ABSENT_AS_FLOAT32 if frame[c].isna().all()})
        if "baseline" in frame:
            frame["baseline"] = (frame["baseline"] == True).to_numpy()  # noqa: E712
        frames.append(frame[MEASUREMENT_COLUMNS].reset_index(drop=True))
    return frames[0], frames[1], frames[2], visits, baseline


def _arms(ids: pd.Series, efficacy: np.ndarray, arms: tuple) -> pd.Series:
    """Each row's arm as a categorical: by the arm randomised to on efficacy rows, the treatment received on the
    others (*arms*: the two subject → arm maps).  Looked up once per subject, not once per row as text."""
    if not isinstance(ids.dtype, pd.CategoricalDtype):
        by_rule = [ids.astype(object).map(arm_of) for arm_of in arms]
        return pd.Series(np.where(efficacy, *by_rule), index=ids.index).astype("category")
    codes = ids.cat.codes.to_numpy()
    subjects = pd.Series(ids.cat.categories.astype(object))
    per_subject = [subjects.map(arm_of) for arm_of in arms]
    categories = pd.Index(sorted(set(per_subject[0].dropna()) | set(per_subject[1].dropna())), dtype="str")
    lookups = [np.append(categories.get_indexer(arm), -1).astype(np.int8 if len(categories) < 127 else np.int32)
               for arm in per_subject]  # a missing id (code -1) or subject without arm: no arm (-1)
    arm = lookups[1][codes]
    arm[efficacy] = lookups[0][codes[efficacy]]
    return compact.without_unused(pd.Series(pd.Categorical.from_codes(arm, categories=categories), index=ids.index))


def _events(tables, roles, known, safety, arm_of: dict, notes: list) -> pd.DataFrame:
    parts = [read_adverse_events(t, r, known, notes) for t, r in zip(tables, roles) if r.role == "adverse_events"]
    adverse = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame({c: pd.Series(dtype=object) for c in AE_COLUMNS}))
    adverse = _only_population(_categorical(adverse, ["usubjid"]), safety, "adverse events", notes, "safety")
    return adverse.assign(arm=adverse["usubjid"].astype(object).map(arm_of).astype(object))


def _categorical(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Key text columns as categoricals: grouping and matching 10⁵–10⁶ rows then work on integer codes."""
    return frame.assign(**{c: frame[c].astype("category") for c in columns if c in frame})


def _only_population(frame: pd.DataFrame, members, what: str, notes: list, analysis: str) -> pd.DataFrame:
    inside = frame["usubjid"].isin(members).to_numpy()
    if not inside.all():
        notes.append(f"{int((~inside).sum())} {what} of subjects outside the {analysis} population left out")
    return frame[inside]


def _digest(tables, mapping: Mapping) -> str:
    digest = hashlib.sha256()
    for table in tables:
        digest.update(table.name.encode())
        digest.update(hashlib.sha256(table.digest_bytes).digest())
    digest.update(repr(sorted(mapping.to_dict().items())).encode())
    return digest.hexdigest()[:16]
