"""Drawing one slide of the deck (:mod:`cratus.outputs.deck`) with the same builders as the pages.

Tables are static HTML (their text grows with the page, unlike interactive
tables drawn at a fixed 13 px); every slide carries a one-line takeaway and,
where the source contradicts itself, a short note saying so.
"""

from __future__ import annotations

import streamlit as st

from cratus.tables.baseline import table_one
from cratus.tables.characteristics import study_table_one, table_one_notes
from cratus.figures.bars import build_category_figure
from cratus.tables.flow import consort_dot
from cratus.tables.safety_statements import discrepancies_for
from cratus.tables.safety import category_table, hospitalization_table, reported_only_table, sae_table_part
from ui.controls import on_phone
from ui.render import for_screen, plot, static_table
from ui import keys
from ui.session import study
from ui.state import cached, cached_figure


def table_one_of(current):
    """The Table 1 builder of *current*: the printed one, or the one computed from its patients (Baseline page)."""
    return study_table_one if current.has_patients else table_one


CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}


def _arms() -> tuple:
    return tuple(st.session_state.get(keys.SHARED_ARMS) or study().design.arm_ids)


def _title(text: str, part: str = "") -> None:
    st.markdown(f"## {text}" + (f" ({part})" if part else ""))


#: A contested panel's chart height on a slide (the presentation style's is 670 px): its reasons fit under it.
CONTESTED_CHART_HEIGHT = 570


def _takeaway(text: str) -> None:
    if text:
        st.markdown(f"**{text}**")


def _contradictions(endpoints) -> None:
    """One short note for the ⚠ marks, so the presenter need not hover (the page lists them all)."""
    found = cached(discrepancies_for, tuple(endpoints))
    if not found.empty:
        more = f" (and {len(found) - 1} more on the page)" if len(found) > 1 else ""
        st.caption("⚠ marks a number or a claim the paper contradicts elsewhere. "
                   + found["What the paper says"].iloc[0] + more)


def _title_slide(slide) -> None:
    current = study()
    design = current.design
    st.markdown(f"# {slide.title}")
    n = current.n_per_arm()
    st.markdown("  \n".join(f"**{design.label(a)}**" + (f" — N = {n[a]:g}" if a in n else "")
                            for a in design.arm_ids))
    if current.citation:
        st.caption(current.citation)


def _primary_slide(slide) -> None:
    current = study()
    _title(slide.title)
    st.markdown(f"### {current.fact('primary_endpoint')}")
    if current.fact("primary_result"):
        st.success(current.fact("primary_result"), icon=":material/check_circle:")
    from cratus.reading.display import safety_summary as safety_line

    safety = cached(safety_line)
    if not safety.empty:
        _takeaway(" ".join(safety["sentence"]))


def _flow_slide(slide) -> None:
    _title(slide.title)
    st.graphviz_chart(cached(consort_dot), width="stretch", height=760)


def _table_one_slide(slide) -> None:
    _title(slide.title, slide.part)
    rows, repeated = slide.args
    table = cached(table_one_of(study()), arms=_arms()).iloc[list(rows)].copy()
    if repeated:   # a characteristic continued from the slide before: its heading again, marked so
        first = table.columns[0]
        table[first] = [f"{name} (continued)" if i in repeated else name for i, name in zip(rows, table[first])]
    static_table(for_screen(table))
    st.caption(study().text("baseline", "intro", "markdown") if study().has_printed_sources
               else "  \n".join(cached(table_one_notes)))


def _panel_slide(slide) -> None:
    from cratus.figures import Look, build_endpoint_figure

    current = study()
    _, endpoint = slide.args
    arms = _arms()
    visits = tuple(current.visits_with_data([endpoint]))
    phone = on_phone()  # a shared link to the deck opened on a phone: the phone's layout, not the projector's
    # no citation under a slide's chart: the title slide carries it, and the room reads the chart
    from cratus.reading.verdicts import contested_of

    doubt = cached(contested_of, endpoint)
    # a contested reading carries its reasons under the chart: the chart gives them the room (1080 px, no scroll)
    height = CONTESTED_CHART_HEIGHT if doubt and not phone else None
    figure = cached_figure(build_endpoint_figure, endpoint, arms=list(arms), visits=list(visits),
                           look=Look(presentation=not phone, phone=phone, for_export=phone, height=height))
    plot(figure, config=CHART_CONFIG, key=f"slide_{endpoint}")
    _takeaway(_one_line(endpoint, arms, visits))
    if doubt:
        st.caption(f"Contested — the difference from the control rests on p-values in doubt: {doubt}")
    _contradictions([endpoint])


def _one_line(endpoint: str, arms: tuple, visits: tuple) -> str:
    """A slide's takeaway, one line a room can read: the endpoint's reading on the Overview (its p-values are on
    the chart); the panel's full sentence for an endpoint the bottom line does not read."""
    from cratus.figures import endpoint_panel_data, figure_summary_sentence

    readings = cached(_readings)
    if endpoint in readings:
        return f"{study().label(endpoint)}: {readings[endpoint]}"
    panel = cached(endpoint_panel_data, endpoint, list(arms), list(visits))
    return cached(figure_summary_sentence, panel, endpoint)


def _readings(current) -> dict[str, str]:
    from cratus.reading.verdicts import bottom_line

    table = bottom_line(current)   # the reading, and which way the changed arms went, in words
    return {e: f"{v} — {d}" if d else v for e, v, d in zip(table["endpoint"], table["verdict"], table["direction"])}


def _reported_only_slide(slide) -> None:
    (figure,) = slide.args
    _title(slide.title)
    table = cached(reported_only_table, tuple(study().reported_only(figure)), arms=_arms())
    static_table(table[["Endpoint", "Compares", "p-value", "Note"]])


def _adverse_events_slide(slide) -> None:
    (socs,) = slide.args
    _title(slide.title, slide.part)
    last = slide.part == "" or slide.part.split(" of ")[0] == slide.part.split(" of ")[-1]
    table = cached(sae_table_part, socs, arms=_arms(), with_total=last)
    # the arm assignment (stated or inferred) and the notes are on the Safety page; the room reads the counts
    static_table(for_screen(table.drop(columns=["Note", "Arm assignment"], errors="ignore")))
    from ui.render import show_notes

    show_notes("safety", "adverse_events_slide")


def _categories_slide(slide) -> None:
    (endpoint,) = slide.args
    _title(slide.title)
    left, right = st.columns([1, 1.3])
    static_table(for_screen(cached(category_table, endpoint, arms=_arms())), container=left)
    phone = on_phone()
    with right:
        plot(cached_figure(build_category_figure, endpoint, arms=_arms(), presentation=not phone, compact=phone),
             config=CHART_CONFIG, key=f"slide_{endpoint}")


def _hospitalizations_slide(slide) -> None:
    _title(slide.title)
    static_table(for_screen(cached(hospitalization_table, arms=_arms())))


def _bottom_line_slide(slide) -> None:
    """The deck's last slide: the plain bottom line (:func:`cratus.reading.summary.plain_bottom_line`: safety,
    efficacy, the trial's own limitation) in large type, no table."""
    from cratus.reading.summary import plain_bottom_line

    _title(slide.title)
    with st.container(key="deck_bottom_line"):
        for sentence in cached(plain_bottom_line):
            st.markdown(sentence)
    if study().citation:
        st.caption(study().citation)


RENDERERS = {
    "title": _title_slide, "primary": _primary_slide, "flow": _flow_slide, "table_one": _table_one_slide,
    "panel": _panel_slide, "reported_only": _reported_only_slide, "adverse_events": _adverse_events_slide,
    "categories": _categories_slide, "hospitalizations": _hospitalizations_slide, "bottom_line": _bottom_line_slide,
}


def render_slide(slide) -> None:
    """Draw *slide* with the renderer of its kind."""
    RENDERERS[slide.kind](slide)
