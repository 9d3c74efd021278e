"""The table of treatment-emergent adverse events by system organ class and preferred term (patient-level data)."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from cratus.patient import read_patient_data, to_study
from cratus.tables.teae import ANY_EVENT, teae_counts
from tests.apptest import open_page, tables
from tests.test_patient_pages import go, texts, upload

ADSL = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(12)], "TRT01A": ["Placebo"] * 6 + ["Drug"] * 6,
                     "AGE": range(60, 72), "SAFFL": "Y"})
BDS = pd.DataFrame([{"USUBJID": s, "PARAMCD": "SCORE", "AVISIT": v, "AVAL": float(i)}
                    for i, s in enumerate(ADSL["USUBJID"]) for v in ("Baseline", "Week 4")])
ADAE = pd.DataFrame([
    # subject, class, term, serious, severity, related, treatment-emergent
    ("S6", "Infections", "Cough", "N", "MILD", "Y", "Y"), ("S6", "Infections", "Cough", "N", "MILD", "Y", "Y"),
    ("S7", "Infections", "Cough", "Y", "SEVERE", "N", "Y"), ("S8", "Infections", "Fever", "N", "MILD", "N", "Y"),
    ("S0", "Cardiac disorders", "Palpitations", "N", "MODERATE", "N", "Y"),
    ("S9", "Cardiac disorders", "Palpitations", "N", "MILD", "N", "Y"),
    ("S1", "Infections", "Fever", "N", "MILD", "N", "N"),  # before treatment: not counted
], columns=["USUBJID", "AEBODSYS", "AEDECOD", "AESER", "AESEV", "AEREL", "TRTEMFL"])


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def study():
    return to_study(read_patient_data(_csv(ADSL), _csv(BDS), _csv(ADAE), names=["adsl.csv", "adqs.csv", "adae.csv"]))


def _table(study, **filters) -> pd.DataFrame:
    counts = teae_counts(study, **filters).counts
    return counts.pivot_table(index="row", columns="arm", values="n_subjects", aggfunc="first", sort=False)


def test_subjects_are_counted_once_per_row_among_treatment_emergent_events(study):
    table = _table(study)
    placebo = study.design.control  # arms in the data's order (no code): Placebo first
    drug = next(a for a in study.design.arm_ids if a not in ("total", placebo))
    teae = ADAE[ADAE["TRTEMFL"] == "Y"].merge(ADSL, on="USUBJID")
    by_arm = teae.groupby("TRT01A")["USUBJID"].nunique()  # pandas: distinct subjects with a TEAE per arm
    assert table.loc[ANY_EVENT, drug] == by_arm["Drug"] == 4 and table.loc[ANY_EVENT, placebo] == by_arm["Placebo"]
    # sorted by subjects in all arms: Infections (3) before Cardiac disorders (2); Cough (2) before Fever (1)
    assert list(table.index) == [ANY_EVENT, "Infections", "\u2003Cough", "\u2003Fever", "Cardiac disorders",
                                 "\u2003Palpitations"]


def test_intervals_are_exact_clopper_pearson(study):
    counts = teae_counts(study).counts
    row = counts[(counts["row"] == ANY_EVENT) & (counts["arm"] != "total")].iloc[0]
    exact = binomtest(int(row["n_subjects"]), int(row["n"])).proportion_ci(method="exact")  # scipy's Clopper–Pearson
    assert row["ci_low"] == pytest.approx(exact.low) and row["ci_high"] == pytest.approx(exact.high)


def test_serious_related_and_severity_filters(study):
    assert _table(study, serious_only=True).index.tolist() == [ANY_EVENT, "Infections", "\u2003Cough"]
    related = _table(study, related_only=True)
    assert related.loc["\u2003Cough"].max() == 1  # S6's two related coughs: one subject
    # the reader writes severities in lower case (cratus.patient.model)
    assert "Cardiac disorders" in _table(study, severities=("moderate",)).index


@pytest.mark.page
def test_the_safety_page_shows_the_teae_table_with_population_and_n():
    at = upload(open_page("data"), {"adsl.csv": _csv(ADSL), "adqs.csv": _csv(BDS), "adae.csv": _csv(ADAE)})
    go(at, "safety")
    assert not at.exception, [e.message for e in at.exception]
    teae = next(t for t in tables(at) if "Drug (N = 6)" in t.columns)
    # arms in the data's order (ADSL lists Placebo first; no TRT01AN)
    assert teae.columns[1:].tolist() == ["Placebo (N = 6)", "Drug (N = 6)", "Total (N = 12)"]
    # 4 of 6: binomtest(4, 6).proportion_ci("exact") = (0.2228, 0.9567)
    assert teae["Drug (N = 6)"].iloc[0] == "4 (66.7%) [22.3, 95.7]"
    assert "Population: subjects with SAFFL = 'Y'" in texts(at)
    # the serious-event table has no "Arm assignment" (stated or inferred from a paper's percentages) column here
    assert not any("Arm assignment" in t.columns for t in tables(at))
    at.toggle(key="teae_serious").set_value(True).run()
    teae = next(t for t in tables(at) if "Drug (N = 6)" in t.columns)
    assert teae["Drug (N = 6)"].iloc[0].startswith("1 (16.7%)")


@pytest.mark.page
def test_the_filters_and_table_one_variables_are_in_the_address_and_a_bad_value_is_ignored():
    at = upload(open_page("data"), {"adsl.csv": _csv(ADSL), "adqs.csv": _csv(BDS), "adae.csv": _csv(ADAE)})
    at.query_params["table_one_columns"] = ["age", "no_such_column"]
    go(at, "baseline")
    assert not at.exception and [c for c in tables(at)[0]["Characteristic"] if not c.startswith("\u2003")] == ["Age"]
    at.query_params["teae_severity"] = ["mild", "nonsense"]
    at.query_params["teae_serious"] = "maybe"
    go(at, "safety")
    assert not at.exception, [e.message for e in at.exception]
    teae = next(t for t in tables(at) if "Drug (N = 6)" in t.columns)
    # mild treatment-emergent events: S6 (two coughs), S8 (fever), S9 (palpitations) in Drug; none in Placebo
    assert teae["Drug (N = 6)"].iloc[0].startswith("3 (50.0%)") and teae["Placebo (N = 6)"].iloc[0].startswith("0 (")
