"""The subgroup forest plot: the between-arm effect within each level of subject variables.

One row per level (all patients on top, then each variable's levels under a
heading that carries its interaction p-value); in each row a point and a 95%
CI whisker per active arm against the control (the arm's colour and symbol
from the study's design), a vertical line at no difference, and the number of
patients of the level.  A level with too few patients says so instead of a
point.  The numbers are :func:`cratus.patient.subgroups.subgroup_effects`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.figures import theme
from cratus.words import hover_safe, wrap
from cratus.formatting import format_p
from cratus.patient.stats import patient_data
from cratus.patient.subgroups import CAVEAT, OVERALL, TOO_FEW, default_visit, subgroup_effects
from cratus.figures.theme import HEADING_LINE, LINE_COLOR, NOTE_COLOR  # colours

ROW_PX = 34
STEP = 0.22  # of a row's height between the arms of one row


def _rows(effects: pd.DataFrame) -> list[dict]:
    """The plot's rows top to bottom: ``kind`` (overall, heading, level), tick text, variable and level."""
    rows = []
    for variable, block in effects.groupby("variable", sort=False):
        if variable:
            p_value = block["interaction_p"].iloc[0]
            tested = (f"interaction {format_p(p_value, computed=True)}" if pd.notna(p_value)
                      else "interaction not tested")
            rows.append({"kind": "heading", "text": f"<b>{block['variable_label'].iloc[0]}</b> · {tested}",
                         "variable": variable, "level": None})
        for level, cells in block.groupby("level", sort=False):
            n = int(cells["n"].sum() + cells["n_control"].iloc[0])
            text = f"{cells['level_label'].iloc[0]} (n = {n})"
            if not cells["estimable"].all():
                text += f" · {TOO_FEW}"
            rows.append({"kind": "overall" if not variable else "level", "variable": variable, "level": level,
                         "text": f"<b>{text}</b>" if not variable else "   " + text})
    return rows


def _direction(study, endpoint: str) -> str:
    rows = study.endpoints[study.endpoints["endpoint"] == endpoint] if hasattr(study, "endpoints") else []
    better = str(rows["better"].iloc[0]) if len(rows) else ""
    return {"higher": " (right: the arm improved more)", "lower": " (left: the arm improved more)"}.get(better, "")


def build_forest_plot(study, effects: pd.DataFrame, endpoint: str, visit_label: str = "",
                      compact: bool = False):
    """Forest plot of *effects* (the frame of :func:`~cratus.patient.subgroups.subgroup_effects`).

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> from cratus.patient import to_study
    >>> study = to_study(make_synthetic(seed=1))
    >>> effects = subgroup_effects(study, "six_minute_walk", ("sex",))
    >>> fig = build_forest_plot(study, effects, "six_minute_walk")
    >>> [t.name for t in fig.data]
    ['Allo-hMSC 100M vs Placebo', 'Allo-hMSC 200M vs Placebo']
    >>> list(fig.layout.yaxis.ticktext)[:2]
    ['<b>All patients (n = 30)</b>', '<b>Sex</b> · interaction p = .246']
    """
    design = study.design
    style = theme.style(phone=compact)
    rows = _rows(effects)
    position = {(r["variable"], r["level"]): len(rows) - 1 - i for i, r in enumerate(rows)}
    arms = design.order(effects["arm"].unique())
    offsets = {arm: STEP * (len(arms) - 1) / 2 - STEP * i for i, arm in enumerate(arms)}
    traces = []
    for arm in arms:
        cells = effects[(effects["arm"] == arm) & effects["estimable"]]
        y = [position[(v, lvl)] + offsets[arm] for v, lvl in zip(cells["variable"], cells["level"])]
        big = np.where(cells["level_label"] == OVERALL, style["marker"] + 4, style["marker"])
        hover = [f"{hover_safe(label)}: {e:.3g} (95% CI {lo:.3g} to {hi:.3g}); n = {n} vs {nc}"
                 for label, e, lo, hi, n, nc in zip(cells["level_label"], cells["estimate"], cells["ci_low"],
                                                    cells["ci_high"], cells["n"], cells["n_control"])]
        control = design.short(cells["control"].iloc[0]) if len(cells) else design.short(design.control)
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{design.label(arm)} vs {control}",
            "x": cells["estimate"].tolist(), "y": y, "legendgroup": arm, "text": hover,
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"color": design.color(arm), "symbol": design.symbol(arm), "size": big.tolist(),
                       "line": {"color": "white", "width": 1}},
            "error_x": {"type": "data", "symmetric": False, "color": design.color(arm), "thickness": style["error"],
                        "width": style["cap"], "array": (cells["ci_high"] - cells["estimate"]).tolist(),
                        "arrayminus": (cells["estimate"] - cells["ci_low"]).tolist()}})
    label = study.label(endpoint) if hasattr(study, "label") else endpoint
    headings = [position[(r["variable"], r["level"])] for r in rows if r["kind"] == "heading"]
    height = 250 + ROW_PX * len(rows) + (60 if compact else 0)
    layout = {**theme.base_layout(style, height),
              "title": theme.title(f"{label}: difference between arms by subgroup",
                                   "Change from baseline" + (f" to {visit_label}" if visit_label else "")
                                   + ", arm minus control, mean with 95% CI", style, height),
              "legend": theme.legend(style, "", height - 170),
              "margin": {"l": 10, "r": 20, "t": 130 + style["modebar"], "b": 150},
              "xaxis": {"title": {"text": wrap("Difference in mean change" + _direction(study, endpoint), 60)},
                        "zeroline": False, "tickfont": {"size": style["tick"]}},
              "yaxis": {"tickvals": [position[(r["variable"], r["level"])] for r in rows],
                        "ticktext": [r["text"] for r in rows], "range": [-0.7, len(rows) - 0.3], "automargin": True,
                        "showgrid": False, "zeroline": False, "tickfont": {"size": style["tick"]}},
              "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                          "line": {"color": LINE_COLOR, "width": 1.5}}]
              + [{"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y + 0.5, "y1": y + 0.5,
                  "line": {"color": HEADING_LINE, "width": 1}} for y in headings],
              "annotations": [{"text": wrap(CAVEAT, 110 if not compact else 50), "xref": "paper", "yref": "paper",
                               "x": 0, "y": 0, "yshift": -60, "xanchor": "left", "yanchor": "top",
                               "showarrow": False, "align": "left",
                               "font": {"size": style["small"], "color": NOTE_COLOR}}]}
    return theme.figure(traces, layout)


def forest_plot(study, endpoint: str, variables=(), visit: str | None = None, arms=None, compact: bool = False):
    """:func:`build_forest_plot` of :func:`~cratus.patient.subgroups.subgroup_effects` (one call, for caching)."""
    effects = subgroup_effects(study, endpoint, variables, visit=visit, arms=arms)
    visit = visit or default_visit(study, patient_data(study), endpoint)
    return build_forest_plot(study, effects, endpoint, study.design.visit_label(visit) if visit else "", compact)
