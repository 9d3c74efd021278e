"""Tables 1–3 as the app shows them equal the paper, cell by cell.

The expected cells below were typed from the paper's text independently of data/ (Table 1, Table 2,
Table 3 and the Hospitalization section of Tompkins et al. 2017).
"""

import pytest

import dataclasses
from pathlib import Path

from cratus.tables.baseline import standardized_differences, table_one
from cratus.formatting import NOT_REPORTED
from cratus.tables.safety import category_long, category_table, hospitalization_table, sae_table
from cratus.study.model import load_study

ARM_COLUMNS = {"100M": "Allo-hMSC 100M (N = 10)", "200M": "Allo-hMSC 200M (N = 10)",
               "placebo": "Placebo (N = 10)", "total": "Total (N = 30)"}
INDENT = "\u2003"

# Table 1, columns 100M, 200M, placebo, total.
TABLE_1 = {
    INDENT + "Male": ["6 (60%)", "6 (60%)", "6 (60%)", "18 (60%)"],
    INDENT + "Female": ["4 (40%)", "4 (40%)", "4 (40%)", "12 (40%)"],
    INDENT + "Hispanic or Latino": ["1 (10%)", "1 (10%)", "2 (20%)", "4 (13%)"],
    INDENT + "Not Hispanic or Latino": ["9 (90%)", "9 (90%)", "8 (80%)", "26 (87%)"],
    INDENT + "American Indian/Alaskan Native": ["0 (0%)", "1 (10%)", "0 (0%)", "1 (3%)"],
    INDENT + "White American": ["10 (100%)", "9 (90%)", "10 (100%)", "29 (97%)"],
    "Age at infusion (years)": ["75.0 ± 7.4", "76.3 ± 8.4", "75.3 ± 6.8", "75.5 ± 7.3"],
    INDENT + "Yes": ["10 (100%)", "10 (100%)", "10 (100%)", "30 (100%)"],
    INDENT + "No": ["0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)"],
    INDENT + "Unknown": ["0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)"],
    INDENT + "4": ["5 (50%)", "7 (70%)", "5 (50%)", "17 (57%)"],
    INDENT + "5": ["3 (30%)", "1 (10%)", "5 (50%)", "9 (30%)"],
    INDENT + "6": ["2 (20%)", "2 (20%)", "0 (0%)", "4 (13%)"],
    INDENT + "7": ["0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)"],
    "Mini-mental state examination (points)": ["29.3 ± 0.8", "28.5 ± 1.1", "29.5 ± 1.0", "29.1 ± 1.0"],
    "Hemoglobin (g/dL)": ["14.1 ± 1.2", "13.5 ± 1.3", "14.3 ± 1.2", "14.0 ± 1.3"],
    "WBC count (cells/mm³)": ["7,160 ± 2,438", "6,600 ± 1,304", "7,070 ± 2,215", "6,943 ± 1,989"],
    "Platelet count (cells/mm³)": ["207,000 ± 64,389", "194,500 ± 37,936", "194,500 ± 57,880", "198,667 ± 52,999"],
    "AST (U/L)": ["24.5 ± 7.6", "20.7 ± 3.6", "29.3 ± 11.1", "24.8 ± 8.5"],
    "ALT (U/L)": ["23.0 ± 16.2", "16.5 ± 6.0", "31.9 ± 15.6", "23.8 ± 14.5"],
    "6-minute walk distance (m)": ["345.9 ± 103.4", "390.6 ± 148.9", "385.8 ± 83.1", "374.1 ± 112.9"],
    "FEV1 (L)": ["2.5 ± 0.7", "2.3 ± 0.9", "2.3 ± 0.5", "2.4 ± 0.7"],
    "FEV1, percent predicted (% predicted)": ["90.6 ± 10.4", "86.9 ± 25.4", "87.9 ± 15.2", "88.5 ± 17.6"],
    "Serum TNF-α (pg/mL)": ["3.2 (2.8, 3.8)", "3.2 (2.6, 3.4)", "2.4 (1.1, 3.1)", "3.1 (2.1, 3.4)"],
}
ARMS = ["100M", "200M", "placebo", "total"]


@pytest.fixture(scope="module")
def published():
    return load_study()


@pytest.fixture(scope="module")
def full_table_one(published):
    return table_one(published).set_index("Characteristic")


@pytest.mark.parametrize("characteristic, arm, expected",
                         [(c, arm, cells[i]) for c, cells in TABLE_1.items() for i, arm in enumerate(ARMS)])
def test_table_one_cell_equals_the_paper(full_table_one, characteristic, arm, expected):
    assert full_table_one.loc[characteristic, ARM_COLUMNS[arm]] == expected


def test_table_one_has_the_paper_s_rows_in_order(full_table_one):
    headings = ["Gender", "Ethnicity", "Race", "Infusion status", "Canadian Clinical Frailty Score"]
    assert [r for r in full_table_one.index if not r.startswith(INDENT)] == [
        "Gender", "Ethnicity", "Race", "Age at infusion (years)", "Infusion status",
        "Canadian Clinical Frailty Score", "Mini-mental state examination (points)", "Hemoglobin (g/dL)",
        "WBC count (cells/mm³)", "Platelet count (cells/mm³)", "AST (U/L)", "ALT (U/L)",
        "6-minute walk distance (m)", "FEV1 (L)", "FEV1, percent predicted (% predicted)", "Serum TNF-α (pg/mL)"]
    assert all(full_table_one.loc[h].eq("").all() for h in headings)


@pytest.mark.parametrize("arms", [["100M"], ["200M", "placebo"], ["100M", "placebo"], ["placebo", "100M", "200M"]])
def test_table_one_columns_follow_the_selected_arms(published, arms):
    table = table_one(published, arms=arms)
    hidden = [short for a, short in (("100M", "100M"), ("200M", "200M"), ("placebo", "Placebo")) if a not in arms]
    # a total over hidden arms names them (issue 21): "All arms (incl. hidden 200M) (N = 30)"
    total = f"All arms (incl. hidden {', '.join(hidden)}) (N = 30)" if hidden else ARM_COLUMNS["total"]
    expected = [ARM_COLUMNS[a] for a in ["100M", "200M", "placebo"] if a in arms] + [total]
    assert list(table.columns) == ["Characteristic", *expected]


def test_table_one_without_total(published):
    table = table_one(published, arms=["100M"], total=False)
    assert list(table.columns) == ["Characteristic", ARM_COLUMNS["100M"]]


def test_table_one_uses_table_values_not_results_values(published):
    # FEV1 baseline SD is 0.7 in Table 1 and 0.66 in the Results; Table 1 shows 0.7.
    table = table_one(published).set_index("Characteristic")
    assert table.loc["FEV1 (L)", ARM_COLUMNS["100M"]] == "2.5 ± 0.7"


def test_a_cell_missing_from_the_data_reads_not_reported(published):
    summary = published.summary
    trimmed = summary[~((summary["endpoint"] == "ast") & (summary["arm"] == "200M"))]
    table = table_one(dataclasses.replace(published, summary=trimmed)).set_index("Characteristic")
    assert table.loc["AST (U/L)", ARM_COLUMNS["200M"]] == NOT_REPORTED


def test_standardized_difference_of_a_mean(published):
    d = standardized_differences(published)
    row = d[(d["endpoint"] == "six_minute_walk") & (d["arm"] == "100M")]
    # (345.9 − 385.8) / sqrt((103.4² + 83.1²) / 2), Table 1
    assert row["estimate"].iloc[0] == pytest.approx(-39.9 / ((103.4 ** 2 + 83.1 ** 2) / 2) ** 0.5, abs=1e-9)


def test_standardized_difference_of_a_proportion(published):
    d = standardized_differences(published)
    row = d[(d["endpoint"] == "ethnicity") & (d["level"] == "hispanic_or_latino") & (d["arm"] == "100M")]
    # p1 = 0.1, p0 = 0.2: (0.1 − 0.2) / sqrt((0.09 + 0.16) / 2) = −0.2828
    assert row["estimate"].iloc[0] == pytest.approx(-0.28284, abs=1e-5)


def test_median_characteristics_get_no_standardized_difference(published):
    d = standardized_differences(published)
    row = d[d["endpoint"] == "tnf_alpha_serum"]
    assert row["estimate"].isna().all() and row["note"].str.contains("median").all()


# Table 2: (term, arm, events cell, patients cell, total events cell, total patients cell)
TABLE_2 = [
    ("Death", "200M", "1 (50%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Cholecystitis", "placebo", "1 (17%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Gastroenteritis", "placebo", "1 (17%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Flank pain", "100M", "1 (50%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Spinal column stenosis", "placebo", "1 (17%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Spondylolisthesis", "200M", "1 (50%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Glioblastoma", "placebo", "1 (17%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Ureteric stenosis", "100M", "1 (50%)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Aneurysm", "placebo", "1 (16% ⚠)", "1 (10%)", "1 (10%)", "1 (3%)"),
    ("Hypotension", "placebo", "1 (17%)", "1 (10%)", "1 (10%)", "1 (3%)"),
]
LABELS = {"100M": "100M", "200M": "200M", "placebo": "Placebo", "total": "Total"}


SAE_INDEX = "System organ class / preferred term"


@pytest.fixture(scope="module")
def full_sae_table(published):
    return sae_table(published).set_index(SAE_INDEX)


@pytest.mark.parametrize("term, arm, events, patients, total_events, total_patients", TABLE_2)
def test_sae_table_row_equals_the_paper(full_sae_table, term, arm, events, patients, total_events, total_patients):
    row = full_sae_table.loc[INDENT + term]
    assert [row[f"{LABELS[arm]} events"], row[f"{LABELS[arm]} patients"], row["Total events"],
            row["Total patients"]] == [events, patients, total_events, total_patients]


@pytest.mark.parametrize("arm, events, patients", [
    # Table 2, Total row: "2 (100%) 1 (10%) 2 (100%) 2 (20%) 6 (100%) 4 (40%) 10 (100%) 7 (23%)"
    ("100M", "2 (100%)", "1 (10%)"), ("200M", "2 (100%)", "2 (20%)"), ("placebo", "6 (100%)", "4 (40%)"),
    ("total", "10 (100%)", "7 (23%)"),
])
def test_sae_totals_equal_the_paper(full_sae_table, arm, events, patients):
    totals = full_sae_table.loc["Total"]
    assert [totals[f"{LABELS[arm]} events"], totals[f"{LABELS[arm]} patients"]] == [events, patients]


def test_sae_table_marks_inferred_and_stated_assignments(full_sae_table):
    assert full_sae_table.loc[INDENT + "Death", "Arm assignment"] == "stated"
    assert full_sae_table.loc[INDENT + "Flank pain", "Arm assignment"] == "inferred"


def test_sae_table_notes_the_aneurysm_percentage(full_sae_table):
    assert full_sae_table.loc[INDENT + "Aneurysm", "Note"] == "Placebo: printed 16% of events; 1 of 6 is 17%"


def test_sae_table_groups_terms_under_their_system_organ_class(full_sae_table):
    rows = list(full_sae_table.index)
    musculoskeletal = rows.index("Musculoskeletal and connective tissue disorders")
    assert rows[musculoskeletal + 1:musculoskeletal + 4] == [
        INDENT + "Flank pain", INDENT + "Spinal column stenosis", INDENT + "Spondylolisthesis"]
    assert full_sae_table.loc["Musculoskeletal and connective tissue disorders", "Total events"] == ""


def test_sae_table_drops_deselected_arms(published):
    table = sae_table(published, arms=["placebo"])
    assert not any(c.startswith(("100M", "200M")) for c in table.columns)


# Table 3: "Negative (0–10%) 9 8 10 Mild (11–20%) 1 0 0 Moderate (21–79%) 0 2 0 High (≥80%) 0 0 0"
TABLE_3 = {"Negative (0–10%)": [9, 8, 10], "Mild (11–20%)": [1, 0, 0], "Moderate (21–79%)": [0, 2, 0],
           "High (≥80%)": [0, 0, 0]}


@pytest.mark.parametrize("category, counts", TABLE_3.items())
def test_cpra_table_equals_the_paper(published, category, counts):
    table = category_table(published, "cpra").set_index("Calculated panel reactive antibodies")
    assert table.loc[category].tolist() == counts


def test_cpra_counts_add_up_to_each_arm_s_n(published):
    long = category_long(published, "cpra")
    assert long.groupby("arm")["count"].sum().to_dict() == {"100M": 10, "200M": 10, "placebo": 10}


def test_hospitalizations_match_the_text(published):
    # Results: Hospitalization — 1 patient (2 moderate) in 100M, none in 200M, 3 patients in placebo
    # (2 moderate + 1 severe; 1 moderate; 1 severe); Table 2 note: seven hospitalizations.
    table = hospitalization_table(published).set_index("Arm")
    assert table.loc["Allo-hMSC 100M"].tolist() == [1, 2, 2, 0, 0]
    assert table.loc["Allo-hMSC 200M"].tolist() == [0, 0, 0, 0, 0]
    assert table.loc["Placebo"].tolist() == [3, 5, 3, 2, 0]
    assert table.loc["Total"].tolist() == [4, 7, 5, 2, 0]


def test_arms_visits_and_endpoints_are_named_as_a_reader_sees_them():
    """One resolver (cratus.study.design.resolve_name): an id, a label or a short name, in any case."""
    study = load_study(Path(__file__).parent / "fixtures" / "study_two_arms")
    design = study.design
    for arm in design.arm_ids:
        assert design.arm_id(design.label(arm)) == design.arm_id(design.short(arm).upper()) == arm
    for visit in design.visit_ids:
        assert design.visit_id(design.visit_label(visit)) == visit
    endpoint = study.endpoints["endpoint"].iloc[0]
    assert study.endpoint_id(study.label(endpoint)) == endpoint
    labels = [design.label(a) for a in design.arm_ids]
    assert table_one(study, arms=labels).equals(table_one(study, arms=design.arm_ids))
    assert standardized_differences(study, arms=labels).equals(standardized_differences(study))
    with pytest.raises(ValueError, match="is not an arm of this study"):
        design.arm_id("no such arm")
    with pytest.raises(ValueError, match="is not a visit of this study"):
        design.visit_id("Week 99")
