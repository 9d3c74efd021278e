"""Charts for the Appraisal page: correlation sensitivity, power curve, n by correlation (the forest plot is
:func:`cratus.figures.forest.build_effect_size_forest`).

Like :mod:`cratus.figures.bars`, every ``build_*`` function takes tidy frames and
returns a ``plotly.graph_objects.Figure`` in the arm look of the study's
:class:`~cratus.study.design.Design`, with a base font of 16 px so that it stays
readable on a projector.  The ``*_figure(study, ...)`` functions at the end
are the study-first entry points a page caches with ``ui.cached_figure``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.forest import build_effect_size_forest
from cratus.formatting import format_p
from cratus.stats.power import ANALYSES
from cratus.stats.within_arm import PLAUSIBLE_RHO
from cratus.figures.theme import (BLUE, GRID_COLOR, LINE_COLOR, MUTED_COLOR, SPREAD_FILL,
                                  WARNING_COLOR, WARNING_TEXT)  # colours

#: Tick marks of a p-value axis, written as p-values are read.
P_TICKS = [(1e-6, ".000001"), (1e-5, ".00001"), (1e-4, ".0001"), (1e-3, ".001"), (0.01, ".01"), (0.05, ".05"),
           (0.1, ".1"), (0.5, ".5"), (1, "1")]


def _sensitivity_marks(correlation, plausible_max):
    """Shapes and labels shared by both panels of the sensitivity figure: the shaded range, the chosen r, 0 and .05."""
    shapes, annotations = [], []
    for x_ref, y_ref in (("x", "y"), ("x2", "y2")):
        shapes.append({"type": "rect", "xref": x_ref, "yref": f"{y_ref} domain", "x0": plausible_max, "x1": 1,
                       "y0": 0, "y1": 1, "fillcolor": WARNING_COLOR, "opacity": 0.12, "line": {"width": 0},
                       "layer": "below"})
        shapes.append({"type": "line", "xref": x_ref, "yref": f"{y_ref} domain", "x0": correlation,
                       "x1": correlation, "y0": 0, "y1": 1, "line": {"color": LINE_COLOR, "dash": "dash"}})
        annotations.append({"xref": x_ref, "yref": f"{y_ref} domain", "x": (plausible_max + 1) / 2, "y": 0.98,
                            "text": "beyond plausible", "showarrow": False, "textangle": -90, "yanchor": "top",
                            "font": {"color": WARNING_TEXT, "size": 14}})
    shapes.append({"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                   "line": {"color": LINE_COLOR}})
    shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 0.05, "y1": 0.05,
                   "line": {"color": GRID_COLOR, "dash": "dot"}})
    return shapes, annotations


def build_sensitivity_figure(grid: pd.DataFrame, correlation: float, color: str = LINE_COLOR, name: str = "",
                             paper_p: float | None = None, back_calculated: float | None = None,
                             plausible_max: float = PLAUSIBLE_RHO[1], unit: str = "",
                             paper_label: str | None = None, phone: bool = False) -> go.Figure:
    """p-value and 95% CI of a within-arm change against the assumed pre–post correlation.

    Two panels side by side, or one above the other on a *phone*.

    Parameters
    ----------
    grid : pandas.DataFrame
        As returned by :func:`cratus.stats.within_arm.change_sensitivity` over a grid of correlations.
    correlation : float
        The chosen correlation (a vertical line).
    color, name : str
        The arm's colour and name.
    paper_p : float, optional
        The published p-value (a horizontal line on the left panel).
    back_calculated : float, optional
        The correlation that reproduces ``paper_p`` (a marker).
    plausible_max : float
        Correlations above it are shaded: beyond the plausible true correlations.
    unit : str
        Unit of the change, for the right panel's axis.
    paper_label : str, optional
        How the paper prints its p-value (``"p < .0001"``); by default ``p = <paper_p>``.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels over the same correlations: p (log scale) and the mean change with its CI;
        no legend (the page's caption explains the lines).

    Examples
    --------
    >>> from cratus.stats.within_arm import change_sensitivity
    >>> g = change_sensitivity(345.9, 103.4, 410.7, 155.4, 10, [0.0, 0.5, 0.9])
    >>> fig = build_sensitivity_figure(g, 0.5, paper_p=0.011, back_calculated=0.956)
    >>> [round(float(p), 3) for p in fig.data[0].y]
    [0.301, 0.169, 0.026]
    """
    left, right = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}
    traces = [
        {"type": "scatter", **left, "x": grid["correlation"], "y": grid["p_value"], "mode": "lines",
         "name": name, "line": {"color": color, "width": 3},
         "hovertemplate": "r = %{x:.2f}: p = %{y:.3g}<extra></extra>"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["ci_high"], "mode": "lines",
         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["ci_low"], "mode": "lines",
         "line": {"width": 0}, "fill": "tonexty", "fillcolor": SPREAD_FILL,
         "name": "95% CI of the change", "hovertemplate": "r = %{x:.2f}: lower limit %{y:.3g}<extra></extra>"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["estimate"], "mode": "lines",
         "line": {"color": color, "width": 3}, "showlegend": False,
         "hovertemplate": "r = %{x:.2f}: change %{y:.3g}<extra></extra>"},
    ]
    shapes, annotations = _sensitivity_marks(correlation, plausible_max)
    if paper_p is not None:
        shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": paper_p,
                       "y1": paper_p, "line": {"color": WARNING_COLOR}})
        annotations.append({"xref": "x domain", "yref": "y", "x": 0.01, "y": math.log10(paper_p),
                            "text": f"paper: {paper_label or format_p(paper_p)}", "showarrow": False,
                            "xanchor": "left", "yanchor": "bottom", "font": {"color": WARNING_TEXT}})
        if back_calculated is not None and math.isfinite(back_calculated):
            traces.append({"type": "scatter", **left, "x": [back_calculated], "y": [paper_p], "mode": "markers",
                           "name": "Reproduces the paper", "marker": {"color": WARNING_COLOR, "size": 13, "symbol": "x"},
                           "hovertemplate": "r = %{x:.3f} gives the paper's p<extra></extra>"})
    for x_ref, y_ref, title in (("x", "y", "p of the change, assuming a paired t-test"),
                                ("x2", "y2", "Mean change with 95% CI")):
        annotations.append({"xref": f"{x_ref} domain", "yref": f"{y_ref} domain", "x": 0.5, "y": 1.0,
                            "yanchor": "bottom", "text": f"<b>{title}</b>", "showarrow": False,
                            "font": {"size": theme.CHART_PHONE_FONT + 1 if phone else theme.CHART_FONT}})
    left_end = min(0.0, float(grid["correlation"].min()))
    axis = {"title": {"text": "Assumed pre–post correlation r"}, "range": [left_end, 1], "dtick": 0.2}
    lowest = min(float(grid["p_value"].min()), paper_p or 1.0, 0.05)
    # side by side; on a phone one above the other, each as wide as the screen
    x_domains, y_domains = ([[0, 1], [0, 1]], [[0.6, 1], [0, 0.4]]) if phone else ([[0, 0.44], [0.56, 1]], [[0, 1]] * 2)
    figure = go.Figure(data=traces, layout={
        "xaxis": {**axis, "domain": x_domains[0], "anchor": "y"},
        "xaxis2": {**axis, "domain": x_domains[1], "anchor": "y2"},
        "yaxis": {"type": "log", "title": {"text": "p (log scale)"}, "anchor": "x", "domain": y_domains[0],
                  "range": [math.log10(lowest) - 0.3, 0.05], "tickvals": [t for t, _ in P_TICKS],
                  "ticktext": [text for _, text in P_TICKS]},
        "showlegend": False,
        "yaxis2": {"title": {"text": f"Change ({unit})" if unit else "Change"}, "anchor": "x2",
                   "domain": y_domains[1]},
        "shapes": shapes, "annotations": annotations,
    })
    return theme.chart_layout(figure, "", 780 if phone else 470, top=50, phone=phone)


def build_power_figure(curve: pd.DataFrame, color: str = LINE_COLOR, symbol: str = "circle",
                       n_claimed: int | None = None, n_needed: dict[str, int] | None = None,
                       phone: bool = False) -> go.Figure:
    """Power of a two-sample t-test against patients per arm (*phone*: laid out for a 390 px screen).

    Parameters
    ----------
    curve : pandas.DataFrame
        As returned by :func:`cratus.appraisal.views.power_curve` for one effect size.
    color, symbol : str
        The arm's colour and marker symbol.
    n_claimed : int, optional
        A claimed size to mark (the paper's "n per group").
    n_needed : dict, optional
        ``{"80%": 49, "90%": 65}``: sizes to mark on the curve.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from cratus.stats.power import power_curve
    >>> fig = build_power_figure(power_curve(0.574, [10, 30, 49]), n_needed={"80%": 49})
    >>> [round(float(p), 2) for p in fig.data[0].y]
    [0.23, 0.59, 0.8]
    """
    d = float(curve["effect_size"].iloc[0])
    figure = go.Figure()
    figure.add_scatter(x=curve["n_per_arm"], y=curve["power"], mode="lines", name=f"d = {abs(d):.2f}",
                       line={"color": color, "width": 3},
                       hovertemplate="%{x} per arm: power %{y:.0%}<extra></extra>")
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": level, "y1": level,
               "line": {"color": GRID_COLOR, "dash": "dot"}} for level in (0.8, 0.9)]
    if n_claimed is not None:
        at = np.interp(n_claimed, curve["n_per_arm"], curve["power"])
        shapes.append({"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": n_claimed, "x1": n_claimed,
                       "line": {"color": WARNING_COLOR, "dash": "dash"}})
        figure.add_scatter(x=[n_claimed], y=[at], mode="markers+text", name=f"Claimed: {n_claimed} per group",
                           marker={"color": WARNING_COLOR, "size": 13, "symbol": "x"},
                           text=[f"{n_claimed} per group: {at:.0%}"], textposition="middle right",
                           textfont={"color": WARNING_TEXT}, hovertemplate="%{x} per arm: power %{y:.0%}<extra></extra>")
    for name, n in (n_needed or {}).items():
        if n is None or pd.isna(n) or n > curve["n_per_arm"].max():
            continue
        figure.add_scatter(x=[n], y=[np.interp(n, curve["n_per_arm"], curve["power"])], mode="markers+text",
                           marker={"color": color, "size": 12, "symbol": symbol},
                           text=[f"{name}: {n}"], textposition="bottom right", showlegend=False,
                           hovertemplate=f"{name} power: %{{x}} per arm<extra></extra>")
    figure.update_layout(shapes=shapes, yaxis={"title": {"text": "Power"}, "range": [0, 1.02], "tickformat": ".0%",
                                               "dtick": 0.2},
                         xaxis={"title": {"text": "Patients per arm"}, "rangemode": "tozero"})
    return theme.chart_layout(figure, "Power of a two-sided t-test against patients per arm", 440, phone=phone)


def build_n_by_correlation_figure(readings: pd.DataFrame, n_claimed: int | None = None,
                                  plausible: tuple[float, float] = PLAUSIBLE_RHO, phone: bool = False) -> go.Figure:
    """Patients per arm needed against the pre–post correlation, one line per analysis (*phone*: for a 390 px
    screen).

    Parameters
    ----------
    readings : pandas.DataFrame
        As returned by :func:`cratus.stats.power.n_by_correlation`.
    n_claimed : int, optional
        A claimed size to mark as a horizontal line.

    Examples
    --------
    >>> from cratus.stats.power import n_by_correlation
    >>> fig = build_n_by_correlation_figure(n_by_correlation(64.8, 112.9, [0.0, 0.5]), 30)
    >>> [t.name for t in fig.data], [int(n) for n in fig.data[1].y]
    (['follow-up values only (SD)', 'change from baseline (SD·√(2(1−ρ)))', 'ANCOVA on baseline (SD·√(1−ρ²))'], [97, 49])
    """
    figure = go.Figure()
    styles = {"follow_up": (MUTED_COLOR, "dot"), "change": (BLUE, "solid"), "ancova": (WARNING_COLOR, "dash")}
    for analysis, name in ANALYSES.items():
        rows = readings[readings["analysis"] == analysis]
        color, dash = styles[analysis]
        figure.add_scatter(x=rows["correlation"], y=rows["n_per_arm"].astype(float), mode="lines", name=name,
                           line={"color": color, "dash": dash, "width": 3},
                           hovertemplate="ρ = %{x:.2f}: %{y} per arm<extra></extra>")
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": plausible[1], "x1": 1, "y0": 0, "y1": 1,
               "fillcolor": WARNING_COLOR, "opacity": 0.10, "line": {"width": 0}, "layer": "below"}]
    if n_claimed:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": n_claimed, "y1": n_claimed,
                       "line": {"color": WARNING_TEXT, "dash": "dash"}})
        figure.add_annotation(xref="paper", x=0.01, y=n_claimed, text=f"claimed: {n_claimed} per group",
                              showarrow=False, xanchor="left", yanchor="bottom", font={"color": WARNING_TEXT})
    figure.update_layout(shapes=shapes, xaxis={"title": {"text": "Pre–post correlation ρ (assumed)"},
                                               "range": [0, 1], "dtick": 0.1},
                         yaxis={"title": {"text": "Patients per arm for 80% power"}, "rangemode": "tozero"})
    return theme.chart_layout(figure, "Patients needed depend on the correlation and the analysis", 460, top=120,
                   phone=phone)


# --- study-first entry points (cached by the page) -------------------------------------------------
def forest_figure(study, arms, visits=None, phone=False):
    """Forest plot of the follow-up comparisons between *arms* (:func:`cratus.appraisal.views.forest_view`)."""
    from cratus.appraisal.views import forest_view

    return build_effect_size_forest(forest_view(study, arms, visits), study.design, phone=phone)


def sensitivity_figure(study, key, n, correlation, correlations=None, phone=False):
    """The chosen within-arm result's p and change against the assumed correlation."""
    from cratus.appraisal.views import CORRELATIONS, within_arm_row
    from cratus.stats.within_arm import change_sensitivity

    row = within_arm_row(study, key, n)
    grid_r = list(correlations or CORRELATIONS)
    if pd.notna(row["correlation"]) and row["correlation"] < grid_r[0]:  # reach the r that reproduces the paper
        grid_r = [float(x) for x in np.arange(math.floor(row["correlation"] * 20) / 20, grid_r[0], 0.05)] + grid_r
    grid = change_sensitivity(row["mean_pre"], row["sd_pre"], row["mean_post"], row["sd_post"], int(row["n"]),
                              grid_r)
    unit = str(study.endpoint_info(row["endpoint"]).get("unit") or "")
    return build_sensitivity_figure(grid, correlation, study.design.color(row["arm"]), study.design.label(row["arm"]),
                                    paper_p=row["p_value"], back_calculated=row["correlation"],
                                    unit="" if unit == "points" else unit,
                                    paper_label=format_p(row["p_value"], row["relation"], row.get("p_printed")),
                                    phone=phone)


def power_figure(study, effect_size, alpha, largest, arm, n80, n90, n_claimed=None, phone=False):
    """Power against patients per arm for one standardized effect, in the arm's look."""
    from cratus.stats.power import power_curve

    curve = power_curve(effect_size, range(4, int(largest) + 1), alpha)
    return build_power_figure(curve, study.design.color(arm), study.design.symbol(arm), n_claimed,
                              {"80%": n80, "90%": n90}, phone=phone)


def n_by_correlation_figure(study, difference, sd, alpha=0.05, n_claimed=None, phone=False):
    """Patients per arm needed against the pre–post correlation (:func:`cratus.stats.power.n_by_correlation`)."""
    from cratus.stats.power import n_by_correlation

    return build_n_by_correlation_figure(n_by_correlation(difference, sd, alpha=alpha), n_claimed, phone=phone)
