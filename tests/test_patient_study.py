"""From patient data to a Study (cratus.patient.to_study) and the synthetic CRATUS-shaped data set.

Summaries are checked against pandas/numpy computed on the fixture CSVs (tests/fixtures/patient); the
synthetic data against the published study read from data/ (load_study()).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cratus.study.design import TOTAL
from cratus.patient import read_patient_data, to_study
from cratus.patient.summarize import SOURCE
from cratus.patient.synthetic import fidelity_table, make_synthetic, synthetic_files, write_synthetic
from cratus.study.provenance import select_p_values
from cratus.study.model import ADVERSE_EVENT_TOTALS, PARTICIPANTS, load_study

FIXTURES = Path(__file__).parent / "fixtures" / "patient"
FILES = [FIXTURES / f for f in ("subjects.csv", "measurements.csv", "adverse_events.csv")]


@pytest.fixture(scope="module")
def study():
    return to_study(read_patient_data(*FILES))


@pytest.fixture(scope="module")
def published():
    return load_study()


@pytest.fixture(scope="module")
def synthetic(published):
    return to_study(make_synthetic(seed=11, study=published), reference=published)


def value(summary, **where):
    rows = summary
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, where
    return float(rows["value"].iloc[0])


def test_design_from_the_data(study):
    d = study.design
    assert study.kind == "patient"
    # no arm code: the order of first appearance in subjects.csv
    assert d.arm_ids == ("drug_low", "drug_high", "matching_placebo") and d.control == "matching_placebo"
    assert d.label("drug_low") == "Drug Low"
    assert d.visit_ids == ("baseline", "week_4", "week_12") and d.baseline == "baseline"
    assert d.follow_up == "week_12"


def test_participants_per_arm_and_total(study):
    assert study.n_per_arm() == {"drug_high": 4.0, "drug_low": 4.0, "matching_placebo": 3.0, TOTAL: 11.0}


def test_table_one_rows(study):
    s = study.summary
    ages = pd.Series([71, 65, 80, 74], dtype=float)  # Drug Low ages in subjects.csv
    assert value(s, endpoint="age", arm="drug_low", statistic="mean") == ages.mean()
    assert value(s, endpoint="age", arm="drug_low", statistic="sd") == pytest.approx(ages.std())
    assert value(s, endpoint="age", arm="drug_low", statistic="q1") == np.quantile(ages, 0.25)  # 69.5, linear
    assert value(s, endpoint="sex", level="female", arm="drug_low", statistic="count") == 2
    assert value(s, endpoint="sex", level="female", arm=TOTAL, statistic="percent") == pytest.approx(100 * 5 / 11)
    assert set(study.levels.loc[study.levels["endpoint"] == "sex", "level"]) == {"female", "male"}
    assert not (s["endpoint"] == "saffl").any()  # flags are not characteristics


def test_endpoint_summaries(study):
    s = study.summary
    # score at Week 12 in Drug High: 32, 33, 32, 27 (measurements.csv)
    week12 = pd.Series([32.0, 33.0, 32.0, 27.0])
    for statistic, expected in (("n", 4), ("mean", week12.mean()), ("sd", week12.std()), ("median", 32.0),
                                ("q1", np.quantile(week12, 0.25)), ("q3", np.quantile(week12, 0.75))):
        assert value(s, endpoint="score", arm="drug_high", visit="week_12", statistic=statistic) == \
            pytest.approx(expected)
    assert set(s["source"]) == {SOURCE}
    assert list(s.columns) == ["endpoint", "level", "arm", "visit", "statistic", "value", "source", "quote", "printed"]


def test_p_values_say_what_they_compare(study):
    p = study.p_values
    assert set(p["comparison"]) == {"within_arm", "vs_control"}
    assert not ((p["comparison"] == "vs_control") & (p["arm"] == study.design.control)).any()
    shown = select_p_values(p)  # the rule pages use: the first of each test
    within = shown[(shown["endpoint"] == "score") & (shown["arm"] == "drug_low") & (shown["visit"] == "week_12")
                   & (shown["comparison"] == "within_arm")].iloc[0]
    assert within["source"] == "computed: paired t-test (n = 4 pairs)"
    assert within["p_value"] == pytest.approx(0.0006250418029416881)  # scipy.stats.ttest_rel, see test_patient_stats
    between = shown[(shown["endpoint"] == "score") & (shown["arm"] == "drug_high") & (shown["visit"] == "week_12")
                    & (shown["comparison"] == "vs_control")].iloc[0]
    assert between["source"] == "computed: Welch t-test of change from baseline vs control (n = 4 and 3)"
    # The study holds the test each comparison shows; the others are computed where they are shown.
    assert set(p["method"]) == {"paired t-test", "Welch t-test"}
    from cratus.patient.display import tests_table
    assert set(tests_table(study, "score")["Test"]) == {"paired t-test", "Wilcoxon signed-rank test", "Welch t-test",
                                                        "Mann–Whitney U test", "ANCOVA (adjusted for baseline)"}


def test_adverse_events_table_and_totals(study):
    ae = study.adverse_events
    # serious treatment-emergent events: atrial fibrillation (P05, Drug High), pneumonia (P10, placebo)
    assert ae[["term", "arm", "events", "patients"]].values.tolist() == [
        ["Atrial fibrillation", "drug_high", 1, 1], ["Pneumonia", "matching_placebo", 1, 1]]
    assert ae["patients_percent"].tolist() == [25.0, pytest.approx(100 / 3)]
    s = study.summary[study.summary["endpoint"] == ADVERSE_EVENT_TOTALS]
    assert value(s, level="patients", arm=TOTAL, statistic="count") == 2
    assert value(s, level="patients", arm="drug_low", statistic="count") == 0
    assert study.label(ADVERSE_EVENT_TOTALS) == "Serious adverse events"


def test_generated_figure_pages(study):
    assert study.figures["figure"].tolist() == ["measurements"]
    assert study.panels("measurements") == ["score", "grip"]
    assert study.endpoint_info("grip")["figure"] == "B"


def test_trial_facts_and_empty_frames(study):
    assert study.fact("participants") == "11 subjects"
    assert study.fact("population") == ("efficacy: SAFFL = 'Y' (N = 11); safety: SAFFL = 'Y' (N = 11); "
                                         "baseline: SAFFL = 'Y' (N = 11)")
    assert "Drug Low (n = 4)" in study.fact("arms")
    assert study.discrepancies.empty and study.hospitalizations.empty and study.long_term_events.empty


def test_patient_frames_are_kept_with_ids(study):
    data = study.patients
    assert set(data.measurements["arm"].astype(str)) == set(study.design.arm_ids)
    assert set(data.measurements["visit"].astype(str)) == set(study.design.visit_ids)


def test_key_is_a_content_hash_of_inputs_mapping_and_reference(published):
    data = read_patient_data(*FILES)
    a, b = to_study(data), to_study(read_patient_data(*FILES))
    assert a.key == b.key
    assert to_study(data, mapping={"control": "Drug Low"}).key != a.key
    assert to_study(data, reference=published).key != a.key


def test_mapping_changes_the_control(study):
    data = read_patient_data(*FILES)
    other = to_study(data, mapping={"control": "Drug Low"})
    assert other.design.control == "drug_low" and other.design.arm_ids[-1] == "drug_low"


# --- the synthetic data set --------------------------------------------------------------------------
def test_every_mean_and_sd_cell_is_within_printed_rounding(synthetic, published):
    table = fidelity_table(synthetic, published)
    cells = table[table["statistic"].isin(["mean", "sd"])]
    assert len(cells) > 100 and cells["within_rounding"].notna().all()
    failing = cells[~cells["within_rounding"].astype(bool)]
    assert failing.empty, failing[["endpoint", "arm", "visit", "statistic", "published", "synthetic"]]


def test_every_generated_cell_matches_and_only_categorical_outcomes_are_missing(synthetic, published):
    table = fidelity_table(synthetic, published)
    generated = table[table["within_rounding"].notna()]
    assert generated["within_rounding"].all()  # counts, percents, medians and quartiles, totals included
    missing = table[table["within_rounding"].isna()]
    # not generated: counts of patients after baseline (Table 3's categories, the antibody and safety counts the
    # paper states in prose) — every one of them a count of a safety outcome
    assert (missing["visit"] != published.design.baseline).all()
    domains = published.endpoints.set_index("endpoint")["domain"]
    assert set(missing["endpoint"].map(domains)) == {"safety"}
    assert set(missing["statistic"]) <= {"count", "percent", "n"}


def test_synthetic_uses_published_ids_and_is_seeded(synthetic, published):
    assert synthetic.design.arm_ids == published.design.arm_ids
    assert synthetic.n_per_arm() == published.n_per_arm()
    a, b = make_synthetic(seed=5, study=published), make_synthetic(seed=5, study=published)
    assert a.key == b.key and a.key != make_synthetic(seed=6, study=published).key


def test_synthetic_subgroup_endpoint_only_for_its_subgroup(synthetic, published):
    data = synthetic.patients
    d = published.endpoints
    subgroup = d.loc[d["subgroup"] != "", ["endpoint", "subgroup"]].iloc[0]
    column, level = subgroup["subgroup"].split("=")
    measured = set(data.measurements.loc[data.measurements["endpoint"] == subgroup["endpoint"], "usubjid"].astype(str))
    members = data.subjects.loc[data.subjects[column].str.lower() == level, "usubjid"]
    assert measured == set(members)


def test_synthetic_labs_have_a_hys_law_case(synthetic):
    m = synthetic.patients.measurements
    wide = m[m["anrhi"].notna()].assign(times_uln=lambda f: f["value"] / f["anrhi"])
    wide = wide.pivot_table(index=["usubjid", "visit"], columns="label", values="times_uln", observed=True)
    hy = wide[(wide["Alanine Aminotransferase"] >= 3) & (wide["Total Bilirubin"] >= 2)]
    assert len(hy) == 1 and hy.index[0][1] != synthetic.design.baseline


def test_adam_and_long_files_give_the_same_summary(published, tmp_path):
    written = write_synthetic(tmp_path / "adam", format="adam", seed=2, study=published)
    assert sorted(written)[0] == "adae.xpt" and "adsl.xpt" in written
    adam = to_study(read_patient_data(*sorted((tmp_path / "adam").iterdir())), reference=published)
    files = synthetic_files("long", seed=2, study=published)
    long = to_study(read_patient_data(*files.values(), names=list(files)), reference=published)
    key = ["endpoint", "level", "arm", "visit", "statistic"]
    merged = adam.summary.merge(long.summary, on=key, suffixes=("_adam", "_long"))
    assert len(merged) == len(long.summary)
    assert np.allclose(merged["value_adam"], merged["value_long"])
    assert adam.summary["endpoint"].isin(adam.endpoints["endpoint"]).all()


def test_reference_gives_pages_and_panels(synthetic, published):
    panels = published.panels(published.figures["figure"].iloc[0])
    assert synthetic.panels(published.figures["figure"].iloc[0]) == panels
    assert PARTICIPANTS in set(synthetic.endpoints["endpoint"])


def test_mapping_renames_endpoints_in_the_study():
    study = to_study(read_patient_data(*FILES), mapping={"endpoints": "score:total_score"})
    assert study.panels("measurements") == ["total_score", "grip"]
    assert value(study.summary, endpoint="total_score", arm="drug_high", visit="week_12", statistic="median") == 32.0


def test_summary_statistics_equal_pandas_groupby_on_random_groups():
    # _describe sorts once instead of six grouped passes; the reference is pandas' groupby count/mean/std/
    # median/quantile (sample SD, linear quartiles), including groups whose values are all missing (n = 0).
    from cratus.patient.summarize import _describe

    rng = np.random.default_rng(0)
    for trial in range(100):
        size = int(rng.integers(1, 60))
        arm = pd.Series(pd.Categorical(rng.choice(list("xyz"), size), categories=list("zyxw")), name="arm")
        endpoint = pd.Series(rng.choice(["e1", "e2"], size), name="endpoint")
        values = pd.Series(rng.normal(size=size).round(int(rng.integers(0, 3))), name="value")
        values[rng.random(size) < 0.2] = np.nan
        if trial % 7 == 0:
            values[endpoint == "e1"] = np.nan
        g = values.groupby([endpoint, arm], sort=False, observed=True)
        wide = pd.DataFrame({"n": g.count(), "mean": g.mean(), "sd": g.std(), "median": g.median(),
                             "q1": g.quantile(0.25), "q3": g.quantile(0.75)})
        want = wide.reset_index().melt(id_vars=["endpoint", "arm"], var_name="statistic", value_name="value")
        want = want.dropna(subset=["value"]).reset_index(drop=True)
        got = _describe(values, [endpoint, arm])
        keys = ["endpoint", "arm", "statistic"]
        assert got[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist()
        np.testing.assert_allclose(got["value"].to_numpy(float), want["value"].to_numpy(float), rtol=1e-12, atol=1e-12)
