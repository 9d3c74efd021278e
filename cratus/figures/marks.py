"""The marks of a panel other than the data: p-value tags, "not reported" boxes, discrepancy flags, MCID.

Every annotation carries ``name = "ROLE|endpoint|arm|visit"`` so tests and
pages can find it with :func:`find_annotations`.  p-value tags name their arm
and what they compare ("● 100M: 6 mo vs baseline p = .011",
"● 100M vs Placebo p < .00001"), with the arm's glyph in its colour, and are
listed at the top of the panel (:func:`p_block`), clear of data and lines.
Discrepancies are explained in words (the two printed versions, where each
is printed, which is shown), never by their ids.
"""

from __future__ import annotations

import functools

import re

import plotly.graph_objects as go

from cratus.study.design import ALL_ARMS

from cratus.figures.geometry import Note, text_width
from cratus.figures.panel_data import clean, number
from cratus.figures.theme import FILLED_GLYPHS, MCID_LINE, TEXT_COLOR, WARNING_COLOR
from cratus.words import capitalise, hover_safe, mid_sentence, visit_short, wrap
from cratus.formatting import format_number
from cratus.study.provenance import _records
from cratus.study.discrepancies import is_about_value, is_contradiction, kind_words
from cratus.figures.theme import LABEL_BACKGROUND, MCID_COLOR, TRANSPARENT  # colours

#: Statistic ids of the data files, in words.
_STATISTIC_WORDS = {"p_value": "p-value", "sd": "SD", "q1": "lower quartile", "q3": "upper quartile",
                    "n": "n", "mean": "mean", "median": "median", "unit": "unit"}


def spec(panel, role: str, arm: str, visit: str, text: str, hover: str, **kw) -> dict:
    """An annotation of *panel* (see :class:`cratus.figures.panel.Panel`) with its ``ROLE|…`` name."""
    base = {"name": f"{role}|{panel.endpoint}|{arm}|{visit}", "text": text, "hovertext": hover,
            "showarrow": False, "xref": panel.xref, "yref": panel.yref,
            "font": {"size": panel.style["annotation"], "color": TEXT_COLOR},
            "bgcolor": "white", "borderpad": 2, "xanchor": "center", "yanchor": "bottom"}
    base.update(kw)
    return base


def arm_tag(design, arm: str) -> str:
    """The arm's filled glyph in its colour and its short name: ties a label to the arm's markers."""
    glyph = FILLED_GLYPHS.get(design.symbol(arm), "●")
    return f"<span style='color:{design.color(arm)}'>{glyph}</span> {design.short(arm)}"


# --- discrepancies ---------------------------------------------------------------------------
def discrepancy_rows(study) -> tuple[dict, ...]:
    """The study's discrepancy rows as records (read once per study by :meth:`~cratus.study.model.Study.records`)."""
    return study.records("discrepancies")


def discrepancy_lookup(discrepancies, endpoint: str, info: dict) -> dict:
    """``{(arm, visit): [rows]}`` of the discrepancies that concern *endpoint*.

    A row with an empty endpoint applies when its locations cite the
    endpoint's figure panel (e.g. "Figure 3A").  An empty arm or visit is
    ``""`` in the key (the whole panel, or every visit of the arm).  Rows
    that are not contradictions (:func:`cratus.study.discrepancies.is_contradiction`)
    are left out.
    """
    if discrepancies is None or not len(discrepancies):
        return {}
    found: dict[tuple[str, str], list[dict]] = {}
    citation = f"Figure {info['figure']}" if info["figure"] else None
    for row in (discrepancies if isinstance(discrepancies, tuple) else _records(discrepancies)):
        if not is_contradiction(row):     # consistent roundings are listed by the audit, never flagged
            continue
        own = clean(row.get("endpoint"))
        if own != endpoint:
            cited = " ".join(clean(row.get(k)) for k in ("location_a", "location_b"))
            if own or not citation or not re.search(rf"{re.escape(citation)}\b", cited):
                continue
        found.setdefault((clean(row.get("arm")), clean(row.get("visit"))), []).append(row)
    return found


def flags_by_cell(found: dict, arms: list[str], visits: list[str], metric: str, baseline: str,
                  p_visit: str | None) -> tuple[dict, list[dict]]:
    """Attach discrepancies to plotted cells; return them and the panel-wide ones.

    A row without arm (or with arm ``all``), or about a statement rather than
    a value (no ``statistic``), concerns the whole panel.  A row without
    visit goes to the arm's p-value cell.  With the change metric, a
    baseline or follow-up row goes to the change cells it feeds.  Rows for
    arms or visits that are not shown are left out (pages list them).
    """
    cells: dict[tuple[str, str], list[dict]] = {}
    panel_wide: list[dict] = []
    for (arm, visit), rows in found.items():
        # a row about a statement (no statistic) disputes no plotted value: it belongs to the whole panel
        panel_wide += [r for r in rows if not is_about_value(r)]
        group = [r for r in rows if is_about_value(r)]
        if not group:
            continue
        if arm in ("", ALL_ARMS):
            panel_wide += group
            continue
        if arm not in arms:
            continue
        if not visit:
            targets = [p_visit or visits[-1]]
        elif metric == "change":
            targets = visits if visit == baseline else [v for v in visits if v == visit]
        else:
            targets = [visit] if visit in visits else []
        for target in targets:
            cells.setdefault((arm, target), []).extend(group)
    return cells, panel_wide


def _scrub_ids(text: str, ids: set[str]) -> str:
    """Remove references to other discrepancy rows by id ("As D01: …")."""
    for known in ids:
        if not known:
            continue
        text = re.sub(rf"\bAs {re.escape(known)}\b[^:.]*[:.]\s*", "", text)
        text = re.sub(rf"\b{re.escape(known)}\b", "another note", text)
    return capitalise(text.strip())


def discrepancy_text(design, rows: list[dict], ids: frozenset = frozenset()) -> str:
    """The contradiction of each row, in words, as hover text (no ids, no raw column values)."""
    return "<br>".join(_note(design, tuple((k, clean(v)) for k, v in r.items() if k != "_position"), ids)
                       for r in rows)


# Kept, keyed by value (the design, one discrepancy row, the ids): the note's wrapping and id scrubbing are ~45 ms of
# a four-panel grid's build (figure 2 of CRATUS: 104 ms warm without this cache against 37 ms with it,
# bench/bench_caches.py).
@functools.lru_cache(maxsize=512)
def _note(design, row: tuple, ids: frozenset) -> str:
    r = dict(row)
    arm, visit, statistic = r.get("arm", ""), r.get("visit", ""), r.get("statistic", "")
    kind = kind_words(r.get("kind", ""))
    word = _STATISTIC_WORDS.get(statistic, statistic.replace("_", " "))
    what = ", ".join(x for x in (
        design.short(arm) if arm and arm != ALL_ARMS else "",
        mid_sentence(design.visit_label(visit)) if visit else "",
        word if word != kind else "",
    ) if x)
    note = (f"⚠ {capitalise(kind) or 'Discrepancy'}{' (' + what + ')' if what else ''}: "
            f"“{r.get('version_a', '')}” ({r.get('location_a', '')}) vs “{r.get('version_b', '')}” "
            f"({r.get('location_b', '')}); shown: {r.get('shown', '')}. {_scrub_ids(r.get('reason', ''), ids)}")
    return wrap(hover_safe(note), 70)


# --- p-values ---------------------------------------------------------------------------------
#: The comparison of discrepancies.csv each p-value tag shows.
_TAG_COMPARISON = {"p_within": "within_arm", "p_vs_control": "vs_control", "p_between": "between_arms"}


def p_value_flags(flags: list[dict], role: str) -> list[dict]:
    """The discrepancies about the p-value a tag of *role* shows: statistic ``p_value`` and the tag's comparison
    (a row that names no comparison concerns every p-value of its arm and visit).

    >>> rows = [{"statistic": "p_value", "comparison": "vs_control"}, {"statistic": "sd", "comparison": ""}]
    >>> len(p_value_flags(rows, "p_vs_control")), len(p_value_flags(rows, "p_within"))
    (1, 0)
    """
    want = _TAG_COMPARISON[role]
    return [x for x in flags if clean(x.get("statistic")) == "p_value" and clean(x.get("comparison")) in ("", want)]


def _contested(panel) -> str:
    """Why the panel's difference from the control is contested (:func:`cratus.reading.verdicts.contested_of`)."""
    from cratus.reading.verdicts import contested_of

    return contested_of(panel.study, panel.endpoint)


def p_tags(panel, arm: str) -> list[dict]:
    """The within-arm and vs-control p-value tags of an arm.

    Each names its arm with the arm's glyph in its colour and says what it
    compares: "● 100M: 6 mo vs baseline p = .011", "● 100M vs Placebo p <
    .00001".  A discrepancy about the p-value is explained in its hover.
    """
    design, r = panel.design, panel.cells[(arm, panel.p_visit)]
    control = design.control
    follow = design.visit_label(panel.p_visit if panel.metric == "change" else design.follow_up)
    baseline = mid_sentence(design.visit_label(design.baseline))
    found = []
    for role, p in (("p_within", r["p_within"]), ("p_vs_control", r["p_vs_control"])):
        if not p:
            continue
        if role == "p_within":
            shown = f"{arm_tag(design, arm)}: {visit_short(follow)} vs {baseline} {p}"
            hover = f"{design.label(arm)}: {follow} vs {baseline}, within the arm: {p}"
        else:
            shown = f"{arm_tag(design, arm)} vs {design.short(control)} {p}"
            hover = f"{design.label(arm)} vs {design.label(control)} at {follow}: {p}"
        hover = hover_safe(hover)
        if role == "p_within" and r["p_within_source"]:
            hover += "<br>Source: " + hover_safe(r["p_within_source"])
            if r["p_within_quote"]:
                hover += "<br>" + wrap(hover_safe(f"“{r['p_within_quote']}”"), 70)
        if role == "p_vs_control" and (doubt := _contested(panel)):
            hover += "<br>" + wrap(hover_safe(f"Contested: {doubt}"), 70)
        flagged = p_value_flags(panel.cell_flags.get((arm, panel.p_visit), []), role)
        if flagged:
            shown += f" <span style='color:{WARNING_COLOR}'>⚠</span>"
            hover += "<br>" + discrepancy_text(design, flagged, panel.ids)
        if text_width(shown, panel.style["annotation"]) > panel.plot_w - 8:
            head, tail = shown.rsplit(" p ", 1)
            shown = f"{head}<br>p {tail}"
        found.append(spec(panel, role, arm, panel.p_visit, shown, hover, xref=f"{panel.xref} domain",
                          yref=f"{panel.yref} domain", x=0, y=1, xanchor="left", yanchor="top",
                          bgcolor=LABEL_BACKGROUND, align="left"))
    return found


def p_block(panel, reserve: tuple[float, float] = (0.0, 0.0), gap: float = 14.0) -> tuple[list[dict], float]:
    """All p-value tags of a panel, flowed left to right in lines at the top of the plot.

    A list at the top, in arm order, never sits on a line or a marker, and
    each tag names its arm; *reserve* ``(width, height)`` pixels in the
    top-right corner are left free (for a panel-wide "⚠").  Returns the specs (``xshift`` and
    ``yshift`` set, in pixels from the plot's top-left corner) and the
    block's height in pixels.
    """
    specs = [s for arm in panel.arms for s in (p_tags(panel, arm) if panel.p_visit else [])]
    between = panel.rows[0]["p_between"]
    if between:
        specs.append(spec(panel, "p_between", ALL_ARMS, panel.p_visit or "", f"Between arms: {between}",
                          f"Between arms: {between}", xref=f"{panel.xref} domain", yref=f"{panel.yref} domain",
                          x=0, y=1, xanchor="left", yanchor="top", bgcolor=LABEL_BACKGROUND))
    size = panel.style["annotation"]
    x = y = line_h = 0.0
    for s in specs:
        note = Note(s, 0, 0, size)
        room = panel.plot_w - (reserve[0] if y < reserve[1] else 0)
        if x + note.w > room:
            if x:
                x, y, line_h = 0.0, y + line_h + 2, 0.0
            if y < reserve[1] and x + note.w > panel.plot_w - reserve[0]:
                y = reserve[1]
        s["xshift"], s["yshift"] = round(x, 1), round(-y - 2, 1)
        x += note.w + gap
        line_h = max(line_h, note.h)
    return specs, (y + line_h + 4 if specs else 0.0)


def warning_spec(panel, arm: str, visit: str, flags: list[dict], **kw) -> dict:
    font = {"size": panel.style["annotation"] + 4, "color": WARNING_COLOR}
    return spec(panel, "discrepancy", arm, visit, "⚠", discrepancy_text(panel.design, flags, panel.ids),
                **{"font": font, "bgcolor": TRANSPARENT, **kw})


# --- MCID -------------------------------------------------------------------------------------
def mcid_of(study, info: dict) -> dict | None:
    """The study's minimal clinically important difference for an endpoint, oriented to "better".

    Low and high are magnitudes of improvement; for an endpoint where lower
    is better, the band is drawn below zero.  ``None`` when there is none.
    """
    table = getattr(study, "mcid", None)
    if table is None or not len(table):
        return None
    rows = _records(table, "endpoint", info["endpoint"])
    if not rows:
        return None
    row = rows[0]
    low, high = number(row.get("low")), number(row.get("high"))
    if low != low:
        return None
    high = low if high != high else high
    low, high = min(low, high), max(low, high)
    if info.get("better") == "lower" and low >= 0:
        low, high = -high, -low
    return {"low": low, "high": high, "unit": clean(row.get("unit")), "population": clean(row.get("population")),
            "citation": clean(row.get("citation")), "quote": clean(row.get("quote"))}


def mcid_marks(panel, mcid: dict) -> tuple[dict, dict]:
    """A light band (or a line) at the MCID and its short label, whose hover gives the source."""
    low, high = mcid["low"], mcid["high"]
    band = {"type": "rect", "xref": f"{panel.xref} domain", "yref": panel.yref, "x0": 0, "x1": 1, "y0": low,
            "y1": high, "fillcolor": MCID_COLOR, "line": {"width": 0 if high > low else 1.5,
                                                                         "color": MCID_LINE, "dash": "dot"},
            "layer": "below", "name": f"mcid|{panel.endpoint}||"}
    unit = mcid["unit"] or panel.info["unit"]
    size = f"{format_number(low)}–{format_number(high)}" if high > low else format_number(low)
    parts = [f"Minimal clinically important difference: {size} {unit}".rstrip()
             + (f" ({mcid['population']})" if mcid["population"] else "")
             + ". A threshold for one patient's change; a mean change beyond it does not mean that most "
               "patients reached it."]
    parts += [f"Source: {mcid['citation']}"] if mcid["citation"] else []
    parts += [f"“{mcid['quote']}”"] if mcid["quote"] else []
    hover = "<br>".join(wrap(hover_safe(part), 70) for part in parts)
    label = spec(panel, "mcid", "", "", "MCID", hover,
                 xref=f"{panel.xref} domain", x=1.0, y=high, xanchor="right", yanchor="bottom",
                 bgcolor=TRANSPARENT, font={"size": panel.style["annotation"], "color": MCID_LINE})
    return band, label


def find_annotations(figure: go.Figure, role: str, endpoint: str | None = None, arm: str | None = None,
                     visit: str | None = None) -> list:
    """Annotations of one role (``not_reported``, ``p_within`` …) in a figure.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        Made by :func:`~cratus.figures.build_endpoint_figure` or
        :func:`~cratus.figures.build_figure_grid`.
    role : str
        ``not_reported``, ``p_within``, ``p_vs_control``, ``p_between``,
        ``discrepancy``, ``mcid`` or ``panel_title``.
    endpoint, arm, visit : str, optional
        Narrow the search.

    Returns
    -------
    list of plotly.graph_objects.layout.Annotation

    Examples
    --------
    >>> fig = go.Figure(layout={"annotations": [{"name": "p_within|sppb|100M|month6", "text": "p = .031"}]})
    >>> [a.text for a in find_annotations(fig, "p_within", arm="100M")]
    ['p = .031']
    """
    found = []
    for annotation in figure.layout.annotations:
        parts = (annotation.name or "").split("|")
        if len(parts) != 4 or parts[0] != role:
            continue
        if any(want is not None and want != got for want, got in zip((endpoint, arm, visit), parts[1:])):
            continue
        found.append(annotation)
    return found
