"""The presentation deck: an ordered list of slides built from a study, for a lab meeting on a projector.

Each slide names what it shows (``kind``) and with which arguments; the
Streamlit layer draws it with the same table and figure builders as the
pages.  Tables are split so that every slide fits a 16:9 screen without
scrolling: long tables are cut into chunks of :data:`ROWS_PER_SLIDE` rows, the
adverse-event table at system-organ-class boundaries.

Sections, in order: ``study`` (title, primary endpoint, participant flow),
``baseline``, one section per figure page (one slide per panel, then its
p-value-only endpoints), ``safety`` and ``appraisal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cratus.study.model import Study

#: Table rows that fit one 16:9 slide at presentation font sizes (about 32 px a row at 1080 px).
ROWS_PER_SLIDE = 20
#: Rows of the adverse-event table per slide: fewer, because its cells wrap onto two lines.
EVENT_ROWS_PER_SLIDE = 9


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
    sections.update({"safety": "Safety", "appraisal": "Appraisal"})
    return sections


def _chunks(count: int, size: int = ROWS_PER_SLIDE) -> list[tuple[int, int]]:
    parts = max(1, -(-count // size))
    step = -(-count // parts)
    return [(start, min(start + step, count)) for start in range(0, count, step)] or [(0, 0)]


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


def _baseline_slides(study: Study, table_rows: int) -> list[Slide]:
    chunks = _chunks(table_rows)
    return [Slide("baseline", "table_one", "Baseline characteristics", (start, stop),
                  part=f"{i + 1} of {len(chunks)}" if len(chunks) > 1 else "")
            for i, (start, stop) in enumerate(chunks)]


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


#: Endpoints of the bottom line per slide (its readings wrap onto two lines).
READINGS_PER_SLIDE = 8


def _bottom_line_slides(rows: int) -> list[Slide]:
    chunks = _chunks(rows, READINGS_PER_SLIDE) if rows else []
    return [Slide("appraisal", "bottom_line", "What the trial shows", (start, stop),
                  part=f"{i + 1} of {len(chunks)}" if len(chunks) > 1 else "")
            for i, (start, stop) in enumerate(chunks)]


def build_deck(study: Study, table_one_rows: int, skip=(), bottom_line_rows: int = 0) -> list[Slide]:
    """Every slide of the study's deck, in order, without the sections in *skip*.

    Parameters
    ----------
    study : Study
    table_one_rows : int
        Rows of the baseline table (it is split over slides of at most
        :data:`ROWS_PER_SLIDE` rows).
    bottom_line_rows : int
        Endpoints of the bottom line (:mod:`cratus.reading.verdicts`), split over slides of
        :data:`READINGS_PER_SLIDE`.
    skip : iterable of str
        Section ids (see :func:`deck_sections`) to leave out.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> deck = build_deck(load_study(), table_one_rows=40)
    >>> [s.kind for s in deck[:4]], deck[3].part
    (['title', 'primary', 'flow', 'table_one'], '1 of 2')
    >>> [s.args for s in deck if s.kind == "panel"][:2]
    [('2', 'six_minute_walk'), ('2', 'sppb')]
    >>> len(build_deck(load_study(), 40, skip=["baseline"])) == len(deck) - 2
    True
    >>> [s.part for s in build_deck(load_study(), 40, bottom_line_rows=17) if s.kind == "bottom_line"]
    ['1 of 3', '2 of 3', '3 of 3']
    """
    skipped = set(skip)
    slides = (_study_slides(study) + _baseline_slides(study, table_one_rows) + _figure_slides(study)
              + _safety_slides(study) + _bottom_line_slides(bottom_line_rows))
    return [s for s in slides if s.section not in skipped]


def slide_for_page(deck: list[Slide], url_path: str, study: Study) -> int:
    """Index of the first slide of the section a page shows (0 when none matches).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> deck = build_deck(s, 20)
    >>> deck[slide_for_page(deck, "immune", s)].args
    ('3', 'cd69')
    """
    figures = {f["url_path"]: f"figure:{f['figure']}" for f in study.figure_pages()}
    section = figures.get(url_path, {"": "study", "baseline": "baseline", "safety": "safety",
                                      "appraisal": "appraisal"}.get(url_path, "study"))
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
    return {"study": "", "baseline": "baseline", "safety": "safety", "appraisal": "appraisal"}[slide.section]
