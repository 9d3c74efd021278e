"""AppTest tests of the Appraisal page: it renders, and its numbers follow the widgets and the arm selection."""

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import tables
from ui.fold import skip_for_session

pytestmark = pytest.mark.page  # every test here runs the app (streamlit.testing)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/appraisal.py"


def select_arms(at, arms):
    at.sidebar.get("button_group")[0].set_value(arms).run()


def run_page(arms=None, query=None, section=None):
    at = AppTest.from_file(APP, default_timeout=60)
    skip_for_session(at.session_state)  # no browser to press "continue" after the first chart (ui/fold.py)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    # A first run lets app.py register its st.navigation pages (see tests/test_app.py).
    at.run()
    at.switch_page(PAGE).run()
    if arms is not None:
        select_arms(at, arms)
    if section is not None:
        # The tabs are stateful (bound to ?section=), so only the open one runs; open it by its key.
        at.session_state["section"] = section
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at, column):
    return next(d for d in tables(at) if column in d.columns)


def row_of(table, **match):
    rows = table
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (match, len(rows))
    return rows.iloc[0]


# --- the page ------------------------------------------------------------------------------------
def test_page_renders_its_title_and_opens_on_the_comparisons():
    at = run_page()
    assert at.title[0].value == "Appraisal: question the results"
    month6, baseline = tables(at)[:2]
    assert list(month6.columns) == ["Endpoint", "Comparison", "Difference (95% CI)", "Welch p",
                                    "Hedges' g (95% CI)", "If ± were SEM: difference (95% CI), p", "Method",
                                    "Caution"]
    # 6 months: CHAMPS (200M vs placebo, withheld), CD25 and B-cell TNF-α (100M vs 200M); baseline: 12 endpoints
    assert (len(month6), len(baseline)) == (3, 36)


# --- 1. between arms -----------------------------------------------------------------------------
def test_b_cell_tnf_6_months_100m_vs_200m_matches_scipy_and_shows_the_sem_reading():
    table = table_with(run_page(), "Welch p")  # the first table is the 6-month one
    row = row_of(table, Endpoint="B-cell intracellular TNF-α", Comparison="100M vs 200M")
    # scipy.stats.ttest_ind_from_stats(7.0, 1.0, 10, 8.4, 1.1, 10, equal_var=False).pvalue
    #   = 0.00811862726548334 -> ".0081"
    # Welch CI: -1.4 ± t(0.975, df=17.84) * sqrt(1/10 + 1.21/10) = (-2.38830, -0.41170)
    # Hedges' g: -1.4 / sqrt((1.0² + 1.1²) / 2) * (1 - 3 / (4 * 20 - 9)) = -1.27555
    assert (row["Welch p"], row["Difference (95% CI)"], row["Hedges' g (95% CI)"].split(" ")[0]) == (
        ".0081", "−1.4 (−2.4 to −0.4)", "−1.28")
    # if ± were SEMs: ttest_ind_from_stats(7.0, 1.0·√10, 10, 8.4, 1.1·√10, 10, equal_var=False).pvalue = 0.359
    assert row["If ± were SEM: difference (95% CI), p"].endswith("p = .359")


def test_the_forest_plot_carries_hedges_g_of_the_same_pair():
    at = run_page()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = next(t for t in spec["data"] if t["name"] == "100M vs 200M")
    hover = [h for h in trace["text"] if h.startswith("B-cell intracellular TNF-α, 6 months")]
    assert hover == ["B-cell intracellular TNF-α, 6 months<br>100M vs 200M: g = -1.28 (-2.20 to -0.35)"
                     "<br>Welch p = .0081"]


def test_skewed_median_iqr_effects_are_withheld_with_the_reason():
    table = table_with(run_page(), "Welch p")
    row = row_of(table, Endpoint="CHAMPS caloric expenditure (kcal/week)", Comparison="200M vs Placebo")
    assert (row["Method"], row["Difference (95% CI)"]) == ("≈ Wan 2014 (from median, IQR)", "withheld")
    assert row["Caution"].startswith("Effect withheld:") and "skewed" in row["Caution"]


def test_baseline_has_no_p_values_unless_asked_and_then_labels_them_as_chance():
    at = run_page()
    baseline = table_with(at, "Standardized difference (d)")
    assert not any("p" in c.split() for c in baseline.columns)
    at.toggle(key="baseline_p").set_value(True).run()
    assert "Welch p (chance alone)" in table_with(at, "Standardized difference (d)").columns


def test_deselecting_an_arm_removes_its_rows():
    at = run_page()
    select_arms(at, ["100M", "placebo"])
    table = table_with(at, "Standardized difference (d)")
    # no 6-month pair of 100M and placebo is printed; 11 baseline characteristics are
    assert (set(table["Comparison"]), len(table), len(tables(at))) == ({"100M vs Placebo"}, 11, 1)


def test_one_arm_has_nothing_to_compare():
    at = run_page(arms=["200M"])
    assert "No pair of the selected arms" in at.info[0].value


# --- 2. within-arm change ------------------------------------------------------------------------
def test_the_6mwt_correlation_is_judged_as_a_sample_correlation():
    at = run_page(section="Within-arm change")
    assert at.selectbox(key="change").value == "six_minute_walk:100M"
    text = at.info[0].value
    assert text.startswith("Assuming a paired t-test on n = 10 pairs, the paper's p = .011 needs a pre–post "
                           "correlation of 0.956")
    assert "probability .15 even if the true correlation is 0.9" in text


def test_the_correlation_slider_changes_the_sensitivity_output():
    at = run_page(section="Within-arm change")
    table = table_with(at, "Assumed correlation")
    # 6MWT 100M, 345.9 ± 103.4 -> 410.7 ± 155.4, n = 10, paired t at r:
    # sd_change = sqrt(103.4² + 155.4² - 2 r 103.4 155.4); p = 2 * scipy.stats.t.sf(64.8 / (sd_change / sqrt(10)), 9)
    # r = 0.5: sd_change = 137.012, p = 0.16897;  r = 0.9: sd_change = 76.926, p = 0.025885
    columns = ["Assumed correlation", "SD of change", "p, assuming a paired t-test"]
    assert table.iloc[1][columns].tolist() == ["Your choice (r = 0.50)", "137.0", ".169"]
    at.select_slider(key="correlation").set_value(0.9).run()
    table = table_with(at, "Assumed correlation")
    assert table.iloc[1][columns].tolist() == ["Your choice (r = 0.90)", "76.9", ".026"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {s["x0"] for s in spec["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash"} == {0.9}


def test_b_cell_tnf_200m_is_impossible_as_sd_and_possible_as_sem():
    at = run_page(section="Within-arm change")
    at.selectbox(key="change").set_value("tnf_alpha_bcell:200M").run()
    text = at.warning[0].value
    assert "no pre–post correlation reproduces the paper's p = .001" in text and "If ± were an SEM" in text


def test_every_within_arm_result_is_listed_with_its_verdict_and_probability():
    table = table_with(run_page(section="Within-arm change"), "Correlation needed")
    verdicts = dict(zip(table["Result"], table["Verdict"]))
    assert (len(table), verdicts["6-minute walk distance, 100M"], verdicts["FEV1, 100M"],
            verdicts["CD69+ T cells (early activation), 200M"], verdicts["B-cell intracellular TNF-α, 200M"]) == (
        10, "plausible", "plausible", "plausible", "impossible")
    row = row_of(table, Result="6-minute walk distance, 100M")
    assert row["Probability"] == ".15 (r ≥ 0.953 if ρ = 0.9)"


def test_within_arm_results_follow_the_arm_selection():
    at = run_page(arms=["200M"], section="Within-arm change")
    assert all(r.endswith(", 200M") for r in table_with(at, "Correlation needed")["Result"])


# --- 3. multiplicity -----------------------------------------------------------------------------
def test_all_p_values_form_one_family_of_45():
    at = run_page(section="Multiplicity")
    table = table_with(at, "Holm")
    assert set(table["m"]) == {45}
    assert at.info[0].value.startswith("Of 45 p-values in one family, 16 are below α = .05 without adjustment; "
                                       "4 survive Bonferroni, 4 survive Holm and 5 survive Benjamini–Hochberg")


def test_the_family_selector_changes_m():
    at = run_page(section="Multiplicity")
    at.radio(key="family").set_value("immune").run()
    # data/p_values.csv, one p-value per test (Results preferred to the Abstract): 23 in the immune domain
    assert set(table_with(at, "Holm")["m"]) == {23}


def test_holm_adjusts_and_keeps_bounds():
    table = table_with(run_page(section="Multiplicity"), "Holm")
    row = row_of(table, Endpoint="6-minute walk distance", Test="100M: change to 6 months")
    # Holm on 45 p-values: .011 is the 8th smallest -> .011 * (45 - 7) = .418; Bonferroni .011 * 45 = .495
    assert row[["p", "Bonferroni", "Holm", "Significant after"]].tolist() == [".011", ".495", ".418",
                                                                               "no adjustment"]
    bound = row_of(table, Endpoint="B-cell intracellular TNF-α", Test="100M vs Placebo, 6 months")
    assert bound[["p", "Bonferroni"]].tolist() == ["< .00001", "< .0005"]   # .00001 × 45, a bound rounded up


# --- 4. power ------------------------------------------------------------------------------------
def test_power_does_not_overreach_on_the_30_per_group():
    at = run_page(section="Power")
    metrics = {m.label: m.value for m in at.metric}
    # statsmodels TTestIndPower().solve_power(64.8 / 112.9, power=0.8) = 48.63 -> 49; power=0.9 -> 64.1 -> 65
    assert metrics == {"Standardized effect d": "0.57", "Patients per arm, 80% power": "49",
                       "Patients per arm, 90% power": "65", "Power with 30 per arm (follow-up values)": "59%"}
    assert "cannot be verified from the text" in at.info[0].value
    table = table_with(at, "Pre–post correlation ρ")
    assert len(table) == 20


def test_the_observed_6mwt_contrast_cannot_be_computed_from_the_text():
    at = run_page(section="Power")
    at.radio(key="effect").set_value("observed").run()
    assert at.warning[0].value.startswith("The text does not print 6-minute walk distance for both 100M and "
                                          "Placebo at 6 months")
    assert len(at.metric) == 0


# --- 5. audit ------------------------------------------------------------------------------------
def test_the_audit_shows_the_aneurysm_failure_and_the_within_arm_probabilities():
    at = run_page(section="Audit")
    # Arithmetic checks: the aneurysm's 16% fails; data/discrepancies.csv (33 rows after issue 21) adds 25
    # curated fails, 6 ambiguous readings that are not checkable and 2 consistent roundings that pass; of the
    # 10 within-arm p-values only B-cell TNF-α 200M fails (impossible as ± SD), the others pass.
    assert {m.label: m.value for m in at.metric} == {"Pass": "148", "Fail": "27", "Not checkable": "6"}
    row = row_of(table_with(at, "Explanation"), Where="Serious adverse events · Aneurysm · Placebo")
    # Table 2: Aneurysm 1 (16%) of the placebo arm's 6 events; 1 / 6 = 16.7% rounds to 17
    assert row[["Status", "Check", "Expected", "Reported"]].tolist() == ["✗ fail", "events percent", "17", "16"]
    assert not table_with(at, "Explanation")["Where"].str.contains(r"\bD\d\d\b").any()


def test_the_audit_follows_the_arm_selection():
    at = run_page(arms=["100M", "200M"], section="Audit")
    where = " ".join(table_with(at, "Explanation")["Where"])
    assert "Aneurysm" not in where and "Placebo" not in where


@pytest.mark.parametrize("section", ["Between arms", "Within-arm change", "Multiplicity", "Power", "Audit"])
def test_every_section_renders(section):
    at = run_page(section=section)
    assert at.session_state["section"] == section
