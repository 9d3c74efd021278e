"""Tables in the paper's layout: Table 1, Table 2 (SAEs), Table 3 (cPRA), hospitalizations.

Builders take the validated frames of :mod:`cratus.data` and return
DataFrames of display strings, formatted as the paper prints them
(mean ± SD, n (%), median (Q1, Q3)).  Cells the text does not report read
"not reported in the text".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cratus.arms import ARM_LABELS, ARM_SHORT, ARMS, TOTAL, order_arms
from cratus.formatting import NOT_REPORTED, decimals_of, format_number

TABLE_ONE_SOURCE = "Table 1"


def _printed(row: pd.Series | None) -> str | None:
    if row is None:
        return None
    return format_number(row["value"], decimals_of(row["printed"]) if "printed" in row else None)


def _n_of(summary: pd.DataFrame, arm: str, endpoint: str = "participants") -> float | None:
    rows = summary[(summary["endpoint"] == endpoint) & (summary["arm"] == arm) & (summary["statistic"] == "n")]
    if rows.empty and endpoint != "participants":
        return _n_of(summary, arm)
    return float(rows["value"].iloc[0]) if not rows.empty else None


def arm_header(summary: pd.DataFrame, arm: str, endpoint: str = "participants") -> str:
    """Column header of an arm with its N, e.g. ``'Allo-hMSC 100M (N = 10)'``.

    Examples
    --------
    >>> from cratus.data import load_summary
    >>> arm_header(load_summary(), "total")
    'Total (N = 30)'
    """
    n = _n_of(summary, arm, endpoint)
    return f"{ARM_LABELS[arm]} (N = {n:g})" if n is not None else ARM_LABELS[arm]


def format_cell(stats: dict[str, pd.Series], summary_kind: str) -> str:
    """Format one table cell from the rows of its statistics.

    Parameters
    ----------
    stats : dict
        Statistic name → summary row (with ``value`` and ``printed``).
    summary_kind : {"mean_sd", "median_iqr", "n_percent"}

    Returns
    -------
    str
        ``'75.0 ± 7.4'``, ``'6 (60%)'``, ``'3.2 (2.8, 3.8)'``, or
        :data:`~cratus.formatting.NOT_REPORTED`.

    Examples
    --------
    >>> row = lambda v, p: pd.Series({"value": v, "printed": p})
    >>> format_cell({"mean": row(7160, "7160"), "sd": row(2438, "2438")}, "mean_sd")
    '7,160 ± 2,438'
    >>> format_cell({"count": row(4, "4"), "percent": row(13, "13")}, "n_percent")
    '4 (13%)'
    >>> format_cell({}, "median_iqr")
    'not reported in the text'
    """
    if {"mean", "sd"} <= stats.keys():
        return f"{_printed(stats['mean'])} ± {_printed(stats['sd'])}"
    if {"median", "q1", "q3"} <= stats.keys():
        return f"{_printed(stats['median'])} ({_printed(stats['q1'])}, {_printed(stats['q3'])})"
    if "count" in stats:
        if "percent" in stats:
            return f"{_printed(stats['count'])} ({_printed(stats['percent'])}%)"
        return _printed(stats["count"])
    if "mean" in stats:
        return f"{_printed(stats['mean'])} (SD {NOT_REPORTED})"
    return NOT_REPORTED


def _rows_of(summary: pd.DataFrame, source: str | None, visit: str) -> pd.DataFrame:
    rows = summary[summary["visit"] == visit]
    if source is not None:
        rows = rows[rows["source"] == source]
    return rows[rows["endpoint"] != "participants"]


def table_one_cells(summary: pd.DataFrame, endpoints: pd.DataFrame, levels: pd.DataFrame | None = None,
                    arms=ARMS, total: bool = True, source: str | None = TABLE_ONE_SOURCE,
                    visit: str = "baseline") -> pd.DataFrame:
    """Table 1 in long form: one row per characteristic, level and arm, with provenance.

    Parameters
    ----------
    summary, endpoints, levels : pandas.DataFrame
        As loaded by :mod:`cratus.data`.
    arms : sequence of str
        Arms to include; shown in canonical order.
    total : bool
        Add the total column where the source reports one.
    source : str or None
        Keep rows of this source only (``"Table 1"``); ``None`` for a
        single-source frame such as patient-level summaries.
    visit : str

    Returns
    -------
    pandas.DataFrame
        ``endpoint, level, characteristic, arm, cell, source, quote``.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> cells = table_one_cells(p.summary, p.endpoints, p.levels, arms=["100M"])
    >>> cells.query("endpoint == 'age'")[["arm", "cell"]].values.tolist()
    [['100M', '75.0 ± 7.4'], ['total', '75.5 ± 7.3']]
    """
    rows = _rows_of(summary, source, visit)
    wanted = order_arms([*arms, *([TOTAL] if total else [])])
    rows = rows[rows["arm"].isin(wanted)]
    dictionary = endpoints.set_index("endpoint")
    level_labels = {} if levels is None else {(e, l): lab for e, l, lab in
                                               levels[["endpoint", "level", "label"]].itertuples(index=False)}
    level_order = {} if levels is None else {(e, l): i for i, (e, l) in
                                              enumerate(levels[["endpoint", "level"]].itertuples(index=False))}
    present_arms = [a for a in wanted if a != TOTAL or (rows["arm"] == TOTAL).any()]
    # One pass over the rows (not one filter per cell): the page reruns on every click.
    cells: dict[tuple, dict[str, pd.Series]] = {}
    for row in rows.to_dict("records"):
        cells.setdefault((row["endpoint"], row["level"], row["arm"]), {})[row["statistic"]] = row
    levels_of: dict[str, list[str]] = {}
    for endpoint, level in dict.fromkeys(zip(rows["endpoint"], rows["level"])):
        levels_of.setdefault(endpoint, []).append(level)
    records = []
    for endpoint, endpoint_levels in levels_of.items():
        label = dictionary.at[endpoint, "label"] if endpoint in dictionary.index else endpoint
        unit = dictionary.at[endpoint, "unit"] if endpoint in dictionary.index else ""
        kind = dictionary.at[endpoint, "summary"] if endpoint in dictionary.index else ""
        characteristic = f"{label} ({unit})" if unit and kind != "n_percent" else label
        for level in sorted(endpoint_levels, key=lambda lv: level_order.get((endpoint, lv), 999)):
            for arm in present_arms:
                stats = cells.get((endpoint, level, arm), {})
                records.append({
                    "endpoint": endpoint, "level": level, "characteristic": characteristic,
                    "level_label": level_labels.get((endpoint, level), level),
                    "arm": arm, "cell": format_cell(stats, kind),
                    "source": "; ".join(dict.fromkeys(r["source"] for r in stats.values())),
                    "quote": " | ".join(dict.fromkeys(r["quote"] for r in stats.values())),
                })
    return pd.DataFrame.from_records(records, columns=["endpoint", "level", "characteristic", "level_label",
                                                       "arm", "cell", "source", "quote"])


def table_one(summary: pd.DataFrame, endpoints: pd.DataFrame, levels: pd.DataFrame | None = None,
              arms=ARMS, total: bool = True, source: str | None = TABLE_ONE_SOURCE,
              visit: str = "baseline") -> pd.DataFrame:
    """Table 1 (baseline characteristics) in the paper's layout.

    One row per continuous characteristic, and a heading row plus one row
    per level for categorical ones; one column per arm, headed with its N.

    Returns
    -------
    pandas.DataFrame
        Column ``Characteristic`` then one column per arm (and ``Total``).

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> t = table_one(p.summary, p.endpoints, p.levels, arms=["200M", "placebo"])
    >>> list(t.columns)
    ['Characteristic', 'Allo-hMSC 200M (N = 10)', 'Placebo (N = 10)', 'Total (N = 30)']
    >>> t.set_index("Characteristic").loc["\u2003Male"].tolist()
    ['6 (60%)', '6 (60%)', '18 (60%)']
    """
    cells = table_one_cells(summary, endpoints, levels, arms, total, source, visit)
    arms_present = list(dict.fromkeys(cells["arm"]))
    headers = {arm: arm_header(summary, arm) for arm in arms_present}
    records = []
    for (endpoint, level), block in cells.groupby(["endpoint", "level"], sort=False):
        values = dict(zip(block["arm"], block["cell"]))
        characteristic = block["characteristic"].iloc[0]
        if level:
            if not records or records[-1]["_endpoint"] != endpoint:
                records.append({"_endpoint": endpoint, "Characteristic": characteristic,
                                **{headers[a]: "" for a in arms_present}})
            name = "\u2003" + block["level_label"].iloc[0]  # em space: indent survives HTML
        else:
            name = characteristic
        records.append({"_endpoint": endpoint, "Characteristic": name,
                        **{headers[a]: values.get(a, NOT_REPORTED) for a in arms_present}})
    frame = pd.DataFrame.from_records(records)
    return frame.drop(columns="_endpoint") if not frame.empty else frame


def standardized_differences(summary: pd.DataFrame, endpoints: pd.DataFrame, levels: pd.DataFrame | None = None,
                             arms=ARMS, reference: str = "placebo", source: str | None = TABLE_ONE_SOURCE,
                             visit: str = "baseline") -> pd.DataFrame:
    """Standardized differences of baseline characteristics, each arm vs *reference*.

    For means, d = (m₁ − m₀) / √((s₁² + s₀²) / 2); for a proportion,
    d = (p₁ − p₀) / √((p₁(1 − p₁) + p₀(1 − p₀)) / 2) (Austin 2009, Stat Med
    28:3083).  A level with a zero proportion in both arms has d = 0.
    Median (IQR) characteristics are not converted: ``estimate`` is NaN with
    a note.  These describe balance; they are not significance tests
    (CONSORT 2010 item 15).

    Returns
    -------
    pandas.DataFrame
        ``endpoint, level, characteristic, arm, reference, estimate, note``.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> d = standardized_differences(p.summary, p.endpoints, p.levels)
    >>> round(float(d.query("endpoint == 'age' and arm == '100M'")["estimate"].iloc[0]), 3)
    -0.042
    """
    rows = _rows_of(summary, source, visit)
    cells = table_one_cells(summary, endpoints, levels, arms=[*arms, reference], total=False,
                            source=source, visit=visit)
    key = cells[["endpoint", "level", "characteristic", "level_label"]].drop_duplicates()
    kinds = endpoints.set_index("endpoint")["summary"].to_dict()
    indexed = rows.set_index(["endpoint", "level", "arm", "statistic"])["value"]
    indexed = indexed[~indexed.index.duplicated()]

    def get(endpoint, level, arm, statistic):
        return indexed.get((endpoint, level, arm, statistic), math.nan)

    records = []
    for endpoint, level, characteristic, level_label in key.itertuples(index=False):
        kind = kinds.get(endpoint, "")
        for arm in order_arms(arms):
            if arm == reference:
                continue
            note = ""
            if kind == "mean_sd":
                m1, s1 = get(endpoint, level, arm, "mean"), get(endpoint, level, arm, "sd")
                m0, s0 = get(endpoint, level, reference, "mean"), get(endpoint, level, reference, "sd")
                pooled = math.sqrt((s1 ** 2 + s0 ** 2) / 2)
                estimate = (m1 - m0) / pooled if pooled > 0 else math.nan
            elif kind == "n_percent":
                n1, n0 = _n_of(summary, arm), _n_of(summary, reference)
                p1 = get(endpoint, level, arm, "count") / n1 if n1 else math.nan
                p0 = get(endpoint, level, reference, "count") / n0 if n0 else math.nan
                variance = (p1 * (1 - p1) + p0 * (1 - p0)) / 2
                estimate = (p1 - p0) / math.sqrt(variance) if variance > 0 else (0.0 if p1 == p0 else math.nan)
            else:
                estimate = math.nan
                note = "median (IQR): no standardized difference without an assumed distribution"
            if math.isnan(estimate) and not note:
                note = NOT_REPORTED
            name = f"{characteristic}: {level_label}" if level else characteristic
            records.append({"endpoint": endpoint, "level": level, "characteristic": name, "arm": arm,
                            "reference": reference, "estimate": estimate, "note": note})
    return pd.DataFrame.from_records(records, columns=["endpoint", "level", "characteristic", "arm",
                                                       "reference", "estimate", "note"])


def _percent(numerator: float, denominator: float) -> str:
    if not denominator:
        return ""
    # Round half up, as the paper does (1/6 → 17%).
    return f"{int(np.floor(100 * numerator / denominator + 0.5))}%"


FIRST_COLUMN = "System organ class / preferred term"


def sae_table(adverse_events: pd.DataFrame, summary: pd.DataFrame, arms=ARMS, total: bool = True,
              compact: bool = False) -> pd.DataFrame:
    """Table 2: serious adverse events by system organ class and preferred term.

    Events are given with their share of the arm's events (as in the paper),
    patients with their share of the arm's N.  The total column is computed
    over all three arms.  Patient totals per arm cannot be summed over terms
    (a patient may have several), so they come from the table's printed
    totals row (``serious_adverse_events`` in the summary) when present.

    Returns
    -------
    pandas.DataFrame
        ``System organ class / preferred term`` (a heading row per class,
        its terms indented with an em space), ``Arm assignment``, then per
        arm ``<arm> events`` and ``<arm> patients``, then ``Note``.  Where
        the paper printed a percentage that its counts do not give (the
        aneurysm's 16% for 1 of 6 events), the printed value is shown with
        ⚠ and the note says so.  With ``compact=True`` each arm has one
        column ``<arm>: events · patients`` (narrow screens, projectors).

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> t = sae_table(p.adverse_events, p.summary, arms=["200M"])
    >>> t = t.set_index("System organ class / preferred term")
    >>> t.loc["\u2003Death", ["200M events", "Total patients"]].tolist()
    ['1 (50%)', '1 (3%)']
    >>> t_all = sae_table(p.adverse_events, p.summary)
    >>> t_all.set_index("System organ class / preferred term").loc["\u2003Aneurysm", ["Placebo events", "Note"]].tolist()
    ['1 (16% ⚠)', 'Placebo: printed 16% of events; 1 of 6 is 17%']
    >>> t.loc["Total", ["200M events", "200M patients", "Total events", "Total patients"]].tolist()
    ['2 (100%)', '2 (20%)', '10 (100%)', '7 (23%)']
    >>> compact = sae_table(p.adverse_events, p.summary, arms=["200M"], compact=True)
    >>> compact.iloc[-1]["200M: events · patients"]
    '2 (100%) · 2 (20%)'

    """
    shown = order_arms(arms) + ([TOTAL] if total else [])
    events_by_arm = adverse_events.groupby("arm")["events"].sum().reindex(list(ARMS), fill_value=0)
    events_by_arm[TOTAL] = events_by_arm.sum()
    n_by_arm = {arm: _n_of(summary, arm, "serious_adverse_events") for arm in (*ARMS, TOTAL)}
    printed_patients = summary[(summary["endpoint"] == "serious_adverse_events") & (summary["level"] == "patients")
                               & (summary["statistic"] == "count")].set_index("arm")["value"]
    records = []
    previous_soc = None
    for (soc, term), block in adverse_events.groupby(["soc", "term"], sort=False):
        if soc != previous_soc:
            # The paper's layout: a heading row per system organ class, its terms indented below.
            records.append({FIRST_COLUMN: soc, "Arm assignment": "",
                            **{f"{ARM_SHORT[a]} {what}": "" for a in shown for what in ("events", "patients")},
                            "Note": ""})
            previous_soc = soc
        record = {FIRST_COLUMN: "\u2003" + term, "Arm assignment": ", ".join(sorted(set(block["assignment"])))}
        per_arm = block.set_index("arm")
        notes: list[str] = []
        for arm in shown:
            if arm == TOTAL:
                events, patients = int(block["events"].sum()), int(block["patients"].sum())
            else:
                events = int(per_arm["events"].get(arm, 0))
                patients = int(per_arm["patients"].get(arm, 0))
            computed = _percent(events, events_by_arm[arm])
            printed = per_arm["events_percent"].get(arm) if "events_percent" in per_arm else None
            if arm != TOTAL and printed is not None and not pd.isna(printed) and f"{printed:g}%" != computed:
                # Show what the paper printed, and say that it does not match.
                notes.append(f"{ARM_SHORT[arm]}: printed {printed:g}% of events; {events} of "
                             f"{events_by_arm[arm]} is {computed}")
                computed = f"{printed:g}% ⚠"
            record[f"{ARM_SHORT[arm]} events"] = f"{events} ({computed})" if events else "0"
            record[f"{ARM_SHORT[arm]} patients"] = (f"{patients} ({_percent(patients, n_by_arm[arm])})"
                                                     if patients else "0")
        record["Note"] = "; ".join(notes)
        records.append(record)
    totals = {FIRST_COLUMN: "Total", "Arm assignment": "", "Note": ""}
    for arm in shown:
        events = int(events_by_arm[arm])
        totals[f"{ARM_SHORT[arm]} events"] = f"{events} ({_percent(events, events)})" if events else "0"
        if arm in printed_patients.index:
            patients = int(printed_patients[arm])
            totals[f"{ARM_SHORT[arm]} patients"] = f"{patients} ({_percent(patients, n_by_arm[arm])})"
        else:
            totals[f"{ARM_SHORT[arm]} patients"] = NOT_REPORTED
    records.append(totals)
    table = pd.DataFrame.from_records(records)
    if compact:
        for arm in shown:
            events, patients = f"{ARM_SHORT[arm]} events", f"{ARM_SHORT[arm]} patients"
            merged = [f"{e} · {p}" if (e or p) and (e, p) != ("0", "0") else e
                      for e, p in zip(table[events], table[patients])]
            table = table.drop(columns=[patients]).rename(columns={events: f"{ARM_SHORT[arm]}: events · patients"})
            table[f"{ARM_SHORT[arm]}: events · patients"] = merged
    return table


def cpra_table(summary: pd.DataFrame, levels: pd.DataFrame | None = None, arms=ARMS,
               visit: str = "month6") -> pd.DataFrame:
    """Table 3: patients per cPRA category (increase from baseline to 6 months).

    Returns
    -------
    pandas.DataFrame
        ``cPRA category`` then one column per arm with the number of patients.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> cpra_table(p.summary, p.levels).set_index("cPRA category").loc["Moderate (21–79%)"].tolist()
    [0, 2, 0]
    """
    rows = summary[(summary["endpoint"] == "cpra") & (summary["statistic"] == "count") & (summary["visit"] == visit)]
    order = [] if levels is None else levels.loc[levels["endpoint"] == "cpra", "level"].tolist()
    labels = {} if levels is None else dict(levels.loc[levels["endpoint"] == "cpra", ["level", "label"]].values)
    order += [lv for lv in dict.fromkeys(rows["level"]) if lv not in order]
    wide = rows.pivot_table(index="level", columns="arm", values="value", aggfunc="first")
    table = pd.DataFrame({"cPRA category": [labels.get(lv, lv) for lv in order]})
    for arm in order_arms(arms):
        column = arm_header(summary, arm, "cpra")
        values = wide[arm].reindex(order) if arm in wide else pd.Series([math.nan] * len(order))
        table[column] = [int(v) if not math.isnan(v) else NOT_REPORTED for v in values]
    return table


def cpra_long(summary: pd.DataFrame, levels: pd.DataFrame | None = None, arms=ARMS,
              visit: str = "month6") -> pd.DataFrame:
    """Table 3 as a tidy frame for charts: ``level, label, arm, count, n, percent``.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> cpra_long(p.summary, p.levels).query("arm == '200M' and level == 'moderate'")["percent"].tolist()
    [20.0]
    """
    rows = summary[(summary["endpoint"] == "cpra") & (summary["statistic"] == "count") & (summary["visit"] == visit)
                   & summary["arm"].isin(order_arms(arms))]
    labels = {} if levels is None else dict(levels.loc[levels["endpoint"] == "cpra", ["level", "label"]].values)
    out = pd.DataFrame({"level": rows["level"], "label": rows["level"].map(lambda lv: labels.get(lv, lv)),
                        "arm": rows["arm"], "count": rows["value"]})
    out["n"] = out["arm"].map(lambda arm: _n_of(summary, arm, "cpra"))
    out["percent"] = 100 * out["count"] / out["n"]
    out["quote"] = rows["quote"]
    return out.reset_index(drop=True)


def hospitalization_table(hospitalizations: pd.DataFrame, arms=ARMS) -> pd.DataFrame:
    """Hospitalizations within the 12-month follow-up, per arm.

    Returns
    -------
    pandas.DataFrame
        ``Arm, Patients hospitalized, Hospitalizations, Moderate, Severe,
        Related to procedure``.

    Examples
    --------
    >>> from cratus.data import load_hospitalizations
    >>> t = hospitalization_table(load_hospitalizations())
    >>> t[["Arm", "Patients hospitalized", "Hospitalizations"]].values.tolist()
    [['Allo-hMSC 100M', 1, 2], ['Allo-hMSC 200M', 0, 0], ['Placebo', 3, 5], ['Total', 4, 7]]
    """
    records = []
    frames = {arm: hospitalizations[hospitalizations["arm"] == arm] for arm in order_arms(arms)}
    frames[TOTAL] = hospitalizations[hospitalizations["arm"].isin(list(ARMS))]
    for arm, block in frames.items():
        admitted = block[block["hospitalizations"] > 0]
        records.append({
            "Arm": ARM_LABELS[arm],
            "Patients hospitalized": admitted[["arm", "patient"]].drop_duplicates().shape[0],
            "Hospitalizations": int(block["hospitalizations"].sum()),
            "Moderate": int(block.loc[block["severity"] == "moderate", "hospitalizations"].sum()),
            "Severe": int(block.loc[block["severity"] == "severe", "hospitalizations"].sum()),
            "Related to procedure": int(block.loc[block["related_to_procedure"] == "yes", "hospitalizations"].sum()),
        })
    return pd.DataFrame.from_records(records)


def reported_only_table(p_values: pd.DataFrame, endpoints: pd.DataFrame, endpoint_ids, arms=ARMS) -> pd.DataFrame:
    """Endpoints the text reports only as p-values (or only in words), one row per p-value.

    Results-section p-values are preferred to the abstract's.  An endpoint
    with no p-value at all (ejection fraction) gets one row whose p-value
    reads "not reported in the text" and whose note is the dictionary's
    description.

    Returns
    -------
    pandas.DataFrame
        ``Endpoint, Comparison, Arm, Time point, p-value, Note, Source, Quote``.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> t = reported_only_table(p.p_values, p.endpoints, ["grip_strength", "ejection_fraction"])
    >>> t[["Endpoint", "p-value"]].values.tolist()
    [['Hand grip strength', 'p = .676'], ['Ejection fraction', 'not reported in the text']]
    """
    from cratus.arms import VISIT_LABELS
    from cratus.formatting import format_p

    comparisons = {"within_arm": "6 months vs baseline, within arm", "vs_control": "vs placebo",
                   "between_arms": "between arms"}
    dictionary = endpoints.set_index("endpoint")
    chosen = p_values[p_values["endpoint"].isin(list(endpoint_ids))
                      & p_values["arm"].isin([*order_arms(arms), "all"])]
    chosen = chosen.assign(_rank=~chosen["source"].str.startswith("Results"))
    chosen = chosen.sort_values("_rank", kind="stable").drop_duplicates(["endpoint", "arm", "comparison", "visit"])
    records = []
    for endpoint in endpoint_ids:
        rows = chosen[chosen["endpoint"] == endpoint]
        label = dictionary.at[endpoint, "label"] if endpoint in dictionary.index else endpoint
        if rows.empty:
            records.append({"Endpoint": label, "Comparison": "", "Arm": "", "Time point": "",
                            "p-value": NOT_REPORTED, "Note": dictionary.at[endpoint, "description"]
                            if endpoint in dictionary.index else "", "Source": "", "Quote": ""})
            continue
        rows = rows.assign(_order=rows["arm"].map({a: i for i, a in enumerate([*ARMS, "all"])}))
        for row in rows.sort_values("_order", kind="stable").itertuples(index=False):
            records.append({"Endpoint": label, "Comparison": comparisons[row.comparison],
                            "Arm": ARM_LABELS[row.arm], "Time point": VISIT_LABELS[row.visit],
                            "p-value": format_p(row.p_value, row.relation, row.printed), "Note": "",
                            "Source": row.source, "Quote": row.quote})
    return pd.DataFrame.from_records(records, columns=["Endpoint", "Comparison", "Arm", "Time point", "p-value",
                                                       "Note", "Source", "Quote"])


def describe_uncomputed(differences: pd.DataFrame) -> str:
    """One sentence naming the characteristics :func:`standardized_differences` could not compute, and why.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> describe_uncomputed(standardized_differences(p.summary, p.endpoints, p.levels))
    'Not computed: Serum TNF-α (pg/mL) (median (IQR): no standardized difference without an assumed distribution).'
    >>> describe_uncomputed(pd.DataFrame({"characteristic": [], "note": []}))
    ''
    """
    rows = differences.loc[differences["note"] != "", ["characteristic", "note"]].drop_duplicates()
    if rows.empty:
        return ""
    return "Not computed: " + "; ".join(f"{c} ({n})" for c, n in rows.itertuples(index=False)) + "."
