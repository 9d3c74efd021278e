"""The words around a figure: the outcome definition, the summary sentence and the grid's note.

Every p-value is named for what it compares ("within 100M, 6 months vs
baseline"); a panel whose study reports no comparison with the control arm
says so, so a within-arm change is never read as an effect against control.
Values are described, never judged ("improved", "rose … (p = …)").
"""

from __future__ import annotations

import pandas as pd

from cratus.figures.change import FALLBACK_R, IMPLIED, describe_correlation
from cratus.figures.panel_data import FULL_POPULATION, KINDS, clean, endpoint_info, subgroup_n
from cratus.words import capitalise, join, lower_label, mid_sentence, visit_adjective, with_unit
from cratus.formatting import NOT_REPORTED, format_number
from cratus.study.provenance import _records


def contested_of(study, endpoint: str) -> str:
    """:func:`cratus.reading.verdicts.contested_of` (imported when asked: the reading builds on the figures' data)."""
    from cratus.reading.verdicts import contested_of as reasons

    return reasons(study, endpoint)



def n_phrase(study, info: dict, arms=None) -> str:
    """``"n = 4 per arm"`` for a panel whose population is not the full arm; ``""`` otherwise.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> n_phrase(study, {"population": "female patients only", "subgroup": "sex=female"})
    'n = 4 per arm'
    >>> n_phrase(study, {"population": FULL_POPULATION, "subgroup": ""})
    ''
    """
    if not info.get("subgroup") and info.get("population", FULL_POPULATION) == FULL_POPULATION:
        return ""
    counts = subgroup_n(study, info.get("subgroup", ""))
    design = study.design
    arms = [a for a in dict.fromkeys(arms or design.arm_ids) if a in counts]   # callers may pass one per visit
    if not arms:
        return ""
    values = [counts[a] for a in arms]
    if len(set(values)) == 1:
        return f"n = {format_number(values[0])} per arm"
    return "n = " + ", ".join(f"{format_number(counts[a])} ({design.short(a)})" for a in arms)


def _population(study, info: dict, arms=None) -> str:
    if not study.has_printed_sources and not info.get("subgroup"):
        data = getattr(study, "patients", None)
        analysis = "safety" if info.get("role") == "safety" else "efficacy"  # the endpoint's own population
        if data is not None and getattr(data, "populations", None) is not None:
            chosen = data.populations.of(analysis)
            population = f"{analysis} population, {chosen.description} (N = {chosen.n}),"
        else:
            population = study.fact("population") or "the analysis population"
        return f"{population} with a value at the time point (n per arm and visit in the table)"
    n = n_phrase(study, info, arms)
    return f"{info['population']} ({n})" if n else info["population"]


def _absent(study) -> str:
    """Why a cell has no value: the text does not report it (a paper), or no patient has one (patient data)."""
    return NOT_REPORTED if study.has_printed_sources else "not in the data (no patient with a value)"


def _visit_phrase(design, visit: str) -> str:
    return mid_sentence(design.visit_label(visit))


def outcome_definition(study, endpoint: str, metric: str = "value", visits=None,
                       correlation: float | None = None, interval: str = "ci") -> str:
    """Define the plotted outcome, after the CONSORT-Outcomes 2022 items.

    States the measure and its unit, the metric (value at a time point, or
    change from baseline), the summary, the time points, and who was
    measured (with n when that is not every participant of an arm).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> print(outcome_definition(study, "sqol_f", "value", ["baseline", "month6"]))
    ... # doctest: +NORMALIZE_WHITESPACE
    SQOL-F (points); value at each time point; mean ± SD per arm; time points: baseline,
    6 months; measured in female patients only (n = 4 per arm).
    >>> print(outcome_definition(study, "sqol_f", "change", ["baseline", "month6"], correlation=0.5))
    ... # doctest: +NORMALIZE_WHITESPACE
    SQOL-F (points); change from baseline to 6 months (difference of the arm's reported
    means); mean change with 95% CI, assuming pre–post correlation r = 0.5 and every
    participant measured at both visits; time points: baseline, 6 months; measured in
    female patients only (n = 4 per arm).
    """
    design = study.design
    info = endpoint_info(study, endpoint)
    kind = info["summary"] if info["summary"] in KINDS else "mean_sd"
    measure = f"{info['label']} ({info['unit']})" if info["unit"] else info["label"]
    chosen = design.order_visits(visits if visits is not None else design.visit_ids)
    baseline = design.baseline
    if metric == "change":
        follow = [v for v in chosen if v != baseline] or [design.follow_up]
        to = " and ".join(_visit_phrase(design, v) for v in follow)
        how = f"change from {_visit_phrase(design, baseline)} to {to} (difference of the arm's reported " \
              f"{KINDS[kind]['word']}s)"
        if kind != "mean_sd":
            summary = "no interval (a difference of medians is not a median change)"
        elif correlation is None:
            summary = "no interval (the text gives no SD of the change)"
        elif correlation == IMPLIED:
            what = "± SD of change (not a CI)" if interval == "sd" else "95% CI"
            summary = (f"mean change with {what}, using the pre–post correlation each arm's within-arm p "
                       f"implies (assuming a paired t-test; r = {FALLBACK_R:g} where none is implied) and every "
                       "participant measured at both visits")
        elif interval == "sd":
            summary = ("mean change ± SD of change (not a CI), assuming pre–post correlation "
                       f"r = {float(correlation):g}")
        else:
            summary = (f"mean change with 95% CI, assuming pre–post correlation r = {float(correlation):g} and "
                       "every participant measured at both visits")
        points = [baseline, *follow]
    else:
        how = "value at each time point"
        summary = f"{KINDS[kind]['label']} per arm"
        points = chosen
    times = ", ".join(_visit_phrase(design, v) for v in points)
    return f"{measure}; {how}; {summary}; time points: {times}; measured in {_population(study, info)}."


def within_phrase(design, arm: str, p: str, visit: str | None = None) -> str:
    """``"within 100M, 6 months vs baseline, p = .011"``."""
    follow = _visit_phrase(design, visit or design.follow_up)
    return f"within {mid_sentence(design.short(arm))}, {follow} vs {_visit_phrase(design, design.baseline)}, {p}"


def _p_clause(design, rows: list[dict]) -> str:
    texts = [within_phrase(design, r["arm"], r["p_within"], r["visit"] if r["metric"] == "change" else None)
             for r in rows if clean(r["p_within"])]
    return f" ({'; '.join(texts)})" if texts else ""


def _control_clause(study, records: list[dict], contested: bool = False) -> str:
    """What the study reports against the control arm for this panel (said to be contested when it is), or that
    it reports nothing."""
    design = study.design
    control = design.control
    if control is None:
        return ""
    name = mid_sentence(design.short(control))
    tests = {r["arm"]: r["p_vs_control"] for r in records if clean(r["p_vs_control"])}
    if tests:
        visit = _visit_phrase(design, design.follow_up)
        text = " ".join(f"{design.short(a)} vs {name} at {visit}: {p}." for a, p in tests.items())
        return text + (" These p-values are contested." if contested else "")
    stated = [x for x in getattr(study, "statements", ()) if x.endpoint == records[0].get("endpoint") and x.between_arms]
    if stated:
        return f"No p-value against {name} was printed; {stated[0].words().split(';')[0]} (“{stated[0].quote}”, " \
               f"{stated[0].source})."
    if any(clean(r["p_within"]) for r in records):
        return f"No comparison with {name} was reported."
    return ""


def _changes(study, info, subject, records, cells, arms, visits) -> list[str]:
    design, unit = study.design, info["unit"]
    clauses, missing = [], {}
    for visit in visits:
        for arm in arms:
            r = cells[(arm, visit)]
            if r["reported"]:
                clauses.append(f"{with_unit(r['center_text'], unit)} in the {mid_sentence(design.short(arm))} arm"
                               f"{_p_clause(design, [r])}")
            else:
                missing.setdefault(visit, []).append(r)
    to = join([_visit_phrase(design, v) for v in visits])
    what = "difference of medians" if info["summary"] == "median_iqr" else "change"
    parts = []
    if clauses:
        parts.append(f"The {what} in {lower_label(subject)} from {_visit_phrase(design, design.baseline)} to {to} "
                     f"was {join(clauses)}")
    for group in missing.values():
        names = join([mid_sentence(design.short(r["arm"])) for r in group])
        text = (f"the {what} for {names} cannot be computed because a value is {_absent(study)}"
                f"{_p_clause(design, group)}")
        parts.append(text if parts else f"For {lower_label(subject)}, {text}")
    return parts


def _before_after(study, info, subject, cells, arms) -> list[str]:
    design, unit = study.design, info["unit"]
    baseline, follow = design.baseline, design.follow_up
    clauses, groups = [], {}
    for arm in arms:
        before, after = cells[(arm, baseline)], cells[(arm, follow)]
        if before["reported"] and after["reported"]:
            clauses.append(f"{with_unit(before['center_text'], unit)} at {_visit_phrase(design, baseline)} and "
                           f"{with_unit(after['center_text'], unit)} at {_visit_phrase(design, follow)} in the "
                           f"{mid_sentence(design.short(arm))} arm{_p_clause(design, [after])}")
        else:
            gone = tuple(v for v, c in ((baseline, before), (follow, after)) if not c["reported"])
            groups.setdefault(gone, []).append(after)
    parts = [f"{subject} was {join(clauses)}"] if clauses else []
    for gone, group in groups.items():
        what = " and ".join(visit_adjective(design.visit_label(v)) for v in gone)
        names = join([mid_sentence(design.short(r["arm"])) for r in group])
        text = f"{what} values for {names} are {_absent(study)}{_p_clause(design, group)}"
        parts.append(text if parts else f"For {lower_label(subject)}, {text}")
    return parts


def _per_visit(study, info, subject, cells, arms, visits) -> list[str]:
    design, parts = study.design, []
    for visit in visits:
        shown = [cells[(a, visit)] for a in arms if cells[(a, visit)]["reported"]]
        absent = [mid_sentence(design.short(a)) for a in arms if not cells[(a, visit)]["reported"]]
        if shown:
            values = join([f"{with_unit(r['center_text'], info['unit'])} in the "
                           f"{mid_sentence(design.short(r['arm']))} arm" for r in shown])
            parts.append(f"at {_visit_phrase(design, visit)}, {lower_label(subject)} was {values}")
        if absent:
            parts.append(f"{visit_adjective(design.visit_label(visit))} values for {join(absent)} are "
                         f"{_absent(study)}")
    return parts


def figure_summary_sentence(study, panel_data: pd.DataFrame, endpoint: str) -> str:
    """Plain sentences that say what a panel shows and what each p-value compares.

    Examples
    --------
    >>> from cratus.figures.panel_data import endpoint_panel_data
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> panel = endpoint_panel_data(study, "six_minute_walk", ["100M", "200M", "placebo"], ["baseline", "month6"])
    >>> print(figure_summary_sentence(study, panel, "six_minute_walk"))  # doctest: +NORMALIZE_WHITESPACE
    6-minute walk distance was 345.9 m at baseline and 410.7 m at 6 months in the 100M arm (within 100M,
    6 months vs baseline, p = .011); 6-month values for 200M and placebo are not reported in the text
    (within 200M, 6 months vs baseline, p = .263; within placebo, 6 months vs baseline, p = .112).
    No p-value against placebo was printed; the paper states no difference between groups (“The lack of
    differences between groups, with the exception of intracellular TNF-α, is due to the study's small size
    which limits statistical power.”, Discussion).
    """
    design = study.design
    info = endpoint_info(study, endpoint)
    rows = panel_data[panel_data["endpoint"] == endpoint] if "endpoint" in panel_data.columns else panel_data
    if rows.empty:
        return f"No {info['label']} values are selected."
    records = _records(rows)
    if info["summary"] not in KINDS:
        info["summary"] = "median_iqr" if "median" in str(records[0]["statistic"]) else "mean_sd"
    label = info["label"]
    subject = label if info["summary"] == "mean_sd" else f"median {lower_label(label)}"
    arms = list(dict.fromkeys(r["arm"] for r in records))
    cells = {(r["arm"], r["visit"]): r for r in records}
    visits = list(dict.fromkeys(r["visit"] for r in records))
    if records[0]["metric"] == "change":
        parts = _changes(study, info, label, records, cells, arms, visits)
    elif design.baseline in visits and design.follow_up in visits:
        parts = _before_after(study, info, subject, cells, arms)
    else:
        parts = _per_visit(study, info, subject, cells, arms, visits)
    sentence = capitalise("; ".join(parts)) + "."
    shows_p = records[0]["metric"] == "change" or design.follow_up in visits
    control = _control_clause(study, records, bool(contested_of(study, endpoint))) if shows_p else ""
    return f"{sentence} {control}" if control else sentence


def grid_note(study, panels: list, metric: str, visits, correlation, interval: str = "ci") -> str:
    """The one-line note under a grid's title: what the points are, what p compares.

    Each panel's full outcome definition is printed under the chart by the
    page (:func:`outcome_definition`) and is the panel title's hover text.
    """
    design = study.design
    kinds = {info["summary"] for _, info in panels}
    if metric == "value":
        what = ("Mean ± SD per arm" if kinds == {"mean_sd"} else "Median (IQR) per arm"
                if kinds == {"median_iqr"} else "Mean ± SD or median (IQR) per arm, see each axis")
    else:
        follow = [v for v in design.order_visits(visits) if v != design.baseline] or [design.follow_up]
        words = "means" if kinds == {"mean_sd"} else "medians" if kinds == {"median_iqr"} else "centres"
        what = (f"Change from {_visit_phrase(design, design.baseline)} to "
                f"{join([_visit_phrase(design, v) for v in follow])} (difference of reported {words})")
        if correlation is not None and "mean_sd" in kinds:
            how = (describe_correlation(correlation) if correlation == IMPLIED
                   else f"assuming {describe_correlation(correlation)}")
            what += f"; {'95% CI' if interval == 'ci' else '± SD of change'} {how}"
    populations = {_population(study, info) for _, info in panels}
    if len(populations) == 1 and (population := populations.pop()) != FULL_POPULATION:
        what += f"; {population}"
    if any(r["p_within"] for rows, _ in panels for r in rows):
        what += (f"; p: {_visit_phrase(design, design.follow_up)} vs {_visit_phrase(design, design.baseline)}, "
                 "within arm")
    return what + "."


def interval_sentence(study, panel: pd.DataFrame) -> str:
    """Where a change panel's intervals come from, arm by arm, and where one disagrees with the printed test.

    Empty for a panel of values or one without intervals.  Shown next to the chart, so that an interval never
    sits beside a p-value it contradicts without a word.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> from cratus.figures.panel_data import endpoint_panel_data
    >>> s = load_study()
    >>> walk = lambda r: endpoint_panel_data(s, "six_minute_walk", ["100M"], ["baseline", "month6"], "change", r)
    >>> print(interval_sentence(s, walk("implied")))
    95% CI of the change: 100M with r = 0.96, implied by p = .011 (assuming a paired t-test).
    >>> print(interval_sentence(s, walk(0.5)))
    95% CI of the change assuming r = 0.5. ⚠ 100M: this 95% CI includes 0, but the paper prints p = .011 for the \
same change (the interval assumes r = 0.5); that p implies r = 0.96.
    """
    rows = panel[(panel["metric"] == "change") & panel["reported"] & panel["low"].notna()
                 & (panel["low"] != panel["high"])]
    if rows.empty:
        return ""
    design = study.design
    what = "95% CI of the change" if (rows["interval"] == "ci").all() else "± SD of the change"
    implied = rows["spread"].str.contains("implied by").any() or rows["interval_note"].str.startswith("assuming").any()
    if implied:
        parts = []
        for r in rows.to_dict("records"):
            if r["interval"] == "sd":   # "± SD of change (with r = …)"
                words = r["spread"].removeprefix("± SD of change (").removesuffix(")")
            else:                       # "95% CI with r = …, n = 10"
                words = r["spread"].removeprefix("95% CI ").rsplit(", n = ", 1)[0]
            parts.append(f"{design.short(r['arm'])} {words}")
        head = f"{what}: {'; '.join(parts)} (assuming a paired t-test)."
    else:
        head = f"{what} assuming r = {rows['correlation'].iloc[0]:g}."
    warnings = [f"⚠ {design.short(r['arm'])}: {r['interval_note']}." for r in rows.to_dict("records")
                if r["interval_note"].startswith("this 95% CI")]
    return " ".join([head, *warnings])
