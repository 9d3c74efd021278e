"""A panel's numbers for readers: the CSV a page offers for download.

:func:`endpoint_panel_data` has snake_case columns for code; :func:`panel_table`
turns it into columns a reader understands (the endpoint's and arms' labels,
the numbers as printed, each p-value named for what it compares), with no
ids and no float artefacts.
"""

from __future__ import annotations

import pandas as pd

from cratus.figures.panel_data import endpoint_info
from cratus.words import mid_sentence
from cratus.formatting import NOT_REPORTED


def panel_table(study, panel_data: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing columns of :func:`~cratus.figures.endpoint_panel_data`.

    Examples
    --------
    >>> from cratus.figures import endpoint_panel_data
    >>> from cratus.study.model import load_study
    >>> study = load_study()
    >>> table = panel_table(study, endpoint_panel_data(study, "cd25", ["100M"], ["baseline", "month6"]))
    >>> table.iloc[0, :5].tolist()
    ['CD25+ T cells (late activation)', 'Allo-hMSC 100M', 'Baseline', 'mean ± SD', '12.6 ± 6.87']
    >>> list(table.columns[-2:])
    ['p, 6 months vs baseline within arm', 'p vs placebo at 6 months']
    """
    design = study.design
    follow, baseline = design.visit_label(design.follow_up), mid_sentence(design.visit_label(design.baseline))
    within = f"p, {follow} vs {baseline} within arm"
    control = design.control
    versus = f"p vs {mid_sentence(design.short(control))} at {follow}" if control else "p vs control"
    rows = []
    for r in panel_data.to_dict("records"):
        info = endpoint_info(study, r["endpoint"])
        rows.append({
            "Outcome": info["label"], "Arm": r["arm_label"], "Time point": r["visit_label"],
            "Statistic": r["statistic"], "Value": r["display"],
            "Spread or interval": r["spread"] if r["reported"] else "",
            "n": "" if pd.isna(r["n"]) else f"{r['n']:g}",
            "Reported in the text": "yes" if r["reported"] else f"no ({NOT_REPORTED})",
            "Source": r["source"], "Quote": r["quote"],
            within: r["p_within"], versus: r["p_vs_control"],
        })
    return pd.DataFrame(rows)
