"""Presentation mode, links, downloads and the HTML report."""

import json
import pandas as pd
import plotly.graph_objects as go
import pytest

from cratus.outputs.export import neutralize_formulas, to_csv_bytes
from cratus.outputs.report import Report
from tests.apptest import open_page as open_url


def open_page(path, query=None):
    at = open_url(path, query=query)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\tx", "'\tx"),
    ("p = .011", "p = .011"), ("75.0 ± 7.4", "75.0 ± 7.4"),
])
def test_csv_cells_that_spreadsheets_would_run_are_neutralized(cell, expected):
    assert neutralize_formulas(pd.DataFrame({"text": [cell]}))["text"].tolist() == [expected]


def test_numbers_keep_their_sign_in_csv():
    text = to_csv_bytes(pd.DataFrame({"estimate": [-39.9], "label": ["-x"]})).decode("utf-8-sig")
    assert text.splitlines() == ["estimate,label", "-39.9,'-x"]


@pytest.mark.parametrize("figure_id, filename", [("six_minute_walk", "cratus_figure2A_six_minute_walk"),
                                                  ("sqol_f", "cratus_figure4_sqol_f")])
def test_image_button_saves_at_presentation_resolution(figure_id, filename):
    from cratus.figures import image_export_config
    from cratus.study.model import load_study

    config = image_export_config(load_study(), figure_id)
    assert config["toImageButtonOptions"]["filename"] == filename
    assert config["toImageButtonOptions"]["scale"] >= 3
    assert config["displaylogo"] is False


def test_html_report_embeds_figures_tables_and_citation():
    report = Report("CRATUS trial — test", citation="Tompkins BA et al. 2017. doi:10.1093/gerona/glx137",
                    selections={"Arms": "100M, Placebo"})
    report.add_table("Table 1", pd.DataFrame({"Characteristic": ["Age"], "100M": ["75.0 ± 7.4"]}))
    report.add_figure(go.Figure(go.Scatter(x=[1], y=[345.9], name="Allo-hMSC 100M")))
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "75.0 ± 7.4" in page and "doi:10.1093/gerona/glx137" in page and "100M, Placebo" in page
    assert "Plotly.newPlot" in page and "345.9" in page
    # plotly.js is embedded (no <script src=...>): the file opens offline
    assert '<script src="https://cdn' not in page and len(page) > 1_000_000


@pytest.mark.page
def test_report_collects_what_the_figure_page_shows():
    at = open_page("functional")
    report = at.session_state["report"]
    kinds = [kind for kind, _ in report.items]
    assert kinds.count("figure") == 1
    sentences = [content for kind, content in report.items if kind == "sentence"]
    # Results: "(345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011)"; the sentence says what p compares
    assert "within 100M, 6 months vs baseline, p = .011" in sentences[0]
    page = report.to_html(include_plotlyjs=False)
    assert "Physical performance at baseline and 6 months" in page


def _deck_counter(at) -> str:
    return next(m.value for m in at.markdown if " / " in m.value and m.value.startswith("**"))


@pytest.mark.page
def test_present_in_the_url_opens_the_deck_at_the_page_s_first_slide():
    at = open_page("immune", query={"present": "1"})
    # the deck: title, primary, flow, Table 1 (2 slides), Figure 2 (4 panels + p-value-only slide), then 3A
    assert _deck_counter(at).startswith("**11 / ")
    assert "Immune markers (Figure 3)" in _deck_counter(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["meta"]["endpoint"] for t in spec["data"] if (t.get("meta") or {}).get("role") == "arm"} == {"cd69"}
    assert spec["layout"]["font"]["size"] >= 18


@pytest.mark.page
def test_a_deck_opened_on_a_phone_draws_its_charts_for_the_phone(monkeypatch):
    # A shared link to the deck opened on a phone: the projector's 1600 px slide squeezed into 350 px cut its
    # title, laid the legend over the subtitle and pushed p-values off the chart (found at 390×844).
    monkeypatch.setattr("ui.slides.on_phone", lambda: True)    # AppTest sends no user agent
    at = open_page("immune", query={"present": "1"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "width" not in spec["layout"] and spec["layout"]["font"]["size"] == 13       # theme.style(phone=True)
    assert {t["meta"]["endpoint"] for t in spec["data"] if (t.get("meta") or {}).get("role") == "arm"} == {"cd69"}


@pytest.mark.page
@pytest.mark.parametrize("phone", [False, True])
def test_the_deck_buttons_show_their_keys_only_where_there_is_a_keyboard(monkeypatch, phone):
    monkeypatch.setattr("ui.deck.on_phone", lambda: phone)     # AppTest sends no user agent
    at = open_page("present", query={"slide": "2"})
    shown = [at.button(key=key).proto.shortcut for key in ("deck_back", "deck_next", "deck_exit")]
    assert shown == (["", "", ""] if phone else ["left", "right", "escape"])
    at.button(key="deck_next").click().run()                  # the buttons still step through the deck
    assert _deck_counter(at).startswith("**3 / ")


@pytest.mark.page
def test_a_deck_opened_on_a_phone_stacks_its_wide_tables(monkeypatch):
    # Table 1's slide on a 390 px phone: one row per arm and characteristic (as the pages' tables), not a grid
    # whose Placebo and Total columns are cut at the screen's edge.
    from tests.apptest import tables

    at = open_page("present", query={"slide": "4"})
    assert "Baseline" in _deck_counter(at) or "Table 1" in _deck_counter(at)
    wide = tables(at)[0]
    monkeypatch.setattr("ui.render.on_phone", lambda: True)    # AppTest sends no user agent
    at = open_page("present", query={"slide": "4"})
    stacked = tables(at)[0]
    assert len(wide.columns) > 3 and list(stacked.columns[:2]) == [wide.columns[0], "Arm"]
    assert len(stacked) > len(wide) and len(stacked.columns) < len(wide.columns)


@pytest.mark.page
def test_the_keyboard_buttons_step_through_the_whole_deck():
    at = open_page("present", query={"slide": "1"})
    total = int(_deck_counter(at).split(" / ")[1].split("*")[0])
    assert at.button(key="deck_back").disabled            # at the first slide
    at.button(key="deck_next").click().run()
    assert _deck_counter(at).startswith("**2 / ")
    at.button(key="deck_end").click().run()
    assert _deck_counter(at).startswith(f"**{total} / ")
    at.button(key="deck_pgup").click().run()
    assert _deck_counter(at).startswith(f"**{total - 1} / ")
    at.button(key="deck_home").click().run()
    assert _deck_counter(at).startswith("**1 / ")
    for expected in range(2, total + 1):
        at.button(key="deck_pgdn").click().run()
        assert not at.exception, (expected, [e.message for e in at.exception])
        assert _deck_counter(at).startswith(f"**{expected} / ")


@pytest.mark.page
def test_sections_can_be_left_out_of_the_deck_from_the_url():
    full = int(_deck_counter(open_page("present")).split(" / ")[1].split("*")[0])
    short = open_page("present", query={"deck_skip": ["Baseline", "Bottom line"]})
    # Table 1 takes 2 slides (29 rows, at most 18 a slide: cratus.outputs.deck) and the bottom line 1
    assert int(_deck_counter(short).split(" / ")[1].split("*")[0]) == full - 3


@pytest.mark.page
def test_presentation_mode_switch_opens_the_deck_and_exit_leaves_it():
    at = open_page("baseline")
    at.toggle(key="present_toggle").set_value(True).run()
    assert at.session_state["present"] is True
    assert "Baseline" in _deck_counter(at)
    at.button(key="deck_exit").click().run()
    assert at.title[0].value == "Baseline characteristics (Table 1)"
    assert at.session_state["present"] is False


@pytest.mark.page
def test_share_panel_offers_the_link_and_the_report():
    at = open_page("safety", query={"arms": ["200M"]})
    assert not at.code  # built only when the panel is opened (it is below the fold)
    at.session_state["share_safety"] = True
    at.run()
    assert any("arms=200M" in code.value for code in at.code)
