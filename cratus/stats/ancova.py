"""ANCOVA with the covariates a protocol names: least-squares means, differences, a dose trend.

:func:`ancova` fits ``response ~ arm + factors + continuous covariates`` by
ordinary least squares (statsmodels ``OLS``) on one row per subject, with the
control arm as reference.  Per arm it gives the least-squares (LS) mean with
its standard error; per active arm the difference from the control (the arm's
coefficient) with SE, 95% CI and p; on request the differences between active
arms, unadjusted for multiplicity unless an adjustment is chosen
(``statsmodels.stats.multitest.multipletests``).

LS means are marginal means over the covariate distribution of the subjects
in the model.  Two weightings (:data:`WEIGHTINGS`):

* ``"observed"`` (default): each subject's own covariates, averaged — the mean
  of the predictions had every subject received the arm (SAS ``LSMEANS /
  OM``; emmeans ``weights = "proportional"``, which for a model without
  treatment-by-covariate interaction is the same as tern's counterfactual
  weighting);
* ``"equal"``: each level of a categorical factor weighted equally and
  continuous covariates at their mean (SAS ``LSMEANS`` without ``OM``;
  emmeans' default).

Without interactions the differences between arms do not depend on the
weighting.  :func:`dose_trend` replaces the arm factor by a numeric dose in
the same model and tests its slope.  Rows with a missing response or
covariate are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

WEIGHTINGS = {"observed": "observed margins (each subject's covariates, averaged; SAS LSMEANS/OM)",
              "equal": "equal weights over the levels of each factor, continuous covariates at their mean"}
ADJUSTMENTS = {"none": "unadjusted for multiplicity", "holm": "Holm", "bonferroni": "Bonferroni",
               "fdr_bh": "Benjamini–Hochberg"}
METHOD = "ANCOVA (ordinary least squares, statsmodels OLS)"


@dataclass(frozen=True)
class LSMean:
    arm: str
    n: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Difference:
    """*arm* − *reference*: the difference of LS means."""

    arm: str
    reference: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float = np.nan
    adjustment: str = "none"


@dataclass(frozen=True)
class AncovaResult:
    response: str
    factors: tuple
    continuous: tuple
    formula: str
    n_used: int
    dropped: tuple
    df_resid: float
    weighting: str
    lsmeans: tuple
    differences: tuple
    pairwise: tuple = ()

    @property
    def n_dropped(self) -> int:
        return len(self.dropped)

    def table(self) -> pd.DataFrame:
        """One row per arm: LS mean (SE), and for an active arm the difference from the control with its CI and p."""
        diffs = {d.arm: d for d in self.differences}
        rows = []
        for m in self.lsmeans:
            d = diffs.get(m.arm)
            rows.append({"arm": m.arm, "n": m.n, "ls_mean": m.estimate, "se": m.se, "ci_low": m.ci_low,
                         "ci_high": m.ci_high,
                         "difference": d.estimate if d else np.nan, "difference_se": d.se if d else np.nan,
                         "difference_ci_low": d.ci_low if d else np.nan,
                         "difference_ci_high": d.ci_high if d else np.nan, "p_value": d.p_value if d else np.nan})
        return pd.DataFrame(rows)

    def pairwise_table(self) -> pd.DataFrame:
        return pd.DataFrame([vars(d) for d in self.pairwise])

    def words(self) -> str:
        """The model in words: formula, n used, subjects left out, weighting of the LS means."""
        left = (f"{self.n_dropped} subject{'s' if self.n_dropped != 1 else ''} left out for a missing response or "
                f"covariate" if self.dropped else "no subject left out for missing values")
        return (f"{METHOD}: {self.formula}; the control is the reference. {self.n_used} subjects in the model, "
                f"{left}; {self.df_resid:g} residual degrees of freedom. LS means: "
                f"{WEIGHTINGS[self.weighting]}. Differences are LS mean differences with t-based 95% CIs; "
                "their p-values are not adjusted for multiplicity.")


@dataclass(frozen=True)
class DoseTrend:
    """The slope of the response per unit of dose in the model with dose in place of the arm factor."""

    formula: str
    doses: tuple
    n_used: int
    slope: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float

    def words(self) -> str:
        doses = ", ".join(f"{a} = {d:g}" for a, d in self.doses)
        return (f"Dose–response test: the dose as a continuous term ({doses}) in {self.formula} (OLS, "
                f"{self.n_used} subjects); slope per unit of dose {self.slope:.4g} "
                f"(95% CI {self.ci_low:.4g} to {self.ci_high:.4g}), p = {self.p_value:.3g}.")


def _complete(frame: pd.DataFrame, response: str, arm: str, arms, factors, continuous, subject: str | None):
    columns = [response, arm, *factors, *continuous]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the ANCOVA needs column(s) the data lack: {', '.join(missing)}")
    data = frame[frame[arm].isin(arms)]
    ok = data[columns].notna().all(axis=1)
    dropped = tuple(data.loc[~ok, subject]) if subject in data.columns else tuple(data.index[~ok])
    return data[ok], dropped


def _covariate_block(data: pd.DataFrame, factors, continuous, weighting: str):
    """The factor dummies and continuous columns, the row each LS mean averages them to, and their names."""
    columns, margin, names = [], [], []
    for f in factors:
        levels = sorted(pd.unique(data[f].astype(str)))
        values = data[f].astype(str).to_numpy()
        if len(levels) < 2:
            columns.append(np.zeros(len(data)))  # one level only: a constant factor, said by _not_estimable
            margin.append(0.0)
            names.append(f)
        for level in levels[1:]:
            dummy = (values == level).astype(float)
            columns.append(dummy)
            margin.append(dummy.mean() if weighting == "observed" else 1 / len(levels))
            names.append(f"{f} = {level}")
    for c in continuous:
        x = data[c].to_numpy(float)
        columns.append(x)
        margin.append(x.mean())
        names.append(c)
    return columns, margin, names


def _not_estimable(x: np.ndarray, names: list, model: str) -> None:
    """Raise a :class:`ValueError` saying why *x* (columns *names*, the first the intercept) cannot be fitted."""
    n, k = x.shape
    if n <= k:
        raise ValueError(f"not estimable: the {model} cannot be fitted: {n} subjects for {k} parameters")
    for j in range(1, k):
        if np.ptp(x[:, j]) == 0:
            raise ValueError(f"not estimable: the {model} cannot be fitted: {names[j]} is constant among the "
                             f"{n} subjects in the model")
        if np.linalg.matrix_rank(x[:, :j + 1]) < j + 1:
            coef = np.linalg.lstsq(x[:, :j], x[:, j], rcond=None)[0]  # the column as a combination of those before
            involved = [names[i] for i in range(j) if abs(coef[i]) > 1e-8 * max(1.0, np.abs(coef).max())]
            raise ValueError(f"not estimable: the {model} cannot be fitted: {names[j]} is collinear with "
                             f"{', '.join(involved)} (the design is not of full rank)")


def formula_text(response: str, factors=(), continuous=(), term: str = "arm") -> str:
    return f"{response} ~ " + " + ".join([term, *factors, *continuous])


def ancova(frame: pd.DataFrame, response: str, arms, control: str, factors=(), continuous=("base",),
           arm: str = "arm", subject: str | None = "usubjid", weighting: str = "observed",
           pairwise: bool = False, adjustment: str = "none", level: float = 0.95) -> AncovaResult:
    """ANCOVA of *response* on the arm (reference *control*) with categorical *factors* and *continuous* covariates.

    *frame* has one row per subject; *arms* the arms in the order shown
    (the control among them).  Raises :class:`ValueError` when a column is
    missing, an arm has no complete row, or the model has no residual
    degree of freedom.
    """
    from statsmodels.regression.linear_model import OLS
    from statsmodels.stats.multitest import multipletests

    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting {weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment {adjustment!r} is not one of {', '.join(ADJUSTMENTS)}")
    arms = [a for a in arms if a is not None]
    data, dropped = _complete(frame, response, arm, arms, factors, continuous, subject)
    counts = data[arm].value_counts()
    empty = [a for a in arms if counts.get(a, 0) == 0]
    if control in empty or len(arms) < 2:
        raise ValueError("the ANCOVA needs the control and at least one other arm with complete values")
    arms = [a for a in arms if a not in empty]
    active = [a for a in arms if a != control]
    labels = data[arm].to_numpy()
    dummies = [(labels == a).astype(float) for a in active]
    covariates, margin, names = _covariate_block(data, factors, continuous, weighting)
    x = np.column_stack([np.ones(len(data)), *dummies, *covariates])
    if len(data) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
        _not_estimable(x, ["intercept", *(f"arm {a}" for a in active), *names], "ANCOVA")
    fit = OLS(data[response].to_numpy(float), x).fit()
    alpha = 1 - level

    def contrast(vector):
        t = fit.t_test(np.asarray(vector, float)[None, :])
        low, high = np.asarray(t.conf_int(alpha=alpha)).ravel()
        return float(np.ravel(t.effect)[0]), float(np.ravel(t.sd)[0]), float(low), float(high), float(t.pvalue)

    def arm_vector(a):
        return [1.0] + [float(a == b) for b in active] + margin

    lsmeans = []
    for a in arms:
        est, se, low, high, _ = contrast(arm_vector(a))
        lsmeans.append(LSMean(a, int(counts[a]), est, se, low, high))
    differences = []
    for i, a in enumerate(active):
        e = np.zeros(x.shape[1])
        e[1 + i] = 1
        differences.append(Difference(a, control, *contrast(e)))
    pairs = []
    for i, a in enumerate(active):
        for j in range(i):
            e = np.zeros(x.shape[1])
            e[1 + i], e[1 + j] = 1, -1
            pairs.append(Difference(a, active[j], *contrast(e)))
    if pairwise and adjustment != "none" and pairs:
        adjusted = multipletests([d.p_value for d in pairs], method=adjustment)[1]
        pairs = [Difference(**{**vars(d), "p_adjusted": float(p), "adjustment": adjustment})
                 for d, p in zip(pairs, adjusted)]
    return AncovaResult(response, tuple(factors), tuple(continuous), formula_text(response, factors, continuous),
                        len(data), dropped, float(fit.df_resid), weighting, tuple(lsmeans), tuple(differences),
                        tuple(pairs) if pairwise else ())


def dose_trend(frame: pd.DataFrame, response: str, doses: dict, factors=(), continuous=("base",), arm: str = "arm",
               subject: str | None = "usubjid", level: float = 0.95) -> DoseTrend:
    """Test of a linear dose–response: *response* ~ dose + covariates, dose = ``doses[arm]`` (e.g. from TRTxxPN)."""
    from statsmodels.regression.linear_model import OLS

    doses = {a: float(d) for a, d in doses.items() if d is not None and np.isfinite(d)}
    if len(set(doses.values())) < 2:
        raise ValueError("a dose–response test needs at least two different doses")
    data, _ = _complete(frame, response, arm, list(doses), factors, continuous, subject)
    covariates, _, names = _covariate_block(data, factors, continuous, "observed")
    dose = data[arm].map(doses).to_numpy(float)
    x = np.column_stack([np.ones(len(data)), dose, *covariates])
    if len(data) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
        _not_estimable(x, ["intercept", "dose", *names], "dose–response model")
    fit = OLS(data[response].to_numpy(float), x).fit()
    low, high = fit.conf_int(1 - level)[1]
    return DoseTrend(formula_text(response, factors, continuous, "dose"), tuple(doses.items()), len(data),
                     float(fit.params[1]), float(fit.bse[1]), float(low), float(high), float(fit.pvalues[1]))
