"""The bottom line (:mod:`cratus.reading.verdicts`) as tables and sentences for the pages, the deck and the report."""

from __future__ import annotations

import pandas as pd

from cratus.reading import verdicts as reading
from cratus.tables.safety_statements import safety_line
from cratus.study.model import Study

#: What each verdict means, in words, shown under the bottom-line table.
VERDICT_MEANINGS = {
    reading.DIFFERS_SURVIVES: "an arm differs from the control arm (p < .05), and still does after a Holm "
                              "adjustment across all of the study's p-values",
    reading.DIFFERS_NOT_SURVIVES: "an arm differs from the control arm (p < .05), but not after the Holm adjustment",
    reading.ARMS_DIFFER_SURVIVES: "a comparison among all arms has p < .05 and survives the Holm adjustment",
    reading.ARMS_DIFFER_NOT_SURVIVES: "a comparison among all arms has p < .05, but not after the Holm adjustment",
    reading.WITHIN_NO_DIFFERENCE: "an arm changed from its own baseline (p < .05), but the reported comparison of "
                                  "arms is not significant",
    reading.WITHIN_ONLY: "an arm changed from its own baseline (p < .05); no comparison with the control arm was "
                         "reported, so this is not evidence that the treatment works better than the control",
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
    >>> t.loc["B-cell intracellular TNF-α", "Reading"]
    'differs from Placebo (100M and 200M), survives Holm'
    """
    table = reading.bottom_line(study, alpha)
    return pd.DataFrame({
        "Endpoint": table["label"] + table["population"].map(lambda p: f" ({p})" if p else ""),
        "Reading": table["verdict"],
        "Reported within each arm": table["within_arm"],
        "Compared with the control arm": table["vs_control"],
        "After Holm adjustment": table["holm"],
        "Clinically important difference": table["mcid"],
        "Caveats": table["caveats"],
    })


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
    skipped = reading.NO_TEST if study.has_printed_sources else reading.WORDS_ONLY
    for template, meaning in VERDICT_MEANINGS.items():
        if template == skipped:
            continue
        text = template.format(control=control, arms="an arm")
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
