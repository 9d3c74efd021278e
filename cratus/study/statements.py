"""Results a source states in words only (``statements.csv``): typed values and what each finding means.

A paper reports some results without a number or a p-value — "no differences between groups", "no
significant changes … in any group (data not shown)", "remained stable".  Such a sentence *is* a result: a
reader must see it next to the endpoint it concerns, quoted, and must be told that no number backs it.
:class:`Statement` is one such sentence about one endpoint (or about the study, endpoint ``""``);
:data:`FINDINGS` is the closed vocabulary of what it says.  Nothing here is about a particular trial: the
study's sentences live in its folder (``data/statements.csv``, documented in ``data/README.md``).

A study computed from patients has no statements (its tests are computed, not described).
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a statement says, and the words the pages use for it (``{arms}`` is filled in from the statement's arm).
FINDINGS = {
    "no_difference": "the paper states no difference between groups; no p-value printed",
    "no_significant_change": "the paper states no significant change in {arms}; no numbers or p-value printed",
    "no_clinically_significant_change": "the paper states no clinically significant change (a clinical judgement; "
                                        "no numbers or test printed)",
    "stable": "the paper states it remained stable; no numbers or p-value printed",
    "none_occurred": "the paper states there were none; no numbers printed",
    "definition": "definition",
    "limitation": "limitation",
}
#: Findings that report a result about an endpoint (a definition or a limitation is not one).
RESULT_FINDINGS = ("no_difference", "no_significant_change", "no_clinically_significant_change", "stable",
                   "none_occurred")
#: Findings about a comparison between arms (the others describe change within arms or events).
BETWEEN_FINDINGS = ("no_difference",)
#: Findings that stand for a significance test the source ran without printing its p-value.
TESTED_FINDINGS = ("no_difference", "no_significant_change")
STATEMENT_COLUMNS = ["endpoint", "arm", "comparison", "visit", "finding", "source", "quote"]


@dataclass(frozen=True)
class Statement:
    """One result the source gives in words only, with the words it was read from.

    ``endpoint`` is ``""`` for a statement about the study (a limitation); ``arm`` an arm id, ``"all"``
    (every arm) or ``""``; ``comparison`` uses the p-value vocabulary (``within_arm``, ``vs_control``,
    ``between_arms``) or is ``""``; ``visit`` is ``""`` when the sentence names none ("throughout the study").
    """

    endpoint: str
    arm: str
    comparison: str
    visit: str
    finding: str
    source: str
    quote: str

    @property
    def is_result(self) -> bool:
        return self.finding in RESULT_FINDINGS

    @property
    def between_arms(self) -> bool:
        """Whether it reports a comparison of arms (stated without a p-value)."""
        return self.finding in BETWEEN_FINDINGS

    def words(self, arms: str = "any arm") -> str:
        """What it says, in the pages' words: ``"the paper states no difference between groups; no p-value
        printed"``.

        >>> Statement("x", "all", "between_arms", "", "no_difference", "Discussion", "…").words()
        'the paper states no difference between groups; no p-value printed'
        """
        return FINDINGS[self.finding].format(arms=arms)

    def cited(self, arms: str = "any arm") -> str:
        """Its words with the quote and where it stands: ``… ("…", Discussion)``."""
        return f"{self.words(arms)} (“{self.quote}”, {self.source})"


def statements_of(frame) -> tuple[Statement, ...]:
    """The rows of a loaded ``statements.csv`` (:func:`cratus.study.published.load_statements`) as values."""
    if frame is None or frame.empty:
        return ()
    return tuple(Statement(**{c: str(r[c]) for c in STATEMENT_COLUMNS}) for r in frame.to_dict("records"))


def about(statements, endpoint: str, results_only: bool = True) -> list[Statement]:
    """The statements about *endpoint* (results only, unless asked), in file order."""
    return [s for s in statements if s.endpoint == endpoint and (s.is_result or not results_only)]


def of_finding(statements, finding: str) -> list[Statement]:
    """The statements of one finding (e.g. every ``limitation``), in file order."""
    return [s for s in statements if s.finding == finding]
