"""Baseline imbalance notes: where an arm started far from the control (standardized difference above the
threshold, Austin 2009), the reading says so and whether regression to the mean could explain a change."""

from __future__ import annotations

from cratus.formatting import signed
from cratus.reading.numbers import _endpoint_p_values, _info, _label, _number, selected_numbers
from cratus.stats.between_arms import IMBALANCE_THRESHOLD, standardized_difference
from cratus.words import with_unit


def baseline_imbalance_notes(study, endpoint: str, threshold: float = IMBALANCE_THRESHOLD) -> list[str]:
    """Sentences on regression to the mean where an arm started far from the control.

    For each arm other than the control that has a within-arm change
    reported (a within-arm p-value or a follow-up mean), the baseline means
    and SDs give the standardized difference against the control (Austin
    2009, :func:`cratus.stats.between_arms.standardized_difference`, as in
    Table 1's balance and the appraisal).  Where
    ``|d|`` exceeds *threshold* a sentence says so.  Medians have no SD and
    get no note.  A standardized difference describes balance; it is not a
    significance test (CONSORT 2010 item 15).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> notes = baseline_imbalance_notes(load_study(), "six_minute_walk")
    >>> notes[0].startswith("At baseline the 100M arm's 6-minute walk distance was lower than Placebo's")
    True
    """
    design = study.design
    if not design.control or _info(study, endpoint).get("summary") != "mean_sd":
        return []
    stats = selected_numbers(study, endpoint)
    base, follow, control = design.baseline, design.follow_up, design.control
    if (control, base, "mean") not in stats or (control, base, "sd") not in stats:
        return []
    within = {r["arm"] for r in _endpoint_p_values(study, endpoint) if r["comparison"] == "within_arm"}
    unit = _info(study, endpoint).get("unit", "")
    notes = []
    for arm in design.active:
        if (arm, base, "mean") not in stats or (arm, base, "sd") not in stats:
            continue
        if arm not in within and (arm, follow, "mean") not in stats:
            continue
        (m1, p1), (s1, _) = stats[(arm, base, "mean")], stats[(arm, base, "sd")]
        (m0, p0), (s0, _) = stats[(control, base, "mean")], stats[(control, base, "sd")]
        d = standardized_difference(m1, s1, m0, s0)
        if not abs(d) > threshold:
            continue
        notes.append(_imbalance_sentence(study, endpoint, arm, d, (m1, p1), (m0, p0), stats.get((arm, follow, "mean")),
                                         unit, threshold))
    return notes


def _imbalance_sentence(study, endpoint, arm, d, arm_base, control_base, arm_follow, unit, threshold) -> str:
    design = study.design
    arm_name, control = design.short(arm), design.short(design.control)
    side = "lower" if d < 0 else "higher"
    d_text = signed(d, 2)
    head = (f"At baseline the {arm_name} arm's {_label(study, endpoint)} was {side} than {control}'s "
            f"({_number(*arm_base)} vs {with_unit(_number(*control_base), unit)}; standardized difference "
            f"{d_text}, above {threshold:g}).")
    if arm_follow is None:
        return head + (" A within-arm change from an unusual start can partly be regression to the mean; only a "
                       f"comparison with {control} adjusted for baseline separates the two.")
    toward = (arm_follow[0] - arm_base[0]) * d < 0
    if toward:
        return head + (f" Its change to {with_unit(_number(*arm_follow), unit)} is in the direction of "
                       f"{control}'s level: part of it can be regression to the mean, which only a comparison "
                       f"with {control} adjusted for baseline would separate from an effect of treatment.")
    return head + (f" Its change to {with_unit(_number(*arm_follow), unit)} moves away from {control}'s level, "
                   "so regression to the mean does not explain it; the arms still started apart.")
