"""Shared sidebar controls: the arm selection and presentation mode, both kept in the page address."""

from __future__ import annotations

import streamlit as st

from ui.state import PRESENT_SHARED, study

ARMS_KEY = "arms"
SHARED_KEY = "shared_arms"
PRESENT_KEY = "present_toggle"

def _keep_arms() -> None:
    st.session_state[SHARED_KEY] = study().design.order(st.session_state.get(ARMS_KEY) or [])


def arm_selector() -> list[str]:
    """The arm selection, in the sidebar of every page and in the URL (``?arms=A&arms=Placebo``).

    Every page renders the same widget; its value is mirrored under
    :data:`SHARED_KEY` so that it survives page switches (a widget's own
    state is dropped when its page is left).  A URL parameter wins on a
    session's first run, so a copied link opens the same arms.  A selection
    that names arms of another study (after switching studies) falls back to
    every arm.
    """
    design = study().design
    state = st.session_state
    known = [a for a in state.get(SHARED_KEY, []) if design.has_arm(a)]
    if SHARED_KEY in state and len(known) != len(state[SHARED_KEY]):
        state[SHARED_KEY] = list(design.arm_ids)
    if SHARED_KEY not in state and ARMS_KEY not in st.query_params:
        state[SHARED_KEY] = list(design.arm_ids)
    if SHARED_KEY in state:
        state[ARMS_KEY] = state[SHARED_KEY]
    arms = st.sidebar.pills(
        "Arms", list(design.arm_ids), selection_mode="multi", default=None, key=ARMS_KEY, bind="query-params",
        format_func=design.short, on_change=_keep_arms,
        help="Arms shown on every page. The selection is part of the page address, so a copied link keeps it.",
    )
    state[SHARED_KEY] = design.order(arms or [])
    return state[SHARED_KEY]


def _request_presentation() -> None:
    st.session_state["present_request"] = bool(st.session_state.get(PRESENT_KEY))


def presentation_toggle(on_deck: bool) -> bool | None:
    """The sidebar switch of presentation mode; returns the reader's request (on/off) when they flip it, else None.

    Presentation mode is the deck page (:mod:`ui.deck`); ``?present=1`` on any page asks for it too.
    """
    state = st.session_state
    state[PRESENT_KEY] = on_deck
    state[PRESENT_SHARED] = on_deck
    st.sidebar.toggle("Presentation mode", key=PRESENT_KEY, on_change=_request_presentation,
                      help="The study as a deck of slides for a projector: → and ← (or a clicker's Page Down / "
                           "Page Up) step through every figure and table; Esc leaves. Also ?present=1.")
    return state.pop("present_request", None)


def on_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its user agent, as MDN advises)."""
    try:
        return "Mobi" in (st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - no request headers (AppTest, bare mode)
        return False
