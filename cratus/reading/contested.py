"""Why a difference from the control rests on p-values in doubt: the reasons, most important first.

A reading "differs from the control" is *contested* when the p-values it rests on are in doubt in a way that
changes it: another section of the source prints other p-values for the same comparisons and with them the
reading would differ, or the printed p is smaller than any t-test of change scores can give from the arms'
own within-arm p-values.  A within-arm result of the same arms that cannot be a paired t-test on mean ± SD
(the audit's back-calculation, :mod:`cratus.stats.within_arm`) is added as a further reason.  Every reason
states what it assumes; one that holds only for the arm's full N says at which n it stops holding (the source
prints no n per endpoint).
"""

from __future__ import annotations

import weakref

import numpy as np

from cratus.formatting import decimals_of, format_p, rounding_interval
from cratus.stats.between_arms import smallest_between_p
from cratus.stats.within_arm import back_calculate_all, within_arm_results
from cratus.words import join

_BACK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rounding_range(p: float, printed: str) -> tuple[float, float]:
    """The p-values a printed p can round from: ``.001`` → [.0005, .0015)."""
    low, high = rounding_interval(p, decimals_of(printed or f"{p:g}"))   # the audit's one rounding rule
    return max(low, 0.0), high


def _p(row: dict) -> str:
    return format_p(float(row["p_value"]), row["relation"], row.get("printed") or None)


def other_copies(study, rows: list[dict]) -> list[tuple[dict, dict]]:
    """``(shown row, other source's row)`` for each row with another printed copy of a different value."""
    found = []
    for row in rows:
        p = study.p_values
        same = p[(p["endpoint"] == row["endpoint"]) & (p["arm"] == row["arm"]) & (p["comparison"] == row["comparison"])
                 & (p["visit"] == row["visit"]) & (p["source"] != row["source"])]
        for other in same.to_dict("records"):
            if (other["p_value"], other["relation"]) != (row["p_value"], row["relation"]):
                found.append((row, other))
    return found


def copy_reason(study, pairs, verdict_with) -> str:
    """The other source's p-values and the reading they would give, when it differs; ``""`` otherwise."""
    if not pairs:
        return ""
    design = study.design
    control = design.short(design.control)
    other_verdict = verdict_with([o for _, o in pairs])
    sources = join(list(dict.fromkeys(o["source"] for _, o in pairs)))
    shown = join([f"{_p(o)} ({design.short(o['arm'])} vs {control})" for _, o in pairs])
    return (f"The {sources} prints {shown} for the same comparisons, where the reading rests on "
            f"{join([_p(r) for r, _ in pairs])} ({join(list(dict.fromkeys(r['source'] for r, _ in pairs)))}); with "
            f"the {sources}'s values the reading would be “{other_verdict}”.")


def unreachable_reason(study, row: dict, within: dict) -> str:
    """A printed vs-control p below the smallest a t-test of change scores gives from the two within-arm p's."""
    design = study.design
    arm, control = row["arm"], design.control
    if row["relation"] != "=" or arm not in within or control not in within:
        return ""
    a, c = within[arm], within[control]
    if a["relation"] != "=" or c["relation"] != "=":
        return ""
    n = study.n_per_arm()
    n_arm, n_control = int(n.get(arm, 0) or 0), int(n.get(control, 0) or 0)
    if n_arm < 3 or n_control < 3:
        return ""
    low_a, low_c = _rounding_range(a["p_value"], a.get("printed")), _rounding_range(c["p_value"], c.get("printed"))
    high_p = _rounding_range(row["p_value"], row.get("printed"))[1]
    low = (max(low_a[0], 1e-300), max(low_c[0], 1e-300))
    smallest = smallest_between_p(*low, n_arm, n_control)
    if not smallest > high_p:
        return ""
    short = design.short
    patients = f"{n_arm} patients per arm" if n_arm == n_control else f"{n_arm} and {n_control} patients"
    text = (f"If all {patients} were measured (each arm's N), no t-test of change scores gives a between-arm p below "
            f"{_sig(smallest)} from the within-arm p-values ({short(arm)} {_p(a)}, {short(control)} {_p(c)}, at their "
            f"most favourable rounding), but the source prints {_p(row)} for {short(arm)} vs {short(control)}")
    fewer = _fewest_missing(low, n_arm, n_control, high_p)
    if fewer is None:
        return text + "."
    k_arm, k_control = fewer
    return text + (f"; with {k_arm} patients measured in {short(arm)} and {k_control} in {short(control)} it becomes "
                   "possible, and the source prints no n per endpoint, so this alone does not show the printed value "
                   "is wrong.")


def _fewest_missing(low: tuple[float, float], n_arm: int, n_control: int, high_p: float):
    """The patients measured (arm, control), with the fewest missing, at which a t-test of change scores can reach
    a p of *high_p*; None if none down to 3 per arm can."""
    pairs = sorted(((a, c) for a in range(n_arm, 2, -1) for c in range(n_control, 2, -1)),
                   key=lambda pair: (n_arm + n_control - sum(pair), -pair[1]))
    return next((pair for pair in pairs if smallest_between_p(*low, *pair) <= high_p), None)


def _sig(p: float) -> str:
    """One significant digit, as a decimal without the leading zero: ``.00005``."""
    return np.format_float_positional(float(f"{p:.1g}"), trim="-").lstrip("0")


def impossible_reasons(study, endpoint: str, arms) -> list[str]:
    """The audit's within-arm results of *arms* that no paired t-test on the printed mean ± SD reproduces."""
    if study not in _BACK:
        within = within_arm_results(study.summary, study.p_values, study.design, study.n_per_arm(), study.endpoints)
        _BACK[study] = back_calculate_all(within) if len(within) else within
    back = _BACK[study]
    if not len(back) or "verdict" not in back:
        return []
    found = back[(back["endpoint"] == endpoint) & back["arm"].isin(list(arms)) & (back["verdict"] == "impossible")]
    texts = []
    for r in found.to_dict("records"):
        pre_mean, pre_sd, post_mean, post_sd = r["printed"]
        texts.append(f"The {study.design.short(r['arm'])} arm's {pre_mean} ± {pre_sd} → {post_mean} ± {post_sd} cannot "
                     f"be mean ± SD of {int(r['n'])} patients (the arm's N; the source prints no n per endpoint): no "
                     f"pre–post correlation reproduces its within-arm "
                     f"{format_p(r['p_value'], r['relation'], r.get('p_printed'))} under a paired t-test (the ± may be "
                     "an SEM, which changes every test built on it).")
    return texts


def contest_reasons(study, endpoint: str, differ: list[dict], p_rows: list[dict], verdict_with) -> list[str]:
    """The reasons the difference from the control in *differ* is in doubt, most important first; ``[]`` when
    it is not contested.  *verdict_with(rows)* gives the reading with other copies of the p-values put in."""
    if not study.has_printed_sources or study.design.control is None:
        return []
    within = {r["arm"]: r for r in p_rows if r["comparison"] == "within_arm"}
    copied = copy_reason(study, other_copies(study, differ), verdict_with)
    unreachable = [text for text in (unreachable_reason(study, r, within) for r in differ) if text]
    if not copied and not unreachable:
        return []
    # the source's own other p-values first (they change the reading), then what cannot be true of the numbers the
    # tests rest on, then what holds only if every patient was measured
    return [t for t in [copied, *impossible_reasons(study, endpoint, [r["arm"] for r in differ]), *unreachable] if t]


def unclear_comparison(study, endpoint: str) -> str:
    """What the source leaves unclear about *endpoint*'s p-value (an ``ambiguous`` discrepancy about a p-value),
    in its plain sentence, to stand wherever that p-value is shown; ``""`` when nothing is unclear.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> unclear_comparison(load_study(), "iief")[:60]
    'What this p-value compares is unclear: The Results give one '
    """
    d = study.discrepancies
    if d is None or d.empty or "kind" not in d:
        return ""
    rows = d[(d["endpoint"] == endpoint) & (d["kind"] == "ambiguous") & (d["statistic"] == "p_value")]
    texts = [str(r.get("sentence") or r.get("reason") or "") for r in rows.to_dict("records")]
    texts = [t for t in texts if t.strip()]
    return ("What this p-value compares is unclear: " + " ".join(texts)) if texts else ""
