"""Treatment-emergent adverse events by system organ class and preferred term, from patient-level data.

Subjects with at least one event are counted once per row (any event, a system organ class, a preferred
term), as n (%) of the arm's N (the subjects of the safety population in the arm) with the exact
(Clopper–Pearson) 95% interval of the proportion (``statsmodels.stats.proportion.proportion_confint``,
``method="beta"``).  Classes, and terms within a class, are sorted by how many subjects of all arms had one,
then by name.  Events are the treatment-emergent ones where the data flag them (ADaM ``TRTEMFL``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from cratus.formatting import fixed_half_up
from cratus.study.design import TOTAL
from cratus.tables.characteristics import population_words

ANY_EVENT = "Subjects with at least one event"


@dataclass(frozen=True)
class TeaeTable:
    """The table's rows of display text and what a reader needs to read it."""

    frame: pd.DataFrame  # "System organ class / preferred term", one column per arm ("<arm> (N = n)")
    counts: pd.DataFrame  # long: row, soc, term, arm, n_subjects, n, ci_low, ci_high
    footnotes: tuple[str, ...]


def cell(k: int, n: int, low: float, high: float) -> str:
    """``"12 (14.0%) [7.4, 23.1]"``: subjects, percent of N and the exact 95% interval in percent.

    Examples
    --------
    >>> lo, hi = proportion_confint(0, 10, method="beta")
    >>> cell(0, 10, lo, hi)
    '0 (0.0%) [0.0, 30.8]'
    >>> cell(0, 0, np.nan, np.nan)
    'not computable (N = 0)'
    """
    if n == 0:
        return "not computable (N = 0)"
    return f"{k} ({fixed_half_up(100 * k / n, 1)}%) [{fixed_half_up(100 * low, 1)}, {fixed_half_up(100 * high, 1)}]"


def select_events(events: pd.DataFrame, serious_only: bool = False, related_only: bool = False,
                  severities=None) -> tuple[pd.DataFrame, list[str]]:
    """The treatment-emergent events that pass the filters, and sentences saying what was kept."""
    said = []
    if events["treatment_emergent"].notna().any():
        events = events[events["treatment_emergent"] == True]  # noqa: E712
        said.append("Treatment-emergent events as flagged in the data (TRTEMFL = 'Y').")
    else:
        said.append("Every event: the data flag no event as treatment-emergent or not.")
    if serious_only:
        events = events[events["serious"] == True]  # noqa: E712
        said.append("Serious events only.")
    if related_only:
        events = events[events["related"] == True]  # noqa: E712
        said.append("Events related to the study treatment only (as the investigator judged them).")
    if severities:
        events = events[events["severity"].isin(list(severities))]
        said.append(f"Severity: {', '.join(map(str, severities))}.")
    return events, said


def _rows(events: pd.DataFrame) -> list[tuple[str, str, str, set]]:
    """``(label, soc, term, subject ids)`` per row in order: any event, then classes and their terms by frequency."""
    rows = [(ANY_EVENT, "", "", set(events["usubjid"]))]
    soc_subjects = events.groupby("soc", observed=True)["usubjid"].agg(set)
    for soc in sorted(soc_subjects.index, key=lambda s: (-len(soc_subjects[s]), str(s))):
        rows.append((str(soc), str(soc), "", soc_subjects[soc]))
        in_soc = events[events["soc"] == soc]
        term_subjects = in_soc.groupby("term", observed=True)["usubjid"].agg(set)
        for term in sorted(term_subjects.index, key=lambda t: (-len(term_subjects[t]), str(t))):
            rows.append(("\u2003" + str(term), str(soc), str(term), term_subjects[term]))
    return rows


def teae_table(study, arms=None, serious_only: bool = False, related_only: bool = False, severities=None,
               total: bool = True, population: str = "") -> pd.DataFrame:
    """:func:`teae_counts`' table of display text."""
    return teae_counts(study, arms, serious_only, related_only, severities, total, population).frame


def teae_counts(study, arms=None, serious_only: bool = False, related_only: bool = False, severities=None,
                total: bool = True, population: str = "") -> TeaeTable:
    """Subjects with treatment-emergent adverse events by system organ class and preferred term, per arm, in the
    safety population (or *population*, among the subjects whose events were read: those of the safety one).

    Examples
    --------
    >>> from cratus.patient import read_patient_data, to_study
    >>> from cratus.patient.synthetic import synthetic_files
    >>> files = synthetic_files("long", seed=1)
    >>> t = teae_counts(to_study(read_patient_data(*files.values(), names=list(files))))
    >>> t.frame.iloc[0, 0], t.frame.columns[-1]
    ('Subjects with at least one event', 'Total (N = 30)')
    """
    data = study.patients
    design = study.design
    chosen = [a for a in design.order(arms if arms is not None else design.arm_ids) if a != TOTAL]
    safety = data.in_population("safety", population)
    subjects = safety[safety["arm"].isin(chosen)]
    arm_of = dict(zip(subjects["usubjid"], subjects["arm"]))
    events, _ = select_events(data.adverse_events, serious_only, related_only, severities)
    events = events[events["usubjid"].isin(arm_of)]
    groups = [(a, f"{design.label(a)} (N = {int((subjects['arm'] == a).sum())})",
               int((subjects["arm"] == a).sum())) for a in chosen]
    if total:
        # the total of the arms shown (its N says so); named as such when some are hidden
        name = "Total" if not design.hidden(chosen) else "Shown arms together"
        groups.append((TOTAL, f"{name} (N = {len(subjects)})", len(subjects)))
    long = []
    for i, (label, soc, term, ids) in enumerate(_rows(events)):
        for arm, header, n in groups:
            k = len(ids) if arm == TOTAL else sum(arm_of[s] == arm for s in ids)
            long.append({"i": i, "row": label, "soc": soc, "term": term, "arm": arm, "header": header, "n_subjects": k,
                         "n": n})
    counts = pd.DataFrame(long, columns=["i", "row", "soc", "term", "arm", "header", "n_subjects", "n"])
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = proportion_confint(counts["n_subjects"].to_numpy(), counts["n"].to_numpy(), method="beta")
    counts["ci_low"], counts["ci_high"] = np.asarray(low, float), np.asarray(high, float)
    counts["cell"] = [cell(k, n, lo, hi) for k, n, lo, hi in
                      zip(counts["n_subjects"], counts["n"], counts["ci_low"], counts["ci_high"])]
    frame = pd.DataFrame({"System organ class / preferred term": counts.groupby("i")["row"].first(),
                          **{h: counts[counts["header"] == h].set_index("i")["cell"] for _, h, _ in groups}})
    frame = frame.reset_index(drop=True)
    footnotes = teae_notes(study, serious_only, related_only, severities, population)
    return TeaeTable(frame, counts.drop(columns=["i", "header"]), footnotes)


def teae_notes(study, serious_only: bool = False, related_only: bool = False, severities=None,
               population: str = "") -> tuple[str, ...]:
    """The footnotes of :func:`teae_table`: population and N, which events, the statistic and the order."""
    data = study.patients
    _, said = select_events(data.adverse_events, serious_only, related_only, severities)
    words = population_words(data, "safety", population)
    own = data.populations is not None and population and population != data.populations.safety.rule
    return (
        f"Population: {words}; N is the number of its subjects in each arm, by the treatment received"
        + (f" (events are read for the safety population, {data.populations.safety.description}: a subject "
           "outside it has none counted)" if own else "") + ".",
        *said,
        "n (%) [95% CI]: subjects with at least one such event, counted once per row; percent of N; exact "
        "(Clopper–Pearson) 95% interval in percent.",
        "Sorted by the number of subjects with the event in all arms together, then by name.",
    )


def severity_levels(study) -> list[str]:
    """The severities the adverse events record, in the data's order of frequency."""
    severity = study.patients.adverse_events["severity"].dropna()
    return [str(s) for s in severity.value_counts().index]
