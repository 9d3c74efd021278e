"""From patient frames to a :class:`~cratus.study.model.Study` (``kind="patient"``): :func:`to_study`.

The study is computed, not read: the design from the arms and visits of the
data; the summary in the tidy shape of ``data/summary.csv`` (participants,
Table 1 baseline characteristics, and per endpoint × arm × visit ``n, mean,
sd, median, q1, q3``; quartiles by linear interpolation, numpy's default);
p-values of the tests the pages show (:func:`cratus.patient.stats.first_tests`:
within an arm the paired t-test, against the control the Welch t-test; where
they give none it stays "not computable", no other test takes its place); every test (Wilcoxon,
Mann–Whitney, ANCOVA too) is computed per endpoint where it is shown
(:func:`cratus.patient.display.tests_table`), so a filter change at 10,000
subjects does not wait for 240 rank tests and model fits;
adverse events in the shape of ``data/adverse_events.csv`` with the totals
row.  Every computed row has ``source`` starting with "computed".

The numbers come from :mod:`cratus.patient.describe`, the adverse-event table, the endpoint dictionary and
the figure pages from :mod:`cratus.patient.endpoint_pages`, Table 1's variables from
:mod:`cratus.patient.characteristics`, categorical parameters from :mod:`cratus.patient.categories`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd

from cratus.study.design import TOTAL, make_design
from cratus.patient import categories
from cratus.patient import stats as patient_stats
from cratus.patient.mapping import Dictionary, Mapping, choose_control, normalise, slug
from cratus.patient.characteristics import (MAX_LEVELS, characteristic_name, level_text, ordered_levels,
                                           subject_variables)
# _describe and LAB_FIGURE_PAGE_TITLE are read from here by tests and the Laboratory page
from cratus.patient.describe import SOURCE, SUMMARY_COLUMNS, _describe, _printed_cells, _with_totals  # noqa: F401
from cratus.patient.endpoint_pages import (LAB_FIGURE_PAGE_TITLE, _adverse_events, _endpoint_rows,  # noqa: F401
                                           _figure_pages, _with_population)
from cratus.study.model import NOTE_COLUMNS, PARTICIPANTS, Study

P_COLUMNS = ["endpoint", "arm", "comparison", "visit", "p_value", "relation", "source", "quote", "printed", "method"]



def _id_map(names, reference_items) -> dict:
    """Data names → (id, label, short, extras) from the reference when every name matches one of its items."""
    lookup = {}
    for item in reference_items:
        for text in item[1:3] + (item[0],):
            lookup.setdefault(normalise(text), item)
    if reference_items and all(normalise(n) in lookup for n in names):
        return {n: lookup[normalise(n)] for n in names}
    used, out = set(), {}
    for n in names:
        base = slug(n)
        key, i = base, 2
        while key in used:
            key, i = f"{base}_{i}", i + 1
        used.add(key)
        out[n] = (key, str(n), str(n))
    return out


def _design(data, reference):
    ref_arms = [(a.id, a.label, a.short) for a in reference.design.arms] if reference is not None else []
    arms = _id_map(data.arms, ref_arms)
    ref_visits = [(v.id, v.label, v.label, v.role) for v in reference.design.visits] if reference is not None else []
    visits = _id_map(list(data.visits["visit"]), ref_visits)
    arm_rows = [{"id": arms[a][0], "label": arms[a][1], "short": arms[a][2], "control": a == data.control}
                for a in data.arms]
    if reference is not None and all(r["id"] in reference.design.arm_ids for r in arm_rows):
        arm_order = {a: i for i, a in enumerate(reference.design.arm_ids)}
        arm_rows.sort(key=lambda r: arm_order[r["id"]])
    matched = reference is not None and all(len(v) > 3 for v in visits.values())
    order = {v.id: i for i, v in enumerate(reference.design.visits)} if matched else None
    visit_rows = [] if len(data.visits) else [{"id": "baseline", "label": "Baseline", "role": "baseline"}]
    for visit, is_base in zip(data.visits["visit"], data.visits["baseline"]):
        ident, label = visits[visit][0], visits[visit][1]
        role = "baseline" if is_base else (visits[visit][3] if len(visits[visit]) > 3 else "")
        visit_rows.append({"id": ident, "label": label, "role": "" if role == "baseline" and not is_base else role})
    if order is not None:
        visit_rows.sort(key=lambda r: order.get(r["id"], len(order)))
    return make_design(arm_rows, visit_rows), {a: v[0] for a, v in arms.items()}, {k: v[0] for k, v in visits.items()}


def _with_ids(data, arm_ids: dict, visit_ids: dict, control: str):
    """A copy of the patient data with arms and visits written as the study's ids (their names kept for
    :func:`as_read`)."""
    names = ({i: a for a, i in arm_ids.items()}, {i: v for v, i in visit_ids.items()})
    return replace(_renamed(data, arm_ids, visit_ids, control), read_as=names)


def _other_frames(data, arm_names: dict, visit_names: dict) -> dict:
    """Time-to-event, unscheduled and duplicated records with arms (and scheduled visits) renamed."""
    out = {}
    for name in ("time_to_event", "unscheduled", "duplicates"):
        frame = getattr(data, name)
        frame = frame.assign(arm=frame["arm"].astype(object).map(arm_names))
        if name != "time_to_event":
            frame = frame.assign(visit=frame["visit"].astype(object).map(lambda v: visit_names.get(v, v)))
        out[name] = frame
    return out


def as_read(data):
    """The frames of a patient study (``study.patients``, or a subset of them) with arms and visits named as
    their files name them: what :func:`to_study` takes (it writes the study's ids again), so a subgroup of a
    study's patients is summarised exactly as if it had been read that way."""
    arm_names, visit_names = data.read_as
    return replace(_renamed(data, arm_names, visit_names, data.control), read_as=None)


def _renamed(data, arms: dict, visits: dict, control: str):
    """*data* with arms and visits renamed (*arms*, *visits*: old name → new), its control arm and baseline too;
    the time-to-event, unscheduled and duplicated records' arms (and visits) too."""
    m = data.measurements.assign(arm=data.measurements["arm"].map(arms), visit=data.measurements["visit"].map(visits))
    ae = data.adverse_events.assign(arm=data.adverse_events["arm"].map(arms))
    subjects = data.subjects.assign(arm=data.subjects["arm"].map(arms))
    if "arm_actual" in subjects:
        subjects["arm_actual"] = subjects["arm_actual"].map(arms)
    frame = data.visits.assign(visit=data.visits["visit"].map(visits))
    mapping = replace(data.mapping, control=arms[control], baseline_visit=visits.get(data.baseline_visit, ""))
    return replace(data, measurements=m, adverse_events=ae, subjects=subjects, visits=frame,
                   arms=tuple(arms[a] for a in data.arms), mapping=mapping, **_other_frames(data, arms, visits))



def _characteristics(subjects: pd.DataFrame, dictionary: Dictionary, notes: list) -> list[tuple]:
    """``(column, endpoint id, kind)`` of the subject columns summarised as baseline characteristics: the
    default ones of :func:`cratus.patient.characteristics.subject_variables` (subject columns are named by
    their dictionary id when the reader matched one)."""
    out = []
    for variable in subject_variables(subjects):
        if not variable.default:
            continue
        kind = variable.kind
        if kind == "continuous" and dictionary.info(variable.column).get("summary") == "n_percent":
            kind = "categorical" if subjects[variable.column].nunique() <= MAX_LEVELS else kind
        out.append((variable.column, variable.column, kind))
    for column in subjects.columns:
        series = subjects[column]
        if (column not in ("usubjid", "arm") and characteristic_name(column) and series.nunique() > MAX_LEVELS
                and not pd.api.types.is_numeric_dtype(series)):
            notes.append(f"subject column {column!r} has {series.nunique()} distinct values; not summarised")
    return out


def characteristic_columns(subjects: pd.DataFrame, dictionary: Dictionary | None = None) -> list[tuple]:
    """``(column, endpoint id, kind)`` of the subject columns :func:`to_study` summarises as characteristics."""
    return _characteristics(subjects, dictionary or Dictionary.default(), [])


def _level_ids(texts: list[str], ref: pd.DataFrame) -> list[str]:
    """An id per level text: the reference level whose id or label is the same text (ignoring case and
    surrounding spaces), else a slug made unique, so that ``"<12"`` and ``">=12"`` stay two levels."""
    key = lambda text: str(text).strip().casefold()  # noqa: E731
    by_text = {key(t): lvl for lvl, t in zip(ref["level"], ref["label"])}
    by_text.update({key(lvl): lvl for lvl in ref["level"]})
    used, out = set(ref["level"]), []
    for text in texts:
        found = by_text.get(key(text))
        if found is None:
            base = slug(text) if slug(text) != "unnamed" or not text else f"level_{len(out) + 1}"
            found, i = base, 2
            while found in used:
                found, i = f"{base}_{i}", i + 1
        used.add(found)
        out.append(found)
    return out


def _subject_summary(subjects: pd.DataFrame, design, dictionary: Dictionary, notes: list, same_trial: bool = True):
    rows, levels, chosen = [], [], _characteristics(subjects, dictionary, notes)
    n = subjects.groupby("arm").size()
    rows.append(pd.DataFrame({"endpoint": PARTICIPANTS, "level": "", "arm": list(n.index) + [TOTAL],
                              "statistic": "n", "value": list(n.to_numpy(float)) + [float(n.sum())]}))
    known_levels = dictionary.levels if same_trial else dictionary.levels.iloc[0:0]
    for column, endpoint, kind in chosen:
        if kind == "continuous":
            rows.append(_with_totals(subjects, [], column).assign(endpoint=endpoint, level=""))
            continue
        present = subjects[column].dropna()
        texts = ordered_levels(subjects, column)
        ref = known_levels[known_levels["endpoint"] == endpoint]
        names = _level_ids(texts, ref)
        level = present.map(level_text).map(dict(zip(texts, names)))
        counts = pd.crosstab(level, subjects.loc[present.index, "arm"])
        # The reference's levels absent from the data are shown (as 0) only when the data use its coding.
        coded = len(ref) and set(names) <= set(ref["level"])
        order = [*ref["level"], *[lv for lv in names if lv not in set(ref["level"])]] if coded else \
            [*[lv for lv in ref["level"] if lv in set(names)], *[lv for lv in names if lv not in set(ref["level"])]]
        counts = counts.reindex(order, fill_value=0)
        counts = counts.reindex(columns=list(design.arm_ids), fill_value=0)
        counts[TOTAL] = counts.sum(axis=1)
        arm_n = {**n.to_dict(), TOTAL: float(n.sum())}
        long = counts.reset_index(names="level").melt(id_vars="level", var_name="arm", value_name="count")
        long["percent"] = 100 * long["count"] / long["arm"].map(arm_n)
        rows.append(long.melt(id_vars=["level", "arm"], var_name="statistic", value_name="value")
                    .assign(endpoint=endpoint))
        labels = {**dict(zip(names, texts)), **dict(zip(ref["level"], ref["label"]))}
        levels += [{"endpoint": endpoint, "level": lvl, "label": labels[lvl]} for lvl in order]
    summary = pd.concat(rows, ignore_index=True).assign(visit=design.baseline)
    return summary, pd.DataFrame(levels, columns=["endpoint", "level", "label"]), chosen


def _summary(data, design, dictionary: Dictionary, notes: list, same_trial: bool = True):
    subjects, levels, chosen = _subject_summary(data.in_population("baseline"), design, dictionary, notes,
                                                same_trial)
    counted = categories.category_rows(data)  # categorical and binary parameters: counts, not means
    m = data.measurements
    measured = _with_totals(m[~m["endpoint"].isin(counted[1]["endpoint"]).to_numpy()], ["endpoint", "visit"])
    parts = [subjects, measured.assign(level="")] + ([counted[0]] if len(counted[0]) else [])
    summary = pd.concat(parts, ignore_index=True)
    levels = pd.concat([levels, counted[1]], ignore_index=True) if len(counted[1]) else levels
    summary["source"], summary["quote"] = SOURCE, ""
    summary["printed"] = _printed_cells(summary)
    return summary[SUMMARY_COLUMNS[:-1] + ["printed"]], levels, chosen


# --- p-values ------------------------------------------------------------------------------------
def _p_text(p: float) -> tuple[str, str]:
    if p < 0.0001:
        return "<", "0.0001"
    return "=", f"{p:.3f}" if p >= 0.001 else f"{p:.4f}"


def _p_values(data) -> pd.DataFrame:
    """The p-values of the efficacy endpoints (the multiplicity family and the bottom line): t-tests of the
    continuous ones, tests of proportions or ordered categories of the others (:mod:`cratus.patient.categories`)."""
    efficacy = set(data.endpoints_of(role="efficacy")) if len(data.parameters) else None
    counted = set(data.endpoints_of(kind="categorical")) | set(data.endpoints_of(kind="binary"))
    m = data.measurements
    keep = ~m["endpoint"].isin(counted).to_numpy()
    if efficacy is not None:
        keep &= m["endpoint"].isin(efficacy).to_numpy()
    within, between = patient_stats.first_tests(replace(data, measurements=m[keep]))
    rows = list(categories.category_p_values(data, sorted(counted & efficacy if efficacy is not None else counted))
                .itertuples(index=False, name=None))
    for r in within.itertuples(index=False):
        what = "paired t-test" if r.test == patient_stats.PAIRED_T else "Wilcoxon signed-rank test"
        rows.append((r.endpoint, r.arm, "within_arm", r.visit, r.p_value, f"computed: {what} (n = {r.n} pairs)",
                     r.test))
    for r in between.itertuples(index=False):
        what = {patient_stats.WELCH: "Welch t-test of change from baseline vs control",
                patient_stats.MANN_WHITNEY: "Mann–Whitney U test of change from baseline vs control",
                patient_stats.ANCOVA: "ANCOVA of change adjusted for baseline vs control"}[r.test]
        rows.append((r.endpoint, r.arm, "vs_control", r.visit, r.p_value,
                     f"computed: {what} (n = {r.n} and {r.n_control})", r.test))
    frame = pd.DataFrame(rows, columns=["endpoint", "arm", "comparison", "visit", "p_value", "source", "method"])
    frame = frame.dropna(subset=["p_value"]).reset_index(drop=True)
    texts = [_p_text(p) for p in frame["p_value"]]
    frame["relation"] = [t[0] for t in texts]
    frame["printed"] = [t[1] for t in texts]
    frame["quote"] = ""
    return frame[P_COLUMNS]



# --- the study -----------------------------------------------------------------------------------
def _trial(data, design, n_total: int) -> pd.DataFrame:
    files = ", ".join(data.files["file"])
    arms = "; ".join(f"{design.label(a)} (n = {n})" for a, n in data.n_per_arm().items())
    population = (data.populations.sentence() if data.populations is not None else
                  "all subjects" if data.population == "all" else f"subjects with {data.population} = 'Y'")
    facts = [("title", f"Patient-level data ({files})"), ("arms", arms), ("participants", f"{n_total} subjects"),
             ("population", population), ("files", files),
             ("analysis", "Summaries and tests computed from patient-level data; no adjustment for multiple "
                          "comparisons"),
             ("assumptions", " | ".join(data.notes))]
    return pd.DataFrame([(k, v, SOURCE, "") for k, v in facts], columns=["key", "value", "source", "quote"])


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def to_study(patient_data, mapping: Mapping | dict | None = None, reference: Study | None = None,
             dictionary: Dictionary | None = None) -> Study:
    """Summarise patient data as a :class:`~cratus.study.model.Study` of kind ``"patient"``.

    Parameters
    ----------
    patient_data : PatientData
        From :func:`cratus.patient.read_patient_data`.
    mapping : Mapping or dict, optional
        Its ``control`` and ``endpoints`` renames apply here; the other
        fields act when reading (pass them to ``read_patient_data``).
    reference : Study, optional
        A published study (e.g. :func:`cratus.study.model.load_study`): arms,
        visits and endpoints that match it take its ids, labels, figure pages
        and panels.
    dictionary : Dictionary, optional
        Endpoint dictionary for characteristics (default ``data/``).

    Returns
    -------
    Study
        With the patient frames (arms and visits as ids) in ``patients`` and
        the reader's caveats in ``caveats``.

    Examples
    --------
    >>> from cratus.patient import read_patient_data
    >>> subjects = b"usubjid,arm\\n1,Drug\\n2,Drug\\n3,Placebo\\n4,Placebo\\n"
    >>> values = b"usubjid,visit,endpoint,value\\n" + b"".join(
    ...     f"{s},{v},score,{s * 2 + k * s}\\n".encode() for s in (1, 2, 3, 4) for k, v in enumerate(("Day 1", "Day 8")))
    >>> study = to_study(read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"]))
    >>> study.design.arm_ids, study.design.visit_ids, study.n_per_arm()["total"]
    (('drug', 'placebo'), ('day_1', 'day_8'), 4.0)
    >>> sorted(set(study.p_values["comparison"]))
    ['vs_control', 'within_arm']
    """
    mapping = mapping if isinstance(mapping, Mapping) or mapping is None else Mapping.from_dict(mapping)
    data = _apply_mapping(patient_data, mapping)
    dictionary = dictionary or Dictionary.default()
    design, arm_ids, visit_ids = _design(data, reference)
    data = _with_ids(data, arm_ids, visit_ids, data.control)
    notes = list(data.notes)
    # The reference's wording (labels, levels) applies only to its own trial's data: every arm matched one of it.
    same_trial = reference is not None and set(design.arm_ids) <= set(reference.design.arm_ids)
    summary, levels, chosen = _summary(data, design, dictionary, notes, same_trial)
    terms, totals = _adverse_events(data, design, notes)
    summary = pd.concat([summary, totals], ignore_index=True) if len(totals) else summary
    endpoints = _endpoint_rows(data, chosen, dictionary, reference, not data.adverse_events.empty, same_trial)
    figures = _with_population(_figure_pages(endpoints, reference if same_trial else None), endpoints, data)
    endpoints = endpoints.drop(columns=["_dataset", "_kind"])
    trial = _trial(data, design, len(data.subjects))
    title = pd.DataFrame([("overview", "title", "title", trial.at[0, "value"])], columns=NOTE_COLUMNS)
    key = hashlib.sha256("|".join([data.key, repr(sorted((mapping or Mapping()).to_dict().items())),
                                   reference.key if reference is not None else ""]).encode()).hexdigest()[:16]
    return Study(design=design, summary=summary.reset_index(drop=True), p_values=_p_values(data),
                 endpoints=endpoints, adverse_events=terms, discrepancies=_empty(
                     ["id", "endpoint", "arm", "visit", "statistic", "kind", "version_a", "location_a", "version_b",
                      "location_b", "shown", "reason"]),
                 hospitalizations=_empty(["arm", "patient", "severity", "hospitalizations", "related_to_procedure",
                                          "source", "quote"]),
                 long_term_events=_empty(["event", "arm", "timing", "day", "related_to_treatment", "source",
                                          "quote"]),
                 levels=levels, trial=trial, figures=figures, notes=title, key=key, kind="patient",
                 name=trial.at[0, "value"], patients=data, caveats=tuple(notes))


def _apply_mapping(data, mapping: Mapping | None):
    if mapping is None:
        return data
    if mapping.control and normalise(mapping.control) != normalise(data.control):
        control = choose_control(data.arms, mapping.control)
        arms = tuple(a for a in data.arms if a != control) + (control,)
        data = replace(data, arms=arms, mapping=replace(data.mapping, control=control))
    if mapping.endpoints:
        renames = {a: b for a, b in mapping.endpoints}
        renamed = data.measurements["endpoint"].map(lambda e: renames.get(e, e)).astype("category")
        m = data.measurements.assign(endpoint=renamed)
        data = replace(data, measurements=m, mapping=replace(data.mapping, endpoints=mapping.endpoints))
    return data
