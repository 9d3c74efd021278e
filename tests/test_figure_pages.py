"""AppTest tests of the figure pages (Figures 2–4): arms, time points, metric, view and URL state."""

import json

import pytest

from tests.apptest import open_page as open_url, tables

pytestmark = pytest.mark.page  # every test here runs the app (streamlit.testing)

# url path -> (title, endpoints), from data/figures.csv and data/endpoints.csv
FIGURE_PAGES = {
    "functional": ("Functional endpoints (Figure 2)", ["six_minute_walk", "sppb", "champs", "fev1"]),
    "immune": ("Immune markers (Figure 3)",
               ["cd69", "cd25", "cd8", "cd4_cd8_ratio", "tnf_alpha_serum", "tnf_alpha_bcell"]),
    "quality_of_life": ("Quality of life (Figure 4)", ["sqol_f"]),
}


def open_page(page, query=None):
    # The URL carries what the widgets show (?view=One%2C+large&endpoint=FEV1&time=Baseline).
    at = open_url(page, query=query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def control(at, key):
    return next(g for g in at.get("button_group") if g.key == key)


def chart(at):
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def arm_traces(spec):
    return [t for t in spec["data"] if (t.get("meta") or {}).get("role") == "arm"]


def trace(spec, endpoint, arm):
    return next(t for t in arm_traces(spec) if t["meta"]["endpoint"] == endpoint and t["meta"]["arm"] == arm)


def annotations(spec, role):
    return [a for a in spec["layout"].get("annotations", []) if str(a.get("name", "")).startswith(role + "|")]


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_figure_page_renders_every_panel(page):
    at = open_page(page)
    title, endpoints = FIGURE_PAGES[page]
    assert at.title[0].value == title
    plotted = {t["meta"]["endpoint"] for t in arm_traces(chart(at))}
    assert plotted == set(endpoints)


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_deselecting_an_arm_removes_its_traces(page):
    at = open_page(page)
    at.sidebar.get("button_group")[0].set_value(["100M", "placebo"]).run()
    spec = chart(at)
    assert {t["meta"]["arm"] for t in arm_traces(spec)} == {"100M", "placebo"}
    assert not [a for a in spec["layout"].get("annotations", []) if "|200M|" in str(a.get("name", ""))]


def test_six_months_only_shows_six_month_values():
    at = open_page("functional")
    control(at, "time").set_value("month6").run()
    spec = chart(at)
    walk = trace(spec, "six_minute_walk", "100M")
    # Results: "(345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011; Figure 2A)" — only the 6-month point
    assert walk["y"] == [410.7]
    assert walk["error_y"]["array"] == [155.4]
    assert all(t["meta"]["visits"] == ["month6"] for t in arm_traces(spec))


def test_not_reported_cells_are_placeholders_with_their_p_value():
    at = open_page("functional")
    control(at, "time").set_value("month6").run()
    spec = chart(at)
    placebo = trace(spec, "six_minute_walk", "placebo")
    assert placebo["y"] == [None]
    names = {a["name"] for a in annotations(spec, "not_reported")}
    assert "not_reported|six_minute_walk|placebo|month6" in names
    # Results: "no significant change at 6 months (p = .263) in either the 200M-group or placebo (p = .112)"
    p_texts = {a["name"]: a["text"] for a in annotations(spec, "p_within")}
    # each p-value says whose it is and what it compares
    assert p_texts["p_within|six_minute_walk|placebo|month6"].endswith("Placebo: 6 mo vs baseline<br>p = .112")


def test_b_cell_tnf_shows_the_vs_control_p_values():
    at = open_page("immune")
    texts = {a["name"]: a["text"] for a in annotations(chart(at), "p_vs_control")}
    # Results: "significant compared to placebo (p < .00001 and p = .00002; Figure 3F)"
    assert "100M vs Placebo p < .00001" in texts["p_vs_control|tnf_alpha_bcell|100M|month6"]
    assert "200M vs Placebo p = .00002" in texts["p_vs_control|tnf_alpha_bcell|200M|month6"]


def test_change_metric_plots_the_difference_of_centres_with_a_95_ci_by_default():
    at = open_page("functional")
    control(at, "metric").set_value("change").run()
    walk = trace(chart(at), "six_minute_walk", "100M")
    # 410.7 − 345.9 (Results, Figure 2A)
    assert walk["y"][0] == pytest.approx(64.8)
    # default (issue 21): the r the printed p = .011 implies for a paired t-test on 10 pairs,
    # cratus.stats.within_arm.back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011) = 0.9558;
    # half-width scipy.stats.t.ppf(0.975, 9) * sqrt(103.4² + 155.4² − 2·r·103.4·155.4) / sqrt(10) = 45.95
    from scipy import stats
    from cratus.stats.within_arm import back_calculate_correlation
    r = back_calculate_correlation(345.9, 103.4, 410.7, 155.4, 10, 0.011).loc[0, "correlation"]
    assert r == pytest.approx(0.9558, abs=1e-4)
    sd_change = (103.4 ** 2 + 155.4 ** 2 - 2 * r * 103.4 * 155.4) ** 0.5
    assert walk["error_y"]["array"][0] == pytest.approx(stats.t.ppf(0.975, 9) * sd_change / 10 ** 0.5, rel=1e-6)
    assert walk["error_y"]["array"][0] == pytest.approx(45.95, abs=0.01)   # 18.9 to 110.7 m: excludes 0, as p = .011
    # and the page says where the interval comes from, next to the chart
    captions = " ".join(c.value for c in at.caption)
    assert "95% CI of the change: 100M with r = 0.96, implied by p = .011 (assuming a paired t-test)." in captions


def test_an_assumed_r_that_contradicts_the_printed_p_is_said_in_words():
    at = open_page("functional")
    control(at, "metric").set_value("change").run()
    control(at, "r_source").set_value("assumed").run()
    walk = trace(chart(at), "six_minute_walk", "100M")
    # r = 0.5: scipy.stats.t.ppf(0.975, 9) * sqrt(103.4² + 155.4² − 103.4·155.4) / sqrt(10) = 98.01 → −33.2 to 162.8 m
    assert walk["error_y"]["array"][0] == pytest.approx(98.0127, abs=1e-3)
    warnings = " ".join(w.value for w in at.warning)
    assert ("⚠ 100M: this 95% CI includes 0, but the paper prints p = .011 for the same change (the interval "
            "assumes r = 0.5); that p implies r = 0.96." in warnings)


def test_change_interval_can_be_switched_off_or_shown_as_sd():
    at = open_page("functional")
    control(at, "metric").set_value("change").run()
    at.toggle(key="interval").set_value(False).run()
    assert trace(chart(at), "six_minute_walk", "100M")["error_y"]["array"] == [None]
    at.toggle(key="interval").set_value(True).run()
    control(at, "r_source").set_value("assumed").run()
    at.slider(key="r").set_value(0.8).run()
    control(at, "interval_kind").set_value("sd").run()
    spec = chart(at)
    # ± SD of the change, sqrt(103.4² + 155.4² − 2·0.8·103.4·155.4) = 95.56, drawn as a band, not as error bars
    sd_change = (103.4 ** 2 + 155.4 ** 2 - 2 * 0.8 * 103.4 * 155.4) ** 0.5
    band = next(s for s in spec["layout"]["shapes"] if s.get("name") == "sd_band|six_minute_walk|100M|month6")
    assert (band["y0"], band["y1"]) == (pytest.approx(64.8 - sd_change), pytest.approx(64.8 + sd_change))
    assert trace(spec, "six_minute_walk", "100M")["error_y"]["array"] == [None]
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("m, mean change ± SD of change")
    assert "r = 0.8" in json.dumps(spec["layout"])       # the assumed correlation is named on the chart


def test_single_view_from_the_url_restores_endpoint_and_time_points():
    at = open_page("functional", query={"view": "One, large", "endpoint": "FEV1", "time": "Baseline"})
    spec = chart(at)
    assert {t["meta"]["endpoint"] for t in arm_traces(spec)} == {"fev1"}
    fev1 = next(t for t in arm_traces(spec) if t["meta"]["arm"] == "100M")
    # Results: "(2.5 ± 0.66 to 2.6 ± 0.77 L/min" — figures use the Results row, baseline only
    assert fev1["y"] == [2.5] and fev1["error_y"]["array"] == [0.66]


def test_panel_summary_sentence_and_outcome_definition_are_shown():
    at = open_page("quality_of_life")
    text = " ".join(m.value for m in at.markdown)
    # Results: "(59.8 ± 15.3 to 76.0 ± 7.7; p = .035)"; the sentence says what the p-value compares
    assert ("SQOL-F was 59.8 points at baseline and 76.0 points at 6 months in the 100M arm (within 100M, "
            "6 months vs baseline, p = .035" in text)
    # Discussion: "The lack of differences between groups ... is due to the study's small size": stated, no p-value
    assert "No p-value against placebo was printed; the paper states no difference between groups" in text
    assert any("female" in c.value.lower() for c in at.caption)


def test_reported_only_endpoints_are_listed_with_their_p_values():
    at = open_page("functional")
    table = tables(at)[-1].set_index("Endpoint")
    # Results: weight loss (p = .7599), MFI (p = .548), handgrip (p = .676), 4MGST (p = .659)
    assert table.loc["Weight loss", "p-value"] == "p = .7599"
    assert table.loc["Multidimensional Fatigue Inventory", "p-value"] == "p = .548"
    # "Ejection fraction, assessed by dobutamine stress echo, remained stable throughout the study in all patients."
    assert table.loc["Ejection fraction", "p-value"] == "no p-value printed"


def test_a_figure_can_override_the_sidebar_arms():
    at = open_page("functional")
    at.sidebar.get("button_group")[0].set_value(["100M"]).run()
    assert {t["meta"]["arm"] for t in arm_traces(chart(at))} == {"100M"}
    at.toggle(key="own_arms").set_value(True).run()
    control(at, "figure_arms").set_value(["200M", "placebo"]).run()
    assert {t["meta"]["arm"] for t in arm_traces(chart(at))} == {"200M", "placebo"}
    # The sidebar choice is untouched, and still rules the table below the figure.
    assert at.session_state["shared_arms"] == ["100M"]


def test_going_back_to_an_arm_selection_reuses_the_computed_panels(monkeypatch):
    # ui.cached and ui.cached_figure once wrapped the same function in two st.cache_resource caches with
    # different sizes; Streamlit keys a cache by the function's source, so each replaced the other and every
    # rerun recomputed every panel.  Count the panel computations per choice across arm changes.
    import functools

    import ui.figure_page

    calls = []
    original = ui.figure_page._panel

    @functools.wraps(original)
    def counted(current, endpoint, arms, *args):
        calls.append((endpoint, arms, args))
        return original(current, endpoint, arms, *args)

    monkeypatch.setattr(ui.figure_page, "_panel", counted)
    at = open_page("quality_of_life")
    for arms in (["200M", "placebo"], ["100M", "200M", "placebo"], ["200M", "placebo"], ["100M", "200M", "placebo"]):
        at.sidebar.get("button_group")[0].set_value(arms).run()
        assert not at.exception, [e.value for e in at.exception]
    # Each (endpoint, arms, choice) is computed at most once, however often the reader returns to it.
    assert max((calls.count(c) for c in calls), default=1) == 1, calls


def test_the_contradictions_table_is_built_when_opened_and_is_in_the_report_either_way():
    at = open_page("functional")
    # data/discrepancies.csv lists the FEV1 unit (L vs L/min) among the Figure 2 endpoints' contradictions.
    drawn = tables(at)
    assert not any("What the paper says" in t.columns for t in drawn)
    in_report = [content for kind, content in at.session_state["report"].items if kind == "table"]
    assert any(caption == "Where the paper contradicts itself" for caption, _ in in_report)
    at.session_state["contradictions_2"] = True
    at.run()
    shown = next(t for t in tables(at) if "What the paper says" in t.columns)
    assert shown["What the paper says"].str.contains("L/min").any()
