"""The deck (cratus/outputs/deck.py, ui/slides.py): how tables split over slides, where it ends (issue 21)."""

import pytest

from cratus.figures.theme import PRESENTATION_TEXT
from cratus.outputs.deck import ROWS_PER_SLIDE, build_deck, group_chunks, row_groups
from cratus.study.model import load_study
from cratus.tables.baseline import table_one
from cratus.tables.safety import sae_table_part

INDENT = "\u2003"


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def deck(study):
    return build_deck(study, tuple(table_one(study)["Characteristic"]))


def test_table_one_never_leaves_levels_without_their_heading(study, deck):
    # Table 1 prints 29 rows: the Canadian Clinical Frailty Score (rows 15-19, levels 4 to 7) used to start on
    # one slide and end on the next, its levels bare
    names = table_one(study)["Characteristic"].tolist()
    slides = [s for s in deck if s.kind == "table_one"]
    assert len(slides) == 2 and [s.part for s in slides] == ["1 of 2", "2 of 2"]
    for slide in slides:
        rows, repeated = slide.args
        assert not repeated and len(rows) <= ROWS_PER_SLIDE
        assert not names[rows[0]].startswith(INDENT), names[rows[0]]   # a slide starts with a heading
    frailty = names.index("Canadian Clinical Frailty Score")
    holding = [s.args[0] for s in slides if frailty in s.args[0]][0]
    assert [names[i] for i in holding[holding.index(frailty):holding.index(frailty) + 5]] == [
        "Canadian Clinical Frailty Score", INDENT + "4", INDENT + "5", INDENT + "6", INDENT + "7"]


def test_a_group_longer_than_a_slide_repeats_its_heading():
    # 3 + 1 rows then a characteristic with 9 levels, 6 rows a slide: the heading (row 4) opens both its slides
    chunks = group_chunks(row_groups(["A", INDENT + "a", INDENT + "b", "B", "C", *[INDENT + str(i) for i in range(9)]]),
                          6)
    assert chunks == [((0, 1, 2, 3), ()), ((4, 5, 6, 7, 8, 9), ()), ((4, 10, 11, 12, 13), (4,))]


def test_the_sae_table_is_one_slide_not_three(study, deck):
    # Table 2: 7 organ classes, 10 terms and the total row (18 rows) fit one slide; it took three of 5-6 rows
    slides = [s for s in deck if s.kind == "adverse_events"]
    assert len(slides) == 1 and slides[0].part == ""
    (socs,) = slides[0].args
    table = sae_table_part(study, socs, with_total=True)
    assert len(table) == 18 and table.iloc[-1, 0] == "Total"


def test_the_deck_ends_on_one_bottom_line_slide_not_on_tables(deck):
    assert deck[-1].kind == "bottom_line" and deck[-1].section == "bottom_line"
    assert [s.kind for s in deck].count("bottom_line") == 1


def test_slides_chart_text_is_at_least_22_px(study):
    from cratus.figures import Look, build_endpoint_figure
    from cratus.figures.bars import build_category_figure

    assert PRESENTATION_TEXT == 22
    figure = build_endpoint_figure(study, "six_minute_walk", list(study.design.arm_ids), ["baseline", "month6"],
                                   look=Look(presentation=True))
    sizes = [figure.layout.font.size, figure.layout.xaxis.tickfont.size, figure.layout.yaxis.tickfont.size,
             figure.layout.title.font.size, figure.layout.title.subtitle.font.size,
             *[a.font.size for a in figure.layout.annotations]]
    assert min(s for s in sizes if s is not None) >= 22
    bars = build_category_figure(study, "cpra", presentation=True)
    assert min(bars.layout.font.size, bars.layout.xaxis.tickfont.size, bars.layout.yaxis.tickfont.size) >= 22


@pytest.mark.page
def test_the_closing_slide_says_safety_efficacy_and_the_limitation():
    from cratus.reading.summary import plain_bottom_line
    from tests.apptest import open_page

    at = open_page("present", query={"slide": "99"})   # past the end: the last slide
    text = " ".join(m.value for m in at.markdown)
    assert "Bottom line" in text and not at.exception
    # the plain bottom line of cratus.reading, every sentence of it, on the slide
    sentences = plain_bottom_line(load_study())
    assert len(sentences) >= 3 and all(s in text for s in sentences)
    # Results: no TE-SAE in 30 days; 0 of 20 treated, exact 95% upper bound 16.8%
    # (statsmodels proportion_confint(0, 20, method="beta")[1] = 0.1684)
    assert "0 of 20" in text and "16.8%" in text
    # Discussion: "This study is limited by a small sample size. The lack of differences between groups, ..."
    assert "This study is limited by a small sample size." in text
    assert not at.dataframe and not at.table and not at.get("html") or all(
        "<table" not in h.value for h in at.get("html"))   # no table on the last slide


def test_a_study_computed_from_patients_has_no_closing_slide():
    # plain_bottom_line is empty for a study computed from patients (cratus.reading.summary): the deck ends on safety
    from cratus.patient import read_patient_data, to_study
    from cratus.patient.synthetic import synthetic_files

    files = synthetic_files("long", seed=1)
    study = to_study(read_patient_data(*files.values(), names=list(files)))
    deck = build_deck(study, 10)
    assert deck and deck[-1].kind != "bottom_line"


@pytest.mark.page
def test_a_panel_slide_takeaway_is_one_reading_not_a_list_of_p_values():
    from tests.apptest import open_page

    from cratus.reading.verdicts import bottom_line

    at = open_page("present", query={"slide": "6"})    # Figure 2A
    bold = [m.value for m in at.markdown if m.value.startswith("**6-minute walk")]
    # the Overview's reading of the endpoint (today "within-arm change in 100M only; no comparison with
    # Placebo reported"); its p-values (.011, .263, .112) are on the chart, not in the line
    row = bottom_line(load_study()).set_index("endpoint").loc["six_minute_walk"]
    # and which way the arm went: "rose in 100M: an improvement (higher is better)" (345.9 → 410.7 m)
    assert bold == [f"**6-minute walk distance: {row['verdict']} — {row['direction']}**"]
    assert "rose in 100M: an improvement" in bold[0]
    assert "p = " not in bold[0] and bold[0].count("\n") == 0
