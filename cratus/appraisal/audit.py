"""Automated consistency checks on the numbers the paper prints (the checks; their display is
:mod:`cratus.appraisal.audit_display`).

Each check returns a tidy frame with one row per comparison: ``check,
endpoint, level, arm, visit, status`` (``pass``, ``fail`` or
``not_checkable``), ``expected, reported, explanation``.  ``expected`` and
``reported`` are text, because some are intervals.  :func:`run_audit` stacks
them into one table a reader can sort.

Printed numbers are rounded, so a check passes when the printed value is
reachable from the other printed values given that rounding (a printed 1.2
stands for anything in [1.15, 1.25]).
"""

from __future__ import annotations

import math

import pandas as pd

from cratus.appraisal.audit_numbers import (  # noqa: F401 - the audit's public names
    AUDIT_COLUMNS, INTEGER_SCALES_FACT, _frame, _row, check_grim, check_integer_scores, check_pooled_totals,
    parse_scales, pooled_total_interval)
from cratus.study.design import TOTAL
from cratus.formatting import format_number, round_half_up
from cratus.study.discrepancies import NOT_CONTRADICTIONS, is_consistent_rounding, kind_words
from cratus.study.model import ADVERSE_EVENT_TOTALS
from cratus.stats.within_arm import PLAUSIBLE_RHO, VERDICTS, VERY_UNLIKELY


#: Status given to each kind of curated discrepancy (data/discrepancies.csv).
DISCREPANCY_STATUS = {"consistent_rounding": "pass", "ambiguous": "not_checkable"}


def check_totals(summary, arms, statistics=("count", "n"), names=None):
    """Check that each printed total equals the sum of the arms.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    arms : sequence of str
        The study's arms (:attr:`cratus.study.design.Design.arm_ids`).
    statistics : tuple of str
        Which statistics are additive.
    names : dict, optional
        Display names of the arms, for the explanation.

    Returns
    -------
    pandas.DataFrame
        Audit rows, one per printed total.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "sex", "level": "male",
    ...     "arm": ["100M", "200M", "placebo", "total"], "visit": "baseline",
    ...     "statistic": "count", "value": [6.0, 6, 6, 18], "source": "Table 1"})
    >>> check_totals(s, ["100M", "200M", "placebo"])[["status", "expected", "reported"]]
      status expected reported
    0   pass       18       18
    """
    rows, names = [], names or {}
    arm_sum = " + ".join(names.get(a, a) for a in arms)
    totals = summary[(summary["arm"] == TOTAL) & summary["statistic"].isin(statistics)]
    for _, total in totals.iterrows():
        same = ((summary["endpoint"] == total["endpoint"]) & (summary["visit"] == total["visit"])
                & (summary["statistic"] == total["statistic"]) & summary["arm"].isin(arms)
                & (summary["level"].fillna("") == ("" if pd.isna(total["level"]) else total["level"])))
        found = summary[same].drop_duplicates("arm")
        args = ("sum of arms", total["endpoint"], TOTAL, total["visit"])
        if len(found) < len(arms):
            missing = [names.get(a, a) for a in arms if a not in set(found["arm"])]
            rows.append(_row(*args, "not_checkable", "", format_number(total["value"]),
                             f"arm(s) {', '.join(missing)} not printed", total["level"]))
            continue
        expected = found["value"].sum()
        ok = math.isclose(expected, total["value"])
        rows.append(_row(*args, "pass" if ok else "fail", format_number(expected),
                         format_number(total["value"]),
                         f"{total['statistic']} of the total column ({total['source']}) "
                         f"{'equals' if ok else 'differs from'} {arm_sum}", total["level"]))
    return _frame(rows)


def _percent_status(expected, reported, decimals, accept):
    candidates = {"half_up": round_half_up(expected, decimals),
                  "floor": math.floor(expected * 10**decimals + 1e-9) / 10**decimals}
    matched = [name for name in accept if math.isclose(candidates[name], reported)]
    text = f"{expected:.2f}% rounds to {format_number(candidates['half_up'], decimals)}%"
    if matched:
        return "pass", f"{text}; printed value matches ({', '.join(matched)})"
    if math.isclose(candidates["floor"], reported):
        return "fail", f"{text}; the printed value is truncated, not rounded"
    return "fail", f"{text}; the printed value does not match"


def check_percentages(summary, arm_sizes, decimals=0, accept=("half_up", "floor"), events_levels=("events",)):
    """Check printed percentages against count / n.

    n is the endpoint's own ``n`` row for that arm and visit, else the arm
    size (*arm_sizes*, from :meth:`cratus.study.model.Study.n_per_arm`).  Rows whose level is in ``events_levels``
    (Table 2's event totals) are percentages of the arm's events, so 100%.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    decimals : int
        Decimals of the printed percentages.
    accept : tuple of {"half_up", "floor"}
        Rounding conventions accepted as a pass.
    events_levels : tuple of str
        Levels whose percentage is of events, not patients.

    Returns
    -------
    pandas.DataFrame
        Audit rows, one per printed percentage.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "ethnicity", "ethnicity"],
    ...     "level": [None, "hispanic", "hispanic"], "arm": "total",
    ...     "visit": "baseline", "statistic": ["n", "count", "percent"],
    ...     "value": [30.0, 4, 13], "source": "Table 1"})
    >>> check_percentages(s, {"total": 30.0})[["status", "expected", "reported"]]
      status expected reported
    0   pass       13       13
    """
    sizes = arm_sizes
    level = summary["level"].fillna("")
    rows = []
    for _, pct in summary[summary["statistic"] == "percent"].iterrows():
        key = ((summary["endpoint"] == pct["endpoint"]) & (summary["arm"] == pct["arm"])
               & (summary["visit"] == pct["visit"]))
        count = summary[key & (level == ("" if pd.isna(pct["level"]) else pct["level"]))
                        & (summary["statistic"] == "count")]
        own_n = summary[key & (summary["statistic"] == "n")]
        if pct["level"] in events_levels:
            n = count["value"].iloc[0] if len(count) else math.nan
        else:
            n = own_n["value"].iloc[0] if len(own_n) else sizes.get(pct["arm"], math.nan)
        args = ("percent = count / n", pct["endpoint"], pct["arm"], pct["visit"])
        if count.empty or not n > 0:
            rows.append(_row(*args, "not_checkable", "", format_number(pct["value"]),
                             "count or n not printed", pct["level"]))
            continue
        expected = 100 * count["value"].iloc[0] / n
        status, why = _percent_status(expected, pct["value"], decimals, accept)
        rows.append(_row(*args, status, format_number(round_half_up(expected, decimals), decimals),
                         format_number(pct["value"], decimals),
                         f"{format_number(count['value'].iloc[0])} / {format_number(n)}: {why}",
                         pct["level"]))
    return _frame(rows)


def check_adverse_events(adverse_events, arm_sizes, event_totals=None, decimals=0, accept=("half_up",)):
    """Recompute Table 2's percentages from its counts.

    ``events_percent`` is a term's events as a share of the arm's events;
    ``patients_percent`` is a share of the arm's N.  Only round-half-up is
    accepted by default because Table 2 itself rounds (one of six placebo
    events is printed 17% for five terms), so a truncated value breaks the
    table's own convention.

    Parameters
    ----------
    adverse_events : pandas.DataFrame
        ``soc, term, arm, events, patients, events_percent, patients_percent``.
    arm_sizes : dict
        ``{arm: N}``.
    event_totals : dict, optional
        Printed total events per arm (Table 2's Total row); by default the
        sum of the terms.  When given, the sum of the terms is checked against it.
    decimals : int
        Decimals of the printed percentages.
    accept : tuple of {"half_up", "floor"}
        Rounding conventions accepted.

    Returns
    -------
    pandas.DataFrame
        Audit rows; ``level`` holds the MedDRA term.

    Examples
    --------
    >>> ae = pd.DataFrame({"soc": "Vascular disorders", "term": ["Aneurysm", "Hypotension"],
    ...     "arm": "placebo", "events": 1, "patients": 1, "events_percent": [16, 17],
    ...     "patients_percent": 10})
    >>> res = check_adverse_events(ae, {"placebo": 10}, event_totals={"placebo": 6})
    >>> res = res[res["check"] == "events percent"].reset_index(drop=True)
    >>> res[["level", "status", "expected", "reported"]]
             level status expected reported
    0     Aneurysm   fail       17       16
    1  Hypotension   pass       17       17
    """
    needed = ["term", "arm", "events", "patients", "events_percent", "patients_percent"]
    missing = [c for c in needed if c not in adverse_events.columns]
    if missing:
        raise ValueError(f"adverse_events frame lacks column(s) {missing}")
    unknown = sorted(set(adverse_events["arm"]) - set(arm_sizes))
    if unknown:
        raise ValueError(f"arm {unknown[0]!r} has no size in arm_sizes")
    sums = adverse_events.groupby("arm")["events"].sum().to_dict()
    rows = []
    if event_totals is not None:
        for arm, printed in event_totals.items():
            found = sums.get(arm, 0)
            ok = math.isclose(found, printed)
            rows.append(_row("event total", ADVERSE_EVENT_TOTALS, arm, "", "pass" if ok else "fail",
                             format_number(found), format_number(printed),
                             f"the terms listed for {arm} add up to {format_number(found)} events; "
                             f"the Total row prints {format_number(printed)}", "Total"))
    totals = sums if event_totals is None else {**sums, **event_totals}
    for _, rec in adverse_events.iterrows():
        for check, count, pct, denominator, of in (
                ("patients percent", rec["patients"], rec["patients_percent"], arm_sizes[rec["arm"]], "patients"),
                ("events percent", rec["events"], rec["events_percent"], totals.get(rec["arm"], 0), "events")):
            args = (check, ADVERSE_EVENT_TOTALS, rec["arm"], "")
            if pd.isna(pct) or not denominator > 0:
                rows.append(_row(*args, "not_checkable", "", "" if pd.isna(pct) else format_number(pct),
                                 "percentage or denominator not printed", rec["term"]))
                continue
            expected = 100 * count / denominator
            status, why = _percent_status(expected, pct, decimals, accept)
            same = adverse_events[(adverse_events["arm"] == rec["arm"])
                                  & (adverse_events[of] == count)][f"{of}_percent"]
            others = sorted(set(same) - {pct})
            if status == "fail" and others:
                why += f"; other {rec['arm']} terms with the same count print {format_number(others[0])}%"
            rows.append(_row(*args, status, format_number(round_half_up(expected, decimals), decimals),
                             format_number(pct, decimals),
                             f"{format_number(count)} of {format_number(denominator)} {rec['arm']} {of}: {why}",
                             rec["term"]))
    return _frame(rows)


def check_discrepancies(discrepancies):
    """Turn the curated list of discrepancies into audit rows.

    Every curated discrepancy is a ``fail`` except the kinds in
    :data:`DISCREPANCY_STATUS`: consistent roundings (one value printed at two
    precisions) ``pass`` and an ambiguous sentence is ``not_checkable``.  Two
    printed values that can both be roundings of one value
    (:func:`cratus.formatting.consistent_roundings`, the audit's rounding
    rule) pass whatever kind the file gives them.

    Parameters
    ----------
    discrepancies : pandas.DataFrame
        ``id, endpoint, arm, visit, statistic, kind, version_a, location_a,
        version_b, location_b, shown, reason``.

    Returns
    -------
    pandas.DataFrame
        Audit rows; ``check`` is "curated: <kind in words>", ``level`` the id,
        ``expected``/``reported`` the two versions.

    Examples
    --------
    >>> d = pd.DataFrame({"id": ["D03"], "endpoint": ["tnf_alpha_bcell"], "arm": ["200M"],
    ...     "visit": ["month6"], "statistic": ["p_value"], "kind": ["contradiction"],
    ...     "version_a": ["p = .002"], "location_a": ["Abstract"], "version_b": ["p = .001"],
    ...     "location_b": ["Results"], "shown": ["p = .001"], "reason": ["differ"]})
    >>> check_discrepancies(d)[["check", "status", "expected", "reported"]]
                        check status  expected  reported
    0  curated: contradiction   fail  p = .002  p = .001
    """
    rows = []
    for _, rec in discrepancies.fillna("").iterrows():
        kind, why = str(rec["kind"]), ""
        if is_consistent_rounding(rec) and kind not in NOT_CONTRADICTIONS:
            # the one rounding rule overrules the file: one value printed at two precisions is no contradiction
            kind, why = "consistent_rounding", "Both printed values can be roundings of one value. "
        rows.append(_row(f"curated: {kind_words(kind)}", rec["endpoint"], rec["arm"], rec["visit"],
                         DISCREPANCY_STATUS.get(kind, "fail"), str(rec["version_a"]),
                         str(rec["version_b"]),
                         f"{rec['location_a']} vs {rec['location_b']}: {why}{rec['reason']} "
                         f"Shown: {rec['shown']}.", rec["id"]))
    return _frame(rows)


def check_within_arm_p_values(results):
    """Can each printed within-arm p-value come from a paired t-test (an assumption) on the printed mean ± SD?

    *results* is :func:`cratus.stats.within_arm.back_calculate_all`: the pre–post
    correlation each p-value needs, judged as a sample correlation of n pairs
    (:func:`cratus.stats.within_arm.judge_correlation`).  Fail when no r reproduces
    the p-value, or when the r it needs is very unlikely (probability below
    :data:`cratus.stats.within_arm.VERY_UNLIKELY`) under every plausible true
    correlation; the probability is shown with every verdict.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> from cratus.appraisal.views import within_arm_back_calculation
    >>> rows = check_within_arm_p_values(within_arm_back_calculation(load_study()))
    >>> rows.query("endpoint == 'tnf_alpha_bcell' and arm == '200M'")["status"].tolist()
    ['fail']
    >>> rows.query("endpoint == 'six_minute_walk' and arm == '100M'")["status"].tolist()
    ['pass']
    """
    from cratus.appraisal.text import correlation_needed, describe_back_calculation, probability_text

    rows = []
    expected = (f"a sample r of n pairs not very unlikely (P ≥ {VERY_UNLIKELY:g}) for a true ρ from "
                f"{PLAUSIBLE_RHO[0]:g} to {PLAUSIBLE_RHO[1]:g}")
    for r in results.to_dict("records"):
        rows.append(_row("paired p reproducible", r["endpoint"], r["arm"], r["visit"], VERDICTS[r["verdict"]],
                         expected, f"{r['verdict']}: " + ("no r from −1 to 1" if r["verdict"] == "impossible"
                                                          else f"r {correlation_needed(r)}; P = {probability_text(r)}"),
                         describe_back_calculation(r)))
    return _frame(rows)


def event_totals(summary, arms, endpoint=ADVERSE_EVENT_TOTALS):
    """Printed total events per arm (the ``events`` count rows of the adverse-event totals), or None."""
    rows = summary[(summary["endpoint"] == endpoint) & (summary["level"] == "events")
                   & (summary["statistic"] == "count") & summary["arm"].isin(arms)]
    return rows.drop_duplicates("arm").set_index("arm")["value"].to_dict() or None


def run_audit(study, within=None):
    """Run every check on a study and stack the results into one sortable table.

    Parameters
    ----------
    study : cratus.study.model.Study
        Arm sizes from :meth:`~cratus.study.model.Study.n_per_arm`, integer scales
        from the fact :data:`INTEGER_SCALES_FACT`, the adverse events,
        discrepancies and (with *within*) the within-arm back-calculation.
    within : pandas.DataFrame, optional
        :func:`cratus.stats.within_arm.back_calculate_all` of the study.

    Returns
    -------
    pandas.DataFrame
        ``check, endpoint, level, arm, visit, status, expected, reported,
        explanation``.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> audit = run_audit(load_study())
    >>> sorted(set(audit["status"]))
    ['fail', 'not_checkable', 'pass']
    """
    summary, design, sizes = study.summary, study.design, study.n_per_arm()
    names = {a: design.short(a) for a in design.arm_ids}
    parts = [check_totals(summary, design.arm_ids, names=names), check_percentages(summary, sizes),
             check_pooled_totals(summary, {a: sizes[a] for a in design.arm_ids if a in sizes}),
             check_integer_scores(summary, sizes, parse_scales(study.fact(INTEGER_SCALES_FACT)))]
    if len(study.adverse_events):
        parts.append(check_adverse_events(study.adverse_events, sizes, event_totals(summary, design.arm_ids)))
    if within is not None:
        parts.append(check_within_arm_p_values(within))
    if len(study.discrepancies):
        parts.append(check_discrepancies(study.discrepancies))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else _frame([])
