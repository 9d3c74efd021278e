"""Figures of one participant: every endpoint against their arm's median, and their adverse events on a timeline.

The numbers come from :mod:`cratus.patient.profile`.  Both figures stretch to the page (no ``layout.width``)
and hold from 700 px (360 px with ``phone=True``): panels are stacked one per row on a phone.

* :func:`build_participant_endpoints` — small multiples, one panel per endpoint (unit in its title): the
  participant's values as a bold line in their arm's colour, their arm's median as a dashed grey line, the
  reference range shaded when the data give one.
* :func:`build_event_timeline` — one horizontal bar per adverse event from its start to its end study day,
  coloured and patterned by severity; serious events have a thick black outline and "⚠ serious" in their
  label, related ones "related"; an event with no end day is drawn to the last recorded day, "ongoing ▶".
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from cratus.figures.builders import grid_domains
from cratus.figures.geometry import line_width, wrap_px
from cratus.figures.theme import (TEXT_COLOR, base_layout, figure, legend, legend_lines, style as mode_style,
                                  title as title_block, title_text, top_margin)
from cratus.patient.profile import (last_study_day, number_text, study_days, subject_arm, subject_endpoints,
                                    subject_events)
from cratus.figures.theme import (DEFAULT_PATTERN_INK, EVENT_LINE, LABEL_BACKGROUND, MEDIAN_COLOR, PATTERN_INK,
                                  RANGE_FILL, RANGE_MARKER, SERIOUS_COLOR, SEVERITY_STYLE, UNKNOWN_SEVERITY)  # colours


SERIOUS_LINE = {"color": SERIOUS_COLOR, "width": 3}


def _panel_title(row, size: float, width: float) -> str:
    unit = f" ({row['unit']})" if row["unit"] else ""
    return wrap_px(f"{row['label']}{unit}", width, size)


def _heading(text: str, st: dict, labels: list[str], titled: bool, phone: bool) -> tuple[str, int]:
    """The title wrapped to the narrowest width, and the room above the plot for it, a one-line subtitle and
    a legend of *labels*."""
    wrapped = title_text(text, st, st["min_width"])
    # On a phone plotly puts each legend entry on its own line.
    lines = 1.4 * (len(labels) + titled) if phone else legend_lines(labels, st, st["min_width"] - 60, titled)
    return wrapped, top_margin(st, 1, lines, wrapped.count("<br>") + 1)


def _endpoint_panel(rows, index: int, color: str, usubjid: str, first: bool) -> tuple[list, list, list]:
    """Traces, shapes and notes of one endpoint's panel (axis *index*, 0-based)."""
    suffix = "" if index == 0 else str(index + 1)
    x_ref, y_ref = f"x{suffix}", f"y{suffix}"
    unit = f" {rows['unit'].iloc[0]}" if rows["unit"].iloc[0] else ""
    median_text = [number_text(v) + unit for v in rows["arm_median"]]
    own_text = [number_text(v) + unit for v in rows["value"]]
    values = [None if np.isnan(v) else float(v) for v in rows["value"]]
    traces = [
        dict(type="scatter", x=list(rows["visit_label"]), y=list(rows["arm_median"]), mode="lines+markers", xaxis=x_ref,
                   yaxis=y_ref, name="Median of their arm", legendgroup="median", showlegend=first,
                   line={"color": MEDIAN_COLOR, "width": 2, "dash": "dash"}, marker={"size": 6, "color": MEDIAN_COLOR},
                   customdata=[[t, int(n)] for t, n in zip(median_text, rows["arm_n"])],
                   hovertemplate="Median of the arm at %{x}: %{customdata[0]} (%{customdata[1]} patients)"
                                 "<extra></extra>",
                   meta={"role": "arm_median", "endpoint": rows["endpoint"].iloc[0]}),
        dict(type="scatter", x=list(rows["visit_label"]), y=values, mode="lines+markers", xaxis=x_ref, yaxis=y_ref,
                   name=f"This participant ({usubjid})", legendgroup="participant", showlegend=first,
                   line={"color": color, "width": 4}, marker={"size": 10, "color": color}, customdata=own_text,
                   hovertemplate=f"{usubjid} at %{{x}}: %{{customdata}}<extra></extra>",
                   meta={"role": "participant", "endpoint": rows["endpoint"].iloc[0]}),
    ]
    shapes, notes = [], []
    low, high = rows["anrlo"].dropna(), rows["anrhi"].dropna()
    if len(low) or len(high):
        shapes.append({"type": "rect", "xref": f"{x_ref} domain", "yref": y_ref, "x0": 0, "x1": 1,
                       "y0": float(low.iloc[0]) if len(low) else float(rows["arm_median"].min()),
                       "y1": float(high.iloc[0]) if len(high) else float(rows["arm_median"].max()),
                       "fillcolor": RANGE_FILL, "line": {"width": 0}, "layer": "below",
                       "name": f"reference_range|{rows['endpoint'].iloc[0]}"})
    if all(v is None for v in values):
        notes.append({"text": "no value of this participant", "xref": f"{x_ref} domain", "yref": f"{y_ref} domain",
                      "x": 0.5, "y": 0.5, "showarrow": False, "font": {"color": TEXT_COLOR},
                      "bgcolor": LABEL_BACKGROUND})
    return traces, shapes, notes


def build_participant_endpoints(study, usubjid, phone: bool = False) -> go.Figure:
    """Every endpoint of one participant over the visits, against their arm's median (small multiples).

    One panel per endpoint (title: label and unit); traces have ``meta.role`` ``"participant"`` (bold, the
    arm's colour) or ``"arm_median"`` (dashed grey); a reference range is a shape named
    ``reference_range|endpoint``.

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    rows = subject_endpoints(study, usubjid)
    arm = subject_arm(study, usubjid)
    st = mode_style(phone=phone)
    endpoints = list(dict.fromkeys(rows["endpoint"]))
    cols = 1 if phone else min(3, max(len(endpoints), 1))
    n_rows = max(math.ceil(len(endpoints) / cols), 1)
    size = st["annotation"]
    panel_w = (st["min_width"] - 80) / cols - 50
    panels = dict(tuple(rows.groupby("endpoint", sort=False)))
    titles = [_panel_title(panels[e].iloc[0], size, panel_w) for e in endpoints]
    title_h = max((t.count("<br>") + 1 for t in titles), default=1) * size * 1.3 + 8
    panel_h, tick_h = (150 if phone else 170), st["tick"] * 2 + 8
    plot_h = n_rows * (panel_h + title_h + tick_h)
    labels = ["Median of their arm", f"This participant ({usubjid})", "Reference range"]
    words = f"{usubjid} against their arm's median" if phone else (
        f"{usubjid}: every endpoint against the median of their arm")
    heading, top = _heading(words, st, labels, False, phone)
    top, bottom = int(top + title_h), 20
    height = int(top + plot_h + bottom)
    v_space = (title_h + tick_h) / plot_h if n_rows > 1 else 0.0
    domains = grid_domains(n_rows, cols, round(0.32 / cols if cols > 1 else 0.0, 3), round(v_space, 4))
    color = study.design.color(arm)
    layout = {**base_layout(st, height), "margin": {"l": 10, "r": 10, "t": top, "b": bottom},
              "title": title_block(heading, f"{study.design.label(arm)}; one patient's values, not evidence about the "
                                   "treatment" if not phone else study.design.label(arm), st, height),
              "legend": {**legend(st, "", plot_h), "y": round(1 + (title_h + 6) / plot_h, 4)},
              "shapes": [], "annotations": [],
              "meta": {"filename": f"participant_{usubjid}"}}
    data = []
    for index, (endpoint, text) in enumerate(zip(endpoints, titles)):
        (x0, x1), (y0, y1) = domains[index]
        suffix = "" if index == 0 else str(index + 1)
        layout[f"xaxis{suffix}"] = {"domain": [x0, x1], "anchor": f"y{suffix}", "type": "category",
                                    "tickfont": {"size": st["tick"]}, "automargin": True,
                                    "categoryorder": "array",
                                    "categoryarray": [study.design.visit_label(v) for v in study.design.visit_ids]}
        layout[f"yaxis{suffix}"] = {"domain": [y0, y1], "anchor": f"x{suffix}", "tickfont": {"size": st["tick"]},
                                    "automargin": True, "nticks": 5, "separatethousands": True}
        layout["annotations"].append({"text": f"<b>{text}</b>", "xref": f"x{suffix} domain", "yref":
                                      f"y{suffix} domain", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
                                      "yshift": 4, "showarrow": False, "align": "left", "font": {"size": size},
                                      "name": f"panel_title|{endpoint}"})
        traces, shapes, notes = _endpoint_panel(panels[endpoint], index, color,
                                                str(usubjid), index == 0)
        data += traces
        layout["shapes"] += shapes
        layout["annotations"] += notes
    if layout["shapes"]:
        data.append(dict(type="scatter", x=[None], y=[None], mode="markers", name="Reference range",
                               marker={"symbol": "square", "size": 14, "color": RANGE_MARKER},
                               hoverinfo="skip"))
    return figure(data, layout)


def _event_label(event, size: float, width: float) -> str:
    """The y label of an event: its term, then "⚠ serious", "related", "ongoing" on a smaller second line."""
    flags = (["<b>⚠ serious</b>"] if event["serious"] is True else []) + (
        ["related"] if event["related"] is True else [])
    term = wrap_px(event["term"], width, size)
    return term + (f"<br><span style='font-size:{size - 1}px'>{' · '.join(flags)}</span>" if flags else "")


def _event_hover(event, last_day: float) -> str:
    def yes_no(value) -> str:
        return "not recorded" if value is None or (isinstance(value, float) and np.isnan(value)) else (
            "yes" if value else "no")

    days = study_days(event["start_day"], event["end_day"], event["ongoing"])
    ongoing = f" (drawn to the last recorded study day, {last_day:g})" if event["ongoing"] else ""
    severity = event["severity"] if isinstance(event["severity"], str) else "not recorded"
    return (f"<b>{event['term']}</b><br>{event['soc']}<br>Study days: {days}{ongoing}<br>Severity: {severity}"
            f"<br>Serious: {yes_no(event['serious'])}<br>Related to treatment: {yes_no(event['related'])}"
            f"<br>Treatment-emergent: {yes_no(event['treatment_emergent'])}")


def build_event_timeline(study, usubjid, phone: bool = False) -> go.Figure:
    """One participant's adverse events as horizontal bars from the start to the end study day.

    One bar trace per severity (``meta.role`` ``"events"``, ``meta.severity``); y positions are the events
    in order of start (first on top), the tick labels their terms with "⚠ serious" / "related"; an event
    with no end day ends at the last recorded study day with an "ongoing ▶" note.  A participant without
    adverse events gets a figure that says so.

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    events = subject_events(study, usubjid)
    st = mode_style(phone=phone)
    last_day = last_study_day(study)
    heading, top = _heading(f"Adverse events of {usubjid}", st, [s.capitalize() for s in SEVERITY_STYLE], True, phone)
    height = int(top + 60 + max(len(events), 1) * (58 if phone else 52))
    layout = {**base_layout(st, height), "margin": {"l": 10, "r": 10, "t": top, "b": 60},
              "title": title_block(heading, "From the study day of start to the end; "
                                   "⚠ serious", st, height),
              "legend": legend(st, "Severity", height - top - 60), "barmode": "overlay", "annotations": [],
              "meta": {"filename": f"participant_{usubjid}_adverse_events"},
              "xaxis": {"title": {"text": "Study day"}, "zeroline": False, "tickfont": {"size": st["tick"]}},
              "yaxis": {"autorange": "reversed", "automargin": True, "tickfont": {"size": st["tick"]},
                        "tickmode": "array", "tickvals": list(range(len(events))), "showgrid": False}}
    if events.empty:
        layout["annotations"].append({"text": "No adverse event recorded for this participant", "showarrow": False,
                                      "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5})
        layout["yaxis"].update(tickvals=[], visible=False)
        return figure([], layout)
    starts = events["start_day"].fillna(events["end_day"])
    ends = events["end_day"].where(~events["ongoing"], max(last_day, float(starts.max())))
    ends = ends.fillna(starts)
    label_w = 140 if phone else 260
    layout["yaxis"]["ticktext"] = [_event_label(e, st["tick"], label_w) for e in events.to_dict("records")]
    data = []
    severities = events["severity"].where(events["severity"].isin(list(SEVERITY_STYLE)), "not recorded")
    for severity in [*SEVERITY_STYLE, "not recorded"]:
        mine = np.flatnonzero((severities == severity).to_numpy())
        if not len(mine):
            continue
        fill, shape = SEVERITY_STYLE.get(severity, UNKNOWN_SEVERITY)
        serious = [events["serious"].iloc[i] is True for i in mine]
        data.append(dict(
            type="bar", orientation="h", y=[int(i) for i in mine], base=[float(starts.iloc[i]) for i in mine],
            x=[max(float(ends.iloc[i] - starts.iloc[i]), 1.0) for i in mine], width=0.6,
            name=severity.capitalize(), legendgroup=severity,
            marker={"color": fill, "pattern": {"shape": shape, "size": 8, "fillmode": "overlay",
                                               "fgcolor": PATTERN_INK.get(severity, DEFAULT_PATTERN_INK)},
                    "line": {"color": [SERIOUS_COLOR if s else EVENT_LINE for s in serious],
                             "width": [SERIOUS_LINE["width"] if s else 1 for s in serious]}},
            hovertext=[_event_hover(events.iloc[i], last_day) for i in mine], hoverinfo="text",
            meta={"role": "events", "severity": severity}))
    for i in np.flatnonzero(events["ongoing"].to_numpy()):
        layout["annotations"].append({"text": "ongoing ▶", "x": float(ends.iloc[i]), "y": int(i), "xref": "x",
                                      "yref": "y", "xanchor": "left", "xshift": 4, "showarrow": False,
                                      "font": {"size": st["annotation"]}, "name": f"ongoing|{i}"})
    span = max(float(ends.max()) - min(float(starts.min()), 0.0), 1.0)
    room = line_width("ongoing ▶", st["annotation"]) / (st["min_width"] - label_w - 40) if events["ongoing"].any() \
        else 0.0
    layout["xaxis"]["range"] = [min(float(starts.min()), 0.0) - 0.03 * span,
                                float(ends.max()) + span * (0.03 + room * 1.3)]
    return figure(data, layout)
