"""The code behind every output: each Python snippet a patient-level page shows runs on its own and gives what the
page shows (the same table cells, the same figure data, the same CSV download).

The snippets are collected from the session state (:data:`ui.keys.CODE_SNIPPETS`) of pages opened on the synthetic
demo and on an uploaded long CSV, and each is run with ``exec`` in a fresh namespace.  Opening the synthetic demo
takes seconds, so :func:`cratus.patient.open_study` and ``synthetic_files`` are memoised across snippets here:
every line of every snippet still runs, and identical openings share their result.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import cratus.patient
import cratus.patient.synthetic
from cratus.outputs.export import to_csv_bytes
from cratus.outputs.code import Call, Recipe, literal
from cratus.patient.synthetic import synthetic_files
from cratus.study.model import load_study
from tests.test_patient_pages import go as go_to, synthetic_session, upload  # noqa: F401 - a fixture
from tests.apptest import open_page, tables

#: The appraisal's tabs and what their snippets call (pages/appraisal.py)
APPRAISAL_TABS = {"Between arms": {"between_arm_view", "forest_figure"},
                  "Within-arm change": {"within_arm_detail", "sensitivity_figure", "within_arm_view"},
                  "Multiplicity": {"multiplicity_view"},
                  "Power": {"n_by_correlation_figure", "power_view", "power_figure"}}


@pytest.fixture
def memoised(monkeypatch):
    """Identical openings share one study (see the module docstring)."""
    opened = {}

    def open_study(files, mapping=None, filters=(), reference=None):
        key = repr((sorted((k, hash(v)) for k, v in files.items()) if isinstance(files, dict) else files,
                    mapping, filters))
        if key not in opened:
            opened[key] = real_open(files, mapping=mapping, filters=filters, reference=reference)
        return opened[key]

    real_open = cratus.patient.open_study
    monkeypatch.setattr(cratus.patient, "open_study", open_study)
    monkeypatch.setattr(cratus.patient.synthetic, "synthetic_files", functools.cache(synthetic_files))
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: None)


@pytest.fixture
def downloads(monkeypatch):
    """The bytes of every download button the page offers, by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            offered[filename] = path_or_data
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)

    # A button whose file is written when clicked (the panels' CSVs): kept, and written when a test reads it.
    from streamlit.runtime.media_file_manager import MediaFileManager

    real_deferred = MediaFileManager.add_deferred

    def deferred(self, callable_, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:
            offered[file_name] = callable_
        return real_deferred(self, callable_, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return offered


def run_snippet(code: str):
    namespace: dict = {}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - the code under test
    return namespace["result"]


def cells(frame: pd.DataFrame) -> list:
    """A table's cells as text, as the page draws them (missing values blank)."""
    return [["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in row]
            for row in frame.astype(object).itertuples(index=False)]


def shown_tables(at) -> list[pd.DataFrame]:
    """Static tables and interactive ones (the Safety page's listing of serious events by participant)."""
    return tables(at) + [d.value for d in at.dataframe]


def shown_figures(at) -> list[list]:
    return [json.loads(chart.proto.spec)["data"] for chart in at.get("plotly_chart")]


def check(snippet: dict, at, offered: dict) -> None:
    """The snippet's result equals an output of the page: a table drawn, a figure drawn, or a CSV download."""
    result = run_snippet(snippet["code"])
    if isinstance(result, go.Figure):
        assert json.loads(result.to_json())["data"] in shown_figures(at), snippet["code"]
    elif snippet["title"].startswith("Panel data"):
        endpoint = snippet["call"].args[0].args[0]
        csv = offered[f"{endpoint}.csv"]
        assert to_csv_bytes(result) == (csv() if callable(csv) else csv), snippet["code"]
    else:
        assert isinstance(result, pd.DataFrame), snippet["code"]
        # The overview's bottom line shows every column but the caveats (listed below it)
        # (a page may capitalise a tidy frame's headers: "characteristic" is shown as "Characteristic")
        capitalised = result.rename(columns=lambda c: str(c)[:1].upper() + str(c)[1:])
        assert any(cells(t) == cells(frame[list(t.columns)]) for frame in (result, capitalised)
                   for t in shown_tables(at) if list(t.columns) == [c for c in frame.columns if c in t.columns]), \
            snippet["code"]


def views(at):
    """Every view of the synthetic demo's patient-level pages that shows a different set of outputs."""
    for url_path in ["", "baseline", "safety", "laboratory"]:
        yield url_path, go_to(at, url_path)
    at.query_params["subject"] = "SYN-011"  # a participant with a serious adverse event (the synthetic ADAE)
    yield "participant", go_to(at, "participant")
    at.query_params.pop("subject", None)
    # The synthetic study's own figure pages: the published figures and the endpoints they leave out
    for figure in at.session_state["study"].figure_pages():
        url_path = figure["url_path"]
        at = go_to(at, url_path)
        yield url_path, at
        for endpoint in at.session_state["study"].panels(figure["figure"]):
            at.session_state[f"tests_{endpoint}"] = True
        at.toggle(key="trajectories").set_value(True).run()
        yield f"{url_path} with each patient's lines and the tests", at
        at.toggle(key="trajectories").set_value(False).run()
    for tab in APPRAISAL_TABS:
        at.query_params["section"] = tab
        yield f"appraisal: {tab}", go_to(at, "appraisal")
    at.query_params.pop("section", None)


@pytest.mark.page
def test_every_snippet_of_the_synthetic_demo_runs_and_reproduces_its_output(synthetic_session, memoised, downloads):
    counted, called = {}, {}
    for view, at in views(synthetic_session):
        assert not at.exception, (view, [e.message for e in at.exception])
        snippets = at.session_state["code_snippets"]
        counted[view] = len(snippets)
        called[view] = {s["call"].func.__name__ for s in snippets}
        for snippet in snippets:
            check(snippet, at, downloads)
    # Outputs computed from patients: Table 1 and its balance figure; the SAE table, the incidence table and the
    # table of treatment-emergent events by class and term;
    # the listing of serious events by participant; the bottom line and the participant flow; a figure and each
    # panel's CSV (and each panel's tests when open); the laboratory test over time, its shift table and eDISH;
    # the participant's characteristics, endpoints, event timeline and event table
    assert counted["baseline"] == 2 and counted["safety"] == 4 and counted[""] == 2, counted
    assert counted["laboratory"] == 3 and counted["participant"] == 4, counted
    assert counted["functional"] == 1 + 4, counted      # 4 panels on the page (data/figures.csv)
    assert counted["functional with each patient's lines and the tests"] == 1 + 4 * 2, counted
    # every figure page was seen: the three published figures and the pages of the endpoints they leave out
    figures = len(synthetic_session.session_state["study"].figure_pages())
    assert figures > 3 and len(counted) == 5 + 2 * figures + len(APPRAISAL_TABS), counted
    assert all(called[f"appraisal: {tab}"] == names for tab, names in APPRAISAL_TABS.items()), called


@pytest.mark.page
def test_an_opened_snippet_is_shown_with_its_download(synthetic_session):
    at = go_to(synthetic_session, "baseline")
    assert not at.code                              # built only when opened
    at.session_state["code_study_table_one_0"] = True
    at.run()
    code = at.code[0].value
    assert code == at.session_state["code_snippets"][0]["code"]
    assert 'open_study(synthetic_files("adam", seed=1))' in code
    assert "study_table_one(" in code and 'arms=("100M", "200M", "placebo")' in code
    assert any(b.proto.label == "Python file (.py)" for b in at.get("download_button"))


@pytest.mark.page
def test_a_snippet_of_uploaded_files_runs_next_to_those_files(tmp_path, monkeypatch):
    files = synthetic_files("long", seed=3)
    at = upload(open_page("data"), files)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: None)
    at = go_to(at, "baseline")
    # The recipe kept with the session's study rebuilds it from the files in this folder, content and all
    study = at.session_state["study"]
    assert study.recipe.open().key == study.key
    table, figure = at.session_state["code_snippets"]
    assert f"open_study({literal(list(files))})" in table["code"]
    assert cells(run_snippet(table["code"])) == cells(tables(at)[0])
    assert json.loads(run_snippet(figure["code"]).to_json())["data"] in shown_figures(at)
    at = go_to(at, "functional")
    chart = at.session_state["code_snippets"][0]
    assert chart["title"].startswith("Figure") and "build_figure_grid(" in chart["code"]
    assert json.loads(run_snippet(chart["code"]).to_json())["data"] in shown_figures(at)


@pytest.mark.page
def test_the_published_study_shows_no_snippet():
    at = open_page("baseline")
    assert at.session_state["code_snippets"] == []
    assert not [e for e in at.expander if e.label == "Python"]


@pytest.mark.parametrize("recipe, expected", [
    (Recipe(files=("subjects.csv", "measurements.csv")), 'study = open_study(["subjects.csv", "measurements.csv"])'),
    (Recipe(synthetic_seed=1, mapping={"population": "all", "control": ""}),
     'study = open_study(synthetic_files("adam", seed=1), mapping={"population": "all"})'),
    (Recipe(files=("adsl.xpt",), filters=(("sex", ("F",)),)),
     'study = open_study(["adsl.xpt"], filters=(("sex", ("F",)),))'),
])
def test_the_snippet_opens_the_data_as_recorded(recipe, expected):
    assert expected in recipe.opening()


def test_nested_calls_pick_items_and_leave_out_defaults():
    from cratus.figures import Look, Measure, build_endpoint_figure
    from cratus.patient.display import add_trajectories

    figure = Call(build_endpoint_figure, ("sppb",), {"arms": ["100M"], "measure": Measure(),
                                                     "look": Look(phone=False, for_export=True)})
    code = Recipe(files=("a.csv",)).code(Call(add_trajectories, (figure,), pick=(0,)), shows="figure")
    # Measure() is build_endpoint_figure's default, so it is left out; a typed value is written as its
    # constructor with the fields that differ from their defaults, and imported
    assert ('result = add_trajectories(\n    study,\n    build_endpoint_figure(study, "sppb", arms=["100M"], '
            'look=Look(for_export=True)),\n)[0]') in code
    assert "from cratus.figures import Look, build_endpoint_figure" in code and code.endswith("result.show()")


def test_a_recipe_opens_the_study_the_app_builds():
    from cratus.patient import read_patient_data, to_study

    files = synthetic_files("long", seed=3)
    built = to_study(read_patient_data(*files.values(), names=list(files)), reference=load_study())
    assert Recipe(files=tuple(files)).open(files).key == built.key


@pytest.mark.page
def test_a_filtered_page_s_snippets_reopen_the_same_subjects(memoised, downloads):
    from tests.apptest import open_synthetic_demo

    at = open_synthetic_demo()
    at.query_params["f_sex"] = "Female"
    at = go_to(at, "baseline")
    assert not at.exception, [e.message for e in at.exception]
    snippets = at.session_state["code_snippets"]
    assert snippets and all('filters=(("sex", ("Female",)),)' in s["code"] for s in snippets)
    for snippet in snippets:
        check(snippet, at, downloads)   # e.g. Table 1 of the women only, cell by cell
    # the synthetic ADSL has 12 women of 30 subjects (4 per arm); check() above compared Table 1 of those 12
    assert "12 of 30 subjects" in " ".join(c.value for c in at.caption)


@pytest.mark.page
def test_each_snippet_is_named_after_its_own_output(synthetic_session):
    """One call per output (ui.table / ui.chart): the snippet's title is the output's caption or the figure's own
    title, whatever was added to the report before it."""
    at = go_to(synthetic_session, "baseline")
    table, figure = at.session_state["code_snippets"]
    report_tables = [content[0] for kind, content in at.session_state["report"].items if kind == "table"]
    # pages/baseline.py: a patient-level study's Table 1 is captioned "Demographic and baseline characteristics"
    assert table["title"] == "Demographic and baseline characteristics" == report_tables[0]
    assert table["code"].startswith("# Demographic and baseline characteristics\n")
    drawn = next(content for kind, content in at.session_state["report"].items if kind == "figure")
    assert figure["title"] and figure["title"] in drawn.layout.title.text
    at.query_params["subject"] = "SYN-011"  # a participant with a serious adverse event (the synthetic ADAE)
    at = go_to(at, "participant")
    at.query_params.pop("subject", None)
    titles = [s["title"] for s in at.session_state["code_snippets"]]
    # pages/participant.py: the characteristics table, two figures, the events table (captions as written there)
    assert titles[0] == "Participant SYN-011" and titles[3] == "Adverse events of participant SYN-011", titles
