"""Exports: CSV that is safe to open in a spreadsheet, and tables as static HTML."""

from __future__ import annotations

from html import escape

import pandas as pd

#: A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone (a negative number is data, not a formula); only
    text cells are changed, following OWASP's advice on CSV injection.

    Examples
    --------
    >>> frame = pd.DataFrame({"quote": ["=1+1", "@SUM(A1)", "p = .011"], "value": [-1.5, 2.0, 3.0]})
    >>> neutralize_formulas(frame)["quote"].tolist()
    ["'=1+1", "'@SUM(A1)", 'p = .011']
    >>> neutralize_formulas(frame)["value"].tolist()
    [-1.5, 2.0, 3.0]
    """
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column]):
            continue
        safe[column] = safe[column].map(
            lambda cell: "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES) else cell)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a byte-order mark, so spreadsheets read µ and ± right), formulas neutralized.

    Examples
    --------
    >>> to_csv_bytes(pd.DataFrame({"a": ["+x"]})).decode("utf-8-sig")
    "a\\n'+x\\n"
    """
    return neutralize_formulas(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def stack_columns(frame, first: str | None = None, name: str = "Arm", value: str = "Value"):
    """A wide table as one row per (row, column) pair, for narrow screens: the first column, *name*, *value*.

    Rows whose other cells are all empty (headings such as "Gender") stay one row with empty cells.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"Characteristic": ["Gender", "Male"], "A (N = 10)": ["", "6 (60%)"],
    ...                      "B (N = 9)": ["", "5 (56%)"]})
    >>> stack_columns(wide).values.tolist()
    [['Gender', '', ''], ['Male', 'A (N = 10)', '6 (60%)'], ['', 'B (N = 9)', '5 (56%)']]
    """
    import pandas as pd

    first = first or frame.columns[0]
    others = [c for c in frame.columns if c != first]
    records = []
    for row in frame.itertuples(index=False):
        cells = dict(zip(frame.columns, row))
        filled = [c for c in others if str(cells[c]).strip() not in ("", "nan")]
        if not filled:
            records.append({first: cells[first], name: "", value: ""})
            continue
        for i, column in enumerate(filled):
            records.append({first: cells[first] if i == 0 else "", name: column, value: str(cells[column])})
    return pd.DataFrame.from_records(records, columns=[first, name, value])


def html_table(frame: pd.DataFrame, label: str = "", missing: str = "") -> str:
    """*frame* as a static HTML table (class ``cratus-table``): one header row, one row per record, no index.

    Used on the pages (``ui.render.static_table``) and in the HTML report (:mod:`cratus.outputs.report`).  Text is
    escaped, never read as HTML or Markdown; a missing cell reads *missing* (blank by default: the tables'
    builders write "not reported" where the source reports nothing).  Numeric columns are marked
    ``class="num"`` (drawn right-aligned).  *label* names the table for screen readers.

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"Arm": ["A & B", None], "n": [10, 9]}), label="Arms"))
    <table class="cratus-table" aria-label="Arms"><thead><tr><th scope="col">Arm</th><th scope="col" class="num">n</th></tr></thead><tbody><tr><td>A &amp; B</td><td class="num">10</td></tr><tr><td></td><td class="num">9</td></tr></tbody></table>
    """
    numeric = [pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
               for dtype in frame.dtypes]
    marks = [' class="num"' if flag else "" for flag in numeric]
    head = "".join(f'<th scope="col"{mark}>{escape(str(name))}</th>' for name, mark in zip(frame.columns, marks))
    rows = "".join("<tr>" + "".join(f"<td{mark}>{_cell_text(value, missing)}</td>" for value, mark in zip(row, marks))
                   + "</tr>" for row in frame.itertuples(index=False, name=None))
    named = f' aria-label="{escape(label)}"' if label else ""
    return f'<table class="cratus-table"{named}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _cell_text(value, missing: str = "") -> str:
    """One cell as escaped text; *missing* when it is missing."""
    if pd.api.types.is_scalar(value) and pd.isna(value):  # None, NaN, NA, NaT; never a text or a list
        return escape(missing)
    return escape(str(value))


def html_cards(frame: pd.DataFrame, title: str, lead: str, label: str = "", details: str = "Details") -> str:
    """*frame* as one card per row (class ``cratus-cards``), for a phone: the *title* column as the card's heading,
    the *lead* column under it, and the other non-empty columns in a ``<details>`` disclosure, each named.

    Every value stays with its row's name, however far the reader scrolls; the disclosure is the browser's own
    (no script, nothing that catches a swipe).  Text is escaped, never read as HTML.

    Examples
    --------
    >>> t = pd.DataFrame({"Endpoint": ["Walk"], "Reading": ["rose in A"], "Within": ["A: p = .011"], "Empty": [""]})
    >>> print(html_cards(t, "Endpoint", "Reading", label="Readings"))
    <div class="cratus-cards" role="list" aria-label="Readings"><section class="cratus-card" role="listitem"><h4>Walk</h4><p>rose in A</p><details><summary>Details</summary><dl><dt>Within</dt><dd>A: p = .011</dd></dl></details></section></div>
    """
    cards = []
    others = [c for c in frame.columns if c not in (title, lead)]
    for row in frame.to_dict("records"):
        shown = [(c, _cell_text(row[c])) for c in others]
        listed = "".join(f"<dt>{escape(str(c))}</dt><dd>{text}</dd>" for c, text in shown if text)
        more = f"<details><summary>{escape(details)}</summary><dl>{listed}</dl></details>" if listed else ""
        cards.append(f'<section class="cratus-card" role="listitem"><h4>{_cell_text(row[title])}</h4>'
                     f"<p>{_cell_text(row[lead])}</p>{more}</section>")
    named = f' aria-label="{escape(label)}"' if label else ""
    return f'<div class="cratus-cards" role="list"{named}>{"".join(cards)}</div>'
