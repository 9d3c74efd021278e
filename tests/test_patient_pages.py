"""Patient-level data in the app: the synthetic demo, uploaded ADaM and long files, bad files, two sessions.

Every page must recompute from the patients, say where its numbers come from, and keep working after a bad
upload; what one session uploads must never reach another.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cratus.patient.synthetic import synthetic_files
from cratus.study.model import load_study
from tests.apptest import open_page, open_synthetic_demo, set_page, tables

PAGES = ["", "baseline", "safety", "participant", *[f["url_path"] for f in load_study().figure_pages()], "appraisal",
         "present"]


def go(at, url_path: str):
    return set_page(at, url_path).run()


def texts(at) -> str:
    kinds = ("title", "markdown", "caption", "info", "warning", "success", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def upload(at, files: dict):
    at.radio(key="source_choice").set_value("upload").run()
    mime = {"xpt": "application/octet-stream", "csv": "text/csv", "parquet": "application/octet-stream",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    at.get("file_uploader")[0].set_value([(name, content, mime[name.rsplit(".", 1)[-1]])
                                          for name, content in files.items()]).run()
    next(b for b in at.button if b.label == "Read these files").click().run()
    return at


@pytest.fixture(scope="module")
def synthetic_session():
    return open_synthetic_demo()


@pytest.mark.page
@pytest.mark.parametrize("url_path", PAGES)
def test_every_page_of_the_synthetic_demo_says_it_is_synthetic(synthetic_session, url_path):
    at = go(synthetic_session, url_path)
    assert not at.exception, [e.message for e in at.exception]
    assert "Synthetic data — not trial data" in texts(at)


@pytest.mark.page
def test_the_synthetic_demo_recomputes_table_one_from_patients(synthetic_session):
    at = go(synthetic_session, "baseline")
    table = tables(at)[0]
    row = table.index[table["Characteristic"] == "Age at infusion (years)"][0] + 2  # heading, n (missing), mean (SD)
    # data/summary.csv, Table 1: age 75.0 ± 7.4 in 100M; the synthetic patients are rescaled to it exactly (ages
    # recorded to one decimal, so the mean has two and the SD three)
    assert table.loc[row, "Characteristic"] == "\u2003Mean (SD)" and table.iloc[row, 1] == "75.00 (7.400)"


@pytest.mark.page
def test_the_fidelity_table_is_shown_for_the_synthetic_demo(synthetic_session):
    at = go(synthetic_session, "data")
    fidelity = next(d for d in tables(at) if "within_rounding" in d.columns)
    means = fidelity[fidelity["statistic"].isin(["mean", "sd"])]
    assert len(means) > 20 and means["within_rounding"].all()


@pytest.mark.page
@pytest.mark.parametrize("fmt", ["adam", "long"])
def test_uploaded_files_are_read_and_every_page_recomputes(fmt):
    at = upload(open_page("data"), synthetic_files(fmt, seed=3))
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Uploaded:" in texts(at)
    for url_path in ("", "baseline", "safety", "functional"):
        go(at, url_path)
        assert not at.exception, (url_path, [e.message for e in at.exception])
        assert "computed here from patients" in texts(at)


SUBJECTS = b"usubjid,arm,age\n1,Drug,70\n2,Placebo,72\n"


@pytest.mark.page
@pytest.mark.parametrize("files, words", [
    ({"adsl.xpt": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}, ["adsl.xpt"]),
    ({"subjects.csv": b""}, ["subjects.csv"]),
    ({"subjects.csv": SUBJECTS, "measurements.csv": b"usubjid,visit,endpoint,value\n1,Baseline,score,abc\n"},
     ["measurements.csv", "value", "row"]),
])
def test_a_bad_file_gets_a_clear_message_and_the_app_keeps_working(files, words):
    at = upload(open_page("data"), files)
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert all(w in message for w in words), message
    go(at, "baseline")
    assert not at.exception and at.title[0].value.startswith("Baseline")


@pytest.mark.page
def test_an_upload_in_one_session_is_invisible_to_another():
    first = upload(open_page("data"), synthetic_files("long", seed=5))
    assert first.session_state["study"].kind == "patient"
    second = open_page("baseline")
    assert second.session_state["study"].kind == "published"
    assert "computed here from patients" not in texts(second)
    assert "uploaded_files" not in second.session_state


@pytest.mark.page
def test_another_trial_s_patient_data_shows_no_cratus_names():
    """Patient files of a trial that is not CRATUS (bench/make_large_patient_data.py: "Drug 10 mg", "Drug 20 mg",
    "Placebo"; Week visits; its own endpoints): every page recomputes without a CRATUS word on it."""
    import sys
    from pathlib import Path

    from tests.test_studies import CRATUS_WORDS, _visible_text

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from make_large_patient_data import make_large

    at = upload(open_page("data"), make_large(40))
    assert not at.exception and not at.error, [e.value for e in at.error]
    study = at.session_state["study"]
    assert study.kind == "patient" and study.design.control == "placebo"
    for url_path in ["", "baseline", "safety", *[f["url_path"] for f in study.figure_pages()], "appraisal"]:
        go(at, url_path)
        assert not at.exception, (url_path, [e.message for e in at.exception])
        found = {w for w in CRATUS_WORDS.findall(_visible_text(at)) if w.lower() != "placebo"}
        assert not found, (url_path, found)


@pytest.mark.page
def test_a_panel_opens_the_tests_computed_from_its_patients(synthetic_session):
    at = go(synthetic_session, "functional")
    assert not any("Compares" in t.columns for t in tables(at))      # built only when opened
    at.session_state["tests_six_minute_walk"] = True
    at.run()
    table = next(t for t in tables(at) if "Compares" in t.columns)
    # cratus.patient.stats: paired t and Wilcoxon within each arm; Welch, Mann–Whitney and ANCOVA against placebo
    assert {"paired t-test", "Wilcoxon signed-rank test", "Welch t-test", "Mann–Whitney U test",
            "ANCOVA (adjusted for baseline)"} <= set(table["Test"])
    assert "6 months vs baseline, within 100M" in set(table["Compares"])
    assert "100M vs Placebo at 6 months" in set(table["Compares"])


@pytest.mark.page
def test_a_session_s_patients_are_dropped_with_the_session():
    """What the pages make from an uploaded study's patients (the Data source page's patients as read, a
    subgroup filter's study) is kept in its session only (ui.session._kept): gone when the session is, where a
    process-wide cache kept up to four of them after their sessions had ended."""
    import gc
    import weakref

    at = upload(open_page("data"), synthetic_files("long", seed=7))
    sex = at.session_state["study"].patients.subjects["sex"].dropna().iloc[0]
    at.query_params["f_sex"] = sex
    go(at, "baseline")
    assert not at.exception
    memo = at.session_state["_session_memo"]
    made = [weakref.ref(memo["as_read"][(memo["_study"],)])]
    made += [weakref.ref(f.study) for f in memo["filtered"].values()]
    applied = [bool(f.study.filters) for f in memo["filtered"].values()]  # no assert holds a reference to it
    assert len(made) == 2 and applied == [True]
    made.append(weakref.ref(at.session_state["study"].patients))
    del memo, at
    open_page("baseline")  # another session's run: the script's module (its globals) is the last run's
    gc.collect()
    assert [m() for m in made] == [None, None, None]
