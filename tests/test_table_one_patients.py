"""Table 1 from patient-level data: every level as recorded, n (missing), mean (SD), median, min–max, the default
characteristics, and the page that shows it."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from cratus.patient import read_patient_data, to_study
from cratus.study.model import load_study
from cratus.tables.characteristics import continuous_cells, study_table_one, study_variables
from tests.apptest import open_page, tables
from tests.test_patient_pages import go, upload
from tests.server import SHARED


def _adsl(seed: int = 4, n: int = 40) -> pd.DataFrame:
    """An ADSL-shaped subject file as a sponsor delivers it (pilot-study variable names)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "STUDYID": "CDISCPILOT01", "USUBJID": [f"01-{701 + i % 3}-{1000 + i}" for i in range(n)],
        "SITEID": [str(701 + i % 3) for i in range(n)], "TRT01P": np.where(np.arange(n) % 2, "Placebo", "Drug"),
        "TRT01PN": np.where(np.arange(n) % 2, 0, 54), "AGE": rng.integers(51, 89, n).astype(float),
        "SEX": rng.choice(["F", "M"], n), "DURDSGR1": rng.choice(["<12", ">=12"], n),
        "WEIGHTBL": np.round(rng.normal(70, 12, n), 1), "TRTSDT": "2014-01-02", "SAFFL": "Y", "CUMDOSE": 54.0 * 30,
    })
    frame.loc[3, "WEIGHTBL"] = np.nan
    return frame


def _bds(adsl: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([{"USUBJID": s, "PARAMCD": "SCORE", "PARAM": "Score", "AVISIT": v, "AVAL": float(i + k)}
                         for i, s in enumerate(adsl["USUBJID"]) for k, v in enumerate(("Baseline", "Week 4"))])


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def pilot():
    adsl = _adsl()
    data = read_patient_data(_csv(adsl), _csv(_bds(adsl)), names=["adsl.csv", "adqs.csv"])
    return adsl, to_study(data, reference=load_study())  # as the app builds an upload (ui/data_source.py)


def _rows(table) -> pd.DataFrame:
    """The table indexed by (characteristic, statistic or level): the stub's indented rows under their heading."""
    frame = table.copy()
    indented = frame["Characteristic"].str.startswith("\u2003")
    frame["Statistic"] = frame["Characteristic"].where(indented, "").str.strip("\u2003")
    frame["Characteristic"] = frame["Characteristic"].where(~indented).ffill()
    return frame.set_index(["Characteristic", "Statistic"])


def test_every_level_is_kept_as_recorded_and_none_is_added(pilot):
    adsl, study = pilot
    table = _rows(study_table_one(study))
    total = [c for c in table.columns if c.startswith("Total")][0]
    counts = adsl["DURDSGR1"].value_counts()  # pandas value_counts of the file's own column
    assert table.loc[("Pooled Disease Duration Group 1, n (%)", "<12"), total].startswith(f"{counts['<12']} (")
    assert table.loc[("Pooled Disease Duration Group 1, n (%)", ">=12"), total].startswith(f"{counts['>=12']} (")
    sexes = [s for s in table.loc["Sex, n (%)"].index if s]
    assert sexes == ["F", "M"]  # no "Male"/"Female" rows from another trial's dictionary


def test_continuous_rows_are_n_missing_mean_sd_median_min_max_from_pandas(pilot):
    adsl, study = pilot
    table = _rows(study_table_one(study))
    drug = adsl.loc[adsl["TRT01P"] == "Drug", "WEIGHTBL"]
    column = next(c for c in table.columns if c.startswith("Drug"))
    # pandas: count / isna().sum(), mean, std (ddof = 1), median, min, max; data to 1 decimal, so mean 2, SD 3
    assert table.loc[("Baseline Weight (kg)", "n (missing)"), column] == f"{drug.count()} ({drug.isna().sum()})"
    assert table.loc[("Baseline Weight (kg)", "Mean (SD)"), column] == f"{drug.mean():.2f} ({drug.std():.3f})"
    assert table.loc[("Baseline Weight (kg)", "Median"), column] == f"{drug.median():.2f}"
    assert table.loc[("Baseline Weight (kg)", "Min, max"), column] == f"{drug.min():.1f}, {drug.max():.1f}"
    assert column.endswith(f"(N = {int((adsl['TRT01P'] == 'Drug').sum())})")


def test_identifiers_sites_dates_doses_are_not_characteristics_by_default_but_can_be_chosen(pilot):
    _, study = pilot
    default = [v.column for v in study_variables(study) if v.default]
    assert "age" in default and "sex" in default and "weightbl" in default
    assert not {"siteid", "trtsdt", "cumdose", "trt01pn", "studyid", "saffl"} & set(default)
    chosen = _rows(study_table_one(study, columns=["siteid"]))
    assert chosen.index.get_level_values(0)[0] == "siteid, n (%)"  # site ids as the levels they are, not a mean


def test_a_statistic_with_too_few_values_says_not_computable():
    # one value: statistics.stdev needs two
    assert continuous_cells(pd.Series([70.0]))["Mean (SD)"] == "70.0 (not computable)"
    assert continuous_cells(pd.Series([np.nan, np.nan]))["n (missing)"] == "0 (2)"


@pytest.mark.page
def test_the_baseline_page_shows_the_statisticians_table_one():
    adsl = _adsl()
    at = upload(open_page("data"),
                {"adsl.csv": _csv(adsl), "adqs.csv": _csv(_bds(adsl))})
    go(at, "baseline")
    assert not at.exception, [e.message for e in at.exception]
    table = tables(at)[0]
    assert table.columns[0] == "Characteristic" and table.columns[1].endswith("(N = 20)")
    assert {"\u2003Median", "\u2003Min, max", "\u2003<12", "\u2003>=12"} <= set(table["Characteristic"])
    captions = "\n".join(c.value for c in at.caption)
    assert "Population: subjects with SAFFL = 'Y'" in captions and "Source: adsl.csv" in captions
    at.multiselect(key="table_one_columns").set_value(["age"]).run()
    assert [c for c in tables(at)[0]["Characteristic"] if not c.startswith("\u2003")] == ["Age"]


@pytest.mark.page
def test_the_published_table_one_is_unchanged():
    at = open_page("baseline")
    table = tables(at)[0].set_index("Characteristic")
    # data/summary.csv, Table 1 of the paper: age 75.0 ± 7.4 in the 100M arm
    assert table.loc["Age at infusion (years)"].iloc[0] == "75.0 ± 7.4"


@pytest.mark.skipif(not (SHARED / "adam" / "pharmaverseadam").exists(), reason="pharmaverse files not here")
def test_balance_of_a_patient_study_is_of_table_ones_characteristics_from_the_subjects():
    """pharmaverse ADSL (randomised subjects by TRT01P): the balance covers Table 1's characteristics, not every
    BDS parameter at baseline; age, high dose vs placebo: d = (74.38 − 75.21) / √((7.886² + 8.590²) / 2) (Austin
    2009 eq. 1, computed below from the file with pandas)."""
    import math

    from cratus.patient import read_patient_data, to_study
    from cratus.tables.baseline import describe_uncomputed, standardized_differences

    folder = SHARED / "adam" / "pharmaverseadam"
    study = to_study(read_patient_data(folder / "adsl.parquet", folder / "adae.parquet"))
    d = standardized_differences(study)
    assert set(d["endpoint"]) <= {v.column for v in study_variables(study)}
    assert "age" in set(d["endpoint"]) and "sex" in set(d["endpoint"])
    adsl = pd.read_parquet(folder / "adsl.parquet")
    age = adsl[adsl["RANDDT"].notna()].groupby("TRT01P")["AGE"].agg(["mean", "std"])
    high, placebo = age.loc["Xanomeline High Dose"], age.loc["Placebo"]
    expected = (high["mean"] - placebo["mean"]) / math.sqrt((high["std"] ** 2 + placebo["std"] ** 2) / 2)
    got = d.query("endpoint == 'age' and arm == 'xanomeline_high_dose'")["estimate"].iloc[0]
    assert got == pytest.approx(expected) and round(got, 3) == -0.100
    assert describe_uncomputed(d) == ""  # nothing 'not reported in the text'


@pytest.mark.skipif(not (SHARED / "adam" / "pharmaverseadam").exists(), reason="pharmaverse files not here")
def test_baseline_height_weight_and_bmi_come_from_the_bds_when_the_subject_file_has_none():
    """pharmaverse ADSL has no HEIGHTBL/WEIGHTBL/BMIBL; ADVS has HEIGHT, WEIGHT and BMI with ABLFL = 'Y'. Table 1
    shows them by default, said in a note; placebo baseline weight mean (SD) from the file with pandas:
    ADVS[ABLFL == 'Y' & PARAMCD == 'WEIGHT'] by ADSL.TRT01P — 62.757 (12.7704) kg (CDISC pilot Table 14-2.01 prints
    62.8 (12.77))."""
    folder = SHARED / "adam" / "pharmaverseadam"
    study = to_study(read_patient_data(folder / "adsl.parquet", folder / "advs.parquet"))
    assert any(n.startswith("Baseline Weight (kg): from ADVS's baseline records of WEIGHT") for n in study.patients.notes)
    variables = {v.column: v for v in study_variables(study)}
    assert all(variables[c].default for c in ("heightbl", "weightbl", "bmibl"))
    adsl, advs = pd.read_parquet(folder / "adsl.parquet"), pd.read_parquet(folder / "advs.parquet")
    base = advs[(advs["ABLFL"] == "Y") & (advs["PARAMCD"] == "WEIGHT")].merge(adsl[["USUBJID", "TRT01P"]])
    placebo = base.loc[base["TRT01P"] == "Placebo", "AVAL"]
    table = study_table_one(study).set_index("Characteristic")
    at = list(table.index).index("Baseline Weight (kg)")
    assert table.iloc[at + 2, 0].strip() == f"{placebo.mean():.3f} ({placebo.std():.4f})" == "62.757 (12.7704)"
