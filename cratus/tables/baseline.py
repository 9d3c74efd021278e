"""Table 1 (baseline characteristics) and the balance between arms, built from a :class:`~cratus.study.model.Study`.

Builders return DataFrames of display strings, formatted as the paper prints
them (mean ± SD, n (%), median (Q1, Q3)); cells the text does not report read
"not reported in the text".  Which printed copy of a number is shown follows
the one rule of :mod:`cratus.study.provenance`.
"""

from __future__ import annotations

import math

import pandas as pd

from cratus.study.design import TOTAL
from cratus.formatting import NOT_REPORTED, decimals_of, format_number
from cratus.stats.between_arms import standardized_difference, standardized_difference_of_proportions
from cratus.study.provenance import select_figure_rows
from cratus.study.model import PARTICIPANTS, Study

#: Domains whose endpoints are baseline characteristics when the study names no baseline table.
CHARACTERISTIC_DOMAINS = ("demographics", "laboratory")


def _printed(row: dict | None) -> str | None:
    if row is None:
        return None
    printed = row.get("printed")
    return format_number(row["value"], decimals_of(printed) if isinstance(printed, str) and printed else None)


def arm_header(study: Study, arm: str, shown=None) -> str:
    """Column header of an arm with its N, e.g. ``'Allo-hMSC 100M (N = 10)'``; the total's names the hidden arms
    it includes when only the arms *shown* are (:meth:`cratus.study.design.Design.total_label`).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> arm_header(load_study(), "total"), arm_header(load_study(), "total", shown=("100M", "placebo"))
    ('Total (N = 30)', 'All arms (incl. hidden 200M) (N = 30)')
    """
    n = study.n_per_arm().get(arm)
    label = study.design.total_label(shown) if arm == TOTAL else study.design.label(arm)
    return f"{label} (N = {n:g})" if n is not None and not math.isnan(n) else label


def format_cell(stats: dict, summary_kind: str) -> str:
    """Format one table cell from the rows (dicts with ``value`` and ``printed``) of its statistics.

    Examples
    --------
    >>> row = lambda v, p: {"value": v, "printed": p}
    >>> format_cell({"mean": row(7160, "7160"), "sd": row(2438, "2438")}, "mean_sd")
    '7,160 ± 2,438'
    >>> format_cell({"count": row(4, "4"), "percent": row(13, "13")}, "n_percent")
    '4 (13%)'
    >>> format_cell({}, "median_iqr")
    'not reported in the text'
    """
    if {"mean", "sd"} <= stats.keys() and summary_kind != "median_iqr":
        return f"{_printed(stats['mean'])} ± {_printed(stats['sd'])}"
    if {"median", "q1", "q3"} <= stats.keys():
        return f"{_printed(stats['median'])} ({_printed(stats['q1'])}, {_printed(stats['q3'])})"
    if {"mean", "sd"} <= stats.keys():
        return f"{_printed(stats['mean'])} ± {_printed(stats['sd'])}"
    if "count" in stats:
        if "percent" in stats:
            return f"{_printed(stats['count'])} ({_printed(stats['percent'])}%)"
        return _printed(stats["count"])
    if "mean" in stats:
        return f"{_printed(stats['mean'])} (SD {NOT_REPORTED})"
    return NOT_REPORTED


def characteristic_endpoints(study: Study) -> list[str]:
    """Endpoints that Table 1 lists, in the order of the summary file (the printed table's order).

    A published study names the source of its baseline table in ``trial.csv``
    (``baseline_table``, e.g. "Table 1"): the characteristics are the
    endpoints with a baseline row from that source.  Otherwise they are the
    endpoints of the :data:`CHARACTERISTIC_DOMAINS`.
    """
    summary, source = study.summary, study.fact("baseline_table")
    rows = summary[(summary["visit"] == study.design.baseline) & (summary["endpoint"] != PARTICIPANTS)]
    if source:
        return list(dict.fromkeys(rows.loc[rows["source"] == source, "endpoint"]))
    domains = study.endpoints.set_index("endpoint")["domain"].to_dict()
    return [e for e in dict.fromkeys(rows["endpoint"]) if domains.get(e) in CHARACTERISTIC_DOMAINS]


def table_one_cells(study: Study, arms=None, total: bool = True) -> pd.DataFrame:
    """Table 1 in long form: one row per characteristic, level and arm, with provenance.

    Returns
    -------
    pandas.DataFrame
        ``endpoint, level, characteristic, level_label, arm, cell, source, quote``.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> cells = table_one_cells(load_study(), arms=("100M",))
    >>> cells.query("endpoint == 'age'")[["arm", "cell"]].values.tolist()
    [['100M', '75.0 ± 7.4'], ['total', '75.5 ± 7.3']]
    """
    design = study.design
    wanted = design.order([*(arms if arms is not None else design.arm_ids), *([TOTAL] if total else [])])
    endpoints = characteristic_endpoints(study)
    summary = study.summary
    rows = summary[(summary["visit"] == design.baseline) & summary["endpoint"].isin(endpoints)
                   & summary["arm"].isin(wanted)]
    rows = select_figure_rows(rows, own=study.fact("baseline_table") or None)
    dictionary = study.endpoints.set_index("endpoint")
    levels = study.levels
    level_labels = {(e, lv): lab for e, lv, lab in levels[["endpoint", "level", "label"]].itertuples(index=False)}
    level_order = {(e, lv): i for i, (e, lv) in enumerate(levels[["endpoint", "level"]].itertuples(index=False))}
    present_arms = [a for a in wanted if a != TOTAL or (rows["arm"] == TOTAL).any()]
    cells: dict[tuple, dict] = {}
    for row in rows.to_dict("records"):
        cells.setdefault((row["endpoint"], row["level"], row["arm"]), {})[row["statistic"]] = row
    levels_of: dict[str, list[str]] = {}
    for endpoint, level in dict.fromkeys(zip(rows["endpoint"], rows["level"])):
        levels_of.setdefault(endpoint, []).append(level)
    records = []
    for endpoint in [e for e in endpoints if e in levels_of]:
        info = dictionary.loc[endpoint] if endpoint in dictionary.index else {}
        label, unit, kind = (info.get("label", endpoint) if len(info) else endpoint,
                             info.get("unit", "") if len(info) else "", info.get("summary", "") if len(info) else "")
        characteristic = f"{label} ({unit})" if unit and kind != "n_percent" else label
        for level in sorted(levels_of[endpoint], key=lambda lv: level_order.get((endpoint, lv), 999)):
            for arm in present_arms:
                stats = cells.get((endpoint, level, arm), {})
                records.append({
                    "endpoint": endpoint, "level": level, "characteristic": characteristic,
                    "level_label": level_labels.get((endpoint, level), level), "arm": arm,
                    "cell": format_cell(stats, kind),
                    "source": "; ".join(dict.fromkeys(r["source"] for r in stats.values())),
                    "quote": " | ".join(dict.fromkeys(str(r.get("quote", "")) for r in stats.values())),
                })
    return pd.DataFrame.from_records(records, columns=["endpoint", "level", "characteristic", "level_label",
                                                       "arm", "cell", "source", "quote"])


def table_one(study: Study, arms=None, total: bool = True) -> pd.DataFrame:
    """Table 1 in the paper's layout: a row per continuous characteristic, a heading and a row per level otherwise.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = table_one(load_study(), arms=("200M", "placebo"))
    >>> list(t.columns)
    ['Characteristic', 'Allo-hMSC 200M (N = 10)', 'Placebo (N = 10)', 'All arms (incl. hidden 100M) (N = 30)']
    >>> t.set_index("Characteristic").loc["\u2003Male"].tolist()
    ['6 (60%)', '6 (60%)', '18 (60%)']
    """
    cells = table_one_cells(study, arms, total)
    arms_present = list(dict.fromkeys(cells["arm"]))
    headers = {arm: arm_header(study, arm, arms) for arm in arms_present}
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
    return frame.drop(columns="_endpoint") if not frame.empty else pd.DataFrame(columns=["Characteristic"])


def _standardized(kind: str, get, endpoint, level, arm, reference, n_of) -> tuple[float, str]:
    if kind == "mean_sd":
        return standardized_difference(get(endpoint, level, arm, "mean"), get(endpoint, level, arm, "sd"),
                                       get(endpoint, level, reference, "mean"),
                                       get(endpoint, level, reference, "sd")), ""
    if kind == "n_percent":
        n1, n0 = n_of.get(arm), n_of.get(reference)
        p1 = get(endpoint, level, arm, "count") / n1 if n1 else math.nan
        p0 = get(endpoint, level, reference, "count") / n0 if n0 else math.nan
        return standardized_difference_of_proportions(p1, p0), ""
    return math.nan, "median (IQR): no standardized difference without an assumed distribution"


def standardized_differences(study: Study, arms=None, reference: str | None = None, columns=None) -> pd.DataFrame:
    """Standardized differences of baseline characteristics, each arm vs *reference* (default: the control).

    For means, d = (m₁ − m₀) / √((s₁² + s₀²) / 2); for a proportion,
    d = (p₁ − p₀) / √((p₁(1 − p₁) + p₀(1 − p₀)) / 2) (Austin 2009, Stat Med
    28:3083; :func:`cratus.stats.between_arms.standardized_difference`).  A
    level with a zero proportion in both arms has d = 0.  Median
    (IQR) characteristics are not converted.  These describe balance; they are
    not significance tests (CONSORT 2010 item 15).

    Returns
    -------
    pandas.DataFrame
        ``endpoint, level, characteristic, arm, reference, estimate, note``.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> d = standardized_differences(load_study())
    >>> round(float(d.query("endpoint == 'age' and arm == '100M'")["estimate"].iloc[0]), 3)
    -0.042
    """
    if study.has_patients:  # Table 1's characteristics, from the subjects (*columns*: Table 1's choice)
        from cratus.tables.characteristics import patient_standardized_differences
        return patient_standardized_differences(study, arms, reference, columns)
    design = study.design
    reference = design.arm_id(reference) if reference else design.control
    arms = design.arm_ids if arms is None else tuple(design.order(arms))
    columns = ["endpoint", "level", "characteristic", "arm", "reference", "estimate", "note"]
    if reference is None:
        return pd.DataFrame(columns=columns)
    cells = table_one_cells(study, arms=[*arms, reference], total=False)
    key = cells[["endpoint", "level", "characteristic", "level_label"]].drop_duplicates()
    kinds = study.endpoints.set_index("endpoint")["summary"].to_dict()
    summary = study.summary
    rows = select_figure_rows(summary[summary["visit"] == design.baseline], own=study.fact("baseline_table") or None)
    indexed = rows.set_index(["endpoint", "level", "arm", "statistic"])["value"]
    indexed = indexed[~indexed.index.duplicated()]
    n_of = study.n_per_arm()

    def get(endpoint, level, arm, statistic):
        return indexed.get((endpoint, level, arm, statistic), math.nan)

    records = []
    for endpoint, level, characteristic, level_label in key.itertuples(index=False):
        for arm in design.order(arms):
            if arm == reference:
                continue
            estimate, note = _standardized(kinds.get(endpoint, ""), get, endpoint, level, arm, reference, n_of)
            if math.isnan(estimate) and not note:
                note = NOT_REPORTED
            name = f"{characteristic}: {level_label}" if level else characteristic
            records.append({"endpoint": endpoint, "level": level, "characteristic": name, "arm": arm,
                            "reference": reference, "estimate": estimate, "note": note})
    return pd.DataFrame.from_records(records, columns=columns)


def describe_uncomputed(differences: pd.DataFrame) -> str:
    """One sentence naming the characteristics :func:`standardized_differences` could not compute, and why.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> describe_uncomputed(standardized_differences(load_study()))
    'Not computed: Serum TNF-α (pg/mL) (median (IQR): no standardized difference without an assumed distribution).'
    >>> describe_uncomputed(pd.DataFrame({"characteristic": [], "note": []}))
    ''
    """
    rows = differences.loc[differences["note"] != "", ["characteristic", "note"]].drop_duplicates()
    if rows.empty:
        return ""
    return "Not computed: " + "; ".join(f"{c} ({n})" for c, n in rows.itertuples(index=False)) + "."
