"""Real ADaM as delivered, on the pages (issue 23, the data side): a link whose mapping does not fit opens with
the default mapping and says why; ADaM-shaped uploads (flags, ADTTE, a categorical BDS, analysis ranges) and
safety-only data render every page and state the populations and analysis records."""

from __future__ import annotations


import pytest

import adam_shaped
from tests.apptest import open_page
from tests.test_patient_pages import go, texts
from tests.server import SHARED

PHARMAVERSE = SHARED / "adam" / "pharmaverseadam"
pytestmark = pytest.mark.page  # every test here runs the app (AppTest)
PAGES = ["", "baseline", "safety", "participant", "laboratory", "appraisal", "data"]


def _upload(files: dict):
    at = open_page("data")
    at.radio(key="source_choice").set_value("upload").run()
    at.get("file_uploader")[0].set_value([(n, c, "application/octet-stream") for n, c in files.items()]).run()
    next(b for b in at.button if b.label == "Read these files").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("query", [{"m_arm_variable": "<b>"}, {"m_population": "NOSUCHFL"},
                                   {"m_control": "Nobody"}, {"m_baseline_visit": "Week 99"},
                                   {"m_records": "ANL07FL"}, {"m_efficacy": "X,Y", "m_primary": "Z"}])
def test_a_link_whose_mapping_does_not_fit_opens_with_the_default(query):
    at = open_page("data", query={"source": "synthetic", **query})
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["study"].has_patients
    shown = texts(at)
    if "m_arm_variable" in query or "m_population" in query or "m_control" in query or "m_baseline_visit" in query:
        assert "could not be applied" in shown and "default mapping" in shown
        assert not any(k.startswith("m_") and v for k, v in at.query_params.items() if k in query)


def test_generated_adam_files_render_every_page_and_say_their_choices(tmp_path):
    at = _upload(adam_shaped.xpt_files(tmp_path))
    shown = texts(at)
    assert "populations: efficacy: EFFFL = 'Y' (N = 11); safety: SAFFL = 'Y' (N = 12); baseline: ITTFL = 'Y' (N = 12)" \
        in shown
    # each BDS file's rule, files with the same rule together (ADLB has no analysis flag)
    assert "analysis records: ADQS, ADCIBC: records flagged ANL01FL = 'Y'; ADLB: observed records" in shown
    figures = [f["url_path"] for f in at.session_state["study"].figure_pages()]
    for page in PAGES + figures:
        at = go(at, page)
        assert not at.exception, (page, [e.message for e in at.exception])
        assert "records flagged ANL01FL = 'Y'; ADLB: observed records" in texts(at), page
    # the categorical CIBIC+ score is counted per category on its page, not drawn as means
    page = next(f["url_path"] for f in at.session_state["study"].figure_pages()
                if "cibicval" in at.session_state["study"].reported_only(f["figure"]))
    at = go(at, page)
    assert "A categorical parameter: subjects per category at each visit" in texts(at)
    assert not at.exception and "The source gives no values" not in texts(at)


def test_the_records_choice_is_in_the_address(tmp_path):
    at = _upload(adam_shaped.xpt_files(tmp_path))
    box = next(s for s in at.selectbox if s.label == "Analysis records")
    box.set_value("observed").run()
    next(b for b in at.button if b.label == "Apply the mapping").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # uploaded files are not kept once read (the shared server's memory): the reader uploads them again
    at.get("file_uploader")[0].set_value([(n, c, "application/octet-stream") for n, c in
                                          adam_shaped.xpt_files(tmp_path).items()]).run()
    next(b for b in at.button if b.label == "Read these files").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["m_records"] == ["observed"] or at.query_params["m_records"] == "observed"
    assert "analysis records: observed records (DTYPE blank)" in texts(at)


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_pharmaverse_safety_only_data_render_the_pages_they_can():
    files = {f"{n}.parquet": (PHARMAVERSE / f"{n}.parquet").read_bytes() for n in ("adsl", "adae")}
    at = _upload(files)
    assert "safety: SAFFL = 'Y' (N = 254)" in texts(at)
    for page in ("", "baseline", "safety", "laboratory", "data"):
        at = go(at, page)
        assert not at.exception, (page, [e.message for e in at.exception])


def test_table_one_and_the_teae_table_can_be_shown_in_another_population_kept_in_the_address(tmp_path):
    """tests/adam_shaped.py: ITTFL 12 (the baseline tables' default), EFFFL 11 (GEN-001 is 'N'). Table 1 in EFFFL
    has N = 11 in all and says so; the widget is bound to the address (t1_population, tried by test_hostile_links)."""
    from cratus.patient import read_patient_data, to_study
    from cratus.tables.characteristics import study_table_one, table_one_notes
    from cratus.tables.teae import teae_notes, teae_table

    files = adam_shaped.xpt_files(tmp_path)
    study = to_study(read_patient_data(*files.values(), names=list(files)))
    data = study.patients
    assert data.population_options("baseline")[:1] == ["ITTFL"] and "EFFFL" in data.population_options("baseline")
    assert len(data.in_population("baseline")) == 12 and len(data.in_population("baseline", "EFFFL")) == 11
    assert study_table_one(study).columns[-1] == "Total (N = 12)"
    assert study_table_one(study, population="EFFFL").columns[-1] == "Total (N = 11)"
    assert table_one_notes(study, population="EFFFL")[0].startswith("Population: subjects with EFFFL = 'Y'")
    assert teae_table(study, population="EFFFL").columns[-1] == "Total (N = 11)"
    assert "events are read for the safety population" in teae_notes(study, population="EFFFL")[0]
    at = _upload(files)
    at = go(at, "baseline")
    box = next(s for s in at.selectbox if s.label == "Population")
    assert box.value == "ITTFL"
    box.set_value("EFFFL").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Population: subjects with EFFFL = 'Y'" in texts(at)


@pytest.mark.skipif(not PHARMAVERSE.exists(), reason="the shared pharmaverse ADaM files are not here")
def test_the_overview_of_data_without_an_efficacy_endpoint_says_so():
    """pharmaverse ADSL+ADAE: no BDS file, so no efficacy endpoint: the Overview says so instead of a Holm sentence
    over '0 efficacy p-values printed'."""
    files = {f"{n}.parquet": (PHARMAVERSE / f"{n}.parquet").read_bytes() for n in ("adsl", "adae")}
    at = go(_upload(files), "")
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    assert "No efficacy endpoint in these data: no measurement file was read" in shown
    assert "0 efficacy p-values" not in shown and "printed" not in shown.split("What the trial shows")[-1][:600]
