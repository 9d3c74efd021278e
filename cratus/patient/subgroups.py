"""Subgroup analysis of patient-level data: the between-arm effect within levels of subject variables.

For one endpoint at one visit (the primary follow-up by default),
:func:`subgroup_effects` gives, for all patients and then within each level of
each chosen subject variable:

* the **difference in mean change from baseline**, each active arm minus the
  control arm, with its **Welch 95% confidence interval**
  (:func:`scipy.stats.ttest_ind` with ``equal_var=False``), and the patients
  per arm with both values (complete pairs);
* per variable, the **treatment-by-subgroup interaction p-value**: does the
  difference between arms differ across the levels?  An F-test comparing two
  ordinary least-squares models of the change (statsmodels
  ``chg ~ C(arm) * C(level)`` against ``chg ~ C(arm) + C(level)``,
  ``compare_f_test``, the F-test of :func:`statsmodels.stats.anova.anova_lm`), on the control and the arms
  shown, over the levels with an estimate.  The OLS model assumes one common
  variance; the per-level intervals do not.

A numeric variable is split at the median of the patients analysed ("up to" and
"over" the median).  A level with fewer than :data:`MIN_PER_ARM` patients in an
arm is "too few patients": no estimate, and left out of the interaction test.
Subgroup findings in a small trial are exploratory: every level holds a few
patients, several levels and variables are looked at (no adjustment for
multiple comparisons), and the interaction test has little power.

Examples
--------
>>> from cratus.patient.synthetic import make_synthetic
>>> from cratus.patient import to_study
>>> study = to_study(make_synthetic(seed=1))
>>> e = subgroup_effects(study, "six_minute_walk", ("sex",), visit="6_months")
>>> e[["level_label", "arm", "n", "n_control"]].iloc[[0, 2]].values.tolist()
[['All patients', 'allo_hmsc_100m', 10, 10], ['Female', 'allo_hmsc_100m', 4, 4]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cratus.patient.stats import pairs, patient_data
from cratus.patient.subset import as_text, label_of

#: Fewest patients per arm in a level for an estimate.
MIN_PER_ARM = 2
TOO_FEW = "too few patients"
OVERALL = "All patients"
EFFECT_COLUMNS = ["variable", "variable_label", "level", "level_label", "arm", "control", "n", "n_control",
                  "estimate", "ci_low", "ci_high", "estimable", "note", "interaction_p", "split"]
METHOD = ("Difference in mean change from baseline (arm − control) with a Welch 95% confidence interval; "
          "interaction: F-test of OLS change ~ arm × subgroup against change ~ arm + subgroup")
CAVEAT = ("Subgroup findings in a small trial are exploratory: each level holds only a few patients, many levels "
          "are looked at without adjustment for multiple comparisons, and a test of interaction has little power "
          "to find a real difference between subgroups, or to rule one out.")


def _levels(values: pd.Series, variable: str, label: str) -> tuple[pd.Series, list[tuple[str, str]], str]:
    """Each patient's level code, the ``(level, label)`` pairs in order, and how a numeric variable was split."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    present = values.dropna()
    if numeric and present.nunique() > 2:
        median = float(present.median())
        level = pd.Series(np.where(values <= median, "low", "high"), index=values.index).where(values.notna())
        split = f"{label} split at the median of the patients analysed ({median:.4g})"
        # Words, not "> x": a table cell starting with ">" would be drawn as a quotation (Markdown).
        return level, [("low", f"up to {median:.4g}"), ("high", f"over {median:.4g}")], split
    text = as_text(values).where(values.notna())
    order = sorted(text.dropna().unique(), key=str.lower)
    return text, [(v, v) for v in order], ""


def _welch(active: np.ndarray, control: np.ndarray) -> tuple[float, float, float]:
    """Difference in means and its Welch 95% CI (scipy's ``ttest_ind(..., equal_var=False)``)."""
    result = stats.ttest_ind(active, control, equal_var=False)
    ci = result.confidence_interval(0.95)
    return float(np.mean(active) - np.mean(control)), float(ci.low), float(ci.high)


def _effects(chg: pd.Series, arm: pd.Series, control: str, arms: list[str], base: dict) -> list[dict]:
    """One row per active arm of one level (*base* holds the level's columns)."""
    rows = []
    reference = chg[arm == control].to_numpy(float)
    for active in arms:
        values = chg[arm == active].to_numpy(float)
        row = {**base, "arm": active, "control": control, "n": len(values), "n_control": len(reference),
               "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        if min(len(values), len(reference)) < MIN_PER_ARM:
            row.update(estimable=False, note=TOO_FEW)
        else:
            row["estimate"], row["ci_low"], row["ci_high"] = _welch(values, reference)
            row.update(estimable=True, note="")
        rows.append(row)
    return rows


def interaction_p(frame: pd.DataFrame) -> float:
    """F-test p-value of the arm-by-level interaction in OLS models of ``chg`` (columns ``chg, arm, level``).

    Compares ``chg ~ C(arm) * C(level)`` with ``chg ~ C(arm) + C(level)``
    (the design matrices are built here with numpy, as patsy would, and
    compared with statsmodels' ``compare_f_test``; the same p-value as
    :func:`statsmodels.stats.anova.anova_lm` of the two formula fits).  NaN
    with fewer than two levels or two arms, or no residual degrees of freedom.
    """
    from statsmodels.regression.linear_model import OLS

    arm, arms = pd.factorize(frame["arm"])
    level, levels = pd.factorize(frame["level"])
    if len(levels) < 2 or len(arms) < 2:
        return np.nan
    a = (arm[:, None] == np.arange(1, len(arms))).astype(float)      # treatment coding, first arm as reference
    g = (level[:, None] == np.arange(1, len(levels))).astype(float)
    reduced = np.column_stack([np.ones(len(arm)), a, g])
    interaction = (a[:, :, None] * g[:, None, :]).reshape(len(arm), -1)
    y = frame["chg"].to_numpy(float)
    full_fit = OLS(y, np.column_stack([reduced, interaction])).fit()
    if full_fit.df_resid <= 0:
        return np.nan
    return float(full_fit.compare_f_test(OLS(y, reduced).fit())[1])


def subgroup_effects(study, endpoint: str, variables=(), visit: str | None = None, arms=None) -> pd.DataFrame:
    """The between-arm effect on the change from baseline, overall and within each level of *variables*.

    Parameters
    ----------
    study : Study or PatientData
        A patient study (:func:`cratus.patient.to_study`) or its patient frames.
    endpoint : str
        Endpoint id.
    variables : tuple of str
        Subject-level columns (``sex``, ``age``, ...); see the module docstring for numeric ones.
    visit : str, optional
        Visit id; default the design's primary follow-up (else the last visit).
    arms : tuple of str, optional
        The active arms to compare with the control (default every active arm); the control is always used.

    Returns
    -------
    pandas.DataFrame
        :data:`EFFECT_COLUMNS`: one row per level and active arm, the
        overall rows first (``variable == ""``); ``interaction_p`` repeats on
        every row of a variable; ``split`` says where a numeric variable was split.
    """
    data = patient_data(study)
    visit = visit or default_visit(study, data, endpoint)
    if visit not in set(data.visits["visit"]):
        raise ValueError(f"subgroups: {visit!r} is not a visit of the data")
    control = data.control
    active = [a for a in (arms if arms is not None else data.arms) if a != control and a in data.arms]
    p = pairs(data, endpoint, visit)
    p = p[p["arm"].isin([*active, control])]
    rows = _effects(p["chg"], p["arm"], control, active,
                    {"variable": "", "variable_label": "", "level": "", "level_label": OVERALL,
                     "interaction_p": np.nan, "split": ""})
    subjects = data.subjects.set_index("usubjid")
    for variable in variables:
        if variable not in subjects.columns:
            raise ValueError(f"subgroups: {variable!r} is not a subject-level variable")
        label = study.label(variable) if hasattr(study, "design") else label_of(data, variable)
        values = p["usubjid"].astype(object).map(subjects[variable])
        level, order, split = _levels(values.reset_index(drop=True), variable, label)
        level.index = p.index
        block = []
        for code, text in order:
            inside = level == code
            block += _effects(p.loc[inside, "chg"], p.loc[inside, "arm"], control, active,
                              {"variable": variable, "variable_label": label, "level": code, "level_label": text,
                               "split": split})
        usable = {r["level"] for r in block if r["estimable"]}
        usable = [c for c, _ in order if c in usable and all(r["estimable"] for r in block if r["level"] == c)]
        model = pd.DataFrame({"chg": p["chg"], "arm": p["arm"].astype(object), "level": level})
        p_value = interaction_p(model[model["level"].isin(usable)])
        rows += [{**r, "interaction_p": p_value} for r in block]
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def endpoint_choices(study, visit: str | None = None) -> tuple:
    """Endpoints with at least one patient measured at baseline and at *visit* (default: at any later visit);
    outcomes with a known better direction first (the study's ``endpoints.better``), then the others, in data order."""
    data = patient_data(study)
    present = set(pairs(data, visit=visit)["endpoint"].astype(object)) if visit else set(
        pairs(data)["endpoint"].astype(object))
    ordered = [e for e in pd.unique(data.measurements["endpoint"].astype(object)) if e in present]
    table = getattr(study, "endpoints", None)
    directed = set(table.loc[table["better"].fillna("") != "", "endpoint"]) if table is not None else set()
    return tuple(sorted(ordered, key=lambda e: e not in directed))


def variable_choices(study) -> tuple:
    """Subject-level variables a subgroup can be formed from (those a filter can use, :func:`filter_options`)."""
    from cratus.patient.subset import filter_options

    return tuple(pd.unique(filter_options(study)["variable"]))


def default_visit(study, data, endpoint: str | None = None) -> str:
    """The design's primary follow-up; for an endpoint not measured then, its last visit with paired values."""
    design = getattr(study, "design", None)
    primary = design.follow_up if design is not None and design.follow_up else str(data.visits["visit"].iloc[-1])
    if endpoint is None:
        return primary
    measured = set(pairs(data, endpoint)["visit"].astype(object))
    if not measured or primary in measured:
        return primary
    order = list(data.visits["visit"].astype(object))
    return max(measured, key=order.index)
