"""The figure builders: one panel, a grid of panels, and the export settings of either.

:func:`build_endpoint_figure` and :func:`build_figure_grid` take the study
first (so a page can cache them per study) and return
``plotly.graph_objects.Figure`` objects; every panel is drawn by
:func:`cratus.figures.panel.panel_parts`.  Outside presentation mode no
``layout.width`` is set: the page stretches the figure, and every placement
holds from :data:`cratus.figures.theme.MIN_WIDTH` up.
"""

from __future__ import annotations

import functools
import math
import re

import plotly.graph_objects as go

from cratus.figures import theme
from cratus.figures.geometry import line_width, text_width, wrap_px
from cratus.figures.panel import panel_parts
from cratus.figures.change import IMPLIED, describe_correlation
from cratus.figures.panel_data import Measure, check_choices, clean, endpoint_info, panel_records
from cratus.figures.sentences import grid_note, n_phrase, outcome_definition
from cratus.words import hover_safe, slug
from cratus.figures.theme import MUTED_COLOR, Look  # colours


#: Width of a saved image of a figure that stretches with the page, in CSS pixels.
EXPORT_WIDTH = 1200


def _legend_title(metric, correlation, interval, kinds) -> str:
    if metric == "change" and correlation is not None and "mean_sd" in kinds:
        what = "95% CI" if interval == "ci" else "± SD of change (shaded; not a CI)"
        if correlation == IMPLIED:
            return f"{what}: {describe_correlation(correlation)} (paired t)"
        return f"{what} assumes pre–post correlation {describe_correlation(correlation)}"
    return ""


def _export_name(study, endpoint: str = "", figure: str = "") -> str:
    prefix = slug(study.title) or "study"
    name = f"{prefix}_figure{figure}" if figure else prefix
    return f"{name}_{slug(endpoint)}" if endpoint else name


def _meta(study, extra: dict) -> dict:
    arms = ", ".join(study.design.label(a) for a in study.design.arm_ids)
    return {"study": study.title, "citation": study.citation, "arms": arms, **extra}


def _citation_note(study, style: dict, width: float, left: float) -> tuple[dict, float]:
    """The study's citation, small, under the plot, so a saved image says where it comes from.

    It starts at the figure's left edge, under the title (10 px in), not at the plot's (*left*, the left
    margin, further in), and is wrapped to the figure's *width*: on a phone the plot's width would cut it.
    Returns the annotation and the pixels it needs below the x-axis labels.
    """
    size = style["small"]
    text = wrap_px(hover_safe(study.citation), width - 20, size, chars=200)
    lines = text.count("<br>") + 1
    note = {"name": "citation|||", "text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0,
            "xshift": 10 - left, "y": 0, "xanchor": "left", "yanchor": "top", "yshift": -style["tick"] * 1.4 - 14,
            "font": {"size": size, "color": MUTED_COLOR}, "align": "left"}
    return note, lines * size * 1.3 + 8


def build_endpoint_figure(study, endpoint: str, arms, visits, measure: Measure = Measure(),
                          look: Look = Look()) -> go.Figure:
    """One panel: the arms' summaries over the chosen visits.

    Parameters
    ----------
    study, endpoint, arms, visits
        As in :func:`cratus.figures.endpoint_panel_data`.  The study's
        discrepancies concerning the endpoint add "⚠" marks explained in
        their hover text.
    measure : Measure
        What the panel draws: the value or the change from baseline (with the change's correlation and
        interval), as :func:`cratus.figures.endpoint_panel_data`'s ``metric``, ``correlation``, ``interval``.
    look : Look
        Where it is shown: ``presentation`` (fonts ≥ 20 px, 1600 × 900; otherwise no width is set and the
        layout holds from 700 px up), ``phone`` (a 390 px wide phone, text ≥ 11 px, holds from 360 px),
        ``for_export`` (the study's citation under the plot, so a saved image stands on its own).

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per arm (``meta["role"] == "arm"``); annotations named
        ``ROLE|endpoint|arm|visit`` (:func:`cratus.figures.find_annotations`).
        ``layout.meta`` holds the endpoint, figure id, metric, export
        ``filename``, the outcome definition, the study, its arms and citation.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> fig = build_endpoint_figure(load_study(), "cd69", ["200M", "placebo"], ["baseline", "month6"])
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('Allo-hMSC 200M', [27.0, 16.4]), ('Placebo', [None, None])]
    >>> fig.layout.yaxis.title.text
    'CD69+ T cells (early activation), % (mean ± SD)'

    Arms, visits and the endpoint can be named as a reader sees them:

    >>> same = build_endpoint_figure(load_study(), "CD69+ T cells (early activation)", ["Allo-hMSC 200M", "Placebo"],
    ...                              ["Baseline", "6 months"])
    >>> [(t.name, list(t.y)) for t in same.data]
    [('Allo-hMSC 200M', [27.0, 16.4]), ('Placebo', [None, None])]
    """
    endpoint = study.endpoint_id(endpoint)   # an id, or the label a reader sees
    metric, correlation, interval = measure.metric, measure.correlation, measure.interval
    presentation, phone, for_export = look.presentation, look.phone, look.for_export
    arms, visits = check_choices(study.design, arms, visits, metric, correlation, interval)
    rows, info = panel_records(study, endpoint, arms, visits, metric, correlation, interval)
    style = look.style()
    width, height = style["min_width"], style["height"]     # placements hold from this width up
    margin = {"l": style["margin_l"], "r": 30 if not phone else 12, "b": style["margin_b"]}
    definition = outcome_definition(study, endpoint, metric, visits, correlation, interval)
    subtitle = wrap_px(definition, width - 20, style["subtitle"], clauses=True)
    title = theme.title_text(f"Figure {info['figure']}. {info['label']}" if info["figure"] else info["label"],
                             style, width)
    legend_title = _legend_title(metric, correlation, interval, {info["summary"]})
    shown_arms = list(dict.fromkeys(r["arm"] for r in rows))
    lines = theme.legend_lines([study.design.label(a) for a in shown_arms], style, width - margin["l"],
                               bool(legend_title))
    margin["t"] = theme.top_margin(style, subtitle.count("<br>") + 1, lines, title.count("<br>") + 1)
    citation = _citation_note(study, style, width, margin["l"]) if for_export else None
    if citation:
        margin["b"] += round(citation[1])
    plot_w, plot_h = width - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    traces, annotations, shapes, x_axis, y_axis = panel_parts(study, rows, info, style, "", plot_w, plot_h, set(),
                                                              compact=False)
    if citation:
        annotations.append(citation[0])
    layout = {
        **theme.base_layout(style, height), "title": theme.title(title, subtitle, style, height),
        "legend": theme.legend(style, legend_title, plot_h), "margin": margin,
        "xaxis": x_axis, "yaxis": y_axis, "annotations": annotations, "shapes": shapes,
        "meta": _meta(study, {"endpoint": endpoint, "figure": info["figure"], "metric": metric,
                              "filename": _export_name(study, endpoint, info["figure"]), "definition": definition}),
    }
    if presentation:
        layout["width"] = style["width"]
    return theme.figure(traces, layout)


# Kept, keyed by value (the grid's shape): one make_subplots call takes ~36 ms, half of a warm grid build.
@functools.lru_cache(maxsize=16)
def grid_domains(rows: int, cols: int, h_space: float, v_space: float) -> tuple:
    """Axis domains of a subplot grid, from a single (cached) make_subplots call."""
    from plotly.subplots import make_subplots   # imported late: slow, and only grids need it

    layout = make_subplots(rows=rows, cols=cols, horizontal_spacing=h_space, vertical_spacing=v_space).layout
    domains = []
    for index in range(1, rows * cols + 1):
        suffix = "" if index == 1 else str(index)
        domains.append((tuple(layout[f"xaxis{suffix}"].domain), tuple(layout[f"yaxis{suffix}"].domain)))
    return tuple(domains)


def _grid_size(style, presentation, n_panels, cols):
    """(figure width or None, height or None, width the placements must hold at)."""
    if presentation:
        # 16:9 at full HD: with ≥ 20 px text, six panels need the room.
        fig_width, height = (style["width"], style["height"]) if n_panels <= 2 else (1920, 1080)
        return fig_width, height, min(fig_width, max(style["min_width"], 560 * cols))
    return None, None, style["min_width"]


def _panel_titles(study, panels, style, cols, panel_w, axis_px, margin_r) -> list[tuple[str, str]]:
    titles, size = [], style["panel_title"]
    for index, (rows, info) in enumerate(panels):
        room = panel_w + (axis_px - 8 if index % cols < cols - 1 else margin_r - 2)
        head = f"{info['figure']}  " if info["figure"] else ""
        n = n_phrase(study, info, [r["arm"] for r in rows])
        label = f"{info['label']} ({n})" if n else info["label"]
        if text_width(f"<b>{head}</b>{label}", size) > room:
            label = wrap_px(label, room - line_width(f"<b>{head}</b>", size), size)
        titles.append((head, label))
    return titles


def _grid_title(panels, title):
    if title is not None:
        return title
    figures = [info["figure"] for _, info in panels]
    numbers = {re.match(r"\d+", f).group(0) for f in figures if f and re.match(r"\d+", f)}
    return f"Figure {numbers.pop()}" if len(numbers) == 1 and all(figures) else "Figures"


def _grid_panels(study, panels, layout, style, domains, inner_w, inner_h, title_px, titles, cols, choice):
    """Draw each panel of a grid into its cell; set its axes in *layout*; return traces, annotations, shapes."""
    metric, visits, correlation, interval = choice
    data, annotations, shapes, seen = [], [], [], set()
    for index, ((rows, info), (x_domain, y_domain)) in enumerate(zip(panels, domains)):
        suffix = "" if index == 0 else str(index + 1)
        y_top = y_domain[1] - title_px[index // cols] / inner_h     # room above each panel for its title
        traces, notes, boxes, x_axis, y_axis = panel_parts(
            study, rows, info, style, suffix, inner_w * (x_domain[1] - x_domain[0]),
            inner_h * (y_top - y_domain[0]), seen, compact=True)
        data += traces
        annotations += notes
        shapes += boxes
        x_axis.update(domain=list(x_domain), anchor=f"y{suffix}")
        y_axis.update(domain=[y_domain[0], y_top], anchor=f"x{suffix}")
        layout[f"xaxis{suffix}"], layout[f"yaxis{suffix}"] = x_axis, y_axis
        head, label = titles[index]
        definition = outcome_definition(study, info["endpoint"], metric, visits, correlation, interval)
        annotations.append({
            "name": f"panel_title|{info['endpoint']}||", "text": f"<b>{head}</b>{label}" if head else f"<b>{label}</b>",
            "hovertext": hover_safe(definition), "showarrow": False, "xref": "paper", "yref": "paper",
            "x": x_domain[0], "y": y_domain[1], "xanchor": "left", "yanchor": "top", "align": "left",
            "font": {"size": style["panel_title"], "color": theme.TITLE_COLOR},
        })
    return data, annotations, shapes


def build_figure_grid(study, endpoints, arms, visits, measure: Measure = Measure(), look: Look = Look(),
                      cols: int | None = None, title: str | None = None) -> go.Figure:
    """Several panels in one figure, as in a paper's multi-panel figure (2A–2D …).

    Each panel is drawn as in :func:`build_endpoint_figure`; the legend lists
    each arm once.  The title is the figure number with a one-line note (what
    the points are, what the p-values compare); each panel's outcome
    definition is its title's hover text.  *cols* panels per row (2 by
    default, 3 for more than four panels in presentation mode, 1 on a
    phone).  *measure* and *look* as in :func:`build_endpoint_figure`.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> fig = build_figure_grid(load_study(), ["cd69", "cd8"], ["200M"], ["baseline"])
    >>> [(t.meta["endpoint"], t.showlegend, t.xaxis) for t in fig.data]
    [('cd69', True, 'x'), ('cd8', False, 'x2')]
    >>> fig.layout.title.text, fig.layout.width, fig.layout.yaxis.title.text
    ('<b>Figure 3</b>', None, '%, mean ± SD')
    """
    endpoints = [study.endpoint_id(e) for e in endpoints]   # ids, or the labels a reader sees
    metric, correlation, interval = measure.metric, measure.correlation, measure.interval
    presentation, phone, for_export = look.presentation, look.phone, look.for_export
    if not endpoints:
        raise ValueError("endpoints is empty: select at least one endpoint")
    arms, visits = check_choices(study.design, arms, visits, metric, correlation, interval)
    style = look.style()
    if cols is None:
        cols = 1 if phone else 3 if presentation and len(endpoints) > 4 else 2
    cols = max(1, min(int(cols), len(endpoints)))
    n_rows = math.ceil(len(endpoints) / cols)
    panels = [panel_records(study, e, arms, visits, metric, correlation, interval) for e in endpoints]
    fig_width, height, width = _grid_size(style, presentation, len(endpoints), cols)
    title = _grid_title(panels, title)
    shown_title = theme.title_text(title, style, width)
    subtitle = wrap_px(grid_note(study, panels, metric, visits, correlation, interval), width - 20,
                       style["subtitle"], clauses=True)
    kinds = {info["summary"] for _, info in panels}
    legend_title = _legend_title(metric, correlation, interval, kinds)
    axis_px = line_width("12,500", style["tick"]) + style["font"] * 1.3 + 22   # widest ticks, axis title
    margin = {"l": round(axis_px + 10), "r": 30 if not phone else 12, "b": round(style["tick"] * 1.4 + 22)}
    citation = _citation_note(study, style, width, margin["l"]) if for_export else None
    if citation:
        margin["b"] += round(citation[1])
    labels = [study.design.label(a) for a in study.design.order(arms)]
    margin["t"] = theme.top_margin(style, subtitle.count("<br>") + 1,
                                   theme.legend_lines(labels, style, width - margin["l"], bool(legend_title)),
                                   shown_title.count("<br>") + 1)
    inner_w = width - margin["l"] - margin["r"]
    # The gap between columns holds the next panel's tick labels and axis title.
    h_space = round(min(0.3, (axis_px + 4) / (inner_w + 60)), 3) if cols > 1 else 0.0
    panel_w = inner_w * (1 - h_space * (cols - 1)) / cols
    titles = _panel_titles(study, panels, style, cols, panel_w, axis_px, margin["r"])
    title_px = [max(lab.count("<br>") + 1 for _, lab in titles[r * cols:(r + 1) * cols]) * style["panel_title"]
                * 1.3 + 8 for r in range(n_rows)]
    # Visit labels that do not fit side by side are turned upright by plotly: the gap under a row of panels then
    # holds the longest label (14 ADaM visits such as "POST-BASELINE MAXIMUM" ran into the next row's titles).
    tick_labels = [study.design.visit_label(v) for v in visits]
    longest = max((line_width(t, style["tick"]) for t in tick_labels), default=0.0)
    upright = bool(tick_labels) and longest + 6 > panel_w / len(tick_labels)
    tick_px = longest + 8 if upright else style["tick"] * 1.4
    if height is None:
        height = round(margin["t"] + margin["b"] + n_rows * (400 if n_rows > 1 else 430)
                       + (n_rows - 1) * max(0.0, tick_px - style["tick"] * 1.4))
    inner_h = height - margin["t"] - margin["b"]
    v_space = round(min(0.45, (tick_px + 26) / inner_h), 3) if n_rows > 1 else 0.0
    layout = {
        **theme.base_layout(style, height), "title": theme.title(shown_title, subtitle, style, height),
        "legend": theme.legend(style, legend_title, inner_h), "margin": margin,
        "meta": _meta(study, {"endpoints": endpoints, "figure": title, "metric": metric,
                              "filename": _export_name(study, figure=re.sub(r"\D", "", title) if title.startswith(
                                  "Figure ") else "")}),
    }
    if fig_width:
        layout["width"] = fig_width
    data, annotations, shapes = _grid_panels(study, panels, layout, style, grid_domains(n_rows, cols, h_space, v_space),
                                             inner_w, inner_h, title_px, titles, cols,
                                             (metric, visits, correlation, interval))
    if citation:
        annotations.append(citation[0])
    layout["annotations"], layout["shapes"] = annotations, shapes
    return theme.figure(data, layout)


def image_export_config(study, endpoint_or_figure, scale: int = 3) -> dict:
    """Plotly ``config`` for a figure: PNG export at print resolution, no logo.

    Parameters
    ----------
    study : cratus.study.model.Study
        Names the file (its short title) and looks up an endpoint's figure id.
    endpoint_or_figure : str or plotly.graph_objects.Figure
        An endpoint id, a figure id such as ``"2A"``, ``"Figure 3"`` or
        ``"4"``, or a figure made here (its ``layout.meta`` names it; a
        figure without a fixed width is saved :data:`EXPORT_WIDTH` px wide).
    scale : int
        Pixel multiplier of the exported PNG (3 ≈ 300 dpi at print size).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> image_export_config(study, "six_minute_walk")["toImageButtonOptions"]
    {'format': 'png', 'filename': 'cratus_figure2A_six_minute_walk', 'scale': 3}
    >>> image_export_config(study, "Figure 3")["toImageButtonOptions"]["filename"]
    'cratus_figure3'
    """
    size = {}
    if isinstance(endpoint_or_figure, go.Figure):
        layout = endpoint_or_figure.layout
        meta = layout.meta
        filename = meta.get("filename") if isinstance(meta, dict) and meta.get("filename") else _export_name(study)
        # A stretched figure is saved at a fixed, wide size, not at the size of the reader's screen.
        size = {"width": layout.width or EXPORT_WIDTH, "height": layout.height} if layout.height else {}
    else:
        name = clean(endpoint_or_figure)
        match = re.fullmatch(r"(?:fig(?:ure)?\.?\s*)?(\d+[A-Za-z]?)", name, re.IGNORECASE)
        if match:
            filename = _export_name(study, figure=match.group(1).upper())
        else:
            filename = _export_name(study, name, endpoint_info(study, name)["figure"])
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": int(scale), **size},
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    }
