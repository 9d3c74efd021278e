"""The numbers of one figure panel: a tidy frame, one row per arm and plotted visit.

:func:`endpoint_panel_data` reads the study's summary and p-values (the
printed copy chosen by :mod:`cratus.study.provenance`) and returns, for each
selected arm and visit, the plotted centre (mean or median), its whiskers,
the numbers as printed, ``n``, the source and the arm's p-values.  With
``metric="change"`` each row is the change from baseline to one follow-up
visit (the difference of the reported centres) with, for means and an
assumed pre–post correlation, an interval (see :mod:`cratus.figures.change`).

The builders draw these rows; pages download them; nothing here draws.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from cratus.study.design import TOTAL
from cratus.figures.change import (IMPLIED, INTERVALS, change_cell, describe_correlation, implied_correlation,
                                   interval_note)
from cratus.words import mid_sentence
from cratus.formatting import NOT_REPORTED, clean, decimals_of, format_number, format_p
from cratus.study.provenance import _best_rows, _records

#: Who was measured for an endpoint of the whole arm: the text prints no n per endpoint, so none is claimed.
FULL_POPULATION = "each arm (n per endpoint not reported)"



@dataclass(frozen=True)
class Measure:
    """What a figure's panels draw: each visit's value, or the change from baseline (``metric="change"``) with,
    for a mean, an interval under a pre–post *correlation* (a number, or ``"implied"``: each arm's r implied by
    its printed within-arm p; ``interval``: ``"ci"`` or ``"sd"``); as :func:`endpoint_panel_data`'s parameters
    of the same names."""

    metric: str = "value"
    correlation: float | str | None = None
    interval: str = "ci"


#: Columns of :func:`endpoint_panel_data`, in order.
PANEL_COLUMNS = [
    "endpoint", "figure", "metric", "arm", "arm_label", "visit", "visit_label", "statistic",
    "center", "low", "high", "center_text", "spread", "display", "n", "reported",
    "source", "quote", "p_within", "p_within_value", "p_within_relation", "p_within_source",
    "p_within_quote", "p_vs_control", "p_between", "correlation", "interval", "interval_note",
]

#: Summary kinds that can be drawn, and the statistics behind them.
KINDS = {
    "mean_sd": {"center": "mean", "low": "sd", "high": "sd", "label": "mean ± SD", "word": "mean"},
    "median_iqr": {"center": "median", "low": "q1", "high": "q3", "label": "median (IQR)", "word": "median"},
}


def number(value) -> float:
    """A cell as float, NaN when missing or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def isnan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def value_decimals(value: float) -> int:
    """Digits after the point that a float carries (at most 4).

    Examples
    --------
    >>> value_decimals(12.5), value_decimals(3.0), value_decimals(0.25)
    (1, 0, 2)
    """
    return decimals_of(f"{value:.4f}".rstrip("0").rstrip("."))


def endpoint_info(study, endpoint: str) -> dict:
    """Label, unit, figure id, summary kind, population and subgroup of one endpoint.

    A population missing from the dictionary is read from its description
    ("female patients only"), else it is every patient of each arm.
    """
    record = study.endpoint_info(endpoint)   # the study's dictionary, read once per study
    if record == {"endpoint": endpoint, "label": endpoint}:   # not in the dictionary
        record = {"endpoint": endpoint}
    description = clean(record.get("description"))
    population = clean(record.get("population"))
    if not population:
        found = re.search(r"\b((?:fe)?male (?:patients|participants) only)\b", description, re.IGNORECASE)
        population = found.group(1).lower() if found else ""
    label = clean(record.get("label")) or endpoint.replace("_", " ")
    unit = clean(record.get("unit"))
    if unit and re.search(rf"\b{re.escape(unit)}\b", label, re.IGNORECASE):
        unit = ""   # "CD4/CD8 ratio" needs no unit "ratio"
    return {
        "endpoint": endpoint, "label": label, "unit": unit, "figure": clean(record.get("figure")),
        "summary": clean(record.get("summary")), "better": clean(record.get("better")),
        "description": description, "population": population or FULL_POPULATION,
        "subgroup": clean(record.get("subgroup")),
        "role": clean(record.get("role")),  # patient data: efficacy, primary or safety (its population)
    }


def check_choices(design, arms, visits, metric, correlation, interval="ci") -> tuple[list[str], list[str]]:
    """The chosen arms and visits (ids or the names a reader sees) as ids in display order; ValueError naming a
    bad choice."""
    arms, visits = list(arms), list(visits)
    known = [*design.arm_ids, TOTAL]
    unknown = [a for a in arms if not design.order([a])]
    if unknown:
        raise ValueError(f"arms: {unknown!r} not among {known}")
    if not arms:
        raise ValueError("arms is empty: select at least one arm")
    unknown = [v for v in visits if not design.order_visits([v])]
    if unknown:
        raise ValueError(f"visits: {unknown!r} not among {list(design.visit_ids)}")
    if not visits:
        raise ValueError("visits is empty: select at least one visit")
    if metric not in ("value", "change"):
        raise ValueError(f"metric {metric!r} is not 'value' or 'change'")
    if correlation is not None and correlation != IMPLIED and not -1 <= float(correlation) <= 1:
        raise ValueError(f"correlation {correlation!r} is not between -1 and 1")
    if interval not in INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    return design.order(arms), design.order_visits(visits)


def _endpoint_rows_of(study, endpoint: str) -> list[dict]:
    """The preferred rows of one endpoint of *study*, as records (level-free rows only)."""
    return _endpoint_rows(study.summary, endpoint, study.records("summary", endpoint))


def _endpoint_rows(summary: pd.DataFrame, endpoint: str, rows: list[dict] | None = None) -> list[dict]:
    """The preferred rows of one endpoint, as records (level-free rows only); *rows*: its rows, if read."""
    for column in ("endpoint", "arm", "visit", "statistic", "value"):
        if column not in summary.columns:
            raise ValueError(f"summary: missing column {column!r}")
    rows = _records(summary, "endpoint", endpoint) if rows is None else list(rows)
    blank = [r for r in rows if not clean(r.get("level"))]
    if blank:
        rows = blank
    elif len({r["level"] for r in rows}) > 1:
        raise ValueError(f"summary: endpoint {endpoint!r} has levels {sorted({r['level'] for r in rows})}; "
                         "figures plot endpoints without levels")
    return _best_rows(rows, ["endpoint", "level", "arm", "visit", "statistic"])


def _infer_kind(records: list[dict], endpoint: str) -> str:
    statistics = {r["statistic"] for r in records}
    if "median" in statistics:
        return "median_iqr"
    if "mean" in statistics or not statistics:
        return "mean_sd"
    raise ValueError(f"summary: endpoint {endpoint!r} has no mean or median to plot")


def _p_lookup(study, endpoint: str) -> dict:
    """``{(comparison, arm, visit): record}`` of the preferred p-values (blank visit: the primary follow-up)."""
    rows = _best_rows(list(study.records("p_values", endpoint)), ["endpoint", "arm", "comparison", "visit"])
    return {(r["comparison"], r["arm"], clean(r.get("visit")) or study.design.follow_up): r for r in rows}


def p_text(record: dict | None) -> str:
    """A p-value record as printed (``"p = .011"``); ``""`` for none."""
    if record is None:
        return ""
    # The printed text keeps the paper's trailing zeros (.540); a frame without it formats the number.
    return format_p(number(record["p_value"]), clean(record.get("relation")) or "=",
                    clean(record.get("printed")) or None)


def _empty_cell(n=math.nan, spread=NOT_REPORTED) -> dict:
    return {"reported": False, "center": math.nan, "low": math.nan, "high": math.nan, "plus": math.nan,
            "minus": math.nan, "center_text": NOT_REPORTED, "spread": spread, "display": NOT_REPORTED,
            "n": n, "source": "", "quote": ""}


def _cell(stats: dict, kind: str, decimals: dict) -> dict:
    """Centre, whiskers and texts of one reported (arm, visit) cell."""
    spec = KINDS[kind]

    def text(statistic):
        # The precision is the printed one ("12.0"), the thousands separator the paper's.
        record = stats[statistic]
        printed = clean(record.get("printed"))
        return format_number(number(record["value"]), decimals_of(printed) if printed else decimals.get(statistic))

    n = number(stats["n"]["value"]) if "n" in stats else math.nan
    center_record = stats.get(spec["center"])
    if center_record is None or isnan(number(center_record["value"])):
        return _empty_cell(n)
    center = number(center_record["value"])
    center_text = text(spec["center"])
    used = [center_record]
    if kind == "mean_sd" and "sd" in stats:
        sd = number(stats["sd"]["value"])
        low, high, plus, minus = center - sd, center + sd, sd, sd
        spread, display = f"SD {text('sd')}", f"{center_text} ± {text('sd')}"
        used.append(stats["sd"])
    elif kind == "median_iqr" and "q1" in stats and "q3" in stats:
        low, high = number(stats["q1"]["value"]), number(stats["q3"]["value"])
        plus, minus = high - center, center - low
        spread = f"IQR {text('q1')}, {text('q3')}"
        display = f"{center_text} ({text('q1')}, {text('q3')})"
        used += [stats["q1"], stats["q3"]]
    else:
        low = high = plus = minus = math.nan
        spread, display = f"{'SD' if kind == 'mean_sd' else 'IQR'} {NOT_REPORTED}", center_text
    sources = list(dict.fromkeys(clean(r.get("source")) for r in used if clean(r.get("source"))))
    quotes = list(dict.fromkeys(clean(r.get("quote")) for r in used if clean(r.get("quote"))))
    return {"reported": True, "center": center, "low": low, "high": high, "plus": plus, "minus": minus,
            "center_text": center_text, "spread": spread, "display": display, "n": n,
            "source": "; ".join(sources), "quote": " … ".join(quotes)}


def _statistics(records: list[dict]) -> tuple[dict, dict]:
    """``{(arm, visit): {statistic: record}}`` and the decimals each statistic carries."""
    stats: dict[tuple[str, str], dict[str, dict]] = {}
    decimals: dict[str, int] = {}
    for record in records:
        stats.setdefault((record["arm"], record["visit"]), {})[record["statistic"]] = record
        value = number(record["value"])
        if not isnan(value):
            decimals[record["statistic"]] = max(decimals.get(record["statistic"], 0), value_decimals(value))
    # A median and its quartiles print at one precision (10.5 (9.0, 12.0)).
    shared = max(decimals.get("median", 0), decimals.get("q1", 0), decimals.get("q3", 0))
    decimals.update(median=shared, q1=shared, q3=shared)
    return stats, decimals


def subgroup_n(study, subgroup: str) -> dict[str, float]:
    """Participants per arm in a subgroup ``"endpoint=level"`` (e.g. ``"sex=female"``), from the summary counts.

    Empty when the subgroup is blank or the summary has no such counts.
    """
    if "=" not in subgroup:
        return {}
    endpoint, level = (part.strip() for part in subgroup.split("=", 1))
    rows = [r for r in study.records("summary", endpoint) if r["level"] == level and r["statistic"] in ("n", "count")]
    if any(r["visit"] == study.design.baseline for r in rows):
        rows = [r for r in rows if r["visit"] == study.design.baseline]
    found: dict[str, float] = {}
    for r in sorted(rows, key=lambda r: str(r["arm"])):   # groupby's arm order
        if not math.isnan(value := float(r["value"])):
            found[r["arm"]] = max(found.get(r["arm"], -math.inf), value)
    return found


def _n_per_arm(study) -> dict[str, float]:
    return {a: float(v) for a, v in study.n_per_arm().items()}


def arm_n(study, info: dict) -> dict[str, float]:
    """Participants per arm of an endpoint's population: the subgroup's counts, else every randomized patient."""
    return subgroup_n(study, info.get("subgroup", "")) or _n_per_arm(study)


def panel_records(study, endpoint, arms, visits, metric="value", correlation=None, interval="ci"):
    """Rows of :func:`endpoint_panel_data` as dicts, plus the endpoint's info."""
    design = study.design
    arms, visits = check_choices(design, arms, visits, metric, correlation, interval)
    info = endpoint_info(study, endpoint)
    records = _endpoint_rows_of(study, endpoint)
    kind = info["summary"] or _infer_kind(records, endpoint)
    if kind not in KINDS:
        raise ValueError(f"endpoint {endpoint!r} is summarised as {kind!r}; "
                         f"figures draw {' or '.join(KINDS)} endpoints")
    info["summary"] = kind
    stats, decimals = _statistics(records)
    p_lookup = _p_lookup(study, endpoint)
    p_between = "; ".join(p_text(p_lookup[k]) for k in p_lookup if k[0] == "between_arms")
    baseline = design.baseline
    if metric == "value":
        plotted, statistic = visits, KINDS[kind]["label"]
    else:
        plotted = [v for v in visits if v != baseline] or [design.follow_up]
        statistic = change_statistic(kind, correlation, interval)
    n_population = arm_n(study, info)
    rows = []
    for arm in arms:
        for visit in plotted:
            if metric == "value":
                cell = _cell(stats.get((arm, visit), {}), kind, decimals)
                label = design.visit_label(visit)
            p_visit = visit if metric == "change" else design.follow_up
            within = p_lookup.get(("within_arm", arm, p_visit))
            r_used, note = correlation, ""
            if metric == "change":
                before, after = stats.get((arm, baseline), {}), stats.get((arm, visit), {})
                implied, implied_words = _implied(kind, before, after, n_population.get(arm, math.nan), within)
                r_used, r_words = (implied, implied_words) if correlation == IMPLIED else (correlation, "")
                cell = change_cell(_cell(before, kind, decimals), _cell(after, kind, decimals), kind, r_used,
                                   interval, n_population.get(arm, math.nan),
                                   number(before["sd"]["value"]) if "sd" in before else math.nan,
                                   number(after["sd"]["value"]) if "sd" in after else math.nan, r_words)
                label = f"{design.visit_label(visit)} − {mid_sentence(design.visit_label(baseline))}"
                note = interval_note(cell, interval, correlation, r_words, implied_words, within and (
                    number(within["p_value"]), clean(within.get("relation")) or "=", p_text(within)),
                    "the paper prints" if study.has_printed_sources else "the test computed here gives")
            rows.append({
                "endpoint": endpoint, "figure": info["figure"], "metric": metric,
                "arm": arm, "arm_label": design.label(arm), "visit": visit, "visit_label": label,
                "statistic": statistic, **cell,
                "p_within": p_text(within),
                "p_within_value": number(within["p_value"]) if within else math.nan,
                "p_within_relation": clean(within.get("relation")) if within else "",
                "p_within_source": clean(within.get("source")) if within else "",
                "p_within_quote": clean(within.get("quote")) if within else "",
                "p_vs_control": p_text(p_lookup.get(("vs_control", arm, p_visit))),
                "p_between": p_between,
                "correlation": math.nan if r_used is None or r_used == IMPLIED else float(r_used),
                "interval": interval if metric == "change" else "", "interval_note": note,
            })
    return rows, info


def _implied(kind: str, before: dict, after: dict, n: float, within: dict | None):
    """(the r an arm's printed within-arm p implies, in words) — :func:`cratus.figures.change.implied_correlation`;
    ``(None, "")`` for an endpoint without mean ± SD at both ends."""
    need = ("mean", "sd")
    if kind != "mean_sd" or not all(s in before and s in after for s in need):
        return None, ""
    pre = {"mean": number(before["mean"]["value"]), "sd": number(before["sd"]["value"]),
           "printed": clean(before["mean"].get("printed")) or before["mean"]["value"]}
    post = {"mean": number(after["mean"]["value"]), "sd": number(after["sd"]["value"]),
            "printed": clean(after["mean"].get("printed")) or after["mean"]["value"]}
    return implied_correlation(pre, post, n, within)


def change_statistic(kind: str, correlation, interval: str) -> str:
    """What a change panel plots, in words (the y-axis title's statistic).

    Examples
    --------
    >>> change_statistic("mean_sd", 0.5, "ci"), change_statistic("median_iqr", 0.5, "ci")
    ('mean change, 95% CI assuming r = 0.5', 'difference of medians')
    >>> change_statistic("mean_sd", None, "ci"), change_statistic("mean_sd", 0.3, "sd")
    ('difference of means', 'mean change ± SD of change, assuming r = 0.3')
    >>> change_statistic("mean_sd", "implied", "ci")   # an axis title: short; the caption names each arm's r
    'mean change, 95% CI, r implied by p'
    """
    if kind != "mean_sd":
        return f"difference of {KINDS[kind]['word']}s"
    if correlation is None:
        return "difference of means"
    what = "95% CI" if interval == "ci" else "± SD of change,"
    if correlation == IMPLIED:
        return f"mean change{',' if interval == 'ci' else ''} {what.rstrip(',')}, r implied by p"
    return f"mean change{',' if interval == 'ci' else ''} {what} assuming {describe_correlation(correlation)}"


def endpoint_panel_data(study, endpoint: str, arms, visits, metric: str = "value",
                        correlation: float | None = None, interval: str = "ci") -> pd.DataFrame:
    """The numbers of one figure panel: one row per arm and visit.

    Parameters
    ----------
    study : cratus.study.model.Study
        The study (design, summary, p-values, endpoint dictionary).
    endpoint : str
        Endpoint id.
    arms : iterable of str
        Arms to include; shown in the design's order.
    visits : iterable of str
        Visits to include.
    metric : {"value", "change"}
        ``"value"``: the summary at each visit.  ``"change"``: the difference
        of the reported centres, visit − baseline, for each selected
        follow-up visit (the primary follow-up when only baseline is
        selected); reported only when both ends are.
    correlation : float or "implied", optional
        Pre–post correlation r.  With ``metric="change"`` on a mean endpoint
        it gives an interval for the change (see *interval*).  ``"implied"``
        (:data:`cratus.figures.change.IMPLIED`): each arm's r is the one its
        printed within-arm p implies (assuming a paired t-test); an arm
        without one uses r = 0.5 and ``interval_note`` says so.  With an
        assumed r, ``interval_note`` says where a 95% CI disagrees with the
        printed p.
    interval : {"ci", "sd"}
        ``"ci"``: 95% confidence interval of the mean change,
        mean ± t(0.975, n − 1)·SD_change/√n with
        SD_change = √(SD₀² + SD₁² − 2·r·SD₀·SD₁) and n the arm's (or
        subgroup's) number of participants.  ``"sd"``: mean ± SD_change
        (the spread of individual changes, not a CI).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`.  ``center`` is the mean or median
        (NaN when not reported), ``low``/``high`` the whiskers,
        ``center_text``/``spread``/``display`` the numbers as printed, ``n``
        the reported n (NaN if none), ``reported`` a bool, ``source``/``quote``
        where the numbers come from, ``p_within`` the arm's within-arm
        p-value (primary follow-up vs baseline) as printed (``""`` if none).

    Raises
    ------
    ValueError
        For an unknown arm, visit, metric or interval, an empty choice, or an
        endpoint not summarised as mean ± SD or median (IQR).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> panel = endpoint_panel_data(load_study(), "sppb", ["100M", "placebo"], ["baseline", "month6"])
    >>> panel[["arm", "visit", "center", "low", "high", "display", "p_within"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['100M', 'baseline', 10.5, 9.0, 12.0, '10.5 (9.0, 12.0)', 'p = .031'],
     ['100M', 'month6', 12.0, 11.0, 12.0, '12.0 (11.0, 12.0)', 'p = .031'],
     ['placebo', 'baseline', nan, nan, nan, 'not reported in the text', 'p = .875'],
     ['placebo', 'month6', nan, nan, nan, 'not reported in the text', 'p = .875']]
    """
    rows, _ = panel_records(study, endpoint, arms, visits, metric, correlation, interval)
    frame = pd.DataFrame(rows, columns=PANEL_COLUMNS)
    frame["reported"] = frame["reported"].astype(bool)
    return frame
