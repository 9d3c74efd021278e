"""The protocol analyses on a study (cratus.patient.protocol) and their pages, on ADaM-shaped files.

The files come from tests/adam_trial.py (a made-up trial shaped like a submission: ADSL with TRT01PN and
SITEGR1, a BDS with ANL01FL, a 7-point rating, ADTTE).  Numbers are checked against direct statsmodels/scipy
calls on the same records, named in each test.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from cratus.patient import protocol as P
from cratus.patient import time_to_event as T
from cratus.patient import read_patient_data, to_study
from cratus.study.model import load_study
from tests.adam_trial import adam_trial


def _bytes(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_parquet(out)
    return out.getvalue()


def trial_files(seed: int = 0) -> dict:
    frames = adam_trial(seed=seed)
    return {f"{name}.parquet": _bytes(frame) for name, frame in frames.items()}  # ADTTE read since issue 23


@pytest.fixture(scope="module")
def study():
    files = trial_files()
    data = read_patient_data(*files.values(), names=list(files))
    assert len(data.time_to_event), "the reader reads the trial's ADTTE"
    return to_study(data, reference=load_study())


def test_ancova_with_a_site_factor_is_the_formula_model(study):
    frame = P.ancova_frame(study, "actot", "week_24")
    result = P.ancova_result(study, "actot", "week_24", factors=("sitegr1",))
    # statsmodels' formula interface on the same records: chg ~ C(arm, Treatment('placebo')) + C(sitegr1) + base
    fit = smf.ols("chg ~ C(arm, Treatment('placebo')) + C(sitegr1) + base", data=frame).fit()
    for d in result.differences:
        name = f"C(arm, Treatment('placebo'))[T.{d.arm}]"
        assert d.estimate == pytest.approx(fit.params[name]) and d.p_value == pytest.approx(fit.pvalues[name])
    table = P.ancova_table(study, "actot", "week_24", factors=("sitegr1",))
    assert list(table.columns) == ["Arm", "n", "LS mean (SE)", "Comparison", "Difference (SE)", "95% CI", "p-value"]
    pairwise = P.ancova_table(study, "actot", "week_24", pairwise=True, adjustment="holm").iloc[-1]
    assert pairwise["Comparison"] == "Xanomeline Low Dose − Xanomeline High Dose" or "−" in pairwise["Comparison"]
    assert pairwise["p-value"].endswith("(Holm)")
    assert "chg ~ arm + sitegr1 + base" in P.ancova_words(study, "actot", "week_24", factors=("sitegr1",))
    assert "p-value" not in P.ancova_table(study, "actot", "week_24", p_values=False).columns


def test_dose_trend_uses_trt01pn(study):
    assert P.arm_doses(study) == {"xanomeline_high_dose": 81.0, "xanomeline_low_dose": 54.0, "placebo": 0.0}
    frame = P.ancova_frame(study, "actot", "week_24")
    trend = P.dose_trend_result(study, "actot", "week_24")
    fit = smf.ols("chg ~ trt01pn + base", data=frame).fit()  # the dose column of ADSL, directly
    assert trend.slope == pytest.approx(fit.params["trt01pn"]) and trend.p_value == pytest.approx(fit.pvalues["trt01pn"])
    assert "TRTxxPN" in P.dose_trend_words(study, "actot", "week_24")


def test_ordered_rating_distribution_and_test(study):
    from scipy import stats

    assert "cibic" in P.categorical_endpoints(study) and "actot" not in P.categorical_endpoints(study)
    table = P.category_table(study, "cibic", "week_24")
    counts = table.iloc[:, 1:].apply(lambda c: c.str.extract(r"^(\d+)")[0].astype(int)).sum()
    assert counts.sum() == len(P.category_records(study, "cibic", "week_24")[0])
    tests = P.category_tests(study, "cibic", "week_24")
    frame, order = P.category_records(study, "cibic", "week_24")
    rank = {c: i for i, c in enumerate(order)}  # the AVALC labels in the order of their AVAL codes
    high = frame.loc[frame["arm"] == "xanomeline_high_dose", "category"].map(rank).astype(float)
    placebo = frame.loc[frame["arm"] == "placebo", "category"].map(rank).astype(float)
    from cratus.formatting import format_p

    # scipy.stats.mannwhitneyu on the ratings (asymptotic with tie correction)
    expected = stats.mannwhitneyu(high, placebo, method="asymptotic").pvalue
    row = tests[tests["Compares"].str.startswith("Xanomeline High")].iloc[0]
    assert row["p-value"] == format_p(expected, computed=True) and "Wilcoxon" in row["Test"]
    stratified = P.category_tests(study, "cibic", "week_24", strata="sitegr1")
    assert stratified["Test"].str.contains("van Elteren").all()


def test_time_to_event_tables_and_figure(study):
    from statsmodels.duration.survfunc import survdiff

    assert T.tte_parameters(study) == {"TTDERM": "Time to First Dermatologic Event"}
    medians = T.median_table(study, "TTDERM")
    adsl = adam_trial()["adsl"]  # the efficacy population by default (EFFFL = 'Y'), the safety one on request
    assert medians["Subjects"].sum() == (adsl["EFFFL"] == "Y").sum() < 254
    assert T.median_table(study, "TTDERM", population="safety")["Subjects"].sum() == (adsl["SAFFL"] == "Y").sum()
    assert "efficacy population, EFFFL = 'Y' (" in T.tte_words(study, "TTDERM")
    hazards = T.hazard_table(study, "TTDERM")
    assert hazards["Compares"].iloc[-1].startswith("All arms")
    frame = T.tte_frame(study, "TTDERM")
    chi2, p = survdiff(frame["time"], frame["event"], frame["arm"])  # statsmodels directly, every arm
    from cratus.formatting import format_p

    assert hazards["Log-rank p-value"].iloc[-1] == format_p(p, computed=True)
    words = T.tte_words(study, "TTDERM")  # tests/adam_trial: EVNTDESC of events and of censored records, CNSDTDSC
    assert "Events (EVNTDESC): Dematologic Event Occured." in words
    assert "Censored (EVNTDESC, CNSDTDSC): Study Completion Date; Completion or Discontinuation." in words
    from cratus.figures.km import km_figure

    figure = km_figure(study, "TTDERM")
    names = [t.name for t in figure.data if t.name]
    assert "Placebo" in names
    at_risk = [t for t in figure.data if t.mode == "text"]
    first_arm = study.design.arm_ids[0]
    # At time 0 every subject of the arm is at risk.
    assert len(at_risk) == 3 and at_risk[0].text[0] == str(int((frame["arm"] == first_arm).sum()))
    colors = {a.id: a.color for a in study.design.arms}
    assert {t.line.color for t in figure.data if t.mode == "lines" and t.name} == set(colors.values())


def test_filtered_subjects_reach_every_analysis(study):
    from cratus.patient.subset import filter_patient_data

    data = filter_patient_data(study.patients, (("sex", ("F",)),))
    sub = to_study(data, reference=load_study())
    women = study.patients.in_population("efficacy")["sex"] == "F"  # the filter within the efficacy population
    assert T.median_table(sub, "TTDERM")["Subjects"].sum() == women.sum()
    assert "efficacy population, EFFFL = 'Y' (%d subjects)" % women.sum() in T.tte_words(sub, "TTDERM")
    assert P.ancova_result(sub, "actot", "week_24").n_used < P.ancova_result(study, "actot", "week_24").n_used
    assert np.isfinite(T.tte_result(sub, "TTDERM").hazard_ratios[0].hr)


# --- the pages -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trial_session():
    from tests.apptest import open_page
    from tests.test_patient_pages import upload

    at = open_page("data")
    upload(at, trial_files())
    assert not at.exception, [e.message for e in at.exception]
    assert len(T.tte_records(at.session_state["study"])), "the upload's ADTTE is read"
    return at


def _page(at, url_path, query=None):
    from tests.apptest import set_page

    for key in list(at.query_params):
        if not key.startswith("f_"):
            del at.query_params[key]
    for key, value in (query or {}).items():
        at.query_params[key] = value
    set_page(at, url_path).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _tables(at) -> str:
    from tests.apptest import tables

    return "\n".join(" | ".join(map(str, t.columns)) + "\n" + t.to_string() for t in tables(at))


@pytest.mark.page
def test_the_analyses_page_shows_ls_means_the_dose_trend_and_the_rating(trial_session):
    at = _page(trial_session, "analyses")
    at.multiselect(key="an_factors").set_value(["sitegr1"]).run()
    html = _tables(at)
    assert "LS mean (SE)" in html and "Difference (SE)" in html
    captions = "\n".join(str(c.value) for c in at.caption)
    assert "chg ~ arm + sitegr1 + base" in captions and "Dose–response test" in captions
    assert "Marked" not in html or "Category" in html
    assert "Wilcoxon" in html or "van Elteren" in html


@pytest.mark.page
def test_the_time_to_event_page_has_the_curves_the_medians_and_the_hazard_ratio(trial_session):
    at = _page(trial_session, "time_to_event")
    html = _tables(at)
    assert "Median, days (95% CI)" in html and "Hazard ratio (95% CI)" in html and "Log-rank p-value" in html
    assert any("Events (EVNTDESC): Dematologic" in str(c.value) for c in at.caption)


@pytest.mark.page
def test_a_filtered_view_hides_p_values_until_the_switch_is_on(trial_session):
    at = _page(trial_session, "time_to_event", {"f_sex": "F"})
    html = _tables(at)
    assert "Hazard ratio (95% CI)" in html and "p-value" not in html
    assert any("p-values are hidden" in str(c.value) for c in at.caption)
    at.toggle(key="p_values").set_value(True).run()
    assert "Log-rank p-value" in _tables(at)
    at.toggle(key="p_values").set_value(False).run()
    for key in list(at.query_params):
        del at.query_params[key]


@pytest.mark.page
def test_the_analyses_snippets_reproduce_the_tables_from_the_files(tmp_path, monkeypatch):
    from tests.apptest import open_page
    from tests.test_patient_pages import upload
    from tests.test_snippets import check, run_snippet

    files = trial_files(seed=1)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    at = upload(open_page("data"), files)
    at = _page(at, "analyses")
    at.multiselect(key="an_factors").set_value(["sitegr1"]).run()
    at.selectbox(key="cat_strata").set_value("sitegr1").run()
    snippets = at.session_state["code_snippets"]
    assert {s["call"].func.__name__ for s in snippets} == {"ancova_table", "dose_trend_words", "category_table",
                                                            "category_tests"}
    assert any("factors=('sitegr1',)" in s["code"] or 'factors=("sitegr1",)' in s["code"] for s in snippets)
    captions = [str(c.value) for c in at.caption]
    for snippet in snippets:
        if snippet["call"].func.__name__ == "dose_trend_words":
            assert run_snippet(snippet["code"]) in captions
        else:
            check(snippet, at, {})


@pytest.mark.page
def test_a_reader_gives_the_doses_when_the_data_carry_none():
    from tests.apptest import open_synthetic_demo

    at = _page(open_synthetic_demo(), "analyses")
    assert not any("Dose–response" in str(c.value) for c in at.caption)  # the synthetic demo has no TRTxxPN
    at.text_input(key="an_doses").set_value("100, 200, 0").run()
    trend = next(str(c.value) for c in at.caption if "Dose–response" in str(c.value))
    assert "100M 100, 200M 200, Placebo 0; as given" in trend or "as given" in trend
    at.text_input(key="an_doses").set_value("100, 200").run()
    assert any("2 doses for 3 arms" in str(w.value) for w in at.warning)


@pytest.mark.page
def test_a_filtered_view_hides_p_values_on_the_overview_and_the_figure_pages():
    """Subgroup p-values are exploratory: with a filter on, the Overview's bottom line keeps the values within each
    arm without their p-values or the readings drawn from them, and a figure page's sentences lose their p-values;
    the switch brings them back."""
    import re

    from tests.apptest import open_synthetic_demo, tables
    from tests.test_patient_pages import texts

    at = open_synthetic_demo()
    at = _page(at, "", {"f_sex": "Female"})
    shown = tables(at)[0]
    assert list(shown.columns) == ["Endpoint", "Reported within each arm", "Clinically important difference"]
    assert not shown["Reported within each arm"].str.contains(r"\bp [=<]").any()
    assert "→" in shown["Reported within each arm"].iloc[0]
    at = _page(at, "functional", {"f_sex": "Female"})
    assert not re.search(r"\bp\s*[=<]\s*\.\d", texts(at)), texts(at)
    at.toggle(key="p_values").set_value(True).run()
    assert re.search(r"\bp\s*[=<]\s*\.\d", texts(at))
    at.toggle(key="p_values").set_value(False).run()


def test_a_flag_gets_exact_intervals_and_a_difference_with_its_odds_ratio(study):
    from scipy import stats as sps

    frame, order = P.category_records(study, "cibic", "week_24")
    flagged = frame.assign(category=np.where(frame["category"].isin(order[:3]), "Y", "N"))
    data = study.patients
    m = data.measurements
    improved = m[(m["endpoint"] == "cibic") & (m["visit"] == "week_24")]
    assert len(improved) == len(flagged)
    table = P.distribution(flagged, "category", list(study.design.arm_ids))
    assert table["n"].sum() == len(flagged)
    per_arm, comparisons = P.binary_summary(flagged, "category", list(study.design.arm_ids), "placebo", event="Y")
    placebo = next(b for b in per_arm if b.arm == "placebo")
    ci = sps.binomtest(placebo.events, placebo.n).proportion_ci(method="exact")  # Clopper–Pearson, scipy
    assert (placebo.ci_low, placebo.ci_high) == pytest.approx((ci.low, ci.high))
    assert all(np.isfinite(c.odds_ratio) for c in comparisons)


def test_the_responder_flag_table_has_exact_intervals_and_its_test(study):
    from scipy import stats as sps

    table = P.category_table(study, "resp", "week_24")
    last = table.iloc[-1]
    assert last["Category"].startswith("% ") and last["Category"].endswith("(exact 95% CI)")
    frame, order = P.category_records(study, "resp", "week_24")
    placebo = frame[frame["arm"] == "placebo"]
    events = int((placebo["category"] == order[-1]).sum())
    ci = sps.binomtest(events, len(placebo)).proportion_ci(method="exact")  # Clopper–Pearson, scipy
    assert last["Placebo (n = %d)" % len(placebo)] == (f"{100 * events / len(placebo):.1f}% "
                                                        f"({100 * ci.low:.1f} to {100 * ci.high:.1f})")
    tests = P.category_tests(study, "resp", "week_24")
    assert "Odds ratio (95% CI)" in tests.columns and tests["Test"].str.startswith("Fisher").all()
    high = frame[frame["arm"] == "xanomeline_high_dose"]
    h_events = int((high["category"] == order[-1]).sum())
    fisher = sps.fisher_exact([[h_events, len(high) - h_events], [events, len(placebo) - events]]).pvalue
    from cratus.formatting import format_p

    high_row = tests[tests["Compares"].str.startswith("Xanomeline High")].iloc[0]  # arms in TRT01PN order
    assert high_row["p-value"] == format_p(fisher, computed=True)


def test_the_repeated_measures_model_uses_every_post_baseline_visit(study):
    from cratus.patient import repeated as R

    frame = R.mmrm_frame(study, "actot")
    assert set(frame["visit"]) == {"week_8", "week_16", "week_24"}  # never the baseline visit
    result = R.mmrm_result(study, "actot", factors=("sitegr1",), covariance="compound symmetry")
    # statsmodels' formula interface on the same records: REML, random intercept per subject
    fit = smf.mixedlm("chg ~ 0 + C(visit) + C(arm, Treatment('placebo')):C(visit) + base:C(visit) + C(sitegr1)",
                      frame, groups="usubjid").fit(reml=True)
    for d in result.differences:
        name = f"C(arm, Treatment('placebo'))[T.{d.arm}]:C(visit)[{d.visit}]"
        assert d.estimate == pytest.approx(fit.params[name], abs=1e-3) and d.se == pytest.approx(fit.bse[name], rel=1e-2)
    assert result.visits == ("week_8", "week_16", "week_24")  # in AVISITN order
    table = R.mmrm_table(study, "actot", factors=("sitegr1",))
    assert list(table["Visit"].unique()) == ["Week 8", "Week 16", "Week 24"]
    assert list(table["Arm"][:3]) == ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]  # TRT01PN order
    words = R.mmrm_words(study, "actot", factors=("sitegr1",))
    assert "chg ~ arm * visit + base * visit + sitegr1" in words and "unstructured covariance" in words
    assert "Computed here" in words and "population: " in words and "ANL01FL" in words


@pytest.mark.page
def test_the_repeated_measures_table_is_on_the_page_with_its_snippet(tmp_path, monkeypatch):
    from tests.apptest import open_page
    from tests.test_patient_pages import upload
    from tests.apptest import tables
    from tests.test_snippets import check

    files = trial_files(seed=2)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    at = upload(open_page("data"), files)
    at = _page(at, "analyses", {"an_mmrm": "compound symmetry"})  # the address as the widget shows it
    at.multiselect(key="an_factors").set_value(["sitegr1"]).run()
    html = _tables(at)
    assert "Difference from control (SE)" in html and "Week 16" in html
    captions = "\n".join(str(c.value) for c in at.caption)
    assert "compound symmetry (a random intercept per subject" in captions and "+ sitegr1" in captions
    snippet = next(s for s in at.session_state["code_snippets"] if s["call"].func.__name__ == "mmrm_table")
    assert 'covariance="compound symmetry"' in snippet["code"] and "sitegr1" in snippet["code"]
    check(snippet, at, {})
    figure = next(s for s in at.session_state["code_snippets"] if s["call"].func.__name__ == "lsmeans_figure")
    check(figure, at, {})  # the LS-means chart drawn again from the files, the same figure
    # a filtered view: the model's p-values hidden until the switch is on, its words say the subgroup
    at = _page(at, "analyses", {"an_mmrm": "compound symmetry", "f_sex": "F"})
    mmrm = next(t for t in tables(at) if "Difference from control (SE)" in t.columns)
    assert "p-value" not in mmrm.columns
    assert any("every post-baseline visit" in str(c.value) and "a subgroup selected by the filter" in str(c.value)
               for c in at.caption)
    at.toggle(key="p_values").set_value(True).run()
    assert "p-value" in next(t for t in tables(at) if "Difference from control (SE)" in t.columns).columns


def test_each_test_says_what_it_corrects_and_a_stratified_difference_is_crude(study):
    from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2

    ordinal = P.category_tests(study, "cibic", "week_24")
    assert ordinal["Test"].str.contains("continuity correction of 0.5").all()  # scipy mannwhitneyu's default
    stratified = P.category_tests(study, "cibic", "week_24", strata="sitegr1")
    assert stratified["Test"].str.contains("no continuity correction").all()
    binary = P.category_tests(study, "resp", "week_24", strata="sitegr1")
    assert "Crude difference in % 'Y' (95% CI; not stratified)" in binary.columns
    assert "Mantel–Haenszel odds ratio over sitegr1 (95% CI)" in binary.columns
    frame, order = P.category_records(study, "resp", "week_24")
    both = frame[frame["arm"].isin(["xanomeline_high_dose", "placebo"])]
    tables = [pd.crosstab(g["arm"], g["category"]).reindex(index=["xanomeline_high_dose", "placebo"],
                                                           columns=["Y", "N"], fill_value=0).to_numpy()
              for _, g in both.groupby("sitegr1")]
    pooled = StratifiedTable(tables).oddsratio_pooled  # statsmodels' Mantel–Haenszel odds ratio
    high = binary[binary["Compares"].str.startswith("Xanomeline High")].iloc[0]
    assert high["Mantel–Haenszel odds ratio over sitegr1 (95% CI)"].startswith(f"{pooled:.2f} (")
    # a zero cell: Haldane's 0.5 in every cell, said in the cell (statsmodels Table2x2 on the corrected table)
    none_placebo = frame.assign(category=np.where(frame["arm"] == "placebo", "N", frame["category"]))
    _, comparisons = P.binary_summary(none_placebo, "category", list(study.design.arm_ids), "placebo", event="Y")
    c = comparisons[0]
    counts = none_placebo[none_placebo["arm"].isin([c.arm, "placebo"])]
    t = pd.crosstab(counts["arm"], counts["category"]).reindex(index=[c.arm, "placebo"], columns=["Y", "N"],
                                                               fill_value=0).to_numpy() + 0.5
    assert c.haldane and c.odds_ratio == pytest.approx(Table2x2(t).oddsratio)


def test_the_log_rank_test_is_never_called_adjusted_and_the_dose_trend_names_its_population(study):
    words = T.tte_words(study, "TTDERM", covariates=("age",))
    assert "survdiff) (the log-rank test takes no covariates)" in words and "PHReg), Wald 95% CI, adjusted for age" in words
    assert "survdiff) stratified by sitegr1" in T.tte_words(study, "TTDERM", strata="sitegr1")
    trend = P.dose_trend_words(study, "actot", "week_24")
    assert "population: " in trend and "records: " in trend and "(TRT01PN, TRTxxPN), taken as each arm's dose" in trend


@pytest.mark.page
def test_the_time_to_event_snippets_reproduce_the_page_with_strata_and_covariates(tmp_path, monkeypatch):
    from tests.apptest import open_page
    from tests.test_patient_pages import upload
    from tests.test_snippets import check

    files = trial_files(seed=3)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    at = _page(upload(open_page("data"), files), "time_to_event")
    at.selectbox(key="tte_strata").set_value("sitegr1").run()
    at.multiselect(key="tte_cov").set_value(["age"]).run()
    assert not at.exception, [e.message for e in at.exception]
    snippets = {s["call"].func.__name__: s for s in at.session_state["code_snippets"]}
    assert set(snippets) == {"km_figure", "median_table", "hazard_table"}
    hazard = snippets["hazard_table"]["code"]
    assert "strata=\"sitegr1\"" in hazard and "covariates=(\"age\",)" in hazard  # the choices, as in the address
    for snippet in snippets.values():
        check(snippet, at, {})
    shown = "\n".join([str(c.value) for c in at.caption] + [str(h.value) for h in at.get("html")])  # table labels
    assert "Brookmeyer–Crowley on the log–log scale" in shown
    assert "Cox, Efron ties; stratified by sitegr1; adjusted for age) and log-rank test stratified by sitegr1" in shown


@pytest.mark.page
def test_the_report_holds_every_protocol_output_of_the_page(trial_session):
    """Done-when of issue 24: the ANCOVA with a site factor, the dose trend, the repeated-measures table, the
    categorical table with its test and the KM page's figure and tables are in the page's report."""
    at = _page(trial_session, "analyses", {"an_mmrm": "GEE unstructured"})
    at.multiselect(key="an_factors").set_value(["sitegr1"]).run()
    items = at.session_state["report"].items
    captions = [item[1][0] if isinstance(item[1], tuple) else str(item[1]) for item in items]
    text = "\n".join(map(str, captions))
    for expected in ("ANCOVA, LS means by arm", "chg ~ arm + sitegr1 + base", "Dose–response test",
                     "Repeated measures (GEE, unstructured working correlation)", "n (%) per category and arm",
                     "each arm against the control"):
        assert expected in text, expected
    at = _page(at, "time_to_event")
    kinds = [kind for kind, _ in at.session_state["report"].items]
    text = "\n".join(str(value[0] if isinstance(value, tuple) else value) for _, value in
                     at.session_state["report"].items)
    assert "figure" in kinds and "Median time to event by arm" in text and "Hazard ratio against the control" in text


def test_the_ls_means_chart_draws_the_model_s_estimates(study):
    from cratus.figures.lsmeans import lsmeans_figure
    from cratus.patient import repeated as R

    result = R.mmrm_result(study, "actot", covariance="GEE unstructured")
    figure = lsmeans_figure(study, "actot", covariance="GEE unstructured")
    colors = {a.id: a.color for a in study.design.arms}
    assert [t.name for t in figure.data] == ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]  # TRT01PN
    for trace, arm in zip(figure.data, ["placebo", "xanomeline_low_dose", "xanomeline_high_dose"]):
        rows = [m for m in result.lsmeans if m.arm == arm]
        assert list(trace.y) == pytest.approx([m.estimate for m in rows])
        assert list(trace.error_y.array) == pytest.approx([m.ci_high - m.estimate for m in rows])
        assert trace.line.color == colors[arm]
    assert list(figure.layout.xaxis.ticktext) == ["Week 8", "Week 16", "Week 24"]
    assert "GEE" in figure.layout.title.subtitle.text and "computed here" in figure.layout.title.subtitle.text


def test_the_at_risk_names_wrap_on_a_phone_rather_than_run_into_the_numbers(study):
    from cratus.figures import theme
    from cratus.figures.geometry import line_width
    from cratus.figures.km import km_figure

    phone, desktop = km_figure(study, "TTDERM", phone=True), km_figure(study, "TTDERM")
    style = theme.style(phone=True)
    assert phone.layout.margin.l <= 0.4 * style["min_width"]
    for name in phone.layout.yaxis2.ticktext:  # every line fits left of the plot, clear of the time-0 column
        assert all(line_width(line, style["tick"]) + 40 <= phone.layout.margin.l + 1 for line in name.split("<br>"))
    assert "Xanomeline High<br>Dose" in phone.layout.yaxis2.ticktext
    assert "<br>" not in "".join(desktop.layout.yaxis2.ticktext)  # a laptop has the room
