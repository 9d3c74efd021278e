"""Default rules and the Mapping: arm variable, control arm, population, visit order, labels and units."""

from __future__ import annotations

import pytest

from cratus.patient import Mapping, read_patient_data
from cratus.patient.mapping import Dictionary, choose_control, slug, split_label_unit
from cratus.patient.visits import _visit_number

SUBJECTS = b"USUBJID,TRT01P,TRT01A,ARM\n1,Drug,Drug,Drug\n2,Sham procedure,Sham procedure,X\n3,Drug,Other,Drug\n"


def measures(visits):
    rows = [f"{s},{v},score,{i}" for s in (1, 2, 3) for i, v in enumerate(visits)]
    return ("usubjid,visit,endpoint,value\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("arms, wanted, control", [
    (["Drug 10 mg", "Vehicle", "Drug 20 mg"], "", "Vehicle"),
    (["Active", "Standard of care CONTROL"], "", "Standard of care CONTROL"),
    (["B", "A"], "", "B"),                      # no control word: the first arm
    (["Drug", "Placebo"], "drug", "Drug"),      # the mapping wins, matched ignoring case
])
def test_control_arm(arms, wanted, control):
    assert choose_control(arms, wanted) == control


def test_arm_variable_defaults_to_trt01p_and_can_be_mapped():
    """Efficacy and baseline by the arm randomised to (TRT01P), safety by the treatment received (TRT01A): subject 3
    received 'Other', none of the arms, and keeps its planned arm in the safety analyses (said so)."""
    data = read_patient_data(SUBJECTS, measures(["Baseline", "Week 1"]), names=["adsl.csv", "measurements.csv"])
    assert (data.mapping.arm_variable, data.mapping.safety_arm_variable) == ("TRT01P", "TRT01A")
    assert data.arms == ("Drug", "Sham procedure") and data.control == "Sham procedure"
    assert data.subjects["arm_actual"].tolist() == ["Drug", "Sham procedure", "Drug"]
    assert "adsl.csv: 1 subject(s) with a TRT01A that is none of the arms ('Other') keep their TRT01P in safety " \
           "analyses" in data.notes
    actual = read_patient_data(SUBJECTS, measures(["Baseline", "Week 1"]), names=["adsl.csv", "measurements.csv"],
                               mapping=Mapping(arm_variable="TRT01A"))
    assert actual.arms == ("Drug", "Sham procedure", "Other")  # no arm code: the order of first appearance
    assert actual.mapping.safety_arm_variable == "TRT01A"
    with pytest.raises(ValueError, match="the safety arm variable 'TRTXA' of the mapping is not a column"):
        read_patient_data(SUBJECTS, measures(["Baseline", "Week 1"]), names=["adsl.csv", "measurements.csv"],
                          mapping=Mapping(safety_arm_variable="TRTXA"))


def test_arms_follow_their_numeric_code():
    """ADaM's TRT01PN orders the arms (CDISC pilot: placebo 0, low dose 54, high dose 81)."""
    adsl = (b"USUBJID,TRT01P,TRT01PN\n1,Xanomeline High Dose,81\n2,Placebo,0\n3,Xanomeline Low Dose,54\n"
            b"4,Placebo,0\n")
    rows = [f"{s},{v},score,{i}" for s in (1, 2, 3, 4) for i, v in enumerate(["Baseline", "Week 1"])]
    values = ("usubjid,visit,endpoint,value\n" + "\n".join(rows) + "\n").encode()
    data = read_patient_data(adsl, values, names=["adsl.csv", "measurements.csv"])
    assert data.arms == ("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose") and data.control == "Placebo"
    assert "arms in the order of their codes in TRT01PN" in data.notes
    # a code column that does not give one number per arm is not used (said so)
    clash = adsl.replace(b"4,Placebo,0", b"4,Placebo,1")
    data = read_patient_data(clash, values, names=["adsl.csv", "measurements.csv"])
    assert data.arms == ("Xanomeline High Dose", "Placebo", "Xanomeline Low Dose")
    assert any("TRT01PN does not give one number per arm" in n for n in data.notes)


@pytest.mark.parametrize("visits, ordered", [
    (["Week 12", "Week 2", "Baseline"], ["Baseline", "Week 2", "Week 12"]),
    (["Month 6", "Week 4", "Screening"], ["Screening", "Week 4", "Month 6"]),
    (["Day 29", "Day 1", "Day 8"], ["Day 1", "Day 8", "Day 29"]),
])
def test_visits_are_ordered_by_the_numbers_in_their_names(visits, ordered):
    data = read_patient_data(SUBJECTS, measures(visits), names=["adsl.csv", "measurements.csv"])
    assert data.visits["visit"].tolist() == ordered
    assert data.baseline_visit == ordered[0]


def test_baseline_visit_from_the_mapping():
    data = read_patient_data(SUBJECTS, measures(["Day 1", "Day 8", "Day 29"]), names=["adsl.csv", "m.csv"],
                             mapping={"baseline_visit": "day 8"})
    assert data.baseline_visit == "Day 8" and data.visits["visit"].tolist() == ["Day 1", "Day 8", "Day 29"]
    assert data.measurements.loc[data.measurements["baseline"], "visit"].astype(str).unique().tolist() == ["Day 8"]


def test_first_visit_assumed_as_baseline_is_noted():
    data = read_patient_data(SUBJECTS, measures(["Day 1", "Day 8"]), names=["adsl.csv", "measurements.csv"])
    assert any("baseline assumed to be the visit 'Day 1'" in note for note in data.notes)


def test_mapping_round_trips_through_a_dict_of_strings():
    m = Mapping(arm_variable="TRT01P", control="Placebo", population="ITTFL", baseline_visit="Day 1",
                endpoints=(("SIXMW", "six_minute_walk"), ("HGRIP", "grip")))
    d = m.to_dict()
    assert all(isinstance(v, str) for v in d.values())
    assert d["endpoints"] == "SIXMW:six_minute_walk,HGRIP:grip"
    assert Mapping.from_dict(d) == m


def test_mapping_refuses_unknown_settings():
    with pytest.raises(ValueError, match="unknown setting.*colour"):
        Mapping.from_dict({"colour": "red"})


def test_endpoint_rename_from_the_mapping():
    data = read_patient_data(SUBJECTS, measures(["Baseline", "Week 1"]), names=["adsl.csv", "measurements.csv"],
                             mapping={"endpoints": "score:total_score"})
    assert set(data.measurements["endpoint"]) == {"total_score"}


@pytest.mark.parametrize("text, label, unit", [
    ("Alanine Aminotransferase (U/L)", "Alanine Aminotransferase", "U/L"),
    ("CD69+ T cells (early activation) (%)", "CD69+ T cells (early activation)", "%"),
    ("Weight [kg]", "Weight", "kg"),
    ("Grip strength", "Grip strength", ""),
])
def test_label_and_unit_from_param(text, label, unit):
    assert split_label_unit(text) == (label, unit)


@pytest.mark.parametrize("names, endpoint", [
    (("SIX_MINUTE_WALK",), "six_minute_walk"),          # the dictionary id, ignoring case
    (("6MWT", "6-Minute Walk Distance"), "six_minute_walk"),  # by the label of data/endpoints.csv
    (("ALT",), "alt"),
    (("BILI", "Bilirubin"), None),
])
def test_dictionary_match(names, endpoint):
    assert Dictionary.default().match(*names) == endpoint


@pytest.mark.parametrize("name, days", [("Baseline", float("-inf")), ("Week 2", 14.0), ("Visit 3", 3.0),
                                        ("Year 1", 365.25)])
def test_visit_number(name, days):
    assert _visit_number(name) == days


def test_slug():
    assert slug("American Indian/Alaskan Native") == "american_indian_alaskan_native"


def test_a_visit_before_baseline_stays_before_it():
    rows = [f"{s},{v},score,{i * s * s}" for s in (1, 2, 3) for i, v in enumerate(["Screening", "Day 1", "Day 8"])]
    values = ("usubjid,visit,endpoint,value\n" + "\n".join(rows) + "\n").encode()  # changes with a spread
    data = read_patient_data(SUBJECTS, values, names=["adsl.csv", "m.csv"], mapping={"baseline_visit": "Day 1"})
    assert data.visits["visit"].tolist() == ["Screening", "Day 1", "Day 8"]
    from cratus.patient import to_study
    study = to_study(data)
    assert study.design.baseline == "day_1" and study.design.later_visits == ("day_8",)
    assert set(study.p_values["visit"]) == {"day_8"}  # no test compares the screening visit with baseline
