"""The protocol analyses on generated submission-shaped files (tests/adam_shaped.py: ANL01FL with LOCF records,
TRT01PN) and on the shared pharmaverse ADSL + ADVS (no TRT01PN, SITEID, ATPT series, averaged parameters without
a baseline).  References: statsmodels' formula interface on the same records, named per test."""

from __future__ import annotations


import pytest
import statsmodels.formula.api as smf

import adam_shaped
from cratus.patient import protocol as P
from cratus.patient import read_patient_data, repeated as R, to_study
from tests.server import SHARED

PHARMAVERSE = SHARED / "adam" / "pharmaverseadam"


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    files = adam_shaped.xpt_files(tmp_path_factory.mktemp("adam"), names={"adsl", "adqs", "adtte"})
    return to_study(read_patient_data(*files.values(), names=list(files)))


def test_the_ancova_takes_the_flagged_locf_record_and_the_mmrm_leaves_it_out(shaped):
    # adam_shaped.adqs: subject 2 (GEN-002) missed Week 24; its LOCF record carries ANL01FL = 'Y'
    ancova = P.ancova_frame(shaped, "actot", "week_24")
    assert "GEN-002" in set(ancova["usubjid"].astype(str))
    long = R.mmrm_frame(shaped, "actot")
    assert not ((long["usubjid"] == "GEN-002") & (long["visit"] == "week_24")).any()
    assert ((long["usubjid"] == "GEN-002") & (long["visit"] == "week_8")).any()
    assert R.imputed_records(shaped, "actot") == 1
    assert P.arm_doses(shaped) == {"placebo": 0.0, "xanomeline_low_dose": 54.0, "xanomeline_high_dose": 81.0}
    assert list(shaped.design.arm_ids) == ["placebo", "xanomeline_low_dose", "xanomeline_high_dose"]  # TRT01PN


@pytest.fixture(scope="module")
def pharmaverse():
    if not PHARMAVERSE.exists():
        pytest.skip("the shared pharmaverse files are not here")
    names = ["adsl.parquet", "advs.parquet"]
    return to_study(read_patient_data(*[(PHARMAVERSE / n).read_bytes() for n in names], names=names))


def test_pharmaverse_an_averaged_parameter_without_baseline_says_so(pharmaverse):
    # ADVS SYSBP without ATPT is DTYPE = AVERAGE with neither ABLFL nor BASE: no change from baseline exists
    with pytest.raises(ValueError, match="no subject has both a baseline"):
        P.ancova_result(pharmaverse, "sysbp", "week_24")
    with pytest.raises(ValueError, match="no subject has both a baseline"):
        R.mmrm_result(pharmaverse, "sysbp")


def test_pharmaverse_ancova_with_the_site_factor_is_the_formula_model(pharmaverse):
    endpoint = "sysbp_after_lying_down_for_5_minutes"
    frame = P.ancova_frame(pharmaverse, endpoint, "week_24")
    result = P.ancova_result(pharmaverse, endpoint, "week_24", factors=("siteid",))
    # statsmodels' formula interface on the same records: chg ~ C(arm, Treatment('placebo')) + C(siteid) + base
    fit = smf.ols("chg ~ C(arm, Treatment('placebo')) + C(siteid) + base", data=frame).fit()
    for d in result.differences:
        name = f"C(arm, Treatment('placebo'))[T.{d.arm}]"
        assert d.estimate == pytest.approx(fit.params[name]) and d.se == pytest.approx(fit.bse[name])
    assert result.n_used == int(fit.nobs)


def test_pharmaverse_mmrm_leaves_out_the_end_of_treatment_copies(pharmaverse):
    endpoint = "sysbp_after_lying_down_for_5_minutes"
    long = R.mmrm_frame(pharmaverse, endpoint)
    # End of Treatment records are DTYPE = LOV copies of a scheduled visit: not a visit of the model
    assert "end_of_treatment" not in set(long["visit"]) and long.duplicated(["usubjid", "visit"]).sum() == 0
    result = R.mmrm_result(pharmaverse, endpoint, covariance="compound symmetry")
    assert result.n_records == len(long) and len(result.visits) >= 8
    fit = smf.mixedlm("chg ~ 0 + C(visit) + C(arm, Treatment('placebo')):C(visit) + base:C(visit)", long,
                      groups="usubjid").fit(reml=True)  # statsmodels' formula interface, random intercept, REML
    d = result.differences[-1]
    name = f"C(arm, Treatment('placebo'))[T.{d.arm}]:C(visit)[{d.visit}]"
    assert d.estimate == pytest.approx(fit.params[name], abs=1e-3)
    assert "LOV" in R.mmrm_words(pharmaverse, endpoint, covariance="compound symmetry")
    # 9 visits × 230 subjects: statsmodels' unstructured fit took 30–73 s here, so the page does not try it
    with pytest.raises(ValueError, match="not computed here: .* 9 visits and 230 subjects would take minutes"):
        R.mmrm_result(pharmaverse, endpoint, covariance="unstructured")
