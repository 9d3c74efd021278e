"""A self-contained HTML report of what a page shows: tables, interactive figures, citation, provenance.

The report is one file that opens offline: plotly.js is embedded once,
every table is escaped HTML, and nothing is fetched from the network.

A report of patient-level data names its source (``source``: files,
participants per arm, population, filters) and leaves out what describes
individual patients unless asked (``to_html(patient_rows=True)``): tables
flagged as patient rows or with a subject id column, and figure traces whose
``meta["role"]`` is one of :data:`PATIENT_ROLES` (each patient's line, a point
per subject).
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cratus.outputs.export import html_table

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1200px; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.9rem; } h2 { font-size: 1.4rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.92rem; margin: 0.8rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; }
th.num, td.num { text-align: right; }
.note { color: #555; font-size: 0.9rem; }
.sentence { font-weight: 600; }
dl.source { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; font-size: 0.92rem; }
dl.source dt { font-weight: 600; } dl.source dd { margin: 0; }
footer { margin-top: 3rem; color: #555; font-size: 0.85rem; border-top: 1px solid #ddd; padding-top: 1rem; }
"""
#: ``meta["role"]`` of figure traces that draw individual patients.
PATIENT_ROLES = frozenset({"trajectory", "subject", "participant", "patient"})
#: Column names (lower case) that mark a table as listing individual patients.
SUBJECT_COLUMNS = frozenset({"usubjid", "subjid", "subject", "subject id", "participant", "participant id", "patient"})
LEFT_OUT = ("{what} left out: it shows individual patients. Tick “Include patient-level rows in the report” "
            "before downloading to keep it.")


def lists_patients(frame: pd.DataFrame) -> bool:
    """Whether a table has a subject id column (one row per patient or per patient's record)."""
    return any(str(c).strip().lower() in SUBJECT_COLUMNS for c in frame.columns)


def without_patients(figure: go.Figure) -> tuple[go.Figure, int]:
    """*figure* without its traces of individual patients (:data:`PATIENT_ROLES`), and how many were dropped."""
    kept = [t for t in figure.data if not (isinstance(t.meta, dict) and t.meta.get("role") in PATIENT_ROLES)]
    dropped = len(figure.data) - len(kept)
    return (go.Figure(data=kept, layout=figure.layout) if dropped else figure), dropped


@dataclass
class Report:
    """The content of a report, collected while a page renders.

    Examples
    --------
    >>> report = Report("Baseline", citation="Tompkins et al. 2017.", selections={"Arms": "100M"})
    >>> report.add_text("Values are mean ± SD.")
    >>> report.add_table("Table 1", pd.DataFrame({"a": ["<b>x</b>"]}))
    >>> page = report.to_html(include_plotlyjs=False)
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "Tompkins et al. 2017." in page
    True
    >>> report.add_table("Listing", pd.DataFrame({"USUBJID": ["S-017"], "Event": ["fall"]}))
    >>> "S-017" in report.to_html(include_plotlyjs=False), "S-017" in report.to_html(False, patient_rows=True)
    (False, True)
    """

    title: str
    citation: str = ""
    selections: dict[str, str] = field(default_factory=dict)
    provenance: str = ("Every number is read from the text of the paper; cells the text does not report are "
                       "marked “not reported in the text”, never estimated.")
    items: list[tuple[str, object]] = field(default_factory=list)
    #: Where patient-level data came from, in words (``{"Data": "files adsl.xpt, ...", "Participants": ...}``).
    source: dict[str, str] = field(default_factory=dict)
    #: Indexes of ``items`` that show individual patients.
    patient_items: set = field(default_factory=set)

    def add_heading(self, text: str) -> None:
        self.items.append(("heading", text))

    def add_text(self, text: str, kind: str = "note") -> None:
        self.items.append((kind, text))

    def add_table(self, caption: str, frame: pd.DataFrame, patient_rows: bool | None = None) -> None:
        """A table; *patient_rows* marks one of individual patients (default: when it has a subject id column)."""
        self.items.append(("table", (caption, frame)))
        if patient_rows or (patient_rows is None and lists_patients(frame)):
            self.patient_items.add(len(self.items) - 1)

    def add_figure(self, figure: go.Figure, patient_rows: bool = False) -> None:
        """A figure; *patient_rows* marks one that shows individual patients throughout (a point per subject)."""
        self.items.append(("figure", figure))
        if patient_rows:
            self.patient_items.add(len(self.items) - 1)

    def _source_html(self) -> str:
        rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in self.source.items())
        return f'<dl class="source">{rows}</dl>' if rows else ""

    def _item_html(self, kind: str, content, patient_rows: bool, plotlyjs) -> str:
        if kind == "heading":
            return f"<h2>{html.escape(content)}</h2>"
        if kind in ("note", "sentence"):
            return f'<p class="{kind}">{html.escape(content)}</p>'
        if kind == "table":
            caption, frame = content
            table = html_table(frame, label=caption, missing="not reported in the text")
            return f"<h3>{html.escape(caption)}</h3>{table}"
        figure, dropped = (content, 0) if patient_rows else without_patients(content)
        note = f'<p class="note">{html.escape(LEFT_OUT.format(what="Each patient’s line"))}</p>' if dropped else ""
        return note + pio.to_html(figure, full_html=False, include_plotlyjs=plotlyjs,
                                  config={"displaylogo": False, "responsive": True})

    def to_html(self, include_plotlyjs: bool | str = True, generated: _dt.datetime | None = None,
                patient_rows: bool = False) -> str:
        """Render the report as one HTML document (plotly.js embedded once unless told otherwise); what shows
        individual patients only when *patient_rows*."""
        parts = [f"<h1>{html.escape(self.title)}</h1>", self._source_html()]
        if self.selections:
            chosen = "; ".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in self.selections.items())
            parts.append(f'<p class="note">Selections: {chosen}</p>')
        first_figure = True
        for index, (kind, content) in enumerate(self.items):
            if index in self.patient_items and not patient_rows:
                what = f"“{content[0]}”" if kind == "table" else "A figure"
                parts.append(f'<p class="note">{html.escape(LEFT_OUT.format(what=what))}</p>')
                continue
            parts.append(self._item_html(kind, content, patient_rows, include_plotlyjs if first_figure else False))
            first_figure = first_figure and kind != "figure"
        when = (generated or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"<footer><p><strong>Citation.</strong> {html.escape(self.citation)}</p>"
                     f"<p><strong>Provenance.</strong> {html.escape(self.provenance)}</p>"
                     f"<p>Generated by cratus on {when}.</p></footer>")
        return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head><body>"
                + "\n".join(parts) + "</body></html>")
