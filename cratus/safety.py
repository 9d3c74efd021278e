"""Safety statements beyond the tables: the primary endpoint, AE comparisons, notable events."""

from __future__ import annotations

import pandas as pd

from cratus.arms import ARM_LABELS, VISIT_LABELS
from cratus.formatting import format_p


def adverse_event_comparisons(p_values: pd.DataFrame) -> pd.DataFrame:
    """Between-group comparisons of the proportion of patients with adverse events.

    Returns
    -------
    pandas.DataFrame
        ``Time point, p-value, Source, Quote``.

    Examples
    --------
    >>> from cratus.data import load_p_values
    >>> adverse_event_comparisons(load_p_values())[["Time point", "p-value"]].values.tolist()
    [['6 months', 'p = .300'], ['12 months', 'p = .141']]
    """
    rows = p_values[p_values["endpoint"] == "adverse_events"]
    return pd.DataFrame({
        "Time point": rows["visit"].map(VISIT_LABELS),
        "p-value": [format_p(p, r, t) for p, r, t in zip(rows["p_value"], rows["relation"], rows["printed"])],
        "Source": rows["source"], "Quote": rows["quote"],
    }).reset_index(drop=True)


def notable_events(long_term_events: pd.DataFrame) -> list[str]:
    """One plain sentence per notable event (the death, the stroke).

    Examples
    --------
    >>> from cratus.data import load_long_term_events
    >>> notable_events(load_long_term_events())[1]
    'Stroke in the Placebo arm, 307 days after infusion; not related to treatment.'
    """
    related = {"no": "not related to treatment", "yes": "related to treatment", "": "relation not reported"}
    return [f"{event} in the {ARM_LABELS[arm]} arm, {timing}; {related.get(rel, rel)}."
            for event, arm, timing, rel in long_term_events[["event", "arm", "timing", "related_to_treatment"]]
            .itertuples(index=False)]


def discrepancies_for(discrepancies: pd.DataFrame, endpoints) -> pd.DataFrame:
    """The curated discrepancies that concern *endpoints*, for display.

    Examples
    --------
    >>> from cratus.data import load_discrepancies
    >>> discrepancies_for(load_discrepancies(), ["cpra", "serious_adverse_events"])["id"].tolist()
    ['D09', 'D10', 'D11', 'D12']
    """
    rows = discrepancies[discrepancies["endpoint"].isin(list(endpoints))]
    return rows[["id", "kind", "version_a", "location_a", "version_b", "location_b", "shown", "reason"]]
