"""data/discrepancies.csv against the paper and against the audit's one rounding rule (issue 21)."""


import pytest

from cratus.appraisal.audit import check_discrepancies
from cratus.formatting import consistent_roundings, printed_interval, rounding_interval
from cratus.stats.between_arms import smallest_between_p
from cratus.stats.within_arm import paired_p
from cratus.study.discrepancies import COMPARISONS, Value, contesting, for_page, is_contradiction
from cratus.study.model import load_study
from cratus.study.provenance import select_p_values

pytestmark = pytest.mark.unit

@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def rows(study):
    return study.discrepancies.fillna("").to_dict("records")


# --- the one rounding rule ----------------------------------------------------------------------
@pytest.mark.parametrize("a, b, same", [
    ("p = .03", "p = .035", True),     # SQOL-F, Abstract vs Results: any p in [.0345, .035) prints as both
    ("0.7", "0.66", True),             # FEV1 100M baseline SD, Table 1 vs Results
    ("p = .01", "p = .031", False),    # SPPB 100M, Abstract vs Results
    ("p = .01", "p = .025", False),    # FEV1 100M, Abstract vs Results
    ("p = .002", "p = .001", False),   # B-cell TNF-α 200M, Abstract vs Results
    ("p = .003", "p < .00001", False),  # B-cell TNF-α 100M vs placebo, Abstract vs Results
    ("p = .01", "p = .011", True),     # 6MWT 100M, Abstract vs Results: .011 rounds to .01
    ("1,4542", "14542", False),        # a malformed number is not a number
])
def test_consistent_roundings(a, b, same):
    assert consistent_roundings(a, b) is same


def test_rounding_interval_is_half_a_unit_of_the_last_digit():
    assert rounding_interval(0.035, 3) == (0.0345, 0.0355)
    assert printed_interval("p = .03") == (0.025, 0.035)
    assert printed_interval("p < .00001") == (0.0, 0.00001)
    assert printed_interval("7,160") == (7159.5, 7160.5)


def test_every_entry_agrees_with_the_rounding_rule(rows):
    # an entry is "consistent roundings" exactly when its two printed values can be one value
    disagree = [r["id"] for r in rows
                if consistent_roundings(r["version_a"], r["version_b"]) != (r["kind"] == "consistent_rounding")]
    assert disagree == []
    assert sorted(r["id"] for r in rows if r["kind"] == "consistent_rounding") == ["D08", "D16"]


def test_the_audit_passes_consistent_roundings_whatever_the_file_says():
    import pandas as pd
    d = pd.DataFrame([{"id": "X1", "endpoint": "sqol_f", "arm": "100M", "visit": "month6", "statistic": "p_value",
                       "kind": "contradiction", "version_a": "p = .03", "location_a": "Abstract",
                       "version_b": "p = .035", "location_b": "Results", "shown": "p = .035", "reason": "r"}])
    row = check_discrepancies(d).iloc[0]
    assert (row["status"], row["check"]) == ("pass", "curated: consistent roundings")
    assert not is_contradiction(d.iloc[0].to_dict())


def test_consistent_roundings_are_not_listed_as_contradictions(study):
    listed = set(for_page(study.discrepancies, ["fev1", "sqol_f"], "*")["id"])
    assert "D08" not in listed and "D16" not in listed and "D02" in listed


# --- quotes and what each entry is about ---------------------------------------------------------
def test_every_quote_is_verbatim_in_the_paper(rows, paper_text):
    missing = [(r["id"], k) for r in rows for k in ("quote_a", "quote_b") if r[k] and r[k] not in paper_text]
    assert missing == []


@pytest.mark.parametrize("entry, a, b", [
    # Table 3's body vs its note (issue 21 separated them from the Results)
    ("D24", "% Increase in donor specific cPRA (Baseline to 6 mo)", "36% cPRA which was not donor specific"),
    ("D27", "improvements in physical performance measures and inflammatory biomarkers",      # Abstract: Conclusion
     "no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen"),              # Results
    ("D28", "Both the 100M and 200M doses were effective in modulating immune parameters",    # Results
     "The lack of differences between groups, with the exception of intracellular TNF-α"),   # Discussion
    ("D29", "Efficacy was demonstrated by differences in the rate of change",                 # Methods
     "These outcomes preferentially improved in patients randomized to receive 100M"),       # Results
    ("D30", "p = .001", "p < .00001 and p = .00002"),                                         # numbers
    ("D33", "with adverse events at 12 months", "at the 6- and 12-month time points"),       # time points
])
def test_the_second_reread_carries_both_quotes(study, entry, a, b):
    row = study.discrepancies.set_index("id").loc[entry]
    assert a in row["quote_a"] and b in row["quote_b"]
    assert row["location_a"] and row["location_b"] and row["sentence"]


def test_entries_added_by_the_second_reread_all_have_both_quotes(rows):
    new = [r for r in rows if int(r["id"][1:]) >= 24]
    assert len(new) == 10 and all(r["quote_a"] and r["quote_b"] for r in new)


def test_every_p_value_entry_names_its_comparison_and_a_printed_p_value(study, rows):
    printed = {(r["endpoint"], r["arm"], r["comparison"]) for r in study.p_values.to_dict("records")}
    for r in rows:
        if r["statistic"] != "p_value" or r["id"] == "D15":     # D15: the comparison itself is unclear
            continue
        assert r["comparison"] in COMPARISONS, r["id"]
        if r["arm"]:
            assert (r["endpoint"], r["arm"], r["comparison"]) in printed, r["id"]


def test_table_3_body_and_note_are_separate_entries(study):
    d = study.discrepancies.set_index("id")
    assert d.loc["D10", ["endpoint", "location_b"]].tolist() == ["donor_specific_antibodies", "Table 3 note"]
    assert d.loc["D24", ["endpoint", "location_a", "location_b"]].tolist() == ["cpra", "Table 3 (body)",
                                                                             "Table 3 note"]
    assert all("Table 3 and its note" not in d.loc[i, "location_b"] for i in d.index)


# --- numbers that cannot all be true together (Results: Immune biomarkers, B-cell TNF-α) ------------
def test_the_200m_between_arm_p_is_not_reachable_from_the_within_arm_p_values():
    # 200M p = .001 and placebo p = .69 within the arms, 10 per arm: no t-test on the changes gives a p
    # below about .00005 (scipy.stats.t), while "p = .00002" stands for [.000015, .000025)
    lowest = [printed_interval(p)[0] for p in ("p = .001", "p = .69")]     # the most favourable rounding
    smallest = smallest_between_p(*lowest, 10, 10)
    assert smallest == pytest.approx(4.80e-5, rel=0.01)
    assert smallest > printed_interval("p = .00002")[1]


def test_the_200m_plus_minus_cannot_be_an_sd():
    # "17.1 ± 2.0 to 8.4 ± 1.1, p = .001": the largest SD of change is 2.05 + 1.15 (r = -1), the smallest fall
    # 8.6; a paired t-test on 10 pairs then gives p < .00002, far below .0005 (the bottom of "p = .001")
    assert paired_p(8.6, 2.05 + 1.15, 10) < 0.00002
    assert paired_p(8.6, 2.05 + 1.15, 7) < printed_interval("p = .001")[0]


# --- a verdict finds the discrepancies about the numbers it uses --------------------------------------
def test_the_b_cell_verdict_finds_what_contests_its_p_values(study):
    p = select_p_values(study.p_values)
    used = [Value(r["endpoint"], r["arm"], r["visit"], "p_value", r["comparison"])
            for r in p[(p["endpoint"] == "tnf_alpha_bcell") & (p["comparison"] == "vs_control")].to_dict("records")]
    found = contesting(study.discrepancies, used)
    # the unreachable .00002 first (kind incompatible), then Abstract .003 / .039 against the Results
    assert found["id"].tolist() == ["D30", "D04", "D05"]


def test_an_undisputed_value_finds_nothing(study):
    # 100M within-arm p < .0001: the Abstract and the Results print the same bound
    assert contesting(study.discrepancies, [Value("tnf_alpha_bcell", "100M", "month6", "p_value",
                                                  "within_arm")]).empty
    # SQOL-F: .03 and .035 are consistent roundings, so nothing contests it
    assert contesting(study.discrepancies, [Value("sqol_f", "100M", "month6", "p_value", "within_arm")]).empty


def test_the_audit_names_where_a_claim_about_the_whole_trial_stands(study):
    from cratus.appraisal.audit_display import audit_view

    _, table = audit_view(study, tuple(study.design.arm_ids), ("fail",))
    # D29, Methods: "Efficacy was demonstrated by differences in the rate of change" — no single endpoint
    row = table[table["Reported"].str.startswith("efficacy judged by change from baseline")]
    assert row["Where"].tolist() == ["The trial's conclusions"]
    assert "" not in table["Where"].tolist()


def test_the_unreachable_p_says_under_which_n_it_holds():
    # pooled t, 9 measured in 200M and 10 in placebo, most favourable rounding of .001 and .69: p ≈ .000016,
    # below .000025 — so D30 is stated for 10 per arm and names the 9-patient case
    assert smallest_between_p(0.0005, 0.685, 9, 10) < printed_interval("p = .00002")[1]
    row = load_study().discrepancies.set_index("id").loc["D30"]
    assert "10 patients per arm" in row["sentence"] and "with 9 measured in the 200M arm" in row["sentence"]
