"""The numbers and p-values of each endpoint as the shared provenance rule selects them (the shown copy),
read once per study: what the readings and the imbalance notes are built from."""

from __future__ import annotations

import weakref

import pandas as pd

from cratus.formatting import decimals_of, format_number
from cratus.study.provenance import select_figure_rows, select_p_values


def _number(value: float, printed: str) -> str:
    return format_number(float(value), decimals_of(printed))


_SELECTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _selected(study) -> tuple[dict, dict, dict]:
    """Per endpoint: its numbers and p-values as the shared provenance rule selects them, and its dictionary
    row; computed once per study (plain dicts: filtering frames row by row is slow)."""
    if study not in _SELECTED:
        numbers: dict = {}
        for r in select_figure_rows(study.summary).to_dict("records"):
            if r["level"] == "":
                numbers.setdefault(r["endpoint"], {})[(r["arm"], r["visit"], r["statistic"])] = (r["value"],
                                                                                               r["printed"])
        p_values: dict = {}
        for r in select_p_values(study.p_values).to_dict("records"):
            p_values.setdefault(r["endpoint"], []).append(r)
        info = {r["endpoint"]: {k: ("" if pd.isna(v) else v) for k, v in r.items()}
                for r in study.endpoints.to_dict("records")}
        _SELECTED[study] = (numbers, p_values, info)
    return _SELECTED[study]


def _info(study, endpoint: str) -> dict:
    return _selected(study)[2].get(endpoint, {"endpoint": endpoint, "label": endpoint})


def _label(study, endpoint: str) -> str:
    return str(_info(study, endpoint).get("label") or endpoint)


def selected_numbers(study, endpoint: str) -> dict:
    """``{(arm, visit, statistic): (value, printed)}`` of the endpoint's level-free numbers (the shown copy)."""
    return _selected(study)[0].get(endpoint, {})


def _endpoint_p_values(study, endpoint: str) -> list[dict]:
    return _selected(study)[1].get(endpoint, [])
