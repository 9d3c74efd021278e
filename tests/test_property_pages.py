"""Property test: any small valid study renders every page without an exception.

Hypothesis generates studies a reader may upload — long CSV or ADaM-shaped (ADSL, a BDS dataset, ADAE), with
one subject in an arm, an arm with no spread, a constant parameter, a visit where nobody has a value — and
every page of the app (``ui.navigation.page_specs``, so every figure page, Laboratory, Participant, Subgroups,
Appraisal with all its tabs, the deck) is run in ``streamlit.testing``.  A statistic that cannot be computed
must be said so in its cell, never raised.

Examples are bounded: 25 in CI (``CI=true``), 6 otherwise, so the fast suite stays fast.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.apptest import open_page
from tests.test_patient_pages import go, upload
from ui.navigation import page_specs

pytestmark = pytest.mark.page  # every example runs the app (streamlit.testing)

EXAMPLES = 25 if os.environ.get("CI") else 6


@st.composite
def studies(draw):
    """``{file name: bytes}`` of a small valid study and a description of what it exercises."""
    adam = draw(st.booleans())
    arms = ["Placebo", "Drug A", "Drug B"][:draw(st.integers(2, 3))]
    sizes = [draw(st.integers(1, 4)) for _ in arms]
    visits = ["Baseline", "Week 4", "Week 12"][:draw(st.integers(2, 3))]
    endpoints = ["SCORE", "WEIGHT"][:draw(st.integers(1, 2))]
    shape = {e: draw(st.sampled_from(["random", "constant", "flat_arm", "missing_visit"])) for e in endpoints}
    constant_age = draw(st.booleans())
    values = st.integers(0, 40)
    subjects, rows = [], []
    for arm, size in zip(arms, sizes):
        for k in range(size):
            sid = f"S-{arm[:1]}{arm[-1]}-{k + 1}"
            subjects.append({"usubjid": sid, "arm": arm, "age": 70 if constant_age else draw(st.integers(50, 90)),
                             "sex": draw(st.sampled_from(["F", "M"]))})
            for e in endpoints:
                for j, visit in enumerate(visits):
                    if shape[e] == "constant" or (shape[e] == "flat_arm" and arm == arms[0]):
                        value = 5.0
                    elif shape[e] == "missing_visit" and j == len(visits) - 1:
                        value = None
                    else:
                        value = float(draw(values))
                    rows.append({"usubjid": sid, "endpoint": e, "visit": visit, "visit_order": j, "value": value})
    events = [{"usubjid": subjects[draw(st.integers(0, len(subjects) - 1))]["usubjid"],
               "soc": draw(st.sampled_from(["Infections", "Cardiac disorders"])),
               "term": draw(st.sampled_from(["Cough", "Fever", "Palpitations"])),
               "serious": draw(st.sampled_from(["Y", "N"])), "severity": draw(st.sampled_from(["MILD", "SEVERE"])),
               "related": draw(st.sampled_from(["Y", "N"])), "teae": draw(st.sampled_from(["Y", "N"]))}
              for _ in range(draw(st.integers(0, 4)))]
    subjects, rows, events = pd.DataFrame(subjects), pd.DataFrame(rows), pd.DataFrame(events)
    if adam:
        adsl = subjects.rename(columns={"usubjid": "USUBJID", "arm": "TRT01A", "age": "AGE", "sex": "SEX"})
        adsl["SAFFL"] = "Y"
        bds = rows.rename(columns={"usubjid": "USUBJID", "endpoint": "PARAMCD", "visit": "AVISIT",
                                   "visit_order": "AVISITN", "value": "AVAL"})
        bds["PARAM"] = bds["PARAMCD"].str.title()
        bds["ABLFL"] = (bds["AVISITN"] == 0).map({True: "Y", False: ""})
        files = {"adsl.csv": adsl, "adqs.csv": bds}
        if len(events):
            files["adae.csv"] = events.rename(columns={
                "usubjid": "USUBJID", "soc": "AEBODSYS", "term": "AEDECOD", "serious": "AESER", "severity": "AESEV",
                "related": "AEREL", "teae": "TRTEMFL"})
    else:
        files = {"subjects.csv": subjects, "measurements.csv": rows.drop(columns="visit_order")}
        if len(events):
            files["adverse_events.csv"] = events.drop(columns="teae")
    return {name: frame.to_csv(index=False).encode() for name, frame in files.items()}


#: The Appraisal page's tabs (pages/appraisal.py SECTIONS).
APPRAISAL_SECTIONS = ["Between arms", "Within-arm change", "Multiplicity", "Power", "Audit"]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=studies())
def test_every_page_of_any_small_valid_study_renders(files):
    at = upload(open_page("data"), files)
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert not errors, (errors, {k: v.decode()[:400] for k, v in files.items()})
    study = at.session_state["study"]
    for spec in page_specs(study):
        go(at, spec["url_path"])
        assert not at.exception, (spec["url_path"], [e.message for e in at.exception],
                                  {k: v.decode()[:400] for k, v in files.items()})
    for section in APPRAISAL_SECTIONS:  # only the open tab is drawn: open each (the tab bar's session key)
        at.session_state["section"] = section
        go(at, "appraisal")
        assert not at.exception, (section, [e.message for e in at.exception],
                                  {k: v.decode()[:400] for k, v in files.items()})
