"""Figures of safety laboratory data: values over time with the reference range, and the eDISH plot.

Both take a patient :class:`~cratus.study.model.Study` first and draw arms in the
study's colours and symbols (:class:`~cratus.study.design.Design`).  Sizes come from
:func:`cratus.figures.theme.style` (presentation: text ≥ 20 px; phone: the
layout holds at 360 px).  Conventions the pages and tests rely on:

* values over time: one ``box`` trace per arm (precomputed quartiles and
  whiskers, ``meta = {"role": "box", "arm"}``; the data are not shipped to the
  browser), one ``scatter`` of the values beyond the whiskers per arm
  (``meta.role = "outliers"``, ``customdata`` = subject id), the reference
  range as a shape named ``reference_range`` and its limits as dashed lines
  with annotations named ``uln`` / ``lln``;
* eDISH: one marker trace per arm (``meta = {"role": "subjects", "arm"}``)
  with ``customdata`` = subject id, so a click opens the participant; dashed
  lines named ``transaminase_limit`` (3×ULN) and ``bilirubin_limit`` (2×ULN);
  the four quadrant names as annotations named ``quadrant|<key>``.
"""

from __future__ import annotations

import numpy as np

from cratus.figures import theme
from cratus.figures.geometry import wrap_px
from cratus.patient.lab_values import lab_outliers, lab_values_over_time, reference_range
from cratus.patient.edish import edish_data
from cratus.patient.labs import BILIRUBIN_LIMIT, QUADRANTS, TRANSAMINASE_LIMIT, liver_tests
from cratus.study.model import Study
from cratus.figures.theme import LABEL_BACKDROP, MCID_LINE, MUTED_COLOR, RANGE_FILL  # colours

#: Above this many points the eDISH uses WebGL markers (fast in the browser at 10,000 subjects).
WEBGL_POINTS = 3000
_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 20, 50, 100)


def _layout(s: dict, title: str, subtitle: str, legend_labels: list, extra_top: int = 0) -> dict:
    width = s["min_width"]
    wrapped = theme.title_text(title, s, width)
    sub = wrap_px(subtitle, width - 20, s["subtitle"])
    lines = theme.legend_lines(legend_labels, s, width - 20, titled=False)
    top = theme.top_margin(s, sub.count("<br>") + 1, lines, wrapped.count("<br>") + 1) + extra_top
    height = s["height"] + top - 120
    layout = theme.base_layout(s, height)
    layout.update(title=theme.title(wrapped, sub, s, height), legend=theme.legend(s, "", height - top - 60),
                  margin={"l": s["margin_l"] - 20, "r": 20, "t": top, "b": s["margin_b"] + 30})
    layout["legend"]["title"] = {"text": ""}
    if s["width"]:
        layout["width"] = s["width"]
    return layout


def _axis(s: dict, title: str, **extra) -> dict:
    return {"title": {"text": title, "font": {"size": s["font"]}}, "tickfont": {"size": s["tick"]},
            "showgrid": True, "zeroline": False, "automargin": True, **extra}


def build_lab_values_figure(study: Study, endpoint: str, arms=None, presentation: bool = False,
                            phone: bool = False):
    """Box plots of a laboratory test per visit, arms side by side, with the reference range shaded.

    Examples
    --------
    >>> from cratus.patient import to_study
    >>> from cratus.patient.synthetic import make_synthetic
    >>> fig = build_lab_values_figure(to_study(make_synthetic(seed=1)), "alt")
    >>> [t.meta["role"] for t in fig.data][:2], [a.name for a in fig.layout.annotations]
    (['box', 'outliers'], ['uln', 'lln'])
    """
    s = theme.style(presentation, phone)
    design = study.design
    boxes = lab_values_over_time(study, endpoint, arms)
    outliers = lab_outliers(study, endpoint, arms)
    chosen = design.order(boxes["arm"].unique())
    visits = design.order_visits(boxes["visit"].unique())
    position = {v: i for i, v in enumerate(visits)}
    step = 0.8 / max(len(chosen), 1)
    data = []
    for i, arm in enumerate(chosen):
        offset = -0.4 + step * (i + 0.5)
        b = boxes[boxes["arm"] == arm]
        x = b["visit"].map(position).to_numpy(float) + offset
        color, name = design.color(arm), design.label(arm)
        data.append({"type": "box", "x": x, "q1": b["q1"].to_numpy(), "median": b["median"].to_numpy(),
                     "q3": b["q3"].to_numpy(), "lowerfence": b["lower_fence"].to_numpy(),
                     "upperfence": b["upper_fence"].to_numpy(), "mean": b["mean"].to_numpy(),
                     "width": step * 0.8, "name": name, "legendgroup": arm, "boxpoints": False,
                     "marker": {"color": color}, "line": {"color": color, "width": s["line"] * 0.8},
                     "fillcolor": _tint(color), "meta": {"role": "box", "arm": arm},
                     "customdata": np.column_stack([b["n"].to_numpy(), b["visit"].map(design.visit_label)]),
                     "hovertemplate": f"<b>{name}</b>, %{{customdata[1]}} (n = %{{customdata[0]}})<br>"
                                      "median %{median:.3g} (IQR %{q1:.3g} to %{q3:.3g})<extra></extra>"})
        o = outliers[outliers["arm"] == arm]
        data.append({"type": "scatter", "mode": "markers", "x": o["visit"].map(position).to_numpy(float) + offset,
                     "y": o["value"].to_numpy(), "customdata": o["usubjid"].to_numpy(dtype=str), "name": name,
                     "legendgroup": arm, "showlegend": False, "meta": {"role": "outliers", "arm": arm},
                     "marker": {"color": color, "symbol": design.symbol(arm), "size": s["marker"] * 0.7},
                     "hovertemplate": "%{customdata}: %{y:.3g}" + f"<extra>{name}</extra>"})
    label, unit = study.label(endpoint), _unit(study, endpoint)
    low, high, varies = reference_range(study, endpoint)
    subtitle = ("Box: median and quartiles; whiskers to the furthest value within 1.5 IQR; dots beyond them. "
                "Shaded: " + ("the most common " if varies else "the ") + "reference range, from the lower (LLN) "
                "to the upper limit of normal (ULN).")
    layout = _layout(s, f"{label} by visit", subtitle, [design.label(a) for a in chosen])
    layout["xaxis"] = _axis(s, "Visit", tickvals=list(range(len(visits))),
                            ticktext=[design.visit_label(v) for v in visits], range=[-0.6, len(visits) - 0.4],
                            showgrid=False)
    layout["yaxis"] = _axis(s, f"{label} ({unit})" if unit else label, rangemode="tozero")
    layout["shapes"], layout["annotations"] = _range_marks(s, low, high, unit)
    layout["meta"] = {"endpoint": endpoint, "arms": list(chosen)}
    return theme.figure(data, layout)


def _unit(study: Study, endpoint: str) -> str:
    rows = study.endpoints.loc[study.endpoints["endpoint"] == endpoint, "unit"]
    return str(rows.iloc[0]) if len(rows) and str(rows.iloc[0]) not in ("", "nan") else ""


def _tint(color: str) -> str:
    """A hex colour at 25 % opacity (box fill)."""
    if color.startswith("#") and len(color) == 7:
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgba({r}, {g}, {b}, 0.25)"
    return color


def _range_marks(s: dict, low: float, high: float, unit: str) -> tuple[list, list]:
    shapes, notes = [], []
    if not (np.isnan(low) and np.isnan(high)):
        shapes.append({"type": "rect", "name": "reference_range", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                       "y0": 0 if np.isnan(low) else low, "y1": high if not np.isnan(high) else low,
                       "fillcolor": RANGE_FILL, "line": {"width": 0}, "layer": "below"})
    for name, value, word in (("uln", high, "ULN"), ("lln", low, "LLN")):
        if np.isnan(value):
            continue
        shapes.append({"type": "line", "name": name, "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value,
                       "y1": value, "line": {"color": MCID_LINE, "width": 1.5, "dash": "dash"}})
        notes.append({"name": name, "text": f"{word} {value:g}" + (f" {unit}" if unit else ""), "xref": "paper",
                      "x": 1, "xanchor": "right", "y": value, "yref": "y",
                      "yanchor": "bottom" if name == "uln" else "top", "showarrow": False,
                      "font": {"size": s["annotation"], "color": MCID_LINE}, "bgcolor": LABEL_BACKDROP})
    return shapes, notes


# --- eDISH ---------------------------------------------------------------------------------------
def _log_range(values: np.ndarray, limit: float) -> list:
    finite = values[np.isfinite(values) & (values > 0)]
    low = min(float(finite.min()) if len(finite) else 1.0, 0.5) / 1.4
    high = max(float(finite.max()) if len(finite) else 1.0, 2 * limit) * 1.4
    return [float(np.log10(low)), float(np.log10(high))]


def _ticks(axis_range: list) -> dict:
    shown = [t for t in _TICKS if axis_range[0] <= np.log10(t) <= axis_range[1]]
    return {"tickvals": shown, "ticktext": [f"{t:g}×" for t in shown]}


def build_edish_figure(study: Study, arms=None, test: str = "alt", presentation: bool = False,
                       phone: bool = False):
    """eDISH: each subject's peak ALT (or AST, *test*) ×ULN against peak total bilirubin ×ULN, log axes.

    Examples
    --------
    >>> from cratus.patient import to_study
    >>> from cratus.patient.synthetic import make_synthetic
    >>> fig = build_edish_figure(to_study(make_synthetic(seed=1)), test="ast")
    >>> fig.layout.xaxis.type, sorted(a.name.split("|")[1] for a in fig.layout.annotations)
    ('log', ['cholestasis', 'hys_law', 'normal', 'temple'])
    """
    if test not in ("alt", "ast"):
        raise ValueError(f"test must be 'alt' or 'ast', not {test!r}")
    s = theme.style(presentation, phone)
    design = study.design
    e = edish_data(study, arms)
    e = e[e[f"{test}_xuln"].notna()]
    name = test.upper()
    kind = "scattergl" if len(e) > WEBGL_POINTS else "scatter"
    data = []
    for arm in design.order(e["arm"].unique()):
        rows = e[e["arm"] == arm]
        data.append({"type": kind, "mode": "markers", "x": rows[f"{test}_xuln"].to_numpy(float),
                     "y": rows["bili_xuln"].to_numpy(float), "customdata": rows["usubjid"].to_numpy(dtype=str),
                     "hovertemplate": f"<b>%{{customdata}}</b><br>{name} %{{x:.2g}}×ULN<br>"
                                      f"Total bilirubin %{{y:.2g}}×ULN<extra>{design.label(arm)}</extra>",
                     "name": design.label(arm),
                     "legendgroup": arm, "meta": {"role": "subjects", "arm": arm},
                     "marker": {"color": design.color(arm), "symbol": design.symbol(arm), "size": s["marker"],
                                "opacity": 0.85 if len(e) < 500 else 0.5,
                                "line": {"color": "white", "width": 1 if len(e) < 500 else 0}}})
    x_range = _log_range(e[f"{test}_xuln"].to_numpy(float), TRANSAMINASE_LIMIT)
    y_range = _log_range(e["bili_xuln"].to_numpy(float), BILIRUBIN_LIMIT)
    subtitle = (f"Each dot is a participant: their highest {name} and total bilirubin after baseline, as "
                "multiples of the upper limit of normal (ULN). Click a dot to open the participant.")
    layout = _layout(s, "Liver safety (eDISH)", subtitle, [design.label(a) for a in design.order(e["arm"].unique())])
    layout["xaxis"] = _axis(s, f"Peak {name} (×ULN)", type="log", range=x_range, **_ticks(x_range))
    layout["yaxis"] = _axis(s, "Peak total bilirubin (×ULN)", type="log", range=y_range, **_ticks(y_range))
    dash = {"color": MUTED_COLOR, "width": 1.5, "dash": "dash"}
    layout["shapes"] = [
        {"type": "line", "name": "transaminase_limit", "xref": "x", "x0": TRANSAMINASE_LIMIT,
         "x1": TRANSAMINASE_LIMIT, "yref": "paper", "y0": 0, "y1": 1, "line": dash},
        {"type": "line", "name": "bilirubin_limit", "yref": "y", "y0": BILIRUBIN_LIMIT, "y1": BILIRUBIN_LIMIT,
         "xref": "paper", "x0": 0, "x1": 1, "line": dash}]
    corners = {"hys_law": (1, 1, "right", "top"), "cholestasis": (0, 1, "left", "top"),
               "temple": (1, 0, "right", "bottom"), "normal": (0, 0, "left", "bottom")}
    layout["annotations"] = [
        {"name": f"quadrant|{key}", "text": f"<b>{QUADRANTS[key]}</b>" if key == "hys_law" else QUADRANTS[key],
         "xref": "x domain", "yref": "y domain", "x": x, "y": y, "xanchor": xa, "yanchor": ya, "showarrow": False,
         "font": {"size": s["annotation"], "color": theme.WARNING_COLOR if key == "hys_law" else MUTED_COLOR},
         "bgcolor": LABEL_BACKDROP} for key, (x, y, xa, ya) in corners.items()]
    layout["meta"] = {"test": test, "arms": design.order(e["arm"].unique())}
    return theme.figure(data, layout)


def edish_tests(study: Study) -> tuple[str, ...]:
    """Which of ALT and AST the eDISH can put on its x axis (those in the data), in that order."""
    found = liver_tests(study)
    return tuple(t for t in ("alt", "ast") if t in found) if "bili" in found else ()
