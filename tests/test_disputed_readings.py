"""A reading that rests on a p-value the paper contradicts (or leaves unclear) says so where it is shown (issue 21)."""

import pytest

from cratus.reading.display import bottom_line_table
from cratus.reading.figure_line import figure_reading
from cratus.reading.verdicts import bottom_line
from cratus.study.model import load_study

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def table(study):
    return bottom_line(study).set_index("endpoint")


@pytest.mark.parametrize("endpoint, said", [
    # Abstract "(p = .01)" for the 6-minute walk, SPPB and FEV1 against Results "p = .031" (SPPB), "p = .025" (FEV1)
    ("sppb", "the Results say p = .031"), ("fev1", "the Results say p = .025"),
    # Results: "no differences among male participants in the IIEF from baseline to 6 months (p = .666)"
    ("iief", "without saying whether it compares the arms"),
])
def test_a_verdict_resting_on_a_disputed_p_value_says_so(table, endpoint, said):
    assert said in table.loc[endpoint, "disputed"]


@pytest.mark.parametrize("endpoint", [
    "six_minute_walk",   # rests on the 100M p = .011 (Abstract .01 is a rounding of it); D14 concerns 200M
    "sqol_f",            # Abstract p = .03, Results p = .035: consistent roundings
    "cd25",              # nothing disputed
    "tnf_alpha_bcell",   # already contested, with its reasons in their own column
])
def test_a_verdict_on_undisputed_numbers_says_nothing(table, endpoint):
    assert table.loc[endpoint, "disputed"] == ""


def test_the_overview_reading_and_the_figure_reading_carry_it(study):
    reading = bottom_line_table(study).set_index("Endpoint").loc["SPPB total score", "Reading"]
    assert "⚠ Rests on a p-value the paper contradicts or leaves unclear: The abstract says p = .01" in reading
    line = next(x for x in figure_reading(study, "2").split("  \n") if x.startswith("**⚠"))
    assert "SPPB total score — The abstract says p = .01" in line and "FEV1 — The abstract says p = .01" in line
    assert "6-minute walk" not in line
