"""A view that hides an arm never shows a total that includes it without saying so (issue 21).

Every total shown next to a subset of the arms is either named for the hidden arms it includes
("All arms (incl. hidden 200M)", :meth:`cratus.study.design.Design.total_label`) or is the total of the
shown arms and says so.
"""

import pytest

from cratus.study.design import TOTAL
from cratus.study.model import load_study
from cratus.tables.baseline import table_one
from cratus.tables.safety import hospitalization_table, safety_counts, sae_table, sae_table_part

INDENT = "\u2003"


@pytest.fixture(scope="module")
def published():
    return load_study()


def test_total_label_names_the_hidden_arms(published):
    design = published.design
    assert design.total_label() == "Total" and design.total_label(design.arm_ids) == "Total"
    assert design.total_label(["100M", "placebo"]) == "All arms (incl. hidden 200M)"
    assert design.total_label(["Allo-hMSC 200M"]) == "All arms (incl. hidden 100M, Placebo)"
    assert design.hidden(["placebo", "100M"]) == ["200M"] and design.hidden(None) == []


def test_the_death_row_of_a_link_without_200m_names_the_total(published):
    # Table 2: Death, 200M arm: 1 event (50% of 200M's 2 events), 1 patient; Total: 1 (10%) of 10 events, 1 (3%) of 30
    table = sae_table(published, arms=("100M", "placebo"), compact=True).set_index(
        "System organ class / preferred term")
    row = table.loc[INDENT + "Death"]
    assert row["100M: events · patients"] == "0" and row["Placebo: events · patients"] == "0"
    assert "Total: events · patients" not in table.columns
    assert row["All arms (incl. hidden 200M): events · patients"] == "1 (10%) · 1 (3%)"


def test_every_arm_shown_keeps_the_word_total(published):
    table = sae_table(published, compact=True)
    assert "Total: events · patients" in table.columns
    # Table 2 total row: 10 (100%) events, 7 (23%) patients
    assert table.iloc[-1]["Total: events · patients"] == "10 (100%) · 7 (23%)"


def test_a_deck_slide_of_the_sae_table_names_the_total_too(published):
    part = sae_table_part(published, ["General disorders and administration site conditions"],
                          arms=("100M", "placebo"), with_total=True)
    assert any(c.startswith("All arms (incl. hidden 200M)") for c in part.columns)


def test_table_one_total_with_a_hidden_arm(published):
    # Table 1, Age at infusion: Total 75.5 ± 7.3 over all 30 patients, whichever arms are shown
    table = table_one(published, arms=("100M", "placebo")).set_index("Characteristic")
    assert table.loc["Age at infusion (years)", "All arms (incl. hidden 200M) (N = 30)"] == "75.5 ± 7.3"


def test_hospitalizations_total_row_names_the_hidden_arms(published):
    # Results (hospitalizations): 100M 1 patient, 2 hospitalizations; placebo 3 patients, 5; all arms 4 and 7
    table = hospitalization_table(published, arms=("100M", "placebo"))
    assert table["Arm"].tolist() == ["Allo-hMSC 100M", "Placebo", "All arms (incl. hidden 200M)"]
    assert table.iloc[-1][["Patients hospitalized", "Hospitalizations"]].tolist() == [4, 7]


def test_safety_counts_total_column_names_the_hidden_arms(published):
    table = safety_counts(published, arms=("200M",))
    assert "All arms (incl. hidden 100M, Placebo) (N = 30)" in table.columns
    assert not any(c.startswith("Total") for c in table.columns)
    assert TOTAL == "total"
