"""Repeated measures over all post-baseline visits: LS means by visit and arm, differences from the control.

:func:`mmrm` fits the usual MMRM mean model — treatment, visit, treatment-by-visit, baseline and baseline-by-visit,
plus the reader's other covariates as main effects — to every post-baseline record of the subjects (long format,
one row per subject and visit).  Three covariance structures and estimators (:data:`COVARIANCES`):

* ``"unstructured"``: a mixed model (statsmodels ``MixedLM``, REML) with a random effect per visit with an
  unstructured covariance matrix G, plus the residual variance σ², so that a subject's visits have covariance
  Σ = G + σ²I — any positive-definite matrix.  statsmodels has no ``R``-side unstructured covariance (SAS
  ``REPEATED / TYPE=UN``, R ``mmrm::us()``); this G-side form has the same likelihood, as Σ is all it depends on
  (σ² and G's diagonal are not separately identified; only Σ is reported).  On complete data it reproduces the
  per-visit ANCOVAs' estimates and standard errors (the closed form; tests/test_stats_mmrm.py).  It is slow in
  statsmodels (a Python loop per subject for k(k+1)/2 covariance parameters): beyond
  :data:`UNSTRUCTURED_BUDGET` it is not tried and says so.
* ``"compound symmetry"``: a mixed model (``MixedLM``, REML) with a random intercept per subject — one variance
  and one covariance shared by all visits (SAS ``TYPE=CS``).
* ``"GEE unstructured"``: generalised estimating equations (statsmodels ``GEE``, Gaussian, identity link) with an
  unstructured working correlation (``cov_struct.Unstructured``) and robust (sandwich) standard errors — a
  marginal model, valid only if data are missing completely at random; not the likelihood-based MMRM.  Faster
  than the unstructured mixed model and tried at any size (bench_protocol.py: 3.5 s of CPU for 10,000 subjects
  at 3 visits, against 20 s).

The two mixed models are likelihood-based: subjects with a missed visit contribute the visits they have, which
is valid when the data are missing at random given the model.  Inference is Wald (normal; statsmodels reports z);
SAS and R's ``mmrm`` use Kenward–Roger or Satterthwaite degrees of freedom, which give slightly wider intervals in
small trials.  A fit that does not converge or a design that is not of full rank raises :class:`ValueError`
naming why, never a number from a failed fit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cratus.stats.ancova import WEIGHTINGS

COVARIANCES = {
    "unstructured": "mixed model for repeated measures (statsmodels MixedLM, REML), unstructured covariance "
                    "between visits (a random effect per visit plus residual: Σ = G + σ²I)",
    "compound symmetry": "mixed model for repeated measures (statsmodels MixedLM, REML), compound symmetry (a "
                         "random intercept per subject: one variance, one covariance between any two visits)",
    "GEE unstructured": "generalised estimating equations (statsmodels GEE, Gaussian) with an unstructured working "
                        "correlation between visits and robust (sandwich) standard errors: a marginal model, not "
                        "the likelihood-based MMRM",
}
MISSING = {"unstructured": "valid if missing at random given the model",
           "compound symmetry": "valid if missing at random given the model",
           "GEE unstructured": "valid only if missing completely at random"}
#: subjects × q², q = k(k+1)/2 covariance parameters for k visits, beyond which the unstructured REML fit is not
#: tried: about 10 s.  Measured with statsmodels' MixedLM (2 shared cores): 3 visits × 254 subjects (9,144) 0.6 s;
#: 3 visits × 10,000 (360,000) 20 s of CPU; 9 visits × 230 subjects (465,750) 30–73 s.
UNSTRUCTURED_BUDGET = 120_000


@dataclass(frozen=True)
class VisitEstimate:
    """An LS mean (``reference`` empty) or a difference of LS means (*arm* − *reference*) at one visit."""

    visit: str
    arm: str
    n: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float = np.nan
    reference: str = ""


@dataclass(frozen=True)
class MmrmResult:
    response: str
    factors: tuple
    continuous: tuple
    covariance: str
    formula: str
    visits: tuple
    n_subjects: int
    n_records: int
    dropped: tuple
    weighting: str
    lsmeans: tuple
    differences: tuple
    covariance_matrix: tuple  # the fitted Σ between visits, rows and columns in *visits*' order
    boundary: bool = False  # statsmodels warned that the REML estimate is on the boundary (a variance at zero)

    def table(self) -> pd.DataFrame:
        """One row per visit and arm: n, LS mean (SE, CI), and for an active arm the difference from the control."""
        diffs = {(d.visit, d.arm): d for d in self.differences}
        rows = []
        for m in self.lsmeans:
            d = diffs.get((m.visit, m.arm))
            rows.append({"visit": m.visit, "arm": m.arm, "n": m.n, "ls_mean": m.estimate, "se": m.se,
                         "difference": d.estimate if d else np.nan, "difference_se": d.se if d else np.nan,
                         "difference_ci_low": d.ci_low if d else np.nan,
                         "difference_ci_high": d.ci_high if d else np.nan, "p_value": d.p_value if d else np.nan})
        return pd.DataFrame(rows)

    def words(self) -> str:
        left = (f"{len(self.dropped)} subject{'s' if len(self.dropped) != 1 else ''} left out for a missing "
                "covariate" if self.dropped else "no subject left out for a missing covariate")
        description = COVARIANCES[self.covariance]
        return (f"{description[0].upper() + description[1:]}: {self.formula}; the control is the reference. "
                f"{self.n_records} records of {self.n_subjects} subjects at {len(self.visits)} post-baseline visits "
                f"({left}); a subject with a missed visit contributes the visits recorded "
                f"({MISSING[self.covariance]}). LS means: "
                f"{WEIGHTINGS[self.weighting]}. Wald 95% CIs and z-tests (no Kenward–Roger degrees of freedom, "
                "which SAS and R's mmrm use: slightly narrower here in small trials); p-values not adjusted for "
                "multiplicity."
                + (" statsmodels warned that the covariance estimate lies on the boundary of its parameter space "
                   "(a variance component estimated at zero, e.g. no correlation between a subject's visits); "
                   "the estimates stand, the covariance structure is simpler than named." if self.boundary else ""))


def formula_text(response: str, factors=(), continuous=("base",)) -> str:
    terms = ["arm * visit", *(f"{c} * visit" if c == "base" else c for c in continuous), *factors]
    return f"{response} ~ " + " + ".join(terms)


def _long(frame, response, arm, visit, subject, arms, factors, continuous):
    columns = [response, arm, visit, subject, *factors, *continuous]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the mixed model needs column(s) the data lack: {', '.join(missing)}")
    data = frame[frame[arm].isin(arms) & frame[response].notna()]
    ok = data[[*factors, *continuous]].notna().all(axis=1)
    dropped = tuple(pd.unique(data.loc[~ok, subject]))
    return data[ok], dropped


def _design(data, arm, visit, subject, visits, active, factors, continuous, weighting):
    """The fixed-effects matrix (cell means by visit) and, per column, the subjects' margin for LS means."""
    v = data[visit].astype(str).to_numpy()
    a = data[arm].astype(str).to_numpy()
    per_subject = data.drop_duplicates(subject)
    columns, names, margin = [], [], []
    for w in visits:
        columns.append((v == w).astype(float))
        names.append(("visit", w, ""))
        margin.append(None)
    for w in visits:
        for b in active:
            columns.append(((v == w) & (a == b)).astype(float))
            names.append(("arm", w, b))
            margin.append(None)
    for c in continuous:
        x = data[c].to_numpy(float)
        mean = float(per_subject[c].astype(float).mean())
        for w in visits if c == "base" else [None]:
            columns.append(x * (v == w) if w is not None else x)
            names.append(("cov", w or "", c))
            margin.append(mean)
    for f in factors:
        levels = sorted(pd.unique(data[f].astype(str)))
        values = data[f].astype(str).to_numpy()
        for level in levels[1:]:
            columns.append((values == level).astype(float))
            names.append(("factor", "", f"{f}={level}"))
            margin.append(float((per_subject[f].astype(str) == level).mean()) if weighting == "observed"
                          else 1 / len(levels))
    return np.column_stack(columns), names, margin


def _check_cells(data, arm, visit, visits, arms):
    counts = data.groupby([visit, arm], observed=True).size()
    for w in visits:
        for b in arms:
            if counts.get((w, b), 0) == 0:
                raise ValueError(f"not estimable: {b} has no value at {w} (an arm-by-visit mean needs one)")


def _fit(y, x, groups, covariance, visit_codes, n_visits):
    """(fixed effects, their covariance, Σ between visits, on the boundary?) of the model named by *covariance*."""
    if covariance == "GEE unstructured":
        return _fit_gee(y, x, groups, visit_codes, n_visits)
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    exog_re = None
    if covariance == "unstructured":
        n_groups = len(pd.unique(groups))
        if n_groups * (n_visits * (n_visits + 1) // 2) ** 2 > UNSTRUCTURED_BUDGET:
            raise ValueError(f"not computed here: statsmodels' unstructured REML fit of {n_visits} visits and "
                             f"{n_groups} subjects would take minutes (measured: 9 visits and 230 subjects 30–70 s); "
                             "choose compound symmetry or the GEE with an unstructured working correlation")
        exog_re = np.zeros((len(y), n_visits))
        exog_re[np.arange(len(y)), visit_codes] = 1.0
    model = MixedLM(y, x, groups, exog_re=exog_re)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as error:
            raise ValueError(f"not estimable: the {covariance} REML fit failed ({str(error).splitlines()[0]}); "
                             "try another covariance structure") from None
    messages = [str(w.message).splitlines()[0] for w in caught if issubclass(w.category, ConvergenceWarning)]
    failed = [m for m in messages if "boundary" not in m]
    cov = np.asarray(fit.cov_params(), float)[:x.shape[1], :x.shape[1]]
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    if not fit.converged or failed or not np.isfinite(se).all():
        why = failed[0] if failed else "no finite standard errors" if fit.converged else "it did not converge"
        raise ValueError(f"not estimable: the {covariance} REML fit failed ({why}); try another covariance "
                         "structure")
    g = np.asarray(fit.cov_re, float)
    if covariance == "compound symmetry":
        g = np.full((n_visits, n_visits), float(g.ravel()[0]))
    sigma = g + float(fit.scale) * np.eye(n_visits)
    return np.asarray(fit.fe_params, float), cov, sigma, any("boundary" in m for m in messages)


def _fit_gee(y, x, groups, visit_codes, n_visits):
    """Gaussian GEE with an unstructured working correlation (statsmodels ``GEE``, ``cov_struct=Unstructured()``,
    the visit's position as ``time``), robust (sandwich) covariance of the estimates."""
    from statsmodels.genmod.cov_struct import Unstructured
    from statsmodels.genmod.generalized_estimating_equations import GEE
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    order = np.argsort(groups, kind="stable")  # GEE takes a subject's records together
    model = GEE(y[order], x[order], groups[order], time=np.asarray(visit_codes, int)[order],
                cov_struct=Unstructured())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = model.fit()
        except (np.linalg.LinAlgError, ValueError, IndexError) as error:
            raise ValueError(f"not estimable: the GEE fit failed ({str(error).splitlines()[0]}); try another "
                             "covariance structure") from None
    failed = [str(w.message).splitlines()[0] for w in caught if issubclass(w.category, ConvergenceWarning)]
    cov = np.asarray(fit.cov_params(), float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov))
    if failed or not np.isfinite(se).all() or not np.isfinite(fit.params).all():
        raise ValueError(f"not estimable: the GEE fit failed ({failed[0] if failed else 'no finite standard errors'})"
                         "; try another covariance structure")
    corr = np.asarray(fit.cov_struct.dep_params, float)
    return np.asarray(fit.params, float), cov, corr * float(fit.scale), False


def mmrm(frame: pd.DataFrame, response: str, arms, control: str, factors=(), continuous=("base",),
         arm: str = "arm", visit: str = "visit", subject: str = "usubjid", covariance: str = "unstructured",
         weighting: str = "observed", visits=None, level: float = 0.95) -> MmrmResult:
    """MMRM of *response* (long *frame*: one row per subject and post-baseline visit) with *control* as reference.

    *arms* in the order shown; *visits* in their order (default: as they appear).  Raises :class:`ValueError`
    ("not estimable: why") for a missing column, fewer than two visits, an arm without a value at a visit, a
    design not of full rank (a constant or collinear covariate), or a fit that does not converge.
    """
    if covariance not in COVARIANCES:
        raise ValueError(f"covariance {covariance!r} is not one of {', '.join(COVARIANCES)}")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting {weighting!r} is not one of {', '.join(WEIGHTINGS)}")
    arms = [a for a in arms if a is not None]
    data, dropped = _long(frame, response, arm, visit, subject, arms, tuple(factors), tuple(continuous))
    data = data.assign(**{visit: data[visit].astype(str), arm: data[arm].astype(str)})
    visits = [str(w) for w in (visits if visits is not None else pd.unique(data[visit])) if (data[visit] == str(w)).any()]
    if len(visits) < 2:
        raise ValueError("not estimable: a repeated-measures model needs at least two post-baseline visits "
                         "(with one, use the ANCOVA)")
    arms = [a for a in arms if (data[arm] == a).any()]
    if control not in arms or len(arms) < 2:
        raise ValueError("not estimable: the control and at least one other arm need values after baseline")
    _check_cells(data, arm, visit, visits, arms)
    active = [a for a in arms if a != control]
    x, names, margin = _design(data, arm, visit, subject, visits, active, factors, continuous, weighting)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("not estimable: the design is not of full rank (a covariate is constant or collinear "
                         "with the arms or visits)")
    if len(data) <= x.shape[1] + len(visits) or data[subject].nunique() < 3:
        raise ValueError(f"not estimable: {len(data)} records of {data[subject].nunique()} subjects for "
                         f"{x.shape[1]} mean parameters and the covariance")
    codes = pd.Categorical(data[visit], categories=visits).codes
    beta, cov, sigma, boundary = _fit(data[response].to_numpy(float), x, data[subject].astype(str).to_numpy(),
                                      covariance, codes, len(visits))
    z = stats.norm.ppf(0.5 + level / 2)

    def contrast(vector):
        c = np.asarray(vector, float)
        est, se = float(c @ beta), float(np.sqrt(c @ cov @ c))
        return est, se, est - z * se, est + z * se, float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan

    counts = data.groupby([visit, arm], observed=True)[subject].nunique()
    lsmeans, differences = [], []
    for w in visits:
        for b in arms:
            c = [float(kind == "visit" and vis == w) + float(kind == "arm" and vis == w and lab == b)
                 + (m if m is not None and (vis in ("", w)) else 0.0) for (kind, vis, lab), m in zip(names, margin)]
            est, se, low, high, _ = contrast(c)
            lsmeans.append(VisitEstimate(w, b, int(counts[(w, b)]), est, se, low, high))
            if b != control:
                e = [float(kind == "arm" and vis == w and lab == b) for kind, vis, lab in names]
                differences.append(VisitEstimate(w, b, int(counts[(w, b)]), *contrast(e), reference=control))
    return MmrmResult(response, tuple(factors), tuple(continuous), covariance,
                      formula_text(response, factors, continuous), tuple(visits), int(data[subject].nunique()),
                      len(data), dropped, weighting, tuple(lsmeans), tuple(differences),
                      tuple(map(tuple, sigma)), boundary)
