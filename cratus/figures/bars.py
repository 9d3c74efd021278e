"""Charts for the Baseline and Safety pages: bars of a categorical outcome and the balance ("Love") plot.

Like the endpoint figures, they take the :class:`~cratus.study.model.Study` and return
``plotly.graph_objects.Figure`` objects drawn in the study's arm palette.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.theme import GRIDLINE_COLOR, LINE_COLOR, THRESHOLD_COLOR, TITLE_COLOR  # colours
from cratus.stats.between_arms import IMBALANCE_THRESHOLD
from cratus.study.model import Study
from cratus.words import wrap

def build_category_figure(study: Study, endpoint: str, arms=None, compact: bool = False,
                          presentation: bool = False) -> go.Figure:
    """Grouped bars of a categorical outcome: patients per category and arm.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> fig = build_category_figure(load_study(), "cpra")
    >>> [t.name for t in fig.data], fig.data[1].y.tolist()
    (['Allo-hMSC 100M', 'Allo-hMSC 200M', 'Placebo'], [8.0, 0.0, 2.0, 0.0])
    """
    from cratus.tables.safety import category_long

    design = study.design
    long = category_long(study, endpoint, arms)
    figure = go.Figure()
    for arm in design.order(long["arm"].unique()):
        rows = long[long["arm"] == arm]
        figure.add_bar(
            x=rows["label"], y=rows["count"], name=design.label(arm), marker_color=design.color(arm),
            marker_pattern_shape=design.pattern(arm), text=rows["count"].map("{:g}".format),
            textposition="outside", customdata=rows[["n", "percent"]],
            hovertemplate="%{x}<br>%{y:g} of %{customdata[0]:g} patients (%{customdata[1]:.0f}%)"
                          f"<extra>{design.label(arm)}</extra>",
        )
    top = float(long["count"].max()) if len(long) else 1.0
    figure.update_yaxes(title="Patients (number)", rangemode="tozero", range=[0, top * 1.2 + 0.5])
    design_visits = study.design
    figure.update_xaxes(title=f"Category, {design_visits.visit_label(design_visits.baseline).lower()} to "
                              f"{design_visits.visit_label(design_visits.follow_up).lower()}")
    return theme.bar_layout(figure, study.label(endpoint), 440, compact, presentation).update_layout(barmode="group")


def build_balance_figure(study: Study, differences: pd.DataFrame, threshold: float = IMBALANCE_THRESHOLD,
                         compact: bool = False) -> go.Figure:
    """Dot plot of standardized differences at baseline (a "Love plot").

    Each characteristic is a row; the compared arms sit side by side within it
    (offset vertically), so equal values never hide one another.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> d = pd.DataFrame({"characteristic": ["Age", "Age"], "arm": ["100M", "200M"],
    ...                   "reference": ["placebo", "placebo"], "estimate": [-0.04, 0.13], "note": ["", ""]})
    >>> fig = build_balance_figure(s, d)
    >>> fig.data[0].x.tolist(), fig.data[1].x.tolist(), fig.data[0].y != fig.data[1].y
    ([-0.04], [0.13], True)
    """
    design = study.design
    usable = differences.dropna(subset=["estimate"])
    order = list(dict.fromkeys(usable["characteristic"]))
    row = {name: len(order) - 1 - i for i, name in enumerate(order)}  # first characteristic on top
    arms = design.order(usable["arm"].unique())
    step = 0.32  # of a row's height: arms sit clearly apart within their row
    offsets = {arm: step * (len(arms) - 1) / 2 - step * i for i, arm in enumerate(arms)}
    traces = []
    for arm in arms:
        rows = usable[usable["arm"] == arm]
        reference = design.short(rows["reference"].iloc[0])
        traces.append(go.Scatter(
            x=rows["estimate"], y=[row[c] + offsets[arm] for c in rows["characteristic"]],
            customdata=rows["characteristic"], mode="markers", name=f"{design.short(arm)} vs {reference}",
            marker={"color": design.color(arm), "symbol": design.symbol(arm), "size": 11,
                    "line": {"color": "white", "width": 1}},
            hovertemplate="%{customdata}: d = %{x:.2f}<extra>" + design.label(arm) + "</extra>"))
    lines = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
              "line": {"color": color, "dash": dash, "width": 1.5}}
             for x, color, dash in ((-threshold, THRESHOLD_COLOR, "dot"), (threshold, THRESHOLD_COLOR, "dot"),
                                    (0, LINE_COLOR, "solid"))]
    figure = go.Figure(data=traces, layout={
        "shapes": lines,
        "yaxis": {"tickvals": list(row.values()),
                  "ticktext": [wrap(k, 18) for k in row] if compact else list(row.keys()),
                  "title": None, "automargin": True,
                  "range": [-0.6, len(order) - 0.4], "tickfont": {"size": 12 if compact else 15, "color": TITLE_COLOR},
                  "showgrid": True, "gridcolor": GRIDLINE_COLOR},
        "xaxis": {"title": {"text": (f"Standardized difference (d);<br>dotted lines at ±{threshold:g}" if compact else
                                     f"Standardized difference (d); dotted lines at ±{threshold:g}")},
                  "zeroline": False, "tickfont": {"size": 12 if compact else 14, "color": TITLE_COLOR}},
    })
    rows_px = (44 if compact else 30) * max(len(order), 1)
    return theme.bar_layout(figure, "Balance at baseline: standardized differences", 160 + rows_px, compact)


def balance_figure(study: Study, arms=None, threshold: float = IMBALANCE_THRESHOLD,
                   compact: bool = False, columns=None) -> go.Figure:
    """:func:`build_balance_figure` of the standardized differences of *arms* against the control (patient data:
    of Table 1's *columns*).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> [t.name for t in balance_figure(load_study(), ("100M", "placebo")).data]
    ['100M vs Placebo']
    """
    from cratus.tables.baseline import standardized_differences

    return build_balance_figure(study, standardized_differences(study, arms=arms, columns=columns), threshold,
                                compact)
