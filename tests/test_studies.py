"""Any study, not just CRATUS: two made-up studies render every page, with their own arms, visits and figures.

``tests/fixtures/study_two_arms`` has arms "Drug X"/"Vehicle" and visits Week 0/12/24;
``tests/fixtures/study_three_arms`` has three arms whose control ("Sham") comes first, two figure pages,
a women-only endpoint, adverse events and a categorical safety outcome.
"""

from __future__ import annotations

import re

import pytest

from cratus.study.model import load_study
from tests.apptest import FIXTURES, open_page, tables

pytestmark = pytest.mark.page  # every test here runs the app (streamlit.testing)

STUDIES = {"two": FIXTURES / "study_two_arms", "three": FIXTURES / "study_three_arms"}
#: Words that belong to CRATUS and must never appear on another study's pages.
CRATUS_WORDS = re.compile(r"CRATUS|Allo-hMSC|\b100M\b|\b200M\b|[Pp]lacebo|6-minute|SQOL|cPRA|Tompkins|frailty")


def _pages(name):
    study = load_study(STUDIES[name])
    return ["", "baseline", "safety", *[f["url_path"] for f in study.figure_pages()], "appraisal"]


def _visible_text(at) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success")
             for e in getattr(at, kind)]
    parts += [str(t.to_dict()) for t in tables(at)]
    parts += [p.proto.spec for p in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("name, url_path", [(n, p) for n in STUDIES for p in _pages(n)])
def test_every_page_renders_a_made_up_study_without_cratus_words(name, url_path):
    at = open_page(url_path, study_dir=STUDIES[name])
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "the page has a title"
    found = CRATUS_WORDS.findall(_visible_text(at))
    assert not found, f"CRATUS words on a page of another study: {sorted(set(found))}"


def test_the_arm_selector_offers_the_study_s_arms_in_order():
    at = open_page("baseline", study_dir=STUDIES["three"])
    assert at.sidebar.get("button_group")[0].options == ["Sham", "Low", "High"]


def test_baseline_table_of_a_made_up_study():
    at = open_page("baseline", study_dir=STUDIES["two"])
    table = tables(at)[0].set_index("Characteristic")
    # tests/fixtures/study_two_arms/summary.csv: age 70.1 ± 6.2 (Drug X), 71.4 ± 5.9 (Vehicle); N = 12 and 11
    assert table.loc["Age (years)"].tolist() == ["70.1 ± 6.2", "71.4 ± 5.9"]
    assert list(table.columns) == ["Drug X 50 mg (N = 12)", "Vehicle (N = 11)"]


def test_balance_is_against_the_control_even_when_it_is_listed_first():
    at = open_page("baseline", study_dir=STUDIES["three"])
    names = [t["name"] for t in __import__("json").loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert names == ["Low vs Sham", "High vs Sham"]


def test_safety_page_of_a_three_arm_study_shows_its_categorical_outcome():
    at = open_page("safety", study_dir=STUDIES["three"])
    table = next(d for d in tables(at) if "Antibody response" in d.columns).set_index("Antibody response")
    # tests/fixtures/study_three_arms/summary.csv: antibodies at day 90, none 7/8/7, some 1/1/2
    assert table.loc["Some"].tolist() == [1, 1, 2]


@pytest.mark.parametrize("name, figures", [("two", ["efficacy"]), ("three", ["mobility", "markers"])])
def test_figure_pages_come_from_the_study_s_figures(name, figures):
    at = open_page("", study_dir=STUDIES[name])
    assert [f["url_path"] for f in load_study(STUDIES[name]).figure_pages()] == figures
    assert not at.exception
