"""The short reading of one figure page: one line per kind of finding, each saying what its p-values compare,
the direction of each change in words, what the source states without a p-value (quoted) and why a contested
result is in doubt."""

from __future__ import annotations

from cratus.reading.verdicts import (CONTESTED, _endpoint_p_values, _in_sentence, _label, _p_text, _significant,
                                     bottom_line_rows)
from cratus.words import join

_CONTESTED_HEAD = CONTESTED.split(":")[0]


def figure_reading(study, figure, alpha: float = 0.05) -> str:
    """What a figure page's results show, one short line per kind of finding, each saying what it compares.

    Lines (markdown, joined by line breaks), only those that apply: differences between arms (a contested one
    with its reasons); within-arm changes never compared with the control; within-arm changes whose comparison
    between groups the source states in words; within-arm changes also compared between arms; no significant
    difference between arms; no significant within-arm change; what the source states in words only, quoted;
    last, the readings that rest on a p-value the source contradicts or leaves unclear (data/discrepancies.csv).
    Each changed arm's direction is given in words (an improvement or a worsening).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> for line in figure_reading(load_study(), "4").splitlines():
    ...     print(line.rstrip())
    **What these results show** (p below .05 as printed, before any adjustment for multiple testing)
    **Within-arm change** (6 months vs the arm's own baseline); **the paper states no difference between groups, no p-value printed**: SQOL-F in 100M (p = .035; rose: an improvement) — “The lack of differences between groups, with the exception of intracellular TNF-α, is due to the study's small size which limits statistical power.” (Discussion)
    **No significant difference between arms:** IIEF (p = .666, all arms compared)
    **⚠ These readings rest on p-values the paper contradicts or leaves unclear:** IIEF — The Results give one p-value (.666) for erectile function in men without saying whether it compares the arms or tests change over time. Shown: as a comparison among the arms, marked unclear.
    """
    design = study.design
    control = design.short(design.control) if design.control else "the control"
    page = next((p for p in study.figure_pages() if str(p["figure"]) == str(figure)), None)
    if page is None:
        raise ValueError(f"figure {figure!r} is not a figure page of the study")
    rows = bottom_line_rows(study, alpha)
    groups: dict[str, list[str]] = {k: [] for k in ("contested", "differs", "only", "stated", "changed", "same",
                                                    "unchanged", "words", "safety", "disputed")}
    quotes: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    for endpoint in [*study.panels(page["figure"]), *study.reported_only(page["figure"])]:
        label, p_rows, row = _label(study, endpoint), _endpoint_p_values(study, endpoint), rows.get(endpoint, {})
        within = [r for r in p_rows if r["comparison"] == "within_arm"]
        between = [r for r in p_rows if r["comparison"] != "within_arm"]
        stated = [s for s in getattr(study, "statements", ()) if s.endpoint == endpoint and s.is_result]
        if not p_rows and not study.has_printed_sources and study.endpoint_info(endpoint).get("role") == "safety":
            groups["safety"].append(label)  # described, not tested for the bottom line (its table has tests)
            continue
        hits = [f"{design.short(r['arm'])} ({_p_text(r)}{_way(row, design.short(r['arm']))})" for r in within
                if _significant(r, alpha)]
        if hits:
            key = "changed" if between else "stated" if any(s.between_arms for s in stated) else "only"
            groups[key].append(f"{label} in {join(hits)}")
            if key == "stated":
                quotes.setdefault("stated", []).extend(s.quote for s in stated if s.between_arms)
        elif within:
            groups["unchanged"].append(label + (" (the paper states no difference between groups, no p-value "
                                                "printed)" if any(s.between_arms for s in stated) else ""))
        texts = [f"{design.short(r['arm'])} vs {control}, {_p_text(r)}" if r["comparison"] == "vs_control"
                 else f"{_p_text(r)}, all arms compared" for r in between]
        significant = [t for t, r in zip(texts, between) if _significant(r, alpha)]
        if significant and str(row.get("verdict", "")).startswith(_CONTESTED_HEAD):
            groups["contested"].append(f"{label} ({'; '.join(significant)}). In doubt because: {row['contested']}")
        elif significant:
            groups["differs"].append(f"{label} ({'; '.join(significant)})")
        elif between:
            groups["same"].append(f"{label} ({'; '.join(texts)})")
        if not p_rows:
            words.setdefault("; ".join(s.cited() for s in stated), []).append(label)
        if row.get("disputed"):
            groups["disputed"].append(f"{label} — {row['disputed']}")
    groups["words"] = [f"{join(labels)}: {text}" if text else join(labels) for text, labels in words.items()]
    visit, base = _in_sentence(design.visit_label(design.follow_up)), _in_sentence(design.visit_label(design.baseline))
    compares = f"({visit} vs the arm's own {base})"
    stated_quote = " ".join(f"— “{q}”" for q in dict.fromkeys(quotes.get("stated", [])))
    stated_source = next((s.source for s in getattr(study, "statements", ()) if s.between_arms), "")
    heads = {"contested": f"**Differs from {control}, contested** (the p-values are in doubt):",
             "differs": "**Differs between arms:**",
             "only": f"**Within-arm change only, no comparison with {control} reported** {compares}:",
             "stated": f"**Within-arm change** {compares}; **the paper states no difference between groups, no p-value "
                       "printed**:",
             "changed": f"**Within-arm change** {compares}; these endpoints were also compared between arms:",
             "same": "**No significant difference between arms:**",
             "unchanged": "**No significant within-arm change:**",
             "words": ("**Stated in words only (no numbers, no p-value):**" if study.has_printed_sources
                       else "**No test computed:**"),
             "safety": "**Safety parameters, described** (not efficacy endpoints: outside the bottom line and its "
                       "multiplicity family; each one's tests, exploratory, are in its table):",
             "disputed": "**⚠ These readings rest on p-values the paper contradicts or leaves unclear:**"}
    source = "as computed here" if getattr(study, "kind", "") == "patient" else "as printed"
    lines = [f"**What these results show** (p below {_alpha_text(alpha)} {source}, before any adjustment for "
             "multiple testing)"]
    for key, items in groups.items():
        if items:
            tail = f" {stated_quote} ({stated_source})" if key == "stated" and stated_quote else ""
            lines.append(f"{heads[key]} {(' ' if key == 'disputed' else '; ').join(items)}{tail}")
    return "  \n".join(lines)


def _way(row: dict, arm_short_or_id: str) -> str:
    """``"; rose: an improvement"`` for an arm the bottom line's direction names."""
    direction = str(row.get("direction", ""))
    for part in direction.split("; "):
        way, _, rest = part.partition(" in ")
        names, _, judged = rest.partition(":")
        if way in ("rose", "fell") and arm_short_or_id in [n.strip() for n in names.replace(" and ", ", ").split(",")]:
            return f"; {way}" + (f":{judged.split('(')[0].rstrip()}" if judged else "")
    return ""


def _alpha_text(alpha: float) -> str:
    return f"{alpha:g}".lstrip("0")
