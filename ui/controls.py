"""Shared sidebar controls: the arm selection and presentation mode, both kept in the page address."""

from __future__ import annotations

import streamlit as st

from ui import keys
from ui.session import study


def _keep_arms() -> None:
    st.session_state[keys.SHARED_ARMS] = study().design.order(st.session_state.get(keys.ARMS) or [])


def arm_selector() -> list[str]:
    """The arm selection, in the sidebar of every page and in the URL (``?arms=A&arms=Placebo``).

    Every page renders the same widget; its value is mirrored under
    :data:`keys.SHARED_ARMS` so that it survives page switches (a widget's own
    state is dropped when its page is left).  A URL parameter wins on a
    session's first run, so a copied link opens the same arms.  A selection
    that names arms of another study (after switching studies) falls back to
    every arm.
    """
    design = study().design
    state = st.session_state
    known = [a for a in state.get(keys.SHARED_ARMS, []) if design.has_arm(a)]
    if keys.SHARED_ARMS in state and len(known) != len(state[keys.SHARED_ARMS]):
        state[keys.SHARED_ARMS] = list(design.arm_ids)
    if keys.SHARED_ARMS not in state and keys.ARMS not in st.query_params:
        state[keys.SHARED_ARMS] = list(design.arm_ids)
    if keys.SHARED_ARMS in state:
        state[keys.ARMS] = state[keys.SHARED_ARMS]
    arms = st.sidebar.pills(
        "Arms", list(design.arm_ids), selection_mode="multi", default=None, key=keys.ARMS, bind="query-params",
        format_func=design.short, on_change=_keep_arms,
        help="Arms shown on every page. The selection is part of the page address, so a copied link keeps it.",
    )
    state[keys.SHARED_ARMS] = design.order(arms or [])
    return state[keys.SHARED_ARMS]


def _request_presentation() -> None:
    st.session_state[keys.PRESENT_REQUEST] = bool(st.session_state.get(keys.PRESENT_TOGGLE))


def presentation_toggle(on_deck: bool) -> bool | None:
    """The sidebar switch of presentation mode; returns the reader's request (on/off) when they flip it, else None.

    Presentation mode is the deck page (:mod:`ui.deck`); ``?present=1`` on any page asks for it too.
    """
    state = st.session_state
    state[keys.PRESENT_TOGGLE] = on_deck
    state[keys.PRESENTING] = on_deck
    st.sidebar.toggle("Presentation mode", key=keys.PRESENT_TOGGLE, on_change=_request_presentation,
                      help="The study as a deck of slides for a projector: → and ← (or a clicker's Page Down / "
                           "Page Up) step through every figure and table; Esc leaves. Also ?present=1.")
    return state.pop(keys.PRESENT_REQUEST, None)


def on_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its user agent, as MDN advises)."""
    try:
        return "Mobi" in (st.context.headers.get("User-Agent") or "")
    except Exception:  # noqa: BLE001 - no request headers (AppTest, bare mode)
        return False


def population_choice(study, analysis: str, key: str, where=None) -> str:
    """A table's population (patient data): the analysis's own by default, or another flag, ``randomised`` or
    ``all`` (kept in the address under *key*); returns the rule ("" for the analysis's own)."""
    from cratus.patient.populations import describe_rule

    data = study.patients
    options = data.population_options(analysis)
    sizes = {rule: len(data.in_population(analysis, rule)) for rule in options}
    chosen = (where or st).selectbox(
        "Population", options, key=key, bind="query-params",
        format_func=lambda r: f"{describe_rule(r)} (N = {sizes[r]})" + (" — default" if r == options[0] else ""),
        help=f"The {analysis} population by default (chosen on the Data source page); another one for this table "
             "only, among the subjects read")
    return "" if chosen == options[0] else chosen
