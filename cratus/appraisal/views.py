"""Critical appraisal of a study's printed numbers: the study-first views the Appraisal page shows.

Each ``*_view`` function takes the :class:`~cratus.study.model.Study` first (so a
page can memoize it with ``ui.cached``) and returns tables and sentences for
one tab; the statistics live in :mod:`cratus.stats.between_arms`,
:mod:`cratus.stats.within_arm`, :mod:`cratus.stats.power` and :mod:`cratus.stats.multiplicity`,
the display in :mod:`cratus.appraisal.tables` and :mod:`cratus.appraisal.text`,
the audit in :mod:`cratus.appraisal.audit` and :mod:`cratus.appraisal.audit_display`.  Arms,
control and visits come from ``study.design``; n per arm from
:meth:`~cratus.study.model.Study.n_per_arm`; nothing here names a particular trial.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cratus.appraisal import tables as tables
from cratus.appraisal.text import (back_calculation_table, describe_back_calculation, describe_sample_size_claim,
                                   n_by_correlation_table, sensitivity_table)
from cratus.appraisal.audit import run_audit
from cratus.stats.between_arms import Contrast, compare_all_arms, compare_arms_from_stats, index_summary
from cratus.study.design import TOTAL
from cratus.formatting import format_number
from cratus.stats.multiplicity import adjust_p_values, multiplicity_families
from cratus.stats.power import Effect, judge_sample_size_claim, n_by_correlation, plan_next_trial, power_curve
from cratus.stats.within_arm import back_calculate_all, sd_doubtful, within_arm_results

# --- what the tabs show: small typed values ----------------------------------------------------
@dataclass(frozen=True, eq=False)
class BetweenArms:
    """The Between-arms tab (:func:`between_arm_view`)."""

    #: ``(heading, table)`` per follow-up visit with rows.
    follow_up: tuple[tuple[str, pd.DataFrame], ...]
    #: The baseline-balance table: standardized differences; Welch p labelled as chance only when asked.
    baseline: pd.DataFrame
    #: How many effects of the chosen arms are withheld.
    withheld: int
    #: The arm sizes assumed, in words.
    n_text: str


@dataclass(frozen=True, eq=False)
class WithinArmDetail:
    """One within-arm result (:func:`within_arm_detail`): its back-calculation row, sentence, verdict, table."""

    row: dict
    sentence: str
    verdict: str
    table: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Multiplicity:
    """The Multiplicity tab (:func:`multiplicity_view`): rows of the chosen arms shown, of all."""

    families: dict
    sentence: str
    table: pd.DataFrame
    shown: int
    total: int


@dataclass(frozen=True)
class PowerDefaults:
    """The effect a claimed "n per group" is checked against (:func:`power_defaults`)."""

    n_claimed: int
    endpoint: str
    arm: str
    difference: float
    sd: float
    unit: str
    source: str


@dataclass(frozen=True, eq=False)
class PowerView:
    """The Power tab (:func:`power_view`): the plan, and unless *note* says why the effect cannot be computed,
    the effect, the n needed for 80% and 90% power, the power at the claimed n and the n by correlation."""

    plan: pd.DataFrame
    note: str
    effect_size: float = math.nan
    n80: int = 0
    n90: int = 0
    n_claimed: int | None = None
    verdict: str = ""
    power_at_claim: float = math.nan
    sentence: str = ""
    readings: pd.DataFrame | None = None
    effect_source: str = ""
    difference: float = math.nan
    sd: float = math.nan
    table: pd.DataFrame | None = None


#: Facts of trial.csv describing a claimed sample size: "n per group", and for which endpoint and arm.
CLAIM_FACTS = ("claimed_n_per_arm", "claimed_n_endpoint", "claimed_n_arm")
#: Assumed pre–post correlations offered on the Within-arm tab's slider and sensitivity curve.
CORRELATIONS = tuple(np.round(np.arange(0, 0.991, 0.01), 2))


# --- shared results (computed once per study) ---------------------------------------------------
# These three stay cached here, keyed by the study: every tab's view (each cached at the edge per choice of arms)
# reads them, and recomputing them for each view and each new choice of arms costs seconds: the between-arms view
# of CRATUS takes 0.16–0.3 s with them and 2–3 s without, the forest view 0.03 s against 1.9–3.4 s
# (bench/bench_caches.py).  At most 8 studies are held.
@functools.lru_cache(maxsize=8)
def within_arm_back_calculation(study, n=None):
    """:func:`cratus.stats.within_arm.back_calculate_all` of every within-arm result of *study* (``n`` overrides n)."""
    within = within_arm_results(study.summary, study.p_values, study.design, study.n_per_arm(), study.endpoints)
    return back_calculate_all(within, n=n)


def _sem_columns(out, summary, doubtful_endpoints):
    """Add the comparison each row would give if "±" were an SEM (SD = SEM·√n), where ± cannot be an SD."""
    index = index_summary(summary)
    for column in ("sem_estimate", "sem_ci_low", "sem_ci_high", "sem_p_value"):
        out[column] = math.nan
    out["caution"] = ""
    for i, r in out.iterrows():
        if r["endpoint"] not in doubtful_endpoints or r["withheld"]:
            continue
        out.at[i, "caution"] = doubtful_endpoints[r["endpoint"]]
        if (not (r["sd"] > 0 and r["sd_reference"] > 0 and r["n"] >= 2 and r["n_reference"] >= 2)
                or (r["endpoint"], r["arm"], r["visit"], "mean") not in index):
            continue
        sem = compare_arms_from_stats(r["mean"], r["sd"] * math.sqrt(r["n"]), r["n"], r["mean_reference"],
                                      r["sd_reference"] * math.sqrt(r["n_reference"]), r["n_reference"]).iloc[0]
        for column in ("estimate", "ci_low", "ci_high", "p_value"):
            out.at[i, f"sem_{column}"] = sem[column]
    return out


@functools.lru_cache(maxsize=8)
def comparisons(study):
    """Every pair of arms (:meth:`~cratus.study.design.Design.pairs`) at every visit the summary allows.

    Rows whose endpoint has a printed "±" that cannot be an SD (see
    :func:`cratus.stats.within_arm.sd_doubtful`) carry ``caution`` and the ``sem_*``
    comparison under the SEM reading.
    """
    out = compare_all_arms(study.summary, study.design.pairs(), study.n_per_arm(),
                           discrepancies=study.discrepancies, names={a: study.design.short(a) for a in
                                                                     study.design.arm_ids})
    doubtful = {}
    for endpoint, arm in sorted(sd_doubtful(within_arm_back_calculation(study))):
        doubtful[endpoint] = (f"± may be an SEM, not an SD: the {study.design.short(arm)} within-arm p-value "
                              "cannot come from a paired t-test if ± is an SD (see Within-arm change)")
    return _sem_columns(out.copy(), study.summary, doubtful)


@functools.lru_cache(maxsize=8)
def audit_rows(study):
    """:func:`cratus.appraisal.audit.run_audit` of *study*, with the within-arm back-calculation."""
    return run_audit(study, within_arm_back_calculation(study))


# --- Between arms -----------------------------------------------------------------------------------
def between_arm_view(study, arms, visits=None, show_p=False) -> BetweenArms:
    """The Between-arms tab: follow-up comparisons with p-values, baseline balance without (by default).

    Returns
    -------
    BetweenArms

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> view = between_arm_view(study, study.design.arm_ids)
    >>> [heading for heading, _ in view.follow_up], "Welch p" in view.baseline
    (['At 6 months'], False)
    >>> same = between_arm_view(study, ["Allo-hMSC 100M", "Allo-hMSC 200M", "Placebo"])   # arms as named
    >>> same.follow_up[0][1].equals(view.follow_up[0][1])
    True
    """
    design = study.design
    arms = tuple(design.order(arms))   # ids, or the names a reader sees
    visits = design.later_visits if visits is None else tuple(design.order_visits(visits))
    frame = comparisons(study)
    follow_up = []
    for visit in design.order_visits(visits):
        view = tables.comparisons_view(frame, study.summary, study.endpoints, design, arms, (visit,))
        if len(view):
            follow_up.append((f"At {design.visit_label(visit).lower()}", tables.comparison_table(view)))
    base = tables.comparisons_view(frame, study.summary, study.endpoints, design, arms, (design.baseline,))
    sizes = study.n_per_arm()
    n_text = ", ".join(f"{design.short(a)} {format_number(sizes[a])}" for a in design.order(arms) if a in sizes
                       and a != TOTAL)
    chosen = frame[frame["arm"].isin(arms) & frame["reference"].isin(arms)]
    return BetweenArms(tuple(follow_up), tables.comparison_table(base, baseline=True, show_p=show_p),
                       int((chosen["withheld"] != "").sum()), n_text)


def forest_view(study, arms, visits=None):
    """The follow-up comparisons of *arms* as :func:`~cratus.appraisal.tables.comparisons_view` rows (for the forest plot)."""
    design = study.design
    arms = tuple(design.order(arms))
    visits = design.later_visits if visits is None else tuple(design.order_visits(visits))
    view = tables.comparisons_view(comparisons(study), study.summary, study.endpoints, design, arms, visits)
    return view[view["withheld"] == ""].reset_index(drop=True)


# --- Within arm --------------------------------------------------------------------------------------
def _key(row):
    return f"{row['endpoint']}:{row['arm']}"


def within_arm_view(study, arms):
    """The Within-arm tab's list: ``(options, table)``, options ``{key: "label, arm"}`` of results of *arms*."""
    results = within_arm_back_calculation(study)
    chosen = results[results["arm"].isin(study.design.order(arms))]
    options = {_key(r): f"{r['label']}, {study.design.short(r['arm'])}" for r in chosen.to_dict("records")}
    return options, back_calculation_table(chosen, study.design, study.endpoints)


def within_arm_row(study, key, n=None):
    """One row of :func:`within_arm_back_calculation` by its ``endpoint:arm`` key, with n pairs *n*."""
    results = within_arm_back_calculation(study, None if n is None else int(n))
    found = results[[_key(r) == key for r in results.to_dict("records")]]
    if found.empty:
        raise ValueError(f"no within-arm result {key!r} with mean ± SD at both visits")
    return found.iloc[0]


def within_arm_detail(study, key, n, correlation) -> WithinArmDetail:
    """The chosen within-arm result."""
    row = within_arm_row(study, key, n)
    return WithinArmDetail(row.to_dict(), describe_back_calculation(row), row["verdict"],
                           sensitivity_table(row, correlation))


# --- Multiplicity ------------------------------------------------------------------------------------
def multiplicity_view(study, family, alpha, arms) -> Multiplicity:
    """The Multiplicity tab (rows of *arms* shown)."""
    families = multiplicity_families(study.p_values, study.endpoints)
    adjusted = adjust_p_values(study.p_values, family, study.endpoints, alpha)
    table = tables.multiplicity_table(adjusted, study.design, study.endpoints, families)
    keep = (adjusted["arm"].isin(study.design.order(arms)) | ~adjusted["arm"].isin(study.design.arm_ids)).to_numpy()
    return Multiplicity(families, tables.summarize_adjustment(adjusted, study.design, alpha, study.endpoints),
                        table[keep].reset_index(drop=True), int(keep.sum()), len(adjusted))


# --- Power -------------------------------------------------------------------------------------------
def endpoints_with_estimates(study):
    """Endpoints for which some arm has a printed mean or median (level-free), in dictionary order."""
    found = {e for (e, a, _, s) in index_summary(study.summary) if s in ("mean", "median")
             and a in study.design.arm_ids}
    return [e for e in study.endpoints["endpoint"] if e in found]


def power_defaults(study) -> PowerDefaults | None:
    """The effect a claimed "n per group" (trial.csv) is checked against, from the printed summary.

    The difference is the claim arm's between-arm difference from the
    control at follow-up when both are printed, else its within-arm change
    (baseline to follow-up); the SD is the whole trial's baseline SD, else
    the claim arm's.  ``None`` when the study states no claim.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> found = power_defaults(load_study())
    >>> found.n_claimed, round(found.difference, 1), found.sd
    (30, 64.8, 112.9)
    """
    claimed, endpoint, arm = (study.fact(k) for k in CLAIM_FACTS)
    if not (claimed and endpoint and arm):
        return None
    design, index = study.design, index_summary(study.summary)
    label, unit = study.label(endpoint), str(study.endpoint_info(endpoint).get("unit") or "")

    def value(a, v, s):
        row = index.get((endpoint, a, v, s))
        return (float(row["value"]), str(row.get("printed") or format_number(row["value"])), row["source"]) \
            if row else None

    after, before, control = (value(arm, design.follow_up, "mean"), value(arm, design.baseline, "mean"),
                              value(design.control, design.follow_up, "mean") if design.control else None)
    sd = value(TOTAL, design.baseline, "sd") or value(arm, design.baseline, "sd")
    if after is None or sd is None or (before is None and control is None):
        return None
    u = f" {unit}" if unit and unit != "points" else ""
    if control is not None:
        difference = after[0] - control[0]
        what = (f"{design.short(arm)} − {design.short(design.control)} at {design.visit_label(design.follow_up)}"
                f" ({after[1]} − {control[1]}{u})")
    else:
        difference = after[0] - before[0]
        what = (f"the {design.short(arm)} arm's change in {label} ({after[1]} − {before[1]} = "
                f"{format_number(difference, max(len(after[1].partition('.')[2]), 0))}{u}, {after[2]}); the "
                f"between-arm estimate cannot be recomputed: the {design.short(design.control)} arm's "
                f"{design.visit_label(design.follow_up).lower()} value is not printed in the text")
    return PowerDefaults(int(float(claimed)), endpoint, arm, difference, sd[0], unit,
                         f"Defaults: {what}; SD {sd[1]}{u} at baseline ({sd[2]}).")


def power_view(study, endpoint, arm, reference, difference=None, sd=None, alpha=0.05) -> PowerView:
    """The Power tab: plan, power at the claimed n, and the n needed by pre–post correlation and analysis.

    Returns
    -------
    PowerView
        ``plan`` is the :func:`cratus.stats.power.plan_next_trial` frame,
        ``readings`` the :func:`cratus.stats.power.n_by_correlation` frame and
        ``table`` it, for reading.
    """
    design = study.design
    if (difference is None) != (sd is None):
        raise ValueError("give both difference and sd, or neither")
    plan = plan_next_trial(study.summary, Contrast(endpoint, arm, reference, design.follow_up), study.n_per_arm(),
                           None if difference is None else Effect(difference, sd), power=(0.8, 0.9), alpha=alpha)
    note = plan["note"].iloc[0]
    if note:
        return PowerView(plan, note)
    difference, sd = float(plan["difference"].iloc[0]), float(plan["sd"].iloc[0])
    # the claim is about one endpoint: other endpoints get the n needed without a verdict on it
    claimed = (int(float(study.fact(CLAIM_FACTS[0]) or 0)) or None) if study.fact(CLAIM_FACTS[1]) == endpoint else None
    judged = judge_sample_size_claim(difference, sd, claimed or 2, alpha=alpha)
    unit = str(study.endpoint_info(endpoint).get("unit") or "")
    unit = "" if unit == "points" else unit
    d = float(plan["effect_size"].iloc[0])
    readings = n_by_correlation(difference, sd, alpha=alpha)
    return PowerView(
        plan, note, effect_size=abs(d), n80=int(plan["n_per_arm"].iloc[0]), n90=int(plan["n_per_arm"].iloc[1]),
        n_claimed=claimed, verdict=judged["verdict"] if claimed else "",
        power_at_claim=float(power_curve(d, [claimed], alpha)["power"].iloc[0]) if claimed else math.nan,
        sentence=describe_sample_size_claim(difference, sd, claimed, judged, alpha, unit), readings=readings,
        effect_source=plan["effect_source"].iloc[0], difference=difference, sd=sd,
        table=n_by_correlation_table(readings))
