"""AppTest: where the app shows the paper's contradictions, and that a ⚠ sits on the disputed value only (issue 21)."""

import json

import pytest

from tests.apptest import open_page, tables

pytestmark = pytest.mark.page


def _run(page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chart(at):
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _warned(spec, endpoint):
    """``{(role, arm)}`` of the annotations of *endpoint* that carry a "⚠"."""
    found = set()
    for a in spec["layout"].get("annotations", []):
        role, own, arm = (str(a.get("name", "")) + "|||").split("|")[:3]
        if own == endpoint and "⚠" in str(a.get("text", "")):
            found.add((role, arm))
    return found


def _listed(at, key):
    at.session_state[key] = True    # the figure page's contradictions expander, opened
    at.run()
    found = [t for t in tables(at) if "What the paper says" in t.columns]
    return " ".join(found[0]["What the paper says"]) if found else ""


def test_the_immune_page_puts_the_warning_on_the_disputed_values_of_3f_only():
    warned = _warned(_chart(_run("immune")), "tnf_alpha_bcell")
    # Results: Immune biomarkers and the Abstract agree on the 100M within-arm "p < .0001": no ⚠ there
    assert ("p_within", "100M") not in warned
    # disputed: 200M within (Abstract .002 vs Results .001), both vs-placebo p-values (Abstract .003/.039 vs
    # Results < .00001/.00002; .00002 not reachable), and the 200M "17.1 ± 2.0 to 8.4 ± 1.1" read as mean ± SD
    assert warned == {("p_within", "200M"), ("p_vs_control", "100M"), ("p_vs_control", "200M"),
                      ("discrepancy", "200M")}


def test_the_immune_page_lists_the_new_contradictions():
    said = _listed(_run("immune"), "contradictions_3")
    # Abstract: Conclusion vs Results on inflammatory biomarkers; Results vs Discussion on immune effects
    assert "IL-6, CRP, D-dimer, CBC or fibrinogen" in said and "effective on immune markers" in said
    assert "about .00005" in said                       # B-cell TNF-α 200M vs placebo p = .00002, unreachable


def test_consistent_roundings_are_neither_flagged_nor_listed():
    at = _run("quality_of_life")
    # SQOL-F: Abstract "p = .03" and Results "p = .035" are one value at two precisions (any p in [.0345, .035))
    assert _warned(_chart(at), "sqol_f") == set()
    assert _listed(at, "contradictions_4") == ""
    functional = _run("functional")
    # FEV1 100M baseline SD: Table 1 "0.7", Results "0.66"
    assert ("discrepancy", "100M") not in _warned(_chart(functional), "fev1")
    assert "0.66" not in _listed(functional, "contradictions_2")


def test_the_overview_lists_the_contradictions_about_the_conclusions():
    at = _run("")
    box = next(e for e in at.expander if "contradicts itself about its conclusions" in e.label)
    text = " ".join(m.value for m in box.markdown)
    # Methods: "Efficacy was demonstrated by differences in the rate of change"; Discussion: "100M represents a
    # superior dose level"; Abstract: Conclusion "efficacy profiles demonstrated"
    assert "The Methods say efficacy is shown by differences between groups" in text
    assert "the 100M dose is superior" in text and "efficacy demonstrated" in text


def test_the_safety_page_separates_table_3_from_its_note_and_flags_the_time_points():
    at = _run("safety")
    table = next(t for t in tables(at) if "What the paper says" in t.columns)
    said = " ".join(table["What the paper says"])
    assert "The body of Table 3" in said and "its note says one of the two was not donor specific" in said
    assert "adverse events at 12 months and then gives p-values at 6 and 12 months" in said
