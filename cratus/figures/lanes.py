"""Lanes of the arms within a panel: the horizontal dodge, and where the connecting lines run.

Each arm keeps one offset from the visit's tick at every visit (a dodge), so
its line joins its own markers.  The offset step is chosen so that no arm's
line passes through another arm's marker at the narrowest width a figure
must hold at; when no step does, the lanes are taken in another order (the
same at every visit of the panel).  The lines are also obstacles that notes
keep clear of.
"""

from __future__ import annotations

import itertools
import math

#: Offsets between arms tried, in visit units, in order of preference.
STEPS = (0.3, 0.36, 0.24, 0.18, 0.42, 0.12)


def offsets(arms: list[str], step: float) -> dict[str, float]:
    """Offset of each arm from its visit's tick, centred.

    Examples
    --------
    >>> offsets(["a", "b", "c"], 0.3)
    {'a': -0.3, 'b': 0.0, 'c': 0.3}
    """
    return {arm: round((i - (len(arms) - 1) / 2) * step, 6) for i, arm in enumerate(arms)}


def segments(points: dict[str, list[tuple[float, float] | None]]) -> list[tuple[str, tuple, tuple]]:
    """The drawn line segments ``(arm, (x0, y0), (x1, y1))``: between consecutive reported points only."""
    found = []
    for arm, pts in points.items():
        for a, b in zip(pts, pts[1:]):
            if a is not None and b is not None:
                found.append((arm, a, b))
    return found


def crossings(points: dict[str, list], radius: float, to_px) -> int:
    """How many (line, other arm's marker) pairs touch: the line runs within *radius* px of the marker's centre.

    *points* maps each arm to its ``(x, y)`` data points (``None`` where not
    reported); *to_px* maps a data point to pixels.
    """
    count = 0
    markers = [(arm, p) for arm, pts in points.items() for p in pts if p is not None]
    for arm, a, b in segments(points):
        (ax, ay), (bx, by) = to_px(a), to_px(b)
        length = math.hypot(bx - ax, by - ay)
        if length == 0:
            continue
        for other, p in markers:
            if other == arm:
                continue
            px, py = to_px(p)
            t = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length ** 2
            if not 0 <= t <= 1:
                continue
            distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance < radius:
                count += 1
    return count


def choose_step(arms: list[str], visits: list[str], values: dict, plot_w: float, plot_h: float,
                radius: float, extent: tuple[float, float] | None = None) -> float:
    """The dodge step (visit units) whose lines cross the fewest other-arm markers, preferring :data:`STEPS` order.

    *values* maps ``(arm, visit)`` to the plotted centre (NaN or None if not
    reported).  The y scale is estimated from the data's range over the
    middle 60 % of the plot, as the builders lay it out; *extent* is the
    data's range with whiskers (the centres' range by default).
    """
    if len(arms) < 2 or len(visits) < 2:
        return STEPS[0]
    ys = [v for v in values.values() if v is not None and v == v]
    if not ys:
        return STEPS[0]
    lo, hi = extent if extent else (min(ys), max(ys))
    span = (hi - lo) or 1.0
    x_span = len(visits)

    def to_px(point):
        return (point[0] + 0.5) / x_span * plot_w, (point[1] - lo) / span * plot_h * 0.6

    best, best_count = STEPS[0], None
    for step in STEPS:
        if step * len(arms) > 0.95:
            continue
        shift = offsets(arms, step)
        points = {arm: [(j + shift[arm], values[(arm, v)]) if values.get((arm, v)) is not None
                        and values[(arm, v)] == values[(arm, v)] else None for j, v in enumerate(visits)]
                  for arm in arms}
        count = crossings(points, radius, to_px)
        if best_count is None or count < best_count:
            best, best_count = step, count
        if count == 0:
            break
    return best


def line_obstacles(points: dict[str, list], to_px, width: float, every: float = 6.0) -> list[tuple]:
    """Small pixel boxes along every drawn line, so that labels are not placed on a line."""
    boxes = []
    half = width / 2 + 1
    for _, a, b in segments(points):
        (ax, ay), (bx, by) = to_px(a), to_px(b)
        steps = max(int(math.hypot(bx - ax, by - ay) / every), 1)
        for i in range(steps + 1):
            x, y = ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps
            boxes.append((x - half, x + half, y - half, y + half))
    return boxes


def rank_lanes(arms: list[str], visits: list[str], values: dict, radius: float, to_px) -> list[tuple]:
    """Lane orders and steps ``(order, step)``, fewest marker crossings first, then by preference.

    The display order comes first, then its reverse, then other orders
    (up to four arms); each arm keeps its lane at every visit whichever
    order is used.
    """
    orders = [tuple(arms), tuple(reversed(arms))]
    if len(arms) <= 4:
        orders += [p for p in itertools.permutations(arms) if p not in orders]
    ranked = []
    for rank, (order, step) in enumerate((o, s) for o in orders for s in STEPS if s * len(arms) <= 0.95):
        shift = offsets(list(order), step)
        points = {a: [(j + shift[a], values[(a, v)]) if values.get((a, v)) is not None else None
                      for j, v in enumerate(visits)] for a in arms}
        ranked.append((crossings(points, radius, to_px), rank, order, step))
    return [(order, step) for _, _, order, step in sorted(ranked)]
