"""Sentences and display tables of the within-arm back-calculation and of the power analysis.

Takes the tidy frames of :mod:`cratus.stats.within_arm` and :mod:`cratus.stats.power`
and returns plain sentences and frames of text for the screen.  Every test
the paper's numbers are compared with is stated as an assumption ("assuming
a paired t-test"); printed numbers keep their printed digits.
"""

from __future__ import annotations

import math

import pandas as pd

from cratus.appraisal.tables import format_alpha, format_estimate
from cratus.formatting import MINUS, decimals_of, format_number, format_p
from cratus.stats.power import ANALYSES, effect_needed_for_n, power_curve, sample_size
from cratus.stats.within_arm import PLAUSIBLE_RHO, VERY_UNLIKELY, change_sensitivity, paired_p

BACK_TABLE_COLUMNS = ["Result", "Baseline → follow-up", "n", "Paper's p", "Correlation needed", "Verdict",
                      "Probability"]


def _r(value):
    return f"{value:.3f}".replace("-", MINUS)


def _probability(p):
    """A probability to read: ``.15``, ``.0009``, ``< .000001``."""
    if pd.isna(p):
        return ""
    if p < 1e-6:
        return "< .000001"
    digits = max(2, -math.floor(math.log10(p)) + 1)
    text = f"{p:.{digits}f}"
    return text[1:] if text.startswith("0.") else text


def _pre_post(row):
    """``mean ± SD → mean ± SD`` exactly as printed."""
    printed = row.get("printed")
    if isinstance(printed, (tuple, list)) and len(printed) == 4:
        return f"{printed[0]} ± {printed[1]} → {printed[2]} ± {printed[3]}"
    return (f"{format_number(row['mean_pre'])} ± {format_number(row['sd_pre'])} → "
            f"{format_number(row['mean_post'])} ± {format_number(row['sd_post'])}")


def correlation_needed(row):
    """The implied correlation in words: ``0.956 (0.953 to 0.958)``, ``above 0.800``, ``any``, ``none ...``."""
    if not row["consistent"]:
        return f"none from {MINUS}1 to 1"
    if row["relation"] == "<":
        return "any" if row["correlation_low"] <= -1 + 1e-9 else f"above {_r(row['correlation_low'])}"
    return f"{_r(row['correlation'])} ({_r(row['correlation_low'])} to {_r(row['correlation_high'])})"


def probability_text(row):
    """The probability behind a verdict, with what it assumes."""
    if row["verdict"] == "impossible":
        return "0 (no r reproduces p)"
    if pd.isna(row["probability"]):
        return "—"
    side = "≥" if row["correlation_low"] > row["rho_reference"] else "≤"
    bound = row["correlation_low"] if side == "≥" else row["correlation_high"]
    return f"{_probability(row['probability'])} (r {side} {_r(bound)} if ρ = {row['rho_reference']:g})"


def back_calculation_table(results, design, endpoints=None):
    """A table for reading of :func:`cratus.stats.within_arm.back_calculate_all`.

    Examples
    --------
    >>> from cratus.study.design import make_design
    >>> from cratus.stats.within_arm import back_calculate_all
    >>> d = make_design([("a", "Drug A", "A", False)], [("w0", "Week 0", "baseline"), ("w12", "Week 12", "")])
    >>> w = pd.DataFrame([{"endpoint": "walk", "label": "Walk", "arm": "a", "visit": "w12", "mean_pre": 345.9,
    ...     "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "printed": ("345.9", "103.4", "410.7", "155.4"),
    ...     "decimals": 1, "n": 10.0, "n_source": "assumed", "p_value": 0.011, "relation": "=",
    ...     "p_printed": "0.011"}])
    >>> back_calculation_table(back_calculate_all(w), d).iloc[0].tolist()[:6]
    ['Walk, A', '345.9 ± 103.4 → 410.7 ± 155.4', '10', '.011', '0.956 (0.953 to 0.958)', 'plausible']
    """
    population = {}
    if endpoints is not None and "population" in endpoints:
        population = endpoints.set_index("endpoint")["population"].fillna("").to_dict()
    rows = []
    for r in results.to_dict("records"):
        n_text = format_number(r["n"])
        if population.get(r["endpoint"]):
            n_text += f" ({population[r['endpoint']]})"
        rows.append({"Result": f"{r['label']}, {design.short(r['arm'])}", "Baseline → follow-up": _pre_post(r),
                     "n": n_text, "Paper's p": format_p(r["p_value"], r["relation"], r.get("p_printed"), prefix=False),
                     "Correlation needed": correlation_needed(r), "Verdict": r["verdict"],
                     "Probability": probability_text(r)})
    return pd.DataFrame(rows, columns=BACK_TABLE_COLUMNS)


def _impossible_sentence(row, p_text, n):
    diff = abs(row["mean_post"] - row["mean_pre"])
    p_min = paired_p(diff, abs(row["sd_pre"] - row["sd_post"]), n)
    p_max = paired_p(diff, row["sd_pre"] + row["sd_post"], n)
    if p_max < row["p_value"]:
        reach = f"even the least favourable correlation (r = {MINUS}1) gives p = {_probability(p_max)}"
    else:
        reach = f"even a perfect correlation (r = 1) gives p = {_probability(p_min)}"
    text = (f"Assuming a paired t-test on n = {n} pairs, no pre–post correlation reproduces the paper's {p_text}: "
            f"{reach}. The printed numbers cannot come from such a test (fewer patients, another test, or ± "
            f"meaning an SEM?).")
    if row.get("sem_consistent"):
        needed = (f"r = {_r(row['sem_correlation'])}" if pd.notna(row.get("sem_correlation"))
                  else "a correlation in range")
        text += f" If ± were an SEM (SD = SEM·√n), {needed} would reproduce it."
    return text


def describe_back_calculation(row, plausible=PLAUSIBLE_RHO, threshold=VERY_UNLIKELY):
    """One or two plain sentences on the correlation a printed within-arm p-value needs, and the verdict.

    ``row`` is a row of :func:`cratus.stats.within_arm.back_calculate_all`.

    Examples
    --------
    >>> from cratus.stats.within_arm import back_calculate_all
    >>> w = pd.DataFrame([{"endpoint": "walk", "label": "Walk", "arm": "a", "visit": "w12", "mean_pre": 345.9,
    ...     "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1, "n": 10.0,
    ...     "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011"}])
    >>> print(describe_back_calculation(back_calculate_all(w).iloc[0]))  # doctest: +NORMALIZE_WHITESPACE
    Assuming a paired t-test on n = 10 pairs, the paper's p = .011 needs a pre–post correlation of 0.956 (0.953 to
    0.958 given the rounding of the printed numbers). That is plausible: a sample correlation of 10 pairs this high
    has probability .15 even if the true correlation is 0.9, the highest assumed plausible.
    """
    n = int(row["n"])
    p_text = format_p(row["p_value"], row["relation"], row.get("p_printed"))
    if not row["consistent"]:
        return _impossible_sentence(row, p_text, n)
    low, high = row["correlation_low"], row["correlation_high"]
    head = f"Assuming a paired t-test on n = {n} pairs, the paper's {p_text}"
    if row["relation"] == "<":
        if low <= -1 + 1e-9:
            return f"{head} holds whatever the pre–post correlation."
        text = f"{head} holds for every pre–post correlation above {_r(low)}."
    else:
        span = f" ({_r(low)} to {_r(high)} given the rounding of the printed numbers)" if _r(low) != _r(high) else ""
        text = f"{head} needs a pre–post correlation of {_r(row['correlation'])}{span}."
    if pd.isna(row["probability"]):
        return text + f" That lies within the plausible {plausible[0]:g} to {plausible[1]:g}."
    where = ("high" if low > row["rho_reference"] else "low")
    edge = "highest" if where == "high" else "lowest"
    chance = (f"a sample correlation of {n} pairs this {where} has probability {_probability(row['probability'])} "
              f"even if the true correlation is {row['rho_reference']:g}, the {edge} assumed plausible")
    if row["verdict"] == "very unlikely":
        return text + f" That is very unlikely (below {format_alpha(threshold)}): {chance}."
    return text + f" That is {row['verdict']}: {chance}."


def sensitivity_table(row, correlation, confidence=0.95):
    """The paired-t result (an assumption) at no correlation, a chosen one and the one that reproduces the paper.

    Examples
    --------
    >>> from cratus.stats.within_arm import back_calculate_all
    >>> w = pd.DataFrame([{"endpoint": "walk", "label": "Walk", "arm": "a", "visit": "w12", "mean_pre": 345.9,
    ...     "sd_pre": 103.4, "mean_post": 410.7, "sd_post": 155.4, "decimals": 1, "n": 10.0,
    ...     "n_source": "assumed", "p_value": 0.011, "relation": "=", "p_printed": "0.011"}])
    >>> sensitivity_table(back_calculate_all(w).iloc[0], 0.5)["p, assuming a paired t-test"].tolist()
    ['.301', '.169', '.011']
    """
    choices = [("None", 0.0), ("Your choice", float(correlation))]
    if row["consistent"] and pd.notna(row["correlation"]):
        choices.append(("Reproduces the paper", float(row["correlation"])))
    res = change_sensitivity(row["mean_pre"], row["sd_pre"], row["mean_post"], row["sd_post"], int(row["n"]),
                             [r for _, r in choices], confidence)
    printed = row.get("printed")
    if isinstance(printed, (tuple, list)) and len(printed) == 4:  # the SDs' printed digits (4.30 has two)
        decimals = max(int(row["decimals"]), decimals_of(printed[1]), decimals_of(printed[3]))
    else:
        decimals = max(int(row["decimals"]), *(decimals_of(format_number(row[k])) for k in ("sd_pre", "sd_post")))
    rows = []
    for (name, r), s in zip(choices, res.to_dict("records")):
        r_text = (f"{r:.3f}" if name == "Reproduces the paper" else f"{r:.2f}").replace("-", MINUS)
        rows.append({"Assumed correlation": f"{name} (r = {r_text})",
                     "SD of change": format_number(s["sd_change"], decimals),
                     "Mean change (95% CI)": format_estimate(s["estimate"], s["ci_low"], s["ci_high"],
                                                             int(row["decimals"])),
                     "p, assuming a paired t-test": format_p(s["p_value"], computed=True, prefix=False)})
    return pd.DataFrame(rows)


def n_by_correlation_table(readings):
    """The frame of :func:`cratus.stats.power.n_by_correlation` as a table: one row per ρ, one column per analysis."""
    wide = readings.pivot(index="correlation", columns="analysis", values="n_per_arm")[list(ANALYSES)]
    table = wide.reset_index().rename(columns={"correlation": "Pre–post correlation ρ",
                                               **{k: f"n per arm: {v}" for k, v in ANALYSES.items()}})
    table["Pre–post correlation ρ"] = table["Pre–post correlation ρ"].map(lambda r: f"{r:.2f}")
    return table.astype(str)


def describe_sample_size_claim(difference, sd, n_claimed, judged, alpha=0.05, unit=""):
    """Plain sentences checking a claimed "n per group" against a difference and SD, without overreaching.

    *judged* is :func:`cratus.stats.power.judge_sample_size_claim` for the same numbers; without a claim
    (``n_claimed=None``) only the n needed is described.

    Examples
    --------
    >>> from cratus.stats.power import judge_sample_size_claim
    >>> print(describe_sample_size_claim(64.8, 112.9, 30, judge_sample_size_claim(64.8, 112.9, 30), unit="m"))
    ... # doctest: +NORMALIZE_WHITESPACE
    A difference of 64.8 m with an SD of 112.9 m is a standardized effect of d = 0.57 on follow-up values. A two-sided
    t-test at α = .05 with equal arms needs 49 patients per arm for 80% power and 65 for 90%; with 30 per arm, power is
    59%. Analysed as change from baseline or by ANCOVA, the n needed depends on the pre–post correlation: from 11 to
    97 per arm for correlations from 0 to 0.9. Whether 30 per group suffice cannot be verified from the text: it
    depends on the correlation and the analysis, which the paper does not give.
    """
    d = difference / sd
    n80, n90 = (int(x) for x in sample_size(d, (0.8, 0.9), alpha)["n_per_arm"])
    power = float(power_curve(d, [n_claimed or 2], alpha)["power"].iloc[0])
    u = f" {unit}" if unit else ""
    decimals = min(max(decimals_of(format_number(difference)), decimals_of(format_number(sd))),
                   max(1, 2 - math.floor(math.log10(sd))))
    power_text = "over 99%" if power > 0.995 else f"{power:.0%}"
    text = (f"A difference of {format_number(abs(difference), decimals)}{u} with an SD of "
            f"{format_number(sd, decimals)}{u} is a standardized effect of d = {abs(d):.2f} on follow-up values. A "
            f"two-sided t-test at α = {format_alpha(alpha)} with equal arms needs {n80} patients per arm for 80% "
            f"power and {n90} for 90%" + (f"; with {n_claimed} per arm, power is {power_text}" if n_claimed else "")
            + ". Analysed as change from "
            f"baseline or by ANCOVA, the n needed depends on the pre–post correlation: from {judged['n_low']} to "
            f"{judged['n_high']} per arm for correlations from {PLAUSIBLE_RHO[0]:g} to {PLAUSIBLE_RHO[1]:g}.")
    if not n_claimed:
        return text
    if judged["verdict"] == "cannot be verified from the text":
        return text + (f" Whether {n_claimed} per group suffice cannot be verified from the text: it depends on "
                       "the correlation and the analysis, which the paper does not give.")
    if judged["verdict"] == "too few under every reading":
        needed = float(effect_needed_for_n(n_claimed, 0.8, alpha)["effect_size"].iloc[0])
        return text + (f" Under every reading {n_claimed} per group are too few for 80% power (on follow-up "
                       f"values they need d ≥ {needed:.2f}).")
    return text + f" Under every reading {n_claimed} per group are enough for 80% power."
