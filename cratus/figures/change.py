"""Change from baseline computed from printed summaries, and the interval drawn around it.

A paper that prints mean ± SD at two visits does not print the SD of the
change; that needs the pre–post correlation r, which the reader assumes:

    SD_change = √(SD₀² + SD₁² − 2·r·SD₀·SD₁)

The default interval is the 95% confidence interval of the mean change,
mean ± t(0.975, n − 1)·SD_change/√n (a paired t interval; ``scipy.stats.t``),
with n the arm's (or subgroup's) participants, assuming each was measured at
both visits.  ``interval="sd"`` gives ± SD_change instead: the spread of the
individual changes, which is not a confidence interval and is drawn as a
shaded band.  A change of medians is not a median change: it is labelled a
difference of medians and has no interval.
"""

from __future__ import annotations

import math

from scipy import stats

from cratus.formatting import NOT_REPORTED, decimals_of, format_number, signed
from cratus.stats.within_arm import sd_change as sd_of_change  # the one SD-of-change formula

#: Intervals a change panel can show: ``ci`` (95% CI of the mean change) or ``sd`` (± SD of the change).
INTERVALS = ("ci", "sd")
#: The correlation choice "each arm's r implied by its printed within-arm p" (the default of the Change view).
IMPLIED = "implied"
#: The r assumed for an arm whose printed p implies none (no p printed, or no r in [-1, 1] reproduces it).
FALLBACK_R = 0.5


def describe_correlation(correlation) -> str:
    """The correlation choice in words, for axis titles, legends and outcome definitions.

    >>> describe_correlation(0.5), describe_correlation(IMPLIED)
    ('r = 0.5', "each arm's r implied by its within-arm p")
    """
    if correlation == IMPLIED:
        return "each arm's r implied by its within-arm p"
    return f"r = {float(correlation):g}"


def implied_correlation(before: dict, after: dict, n: float, p_record: dict | None) -> tuple[float, str]:
    """The pre–post r an arm's printed within-arm p implies (assuming a paired t-test on n pairs), and its words.

    The back-calculation is the Appraisal's (:func:`cratus.stats.within_arm.back_calculate_correlation`): one
    rule in one place.  For "p < x" only a lower bound on r follows, and the bound (the widest interval the
    printed test allows) is used.  With no p, or none that any r reproduces, :data:`FALLBACK_R` is used and the
    words say why.  *before*/*after*: ``{"mean", "sd", "printed"}``; *p_record*: the p-value row.

    Examples
    --------
    >>> pre, post = {"mean": 345.9, "sd": 103.4, "printed": "345.9"}, {"mean": 410.7, "sd": 155.4, "printed": "410.7"}
    >>> r, words = implied_correlation(pre, post, 10, {"p_value": 0.011, "relation": "=", "printed": "0.011"})
    >>> round(r, 3), words
    (0.956, 'with r = 0.96, implied by p = .011')
    >>> implied_correlation(pre, post, 10, None)
    (0.5, 'assuming r = 0.5 (no within-arm p printed)')
    >>> implied_correlation(pre, post, 10, {"p_value": 0.05, "relation": "<", "printed": "0.05"})[1]
    'with r = 0.83, the least that reproduces p < .05 (the widest interval it allows)'
    >>> implied_correlation(pre, post, 10, {"p_value": 0.2, "relation": "<", "printed": "0.2"})[1]
    'assuming r = 0.5 (any r from 0.40 up reproduces p < .2)'
    
    """
    from cratus.formatting import format_p
    from cratus.stats.within_arm import back_calculate_correlation

    if p_record is None or n is None or math.isnan(n) or n < 2:
        why = "no within-arm p printed" if p_record is None else "n unknown"
        return FALLBACK_R, f"assuming r = {FALLBACK_R:g} ({why})"
    relation = str(p_record.get("relation") or "=")
    p_value = float(p_record["p_value"])
    printed = format_p(p_value, relation, p_record.get("printed") or None)
    decimals = max(decimals_of(str(before["printed"])), decimals_of(str(after["printed"])))
    found = back_calculate_correlation(before["mean"], before["sd"], after["mean"], after["sd"], int(n), p_value,
                                       relation if relation in ("=", "<") else "=", decimals).iloc[0]
    if not found["consistent"]:
        return FALLBACK_R, f"assuming r = {FALLBACK_R:g}: no correlation reproduces the printed {printed}"
    if math.isfinite(found["correlation"]):
        return float(found["correlation"]), f"with r = {signed(found['correlation'], 2)}, implied by {printed}"
    low = float(found["correlation_low"])   # "p < x": only a lower bound on r
    if low <= FALLBACK_R:
        which = "any r" if low <= -0.995 else f"any r from {signed(low, 2)} up"
        return FALLBACK_R, f"assuming r = {FALLBACK_R:g} ({which} reproduces {printed})"
    return low, f"with r = {signed(low, 2)}, the least that reproduces {printed} (the widest interval it allows)"


def contradicts_printed_p(low: float, high: float, p_value: float, relation: str = "=") -> bool:
    """Whether a 95% CI of a change disagrees with the printed two-sided p of the same change.

    A 95% CI that holds 0 goes with p ≥ .05, one that excludes 0 with p < .05 (the interval and the t-test
    are one calculation).

    >>> contradicts_printed_p(-33.2, 162.8, 0.011), contradicts_printed_p(5.0, 9.0, 0.011)
    (True, False)
    >>> contradicts_printed_p(1.0, 9.0, 0.26), contradicts_printed_p(-1.0, 9.0, 0.26)
    (True, False)
    """
    if any(math.isnan(x) for x in (low, high, p_value)):
        return False
    holds_zero = low <= 0 <= high
    significant = p_value < 0.05 if relation in ("=", "<", "") else False
    if relation in (">", "≥"):
        return not holds_zero and p_value >= 0.05
    return holds_zero == significant


def ci_half_width(sd_change: float, n: float, level: float = 0.95) -> float:
    """Half-width of the t confidence interval of a mean change: t(1 − α/2, n − 1)·SD/√n.

    Examples
    --------
    >>> round(ci_half_width(5.9511, 10), 3)   # scipy.stats.t.ppf(0.975, 9) = 2.262
    4.257
    """
    if not n or math.isnan(n) or n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd_change / math.sqrt(n)


def _missing(before: dict, after: dict) -> dict:
    missing = [name for name, cell in (("baseline", before), ("follow-up", after)) if not cell["reported"]]
    return {"reported": False, "center": math.nan, "low": math.nan, "high": math.nan, "plus": math.nan,
            "minus": math.nan, "center_text": NOT_REPORTED,
            "spread": f"{' and '.join(missing)} value {NOT_REPORTED}", "display": NOT_REPORTED,
            "n": math.nan, "source": "", "quote": ""}


def _interval(kind, correlation, interval, n, sd_before, sd_after, r_words="") -> tuple[float, float, str]:
    """(half-width, SD of change, words) of the interval of one change cell."""
    if kind != "mean_sd":
        return math.nan, math.nan, "difference of medians: no interval (a change of medians is not a median change)"
    if correlation is None:
        return math.nan, math.nan, "no interval (set an assumed pre–post correlation to show one)"
    if math.isnan(sd_before) or math.isnan(sd_after):
        return math.nan, math.nan, f"no interval: SD {NOT_REPORTED}"
    r = float(correlation)
    sd = sd_of_change(sd_before, sd_after, r)
    r_words = r_words or f"assuming r = {r:g}"   # or "with r = 0.96, implied by p = .011"
    if interval == "sd":
        return sd, sd, f"± SD of change ({r_words})"
    half = ci_half_width(sd, n)
    if math.isnan(half):
        return math.nan, sd, "no interval: number of participants unknown"
    return half, sd, f"95% CI {r_words}, n = {n:g}"


def change_cell(before: dict, after: dict, kind: str, correlation, interval: str, n: float,
                sd_before: float, sd_after: float, r_words: str = "") -> dict:
    """Difference of the reported centres (after − before), with the chosen interval.

    ``center`` is rounded to the printed precision (no float artefacts);
    ``plus``/``minus`` are the interval's half-widths (NaN without one).  *correlation* is the r used (a
    number); *r_words* says where it comes from ("r = 0.96, implied by p = .011"), default "assuming r = …".

    Examples
    --------
    >>> cell = {"reported": True, "center_text": "12.6", "n": float("nan"), "source": "", "quote": ""}
    >>> after = {**cell, "center_text": "6.9"}
    >>> c = change_cell({**cell, "center": 12.6}, {**after, "center": 6.9}, "mean_sd", 0.5, "ci", 10, 6.87, 3.30)
    >>> c["center"], c["display"], round(c["low"], 2), c["spread"]
    (-5.7, '−5.7 (95% CI −9.96 to −1.44)', -9.96, '95% CI assuming r = 0.5, n = 10')
    """
    if not (before["reported"] and after["reported"]):
        return _missing(before, after)
    decimals = max(decimals_of(before["center_text"]), decimals_of(after["center_text"]))
    center = round(after["center"] - before["center"], decimals)
    center_text = signed(center, decimals, plus=True)
    n_cell = [x for x in (before["n"], after["n"]) if not math.isnan(x)]
    n_used = min(n_cell) if len(n_cell) == 2 else n
    half, sd, spread = _interval(kind, correlation, interval, n_used, sd_before, sd_after, r_words)
    places = max(decimals + 1, 1)
    if math.isnan(half):
        display = center_text
    elif interval == "sd":
        display = f"{center_text} ± {format_number(sd, places)} (SD of change)"
    else:
        display = (f"{center_text} (95% CI {signed(center - half, places)} to "
                   f"{signed(center + half, places)})")
    sources = list(dict.fromkeys(s for s in (before["source"], after["source"]) if s))
    quotes = list(dict.fromkeys(q for q in (before["quote"], after["quote"]) if q))
    return {"reported": True, "center": center, "low": center - half, "high": center + half, "plus": half,
            "minus": half, "center_text": center_text, "spread": spread, "display": display,
            "n": n_used if not math.isnan(half) or len(n_cell) == 2 else math.nan,
            "source": "; ".join(sources), "quote": " … ".join(quotes)}


def interval_note(cell: dict, interval: str, correlation, r_words: str, implied_words: str = "",
                  printed: tuple | None = None, source: str = "the paper prints") -> str:
    """Words for an arm's change interval: where its 95% CI disagrees with the printed within-arm p, or why no
    implied r was used; ``""`` when there is nothing to say.

    *printed* is the within-arm p as ``(value, relation, text)`` (``None``: none printed); *r_words* and
    *implied_words* as :func:`implied_correlation` words them, for the r used and the r the p implies; *source*
    says where the p comes from ("the paper prints", or for a study computed from patients "the test here gives").

    >>> cell = {"reported": True, "low": -33.21, "high": 162.81, "plus": 98.01}
    >>> print(interval_note(cell, "ci", 0.5, "", "with r = 0.96, implied by p = .011", (0.011, "=", "p = .011")))
    ... # doctest: +NORMALIZE_WHITESPACE
    this 95% CI includes 0, but the paper prints p = .011 for the same change (the interval assumes r = 0.5);
    that p implies r = 0.96
    """
    fallback = r_words if r_words.startswith("assuming") else ""   # "implied" chosen, but none implied
    if interval != "ci" or not printed or not cell["reported"] or math.isnan(cell["plus"]):
        return fallback
    p_value, relation, p_shown = printed
    if correlation == IMPLIED and not fallback:
        return ""   # the interval reproduces the printed test, by construction
    if not contradicts_printed_p(cell["low"], cell["high"], p_value, relation):
        return fallback
    what = "includes 0" if cell["low"] <= 0 <= cell["high"] else "excludes 0"
    hint = ("; that p implies r = " + implied_words.split("r = ", 1)[1].split(",", 1)[0]
            if implied_words.startswith("with r = ") and correlation != IMPLIED else "")
    assumed = describe_correlation(correlation) if correlation != IMPLIED else r_words.removeprefix("assuming ")
    return (f"this 95% CI {what}, but {source} {p_shown} for the same change (the interval "
            f"assumes {assumed}){hint}")
