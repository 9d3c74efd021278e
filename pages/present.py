"""Presentation mode: the study's deck, one slide at a time (→ ← Page Up/Down Home End, Esc to leave)."""

import ui
from ui.deck import render_deck

ui.start_page("Presentation", needs_arms=False, deck=True)
render_deck()
