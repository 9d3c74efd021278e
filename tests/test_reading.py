"""The bottom line (cratus/reading.py): verdicts, texts, safety bounds, baseline notes; CRATUS and a made-up study."""

import re

import pytest
from statsmodels.stats.proportion import proportion_confint

from cratus.stats.between_arms import standardized_difference
from cratus.reading.verdicts import (DIFFERS_NOT_SURVIVES, VERDICTS, baseline_imbalance_notes, bottom_line)
from cratus.reading.figure_line import figure_reading
from cratus.tables.safety_statements import primary_safety_endpoint, safety_line
from cratus.study.model import load_study


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def table(study):
    return bottom_line(study).set_index("endpoint")


# --- CRATUS ----------------------------------------------------------------------------------------
# Discussion: "The lack of differences between groups, with the exception of intracellular TNF-α, is due to the
# study's small size which limits statistical power." — a comparison between groups reported in words (data/statements.csv)
STATED = "the paper states no difference between groups, no p-value printed"


@pytest.mark.parametrize("endpoint, verdict", [
    # Results: Functional status: 6MWT 100M p = .011, 200M .263, placebo .112; between groups: Discussion, in words
    ("six_minute_walk", f"within-arm change in 100M; {STATED}"),
    # SPPB 100M p = .031; 200M .812; placebo .875
    ("sppb", f"within-arm change in 100M; {STATED}"),
    # CHAMPS fell in 200M (p = .008) and placebo (p = .039); 100M p = .641
    ("champs", f"within-arm change in 200M and Placebo; {STATED}"),
    ("fev1", f"within-arm change in 100M; {STATED}"),                                     # p = .025
    ("gait_speed_4m", "no significant difference between arms"),                           # p = .659
    ("weight", "no significant difference between arms"),                                  # p = .7599
    # Results: Functional status: "Ejection fraction ... remained stable throughout the study in all patients."
    ("ejection_fraction", "reported in words only: the paper states it remained stable; no numbers or p-value printed"),
    # Results: Immune biomarkers
    ("cd69", f"within-arm change in 200M; {STATED}"),                                     # p = .004
    ("cd25", f"within-arm change in 100M and 200M; {STATED}"),                            # .007, .048
    ("cd4", f"no significant change in any arm; {STATED}"),                               # .052, .135, .540
    # "The reductions in both the 100M- and 200M-groups were significant compared to placebo (p < .00001 and
    # p = .00002)", but the Abstract prints .003 and .039 for the same comparisons: contested
    ("tnf_alpha_bcell", "contested: differs from Placebo (100M and 200M) only by p-values in doubt"),
    # "there were no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen at 6 months in any group
    # (data not shown)"
    ("il6", "reported in words only: the paper states no significant change in any arm; no numbers or p-value printed"),
    ("sqol_f", f"within-arm change in 100M; {STATED}"),                                   # p = .035
    ("iief", "no significant difference between arms"),                                    # p = .666
])
def test_cratus_verdicts(table, endpoint, verdict):
    assert table.loc[endpoint, "verdict"] == verdict


def test_every_figure_endpoint_has_one_row(study, table):
    # Figure pages 2, 3 and 4 list 9 + 12 + 2 endpoints (data/endpoints.csv, column page; IL-6, CRP, D-dimer, CBC
    # and fibrinogen are on page 3, reported in words only)
    assert len(table) == 23 and table.index.is_unique


def test_every_verdict_comes_from_the_vocabulary(table):
    patterns = [re.escape(v).replace(r"\{control\}", ".+").replace(r"\{arms\}", ".+").replace(r"\{words\}", ".+")
                for v in VERDICTS]
    assert all(any(re.fullmatch(p, v) for p in patterns) for v in table["verdict"])


@pytest.mark.parametrize("endpoint, column, text", [
    # Results: "(345.9 ± 103.4 to 410.7 ± 155.4 m, p = .011 ...)", ".263", ".112"
    ("six_minute_walk", "within_arm", "100M: 345.9 → 410.7 m (p = .011); 200M: p = .263; Placebo: p = .112"),
    # "(median 10.5, IQR 9.0, 12.0 to 12.0, IQR 11.0, 12.0; p = .031" — medians, said so
    ("sppb", "within_arm", "100M: median 10.5 → 12.0 points (p = .031)"),
    # "(median 5,118.8, ... to 1,509.4 ...; p = .008)": thousands separators restored
    ("champs", "within_arm", "200M: median 5,118.8 → 1,509.4 kcal/week (p = .008)"),
    # "or placebo (p = .540)": the printed trailing zero is kept
    ("cd4", "within_arm", "Placebo: p = .540"),
    ("cd69", "within_arm", "200M: 27.0 → 16.4% (p = .004)"),
    ("six_minute_walk", "vs_control", "the paper states no difference between groups; no p-value printed"),
    ("six_minute_walk", "stated", "(“The lack of differences between groups, with the exception of intracellular "
                                  "TNF-α, is due to the study's small size which limits statistical power.”, Discussion)"),
    ("gait_speed_4m", "stated", ""),
    # direction in words: 6MWT rose in 100M (345.9 → 410.7 m); CHAMPS fell in 200M and placebo (5,118.8 → 1,509.4;
    # 3,386.3 → 2,021.3); higher is better for both (data/endpoints.csv, column better)
    ("six_minute_walk", "direction", "rose in 100M: an improvement (higher is better)"),
    ("champs", "direction", "fell in 200M and Placebo: a worsening (higher is better)"),
    ("tnf_alpha_bcell", "direction", "fell in 100M and 200M: an improvement (lower is better)"),
    ("tnf_alpha_bcell", "vs_control", "100M vs Placebo: p < .00001; 200M vs Placebo: p = .00002"),
    ("gait_speed_4m", "vs_control", "among the arms: p = .659"),
    ("gait_speed_4m", "reported_as", "reported only as a p-value"),
    ("sqol_f", "population", "female patients only"),
])
def test_cratus_texts(table, endpoint, column, text):
    assert text in table.loc[endpoint, column]


def test_holm_counts_the_efficacy_family(table):
    # 54 rows in p_values.csv, 9 of them Abstract copies → 45 tests; without the 2 safety p-values (adverse events,
    # Results: Long-term adverse events) and placebo's 12 within-arm tests: 31.  .011 × 24 = .264
    assert table.loc["six_minute_walk", "holm"] == ("does not survive (Holm over the 31 efficacy p-values; "
                                                     "smallest adjusted p = .26)")
    # p < .00001 × 31 = .00031, p = .00002 × 30 = .0006 (multipletests, method="holm"); with the 10 unprinted within-arm
    # tests of IL-6, CRP, D-dimer, CBC, fibrinogen (2 active arms) and 11 stated between-group comparisons: 52 tests
    holm = table.loc["tnf_alpha_bcell", "holm"]
    assert holm.startswith("survives (Holm over the 31 efficacy p-values): 100M vs Placebo p < .00031; "
                           "200M vs Placebo p = .0006")
    assert "counting also the 21 tests the source ran without printing a p-value (52 in all): no change" in holm
    # (1e-5 × 52, 2e-5 × 51, 1e-4 × 50 = .005, .001 × 49 = .049: all four still below .05)


def test_contested_reasons_most_important_first(table):
    reasons = table.loc["tnf_alpha_bcell", "contested"]
    # Abstract: "(p = .003 and p = .039, respectively)"; with them Holm over 31: .003 × 31 = .093 → does not survive
    first = reasons.index("(1) The Abstract prints p = .003 (100M vs Placebo) and p = .039 (200M vs Placebo)")
    assert "“differs from Placebo (100M and 200M), does not survive Holm”" in reasons
    # the audit's back-calculation: 17.1 ± 2.0 → 8.4 ± 1.1, p = .001 (Results: Immune biomarkers) has no r with n = 10
    second = reasons.index("(2) The 200M arm's 17.1 ± 2.0 → 8.4 ± 1.1 cannot be mean ± SD of 10 patients")
    # scipy.stats.t: 200M p = .001 (≥ .0005) and placebo p = .69 (≥ .685), 10 per arm: t ≤ sqrt(5.27² + 0.41²), df 18
    # → p ≥ .00005 > .000025, the most .00002 can round from; a pooled t-test with 9 and 10 reaches 1.6e-5
    # (stats.between_arms.smallest_between_p), so the reason says it holds only if every patient was measured
    third = reasons.index("(3) If all 10 patients per arm were measured")
    assert "no t-test of change scores gives a between-arm p below .00005" in reasons
    assert "with 9 patients measured in 200M and 10 in Placebo it becomes possible" in reasons
    assert first < second < third


def test_smallest_between_p_is_reached_by_opposite_changes():
    from scipy import stats as st
    from cratus.stats.between_arms import smallest_between_p
    # a Welch t of change scores with changes -t_a·SE_a and +t_c·SE_c/... at SE ratio t_c/t_a reaches the bound
    t_a, t_c = st.t.isf(0.001 / 2, 9), st.t.isf(0.69 / 2, 9)
    se_a, se_c = 1.0, t_c / t_a
    t = (t_a * se_a + t_c * se_c) / (se_a ** 2 + se_c ** 2) ** 0.5
    assert smallest_between_p(0.001, 0.69, 10, 10) == pytest.approx(2 * st.t.sf(t, 18))


@pytest.mark.parametrize("endpoint, text", [
    # Perera 2006: 20 m / 50 m; 410.7 − 345.9 = 64.8 m (Results: Functional status)
    # 95% CI from the printed p = .011 with n = 10: 64.8 ± t(.975, 9) · 64.8 / t(.0055, 9) (scipy.stats.t)
    ("six_minute_walk", "small 20 m, substantial 50 m (Perera 2006); 100M: +64.8 m within the arm, a point estimate "
                        "that reaches the substantial change; its 95% CI (18.9 to 110.7 m, from the printed p, "
                        "assuming a paired t-test on 10 patients) reaches below the small change (a change within an "
                        "arm, not a difference from Placebo)"),
    # SPPB is reported as medians: no mean change to compare
    ("sppb", "the paper gives medians, and a change of medians is not a mean change: not compared"),
    ("gait_speed_4m", "no change reported to compare"),
    ("fev1", ""),   # no established MCID in older adults: no row in mcid.csv
])
def test_mcid(table, endpoint, text):
    assert text in table.loc[endpoint, "mcid"] and (text or table.loc[endpoint, "mcid"] == "")


def test_caveats_carry_the_discrepancy_sentences_without_ids(table):
    # Abstract "(p = .01)" against Results "p = .031" for SPPB; SQOL-F's .03 and .035 are consistent roundings
    assert "the Results say p = .031" in table.loc["sppb", "caveats"]
    assert "p = .035" not in table.loc["sqol_f", "caveats"]
    assert not re.search(r"\bD\d\d\b", " ".join(table["caveats"]))


def test_safety_line_gives_exact_upper_bounds(study):
    line = safety_line(study).set_index("group")
    # Results: Safety "No TE-SAEs occurred in any of the three groups in the first 30 days"; N = 10 per arm
    assert line["patients"].tolist() == [0, 0, 0, 0] and line["n"].tolist() == [10, 10, 10, 20]
    # proportion_confint(0, 10, alpha=0.05, method="beta")[1] = 1 − 0.025^(1/10) = 0.3085;
    # (0, 20) → 0.1684; (0, 30) would give 0.1157
    assert line.loc["100M", "upper"] == pytest.approx(0.30849, abs=1e-5)
    assert line.loc["active", "upper"] == pytest.approx(0.16843, abs=1e-5)
    assert line.loc["placebo", "sentence"] == ("Placebo: 0 of 10 patients (0%); the true rate could still be as "
                                               "high as 30.8% (upper limit of the 95% Clopper–Pearson interval).")


def test_safety_line_for_a_named_endpoint(study):
    # Results: Safety "no cumulative treatment-related SAEs in either group throughout the duration of the study"
    assert safety_line(study, "treatment_related_sae")["patients"].sum() == 0


def test_primary_safety_endpoint_is_the_one_the_dictionary_marks(study):
    assert primary_safety_endpoint(study) == "te_sae_30_days"


def test_baseline_imbalance_points_out_regression_to_the_mean(study):
    # Table 1: 6MWT 345.9 ± 103.4 (100M) vs 385.8 ± 83.1 (placebo) → d = −39.9 / 93.80 = −0.43
    notes = baseline_imbalance_notes(study, "six_minute_walk")
    assert len(notes) == 1
    assert "(345.9 vs 385.8 m; standardized difference −0.43" in notes[0]
    assert "regression to the mean" in notes[0] and "in the direction of Placebo's level" in notes[0]


def test_an_imbalance_with_a_change_away_from_the_control_is_not_explained_by_regression(study):
    # FEV1 100M 2.5 ± 0.66 (Results) vs placebo 2.3 ± 0.5 (Table 1): d = 0.2 / 0.586 = 0.34; 100M rose to 2.6
    notes = baseline_imbalance_notes(study, "fev1")
    assert len(notes) == 1 and "standardized difference 0.34" in notes[0] and "moves away" in notes[0]


@pytest.mark.parametrize("endpoint", ["sppb", "cd69", "tnf_alpha_bcell", "ejection_fraction"])
def test_no_imbalance_note_without_baseline_mean_and_sd_in_both_arms(study, endpoint):
    assert baseline_imbalance_notes(study, endpoint) == []


def test_one_standardized_difference_at_baseline_in_every_place(study):
    """Table 1's balance, the Overview's imbalance note and the appraisal's baseline tab give one number.

    Table 1 (6MWT at baseline): 100M 345.9 ± 103.4, placebo 385.8 ± 83.1.  Austin 2009 (Stat Med 28:3083) eq. 1:
    (345.9 − 385.8) / √((103.4² + 83.1²) / 2) = −39.9 / 93.80 = −0.4254 (Hedges' g, J = 0.958, would be −0.41).
    """
    from cratus.appraisal.views import between_arm_view
    from cratus.tables.baseline import standardized_differences

    assert standardized_difference(345.9, 103.4, 385.8, 83.1) == pytest.approx(-0.4254, abs=1e-4)
    balance = standardized_differences(study).set_index(["endpoint", "arm"])["estimate"]
    assert balance[("six_minute_walk", "100M")] == pytest.approx(-0.4254, abs=1e-4)
    assert "standardized difference −0.43" in baseline_imbalance_notes(study, "six_minute_walk")[0]
    table = between_arm_view(study, study.design.arm_ids).baseline
    row = table[(table["Comparison"] == "100M vs Placebo") & table["Endpoint"].str.startswith("6-minute walk")]
    assert row["Standardized difference (d)"].tolist() == ["−0.43"]


def test_figure_reading_says_what_each_p_value_compares(study):
    line = figure_reading(study, "3")
    lines = line.split("  \n")
    # Results: B-cell TNF-α 100M vs placebo p < .00001, 200M vs placebo p = .00002 — contested, reasons carried
    contested = next(x for x in lines if x.startswith("**Differs from Placebo, contested**"))
    assert "B-cell intracellular TNF-α (100M vs Placebo, p < .00001; 200M vs Placebo, p = .00002)" in contested
    assert "In doubt because: (1) The Abstract prints p = .003" in contested
    # Results: "Reduction in the early-activation CD69 cells was noted in the 200M-group (27.0 ± 4.30 to 16.4 ±
    # 7.25%, p = .004" and the Discussion's "lack of differences between groups": stated, quoted, direction in words
    stated = next(x for x in lines if "**the paper states no difference between groups, no p-value printed**" in x)
    assert "CD69+ T cells (early activation) in 200M (p = .004; fell: an improvement)" in stated
    assert "“The lack of differences between groups, with the exception of intracellular TNF-α" in stated
    assert "B-cell" not in stated  # compared with placebo in numbers, so not stated in words
    assert ("**No significant within-arm change:** CD4+ T cells (the paper states no difference between groups, "
            "no p-value printed)") in lines
    # "no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen at 6 months in any group (data not shown)"
    words = next(x for x in lines if x.startswith("**Stated in words only"))
    assert "IL-6, C-reactive protein, D-dimer, Complete blood count and Fibrinogen: the paper states no significant " \
           "change in any arm" in words and "(data not shown)" in words


def test_figure_reading_rejects_an_unknown_page(study):
    with pytest.raises(ValueError, match="figure '9' is not a figure page"):
        figure_reading(study, "9")


# --- a made-up study: nothing about CRATUS ---------------------------------------------------------
FILES = {
    "arms.csv": "arm,label,short,role\ndrug_x,Drug X,Drug X,active\nvehicle,Vehicle,Vehicle,control\n",
    "visits.csv": "visit,label,role\nweek0,Week 0,baseline\nweek24,Week 24,primary\n",
    "figures.csv": "figure,nav_title,title,url_path,icon,intro\n1,Function,Function (Figure 1),function,,\n",
    "endpoints.csv": (
        "endpoint,label,unit,domain,page,figure,summary,better,population,subgroup,description\n"
        "participants,Participants,patients,demographics,,,n_percent,,,,\n"
        "walk,Walk distance,m,functional,1,1A,mean_sd,higher,,,\n"
        "grip,Grip,kg,functional,1,1B,mean_sd,higher,,,\n"
        "pain,Pain score,points,functional,1,,,lower,,,\n"
        "sae,Serious adverse events at week 4 (primary endpoint),patients,safety,,,n_percent,lower,,,\n"),
    "summary.csv": (
        "endpoint,level,arm,visit,statistic,value,source,quote\n"
        "participants,,drug_x,week0,n,20,Table 1,N = 20\nparticipants,,vehicle,week0,n,20,Table 1,N = 20\n"
        "walk,,drug_x,week0,mean,300,Table 1,300 ± 50\nwalk,,drug_x,week0,sd,50,Table 1,300 ± 50\n"
        "walk,,vehicle,week0,mean,350,Table 1,350 ± 50\nwalk,,vehicle,week0,sd,50,Table 1,350 ± 50\n"
        "walk,,drug_x,week24,mean,340,Results,340\n"
        "sae,,drug_x,week24,count,0,Results,0\nsae,,vehicle,week24,count,1,Results,1\n"),
    "p_values.csv": (
        "endpoint,arm,comparison,visit,p_value,relation,source,quote\n"
        "walk,drug_x,within_arm,week24,0.01,=,Results,p = .01\n"
        "walk,vehicle,within_arm,week24,0.50,=,Results,p = .50\n"
        "walk,drug_x,vs_control,week24,0.03,=,Results,p = .03\n"
        "grip,drug_x,within_arm,week24,0.004,=,Results,p = .004\n"
        "pain,all,between_arms,week24,0.20,=,Results,p = .20\n"),
    "mcid.csv": ("endpoint,low,high,unit,population,citation,quote\n"
                 "walk,20,50,m,adults,Doe J. A made-up source. 2020,\n"),
}


@pytest.fixture(scope="module")
def made_up(tmp_path_factory):
    folder = tmp_path_factory.mktemp("made_up")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_study(folder)


def test_made_up_study_verdicts(made_up):
    # Holm over the 4 efficacy p-values (Vehicle's within-arm p = .50 is not one): .004×4 = .016 and .01×3 = .03
    # survive; .03×2 = .06 stops the procedure
    table = bottom_line(made_up).set_index("endpoint")
    assert table.loc["walk", "verdict"] == DIFFERS_NOT_SURVIVES.format(control="Vehicle", arms="Drug X")
    assert table.loc["walk", "holm"] == "survives (Holm over the 4 efficacy p-values): Drug X within-arm p = .03"
    assert table.loc["grip", "verdict"] == "within-arm change in Drug X only; no comparison with Vehicle reported"
    assert table.loc["pain", "verdict"] == "no significant difference between arms"
    assert table.loc["walk", "within_arm"] == "Drug X: 300 → 340 m (p = .01); Vehicle: p = .50"
    assert table.loc["walk", "vs_control"] == "Drug X vs Vehicle: p = .03"
    # +40 m: above the small (20 m), below the substantial (50 m) change of the made-up source
    assert "Drug X: +40 m within the arm, a point estimate that reaches the small change" in table.loc["walk", "mcid"]
    assert "(Doe 2020)" in table.loc["walk", "mcid"]


def test_made_up_study_safety_line(made_up):
    line = safety_line(made_up).set_index("group")
    # proportion_confint(1, 20, alpha=0.05, method="beta")[1] and (0, 20)
    assert line.loc["vehicle", "upper"] == pytest.approx(proportion_confint(1, 20, 0.05, "beta")[1])
    assert line.loc["vehicle", "upper"] == pytest.approx(0.24873, abs=1e-5)
    assert line.loc["active", ["patients", "n"]].tolist() == [0, 20]


def test_made_up_study_baseline_note_and_figure_line(made_up):
    # d = (300 − 350) / 50 = −1.00; Drug X rose toward Vehicle's level
    notes = baseline_imbalance_notes(made_up, "walk")
    assert len(notes) == 1 and "standardized difference −1.00" in notes[0] and "Vehicle" in notes[0]
    line = figure_reading(made_up, "1")
    lines = line.split("  \n")
    # FILES above: walk has a within-arm p = .01 and a comparison with Vehicle; grip only a within-arm p = .004
    only = next(x for x in lines if x.startswith("**Within-arm change only, no comparison with Vehicle reported**"))
    assert only.endswith("(Week 24 vs the arm's own Week 0): Grip in Drug X (p = .004)")
    also = next(x for x in lines if x.startswith("**Within-arm change** (Week 24 vs the arm's own Week 0); these"))
    # better = higher for walk; 300 → 340 m
    assert also.endswith(": Walk distance in Drug X (p = .01; rose: an improvement)")


def test_a_study_without_a_marked_primary_safety_endpoint_says_so(made_up, tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text.replace(" (primary endpoint)", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="no safety endpoint is marked 'primary endpoint'"):
        safety_line(load_study(tmp_path))


def test_a_change_below_the_small_mcid_is_called_so(tmp_path):
    # +40 m against a made-up small change of 50 m (and substantial 80 m)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text.replace("walk,20,50,m", "walk,50,80,m"), encoding="utf-8")
    mcid = bottom_line(load_study(tmp_path)).set_index("endpoint").loc["walk", "mcid"]
    assert mcid.startswith("small 50 m, substantial 80 m (Doe 2020); Drug X: +40 m within the arm, a point estimate "
                           "that does not reach the small change")


def test_a_patient_study_s_figure_reading_says_its_p_values_are_computed():
    from cratus.patient import open_study
    from cratus.patient.synthetic import synthetic_files

    study = open_study(synthetic_files("adam", seed=1))
    first = figure_reading(study, study.figure_pages()[0]["figure"]).split("  \n")[0]
    assert first == ("**What these results show** (p below .05 as computed here, before any adjustment for multiple "
                     "testing)")
