"""The plain bottom line: three or four sentences a clinician reads in under a minute, without a table.

Safety (the primary safety endpoint's count and what its exact upper bound leaves open), efficacy (within-arm
changes are not differences from the control; which endpoint, if any, differs from the control, and whether
that is in doubt) and the study's own limitation, quoted.  The Overview shows them first and the deck closes
with them.  Built from the bottom line (:mod:`cratus.reading.verdicts`), the safety line
(:func:`cratus.tables.safety_statements.safety_line`) and the study's statements; a study computed from
patients gets none (its readings are computed, and it has no printed limitation to quote).
"""

from __future__ import annotations

from cratus.reading import verdicts as reading
from cratus.reading.contested import other_copies
from cratus.study.statements import of_finding
from cratus.words import join, lower_label

_WITHIN = (reading.WITHIN_ONLY, reading.WITHIN_STATED, reading.WITHIN_NO_DIFFERENCE)


def _matches(verdict: str, template: str) -> bool:
    head = template.split("{", 1)[0]
    return verdict.startswith(head) and (("{" in template) or verdict == template)


def safety_sentence(study) -> str:
    """The primary safety endpoint over all patients, and the exact upper bound of its rate in the active arms."""
    from cratus.reading.display import safety_summary

    line = safety_summary(study)
    if line.empty:
        return ""
    arms = line[line["group"] != "active"]
    active = line[line["group"] == "active"].iloc[0]
    patients, n = int(arms["patients"].sum()), int(arms["n"].sum())
    from cratus.tables.safety_statements import primary_safety_endpoint

    what = lower_label(study.label(primary_safety_endpoint(study)))
    head = f"Safety: {'none' if patients == 0 else patients} of the {n} patients had {what}"
    bound = (f"with {int(active['patients'])} of {int(active['n'])} in the treated arms, the data still allow a true "
             f"rate up to {100 * active['upper']:.1f}% (upper limit of the exact 95% Clopper–Pearson interval), so "
             "they rule out only a more frequent harm, not a rarer one.")
    return f"{head}; {bound}"


def efficacy_sentences(study, table) -> list[str]:
    """Within-arm changes are not differences from the control; what differs from it, and whether it is in doubt."""
    design = study.design
    control = design.short(design.control) if design.control else "the control arm"
    rows = table.to_dict("records")
    within = [r for r in rows if any(_matches(r["verdict"], t) for t in _WITHIN)]
    stated = [r for r in within if _matches(r["verdict"], reading.WITHIN_STATED)]
    differs = [r for r in rows if any(_matches(r["verdict"], t) for t in
                                      (reading.DIFFERS_SURVIVES, reading.DIFFERS_NOT_SURVIVES, reading.CONTESTED))]
    sentences = []
    if within:
        text = (f"Efficacy: {len(within)} endpoints changed within an arm against that arm's own baseline"
                f"{_directions(within)}; a change within an arm is not a comparison with {control}")
        if stated:
            text += (", and the paper states there was no difference between groups for "
                     + ("them" if len(stated) == len(within) else f"{len(stated)} of them"))
        sentences.append(text + ".")
    if not differs:
        sentences.append(f"No endpoint is shown to differ from {control}.")
        return sentences
    parts = []
    for r in differs:
        if _matches(r["verdict"], reading.CONTESTED):
            p_rows = [x for x in reading._endpoint_p_values(study, r["endpoint"]) if x["comparison"] == "vs_control"]
            why = ("whose p-values the paper itself contradicts" if other_copies(study, p_rows)
                   else "whose p-values are in doubt")
            parts.append(f"{r['label']} ({why})")
        else:
            parts.append(f"{r['label']} ({r['verdict']})")
    sentences.append(f"A difference from {control} is reported only for {join(parts)}.")
    return sentences


def _directions(within: list[dict]) -> str:
    """`` — 9 toward improvement (for example, …) and 1 toward worsening (…)``: a worsening is never left out."""
    def example(rows):
        r = rows[0]
        return f"{lower_label(r['label'])} {r['direction'].split(':')[0]}"

    better = [r for r in within if "an improvement" in r["direction"] and "a worsening" not in r["direction"]]
    worse = [r for r in within if "a worsening" in r["direction"]]
    parts = []
    if better:
        parts.append(f"{len(better)} toward improvement (for example, {example(better)})")
    if worse:
        named = "; ".join(f"{lower_label(r['label'])} {r['direction'].split(':')[0]}" for r in worse)
        parts.append(f"{len(worse)} toward worsening ({named})")
    return " — " + " and ".join(parts) if parts else ""


def limitation_sentence(study) -> str:
    found = of_finding(getattr(study, "statements", ()), "limitation")
    if not found:
        return ""
    s = found[0]
    return f"The trial's own limitation: “{s.quote}” ({s.source})."


def plain_bottom_line(study, alpha: float = 0.05) -> list[str]:
    """Three or four sentences: safety, efficacy and the study's own limitation (empty for patient data).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> for sentence in plain_bottom_line(load_study()):
    ...     print(sentence)  # doctest: +NORMALIZE_WHITESPACE
    Safety: none of the 30 patients had treatment-emergent serious adverse events within 30 days (primary
    endpoint); with 0 of 20 in the treated arms, the data still allow a true rate up to 16.8% (upper limit of the
    exact 95% Clopper–Pearson interval), so they rule out only a more frequent harm, not a rarer one.
    Efficacy: 10 endpoints changed within an arm against that arm's own baseline — 9 toward improvement (for
    example, 6-minute walk distance rose in 100M) and 1 toward worsening (CHAMPS caloric expenditure fell in 200M
    and Placebo); a change within an arm is not a comparison with Placebo, and the paper states there was no
    difference between groups for them.
    A difference from Placebo is reported only for B-cell intracellular TNF-α (whose p-values the paper itself
    contradicts).
    The trial's own limitation: “This study is limited by a small sample size. The lack of differences between
    groups, with the exception of intracellular TNF-α, is due to the study's small size which limits statistical
    power.” (Discussion).
    """
    if not study.has_printed_sources:
        return []
    table = reading.bottom_line(study, alpha)
    sentences = [safety_sentence(study), *efficacy_sentences(study, table), limitation_sentence(study)]
    return [s for s in sentences if s]
