"""The published data files: provenance, validity, and the messages for malformed files."""

import re

import pandas as pd
import pytest

from cratus.study.published import DATA_DIR, load_adverse_events, load_discrepancies, load_endpoints, load_p_values, load_summary
from cratus.study.model import load_study

@pytest.fixture(scope="module")
def published():
    return load_study()


QUOTED_FILES = ["summary.csv", "p_values.csv", "adverse_events.csv", "hospitalizations.csv",
                "long_term_events.csv", "statements.csv"]


@pytest.mark.parametrize("file", QUOTED_FILES)
def test_every_quote_is_in_the_paper(file, paper_text):
    frame = pd.read_csv(DATA_DIR / file, dtype=str, keep_default_na=False)
    missing = [q for q in frame["quote"] if q and q not in paper_text]
    assert missing == []


def _digits(text):
    return re.sub(r"(?<=\d),(?=\d)", "", text)


#: Small counts the paper writes as words ("no panel reactive antibodies", "two other patients").
NUMBER_WORDS = {"0": ("no", "none"), "1": ("one",), "2": ("two",), "3": ("three",), "4": ("four",),
                "5": ("five",), "6": ("six",), "7": ("seven",), "8": ("eight",), "9": ("nine",), "10": ("ten",)}


def _printed_in(value, quote):
    """*value* occurs in *quote* as digits, or (a count up to ten) as a whole English word."""
    if value in _digits(quote) or value in quote:
        return True
    words = set(re.findall(r"[a-z]+", quote.lower()))
    return any(word in words for word in NUMBER_WORDS.get(value, ()))


@pytest.mark.parametrize("value, quote, expected", [
    ("0", "There were no panel reactive antibodies", True),
    ("2", "There were two other patients", True),
    ("3", "Three patients had a mild/moderate increase", True),
    ("2", "There were three patients", False),
    ("0", "Nothing was noted", False),   # "no" must be a whole word
    ("12.5", "twelve and a half", False),
])
def test_number_words_count_only_as_whole_words(value, quote, expected):
    assert _printed_in(value, quote) is expected


def test_every_summary_value_is_printed_in_its_quote():
    frame = pd.read_csv(DATA_DIR / "summary.csv", dtype=str, keep_default_na=False)
    absent = [(row.endpoint, row.arm, row.statistic, row.value) for row in frame.itertuples()
              if not _printed_in(row.value, row.quote)]
    assert absent == []


def test_every_p_value_is_printed_in_its_quote():
    frame = pd.read_csv(DATA_DIR / "p_values.csv", dtype=str, keep_default_na=False)
    absent = [(row.endpoint, row.arm, row.p_value) for row in frame.itertuples()
              if f"p {row.relation} {row.p_value.removeprefix('0')}" not in row.quote]
    assert absent == []


def test_every_endpoint_used_is_in_the_dictionary(published):
    known = set(published.endpoints["endpoint"])
    used = set(published.summary["endpoint"]) | set(published.p_values["endpoint"])
    used |= {s.endpoint for s in published.statements if s.endpoint}
    assert used - known == set()


def test_results_given_in_words_only_are_statements(published):
    found = {(s.endpoint, s.comparison, s.finding) for s in published.statements}
    # Discussion: "The lack of differences between groups, with the exception of intracellular TNF-α, is due to the
    # study's small size" — every efficacy endpoint with numbers but no between-group p-value, B-cell TNF-α excepted
    for endpoint in ("six_minute_walk", "sppb", "champs", "fev1", "cd69", "cd25", "cd8", "cd4", "cd4_cd8_ratio",
                     "tnf_alpha_serum", "sqol_f"):
        assert (endpoint, "between_arms", "no_difference") in found
    assert not any(e == "tnf_alpha_bcell" for e, _, _ in found)
    # Results: Immune biomarkers: "no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen at 6 months
    # in any group (data not shown)"
    for endpoint in ("il6", "crp", "d_dimer", "cbc", "fibrinogen"):
        assert (endpoint, "within_arm", "no_significant_change") in found
    # Results: Functional status "remained stable"; Results: Safety (infusion, laboratory tests); Methods (TE-SAE)
    assert ("ejection_fraction", "within_arm", "stable") in found
    assert ("infusion_reaction", "", "none_occurred") in found
    assert ("safety_laboratory", "within_arm", "no_clinically_significant_change") in found
    assert ("te_sae_30_days", "", "definition") in found and ("", "", "limitation") in found


@pytest.mark.parametrize("text, message", [
    ("endpoint,arm,comparison,visit,finding,source,quote\nwalk,all,between_arms,,better,Discussion,q\n",
     "statements.csv, row 2, column 'finding': 'better' is not one of"),
    ("endpoint,arm,comparison,visit,finding,source,quote\nwalk,all,between_arms,,no_difference,Discussion,\n",
     "statements.csv, row 2, column 'quote': is empty"),
])
def test_a_malformed_statement_names_file_row_and_column(text, message, tmp_path):
    from cratus.study.published import load_statements
    path = tmp_path / "statements.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_statements(path)


@pytest.mark.parametrize("endpoint", ["age", "sex", "ethnicity", "race", "infusion_status", "cfs", "mmse",
                                      "hemoglobin", "wbc", "platelets", "ast", "alt", "six_minute_walk", "fev1",
                                      "fev1_pct_predicted", "tnf_alpha_serum", "sppb", "champs", "gait_speed_4m",
                                      "weight", "mfi", "grip_strength", "ejection_fraction", "cd69", "cd25", "cd8",
                                      "cd4", "cd4_cd8_ratio", "tnf_alpha_bcell", "cpra", "sqol_f", "iief"])
def test_the_issue_s_endpoint_ids_are_defined(endpoint, published):
    assert endpoint in set(published.endpoints["endpoint"])


@pytest.mark.parametrize("endpoint, arm, visit, statistic, source, value", [
    # Results: Functional status ... "(345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011; Figure 2A)"
    ("six_minute_walk", "100M", "month6", "mean", "Results: Functional status, quality of life, and pulmonary "
                                                  "function", 410.7),
    # Table 1: "FEV1 (L) 2.5 ± 0.7" and Results "(2.5 ± 0.66 to 2.6 ± 0.77 L/min"
    ("fev1", "100M", "baseline", "sd", "Table 1", 0.7),
    ("fev1", "100M", "baseline", "sd", "Results: Functional status, quality of life, and pulmonary function", 0.66),
    # Table 1: "WBC count (cells/mm 3 ) 7,160 ± 2,438"
    ("wbc", "100M", "baseline", "mean", "Table 1", 7160),
    # Results: Immune biomarkers "(27.0 ± 4.30 to 16.4 ± 7.25%, p = .004"
    ("cd69", "200M", "month6", "sd", "Results: Immune biomarkers", 7.25),
    # Results: "(median 5,118.8, IQR 1,470.0, 1,4542 ..." read as 14542 (discrepancy D06)
    ("champs", "200M", "baseline", "q3", "Results: Functional status, quality of life, and pulmonary function",
     14542),
    # Table 3: "Moderate (21–79%) 0 2 0"
    ("cpra", "200M", "month6", "count", "Table 3", 2),
])
def test_summary_holds_the_printed_number(published, endpoint, arm, visit, statistic, source, value):
    s = published.summary
    rows = s[(s["endpoint"] == endpoint) & (s["arm"] == arm) & (s["visit"] == visit) & (s["statistic"] == statistic)
             & (s["source"] == source) & ((s["level"] == "") | (s["endpoint"] == "cpra"))]
    if endpoint == "cpra":
        rows = rows[rows["level"] == "moderate"]
    assert rows["value"].tolist() == [pytest.approx(value)]


def test_six_month_values_the_text_does_not_give_have_no_row(published):
    s = published.summary
    # The Results give 6-month 6MWT for 100M only; 200M and placebo have p-values only.
    rows = s[(s["endpoint"] == "six_minute_walk") & (s["visit"] == "month6")]
    assert sorted(rows["arm"].unique()) == ["100M"]


def test_printed_precision_is_kept(published):
    s = published.summary
    row = s[(s["endpoint"] == "cd69") & (s["arm"] == "200M") & (s["visit"] == "baseline") & (s["statistic"] == "sd")]
    assert row["printed"].tolist() == ["4.30"]


def test_p_value_bounds_keep_their_relation(published):
    p = published.p_values
    row = p[(p["endpoint"] == "tnf_alpha_bcell") & (p["arm"] == "100M") & (p["comparison"] == "vs_control")
            & p["source"].str.startswith("Results")]
    assert row[["p_value", "relation"]].values.tolist() == [[0.00001, "<"]]


def test_abstract_and_results_contradictions_are_curated(published):
    d = published.discrepancies.set_index("id")
    assert d.loc[["D01", "D03", "D04", "D05"], "kind"].tolist() == ["contradiction"] * 4


# --- malformed files --------------------------------------------------------------------------

GOOD_SUMMARY = (
    "endpoint,level,arm,visit,statistic,value,source,quote\n"
    "participants,,100M,baseline,n,10,Table 1,N = 10\n"
    "age,,100M,baseline,mean,75.0,Table 1,75.0 ± 7.4\n"
)


def _csv(text):
    return text.encode("utf-8")


@pytest.mark.parametrize("text, message", [
    (GOOD_SUMMARY.replace("statistic,", "stat,"), "missing column(s) 'statistic'"),
    (GOOD_SUMMARY + "age,,300M,baseline,sd,7.4,Table 1,x\n", "row 4, column 'arm': '300M' is not one of"),
    (GOOD_SUMMARY + "age,,100M,week2,sd,7.4,Table 1,x\n", "row 4, column 'visit': 'week2' is not one of"),
    (GOOD_SUMMARY + "age,,100M,baseline,variance,7.4,Table 1,x\n", "row 4, column 'statistic': 'variance'"),
    (GOOD_SUMMARY + "wbc,,100M,baseline,mean,\"7,160\",Table 1,x\n",
     "row 4, column 'value': '7,160' is not a number (write numbers without thousands separators)"),
    (GOOD_SUMMARY + "age,,100M,baseline,mean,75.0,Table 1,again\n",
     "row 4, column 'endpoint': duplicate of row 3"),
    (GOOD_SUMMARY + "sex,male,100M,baseline,count,12,Table 1,x\n",
     "row 4, column 'value': count 12 exceeds n = 10 for arm '100M'"),
    (GOOD_SUMMARY + "age,,100M,baseline,sd,-1,Table 1,x\n", "row 4, column 'value': '-1': a sd cannot be negative"),
    (GOOD_SUMMARY + "sex,male,100M,baseline,percent,140,Table 1,x\n", "a percent cannot exceed 100"),
    (GOOD_SUMMARY + "sex,male,100M,baseline,count,2.5,Table 1,x\n", "'2.5' is not a count"),
    (GOOD_SUMMARY + "tnf,,100M,baseline,median,3.2,Table 1,x\ntnf,,100M,baseline,q3,2.0,Table 1,x\n",
     "row 5, column 'value': Q3 2 is below the median 3.2"),
    (GOOD_SUMMARY + "age,,,baseline,sd,7.4,Table 1,x\n", "row 4, column 'arm': is empty"),
])
def test_malformed_summary_names_file_row_and_column(text, message):
    with pytest.raises(ValueError) as error:
        load_summary(_csv(text), name="upload.csv", design=load_study().design)
    assert str(error.value).startswith("upload.csv")
    assert message in str(error.value)


@pytest.mark.parametrize("loader, text, message", [
    (load_p_values, "endpoint,arm,comparison,visit,p_value,relation,source,quote\n"
                    "sppb,100M,within_arm,month6,1.2,=,Results,x\n", "row 2, column 'p_value': 1.2 is above 1"),
    (load_p_values, "endpoint,arm,comparison,visit,p_value,relation,source,quote\n"
                    "sppb,100M,within_arm,month6,0.03,≤,Results,x\n", "row 2, column 'relation': '≤'"),
    (load_p_values, "endpoint,arm,comparison,visit,p_value,relation,source,quote\n"
                    "sppb,100M,paired,month6,0.03,=,Results,x\n", "row 2, column 'comparison': 'paired'"),
    (load_adverse_events, "soc,term,arm,events,patients,assignment,source,quote\n"
                          "Vascular,Aneurysm,placebo,1,2,inferred,Table 2,x\n",
     "row 2, column 'patients': 2 patients but only 1 events"),
    (load_adverse_events, "soc,term,arm,events,patients,assignment,source,quote\n"
                          "Vascular,Aneurysm,placebo,1,1,guessed,Table 2,x\n", "row 2, column 'assignment': 'guessed'"),
    (load_endpoints, "endpoint,label,unit,domain,figure,summary,better,description\n"
                     "x,X,,cardiology,,mean_sd,,\n", "row 2, column 'domain': 'cardiology'"),
    (load_discrepancies, "id,endpoint,arm,visit,statistic,kind,version_a,location_a,version_b,location_b,shown,reason\n"
                         "D1,x,,,,contradiction,,a,b,c,d,e\n", "row 2, column 'version_a': is empty"),
])
def test_malformed_files_name_file_row_and_column(loader, text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        loader(_csv(text), name="upload.csv")


def test_a_file_that_is_not_csv_gets_a_clear_message():
    with pytest.raises(ValueError, match="upload.csv: cannot be read as CSV"):
        load_summary(b"\x89PNG not a table", name="upload.csv")


def test_an_unknown_endpoint_is_named_with_its_file(tmp_path):
    for file in DATA_DIR.glob("*.csv"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    with open(tmp_path / "p_values.csv", "a", encoding="utf-8") as handle:
        handle.write("grip,all,between_arms,month6,0.5,=,Results,x\n")
    with pytest.raises(ValueError, match=r"p_values.csv, row \d+, column 'endpoint': 'grip' is not in endpoints.csv"):
        load_study(tmp_path)


# --- issue 9: notes and prose, the plain sentences of the discrepancies, mcid.csv -------------

@pytest.mark.parametrize("endpoint, level, arm, source, value", [
    # Results: Immune biomarkers "(one mild in the 100M- and two moderate in the 200M-group)"
    ("donor_specific_antibodies", "", "200M", "Results: Immune biomarkers", 2),
    # Table 3 note: "one patient developed a 29% cPRA which was donor specific for 1 class II"
    ("donor_specific_antibodies", "", "200M", "Table 3 note", 1),
    # "There were two other patients in the 200M-group ... not donor-specific reactions"
    ("non_donor_specific_cpra", "", "200M", "Results: Immune biomarkers", 2),
    # Table 3 note: "another patient developed 36% cPRA which was not donor specific"
    ("cpra_reaction", "moderate_36_not_donor_specific_class_1", "200M", "Table 3 note", 1),
    # Results: Safety "No TE-SAEs occurred in any of the three groups in the first 30 days."
    ("te_sae_30_days", "", "placebo", "Results: Safety", 0),
])
def test_numbers_from_notes_and_prose(published, endpoint, level, arm, source, value):
    s = published.summary
    rows = s[(s["endpoint"] == endpoint) & (s["level"] == level) & (s["arm"] == arm) & (s["source"] == source)]
    assert rows["value"].tolist() == [value]


def test_cpra_reaction_levels_carry_percent_and_class(published):
    labels = published.levels.set_index(["endpoint", "level"])["label"]
    # Table 3 note: "1 had a mild cPRA of 19% that was donor specific for class I"
    assert labels[("cpra_reaction", "mild_19_donor_specific_class_1")] == "Mild, cPRA 19%, donor specific, class I"


def test_every_discrepancy_has_a_plain_sentence_without_ids(published):
    d = published.discrepancies
    texts = list(d["sentence"]) + list(d["reason"])
    assert all(t.strip() for t in d["sentence"])
    assert [t for t in texts if re.search(r"\bD\d{2}\b|arm '|\bvs_|within_arm|_", t)] == []


def test_the_rereads_added_their_entries(published):
    d = published.discrepancies.set_index("id")
    # Abstract "p = .03" vs Results "p = .035" for SQOL-F in 100M: consistent roundings (issue 21), kept as such
    assert d.loc["D16", ["endpoint", "kind", "version_a", "version_b", "shown"]].tolist() == [
        "sqol_f", "consistent_rounding", "p = .03", "p = .035", "p = .035"]
    # 23 after issue 9; issue 21 split Table 3's body from its note (D24-D26) and added D27-D33
    assert len(d) == 33


def test_mcid_file_is_complete(published):
    m = published.mcid
    assert set(m["endpoint"]) <= set(published.endpoints["endpoint"])
    assert all(c.strip() for c in m["citation"])
    assert (m["low"].astype(float) < m["high"].astype(float)).all()
    # Perera et al. 2006: small 20 m / 0.5 point, substantial 50 m / 1.0 point
    assert m.set_index("endpoint").loc[["six_minute_walk", "sppb"], ["low", "high"]].values.tolist() == [
        ["20", "50"], ["0.5", "1.0"]]
