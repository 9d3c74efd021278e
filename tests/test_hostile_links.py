"""A link never crashes (issue 23): every address parameter the app reads — the mapping (``m_…``), the subgroup
filter (``f_…``) and every widget kept in the address — is tried with hostile values on the synthetic demo's pages;
each page opens without an exception, a mapping that does not fit says so and falls back to the default.

The widget keys are read from the pages' sources (``key="…", bind="query-params"``), so a parameter added later is
tried too."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from cratus.patient import Mapping
from tests.apptest import open_page
from tests.test_patient_pages import texts

pytestmark = pytest.mark.page
ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ["<b>x</b>", "", "NOSUCH", "-1", "nan", "1e309", "x" * 300, "Ω’\u202e", "a,b:c..d", "../../etc"]
PAGES = ["", "baseline", "safety", "laboratory", "participant", "subgroups", "appraisal", "data", "analyses",
         "time_to_event", "present"]


def _widget_keys() -> list[str]:
    """Every widget key bound to the address in ui/ and pages/ (the ``key=`` nearest each ``bind="query-params"``;
    a name such as ``keys.ARMS`` is resolved), and every parameter read with ``st.query_params.get("…")``."""
    import ui.filters
    import ui.keys

    found = set()
    for path in [*ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py")]:
        text = path.read_text()
        for bind in re.finditer(r'bind="query-params"', text):
            window = text[max(0, bind.start() - 600):bind.end() + 300]
            at = bind.start() - max(0, bind.start() - 600)
            keys = [(abs(m.start() - at), m.group(1) or m.group(2))
                    for m in re.finditer(r'key="(\w+)"|key=([\w.]+)', window)]
            if keys:
                name = min(keys)[1]
                if not re.fullmatch(r"\w+", name) or name.isupper():
                    module, _, attribute = name.rpartition(".")
                    name = getattr(ui.keys if module == "keys" else ui.filters, attribute)
                found.add(name)
        found.update(re.findall(r'query_params\.get\("(\w+)"', text))
    return sorted(found)


def _ok(at, where):
    assert not at.exception, (where, [e.message for e in at.exception])


def test_the_widget_keys_are_found():
    keys = _widget_keys()
    # a few from each part of the app: if the pattern stops finding them, the test below tries nothing
    assert {"endpoint", "table_one_columns", "section", "subgroup_by", "subject", "slide"} <= set(keys) or \
        {"endpoint", "table_one_columns", "section", "subgroup_by"} <= set(keys), keys
    assert len(keys) >= 20, keys


@pytest.mark.parametrize("field", [f.name for f in fields(Mapping)])
def test_every_mapping_parameter_with_a_hostile_value(field):
    for value in ("<b>", "NOSUCH:x,y", "x" * 300):
        at = open_page("data", query={"source": "synthetic", f"m_{field}": value})
        _ok(at, (field, value))
        assert at.session_state["study"].has_patients, (field, value)


def test_an_unknown_mapping_parameter_is_ignored():
    at = open_page("data", query={"source": "synthetic", "m_nosuch": "1", "m_": "x"})
    _ok(at, "m_nosuch")
    assert at.session_state["study"].has_patients


@pytest.mark.parametrize("value", HOSTILE[:6] + ["80..60", "..", "1..x", "Female,Male,<b>"])
def test_filter_parameters_with_hostile_values(value):
    at = open_page("", query={"source": "synthetic", "f_sex": value, "f_age": value, "f_nosuch": value,
                              "f_": value, "f_usubjid": value})
    _ok(at, value)


@pytest.mark.parametrize("page", PAGES)
def test_every_widget_parameter_with_hostile_values_on_every_page(page):
    keys = _widget_keys()
    for value in HOSTILE:
        at = open_page(page, query={"source": "synthetic", **{k: value for k in keys}})
        _ok(at, (page, value))
