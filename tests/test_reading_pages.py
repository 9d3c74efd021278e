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
    first = overview.markdown[1].value  # after the title line: the answer, before any table
    assert first.startswith("**The bottom line**")
    # Results: Safety "No TE-SAEs occurred in any of the three groups in the first 30 days"; proportion_confint(0, 20,
    # method="beta") upper 16.8%
    assert "Safety: none of the 30 patients had treatment-emergent serious adverse events" in first
    assert "up to 16.8%" in first
    assert "a change within an arm is not a comparison with Placebo" in first
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
    assert warning.index("(1) The Abstract") < warning.index("(2) Assuming t-tests") < warning.index("(3) The 200M")


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
