"""The Overview on a phone (issue 21): the bottom line first, each endpoint's reading with its name (one card per
endpoint), not ~90 stacked rows whose endpoint name scrolled away."""

import re

import pytest

from cratus.outputs.export import html_cards
from cratus.reading.display import bottom_line_table
from cratus.study.model import load_study
from tests.apptest import open_page, tables


def _on_phone(monkeypatch):
    for where in ("ui.on_phone", "ui.render.on_phone", "ui.frame.on_phone"):   # AppTest sends no user agent
        monkeypatch.setattr(where, lambda: True)


def test_cards_keep_every_value_with_its_row_name():
    table = bottom_line_table(load_study())
    html = html_cards(table, "Endpoint", "Reading", details="More")
    cards = re.findall(r'<section class="cratus-card".*?</section>', html)
    assert len(cards) == len(table)
    walk = next(c for c in cards if "<h4>6-minute walk distance</h4>" in c)
    # Results: "345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011" — the 100M values sit in the walk's own card
    assert "345.9 → 410.7" in walk and "p = .011" in walk
    assert walk.index("<h4>") < walk.index("<p>") < walk.index("<details>")


@pytest.mark.page
def test_the_phone_overview_shows_the_bottom_line_first_and_one_card_per_endpoint(monkeypatch):
    _on_phone(monkeypatch)
    at = open_page("")
    assert not at.exception
    html = [h.value for h in at.get("html") if "cratus-cards" in h.value]
    assert len(html) == 1
    names = re.findall(r"<h4>(.*?)</h4>", html[0])
    expected = bottom_line_table(load_study())["Endpoint"].tolist()
    assert names == expected and len(names) >= 18      # 18 printed endpoints, and those reported in words only
    # no stacked ~90-row table of the bottom line
    assert not any("Reading" in " ".join(map(str, t.columns)) or "Reading" in t.to_string() for t in tables(at))
    # the bottom line (safety first) comes before the endpoints' readings; the study's design is folded
    markdown = [m.value for m in at.markdown]
    first = next(i for i, m in enumerate(markdown) if m.startswith("**The bottom line**"))
    assert "0 of 20 in the treated arms" in markdown[first]    # Results: no TE-SAE in 30 days
    assert first < next(i for i, m in enumerate(markdown) if m.startswith("One row per efficacy endpoint"))
    assert any(e.label.startswith("The study") for e in at.expander)
    assert not any(m.startswith("- **Population:**") for m in markdown if m not in
                   [e.children[0].value for e in at.expander if e.children])


@pytest.mark.page
def test_the_desktop_overview_keeps_the_table():
    at = open_page("")
    bottom = next(t for t in tables(at) if "Reading" in t.columns)
    assert len(bottom) == len(bottom_line_table(load_study())) and bottom.columns[0] == "Endpoint"
