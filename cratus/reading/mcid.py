"""A within-arm change against a minimal clinically important difference, weighing its interval.

The thresholds come from the literature (the study's ``mcid.csv``); the change is the arm's reported mean at
follow-up minus baseline.  Its 95% interval is read from the printed within-arm p-value, assuming a paired
t-test on the arm's N (the printed p fixes the standard error of the change: ``SE = |change| / t``, the same
interval as the pre–post correlation the p implies).  A point estimate that reaches a threshold is not a change
that reaches it: the sentence says where the interval lies.  Every sentence ends by saying it is a change
within an arm, not a difference from the control.
"""

from __future__ import annotations

import re

from scipy import stats

from cratus.formatting import decimals_of, format_number, signed
from cratus.words import with_unit


def short_citation(citation: str) -> str:
    """``"Perera S, Mody SH, … 2006;54(5)…"`` → ``"Perera 2006"``."""
    author = citation.split(" ", 1)[0].rstrip(",") if citation else ""
    year = re.search(r"\b(19|20)\d{2}\b", citation or "")
    return " ".join(x for x in (author, year.group(0) if year else "") if x)


def change_interval(change: float, p_row: dict | None, n, confidence: float = 0.95):
    """``(low, high)`` of the mean change implied by its printed paired-t p on *n* patients, or None (a bound
    such as "p < .0001", no p, or n unknown).

    >>> [round(float(x), 1) for x in change_interval(64.8, {"p_value": 0.011, "relation": "="}, 10)]
    [18.9, 110.7]
    """
    if p_row is None or p_row.get("relation") != "=" or not n or n < 2 or not 0 < float(p_row["p_value"]) < 1:
        return None
    t = stats.t.isf(float(p_row["p_value"]) / 2, n - 1)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * abs(change) / t
    return change - half, change + half


def _level(size: float, low: float, high: float) -> str:
    return "the substantial change" if size >= high else "the small change" if size >= low else "no threshold"


def _interval_words(lo: float, hi: float, low: float, high: float) -> str:
    if lo >= high:
        return "lies wholly above the substantial change"
    if lo >= low:
        return "lies above the small change but not wholly above the substantial one"
    if lo > 0:
        return "reaches below the small change"
    return "includes no change at all"


def mcid_text(study, endpoint: str, info: dict, central: dict, p_rows: list[dict]) -> str:
    """The thresholds and, for each arm with a mean change, where the change and its interval lie."""
    mcid = study.mcid[study.mcid["endpoint"] == endpoint]
    if mcid.empty:
        return ""
    m = mcid.iloc[0]
    low, high, unit = float(m["low"]), float(m["high"]), str(m["unit"])
    head = (f"small {with_unit(str(m['low']).strip(), unit)}, substantial {with_unit(str(m['high']).strip(), unit)}"
            f" ({short_citation(str(m['citation']))})")
    if info.get("summary") == "median_iqr":
        return head + "; the paper gives medians, and a change of medians is not a mean change: not compared"
    design, sign = study.design, -1 if info.get("better") == "lower" else 1
    within = {r["arm"]: r for r in p_rows if r["comparison"] == "within_arm"}
    n = study.n_per_arm()
    reached = []
    for arm, values in central.items():
        if design.baseline not in values or design.follow_up not in values or arm not in design.arm_ids:
            continue
        (a, pa), (b, pb) = values[design.baseline], values[design.follow_up]
        digits = max(decimals_of(pa), decimals_of(pb))
        change = round(b - a, digits)
        size, shown = sign * change, signed(change, None, plus=True)
        level = _level(size, low, high)
        text = (f"{design.short(arm)}: {with_unit(shown, unit)} within the arm, a point estimate that "
                + (f"reaches {level}" if level != "no threshold" else "does not reach the small change"))
        interval = change_interval(change, within.get(arm), n.get(arm))
        if interval is not None:
            lo, hi = sorted(sign * x for x in interval)
            ends = sorted(interval)
            text += (f"; its 95% CI ({format_number(ends[0], digits)} to "
                     f"{with_unit(format_number(ends[1], digits), unit)}, from the printed p, assuming a paired t-test "
                     f"on {n.get(arm):g} patients) {_interval_words(lo, hi, low, high)}")
        reached.append(text)
    if not reached:
        return head + "; no change reported to compare"
    control = design.short(design.control) if design.control else "the control"
    return head + "; " + "; ".join(reached) + f" (a change within an arm, not a difference from {control})"
