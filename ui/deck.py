"""Presentation mode: the study's deck (:mod:`cratus.outputs.deck`) one slide at a time, stepped with the keyboard.

→ / PageDown / Space go forward, ← / PageUp back, Home and End jump to the
first and last slide, Esc leaves for the page of the current slide.  The slide
number and the skipped sections are part of the address (``?slide=7&skip=…``),
so a link reopens the same slide; the sidebar and the page list stay reachable.
"""

from __future__ import annotations

import streamlit as st

from cratus.outputs.deck import build_deck, deck_sections, page_for_slide, slide_for_page
from ui.controls import on_phone
from ui.navigation import go_to
from ui.render import show_notes
from ui import keys
from ui.session import study
from ui.slides import table_one_of
from ui.state import cached

DECK_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 4rem; padding-bottom: 0.5rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li { font-size: 1.15rem; }
[data-testid="stMain"] .cratus-table { font-size: 1.1rem; }
.st-key-deck_bottom_line p { font-size: 1.45rem !important; line-height: 1.45; margin-bottom: 0.9rem; }
[data-testid="stMain"] .cratus-table td, [data-testid="stMain"] .cratus-table th {
  padding: 0.1rem 0.6rem; line-height: 1.45; }
.st-key-deck_hidden_keys { display: none; }
</style>
"""


def _deck():
    skip = tuple(st.session_state.get(keys.DECK_SKIP) or ())
    table = cached(table_one_of(study()))
    # its first column: headings and their indented rows, which a slide never separates
    names = tuple(table.iloc[:, 0].astype(str)) if len(table.columns) else len(table)
    return cached(build_deck, names, skip=skip)


def _set_slide(index: int) -> None:
    deck = _deck()
    st.session_state[keys.DECK_SLIDE] = max(0, min(index, len(deck) - 1))


def _step(by: int) -> None:
    _set_slide(st.session_state.get(keys.DECK_SLIDE, 0) + by)


def _leave() -> None:
    st.session_state[keys.DECK_LEAVE] = True


def leave_deck() -> None:
    """Leave presentation mode for the page that shows the current slide."""
    deck = _deck()
    go_to(page_for_slide(deck[current_index(deck)], study()), {})


def current_index(deck) -> int:
    """The slide shown: from this session, else from the address (``?slide=7``, 1-based)."""
    state = st.session_state
    if keys.DECK_SLIDE not in state:
        try:
            state[keys.DECK_SLIDE] = int(st.query_params.get("slide", "1")) - 1
        except ValueError:
            state[keys.DECK_SLIDE] = 0
    state[keys.DECK_SLIDE] = max(0, min(state[keys.DECK_SLIDE], len(deck) - 1))
    return state[keys.DECK_SLIDE]


def open_deck_at(url_path: str) -> None:
    """Enter presentation mode at the first slide of the page at *url_path*."""
    deck = _deck()
    st.session_state[keys.DECK_SLIDE] = slide_for_page(deck, url_path, study())
    go_to("present", {"slide": str(st.session_state[keys.DECK_SLIDE] + 1)})


def skip_control() -> None:
    """Sections to leave out of the deck, in the sidebar and the address (``?skip=Baseline``)."""
    sections = deck_sections(study())
    st.sidebar.pills("Leave out of the deck", list(sections), selection_mode="multi", key=keys.DECK_SKIP,
                     format_func=sections.get, bind="query-params",
                     help="Sections the arrow keys skip. Kept in the address, so a shared link keeps the deck.")


def controls(deck, index: int) -> None:
    """The slide bar: previous, the counter and section, next, exit — with their keyboard shortcuts."""
    sections = deck_sections(study())
    slide = deck[index]
    back, counter, forward, leave = st.columns([1.2, 6, 1.2, 1.2], vertical_alignment="center")
    # A phone has no arrow keys: its buttons do not show them (the hidden keys below still work with a keyboard).
    keys = not on_phone()
    back.button("Back", icon=":material/arrow_back:", shortcut="Left" if keys else None, on_click=_step,
                args=(-1,), key="deck_back", width="stretch", disabled=index == 0, help="← or Page Up")
    forward.button("Next", icon=":material/arrow_forward:", shortcut="Right" if keys else None, on_click=_step,
                   args=(1,), key="deck_next", width="stretch", disabled=index == len(deck) - 1,
                   help="→, Page Down or Space")
    leave.button("Exit", icon=":material/close:", shortcut="Esc" if keys else None, on_click=_leave,
                 key="deck_exit", width="stretch", help="Leave presentation mode (Esc)")
    part = f" ({slide.part})" if slide.part else ""
    with counter.container(key="deck_counter"):
        st.markdown(f"**{index + 1} / {len(deck)}** · {sections.get(slide.section, slide.section)}{part}")
    with st.container(key="deck_hidden_keys"):
        for key, shortcut, target in (("deck_pgdn", "PageDown", index + 1), ("deck_space", "Space", index + 1),
                                      ("deck_pgup", "PageUp", index - 1), ("deck_home", "Home", 0),
                                      ("deck_end", "End", len(deck) - 1)):
            st.button(shortcut, key=key, shortcut=shortcut, on_click=_set_slide, args=(target,))


def render_deck() -> None:
    """The deck page: the slide bar, then the current slide."""
    st.html(DECK_CSS)
    skip_control()
    deck = _deck()
    index = current_index(deck)
    if st.session_state.pop(keys.DECK_LEAVE, False):
        leave_deck()
    st.query_params["slide"] = str(index + 1)
    controls(deck, index)
    from ui.slides import render_slide

    render_slide(deck[index])
    show_notes("present", deck[index].section)
