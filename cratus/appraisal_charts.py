"""Charts for the Appraisal page: forest plot, correlation sensitivity, power curve.

Like :mod:`cratus.charts`, every function takes tidy frames and returns a
``plotly.graph_objects.Figure`` in the arm palette of :mod:`cratus.arms`,
with a base font of 16 px so that it stays readable on a projector.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cratus.appraisal import WAN_METHOD, format_p_value
from cratus.arms import ARM_COLORS, ARM_LABELS, ARM_SYMBOLS, VISIT_LABELS

FONT_SIZE = 16
GRID_COLOR = "#888888"
#: Tick marks of a p-value axis, written as p-values are read.
P_TICKS = [(1e-6, ".000001"), (1e-5, ".00001"), (1e-4, ".0001"), (1e-3, ".001"), (0.01, ".01"), (0.05, ".05"),
           (0.1, ".1"), (0.5, ".5"), (1, "1")]


def _layout(figure: go.Figure, title: str, height: int, top: int = 100) -> go.Figure:
    """plotly_white, 16 px, title top left and the legend under it (both from the figure's left edge)."""
    figure.update_layout(
        template="plotly_white", font={"size": FONT_SIZE}, height=height,
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yref": "container",
               "yanchor": "top", "pad": {"t": 12, "l": 4}},
        margin={"l": 10, "r": 20, "t": top, "b": 10},
        legend={"orientation": "h", "xref": "container", "x": 0, "xanchor": "left", "yref": "container",
                "y": 1, "yanchor": "top", "entrywidthmode": "pixels", "entrywidth": 0,
                "itemclick": "toggle"} | ({"y": 1 - 46 / height} if title else {}),
        hoverlabel={"font_size": FONT_SIZE},
    )
    return figure


def build_forest_figure(view: pd.DataFrame) -> go.Figure:
    """Forest plot of Hedges' g with 95% CI, one line per comparison.

    Parameters
    ----------
    view : pandas.DataFrame
        As returned by :func:`cratus.appraisal.comparisons_view`: ``label``
        (or ``endpoint_label``, preferred), ``visit, arm, reference, pair, hedges_g, hedges_g_ci_low,
        hedges_g_ci_high, p_value, method``, in display order (top first).

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per pair of arms: colour of the arm, symbol of the
        arm it is compared with; hollow markers for Wan approximations.

    Examples
    --------
    >>> v = pd.DataFrame({"label": ["Age (years)"] * 2, "endpoint_label": ["Age"] * 2, "visit": "baseline",
    ...     "arm": ["100M", "200M"],
    ...     "reference": "placebo", "pair": ["100M vs Placebo", "200M vs Placebo"],
    ...     "hedges_g": [-0.04, 0.13], "hedges_g_ci_low": [-0.88, -0.72], "hedges_g_ci_high": [0.8, 0.97],
    ...     "estimate": [-0.3, 1.0], "p_value": [0.93, 0.77], "method": "Welch t-test from mean ± SD"})
    >>> fig = build_forest_figure(v)
    >>> [t.name for t in fig.data], fig.data[0].x.tolist()
    (['100M vs Placebo', '200M vs Placebo'], [-0.04])
    """
    names = view["endpoint_label"] if "endpoint_label" in view else view["label"]
    view = view.assign(label=names)  # g has no unit: the label need not carry one
    groups = list(dict.fromkeys(zip(view["label"], view["visit"])))
    position = {g: len(groups) - 1 - i for i, g in enumerate(groups)}
    canonical = {("100M", "placebo"): 0, ("200M", "placebo"): 1, ("100M", "200M"): 2}
    pairs = sorted(dict.fromkeys(view["pair"]), key=lambda p: canonical.get(
        tuple(view.loc[view["pair"] == p, ["arm", "reference"]].iloc[0]), 9))
    offsets = {p: 0.25 - 0.5 * i / max(len(pairs) - 1, 1) if len(pairs) > 1 else 0.0 for i, p in enumerate(pairs)}
    figure = go.Figure()
    for pair in pairs:
        rows = view[view["pair"] == pair]
        # a filled marker first: the legend shows the first point's symbol
        rows = rows.iloc[np.argsort((rows["method"] == WAN_METHOD).to_numpy(), kind="stable")]
        arm, reference = rows["arm"].iloc[0], rows["reference"].iloc[0]
        y = [position[(label, visit)] + offsets[pair] for label, visit in zip(rows["label"], rows["visit"])]
        symbol = ARM_SYMBOLS.get(reference, "circle")
        symbols = [symbol + "-open" if m == WAN_METHOD else symbol for m in rows["method"]]
        hover = [f"{label}, {VISIT_LABELS.get(visit, visit)}<br>{pair}: g = {g:.2f} ({lo:.2f} to {hi:.2f})"
                 f"<br>Welch p = {format_p_value(p)}" + ("<br>Wan approximation" if m == WAN_METHOD else "")
                 for label, visit, g, lo, hi, p, m in zip(rows["label"], rows["visit"], rows["hedges_g"],
                                                          rows["hedges_g_ci_low"], rows["hedges_g_ci_high"],
                                                          rows["p_value"], rows["method"])]
        figure.add_scatter(
            x=rows["hedges_g"], y=y, mode="markers", name=pair,
            marker={"color": ARM_COLORS.get(arm, "#333333"), "symbol": symbols, "size": 12,
                    "line": {"width": 2, "color": ARM_COLORS.get(arm, "#333333")}},
            error_x={"type": "data", "symmetric": False, "array": rows["hedges_g_ci_high"] - rows["hedges_g"],
                     "arrayminus": rows["hedges_g"] - rows["hedges_g_ci_low"],
                     "color": ARM_COLORS.get(arm, "#333333"), "thickness": 2, "width": 0},
            text=hover, hovertemplate="%{text}<extra></extra>",
        )
    # one layout update for all lines: add_hline re-validates every shape each time (slow for many)
    # a light line between endpoints, a dark one where the visit changes
    separators = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": i + 0.5, "y1": i + 0.5, "layer": "below",
                   "line": {"color": "#555555" if groups[len(groups) - 1 - i][1] != groups[len(groups) - 2 - i][1]
                            else "#e5e5e5", "width": 1}} for i in range(len(groups) - 1)]
    zero = {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": 0, "x1": 0, "line": {"color": "#333333"}}
    figure.update_layout(shapes=[*separators, zero])
    figure.update_yaxes(tickvals=[position[g] for g in groups],
                        ticktext=[f"{label}, {VISIT_LABELS.get(visit, visit).lower()}" for label, visit in groups],
                        range=[-0.6, len(groups) - 0.4], showgrid=False, zeroline=False)
    figure.update_xaxes(title="Hedges' g with 95% CI (arm minus comparator, in SDs)", zeroline=False)
    return _layout(figure, "Standardized differences between arms (Hedges' g)", 190 + 46 * max(len(groups), 1),
                   top=110)


def build_sensitivity_figure(grid: pd.DataFrame, correlation: float, arm: str, paper_p: float | None = None,
                             back_calculated: float | None = None, plausible_max: float = 0.95,
                             unit: str = "", paper_label: str | None = None) -> go.Figure:
    """p-value and 95% CI of a within-arm change against the assumed pre–post correlation.

    Parameters
    ----------
    grid : pandas.DataFrame
        As returned by :func:`cratus.appraisal.change_sensitivity` over a grid of correlations.
    correlation : float
        The chosen correlation (a vertical line).
    arm : str
        The arm (for its colour).
    paper_p : float, optional
        The published p-value (a horizontal line on the left panel).
    back_calculated : float, optional
        The correlation that reproduces ``paper_p`` (a marker).
    plausible_max : float
        Correlations above it are shaded as implausible.
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
    >>> from cratus.appraisal import change_sensitivity
    >>> g = change_sensitivity(345.9, 103.4, 410.7, 155.4, 10, [0.0, 0.5, 0.9])
    >>> fig = build_sensitivity_figure(g, 0.5, "100M", paper_p=0.011, back_calculated=0.956)
    >>> [round(float(p), 3) for p in fig.data[0].y]
    [0.301, 0.169, 0.026]
    """
    color = ARM_COLORS.get(arm, "#333333")
    left, right = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"}
    traces = [
        {"type": "scatter", **left, "x": grid["correlation"], "y": grid["p_value"], "mode": "lines",
         "name": ARM_LABELS.get(arm, arm), "line": {"color": color, "width": 3},
         "hovertemplate": "r = %{x:.2f}: p = %{y:.3g}<extra></extra>"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["ci_high"], "mode": "lines",
         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["ci_low"], "mode": "lines",
         "line": {"width": 0}, "fill": "tonexty", "fillcolor": "rgba(120, 120, 120, 0.25)",
         "name": "95% CI of the change", "hovertemplate": "r = %{x:.2f}: lower limit %{y:.3g}<extra></extra>"},
        {"type": "scatter", **right, "x": grid["correlation"], "y": grid["estimate"], "mode": "lines",
         "line": {"color": color, "width": 3}, "showlegend": False,
         "hovertemplate": "r = %{x:.2f}: change %{y:.3g}<extra></extra>"},
    ]
    shapes, annotations = [], []
    for x_ref, y_ref in (("x", "y"), ("x2", "y2")):
        shapes.append({"type": "rect", "xref": x_ref, "yref": f"{y_ref} domain", "x0": plausible_max, "x1": 1,
                       "y0": 0, "y1": 1, "fillcolor": "#d55e00", "opacity": 0.12, "line": {"width": 0},
                       "layer": "below"})
        shapes.append({"type": "line", "xref": x_ref, "yref": f"{y_ref} domain", "x0": correlation,
                       "x1": correlation, "y0": 0, "y1": 1, "line": {"color": "#333333", "dash": "dash"}})
        annotations.append({"xref": x_ref, "yref": f"{y_ref} domain", "x": (plausible_max + 1) / 2, "y": 0.98,
                            "text": "implausible", "showarrow": False, "textangle": -90, "yanchor": "top",
                            "font": {"color": "#a04000", "size": 14}})
    shapes.append({"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                   "line": {"color": "#333333"}})
    shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 0.05, "y1": 0.05,
                   "line": {"color": GRID_COLOR, "dash": "dot"}})
    if paper_p is not None:
        shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": paper_p,
                       "y1": paper_p, "line": {"color": "#d55e00"}})
        annotations.append({"xref": "x domain", "yref": "y", "x": 0.01, "y": math.log10(paper_p),
                            "text": f"paper: {paper_label or 'p = ' + format_p_value(paper_p)}", "showarrow": False,
                            "xanchor": "left", "yanchor": "bottom", "font": {"color": "#a04000"}})
        if back_calculated is not None and math.isfinite(back_calculated):
            traces.append({"type": "scatter", **left, "x": [back_calculated], "y": [paper_p], "mode": "markers",
                           "name": "Reproduces the paper", "marker": {"color": "#d55e00", "size": 13, "symbol": "x"},
                           "hovertemplate": "r = %{x:.3f} gives the paper's p<extra></extra>"})
    for x_ref, title in (("x", "p-value of the change (paired t-test)"), ("x2", "Mean change with 95% CI")):
        annotations.append({"xref": f"{x_ref} domain", "yref": "paper", "x": 0.5, "y": 1.0, "yanchor": "bottom",
                            "text": f"<b>{title}</b>", "showarrow": False, "font": {"size": FONT_SIZE}})
    axis = {"title": {"text": "Assumed pre–post correlation r"}, "range": [0, 1], "dtick": 0.2}
    lowest = min(float(grid["p_value"].min()), paper_p or 1.0, 0.05)
    figure = go.Figure(data=traces, layout={
        "xaxis": {**axis, "domain": [0, 0.44], "anchor": "y"},
        "xaxis2": {**axis, "domain": [0.56, 1], "anchor": "y2"},
        "yaxis": {"type": "log", "title": {"text": "p (log scale)"}, "anchor": "x",
                  "range": [math.log10(lowest) - 0.3, 0.05], "tickvals": [t for t, _ in P_TICKS],
                  "ticktext": [text for _, text in P_TICKS]},
        "showlegend": False,
        "yaxis2": {"title": {"text": f"Change ({unit})" if unit else "Change"}, "anchor": "x2"},
        "shapes": shapes, "annotations": annotations,
    })
    return _layout(figure, "", 470, top=50)


def build_power_figure(curve: pd.DataFrame, arm: str = "100M", n_claimed: int | None = 30,
                       n_needed: dict[str, int] | None = None) -> go.Figure:
    """Power of a two-sample t-test against patients per arm.

    Parameters
    ----------
    curve : pandas.DataFrame
        As returned by :func:`cratus.appraisal.power_curve` for one effect size.
    arm : str
        The arm (for the colour of the curve).
    n_claimed : int, optional
        A claimed size to mark (the Discussion's 30 per group).
    n_needed : dict, optional
        ``{"80%": 49, "90%": 65}``: sizes to mark on the curve.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> from cratus.appraisal import power_curve
    >>> fig = build_power_figure(power_curve(0.574, [10, 30, 49]), n_needed={"80%": 49})
    >>> [round(float(p), 2) for p in fig.data[0].y]
    [0.23, 0.59, 0.8]
    """
    color = ARM_COLORS.get(arm, "#333333")
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
                       "line": {"color": "#d55e00", "dash": "dash"}})
        figure.add_scatter(x=[n_claimed], y=[at], mode="markers+text", name=f"Discussion: {n_claimed} per group",
                           marker={"color": "#d55e00", "size": 13, "symbol": "x"},
                           text=[f"{n_claimed} per group: {at:.0%}"], textposition="middle right",
                           textfont={"color": "#a04000"}, hovertemplate="%{x} per arm: power %{y:.0%}<extra></extra>")
    for name, n in (n_needed or {}).items():
        if n is None or pd.isna(n) or n > curve["n_per_arm"].max():
            continue
        figure.add_scatter(x=[n], y=[np.interp(n, curve["n_per_arm"], curve["power"])], mode="markers+text",
                           marker={"color": color, "size": 12, "symbol": ARM_SYMBOLS.get(arm, "circle")},
                           text=[f"{name}: {n}"], textposition="bottom right", showlegend=False,
                           hovertemplate=f"{name} power: %{{x}} per arm<extra></extra>")
    figure.update_layout(shapes=shapes, yaxis={"title": {"text": "Power"}, "range": [0, 1.02], "tickformat": ".0%",
                                               "dtick": 0.2},
                         xaxis={"title": {"text": "Patients per arm"}, "rangemode": "tozero"})
    return _layout(figure, "Power of a two-sided t-test against patients per arm", 440)
