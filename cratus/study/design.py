"""The design of a study: its arms and visits, in display order, with one look per arm.

A :class:`Design` is a small, hashable value (tuples of frozen records), so it
can be passed to cached functions and figure builders as it is.  It is read
from ``arms.csv`` and ``visits.csv`` of a study folder (see
:func:`cratus.study.model.load_study`) or built from patient-level data; nothing
about a particular trial lives here.

Colours come from the Okabe–Ito palette (colour-blind safe), assigned to the
active arms in order; the control arm is grey-black.  Symbols and dash
patterns differ too, so a greyscale print-out still tells the arms apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Pseudo-arms used in tidy results frames: the whole trial, and "every arm together".
TOTAL = "total"
ALL_ARMS = "all"

#: Okabe–Ito colours for active arms, in the order arms are listed; the control is grey-black.
ACTIVE_COLORS = ("#E69F00", "#0072B2", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
CONTROL_COLOR = "#555555"
TOTAL_COLOR = "#009E73"
ACTIVE_SYMBOLS = ("circle", "square", "triangle-down", "cross", "x", "star")
CONTROL_SYMBOL = "diamond"
ACTIVE_DASHES = ("solid", "dash", "longdash", "dashdot", "longdashdot", "solid")
CONTROL_DASH = "dot"
#: Bar fill patterns (a fourth cue, for bar charts).
ACTIVE_PATTERNS = ("", "/", "x", "-", "|", "+")
CONTROL_PATTERN = "."

ROLES = ("active", "control")
VISIT_ROLES = ("baseline", "primary", "")


@dataclass(frozen=True)
class Arm:
    """One arm: its id in the data, how it is named on screen, and how it is drawn."""

    id: str
    label: str
    short: str
    control: bool = False
    color: str = ""
    symbol: str = ""
    dash: str = ""
    pattern: str = ""


@dataclass(frozen=True)
class Visit:
    """One visit (time point): its id in the data, its label and its role."""

    id: str
    label: str
    role: str = ""


@dataclass(frozen=True)
class Design:
    """Arms and visits of a study, in display order.

    Examples
    --------
    >>> d = make_design([("a", "Drug A", "A", False), ("p", "Placebo", "Placebo", True)],
    ...                 [("w0", "Week 0", "baseline"), ("w12", "Week 12", "primary")])
    >>> d.arm_ids, d.control, d.baseline, d.follow_up
    (('a', 'p'), 'p', 'w0', 'w12')
    >>> d.order(["p", "total", "a", "unknown"])
    ['a', 'p', 'total']
    >>> d.short("p"), d.label("total"), d.color("a")
    ('Placebo', 'Total', '#E69F00')
    """

    arms: tuple[Arm, ...]
    visits: tuple[Visit, ...]
    _by_id: dict = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self):
        if not self.arms:
            raise ValueError("a study needs at least one arm")
        if not self.visits:
            raise ValueError("a study needs at least one visit")
        ids = [a.id for a in self.arms]
        if len(set(ids)) != len(ids):
            raise ValueError(f"arm ids must be unique: {ids}")
        if sum(a.control for a in self.arms) > 1:
            raise ValueError("a study has at most one control arm")
        if sum(v.role == "baseline" for v in self.visits) != 1:
            raise ValueError("exactly one visit must have the role 'baseline'")
        if sum(v.role == "primary" for v in self.visits) > 1:
            raise ValueError("at most one visit can have the role 'primary'")
        total = Arm(TOTAL, "Total", "Total", color=TOTAL_COLOR, symbol="triangle-up", dash="dashdot", pattern="")
        everyone = Arm(ALL_ARMS, "All arms", "All arms", color="#333333", symbol="circle", dash="solid")
        object.__setattr__(self, "_by_id", {a.id: a for a in (*self.arms, total, everyone)})
        # the names a reader may give an arm or a visit (see :func:`resolve_name`)
        object.__setattr__(self, "_arm_names", {a.id: (a.id, a.label, a.short) for a in self._by_id.values()})
        object.__setattr__(self, "_visit_names", {v.id: (v.id, v.label) for v in self.visits})

    # --- arms -------------------------------------------------------------------------------
    @property
    def arm_ids(self) -> tuple[str, ...]:
        """Arm ids in display order (no pseudo-arms)."""
        return tuple(a.id for a in self.arms)

    @property
    def control(self) -> str | None:
        """The control arm's id, or ``None`` for a study without one."""
        return next((a.id for a in self.arms if a.control), None)

    @property
    def active(self) -> tuple[str, ...]:
        """Ids of the arms that are not the control."""
        return tuple(a.id for a in self.arms if not a.control)

    def arm(self, arm_id: str) -> Arm:
        """The :class:`Arm` of *arm_id* (pseudo-arms ``total`` and ``all`` included)."""
        try:
            return self._by_id[arm_id]
        except KeyError:
            raise ValueError(f"{arm_id!r} is not an arm of this study ({', '.join(self.arm_ids)})") from None

    def has_arm(self, arm_id) -> bool:
        return arm_id in self._by_id

    def label(self, arm_id: str) -> str:
        """Full display name (``"Allo-hMSC 100M"``); unknown ids are returned as they are."""
        return self._by_id[arm_id].label if arm_id in self._by_id else str(arm_id)

    def short(self, arm_id: str) -> str:
        """Short display name for selectors, legends and the URL; unknown ids as they are."""
        return self._by_id[arm_id].short if arm_id in self._by_id else str(arm_id)

    def hidden(self, shown) -> list[str]:
        """The study's arms not among *shown* (ids or names; ``None``: every arm shown), in display order."""
        if shown is None:
            return []
        kept = set(self.order(shown))
        return [a for a in self.arm_ids if a not in kept]

    def total_label(self, shown=None) -> str:
        """Name of a total over every arm, shown next to the arms *shown*: the one rule for a subset view.

        A printed total (Table 1's, a safety count's) covers every arm; next to a subset of the arms it must
        say so, or a reader adds the shown arms and finds a patient who is not there.

        >>> d = make_design([("a", "Drug A", "A", False), ("b", "Drug B", "B", False), ("p", "Placebo", "Placebo", True)],
        ...                 [("w0", "Baseline", "baseline")])
        >>> d.total_label(), d.total_label(["a", "b", "p"]), d.total_label(["a", "p"]), d.total_label(["a"])
        ('Total', 'Total', 'All arms (incl. hidden B)', 'All arms (incl. hidden B, Placebo)')
        """
        hidden = self.hidden(shown)
        if not hidden:
            return self.label(TOTAL)
        return f"All arms (incl. hidden {', '.join(self.short(a) for a in hidden)})"

    def color(self, arm_id: str) -> str:
        return self._by_id[arm_id].color if arm_id in self._by_id else "#333333"

    def symbol(self, arm_id: str) -> str:
        return self._by_id[arm_id].symbol if arm_id in self._by_id else "circle"

    def dash(self, arm_id: str) -> str:
        return self._by_id[arm_id].dash if arm_id in self._by_id else "solid"

    def pattern(self, arm_id: str) -> str:
        return self._by_id[arm_id].pattern if arm_id in self._by_id else ""

    def arm_id(self, name: str) -> str:
        """The id of the arm a reader names: its id, its label or its short name, in any case
        (``"Allo-hMSC 100M"``, ``"placebo"``, ``"Total"``); ValueError naming the arms otherwise.

        >>> d = make_design([("xhd", "Xanomeline High Dose", "High dose", False), ("pbo", "Placebo", "Placebo", True)],
        ...                 [("w0", "Baseline", "baseline"), ("w24", "Week 24", "primary")])
        >>> d.arm_id("Xanomeline High Dose"), d.arm_id("high dose"), d.arm_id("pbo"), d.visit_id("Week 24")
        ('xhd', 'xhd', 'pbo', 'w24')
        """
        found = resolve_name(name, self._arm_names)
        if found is None:
            raise ValueError(f"{name!r} is not an arm of this study: "
                             + ", ".join(f"{self.label(a)} ({a})" for a in self.arm_ids))
        return found

    def order(self, arms) -> list[str]:
        """*arms* (ids, labels or short names) as ids in display order, followed by ``total``; unknown names
        dropped."""
        wanted = {resolve_name(a, self._arm_names) for a in arms}
        return [a for a in (*self.arm_ids, TOTAL) if a in wanted]

    def index(self, arm_id: str) -> int:
        """Position of an arm in display order (pseudo-arms after the real ones)."""
        order = (*self.arm_ids, TOTAL, ALL_ARMS)
        return order.index(arm_id) if arm_id in order else len(order)

    def pairs(self) -> list[tuple[str, str]]:
        """Arm pairs to compare: each active arm against the control, then the active arms among themselves."""
        control = self.control
        pairs = [(a, control) for a in self.active] if control else []
        active = list(self.active)
        pairs += [(a, b) for i, a in enumerate(active) for b in active[i + 1:]]
        return pairs

    # --- visits -----------------------------------------------------------------------------
    @property
    def visit_ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.visits)

    @property
    def baseline(self) -> str:
        """The baseline visit's id."""
        return next(v.id for v in self.visits if v.role == "baseline")

    @property
    def follow_up(self) -> str:
        """The primary follow-up visit: the one marked ``primary``, else the last visit after baseline."""
        marked = next((v.id for v in self.visits if v.role == "primary"), None)
        if marked:
            return marked
        later = [v.id for v in self.visits if v.role != "baseline"]
        return later[-1] if later else self.baseline

    @property
    def later_visits(self) -> tuple[str, ...]:
        """Visits after baseline, in order."""
        ids = self.visit_ids
        return ids[ids.index(self.baseline) + 1:]

    def visit_label(self, visit_id: str) -> str:
        return next((v.label for v in self.visits if v.id == visit_id), str(visit_id))

    def visit_labels(self) -> dict[str, str]:
        return {v.id: v.label for v in self.visits}

    def visit_id(self, name: str) -> str:
        """The id of the visit a reader names: its id or its label, in any case (``"Week 24"``, ``"6 months"``);
        ValueError naming the visits otherwise."""
        found = resolve_name(name, self._visit_names)
        if found is None:
            raise ValueError(f"{name!r} is not a visit of this study: "
                             + ", ".join(f"{v.label} ({v.id})" for v in self.visits))
        return found

    def order_visits(self, visits) -> list[str]:
        """*visits* (ids or labels) as ids in the study's order; unknown names dropped."""
        wanted = {resolve_name(v, self._visit_names) for v in visits}
        return [v for v in self.visit_ids if v in wanted]


def resolve_name(name, names_by_id: dict) -> str | None:
    """The id whose names (id first) include *name*: an exact id wins, then any name with case and spaces folded.

    The one rule by which the API takes arms, visits and endpoints as a reader sees them."""
    if name in names_by_id:
        return name
    folded = " ".join(str(name).split()).casefold()
    return next((i for i, names in names_by_id.items() if any(" ".join(str(n).split()).casefold() == folded
                                                               for n in names)), None)


def make_design(arms, visits) -> Design:
    """A :class:`Design` from plain rows, assigning colours, symbols and dashes in order.

    Parameters
    ----------
    arms : iterable
        ``(id, label, short, control)`` tuples or dicts with those keys and
        optional ``color``, ``symbol``, ``dash``, ``pattern`` overrides, in
        display order.
    visits : iterable
        ``(id, label, role)`` tuples or dicts; role is ``baseline``,
        ``primary`` or empty.

    Examples
    --------
    >>> d = make_design([{"id": "x", "label": "X", "short": "X", "control": False}], [("v0", "Day 0", "baseline")])
    >>> d.arm("x").symbol, d.follow_up
    ('circle', 'v0')
    """
    built, active = [], 0
    for row in arms:
        row = dict(row) if isinstance(row, dict) else dict(zip(("id", "label", "short", "control"), row))
        control = bool(row.get("control"))
        i = active % len(ACTIVE_COLORS)
        defaults = ({"color": CONTROL_COLOR, "symbol": CONTROL_SYMBOL, "dash": CONTROL_DASH, "pattern": CONTROL_PATTERN}
                    if control else {"color": ACTIVE_COLORS[i], "symbol": ACTIVE_SYMBOLS[i], "dash": ACTIVE_DASHES[i],
                                     "pattern": ACTIVE_PATTERNS[i]})
        if not control:
            active += 1
        style = {k: (row.get(k) or defaults[k]) for k in defaults}
        label = str(row.get("label") or row["id"])
        built.append(Arm(id=str(row["id"]), label=label, short=str(row.get("short") or label), control=control, **style))
    rows = [dict(v) if isinstance(v, dict) else dict(zip(("id", "label", "role"), v)) for v in visits]
    built_visits = tuple(Visit(id=str(v["id"]), label=str(v.get("label") or v["id"]), role=str(v.get("role") or ""))
                         for v in rows)
    return Design(arms=tuple(built), visits=built_visits)
