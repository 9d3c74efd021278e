"""One panel's traces, annotations, shapes and axes, for a single figure or a cell of a grid.

:func:`panel_parts` is what both builders call.  Every placement is decided
at the narrowest plot width the panel may get (see
:data:`cratus.figures.theme.MIN_WIDTH`), where the arms' columns are closest.
The arms are dodged (:mod:`cratus.figures.lanes`); cells that are not
reported get a box in a light band at the bottom (:mod:`cratus.figures.band`);
p-values of reported cells sit above their arm's upper whisker, clear of
other marks and lines; the y-axis carries ticks only over the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cratus.figures import band, lanes, marks
from cratus.figures.geometry import Note, inside, nice_ticks, place, text_width
from cratus.figures.panel_data import clean, isnan, value_decimals
from cratus.figures.theme import BAND_COLOR, TEXT_COLOR
from cratus.words import hover_safe, lower_label, wrap
from cratus.formatting import NOT_REPORTED, format_number
from cratus.figures.theme import AXIS_LINE_COLOR, GRID_COLOR, SEPARATOR_COLOR  # colours

_ROLES = ("not_reported", "p_within", "p_vs_control", "p_between", "discrepancy", "mcid")


@dataclass
class Panel:
    """What the parts of one panel share: its rows, arms, visits, x positions and pixel size."""

    study: object
    rows: list
    info: dict
    style: dict
    axis: str
    plot_w: float
    plot_h: float
    design: object = None
    endpoint: str = ""
    metric: str = ""
    arms: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    xpos: dict = field(default_factory=dict)
    x_range: tuple = (0.0, 1.0)
    p_visit: str | None = None
    cell_flags: dict = field(default_factory=dict)
    panel_wide: list = field(default_factory=list)
    ids: frozenset = frozenset()
    step: float | None = None
    lane_order: tuple | None = None

    def __post_init__(self):
        study, rows = self.study, self.rows
        self.design = study.design
        self.endpoint, self.metric = self.info["endpoint"], rows[0]["metric"]
        self.arms = list(dict.fromkeys(r["arm"] for r in rows))
        self.visits = list(dict.fromkeys(r["visit"] for r in rows))
        self.cells = {(r["arm"], r["visit"]): r for r in rows}
        self.x_range = (-0.5, len(self.visits) - 0.5)
        values = {k: (r["center"] if r["reported"] else None) for k, r in self.cells.items()}
        if self.step is None:
            ends = [e for r in rows if r["reported"] for e in (r["low"], r["high"], r["center"]) if not isnan(e)]
            self.step = lanes.choose_step(self.arms, self.visits, values, self.plot_w, self.plot_h,
                                          self.radius, (min(ends), max(ends)) if ends else None)
        shift = lanes.offsets(list(self.lane_order or self.arms), self.step)
        self.xpos = {(a, v): j + shift[a] for j, v in enumerate(self.visits) for a in self.arms}
        follow = self.design.follow_up
        self.p_visit = self.visits[-1] if self.metric == "change" else (follow if follow in self.visits else None)
        rows = marks.discrepancy_rows(study)
        self.ids = frozenset(clean(r.get("id")) for r in rows)
        found = marks.discrepancy_lookup(rows, self.endpoint, self.info)
        self.cell_flags, self.panel_wide = marks.flags_by_cell(found, self.arms, self.visits, self.metric,
                                                               self.design.baseline, self.p_visit)

    @property
    def radius(self) -> float:
        """How close a line may come to another arm's marker centre, in pixels."""
        return self.style["marker"] / 2 + self.style["line"] / 2 + 1

    @property
    def xref(self) -> str:
        return f"x{self.axis}"

    @property
    def yref(self) -> str:
        return f"y{self.axis}"

    @property
    def stat_label(self) -> str:
        return self.rows[0]["statistic"]

    def px_x(self, x: float) -> float:
        return (x - self.x_range[0]) / (self.x_range[1] - self.x_range[0]) * self.plot_w

    def points(self) -> dict:
        """``{arm: [(x, y) or None per visit]}`` of the plotted centres."""
        return {a: [(self.xpos[(a, v)], self.cells[(a, v)]["center"]) if self.cells[(a, v)]["reported"] else None
                    for v in self.visits] for a in self.arms}

    def interval_band(self) -> bool:
        """Whether the change interval is ± SD of change (a shaded band, not error bars)."""
        return self.metric == "change" and self.rows[0]["interval"] == "sd"


def _hover_row(panel: Panel, r: dict) -> list:
    # the point's hover explains the discrepancies about its values; a p-value's are on its tag (marks.p_tags)
    flags = [f for f in panel.cell_flags.get((r["arm"], r["visit"]), []) if clean(f.get("statistic")) != "p_value"]
    note = marks.discrepancy_text(panel.design, flags, panel.ids)
    return [r["visit"], r["visit_label"], r["display"] if panel.metric == "change" else r["center_text"],
            r["spread"], f"n = {format_number(r['n'])}" if not isnan(r["n"]) else "n not reported",
            hover_safe(r["source"] or NOT_REPORTED),
            wrap(hover_safe(f"“{r['quote']}”"), 70) if r["quote"] else "", f"<br>{note}" if note else ""]


def arm_traces(panel: Panel, legend_seen: set) -> list[dict]:
    """One scatter trace per arm: centres, whiskers (or none), hover with the printed numbers and source."""
    design, style, traces = panel.design, panel.style, []
    bars = not panel.interval_band()
    for arm in panel.arms:
        rows = [panel.cells[(arm, v)] for v in panel.visits]
        has_bar = [bars and r["reported"] and not isnan(r["low"]) for r in rows]
        color = design.color(arm)
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": design.label(arm), "legendgroup": arm,
            "showlegend": arm not in legend_seen, "xaxis": panel.xref, "yaxis": panel.yref,
            "x": [panel.xpos[(arm, v)] for v in panel.visits],
            "y": [r["center"] if r["reported"] else None for r in rows], "connectgaps": False,
            "marker": {"color": color, "symbol": design.symbol(arm), "size": style["marker"],
                       "line": {"color": "white", "width": 1}},
            "line": {"color": color, "dash": design.dash(arm), "width": style["line"]},
            "error_y": {"type": "data", "array": [r["plus"] if b else None for r, b in zip(rows, has_bar)],
                        "arrayminus": [r["minus"] if b else None for r, b in zip(rows, has_bar)],
                        "symmetric": panel.info["summary"] == "mean_sd", "visible": True, "color": color,
                        "thickness": style["error"], "width": style["cap"]},
            "customdata": [_hover_row(panel, r) for r in rows],
            "hovertemplate": (f"<b>{design.label(arm)}</b> · %{{customdata[1]}}<br>"
                              f"{panel.stat_label}: %{{customdata[2]}}<br>%{{customdata[3]}}<br>%{{customdata[4]}}"
                              "<br>Source: %{customdata[5]}<br>%{customdata[6]}%{customdata[7]}<extra></extra>"),
            "meta": {"role": "arm", "endpoint": panel.endpoint, "arm": arm, "visits": panel.visits,
                     "metric": panel.metric},
        })
        legend_seen.add(arm)
    return traces


def _y_extent(panel: Panel, mcid: dict | None) -> tuple[list, list]:
    rows = panel.rows
    lows = [r["low"] if not isnan(r["low"]) else r["center"] for r in rows if r["reported"]]
    highs = [r["high"] if not isnan(r["high"]) else r["center"] for r in rows if r["reported"]]
    if panel.metric == "change" and lows:
        lows.append(0.0)
        highs.append(0.0)
        if mcid:
            lows.append(mcid["low"])
            highs.append(mcid["high"])
    return lows, highs


def _data_obstacles(panel: Panel, px_y) -> list[tuple]:
    style, found = panel.style, []
    for r in panel.rows:
        if r["reported"]:
            half = max(style["marker"] / 2, style["cap"]) + 1
            x = panel.px_x(panel.xpos[(r["arm"], r["visit"])])
            low = r["low"] if not isnan(r["low"]) else r["center"]
            high = r["high"] if not isnan(r["high"]) else r["center"]
            found.append((x - half, x + half, px_y(low) - style["marker"] / 2, px_y(high) + style["marker"] / 2))
    return found


def _vertical_layout(panel, lows, highs, band_px, band_rects, data_items, corners, block_px):
    """The y range (band below, data, p-values above) and the placed notes, widening the top zone as needed."""
    style, plot_h = panel.style, panel.plot_h
    bottom_px = (band_px + style["marker"] / 2 + 8) if band_rects else max(style["marker"] / 2 + 6, 0.04 * plot_h)
    top_px = block_px + style["marker"] / 2 + 8
    lo = hi = 0.0
    if lows:
        lo, hi = min(lows), max(highs)
        if hi - lo < 1e-12:
            margin = abs(hi) * 0.1 or 1.0
            lo, hi = lo - margin, hi + margin
    y_range, notes = (0.0, 1.0), []
    for _ in range(6):
        b_frac, t_frac = min(bottom_px / plot_h, 0.6), max(1 - top_px / plot_h, 0.45)
        if lows:
            span = (hi - lo) / max(t_frac - b_frac, 0.05)
            y_range = (lo - b_frac * span, lo - b_frac * span + span)

        def px_y(y, y_range=y_range):
            return (y - y_range[0]) / (y_range[1] - y_range[0]) * plot_h

        obstacles = list(band_rects) + _data_obstacles(panel, px_y)
        obstacles += lanes.line_obstacles(panel.points(), lambda p: (panel.px_x(p[0]), px_y(p[1])), style["line"])
        data_notes = [Note(i["spec"], i.get("x_px", panel.px_x(i["spec"]["x"])), px_y(i["anchor"]),
                           i["spec"]["font"]["size"], fixed=i["fixed"]) for i in data_items]
        for note in data_notes:
            x0, x1, _, _ = note.box()
            dx = inside(x0, x1, panel.plot_w)
            if dx:
                note.spec["xshift"] = round(note.spec.get("xshift", 0) + dx, 1)
        data_notes.sort(key=lambda n: (not n.fixed, n.y_px, n.x_px))
        for note in corners:
            note.shift = 0.0
        notes = corners + data_notes
        place(notes, obstacles)
        highest = max((n.box()[3] for n in data_notes), default=0)
        if not lows or highest <= plot_h - 2:
            break
        top_px += highest - plot_h + 6
    return y_range, lo, hi, notes


def _rgba(color: str, alpha: float) -> str:
    color = color.lstrip("#")
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _shapes(panel: Panel, band_px: float, has_band: bool, mcid_band: dict | None) -> list[dict]:
    shapes = []
    if has_band:
        shapes.append({"type": "rect", "xref": f"{panel.xref} domain", "yref": f"{panel.yref} domain", "x0": 0,
                       "x1": 1, "y0": 0, "y1": round(band_px / panel.plot_h, 4), "fillcolor": BAND_COLOR,
                       "line": {"width": 0}, "layer": "below"})
    if mcid_band:
        shapes.append(mcid_band)
    if panel.interval_band():
        # ± SD of change is a spread of individual changes, not a CI: a shaded band, not error bars.
        half = 0.06
        for (arm, visit), r in panel.cells.items():
            if r["reported"] and not isnan(r["low"]):
                x = panel.xpos[(arm, visit)]
                shapes.append({"type": "rect", "xref": panel.xref, "yref": panel.yref, "x0": x - half,
                               "x1": x + half, "y0": r["low"], "y1": r["high"], "layer": "below",
                               "fillcolor": _rgba(panel.design.color(arm), 0.25), "line": {"width": 0},
                               "name": f"sd_band|{panel.endpoint}|{arm}|{visit}"})
    return shapes


def _axes(panel: Panel, y_range, lo, hi, has_data: bool, compact: bool) -> tuple[dict, dict]:
    info, style = panel.info, panel.style
    unit, stat_label = info["unit"], panel.stat_label
    y_title = f"{unit}, {stat_label}" if unit else stat_label
    if text_width(y_title, style["font"]) > panel.plot_h - 10:
        if compact:
            # The assumed r is also in the legend's title and the outcome definition.
            y_title = re.sub(r",? assuming r = [-\d.]+$", "", y_title)
        else:
            y_title = re.sub(r",? (?=95% CI|± SD)", ",<br>", y_title, count=1)
    if not compact:
        # A single panel has the room for the measure too, when it fits on one line.
        measure = info["label"] if panel.metric == "value" else f"Change in {lower_label(info['label'])}"
        long_title = f"{measure}, {unit} ({stat_label})" if unit else f"{measure} ({stat_label})"
        if text_width(long_title, style["font"]) <= panel.plot_h - 10:
            y_title = long_title
    # Ticks and grid lines only where the data are: the band below (placeholders)
    # and the zone above (p-values) carry no scale, so nothing there reads as a value.
    tick_values = nice_ticks(lo, hi) if has_data else []
    tick_decimals = max((value_decimals(v) for v in tick_values), default=0)
    tick_font = {"size": style["tick"], "color": TEXT_COLOR}
    y_axis = {"title": {"text": y_title, "font": {"size": style["font"], "color": TEXT_COLOR}, "standoff": 8},
              "tickmode": "array", "tickvals": tick_values,
              "ticktext": [format_number(v, tick_decimals).replace("-", "−") for v in tick_values],
              "range": list(y_range), "showticklabels": has_data, "zeroline": panel.metric == "change",
              "zerolinecolor": GRID_COLOR, "zerolinewidth": 1.5, "gridcolor": SEPARATOR_COLOR, "tickfont": tick_font}
    labels = {r["visit"]: r["visit_label"] for r in panel.rows}
    x_axis = {"tickmode": "array", "tickvals": list(range(len(panel.visits))),
              "ticktext": [labels[v] for v in panel.visits], "range": list(panel.x_range), "showgrid": False,
              "zeroline": False, "tickfont": tick_font, "showline": True, "linecolor": AXIS_LINE_COLOR}
    return x_axis, y_axis


def _sorted(panel: Panel, annotations: list[dict]) -> list[dict]:
    """A stable order for readers of the figure: by role, then arm, then visit."""
    arm_order = {arm: i for i, arm in enumerate(panel.arms)}
    visit_order = {visit: i for i, visit in enumerate(panel.visits)}

    def order(a):
        role, _, arm, visit = a["name"].split("|")
        return _ROLES.index(role), arm_order.get(arm, -1), visit_order.get(visit, -1)

    return sorted(annotations, key=order)


def _draw(panel: Panel, legend_seen: set, compact: bool) -> tuple[tuple, int]:
    """The parts of one panel at its dodge step, and how many lines cross another arm's marker."""
    study, info, plot_w = panel.study, panel.info, panel.plot_w
    traces = arm_traces(panel, legend_seen)
    units, data_items, corner_items = band.collect(panel)
    mcid = marks.mcid_of(study, info) if panel.metric == "change" else None
    mcid_band = None
    if mcid:
        mcid_band, mcid_label = marks.mcid_marks(panel, mcid)
        data_items.append({"spec": mcid_label, "anchor": mcid["high"], "fixed": True, "x_px": plot_w})
    band_rects, band_px = band.stack(panel, units)
    corners = [Note(s, s["x"] * plot_w, panel.plot_h, s["font"]["size"], fixed=True) for s in corner_items]
    tags, block_px = marks.p_block(panel, (max((n.w for n in corners), default=0.0) + 6,
                                           max((n.h for n in corners), default=0.0)))
    corners += [Note(s, 0.0, panel.plot_h, s["font"]["size"], fixed=True) for s in tags]
    lows, highs = _y_extent(panel, mcid)
    y_range, lo, hi, notes = _vertical_layout(panel, lows, highs, band_px, band_rects, data_items, corners,
                                              max(block_px, max((n.h for n in corners), default=0.0)))
    annotations = [s for _, unit in units for s, *_ in unit]
    for note in notes:
        if note.shift:
            note.spec["yshift"] = round(note.spec.get("yshift", 0) + note.shift, 1)
        annotations.append(note.spec)
    shapes = _shapes(panel, band_px, bool(units), mcid_band)
    x_axis, y_axis = _axes(panel, y_range, lo, hi, bool(lows), compact)

    def to_px(point):
        return panel.px_x(point[0]), (point[1] - y_range[0]) / (y_range[1] - y_range[0]) * panel.plot_h

    crossings = lanes.crossings(panel.points(), panel.radius, to_px)
    return (traces, _sorted(panel, annotations), shapes, x_axis, y_axis), crossings


def panel_parts(study, rows: list[dict], info: dict, style: dict, axis: str, plot_w: float, plot_h: float,
                legend_seen: set, compact: bool) -> tuple[list, list, list, dict, dict]:
    """Traces, annotations, shapes, x axis and y axis of one panel.

    *plot_w* is the narrowest plot width the panel may get and *plot_h* its
    height, in pixels.  The arms are dodged in display order at the
    estimated best step; when a line still runs through another arm's marker
    in the final layout, the other lanes of :func:`cratus.figures.lanes.candidates`
    are scored on that layout and the best few drawn.
    """
    panel = Panel(study, rows, info, style, axis, plot_w, plot_h)
    seen = set(legend_seen)
    parts, crossings = _draw(panel, seen, compact)
    best = (parts, crossings, seen)
    if crossings:
        y0, y1 = parts[4]["range"]
        values = {k: (r["center"] if r["reported"] else None) for k, r in panel.cells.items()}

        def to_px(point):
            return panel.px_x(point[0]), (point[1] - y0) / (y1 - y0) * plot_h

        scored = lanes.rank_lanes(panel.arms, panel.visits, values, panel.radius, to_px)
        for order, step in scored[:4]:
            if (order, step) == (tuple(panel.arms), panel.step):
                continue
            trial = Panel(study, rows, info, style, axis, plot_w, plot_h, step=step, lane_order=order)
            seen = set(legend_seen)
            parts, crossings = _draw(trial, seen, compact)
            if crossings < best[1]:
                best = (parts, crossings, seen)
            if crossings == 0:
                break
    legend_seen |= best[2]
    return best[0]
