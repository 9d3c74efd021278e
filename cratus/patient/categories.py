"""Categorical and binary parameters of patient data, summarised as what they are: counts and percentages.

For each categorical or binary parameter (:mod:`cratus.patient.parameters`)
and visit, per arm: the subjects with a value (``n``) and, per category,
the count and percentage of them.  Categories are the data's own values
(``AVALC``, else ``AVAL``), each as given — never merged — in the order of
their numeric code (``AVAL``) where there is one, else sorted.

Tests against the control, at each visit after baseline (none at or before
baseline: CONSORT 15), from :mod:`cratus.stats.categorical`:

* binary: Fisher's exact test of the two proportions (each with its
  Clopper–Pearson exact 95% interval);
* categorical (ordered): the Wilcoxon–Mann–Whitney test on the categories'
  order (normal approximation with the tie correction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.formatting import format_p
from cratus.stats.categorical import binary_summary, ordinal_tests

TOTAL = "total"
SOURCE = "computed from patient data"


def _is_categorical(data) -> list[str]:
    p = getattr(data, "parameters", None)
    if p is None or p.empty:
        return []
    return p.loc[p["kind"].isin(["categorical", "binary"]), "endpoint"].tolist()


def kind_of(data, endpoint: str) -> str:
    p = getattr(data, "parameters", None)
    if p is None or p.empty:
        return "continuous"
    rows = p[p["endpoint"] == endpoint]
    return str(rows["kind"].iloc[0]) if len(rows) else "continuous"


def _texts(rows: pd.DataFrame) -> tuple[pd.Series, list]:
    """Each record's category as text, and the categories in order (numeric code, else sorted)."""
    value = rows["value"].astype(float)
    avalc = rows["avalc"].astype(object) if "avalc" in rows else pd.Series(np.nan, index=rows.index)
    text = avalc.where(avalc.notna(), value.map(lambda v: f"{v:g}" if pd.notna(v) else np.nan))
    codes = pd.DataFrame({"text": text, "code": value}).dropna(subset=["text"])
    if codes["code"].notna().any():
        order = codes.groupby("text")["code"].min().sort_values(kind="stable").index.tolist()
    else:
        order = sorted(codes["text"].unique(), key=str)
    return text, order


def category_rows(data, endpoints=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary rows (``endpoint, level, arm, visit, statistic, value``; statistics n, count, percent; arm
    ``total`` for all arms) and levels (``endpoint, level, label``) of the categorical and binary parameters."""
    m = data.measurements
    chosen = _is_categorical(data) if endpoints is None else list(endpoints)
    rows, levels = [], []
    for endpoint in chosen:
        part = m[(m["endpoint"].astype(object) == endpoint).to_numpy()]
        if part.empty:
            continue
        text, order = _texts(part)
        part = part.assign(_level=text.to_numpy(), _arm=part["arm"].astype(object), _visit=part["visit"].astype(object))
        part = part[part["_level"].notna()]
        levels += [{"endpoint": endpoint, "level": level, "label": level} for level in order]
        every = pd.concat([part, part.assign(_arm=TOTAL)])
        counts = pd.crosstab([every["_visit"], every["_arm"]], every["_level"]).reindex(columns=order, fill_value=0)
        n = counts.sum(axis=1)
        for (visit, arm), row in counts.iterrows():
            rows.append((endpoint, "", arm, visit, "n", float(n[(visit, arm)])))
            for level in order:
                rows.append((endpoint, level, arm, visit, "count", float(row[level])))
                rows.append((endpoint, level, arm, visit, "percent", 100.0 * row[level] / n[(visit, arm)]))
    summary = pd.DataFrame(rows, columns=["endpoint", "level", "arm", "visit", "statistic", "value"])
    return summary.astype({"value": float}), pd.DataFrame(levels, columns=["endpoint", "level", "label"])


def category_p_values(data, endpoints=None) -> pd.DataFrame:
    """Each active arm against the control at each visit after baseline: ``endpoint, arm, comparison, visit,
    p_value, source, method`` (Fisher's exact test for binary parameters, Wilcoxon–Mann–Whitney for ordered
    categories)."""
    m = data.measurements
    chosen = _is_categorical(data) if endpoints is None else list(endpoints)
    visits = data.visits
    base_order = visits.loc[visits["baseline"].astype(bool), "visit_order"]
    base_order = base_order.iloc[0] if len(base_order) else -np.inf
    # no test at baseline or before it (CONSORT 15): only visits after baseline
    baseline = set(visits.loc[visits["visit_order"] <= base_order, "visit"].astype(object))
    out = []
    for endpoint in chosen:
        part = m[(m["endpoint"].astype(object) == endpoint).to_numpy()]
        if part.empty:
            continue
        text, order = _texts(part)
        part = part.assign(_level=text.to_numpy(), arm=part["arm"].astype(object))
        binary = kind_of(data, endpoint) == "binary"
        for visit, at in part.groupby(part["visit"].astype(object), sort=False):
            if visit in baseline:
                continue
            out += _tests(at, endpoint, visit, order, binary, data.arms, data.control)
    return pd.DataFrame(out, columns=["endpoint", "arm", "comparison", "visit", "p_value", "source", "method"])


def _tests(at: pd.DataFrame, endpoint, visit, order, binary: bool, arms, control) -> list[tuple]:
    rows = []
    if binary:
        _, comparisons = binary_summary(at, "_level", list(arms), control)
        for c in comparisons:
            n = int((at["arm"] == c.arm).sum()), int((at["arm"] == control).sum())
            rows.append((endpoint, c.arm, "vs_control", visit, c.p_value,
                         f"computed: {c.test} of the proportions vs control (n = {n[0]} and {n[1]})", c.test))
        return rows
    for t in ordinal_tests(at, "_level", list(arms), control, order=order):
        rows.append((endpoint, t.arm, "vs_control", visit, t.p_value,
                     f"computed: {t.test} of the ordered categories vs control (n = {t.n} and {t.n_reference})",
                     t.test))
    return rows


def category_table(study, endpoint: str, arms=None) -> pd.DataFrame:
    """A categorical or binary parameter as a table: per visit and arm, n and each category's count (%); for a
    binary one the proportion with its exact (Clopper–Pearson) 95% interval; the test against the control."""
    from cratus.patient.stats import patient_data

    data = patient_data(study)
    design = study.design
    arms = tuple(design.arm_ids if arms is None else arms)
    summary, levels = category_rows(data, [endpoint])
    tests = category_p_values(data, [endpoint])
    binary = kind_of(data, endpoint) == "binary"
    order = levels["level"].tolist()
    records = []
    for visit in data.visits["visit"].astype(object):
        for arm in arms:
            cell = summary[(summary["visit"] == visit) & (summary["arm"] == arm)]
            if cell.empty:
                continue
            n = int(cell.loc[cell["statistic"] == "n", "value"].iloc[0])
            record = {"Visit": design.visit_label(visit) if hasattr(design, "visit_label") else str(visit),
                      "Arm": design.label(arm), "n": n}
            for level in order:
                count = cell.loc[(cell["level"] == level) & (cell["statistic"] == "count"), "value"]
                k = int(count.iloc[0]) if len(count) else 0
                record[str(level)] = f"{k} ({100 * k / n:.0f}%)" if n else "0"
            if binary:
                record["Proportion (95% exact CI)"] = _proportion(data, endpoint, visit, arm)
            test = tests[(tests["visit"] == visit) & (tests["arm"] == arm)]
            record["vs control"] = (f"{format_p(test['p_value'].iloc[0], computed=True)} ({test['method'].iloc[0]})"
                                    if len(test) and pd.notna(test["p_value"].iloc[0]) else "")
            records.append(record)
    return pd.DataFrame(records)


def _proportion(data, endpoint, visit, arm) -> str:
    m = data.measurements
    part = m[((m["endpoint"].astype(object) == endpoint) & (m["visit"].astype(object) == visit)).to_numpy()]
    text, _ = _texts(part)
    part = part.assign(_level=text.to_numpy(), arm=part["arm"].astype(object))
    found, _ = binary_summary(part, "_level", [arm], arm)
    if not found:
        return ""
    b = found[0]
    return f"{b.events}/{b.n} = {100 * b.proportion:.0f}% ({100 * b.ci_low:.0f}–{100 * b.ci_high:.0f}%)"
