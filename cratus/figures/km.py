"""Kaplan–Meier curves by arm in the arms' colours, censoring marks, and the numbers at risk under the plot."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.geometry import line_width, wrap_px


def _hex_rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def km_figure(study, parameter: str, arms=None, bands: bool = True, phone: bool = False,
              population: str = "efficacy") -> go.Figure:
    """The Kaplan–Meier plot of one time-to-event parameter in one analysis population (computed here from the
    patients)."""
    from cratus.patient.protocol import population_words
    from cratus.patient.time_to_event import _unit, tte_parameters, tte_result

    result = tte_result(study, parameter, arms, population=population)
    design = study.design
    style = theme.style(phone=phone)
    arms_shown = [c.arm for c in result.curves]
    data = []
    for curve in result.curves:
        arm = next(a for a in design.arms if a.id == curve.arm)
        x = np.concatenate([[0.0], curve.times])
        y = np.concatenate([[1.0], curve.survival])
        if bands:
            low = np.concatenate([[1.0], np.nan_to_num(curve.ci_low, nan=1.0)])
            high = np.concatenate([[1.0], np.nan_to_num(curve.ci_high, nan=1.0)])
            data.append({"type": "scatter", "x": x, "y": high, "mode": "lines", "line": {"width": 0, "shape": "hv"},
                         "showlegend": False, "hoverinfo": "skip", "legendgroup": arm.id})
            data.append({"type": "scatter", "x": x, "y": low, "mode": "lines", "line": {"width": 0, "shape": "hv"},
                         "fill": "tonexty", "fillcolor": _hex_rgba(arm.color, 0.12), "showlegend": False,
                         "hoverinfo": "skip", "legendgroup": arm.id})
        last = max(float(curve.times.max()) if len(curve.times) else 0.0,
                   float(curve.censored_times.max()) if len(curve.censored_times) else 0.0)
        data.append({"type": "scatter", "x": np.append(x, last), "y": np.append(y, y[-1]), "mode": "lines",
                     "name": arm.label, "legendgroup": arm.id,
                     "line": {"color": arm.color, "width": style["line"], "shape": "hv", "dash": arm.dash},
                     "hovertemplate": f"{arm.label}<br>time %{{x:g}}<br>survival %{{y:.3f}}<extra></extra>"})
        data.append({"type": "scatter", "x": curve.censored_times, "y": curve.censored_survival, "mode": "markers",
                     "marker": {"symbol": "line-ns-open", "size": style["marker"], "color": arm.color,
                                "line": {"width": 1.5, "color": arm.color}},
                     "name": f"{arm.short} censored", "legendgroup": arm.id, "showlegend": False,
                     "hovertemplate": f"{arm.label}: censored at %{{x:g}}<extra></extra>"})
    times = result.at_risk.index.to_numpy(float)
    end = max(float(times.max()) if len(times) else 1.0, 1.0)
    for row, a in enumerate(arms_shown):
        arm = next(x for x in design.arms if x.id == a)
        data.append({"type": "scatter", "x": times, "y": [row] * len(times), "mode": "text",
                     "text": [f"{n:g}" for n in result.at_risk[a]], "textfont": {"color": arm.color,
                                                                                 "size": style["tick"]},
                     "xaxis": "x", "yaxis": "y2", "showlegend": False, "hoverinfo": "skip"})
    unit = _unit(study, parameter).lstrip(", ")
    label = tte_parameters(study).get(parameter, parameter)
    width = style["min_width"]
    # Room for the at-risk table's arm names (the widest, at tick size) left of the plot, at most 40 % of the
    # width: a longer name wraps (a phone's "Xanomeline High Dose" ran into the numbers at time 0).
    margin_l = int(min(max(style["margin_l"], max(line_width(design.short(a), style["tick"]) for a in arms_shown)
                           + 40), width * 0.4))
    names = [n if line_width(n, style["tick"]) + 40 <= margin_l + 1 else wrap_px(n, margin_l - 40, style["tick"])
             for n in (design.short(a) for a in arms_shown)]
    risk_line = 26 * max(n.count("<br>") + 1 for n in names)
    title = theme.title_text(label, style, width)
    words = (f"Kaplan–Meier estimate by arm, computed here from the patients ({population_words(study, population, False)})"
             "; | censored; shaded: 95% CI")
    if getattr(study, "filters", ()):  # a figure saved from a filtered view says so on its own
        words += ". Subgroup filter on: exploratory"
    subtitle = wrap_px(words, width - 20, style["subtitle"])
    legend_lines = theme.legend_lines([a.label for a in design.arms if a.id in arms_shown], style,
                                      width - margin_l - 20, False)  # the legend wraps within the plot's width
    top = theme.top_margin(style, subtitle.count("<br>") + 1, legend_lines, title.count("<br>") + 1)
    plot_h = 380 if not phone else 300
    risk_h = 40 + risk_line * len(arms_shown)
    height = top + plot_h + 60 + risk_h + style["margin_b"]
    risk_share = risk_h / (height - top - style["margin_b"])
    gap = 60 / (height - top - style["margin_b"])
    layout = {**theme.base_layout(style, height),
              "title": theme.title(title, subtitle, style, height),
              "margin": {"l": margin_l, "r": 20, "t": top, "b": style["margin_b"]},
              "legend": theme.legend(style, "", height - top - style["margin_b"]), "showlegend": True,
              # Room left of 0 so that the numbers at risk at time 0 sit inside the plot, clear of the arm names.
              "xaxis": {"title": {"text": f"Time ({unit})" if unit else "Time"},
                        "range": [-0.05 * end, 1.03 * end], "anchor": "y2", "zeroline": False, "tickvals": times},
              "yaxis": {"title": {"text": "Probability without event"}, "range": [-0.02, 1.03],
                        "domain": [risk_share + gap, 1.0], "tickformat": ".1f"},
              "yaxis2": {"domain": [0, risk_share], "range": [len(arms_shown) - 0.5, -0.7],
                         "tickvals": list(range(len(arms_shown))), "ticktext": names,
                         "showgrid": False, "zeroline": False, "title": {"text": "At risk"}},
              }
    return theme.figure(data, layout)
