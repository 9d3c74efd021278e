"""Safety statements beyond the tables: p-values of safety endpoints, the primary safety endpoint with exact
upper bounds for its rate (:func:`safety_line`), notable events, and where the paper contradicts itself, in words."""

from __future__ import annotations

import math

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from cratus.formatting import format_p
from cratus.study.discrepancies import for_page
from cratus.study.provenance import select_p_values
from cratus.reading.numbers import selected_numbers
from cratus.study.model import Study
from cratus.study.statements import of_finding

#: Words the dictionary uses to mark the primary safety endpoint (in its label or description).
PRIMARY_MARK = "primary endpoint"


def safety_p_values(study: Study) -> pd.DataFrame:
    """P-values of the safety domain's endpoints (e.g. patients with adverse events between groups).

    Returns
    -------
    pandas.DataFrame
        ``Endpoint, Compares, p-value, Source, Quote``.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> safety_p_values(load_study())[["Compares", "p-value"]].values.tolist()
    [['between all arms at 6 months', 'p = .300'], ['between all arms at 12 months', 'p = .141']]
    """
    from cratus.tables.safety import comparison_words

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
    >>> from cratus.study.model import load_study
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


def discrepancies_for(study: Study, endpoints, page: str = "") -> pd.DataFrame:
    """The curated contradictions that concern *endpoints* (and, without an endpoint, name *page*; ``"*"``:
    every row without an endpoint), as readable rows.  Consistent roundings are not contradictions and are
    left out (:func:`cratus.study.discrepancies.for_page`).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> t = discrepancies_for(load_study(), ["cpra", "serious_adverse_events"])
    >>> list(t.columns), len(t)
    (['Concerns', 'What the paper says'], 5)
    """
    rows = for_page(study.discrepancies, endpoints, page)
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


def primary_safety_endpoint(study) -> str:
    """The safety endpoint whose label or description says "primary endpoint"; ValueError if none does."""
    d = study.endpoints
    text = (d["label"].astype(str) + " " + d["description"].astype(str)).str.lower()
    found = d.loc[(d["domain"] == "safety") & text.str.contains(PRIMARY_MARK, regex=False), "endpoint"]
    if found.empty:
        raise ValueError(f"endpoints.csv: no safety endpoint is marked '{PRIMARY_MARK}'; pass endpoint=...")
    return str(found.iloc[0])


def safety_line(study, endpoint: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Patients with the primary safety event per arm, with an exact upper confidence limit for the rate.

    Zero events in a small arm do not mean a zero rate: the upper limit of
    the two-sided Clopper–Pearson interval
    (``statsmodels.stats.proportion.proportion_confint(method="beta")``)
    says how high the true rate could still be.

    Parameters
    ----------
    study : cratus.study.model.Study
    endpoint : str, optional
        A safety endpoint with a patient ``count`` per arm; by default
        :func:`primary_safety_endpoint`.
    confidence : float
        Confidence level of the interval (0.95).

    Returns
    -------
    pandas.DataFrame
        ``group, label, patients, n, percent, upper, sentence``: one row per
        arm, then one for all active arms pooled (group ``"active"``).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> line = safety_line(load_study())
    >>> [round(u * 100, 1) for u in line["upper"]]
    [30.8, 30.8, 30.8, 16.8]
    """
    endpoint = endpoint or primary_safety_endpoint(study)
    design = study.design
    counts = {arm: number[0] for (arm, _, stat), number in selected_numbers(study, endpoint).items() if stat == "count"}
    missing = [a for a in design.arm_ids if a not in counts]
    if missing:
        raise ValueError(f"summary.csv: endpoint {endpoint!r} has no patient count for arm(s) {', '.join(missing)}")
    n = study.n_per_arm()
    groups = [(a, design.label(a), counts[a], n.get(a)) for a in design.arm_ids]
    groups.append(("active", "All active arms", sum(counts[a] for a in design.active),
                   sum(n.get(a, math.nan) for a in design.active)))
    records = []
    for group, label, patients, total in groups:
        if total is None or not total == total:
            raise ValueError(f"summary.csv: no number of participants for {label}")
        upper = float(proportion_confint(int(patients), int(total), alpha=1 - confidence, method="beta")[1])
        sentence = (f"{label}: {int(patients)} of {int(total)} patients ({100 * patients / total:.0f}%); the "
                    f"true rate could still be as high as {100 * upper:.1f}% (upper limit of the {confidence:.0%} "
                    "Clopper–Pearson interval).")
        records.append({"group": group, "label": label, "patients": int(patients), "n": int(total),
                        "percent": 100 * patients / total, "upper": upper, "sentence": sentence})
    return pd.DataFrame.from_records(records)


def safety_definitions(study: Study) -> list[str]:
    """How the source defines its safety endpoints (the primary one first), quoted with the section.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> safety_definitions(load_study())[0][:90]
    'Treatment-emergent serious adverse events within 30 days (primary endpoint) — as defined i'
    """
    safety = set(study.endpoints.loc[study.endpoints["domain"] == "safety", "endpoint"])
    found = [s for s in of_finding(getattr(study, "statements", ()), "definition") if s.endpoint in safety]
    try:
        primary = primary_safety_endpoint(study)
    except ValueError:
        primary = ""
    found.sort(key=lambda s: s.endpoint != primary)
    return [f"{study.label(s.endpoint)} — as defined in {s.source}: “{s.quote}”" for s in found]


def stated_safety_results(study: Study) -> list[str]:
    """Safety results the source gives in words only (no numbers), each with its quote and section.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> stated_safety_results(load_study())[0][:100]
    'Basic haematology and chemistry laboratory tests: the paper states no clinically significant change '
    """
    safety = list(study.endpoints.loc[study.endpoints["domain"] == "safety", "endpoint"])
    found = [s for s in getattr(study, "statements", ()) if s.is_result and s.endpoint in safety]
    found.sort(key=lambda s: safety.index(s.endpoint))
    return [f"{study.label(s.endpoint)}: {s.words()} — “{s.quote}” ({s.source})" for s in found]
