"""The mixed model for repeated measures on a patient-level study: LS means by visit over all post-baseline visits.

The estimator is :func:`cratus.stats.mmrm.mmrm`; this module picks the records (the study's analysis records of
one endpoint at every visit after baseline, each with the subject's baseline) and the population, and writes the
result for a page.  Computed here from the patients, never the trial's own result.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from cratus.formatting import format_p
from cratus.patient.protocol import RESPONSES, _digits, _fmt, analysis_of, population_words
from cratus.patient.stats import pairs, patient_data
from cratus.stats.mmrm import MmrmResult, mmrm


#: ADaM DTYPE values of records imputed for a missed visit (CDISC controlled terminology): a likelihood-based model
#: uses the observed records only, so these are left out (a derived AVERAGE of observed values stays).
IMPUTED = ("LOCF", "BOCF", "WOCF", "LOV", "ENDPOINT", "PHANTOM", "INTERP")


def _imputed(data, endpoint: str) -> np.ndarray:
    m = data.measurements
    if "dtype" not in m.columns:
        return np.zeros(len(m), bool)
    return ((m["endpoint"] == endpoint) & m["dtype"].astype("string").str.strip().str.upper().isin(IMPUTED)
            & ~m["baseline"].astype(bool)).to_numpy()


def imputed_records(study, endpoint: str) -> int:
    """How many post-baseline records of *endpoint* were imputed (DTYPE LOCF, LOV …) and so left out of the MMRM."""
    return int(_imputed(patient_data(study), endpoint).sum())


def mmrm_frame(study, endpoint: str) -> pd.DataFrame:
    """One row per subject and post-baseline visit with a baseline: ``usubjid, arm, visit, value, base, chg`` +
    the subject's columns.  Records imputed for a missed visit (DTYPE in :data:`IMPUTED`) are left out."""
    data = patient_data(study)
    imputed = _imputed(data, endpoint)
    if imputed.any():
        data = replace(data, measurements=data.measurements[~imputed])
    p = pairs(data, endpoint)
    if p.empty:
        raise ValueError(f"no subject has both a baseline (ABLFL = 'Y') and a later value of {endpoint}")
    subjects = data.subjects.drop(columns=["arm"], errors="ignore")
    out = p.merge(subjects, on="usubjid", how="left")
    return out.assign(usubjid=out["usubjid"].astype(str), arm=out["arm"].astype(str), visit=out["visit"].astype(str))


def _visits(study, frame: pd.DataFrame) -> list:
    order = frame.drop_duplicates("visit").sort_values("visit_order")["visit"]
    return [str(v) for v in order]


def mmrm_result(study, endpoint: str, factors=(), continuous=("base",), response: str = "chg", arms=None,
                covariance: str = "unstructured", weighting: str = "observed") -> MmrmResult:
    """:func:`cratus.stats.mmrm.mmrm` of *endpoint* over every post-baseline visit, control as reference."""
    data = patient_data(study)
    shown = study.design.order(arms if arms is not None else study.design.arm_ids)
    if data.control not in shown:
        shown = [*shown, data.control]
    frame = mmrm_frame(study, endpoint)
    return mmrm(frame, response, shown, data.control, tuple(factors), tuple(continuous), covariance=covariance,
                weighting=weighting, visits=_visits(study, frame))


def mmrm_table(study, endpoint: str, factors=(), continuous=("base",), response: str = "chg", arms=None,
               covariance: str = "unstructured", weighting: str = "observed", p_values: bool = True) -> pd.DataFrame:
    """Per visit and arm: n, LS mean (SE), and for an active arm the difference from the control, 95% CI and p."""
    result = mmrm_result(study, endpoint, factors, continuous, response, arms, covariance, weighting)
    design = study.design
    digits = _digits([m.estimate for m in result.lsmeans])
    diffs = {(d.visit, d.arm): d for d in result.differences}
    rows = []
    for m in result.lsmeans:
        d = diffs.get((m.visit, m.arm))
        row = {"Visit": design.visit_label(m.visit), "Arm": design.label(m.arm), "n": f"{m.n}",
               "LS mean (SE)": f"{_fmt(m.estimate, digits)} ({_fmt(m.se, digits)})",
               "Difference from control (SE)": f"{_fmt(d.estimate, digits)} ({_fmt(d.se, digits)})" if d
               else "reference",
               "95% CI": f"{_fmt(d.ci_low, digits)} to {_fmt(d.ci_high, digits)}" if d else ""}
        if p_values:
            row["p-value"] = format_p(d.p_value, computed=True) if d else ""
        rows.append(row)
    return pd.DataFrame(rows)


def mmrm_words(study, endpoint: str, factors=(), continuous=("base",), response: str = "chg", arms=None,
               covariance: str = "unstructured", weighting: str = "observed") -> str:
    """The model under the table: what is analysed, population, records, formula, covariance, inference."""
    result = mmrm_result(study, endpoint, factors, continuous, response, arms, covariance, weighting)
    data = patient_data(study)
    records = getattr(data, "records", "") or "the records read (one value per subject and visit)"
    sigma = np.asarray(result.covariance_matrix)
    sd = np.sqrt(np.diag(sigma))
    corr = sigma / np.outer(sd, sd)
    off = corr[np.triu_indices(len(sd), 1)]
    return (f"Computed here from the patients: {RESPONSES.get(response, response)} in {study.label(endpoint)} at "
            f"every post-baseline visit ({', '.join(study.design.visit_label(v) for v in result.visits)}); "
            f"population: {population_words(study, analysis_of(study, endpoint))}; records: {records}. "
            + result.words()
            + f" Fitted correlation between visits {off.min():.2f} to {off.max():.2f}."
            + (f" {imputed} record{'s' if imputed != 1 else ''} imputed for missed visits (DTYPE {'/'.join(IMPUTED[:4])} …) left out: the model "
               "uses the observed records." if (imputed := imputed_records(study, endpoint)) else ""))
