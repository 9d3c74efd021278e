"""Direction in words: whether an arm's value rose or fell, and whether that is an improvement or a worsening.

Which direction is better is a property of the endpoint, read from the study's dictionary (``better``:
``higher`` or ``lower``); nothing here knows an endpoint.  The change is the arm's reported centre (mean, or
median) at follow-up against baseline.
"""

from __future__ import annotations

from cratus.words import join

JUDGEMENT = {("rose", "higher"): "an improvement", ("fell", "lower"): "an improvement",
             ("rose", "lower"): "a worsening", ("fell", "higher"): "a worsening"}


def moved(central: dict, arm: str, baseline: str, follow_up: str) -> str:
    """``"rose"``, ``"fell"``, ``"did not move"`` or ``""`` (a value not reported) for one arm."""
    values = central.get(arm, {})
    if baseline not in values or follow_up not in values:
        return ""
    before, after = float(values[baseline][0]), float(values[follow_up][0])
    return "rose" if after > before else "fell" if after < before else "did not move"


def direction_sentence(design, central: dict, arms, better: str) -> str:
    """``"rose in 100M: an improvement (higher is better)"``; arms with the same direction are named together.

    Examples
    --------
    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "A", "A", False), ("b", "B", "B", False), ("p", "P", "P", True)],
    ...                 [("0", "Baseline", "baseline"), ("6", "6 months", "primary")])
    >>> c = {"a": {"0": (5, "5"), "6": (2, "2")}, "p": {"0": (3, "3"), "6": (1, "1")}}
    >>> direction_sentence(d, c, ["a", "b", "p"], "higher")
    'fell in A and P: a worsening (higher is better); B: direction not reported'
    """
    groups: dict[str, list[str]] = {}
    for arm in arms:
        way = moved(central, arm, design.baseline, design.follow_up) or "unknown"
        groups.setdefault(way, []).append(design.short(arm))
    parts = []
    for way, names in groups.items():
        if way == "unknown":
            continue
        judged = JUDGEMENT.get((way, better))
        tail = f": {judged} ({better} is better)" if judged else "" if way == "did not move" else \
            " (which direction is better is not given)"
        parts.append(f"{way} in {join(names)}{tail}")
    if "unknown" in groups:
        parts.append(f"{join(groups['unknown'])}: direction not reported")
    return "; ".join(parts)
