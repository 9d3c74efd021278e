"""Safety tables from a :class:`~cratus.study.model.Study`: adverse events by organ class, categorical safety
outcomes (e.g. antibody categories), hospitalizations, and endpoints reported only as p-values.

Builders return DataFrames of display strings; percentages are rounded half up,
as papers print them (1 of 6 → 17%).
"""

from __future__ import annotations

import math

import pandas as pd

from cratus.tables.baseline import arm_header
from cratus.study.design import ALL_ARMS, TOTAL
from cratus.formatting import NOT_REPORTED, format_p, round_half_up
from cratus.study.provenance import select_p_values
from cratus.study.model import ADVERSE_EVENT_TOTALS, Study
from cratus.study.statements import about
from cratus.reading.contested import unclear_comparison

FIRST_COLUMN = "System organ class / preferred term"


def _percent(numerator: float, denominator: float) -> str:
    if not denominator:
        return ""
    return f"{round_half_up(100 * numerator / denominator):.0f}%"


def _term_cells(block: pd.DataFrame, arm: str, events_by_arm, n_by_arm, short: str, notes: list) -> tuple[str, str]:
    per_arm = block.set_index("arm")
    if arm == TOTAL:
        events, patients = int(block["events"].sum()), int(block["patients"].sum())
    else:
        events = int(per_arm["events"].get(arm, 0))
        patients = int(per_arm["patients"].get(arm, 0))
    computed = _percent(events, events_by_arm[arm])
    printed = per_arm["events_percent"].get(arm) if "events_percent" in per_arm else None
    if arm != TOTAL and printed is not None and not pd.isna(printed) and f"{printed:g}%" != computed:
        # Show what the paper printed, and say that it does not match.
        notes.append(f"{short}: printed {printed:g}% of events; {events} of {events_by_arm[arm]} is {computed}")
        computed = f"{printed:g}% ⚠"
    n = n_by_arm.get(arm)
    return (f"{events} ({computed})" if events else "0",
            f"{patients} ({_percent(patients, n)})" if patients else "0")


def sae_table(study: Study, arms=None, total: bool = True, compact: bool = False) -> pd.DataFrame:
    """Serious adverse events by system organ class and preferred term (the paper's Table 2 layout).

    Events are given with their share of the arm's events, patients with their
    share of the arm's N.  The total column covers every arm of the study; when *arms* leaves some out, it is
    named for them ("All arms (incl. hidden 200M)", :meth:`~cratus.study.design.Design.total_label`).
    Patient totals per arm cannot be summed over terms (a patient may have
    several), so they come from the printed totals rows (endpoint
    ``serious_adverse_events`` of the summary) when present.

    Returns
    -------
    pandas.DataFrame
        ``System organ class / preferred term`` (a heading row per class, its
        terms indented with an em space), ``Arm assignment``, then per arm
        ``<arm> events`` and ``<arm> patients``, then ``Note``; with
        ``compact=True`` one column ``<arm>: events · patients`` per arm.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> t = sae_table(s, arms=("200M",)).set_index("System organ class / preferred term")
    >>> t.loc["\u2003Death", ["200M events", "All arms (incl. hidden 100M, Placebo) patients"]].tolist()
    ['1 (50%)', '1 (3%)']
    >>> t_all = sae_table(s).set_index("System organ class / preferred term")
    >>> t_all.loc["\u2003Aneurysm", ["Placebo events", "Note"]].tolist()
    ['1 (16% ⚠)', 'Placebo: printed 16% of events; 1 of 6 is 17%']
    >>> t_all.loc["Total", ["200M events", "200M patients", "Total events", "Total patients"]].tolist()
    ['2 (100%)', '2 (20%)', '10 (100%)', '7 (23%)']
    >>> sae_table(s, arms=("200M",), compact=True).iloc[-1]["200M: events · patients"]
    '2 (100%) · 2 (20%)'
    """
    design, adverse_events, summary = study.design, study.adverse_events, study.summary
    shown = design.order(arms if arms is not None else design.arm_ids) + ([TOTAL] if total else [])
    events_by_arm = adverse_events.groupby("arm")["events"].sum().reindex(list(design.arm_ids), fill_value=0)
    events_by_arm[TOTAL] = events_by_arm.sum()
    totals_rows = summary[summary["endpoint"] == ADVERSE_EVENT_TOTALS]
    n_by_arm = {**study.n_per_arm(), **totals_rows[totals_rows["statistic"] == "n"].groupby("arm")["value"].max()}
    printed_patients = totals_rows[(totals_rows["level"] == "patients")
                                   & (totals_rows["statistic"] == "count")].groupby("arm")["value"].max()
    short = {a: design.total_label(arms) if a == TOTAL else design.short(a) for a in shown}
    records, previous_soc = [], None
    for (soc, term), block in adverse_events.groupby(["soc", "term"], sort=False):
        if soc != previous_soc:
            records.append({FIRST_COLUMN: soc, "Arm assignment": "",
                            **{f"{short[a]} {what}": "" for a in shown for what in ("events", "patients")},
                            "Note": ""})
            previous_soc = soc
        record = {FIRST_COLUMN: "\u2003" + term, "Arm assignment": ", ".join(sorted(set(block["assignment"])))}
        notes: list[str] = []
        for arm in shown:
            record[f"{short[arm]} events"], record[f"{short[arm]} patients"] = _term_cells(
                block, arm, events_by_arm, n_by_arm, short[arm], notes)
        record["Note"] = "; ".join(notes)
        records.append(record)
    totals = {FIRST_COLUMN: "Total", "Arm assignment": "", "Note": ""}
    for arm in shown:
        events = int(events_by_arm[arm])
        totals[f"{short[arm]} events"] = f"{events} ({_percent(events, events)})" if events else "0"
        patients = printed_patients.get(arm)
        totals[f"{short[arm]} patients"] = (NOT_REPORTED if patients is None else
                                            f"{int(patients)} ({_percent(patients, n_by_arm.get(arm))})")
    records.append(totals)
    table = pd.DataFrame.from_records(records)
    if compact:
        for arm in shown:
            events, patients = f"{short[arm]} events", f"{short[arm]} patients"
            merged = [f"{e} · {p}" if (e or p) and (e, p) != ("0", "0") else e
                      for e, p in zip(table[events], table[patients])]
            table = table.drop(columns=[patients]).rename(columns={events: f"{short[arm]}: events · patients"})
            table[f"{short[arm]}: events · patients"] = merged
    if not study.has_printed_sources:  # computed from patients: every event has its arm, no printed percent to check
        table = table.drop(columns=["Arm assignment"] + (["Note"] if not table["Note"].astype(bool).any() else []))
    return table


def sae_table_part(study: Study, socs, arms=None, with_total: bool = False) -> pd.DataFrame:
    """The rows of :func:`sae_table` (compact) that belong to the system organ classes *socs*, for one slide.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> part = sae_table_part(load_study(), ["Hepatobiliary disorders"], with_total=True)
    >>> part[FIRST_COLUMN].tolist()
    ['Hepatobiliary disorders', ' Cholecystitis', 'Total']
    """
    table = sae_table(study, arms=arms, compact=True)
    wanted, keep, current = set(socs), [], None
    for name in table[FIRST_COLUMN]:
        if not name.startswith(" ") and name != "Total":
            current = name
        keep.append(current in wanted if name != "Total" else with_total)
    return table[keep].reset_index(drop=True)


def _category_rows(study: Study, endpoint: str, arms) -> pd.DataFrame:
    summary = study.summary
    rows = summary[(summary["endpoint"] == endpoint) & (summary["statistic"] == "count")]
    later = rows[rows["visit"] != study.design.baseline]
    return (later if not later.empty else rows)[lambda r: r["arm"].isin(study.design.order(arms))]


def category_table(study: Study, endpoint: str, arms=None) -> pd.DataFrame:
    """Patients per category of a categorical outcome (e.g. the paper's Table 3), one column per arm.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> category_table(load_study(), "cpra").set_index("Calculated panel reactive antibodies").loc[
    ...     "Moderate (21–79%)"].tolist()
    [0, 2, 0]
    """
    design = study.design
    arms = design.arm_ids if arms is None else tuple(arms)
    rows = _category_rows(study, endpoint, arms)
    levels = study.levels[study.levels["endpoint"] == endpoint]
    order = levels["level"].tolist() + [lv for lv in dict.fromkeys(rows["level"]) if lv not in set(levels["level"])]
    labels = dict(zip(levels["level"], levels["label"]))
    wide = rows.pivot_table(index="level", columns="arm", values="value", aggfunc="first")
    table = pd.DataFrame({study.label(endpoint): [labels.get(lv, lv) for lv in order]})
    for arm in design.order(arms):
        values = wide[arm].reindex(order) if arm in wide else pd.Series([math.nan] * len(order))
        table[arm_header(study, arm)] = [int(v) if not math.isnan(v) else NOT_REPORTED for v in values]
    return table


def category_long(study: Study, endpoint: str, arms=None) -> pd.DataFrame:
    """A categorical outcome as a tidy frame for charts: ``level, label, arm, count, n, percent, quote``.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> category_long(load_study(), "cpra").query("arm == '200M' and level == 'moderate'")["percent"].tolist()
    [20.0]
    """
    design = study.design
    rows = _category_rows(study, endpoint, design.arm_ids if arms is None else tuple(arms))
    levels = study.levels[study.levels["endpoint"] == endpoint]
    labels = dict(zip(levels["level"], levels["label"]))
    n_of = study.n_per_arm()
    out = pd.DataFrame({"level": rows["level"], "label": rows["level"].map(lambda lv: labels.get(lv, lv)),
                        "arm": rows["arm"], "count": rows["value"]})
    out["n"] = out["arm"].map(n_of)
    out["percent"] = 100 * out["count"] / out["n"]
    out["quote"] = rows["quote"] if "quote" in rows else ""
    return out.reset_index(drop=True)


def safety_counts(study: Study, arms=None) -> pd.DataFrame:
    """Patient counts of safety outcomes stated in the text (notes, prose), one row per outcome and source.

    The same count printed in two places with different values appears twice, each with its source, so
    the contradiction shows.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = safety_counts(load_study())
    >>> t[t["Outcome"].str.startswith("Patients with a rise in donor")][["Source", "Allo-hMSC 200M (N = 10)"]].values.tolist()
    [['Results: Immune biomarkers', '2'], ['Table 3 note', '1']]
    """
    design = study.design
    shown = design.order([*(arms if arms is not None else design.arm_ids), TOTAL])
    summary = study.summary
    rows = summary[summary["endpoint"].isin(study.count_endpoints()) & (summary["statistic"] == "count")]
    labels = dict(zip(study.levels["endpoint"] + "|" + study.levels["level"], study.levels["label"]))
    records = []
    for (endpoint, level, source), block in rows.groupby(["endpoint", "level", "source"], sort=False):
        values = dict(zip(block["arm"], block["value"]))
        outcome = study.label(endpoint) + (f": {labels.get(endpoint + '|' + level, level)}" if level else "")
        records.append({"Outcome": outcome, "Source": source,
                        **{arm_header(study, a, arms): (f"{values[a]:g}" if a in values else NOT_REPORTED)
                           for a in shown}})
    return pd.DataFrame.from_records(records)


def hospitalization_table(study: Study, arms=None) -> pd.DataFrame:
    """Hospitalizations per arm, with a total row over every arm (named for the hidden arms it includes).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = hospitalization_table(load_study())
    >>> t[["Arm", "Patients hospitalized", "Hospitalizations"]].values.tolist()
    [['Allo-hMSC 100M', 1, 2], ['Allo-hMSC 200M', 0, 0], ['Placebo', 3, 5], ['Total', 4, 7]]
    """
    design, hospitalizations = study.design, study.hospitalizations
    frames = {arm: hospitalizations[hospitalizations["arm"] == arm]
              for arm in design.order(arms if arms is not None else design.arm_ids)}
    frames[TOTAL] = hospitalizations[hospitalizations["arm"].isin(list(design.arm_ids))]
    records = []
    for arm, block in frames.items():
        admitted = block[block["hospitalizations"] > 0]
        records.append({
            "Arm": design.total_label(arms) if arm == TOTAL else design.label(arm),
            "Patients hospitalized": admitted[["arm", "patient"]].drop_duplicates().shape[0],
            "Hospitalizations": int(block["hospitalizations"].sum()),
            "Moderate": int(block.loc[block["severity"] == "moderate", "hospitalizations"].sum()),
            "Severe": int(block.loc[block["severity"] == "severe", "hospitalizations"].sum()),
            "Related to procedure": int(block.loc[block["related_to_procedure"] == "yes", "hospitalizations"].sum()),
        })
    return pd.DataFrame.from_records(records)


def comparison_words(study: Study, comparison: str, arm: str, visit: str) -> str:
    """What a p-value compares, in words: "6 months vs baseline, within 100M", "100M vs Placebo, 6 months".

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> comparison_words(s, "within_arm", "100M", "month6"), comparison_words(s, "vs_control", "200M", "month6")
    ('6 months vs baseline, within 100M', '200M vs Placebo at 6 months')
    >>> comparison_words(s, "between_arms", "all", "month12")
    'between all arms at 12 months'
    """
    design = study.design
    visit_label = design.visit_label(visit)
    if comparison == "within_arm":
        return f"{visit_label} vs {design.visit_label(design.baseline).lower()}, within {design.short(arm)}"
    if comparison == "vs_control":
        return f"{design.short(arm)} vs {design.short(design.control or '')} at {visit_label}"
    who = "all arms" if arm in (ALL_ARMS, TOTAL, "") else design.short(arm)
    return f"between {who} at {visit_label}"


def _statement_compares(study: Study, statement) -> str:
    """What a statement in words compares: "6 months vs baseline, within each arm", "between all arms at 6 months"."""
    design = study.design
    when = design.visit_label(statement.visit) if statement.visit else ""
    if statement.comparison == "within_arm":
        who = "each arm" if statement.arm in (ALL_ARMS, "") else design.short(statement.arm)
        return (f"{when} vs {design.visit_label(design.baseline).lower()}, within {who}" if when
                else f"over the study, within {who}")
    if statement.comparison:
        return comparison_words(study, statement.comparison, statement.arm, statement.visit) if when else \
            "between all arms"
    return ""


def reported_only_table(study: Study, endpoint_ids, arms=None) -> pd.DataFrame:
    """Endpoints the text reports only as p-values (or only in words), one row per p-value.

    An endpoint the source describes in words only gets one row per statement (its words, source and
    quote; "no p-value printed"); one with neither gets one row whose p-value reads "not reported in the
    text" and whose note is the dictionary's description.  A p-value whose comparison the source leaves
    unclear carries that in its note.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = reported_only_table(load_study(), ["grip_strength", "ejection_fraction"])
    >>> t[["Endpoint", "p-value", "Note"]].values.tolist()   # Results: Functional status, "remained stable"
    [['Hand grip strength', 'p = .676', ''], ['Ejection fraction', 'no p-value printed', 'the paper states it remained stable; no numbers or p-value printed']]
    """
    design = study.design
    arms = design.arm_ids if arms is None else tuple(arms)
    p_values = study.p_values
    chosen = select_p_values(p_values[p_values["endpoint"].isin(list(endpoint_ids))
                                      & p_values["arm"].isin([*design.order(arms), ALL_ARMS])])
    records = []
    for endpoint in endpoint_ids:
        rows = chosen[chosen["endpoint"] == endpoint]
        info = study.endpoint_info(endpoint)
        # results given in words only (a comparison with no printed p-value): the words, quoted, and no p-value
        stated = [{"Endpoint": study.label(endpoint), "Compares": _statement_compares(study, s),
                   "p-value": "no p-value printed", "Note": s.words(), "Source": s.source, "Quote": s.quote}
                  for s in about(getattr(study, "statements", ()), endpoint)
                  if s.comparison not in set(rows["comparison"])]
        if rows.empty and stated:
            records += stated
            continue
        if rows.empty:
            records.append({"Endpoint": study.label(endpoint), "Compares": "", "p-value": NOT_REPORTED,
                            "Note": info.get("description", ""), "Source": "", "Quote": ""})
            continue
        rows = rows.assign(_order=rows["arm"].map(design.index)).sort_values("_order", kind="stable")
        unclear = unclear_comparison(study, endpoint)
        for row in rows.itertuples(index=False):
            records.append({"Endpoint": study.label(endpoint),
                            "Compares": comparison_words(study, row.comparison, row.arm, row.visit),
                            "p-value": format_p(row.p_value, row.relation, getattr(row, "printed", None)),
                            "Note": unclear, "Source": row.source, "Quote": row.quote})
        records += stated
    return pd.DataFrame.from_records(records, columns=["Endpoint", "Compares", "p-value", "Note", "Source", "Quote"])
