"""The multiplicity family of the bottom line: which p-values Holm's adjustment counts, and what changes if the
tests a source ran but did not print are counted too.

The efficacy family is every printed p-value of the endpoints on the study's figure pages, except the control
arm's within-arm tests (a change within the control arm tests no treatment) — so the safety p-values are not in
it either (their endpoints are on no figure page).  A source that says an endpoint was tested without printing
the p-value ("no significant changes … in any group (data not shown)", "the lack of differences between
groups") ran tests that belong to the family: :func:`unprinted_tests` counts them from the study's
statements, and :func:`holm_adjusted` can add them as not significant — as the source says they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cratus.stats.multiplicity import adjust_p_values
from cratus.study.design import ALL_ARMS
from cratus.study.statements import TESTED_FINDINGS
from cratus.words import join


@dataclass(frozen=True)
class UnprintedTest:
    """A test the source reports in words without a p-value: endpoint, arm (``all``: among the arms) and kind."""

    endpoint: str
    arm: str
    comparison: str


def efficacy_endpoints(study) -> list[tuple[str, str]]:
    """``(figure page, endpoint)`` of every endpoint on the study's figure pages, panels first; where the
    endpoints carry a ``role`` (patient data), the primary endpoint first and no safety parameter."""
    found = [(str(page["figure"]), e) for page in study.figure_pages()
             for e in [*study.panels(page["figure"]), *study.reported_only(page["figure"])]]
    if "role" not in study.endpoints:
        return found
    role = dict(zip(study.endpoints["endpoint"], study.endpoints["role"].fillna("")))
    found = [(page, e) for page, e in found if role.get(e) != "safety"]
    return sorted(found, key=lambda pair: role.get(pair[1]) != "primary")


def efficacy_endpoint_ids(study) -> list[str]:
    return list(dict.fromkeys(e for _, e in efficacy_endpoints(study)))


def efficacy_p_values(study, p_values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The study's p-values (or *p_values*) in the efficacy family (see the module docstring), every copy kept."""
    p = study.p_values if p_values is None else p_values
    control = study.design.control
    keep = p["endpoint"].isin(efficacy_endpoint_ids(study)) & ~((p["comparison"] == "within_arm") & (p["arm"] == control))
    return p[keep]


def unprinted_tests(study) -> list[UnprintedTest]:
    """Tests of efficacy endpoints the study's statements report without a p-value, one per arm tested.

    A statement of no change within ``all`` arms counts one test per active arm (the control's within-arm
    tests are outside the family); a statement of no difference between groups counts one test among the
    arms, the fewest it can stand for.  A test that has a printed p-value is not counted twice.
    """
    design, efficacy = study.design, set(efficacy_endpoint_ids(study))
    printed = {(e, c) for e, c in zip(study.p_values["endpoint"], study.p_values["comparison"])}
    found = []
    for s in getattr(study, "statements", ()):
        if s.finding not in TESTED_FINDINGS or s.endpoint not in efficacy or not s.comparison or (s.endpoint, s.comparison) in printed:
            continue
        if s.comparison == "within_arm":
            arms = design.active if s.arm in (ALL_ARMS, "") else [a for a in [s.arm] if a != design.control]
            found += [UnprintedTest(s.endpoint, a, "within_arm") for a in arms]
        else:
            found.append(UnprintedTest(s.endpoint, ALL_ARMS, s.comparison))
    return found


def holm_adjusted(study, alpha: float = 0.05, unprinted: bool = False, p_values=None) -> pd.DataFrame:
    """:func:`cratus.stats.multiplicity.adjust_p_values` over the efficacy family; with *unprinted*, the
    :func:`unprinted_tests` join it with p = 1 (not significant: Holm's result for the others is the same for any
    p above theirs)."""
    p = efficacy_p_values(study, p_values)
    if unprinted:
        extra = [{"endpoint": f"{t.endpoint}", "arm": t.arm, "comparison": t.comparison, "visit": f"unprinted {i}",
                  "p_value": 1.0, "relation": "=", "source": "unprinted", "quote": "", "printed": "1"}
                 for i, t in enumerate(unprinted_tests(study))]
        p = pd.concat([p, pd.DataFrame(extra, columns=p.columns)], ignore_index=True) if extra else p
    return adjust_p_values(p, "all", study.endpoints, alpha)


def family_sentence(study) -> str:
    """What the Holm adjustment of the bottom line counts, in words.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> family_sentence(load_study())[:80]
    "Holm's adjustment counts the 31 efficacy p-values printed: every p-value of the "
    """
    design = study.design
    m = len(holm_adjusted(study))
    control = design.short(design.control) if design.control else "the control arm"
    if not study.has_printed_sources and m == 0:  # patient data without an efficacy endpoint (safety data)
        return ("No efficacy endpoint in these data: no p-value enters the bottom line or a Holm adjustment "
                "(choose efficacy endpoints on the Data source page).")
    done = "printed" if study.has_printed_sources else "computed here"
    text = (f"Holm's adjustment counts the {m} efficacy p-values {done}: every p-value of the endpoints on the "
            f"figure pages, without {control}'s within-arm tests (a change within {control} tests no treatment) and "
            "without the safety p-values.")
    extra = unprinted_tests(study)
    if not extra:
        return text
    within = [t for t in extra if t.comparison == "within_arm"]
    between = [t for t in extra if t.comparison != "within_arm"]
    parts = []
    if within:
        labels = join(list(dict.fromkeys(study.label(t.endpoint) for t in within)))
        parts.append(f"{len(within)} within-arm tests of {labels} reported as not significant without a p-value")
    if between:
        parts.append(f"{len(between)} comparisons between groups stated without a p-value (at least one per "
                     "endpoint)")
    return text + f" The source also ran tests it does not print: {join(parts)}."
