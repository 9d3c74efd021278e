"""Safety statements beyond the tables: p-values of safety endpoints, notable events, and where the paper
contradicts itself, in words."""

from __future__ import annotations

import pandas as pd

from cratus.formatting import format_p
from cratus.provenance import select_p_values
from cratus.study import Study


def safety_p_values(study: Study) -> pd.DataFrame:
    """P-values of the safety domain's endpoints (e.g. patients with adverse events between groups).

    Returns
    -------
    pandas.DataFrame
        ``Endpoint, Compares, p-value, Source, Quote``.

    Examples
    --------
    >>> from cratus.study import load_study
    >>> safety_p_values(load_study())[["Compares", "p-value"]].values.tolist()
    [['between all arms at 6 months', 'p = .300'], ['between all arms at 12 months', 'p = .141']]
    """
    from cratus.safety_tables import comparison_words

    domains = study.endpoints.set_index("endpoint")["domain"].to_dict()
    rows = select_p_values(study.p_values[study.p_values["endpoint"].map(domains) == "safety"])
    return pd.DataFrame({
        "Endpoint": [study.label(e) for e in rows["endpoint"]],
        "Compares": [comparison_words(study, c, a, v) for c, a, v in zip(rows["comparison"], rows["arm"], rows["visit"])],
        "p-value": [format_p(p, r, t) for p, r, t in zip(rows["p_value"], rows["relation"], rows["printed"])],
        "Source": rows["source"].tolist(), "Quote": rows["quote"].tolist(),
    })


def notable_events(study: Study) -> list[str]:
    """One plain sentence per notable event (for example a death or a stroke).

    Examples
    --------
    >>> from cratus.study import load_study
    >>> notable_events(load_study())[1]
    'Stroke in the Placebo arm, 307 days after infusion; not related to treatment.'
    """
    related = {"no": "not related to treatment", "yes": "related to treatment", "": "relation not reported"}
    events = study.long_term_events
    return [f"{event} in the {study.design.label(arm)} arm, {timing}; {related.get(rel, rel)}."
            for event, arm, timing, rel in events[["event", "arm", "timing", "related_to_treatment"]]
            .itertuples(index=False)]


def discrepancy_sentence(row: dict) -> str:
    """A contradiction in words: what one place says, what the other says, what is shown and why.

    Examples
    --------
    >>> discrepancy_sentence({"version_a": "p = .01", "location_a": "Abstract: Results", "version_b": "p = .031",
    ...     "location_b": "Results: Functional status", "shown": "p = .031", "reason": "More specific."})
    'Abstract (Results) says p = .01; Results (Functional status) says p = .031. Shown: p = .031. More specific.'
    """
    if row.get("sentence"):
        return str(row["sentence"])

    def where(location: str) -> str:
        head, _, rest = str(location).partition(": ")
        return f"{head} ({rest})" if rest else head

    reason = str(row.get("reason", "")).strip()
    return (f"{where(row['location_a'])} says {row['version_a']}; {where(row['location_b'])} says "
            f"{row['version_b']}. Shown: {row['shown']}." + (f" {reason}" if reason else ""))


def discrepancies_for(study: Study, endpoints) -> pd.DataFrame:
    """The curated contradictions that concern *endpoints*, as readable rows.

    Examples
    --------
    >>> from cratus.study import load_study
    >>> t = discrepancies_for(load_study(), ["cpra", "serious_adverse_events"])
    >>> list(t.columns), len(t)
    (['Concerns', 'What the paper says'], 5)
    """
    rows = study.discrepancies[study.discrepancies["endpoint"].isin(list(endpoints))]
    concerns = []
    for row in rows.to_dict("records"):
        parts = [study.label(row["endpoint"])] if row["endpoint"] else []
        if row.get("arm"):
            parts.append(study.design.short(row["arm"]))
        if row.get("visit"):
            parts.append(study.design.visit_label(row["visit"]))
        concerns.append(", ".join(parts))
    return pd.DataFrame({"Concerns": concerns,
                         "What the paper says": [discrepancy_sentence(r) for r in rows.to_dict("records")]})
