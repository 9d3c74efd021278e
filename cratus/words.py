"""The package's words around numbers and names: lists, capitals, units, visit and arm names mid-sentence.

Labels come from the study (``arms.csv``, ``visits.csv``, the endpoint
dictionary); these helpers only fit them into a sentence.
"""

from __future__ import annotations

import re
import textwrap

#: Short forms of time units, for compact p-value labels ("6 months" -> "6 mo").
_UNIT_SHORT = {"month": "mo", "months": "mo", "week": "wk", "weeks": "wk", "year": "yr", "years": "yr",
               "day": "d", "days": "d", "hour": "h", "hours": "h"}


def join(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> join(["x"]), join(["x", "y"]), join(["x", "y", "z"])
    ('x', 'x and y', 'x, y and z')
    """
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def capitalise(text: str) -> str:
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def lower_label(label: str) -> str:
    """A label inside a sentence: "Serum TNF-α" -> "serum TNF-α", but "SPPB total score" stays, and so does a
    label in title case as data give it (ADaM PARAM "Body Mass Index": not "body Mass Index").

    Examples
    --------
    >>> lower_label("Serum TNF-α"), lower_label("SPPB total score"), lower_label("Body Mass Index")
    ('serum TNF-α', 'SPPB total score', 'Body Mass Index')
    """
    words = label.split()
    title_case = any(len(w) > 1 and w[0].isupper() and w[1:].islower() for w in words[1:])
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() and not title_case else label


def mid_sentence(label: str) -> str:
    """A one-word name inside a sentence ("Baseline", "Placebo" -> lower case); others as they are.

    Examples
    --------
    >>> mid_sentence("Baseline"), mid_sentence("Placebo"), mid_sentence("Week 0"), mid_sentence("100M")
    ('baseline', 'placebo', 'Week 0', '100M')
    """
    if " " not in label and len(label) > 1 and label[1:].islower() and label[0].isupper():
        return label[0].lower() + label[1:]
    return label


def visit_adjective(label: str) -> str:
    """A visit label used before a noun: "6 months" -> "6-month", "Baseline" -> "baseline", "Week 24" as is.

    Examples
    --------
    >>> visit_adjective("6 months"), visit_adjective("12 months"), visit_adjective("Week 24")
    ('6-month', '12-month', 'Week 24')
    """
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s+([A-Za-z]+?)s?", label.strip())
    if found:
        return f"{found.group(1)}-{found.group(2)}"
    return mid_sentence(label)


def visit_short(label: str) -> str:
    """A compact visit label for p-value tags: "6 months" -> "6 mo", "Week 24" -> "Week 24".

    Examples
    --------
    >>> visit_short("6 months"), visit_short("Week 24"), visit_short("Baseline")
    ('6 mo', 'Week 24', 'baseline')
    """
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s+([A-Za-z]+)", label.strip())
    if found and found.group(2).lower() in _UNIT_SHORT:
        return f"{found.group(1)} {_UNIT_SHORT[found.group(2).lower()]}"
    return mid_sentence(label)


#: Units that are not written after a number ("1.2", not "1.2 ratio").
SILENT_UNITS = ("", "ratio")


def with_unit(number_text: str, unit: str) -> str:
    """``"410.7 m"``, ``"27.0%"``; a unit of :data:`SILENT_UNITS` is not written.

    >>> with_unit("410.7", "m"), with_unit("27.0", "%"), with_unit("1.2", "ratio")
    ('410.7 m', '27.0%', '1.2')
    """
    if unit in SILENT_UNITS:
        return number_text
    return f"{number_text}{unit}" if unit.startswith("%") else f"{number_text} {unit}"


def wrap(text: str, width: int) -> str:
    """Wrap plain text into ``<br>``-separated lines for plotly."""
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False)) if text else ""


def hover_safe(text: str) -> str:
    """Plotly parses pseudo-HTML in hover text: a "<" must not open a tag."""
    return text.replace("<", "&lt;")


def slug(text: str) -> str:
    """A file-name-safe form of a name.

    Examples
    --------
    >>> slug("CRATUS"), slug("six_minute_walk"), slug("A/B trial")
    ('cratus', 'six_minute_walk', 'a_b_trial')
    """
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
