"""Tests of cratus.figures: the plotted numbers must be the published numbers.

The expected values are read from data/*.csv here with plain pandas and a
source preference written out independently of the package (Results, then a
table, then the Abstract), so a bug in the package's own selection shows up.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy import stats

from cratus import figures
from cratus.figures import (
    PANEL_COLUMNS,
    Look,
    Measure,
    build_endpoint_figure,
    build_figure_grid,
    endpoint_panel_data,
    figure_summary_sentence,
    find_annotations,
    image_export_config,
    outcome_definition,
    panel_table,
)
from cratus.figures.builders import grid_domains
from cratus.figures.geometry import Note, line_width, overlaps
from cratus.figures import theme
from cratus.figures.theme import OPEN_GLYPHS
from cratus.formatting import format_p
from cratus.study.provenance import select_figure_rows, select_p_values
from cratus.study.model import load_study

DATA = Path(__file__).resolve().parent.parent / "data"

#: The panels of Figures 2-4 as the paper numbers them.
PANELS = {
    "2A": "six_minute_walk", "2B": "sppb", "2C": "champs", "2D": "fev1",
    "3A": "cd69", "3B": "cd25", "3C": "cd8", "3D": "cd4_cd8_ratio", "3E": "tnf_alpha_serum",
    "3F": "tnf_alpha_bcell", "4": "sqol_f",
}
ARMS = ["100M", "200M", "placebo"]
ARM_SETS = [list(c) for k in (1, 2, 3) for c in itertools.combinations(ARMS, k)]
VISIT_SETS = [["baseline"], ["month6"], ["baseline", "month6"]]
BOTH = ["baseline", "month6"]
FIGURE_PANELS = {number: [e for p, e in PANELS.items() if p.startswith(number)] for number in ("2", "3", "4")}


def _rank(source: str) -> int:
    for rank, prefix in enumerate(("Results", "Table", "Abstract")):
        if str(source).startswith(prefix):
            return rank
    return 3


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def published():
    """The data files read with plain pandas (NaN for empty cells)."""
    return {name: pd.read_csv(DATA / f"{name}.csv") for name in ("summary", "p_values", "endpoints")}


def expected_stat(summary, endpoint, arm, visit, statistic):
    rows = summary[(summary["endpoint"] == endpoint) & (summary["arm"] == arm) & (summary["visit"] == visit)
                   & (summary["statistic"] == statistic) & summary["level"].isna()]
    if rows.empty:
        return None
    return float(rows.iloc[min(range(len(rows)), key=lambda i: _rank(rows.iloc[i]["source"]))]["value"])


def expected_p(p_values, endpoint, arm, comparison="within_arm", visit="month6"):
    rows = p_values[(p_values["endpoint"] == endpoint) & (p_values["arm"] == arm)
                    & (p_values["comparison"] == comparison) & (p_values["visit"] == visit)]
    if rows.empty:
        return None
    row = rows.iloc[min(range(len(rows)), key=lambda i: _rank(rows.iloc[i]["source"]))]
    return format_p(float(row["p_value"]), row["relation"])


def expected_cell(summary, kind, endpoint, arm, visit):
    """(centre, plus, minus) as the source rows give them; centre None if not reported."""
    if kind == "mean_sd":
        mean, sd = (expected_stat(summary, endpoint, arm, visit, s) for s in ("mean", "sd"))
        return mean, sd, sd
    median, q1, q3 = (expected_stat(summary, endpoint, arm, visit, s) for s in ("median", "q1", "q3"))
    if median is None:
        return None, None, None
    return median, q3 - median, median - q1


def trace_of(fig, arm, endpoint=None):
    found = [t for t in fig.data if t.meta and t.meta["arm"] == arm and endpoint in (None, t.meta["endpoint"])]
    return found[0] if found else None


def positions(fig):
    return [(a.xref, a.yref, a.x, a.y, a.xshift, a.yshift, a.xanchor) for a in fig.layout.annotations]


def p_of(text: str) -> str:
    """The p-value of a tag ("● 100M: 6 mo vs baseline p = .011" -> "p = .011")."""
    return re.findall(r"\bp [=<] [\d.]+", plain(text))[-1]


def plain(text: str) -> str:
    return re.sub(r"</?(?:span|b)\b[^>]*>", "", text.replace("<br>", " ")).replace(" ⚠", "")


# --------------------------------------------------------------------------
# Every panel, every choice of arms and visits
# --------------------------------------------------------------------------
@pytest.mark.parametrize("visits", VISIT_SETS, ids=lambda v: "+".join(v))
@pytest.mark.parametrize("arms", ARM_SETS, ids=lambda a: "+".join(a))
@pytest.mark.parametrize("panel", PANELS)
def test_panel_plots_the_published_numbers(study, published, panel, arms, visits):
    endpoint = PANELS[panel]
    summary, p_values = published["summary"], published["p_values"]
    kind = published["endpoints"].set_index("endpoint").loc[endpoint, "summary"]
    fig = build_endpoint_figure(study, endpoint, arms, visits)
    design = study.design

    # One trace per selected arm, in the fixed order, with the arm's look.
    assert [t.name for t in fig.data] == [design.label(a) for a in ARMS if a in arms]
    for arm in ARMS:
        trace = trace_of(fig, arm)
        if arm not in arms:
            assert trace is None
            assert not [a for a in fig.layout.annotations if a.name.split("|")[2] == arm]
            continue
        assert trace.marker.color == design.color(arm) and trace.marker.symbol == design.symbol(arm)
        assert list(trace.meta["visits"]) == visits
        missing = 0
        for i, visit in enumerate(visits):
            center, plus, minus = expected_cell(summary, kind, endpoint, arm, visit)
            placeholders = find_annotations(fig, "not_reported", endpoint, arm, visit)
            if center is None:
                missing += 1
                assert trace.y[i] is None                       # never a zero, never an estimate
                assert trace.error_y.array[i] is None and trace.error_y.arrayminus[i] is None
                assert len(placeholders) == 1 and "not reported" in placeholders[0].text
            else:
                assert trace.y[i] == pytest.approx(center, abs=1e-12)
                assert trace.error_y.array[i] == pytest.approx(plus, abs=1e-9)
                assert trace.error_y.arrayminus[i] == pytest.approx(minus, abs=1e-9)
                assert placeholders == []
        assert len(find_annotations(fig, "not_reported", endpoint, arm)) == missing

        # Within-arm p (6 months vs baseline) at the 6-month point, as printed, tagged with its arm.
        p_text = expected_p(p_values, endpoint, arm)
        found = find_annotations(fig, "p_within", endpoint, arm)
        assert [p_of(a.text) for a in found] == ([p_text] if p_text and "month6" in visits else [])
        for a in found:
            # Tied to its arm (its glyph in its colour, its name) and saying what it compares.
            assert design.color(arm) in a.text and f"{design.short(arm)}: 6 mo vs baseline" in plain(a.text)
        vs = expected_p(p_values, endpoint, arm, "vs_control")
        found = [plain(a.text) for a in find_annotations(fig, "p_vs_control", endpoint, arm)]
        assert found == ([f"{plain(found[0])[:2]}{design.short(arm)} vs Placebo {vs}"]
                         if vs and "month6" in visits else [])

    assert len(set(positions(fig))) == len(fig.layout.annotations)


@pytest.mark.parametrize("panel", PANELS)
def test_panel_data_matches_the_figure(study, panel):
    endpoint = PANELS[panel]
    data = endpoint_panel_data(study, endpoint, ARMS, BOTH)
    fig = build_endpoint_figure(study, endpoint, ARMS, BOTH)
    assert list(data.columns) == PANEL_COLUMNS
    assert len(data) == 6 and data["reported"].dtype == bool
    for trace in fig.data:
        rows = data[data["arm"] == trace.meta["arm"]]
        assert list(trace.y) == [None if math.isnan(c) else c for c in rows["center"]]
        assert rows["reported"].tolist() == [y is not None for y in trace.y]
    assert (data.loc[~data["reported"], "display"] == "not reported in the text").all()


# --------------------------------------------------------------------------
# Sources, p-values, discrepancies
# --------------------------------------------------------------------------
def test_results_section_wins_over_table_one(study):
    rows = select_figure_rows(study.summary)
    fev1 = rows.query("endpoint == 'fev1' and arm == '100M' and visit == 'baseline' and statistic == 'sd'")
    assert fev1["value"].tolist() == [0.66] and fev1["source"].str.startswith("Results").all()
    fig = build_endpoint_figure(study, "fev1", ["100M"], ["baseline"])
    assert fig.data[0].error_y.array[0] == 0.66


def test_results_p_value_wins_over_abstract(study):
    p = select_p_values(study.p_values)
    row = p.query("endpoint == 'tnf_alpha_bcell' and arm == '200M' and comparison == 'within_arm'")
    assert row["p_value"].tolist() == [0.001]
    fig = build_endpoint_figure(study, "tnf_alpha_bcell", ARMS, BOTH)
    assert [p_of(a.text) for a in find_annotations(fig, "p_within")] == ["p < .0001", "p = .001", "p = .69"]
    # Results: "significant compared to placebo (p < .00001 and p = .00002; Figure 3F)"
    assert [plain(a.text)[2:] for a in find_annotations(fig, "p_vs_control")] == [
        "100M vs Placebo p < .00001", "200M vs Placebo p = .00002"]


@pytest.mark.parametrize("endpoint, arm, visit, text", [
    ("fev1", "", "", "L/min"),                        # unit: Table 1 L, Results L/min
    # Results: "17.1 ± 2.0 to 8.4 ± 1.1, p = .001" cannot all hold if ± is an SD (data/discrepancies.csv)
    ("tnf_alpha_bcell", "200M", "month6", "read as mean ± SD"),
    ("champs", "200M", "baseline", "1,4542"),          # malformed Q3
])
def test_discrepancies_are_explained_in_words(study, endpoint, arm, visit, text):
    fig = build_endpoint_figure(study, endpoint, ARMS, BOTH)
    marks = find_annotations(fig, "discrepancy", endpoint, arm, visit)
    assert len(marks) == 1 and marks[0].text == "⚠"
    assert text in marks[0].hovertext
    assert not re.search(r"\bD\d\d\b", marks[0].hovertext)       # no discrepancy ids on screen


def test_p_value_tag_flags_and_explains_its_discrepancy(study):
    fig = build_endpoint_figure(study, "tnf_alpha_bcell", ARMS, BOTH)
    p = find_annotations(fig, "p_within", arm="200M")[0]
    # Abstract "p = .002", Results "p = .001" for 200M within-arm B-cell TNF-α
    assert "⚠" in p.text and "p = .002" in p.hovertext and "Abstract" in p.hovertext and "D03" not in p.hovertext
    # flagged once, on the tag: the ⚠ beside the 200M point is about its ± (the SD), not this p-value
    beside = find_annotations(fig, "discrepancy", arm="200M")
    assert [a.name.split("|")[3] for a in beside] == ["month6"]
    assert "p = .002" not in beside[0].hovertext and "read as mean ± SD" in beside[0].hovertext


def test_consistent_roundings_get_no_warning(study):
    # Table 1 "FEV1 (L) 2.5 ± 0.7" and Results "2.5 ± 0.66": one SD at two precisions (0.66 rounds to 0.7);
    # Abstract "(p = .03)" and Results "p = .035" for SQOL-F: any p in [.0345, .035) prints as both
    fev1 = build_endpoint_figure(study, "fev1", ARMS, BOTH)
    assert find_annotations(fev1, "discrepancy", "fev1", "100M", "baseline") == []
    assert all("0.66" not in (t.customdata[0][7] or "") for t in fev1.data if t.customdata is not None)
    sqol = build_endpoint_figure(study, "sqol_f", ARMS, BOTH)
    assert [plain(a.text) for a in find_annotations(sqol, "p_within", arm="100M")][0].endswith("p = .035")
    assert find_annotations(sqol, "discrepancy") == []


def test_the_3f_warning_is_on_the_disputed_values_only(study):
    fig = build_endpoint_figure(study, "tnf_alpha_bcell", ARMS, BOTH)
    flagged = {(a.name.split("|")[0], a.name.split("|")[2]) for a in fig.layout.annotations if "⚠" in (a.text or "")}
    # 100M within-arm p < .0001: Abstract and Results agree; every other 3F p-value and the 200M ± are disputed
    # (Abstract .002 / .003 / .039 against Results .001 / < .00001 / .00002; .00002 unreachable; ± not an SD)
    assert flagged == {("p_within", "200M"), ("p_vs_control", "100M"), ("p_vs_control", "200M"),
                       ("discrepancy", "200M")}


def test_figures_work_without_discrepancies_or_p_values(study):
    bare = dataclasses.replace(study, p_values=study.p_values.iloc[0:0], discrepancies=study.discrepancies.iloc[0:0])
    fig = build_endpoint_figure(bare, "cd25", ARMS, BOTH)
    assert find_annotations(fig, "discrepancy") == [] and find_annotations(fig, "p_within") == []
    assert list(fig.data[0].y) == [12.6, 6.9]
    assert "No comparison" not in figure_summary_sentence(bare, endpoint_panel_data(bare, "cd25", ARMS, BOTH), "cd25")


def test_printed_precision_is_kept_in_hover(study):
    fig = build_endpoint_figure(study, "sppb", ["100M"], BOTH)
    custom = fig.data[0].customdata
    assert custom[0][2] == "10.5" and custom[0][3] == "IQR 9.0, 12.0"
    assert custom[1][2] == "12.0" and custom[1][4] == "n not reported"
    assert "Results" in custom[0][5] and "SPPB total score" in custom[0][6]


def test_p_value_annotations_keep_the_printed_trailing_zeros(study):
    p_values = study.p_values.copy()
    # As if the paper had printed "p = .250" for 6MWT in 200M (it printed .263): the zero must stay.
    row = (p_values["endpoint"] == "six_minute_walk") & (p_values["arm"] == "200M")
    p_values.loc[row, ["p_value", "printed"]] = [0.25, "0.250"]
    fig = build_endpoint_figure(dataclasses.replace(study, p_values=p_values), "six_minute_walk", ["200M"], BOTH)
    assert [p_of(a.text) for a in find_annotations(fig, "p_within", arm="200M")] == ["p = .250"]


# --------------------------------------------------------------------------
# Change from baseline and its interval
# --------------------------------------------------------------------------
def test_change_is_the_difference_of_reported_means(study):
    fig = build_endpoint_figure(study, "six_minute_walk", ARMS, BOTH, measure=Measure(metric="change"))
    # Results: 345.9 ± 103.4 to 410.7 ± 155.4 m; rounded to the printed decimal, no float artefact
    assert [t.y[0] for t in fig.data] == [64.8, None, None]
    assert fig.data[0].error_y.array[0] is None                  # no interval without r
    assert len(find_annotations(fig, "not_reported")) == 2
    assert [p_of(a.text) for a in find_annotations(fig, "p_within")] == ["p = .011", "p = .263", "p = .112"]
    assert fig.layout.xaxis.ticktext == ("6 months − baseline",)


@pytest.mark.parametrize("r", [0.0, 0.5, 0.9])
def test_change_interval_is_the_95_ci_of_the_mean_change(study, r):
    fig = build_endpoint_figure(study, "cd25", ARMS, BOTH, measure=Measure(metric="change", correlation=r))
    # Results 3B: 12.6 ± 6.87 to 6.9 ± 3.30 in 100M; n = 10 randomized per arm (Table 1)
    sd = math.sqrt(6.87 ** 2 + 3.30 ** 2 - 2 * r * 6.87 * 3.30)
    half = stats.t.ppf(0.975, 9) * sd / math.sqrt(10)              # scipy.stats.t, paired t interval
    assert fig.data[0].y[0] == pytest.approx(-5.7)
    assert fig.data[0].error_y.array[0] == pytest.approx(half, rel=1e-9)
    assert fig.data[0].error_y.arrayminus[0] == pytest.approx(half, rel=1e-9)
    assert f"95% CI assuming r = {r:g}" in fig.layout.yaxis.title.text
    assert f"r = {r:g}" in fig.layout.legend.title.text and f"r = {r:g}" in fig.layout.title.subtitle.text


def test_sd_of_change_is_a_shaded_band_not_error_bars(study):
    fig = build_endpoint_figure(study, "cd25", ARMS, BOTH, measure=Measure(metric="change", correlation=0.5, interval="sd"))
    sd = math.sqrt(6.87 ** 2 + 3.30 ** 2 - 2 * 0.5 * 6.87 * 3.30)
    assert fig.data[0].error_y.array[0] is None
    bands = [s for s in fig.layout.shapes if (s.name or "").startswith("sd_band|cd25|100M")]
    assert len(bands) == 1 and bands[0].y0 == pytest.approx(-5.7 - sd) and bands[0].y1 == pytest.approx(-5.7 + sd)
    assert "± SD of change" in fig.layout.yaxis.title.text and "CI" not in fig.layout.yaxis.title.text


def test_change_of_medians_is_a_difference_of_medians_without_interval(study):
    data = endpoint_panel_data(study, "sppb", ["100M"], BOTH, metric="change", correlation=0.5)
    assert data.loc[0, "center"] == pytest.approx(1.5) and math.isnan(data.loc[0, "low"])
    assert data.loc[0, "statistic"] == "difference of medians"
    fig = build_endpoint_figure(study, "sppb", ["100M"], BOTH, measure=Measure(metric="change", correlation=0.5))
    assert "difference of medians" in fig.layout.yaxis.title.text and fig.data[0].error_y.array[0] is None


@pytest.mark.parametrize("kwargs, message", [
    ({"correlation": 1.5, "metric": "change"}, "correlation"),
    ({"metric": "slope"}, "metric"),
    ({"interval": "se"}, "interval"),
    ({"arms": ["300M"]}, "arms"),
    ({"arms": []}, "arms"),
    ({"visits": ["month3"]}, "visits"),
])
def test_bad_choices_raise_value_error(study, kwargs, message):
    choice = {"arms": ["100M"], "visits": ["baseline"], **kwargs}
    with pytest.raises(ValueError, match=message):
        build_endpoint_figure(study, "cd25", choice.pop("arms"), choice.pop("visits"), measure=Measure(**choice))


def test_categorical_endpoints_are_refused(study):
    with pytest.raises(ValueError, match="n_percent"):
        build_endpoint_figure(study, "participants", ARMS, BOTH)


def test_single_source_summary_with_n_rows(study):
    rows = []
    for arm, (m0, m6) in {"100M": (350.0, 400.0), "200M": (380.0, 390.0), "placebo": (385.0, 370.0)}.items():
        for visit, mean in (("baseline", m0), ("month6", m6)):
            rows += [(arm, visit, "mean", mean), (arm, visit, "sd", 100.0), (arm, visit, "n", 9.0)]
    summary = pd.DataFrame(rows, columns=["arm", "visit", "statistic", "value"]).assign(
        endpoint="six_minute_walk", level="", source="patient-level data (synthetic)", quote="", printed="")
    patients = dataclasses.replace(study, summary=summary, p_values=study.p_values.iloc[0:0])
    fig = build_endpoint_figure(patients, "six_minute_walk", ARMS, BOTH)
    assert [list(t.y) for t in fig.data] == [[350.0, 400.0], [380.0, 390.0], [385.0, 370.0]]
    assert find_annotations(fig, "not_reported") == []
    assert fig.data[0].customdata[0][4] == "n = 9"
    data = endpoint_panel_data(patients, "six_minute_walk", ARMS, BOTH, metric="change", correlation=0.5)
    assert data["center"].tolist() == [50.0, 10.0, -15.0]
    assert data["n"].tolist() == [9.0, 9.0, 9.0]                    # the cells' own n, not the randomized 10
    assert data.loc[0, "high"] - 50 == pytest.approx(stats.t.ppf(0.975, 8) * 100 / 3)


# --------------------------------------------------------------------------
# Figures that cannot be misread
# --------------------------------------------------------------------------
def _pixels(fig, suffix, width):
    """Data -> pixel maps of one panel at a figure width."""
    margin = fig.layout.margin
    x_axis, y_axis = fig.layout[f"xaxis{suffix}"], fig.layout[f"yaxis{suffix}"]
    xd = x_axis.domain or (0, 1)
    yd = y_axis.domain or (0, 1)
    plot_w = (width - margin.l - margin.r) * (xd[1] - xd[0])
    plot_h = (fig.layout.height - margin.t - margin.b) * (yd[1] - yd[0])
    (x0, x1), (y0, y1) = x_axis.range, y_axis.range
    return (lambda x: (x - x0) / (x1 - x0) * plot_w), (lambda y: (y - y0) / (y1 - y0) * plot_h), plot_w, plot_h


def _built(study, case, metric, presentation):
    if case in FIGURE_PANELS:
        return build_figure_grid(study, FIGURE_PANELS[case], ARMS, BOTH, measure=Measure(metric=metric), look=Look(presentation=presentation))
    return build_endpoint_figure(study, case, ARMS, BOTH, measure=Measure(metric=metric), look=Look(presentation=presentation))


@pytest.mark.parametrize("case", ["2", "3", "champs", "tnf_alpha_bcell", "cd25", "sqol_f"])
@pytest.mark.parametrize("metric", ["value", "change"])
@pytest.mark.parametrize("presentation", [False, True])
def test_no_line_runs_through_another_arms_marker(study, case, metric, presentation):
    fig = _built(study, case, metric, presentation)
    for endpoint, width in itertools.product({t.meta["endpoint"] for t in fig.data},
                                             (fig.layout.width,) if fig.layout.width else (700, 1400)):
        traces = [t for t in fig.data if t.meta["endpoint"] == endpoint]
        px, py, _, _ = _pixels(fig, traces[0].xaxis[1:], width)
        radius = traces[0].marker.size / 2
        for t in traces:
            # The same dodge at every visit: each arm keeps its lane.
            assert len({round(x - i, 9) for i, x in enumerate(t.x)}) == 1
            for (xa, ya), (xb, yb) in zip(zip(t.x, t.y), list(zip(t.x, t.y))[1:]):
                if ya is None or yb is None:
                    continue
                for other in traces:
                    if other is t:
                        continue
                    for x, y in zip(other.x, other.y):
                        if y is None or not xa < x < xb:
                            continue
                        ax, ay, bx, by, mx, my = px(xa), py(ya), px(xb), py(yb), px(x), py(y)
                        distance = abs((bx - ax) * (ay - my) - (ax - mx) * (by - ay)) / math.hypot(bx - ax, by - ay)
                        assert distance > radius, (endpoint, t.name, other.name)


def _boxes(fig, roles, width):
    """Estimated pixel boxes of a figure's annotations of some roles, per panel (x axis name)."""
    found = {}
    for a in fig.layout.annotations:
        if a.name.split("|")[0] not in roles:
            continue
        axis = a.xref.split()[0]
        px, py, plot_w, plot_h = _pixels(fig, axis[1:], width)
        x = a.x * plot_w if " domain" in a.xref else px(a.x)
        y = a.y * plot_h if " domain" in a.yref else py(a.y)
        found.setdefault(axis, []).append((a.name, Note(a.to_plotly_json(), x, y, a.font.size).box()))
    return found


@pytest.mark.parametrize("number, presentation, metric", [
    ("2", False, "value"), ("3", False, "value"), ("3", True, "value"), ("3", False, "change"), ("4", False, "value")])
def test_p_values_are_apart_inside_the_plot_and_off_the_data(study, number, presentation, metric):
    fig = build_figure_grid(study, FIGURE_PANELS[number], ARMS, BOTH, measure=Measure(metric=metric), look=Look(presentation=presentation))
    for width in ((1920,) if presentation else (700, 1400)):
        boxes = _boxes(fig, ("p_within", "p_vs_control", "p_between", "discrepancy"), width)
        for axis, panel in boxes.items():
            _, _, plot_w, plot_h = _pixels(fig, axis[1:], width)
            for name, (x0, x1, y0, y1) in panel:
                if name.startswith("p_"):
                    assert 0 <= x0 and x1 <= plot_w + 1 and y1 <= plot_h + 1, (width, name)
            for (name_a, a), (name_b, b) in itertools.combinations(panel, 2):
                assert not overlaps(a, b), (width, name_a, name_b)
            # No tag on a line, a marker or a whisker: sample every trace of the panel.
            traces = [t for t in fig.data if t.xaxis == axis]
            px, py, _, _ = _pixels(fig, axis[1:], width)
            points = []
            for t in traces:
                pts = [(x, y, m, p) for x, y, m, p in zip(t.x, t.y, t.error_y.arrayminus, t.error_y.array)
                       if y is not None]
                points += [(px(x), py(y + k / 10 * ((p or 0) + (m or 0)) - (m or 0))) for x, y, m, p in pts
                           for k in range(11)]
                for (xa, ya), (xb, yb) in zip(zip(t.x, t.y), list(zip(t.x, t.y))[1:]):
                    if ya is not None and yb is not None:
                        points += [(px(xa + (xb - xa) * k / 50), py(ya + (yb - ya) * k / 50)) for k in range(51)]
            for name, (x0, x1, y0, y1) in panel:
                if name.startswith("p_"):
                    assert not any(x0 < x < x1 and y0 < y < y1 for x, y in points), (width, name)


def test_3f_lists_all_five_p_values_each_with_its_arm_and_comparison(study):
    fig = build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH)
    tags = [plain(a.text) for a in find_annotations(fig, "p_within", "tnf_alpha_bcell")
            + find_annotations(fig, "p_vs_control", "tnf_alpha_bcell")]
    # Results: within-arm p < .0001 (100M), .001 (200M), .69 (placebo); vs placebo p < .00001 and p = .00002
    assert [t[2:].replace(" ⚠", "") for t in tags] == [
        "100M: 6 mo vs baseline p < .0001", "200M: 6 mo vs baseline p = .001",
        "Placebo: 6 mo vs baseline p = .69", "100M vs Placebo p < .00001", "200M vs Placebo p = .00002"]


def test_n_is_shown_for_a_subgroup_panel(study):
    # Table 1: Female 4 (40%) in each arm; SQOL-F is measured in female patients only.
    fig = build_endpoint_figure(study, "sqol_f", ARMS, BOTH)
    assert "n = 4 per arm" in fig.layout.title.subtitle.text
    grid = build_figure_grid(study, ["sqol_f", "cd25"], ARMS, BOTH)
    titles = {a.name.split("|")[1]: a.text for a in find_annotations(grid, "panel_title")}
    assert "n = 4 per arm" in titles["sqol_f"] and "n =" not in titles["cd25"]
    data = endpoint_panel_data(study, "sqol_f", ["100M"], BOTH, metric="change", correlation=0.5)
    sd = math.sqrt(15.3 ** 2 + 12.9 ** 2 - 15.3 * 12.9)           # Results: 59.8 ± 15.3 to 76.0 ± 12.9
    assert data.loc[0, "high"] - data.loc[0, "center"] == pytest.approx(stats.t.ppf(0.975, 3) * sd / 2)


def test_mcid_is_a_light_band_in_the_change_view(study):
    mcid = pd.DataFrame({"endpoint": ["six_minute_walk"], "low": ["14"], "high": ["30.5"], "unit": ["m"],
                         "population": ["older adults"], "citation": ["Bohannon 2017"], "quote": [""]})
    with_mcid = dataclasses.replace(study, mcid=mcid)
    fig = build_endpoint_figure(with_mcid, "six_minute_walk", ARMS, BOTH, measure=Measure(metric="change"))
    band = [s for s in fig.layout.shapes if (s.name or "").startswith("mcid|")]
    assert len(band) == 1 and (band[0].y0, band[0].y1) == (14.0, 30.5)
    label = find_annotations(fig, "mcid")
    assert [a.text for a in label] == ["MCID"] and "Bohannon 2017" in label[0].hovertext
    low, high = fig.layout.yaxis.range
    assert low < 14 and high > 30.5
    assert find_annotations(build_endpoint_figure(with_mcid, "six_minute_walk", ARMS, BOTH), "mcid") == []
    no_mcid = dataclasses.replace(study, mcid=mcid.iloc[0:0])
    assert find_annotations(build_endpoint_figure(no_mcid, "six_minute_walk", ARMS, BOTH, measure=Measure(metric="change")),
                            "mcid") == []


def test_the_published_mcid_of_the_6_minute_walk_is_drawn(study):
    # data/mcid.csv: 6-minute walk 20 m (small) to 50 m (substantial), Perera et al. 2006
    fig = build_endpoint_figure(study, "six_minute_walk", ARMS, BOTH, measure=Measure(metric="change"))
    band = [s for s in fig.layout.shapes if (s.name or "").startswith("mcid|")]
    assert len(band) == 1 and (band[0].y0, band[0].y1) == (20.0, 50.0)
    assert "Perera" in find_annotations(fig, "mcid")[0].hovertext


def test_no_developer_wording_in_hovers_titles_or_the_panel_table(study):
    ids = set(study.endpoints["endpoint"]) | set(study.discrepancies["id"]) | {"month6", "vs_control"}
    for number, endpoints in FIGURE_PANELS.items():
        for metric in ("value", "change"):
            fig = build_figure_grid(study, endpoints, ARMS, BOTH, measure=Measure(metric=metric, correlation=0.5))
            texts = [fig.layout.title.text, fig.layout.title.subtitle.text]
            texts += [a.text for a in fig.layout.annotations] + [a.hovertext or "" for a in fig.layout.annotations]
            texts += [str(c) for t in fig.data for row in t.customdata for c in row[1:]]
            texts += [t.hovertemplate for t in fig.data]
            for text in texts:
                words = set(re.findall(r"[A-Za-z0-9_]+", text))
                assert not words & ids, (number, text)
                assert not re.search(r"\d\.\d{6,}", text), text          # no float artefacts
    table = panel_table(study, endpoint_panel_data(study, "six_minute_walk", ARMS, BOTH, "change", 0.5))
    assert not any("_" in c for c in table.columns)
    # Results 2A: 345.9 ± 103.4 to 410.7 ± 155.4 m, n = 10; r = 0.5; scipy.stats.t.ppf(0.975, 9)
    half = stats.t.ppf(0.975, 9) * math.sqrt(103.4 ** 2 + 155.4 ** 2 - 103.4 * 155.4) / math.sqrt(10)
    assert table["Value"][0] == f"+64.8 (95% CI −{half - 64.8:.2f} to {64.8 + half:.2f})"


# --------------------------------------------------------------------------
# Layout: readable, presentation mode, titles
# --------------------------------------------------------------------------
def test_layout_is_readable_from_the_back_of_the_room(study):
    fig = build_endpoint_figure(study, "six_minute_walk", ARMS, BOTH)
    assert fig.layout.font.size >= 14
    assert all(a.font.size >= 14 for a in fig.layout.annotations)
    assert fig.layout.template.layout.plot_bgcolor == "white"
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y >= 1
    assert fig.layout.yaxis.title.text == "6-minute walk distance, m (mean ± SD)"
    assert fig.layout.title.text == "<b>Figure 2A. 6-minute walk distance</b>"


def test_every_figure_draws_its_tick_labels_without_measuring_them_for_overflow(study):
    # plotly's default ticklabeloverflow ("hide past div") measures every tick label in the browser, a fifth of
    # a grid's first draw (bench/README.md); the package template turns it off for the panel figures and the
    # appraisal's charts alike, and keeps plotly_white's look.
    from cratus.appraisal.charts import forest_figure

    figures = [build_endpoint_figure(study, "fev1", ARMS, BOTH), build_figure_grid(study, ["cd69", "cd8"], ARMS, BOTH),
               forest_figure(study, ARMS)]
    for fig in figures:
        template = fig.layout.template.layout
        assert (template.xaxis.ticklabeloverflow, template.yaxis.ticklabeloverflow) == ("allow", "allow")
        assert template.plot_bgcolor == "white" and template.xaxis.gridcolor == "#EBF0F8"
        assert all(axis.ticklabeloverflow is None for axis in (fig.layout.xaxis, fig.layout.yaxis))


def test_a_phone_bar_chart_keeps_its_title_under_the_toolbar(study):
    # A touch screen shows plotly's toolbar all the time; the compact (phone) title starts below it.
    from cratus.figures.bars import build_category_figure
    from cratus.figures.theme import MODEBAR_TOUCH

    phone, desktop = build_category_figure(study, "cpra", compact=True), build_category_figure(study, "cpra")
    assert phone.layout.title.pad.t == 8 + MODEBAR_TOUCH and phone.layout.title.yref == "container"
    assert phone.layout.margin.t == 120 + MODEBAR_TOUCH and phone.layout.height == 440 + 80 + MODEBAR_TOUCH
    assert desktop.layout.title.pad.t is None


def test_presentation_mode_is_larger_and_leaves_room_on_a_16_9_slide(study):
    normal = build_endpoint_figure(study, "fev1", ARMS, BOTH)
    big = build_endpoint_figure(study, "fev1", ARMS, BOTH, look=Look(presentation=True))
    assert big.layout.font.size >= 20
    assert all(a.font.size >= 20 for a in big.layout.annotations)
    assert big.data[0].marker.size > normal.data[0].marker.size
    assert big.data[0].line.width > normal.data[0].line.width
    # 1600 × 670 px: with the slide bar above and the takeaway below, the slide fits 1920 × 1080
    assert (big.layout.width, big.layout.height) == (1600, 670)


@pytest.mark.parametrize("endpoint, words", [("sppb", "median (IQR)"), ("cd69", "mean ± SD"),
                                             ("tnf_alpha_serum", "median (IQR)")])
def test_y_axis_names_the_summary(study, endpoint, words):
    assert words in build_endpoint_figure(study, endpoint, ARMS, BOTH).layout.yaxis.title.text


def test_y_axis_scale_covers_only_the_data(study):
    fig = build_endpoint_figure(study, "cd25", ARMS, BOTH)
    low, high = fig.layout.yaxis.range
    assert low < 6.9 - 3.30 and high > 12.6 + 6.87
    assert min(fig.layout.yaxis.tickvals) >= 6.9 - 3.30 - 1e-9   # no negative % ticks in the placeholder zone


def test_outcome_definition_says_who_was_measured(study):
    text = outcome_definition(study, "sqol_f", "value", BOTH)
    assert text.startswith("SQOL-F (points); value at each time point; mean ± SD per arm")
    assert "female patients only (n = 4 per arm)" in text
    fig = build_endpoint_figure(study, "sqol_f", ARMS, BOTH)
    assert "female patients only" in fig.layout.title.subtitle.text


# --------------------------------------------------------------------------
# Grids
# --------------------------------------------------------------------------
@pytest.mark.parametrize("figure_number, expected", [("2", 4), ("3", 6), ("4", 1)])
def test_grid_has_one_panel_per_endpoint(study, figure_number, expected):
    fig = build_figure_grid(study, FIGURE_PANELS[figure_number], ARMS, BOTH)
    assert len(find_annotations(fig, "panel_title")) == expected
    assert len({t.xaxis for t in fig.data}) == expected
    assert [t.name for t in fig.data if t.showlegend] == [study.design.label(a) for a in ARMS]   # each arm once
    assert fig.layout.title.text == f"<b>Figure {figure_number}</b>"
    assert len(set(positions(fig))) == len(fig.layout.annotations)


def test_grid_panels_equal_single_panels(study):
    grid = build_figure_grid(study, FIGURE_PANELS["3"], ["100M", "200M"], BOTH)
    for endpoint in FIGURE_PANELS["3"]:
        single = build_endpoint_figure(study, endpoint, ["100M", "200M"], BOTH)
        panel = [t for t in grid.data if t.meta["endpoint"] == endpoint]
        assert [list(t.y) for t in panel] == [list(t.y) for t in single.data]
        assert [list(t.error_y.array) for t in panel] == [list(t.error_y.array) for t in single.data]
        assert ([plain(a.text) for a in find_annotations(grid, "p_within", endpoint)]
                == [plain(a.text) for a in find_annotations(single, "p_within", endpoint)])


def test_grid_calls_make_subplots_at_most_once(study, monkeypatch):
    import plotly.subplots

    calls = []
    real = plotly.subplots.make_subplots
    monkeypatch.setattr(plotly.subplots, "make_subplots", lambda *a, **k: calls.append(1) or real(*a, **k))
    grid_domains.cache_clear()
    for _ in range(3):
        build_figure_grid(study, ["sppb", "fev1"], ARMS, BOTH)
    assert len(calls) == 1


# --------------------------------------------------------------------------
# Layout on a stretched page: no fixed width, the "not reported" band
# --------------------------------------------------------------------------
LAYOUT_CASES = [(number, arms, metric) for number in FIGURE_PANELS
                for arms in (ARMS, ["100M"], ["placebo"], ["200M", "placebo"])
                for metric in ("value", "change")]


def _panels(fig):
    """Per panel: axis suffix -> (endpoint, x axis, y axis)."""
    found = {}
    for trace in fig.data:
        suffix = trace.xaxis[1:]
        found.setdefault(suffix, (trace.meta["endpoint"], fig.layout[f"xaxis{suffix}"], fig.layout[f"yaxis{suffix}"]))
    return found


def _band_boxes(fig, suffix, x_axis, width, height):
    """Estimated pixel boxes (x0, x1, y0, y1) of a panel's band notes, at a figure width, and the plot size."""
    margin = fig.layout.margin
    plot_w = (width - margin.l - margin.r) * (x_axis.domain[1] - x_axis.domain[0])
    y_axis = fig.layout[f"yaxis{suffix}"]
    plot_h = (height - margin.t - margin.b) * (y_axis.domain[1] - y_axis.domain[0])
    lo, hi = x_axis.range
    boxes = []
    for a in fig.layout.annotations:
        if a.yref != f"y{suffix} domain" or a.y != 0 or a.xref != f"x{suffix}":
            continue
        note = Note(a.to_plotly_json(), (a.x - lo) / (hi - lo) * plot_w, 0, a.font.size)
        boxes.append((a.name, note.box()))
    return boxes, plot_w, plot_h


@pytest.mark.parametrize("number, arms, metric", LAYOUT_CASES)
def test_normal_figures_stretch_and_keep_placeholders_in_the_band(study, number, arms, metric):
    """From 700 to 1400 px wide: band notes inside the plot, apart, below the data and above the ticks."""
    fig = build_figure_grid(study, FIGURE_PANELS[number], arms, BOTH, measure=Measure(metric=metric))
    assert fig.layout.width is None and fig.layout.height
    shapes = {s.xref.split()[0][1:]: s for s in fig.layout.shapes if s.fillcolor == "#F0F0F0"}
    for suffix, (endpoint, x_axis, y_axis) in _panels(fig).items():
        placeholders = find_annotations(fig, "not_reported", endpoint)
        if not placeholders:
            assert suffix not in shapes
            continue
        band = shapes[suffix]
        assert (band.x0, band.x1, band.y0, band.layer) == (0, 1, 0, "below") and 0.05 < band.y1 < 0.55
        # The lowest whisker sits above the band, so no data point is hidden by it.
        traces = [t for t in fig.data if t.meta["endpoint"] == endpoint]
        lows = [y - (m or 0) for t in traces for y, m in zip(t.y, t.error_y.arrayminus) if y is not None]
        low, high = y_axis.range
        if lows:
            assert (min(lows) - low) / (high - low) > band.y1
        for width in (700, 1000, 1400):
            boxes, plot_w, plot_h = _band_boxes(fig, suffix, x_axis, width, fig.layout.height)
            assert {name for name, _ in boxes} >= {a.name for a in placeholders}
            for name, (x0, x1, y0, y1) in boxes:
                assert 0 <= x0 and x1 <= plot_w + 1, (width, name)        # inside the plot, not on the axis
                assert 0 <= y0 and y1 <= band.y1 * plot_h + 1, (width, name)  # inside the band
            for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
                assert overlaps(a, b) is False, (width, name_a, name_b)


def test_placeholders_show_the_arm(study):
    fig = build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH)
    design = study.design
    for box in find_annotations(fig, "not_reported"):
        arm = box.name.split("|")[2]
        assert box.bordercolor == design.color(arm) and design.color(arm) in box.text
        assert OPEN_GLYPHS[design.symbol(arm)] in box.text and "not reported" in box.text


@pytest.mark.parametrize("arms", [["placebo"], ["100M"]])
def test_arm_without_any_data_keeps_placeholders_and_legend_lists_only_selected_arms(study, arms):
    fig = build_figure_grid(study, FIGURE_PANELS["3"], arms, BOTH)
    assert [t.name for t in fig.data if t.showlegend] == [study.design.label(a) for a in arms]
    assert {a.name.split("|")[2] for a in find_annotations(fig, "not_reported")} == set(arms)
    assert len(find_annotations(fig, "not_reported", "cd69")) == 2   # cd69: nothing reported for either arm


@pytest.mark.parametrize("number", ["2", "3", "4"])
def test_grid_titles_are_short_and_dark(study, number):
    fig = build_figure_grid(study, FIGURE_PANELS[number], ARMS, BOTH)
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert len(lines) <= 2 and all(len(line) <= 90 for line in lines)
    assert "p: 6 months vs baseline" in fig.layout.title.subtitle.text
    for title in find_annotations(fig, "panel_title"):
        assert title.font.color == "#1A1A1A" and title.font.size >= 16
        assert outcome_definition(study, title.name.split("|")[1], "value", BOTH)[:20] in title.hovertext
    for suffix in _panels(fig):
        for axis in (fig.layout[f"xaxis{suffix}"], fig.layout[f"yaxis{suffix}"]):
            assert axis.tickfont.size >= 13
        assert "<br>" not in fig.layout[f"yaxis{suffix}"].title.text


def test_grid_y_titles_are_unit_and_statistic(study):
    fig = build_figure_grid(study, FIGURE_PANELS["2"], ARMS, BOTH)
    titles = [fig.layout[f"yaxis{s}"].title.text for s in ("", "2", "3", "4")]
    assert titles == ["m, mean ± SD", "points, median (IQR)", "kcal/week, median (IQR)", "L, mean ± SD"]
    assert [a.text for a in find_annotations(fig, "panel_title")][0] == "<b>2A  </b>6-minute walk distance"
    change = build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH, measure=Measure(metric="change", correlation=0.5))
    assert change.layout.yaxis4.title.text == "mean change, 95% CI assuming r = 0.5"    # CD4/CD8 ratio: no unit


@pytest.mark.parametrize("presentation", [False, True])
def test_figures_are_valid_plotly(study, presentation):
    """The builders skip plotly's validation for speed: everything they set must still be valid."""
    mcid = pd.DataFrame({"endpoint": ["fev1"], "low": ["0.1"], "high": ["0.1"], "unit": ["L"], "population": [""],
                         "citation": ["x"], "quote": [""]})
    made = [build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH, look=Look(presentation=presentation)),
            build_figure_grid(study, FIGURE_PANELS["2"], ["100M"], BOTH, measure=Measure(metric="change", correlation=0.3, interval="sd"), look=Look(presentation=presentation, for_export=True)),
            build_endpoint_figure(dataclasses.replace(study, mcid=mcid), "fev1", ARMS, BOTH, measure=Measure(metric="change"), look=Look(presentation=presentation, for_export=True))]
    for fig in made:
        checked = go.Figure(fig.to_plotly_json())       # raises on any invalid property
        assert len(checked.layout.annotations) == len(fig.layout.annotations)
    if presentation:
        assert made[0].layout.width == 1920 and all(a.font.size >= 20 for a in made[0].layout.annotations)


# --------------------------------------------------------------------------
# Words and export
# --------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint, sentence", [
    ("six_minute_walk", "6-minute walk distance was 345.9 m at baseline and 410.7 m at 6 months in the 100M arm "
                        "(within 100M, 6 months vs baseline, p = .011); 6-month values for 200M and placebo are "
                        "not reported in the text (within 200M, 6 months vs baseline, p = .263; within placebo, "
                        "6 months vs baseline, p = .112). No p-value against placebo was printed; the paper states "
                        "no difference between groups (“The lack of differences between groups, with the exception "
                        "of intracellular TNF-α, is due to the study's small size which limits statistical "
                        "power.”, Discussion)."),   # the Discussion's words (data/statements.csv)
    ("tnf_alpha_bcell", "B-cell intracellular TNF-α was 17.3 at baseline and 7.0 at 6 months in the 100M arm "
                        "(within 100M, 6 months vs baseline, p < .0001) and 17.1 at baseline and 8.4 at 6 months "
                        "in the 200M arm (within 200M, 6 months vs baseline, p = .001); baseline and 6-month "
                        "values for placebo are not reported in the text (within placebo, 6 months vs baseline, "
                        "p = .69). 100M vs placebo at 6 months: p < .00001. 200M vs placebo at 6 months: "
                        "p = .00002. These p-values are contested."),   # the Abstract prints .003 and .039
])
def test_summary_sentence_says_what_each_p_value_compares(study, endpoint, sentence):
    data = endpoint_panel_data(study, endpoint, ARMS, BOTH)
    text = figure_summary_sentence(study, data, endpoint)
    assert text == sentence
    assert "improved" not in text and "rose" not in text


def test_summary_sentence_for_one_visit(study):
    data = endpoint_panel_data(study, "six_minute_walk", ARMS, ["baseline"])
    assert figure_summary_sentence(study, data, "six_minute_walk") == (
        "At baseline, 6-minute walk distance was 345.9 m in the 100M arm, 390.6 m in the 200M arm and "
        "385.8 m in the placebo arm.")


@pytest.mark.parametrize("given, filename", [
    ("six_minute_walk", "cratus_figure2A_six_minute_walk"),
    ("2A", "cratus_figure2A"),
    ("Figure 3", "cratus_figure3"),
    ("iief", "cratus_iief"),
])
def test_image_export_config(study, given, filename):
    config = image_export_config(study, given)
    assert config["toImageButtonOptions"] == {"format": "png", "filename": filename, "scale": 3}
    assert config["displaylogo"] is False


def test_image_export_config_from_a_figure(study):
    fig = build_endpoint_figure(study, "sqol_f", ARMS, BOTH)
    assert image_export_config(study, fig)["toImageButtonOptions"]["filename"] == "cratus_figure4_sqol_f"
    grid = build_figure_grid(study, ["sppb"], ARMS, BOTH)
    assert image_export_config(study, grid, scale=2)["toImageButtonOptions"] == {
        "format": "png", "filename": "cratus_figure2", "scale": 2, "width": 1200, "height": grid.layout.height}
    assert grid.layout.meta["citation"] == study.citation and "Placebo" in grid.layout.meta["arms"]


def test_export_figure_carries_the_citation(study):
    fig = build_endpoint_figure(study, "cd25", ARMS, BOTH, look=Look(for_export=True))
    notes = [a for a in fig.layout.annotations if a.name == "citation|||"]
    assert len(notes) == 1 and "doi:10.1093/gerona/glx137" in notes[0].text


@pytest.mark.parametrize("phone", [False, True])
def test_the_citation_fits_the_figure_from_its_left_edge(study, phone):
    # It starts 10 px from the figure's left edge (under the title), not at the plot's, and every line fits
    # the narrowest width the layout holds at (on a 390 px phone it ran past the right edge before).
    room = theme.style(phone=phone)["min_width"] - 20
    for fig in (build_endpoint_figure(study, "cd25", ARMS, BOTH, look=Look(for_export=True, phone=phone)),
                build_figure_grid(study, ["cd69", "cd8"], ARMS, BOTH, look=Look(for_export=True, phone=phone))):
        note = next(a for a in fig.layout.annotations if a.name == "citation|||")
        assert fig.layout.margin.l + note.xshift == 10 and note.x == 0 and note.xref == "paper"
        assert max(line_width(line, note.font.size) for line in note.text.split("<br>")) <= room


def test_figures_module_is_split_and_free_of_trial_literals():
    folder = Path(figures.__file__).parent
    for path in folder.glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) <= 500, path.name
        code = re.sub(r'"""[\s\S]*?"""', "", text)            # docstring examples may name the trial
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("#"))
        for literal in ("100M", "200M", "placebo", "month6", "six_minute_walk", "sqol_f", "cd69"):
            assert literal not in code, (path.name, literal)
        assert not re.search(r'[=!]= ?"baseline"|"baseline" ?[=!]=', code), path.name


# --------------------------------------------------------------------------
# A made-up study: nothing about CRATUS is left in the figures
# --------------------------------------------------------------------------
def made_up_study():
    """Two arms, three visits (baseline Week 0, primary Week 24), two endpoints, 12 per arm (6 women)."""
    from cratus.study.design import make_design
    from cratus.study.model import FIGURE_COLUMNS, MCID_COLUMNS, NOTE_COLUMNS, Study

    design = make_design([("drug", "Drug X 10 mg", "Drug X", False), ("vehicle", "Vehicle", "Vehicle", True)],
                         [("w0", "Week 0", "baseline"), ("w12", "Week 12", ""), ("w24", "Week 24", "primary")])
    rows = [("participants", "", arm, "w0", "n", 12) for arm in ("drug", "vehicle")]
    rows += [("sex", "female", arm, "w0", "count", 6) for arm in ("drug", "vehicle")]
    grip = {"drug": ((30.0, 6.0), (33.5, 6.5), (36.0, 7.0)), "vehicle": ((31.0, 5.0), (31.5, 5.5), (31.2, 6.0))}
    for arm, cells in grip.items():
        for visit, (mean, sd) in zip(("w0", "w12", "w24"), cells):
            rows += [("grip", "", arm, visit, "mean", mean), ("grip", "", arm, visit, "sd", sd)]
    for visit, (median, q1, q3) in (("w0", (5.0, 3.0, 7.0)), ("w24", (3.0, 2.0, 5.0))):
        rows += [("pain", "", "drug", visit, s, v) for s, v in zip(("median", "q1", "q3"), (median, q1, q3))]
    rows += [("pain", "", "vehicle", "w0", s, v) for s, v in (("median", 5.0), ("q1", 4.0), ("q3", 6.0))]
    rows += [("flush", "", arm, v, s, x) for arm in ("drug", "vehicle") for v, s, x in
             (("w0", "mean", 4.0), ("w0", "sd", 1.0), ("w24", "mean", 3.0), ("w24", "sd", 1.2))]
    summary = pd.DataFrame(rows, columns=["endpoint", "level", "arm", "visit", "statistic", "value"]).assign(
        source="Results", quote="", printed="")
    p_values = pd.DataFrame([
        ("grip", "drug", "within_arm", "w24", 0.02, "=", "Results", "", "0.02"),
        ("grip", "vehicle", "within_arm", "w24", 0.81, "=", "Results", "", "0.81"),
        ("grip", "drug", "vs_control", "w24", 0.04, "=", "Results", "", "0.04"),
        ("pain", "drug", "within_arm", "w24", 0.3, "=", "Results", "", "0.30"),
    ], columns=["endpoint", "arm", "comparison", "visit", "p_value", "relation", "source", "quote", "printed"])
    endpoints = pd.DataFrame([
        ("grip", "Grip strength", "kg", "muscle", "1", "1A", "mean_sd", "higher", "", "", ""),
        ("pain", "Pain score", "points", "muscle", "1", "1B", "median_iqr", "lower", "", "", ""),
        ("flush", "Hot flushes", "per day", "muscle", "1", "1C", "mean_sd", "lower", "women only", "sex=female", ""),
    ], columns=["endpoint", "label", "unit", "domain", "page", "figure", "summary", "better", "population",
                "subgroup", "description"])
    empty = pd.DataFrame()
    discrepancies = pd.DataFrame(columns=["id", "endpoint", "arm", "visit", "statistic", "kind", "version_a",
                                          "location_a", "version_b", "location_b", "shown", "reason"])
    trial = pd.DataFrame([("acronym", "DEMO", "", ""), ("citation", "Doe J. A made-up trial. 2030.", "", "")],
                         columns=["key", "value", "source", "quote"])
    mcid = pd.DataFrame([("grip", "5", "6.5", "kg", "older adults", "Roe 2029", "")], columns=MCID_COLUMNS)
    return Study(design=design, summary=summary, p_values=p_values, endpoints=endpoints, adverse_events=empty,
                 discrepancies=discrepancies, hospitalizations=empty, long_term_events=empty, levels=empty,
                 trial=trial, figures=pd.DataFrame(columns=FIGURE_COLUMNS), notes=pd.DataFrame(columns=NOTE_COLUMNS),
                 mcid=mcid, key="made-up", name="demo")


def _all_text(fig) -> str:
    return str(fig.to_plotly_json())


@pytest.mark.parametrize("metric", ["value", "change"])
def test_a_made_up_study_gets_its_own_arms_visits_and_words(metric):
    demo = made_up_study()
    visits = ["w0", "w12", "w24"]
    fig = build_figure_grid(demo, ["grip", "pain", "flush"], ["drug", "vehicle"], visits, measure=Measure(metric=metric, correlation=0.5), look=Look(for_export=True))
    assert [t.name for t in fig.data if t.showlegend] == ["Drug X 10 mg", "Vehicle"]
    assert fig.data[0].marker.color == demo.design.color("drug")
    within = [plain(a.text) for a in find_annotations(fig, "p_within", "grip")]
    versus = [plain(a.text) for a in find_annotations(fig, "p_vs_control", "grip")]
    if metric == "value":
        assert fig.layout.xaxis.ticktext == ("Week 0", "Week 12", "Week 24")
        assert within == ["● Drug X: Week 24 vs Week 0 p = .02", "◆ Vehicle: Week 24 vs Week 0 p = .81"]
        assert versus == ["● Drug X vs Vehicle p = .04"]
        assert fig.layout.title.text == "<b>Figure 1</b>" and "Week 24 vs Week 0" in fig.layout.title.subtitle.text
    else:
        assert fig.layout.xaxis.ticktext == ("Week 12 − Week 0", "Week 24 − Week 0")
        # Drug X, Week 24: 30.0 ± 6.0 to 36.0 ± 7.0, r = 0.5, n = 12 per arm; scipy.stats.t.ppf(0.975, 11)
        sd = math.sqrt(6.0 ** 2 + 7.0 ** 2 - 6.0 * 7.0)
        assert fig.data[0].y[1] == 6.0
        assert fig.data[0].error_y.array[1] == pytest.approx(stats.t.ppf(0.975, 11) * sd / math.sqrt(12))
        band = [s for s in fig.layout.shapes if (s.name or "").startswith("mcid|grip")]
        assert [(s.y0, s.y1) for s in band] == [(5.0, 6.5)]
        flush = trace_of(fig, "drug", "flush")         # women only: n = 6 per arm from the sex counts
        assert flush.error_y.array[1] == pytest.approx(stats.t.ppf(0.975, 5) * math.sqrt(1 + 1.44 - 1.2) / math.sqrt(6))
    titles = {a.name.split("|")[1]: plain(a.text) for a in find_annotations(fig, "panel_title")}
    assert "n = 6 per arm" in titles["flush"]
    text = _all_text(fig)
    for word in ("CRATUS", "cratus", "placebo", "Placebo", "6 mo", "month", "baseline vs", "100M"):
        assert word not in text, word
    assert "Doe J. A made-up trial" in text
    assert image_export_config(demo, fig)["toImageButtonOptions"]["filename"] == "demo_figure1"
    assert image_export_config(demo, "grip")["toImageButtonOptions"]["filename"] == "demo_figure1A_grip"


def test_a_made_up_study_sentences_name_its_arms_and_visits():
    demo = made_up_study()
    data = endpoint_panel_data(demo, "grip", ["drug", "vehicle"], ["w0", "w24"])
    assert figure_summary_sentence(demo, data, "grip") == (
        "Grip strength was 30.0 kg at Week 0 and 36.0 kg at Week 24 in the Drug X arm (within Drug X, Week 24 vs "
        "Week 0, p = .02) and 31.0 kg at Week 0 and 31.2 kg at Week 24 in the vehicle arm (within vehicle, Week 24 "
        "vs Week 0, p = .81). Drug X vs vehicle at Week 24: p = .04.")
    pain = endpoint_panel_data(demo, "pain", ["drug", "vehicle"], ["w0", "w24"])
    assert figure_summary_sentence(demo, pain, "pain").endswith(
        "Week 24 values for vehicle are not reported in the text. No comparison with vehicle was reported.")
    assert outcome_definition(demo, "flush", "value", ["w0", "w24"]) == (
        "Hot flushes (per day); value at each time point; mean ± SD per arm; time points: Week 0, Week 24; "
        "measured in women only (n = 6 per arm).")
    assert list(panel_table(demo, data).columns[-2:]) == ["p, Week 24 vs Week 0 within arm",
                                                          "p vs vehicle at Week 24"]


# --------------------------------------------------------------------------
# Legibility: presentation (≥ 18 px), phones (≥ 11 px), the band's size, exports
# --------------------------------------------------------------------------
def _font_sizes(fig) -> list[tuple[str, float]]:
    layout = fig.layout
    sizes = [("font", layout.font.size), ("title", layout.title.font.size),
             ("subtitle", layout.title.subtitle.font.size), ("legend", layout.legend.font.size),
             ("hover", layout.hoverlabel.font.size)]
    if layout.legend.title.text:
        sizes.append(("legend title", layout.legend.title.font.size))
    for name in dir(layout):
        if re.fullmatch(r"[xy]axis\d*", name) and layout[name] is not None and layout[name].tickfont.size:
            sizes.append((f"{name} ticks", layout[name].tickfont.size))
            if layout[name].title.text:
                sizes.append((f"{name} title", layout[name].title.font.size))
    sizes += [(a.name, a.font.size) for a in layout.annotations]
    return sizes


def _legibility_cases(study, **mode):
    change = Measure(metric="change", correlation=0.5)
    return [build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH, look=Look(**mode, for_export=True)),
            build_figure_grid(study, FIGURE_PANELS["2"], ARMS, BOTH, measure=change, look=Look(**mode)),
            build_endpoint_figure(study, "tnf_alpha_bcell", ARMS, BOTH, look=Look(**mode, for_export=True)),
            build_endpoint_figure(study, "sqol_f", ARMS, BOTH, measure=change, look=Look(**mode))]


def test_presentation_text_is_at_least_18_px(study):
    for fig in _legibility_cases(study, presentation=True):
        small = [(name, size) for name, size in _font_sizes(fig) if size is None or size < 18]
        assert small == []


def test_phone_text_is_at_least_11_px_and_titles_fit_above_the_legend(study):
    from cratus.figures.geometry import line_width
    from cratus.figures.theme import MIN_WIDTH_PHONE, legend_lines, style, top_margin

    phone = style(phone=True)
    for fig in _legibility_cases(study, phone=True):
        assert [(n, s) for n, s in _font_sizes(fig) if s is None or s < 11] == []
        assert fig.layout.width is None
        title, subtitle = fig.layout.title.text, fig.layout.title.subtitle.text
        for line in title.split("<br>"):
            assert line_width(line, phone["title"]) * 1.08 <= MIN_WIDTH_PHONE - 10, line     # not clipped
        for line in subtitle.split("<br>"):
            assert line_width(line, phone["subtitle"]) <= MIN_WIDTH_PHONE - 10, line
        labels = [t.name for t in fig.data if t.showlegend]
        lines = legend_lines(labels, phone, MIN_WIDTH_PHONE - fig.layout.margin.l, bool(fig.layout.legend.title.text))
        # The legend sits on the plot, under the title block: the top margin holds both.
        assert fig.layout.legend.yanchor == "bottom" and fig.layout.legend.y >= 1
        assert fig.layout.margin.t >= top_margin(phone, subtitle.count("<br>") + 1, lines, title.count("<br>") + 1)
        # A touch screen shows plotly's toolbar all the time: the title starts under it, not beneath its icons.
        height = fig.layout.height
        assert round((1 - fig.layout.title.y) * height) == 10 + phone["modebar"] and phone["modebar"] >= 28
    desktop = build_endpoint_figure(study, "fev1", ARMS, BOTH)
    assert round((1 - desktop.layout.title.y) * desktop.layout.height) == 10     # a mouse shows it on hover only
    grid = build_figure_grid(study, FIGURE_PANELS["3"], ARMS, BOTH, look=Look(phone=True))
    assert {t.xaxis for t in grid.data if t.meta["endpoint"] in ("cd69", "cd25")} == {"x", "x2"}
    assert grid.layout.xaxis.domain == grid.layout.xaxis2.domain            # one column on a phone


@pytest.mark.parametrize("number", ["2", "3", "4"])
@pytest.mark.parametrize("presentation", [False, True])
def test_not_reported_band_takes_only_the_rows_it_needs(study, number, presentation):
    fig = build_figure_grid(study, FIGURE_PANELS[number], ARMS, BOTH, look=Look(presentation=presentation))
    bands = {s.xref.split()[0]: s for s in fig.layout.shapes if s.fillcolor == "#F0F0F0"}
    for axis, band in bands.items():
        endpoint = next(t.meta["endpoint"] for t in fig.data if t.xaxis == axis)
        boxes = find_annotations(fig, "not_reported", endpoint)
        _, _, _, plot_h = _pixels(fig, axis[1:], fig.layout.width or 700)
        box_h = Note(boxes[0].to_plotly_json(), 0, 0, boxes[0].font.size).h
        rows = len({b.name.split("|")[2] for b in boxes})          # at most one row per arm
        # a "⚠" stacked on a box (a discrepancy about that unreported cell) takes one more row
        flagged = [a for a in find_annotations(fig, "discrepancy", endpoint) if str(a.yref).endswith("domain")
                   and a.y == 0]
        rows += 1 if flagged else 0
        assert band.y1 * plot_h <= rows * (box_h + 3) + 8 + 1, endpoint
        assert max(b.yshift for b in boxes) < rows * (box_h + 3) + 4


def test_export_config_and_figure_stand_on_their_own(study):
    fig = build_figure_grid(study, FIGURE_PANELS["2"], ARMS, BOTH, look=Look(for_export=True))
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert fig.layout.title.text == "<b>Figure 2</b>"                         # the title
    assert [t.name for t in fig.data if t.showlegend] == ["Allo-hMSC 100M", "Allo-hMSC 200M", "Placebo"]
    assert "Tompkins BA" in texts and "doi:10.1093/gerona/glx137" in texts     # the citation
    assert image_export_config(study, fig)["toImageButtonOptions"]["filename"] == "cratus_figure2"


def test_phone_figures_are_valid_plotly(study):
    for fig in _legibility_cases(study, phone=True):
        assert len(go.Figure(fig.to_plotly_json()).layout.annotations) == len(fig.layout.annotations)


def test_a_subgroup_n_names_each_arm_once_when_the_arms_differ():
    # tests/fixtures/study_three_arms: IL-6 is measured in women only, 4 (Sham), 5 (Low), 4 (High) (summary.csv)
    from pathlib import Path

    three = load_study(Path(__file__).resolve().parent / "fixtures" / "study_three_arms")
    grid = build_figure_grid(three, ["crp", "il6"], ["sham", "low", "high"], ["day0", "day90"])
    title = next(a.text for a in find_annotations(grid, "panel_title") if a.name.split("|")[1] == "il6")
    assert title.replace("<br>", " ").count("(Sham)") == 1 and "n = 4 (Sham), 5 (Low), 4 (High)" in title.replace(
        "<br>", " ")
