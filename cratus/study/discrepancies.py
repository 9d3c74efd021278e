"""The source's contradictions (``discrepancies.csv``) as a data model.

Each row names what it is about: an endpoint, an arm, a visit and, when a
printed *value* is disputed, its ``statistic`` (``mean``, ``sd``, ``q3``,
``p_value``, ``count`` …) and, for a p-value, its ``comparison``
(``within_arm``, ``vs_control``, ``between_arms``, as in ``p_values.csv``).
A row without a statistic disputes a *statement* (a claim in words), not a
number.

One rule decides whether a row is a contradiction at all
(:func:`is_contradiction`): two printed values that can both be correct
roundings of one value (:func:`cratus.formatting.consistent_roundings`, the
audit's rounding rule) are not, whatever the row's ``kind`` says; nor is a
row of kind ``consistent_rounding``.  Pages flag (⚠) and list only
contradictions; the audit shows the rest as passing.

:func:`contesting` finds the rows that dispute the numbers a verdict uses, so
a verdict can say that it rests on a contested number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from cratus.formatting import clean, consistent_roundings

#: The kinds of ``discrepancies.csv``, most serious first (the order :func:`contesting` sorts by).
KINDS = ("incompatible", "contradiction", "malformed", "unit", "omission", "rounding", "possible_copy_error",
         "ambiguous", "consistent_rounding")
#: A kind in words, where its id does not read as words (the others: the id with spaces).
KIND_WORDS = {"incompatible": "numbers that cannot all be true", "possible_copy_error": "possible copy error",
              "consistent_rounding": "consistent roundings", "unit": "unit"}
#: Kinds that are listed (and audited as passing) but are not contradictions: never flagged ⚠.
NOT_CONTRADICTIONS = frozenset({"consistent_rounding"})
#: The comparisons a p-value row can be about (the ``comparison`` vocabulary of ``p_values.csv``).
COMPARISONS = ("within_arm", "vs_control", "between_arms")


@dataclass(frozen=True)
class Value:
    """One printed number a reading uses: endpoint, arm, visit, statistic and (for a p-value) its comparison."""

    endpoint: str
    arm: str
    visit: str
    statistic: str
    comparison: str = ""


def kind_words(kind: str) -> str:
    """A kind as words: ``"incompatible"`` → ``"numbers that cannot all be true"``."""
    kind = clean(kind)
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def _get(row, key: str) -> str:
    return clean(row.get(key)) if hasattr(row, "get") else clean(getattr(row, key, ""))


def is_consistent_rounding(row) -> bool:
    """True for a row whose two versions can be one value printed at two precisions (or says it is one).

    >>> is_consistent_rounding({"kind": "contradiction", "version_a": "p = .03", "version_b": "p = .035"})
    True
    >>> is_consistent_rounding({"kind": "contradiction", "version_a": "p = .01", "version_b": "p = .031"})
    False
    """
    return (_get(row, "kind") in NOT_CONTRADICTIONS
            or consistent_roundings(_get(row, "version_a"), _get(row, "version_b")))


def is_contradiction(row) -> bool:
    """Whether a row is shown as a contradiction (⚠): anything but consistent roundings."""
    return not is_consistent_rounding(row)


def is_about_value(row) -> bool:
    """Whether a row disputes a printed value (it names a statistic) rather than a statement."""
    return bool(_get(row, "statistic"))


def contradictions(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of *frame* that are contradictions (consistent roundings left out).

    >>> d = pd.DataFrame({"kind": ["contradiction", "contradiction", "consistent_rounding"],
    ...                   "version_a": ["p = .01", "p = .03", "0.7"], "version_b": ["p = .031", "p = .035", "0.66"]})
    >>> contradictions(d).index.tolist()
    [0]
    """
    if frame is None or frame.empty:
        return frame
    keep = [is_contradiction(r) for r in frame.to_dict("records")]
    return frame[keep]


def disputes(row, value: Value) -> bool:
    """Whether *row* disputes *value*.

    The row must name the value's endpoint and statistic; an empty arm,
    visit or comparison in the row covers every arm, visit or comparison (a
    row about "the 6-minute walk p-values" disputes each of them).
    """
    if not is_about_value(row) or _get(row, "endpoint") != value.endpoint:
        return False
    if _get(row, "statistic") != value.statistic:
        return False
    return all(not _get(row, key) or _get(row, key) == want
               for key, want in (("arm", value.arm), ("visit", value.visit), ("comparison", value.comparison))
               if not (key == "comparison" and not want))


def _by_seriousness(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame*'s rows, most serious kind first (:data:`KINDS`), in file order within a kind."""
    order = {k: i for i, k in enumerate(KINDS)}
    rank = [order.get(clean(k), len(KINDS)) for k in frame["kind"]]
    return frame.iloc[sorted(range(len(frame)), key=rank.__getitem__)]


def for_page(frame: pd.DataFrame, endpoints=(), page: str = "") -> pd.DataFrame:
    """The contradictions a page lists, most serious kind first: those about its *endpoints*, and those
    without an endpoint that name the page (column ``page``, a figure id).  ``page="*"`` takes every row
    without an endpoint (the overview: claims about the trial as a whole).

    >>> from cratus.study.model import load_study
    >>> for_page(load_study().discrepancies, ["tnf_alpha_bcell"])["id"].tolist()
    ['D30', 'D31', 'D03', 'D04', 'D05']
    """
    if frame is None or frame.empty:
        return frame
    rows = contradictions(frame)
    endpoint = rows["endpoint"].fillna("").astype(str)
    pages = rows["page"].map(clean) if "page" in rows else pd.Series("", index=rows.index)
    keep = endpoint.isin(list(endpoints))
    if page == "*":
        keep |= endpoint.eq("")
    elif page:
        keep |= endpoint.eq("") & pages.eq(clean(page))
    return _by_seriousness(rows[keep])


def p_values_of(rows: Iterable[dict]) -> list[Value]:
    """The :class:`Value` of each p-value row (``endpoint, arm, visit, comparison``, as in ``p_values.csv``)."""
    return [Value(clean(r["endpoint"]), clean(r["arm"]), clean(r["visit"]), "p_value", clean(r["comparison"]))
            for r in rows]


def contesting(frame: pd.DataFrame, values: Iterable[Value]) -> pd.DataFrame:
    """The contradictions in *frame* that dispute any of *values*, most serious kind first.

    Parameters
    ----------
    frame : pandas.DataFrame
        A study's ``discrepancies``.
    values : iterable of Value
        The numbers a reading (a verdict) rests on.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> d = load_study().discrepancies
    >>> used = [Value("tnf_alpha_bcell", "200M", "month6", "p_value", "vs_control")]
    >>> contesting(d, used)[["kind", "version_b"]].values.tolist()[0]
    ['incompatible', 'p = .00002']
    >>> contesting(d, [Value("tnf_alpha_bcell", "100M", "month6", "p_value", "within_arm")]).empty
    True
    """
    values = list(values)
    if frame is None or frame.empty or not values:
        return frame.iloc[0:0] if frame is not None else pd.DataFrame()
    records = frame.to_dict("records")
    keep = [is_contradiction(r) and any(disputes(r, v) for v in values) for r in records]
    return _by_seriousness(frame[keep])
