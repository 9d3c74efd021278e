"""Safety laboratory data: reference-range categories, shift tables and eDISH against a hand-checked example,
the synthetic demo's Hy's-law subject, and the Laboratory page.

The hand-checked example (:data:`MEASUREMENTS`) is six subjects, two arms, three visits, ALT / AST / total
bilirubin in the long format; every expected number below is worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cratus.figures.labs import build_edish_figure, build_lab_values_figure
from cratus.patient import read_patient_data, to_study
from cratus.patient.lab_values import lab_values_over_time
from cratus.patient.edish import edish_data, hys_law_sentence
from cratus.patient.labs import (_is_test, lab_endpoints, liver_tests,
                                 reference_category, shift_counts, shift_note, shift_table)
from cratus.patient.synthetic import make_synthetic
from cratus.study.model import load_study
from tests.apptest import open_page, set_page, tables

SUBJECTS = "usubjid,arm\nS1,Drug\nS2,Drug\nS3,Drug\nS4,Placebo\nS5,Placebo\nS6,Placebo\n"
ALT = "ALT,Alanine Aminotransferase,U/L"
AST = "AST,Aspartate Aminotransferase,U/L"
BILI = "BILI,Total Bilirubin,mg/dL"
# usubjid, visit, visit_order, endpoint, label, unit, value, normal_low, normal_high, anrind, bnrind
ROWS = [
    # ALT, range 7–40 U/L
    ("S1", "Baseline", 0, ALT, 20, 7, 40, "", ""), ("S1", "Week 4", 1, ALT, 130, 7, 40, "", ""),
    ("S1", "Week 8", 2, ALT, 60, 7, 40, "", ""),
    ("S2", "Baseline", 0, ALT, 50, 7, 40, "", ""), ("S2", "Week 4", 1, ALT, 30, 7, 40, "", ""),
    ("S2", "Week 8", 2, ALT, 35, 7, 40, "", ""),
    ("S3", "Baseline", 0, ALT, 5, 7, 40, "", ""), ("S3", "Week 4", 1, ALT, 45, 7, 40, "", ""),
    ("S3", "Week 8", 2, ALT, 6, 7, 40, "", ""),
    ("S4", "Baseline", 0, ALT, 25, 7, 40, "", ""), ("S4", "Week 4", 1, ALT, 28, 7, 40, "", ""),
    ("S4", "Week 8", 2, ALT, 40, 7, 40, "H", ""),          # at the limit, but the lab flagged it HIGH
    ("S5", "Baseline", 0, ALT, 30, 7, 40, "", "L"),        # BNRIND says LOW: it wins over the value
    ("S5", "Week 4", 1, ALT, 6, 7, 40, "", "L"), ("S5", "Week 8", 2, ALT, 20, 7, 40, "", "L"),
    ("S6", "Baseline", 0, ALT, 22, 7, 40, "", ""),         # no ALT after baseline
    # AST, range 8–40 U/L
    ("S1", "Baseline", 0, AST, 20, 8, 40, "", ""), ("S1", "Week 4", 1, AST, 100, 8, 40, "", ""),
    ("S1", "Week 8", 2, AST, 50, 8, 40, "", ""),
    ("S2", "Baseline", 0, AST, 25, 8, 40, "", ""), ("S2", "Week 4", 1, AST, 30, 8, 40, "", ""),
    ("S2", "Week 8", 2, AST, 28, 8, 40, "", ""),
    ("S3", "Baseline", 0, AST, 30, 8, 40, "", ""), ("S3", "Week 4", 1, AST, 35, 8, 40, "", ""),
    ("S3", "Week 8", 2, AST, 130, 8, 40, "", ""),
    ("S4", "Baseline", 0, AST, 200, 8, 40, "", ""),        # 5×ULN at baseline only: not a peak after baseline
    ("S4", "Week 4", 1, AST, 30, 8, 40, "", ""), ("S4", "Week 8", 2, AST, 35, 8, 40, "", ""),
    ("S5", "Baseline", 0, AST, 22, 8, 40, "", ""), ("S5", "Week 4", 1, AST, 25, 8, 40, "", ""),
    ("S5", "Week 8", 2, AST, 24, 8, 40, "", ""),
    ("S6", "Baseline", 0, AST, 20, 8, 40, "", ""), ("S6", "Week 4", 1, AST, 22, 8, 40, "", ""),
    ("S6", "Week 8", 2, AST, 21, 8, 40, "", ""),
    # total bilirubin, range 0.1–1.2 mg/dL (S5's week 8 record has its own ULN of 1.0)
    ("S1", "Baseline", 0, BILI, 0.5, 0.1, 1.2, "", ""), ("S1", "Week 4", 1, BILI, 3.0, 0.1, 1.2, "", ""),
    ("S1", "Week 8", 2, BILI, 1.0, 0.1, 1.2, "", ""),
    ("S2", "Baseline", 0, BILI, 0.6, 0.1, 1.2, "", ""), ("S2", "Week 4", 1, BILI, 2.4, 0.1, 1.2, "", ""),
    ("S2", "Week 8", 2, BILI, 1.1, 0.1, 1.2, "", ""),
    ("S3", "Baseline", 0, BILI, 0.7, 0.1, 1.2, "", ""), ("S3", "Week 4", 1, BILI, 0.8, 0.1, 1.2, "", ""),
    ("S3", "Week 8", 2, BILI, 0.9, 0.1, 1.2, "", ""),
    ("S4", "Baseline", 0, BILI, 0.5, 0.1, 1.2, "", ""), ("S4", "Week 4", 1, BILI, 0.6, 0.1, 1.2, "", ""),
    ("S4", "Week 8", 2, BILI, 0.7, 0.1, 1.2, "", ""),
    ("S5", "Baseline", 0, BILI, 0.4, 0.1, 1.2, "", ""), ("S5", "Week 4", 1, BILI, 0.5, 0.1, 1.2, "", ""),
    ("S5", "Week 8", 2, BILI, 0.6, 0.1, 1.0, "", ""),
    ("S6", "Baseline", 0, BILI, 0.5, 0.1, 1.2, "", ""), ("S6", "Week 4", 1, BILI, 0.5, 0.1, 1.2, "", ""),
    ("S6", "Week 8", 2, BILI, 0.6, 0.1, 1.2, "", ""),
]
MEASUREMENTS = "usubjid,visit,visit_order,endpoint,label,unit,value,normal_low,normal_high,anrind,bnrind\n" + "".join(
    f"{s},{v},{o},{test},{value},{low},{high},{ind},{base}\n" for s, v, o, test, value, low, high, ind, base in ROWS)


@pytest.fixture(scope="module")
def example():
    data = read_patient_data(SUBJECTS.encode(), MEASUREMENTS.encode(), names=["subjects.csv", "adlb.csv"])
    return to_study(data)


@pytest.mark.parametrize("value, low, high, category", [
    (45, 7, 40, "HIGH"), (40, 7, 40, "NORMAL"), (7, 7, 40, "NORMAL"), (6.9, 7, 40, "LOW"),
    (3, math.nan, 40, "NORMAL"),   # no lower limit: cannot be LOW
    (3, 7, math.nan, "LOW"), (math.nan, 7, 40, ""), (50, math.nan, math.nan, ""),
])
def test_reference_category(value, low, high, category):
    assert reference_category(value, low, high) == category


@pytest.mark.parametrize("test, code, label, found", [
    ("alt", "ALT", "Alanine Aminotransferase", True), ("alt", "alt", "", True), ("alt", "X1", "SGPT", True),
    ("ast", "SGOT", "", True), ("ast", "LB2", "Aspartate aminotransferase (U/L)", True),
    ("bili", "TBIL", "Bilirubin", True), ("bili", "BILDIR", "Direct Bilirubin", False),
    ("bili", "P3", "Total bilirubin", True), ("alt", "ALP", "Alkaline Phosphatase", False),
    ("alp", "ALP", "Alkaline Phosphatase", True),
])
def test_liver_tests_are_recognised_by_code_or_name(test, code, label, found):
    assert _is_test(test, code, label) is found


def test_the_example_s_lab_endpoints(example):
    assert lab_endpoints(example) == ("alt", "ast", "bili")
    assert liver_tests(example) == {"alt": "alt", "ast": "ast", "bili": "bili"}


def _cells(counts: pd.DataFrame) -> dict:
    nonzero = counts[counts["count"] > 0]
    return {(a, b, w): (c, round(p)) for a, b, w, c, p in
            zip(nonzero["arm"], nonzero["baseline"], nonzero["worst"], nonzero["count"], nonzero["percent"])}


# ALT by hand.  Drug: S1 N → post 130 H, 60 H; S2 H → 30 N, 35 N; S3 L → 45 H, 6 L.  Placebo: S4 N → 28 N, 40
# flagged H; S5 BNRIND L → 6 L, 20 N; S6 has no value after baseline (left out).  n = 3 (Drug) and 2 (Placebo).
@pytest.mark.parametrize("direction, expected", [
    # highest category after baseline: S1 H, S2 N, S3 H; S4 H, S5 N
    ("high", {("drug", "NORMAL", "HIGH"): (1, 33), ("drug", "HIGH", "NORMAL"): (1, 33),
              ("drug", "LOW", "HIGH"): (1, 33), ("placebo", "NORMAL", "HIGH"): (1, 50),
              ("placebo", "LOW", "NORMAL"): (1, 50)}),
    # lowest category after baseline: S1 H, S2 N, S3 L; S4 N, S5 L
    ("low", {("drug", "NORMAL", "HIGH"): (1, 33), ("drug", "HIGH", "NORMAL"): (1, 33),
             ("drug", "LOW", "LOW"): (1, 33), ("placebo", "NORMAL", "NORMAL"): (1, 50),
             ("placebo", "LOW", "LOW"): (1, 50)}),
])
def test_shift_counts_by_hand(example, direction, expected):
    counts = shift_counts(example, "alt", direction=direction)
    assert len(counts) == 18  # 2 arms × 3 baseline × 3 worst categories, zeros included
    assert _cells(counts) == expected
    assert counts.groupby("arm")["n"].first().to_dict() == {"drug": 3, "placebo": 2}


def test_shift_table_and_note_by_hand(example):
    table = shift_table(example, "alt", direction="high")
    # Drug, baseline LOW row: S3 only, counted under HIGH: 1 of 3 = 33%
    assert table.values.tolist()[1] == ["Low", "0 (0%)", "0 (0%)", "1 (33%)", "1 (33%)"]
    assert table.columns.tolist() == ["At baseline", "Low", "Normal", "High", "Total"]
    assert table["At baseline"].tolist()[0] == "Drug (n = 3)" and table["At baseline"].tolist()[4] == "Placebo (n = 2)"
    note = shift_note(example, "alt", direction="high")
    assert "Left out: 1 subject without a value after baseline." in note            # S6
    assert "1 subject had values both below and above the normal range" in note   # S3: 45 H and 6 L
    assert "counted as HIGH here" in note


def test_shift_for_the_chosen_arms_only(example):
    counts = shift_counts(example, "alt", arms=("placebo",))
    assert set(counts["arm"]) == {"placebo"} and int(counts["count"].sum()) == 2


# eDISH by hand: peak after baseline ÷ the ULN of the same record.
# S1 ALT 130/40 = 3.25, AST 100/40 = 2.5, bilirubin 3.0/1.2 = 2.5 → possible Hy's law
# S2 ALT 35/40 = 0.875, AST 30/40 = 0.75, bilirubin 2.4/1.2 = 2.0 (the limit counts) → cholestasis
# S3 ALT 45/40 = 1.125, AST 130/40 = 3.25 (AST, not ALT), bilirubin 0.9/1.2 = 0.75 → Temple's corollary
# S4 ALT 40/40 = 1.0, AST 35/40 = 0.875 (baseline 200 not counted), bilirubin 0.7/1.2 → normal range
# S5 ALT 20/40 = 0.5, AST 25/40 = 0.625, bilirubin 0.6/1.0 = 0.6 (its own ULN; 0.5/1.2 = 0.417) → normal range
# S6 no ALT after baseline; AST 22/40 = 0.55, bilirubin 0.6/1.2 = 0.5 → normal range
EDISH = {"S1": (3.25, 2.5, 2.5, "hys_law"), "S2": (0.875, 0.75, 2.0, "cholestasis"),
         "S3": (1.125, 3.25, 0.75, "temple"), "S4": (1.0, 0.875, 0.7 / 1.2, "normal"),
         "S5": (0.5, 0.625, 0.6, "normal"), "S6": (math.nan, 0.55, 0.5, "normal")}


def test_edish_by_hand(example):
    e = edish_data(example).set_index("usubjid")
    assert list(e.index) == ["S1", "S2", "S3", "S4", "S5", "S6"]
    for subject, (alt, ast, bili, quadrant) in EDISH.items():
        got = e.loc[subject]
        np.testing.assert_allclose([got["alt_xuln"], got["ast_xuln"], got["bili_xuln"]], [alt, ast, bili])
        assert got["quadrant"] == quadrant, subject
    assert e.loc["S3", "transaminase_xuln"] == 3.25  # the larger of ALT and AST
    assert hys_law_sentence(example).startswith("1 of 6 subjects is in the possible Hy's law quadrant")
    assert "S1 (Drug)" in hys_law_sentence(example)
    # 1 in Temple's corollary (S3) and 1 in cholestasis (S2); everyone has bilirubin and ALT or AST
    assert "1 in Temple's corollary and 1 in cholestasis." in hys_law_sentence(example)
    assert "Not plotted" not in hys_law_sentence(example)


def test_subjects_without_liver_values_are_counted_as_not_plotted():
    """S3 without any bilirubin after baseline: 5 of 6 subjects on the eDISH, 1 not plotted."""
    rows = [line for line in MEASUREMENTS.splitlines() if not (line.startswith("S3,Week") and ",BILI," in line)]
    data = read_patient_data(SUBJECTS.encode(), ("\n".join(rows) + "\n").encode(), names=["s.csv", "m.csv"])
    sentence = hys_law_sentence(to_study(data))
    assert sentence.startswith("1 of 5 subjects is in the possible Hy's law quadrant")
    assert "Not plotted: 1 subject without both a bilirubin and an ALT or AST value" in sentence


def test_edish_figure_of_the_example(example):
    fig = build_edish_figure(example, test="ast")
    drug = next(t for t in fig.data if t.meta["arm"] == "drug")
    assert list(drug.customdata) == ["S1", "S2", "S3"]
    np.testing.assert_allclose(drug.x, [2.5, 0.75, 3.25])          # AST ×ULN of S1, S2, S3 (above)
    np.testing.assert_allclose(drug.y, [2.5, 2.0, 0.75])
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    lines = {s.name: s for s in fig.layout.shapes}
    assert lines["transaminase_limit"].x0 == 3 and lines["bilirubin_limit"].y0 == 2
    top_right = next(a for a in fig.layout.annotations if a.name == "quadrant|hys_law")
    assert (top_right.x, top_right.y, "Possible Hy's law" in top_right.text) == (1, 1, True)


def test_values_over_time_by_hand(example):
    t = lab_values_over_time(example, "alt").set_index(["arm", "visit"])
    week4 = t.loc[("drug", "week_4")]
    # Drug, week 4: 130, 30, 45 → sorted 30, 45, 130: median 45; numpy linear quartiles 37.5 and 87.5;
    # whiskers within 1.5 × IQR (−37.5 to 162.5): 30 and 130
    assert (week4["n"], week4["median"], week4["q1"], week4["q3"]) == (3, 45, 37.5, 87.5)
    assert (week4["lower_fence"], week4["upper_fence"]) == (30, 130)
    # scipy.stats.t.interval(0.95, 2, loc=mean, scale=sem) of the three values
    low, high = stats.t.interval(0.95, 2, loc=np.mean([130, 30, 45]), scale=stats.sem([130, 30, 45]))
    np.testing.assert_allclose([week4["ci_low"], week4["ci_high"]], [low, high])
    assert t.loc[("placebo", "week_4"), "n"] == 2  # S6 has no ALT after baseline


def test_values_over_time_figure_shades_the_reference_range(example):
    fig = build_lab_values_figure(example, "alt")
    band = next(s for s in fig.layout.shapes if s.name == "reference_range")
    assert (band.y0, band.y1) == (7, 40)
    assert [a.text for a in fig.layout.annotations] == ["ULN 40 U/L", "LLN 7 U/L"]
    outliers = next(t for t in fig.data if t.meta["role"] == "outliers" and t.meta["arm"] == "drug")
    # Drug, week 8: 60, 35, 6 → q1 20.5, q3 47.5, fences −20 to 88: nothing beyond; baseline 20, 50, 5 likewise
    assert len(outliers.y) == 0


# --- the synthetic demo --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic():
    return to_study(make_synthetic(seed=1, format="adam"), reference=load_study())  # as the demo opens it


def test_synthetic_labs_at_every_visit_with_ranges(synthetic):
    m = synthetic.patients.measurements
    labs = m[m["endpoint"].isin(lab_endpoints(synthetic))]
    assert set(labs["endpoint"]) == {"alt", "ast", "bili"}
    assert set(labs["visit"]) == set(synthetic.design.visit_ids)   # baseline, 6 and 12 months
    assert labs["anrhi"].notna().all() and labs["anrind"].notna().all() and labs["bnrind"].notna().all()


def test_the_synthetic_hys_law_subject_is_in_the_hys_law_quadrant(synthetic):
    e = edish_data(synthetic)
    hy = e[e["quadrant"] == "hys_law"]
    # cratus.patient.synthetic_draws.HYS_LAW: ALT 3.5×, AST 3.2×, bilirubin 2.4× ULN at the primary follow-up
    assert hy[["alt_xuln", "ast_xuln", "bili_xuln"]].values.tolist() == [[3.5, 3.2, 2.4]]
    assert (e["quadrant"] != "normal").sum() == 1
    m = synthetic.patients.measurements
    rows = m[(m["usubjid"] == hy["usubjid"].iloc[0]) & (m["endpoint"].isin(["alt", "bili"]))]
    at_follow_up = rows[rows["visit"] == synthetic.design.follow_up].set_index("endpoint")
    # ALT ≥ 3×ULN and bilirubin ≥ 2×ULN at the same visit; normal at baseline
    assert at_follow_up.loc["alt", "value"] >= 3 * 40 and at_follow_up.loc["bili", "value"] >= 2 * 1.2
    assert set(rows.loc[rows["visit"] == synthetic.design.baseline, "anrind"]) == {"NORMAL"}


@pytest.mark.parametrize("event, expected", [
    ({"selection": {"points": [{"customdata": "SYN-002", "x": 3.5}]}}, "SYN-002"),   # an eDISH point
    ({"selection": {"points": [{"customdata": ["SYN-007"], "x": 1.0}]}}, "SYN-007"),  # customdata as a list
    ({"selection": {"points": []}}, None),                                             # a cleared selection
    (None, None),
])
def test_a_clicked_point_names_its_subject(event, expected):
    from ui.render import clicked

    assert clicked(event) == expected


def test_a_published_study_has_no_laboratory_page():
    from ui.navigation import page_specs

    assert "laboratory" not in [s["url_path"] for s in page_specs(load_study())]


# --- the page ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab_page():
    at = open_page("data")
    at.radio(key="source_choice").set_value("synthetic").run()
    next(b for b in at.button if b.label == "Open the synthetic demo").click().run()
    return set_page(at, "laboratory").run()


@pytest.mark.page
def test_the_laboratory_page_of_the_synthetic_demo(lab_page):
    at = lab_page
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Laboratory"
    assert [s.value for s in at.subheader] == ["ALT over time", "ALT: shift from baseline",
                                               "Liver safety: possible Hy's law (eDISH)"]
    text = " ".join(str(m.value) for m in [*at.markdown, *at.info, *at.caption, *at.warning])
    assert "Synthetic data — not trial data" in text
    assert "1 of 30 subjects is in the possible Hy's law quadrant" in text
    assert "it does not diagnose" in text and "Alkaline phosphatase is not in these data" in text
    assert "Means, medians and tests of the change from baseline of ALT are on the page “ADLB by visit”" in text
    assert tables(at)[0]["At baseline"].iloc[0].endswith("(n = 10)")
    pages = at.session_state["_pages"]
    assert "laboratory" in pages and pages["patient_adlb"].title == "ADLB by visit"  # its BDS dataset


@pytest.mark.page
def test_a_rerun_of_the_page_reuses_its_computations(lab_page, monkeypatch):
    """ui.cached and ui.cached_figure keep their results across reruns (they once shared one Streamlit cache
    under two sizes, which emptied it at every switch between them: every rerun recomputed everything)."""
    import functools

    import cratus.patient.labs as labs

    calls = []
    original = labs.shift_note

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(labs, "shift_note", counted)
    at = lab_page
    at.run()  # computed here at most once (this session's selections may already be cached)
    calls.clear()
    at.run()
    at.run()
    assert not at.exception and calls == []


@pytest.mark.page
def test_the_lab_test_chooser_switches_every_section(lab_page):
    at = lab_page
    at.selectbox(key="lab_test").set_value("bili").run()
    assert not at.exception
    assert [s.value for s in at.subheader][:2] == ["Total Bilirubin over time", "Total Bilirubin: shift from baseline"]


@pytest.mark.page
def test_a_click_on_an_edish_point_opens_that_participant(lab_page, monkeypatch):
    """streamlit.testing cannot click a plotly point, so the page's reading of the click (ui.render.clicked, tested
    above on real selection events) answers one subject once; the page then opens that participant."""
    import ui.render

    answers = iter(["SYN-002"])
    monkeypatch.setattr(ui.render, "clicked", lambda event: next(answers, None))
    at = lab_page.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Participant" and at.query_params["subject"] == "SYN-002"
    assert tables(at)[0].set_index("Characteristic")["Value"]["Participant"] == "SYN-002"
