"""No published-study wording on the pages of another trial's patient-level data: labels come from the data."""

from __future__ import annotations

import pytest

from tests.apptest import open_page
from tests.test_patient_pages import go, texts, upload
from tests.test_table_one_patients import _adsl, _bds, _csv

pytestmark = pytest.mark.page

#: Wording of the published CRATUS study or of a printed source, wrong for a trial's own patients.
PUBLISHED = ("Age at infusion", "Gender", "White American", "Cells the source does not report",
             "measured in all patients in each arm", "n per endpoint not reported", "the paper states", "Described in words only", "reported in words only",
             "Not reported in the text", "The text prints no n per endpoint", "no p-value reported")


@pytest.fixture(scope="module")
def session():
    adsl = _adsl()
    adsl["RACE"] = ["WHITE", "BLACK OR AFRICAN AMERICAN"] * (len(adsl) // 2)
    return upload(open_page("data"), {"adsl.csv": _csv(adsl), "adqs.csv": _csv(_bds(adsl))})


@pytest.mark.parametrize("url_path", ["", "baseline", "safety", "appraisal", "subgroups"])
def test_patient_pages_use_the_datas_own_words(session, url_path):
    at = go(session, url_path)
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at) + "\n".join(str(getattr(e, "value", "")) for e in at.get("html"))
    shown += "\n".join(str(e.value) for e in at.sidebar.caption)
    assert not [w for w in PUBLISHED if w in shown], url_path


def test_the_published_study_keeps_its_own_wording():
    at = open_page("")
    # app.py's sidebar caption and pages/overview.py's reading guide for a printed source
    assert "never estimated" in "\n".join(str(e.value) for e in at.sidebar.caption)  # data/notes.csv's wording
    assert "Not reported in the text" in texts(at)
