"""Layout geometry of the figures: text widths, wrapping, overlap checks, label placement, band stacking.

Plotly places text only after the browser has measured it; these helpers
estimate pixel sizes from Arial's advance widths so that the builders can
decide every placement in Python, at the narrowest width a figure must hold
at (see :mod:`cratus.figures.theme`).  Boxes are ``(x0, x1, y0, y1)`` in
pixels, y upwards from the bottom of the plot area.
"""

from __future__ import annotations

import math
import re

#: Advance widths of Arial in em, for the size estimates (other characters: 0.6).
GLYPH_EM = {
    **dict.fromkeys(" !,./:;I[\\]ft", 0.278), **dict.fromkeys("ijl", 0.222), **dict.fromkeys("|", 0.26),
    **dict.fromkeys("'", 0.191), **dict.fromkeys('"', 0.355), **dict.fromkeys("()-`r", 0.333),
    **dict.fromkeys("{}", 0.334), **dict.fromkeys("*", 0.389), **dict.fromkeys("^", 0.469),
    **dict.fromkeys("Jckszvxy", 0.5), **dict.fromkeys("≥≤", 0.549),
    **dict.fromkeys("#$0123456789?L_abdeghnopqu–αµ", 0.556), **dict.fromkeys("+<=>~±−×", 0.584),
    **dict.fromkeys("FTZ", 0.611), **dict.fromkeys("ABEKPSVXY&", 0.667), **dict.fromkeys("CDHNRUw", 0.722),
    **dict.fromkeys("GOQ", 0.778), **dict.fromkeys("Mm", 0.833), **dict.fromkeys("%", 0.889),
    **dict.fromkeys("W", 0.944), **dict.fromkeys("—@⚠", 1.0), **dict.fromkeys("◇", 0.77), "³": 0.333,
}


def line_width(line: str, size: float) -> float:
    """Estimated pixel width of one line of plotly text (tags removed, bold 8 % wider).

    Examples
    --------
    A "<" that does not open a tag ("p < .0001") is text.

    >>> round(line_width("p = .263", 14), 1), round(line_width("<b>2A</b>", 10), 1)
    (53.0, 13.7)
    >>> round(line_width("p < .0001 <span style='color:red'>⚠</span>", 10), 1)
    57.0
    """
    width, bold = 0.0, False
    for tag, text in re.findall(r"(</?[A-Za-z][^>]*>)|([^<]+|<)", line):
        if tag:
            bold = {"<b>": True, "</b>": False}.get(tag, bold)
            continue
        width += sum(GLYPH_EM.get(char, 0.6) for char in text) * (1.08 if bold else 1.0)
    return width * size * 1.04     # a few per cent of slack for kerning and rounding


def text_width(text: str, size: float) -> float:
    """Estimated pixel width of the widest line of a plotly text (``<br>``-separated)."""
    return max(line_width(line, size) for line in text.split("<br>"))


def wrap_px(text: str, width: float, size: float, clauses: bool = False, chars: int = 90) -> str:
    """Wrap text into ``<br>``-separated lines no wider than *width* pixels (and *chars* characters).

    With *clauses*, a short clause ("; "-separated, up to 45 characters)
    goes whole onto the next line rather than being split, so that a phrase
    such as "measured in female patients only." stays together.

    Examples
    --------
    >>> wrap_px("SQOL-F (points); value at each time point; measured in female patients only.", 300, 14,
    ...          clauses=True)
    'SQOL-F (points); value at each time point;<br>measured in female patients only.'
    """
    def fits(line: str) -> bool:
        return len(line) <= chars and line_width(line, size) <= width

    lines: list[str] = []
    for piece in (re.split(r"(?<=;) ", text) if clauses else [text]):
        if lines and fits(lines[-1] + " " + piece):
            lines[-1] += " " + piece
            continue
        if len(piece) <= 45 and fits(piece):
            lines.append(piece)
            continue
        words = piece.split(" ")
        current = lines.pop() + " " + words[0] if lines and fits(lines[-1] + " " + words[0]) else words[0]
        for word in words[1:]:
            if fits(current + " " + word):
                current += " " + word
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return "<br>".join(lines)


class Note:
    """An annotation with an estimated box in pixels, for the overlap check."""

    def __init__(self, spec: dict, x_px: float, y_px: float, size: float, fixed: bool = False):
        self.spec, self.x_px, self.y_px, self.fixed = spec, x_px, y_px, fixed
        lines = spec["text"].count("<br>") + 1
        pad = spec.get("borderpad", 1) + spec.get("borderwidth", 0) + 1
        self.w = text_width(spec["text"], size) + 2 * pad
        self.h = lines * size * 1.3 + 2 * pad
        self.shift = 0.0

    def box(self) -> tuple[float, float, float, float]:
        xa, ya = self.spec.get("xanchor", "center"), self.spec.get("yanchor", "bottom")
        x = self.x_px + self.spec.get("xshift", 0)
        x0 = x - self.w / 2 if xa == "center" else x if xa == "left" else x - self.w
        y = self.y_px + self.spec.get("yshift", 0) + self.shift
        y0 = y if ya == "bottom" else y - self.h / 2 if ya == "middle" else y - self.h
        return x0, x0 + self.w, y0, y0 + self.h


def overlaps(a, b) -> bool:
    return a[0] < b[1] - 1 and b[0] < a[1] - 1 and a[2] < b[3] - 1 and b[2] < a[3] - 1


def place(notes: list[Note], obstacles: list[tuple]) -> list[tuple]:
    """Greedy layout: move each movable note up until it overlaps nothing placed before."""
    placed = list(obstacles)
    for note in notes:
        if not note.fixed:
            for _ in range(60):
                box = note.box()
                tops = [other[3] for other in placed if overlaps(box, other)]
                if not tops:
                    break
                note.shift += max(tops) - box[2] + 2
        placed.append(note.box())
    return placed


def inside(x0: float, x1: float, width: float, pad: float = 2.0) -> float:
    """Horizontal shift that brings ``[x0, x1]`` inside ``[0, width]`` (0 when it is)."""
    if x0 < pad:
        return pad - x0
    if x1 > width - pad:
        return max(width - pad - x1, pad - x0)
    return 0.0


def pack_row(members: list[int], extents: list, width: float, gap: float, force: bool = False):
    """Shifts that put one row of units side by side inside ``[0, width]``.

    Each unit moves as little as it can from its column; ``None`` when the
    row does not fit, or when a unit would move so far that its box no longer
    covers its column (unless *force*).
    """
    order = sorted(members, key=lambda i: extents[i][0] + extents[i][1])
    left = {i: extents[i][0] for i in order}
    prev_end = 2.0 - gap
    for i in order:
        left[i] = max(left[i], prev_end + gap)
        prev_end = left[i] + extents[i][1] - extents[i][0]
    next_start = width - 2.0 + gap
    for i in reversed(order):
        left[i] = min(left[i], next_start - gap - (extents[i][1] - extents[i][0]))
        next_start = left[i]
    shifts = {i: left[i] - extents[i][0] for i in order}
    if not force and (left[order[0]] < 1.5 or any(abs(shifts[i]) > extents[i][3] for i in order)):
        return None
    return shifts


def stack_band(units: list[tuple[int, list[tuple[dict, float, float, float]]]], width: float,
                gap: float = 4.0) -> tuple[list, float]:
    """Arrange the "not reported" units of a panel in rows, without overlaps.

    A unit is a placeholder box with its p-values right above it and a "⚠"
    beside it, given as ``(arm index, parts)``; each part is ``(spec, x0, x1,
    y0)`` in pixels at the narrowest width (the box first), its height in
    ``spec["_h"]``.  Units share the bottom row when they fit side by side.
    Otherwise each arm gets a row of its own (bottom to top in arm order),
    so an arm's boxes line up across visits and its p-values sit right above
    its own boxes; rows are filled greedily when that needs fewer rows or
    does not fit.  Within a row, units at the plot's edge or too close to
    each other move sideways as a whole, never off their column.

    Sets ``spec["_base"]`` (height of the unit's row) and ``spec["_dx"]``
    (sideways move) of every part; returns the rectangles placed, in pixels
    above the bottom of the band, and the height of the band's content.
    """
    if not units:
        return [], 0.0
    extents = []
    for _, parts in units:
        box = parts[0]
        # left, right, height, and how far the unit may move: its column must stay inside the box
        extents.append((min(p[1] for p in parts), max(p[2] for p in parts),
                        max(p[3] + p[0]["_h"] for p in parts), max((box[2] - box[1]) / 2 - 8, 0.0)))

    def overlap(i, j):
        return not (extents[i][1] + gap <= extents[j][0] or extents[j][1] + gap <= extents[i][0])

    greedy: list[list[int]] = []
    for i in sorted(range(len(units)), key=lambda k: extents[k][0]):
        row = next((r for r, members in enumerate(greedy) if not any(overlap(i, m) for m in members)), None)
        if row is None:
            greedy.append([i])
        else:
            greedy[row].append(i)
    arms = sorted({arm for arm, _ in units})
    by_arm = [[i for i, (arm, _) in enumerate(units) if arm == a] for a in arms]
    candidates = [[list(range(len(units)))]]
    candidates += sorted([by_arm, greedy], key=len)
    rows = shifts = None
    for candidate in candidates:
        found = [pack_row(members, extents, width, gap) for members in candidate]
        if all(f is not None for f in found):
            rows, shifts = candidate, {i: d for f in found for i, d in f.items()}
            break
    if rows is None:
        rows = [[i] for i in range(len(units))]
        shifts = {i: d for i in range(len(units)) for d in pack_row([i], extents, width, gap, True).values()}
    heights = [max(extents[i][2] for i in members) for members in rows]
    bases = [sum(heights[:r]) + 3 * r for r in range(len(rows))]
    placed = []
    for r, members in enumerate(rows):
        for i in members:
            for spec, x0, x1, y0 in units[i][1]:
                spec["_base"], spec["_dx"] = bases[r], round(shifts[i], 1)
                placed.append((x0 + shifts[i], x1 + shifts[i], bases[r] + y0, bases[r] + y0 + spec["_h"]))
    return placed, bases[-1] + heights[-1]



def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) within [lo, hi], at least three.

    Examples
    --------
    >>> nice_ticks(63.4, 88.9)
    [65.0, 70.0, 75.0, 80.0, 85.0]
    >>> nice_ticks(-11.7, 1.9)
    [-10.0, -5.0, 0.0]
    """
    raw = (hi - lo) / max(target - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (0.5, 1, 2, 2.5, 5, 10)]
    index = next(i for i, step in enumerate(steps) if raw <= step * (1 + 1e-9))
    for step in reversed(steps[:index + 1]):
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first >= 2:
            break
    return [round(k * step, 10) + 0.0 for k in range(first, last + 1)]

