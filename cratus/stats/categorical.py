"""Ordered categorical and binary endpoints by arm: distributions, tests that respect the order, proportions.

Ordered categories (a 1–7 rating, "Marked improvement" … "Marked worsening"):

* :func:`distribution`: n and % per category and arm, categories in their
  order (as given, else sorted);
* :func:`ordinal_tests`: each arm against the control.  Without strata the
  Wilcoxon–Mann–Whitney test (``scipy.stats.mannwhitneyu``, normal
  approximation with the tie correction — ties are the rule with a few
  categories).  With strata (a pooled site, a stratification factor) the
  van Elteren test, computed as the Cochran–Mantel–Haenszel mean-score
  statistic with modified ridit scores (Landis JR, Heyman ER, Koch GG.
  Int Stat Rev 1978;46:237–54; van Elteren PH. Bull Int Stat Inst 1960;37:351–61;
  SAS PROC FREQ ``CMH2 SCORES=MODRIDIT``), 1 df.  No library in the project's
  dependencies has the mean-score statistic, so :func:`cmh_mean_score` writes
  it out; its tests compare it with statsmodels and scipy where they coincide.

Binary endpoints (:func:`binary_summary`): proportions with Clopper–Pearson
exact 95% CIs (statsmodels ``proportion_confint(method="beta")``); per arm
against the control the difference with Newcombe's hybrid-score CI
(``confint_proportions_2indep(method="newcomb")``), the odds ratio with
Woolf's logit CI (``Table2x2``; 0.5 added to every cell when one is zero,
Haldane's correction, flagged in ``haldane``) and Fisher's exact test; with
strata the Mantel–Haenszel odds ratio (Robins–Breslow–Greenland CI) and the
CMH test (``StratifiedTable``, no continuity correction) — the difference
stays the crude (unstratified) one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

WMW = ("Wilcoxon–Mann–Whitney test (Mann & Whitney 1947; scipy mannwhitneyu, normal approximation with tie "
       "correction and a continuity correction of 0.5)")
VAN_ELTEREN = ("van Elteren test: CMH mean-score statistic with modified ridit scores, stratified by {strata}, no "
               "continuity correction (van Elteren 1960; Landis, Heyman & Koch 1978)")
FISHER = "Fisher's exact test (scipy fisher_exact)"
CMH = "Cochran–Mantel–Haenszel test stratified by {strata} (statsmodels StratifiedTable, no continuity correction)"


@dataclass(frozen=True)
class OrdinalTest:
    arm: str
    reference: str
    test: str
    statistic: float
    p_value: float
    n: int
    n_reference: int
    strata: str | None = None


@dataclass(frozen=True)
class BinaryArm:
    arm: str
    n: int
    events: int
    proportion: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class BinaryComparison:
    arm: str
    reference: str
    difference: float
    difference_ci_low: float
    difference_ci_high: float
    odds_ratio: float
    odds_ratio_ci_low: float
    odds_ratio_ci_high: float
    p_value: float
    test: str
    strata: str | None = None
    haldane: bool = False  # 0.5 added to every cell of the 2×2 table for the odds ratio (a zero cell)


def categories_of(values: pd.Series, order=None) -> list:
    """The categories in order: *order* (those present first), else a categorical's, else sorted."""
    present = list(pd.unique(values.dropna()))
    if order is not None:
        return [c for c in order if c in present] + [c for c in present if c not in order]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if c in present]
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def distribution(frame: pd.DataFrame, value: str, arms, arm: str = "arm", order=None) -> pd.DataFrame:
    """n and % of each category per arm (% of the arm's subjects with a value): ``arm, category, n, n_arm, percent``."""
    data = frame[frame[arm].isin(arms) & frame[value].notna()]
    cats = categories_of(data[value], order)
    counts = pd.crosstab(data[arm], data[value]).reindex(index=list(arms), columns=cats, fill_value=0)
    long = counts.stack().rename("n").reset_index()
    long.columns = ["arm", "category", "n"]
    long["n_arm"] = long["arm"].map(counts.sum(axis=1))
    long["percent"] = np.where(long["n_arm"] > 0, 100 * long["n"] / long["n_arm"].where(long["n_arm"] > 0, 1), np.nan)
    return long


def cmh_mean_score(table: np.ndarray, scores: str | np.ndarray = "modridit") -> tuple[float, float]:
    """CMH mean-score statistic (2 rows × ordered columns × strata) and its chi-square(1) p-value.

    *table* has shape (strata, 2, categories).  *scores*: ``"modridit"``
    (van Elteren), ``"rank"`` (mid-ranks), or numbers per category.  Per
    stratum h with row-1 total n₁ₕ, total nₕ, column totals n₊ⱼₕ and scores aⱼₕ:
    Tₕ = Σⱼ aⱼₕ n₁ⱼₕ, E = n₁ₕ āₕ, V = n₁ₕ(nₕ − n₁ₕ)/(nₕ − 1) · Σⱼ n₊ⱼₕ(aⱼₕ − āₕ)²/nₕ;
    Q = (Σ T − E)² / Σ V (Landis, Heyman & Koch 1978).
    """
    table = np.asarray(table, float)
    num = var = 0.0
    for stratum in table:
        cols = stratum.sum(axis=0)
        n = cols.sum()
        n1 = stratum[0].sum()
        if n < 2 or n1 == 0 or n1 == n:
            continue
        if isinstance(scores, str):
            ranks = np.cumsum(cols) - (cols - 1) / 2  # mid-ranks of each category
            a = ranks / (n + 1) if scores == "modridit" else ranks
        else:
            a = np.asarray(scores, float)
        mean = (cols * a).sum() / n
        num += (stratum[0] * a).sum() - n1 * mean
        var += n1 * (n - n1) / (n - 1) * (cols * (a - mean) ** 2).sum() / n
    if var <= 0:
        return np.nan, np.nan
    q = num ** 2 / var
    return float(q), float(stats.chi2.sf(q, 1))


def ordinal_tests(frame: pd.DataFrame, value: str, arms, control: str, arm: str = "arm", strata: str | None = None,
                  order=None) -> tuple:
    """Each arm against *control*: Wilcoxon–Mann–Whitney, or van Elteren stratified by *strata*."""
    data = frame[frame[value].notna() & (frame[strata].notna() if strata else True)]
    cats = categories_of(data[value], order)
    rank = {c: i for i, c in enumerate(cats)}
    out = []
    ref = data[data[arm] == control]
    for a in arms:
        rows = data[data[arm] == a]
        if a == control or rows.empty or ref.empty:
            continue
        if strata is None:
            x, y = rows[value].map(rank).to_numpy(float), ref[value].map(rank).to_numpy(float)
            if np.unique(np.concatenate([x, y])).size < 2:
                stat, p = np.nan, np.nan
            else:
                test = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
                stat, p = float(test.statistic), float(test.pvalue)
            out.append(OrdinalTest(a, control, WMW, stat, p, len(rows), len(ref)))
            continue
        both = pd.concat([rows, ref])
        cube = pd.crosstab([both[strata], both[arm]], both[value]).reindex(columns=cats, fill_value=0)
        table = np.stack([cube.xs(s, level=0).reindex([a, control], fill_value=0).to_numpy()
                          for s in cube.index.get_level_values(0).unique()])
        q, p = cmh_mean_score(table, "modridit")
        out.append(OrdinalTest(a, control, VAN_ELTEREN.format(strata=strata), q, p, len(rows), len(ref), strata))
    return tuple(out)


def _is_event(series: pd.Series, event) -> np.ndarray:
    if event is not None:
        return (series == event).to_numpy()
    text = series.astype(str).str.strip().str.upper()
    return text.isin({"Y", "YES", "1", "1.0", "TRUE"}).to_numpy()


def binary_summary(frame: pd.DataFrame, value: str, arms, control: str, arm: str = "arm", strata: str | None = None,
                   event=None) -> tuple[tuple, tuple]:
    """Per arm the proportion with its exact CI; per active arm the difference, odds ratio and test vs *control*.

    An event is ``value == event``, else a ``Y``/``1``/``TRUE`` value.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    data = frame[frame[value].notna() & frame[arm].isin(arms) & (frame[strata].notna() if strata else True)]
    data = data.assign(_event=_is_event(data[value], event))
    per_arm = []
    for a in arms:
        e = data.loc[data[arm] == a, "_event"]
        if len(e) == 0:
            continue
        low, high = proportion_confint(int(e.sum()), len(e), method="beta")
        per_arm.append(BinaryArm(a, len(e), int(e.sum()), float(e.mean()), float(low), float(high)))
    found = {b.arm: b for b in per_arm}
    comparisons = []
    ref = found.get(control)
    for b in per_arm:
        if ref is None or b.arm == control:
            continue
        low, high = confint_proportions_2indep(b.events, b.n, ref.events, ref.n, method="newcomb", compare="diff")
        table = np.array([[b.events, b.n - b.events], [ref.events, ref.n - ref.events]], float)
        haldane = False
        if strata is None:
            haldane = bool((table == 0).any())
            t = Table2x2(table + (0.5 if haldane else 0))  # Haldane's 0.5 where a cell is empty
            odds, (o_low, o_high) = t.oddsratio, t.oddsratio_confint()
            p, test = float(stats.fisher_exact(table).pvalue), FISHER
        else:
            both = data[data[arm].isin([b.arm, control])]
            tables = [np.array([[((g[arm] == r) & g["_event"]).sum(), ((g[arm] == r) & ~g["_event"]).sum()]
                                for r in (b.arm, control)], float) for _, g in both.groupby(strata, observed=True)]
            usable = [t for t in tables if t.sum(axis=1).min() > 0]  # strata with both arms
            test = CMH.format(strata=strata)
            if usable:
                st = StratifiedTable(usable)
                odds, (o_low, o_high) = st.oddsratio_pooled, st.oddsratio_pooled_confint()
                p = float(st.test_null_odds(correction=False).pvalue)
            else:  # no stratum holds both arms: nothing to compare within strata
                odds = o_low = o_high = p = np.nan
        comparisons.append(BinaryComparison(b.arm, control, b.proportion - ref.proportion, float(low), float(high),
                                            float(odds), float(o_low), float(o_high), p, test, strata, haldane))
    return tuple(per_arm), tuple(comparisons)
