"""The synthetic generator's draws: subjects, measurements, laboratory values and adverse events whose
summaries match a published study's (:mod:`cratus.patient.synthetic` writes them as files)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cratus.patient.exact import best_pooled, draws, quartile_candidates
from cratus.patient.mapping import Dictionary, slug
from cratus.study.design import TOTAL
from cratus.study.model import ADVERSE_EVENT_TOTALS, PARTICIPANTS
from cratus.study.provenance import select_figure_rows

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


