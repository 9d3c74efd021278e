"""Formatting numbers the way the paper prints them."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

NOT_REPORTED = "not reported in the text"
#: The minus sign of every number shown (not the hyphen).
MINUS = "\u2212"


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


def signed(value: float, decimals: int | None, plus: bool = False) -> str:
    """A number with a true minus sign (and a plus sign when *plus*); no sign on a value that rounds to zero.

    Examples
    --------
    >>> signed(-1.44, 1), signed(-0.01, 1), signed(64.8, 1, plus=True), signed(12500, 0)
    ('−1.4', '0.0', '+64.8', '12,500')
    """
    text = format_number(value, decimals)
    if text.lstrip("-").strip("0.,") == "":
        return text.lstrip("-")
    if text.startswith("-"):
        return MINUS + text[1:]
    return ("+" if plus and text != NOT_REPORTED else "") + text


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as printed tables and SAS's formats do (a half goes away from zero), not to even as :func:`round`
    does; the number as printed (its shortest ``repr``) is what is rounded, so 2.675 gives 2.68.

    Examples
    --------
    >>> round_half_up(16.5), round(16.5), round_half_up(0.125, 2), round_half_up(-2.25, 1)
    (17.0, 16, 0.13, -2.3)
    """
    return float(_half_up(value, decimals))


def fixed_half_up(value: float, decimals: int) -> str:
    """*value* with exactly *decimals* decimals, halves away from zero (:func:`round_half_up`'s rule).

    Examples
    --------
    >>> fixed_half_up(6.25, 1), fixed_half_up(3, 2), fixed_half_up(-0.05, 1)
    ('6.3', '3.00', '-0.1')
    """
    return f"{_half_up(value, decimals):f}"


def _half_up(value: float, decimals: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


#: A printed number, as the paper prints it: an optional "p", an optional relation, digits with thousands
#: separators in groups of three ("7,160"; "1,4542" is not a number) and an optional decimal part.
_PRINTED = re.compile(r"^\s*(?:p\s*)?(?P<rel>[=<>≤≥])?\s*(?P<num>-?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?)\s*$")


def rounding_interval(value: float, decimals: int) -> tuple[float, float]:
    """The values that print as *value* at *decimals* digits: half a unit of the last digit either side.

    This is the audit's one rounding rule (a printed 1.2 stands for [1.15, 1.25)); the interval is closed
    below and open above, as rounding half up makes it.

    Examples
    --------
    >>> rounding_interval(1.2, 1), rounding_interval(0.035, 3)
    ((1.15, 1.25), (0.0345, 0.0355))
    """
    half = Decimal(5).scaleb(-decimals - 1)
    exact = Decimal(repr(float(value)))
    return float(exact - half), float(exact + half)


def printed_interval(text: str) -> tuple[float, float] | None:
    """The values a printed number can stand for, ``[low, high)``; None when *text* is not one number.

    ``"p = .03"`` → [.025, .035); ``"0.66"`` → [.655, .665); a bound ``"p < .00001"`` → [0, .00001);
    ``"p > .999"`` → (.999, inf).  A count with a percentage ("1 (16%)") or a malformed number ("1,4542")
    is not one number.

    Examples
    --------
    >>> printed_interval("p = .03"), printed_interval("p < .00001"), printed_interval("1,4542")
    ((0.025, 0.035), (0.0, 1e-05), None)
    """
    found = _PRINTED.match(str(text))
    if not found or not re.search(r"\d", found["num"]):
        return None
    number = found["num"].replace(",", "")
    value, relation = float(number), found["rel"] or "="
    if relation in "<≤":
        return (min(0.0, value), value)
    if relation in ">≥":
        return (value, math.inf)
    return rounding_interval(value, decimals_of(number))


def consistent_roundings(a: str, b: str) -> bool:
    """Whether two printed numbers can both be correct roundings of one value (their intervals overlap).

    Two values printed at different precisions are not a contradiction when one value prints as both:
    any p in [.0345, .035) prints as .03 at two decimals and as .035 at three.

    Examples
    --------
    >>> consistent_roundings("p = .03", "p = .035"), consistent_roundings("0.7", "0.66")
    (True, True)
    >>> consistent_roundings("p = .01", "p = .031"), consistent_roundings("p = .002", "p = .001")
    (False, False)
    >>> consistent_roundings("1 (16%)", "1 (17%)")
    False
    """
    first, second = printed_interval(a), printed_interval(b)
    if first is None or second is None:
        return False
    return max(first[0], second[0]) < min(first[1], second[1])


def format_p(p_value: float, relation: str = "=", printed: str | None = None, *, computed: bool = False,
             prefix: bool = True) -> str:
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
    computed : bool
        A p-value computed here rather than printed: three decimals, two
        significant digits below .01, "< .0001" below that and "> .999"
        above; a bound (``relation="<"``) is rounded *up* to one significant
        digit, so it stays a true bound (``< .00045`` prints ``< .0005``).
    prefix : bool
        Start with "p " (``"p = .011"``); without it, ``".011"`` or
        ``"< .0001"`` for a table cell headed "p".

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
    >>> format_p(0.00811862, computed=True, prefix=False), format_p(3e-7, computed=True)
    ('.0081', 'p < .0001')
    >>> format_p(0.00045, "<", computed=True, prefix=False), format_p(0.00001, "<", printed="0.00001", prefix=False)
    ('< .0005', '< .00001')
    """
    lead = "p " if prefix else ""
    if printed is not None and not (isinstance(printed, float) and math.isnan(printed)) and str(printed).strip():
        text = str(printed).strip()
        text = text[1:] if text.startswith("0.") else text
        return f"{lead}{relation} {text}" if prefix or relation == "<" else text
    if p_value is None or (isinstance(p_value, float) and math.isnan(p_value)):
        return "p not reported" if prefix else ""
    if computed:
        relation, text = _computed_p(float(p_value), relation)
    else:
        text = f"{p_value:.10f}".rstrip("0")
        if text.endswith("."):
            text += "0"
        if text.startswith("0."):
            text = text[1:]
    return f"{lead}{relation} {text}" if prefix or relation != "=" else text


def _computed_p(p: float, relation: str) -> tuple[str, str]:
    """Relation and digits of a computed p-value (see :func:`format_p`)."""
    if relation == "<":
        if p >= 1:
            return "≤", "1"
        exponent = math.floor(math.log10(p))
        digit = math.ceil(round(p / 10.0**exponent, 9))
        if digit == 10:
            digit, exponent = 1, exponent + 1
        text = f"{digit * 10.0**exponent:.{max(-exponent, 0)}f}"
        return "<", text[1:] if text.startswith("0.") else text
    if p < 0.0001:
        return "<", ".0001"
    if p >= 0.9995:
        return ">", ".999"
    if p < 0.001:
        return relation, f"{p:.4f}"[1:]
    if p < 0.00995:
        return relation, f"{p:.2g}"[1:]
    return relation, f"{p:.3f}"[1:]


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


def clean(value) -> str:
    """A cell as stripped text; missing values (None, NaN, NA) become ``""``.

    Examples
    --------
    >>> clean(None), clean(float("nan")), clean(4.0), clean(" 2A ")
    ('', '', '4', '2A')
    """
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # a figure id read as a number: 4.0 -> "4"
    return str(value).strip()
