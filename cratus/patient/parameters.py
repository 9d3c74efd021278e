"""Kinds of BDS parameter and their role: continuous, categorical or binary; efficacy or safety; primary.

Kinds, from the analysis records of each parameter (:func:`parameter_table`):

* **binary**: the values are two at most and are 0/1 (``AVAL``) or Y/N
  (``AVALC``): a flag such as a Hy's-law criterion;
* **categorical**: text values (``AVALC`` without a numeric ``AVAL``), or a
  small set of ordered whole numbers (at most :data:`MAX_ORDERED` distinct
  values, none negative — a 1–7 rating) labelled by ``AVALC`` or taken by at
  least :data:`MIN_RATINGS` records;
* **continuous**: the others.

Categorical and binary parameters are summarised as counts and percentages,
not means (:mod:`cratus.patient.categories`); the mapping's ``continuous``
names parameters to read as continuous whatever their values.

Roles: the mapping's ``efficacy`` (PARAMCD values as given, or endpoint ids)
names the efficacy endpoints; by default every parameter that is not a
safety measurement is one — a safety measurement being a record of a
laboratory, vital-signs or ECG dataset (``ADLB…``, ``ADVS``, ``ADEG``) or of
a parameter with a reference range.  Efficacy records are analysed in the
efficacy population, safety ones in the safety population.  ``primary``
names the primary endpoint (none by default).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.mapping import Mapping, normalise

KINDS = ("continuous", "categorical", "binary")
#: Most distinct whole numbers a parameter may take to be read as ordered categories (a 1–7 rating).
MAX_ORDERED = 7
#: Records a parameter of whole numbers without text labels (AVALC) needs to be read as a rating: with fewer, a
#: handful of whole numbers may as well be a continuous measure that happens to be whole.
MIN_RATINGS = 30
SAFETY_DATASETS = ("ADLB", "ADVS", "ADEG")
PARAMETER_COLUMNS = ["endpoint", "code", "label", "dataset", "kind", "role", "primary"]
_YES_NO = {"Y", "N", "YES", "NO"}


def _kind(values: np.ndarray, texts: pd.Series) -> str:
    numbers = values[~np.isnan(values)]
    shown = set(texts.dropna().astype(str).str.strip().str.upper())
    if not len(numbers):
        if shown and shown <= _YES_NO:
            return "binary"
        return "categorical" if shown else "continuous"
    distinct = np.unique(numbers)
    if len(distinct) <= 2 and set(distinct) <= {0.0, 1.0} and (not shown or shown <= _YES_NO | {"0", "1"}):
        return "binary"
    whole = bool(np.all(distinct == np.floor(distinct)))
    labelled = bool(shown) and not shown <= {f"{v:g}" for v in distinct}
    if whole and len(distinct) <= MAX_ORDERED and distinct.min() >= 0 and (labelled or len(numbers) >= MIN_RATINGS):
        return "categorical"
    return "continuous"


def _listed(text: str) -> set:
    return {normalise(t) for t in str(text or "").split(",") if t.strip()}


def _positions(records: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """Each endpoint's row positions, endpoints in order of first appearance: no sorted copy of the records
    (iterating a groupby copies every column of 4 million rows)."""
    endpoint = records["endpoint"]
    if not isinstance(endpoint.dtype, pd.CategoricalDtype) or (endpoint.cat.codes < 0).any():
        groups = records.groupby("endpoint", sort=False, observed=True).indices
        return sorted(groups.items(), key=lambda item: item[1][0])
    codes = endpoint.cat.codes.to_numpy()
    rows = np.argsort(codes, kind="stable")  # by endpoint, in row order within each
    groups = np.split(rows, np.cumsum(np.bincount(codes, minlength=len(endpoint.cat.categories)))[:-1])
    found = [(name, at) for name, at in zip(endpoint.cat.categories, groups) if len(at)]
    return sorted(found, key=lambda item: item[1][0])


def parameter_table(records: pd.DataFrame, mapping: Mapping, notes: list) -> pd.DataFrame:
    """One row per endpoint: ``endpoint, code, label, dataset, kind, role, primary`` (see the module docstring).

    *records* needs ``endpoint, endpoint_raw, label, dataset, value, avalc, anrlo, anrhi``.
    """
    rows = []
    wanted, primary, forced = _listed(mapping.efficacy), _listed(mapping.primary), _listed(mapping.continuous)
    values = records["value"].to_numpy(float)
    with_range = (records["anrlo"].notna() | records["anrhi"].notna()).to_numpy()
    for endpoint, at in _positions(records):
        code = str(records["endpoint_raw"].iloc[at[0]])
        dataset = str(records["dataset"].iloc[at[0]])
        names = {normalise(endpoint), normalise(code)}
        kind = "continuous" if names & forced else _kind(values[at], records["avalc"].iloc[at])
        ranged = bool(with_range[at].any())
        if wanted:
            role = "efficacy" if names & wanted else "safety"
        else:
            role = "safety" if ranged or dataset.upper().startswith(SAFETY_DATASETS) else "efficacy"
        rows.append({"endpoint": endpoint, "code": code, "label": str(records["label"].iloc[at[0]]),
                     "dataset": dataset, "kind": kind, "role": role, "primary": bool(names & primary)})
    table = pd.DataFrame(rows, columns=PARAMETER_COLUMNS)
    unknown = (wanted | primary | forced) - {normalise(v) for v in table[["endpoint", "code"]].to_numpy().ravel()}
    if unknown:
        notes.append(f"mapping: efficacy, primary or continuous parameter(s) {', '.join(sorted(unknown))} are not "
                     "parameters of the data; ignored")
    if primary and table["primary"].any():
        table.loc[table["primary"], "role"] = "efficacy"
    for kind in ("categorical", "binary"):
        named = table.loc[table["kind"] == kind, "code"].tolist()
        if named:
            notes.append(f"{kind} parameters (summarised as counts and percentages, not means): "
                         + ", ".join(named[:12]) + (f" and {len(named) - 12} more" if len(named) > 12 else ""))
    efficacy = table.loc[table["role"] == "efficacy", "code"].tolist()
    notes.append(("efficacy endpoints (as chosen): " if wanted else
                  "efficacy endpoints (every parameter that is not a laboratory, vital-signs or ECG measurement; "
                  "choose them on the Data source page): ")
                 + (", ".join(efficacy[:12]) + (f" and {len(efficacy) - 12} more" if len(efficacy) > 12 else "")
                    if efficacy else "none"))
    return table
