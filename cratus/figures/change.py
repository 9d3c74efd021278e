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


def _interval(kind, correlation, interval, n, sd_before, sd_after) -> tuple[float, float, str]:
    """(half-width, SD of change, words) of the interval of one change cell."""
    if kind != "mean_sd":
        return math.nan, math.nan, "difference of medians: no interval (a change of medians is not a median change)"
    if correlation is None:
        return math.nan, math.nan, "no interval (set an assumed pre–post correlation to show one)"
    if math.isnan(sd_before) or math.isnan(sd_after):
        return math.nan, math.nan, f"no interval: SD {NOT_REPORTED}"
    r = float(correlation)
    sd = sd_of_change(sd_before, sd_after, r)
    if interval == "sd":
        return sd, sd, f"± SD of change (assuming r = {r:g})"
    half = ci_half_width(sd, n)
    if math.isnan(half):
        return math.nan, sd, "no interval: number of participants unknown"
    return half, sd, f"95% CI assuming r = {r:g}, n = {n:g}"


def change_cell(before: dict, after: dict, kind: str, correlation, interval: str, n: float,
                sd_before: float, sd_after: float) -> dict:
    """Difference of the reported centres (after − before), with the chosen interval.

    ``center`` is rounded to the printed precision (no float artefacts);
    ``plus``/``minus`` are the interval's half-widths (NaN without one).

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
    half, sd, spread = _interval(kind, correlation, interval, n_used, sd_before, sd_after)
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


