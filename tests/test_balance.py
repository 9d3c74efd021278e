"""Baseline balance: one standardized-difference formula, one threshold and the printed precision everywhere
(Table 1's balance plot, the Appraisal's baseline tab, the Overview's imbalance notes; issue 21)."""

import inspect

import pytest

from cratus.appraisal.views import between_arm_view
from cratus.figures.bars import balance_figure, build_balance_figure
from cratus.reading.imbalance import baseline_imbalance_notes
from cratus.stats.between_arms import IMBALANCE_THRESHOLD, standardized_difference
from cratus.study.model import load_study


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def baseline_tab(study):
    return between_arm_view(study, study.design.arm_ids).baseline


def _row(table, endpoint_start, pair):
    found = table[(table["Comparison"] == pair) & table["Endpoint"].str.startswith(endpoint_start)]
    assert len(found) == 1, (endpoint_start, pair)
    return found.iloc[0]


@pytest.mark.parametrize("endpoint, pair, difference, d", [
    # Table 1, 6MWT at baseline: 100M 345.9 ± 103.4, 200M 390.6 ± 148.9, placebo 385.8 ± 83.1 (printed to 0.1 m).
    # 345.9 − 385.8 = −39.9 (was shown as −40); Austin 2009 eq. 1: −39.9 / √((103.4² + 83.1²) / 2) = −0.43
    ("6-minute walk", "100M vs Placebo", "−39.9", "−0.43"),
    # 345.9 − 390.6 = −44.7 (was −45); −44.7 / √((103.4² + 148.9²) / 2) = −0.35
    ("6-minute walk", "100M vs 200M", "−44.7", "−0.35"),
    # Table 1, ALT: 16.5 ± 6.0 vs 31.9 ± 15.6: −15.4; −15.4 / √((6.0² + 15.6²) / 2) = −1.30
    ("ALT", "200M vs Placebo", "−15.4", "−1.30"),
])
def test_the_baseline_tab_keeps_the_printed_precision_of_a_difference(baseline_tab, endpoint, pair, difference, d):
    row = _row(baseline_tab, endpoint, pair)
    assert row["Difference"] == difference
    assert row["Standardized difference (d)"] == d


def test_overview_note_and_baseline_tab_give_the_same_d_with_the_same_formula(study, baseline_tab):
    # Table 1: (345.9 − 385.8) / √((103.4² + 83.1²) / 2) = −0.4254 (Austin 2009, Stat Med 28:3083, eq. 1)
    d = standardized_difference(345.9, 103.4, 385.8, 83.1)
    assert d == pytest.approx(-0.4254, abs=1e-4)
    note = baseline_imbalance_notes(study, "six_minute_walk")[0]
    assert f"standardized difference {_row(baseline_tab, '6-minute walk', '100M vs Placebo')['Standardized difference (d)']}" in note


def test_one_threshold_for_balance_everywhere(study):
    # Austin 2009: |d| > 0.1 is commonly taken as meaningful imbalance
    assert IMBALANCE_THRESHOLD == 0.1
    for function in (baseline_imbalance_notes, balance_figure, build_balance_figure):
        assert inspect.signature(function).parameters["threshold"].default == IMBALANCE_THRESHOLD
    # The Overview's note names the threshold it uses: FEV1 100M vs placebo d = 0.34 (Table 1 / Results)
    assert f"above {IMBALANCE_THRESHOLD:g})" in baseline_imbalance_notes(study, "fev1")[0]
    figure = balance_figure(study, ("100M", "placebo"))
    assert f"±{IMBALANCE_THRESHOLD:g}" in figure.layout.xaxis.title.text
