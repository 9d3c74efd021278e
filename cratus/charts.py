"""Charts for the Baseline and Safety pages: the cPRA bars and the balance plot.

Like the endpoint figures, they take tidy frames and return
``plotly.graph_objects.Figure`` objects, with the arm palette of
:mod:`cratus.arms`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cratus.arms import ARM_COLORS, ARM_LABELS, ARM_SYMBOLS, order_arms

FONT_SIZE = 16


def _base_layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        template="plotly_white", title={"text": title, "x": 0, "xanchor": "left"},
        font={"size": FONT_SIZE, "color": "#1A1A1A"}, height=height, margin={"l": 10, "r": 10, "t": 90, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left"},
    )
    return figure


def build_cpra_figure(cpra: pd.DataFrame) -> go.Figure:
    """Grouped bars of Table 3: patients per cPRA category and arm.

    Parameters
    ----------
    cpra : pandas.DataFrame
        As returned by :func:`cratus.tables.cpra_long`.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per arm, x = category, y = number of patients.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> from cratus.tables import cpra_long
    >>> p = load_published()
    >>> fig = build_cpra_figure(cpra_long(p.summary, p.levels))
    >>> [t.name for t in fig.data], fig.data[1].y.tolist()
    (['Allo-hMSC 100M', 'Allo-hMSC 200M', 'Placebo'], [8.0, 0.0, 2.0, 0.0])
    """
    figure = go.Figure()
    patterns = {"100M": "", "200M": "/", "placebo": "."}
    for arm in order_arms(cpra["arm"].unique()):
        rows = cpra[cpra["arm"] == arm]
        figure.add_bar(
            x=rows["label"], y=rows["count"], name=ARM_LABELS[arm], marker_color=ARM_COLORS[arm],
            marker_pattern_shape=patterns.get(arm, ""), text=rows["count"].map("{:g}".format),
            textposition="outside", customdata=rows[["n", "percent"]],
            hovertemplate="%{x}<br>%{y:g} of %{customdata[0]:g} patients (%{customdata[1]:.0f}%)"
                          f"<extra>{ARM_LABELS[arm]}</extra>",
        )
    figure.update_yaxes(title="Patients (number)", rangemode="tozero", dtick=2)
    figure.update_xaxes(title="Increase in cPRA, baseline to 6 months")
    return _base_layout(figure, "Table 3. Calculated panel reactive antibodies (cPRA)", 440).update_layout(
        barmode="group")


def build_balance_figure(differences: pd.DataFrame, threshold: float = 0.1) -> go.Figure:
    """Dot plot of standardized differences at baseline (a "Love plot").

    Each characteristic is a row; the compared arms sit side by side within
    it (offset vertically), so equal values never hide one another.

    Parameters
    ----------
    differences : pandas.DataFrame
        As returned by :func:`cratus.tables.standardized_differences`.
    threshold : float
        Dotted reference lines at ±threshold (0.1 is a common balance criterion), named in the x title.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per compared arm; characteristics on the y axis.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"characteristic": ["Age", "Age"], "arm": ["100M", "200M"],
    ...                   "reference": ["placebo", "placebo"], "estimate": [-0.04, 0.13], "note": ["", ""]})
    >>> fig = build_balance_figure(d)
    >>> fig.data[0].x.tolist(), fig.data[1].x.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ([-0.04], [0.13])
    >>> fig.data[0].y != fig.data[1].y
    True
    """
    usable = differences.dropna(subset=["estimate"])
    order = list(dict.fromkeys(usable["characteristic"]))
    row = {name: len(order) - 1 - i for i, name in enumerate(order)}  # first characteristic on top
    arms = order_arms(usable["arm"].unique())
    step = 0.32  # of a row's height: arms sit clearly apart within their row
    offsets = {arm: step * (len(arms) - 1) / 2 - step * i for i, arm in enumerate(arms)}
    traces = []
    for arm in arms:
        rows = usable[usable["arm"] == arm]
        reference = ARM_LABELS.get(rows["reference"].iloc[0], rows["reference"].iloc[0])
        traces.append(go.Scatter(
            x=rows["estimate"], y=[row[c] + offsets[arm] for c in rows["characteristic"]],
            customdata=rows["characteristic"], mode="markers", name=f"{ARM_LABELS[arm]} vs {reference}",
            marker={"color": ARM_COLORS[arm], "symbol": ARM_SYMBOLS[arm], "size": 11,
                    "line": {"color": "white", "width": 1}},
            hovertemplate="%{customdata}: d = %{x:.2f}<extra>" + ARM_LABELS[arm] + "</extra>"))
    lines = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
              "line": {"color": color, "dash": dash, "width": 1.5}}
             for x, color, dash in ((-threshold, "#777777", "dot"), (threshold, "#777777", "dot"),
                                    (0, "#333333", "solid"))]
    figure = go.Figure(data=traces, layout={
        "shapes": lines,
        "yaxis": {"tickvals": list(row.values()), "ticktext": list(row.keys()), "title": None,
                  "range": [-0.6, len(order) - 0.4], "tickfont": {"size": 15, "color": "#1A1A1A"},
                  "showgrid": True, "gridcolor": "#EEEEEE"},
        "xaxis": {"title": {"text": f"Standardized difference (d); dotted lines at ±{threshold:g}"},
                  "zeroline": False, "tickfont": {"size": 14, "color": "#1A1A1A"}},
    })
    return _base_layout(figure, "Balance at baseline: standardized differences", 140 + 30 * max(len(order), 1))


def build_balance_figure_from_summary(summary: pd.DataFrame, endpoints: pd.DataFrame, levels: pd.DataFrame,
                                      arms=("100M", "200M", "placebo"), threshold: float = 0.1) -> go.Figure:
    """:func:`build_balance_figure` of :func:`cratus.tables.standardized_differences` for *arms* vs placebo.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> [t.name for t in build_balance_figure_from_summary(p.summary, p.endpoints, p.levels, ("100M", "placebo")).data]
    ['Allo-hMSC 100M vs Placebo']
    """
    from cratus.tables import standardized_differences

    return build_balance_figure(standardized_differences(summary, endpoints, levels, arms=list(arms)), threshold)


def build_cpra_figure_from_summary(summary: pd.DataFrame, levels: pd.DataFrame,
                                   arms=("100M", "200M", "placebo")) -> go.Figure:
    """:func:`build_cpra_figure` of Table 3 for *arms*.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> len(build_cpra_figure_from_summary(p.summary, p.levels, ("200M",)).data)
    1
    """
    from cratus.tables import cpra_long

    return build_cpra_figure(cpra_long(summary, levels, arms=list(arms)))
