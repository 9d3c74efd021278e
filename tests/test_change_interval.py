"""The Change view's interval under the r the printed p implies is the interval the reading's MCID text weighs
(issue 21): two routes to one number, checked against each other."""

import pytest

from cratus.figures import Measure
from cratus.figures.panel_data import endpoint_panel_data
from cratus.reading.mcid import change_interval
from cratus.study.model import load_study


@pytest.mark.parametrize("endpoint, arm, change, p_value", [
    # Results: 6MWT 100M 345.9 ± 103.4 → 410.7 ± 155.4 m, p = .011 (n = 10 per arm)
    ("six_minute_walk", "100M", 64.8, 0.011),
    # Results: SQOL-F 100M (women) 59.8 ± 15.3 → 76.0 ± 7.7, p = .035 (n = 4 women in the arm, Table 1)
    ("sqol_f", "100M", 16.2, 0.035),
])
def test_the_implied_r_interval_equals_the_interval_from_the_printed_p(endpoint, arm, change, p_value):
    study = load_study()
    panel = endpoint_panel_data(study, endpoint, [arm], ["baseline", "month6"], metric="change",
                                correlation=Measure(correlation="implied").correlation).iloc[0]
    n = panel["n"]
    low, high = change_interval(change, {"p_value": p_value, "relation": "="}, n)
    # back-calculating r from rounded means agrees with inverting the t-test to well under the printed precision
    assert (panel["low"], panel["high"]) == (pytest.approx(low, abs=0.02), pytest.approx(high, abs=0.02))
    assert panel["low"] > 0 and panel["interval_note"] == ""    # excludes 0, as p < .05 says; nothing to warn
