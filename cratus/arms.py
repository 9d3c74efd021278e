"""Arms and visits of the CRATUS trial: one order, one palette, one symbol set.

Every figure and table takes its arm order, colours and marker symbols from
here so that an arm looks the same on every page.  Colours are from the
Okabe–Ito palette (colour-blind safe); symbols differ too, so a greyscale
print-out still tells the arms apart.
"""

from __future__ import annotations

#: Treatment arms in display order (active doses first, placebo last).
ARMS: tuple[str, ...] = ("100M", "200M", "placebo")

#: Pseudo-arms used in the published files.
TOTAL = "total"
ALL_ARMS = "all"

ARM_LABELS: dict[str, str] = {
    "100M": "Allo-hMSC 100M",
    "200M": "Allo-hMSC 200M",
    "placebo": "Placebo",
    TOTAL: "Total",
    ALL_ARMS: "All arms",
}

#: Short names for selectors (and for the URL, which carries what the selector shows).
ARM_SHORT: dict[str, str] = {"100M": "100M", "200M": "200M", "placebo": "Placebo", TOTAL: "Total"}

#: Okabe–Ito: orange, blue, and grey-black for placebo.
ARM_COLORS: dict[str, str] = {
    "100M": "#E69F00",
    "200M": "#0072B2",
    "placebo": "#555555",
    TOTAL: "#009E73",
}

ARM_SYMBOLS: dict[str, str] = {
    "100M": "circle",
    "200M": "square",
    "placebo": "diamond",
    TOTAL: "triangle-up",
}

#: Dash pattern of connecting lines, a third cue besides colour and symbol.
ARM_DASHES: dict[str, str] = {
    "100M": "solid",
    "200M": "dash",
    "placebo": "dot",
    TOTAL: "dashdot",
}

VISITS: tuple[str, ...] = ("baseline", "month1", "month6", "month12")

VISIT_LABELS: dict[str, str] = {
    "baseline": "Baseline",
    "month1": "1 month",
    "month6": "6 months",
    "month12": "12 months",
}


def order_arms(arms) -> list[str]:
    """Return *arms* in the canonical display order, dropping unknown names.

    Parameters
    ----------
    arms : iterable of str
        Arm codes, in any order.

    Returns
    -------
    list of str
        The same arms in the order of :data:`ARMS`, followed by ``total``.

    Examples
    --------
    >>> order_arms(["placebo", "100M"])
    ['100M', 'placebo']
    >>> order_arms(["total", "200M"])
    ['200M', 'total']
    """
    wanted = set(arms)
    return [a for a in (*ARMS, TOTAL) if a in wanted]
