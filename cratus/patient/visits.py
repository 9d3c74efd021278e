"""Visit order and the baseline visit of patient-level measurements.

Visits are ordered by their order numbers (AVISITN, ``visit_order``) when
every visit has one, else by the numbers in their names converted to days
("Week 12" after "Week 2", "Month 6" after "Week 4"; baseline, screening and
pre-dose visits first).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from cratus.patient.mapping import normalise

_VISIT_UNITS = {"day": 1.0, "week": 7.0, "wk": 7.0, "month": 30.4375, "mo": 30.4375, "year": 365.25, "yr": 365.25}


# --- visits --------------------------------------------------------------------------------------
def _visit_number(name: str) -> float:
    """Position of a visit from its name: baseline/screening first, else the number (in days when a unit is named).

    >>> [_visit_number(v) for v in ("Baseline", "Week 2", "Week 12", "Month 6", "Day 1")]
    [-inf, 14.0, 84.0, 182.625, 1.0]
    """
    lowered = str(name).lower()
    if re.search(r"baseline|screen|pre-?dose|pre-?treat", lowered):
        return -math.inf
    match = re.search(r"(\d+(?:\.\d+)?)", lowered)
    if not match:
        return math.nan
    unit = next((f for word, f in _VISIT_UNITS.items() if re.search(rf"\b{word}", lowered)), 1.0)
    return float(match.group(1)) * unit


def order_visits(measurements: pd.DataFrame, wanted_baseline: str, notes: list) -> tuple[pd.DataFrame, str]:
    """Visits in order (AVISITN, else numbers in their names) and the baseline visit.

    *measurements* needs ``visit, visit_order, baseline`` and ``_seq`` (row order); the baseline visit is
    *wanted_baseline* if given, else the visit with most baseline-flagged rows, else the one named like
    baseline, else the first (noted).  Returns ``visit, visit_order, baseline`` in time order.
    """
    flagged = (measurements["baseline"] == True).to_numpy()  # noqa: E712  (blank: not flagged)
    stats = measurements[["visit", "visit_order", "_seq"]].assign(flagged=flagged).groupby("visit", sort=False).agg(
        visit_order=("visit_order", "min"), flagged=("flagged", "sum"), first=("_seq", "min")).reset_index()
    if stats["visit_order"].notna().all():
        order = stats["visit_order"]
    else:
        order = stats["visit"].astype(object).map(_visit_number).astype(float)
        if stats["visit_order"].notna().any():
            notes.append("visit order numbers missing for some visits; visits ordered by the numbers in their names")
    stats["_order"] = order.fillna(math.inf)
    stats = stats.sort_values(["_order", "first"], kind="stable").reset_index(drop=True)
    if wanted_baseline:
        match = stats.loc[stats["visit"].map(normalise) == normalise(wanted_baseline), "visit"]
        if match.empty:
            raise ValueError(f"mapping: baseline visit {wanted_baseline!r} is not a visit of the data "
                             f"({', '.join(stats['visit'])})")
        baseline = match.iloc[0]
    elif stats["flagged"].max() > 0:
        baseline = stats.loc[stats["flagged"].idxmax(), "visit"]
    else:
        named = stats.loc[stats["visit"].str.contains("baseline", case=False), "visit"]
        baseline = named.iloc[0] if len(named) else stats["visit"].iloc[0]
        notes.append(f"baseline assumed to be the visit {baseline!r}"
                     + ("" if len(named) else " (the first visit; no baseline flag or visit named baseline)"))
    stats["baseline"] = stats["visit"] == baseline
    if not stats["visit_order"].notna().all():
        stats["visit_order"] = np.arange(len(stats), dtype=float)  # ranks when the data give no order numbers
    return stats[["visit", "visit_order", "baseline"]], baseline


#: ADaM DTYPE values of records that are an extreme of several values (ADaM IG 3.3.6; admiral's "POST-BASELINE
#: MINIMUM/MAXIMUM" visits): such a value moves away from baseline by chance alone.
EXTREME_DTYPES = ("MINIMUM", "MAXIMUM")


def mark_extreme_visits(visits: pd.DataFrame, measurements: pd.DataFrame, notes: list) -> pd.DataFrame:
    """*visits* with ``extreme``: True for a visit whose records are all extremes of several values (DTYPE
    MINIMUM or MAXIMUM).  The within-arm tests leave those visits out (the maximum of several values after
    baseline lies above baseline more often than not even with no change at all); their summaries and the
    comparisons between arms (each arm's extreme alike) stay; said in *notes*."""
    dtype = measurements["dtype"].astype(object).fillna("").astype(str).str.strip().str.upper()
    extreme = pd.Series(dtype.isin(EXTREME_DTYPES).to_numpy()).groupby(measurements["visit"].astype(object)
                                                                       .to_numpy()).all()
    visits = visits.assign(extreme=visits["visit"].map(extreme).fillna(False).astype(bool).to_numpy())
    named = visits.loc[visits["extreme"], "visit"].tolist()
    if named:
        notes.append(f"{', '.join(map(str, named))}: extremes of several values (DTYPE {' / '.join(EXTREME_DTYPES)})"
                     " — summarised and compared between arms, no within-arm test against baseline (an extreme "
                     "of several values differs from baseline by chance alone)")
    return visits
