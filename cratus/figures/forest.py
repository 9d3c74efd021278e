"""The forest plots: one drawing of points with their confidence intervals (:func:`interval_trace`, on a line of
no difference), for the subgroup forest and the appraisal's forest of standardized differences.

The subgroup forest plot: the between-arm effect within each level of subject variables.

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
import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.geometry import wrap_px
from cratus.formatting import format_p
from cratus.stats.between_arms import WAN_METHOD
from cratus.words import hover_safe, wrap
from cratus.patient.stats import patient_data
from cratus.patient.subgroups import CAVEAT, OVERALL, TOO_FEW, default_visit, subgroup_effects
from cratus.figures.theme import HEADING_LINE, LINE_COLOR, MUTED_COLOR, NOTE_COLOR, SEPARATOR_COLOR  # colours

ROW_PX = 34
#: The phone's room per line of the appraisal forest's wrapped labels.
PHONE_ROW_PX = 58
STEP = 0.22  # of a row's height between the arms of one row


def interval_trace(name: str, x, y, low, high, hover, *, color, symbol, size, thickness, cap, outline) -> dict:
    """One series of a forest plot: points at *x* with asymmetric whiskers to *low* and *high*, in one colour."""
    x, low, high = (np.asarray(v, dtype=float) for v in (x, low, high))
    return {"type": "scatter", "mode": "markers", "name": name, "x": x.tolist(), "y": list(y), "text": list(hover),
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"color": color, "symbol": symbol, "size": size, "line": outline},
            "error_x": {"type": "data", "symmetric": False, "color": color, "thickness": thickness, "width": cap,
                        "array": (high - x).tolist(), "arrayminus": (x - low).tolist()}}


def no_difference_line() -> dict:
    """The vertical line at 0 of a forest plot."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
            "line": {"color": LINE_COLOR, "width": 1.5}}


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
        traces.append(interval_trace(f"{design.label(arm)} vs {control}", cells["estimate"], y, cells["ci_low"],
                                     cells["ci_high"], hover, color=design.color(arm), symbol=design.symbol(arm),
                                     size=big.tolist(), thickness=style["error"], cap=style["cap"],
                                     outline={"color": "white", "width": 1}) | {"legendgroup": arm})
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
              "shapes": [no_difference_line()]
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


# --- the appraisal's forest: standardized differences between arms -------------------------------
def build_effect_size_forest(view: pd.DataFrame, design, phone: bool = False) -> go.Figure:
    """Forest plot of Hedges' g with 95% CI, one line per comparison (*phone*: labels wrapped for a 390 px screen).

    Parameters
    ----------
    view : pandas.DataFrame
        As returned by :func:`cratus.appraisal.tables.comparisons_view`: ``label``
        (or ``endpoint_label``, preferred), ``visit, arm, reference, pair, hedges_g, hedges_g_ci_low,
        hedges_g_ci_high, p_value, method``, in display order (top first).
    design : cratus.study.design.Design
        Colours, symbols and visit labels.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per pair of arms: colour of the arm, symbol of the
        arm it is compared with; hollow markers for Wan approximations.

    Examples
    --------
    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "A", "A", False), ("b", "B", "B", False), ("p", "Placebo", "Placebo", True)],
    ...                 [("w0", "Week 0", "baseline")])
    >>> v = pd.DataFrame({"label": ["Age (years)"] * 2, "endpoint_label": ["Age"] * 2, "visit": "w0",
    ...     "arm": ["a", "b"],
    ...     "reference": "p", "pair": ["100M vs Placebo", "200M vs Placebo"],
    ...     "hedges_g": [-0.04, 0.13], "hedges_g_ci_low": [-0.88, -0.72], "hedges_g_ci_high": [0.8, 0.97],
    ...     "estimate": [-0.3, 1.0], "p_value": [0.93, 0.77], "method": "Welch t-test from mean ± SD"})
    >>> fig = build_effect_size_forest(v, d)
    >>> [t.name for t in fig.data], list(fig.data[0].x)
    (['100M vs Placebo', '200M vs Placebo'], [-0.04])
    """
    names = view["endpoint_label"] if "endpoint_label" in view else view["label"]
    view = view.assign(label=names)  # g has no unit: the label need not carry one
    groups = list(dict.fromkeys(zip(view["label"], view["visit"])))
    position = {g: len(groups) - 1 - i for i, g in enumerate(groups)}
    canonical = {pair: i for i, pair in enumerate(design.pairs())}
    pairs = sorted(dict.fromkeys(view["pair"]), key=lambda p: canonical.get(
        tuple(view.loc[view["pair"] == p, ["arm", "reference"]].iloc[0]), 9))
    offsets = {p: 0.25 - 0.5 * i / max(len(pairs) - 1, 1) if len(pairs) > 1 else 0.0 for i, p in enumerate(pairs)}
    traces = []
    for pair in pairs:
        rows = view[view["pair"] == pair]
        # a filled marker first: the legend shows the first point's symbol
        rows = rows.iloc[np.argsort((rows["method"] == WAN_METHOD).to_numpy(), kind="stable")]
        arm, reference = rows["arm"].iloc[0], rows["reference"].iloc[0]
        y = [position[(label, visit)] + offsets[pair] for label, visit in zip(rows["label"], rows["visit"])]
        symbol, color = design.symbol(reference), design.color(arm)
        symbols = [symbol + "-open" if m == WAN_METHOD else symbol for m in rows["method"]]
        hover = [f"{label}, {design.visit_label(visit)}<br>{pair}: g = {g:.2f} ({lo:.2f} to {hi:.2f})"
                 f"<br>Welch {format_p(p, computed=True)}" + ("<br>approximation from median (IQR)"
                                                              if m == WAN_METHOD else "")
                 for label, visit, g, lo, hi, p, m in zip(rows["label"], rows["visit"], rows["hedges_g"],
                                                          rows["hedges_g_ci_low"], rows["hedges_g_ci_high"],
                                                          rows["p_value"], rows["method"])]
        traces.append(interval_trace(pair, rows["hedges_g"], y, rows["hedges_g_ci_low"], rows["hedges_g_ci_high"],
                                     hover, color=color, symbol=symbols, size=12, thickness=2, cap=0,
                                     outline={"width": 2, "color": color}))
    figure = go.Figure(data=traces)
    # one layout update for all lines: add_hline re-validates every shape each time (slow for many)
    # a light line between endpoints, a dark one where the visit changes
    separators = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": i + 0.5, "y1": i + 0.5, "layer": "below",
                   "line": {"color": MUTED_COLOR if groups[len(groups) - 1 - i][1] != groups[len(groups) - 2 - i][1]
                            else SEPARATOR_COLOR, "width": 1}} for i in range(len(groups) - 1)]
    figure.update_layout(shapes=[*separators, no_difference_line()])
    ticktext = [f"{label}, {design.visit_label(visit).lower()}" for label, visit in groups]
    x_title = "Hedges' g with 95% CI (arm minus comparator, in SDs)"
    if phone:  # the labels take at most ~40% of a 390 px screen, leaving the rest to the intervals
        ticktext = [wrap_px(text, 140, theme.CHART_PHONE_FONT) for text in ticktext]
        x_title = wrap_px(x_title, 200, theme.CHART_PHONE_FONT)  # centred under the intervals, right of the labels
    figure.update_yaxes(tickvals=[position[g] for g in groups], ticktext=ticktext,
                        range=[-0.6, len(groups) - 0.4], showgrid=False, zeroline=False)
    figure.update_xaxes(title=x_title, zeroline=False)
    row_px = PHONE_ROW_PX if phone else 46
    return theme.chart_layout(figure, "Standardized differences between arms (Hedges' g)",
                              190 + row_px * max(len(groups), 1), top=110, phone=phone)
