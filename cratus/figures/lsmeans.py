"""LS means by visit and arm of the repeated-measures model (:func:`cratus.patient.repeated.mmrm_result`): a point
and its 95% CI per arm at each post-baseline visit, in the arms' colours, the arms side by side at a visit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.geometry import wrap_px

DODGE = 0.12  # of a visit's slot between neighbouring arms


def lsmeans_figure(study, endpoint: str, factors=(), continuous=("base",), response: str = "chg", arms=None,
                   covariance: str = "unstructured", weighting: str = "observed", phone: bool = False) -> go.Figure:
    """LS means (95% CI) by visit and arm, computed here from the patients, the model named in the subtitle."""
    from cratus.patient.protocol import RESPONSES, analysis_of, population_words
    from cratus.patient.repeated import mmrm_result

    result = mmrm_result(study, endpoint, factors, continuous, response, arms, covariance, weighting)
    design = study.design
    style = theme.style(phone=phone)
    visits = list(result.visits)
    shown = list(dict.fromkeys(m.arm for m in result.lsmeans))
    data = []
    for i, a in enumerate(shown):
        arm = next(x for x in design.arms if x.id == a)
        rows = [m for m in result.lsmeans if m.arm == a]
        x = np.array([visits.index(m.visit) for m in rows], float) + (i - (len(shown) - 1) / 2) * DODGE
        y = np.array([m.estimate for m in rows])
        data.append({"type": "scatter", "mode": "lines+markers", "name": arm.label, "x": x.tolist(), "y": y.tolist(),
                     "line": {"color": arm.color, "width": style["line"], "dash": arm.dash},
                     "marker": {"color": arm.color, "symbol": arm.symbol, "size": style["marker"]},
                     "error_y": {"type": "data", "symmetric": False, "color": arm.color, "thickness": style["error"],
                                 "width": style["cap"], "array": [m.ci_high - m.estimate for m in rows],
                                 "arrayminus": [m.estimate - m.ci_low for m in rows]},
                     "text": [f"{arm.label}, {design.visit_label(m.visit)}: LS mean {m.estimate:.3g} "
                              f"(95% CI {m.ci_low:.3g} to {m.ci_high:.3g}), n = {m.n}" for m in rows],
                     "hovertemplate": "%{text}<extra></extra>"})
    width = style["min_width"]
    what = RESPONSES.get(response, response)
    title = theme.title_text(f"{study.label(endpoint)}: {what}", style, width)
    model = "GEE" if covariance.startswith("GEE") else f"mixed model, {covariance} covariance"
    words = (f"LS mean (95% CI) by visit, {model}; computed here from the patients "
             f"({population_words(study, analysis_of(study, endpoint), False)})")
    if getattr(study, "filters", ()):
        words += ". Subgroup filter on: exploratory"
    subtitle = wrap_px(words, width - 20, style["subtitle"])
    legend_lines = theme.legend_lines([design.label(a) for a in shown], style, width - style["margin_l"] - 20, False)
    top = theme.top_margin(style, subtitle.count("<br>") + 1, legend_lines, title.count("<br>") + 1)
    height = top + (300 if phone else 380) + 60 + style["margin_b"]
    layout = {**theme.base_layout(style, height),
              "title": theme.title(title, subtitle, style, height),
              "margin": {"l": style["margin_l"], "r": 20, "t": top, "b": style["margin_b"] + 20},
              "legend": theme.legend(style, "", height - top - style["margin_b"] - 20),
              "xaxis": {"tickvals": list(range(len(visits))), "ticktext": [design.visit_label(v) for v in visits],
                        "range": [-0.5, len(visits) - 0.5], "title": {"text": "Visit"}},
              "yaxis": {"title": {"text": f"LS mean, {what}"}, "zeroline": True}}
    return theme.figure(data, layout)
