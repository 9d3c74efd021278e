"""The short reading of one figure page: one line per kind of finding, each saying what its p-values compare."""

from __future__ import annotations

from cratus.reading.verdicts import _endpoint_p_values, _in_sentence, _label, _p_text, _significant
from cratus.words import join


def figure_reading(study, figure, alpha: float = 0.05) -> str:
    """What a figure page's results show, one short line per kind of finding, each saying what it compares.

    Lines (markdown, joined by line breaks), only those that apply: differences between arms; within-arm
    changes that were never compared with the control; within-arm changes whose endpoint was also compared
    between arms; no significant difference between arms; no significant within-arm change; words only.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> for line in figure_reading(load_study(), "4").splitlines():
    ...     print(line.rstrip())
    **What these results show** (p below .05 as printed, before any adjustment for multiple testing)
    **Within-arm change only, no comparison with Placebo reported** (6 months vs the arm's own baseline): SQOL-F in 100M (p = .035)
    **No significant difference between arms:** IIEF (p = .666, all arms compared)
    """
    design = study.design
    control = design.short(design.control) if design.control else "the control"
    page = next((p for p in study.figure_pages() if str(p["figure"]) == str(figure)), None)
    if page is None:
        raise ValueError(f"figure {figure!r} is not a figure page of the study")
    groups: dict[str, list[str]] = {k: [] for k in ("differs", "only", "changed", "same", "unchanged", "words")}
    for endpoint in [*study.panels(page["figure"]), *study.reported_only(page["figure"])]:
        label, rows = _label(study, endpoint), _endpoint_p_values(study, endpoint)
        within = [r for r in rows if r["comparison"] == "within_arm"]
        between = [r for r in rows if r["comparison"] != "within_arm"]
        hits = [f"{design.short(r['arm'])} ({_p_text(r)})" for r in within if _significant(r, alpha)]
        if hits:
            groups["changed" if between else "only"].append(f"{label} in {join(hits)}")
        elif within:
            groups["unchanged"].append(label)
        texts = [f"{design.short(r['arm'])} vs {control}, {_p_text(r)}" if r["comparison"] == "vs_control"
                 else f"{_p_text(r)}, all arms compared" for r in between]
        significant = [t for t, r in zip(texts, between) if _significant(r, alpha)]
        if significant:
            groups["differs"].append(f"{label} ({'; '.join(significant)})")
        elif between:
            groups["same"].append(f"{label} ({'; '.join(texts)})")
        if not rows:
            groups["words"].append(label)
    visit, base = _in_sentence(design.visit_label(design.follow_up)), _in_sentence(design.visit_label(design.baseline))
    compares = f"({visit} vs the arm's own {base})"
    heads = {"differs": "**Differs between arms:**",
             "only": f"**Within-arm change only, no comparison with {control} reported** {compares}:",
             "changed": f"**Within-arm change** {compares}; these endpoints were also compared between arms:",
             "same": "**No significant difference between arms:**",
             "unchanged": "**No significant within-arm change:**",
             "words": ("**Described in words only:**" if study.has_printed_sources
                       else "**No test computed:**")}
    source = "as computed here" if getattr(study, "kind", "") == "patient" else "as printed"
    lines = [f"**What these results show** (p below {_alpha_text(alpha)} {source}, before any adjustment for "
             "multiple testing)"]
    lines += [f"{heads[k]} {'; '.join(items)}" for k, items in groups.items() if items]
    return "  \n".join(lines)


def _alpha_text(alpha: float) -> str:
    return f"{alpha:g}".lstrip("0")
