"""The audit for reading: which rows a reader sees, how many pass or fail, and a labelled table.

Takes the rows of :func:`cratus.appraisal.audit.run_audit`; arm and visit names come
from the study's :class:`~cratus.study.design.Design`, endpoint labels from its
dictionary.  :func:`audit_view` is the study-first entry point a page caches.
"""

from __future__ import annotations

import pandas as pd

#: Statuses in reading order (problems first), with their display text.
STATUS_LABELS = {"fail": "✗ fail", "not_checkable": "○ not checkable", "pass": "✓ pass"}
AUDIT_TABLE_COLUMNS = ["Status", "Check", "Where", "Expected", "Reported", "Explanation"]


def audit_for_arms(audit, arms, design):
    """Audit rows about the chosen arms, plus those about no single arm (totals, all arms).

    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "A", "A", False), ("p", "P", "P", True)], [("w0", "Week 0", "baseline")])
    >>> audit_for_arms(pd.DataFrame({"arm": ["a", "p", "total", ""], "status": "pass"}), ["a"], d)["arm"].tolist()
    ['a', 'total', '']
    """
    keep = ~audit["arm"].isin(design.arm_ids) | audit["arm"].isin(list(arms))
    return audit[keep].reset_index(drop=True)


def audit_counts(audit):
    """How many checks pass, fail or cannot be checked.

    >>> audit_counts(pd.DataFrame({"status": ["pass", "fail", "pass"]}))
    {'pass': 2, 'fail': 1, 'not_checkable': 0}
    """
    counts = audit["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in ("pass", "fail", "not_checkable")}


def audit_table(audit, design, endpoints=None, statuses=tuple(STATUS_LABELS)):
    """A table for reading of :func:`cratus.appraisal.audit.run_audit`: problems first, labels from the dictionary.

    Returns
    -------
    pandas.DataFrame
        ``Status, Check, Where`` (endpoint · level · arm · visit), ``Expected,
        Reported, Explanation``, failures first.

    Examples
    --------
    >>> from cratus.appraisal.audit import _row
    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "Drug A", "A", False), ("p", "Vehicle", "Vehicle", True)], [("w0", "Week 0", "baseline")])
    >>> a = pd.DataFrame([_row("event total", "sae", "a", "", "pass", "2", "2", "ok"),
    ...                   _row("events percent", "sae", "p", "", "fail", "17", "16", "1 of 6", "Aneurysm")])
    >>> audit_table(a, d)[["Status", "Where", "Reported"]].values.tolist()
    [['✗ fail', 'sae · Aneurysm · Vehicle', '16'], ['✓ pass', 'sae · A', '2']]
    """
    labels = endpoints.set_index("endpoint")["label"].to_dict() if endpoints is not None else {}
    order = {s: i for i, s in enumerate(STATUS_LABELS)}
    rows = audit[audit["status"].isin(list(statuses))].copy()
    rows = rows.assign(_o=rows["status"].map(order)).sort_values("_o", kind="stable")
    visits = design.visit_labels()
    # a curated row's level is the discrepancy's id, which is not for the screen
    levels = ["" if str(c).startswith("curated") else level for c, level in zip(rows["check"], rows["level"])]
    # a curated row about no single endpoint is a claim about the trial's results as a whole
    names = [labels.get(e, e) or ("The trial's conclusions" if str(c).startswith("curated") else "")
             for e, c in zip(rows["endpoint"], rows["check"])]
    where = [" · ".join(str(x) for x in (name, level, design.short(a) if a else "",
                                        visits.get(v, v)) if x and not pd.isna(x))
             for name, level, a, v in zip(names, levels, rows["arm"], rows["visit"])]
    return pd.DataFrame({
        "Status": rows["status"].map(STATUS_LABELS).to_numpy(), "Check": rows["check"].to_numpy(), "Where": where,
        "Expected": rows["expected"].to_numpy(), "Reported": rows["reported"].to_numpy(),
        "Explanation": rows["explanation"].to_numpy(),
    }, columns=AUDIT_TABLE_COLUMNS)


def audit_view(study, arms, statuses=tuple(STATUS_LABELS)):
    """The Audit tab of a study: ``(counts, table)`` for the chosen arms and statuses.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> counts, table = audit_view(load_study(), ("100M",), ("fail",))
    >>> counts["fail"] == len(table) > 0
    True
    """
    from cratus.appraisal.views import audit_rows

    rows = audit_for_arms(audit_rows(study), arms, study.design)
    return audit_counts(rows), audit_table(rows, study.design, study.endpoints, statuses)
