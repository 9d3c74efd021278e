"""Time to event by arm: Kaplan–Meier curves and medians, log-rank tests, Cox hazard ratios.

The estimators are statsmodels' duration module (already a dependency; see
the closing note of issue 24 for why not lifelines):

* Kaplan–Meier: ``SurvfuncRight`` (Greenwood standard errors); pointwise 95%
  intervals on the complementary log–log scale (SAS PROC LIFETEST's default);
  the median with the Brookmeyer–Crowley interval (``quantile_ci``, the same
  transform), "not reached" when the curve never falls below 0.5 (statsmodels
  takes the first time the curve is *below* 0.5; where a curve sits exactly
  at 0.5 over an interval, SAS and R report the interval's midpoint instead);
* log-rank: ``survdiff`` (Mantel–Cox, optionally stratified) across all arms
  and each arm against the control;
* hazard ratio: ``PHReg`` (Cox proportional hazards, Efron's ties as R's
  ``coxph``; optionally stratified, or adjusted for covariates) of each arm
  against the control, with a Wald 95% CI and p.

Input is one row per subject with the time (``AVAL``), an event indicator
(``True`` = event; ADaM's ``CNSR = 0``) and the arm.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

CI_TRANSFORM = "cloglog"
REFERENCES = {
    "km": "Kaplan–Meier (statsmodels SurvfuncRight), Greenwood SE, log–log 95% CI",
    "median": "Brookmeyer & Crowley (1982) 95% CI of the median, log–log transform (statsmodels quantile_ci)",
    "logrank": "log-rank (Mantel–Cox) test (statsmodels survdiff)",
    "cox": "Cox proportional hazards model, Efron ties (statsmodels PHReg), Wald 95% CI",
}


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: steps at *times*; *censored* the censoring times with the curve's height there."""

    arm: str
    times: np.ndarray
    survival: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    censored_times: np.ndarray
    censored_survival: np.ndarray


@dataclass(frozen=True)
class Median:
    arm: str
    n: int
    events: int
    median: float  # NaN: not reached
    ci_low: float  # NaN: not estimable
    ci_high: float

    @property
    def reached(self) -> bool:
        return bool(np.isfinite(self.median))


@dataclass(frozen=True)
class LogRank:
    arms: tuple
    chi2: float
    df: int
    p_value: float
    strata: str | None = None


@dataclass(frozen=True)
class HazardRatio:
    arm: str
    reference: str
    hr: float
    ci_low: float
    ci_high: float
    p_value: float
    strata: str | None = None
    covariates: tuple = ()
    note: str = ""  # why the hazard ratio is not estimable (then hr, CI and p are NaN)


@dataclass(frozen=True)
class TimeToEvent:
    curves: tuple
    medians: tuple
    logrank: LogRank | None
    logrank_vs_control: tuple
    hazard_ratios: tuple
    at_risk: pd.DataFrame  # index: times, columns: arms
    n_dropped: int = 0

    def median_table(self) -> pd.DataFrame:
        return pd.DataFrame([vars(m) for m in self.medians])

    def comparison_table(self) -> pd.DataFrame:
        """Per active arm: the log-rank p against the control and the Cox hazard ratio with its CI and p."""
        logrank = {t.arms[0]: t for t in self.logrank_vs_control}
        rows = []
        for h in self.hazard_ratios:
            t = logrank.get(h.arm)
            rows.append({"arm": h.arm, "reference": h.reference, "hazard_ratio": h.hr, "ci_low": h.ci_low,
                         "ci_high": h.ci_high, "cox_p_value": h.p_value, "note": h.note,
                         "logrank_chi2": t.chi2 if t else np.nan, "logrank_p_value": t.p_value if t else np.nan})
        return pd.DataFrame(rows)


def _columns(frame, time, event, arm, extra=()):
    missing = [c for c in (time, event, arm, *extra) if c and c not in frame.columns]
    if missing:
        raise ValueError(f"the time-to-event analysis needs column(s) the data lack: {', '.join(missing)}")
    ok = frame[[c for c in (time, event, arm, *extra) if c]].notna().all(axis=1)
    data = frame[ok]
    if (data[time] < 0).any():
        raise ValueError(f"column {time!r} has negative times")
    return data, int((~ok).sum())


def kaplan_meier(times, events, arm: str = "", transform: str = CI_TRANSFORM, level: float = 0.95):
    """The Kaplan–Meier curve and the median of one arm (statsmodels ``SurvfuncRight``)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    times, events = np.asarray(times, float), np.asarray(events, float)
    sf = SurvfuncRight(times, events)
    s, se = sf.surv_prob, sf.surv_prob_se
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform == "log":
            half = z * se / s
            low, high = s * np.exp(-half), np.minimum(s * np.exp(half), 1)
        else:  # log(-log S): exp(-exp(log(-log S) ± z·se/(S·log S)))
            half = z * se / (s * np.log(s))
            low, high = s ** np.exp(-half), s ** np.exp(half)
    low, high = np.where(s > 0, np.where(s < 1, low, np.nan), 0), np.where(s > 0, np.where(s < 1, high, np.nan), 0)
    censored = np.sort(times[events == 0])
    step = np.searchsorted(sf.surv_times, censored, side="right") - 1
    heights = np.concatenate([[1.0], s])[step + 1]
    curve = Curve(arm, sf.surv_times, s, low, high, censored, heights)
    median = sf.quantile(0.5)  # the first time the curve falls below 0.5 (statsmodels' rule)
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels takes log(0) at S = 0 or 1
        low_m, high_m = sf.quantile_ci(0.5, alpha=1 - level, method=transform) if events.sum() else (np.nan, np.nan)
    return curve, Median(arm, len(times), int(events.sum()), _number(median),
                         _number(low_m), _number(high_m))


def _number(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return np.nan
    return value if np.isfinite(value) else np.nan


def logrank(frame, arms, time="aval", event="event", arm="arm", strata: str | None = None) -> LogRank:
    """The log-rank test of equal survival across *arms* (stratified by *strata* when given)."""
    from statsmodels.duration.survfunc import survdiff

    data = frame[frame[arm].isin(arms)]
    if data[arm].nunique() < 2:
        raise ValueError("a log-rank test needs two arms with subjects")
    try:
        chi2, p = survdiff(data[time].to_numpy(float), data[event].to_numpy(float),
                           data[arm].astype(str).to_numpy(),
                           strata=None if strata is None else data[strata].astype(str).to_numpy())
    except np.linalg.LinAlgError:  # no information (e.g. no event at all): not computable
        chi2, p = np.nan, np.nan
    return LogRank(tuple(arms), float(chi2), data[arm].nunique() - 1, float(p), strata)


def hazard_ratios(frame, arms, control, time="aval", event="event", arm="arm", strata: str | None = None,
                  covariates=(), level: float = 0.95) -> tuple:
    """Cox hazard ratio of each arm against *control* in one model of all *arms* (Efron ties)."""
    from statsmodels.duration.hazard_regression import PHReg

    data = frame[frame[arm].isin(arms)]
    active = [a for a in arms if a != control and (data[arm] == a).any()]
    labels = data[arm].to_numpy()
    columns = [(labels == a).astype(float) for a in active]
    for c in covariates:
        if pd.api.types.is_numeric_dtype(data[c]):
            columns.append(data[c].to_numpy(float))
        else:
            levels = sorted(pd.unique(data[c].astype(str)))
            columns += [(data[c].astype(str).to_numpy() == v).astype(float) for v in levels[1:]]
    if not active or not (labels == control).any():
        return ()
    events = data.groupby(arm, observed=True)[event].sum()
    model = PHReg(data[time].to_numpy(float), np.column_stack(columns), status=data[event].to_numpy(float),
                  strata=None if strata is None else data[strata].astype(str).to_numpy(), ties="efron")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fit = model.fit()
        params, bse, pvalues = fit.params, fit.bse, fit.pvalues
    except (np.linalg.LinAlgError, ConvergenceWarning, ValueError, IndexError):  # IndexError: no event at all
        params = bse = pvalues = np.full(len(columns), np.nan)
    z = stats.norm.ppf(0.5 + level / 2)
    out = []
    for i, a in enumerate(active):
        b, se, p = float(params[i]), float(bse[i]), float(pvalues[i])
        # No event in the arm or the control: the likelihood has no maximum (the estimate runs to 0 or infinity).
        note = next((f"no event in {x}" for x in (a, control) if events.get(x, 0) == 0), "")
        if not note and not np.isfinite(b):
            note = "the Cox model did not converge"
        if note:
            b = se = p = np.nan
        out.append(HazardRatio(a, control, np.exp(b), np.exp(b - z * se), np.exp(b + z * se), p, strata,
                               tuple(covariates), note))
    return tuple(out)


def at_risk(frame, arms, times, time="aval", arm="arm") -> pd.DataFrame:
    """Subjects still at risk (time ≥ t) per arm at each of *times*: the table under a KM plot."""
    rows = {}
    for a in arms:
        t = np.sort(frame.loc[frame[arm] == a, time].to_numpy(float))
        rows[a] = len(t) - np.searchsorted(t, np.asarray(times, float), side="left")
    return pd.DataFrame(rows, index=pd.Index(times, name="time"))


def time_to_event(frame: pd.DataFrame, arms, control: str, time: str = "aval", event: str = "event",
                  arm: str = "arm", strata: str | None = None, covariates=(), at_times=None) -> TimeToEvent:
    """Kaplan–Meier by arm, log-rank tests and Cox hazard ratios against *control*, in one value.

    *arms* in display order (the control among them); *event* true for an
    event (ADaM: ``CNSR == 0``).  Subjects with a missing time, event, arm,
    stratum or covariate are left out and counted in ``n_dropped``.
    """
    data, dropped = _columns(frame, time, event, arm, (strata, *covariates))
    data = data.assign(**{event: data[event].astype(float)})
    present = [a for a in arms if (data[arm] == a).any()]
    curves, medians = [], []
    for a in present:
        rows = data[data[arm] == a]
        c, m = kaplan_meier(rows[time], rows[event], a)
        curves.append(c)
        medians.append(m)
    across = logrank(data, present, time, event, arm, strata) if len(present) > 1 else None
    versus = tuple(logrank(data, [a, control], time, event, arm, strata) for a in present if a != control) \
        if control in present else ()
    ratios = hazard_ratios(data, present, control, time, event, arm, strata, covariates) if control in present \
        else ()
    if at_times is None:
        at_times = np.linspace(0, float(data[time].max()) if len(data) else 0, 6)
    return TimeToEvent(tuple(curves), tuple(medians), across, versus, ratios,
                       at_risk(data, present, at_times, time, arm), dropped)

