"""What the paper supports, on the pages (issue 21, part A): the plain bottom line first on the Overview, results
stated in words only with their quotes, the contested B-cell TNF-α reading with its reasons, the multiplicity
family, and none of the published study's wording for patient-level data."""

import pytest

from tests.apptest import open_page, open_synthetic_demo, tables
from tests.test_patient_pages import texts

pytestmark = pytest.mark.page

# Discussion: "This study is limited by a small sample size. The lack of differences between groups, with the
# exception of intracellular TNF-α, is due to the study's small size which limits statistical power."
DISCUSSION = "The lack of differences between groups, with the exception of intracellular TNF-α"


@pytest.fixture(scope="module")
def overview():
    return open_page("")


def test_the_overview_opens_with_the_plain_bottom_line(overview):
    first = overview.markdown[0].value  # under the page's title: the answer, before the study and any table
    assert first.startswith("**The bottom line**")
    # Results: Safety "No TE-SAEs occurred in any of the three groups in the first 30 days"; proportion_confint(0, 20,
    # method="beta") upper 16.8%
    assert "**Safety:** none of the 30 patients had treatment-emergent serious adverse events" in first
    assert "up to 16.8%" in first
    assert "a change within an arm is not a comparison with Placebo" in first
    # Results: "The CHAMPS-questionnaire showed a reduced total caloric expenditure per week ... in the 200M-group
    # ... and placebo": a worsening (more activity is better) is named, not hidden behind an improving example
    assert "1 toward worsening (CHAMPS caloric expenditure fell in 200M and Placebo)" in first
    assert "9 toward improvement (for example, 6-minute walk distance rose in 100M)" in first
    assert "B-cell intracellular TNF-α (whose p-values the paper itself contradicts)" in first
    assert f"“This study is limited by a small sample size. {DISCUSSION}" in first
    assert len([s for s in first.split("  \n")[1:] if s]) == 4


def test_the_overview_says_what_the_paper_states_in_words(overview):
    reading = tables(overview)[0].set_index("Endpoint")["Reading"]
    # Results: 6MWT 100M p = .011 (345.9 → 410.7 m); Discussion: no differences between groups
    assert reading["6-minute walk distance"].startswith(
        "within-arm change in 100M; the paper states no difference between groups, no p-value printed")
    assert "Direction: rose in 100M: an improvement (higher is better)." in reading["6-minute walk distance"]
    # CHAMPS "reduced total caloric expenditure ... in the 200M-group ... and placebo"
    assert "fell in 200M and Placebo: a worsening" in reading["CHAMPS caloric expenditure"]
    shown = texts(overview)
    assert "**Reported in words, without a p-value:**" in shown and DISCUSSION in shown
    # Results: Immune biomarkers "no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen ... (data not
    # shown)"
    assert "IL-6, C-reactive protein, D-dimer, Complete blood count and Fibrinogen: the paper states no significant " \
           "change in any arm" in shown


def test_the_overview_carries_why_b_cell_tnf_is_contested(overview):
    reading = tables(overview)[0].set_index("Endpoint").loc["B-cell intracellular TNF-α", "Reading"]
    assert reading.startswith("contested: differs from Placebo (100M and 200M) only by p-values in doubt. "
                              "In doubt because: (1) The Abstract prints p = .003")
    warning = next(w.value for w in overview.warning if "B-cell intracellular TNF-α" in w.value)
    assert warning.index("(1) The Abstract") < warning.index("(2) The 200M") < warning.index("(3) If all 10")


def test_the_overview_states_the_multiplicity_family(overview):
    caption = next(c.value for c in overview.caption if c.value.startswith("Holm's adjustment counts"))
    # 45 printed tests − 2 safety − 12 placebo within-arm = 31; 10 + 11 unprinted (data/statements.csv)
    assert "the 31 efficacy p-values printed" in caption and "without Placebo's within-arm tests" in caption
    assert "10 within-arm tests of IL-6, C-reactive protein, D-dimer, Complete blood count and Fibrinogen" in caption


@pytest.mark.parametrize("url_path, text", [
    ("functional", "6-minute walk distance in 100M (p = .011; rose: an improvement)"),
    ("functional", "Ejection fraction: the paper states it remained stable"),
    ("immune", "**Differs from Placebo, contested** (the p-values are in doubt)"),
    ("quality_of_life", "SQOL-F in 100M (p = .035; rose: an improvement)"),
])
def test_each_figure_page_reading_says_what_the_paper_states(url_path, text):
    at = open_page(url_path)
    info = "\n".join(i.value for i in at.info)
    assert text in info and (DISCUSSION in info or "remained stable" in text)


def test_patient_data_get_no_published_wording():
    shown = texts(open_synthetic_demo())
    assert "The bottom line" not in shown and "the paper states" not in shown and "Reported in words" not in shown


def _slide(at, title: str):
    """Step the deck (opened at slide 1) forward until the slide whose counter names *title*; return its text."""
    for _ in range(60):
        shown = texts(at)
        if title in shown:
            return shown
        at.button(key="deck_pgdn").click().run()
    raise AssertionError(f"no slide {title!r}")


def test_the_immune_page_carries_why_b_cell_tnf_is_contested():
    at = open_page("immune")
    warning = next(w.value for w in at.warning if w.value.startswith("**Contested"))
    assert warning.index("(1) The Abstract prints p = .003") < warning.index("(2) The 200M") < warning.index("(3) If all")
    # the panel's sentence says so, and the vs-Placebo tags' hover carries the reasons
    assert any("200M vs placebo at 6 months: p = .00002. These p-values are contested." in m.value for m in at.markdown)
    import json
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    hovers = [a.get("hovertext", "") for s in specs for a in s["layout"].get("annotations", [])
              if str(a.get("name", "")).startswith("p_vs_control|tnf_alpha_bcell|")]
    assert hovers and all("Contested: (1) The Abstract prints" in h for h in hovers)


def test_the_immune_page_lists_the_words_only_biomarkers_with_their_quote():
    table = tables(open_page("immune"))[-1].set_index("Endpoint")
    # "no significant changes noted in IL-6, CRP, D-dimer, CBC, or fibrinogen at 6 months in any group (data not shown)"
    assert table.loc["Fibrinogen", "p-value"] == "no p-value printed"
    assert table.loc["Fibrinogen", "Compares"] == "6 months vs baseline, within each arm"
    assert "(data not shown)" in table.loc["Fibrinogen", "Quote"]


def test_the_functional_page_claims_no_n_and_quotes_ejection_fraction():
    at = open_page("functional")
    shown = texts(at)
    assert "all patients in each arm" not in shown
    assert "measured in each arm (n per endpoint not reported)" in shown
    table = tables(at)[-1].set_index("Endpoint")
    # Results: Functional status "Ejection fraction ... remained stable throughout the study in all patients."
    assert table.loc["Ejection fraction", "p-value"] == "no p-value printed"
    assert "remained stable" in table.loc["Ejection fraction", "Quote"]


def test_the_iief_p_value_says_what_it_compares_is_unclear():
    at = open_page("quality_of_life")
    # Results: "no differences among male participants in the IIEF from baseline to 6 months (p = .666)"
    assert "IIEF (p = .666, all arms compared)" in at.info[0].value
    assert "leaves unclear:** IIEF — The Results give one p-value (.666)" in at.info[0].value   # the reading's ⚠ line
    assert tables(at)[-1].set_index("Endpoint").loc["IIEF", "Note"].startswith("What this p-value compares is unclear")
    compared = tables(open_page(""))[0].set_index("Endpoint").loc["IIEF (male patients only)", "Compared with the control arm"]
    assert compared.startswith("among the arms: p = .666 (what this p-value compares is unclear")


def test_the_safety_page_defines_te_saes_next_to_the_count():
    at = open_page("safety")
    markdown = [m.value for m in at.markdown]
    # Methods: Study endpoints "TE-SAEs were defined by the following: death, nonfatal pulmonary embolism, stroke, ..."
    definition = next(i for i, m in enumerate(markdown) if m.startswith("**What counts:**"))
    bound = next(i for i, m in enumerate(markdown) if m.startswith("**None observed is not none possible.**"))
    assert definition < bound and "“TE-SAEs were defined by the following: death" in markdown[definition]
    stated = next(m for m in markdown if m.startswith("**Reported in words, without numbers:**"))
    # Results: Safety "None of the patients showed any signs of adverse cardiopulmonary reaction following the ..."
    assert "Adverse cardiopulmonary reaction to the infusion: the paper states there were none" in stated
    assert "no clinically significant changes in basic hematologic and chemistry laboratory tests" in stated


def test_the_deck_carries_the_contested_reading_and_the_words_only_results():
    at = open_page("present", query={"slide": "1"})
    slide = _slide(at, "**B-cell intracellular TNF-α: contested")   # the slide's one-line reading (r21b)
    assert "Contested — the difference from the control rests on p-values in doubt: (1) The Abstract" in slide
    # CD69 "Reduction ... in the 200M-group (27.0 ± 4.30 to 16.4 ± 7.25%, p = .004)": the slide's line says which way
    at = open_page("present", query={"slide": "1"})
    assert "CD69+ T cells (early activation): within-arm change in 200M; the paper states no difference between " \
           "groups, no p-value printed — fell in 200M: an improvement (lower is better)" in _slide(at, "**CD69+ T cells")
    slide = _slide(at, "Immune markers (Figure 3): reported only as p-values")
    assert "no p-value printed" in texts(at) or any("no p-value printed" in str(h.value) for h in at.get("html"))
