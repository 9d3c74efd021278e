"""The subgroup filter and the Subgroups page in the app (streamlit.testing), on the synthetic demo.

The demo has 30 patients, 10 per arm, of whom 4 per arm are women (synthetic_files("adam", seed=1);
data.subjects.groupby(["arm", "sex"]).size()).  A filter in the address must change every page at once, show
the N per arm, survive a page switch and be cleared in one click.
"""

from __future__ import annotations

import pytest

from cratus.study.model import load_study
from tests.apptest import open_page, open_synthetic_demo, tables
from tests.test_patient_pages import go, texts

pytestmark = pytest.mark.page  # every test here runs the app (streamlit.testing)

WOMEN_CAPTION = "12 of 30 subjects · 100M 4/10 · 200M 4/10 · Placebo 4/10"


@pytest.fixture()
def demo():
    return open_synthetic_demo()


def _param(at, key):
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _n_columns(at) -> list[str]:
    return tables(at)[0].columns.tolist()[1:]


def _incidence(at):
    return next(t for t in tables(at) if "Patients with an event" in t.columns)


def test_a_filter_in_the_address_changes_every_page_and_clears_in_one_click(demo):
    demo.query_params["f_sex"] = "Female"
    at = go(demo, "baseline")
    assert not at.exception, [e.message for e in at.exception]
    assert WOMEN_CAPTION in texts(at) and "Filter on" in texts(at)
    # Table 1 headers count the women only
    assert _n_columns(at) == ["Allo-hMSC 100M (N = 4)", "Allo-hMSC 200M (N = 4)", "Placebo (N = 4)", "Total (N = 12)"]
    # the page's HTML report names the filter
    assert at.session_state["report"].selections["Subgroup filter"] == "Gender: Female (12 of 30 patients)"
    # A page switch drops the address's parameters: the session keeps the filter and puts it back
    del at.query_params["f_sex"]
    at = go(at, "safety")
    assert not at.exception and WOMEN_CAPTION in texts(at)
    assert _param(at, "f_sex") == "Female"
    # patients with a serious event among the 4 women of each arm (the adverse events of the 12 women)
    assert _incidence(at)["Patients with an event"].str.endswith("of 4").all()
    at.button(key="clear_filter").click().run()
    assert not at.exception and "Filter on" not in texts(at) and "f_sex" not in at.query_params
    assert _incidence(at)["Patients with an event"].str.endswith("of 10").all()
    # N per arm stays visible without a filter (10 per arm in the synthetic ADSL)
    assert "**All 30 subjects** (no subgroup filter) · 100M 10 · 200M 10 · Placebo 10" in texts(at)
    at = go(at, "baseline")
    assert _n_columns(at)[-1] == "Total (N = 30)"


def test_the_panel_sets_the_filter_and_the_address(demo):
    at = go(demo, "baseline")
    assert [m.label for m in at.multiselect if m.key != "table_one_columns"] == ["Gender", "Ethnicity", "Race"]
    at.slider(key="filter_age").set_value((80.0, 90.0)).run()
    # (subjects["age"] >= 80).sum() == 6, two per arm
    assert _param(at, "f_age") == "80..90" and "6 of 30 subjects · 100M 2/10 · 200M 2/10 · Placebo 2/10" in texts(at)
    assert _n_columns(at)[-1] == "Total (N = 6)"


@pytest.mark.parametrize("query, words", [
    # 80 and older and male: 1, 0 and 2 patients; an empty arm is not analysed, the pages keep every patient
    ({"f_age": "80..90", "f_sex": "Male"}, ["leaves no patient in 200M", "Filter not applied"]),
    ({"f_age": "95..99"}, ["leaves no patient, so it is not applied"]),
])
def test_a_filter_that_empties_an_arm_says_so_and_shows_everyone(demo, query, words):
    for key, value in query.items():
        demo.query_params[key] = value
    at = go(demo, "safety")
    assert not at.exception, [e.message for e in at.exception]
    assert all(w in texts(at) for w in words), texts(at)
    assert _incidence(at)["Patients with an event"].str.endswith("of 10").all()


def test_a_bad_filter_in_the_address_is_ignored(demo):
    demo.query_params["f_age"] = "old..older"
    demo.query_params["f_height"] = "1..2"
    at = go(demo, "baseline")
    assert not at.exception and "Filter on" not in texts(at) and _n_columns(at)[-1] == "Total (N = 30)"


def test_the_subgroups_page(demo):
    demo.query_params["subgroup_by"] = ["sex"]
    at = go(demo, "subgroups")
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Subgroups" and at.selectbox(key="subgroup_endpoint").value == "six_minute_walk"
    table = tables(at)[0]
    # tests/test_subgroups.py: the Welch difference among women, and the sex-by-arm interaction p
    assert table.iloc[1].tolist() == ["Gender", "Female", "90 (−90 to 270)", "4 / 4", "108 (−11 to 226)", "4 / 4",
                                      "p = .246"]
    assert "Subgroup findings in a small trial are exploratory" in texts(at)


def test_the_subgroups_page_is_listed_for_patient_data_only(demo):
    from ui.navigation import page_specs

    assert "subgroups" not in [s["url_path"] for s in page_specs(load_study())]
    assert "subgroups" in [s["url_path"] for s in page_specs(demo.session_state["study"])]


def test_a_shared_link_s_filter_applies_once_the_reader_opens_the_same_data():
    """A link never carries the data: its filter waits on the published study (which has no patients to filter)
    and applies when the reader opens the synthetic demo."""
    at = open_page("baseline", query={"f_sex": "Female"})
    assert not at.exception and "Filter on" not in texts(at)
    at = go(at, "data")
    at.radio(key="source_choice").set_value("synthetic").run()
    next(b for b in at.button if b.label == "Open the synthetic demo").click().run()
    assert not at.exception and WOMEN_CAPTION in texts(at)


def test_every_page_runs_with_one_patient_left_in_an_arm(demo):
    """Age 82 to 90 keeps 1, 2 and 2 patients (sorted ages per arm): tests without enough patients say so, no
    page fails."""
    from tests.test_patient_pages import PAGES

    demo.query_params["f_age"] = "82..90"
    for url_path in [*PAGES, "subgroups"]:
        at = go(demo, url_path)
        assert not at.exception, (url_path, [e.message for e in at.exception])
        assert "5 of 30 subjects · 100M 1/10 · 200M 2/10 · Placebo 2/10" in texts(at), url_path
