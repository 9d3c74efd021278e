"""Formatting numbers the way the paper prints them."""

from __future__ import annotations

import math

NOT_REPORTED = "not reported in the text"


def format_number(value: float, decimals: int | None = None) -> str:
    """Format a number with thousands separators, as printed in the paper.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, optional
        Digits after the point.  By default integers print without a point
        and other numbers with as many digits as they carry (up to 4).

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(7160)
    '7,160'
    >>> format_number(2.5, 2)
    '2.50'
    >>> format_number(0.66)
    '0.66'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_REPORTED
    if decimals is None:
        if float(value).is_integer():
            return f"{int(value):,}"
        text = f"{value:,.4f}".rstrip("0")
        return text
    return f"{value:,.{decimals}f}"


def format_p(p_value: float, relation: str = "=", printed: str | None = None) -> str:
    """Format a p-value as the paper prints it (no leading zero).

    Parameters
    ----------
    p_value : float
        The p-value, as a number.
    relation : {"=", "<"}
        ``"<"`` for bounds such as "p < .0001".
    printed : str, optional
        The p-value as written in the data file (``"0.300"``); keeps the
        paper's trailing zeros.

    Returns
    -------
    str

    Examples
    --------
    >>> format_p(0.011)
    'p = .011'
    >>> format_p(0.0001, "<")
    'p < .0001'
    >>> format_p(0.7599)
    'p = .7599'
    >>> format_p(0.3, printed="0.300")
    'p = .300'
    """
    if printed:
        text = printed.strip()
        return f"p {relation} {text[1:] if text.startswith('0.') else text}"
    if p_value is None or (isinstance(p_value, float) and math.isnan(p_value)):
        return "p not reported"
    text = f"{p_value:.10f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    if text.startswith("0."):
        text = text[1:]
    return f"p {relation} {text}"


def decimals_of(text: str) -> int:
    """Number of digits after the decimal point in a printed number.

    Examples
    --------
    >>> decimals_of("10.50")
    2
    >>> decimals_of("7,160")
    0
    """
    text = str(text)
    return len(text.split(".", 1)[1]) if "." in text else 0
