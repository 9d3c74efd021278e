"""The "not reported" band of a panel, and the notes that sit on or next to the data.

Cells the text does not report get a box in a light grey band at the bottom
of their panel (a ``layout.shapes`` rectangle over the ``x domain``; the y
range is extended downwards to make room, so nothing in the band overlaps
data or tick labels).  A box reads "◇ not reported" with the arm's open
glyph and a border in the arm's colour, at the arm's x for that visit.
When boxes do not fit side by side each arm gets a row of its own
(:func:`cratus.figures.geometry.stack_band`).  p-values are not here: they
are listed at the top of the panel (:func:`cratus.figures.marks.p_block`).
"""

from __future__ import annotations

from cratus.figures import marks
from cratus.figures.geometry import Note, stack_band
from cratus.figures.theme import OPEN_GLYPHS
from cratus.formatting import NOT_REPORTED

#: Padding of the band's content, in pixels.
PAD = 4.0


def _flag_beside_point(panel, arm, visit, r, flags, data_items) -> None:
    """A "⚠" right of a reported point; only other notes move out of its way."""
    style = panel.style
    data_items.append({"spec": marks.warning_spec(
        panel, arm, visit, flags, x=panel.xpos[(arm, visit)], y=r["center"], xanchor="left", yanchor="middle",
        xshift=max(style["marker"] / 2, style["cap"]) + 3), "anchor": r["center"], "fixed": True})


def _unit(panel, arm, visit, r, flags) -> list[tuple[dict, float, float, float]]:
    """The box of one unreported cell, with a "⚠" on top of it when a discrepancy concerns the cell."""
    design, size = panel.design, panel.style["annotation"]
    band_ref = f"{panel.yref} domain"
    x = panel.xpos[(arm, visit)]
    glyph = OPEN_GLYPHS.get(design.symbol(arm), "○")
    text = f"<span style='color:{design.color(arm)}'><b>{glyph}</b></span> not reported"
    hover = (f"{design.label(arm)}, {r['visit_label']}: {panel.stat_label} {NOT_REPORTED}"
             + (f" ({r['spread']})" if panel.metric == "change" else "")
             + " — nothing is plotted, nothing is estimated")
    box = marks.spec(panel, "not_reported", arm, visit, text, hover, x=x, yref=band_ref, y=0,
                     bordercolor=design.color(arm), borderwidth=2, borderpad=3, bgcolor="white")
    x_px = panel.px_x(x)
    box_note = Note(box, x_px, 0, size)
    box["_h"] = box_note.h
    unit = [(box, x_px - box_note.w / 2, x_px + box_note.w / 2, 0.0)]
    if flags:
        warn = marks.warning_spec(panel, arm, visit, flags, x=x, xanchor="left", yref=band_ref, y=0, borderpad=0)
        warn_note = Note(warn, x_px, 0, warn["font"]["size"])
        warn["_h"] = warn_note.h
        warn["xshift"] = round(box_note.w / 2 - warn_note.w, 1)
        unit.append((warn, x_px + box_note.w / 2 - warn_note.w, x_px + box_note.w / 2, box_note.h + 1))
    return unit


def collect(panel) -> tuple[list, list, list]:
    """Band units, notes on the data and corner notes of a panel.

    Returns ``(units, data_items, corner_items)``: units are ``(arm index,
    parts)`` for :func:`stack`; data items are ``{"spec", "anchor",
    "fixed"}`` for the "⚠" beside reported points; corner items are
    annotation specs in the panel's top corners (a panel-wide "⚠").
    """
    units, data_items, corner_items = [], [], []
    for index, arm in enumerate(panel.arms):
        for visit in panel.visits:
            r = panel.cells[(arm, visit)]
            # A discrepancy about a p-value is flagged on its tag (cratus.figures.marks.p_tags).
            flags = [f for f in panel.cell_flags.get((arm, visit), []) if f.get("statistic") != "p_value"]
            if r["reported"] and flags:
                _flag_beside_point(panel, arm, visit, r, flags, data_items)
            elif not r["reported"] and panel.study.has_printed_sources:
                # patient data: a cell without a value has no patient to show (the table and sentence say so);
                # "not reported" is a paper's word
                units.append((index, _unit(panel, arm, visit, r, flags)))
    if panel.panel_wide:
        corner_items.append(marks.warning_spec(panel, "", "", panel.panel_wide, xref=f"{panel.xref} domain",
                                               yref=f"{panel.yref} domain", x=1.0, y=1.0, xanchor="right",
                                               yanchor="top", bgcolor="white"))
    return units, data_items, corner_items


def stack(panel, units: list) -> tuple[list[tuple], float]:
    """Stack the units in the band; set each part's ``yshift``/``xshift``.

    Returns the placed rectangles (pixels from the plot's bottom) and the
    band's height in pixels (0 without units).
    """
    rects, top = stack_band(units, panel.plot_w)
    band_px = top + 2 * PAD if units else 0.0
    rects = [(x0, x1, y0 + PAD, y1 + PAD) for x0, x1, y0, y1 in rects]
    for _, unit in units:
        for s, _, _, y0 in unit:
            s["yshift"] = round(PAD + s.pop("_base") + y0, 1)
            dx = s.pop("_dx")
            if dx:
                s["xshift"] = round(s.get("xshift", 0) + dx, 1)
            s.pop("_h")
    return rects, band_px
