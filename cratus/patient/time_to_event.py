"""Time to event on a patient-level study: Kaplan–Meier by arm, medians, log-rank and Cox against the control, for
each ADTTE parameter, in the population the reader chooses (efficacy by default), as readable tables.

The estimators are in :mod:`cratus.stats.survival`; this module picks the records and the population and writes the
results for a page.  Every function takes the study first (pages cache the calls, snippets repeat them).  Computed
here from the patients, never the trial's own result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.formatting import format_p
from cratus.patient.protocol import population_subjects, population_words
from cratus.patient.stats import patient_data
from cratus.stats.survival import REFERENCES, TimeToEvent, time_to_event

TTE_COLUMNS = ["usubjid", "arm", "endpoint", "label", "time", "event", "event_description", "censor_description"]


def tte_records(study) -> pd.DataFrame:
    """The study's time-to-event records (ADTTE), one per subject and parameter; empty without them."""
    data = patient_data(study)
    frame = data.time_to_event
    if len(frame) == 0:
        return pd.DataFrame(columns=TTE_COLUMNS)
    return frame


def tte_parameters(study) -> dict:
    """``{parameter code: label}`` of the time-to-event parameters, in the data's order."""
    frame = tte_records(study)
    if frame.empty:
        return {}
    labels = frame.drop_duplicates("endpoint")
    return {str(e): str(lab) for e, lab in zip(labels["endpoint"], labels.get("label", labels["endpoint"]))}


def tte_frame(study, parameter: str, population: str = "efficacy") -> pd.DataFrame:
    """One row per subject of the *population* (``efficacy`` or ``safety``): ``usubjid, arm, time, event`` +
    descriptions + subject columns."""
    frame = tte_records(study)
    frame = frame[frame["endpoint"].astype(str) == parameter].drop(columns=["arm"], errors="ignore")
    if frame.empty:
        raise ValueError(f"no time-to-event records of parameter {parameter!r}")
    subjects = population_subjects(study, population).assign(usubjid=lambda f: f["usubjid"].astype(str))
    out = frame.assign(usubjid=frame["usubjid"].astype(str)).merge(subjects, on="usubjid", how="inner")
    return out.assign(arm=out["arm"].astype(str), event=out["event"].astype(float))


def tte_result(study, parameter: str, arms=None, strata: str | None = None, covariates=(),
               population: str = "efficacy") -> TimeToEvent:
    """Kaplan–Meier by arm, log-rank and Cox against the control (:func:`cratus.stats.survival.time_to_event`)."""
    data = patient_data(study)
    shown = study.design.order(arms if arms is not None else study.design.arm_ids)
    if data.control not in shown:
        shown = [*shown, data.control]
    frame = tte_frame(study, parameter, population)
    end = float(frame["time"].max()) if len(frame) else 0.0
    step = _nice_step(end / 6) if end > 0 else 1.0
    return time_to_event(frame, shown, data.control, time="time", strata=strata, covariates=tuple(covariates),
                         at_times=np.arange(0, end + step / 2, step))


def _nice_step(raw: float) -> float:
    power = 10 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def median_table(study, parameter: str, arms=None, population: str = "efficacy") -> pd.DataFrame:
    """Per arm: subjects, events, median time with its 95% CI ("not reached" where so)."""
    result = tte_result(study, parameter, arms, population=population)
    design = study.design
    unit = _unit(study, parameter)
    rows = []
    for m in result.medians:
        rows.append({"Arm": design.label(m.arm), "Subjects": m.n, "Events": f"{m.events} ({100 * m.events / m.n:.0f}%)",
                     f"Median{unit} (95% CI)": ("not reached" if not m.reached else f"{m.median:g}")
                     + f" ({'—' if not np.isfinite(m.ci_low) else f'{m.ci_low:g}'} to "
                       f"{'not reached' if not np.isfinite(m.ci_high) else f'{m.ci_high:g}'})"})
    return pd.DataFrame(rows)


def _unit(study, parameter: str) -> str:
    frame = tte_records(study)
    units = frame.loc[frame["endpoint"].astype(str) == parameter, "unit"].dropna() if "unit" in frame else []
    return f", {units.iloc[0].lower()}" if len(units) else ""


def hazard_table(study, parameter: str, arms=None, strata: str | None = None, covariates=(),
                 p_values: bool = True, population: str = "efficacy") -> pd.DataFrame:
    """Per active arm: the Cox hazard ratio against the control with its 95% CI, and the log-rank test."""
    result = tte_result(study, parameter, arms, strata, covariates, population)
    design = study.design
    rows = []
    for row in result.comparison_table().to_dict("records"):
        out = {"Compares": f"{design.label(row['arm'])} vs {design.label(row['reference'])}",
               "Hazard ratio (95% CI)": f"{row['hazard_ratio']:.2f} ({row['ci_low']:.2f} to {row['ci_high']:.2f})"
               if np.isfinite(row["hazard_ratio"]) else f"not estimable ({row['note']})"}
        if p_values:
            out["Cox p-value"] = format_p(row["cox_p_value"], computed=True)
            out["Log-rank p-value"] = format_p(row["logrank_p_value"], computed=True)
        rows.append(out)
    if p_values and result.logrank is not None and len(result.logrank.arms) > 2:
        rows.append({"Compares": "All arms (log-rank, " f"{result.logrank.df} df)", "Hazard ratio (95% CI)": "",
                     "Cox p-value": "", "Log-rank p-value": format_p(result.logrank.p_value, computed=True)})
    return pd.DataFrame(rows)


def _described(frame: pd.DataFrame, rows, columns) -> str:
    """The distinct non-blank descriptions in *columns* of *rows*, in order of first appearance, joined by "; "."""
    texts = [frame.loc[rows, c].dropna().astype(str).str.strip() for c in columns if c in frame.columns]
    return "; ".join(dict.fromkeys(t for part in texts for t in part if t))


def tte_words(study, parameter: str, strata: str | None = None, covariates=(), population: str = "efficacy") -> str:
    """What the time-to-event outputs are, in words: population, event and censoring, methods."""
    frame = tte_frame(study, parameter, population)
    events = _described(frame, frame["event"] == 1, ("event_description",))
    # a censored record's EVNTDESC describes its censoring (the ADaM pilot's "Study Completion Date"), with CNSDTDSC
    censored = _described(frame, frame["event"] == 0, ("event_description", "censor_description"))
    stratified = f" stratified by {strata}" if strata else ""
    adjusted = stratified + (f", adjusted for {', '.join(covariates)}" if covariates else "")
    return (f"Computed here from the patients: {tte_parameters(study).get(parameter, parameter)}; population: "
            f"{population_words(study, population)}; one record per subject (ADTTE), CNSR = 0 an event. "
            + (f"Events (EVNTDESC): {events}. " if events else "")
            + (f"Censored (EVNTDESC, CNSDTDSC): {censored}. " if censored else "")
            + f"Methods: {REFERENCES['km']}; median: {REFERENCES['median']}; {REFERENCES['logrank']}{stratified}"
              + (" (the log-rank test takes no covariates)" if covariates else "")
              + f"; {REFERENCES['cox']}{adjusted}. No adjustment for multiplicity.")
