"""The presentation deck: an ordered list of slides built from a study, for a lab meeting on a projector.

Each slide names what it shows (``kind``) and with which arguments; the
Streamlit layer draws it with the same table and figure builders as the
pages.  Tables are split so that every slide fits a 16:9 screen without
scrolling: long tables are cut into slides of at most :data:`ROWS_PER_SLIDE`
rows between groups (a characteristic's heading stays with its levels, an
organ class with its terms; a group longer than a slide repeats its heading),
and a table that fits one slide is not spread over two.

Sections, in order: ``study`` (title, primary endpoint, participant flow),
``baseline``, one section per figure page (one slide per panel, then its
p-value-only endpoints), ``safety``, and ``bottom_line``: the deck ends on one
slide with the bottom line and the trial's limitation, not on tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cratus.study.model import Study

#: Table rows that fit one 16:9 slide at presentation font sizes (about 42 px a row at 1080 px).
ROWS_PER_SLIDE = 18
#: Rows of the adverse-event table per slide (its one-line cells "1 (50%) · 1 (10%)"), the total row apart.
EVENT_ROWS_PER_SLIDE = ROWS_PER_SLIDE - 1
#: The first-column indent of a row that belongs to the heading above it (a level, a term, a statistic).
INDENT = "\u2003"


@dataclass(frozen=True)
class Slide:
    """One slide: its section, what it shows, its title and the arguments of its builder."""

    section: str
    kind: str
    title: str
    args: tuple = ()
    part: str = ""
    options: dict = field(default_factory=dict, compare=False, hash=False)


def deck_sections(study: Study) -> dict[str, str]:
    """Section id → label, in deck order.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> list(deck_sections(load_study()).values())[:3]
    ['Study', 'Baseline', 'Functional (Figure 2)']
    """
    sections = {"study": "Study", "baseline": "Baseline"}
    sections.update({f"figure:{f['figure']}": f["nav_title"] for f in study.figure_pages()})
    sections.update({"safety": "Safety", "bottom_line": "Bottom line"})
    return sections


def row_groups(names) -> list[int]:
    """Sizes of a table's row groups: a row whose first cell is not indented starts a group, indented rows
    (:data:`INDENT`) belong to it.

    >>> row_groups(["Gender", "\u2003Male", "\u2003Female", "Age", "Frailty score", "\u20034", "\u20035"])
    [3, 1, 3]
    """
    sizes: list[int] = []
    for name in names:
        if sizes and str(name).startswith(INDENT):
            sizes[-1] += 1
        else:
            sizes.append(1)
    return sizes


def group_chunks(sizes, size: int = ROWS_PER_SLIDE) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Table rows per slide, never leaving rows without their heading: ``[(rows, repeated headings), …]``.

    Groups (:func:`row_groups`) are packed whole onto as few slides as hold them, evenly (two slides of 14
    and 15 rows, not 20 and 9); a group longer than a slide is cut, and its heading row is repeated at the
    top of each slide it continues on (the second tuple names those repeated rows).

    Examples
    --------
    >>> [rows for rows, _ in group_chunks([3, 3, 3, 1, 4, 5] + [1] * 10, 18)]   # Table 1: the frailty score whole
    [(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13), (14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28)]
    >>> group_chunks([2, 6], 4)   # a group of 6 rows over slides of 4: its heading (row 2) repeats
    [((0, 1), ()), ((2, 3, 4, 5), ()), ((2, 6, 7), (2,))]
    >>> group_chunks([], 4)
    [((), ())]
    """
    total = sum(sizes)
    limit = max(1, -(-total // max(1, -(-total // size))))   # even share of the fewest slides
    for attempt in (limit, size):
        slides, rows, start = [[]], [], 0
        for count in sizes:
            group = list(range(start, start + count))
            start += count
            if slides[-1] and len(slides[-1]) + count > attempt:
                slides.append([])
            while len(slides[-1]) + len(group) > size:   # longer than a slide: cut, repeating the heading
                room = size - len(slides[-1])
                slides[-1] += group[:room]
                group = [group[0]] + group[room:] if room > 0 else group
                slides.append([])
            slides[-1] += group
        rows = [tuple(s) for s in slides if s]
        if len(rows) <= -(-total // size) or attempt == size:
            break
    repeated = []
    seen: set[int] = set()
    for chunk in rows:
        repeated.append(tuple(r for r in chunk if r in seen))
        seen.update(chunk)
    return list(zip(rows, repeated)) or [((), ())]


def _soc_chunks(socs: list[tuple[str, int]], size: int = EVENT_ROWS_PER_SLIDE) -> list[list[str]]:
    """Group system organ classes (name, number of rows) into slides of at most *size* rows (a class is never cut)."""
    groups: list[list[str]] = []
    rows = 0
    for soc, count in socs:
        if groups and rows + count <= size:
            groups[-1].append(soc)
            rows += count
        else:
            groups.append([soc])
            rows = count
    return groups


def _study_slides(study: Study) -> list[Slide]:
    slides = [Slide("study", "title", study.fact("title") or study.title)]
    if study.fact("primary_endpoint") or study.fact("primary_result"):
        slides.append(Slide("study", "primary", "Primary endpoint"))
    slides.append(Slide("study", "flow", "Participant flow"))
    return slides


def _baseline_slides(study: Study, table_rows) -> list[Slide]:
    sizes = [1] * table_rows if isinstance(table_rows, int) else row_groups(table_rows)
    chunks = group_chunks(sizes)
    return [Slide("baseline", "table_one", "Baseline characteristics", (rows, repeated),
                  part=f"{i + 1} of {len(chunks)}" if len(chunks) > 1 else "")
            for i, (rows, repeated) in enumerate(chunks)]


def _figure_slides(study: Study) -> list[Slide]:
    slides = []
    for figure in study.figure_pages():
        section = f"figure:{figure['figure']}"
        for endpoint in study.panels(figure["figure"]):
            info = study.endpoint_info(endpoint)
            label = f"Figure {info.get('figure')}. {info.get('label')}" if info.get("figure") else info.get("label")
            slides.append(Slide(section, "panel", label, (figure["figure"], endpoint)))
        if study.reported_only(figure["figure"]):
            slides.append(Slide(section, "reported_only", f"{figure['nav_title']}: reported only as p-values",
                                (figure["figure"],)))
    return slides


def _safety_slides(study: Study) -> list[Slide]:
    slides = []
    events = study.adverse_events
    if not events.empty:
        socs = [(soc, 1 + group["term"].nunique()) for soc, group in events.groupby("soc", sort=False)]
        groups = _soc_chunks(socs)
        slides += [Slide("safety", "adverse_events", "Serious adverse events", (tuple(group),),
                         part=f"{i + 1} of {len(groups)}" if len(groups) > 1 else "")
                   for i, group in enumerate(groups)]
    slides += [Slide("safety", "categories", study.label(e), (e,)) for e in study.category_endpoints()]
    if not study.hospitalizations.empty:
        slides.append(Slide("safety", "hospitalizations", "Hospitalizations"))
    return slides


def _closing_slides(study: Study) -> list[Slide]:
    """The last slide: the plain bottom line (safety, efficacy, the trial's limitation; no table), for a study
    that has one (:func:`cratus.reading.summary.plain_bottom_line`; a study computed from patients has none)."""
    from cratus.reading.summary import plain_bottom_line

    return [Slide("bottom_line", "bottom_line", "Bottom line")] if plain_bottom_line(study) else []


def build_deck(study: Study, table_one_rows, skip=()) -> list[Slide]:
    """Every slide of the study's deck, in order, without the sections in *skip*.

    Parameters
    ----------
    study : Study
    table_one_rows : sequence of str, or int
        The first column of the baseline table (its headings and indented
        rows, :func:`row_groups`), or its number of rows when it has no
        groups; it is split over slides of at most :data:`ROWS_PER_SLIDE`
        rows (:func:`group_chunks`).
    skip : iterable of str
        Section ids (see :func:`deck_sections`) to leave out.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> deck = build_deck(load_study(), table_one_rows=30)
    >>> [s.kind for s in deck[:4]], deck[3].part
    (['title', 'primary', 'flow', 'table_one'], '1 of 2')
    >>> [s.args for s in deck if s.kind == "panel"][:2]
    [('2', 'six_minute_walk'), ('2', 'sppb')]
    >>> len(build_deck(load_study(), 30, skip=["baseline"])) == len(deck) - 2
    True
    >>> [s.kind for s in deck[-2:]], deck[-1].section     # it ends on the bottom line, one slide
    (['hospitalizations', 'bottom_line'], 'bottom_line')
    >>> [s.part for s in deck if s.kind == "adverse_events"]   # Table 2's 17 rows and its total: one slide
    ['']
    """
    skipped = set(skip)
    slides = (_study_slides(study) + _baseline_slides(study, table_one_rows) + _figure_slides(study)
              + _safety_slides(study) + _closing_slides(study))
    return [s for s in slides if s.section not in skipped]


def slide_for_page(deck: list[Slide], url_path: str, study: Study) -> int:
    """Index of the first slide of the section a page shows (0 when none matches).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> deck = build_deck(s, 18)
    >>> deck[slide_for_page(deck, "immune", s)].args
    ('3', 'cd69')
    """
    figures = {f["url_path"]: f"figure:{f['figure']}" for f in study.figure_pages()}
    section = figures.get(url_path, {"": "study", "baseline": "baseline", "safety": "safety",
                                      "appraisal": "bottom_line"}.get(url_path, "study"))
    return next((i for i, s in enumerate(deck) if s.section == section), 0)


def page_for_slide(slide: Slide, study: Study) -> str:
    """URL path of the page that shows a slide's content (where Esc leaves the deck to).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> page_for_slide(Slide("figure:3", "panel", "x", ("3", "cd69")), s), page_for_slide(Slide("study", "flow", ""), s)
    ('immune', '')
    """
    if slide.section.startswith("figure:"):
        figure = slide.section.split(":", 1)[1]
        return next((f["url_path"] for f in study.figure_pages() if f["figure"] == figure), "")
    # the bottom line is the Overview's first section
    return {"study": "", "baseline": "baseline", "safety": "safety", "bottom_line": ""}[slide.section]
