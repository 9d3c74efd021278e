"""Tests and estimates from patient-level data, as tidy frames (one row per test).

Every function takes a :class:`~cratus.study.model.Study` built by
:func:`cratus.patient.to_study` (its ``patients``) or a
:class:`~cratus.patient.PatientData` first, so pages can cache them per study.
Columns follow pingouin's style in snake_case: ``estimate, ci_low, ci_high,
p_value, n`` plus what is compared.  What each p-value compares:

* :func:`within_arm_tests`: the change from baseline *within one arm*
  (paired t-test, :func:`scipy.stats.ttest_rel`; Wilcoxon signed-rank,
  :func:`scipy.stats.wilcoxon`), subjects with both values only.  A
  within-arm change is not a difference from the control arm.
* :func:`between_arm_tests`: each arm against the control at one visit, on
  the change from baseline (Welch t-test, :func:`scipy.stats.ttest_ind` with
  ``equal_var=False``; Mann–Whitney U, :func:`scipy.stats.mannwhitneyu`;
  ANCOVA of the change adjusted for baseline, statsmodels OLS
  ``chg ~ C(arm) + base`` with the control as reference).
* :func:`ae_incidence`: patients with an event per arm, with Clopper–Pearson
  exact 95% intervals (statsmodels ``proportion_confint(method="beta")``).

No adjustment for multiple comparisons is made.  The group statistics of the
t-tests are computed for all groups at once (``groupby``), so whole studies
are tested without a loop over subjects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

WITHIN_COLUMNS = ["endpoint", "arm", "visit", "comparison", "test", "estimate", "ci_low", "ci_high", "p_value", "n"]
BETWEEN_COLUMNS = ["endpoint", "arm", "control", "visit", "comparison", "test", "estimate", "ci_low", "ci_high",
                   "p_value", "n", "n_control", "note"]
PAIRED_T = "paired t-test"
WILCOXON = "Wilcoxon signed-rank test"
WELCH = "Welch t-test"
MANN_WHITNEY = "Mann–Whitney U test"
ANCOVA = "ANCOVA"


def patient_data(study_or_data):
    """The :class:`~cratus.patient.PatientData` of a patient study, or the argument itself."""
    if hasattr(study_or_data, "design") and hasattr(study_or_data, "has_patients"):
        if not study_or_data.has_patients:
            raise ValueError("this study was not computed from patient data (no patient frames)")
        return study_or_data.patients
    if not hasattr(study_or_data, "measurements"):
        raise ValueError(f"expected a patient study or PatientData, not {type(study_or_data).__name__}")
    return study_or_data


def _codes(series: pd.Series) -> tuple[np.ndarray, int]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(np.int64), len(series.cat.categories)
    codes, uniques = pd.factorize(series)
    return codes.astype(np.int64), len(uniques)


def pairs(data, endpoint=None, visit=None) -> pd.DataFrame:
    """Baseline and later values side by side: ``usubjid, arm, endpoint, visit, visit_order, value, base, chg``.

    One row per subject, endpoint and visit after baseline where both values
    exist (complete pairs).  The baseline value is the one flagged as
    baseline (the first, should a subject have two).
    """
    data = patient_data(data)
    m = data.measurements
    if endpoint is not None:
        m = m[m["endpoint"] == endpoint]
        if m.empty:
            raise ValueError(f"endpoint {endpoint!r} has no measurements")
    subject, n_subjects = _codes(m["usubjid"])
    measure, n_endpoints = _codes(m["endpoint"])
    key = subject * max(n_endpoints, 1) + measure
    is_base = m["baseline"].to_numpy(bool)
    values = m["value"].to_numpy(float)
    lookup = np.full(max(n_subjects, 1) * max(n_endpoints, 1), np.nan)
    lookup[key[is_base][::-1]] = values[is_base][::-1]  # reversed: the first baseline row wins
    base_orders = data.visits.loc[data.visits["baseline"].astype(bool), "visit_order"]
    base_order = base_orders.iloc[0] if len(base_orders) else np.inf  # no measurements (safety-only data)
    later = ~is_base & (m["visit_order"].to_numpy(float) > base_order)
    if visit is not None:
        later &= (m["visit"] == visit).to_numpy()
    base = lookup[key[later]]
    keep = ~np.isnan(base)
    out = m.loc[later, ["usubjid", "arm", "endpoint", "visit", "visit_order", "value"]][keep]
    out = out.assign(base=base[keep])
    out["chg"] = out["value"].to_numpy() - out["base"].to_numpy()
    return out.reset_index(drop=True)


def _t_interval(mean, sd, n, level=0.95):
    se = sd / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        crit = stats.t.ppf(0.5 + level / 2, n - 1)
        t = np.where(se > 0, mean / se, np.nan)
        p = 2 * stats.t.sf(np.abs(t), n - 1)
    return mean - crit * se, mean + crit * se, p


def change_from_baseline(study_or_data, endpoint=None, visit=None) -> pd.DataFrame:
    """Mean change from baseline per arm and visit with a t-based 95% CI and the n of complete pairs.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> c = change_from_baseline(make_synthetic(seed=1), "six_minute_walk")
    >>> list(c.columns)
    ['endpoint', 'arm', 'visit', 'n', 'estimate', 'sd', 'ci_low', 'ci_high']
    """
    p = pairs(study_or_data, endpoint, visit)
    g = p.groupby(["endpoint", "arm", "visit"], sort=False)["chg"].agg(n="count", estimate="mean", sd="std")
    g = g.reset_index()
    g["ci_low"], g["ci_high"], _ = _t_interval(g["estimate"].to_numpy(), g["sd"].to_numpy(), g["n"].to_numpy())
    return _ordered(g, study_or_data)


def _ordered(frame: pd.DataFrame, study_or_data) -> pd.DataFrame:
    """Rows by endpoint (order of the data), visit and arm (display order); stable within ties."""
    data = patient_data(study_or_data)
    ranks = {"_e": {e: i for i, e in enumerate(pd.unique(data.measurements["endpoint"]))},
             "_v": {v: i for i, v in enumerate(data.visits["visit"])},
             "_a": {a: i for i, a in enumerate(data.arms)}}
    keyed = frame.assign(_e=frame["endpoint"].map(ranks["_e"]), _v=frame["visit"].map(ranks["_v"]),
                         _a=frame["arm"].map(ranks["_a"]))
    return keyed.sort_values(["_e", "_v", "_a"], kind="stable").drop(columns=["_e", "_v", "_a"]).reset_index(drop=True)


def within_arm_tests(study_or_data, endpoint=None, visit=None, wilcoxon: bool = True) -> pd.DataFrame:
    """Change from baseline within each arm: paired t-test (and Wilcoxon signed-rank) per arm and visit.

    ``estimate`` is the mean change (paired t) or the median change
    (Wilcoxon, no interval); ``n`` the complete pairs.  A zero-variance
    change gives no p-value.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> t = within_arm_tests(make_synthetic(seed=1), "six_minute_walk")
    >>> sorted(t["test"].unique()), t["comparison"].unique().tolist()
    (['Wilcoxon signed-rank test', 'paired t-test'], ['within_arm'])
    """
    return _within(pairs(study_or_data, endpoint, visit), study_or_data, wilcoxon)


def _within(p: pd.DataFrame, study_or_data, wilcoxon: bool = True) -> pd.DataFrame:
    visits = patient_data(study_or_data).visits
    if "extreme" in visits and visits["extreme"].any():  # DTYPE MINIMUM/MAXIMUM: no test against baseline
        p = p[~p["visit"].isin(visits.loc[visits["extreme"].astype(bool), "visit"].tolist()).to_numpy()]
    grouped = p.groupby(["endpoint", "arm", "visit"], sort=False)["chg"]
    g = grouped.agg(n="count", estimate="mean", sd="std").reset_index()
    g["ci_low"], g["ci_high"], g["p_value"] = _t_interval(g["estimate"].to_numpy(), g["sd"].to_numpy(),
                                                           g["n"].to_numpy())
    g["test"], g["comparison"] = PAIRED_T, "within_arm"
    frames = [g]
    if wilcoxon:
        chg = p["chg"].to_numpy(float)
        rows = []
        for (e, a, v), at in grouped.indices.items():
            rows.append({"endpoint": e, "arm": a, "visit": v, "n": len(at),
                         "estimate": float(np.median(chg[at])), "p_value": _wilcoxon(chg[at])})
        w = pd.DataFrame(rows, columns=["endpoint", "arm", "visit", "n", "estimate", "p_value"])
        w["ci_low"] = w["ci_high"] = np.nan
        w["test"], w["comparison"] = WILCOXON, "within_arm"
        frames.append(w)
    out = pd.concat(frames, ignore_index=True)[WITHIN_COLUMNS]
    return _ordered(out, study_or_data)


def _wilcoxon(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    if len(values) < 2 or not np.any(values != 0):
        return np.nan
    absolute = np.abs(values)
    exact = len(values) <= 50 and np.all(absolute != 0) and len(np.unique(absolute)) == len(absolute)
    # Exact null distribution when there are no zeros or ties, else the normal approximation with the tie
    # correction (scipy's "auto" would run a slow permutation test for small samples with ties).
    return float(stats.wilcoxon(values, method="exact" if exact else "approx").pvalue)


def between_arm_tests(study_or_data, endpoint=None, visit=None, tests=(WELCH, MANN_WHITNEY, ANCOVA)) -> pd.DataFrame:
    """Each arm against the control on the change from baseline at each later visit.

    Welch: ``estimate`` is the difference in mean change (arm − control)
    with its Welch 95% CI.  Mann–Whitney: the difference in median change
    (no interval).  ANCOVA: the arm's coefficient in ``chg ~ C(arm) + base``
    fitted on all arms of that endpoint and visit, with its 95% CI.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> t = between_arm_tests(make_synthetic(seed=1), "six_minute_walk")
    >>> t[["arm", "control", "test"]].drop_duplicates().shape[0]
    6
    """
    return _between(pairs(study_or_data, endpoint, visit), study_or_data, tests)


def _between(p: pd.DataFrame, study_or_data, tests=(WELCH, MANN_WHITNEY, ANCOVA)) -> pd.DataFrame:
    data = patient_data(study_or_data)
    control = data.control
    frames = []
    if WELCH in tests:
        frames.append(_welch(p, control))
    if MANN_WHITNEY in tests:
        frames.append(_mann_whitney(p, control))
    if ANCOVA in tests:
        frames.append(_ancova(p, control))
    out = pd.concat([f for f in frames if not f.empty] or [pd.DataFrame(columns=BETWEEN_COLUMNS)], ignore_index=True)
    out["control"], out["comparison"] = control, "vs_control"
    out["note"] = out["note"].fillna("") if "note" in out else ""  # why a test gave no estimate (ANCOVA)
    return _ordered(out[BETWEEN_COLUMNS], data)


def _welch(p: pd.DataFrame, control: str) -> pd.DataFrame:
    g = p.groupby(["endpoint", "visit", "arm"], sort=False)["chg"].agg(n="count", mean="mean", var="var").reset_index()
    c = g[g["arm"] == control].drop(columns="arm").rename(columns={"n": "n_control", "mean": "mean_c", "var": "var_c"})
    g = g[g["arm"] != control].merge(c, on=["endpoint", "visit"])
    se2 = g["var"] / g["n"] + g["var_c"] / g["n_control"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df = se2 ** 2 / ((g["var"] / g["n"]) ** 2 / (g["n"] - 1) + (g["var_c"] / g["n_control"]) ** 2
                         / (g["n_control"] - 1))
        g["estimate"] = g["mean"] - g["mean_c"]
        se = np.sqrt(se2)
        t = np.where(se > 0, g["estimate"] / se, np.nan)
        g["p_value"] = 2 * stats.t.sf(np.abs(t), df)
        crit = stats.t.ppf(0.975, df)
    g["ci_low"], g["ci_high"] = g["estimate"] - crit * se, g["estimate"] + crit * se
    g["test"] = WELCH
    return g


def _by_endpoint_visit(p: pd.DataFrame, control: str):
    """Per endpoint and visit with a control group: positions of each arm's rows (numpy, no frame copies)."""
    codes, uniques = pd.factorize(p["arm"])
    control_code = next((i for i, u in enumerate(uniques) if u == control), -2)
    for (e, v), at in p.groupby(["endpoint", "visit"], sort=False, observed=True).indices.items():
        names = codes[at]
        ref = at[names == control_code]
        others = [c for c in np.unique(names) if c != control_code]
        if len(ref) and others:
            yield e, v, ref, [(uniques[c], at[names == c]) for c in others]


def _mann_whitney(p: pd.DataFrame, control: str) -> pd.DataFrame:
    chg = p["chg"].to_numpy(float)
    rows = []
    for e, v, ref, arms in _by_endpoint_visit(p, control):
        for arm, at in arms:
            rows.append({"endpoint": e, "visit": v, "arm": arm, "n": len(at), "n_control": len(ref),
                         "estimate": float(np.median(chg[at]) - np.median(chg[ref])),
                         "p_value": float(stats.mannwhitneyu(chg[at], chg[ref]).pvalue)})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["ci_low"] = out["ci_high"] = np.nan
        out["test"] = MANN_WHITNEY
    return out


def _ancova(p: pd.DataFrame, control: str) -> pd.DataFrame:
    """``chg ~ C(arm, Treatment(control)) + base`` per endpoint and visit (statsmodels OLS on the design matrix).
    A design of less than full rank (a baseline the same for everyone, or one that only tells the arms apart) or
    too few patients for its parameters gives a row with no estimate and ``note`` saying why, not a fit of a
    pseudo-inverse."""
    from statsmodels.regression.linear_model import OLS
    chg, base = p["chg"].to_numpy(float), p["base"].to_numpy(float)
    rows = []
    for e, v, ref, arms in _by_endpoint_visit(p, control):
        at = np.concatenate([ref] + [a for _, a in arms])
        dummies = [np.concatenate([np.zeros(len(ref))] + [np.full(len(a), float(name == arm)) for name, a in arms])
                   for arm, _ in arms]
        x = np.column_stack([np.ones(len(at))] + dummies + [base[at]])
        note = ""
        if len(at) <= x.shape[1]:
            note = f"not estimable: {len(at)} patients for {x.shape[1]} parameters"
        elif np.linalg.matrix_rank(x) < x.shape[1]:
            note = ("not estimable: the baseline is the same for every patient" if np.ptp(base[at]) == 0 else
                    "not estimable: the baseline and the arms are collinear")
        if note:
            rows += [{"endpoint": e, "visit": v, "arm": arm, "n": len(positions), "n_control": len(ref),
                      "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "note": note}
                     for arm, positions in arms]
            continue
        fit = OLS(chg[at], x).fit()
        ci = fit.conf_int(0.05)
        for i, (arm, positions) in enumerate(arms, start=1):
            rows.append({"endpoint": e, "visit": v, "arm": arm, "n": len(positions), "n_control": len(ref),
                         "estimate": fit.params[i], "ci_low": ci[i, 0], "ci_high": ci[i, 1],
                         "p_value": fit.pvalues[i], "note": ""})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["test"] = ANCOVA
    return out


def all_tests(study_or_data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`within_arm_tests` and :func:`between_arm_tests` of every endpoint and visit, pairing once."""
    p = pairs(study_or_data)
    return _within(p, study_or_data), _between(p, study_or_data)


def first_tests(study_or_data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first test of each comparison, for every endpoint and visit: what a page shows.

    Within an arm the paired t-test, against the control the Welch t-test —
    computed for all groups at once, so a study of 10,000 subjects takes a
    tenth of a second.  Where one gives no p-value (fewer than two values, or a
    change without spread: every patient changed by the same amount) the
    p-value stays missing, "not computable": no other test is put in its
    place, since choosing the test after seeing the data changes the analysis
    (the tests table of a page shows the rank tests beside it, each named).
    """
    data = patient_data(study_or_data)
    p = pairs(data)
    return _within(p, data, wilcoxon=False), _between(p, data, (WELCH,))


def not_computable(p_value, n, n_control=None, note: str = "") -> str:
    """Why a test gave no p-value, in words ("" when it gave one).

    Examples
    --------
    >>> not_computable(float("nan"), 1), not_computable(float("nan"), 5, 4), not_computable(0.2, 5)
    ('not computable: fewer than 2 values', 'not computable: no spread', '')
    """
    if p_value is not None and np.isfinite(p_value):
        return ""
    if note:
        return note
    if n < 2 or (n_control is not None and n_control < 2):
        return "not computable: fewer than 2 values"
    return "not computable: no spread"


def ae_incidence(study_or_data, serious_only: bool = False, by_term: bool = False,
                 treatment_emergent_only: bool = True) -> pd.DataFrame:
    """Patients with at least one adverse event per arm, with a Clopper–Pearson exact 95% CI.

    ``patients`` of ``n`` subjects in the arm; ``estimate``, ``ci_low`` and
    ``ci_high`` are percentages.  ``by_term`` gives one row per system organ
    class, term and arm (zeros included).  Events without a treatment-emergent
    flag count as treatment-emergent.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> ae_incidence(make_synthetic(seed=1), serious_only=True)[["arm", "patients", "n"]].values.tolist()
    [['Allo-hMSC 100M', 1, 10], ['Allo-hMSC 200M', 2, 10], ['Placebo', 4, 10]]
    """
    from statsmodels.stats.proportion import proportion_confint
    data = patient_data(study_or_data)
    ae = data.adverse_events
    if treatment_emergent_only:
        ae = ae[ae["treatment_emergent"].isna() | (ae["treatment_emergent"] == True)]  # noqa: E712
    if serious_only:
        ae = ae[ae["serious"] == True]  # noqa: E712
    sizes = data.in_population("safety").groupby("arm").size()  # the safety population, by treatment received
    keys = ["soc", "term", "arm"] if by_term else ["arm"]
    counted = ae.groupby(keys)["usubjid"].nunique()
    if by_term:
        terms = ae[["soc", "term"]].drop_duplicates()
        grid = terms.merge(pd.DataFrame({"arm": list(data.arms)}), how="cross")
    else:
        grid = pd.DataFrame({"arm": list(data.arms)})
    grid["patients"] = counted.reindex(pd.MultiIndex.from_frame(grid[keys]) if by_term else grid["arm"]).fillna(0)\
        .astype(int).to_numpy()
    grid["n"] = grid["arm"].map(sizes).astype(int)
    low, high = proportion_confint(grid["patients"], grid["n"], alpha=0.05, method="beta")
    grid["estimate"] = 100 * grid["patients"] / grid["n"]
    grid["ci_low"], grid["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    return grid.reset_index(drop=True)
