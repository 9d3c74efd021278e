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
        font={"size": FONT_SIZE}, height=height, margin={"l": 10, "r": 10, "t": 90, "b": 10},
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

    Parameters
    ----------
    differences : pandas.DataFrame
        As returned by :func:`cratus.tables.standardized_differences`.
    threshold : float
        Reference lines at ±threshold (0.1 is a common balance criterion).

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per compared arm; characteristics on the y axis.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"characteristic": ["Age"], "arm": ["100M"], "reference": ["placebo"],
    ...                   "estimate": [-0.04], "note": [""]})
    >>> build_balance_figure(d).data[0].x.tolist()
    [-0.04]
    """
    usable = differences.dropna(subset=["estimate"])
    order = list(dict.fromkeys(usable["characteristic"]))
    figure = go.Figure()
    for arm in order_arms(usable["arm"].unique()):
        rows = usable[usable["arm"] == arm]
        reference = ARM_LABELS.get(rows["reference"].iloc[0], rows["reference"].iloc[0])
        figure.add_scatter(
            x=rows["estimate"], y=rows["characteristic"], mode="markers",
            name=f"{ARM_LABELS[arm]} vs {reference}",
            marker={"color": ARM_COLORS[arm], "symbol": ARM_SYMBOLS[arm], "size": 12},
            hovertemplate="%{y}: d = %{x:.2f}<extra></extra>",
        )
    for x in (-threshold, threshold):
        figure.add_vline(x=x, line_dash="dot", line_color="#888888")
    figure.add_vline(x=0, line_color="#333333")
    figure.update_yaxes(categoryorder="array", categoryarray=order[::-1], title=None)
    figure.update_xaxes(title="Standardized difference (d)", zeroline=False)
    return _base_layout(figure, "Balance at baseline: standardized differences", 120 + 28 * max(len(order), 1))
