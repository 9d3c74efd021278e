"""Figures 2–4 of the paper: one panel builder, reused for every panel and grid.

Every panel of Figures 2, 3 and 4 has the same shape: one summary number per
arm and visit (mean ± SD or median (IQR)), a within-arm p-value for 6 months
against baseline, and many cells the text does not report.  This module turns
the tidy published frames into

* :func:`endpoint_panel_data` – the numbers of one panel, one row per arm and
  visit (also the panel's CSV download);
* :func:`build_endpoint_figure` – one panel as a ``plotly`` figure;
* :func:`build_figure_grid` – several panels in one figure (Figure 2, 3 …);
* :func:`figure_summary_sentence`, :func:`outcome_definition` and
  :func:`image_export_config` – the words and the export settings around them.

Conventions that pages and tests rely on
----------------------------------------
* One scatter trace per selected arm, in :data:`cratus.arms.ARMS` order, named
  ``ARM_LABELS[arm]``, ``legendgroup = arm`` and ``meta = {"role": "arm",
  "endpoint": …, "arm": …, "visits": [...], "metric": …}``.  ``y`` holds the
  plotted centre (mean or median) and ``None`` where the text reports nothing;
  ``error_y.array`` / ``error_y.arrayminus`` hold the distances to the upper
  and lower whisker (SD, or q3 − median and median − q1), ``None`` likewise.
  ``x`` is numeric (visit index plus an arm offset); ``meta["visits"]`` and
  ``customdata[i][0]`` give the visit code, the axis ticks its label.
* Every annotation carries ``name = "ROLE|endpoint|arm|visit"`` (see
  :func:`find_annotations`), with ROLE one of ``not_reported`` (placeholder
  for a cell not reported in the text), ``p_within`` (6 months vs baseline in
  one arm; text exactly :func:`~cratus.formatting.format_p`), ``p_vs_control``
  (text ``"vs placebo: p < .00001"``), ``p_between`` (arm ``all``),
  ``discrepancy`` (text ``"⚠"``, the explanation in ``hovertext``; arm and
  visit empty for a panel-wide one, drawn in the panel's top-right corner) and
  ``panel_title`` (grids only).
* Cells that are not reported get a box in a light grey band at the bottom of
  their panel (a ``layout.shapes`` rectangle over the ``x domain``, from 0 up
  to the band's top in ``y domain`` units; the y range is extended downwards
  to make room for it, so nothing in the band overlaps data or tick labels).
  The ``not_reported`` box (``yref="y domain"``, y = 0, ``yshift`` its height
  in the band) reads "◇ not reported" with the arm's marker glyph and a border
  in the arm's colour, at the arm's x for that visit; a p-value of such a cell
  sits right above it (same x, ``xshift`` and yref, larger yshift).  When
  boxes do not fit side by side, each arm gets a row of the band of its own;
  a box may move sideways (``xshift``) to stay inside the plot, never off its
  column.  p-values of reported cells sit just above the upper whisker, and
  stack only when they would overlap.
* The y-axis has ticks and grid lines only over the range of the data, so the
  band below and the p-value zone above carry no scale.
* Outside presentation mode no ``layout.width`` is set: the page stretches the
  figure, and every placement is decided at the narrowest width it must hold
  at (:data:`_MIN_WIDTH`, 700 px), where text is widest relative to the data.
  Grid titles are the figure number and a one-line note; each panel's full
  outcome definition is printed by the page and is the panel title's hover.

Nothing here reads files or widgets; the builders take frames and choices and
return frames or ``plotly.graph_objects.Figure`` objects.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cratus.arms import ARM_COLORS, ARM_DASHES, ARM_LABELS, ARM_SYMBOLS, ARMS, TOTAL, VISIT_LABELS, VISITS, order_arms
from cratus.formatting import NOT_REPORTED, decimals_of, format_number, format_p

__all__ = [
    "PANEL_COLUMNS",
    "build_endpoint_figure",
    "build_figure_grid",
    "endpoint_panel_data",
    "figure_summary_sentence",
    "find_annotations",
    "image_export_config",
    "outcome_definition",
    "select_figure_rows",
    "select_p_values",
    "source_rank",
]

#: Columns of :func:`endpoint_panel_data`, in order.
PANEL_COLUMNS = [
    "endpoint", "figure", "metric", "arm", "arm_label", "visit", "visit_label", "statistic",
    "center", "low", "high", "center_text", "spread", "display", "n", "reported",
    "source", "quote", "p_within", "p_within_value", "p_within_relation", "p_within_source",
    "p_within_quote", "p_vs_control", "p_between", "correlation",
]

#: Summary kinds that can be drawn, and the statistics behind them.
_KINDS = {
    "mean_sd": {"center": "mean", "low": "sd", "high": "sd", "label": "mean ± SD", "word": "mean"},
    "median_iqr": {"center": "median", "low": "q1", "high": "q3", "label": "median (IQR)", "word": "median"},
}

#: Open glyphs matching the arm marker symbols, for the "not reported" boxes.
_OPEN_GLYPHS = {"circle": "○", "square": "□", "diamond": "◇", "triangle-up": "△"}

#: Adjectives of the visits, for sentences ("6-month values …").
_VISIT_ADJECTIVES = {"baseline": "baseline", "month1": "1-month", "month6": "6-month", "month12": "12-month"}

_FOLLOW_UP = "month6"          # the within-arm p-values compare this visit with baseline
_WARNING_COLOR = "#D55E00"     # Okabe–Ito vermillion
_TEXT_COLOR = "#222222"
_ARM_STEP = 0.3                # horizontal distance between arms within a visit, in visit units


from cratus.provenance import _best_rows, _records, select_figure_rows, select_p_values, source_rank  # noqa: E402,F401

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def _clean(value) -> str:
    """A cell as stripped text; missing values (None, NaN, NA) become ``""``."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # a figure id read as a number: 4.0 -> "4"
    return str(value).strip()


def _number(value) -> float:
    """A cell as float, NaN when missing or not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _isnan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value_decimals(value: float) -> int:
    """Digits after the point that a float carries (at most 4)."""
    return decimals_of(f"{value:.4f}".rstrip("0").rstrip("."))


def _wrap(text: str, width: int) -> str:
    """Wrap plain text into ``<br>``-separated lines for plotly."""
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) if text else ""


def _hover_safe(text: str) -> str:
    # Plotly parses pseudo-HTML in hover text: "<" must not open a tag.
    return text.replace("<", "&lt;")


def _endpoint_info(dictionary: pd.DataFrame | None, endpoint: str) -> dict:
    """Label, unit, figure id, summary kind and population of one endpoint."""
    record = {}
    if dictionary is not None and len(dictionary):
        rows = _records(dictionary, "endpoint", endpoint)
        if rows:
            record = rows[0]
    description = _clean(record.get("description"))
    population = _clean(record.get("population"))
    if not population:
        # The dictionary says so in words, e.g. "female patients only".
        found = re.search(r"\b((?:fe)?male (?:patients|participants) only)\b", description, re.IGNORECASE)
        population = found.group(1).lower() if found else "all patients in each arm"
    label = _clean(record.get("label")) or endpoint.replace("_", " ")
    unit = _clean(record.get("unit"))
    if unit and re.search(rf"\b{re.escape(unit)}\b", label, re.IGNORECASE):
        unit = ""   # "CD4/CD8 ratio" needs no unit "ratio"
    return {
        "endpoint": endpoint,
        "label": label,
        "unit": unit,
        "figure": _clean(record.get("figure")),
        "summary": _clean(record.get("summary")),
        "better": _clean(record.get("better")),
        "description": description,
        "population": population,
    }


def _with_unit(number_text: str, unit: str) -> str:
    if not unit:
        return number_text
    return f"{number_text}{unit}" if unit.startswith("%") else f"{number_text} {unit}"


def _check_choices(arms, visits, metric, correlation) -> tuple[list[str], list[str]]:
    arms, visits = list(arms), list(visits)
    unknown = [a for a in arms if a not in (*ARMS, TOTAL)]
    if unknown:
        raise ValueError(f"arms: {unknown!r} not among {[*ARMS, TOTAL]}")
    if not arms:
        raise ValueError("arms is empty: select at least one arm")
    unknown = [v for v in visits if v not in VISITS]
    if unknown:
        raise ValueError(f"visits: {unknown!r} not among {list(VISITS)}")
    if not visits:
        raise ValueError("visits is empty: select at least one visit")
    if metric not in ("value", "change"):
        raise ValueError(f"metric {metric!r} is not 'value' or 'change'")
    if correlation is not None and not -1 <= float(correlation) <= 1:
        raise ValueError(f"correlation {correlation!r} is not between -1 and 1")
    wanted = set(visits)
    return order_arms(arms), [v for v in VISITS if v in wanted]


# --------------------------------------------------------------------------
# Panel data
# --------------------------------------------------------------------------
def _endpoint_rows(summary: pd.DataFrame, endpoint: str) -> list[dict]:
    """The preferred rows of one endpoint, as records (level-free rows only)."""
    rows = _records(summary, "endpoint", endpoint)
    blank = [r for r in rows if not _clean(r.get("level"))]
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


def _p_lookup(p_values: pd.DataFrame | None, endpoint: str) -> dict:
    """``{(comparison, arm, visit): record}`` of the preferred p-values."""
    if p_values is None or not len(p_values):
        return {}
    rows = _best_rows(_records(p_values, "endpoint", endpoint), ["endpoint", "arm", "comparison", "visit"])
    return {(r["comparison"], r["arm"], _clean(r.get("visit")) or _FOLLOW_UP): r for r in rows}


def _p_text(record: dict | None) -> str:
    if record is None:
        return ""
    # The printed text keeps the paper's trailing zeros (.540); a frame without it formats the number.
    return format_p(_number(record["p_value"]), _clean(record.get("relation")) or "=",
                    _clean(record.get("printed")) or None)


def _cell(stats: dict, kind: str, decimals: dict) -> dict:
    """Centre, whiskers and texts of one reported (arm, visit) cell."""
    spec = _KINDS[kind]

    def text(statistic):
        record = stats.get(statistic)
        if record is None:
            return ""
        # The precision is the printed one ("12.0"), the thousands separator the paper's.
        printed = _clean(record.get("printed"))
        places = decimals_of(printed) if printed else decimals.get(statistic)
        return format_number(_number(record["value"]), places)

    center_record = stats.get(spec["center"])
    if center_record is None or _isnan(_number(center_record["value"])):
        return {"reported": False, "center": math.nan, "low": math.nan, "high": math.nan,
                "plus": math.nan, "minus": math.nan,
                "center_text": NOT_REPORTED, "spread": NOT_REPORTED, "display": NOT_REPORTED,
                "n": _number(stats["n"]["value"]) if "n" in stats else math.nan,
                "source": "", "quote": ""}
    center = _number(center_record["value"])
    center_text = text(spec["center"])
    used = [center_record]
    if kind == "mean_sd" and "sd" in stats:
        sd = _number(stats["sd"]["value"])
        low, high, plus, minus = center - sd, center + sd, sd, sd
        spread, display = f"SD {text('sd')}", f"{center_text} ± {text('sd')}"
        used.append(stats["sd"])
    elif kind == "median_iqr" and "q1" in stats and "q3" in stats:
        low, high = _number(stats["q1"]["value"]), _number(stats["q3"]["value"])
        plus, minus = high - center, center - low
        spread = f"IQR {text('q1')}, {text('q3')}"
        display = f"{center_text} ({text('q1')}, {text('q3')})"
        used += [stats["q1"], stats["q3"]]
    else:
        low = high = plus = minus = math.nan
        spread, display = f"{'SD' if kind == 'mean_sd' else 'IQR'} {NOT_REPORTED}", center_text
    sources = list(dict.fromkeys(_clean(r.get("source")) for r in used if _clean(r.get("source"))))
    quotes = list(dict.fromkeys(_clean(r.get("quote")) for r in used if _clean(r.get("quote"))))
    return {"reported": True, "center": center, "low": low, "high": high, "plus": plus, "minus": minus,
            "center_text": center_text, "spread": spread, "display": display,
            "n": _number(stats["n"]["value"]) if "n" in stats else math.nan,
            "source": "; ".join(sources), "quote": " … ".join(quotes)}


def _change_cell(before: dict, after: dict, kind: str, correlation, before_sd, after_sd) -> dict:
    """Difference of the reported centres (after − before), with an optional SD."""
    if not (before["reported"] and after["reported"]):
        missing = [name for name, cell in (("baseline", before), ("follow-up", after)) if not cell["reported"]]
        return {"reported": False, "center": math.nan, "low": math.nan, "high": math.nan,
                "plus": math.nan, "minus": math.nan, "center_text": NOT_REPORTED,
                "spread": f"{' and '.join(missing)} value {NOT_REPORTED}", "display": NOT_REPORTED,
                "n": math.nan, "source": "", "quote": ""}
    decimals = max(decimals_of(before["center_text"]), decimals_of(after["center_text"]))
    center = after["center"] - before["center"]
    center_text = ("+" if center > 0 else "") + format_number(center, decimals)
    low = high = sd = math.nan
    if correlation is None:
        spread = "no interval (set a pre–post correlation to show one)"
    elif kind != "mean_sd":
        spread = "no interval for a difference of medians"
    elif _isnan(before_sd) or _isnan(after_sd):
        spread = f"no interval: SD {NOT_REPORTED}"
    else:
        r = float(correlation)
        sd = math.sqrt(max(before_sd ** 2 + after_sd ** 2 - 2 * r * before_sd * after_sd, 0.0))
        low, high = center - sd, center + sd
        sd_decimals = max(decimals, 1)
        spread = f"SD of change {format_number(sd, sd_decimals)} (assumes r = {r:g})"
    display = center_text if _isnan(sd) else f"{center_text} ± {format_number(sd, max(decimals, 1))}"
    n_values = [n for n in (before["n"], after["n"]) if not _isnan(n)]
    sources = list(dict.fromkeys(s for s in (before["source"], after["source"]) if s))
    quotes = list(dict.fromkeys(q for q in (before["quote"], after["quote"]) if q))
    return {"reported": True, "center": center, "low": low, "high": high, "plus": sd, "minus": sd,
            "center_text": center_text, "spread": spread, "display": display,
            "n": min(n_values) if len(n_values) == 2 else math.nan,
            "source": "; ".join(sources), "quote": " … ".join(quotes)}


def _panel_records(summary, p_values, endpoint, arms, visits, dictionary, metric, correlation):
    """Rows of :func:`endpoint_panel_data` as dicts, plus the endpoint info."""
    arms, visits = _check_choices(arms, visits, metric, correlation)
    info = _endpoint_info(dictionary, endpoint)
    records = _endpoint_rows(summary, endpoint)
    kind = info["summary"] or _infer_kind(records, endpoint)
    if kind not in _KINDS:
        raise ValueError(f"endpoint {endpoint!r} is summarised as {kind!r}; "
                         f"figures draw {' or '.join(_KINDS)} endpoints")
    info["summary"] = kind

    stats: dict[tuple[str, str], dict[str, dict]] = {}
    decimals: dict[str, int] = {}
    for record in records:
        stats.setdefault((record["arm"], record["visit"]), {})[record["statistic"]] = record
        value = _number(record["value"])
        if not _isnan(value):
            decimals[record["statistic"]] = max(decimals.get(record["statistic"], 0), _value_decimals(value))
    # A median and its quartiles print at one precision (10.5 (9.0, 12.0)).
    shared = max(decimals.get("median", 0), decimals.get("q1", 0), decimals.get("q3", 0))
    decimals.update(median=shared, q1=shared, q3=shared)

    p_lookup = _p_lookup(p_values, endpoint)
    between = [p_lookup[k] for k in p_lookup if k[0] == "between_arms"]
    p_between = "; ".join(_p_text(r) for r in between)

    if metric == "value":
        plotted = visits
        statistic = _KINDS[kind]["label"]
    else:
        plotted = [v for v in visits if v != "baseline"] or [_FOLLOW_UP]
        statistic = f"difference of {_KINDS[kind]['word']}s"
        if correlation is not None and kind == "mean_sd":
            statistic = "mean change ± SD"

    rows = []
    for arm in arms:
        for visit in plotted:
            if metric == "value":
                cell = _cell(stats.get((arm, visit), {}), kind, decimals)
                label = VISIT_LABELS[visit]
            else:
                before_stats = stats.get((arm, "baseline"), {})
                after_stats = stats.get((arm, visit), {})
                cell = _change_cell(
                    _cell(before_stats, kind, decimals), _cell(after_stats, kind, decimals), kind, correlation,
                    _number(before_stats["sd"]["value"]) if "sd" in before_stats else math.nan,
                    _number(after_stats["sd"]["value"]) if "sd" in after_stats else math.nan)
                label = f"{VISIT_LABELS[visit]} − baseline"
            p_visit = visit if metric == "change" else _FOLLOW_UP
            within = p_lookup.get(("within_arm", arm, p_visit))
            rows.append({
                "endpoint": endpoint, "figure": info["figure"], "metric": metric,
                "arm": arm, "arm_label": ARM_LABELS[arm], "visit": visit, "visit_label": label,
                "statistic": statistic, **cell,
                "p_within": _p_text(within),
                "p_within_value": _number(within["p_value"]) if within else math.nan,
                "p_within_relation": _clean(within.get("relation")) if within else "",
                "p_within_source": _clean(within.get("source")) if within else "",
                "p_within_quote": _clean(within.get("quote")) if within else "",
                "p_vs_control": _p_text(p_lookup.get(("vs_control", arm, p_visit))),
                "p_between": p_between,
                "correlation": math.nan if correlation is None else float(correlation),
            })
    return rows, info


def endpoint_panel_data(summary: pd.DataFrame, p_values: pd.DataFrame | None, endpoint: str, arms, visits,
                        dictionary: pd.DataFrame | None, metric: str = "value",
                        correlation: float | None = None) -> pd.DataFrame:
    """The numbers of one figure panel: one row per arm and visit.

    Parameters
    ----------
    summary : pandas.DataFrame
        Summary frame (see :func:`select_figure_rows` for which source wins).
    p_values : pandas.DataFrame or None
        p-value frame; Results rows win over the Abstract.
    endpoint : str
        Endpoint code, e.g. ``"six_minute_walk"``.
    arms : iterable of str
        Arms to include; shown in :data:`cratus.arms.ARMS` order.
    visits : iterable of str
        Visits to include, from :data:`cratus.arms.VISITS`.
    dictionary : pandas.DataFrame or None
        The endpoints dictionary (label, unit, figure, summary kind).
    metric : {"value", "change"}
        ``"value"``: the summary at each visit.  ``"change"``: the difference
        of the reported centres, visit − baseline, for each selected
        follow-up visit (6 months when only baseline is selected); reported
        only when both ends are.
    correlation : float, optional
        Assumed pre–post correlation r.  With ``metric="change"`` on a mean
        endpoint, gives the SD of the change,
        ``sqrt(sd1² + sd2² − 2·r·sd1·sd2)``, as the interval.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`.  ``center`` is the mean or median
        (NaN when not reported), ``low``/``high`` the whiskers (mean ∓ SD, or
        q1 and q3), ``center_text``/``spread``/``display`` the numbers as
        printed, ``n`` the reported n (NaN if none), ``reported`` a bool,
        ``source``/``quote`` where the numbers come from, ``p_within`` the
        arm's 6-months-vs-baseline p-value as printed (``""`` if none).

    Raises
    ------
    ValueError
        For an unknown arm, visit or metric, an empty choice, or an endpoint
        that is not summarised as mean ± SD or median (IQR).

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "sppb", "level": "", "arm": "100M",
    ...     "visit": ["baseline"] * 3 + ["month6"] * 3,
    ...     "statistic": ["median", "q1", "q3"] * 2,
    ...     "value": [10.5, 9.0, 12.0, 12.0, 11.0, 12.0], "source": "Results", "quote": ""})
    >>> p = pd.DataFrame({"endpoint": ["sppb"], "arm": ["100M"], "comparison": ["within_arm"],
    ...     "visit": ["month6"], "p_value": [0.031], "relation": ["="], "source": ["Results"], "quote": [""]})
    >>> d = pd.DataFrame({"endpoint": ["sppb"], "label": ["SPPB total score"], "unit": ["points"],
    ...     "figure": ["2B"], "summary": ["median_iqr"]})
    >>> panel = endpoint_panel_data(s, p, "sppb", ["100M", "placebo"], ["baseline", "month6"], d)
    >>> panel[["arm", "visit", "center", "low", "high", "display", "p_within"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['100M', 'baseline', 10.5, 9.0, 12.0, '10.5 (9.0, 12.0)', 'p = .031'],
     ['100M', 'month6', 12.0, 11.0, 12.0, '12.0 (11.0, 12.0)', 'p = .031'],
     ['placebo', 'baseline', nan, nan, nan, 'not reported in the text', ''],
     ['placebo', 'month6', nan, nan, nan, 'not reported in the text', '']]
    """
    rows, _ = _panel_records(summary, p_values, endpoint, arms, visits, dictionary, metric, correlation)
    frame = pd.DataFrame(rows, columns=PANEL_COLUMNS)
    frame["reported"] = frame["reported"].astype(bool)
    return frame


# --------------------------------------------------------------------------
# Words around the figure
# --------------------------------------------------------------------------
def outcome_definition(endpoint: str, dictionary: pd.DataFrame | None, metric: str = "value",
                       visits=("baseline", "month6"), correlation: float | None = None) -> str:
    """Define the plotted outcome, after the CONSORT-Outcomes 2022 items.

    States the measure and its unit, the metric (value at a time point, or
    change from baseline), the summary (mean ± SD or median (IQR)), the time
    points, and who was measured.

    Parameters
    ----------
    endpoint : str
        Endpoint code.
    dictionary : pandas.DataFrame or None
        The endpoints dictionary.
    metric : {"value", "change"}
        As in :func:`endpoint_panel_data`.
    visits : iterable of str
        The visits shown.
    correlation : float, optional
        The assumed pre–post correlation of a change interval, if any.

    Returns
    -------
    str

    Examples
    --------
    >>> d = pd.DataFrame({"endpoint": ["sqol_f"], "label": ["SQOL-F"], "unit": ["points"],
    ...     "summary": ["mean_sd"], "description": ["Sexual Quality of Life-Female; female patients only."]})
    >>> print(outcome_definition("sqol_f", d, "value", ["baseline", "month6"]))
    ... # doctest: +NORMALIZE_WHITESPACE
    SQOL-F (points); value at each time point; mean ± SD per arm; time points: baseline,
    6 months; measured in female patients only.
    >>> print(outcome_definition("sqol_f", d, "change", ["baseline", "month6"], correlation=0.5))
    ... # doctest: +NORMALIZE_WHITESPACE
    SQOL-F (points); change from baseline to 6 months (difference of the arm's reported
    means); mean change ± SD, interval assumes pre–post correlation r = 0.5; time points:
    baseline, 6 months; measured in female patients only.
    """
    info = _endpoint_info(dictionary, endpoint)
    kind = info["summary"] if info["summary"] in _KINDS else "mean_sd"
    measure = f"{info['label']} ({info['unit']})" if info["unit"] else info["label"]
    chosen = [v for v in VISITS if v in set(visits)]
    if metric == "change":
        follow = [v for v in chosen if v != "baseline"] or [_FOLLOW_UP]
        to = " and ".join(VISIT_LABELS[v] for v in follow)
        how = (f"change from baseline to {to} (difference of the arm's reported {_KINDS[kind]['word']}s)")
        if correlation is not None and kind == "mean_sd":
            summary = f"mean change ± SD, interval assumes pre–post correlation r = {float(correlation):g}"
        else:
            summary = "no interval (the text gives no SD of the change)"
        points = ["baseline", *follow]
    else:
        how = "value at each time point"
        summary = f"{_KINDS[kind]['label']} per arm"
        points = chosen
    times = ", ".join(VISIT_LABELS[v] if v != "baseline" else "baseline" for v in points)
    return f"{measure}; {how}; {summary}; time points: {times}; measured in {info['population']}."


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _capitalise(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def _lower_label(label: str) -> str:
    # "Serum TNF-α" -> "serum TNF-α", but "SPPB total score" stays.
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def figure_summary_sentence(panel_data: pd.DataFrame, dictionary: pd.DataFrame | None, endpoint: str) -> str:
    """One plain sentence that says what a panel shows, generated from its data.

    Parameters
    ----------
    panel_data : pandas.DataFrame
        As returned by :func:`endpoint_panel_data`.
    dictionary : pandas.DataFrame or None
        The endpoints dictionary (label and unit).
    endpoint : str
        Endpoint code.

    Returns
    -------
    str

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "six_minute_walk", "level": "",
    ...     "arm": ["100M"] * 4 + ["200M"] * 2 + ["placebo"] * 2,
    ...     "visit": ["baseline", "baseline", "month6", "month6"] + ["baseline"] * 4,
    ...     "statistic": ["mean", "sd"] * 4,
    ...     "value": [345.9, 103.4, 410.7, 155.4, 390.6, 148.9, 385.8, 83.1],
    ...     "source": ["Results"] * 4 + ["Table 1"] * 4, "quote": ""})
    >>> p = pd.DataFrame({"endpoint": "six_minute_walk", "arm": ["100M", "200M", "placebo"],
    ...     "comparison": "within_arm", "visit": "month6", "p_value": [0.011, 0.263, 0.112],
    ...     "relation": "=", "source": "Results", "quote": ""})
    >>> d = pd.DataFrame({"endpoint": ["six_minute_walk"], "label": ["6-minute walk distance"],
    ...     "unit": ["m"], "summary": ["mean_sd"]})
    >>> panel = endpoint_panel_data(s, p, "six_minute_walk", ["100M", "200M", "placebo"],
    ...                             ["baseline", "month6"], d)
    >>> print(figure_summary_sentence(panel, d, "six_minute_walk"))  # doctest: +NORMALIZE_WHITESPACE
    6-minute walk distance rose from 345.9 to 410.7 m in the 100M arm (p = .011); 6-month
    values for 200M and placebo are not reported in the text (p = .263 and p = .112).
    """
    info = _endpoint_info(dictionary, endpoint)
    rows = panel_data[panel_data["endpoint"] == endpoint] if "endpoint" in panel_data.columns else panel_data
    if rows.empty:
        return f"No {info['label']} values are selected."
    records = _records(rows)
    unit, label = info["unit"], info["label"]
    kind = info["summary"] if info["summary"] in _KINDS else (
        "median_iqr" if str(records[0]["statistic"]).startswith("median") else "mean_sd")
    subject = label if kind == "mean_sd" else f"median {_lower_label(label)}"
    arms = list(dict.fromkeys(r["arm"] for r in records))
    cells = {(r["arm"], r["visit"]): r for r in records}
    visits = list(dict.fromkeys(r["visit"] for r in records))

    def p_of(arm_rows):
        texts = [r["p_within"] for r in arm_rows if _clean(r["p_within"])]
        return f" ({_join(texts)})" if texts else ""

    clauses, missing = [], {}
    if records[0]["metric"] == "change":
        for visit in visits:
            for arm in arms:
                r = cells[(arm, visit)]
                if r["reported"]:
                    clauses.append(f"{_with_unit(r['center_text'], unit)} in the {arm} arm{p_of([r])}")
                else:
                    missing.setdefault(visit, []).append(r)
        to = _join([VISIT_LABELS[v] for v in visits])
        parts = []
        if clauses:
            parts.append(f"The change in {_lower_label(subject)} from baseline to {to} was {_join(clauses)}")
        for visit, group in missing.items():
            text = (f"the change for {_join([r['arm'] for r in group])} cannot be computed because a value "
                    f"is {NOT_REPORTED}{p_of(group)}")
            parts.append(text if parts else f"For {_lower_label(subject)}, {text}")
        return _capitalise("; ".join(parts)) + "."

    if "baseline" in visits and _FOLLOW_UP in visits:
        groups: dict[tuple[str, ...], list[dict]] = {}
        for arm in arms:
            before, after = cells[(arm, "baseline")], cells[(arm, _FOLLOW_UP)]
            if before["reported"] and after["reported"]:
                verb = ("rose" if after["center"] > before["center"]
                        else "fell" if after["center"] < before["center"] else "stayed")
                clauses.append(f"{verb} from {before['center_text']} to {_with_unit(after['center_text'], unit)} "
                               f"in the {arm} arm{p_of([after])}")
            else:
                gone = tuple(v for v, c in (("baseline", before), (_FOLLOW_UP, after)) if not c["reported"])
                groups.setdefault(gone, []).append(after)
        parts = [f"{subject} {_join(clauses)}"] if clauses else []
        for gone, group in groups.items():
            what = " and ".join(_VISIT_ADJECTIVES[v] for v in gone)
            text = (f"{what} values for {_join([r['arm'] for r in group])} are "
                    f"{NOT_REPORTED}{p_of(group)}")
            parts.append(text if parts else f"For {_lower_label(subject)}, {text}")
        return _capitalise("; ".join(parts)) + "."

    parts = []
    for visit in visits:
        shown = [cells[(a, visit)] for a in arms if cells[(a, visit)]["reported"]]
        absent = [a for a in arms if not cells[(a, visit)]["reported"]]
        when = "at baseline" if visit == "baseline" else f"at {VISIT_LABELS[visit]}"
        if shown:
            values = _join([f"{_with_unit(r['center_text'], unit)} in the {r['arm']} arm" for r in shown])
            parts.append(f"{when}, {_lower_label(subject)} was {values}")
        if absent:
            parts.append(f"{_VISIT_ADJECTIVES[visit]} values for {_join(absent)} are {NOT_REPORTED}")
    return _capitalise("; ".join(parts)) + "."


def image_export_config(endpoint_or_figure_id, scale: int = 3, dictionary: pd.DataFrame | None = None) -> dict:
    """Plotly ``config`` for a figure: PNG export at print resolution, no logo.

    Parameters
    ----------
    endpoint_or_figure_id : str or plotly.graph_objects.Figure
        An endpoint code (with *dictionary*, its figure id is looked up), a
        figure id such as ``"2A"``, ``"Figure 3"`` or ``"4"``, or a figure
        made by this module (its ``layout.meta`` names it).
    scale : int
        Pixel multiplier of the exported PNG (3 ≈ 300 dpi at print size).
    dictionary : pandas.DataFrame, optional
        The endpoints dictionary.

    Returns
    -------
    dict
        For ``st.plotly_chart(fig, config=...)``.

    Examples
    --------
    >>> d = pd.DataFrame({"endpoint": ["six_minute_walk"], "figure": ["2A"]})
    >>> image_export_config("six_minute_walk", dictionary=d)["toImageButtonOptions"]
    {'format': 'png', 'filename': 'cratus_figure2A_six_minute_walk', 'scale': 3}
    >>> image_export_config("Figure 3")["toImageButtonOptions"]["filename"]
    'cratus_figure3'
    >>> image_export_config("2A")["displaylogo"]
    False
    """
    if isinstance(endpoint_or_figure_id, go.Figure):
        meta = endpoint_or_figure_id.layout.meta or {}
        filename = meta.get("filename", "cratus_figure") if isinstance(meta, dict) else "cratus_figure"
    else:
        name = _clean(endpoint_or_figure_id)
        match = re.fullmatch(r"(?:fig(?:ure)?\.?\s*)?(\d+[A-Za-z]?)", name, re.IGNORECASE)
        if match:
            filename = f"cratus_figure{match.group(1).upper()}"
        else:
            figure = _endpoint_info(dictionary, name)["figure"]
            filename = _export_filename(name, figure)
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": int(scale)},
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    }


def _export_filename(endpoint: str, figure: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", endpoint).strip("_")
    return f"cratus_figure{figure}_{slug}" if figure else f"cratus_{slug}"


def find_annotations(figure: go.Figure, role: str, endpoint: str | None = None, arm: str | None = None,
                     visit: str | None = None) -> list:
    """Annotations of one role (``not_reported``, ``p_within`` …) in a figure.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        Made by :func:`build_endpoint_figure` or :func:`build_figure_grid`.
    role : str
        ``not_reported``, ``p_within``, ``p_vs_control``, ``p_between``,
        ``discrepancy`` or ``panel_title``.
    endpoint, arm, visit : str, optional
        Narrow the search.

    Returns
    -------
    list of plotly.graph_objects.layout.Annotation

    Examples
    --------
    >>> fig = go.Figure(layout={"annotations": [{"name": "p_within|sppb|100M|month6", "text": "p = .031"}]})
    >>> [a.text for a in find_annotations(fig, "p_within", arm="100M")]
    ['p = .031']
    """
    found = []
    for annotation in figure.layout.annotations:
        parts = (annotation.name or "").split("|")
        if len(parts) != 4 or parts[0] != role:
            continue
        if any(want is not None and want != got for want, got in zip((endpoint, arm, visit), parts[1:])):
            continue
        found.append(annotation)
    return found


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------
@functools.cache
def _template() -> dict:
    # plotly_white, limited to the layout and scatter defaults: passing the
    # whole template costs ~7 ms per figure, a third of the rerun budget.
    full = pio.templates["plotly_white"].to_plotly_json()
    return {"layout": full["layout"], "data": {"scatter": full["data"].get("scatter", [])}}


#: Narrowest figure a normal (not presentation) layout must survive: Streamlit's
#: main column is ~820 px wide in a 1280 px window with the sidebar open.  Text
#: keeps its pixel size when the figure stretches while the data spread out, so
#: a layout without overlaps at this width has none at any wider one.
_MIN_WIDTH = 700
#: The same for presentation mode: a page may show the 1600 px figure in the
#: ~1080 px main column of a 1280 × 800 projector.
_MIN_WIDTH_PRESENTATION = 1000
#: Font of every text in the figures: Arial's metrics (Liberation Sans on
#: Linux) are what the size estimates below assume.  Streamlit's own font,
#: when its theme applies, is a little narrower, so the estimates stay safe.
_FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
#: Advance widths of Arial in em, for the size estimates (other characters: 0.6).
_GLYPH_EM = {
    **dict.fromkeys(" !,./:;I[\\]ft", 0.278), **dict.fromkeys("ijl", 0.222), **dict.fromkeys("|", 0.26),
    **dict.fromkeys("'", 0.191), **dict.fromkeys('"', 0.355), **dict.fromkeys("()-`r", 0.333),
    **dict.fromkeys("{}", 0.334), **dict.fromkeys("*", 0.389), **dict.fromkeys("^", 0.469),
    **dict.fromkeys("Jckszvxy", 0.5), **dict.fromkeys("≥≤", 0.549),
    **dict.fromkeys("#$0123456789?L_abdeghnopqu–αµ", 0.556), **dict.fromkeys("+<=>~±−×", 0.584),
    **dict.fromkeys("FTZ", 0.611), **dict.fromkeys("ABEKPSVXY&", 0.667), **dict.fromkeys("CDHNRUw", 0.722),
    **dict.fromkeys("GOQ", 0.778), **dict.fromkeys("Mm", 0.833), **dict.fromkeys("%", 0.889),
    **dict.fromkeys("W", 0.944), **dict.fromkeys("—@⚠", 1.0), **dict.fromkeys("◇", 0.77), "³": 0.333,
}
_TITLE_COLOR = "#1A1A1A"
_BAND_COLOR = "#F0F0F0"        # the zone of "not reported" boxes, below the data


def _style(presentation: bool) -> dict:
    """Pixel sizes of one mode.

    ``width`` is the figure's width (``None``: the page stretches it) and
    ``min_width`` the narrowest width its placements must hold at.
    """
    if presentation:
        return {"font": 22, "tick": 20, "title": 30, "subtitle": 20, "panel_title": 24, "annotation": 20,
                "marker": 20, "line": 4.5, "error": 3.5, "cap": 10, "width": 1600, "height": 900,
                "min_width": _MIN_WIDTH_PRESENTATION}
    return {"font": 16, "tick": 14, "title": 22, "subtitle": 15, "panel_title": 17, "annotation": 14,
            "marker": 12, "line": 2.5, "error": 2, "cap": 6, "width": None, "height": 560, "min_width": _MIN_WIDTH}


def _line_width(line: str, size: float) -> float:
    """Estimated pixel width of one line of plotly text (tags removed, bold 8 % wider).

    Examples
    --------
    >>> round(_line_width("p = .263", 14), 1), round(_line_width("<b>2A</b>", 10), 1)
    (53.0, 13.7)
    """
    width = 0.0
    for bold, part in re.findall(r"(<b>)?([^<]*)(?:</b>)?", re.sub(r"<(?!/?b>)[^>]+>", "", line)):
        em = sum(_GLYPH_EM.get(char, 0.6) for char in part)
        width += em * (1.08 if bold else 1.0)
    return width * size * 1.04     # a few per cent of slack for kerning and rounding


def _text_width(text: str, size: float) -> float:
    """Estimated pixel width of the widest line of a plotly text (``<br>``-separated)."""
    return max(_line_width(line, size) for line in text.split("<br>"))


def _wrap_px(text: str, width: float, size: float, clauses: bool = False, chars: int = 90) -> str:
    """Wrap text into ``<br>``-separated lines no wider than *width* pixels (and *chars* characters).

    With *clauses*, a short clause ("; "-separated, up to 45 characters)
    goes whole onto the next line rather than being split, so that a phrase
    such as "measured in female patients only." stays together.

    Examples
    --------
    >>> _wrap_px("SQOL-F (points); value at each time point; measured in female patients only.", 300, 14,
    ...          clauses=True)
    'SQOL-F (points); value at each time point;<br>measured in female patients only.'
    """
    def fits(line: str) -> bool:
        return len(line) <= chars and _line_width(line, size) <= width

    lines: list[str] = []
    for piece in (re.split(r"(?<=;) ", text) if clauses else [text]):
        if lines and fits(lines[-1] + " " + piece):
            lines[-1] += " " + piece
            continue
        if len(piece) <= 45 and fits(piece):
            lines.append(piece)
            continue
        words = piece.split(" ")
        current = lines.pop() + " " + words[0] if lines and fits(lines[-1] + " " + words[0]) else words[0]
        for word in words[1:]:
            if fits(current + " " + word):
                current += " " + word
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return "<br>".join(lines)


class _Note:
    """An annotation with an estimated box in pixels, for the overlap check."""

    def __init__(self, spec: dict, x_px: float, y_px: float, size: float, fixed: bool = False):
        self.spec, self.x_px, self.y_px, self.fixed = spec, x_px, y_px, fixed
        lines = spec["text"].count("<br>") + 1
        pad = spec.get("borderpad", 1) + spec.get("borderwidth", 0) + 1
        self.w = _text_width(spec["text"], size) + 2 * pad
        self.h = lines * size * 1.3 + 2 * pad
        self.shift = 0.0

    def box(self) -> tuple[float, float, float, float]:
        xa, ya = self.spec.get("xanchor", "center"), self.spec.get("yanchor", "bottom")
        x = self.x_px + self.spec.get("xshift", 0)
        x0 = x - self.w / 2 if xa == "center" else x if xa == "left" else x - self.w
        y = self.y_px + self.spec.get("yshift", 0) + self.shift
        y0 = y if ya == "bottom" else y - self.h / 2 if ya == "middle" else y - self.h
        return x0, x0 + self.w, y0, y0 + self.h


def _overlaps(a, b) -> bool:
    return a[0] < b[1] - 1 and b[0] < a[1] - 1 and a[2] < b[3] - 1 and b[2] < a[3] - 1


def _place(notes: list[_Note], obstacles: list[tuple]) -> list[tuple]:
    """Greedy layout: move each movable note up until it overlaps nothing placed before."""
    placed = list(obstacles)
    for note in notes:
        if not note.fixed:
            for _ in range(60):
                box = note.box()
                tops = [other[3] for other in placed if _overlaps(box, other)]
                if not tops:
                    break
                note.shift += max(tops) - box[2] + 2
        placed.append(note.box())
    return placed


def _inside(x0: float, x1: float, width: float, pad: float = 2.0) -> float:
    """Horizontal shift that brings ``[x0, x1]`` inside ``[0, width]`` (0 when it is)."""
    if x0 < pad:
        return pad - x0
    if x1 > width - pad:
        return max(width - pad - x1, pad - x0)
    return 0.0


def _pack_row(members: list[int], extents: list, width: float, gap: float, force: bool = False):
    """Shifts that put one row of units side by side inside ``[0, width]``.

    Each unit moves as little as it can from its column; ``None`` when the
    row does not fit, or when a unit would move so far that its box no longer
    covers its column (unless *force*).
    """
    order = sorted(members, key=lambda i: extents[i][0] + extents[i][1])
    left = {i: extents[i][0] for i in order}
    prev_end = 2.0 - gap
    for i in order:
        left[i] = max(left[i], prev_end + gap)
        prev_end = left[i] + extents[i][1] - extents[i][0]
    next_start = width - 2.0 + gap
    for i in reversed(order):
        left[i] = min(left[i], next_start - gap - (extents[i][1] - extents[i][0]))
        next_start = left[i]
    shifts = {i: left[i] - extents[i][0] for i in order}
    if not force and (left[order[0]] < 1.5 or any(abs(shifts[i]) > extents[i][3] for i in order)):
        return None
    return shifts


def _stack_band(units: list[tuple[int, list[tuple[dict, float, float, float]]]], width: float,
                gap: float = 4.0) -> tuple[list, float]:
    """Arrange the "not reported" units of a panel in rows, without overlaps.

    A unit is a placeholder box with its p-values right above it and a "⚠"
    beside it, given as ``(arm index, parts)``; each part is ``(spec, x0, x1,
    y0)`` in pixels at the narrowest width (the box first), its height in
    ``spec["_h"]``.  Units share the bottom row when they fit side by side.
    Otherwise each arm gets a row of its own (bottom to top in arm order),
    so an arm's boxes line up across visits and its p-values sit right above
    its own boxes; rows are filled greedily when that needs fewer rows or
    does not fit.  Within a row, units at the plot's edge or too close to
    each other move sideways as a whole, never off their column.

    Sets ``spec["_base"]`` (height of the unit's row) and ``spec["_dx"]``
    (sideways move) of every part; returns the rectangles placed, in pixels
    above the bottom of the band, and the height of the band's content.
    """
    if not units:
        return [], 0.0
    extents = []
    for _, parts in units:
        box = parts[0]
        # left, right, height, and how far the unit may move: its column must stay inside the box
        extents.append((min(p[1] for p in parts), max(p[2] for p in parts),
                        max(p[3] + p[0]["_h"] for p in parts), max((box[2] - box[1]) / 2 - 8, 0.0)))

    def overlap(i, j):
        return not (extents[i][1] + gap <= extents[j][0] or extents[j][1] + gap <= extents[i][0])

    greedy: list[list[int]] = []
    for i in sorted(range(len(units)), key=lambda k: extents[k][0]):
        row = next((r for r, members in enumerate(greedy) if not any(overlap(i, m) for m in members)), None)
        if row is None:
            greedy.append([i])
        else:
            greedy[row].append(i)
    arms = sorted({arm for arm, _ in units})
    by_arm = [[i for i, (arm, _) in enumerate(units) if arm == a] for a in arms]
    candidates = [[list(range(len(units)))]]
    candidates += sorted([by_arm, greedy], key=len)
    rows = shifts = None
    for candidate in candidates:
        found = [_pack_row(members, extents, width, gap) for members in candidate]
        if all(f is not None for f in found):
            rows, shifts = candidate, {i: d for f in found for i, d in f.items()}
            break
    if rows is None:
        rows = [[i] for i in range(len(units))]
        shifts = {i: d for i in range(len(units)) for d in _pack_row([i], extents, width, gap, True).values()}
    heights = [max(extents[i][2] for i in members) for members in rows]
    bases = [sum(heights[:r]) + 3 * r for r in range(len(rows))]
    placed = []
    for r, members in enumerate(rows):
        for i in members:
            for spec, x0, x1, y0 in units[i][1]:
                spec["_base"], spec["_dx"] = bases[r], round(shifts[i], 1)
                placed.append((x0 + shifts[i], x1 + shifts[i], bases[r] + y0, bases[r] + y0 + spec["_h"]))
    return placed, bases[-1] + heights[-1]


def _discrepancy_lookup(discrepancies, endpoint: str, info: dict) -> dict:
    """``{(arm, visit): [rows]}`` of the discrepancies that concern *endpoint*.

    A row with an empty endpoint applies when its locations cite the
    endpoint's figure panel (e.g. "Figure 3A").  An empty arm or visit is
    ``""`` in the key (the whole panel, or every visit of the arm).
    """
    if discrepancies is None or not len(discrepancies):
        return {}
    found: dict[tuple[str, str], list[dict]] = {}
    citation = f"Figure {info['figure']}" if info["figure"] else None
    for row in _records(discrepancies):
        own = _clean(row.get("endpoint"))
        if own != endpoint:
            cited = " ".join(_clean(row.get(k)) for k in ("location_a", "location_b"))
            if own or not citation or not re.search(rf"{re.escape(citation)}\b", cited):
                continue
        found.setdefault((_clean(row.get("arm")), _clean(row.get("visit"))), []).append(row)
    return found


def _flags_by_cell(found: dict, arms: list[str], visits: list[str], metric: str,
                   p_visit: str | None) -> tuple[dict, list[dict]]:
    """Attach discrepancies to plotted cells; return them and the panel-wide ones.

    A row without arm (or with arm ``all``) concerns the whole panel.  A row
    without visit goes to the arm's p-value cell (6 months).  With the change
    metric, a baseline or follow-up row goes to the change cells it feeds.
    Rows for arms or visits that are not shown are left out (pages list them).
    """
    cells: dict[tuple[str, str], list[dict]] = {}
    panel_wide: list[dict] = []
    for (arm, visit), group in found.items():
        if arm in ("", "all"):
            panel_wide += group
            continue
        if arm not in arms:
            continue
        if not visit:
            targets = [p_visit or visits[-1]]
        elif metric == "change":
            targets = visits if visit == "baseline" else [v for v in visits if v == visit]
        else:
            targets = [visit] if visit in visits else []
        for target in targets:
            cells.setdefault((arm, target), []).extend(group)
    return cells, panel_wide


def _discrepancy_text(rows: list[dict]) -> str:
    notes = []
    for r in rows:
        what = " ".join(x for x in (_clean(r.get("arm")), _clean(r.get("visit")), _clean(r.get("statistic"))) if x)
        notes.append(f"⚠ {_clean(r.get('id'))} ({_clean(r.get('kind'))}{', ' + what if what else ''}): "
                     f"{_clean(r.get('version_a'))} [{_clean(r.get('location_a'))}] vs "
                     f"{_clean(r.get('version_b'))} [{_clean(r.get('location_b'))}]; shown: "
                     f"{_clean(r.get('shown'))}. {_clean(r.get('reason'))}")
    return "<br>".join(_wrap(_hover_safe(n), 70) for n in notes)


def _panel_parts(rows: list[dict], info: dict, discrepancies, style: dict, axis: str, plot_w: float,
                 plot_h: float, legend_seen: set, compact: bool) -> tuple[list, list, list, dict, dict]:
    """Traces, annotations, shapes and axis settings of one panel (single or in a grid).

    *plot_w* is the narrowest plot width the panel may get and *plot_h* its
    height, in pixels: every placement below is decided at that width (see
    :data:`_MIN_WIDTH`), where the arms' columns are closest together.
    """
    endpoint, kind = info["endpoint"], info["summary"]
    metric = rows[0]["metric"]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    visits = list(dict.fromkeys(r["visit"] for r in rows))
    labels = {r["visit"]: r["visit_label"] for r in rows}
    cells = {(r["arm"], r["visit"]): r for r in rows}
    offsets = {arm: (i - (len(arms) - 1) / 2) * _ARM_STEP for i, arm in enumerate(arms)}
    xpos = {(arm, visit): j + offsets[arm] for j, visit in enumerate(visits) for arm in arms}
    x_range = (-0.5, len(visits) - 0.5)
    yref, xref = f"y{axis}", f"x{axis}"
    size = style["annotation"]
    stat_label = rows[0]["statistic"]
    p_visit = visits[-1] if metric == "change" else (_FOLLOW_UP if _FOLLOW_UP in visits else None)
    cell_flags, panel_wide = _flags_by_cell(_discrepancy_lookup(discrepancies, endpoint, info), arms, visits,
                                            metric, p_visit)

    # --- traces: one per arm --------------------------------------------------
    traces = []
    for arm in arms:
        arm_rows = [cells[(arm, v)] for v in visits]
        ys, plus, minus, custom = [], [], [], []
        for r in arm_rows:
            ok = r["reported"]
            has_bar = ok and not _isnan(r["low"])
            ys.append(r["center"] if ok else None)
            plus.append(r["plus"] if has_bar else None)
            minus.append(r["minus"] if has_bar else None)
            note = _discrepancy_text(cell_flags.get((arm, r["visit"]), []))
            custom.append([
                r["visit"], r["visit_label"], r["center_text"], r["spread"],
                f"n = {format_number(r['n'])}" if not _isnan(r["n"]) else "n not reported",
                _hover_safe(r["source"] or NOT_REPORTED),
                _wrap(_hover_safe(f"“{r['quote']}”"), 70) if r["quote"] else "",
                f"<br>{note}" if note else "",
            ])
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": ARM_LABELS[arm], "legendgroup": arm,
            "showlegend": arm not in legend_seen, "xaxis": xref, "yaxis": yref,
            "x": [xpos[(arm, v)] for v in visits], "y": ys, "connectgaps": False,
            "marker": {"color": ARM_COLORS[arm], "symbol": ARM_SYMBOLS[arm], "size": style["marker"],
                       "line": {"color": "white", "width": 1}},
            "line": {"color": ARM_COLORS[arm], "dash": ARM_DASHES[arm], "width": style["line"]},
            "error_y": {"type": "data", "array": plus, "arrayminus": minus, "symmetric": kind == "mean_sd"
                        and metric == "value", "visible": True, "color": ARM_COLORS[arm],
                        "thickness": style["error"], "width": style["cap"]},
            "customdata": custom,
            "hovertemplate": (f"<b>{ARM_LABELS[arm]}</b> · %{{customdata[1]}}<br>"
                              f"{stat_label}: %{{customdata[2]}}<br>%{{customdata[3]}}<br>%{{customdata[4]}}"
                              "<br>Source: %{customdata[5]}<br>%{customdata[6]}%{customdata[7]}<extra></extra>"),
            "meta": {"role": "arm", "endpoint": endpoint, "arm": arm, "visits": visits, "metric": metric},
        })
        legend_seen.add(arm)

    # --- annotations ------------------------------------------------------------
    def spec(role, arm, visit, text, hover, **kw):
        base = {"name": f"{role}|{endpoint}|{arm}|{visit}", "text": text, "hovertext": hover,
                "showarrow": False, "xref": xref, "yref": yref, "font": {"size": size, "color": _TEXT_COLOR},
                "bgcolor": "white", "borderpad": 2, "xanchor": "center", "yanchor": "bottom"}
        base.update(kw)
        return base

    def p_specs(arm) -> list[dict]:
        """The within-arm and vs-placebo p-values of an arm, at its 6-month x."""
        r = cells[(arm, p_visit)]
        found = []
        for role, text in (("p_within", r["p_within"]), ("p_vs_control", r["p_vs_control"])):
            if not text:
                continue
            shown = text if role == "p_within" else f"vs placebo: {text}"
            compared = "6 months vs baseline, within arm" if role == "p_within" else "vs placebo at 6 months"
            hover = _hover_safe(f"{ARM_LABELS[arm]}, {compared}: {text}")
            if role == "p_within" and r["p_within_source"]:
                hover += "<br>Source: " + _hover_safe(r["p_within_source"])
                if r["p_within_quote"]:
                    hover += "<br>" + _wrap(_hover_safe(f"“{r['p_within_quote']}”"), 70)
            p_rows = [x for x in cell_flags.get((arm, p_visit), []) if _clean(x.get("statistic")) == "p_value"]
            if p_rows:
                hover += "<br>" + _discrepancy_text(p_rows)
            found.append(spec(role, arm, p_visit, shown, hover, x=xpos[(arm, p_visit)], borderpad=1))
        return found

    def px_x(x):
        return (x - x_range[0]) / (x_range[1] - x_range[0]) * plot_w

    warn_font = {"size": size + 4, "color": _WARNING_COLOR}
    band_ref = f"{yref} domain"
    # The band: one unit per unreported cell, in its arm's column at its visit:
    # the box, the cell's p-values right above it, a "⚠" right beside it.
    units: list[tuple[int, list[tuple[dict, float, float, float]]]] = []   # (arm index, parts)
    data_items: list[dict] = []          # p-values over whiskers, "⚠" beside points
    corner_items: list[dict] = []
    for arm in arms:
        p_here = p_specs(arm) if p_visit is not None else []
        for visit in visits:
            r = cells[(arm, visit)]
            flags = cell_flags.get((arm, visit), [])
            x = xpos[(arm, visit)]
            if r["reported"]:
                if flags:
                    # Beside its point; only other notes move out of its way.
                    data_items.append({"spec": spec(
                        "discrepancy", arm, visit, "⚠", _discrepancy_text(flags), font=warn_font,
                        bgcolor="rgba(255,255,255,0)", x=x, y=r["center"], xanchor="left", yanchor="middle",
                        xshift=max(style["marker"] / 2, style["cap"]) + 3), "anchor": r["center"], "fixed": True})
                if visit == p_visit:
                    top = r["high"] if not _isnan(r["high"]) else r["center"]
                    for note in p_here:
                        note.update(y=top, yshift=4)
                        data_items.append({"spec": note, "anchor": top, "fixed": False})
                continue
            glyph = _OPEN_GLYPHS.get(ARM_SYMBOLS[arm], "○")
            text = f"<span style='color:{ARM_COLORS[arm]}'><b>{glyph}</b></span> not reported"
            hover = (f"{ARM_LABELS[arm]}, {r['visit_label']}: {stat_label} {NOT_REPORTED}"
                     + (f" ({r['spread']})" if metric == "change" else "")
                     + " — nothing is plotted, nothing is estimated")
            box = spec("not_reported", arm, visit, text, hover, x=x, yref=band_ref, y=0, bordercolor=ARM_COLORS[arm],
                       borderwidth=2, borderpad=3, bgcolor="white")
            x_px = px_x(x)
            box_note = _Note(box, x_px, 0, size)
            box["_h"] = box_note.h
            unit = [(box, x_px - box_note.w / 2, x_px + box_note.w / 2, 0.0)]
            y = box_note.h + 1
            for note in (p_here if visit == p_visit else []):
                note.update(yref=band_ref, y=0, bgcolor="rgba(255,255,255,0)")
                p_note = _Note(note, x_px, 0, size)
                note["_h"] = p_note.h
                unit.append((note, x_px - p_note.w / 2, x_px + p_note.w / 2, y))
                y += p_note.h
            if flags:
                # Right of the cell's p-value (what an empty cell's discrepancy is about),
                # else on top of the box: either way inside the unit's width.
                warn = spec("discrepancy", arm, visit, "⚠", _discrepancy_text(flags), font=warn_font,
                            bgcolor="rgba(255,255,255,0)", x=x, xanchor="left", yref=band_ref, y=0, borderpad=0)
                warn_note = _Note(warn, x_px, 0, warn_font["size"])
                warn["_h"] = warn_note.h
                if len(unit) > 1:
                    p_spec, p_x0, p_x1, p_y = unit[1]
                    warn["xshift"] = round(p_x1 - x_px + 1, 1)
                    unit.append((warn, p_x1 + 1, p_x1 + 1 + warn_note.w, p_y + (p_spec["_h"] - warn_note.h) / 2))
                else:
                    warn["xshift"] = round(box_note.w / 2 - warn_note.w, 1)
                    unit.append((warn, x_px + box_note.w / 2 - warn_note.w, x_px + box_note.w / 2, y))
            units.append((arms.index(arm), unit))
    between = rows[0]["p_between"]
    if between:
        corner_items.append(spec("p_between", "all", p_visit or "", f"between arms: {between}",
                                 f"Between arms: {between}", xref=f"{xref} domain", yref=band_ref, x=0.0, y=1.0,
                                 xanchor="left", yanchor="top"))
    if panel_wide:
        corner_items.append(spec("discrepancy", "", "", "⚠", _discrepancy_text(panel_wide), font=warn_font,
                                 xref=f"{xref} domain", yref=band_ref, x=1.0, y=1.0, xanchor="right",
                                 yanchor="top"))

    pad = 4.0
    band_rects, band_top = _stack_band(units, plot_w)
    band_px = band_top + 2 * pad if units else 0.0
    band_rects = [(x0, x1, y0 + pad, y1 + pad) for x0, x1, y0, y1 in band_rects]
    for _, unit in units:
        for s, _, _, y0 in unit:
            s["yshift"] = round(pad + s.pop("_base") + y0, 1)
            dx = s.pop("_dx")
            if dx:
                s["xshift"] = round(s.get("xshift", 0) + dx, 1)
            s.pop("_h")

    # --- y range: the band, the data, then a top zone for the p-values --------
    lows = [r["low"] if not _isnan(r["low"]) else r["center"] for r in rows if r["reported"]]
    highs = [r["high"] if not _isnan(r["high"]) else r["center"] for r in rows if r["reported"]]
    if metric == "change" and lows:
        lows.append(0.0)
        highs.append(0.0)
    # Keep the lowest whisker (and its marker) clear of the band.
    bottom_px = (band_px + style["marker"] / 2 + 8) if units else max(style["marker"] / 2 + 6, 0.04 * plot_h)
    top_px = size * 1.6 * (1 + any(r["p_vs_control"] for r in rows)) + 10
    corners = []
    for s in corner_items:
        note = _Note(s, s["x"] * plot_w, plot_h, s["font"]["size"], fixed=True)
        corners.append(note)
    top_px += max((n.h for n in corners), default=0)
    lo = hi = 0.0
    if lows:
        lo, hi = min(lows), max(highs)
        if hi - lo < 1e-12:
            margin = abs(hi) * 0.1 or 1.0
            lo, hi = lo - margin, hi + margin
    y_range = (0.0, 1.0)
    notes: list[_Note] = []
    for _ in range(6):
        b_frac, t_frac = min(bottom_px / plot_h, 0.6), max(1 - top_px / plot_h, 0.65)
        if lows:
            span = (hi - lo) / max(t_frac - b_frac, 0.05)
            y_range = (lo - b_frac * span, lo - b_frac * span + span)

        def px_y(y):
            return (y - y_range[0]) / (y_range[1] - y_range[0]) * plot_h

        obstacles = list(band_rects)
        for r in rows:
            if r["reported"]:
                half = max(style["marker"] / 2, style["cap"]) + 1
                x = px_x(xpos[(r["arm"], r["visit"])])
                low = r["low"] if not _isnan(r["low"]) else r["center"]
                high = r["high"] if not _isnan(r["high"]) else r["center"]
                obstacles.append((x - half, x + half, px_y(low) - style["marker"] / 2,
                                  px_y(high) + style["marker"] / 2))
        data_notes = [_Note(i["spec"], px_x(i["spec"]["x"]), px_y(i["anchor"]), i["spec"]["font"]["size"],
                            fixed=i["fixed"]) for i in data_items]
        for note in data_notes:
            x0, x1, _, _ = note.box()
            dx = _inside(x0, x1, plot_w)
            if dx:
                note.spec["xshift"] = round(note.spec.get("xshift", 0) + dx, 1)
        data_notes.sort(key=lambda n: (not n.fixed, n.y_px, n.x_px))
        for note in corners:
            note.shift = 0.0
        notes = corners + data_notes
        _place(notes, obstacles)
        highest = max((n.box()[3] for n in data_notes), default=0)
        if not lows or highest <= plot_h - 2:
            break
        top_px += highest - plot_h + 6

    annotations = [s for _, unit in units for s, *_ in unit]
    for note in notes:
        s = note.spec
        if note.shift:
            s["yshift"] = round(s.get("yshift", 0) + note.shift, 1)
        annotations.append(s)
    # A stable order for readers of the figure: by role, then arm, then visit.
    roles = ("not_reported", "p_within", "p_vs_control", "p_between", "discrepancy")
    arm_order = {arm: i for i, arm in enumerate(arms)}
    visit_order = {visit: i for i, visit in enumerate(visits)}

    def order(a):
        role, _, arm, visit = a["name"].split("|")
        return roles.index(role), arm_order.get(arm, -1), visit_order.get(visit, -1)

    annotations.sort(key=order)
    shapes = []
    if units:
        shapes.append({"type": "rect", "xref": f"{xref} domain", "yref": band_ref, "x0": 0, "x1": 1, "y0": 0,
                       "y1": round(band_px / plot_h, 4), "fillcolor": _BAND_COLOR, "line": {"width": 0},
                       "layer": "below"})

    # --- axes -------------------------------------------------------------------
    unit = info["unit"]
    short_title = f"{unit}, {stat_label}" if unit else stat_label
    y_title = short_title
    if not compact:
        # A single panel has the room for the measure too, when it fits on one line.
        measure = info["label"] if metric == "value" else f"Change in {_lower_label(info['label'])}"
        long_title = f"{measure}, {unit} ({stat_label})" if unit else f"{measure} ({stat_label})"
        if _text_width(long_title, style["font"]) <= plot_h - 10:
            y_title = long_title
    # Ticks and grid lines only where the data are: the band below (placeholders)
    # and the zone above (p-values) carry no scale, so nothing there reads as a value.
    tick_values = _nice_ticks(lo, hi) if lows else []
    tick_decimals = max((_value_decimals(v) for v in tick_values), default=0)
    tick_font = {"size": style["tick"], "color": _TEXT_COLOR}
    y_axis = {"title": {"text": y_title, "font": {"size": style["font"], "color": _TEXT_COLOR}, "standoff": 8},
              "tickmode": "array", "tickvals": tick_values,
              "ticktext": [format_number(v, tick_decimals) for v in tick_values],
              "range": list(y_range), "showticklabels": bool(lows), "zeroline": metric == "change",
              "zerolinecolor": "#888888", "zerolinewidth": 1.5, "gridcolor": "#E5E5E5", "tickfont": tick_font}
    x_axis = {"tickmode": "array", "tickvals": list(range(len(visits))),
              "ticktext": [labels[v] for v in visits], "range": list(x_range), "showgrid": False,
              "zeroline": False, "tickfont": tick_font, "showline": True, "linecolor": "#BBBBBB"}
    return traces, annotations, shapes, x_axis, y_axis


def _nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) within [lo, hi], at least three.

    Examples
    --------
    >>> _nice_ticks(63.4, 88.9)
    [65.0, 70.0, 75.0, 80.0, 85.0]
    >>> _nice_ticks(-11.7, 1.9)
    [-10.0, -5.0, 0.0]
    """
    raw = (hi - lo) / max(target - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (0.5, 1, 2, 2.5, 5, 10)]
    index = next(i for i, step in enumerate(steps) if raw <= step * (1 + 1e-9))
    for step in reversed(steps[:index + 1]):
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first >= 2:
            break
    return [round(k * step, 10) + 0.0 for k in range(first, last + 1)]


def _check_frames(summary, dictionary):
    missing = [c for c in ("endpoint", "arm", "visit", "statistic", "value") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary: missing column(s) {missing}")
    if dictionary is not None and len(dictionary) and "endpoint" not in dictionary.columns:
        raise ValueError("dictionary: missing column 'endpoint'")



def _legend(style: dict, correlation, metric, kind, paper_h: float) -> dict:
    title = ""
    if metric == "change" and correlation is not None and kind in (None, "mean_sd"):
        title = f"interval assumes pre–post correlation r = {float(correlation):g}"
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": round(1 + 6 / paper_h, 4), "yanchor": "bottom",
            "font": {"size": style["font"], "color": _TEXT_COLOR},
            "title": {"text": title, "side": "top", "font": {"size": style["font"] - 1, "color": _TEXT_COLOR}},
            "bgcolor": "rgba(255,255,255,0)"}


def _legend_lines(arms, style: dict, room: float, titled: bool) -> int:
    """Lines of the horizontal legend in *room* pixels (plus one for its title)."""
    widths = [40 + _line_width(ARM_LABELS[a], style["font"]) for a in arms]
    lines, used = 1, 0.0
    for w in widths:
        if used and used + w > room:
            lines, used = lines + 1, 0.0
        used += w
    return lines + (1 if titled else 0)


def _top_margin(style: dict, subtitle_lines: int, legend_lines: int) -> int:
    """Room above the plot for the title, its subtitle and the legend."""
    return int(10 + style["title"] * 1.4 + subtitle_lines * style["subtitle"] * 1.35 + 10
               + legend_lines * style["font"] * 1.75 + 10)


def _title(text: str, subtitle: str, style: dict, height: float) -> dict:
    return {"text": f"<b>{text}</b>", "font": {"size": style["title"], "color": _TITLE_COLOR},
            "subtitle": {"text": subtitle, "font": {"size": style["subtitle"], "color": "#333333"}},
            "x": 0, "xanchor": "left", "xref": "container", "pad": {"l": 10},
            "y": 1 - 10 / height, "yref": "container", "yanchor": "top"}


def _figure(data: list, layout: dict) -> go.Figure:
    # Every property here is set by this module and checked by the tests, which
    # rebuild figures with validation on; validating again at each page rerun
    # would cost two thirds of the build time.
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def build_endpoint_figure(summary: pd.DataFrame, p_values: pd.DataFrame | None, endpoint: str, arms, visits,
                          dictionary: pd.DataFrame | None, discrepancies: pd.DataFrame | None = None,
                          metric: str = "value", correlation: float | None = None,
                          presentation: bool = False) -> go.Figure:
    """One panel of Figures 2–4: the arms' summaries over the chosen visits.

    Parameters
    ----------
    summary, p_values, endpoint, arms, visits, dictionary, metric, correlation
        As in :func:`endpoint_panel_data`.
    discrepancies : pandas.DataFrame, optional
        ``data/discrepancies.csv``; each row for this endpoint (or citing its
        figure panel) adds a "⚠" annotation whose hover text explains it.
    presentation : bool
        Larger fonts (≥ 20 px), markers and lines, at 1600 × 900 (16:9).
        Otherwise no width is set: the figure takes its container's width,
        and its layout holds from 700 px up.

    Returns
    -------
    plotly.graph_objects.Figure
        See the module docstring for how to find traces and annotations.
        ``layout.meta`` holds ``endpoint``, ``figure``, ``metric`` and the
        export ``filename``.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "cd69", "level": "", "arm": "200M",
    ...     "visit": ["baseline", "baseline", "month6", "month6"], "statistic": ["mean", "sd"] * 2,
    ...     "value": [27.0, 4.30, 16.4, 7.25], "source": "Results", "quote": ""})
    >>> p = pd.DataFrame({"endpoint": "cd69", "arm": ["200M", "placebo"], "comparison": "within_arm",
    ...     "visit": "month6", "p_value": [0.004, 0.0797], "relation": "=", "source": "Results", "quote": ""})
    >>> d = pd.DataFrame({"endpoint": ["cd69"], "label": ["CD69+ T cells"], "unit": ["%"],
    ...     "figure": ["3A"], "summary": ["mean_sd"]})
    >>> fig = build_endpoint_figure(s, p, "cd69", ["200M", "placebo"], ["baseline", "month6"], d)
    >>> [(t.name, list(t.y), list(t.error_y.array)) for t in fig.data]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Allo-hMSC 200M', [27.0, 16.4], [4.3, 7.25]), ('Placebo', [None, None], [None, None])]
    >>> [a.text for a in find_annotations(fig, "p_within")]
    ['p = .004', 'p = .0797']
    >>> len(find_annotations(fig, "not_reported", arm="placebo"))
    2
    >>> fig.layout.yaxis.title.text
    'CD69+ T cells, % (mean ± SD)'
    >>> fig.layout.width is None
    True
    """
    _check_frames(summary, dictionary)
    rows, info = _panel_records(summary, p_values, endpoint, arms, visits, dictionary, metric, correlation)
    style = _style(presentation)
    width, height = style["min_width"], style["height"]     # placements hold from this width up
    margin = {"l": 95 if not presentation else 130, "r": 30, "b": 50 if not presentation else 70}
    definition = outcome_definition(endpoint, dictionary, metric, visits, correlation)
    subtitle = _wrap_px(definition, width - 20, style["subtitle"], clauses=True)
    title = f"Figure {info['figure']}. {info['label']}" if info["figure"] else info["label"]
    legend_title = metric == "change" and correlation is not None and info["summary"] == "mean_sd"
    legend_lines = _legend_lines(list(dict.fromkeys(r["arm"] for r in rows)), style, width - margin["l"],
                                 legend_title)
    margin["t"] = _top_margin(style, subtitle.count("<br>") + 1, legend_lines)
    plot_w = width - margin["l"] - margin["r"]
    plot_h = height - margin["t"] - margin["b"]
    traces, annotations, shapes, x_axis, y_axis = _panel_parts(rows, info, discrepancies, style, "", plot_w,
                                                               plot_h, set(), compact=False)
    layout = {
        "template": _template(), "font": {"size": style["font"], "color": _TEXT_COLOR, "family": _FONT_FAMILY},
        "title": _title(title, subtitle, style, height),
        "legend": _legend(style, correlation, metric, info["summary"], plot_h), "showlegend": True,
        "margin": margin, "height": height, "autosize": True,
        "xaxis": x_axis, "yaxis": y_axis, "annotations": annotations, "shapes": shapes, "hovermode": "closest",
        "hoverlabel": {"font": {"size": style["font"] - 2}, "align": "left"},
        "meta": {"endpoint": endpoint, "figure": info["figure"], "metric": metric,
                 "filename": _export_filename(endpoint, info["figure"]), "definition": definition},
    }
    if presentation:
        layout["width"] = style["width"]
    return _figure(traces, layout)


@functools.lru_cache(maxsize=16)
def _grid_domains(rows: int, cols: int, h_space: float, v_space: float) -> tuple:
    """Axis domains of a subplot grid, from a single (cached) make_subplots call."""
    from plotly.subplots import make_subplots   # imported late: slow, and only grids need it

    layout = make_subplots(rows=rows, cols=cols, horizontal_spacing=h_space,
                           vertical_spacing=v_space).layout
    domains = []
    for index in range(1, rows * cols + 1):
        suffix = "" if index == 1 else str(index)
        domains.append((tuple(layout[f"xaxis{suffix}"].domain), tuple(layout[f"yaxis{suffix}"].domain)))
    return tuple(domains)


def _grid_note(panels: list, metric: str, visits, correlation) -> str:
    """The one-line note under a grid's title: what the points are, what p compares.

    Each panel's full outcome definition is printed under the chart by the
    page (:func:`outcome_definition`) and is the panel title's hover text.
    """
    kinds = {info["summary"] for _, info in panels}
    if metric == "value":
        what = ("Mean ± SD per arm" if kinds == {"mean_sd"} else "Median (IQR) per arm"
                if kinds == {"median_iqr"} else "Mean ± SD or median (IQR) per arm, see each axis")
    else:
        follow = [v for v in VISITS if v in set(visits) and v != "baseline"] or [_FOLLOW_UP]
        words = ("means" if kinds == {"mean_sd"} else "medians" if kinds == {"median_iqr"} else "centres")
        what = f"Change from baseline to {_join([VISIT_LABELS[v] for v in follow])} (difference of reported {words})"
    populations = {info["population"] for _, info in panels}
    if len(populations) == 1 and (population := populations.pop()) != "all patients in each arm":
        what += f"; {population}"
    if any(r["p_within"] for rows, _ in panels for r in rows):
        what += "; p: 6 months vs baseline, within arm"
    return what + "."


def build_figure_grid(summary: pd.DataFrame, p_values: pd.DataFrame | None, endpoints, arms, visits,
                      dictionary: pd.DataFrame | None, discrepancies: pd.DataFrame | None = None,
                      metric: str = "value", correlation: float | None = None, presentation: bool = False,
                      cols: int | None = None, title: str | None = None) -> go.Figure:
    """Several panels in one figure, as in the paper (Figure 2A–2D, 3A–3F …).

    Each panel is drawn by the code behind :func:`build_endpoint_figure`; the
    legend lists each selected arm once.  The title is the figure number with
    a one-line note (what the points are, what the p-values compare); each
    panel's outcome definition is its title's hover text.

    Parameters
    ----------
    summary, p_values, arms, visits, dictionary, discrepancies, metric, correlation, presentation
        As in :func:`build_endpoint_figure`.
    endpoints : list of str
        One panel per endpoint, filled row by row.
    cols : int, optional
        Panels per row; 2 by default (3 for more than four panels in
        presentation mode, to keep 16:9 readable).
    title : str, optional
        Figure title; by default "Figure N" when all panels share a figure.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["cd69", "cd69", "cd8", "cd8"], "level": "", "arm": "200M",
    ...     "visit": "baseline", "statistic": ["mean", "sd"] * 2, "value": [27.0, 4.3, 28.7, 15.04],
    ...     "source": "Results", "quote": ""})
    >>> d = pd.DataFrame({"endpoint": ["cd69", "cd8"], "label": ["CD69+ T cells", "CD8+ T cells"],
    ...     "unit": ["%", "%"], "figure": ["3A", "3C"], "summary": ["mean_sd", "mean_sd"]})
    >>> fig = build_figure_grid(s, None, ["cd69", "cd8"], ["200M"], ["baseline"], d)
    >>> [(t.meta["endpoint"], t.showlegend, t.xaxis) for t in fig.data]
    [('cd69', True, 'x'), ('cd8', False, 'x2')]
    >>> fig.layout.title.text, fig.layout.width
    ('<b>Figure 3</b>', None)
    >>> fig.layout.yaxis.title.text
    '%, mean ± SD'
    """
    _check_frames(summary, dictionary)
    endpoints = list(endpoints)
    if not endpoints:
        raise ValueError("endpoints is empty: select at least one endpoint")
    style = _style(presentation)
    if cols is None:
        cols = 3 if presentation and len(endpoints) > 4 else 2
    cols = max(1, min(int(cols), len(endpoints)))
    n_rows = math.ceil(len(endpoints) / cols)
    panels = [_panel_records(summary, p_values, endpoint, arms, visits, dictionary, metric, correlation)
              for endpoint in endpoints]
    if presentation:
        # 16:9 at full-HD: with ≥ 20 px text, six panels need the room.  A page
        # may still show it narrower; placements hold down to ``width``.
        fig_width, height = (style["width"], style["height"]) if len(endpoints) <= 2 else (1920, 1080)
        width = min(fig_width, max(style["min_width"], 560 * cols))
    else:
        # No width: the page stretches the figure.  Every placement is decided
        # at the narrowest width it must survive.
        fig_width, height, width = None, None, style["min_width"]
    figures = [info["figure"] for _, info in panels]
    numbers = {re.match(r"\d+", f).group(0) for f in figures if f and re.match(r"\d+", f)}
    if title is None:
        title = f"Figure {numbers.pop()}" if len(numbers) == 1 and all(figures) else "Figures"
    subtitle = _wrap_px(_grid_note(panels, metric, visits, correlation), width - 20, style["subtitle"],
                        clauses=True)
    kinds = {info["summary"] for _, info in panels}
    legend_title = metric == "change" and correlation is not None and "mean_sd" in kinds
    axis_px = _line_width("12,500", style["tick"]) + style["font"] * 1.3 + 22   # widest ticks, axis title
    margin = {"l": round(axis_px + 10), "r": 30, "b": round(style["tick"] * 1.4 + 22)}
    legend_lines = _legend_lines(order_arms(arms), style, width - margin["l"], legend_title)
    margin["t"] = _top_margin(style, subtitle.count("<br>") + 1, legend_lines)
    inner_w = width - margin["l"] - margin["r"]
    # Gaps in pixels: the next panel's tick labels and axis title; below a
    # panel its tick labels and some air (the next panel's title sits inside
    # its own cell).
    # The gap is a fraction of the width: sized for 60 px more than the
    # narrowest width, it still holds the axis there and does not grow too
    # wide at twice that width.
    h_space = round(min(0.3, (axis_px + 4) / (inner_w + 60)), 3) if cols > 1 else 0.0
    panel_w = inner_w * (1 - h_space * (cols - 1)) / cols
    title_size = style["panel_title"]
    title_lines = []
    for index, (_, info) in enumerate(panels):
        room = panel_w + (axis_px - 8 if index % cols < cols - 1 else margin["r"] - 2)
        head = f"{info['figure']}  " if info["figure"] else ""
        label = info["label"]
        if _text_width(f"<b>{head}</b>{label}", title_size) > room:
            label = _wrap_px(label, room - _line_width(f"<b>{head}</b>", title_size), title_size)
        title_lines.append((head, label))
    title_px = [max(lab.count("<br>") + 1 for _, lab in title_lines[r * cols:(r + 1) * cols]) * title_size * 1.3 + 8
                for r in range(n_rows)]
    gap_px = style["tick"] * 1.4 + 26
    if height is None:
        row_px = 400 if n_rows > 1 else 430
        height = round(margin["t"] + margin["b"] + n_rows * row_px)
    inner_h = height - margin["t"] - margin["b"]
    v_space = round(min(0.3, gap_px / inner_h), 3) if n_rows > 1 else 0.0
    domains = _grid_domains(n_rows, cols, h_space, v_space)
    layout = {
        "template": _template(), "font": {"size": style["font"], "color": _TEXT_COLOR, "family": _FONT_FAMILY},
        "title": _title(title, subtitle, style, height),
        "legend": _legend(style, correlation, metric, "mean_sd" if "mean_sd" in kinds else "median_iqr", inner_h),
        "showlegend": True, "margin": margin, "height": height, "autosize": True, "hovermode": "closest",
        "hoverlabel": {"font": {"size": style["font"] - 2}, "align": "left"},
        "meta": {"endpoints": endpoints, "figure": title, "metric": metric,
                 "filename": "cratus_" + re.sub(r"[^A-Za-z0-9]+", "", title.lower().replace("figures", "figure"))},
    }
    if fig_width:
        layout["width"] = fig_width
    data, annotations, shapes, seen = [], [], [], set()
    for index, ((rows, info), (x_domain, y_domain)) in enumerate(zip(panels, domains)):
        suffix = "" if index == 0 else str(index + 1)
        # Leave room above each panel for its title.
        y_top = y_domain[1] - title_px[index // cols] / inner_h
        plot_w = inner_w * (x_domain[1] - x_domain[0])
        plot_h = inner_h * (y_top - y_domain[0])
        traces, notes, boxes, x_axis, y_axis = _panel_parts(rows, info, discrepancies, style, suffix, plot_w,
                                                            plot_h, seen, compact=True)
        data += traces
        annotations += notes
        shapes += boxes
        x_axis.update(domain=list(x_domain), anchor=f"y{suffix}")
        y_axis.update(domain=[y_domain[0], y_top], anchor=f"x{suffix}")
        layout[f"xaxis{suffix}"], layout[f"yaxis{suffix}"] = x_axis, y_axis
        head, label = title_lines[index]
        panel_title = f"<b>{head}</b>{label}" if head else f"<b>{label}</b>"
        annotations.append({
            "name": f"panel_title|{info['endpoint']}||", "text": panel_title, "showarrow": False,
            "hovertext": _hover_safe(outcome_definition(info["endpoint"], dictionary, metric, visits, correlation)),
            "xref": "paper", "yref": "paper", "x": x_domain[0], "y": y_domain[1], "xanchor": "left",
            "yanchor": "top", "align": "left", "font": {"size": title_size, "color": _TITLE_COLOR},
        })
    layout["annotations"] = annotations
    layout["shapes"] = shapes
    return _figure(data, layout)
