"""AppTest tests of every page: renders, and follows the arm selection with the right values."""

import pytest

from tests.apptest import open_page, tables

PAGES = {"overview": "", "baseline": "baseline", "safety": "safety"}


def select_arms(at, arms):
    at.sidebar.get("button_group")[0].set_value(arms).run()


def run_page(page, arms=None, query=None):
    at = open_page(PAGES[page], query=query, arms=arms)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.page
@pytest.mark.parametrize("page, title", [
    ("overview", "CRATUS: allogeneic mesenchymal stem cells for aging frailty"),
    ("baseline", "Baseline characteristics (Table 1)"),
    ("safety", "Safety"),
])
def test_page_renders_its_title(page, title):
    at = run_page(page)
    assert at.title[0].value == title


@pytest.mark.page
def test_overview_states_the_primary_endpoint_result():
    at = run_page("overview")
    assert any("No TE-SAEs occurred in any of the three groups in the first 30 days." in s.value for s in at.success)
    assert any("10.1093/gerona/glx137" in m.value for m in at.markdown)


def _table_one(at):
    return tables(at)[0].set_index("Characteristic")


@pytest.mark.page
@pytest.mark.parametrize("arms, columns", [
    (["100M", "200M", "placebo"], ["Allo-hMSC 100M (N = 10)", "Allo-hMSC 200M (N = 10)", "Placebo (N = 10)",
                                   "Total (N = 30)"]),
    # a total over hidden arms names them (issue 21: a shared link that hides an arm)
    (["200M"], ["Allo-hMSC 200M (N = 10)", "All arms (incl. hidden 100M, Placebo) (N = 30)"]),
    (["placebo", "100M"], ["Allo-hMSC 100M (N = 10)", "Placebo (N = 10)", "All arms (incl. hidden 200M) (N = 30)"]),
])
def test_baseline_table_follows_the_arm_selection(arms, columns):
    table = _table_one(run_page("baseline", arms=arms))
    assert list(table.columns) == columns
    # Table 1: "Age at infusion (years) 75.0 ± 7.4 76.3 ± 8.4 75.3 ± 6.8 75.5 ± 7.3"
    expected = {"Allo-hMSC 100M (N = 10)": "75.0 ± 7.4", "Allo-hMSC 200M (N = 10)": "76.3 ± 8.4",
                "Placebo (N = 10)": "75.3 ± 6.8", "Total (N = 30)": "75.5 ± 7.3"}
    total = columns[-1]
    expected[total] = expected["Total (N = 30)"]   # the printed total of all 30, whichever arms are shown
    assert table.loc["Age at infusion (years)"].to_dict() == {c: expected[c] for c in columns}


@pytest.mark.page
def test_changing_the_arm_selection_reruns_with_new_columns():
    at = run_page("baseline")
    assert len(_table_one(at).columns) == 4
    select_arms(at, ["100M"])
    assert list(_table_one(at).columns) == ["Allo-hMSC 100M (N = 10)", "All arms (incl. hidden 200M, Placebo) (N = 30)"]


@pytest.mark.page
def test_arms_in_the_url_select_the_arms():
    # The URL carries what the selector shows: ?arms=100M&arms=Placebo
    at = run_page("baseline", query={"arms": ["100M", "Placebo"]})
    assert list(_table_one(at).columns) == ["Allo-hMSC 100M (N = 10)", "Placebo (N = 10)",
                                            "All arms (incl. hidden 200M) (N = 30)"]


@pytest.mark.page
def test_no_arm_selected_asks_for_one():
    at = run_page("baseline", arms=[])
    assert "Select at least one arm" in at.info[0].value
    assert len(tables(at)) == 0


@pytest.mark.page
def test_safety_tables_follow_the_arm_selection():
    at = run_page("safety", arms=["200M"])
    sae = tables(at)[0].set_index("System organ class / preferred term")
    # Table 2: Death 1 (50%) 1 (10%) in 200M; total 1 (10%) 1 (3%), over every arm: named for the hidden ones
    total = "All arms (incl. hidden 100M, Placebo): events · patients"
    assert sae.loc["\u2003Death", ["200M: events · patients", total]].tolist() == [
        "1 (50%) · 1 (10%)", "1 (10%) · 1 (3%)"]
    assert "Total: events · patients" not in sae.columns
    assert not any(c.startswith(("100M", "Placebo")) for c in sae.columns)
    cpra = next(d for d in tables(at) if "Calculated panel reactive antibodies" in d.columns)
    # Table 3, 200M column: 8, 0, 2, 0
    assert cpra.set_index("Calculated panel reactive antibodies")["Allo-hMSC 200M (N = 10)"].tolist() == [8, 0, 2, 0]


@pytest.mark.page
def test_safety_page_lists_the_long_term_events_and_p_values():
    at = run_page("safety")
    text = " ".join(m.value for m in at.markdown)
    assert "Stroke in the Placebo arm, 307 days after infusion" in text
    assert "Death in the Allo-hMSC 200M arm" in text
    comparisons = next(d for d in tables(at) if "Compares" in d.columns)
    # Results: Long-term adverse events "(p = .300 and p = .141, respectively)"
    assert comparisons["p-value"].tolist() == ["p = .300", "p = .141"]


def test_a_static_table_is_plain_html_made_once_per_frame_and_reads_back_as_its_frame():
    import pandas as pd

    from tests.apptest import read_tables
    from ui.render import _table_html

    frame = pd.DataFrame({"Arm": ["100M", "<b>Placebo</b>"], "n": [10, 9], "Mean ± SD": ["345.9 ± 103.5", None]})
    first = _table_html(frame, "Arms")
    assert first is _table_html(frame, "Arms")                           # the same frame: made once
    assert _table_html(frame.copy(), "Arms") is not first                 # another frame: its own table
    assert "<b>" not in first and "&lt;b&gt;" in first                    # text is escaped, never markup
    assert 'aria-label="Arms"' in first and '<td class="num">9</td>' in first
    (back,) = read_tables(first)
    assert back.to_dict("list") == {"Arm": ["100M", "<b>Placebo</b>"], "n": [10, 9],
                                    "Mean ± SD": ["345.9 ± 103.5", ""]}  # a missing cell is blank
