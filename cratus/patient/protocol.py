"""The protocol's analyses on a patient-level study: ANCOVA with chosen covariates, dose trend, ordered categories,
time to event — as readable tables, each naming its population, records, model and test.

The estimators are in :mod:`cratus.stats.ancova`, :mod:`cratus.stats.categorical` and
:mod:`cratus.stats.survival`; this module picks the records from the study and writes the results for a page.
Every function takes the study first (pages cache the calls, snippets repeat them).  Everything here is computed
from the patients, never the trial's own result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.formatting import format_p
from cratus.patient.stats import pairs, patient_data
from cratus.stats.ancova import ADJUSTMENTS, AncovaResult, DoseTrend, ancova, dose_trend
from cratus.stats.categorical import binary_summary, distribution, ordinal_tests

#: Subject columns that hold an arm's numeric dose, first found wins (ADaM ADSL; ARMN is an arm's number, not a
#: dose, so it is never taken for one).
DOSE_COLUMNS = ("trt01pn", "trt01an", "trtpn", "trtan")
#: Subject columns never offered as covariates.
NOT_COVARIATES = {"usubjid", "arm", "studyid", "subjid"}
NOT_COVARIATE_STARTS = ("trt", "arm", "actarm", "eos", "dcs", "dth", "rand")
NOT_COVARIATE_ENDS = ("fl", "dt", "dtm", "dy", "tm", "dtc")
RESPONSES = {"chg": "change from baseline", "value": "value"}


def _fmt(value, digits: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return "—"
    text = f"{value:,.{digits}f}"
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text  # no "-0.0" for a tiny negative


def _digits(values) -> int:
    finite = np.abs([v for v in values if v is not None and np.isfinite(v)])
    if not len(finite) or finite.max() == 0:
        return 2
    return int(np.clip(2 - np.floor(np.log10(finite.max())), 0, 3))


#: The analyses whose population the reader may choose (cratus.patient.populations).
ANALYSES = ("efficacy", "safety")


def analysis_of(study, endpoint: str | None = None) -> str:
    """``"efficacy"`` or ``"safety"``: the role of *endpoint*'s parameter (its records are in that population);
    efficacy when the data say nothing."""
    parameters = getattr(patient_data(study), "parameters", None)
    if endpoint is not None and parameters is not None and len(parameters):
        role = parameters.loc[parameters["endpoint"].astype(str) == str(endpoint), "role"]
        if len(role) and role.iloc[0] in ANALYSES:
            return str(role.iloc[0])
    return "efficacy"


def population_subjects(study, analysis: str = "efficacy") -> pd.DataFrame:
    """The subjects of one analysis's population in this view (a subgroup filter keeps its members only)."""
    data = patient_data(study)
    return data.in_population(analysis) if hasattr(data, "in_population") else data.subjects


def population_words(study, analysis: str = "efficacy", filtered: bool = True) -> str:
    """``efficacy population, EFFFL = 'Y' (242 subjects)``, and (*filtered*) whether a subgroup filter is on."""
    data = patient_data(study)
    populations = getattr(data, "populations", None)
    rule = populations.of(analysis).description if populations is not None else (data.population or "all subjects")
    n = len(population_subjects(study, analysis))
    return (f"{analysis} population, {rule} ({n} subjects)"
            + (" — a subgroup selected by the filter" if filtered and study.filters else ""))


# --- covariates ------------------------------------------------------------------------------------
def covariate_options(study) -> dict:
    """Subject columns usable as covariates: ``{"factors": [...], "continuous": [...]}`` ("base" first)."""
    subjects = patient_data(study).subjects
    factors, continuous = [], ["base"]
    for column in subjects.columns:
        if column in NOT_COVARIATES or column.startswith(NOT_COVARIATE_STARTS) or column.endswith(NOT_COVARIATE_ENDS):
            continue  # ids, the treatment itself, post-baseline status, population flags, dates and days
        values = subjects[column].dropna()
        if values.empty or values.nunique() < 2:
            continue
        if column.startswith("site"):  # a site number is a factor, never a continuous covariate
            factors.append(column)
        elif pd.api.types.is_numeric_dtype(values) and values.nunique() > 10:
            continuous.append(column)
        elif values.nunique() <= min(30, max(2, len(values) // 3)):
            factors.append(column)
    return {"factors": factors, "continuous": continuous}


def dose_column(study) -> str | None:
    """The subject column the arms' doses come from (``trt01pn`` …): numeric, one value per arm, not all equal."""
    subjects = patient_data(study).subjects
    for column in DOSE_COLUMNS:
        if column in subjects.columns and pd.api.types.is_numeric_dtype(subjects[column]):
            per_arm = subjects.groupby("arm", observed=True, sort=False)[column].agg(["nunique", "first"])
            if (per_arm["nunique"] == 1).all() and per_arm["first"].nunique() > 1:
                return column
    return None


def arm_doses(study) -> dict:
    """Each arm's numeric dose from the subject file (``TRT01PN`` …), or ``{}`` when the data give none."""
    column = dose_column(study)
    if column is None:
        return {}
    subjects = patient_data(study).subjects
    first = subjects.groupby("arm", observed=True, sort=False)[column].first()
    return {a: float(d) for a, d in first.items()}


def ancova_frame(study, endpoint: str, visit: str) -> pd.DataFrame:
    """One row per subject with a baseline and a value at *visit*: ``usubjid, arm, value, base, chg`` + subject columns."""
    data = patient_data(study)
    p = pairs(data, endpoint, visit)
    if p.empty:
        raise ValueError(f"no subject has both a baseline (ABLFL = 'Y') and a value of {endpoint} at {visit}")
    subjects = data.subjects.drop(columns=["arm"], errors="ignore")
    return p.merge(subjects, on="usubjid", how="left")


# --- ANCOVA ------------------------------------------------------------------------------------------
def ancova_result(study, endpoint: str, visit: str, factors=(), continuous=("base",), response: str = "chg",
                  arms=None, weighting: str = "observed", pairwise: bool = False,
                  adjustment: str = "none") -> AncovaResult:
    """:func:`cratus.stats.ancova.ancova` of *endpoint* at *visit* on the study's records and population."""
    data = patient_data(study)
    shown = study.design.order(arms if arms is not None else study.design.arm_ids)
    if data.control not in shown:
        shown = [*shown, data.control]
    return ancova(ancova_frame(study, endpoint, visit), response, shown, data.control, tuple(factors),
                  tuple(continuous), weighting=weighting, pairwise=pairwise, adjustment=adjustment)


def ancova_table(study, endpoint: str, visit: str, factors=(), continuous=("base",), response: str = "chg",
                 arms=None, weighting: str = "observed", pairwise: bool = False, adjustment: str = "none",
                 p_values: bool = True) -> pd.DataFrame:
    """The LS-means table: per arm n, LS mean (SE), and the difference from the control with its 95% CI and p."""
    result = ancova_result(study, endpoint, visit, factors, continuous, response, arms, weighting, pairwise,
                           adjustment)
    design = study.design
    digits = _digits([m.estimate for m in result.lsmeans])
    diffs = {d.arm: d for d in result.differences}

    def comparison(d, arm="", n=np.nan, lsmean=""):
        row = {"Arm": arm, "n": n, "LS mean (SE)": lsmean,
               "Comparison": f"{design.short(d.arm)} − {design.short(d.reference)}" if d else "reference",
               "Difference (SE)": f"{_fmt(d.estimate, digits)} ({_fmt(d.se, digits)})" if d else "",
               "95% CI": f"{_fmt(d.ci_low, digits)} to {_fmt(d.ci_high, digits)}" if d else ""}
        if p_values:
            row["p-value"] = "" if not d else (
                format_p(d.p_value, computed=True) if d.reference == result.differences[0].reference else
                format_p(d.p_value, computed=True) + " (unadjusted)" if d.adjustment == "none" else
                format_p(d.p_adjusted, computed=True) + f" ({ADJUSTMENTS[d.adjustment]})")
        return row

    rows = [comparison(diffs.get(m.arm), design.label(m.arm), m.n,
                       f"{_fmt(m.estimate, digits)} ({_fmt(m.se, digits)})") for m in result.lsmeans]
    rows += [comparison(d) for d in result.pairwise]
    out = pd.DataFrame(rows)
    out["n"] = out["n"].map(lambda n: "" if pd.isna(n) else f"{n:g}")
    return out


def ancova_words(study, endpoint: str, visit: str, factors=(), continuous=("base",), response: str = "chg",
                 arms=None, weighting: str = "observed") -> str:
    """The model under the table, in words: what is analysed, population, records, formula, n, weighting."""
    result = ancova_result(study, endpoint, visit, factors, continuous, response, arms, weighting)
    data = patient_data(study)
    records = getattr(data, "records", "") or "the records read (one value per subject and visit)"
    return (f"Computed here from the patients: {RESPONSES.get(response, response)} in {study.label(endpoint)} at "
            f"{study.design.visit_label(visit)}; population: {population_words(study, analysis_of(study, endpoint))}; "
            f"records: {records}. "
            + result.words())


def dose_trend_result(study, endpoint: str, visit: str, doses: dict | None = None, factors=(), continuous=("base",),
                      response: str = "chg") -> DoseTrend:
    """The dose–response test of *endpoint* at *visit*: doses from the data (``TRT01PN``) unless given."""
    doses = dict(doses) if doses else arm_doses(study)  # a dict, or (arm, dose) pairs
    return dose_trend(ancova_frame(study, endpoint, visit), response, doses, tuple(factors), tuple(continuous))


def dose_trend_words(study, endpoint: str, visit: str, doses: dict | None = None, factors=(), continuous=("base",),
                     response: str = "chg", p_values: bool = True) -> str:
    """The dose–response test in a sentence, arms by their labels and where the doses come from."""
    trend = dose_trend_result(study, endpoint, visit, doses, factors, continuous, response)
    column = dose_column(study)
    source = "as given" if doses else (f"from the subject file's numeric treatment code ({column.upper()}, "
                                       "TRTxxPN), taken as each arm's dose")
    listed = ", ".join(f"{study.design.label(a)} {d:g}" for a, d in trend.doses)
    p = f", {format_p(trend.p_value, computed=True)}" if p_values else ""
    records = getattr(patient_data(study), "records", "") or "the records read"
    return (f"Dose–response test, computed here from the patients ({RESPONSES.get(response, response)} in "
            f"{study.label(endpoint)} at {study.design.visit_label(visit)}; "
            f"population: {population_words(study, analysis_of(study, endpoint))}; "
            f"records: {records}): the dose as a continuous term ({listed}; {source}) in "
            f"{trend.formula} (OLS, {trend.n_used} subjects): slope {trend.slope:.3g} per unit of dose "
            f"(95% CI {trend.ci_low:.3g} to {trend.ci_high:.3g}){p}. A slope is a linear trend across doses, "
            "not a comparison of two arms.")


# --- ordered categories and binary endpoints --------------------------------------------------------
def category_records(study, endpoint: str, visit: str) -> tuple[pd.DataFrame, list]:
    """Subjects' categories of *endpoint* at *visit* (``usubjid, arm, category`` + subject columns) and their order.

    Labels are ``avalc`` where the data give it, ordered by the numeric value; else the values themselves.
    """
    data = patient_data(study)
    m = data.measurements
    rows = m[(m["endpoint"] == endpoint) & (m["visit"] == visit)]
    if rows.empty:
        raise ValueError(f"{endpoint!r} has no records at visit {visit!r}")
    if "avalc" in rows.columns and rows["avalc"].notna().any():
        labels = rows["avalc"].astype("string")
        order = list(pd.unique(labels.iloc[rows["value"].argsort().to_numpy()].dropna()))
    else:
        labels = rows["value"].map(lambda v: f"{v:g}" if pd.notna(v) else pd.NA)
        order = [f"{v:g}" for v in sorted(rows["value"].dropna().unique())]
    out = pd.DataFrame({"usubjid": rows["usubjid"].astype(str).to_numpy(), "arm": rows["arm"].astype(str).to_numpy(),
                        "category": labels.to_numpy()})
    subjects = data.subjects.drop(columns=["arm"], errors="ignore").assign(usubjid=lambda f: f["usubjid"].astype(str))
    return out.merge(subjects, on="usubjid", how="left"), order


def is_binary(order) -> bool:
    return len(order) == 2


def category_table(study, endpoint: str, visit: str, arms=None) -> pd.DataFrame:
    """n (%) per category (rows, in order) and arm (columns, with their n)."""
    frame, order = category_records(study, endpoint, visit)
    design = study.design
    shown = design.order(arms if arms is not None else design.arm_ids)
    d = distribution(frame, "category", shown, order=order)
    table = {"Category": [c for c in order if c in set(d["category"])]}
    exact = {}
    if is_binary(order):  # a flag: the proportion of the second level with its Clopper–Pearson interval
        per_arm, _ = binary_summary(frame, "category", shown, shown[-1], event=order[-1])
        exact = {b.arm: f"{100 * b.proportion:.1f}% ({100 * b.ci_low:.1f} to {100 * b.ci_high:.1f})" for b in per_arm}
        table["Category"] = table["Category"] + [f"% {order[-1]} (exact 95% CI)"]
    for a in shown:
        rows = d[d["arm"] == a].set_index("category")
        n_arm = int(rows["n_arm"].iloc[0]) if len(rows) else 0
        cells = [f"{int(rows.loc[c, 'n'])} ({rows.loc[c, 'percent']:.1f}%)" if c in rows.index and n_arm else "0"
                 for c in table["Category"][:len(table["Category"]) - bool(exact)]]
        table[f"{design.label(a)} (n = {n_arm})"] = cells + ([exact.get(a, "—")] if exact else [])
    return pd.DataFrame(table)


def category_tests(study, endpoint: str, visit: str, arms=None, strata: str | None = None,
                   p_values: bool = True) -> pd.DataFrame:
    """Each arm against the control: a test that respects the order (or, for two categories, proportions)."""
    frame, order = category_records(study, endpoint, visit)
    data = patient_data(study)
    design = study.design
    shown = design.order(arms if arms is not None else design.arm_ids)
    if data.control not in shown:
        shown = [*shown, data.control]
    rows = []
    if is_binary(order):
        per_arm, comparisons = binary_summary(frame, "category", shown, data.control, strata=strata, event=order[-1])
        difference = (f"Crude difference in % '{order[-1]}' (95% CI; not stratified)" if strata else
                      f"Difference in % '{order[-1]}' (95% CI)")
        odds = f"Mantel–Haenszel odds ratio over {strata} (95% CI)" if strata else "Odds ratio (95% CI)"
        for c in comparisons:
            row = {"Compares": f"{design.label(c.arm)} vs {design.label(c.reference)}",
                   difference: f"{_fmt(100 * c.difference, 1)} "
                   f"({_fmt(100 * c.difference_ci_low, 1)} to {_fmt(100 * c.difference_ci_high, 1)})",
                   odds: f"{_fmt(c.odds_ratio)} ({_fmt(c.odds_ratio_ci_low)} to {_fmt(c.odds_ratio_ci_high)})"
                   + ("; 0.5 added to each cell (a zero count; Haldane)" if c.haldane else ""),
                   "Test": c.test}
            if p_values:
                row["p-value"] = format_p(c.p_value, computed=True)
            rows.append(row)
        return pd.DataFrame(rows)
    for t in ordinal_tests(frame, "category", shown, data.control, strata=strata, order=order):
        row = {"Compares": f"{design.label(t.arm)} vs {design.label(t.reference)}", "n": f"{t.n} vs {t.n_reference}",
               "Test": t.test}
        if p_values:
            row["p-value"] = format_p(t.p_value, computed=True)
        rows.append(row)
    return pd.DataFrame(rows)


def categorical_endpoints(study) -> list:
    """Endpoints that look like ordered categories or flags: labelled (``avalc``) or at most 10 whole-number values."""
    m = patient_data(study).measurements
    out = []
    for endpoint, rows in m.groupby("endpoint", observed=True, sort=False):
        values = rows["value"].dropna()
        labelled = "avalc" in rows.columns and rows["avalc"].notna().any()
        whole = len(values) and (values == np.round(values)).all() and values.nunique() <= 10
        if labelled or whole:
            out.append(str(endpoint))
    return out
