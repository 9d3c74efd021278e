"""A seeded synthetic patient-level dataset shaped like a published study, and how well it matches.

:func:`make_synthetic` generates one subject per participant of the
published study (``load_study()`` by default; everything is read from its
files at run time, nothing about a trial is written here):

* subject characteristics (dictionary domain ``demographics``): categorical
  ones with exactly the printed counts per arm; continuous ones by the rule
  below;
* every other endpoint with printed means or medians, at baseline and the
  primary follow-up visit, in one BDS dataset per domain; an endpoint with a
  ``subgroup`` such as ``sex=female`` only for those subjects;
* laboratory tests ALT, AST and total bilirubin with reference ranges
  (typical adult ranges, :data:`LAB_TESTS`) at every visit of the design
  (``ANRIND`` per record, ``BNRIND`` from the baseline record): baseline and
  the primary follow-up as the other endpoints, every other visit drawn
  around the subject's baseline (ρ = :data:`CORRELATION`, from a stream of
  its own so the other endpoints and adverse events stay as they were);
  one subject meets Hy's law: ALT ≥ 3×ULN and total bilirubin ≥ 2×ULN *at
  the same visit* (the primary follow-up, :data:`HYS_LAW`), receding at the
  later visits (:data:`HYS_LAW_AFTER`), normal at baseline;
* adverse events: the published terms per arm, spread over exactly the
  printed number of patients per arm.

Values where the paper prints mean ± SD are normal draws standardised and
rescaled to that mean and SD exactly (baseline and follow-up draws correlated,
ρ = :data:`CORRELATION`); where it prints median (Q1, Q3), the order
statistics that numpy's linear quartiles interpolate are set to the printed
values and the others drawn between them (:mod:`cratus.patient.exact`); of
:data:`CANDIDATES` such samples, the one whose pooled quartiles come closest
to a printed total is kept.  Arm means and SDs are moved within their
printed rounding when that lets the pooled total round to the printed one.
Categorical outcomes after baseline (counts per level at follow-up) are not
generated.  Where nothing is printed, the arm's
baseline, else the total, else the other arms' values are used (plausible,
not published).  :func:`fidelity_table` compares every published cell.

Examples
--------
>>> data = make_synthetic(seed=1)
>>> len(data.subjects), sorted(data.files["role"])
(30, ['adverse_events', 'measurements', 'subjects'])
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cratus.study.design import TOTAL
from cratus.formatting import decimals_of
from cratus.patient.exact import best_pooled, draws, quartile_candidates, tune_to_totals
from cratus.patient.mapping import Dictionary, slug
from cratus.patient.model import read_patient_data
from cratus.study.provenance import select_figure_rows
from cratus.study.model import ADVERSE_EVENT_TOTALS, PARTICIPANTS, load_study

#: Correlation of each subject's baseline and follow-up draws.
CORRELATION = 0.7
#: Candidate samples per arm when a median (IQR) total is printed (the closest pooled quartiles are kept).
CANDIDATES = 4000
#: CDISC lab test code → (name, unit, lower and upper limit of normal): typical adult reference ranges.
LAB_TESTS = {"ALT": ("Alanine Aminotransferase", "U/L", 7.0, 40.0),
             "AST": ("Aspartate Aminotransferase", "U/L", 8.0, 40.0),
             "BILI": ("Total Bilirubin", "mg/dL", 0.1, 1.2)}
#: Plausible value (as multiples of the upper limit) of a lab test that the published study does not print.
LAB_DEFAULT = (0.5, 0.15)
#: The Hy's-law subject's values at the primary follow-up, as multiples of the upper limit of normal.
HYS_LAW = {"ALT": 3.5, "AST": 3.2, "BILI": 2.4}
#: … and at the visits after it (resolving): still above the upper limit, below the Hy's-law thresholds.
HYS_LAW_AFTER = {"ALT": 1.6, "AST": 1.4, "BILI": 1.1}
#: CDISC names of subject characteristics (others get their dictionary id in upper case).
ADSL_NAMES = {"age": "AGE", "sex": "SEX", "race": "RACE", "ethnicity": "ETHNIC"}
DOMAIN_DATASETS = {"laboratory": "ADLB"}
STUDYID = "SYNTHETIC"


# --- targets from the published summary ----------------------------------------------------------
NEEDED = {"mean_sd": ("mean", "sd"), "median_iqr": ("median", "q1", "q3")}


def _targets(summary: pd.DataFrame) -> dict:
    """``(endpoint, arm, visit) → {statistic: value}`` of the preferred printed copy of each number."""
    rows = select_figure_rows(summary[summary["level"].fillna("") == ""])
    return {k: dict(zip(g["statistic"], g["value"])) for k, g in rows.groupby(["endpoint", "arm", "visit"])}


def _target(targets: dict, endpoint: str, arm: str, visit: str, baseline: str, arms, kind: str) -> dict | None:
    """The printed statistics of a cell, else the first complete fallback (see the module docstring)."""
    needed = NEEDED[kind]

    def complete(key):
        found = targets.get(key, {})
        return found if all(s in found for s in needed) else None

    if complete((endpoint, arm, visit)):
        return complete((endpoint, arm, visit))
    for key in ((endpoint, arm, baseline), (endpoint, TOTAL, visit), (endpoint, TOTAL, baseline)):
        if complete(key):
            return {**complete(key), "fallback": True}
    for v in (visit, baseline):
        others = [complete((endpoint, a, v)) for a in arms if complete((endpoint, a, v))]
        if others:
            return {**{s: float(np.mean([o[s] for o in others])) for s in needed}, "fallback": True}
    return None


# --- the generator -------------------------------------------------------------------------------
def _subjects(rng, study, dictionary: Dictionary, targets: dict):
    """Subjects with their characteristics (display labels) and, in parallel, their level ids."""
    design = study.design
    sizes = {a: int(study.n_per_arm().get(a, 0)) for a in design.arm_ids}
    arms = [a for a in design.arm_ids for _ in range(sizes[a])]
    frame = pd.DataFrame({"usubjid": [f"{STUDYID[:3]}-{i + 1:03d}" for i in range(len(arms))], "arm": arms})
    levels = pd.DataFrame({"usubjid": frame["usubjid"]})
    counts = select_figure_rows(study.summary[(study.summary["statistic"] == "count")
                                              & (study.summary["visit"] == design.baseline)])
    d = study.endpoints
    for endpoint, kind in zip(d["endpoint"], d["summary"]):
        if endpoint == PARTICIPANTS or d.loc[d["endpoint"] == endpoint, "domain"].iloc[0] != "demographics":
            continue
        if kind == "n_percent":
            labels = dict(zip(*study.levels[study.levels["endpoint"] == endpoint][["level", "label"]].to_numpy().T)) \
                if (study.levels["endpoint"] == endpoint).any() else {}
            rows = counts[counts["endpoint"] == endpoint]
            if rows.empty or not labels:
                continue
            column = pd.Series(index=frame.index, dtype=object)
            for arm in design.arm_ids:
                members = frame.index[frame["arm"] == arm]
                have = rows[rows["arm"] == arm]
                drawn = [lvl for lvl, c in zip(have["level"], have["value"]) for _ in range(int(c))]
                modal = have.sort_values("value")["level"].iloc[-1] if len(have) else next(iter(labels))
                drawn = (drawn + [modal] * len(members))[:len(members)]
                column[members] = rng.permutation(np.array(drawn, dtype=object))
            levels[endpoint] = column
            frame[endpoint] = column.map(labels)
        elif kind in NEEDED:
            column = pd.Series(index=frame.index, dtype=float)
            for arm in design.arm_ids:
                members = frame.index[frame["arm"] == arm]
                target = _target(targets, endpoint, arm, design.baseline, design.baseline, design.arm_ids, kind)
                if target is None or len(members) < 2:
                    continue
                column[members] = draws(rng, len(members), target, kind, rng.standard_normal(len(members)), 0.0)
            if column.notna().any():
                frame[endpoint] = column.round(4)
    return frame, levels


def _members(subjects: pd.DataFrame, levels: pd.DataFrame, arm: str, subgroup: str) -> pd.Index:
    mask = subjects["arm"] == arm
    if subgroup and "=" in subgroup:
        column, level = (s.strip() for s in subgroup.split("=", 1))
        if column in levels:
            mask &= levels[column] == level
    return subjects.index[mask]


def _drift(rng, target: dict, kind: str) -> dict:
    """A not-printed follow-up cell: the fallback shifted by a small random change (±0.15 SD or IQR)."""
    if kind == "median_iqr":
        shift = 0.15 * (target["q3"] - target["q1"]) * rng.standard_normal()
        moved = {s: target[s] + shift for s in ("q1", "median", "q3")}
        return moved if min(moved.values()) >= 0 or min(target[s] for s in moved) < 0 else target
    return {**target, "mean": target["mean"] + 0.15 * target["sd"] * rng.standard_normal()}


def _series(rng, subjects, levels, study, targets, endpoint: str, kind: str, subgroup: str, floor):
    """Rows ``usubjid, visit, value`` of one endpoint at baseline and follow-up, per arm.

    Median (IQR) cells draw :data:`CANDIDATES` samples per arm and keep the one
    whose pooled quartiles come closest to a printed total (arm quartiles stay exact).
    """
    design = study.design
    groups = {}
    for arm in design.arm_ids:
        members = _members(subjects, levels, arm, subgroup)
        if len(members) >= 2:
            z0 = rng.standard_normal(len(members))
            z1 = CORRELATION * z0 + math.sqrt(1 - CORRELATION ** 2) * rng.standard_normal(len(members))
            groups[arm] = (subjects.loc[members, "usubjid"].to_numpy(), {design.baseline: z0, design.follow_up: z1})
    rows = []
    for visit in (design.baseline, design.follow_up):
        samples = {}
        for arm, (ids, scores) in groups.items():
            target = _target(targets, endpoint, arm, visit, design.baseline, design.arm_ids, kind)
            if target is not None and target.get("fallback") and visit != design.baseline:
                target = _drift(rng, target, kind)
            if target is None:
                continue
            if kind == "median_iqr":
                samples[arm] = quartile_candidates(rng, len(ids), target["q1"], target["median"], target["q3"],
                                                   floor, size=CANDIDATES)
            else:
                samples[arm] = draws(rng, len(ids), target, kind, scores[visit], floor)[None, :]
        total = targets.get((endpoint, TOTAL, visit), {})
        pick = best_pooled(list(samples.values()), total) if kind == "median_iqr" and \
            {"q1", "median", "q3"} <= total.keys() and samples else 0
        for arm, candidates in samples.items():
            ids, scores = groups[arm]
            values = candidates[pick] if kind != "median_iqr" else \
                candidates[pick][np.argsort(np.argsort(scores[visit]))]  # rank-matched to the scores
            rows.append(pd.DataFrame({"usubjid": ids, "visit": visit, "value": np.round(values, 4)}))
    return pd.concat(rows, ignore_index=True) if rows else None


def _measurements(rng, subjects, levels, study, dictionary: Dictionary, targets: dict) -> pd.DataFrame:
    d = study.endpoints
    lab_ids = {dictionary.match(code, name) for code, (name, *_rest) in LAB_TESTS.items()}
    parts = []
    for row in d.to_dict("records"):
        endpoint, kind = row["endpoint"], row.get("summary", "")
        if kind not in NEEDED or row["domain"] == "demographics" or endpoint in lab_ids:
            continue
        printed = [v for (e, _a, _v), stats in targets.items() if e == endpoint for v in stats.values()]
        if not printed:
            continue
        floor = 0.0 if min(printed) >= 0 else None
        values = _series(rng, subjects, levels, study, targets, endpoint, kind, row.get("subgroup", ""), floor)
        if values is not None:
            parts.append(values.assign(endpoint=endpoint, label=row["label"], unit=row.get("unit", ""),
                                       domain=row["domain"], code=_code(endpoint)))
    parts.append(_labs(rng, subjects, levels, study, dictionary, targets))
    out = pd.concat(parts, ignore_index=True)
    out["visit_order"] = out["visit"].map({v: i for i, v in enumerate(study.design.visit_ids)}).astype(float)
    out["baseline"] = out["visit"] == study.design.baseline
    return out


def _code(endpoint: str) -> str:
    """A PARAMCD-like code (≤ 8 characters) for an endpoint id."""
    return "".join(ch for ch in endpoint.upper() if ch.isalnum())[:8]


def _labs(rng, subjects, levels, study, dictionary: Dictionary, targets: dict) -> pd.DataFrame:
    """ALT, AST and bilirubin at every visit with reference ranges; one Hy's law case at follow-up."""
    design = study.design
    extra_rng = rng.spawn(1)[0]  # the other visits: a stream of their own (the main stream is not advanced)
    parts = []
    for code, (name, unit, low, high) in LAB_TESTS.items():
        endpoint = dictionary.match(code, name) or slug(code)
        mean, sd = LAB_DEFAULT[0] * high, LAB_DEFAULT[1] * high
        own = {k: v for k, v in targets.items() if k[0] == endpoint}
        if not own:  # not printed: a plausible level, for every arm and visit
            own = {(endpoint, TOTAL, design.baseline): {"mean": mean, "sd": sd}}
        values = _series(rng, subjects, levels, study, own, endpoint, "mean_sd", "", 0.0)
        later = _other_visits(extra_rng, values, subjects, design, floor=0.1 * low)
        values = pd.concat([values, later], ignore_index=True)
        parts.append(values.assign(endpoint=endpoint, label=name, unit=unit, domain="laboratory", code=code,
                                   anrlo=low, anrhi=high))
    labs = pd.concat(parts, ignore_index=True)
    case = _hys_law_subject(labs, subjects, design)
    after = list(design.visit_ids[design.visit_ids.index(design.follow_up) + 1:])
    for code, times in HYS_LAW.items():
        mine = (labs["code"] == code) & (labs["usubjid"] == case)
        labs.loc[mine & (labs["visit"] == design.follow_up), "value"] = round(times * LAB_TESTS[code][3], 4)
        labs.loc[mine & labs["visit"].isin(after), "value"] = round(HYS_LAW_AFTER[code] * LAB_TESTS[code][3], 4)
    labs["anrind"] = np.select([labs["value"] < labs["anrlo"], labs["value"] > labs["anrhi"]], ["LOW", "HIGH"],
                               "NORMAL")
    return labs


def _hys_law_subject(labs: pd.DataFrame, subjects: pd.DataFrame, design) -> str:
    """The first subject of the first active arm whose baseline tests are all within their reference range."""
    base = labs[labs["visit"] == design.baseline]
    outside = base.loc[(base["value"] < base["anrlo"]) | (base["value"] > base["anrhi"]), "usubjid"]
    arm = subjects[subjects["arm"] == (design.active or design.arm_ids)[0]]
    fine = arm.loc[~arm["usubjid"].isin(set(outside)), "usubjid"]
    return (fine if len(fine) else arm["usubjid"]).iloc[0]


def _other_visits(rng, values: pd.DataFrame, subjects: pd.DataFrame, design, floor: float) -> pd.DataFrame:
    """Rows at the visits other than baseline and the primary follow-up, on the log scale (lab values are
    skewed and positive): each subject's log baseline regressed towards its arm's mean log baseline
    (ρ = :data:`CORRELATION`) plus noise of the arm's SD of log baseline."""
    base = values[values["visit"] == design.baseline]
    others = [v for v in design.visit_ids if v not in (design.baseline, design.follow_up)]
    if base.empty or not others:
        return values.iloc[:0]
    arm = base["usubjid"].map(dict(zip(subjects["usubjid"], subjects["arm"])))
    logged = np.log(np.maximum(base["value"], floor))
    centre = logged.groupby(arm).transform("mean")
    spread = logged.groupby(arm).transform("std").fillna(0.0)
    rows = []
    for visit in others:
        noise = rng.standard_normal(len(base))
        drawn = centre + CORRELATION * (logged - centre) + math.sqrt(1 - CORRELATION ** 2) * spread * noise
        rows.append(pd.DataFrame({"usubjid": base["usubjid"], "visit": visit, "value": np.round(np.exp(drawn), 4)}))
    return pd.concat(rows, ignore_index=True)


def _adverse_events(rng, subjects, study) -> pd.DataFrame:
    """The published terms, each arm's events spread over exactly its printed number of patients."""
    ae, s = study.adverse_events, study.summary
    totals = s[(s["endpoint"] == ADVERSE_EVENT_TOTALS) & (s["level"] == "patients") & (s["statistic"] == "count")]
    printed = dict(zip(totals["arm"], totals["value"]))
    last_day = 365
    rows = []
    for arm, terms in ae.groupby("arm", sort=False):
        pool = subjects.loc[subjects["arm"] == arm, "usubjid"].tolist()
        size = int(printed.get(arm, terms["patients"].sum()))
        size = max(1, min(len(pool), max(size, int(terms["patients"].max()))))
        cursor = 0
        for term in terms.itertuples(index=False):
            chosen = [pool[(cursor + j) % size] for j in range(int(term.patients))]
            cursor += int(term.patients)
            for i in range(int(term.events)):
                start = int(rng.integers(1, last_day))
                rows.append({"usubjid": chosen[i % len(chosen)], "soc": term.soc, "term": term.term,
                             "serious": "Y", "severity": str(rng.choice(["MILD", "MODERATE", "SEVERE"])),
                             "related": "NOT RELATED", "treatment_emergent": "Y", "start_day": start,
                             "end_day": start + int(rng.integers(1, 15))})
    return pd.DataFrame(rows, columns=["usubjid", "soc", "term", "serious", "severity", "related",
                                       "treatment_emergent", "start_day", "end_day"])


def synthetic_frames(seed: int = 0, study=None) -> dict:
    """The synthetic data as three frames (``subjects``, ``measurements``, ``adverse_events``), ids as in *study*."""
    study = study if study is not None else load_study()
    rng = np.random.default_rng(seed)
    dictionary = Dictionary(study.endpoints, study.levels)
    targets = _targets(study.summary)
    tune_to_totals(study.summary, targets, {a: int(n) for a, n in study.n_per_arm().items()},
                    study.design.arm_ids)
    subjects, levels = _subjects(rng, study, dictionary, targets)
    measurements = _measurements(rng, subjects, levels, study, dictionary, targets)
    return {"subjects": subjects, "measurements": measurements,
            "adverse_events": _adverse_events(rng, subjects, study), "study": study}


# --- files ---------------------------------------------------------------------------------------
def _long_tables(frames: dict) -> dict:
    study = frames["study"]
    design = study.design
    subjects = frames["subjects"].assign(arm=lambda f: f["arm"].map(design.label))
    m = frames["measurements"]
    measurements = pd.DataFrame({
        "usubjid": m["usubjid"], "visit": m["visit"].map(design.visit_label), "visit_order": m["visit_order"],
        "endpoint": m["endpoint"], "label": m["label"], "unit": m["unit"], "value": m["value"],
        "baseline": np.where(m["baseline"], "Y", "N"), "normal_low": m.get("anrlo"),
        "normal_high": m.get("anrhi")})
    return {"subjects.csv": subjects, "measurements.csv": measurements,
            "adverse_events.csv": frames["adverse_events"]}


def _adam_tables(frames: dict) -> dict:
    """ADaM datasets: ``name → (frame, column labels, SAS formats)``."""
    study = frames["study"]
    design = study.design
    s = frames["subjects"]
    arm = s["arm"].map(design.label)
    adsl = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": s["usubjid"], "SUBJID": s["usubjid"].str[-3:],
                         "TRT01P": arm, "TRT01A": arm, "SAFFL": "Y", "ITTFL": "Y",
                         "TRTSDT": 20000.0 + np.arange(len(s)) * 7.0})
    labels = {"USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
              "SAFFL": "Safety Population Flag", "TRTSDT": "Date of First Exposure to Treatment"}
    for endpoint in s.columns[2:]:
        name = ADSL_NAMES.get(endpoint) or _code(endpoint)
        adsl[name] = s[endpoint]
        labels[name] = study.label(endpoint)
    tables = {"adsl": (adsl, labels, {"TRTSDT": "DATE9."})}
    m = frames["measurements"]
    arm_of = dict(zip(s["usubjid"], arm))
    base = m[m["baseline"]].set_index(["usubjid", "endpoint"])["value"]
    for domain, part in m.groupby("domain", sort=False):
        name = DOMAIN_DATASETS.get(domain) or f"ad{slug(domain).replace('_', '')[:2]}"
        param = [f"{label} ({unit})" if unit else label for label, unit in zip(part["label"], part["unit"])]
        b = base.reindex(pd.MultiIndex.from_frame(part[["usubjid", "endpoint"]])).to_numpy()
        bds = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": part["usubjid"], "TRT01A": part["usubjid"].map(arm_of),
                            "PARAMCD": part["code"], "PARAM": param, "AVAL": part["value"],
                            "AVISIT": part["visit"].map(design.visit_label), "AVISITN": part["visit_order"],
                            "ABLFL": np.where(part["baseline"], "Y", ""), "BASE": b,
                            "CHG": np.where(part["baseline"], np.nan, part["value"].to_numpy() - b)})
        if "anrhi" in part and part["anrhi"].notna().any():
            bds["ANRLO"], bds["ANRHI"], bds["ANRIND"] = part["anrlo"], part["anrhi"], part["anrind"].fillna("")
            indicator = part[part["baseline"]].set_index(["usubjid", "endpoint"])["anrind"]
            bds["BNRIND"] = indicator.reindex(pd.MultiIndex.from_frame(part[["usubjid", "endpoint"]])).fillna("") \
                .to_numpy()
        tables[name.lower()] = (bds.reset_index(drop=True), {"PARAM": "Parameter", "AVAL": "Analysis Value"}, {})
    ae = frames["adverse_events"]
    adae = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": ae["usubjid"], "TRT01A": ae["usubjid"].map(arm_of),
                         "AEBODSYS": ae["soc"], "AEDECOD": ae["term"], "AESER": ae["serious"],
                         "AESEV": ae["severity"], "AEREL": ae["related"], "TRTEMFL": ae["treatment_emergent"],
                         "ASTDY": ae["start_day"].astype(float), "AENDY": ae["end_day"].astype(float)})
    tables["adae"] = (adae, {"AEDECOD": "Dictionary-Derived Term"}, {})
    return tables


def _xpt_bytes(tables: dict) -> dict:
    import pyreadstat
    out = {}
    with tempfile.TemporaryDirectory() as folder:  # pyreadstat writes to paths only; synthetic data, removed after
        for name, (frame, labels, formats) in tables.items():
            path = Path(folder) / f"{name}.xpt"
            pyreadstat.write_xport(frame, str(path), table_name=name.upper()[:8], file_format_version=5,
                                   column_labels=[labels.get(c) for c in frame.columns],
                                   variable_format=formats or None)
            out[path.name] = path.read_bytes()
    return out


def synthetic_files(format: str = "adam", seed: int = 0, study=None) -> dict:
    """The synthetic data as file contents in memory: ``{file name: bytes}``.

    ``format="adam"``: ``adsl.xpt``, one BDS dataset per domain (``adlb.xpt`` …)
    and ``adae.xpt`` (SAS transport v5); ``format="long"``: ``subjects.csv``,
    ``measurements.csv``, ``adverse_events.csv``.

    Examples
    --------
    >>> files = synthetic_files("long", seed=1)
    >>> sorted(files), files["subjects.csv"].splitlines()[0][:20]
    (['adverse_events.csv', 'measurements.csv', 'subjects.csv'], b'usubjid,arm,age,sex,')
    """
    frames = synthetic_frames(seed, study)
    if format == "adam":
        return _xpt_bytes(_adam_tables(frames))
    if format == "long":
        return {name: frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
                for name, frame in _long_tables(frames).items()}
    raise ValueError(f"format must be 'adam' or 'long', not {format!r}")


def write_synthetic(target, format: str = "adam", seed: int = 0, study=None) -> list:
    """Write the synthetic files to a folder (created if needed) or, as a ZIP archive, to a binary buffer.

    Returns the file names written.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> write_synthetic(buffer, format="long", seed=1)
    ['subjects.csv', 'measurements.csv', 'adverse_events.csv']
    >>> zipfile.ZipFile(buffer).namelist()[0]
    'subjects.csv'
    """
    files = synthetic_files(format, seed, study)
    if hasattr(target, "write"):
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return list(files)
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return list(files)


def make_synthetic(seed: int = 0, study=None, format: str = "long"):
    """The synthetic dataset read back as :class:`~cratus.patient.PatientData` (from memory, no files).

    *format* is the file format it goes through (``"long"`` CSV or ``"adam"``
    SAS transport); *study* the published study it is shaped like (default
    :func:`cratus.study.model.load_study`).
    """
    files = synthetic_files(format, seed, study)
    return read_patient_data(*files.values(), names=list(files))


# --- fidelity ------------------------------------------------------------------------------------
def fidelity_table(synthetic_study, published_study) -> pd.DataFrame:
    """Every published number next to the synthetic one: is it equal within the printed rounding?

    ``tolerance`` is half a unit of the last printed digit; ``within_rounding``
    is missing where the synthetic study has no such number (not generated).
    """
    pub = published_study.summary
    syn = synthetic_study.summary
    key = ["endpoint", "level", "arm", "visit", "statistic"]
    lookup = syn.assign(level=syn["level"].fillna("")).drop_duplicates(key).set_index(key)["value"]
    out = pub[key + ["source", "value", "printed"]].rename(columns={"value": "published_value",
                                                                    "printed": "published"}).copy()
    out["level"] = out["level"].fillna("")
    out["synthetic"] = lookup.reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    # Whole-study counts (adverse-event totals) sit at the last visit of each study, which may differ.
    no_visit = [k for k in key if k != "visit"]
    single = syn.assign(level=syn["level"].fillna("")).groupby(no_visit)["value"].agg(["first", "size"])
    single = single.loc[single["size"] == 1, "first"]
    missing = out["synthetic"].isna()
    out.loc[missing, "synthetic"] = single.reindex(pd.MultiIndex.from_frame(out.loc[missing, no_visit])).to_numpy()
    out["tolerance"] = [0.5 * 10.0 ** -decimals_of(p) + 1e-9 for p in out["published"]]
    difference = (out["synthetic"] - out["published_value"]).abs()
    out["difference"] = difference
    out["within_rounding"] = pd.array([None if pd.isna(d) else bool(d <= t)
                                       for d, t in zip(difference, out["tolerance"])], dtype="boolean")
    return out.reset_index(drop=True)
