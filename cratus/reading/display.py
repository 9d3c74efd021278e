"""The bottom line (:mod:`cratus.reading.verdicts`) as tables and sentences for the pages, the deck and the report."""

from __future__ import annotations

import pandas as pd

from cratus.reading import verdicts as reading
from cratus.tables.safety_statements import safety_line
from cratus.study.model import Study

#: What each verdict means, in words, shown under the bottom-line table.
VERDICT_MEANINGS = {
    reading.DIFFERS_SURVIVES: "an arm differs from the control arm (p < .05), and still does after a Holm "
                              "adjustment over the study's efficacy p-values",
    reading.CONTESTED: "an arm differs from the control arm by the p-values shown, but those p-values are in doubt "
                       "(the source prints others for the same comparison, or they cannot come from the test "
                       "assumed); the reasons are given next to the reading, most important first",
    reading.DIFFERS_NOT_SURVIVES: "an arm differs from the control arm (p < .05), but not after the Holm adjustment",
    reading.ARMS_DIFFER_SURVIVES: "a comparison among all arms has p < .05 and survives the Holm adjustment",
    reading.ARMS_DIFFER_NOT_SURVIVES: "a comparison among all arms has p < .05, but not after the Holm adjustment",
    reading.WITHIN_NO_DIFFERENCE: "an arm changed from its own baseline (p < .05), but the reported comparison of "
                                  "arms is not significant",
    reading.WITHIN_ONLY: "an arm changed from its own baseline (p < .05); no comparison with the control arm was "
                         "reported, so this is not evidence that the treatment works better than the control",
    reading.WITHIN_STATED: "an arm changed from its own baseline (p < .05); the source states in words that the "
                           "groups did not differ, without printing a p-value for that comparison",
    reading.NO_CHANGE_STATED: "no arm changed significantly from its own baseline, and the source states in words "
                              "that the groups did not differ (no p-value printed)",
    reading.STATED_ONLY: "the source gives no numbers and no p-value, only a sentence, quoted next to the reading",
    reading.NO_DIFFERENCE: "only comparisons between arms were reported, none with p < .05 (which does not show "
                           "the arms are equal)",
    reading.NO_CHANGE: "only within-arm p-values were reported, none below .05",
    reading.WORDS_ONLY: "the source describes the endpoint in words, without numbers or a p-value",
    reading.NO_TEST: "computed from patients, with no test computed for the visits compared",
}


def bottom_line_table(study: Study, alpha: float = 0.05) -> pd.DataFrame:
    """One row per efficacy endpoint with human column names (Overview, report, deck).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = bottom_line_table(load_study()).set_index("Endpoint")
    >>> t.loc["6-minute walk distance", "Reading"]
    'within-arm change in 100M; the paper states no difference between groups, no p-value printed. Direction: rose in 100M: an improvement (higher is better).'
    """
    table = reading.bottom_line(study, alpha)
    return pd.DataFrame({
        "Endpoint": table["label"] + table["population"].map(lambda p: f" ({p})" if p else ""),
        "Reading": [reading_text(r) for r in table.to_dict("records")],
        "Reported within each arm": table["within_arm"],
        "Compared with the control arm": table["vs_control"],
        "After Holm adjustment": table["holm"],
        "Clinically important difference": table["mcid"],
        "Stated in words (no p-value)": table["stated"],
        "Caveats": table["caveats"],
    })


def reading_text(row: dict) -> str:
    """A bottom-line row's reading in one text: the verdict, why it is contested (most important reason first),
    the contradictions about the p-values it rests on, and the direction of the change, in words."""
    parts = [row["verdict"]]
    if row.get("contested"):
        parts.append(f"In doubt because: {row['contested']}")
    if row.get("disputed"):
        parts.append(f"⚠ Rests on a p-value the paper contradicts or leaves unclear: {row['disputed']}")
    if row.get("direction"):
        parts.append(f"Direction: {row['direction']}")
    text = ". ".join(part.rstrip(". ") for part in parts)
    return text + "." if len(parts) > 1 else text


def verdict_vocabulary(study: Study) -> str:
    """The verdict vocabulary as a Markdown list, with the study's control arm named.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> "no comparison with Placebo reported" in verdict_vocabulary(load_study())
    True
    """
    design = study.design
    control = design.short(design.control) if design.control else "the control arm"
    lines = []
    # the words-only reading exists for a printed source; a study computed from patients has "no test computed"
    # and the readings of words and printed copies (stated, contested) exist only for a printed source
    skipped = {reading.NO_TEST} if study.has_printed_sources else {
        reading.WORDS_ONLY, reading.STATED_ONLY, reading.WITHIN_STATED, reading.NO_CHANGE_STATED, reading.CONTESTED}
    for template, meaning in VERDICT_MEANINGS.items():
        if template in skipped:
            continue
        text = template.format(control=control, arms="an arm", words="what the source states")
        lines.append(f"- *{text}*: {meaning}.")
    return "\n".join(lines)


def safety_summary(study: Study) -> pd.DataFrame:
    """:func:`cratus.tables.safety_statements.safety_line`, or an empty frame for a study without a primary safety endpoint.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> safety_summary(load_study())["upper"].round(3).tolist()[-1]   # 0 of 20 active-arm patients
    0.168
    """
    try:
        return safety_line(study)
    except ValueError:
        return pd.DataFrame(columns=["group", "label", "patients", "n", "percent", "upper", "sentence"])


def contested_notes(study: Study, alpha: float = 0.05) -> list[str]:
    """One note per contested reading: the endpoint, the reading and why it is in doubt, most important first.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> contested_notes(load_study())[0][:80]
    '**B-cell intracellular TNF-α — contested: differs from Placebo (100M and 200M) o'
    """
    table = reading.bottom_line(study, alpha)
    return [f"**{r['label']} — {r['verdict']}.** {r['contested']}" for r in table.to_dict("records") if r["contested"]]


def stated_notes(study: Study, alpha: float = 0.05) -> list[str]:
    """Each result the source states in words only, once, with the endpoints it covers and its quote.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> stated_notes(load_study())[0][:100]
    '6-minute walk distance, SPPB total score, CHAMPS caloric expenditure, FEV1, CD69+ T cells (early act'
    """
    from cratus.words import join

    efficacy = [e for _, e in reading.efficacy_endpoints(study)]
    grouped: dict[tuple, list[str]] = {}
    for statement in getattr(study, "statements", ()):
        if statement.is_result and statement.endpoint in efficacy:
            grouped.setdefault((statement.words(), statement.quote, statement.source), []).append(
                study.label(statement.endpoint))
    return [f"{join(labels)}: {words} — “{quote}” ({source})" for (words, quote, source), labels in grouped.items()]
