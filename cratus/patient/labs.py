"""Safety laboratory data from patients: reference-range categories, shift tables, eDISH and values over time.

Every function takes a patient :class:`~cratus.study.model.Study` (or
:class:`~cratus.patient.PatientData`) first, so pages can cache it per study,
and works on whole columns at once (no loop over subjects).

Definitions used here
---------------------
* **Laboratory test**: an endpoint with a reference range (``ANRLO`` /
  ``ANRHI``) or a reference-range indicator (``ANRIND`` / ``BNRIND``) on at
  least one of its records (:func:`lab_endpoints`).
* **Category of a record**: its ``ANRIND`` when given (``L…``/``N…``/``H…``),
  else LOW below ``ANRLO``, HIGH above ``ANRHI``, NORMAL in between (a value
  equal to a limit is NORMAL; :func:`reference_category`).
* **Baseline category**: ``BNRIND`` when given, else the category of the
  record flagged as baseline.
* **After baseline**: records of a visit later than the baseline visit
  (``visit_order``); visits before baseline (screening) are not used.  For
  the worst value after baseline and eDISH, records of a blank or
  unscheduled visit count too when their study day (``ADY``) is after day 1
  (the day of first dose); without a study day they are not used.
* **Worst after baseline** (:func:`shift_counts`): two tables, as ADaM's
  "worst high" and "worst low" records.  ``direction="high"``: the highest
  category after baseline (HIGH above NORMAL above LOW); ``"low"``: the
  lowest.  A subject with both a LOW and a HIGH value after baseline counts
  as HIGH in the first table and as LOW in the second; :func:`shift_note`
  says how many there were.  Subjects without a baseline category or without
  a categorised value after baseline are left out of the table and counted
  in the note.
* **eDISH** (:func:`edish_data`): each subject's peak after baseline of
  ALT, AST and total bilirubin as multiples of the upper limit of normal,
  every value divided by the ULN of its own record (the peak's own ULN).
  The peaks may come from different visits, as in FDA's eDISH.  Quadrants:
  *possible Hy's law* (ALT or AST ≥ 3×ULN and bilirubin ≥ 2×ULN),
  *Temple's corollary* (ALT or AST ≥ 3×ULN only), *cholestasis* (bilirubin
  ≥ 2×ULN only), *normal range* (neither).  eDISH screens; it does not
  diagnose (Hy's law also needs no other cause, e.g. alkaline phosphatase
  not raised).
* ALT, AST, total bilirubin and alkaline phosphatase are recognised by their
  CDISC test code or their name (:data:`LIVER_TESTS`), not by a study's ids.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
from scipy import stats

from cratus.patient.mapping import normalise
from cratus.patient.stats import patient_data

CATEGORIES = ("LOW", "NORMAL", "HIGH")
#: ×ULN thresholds of Hy's law: ALT or AST, and total bilirubin.
TRANSAMINASE_LIMIT = 3.0
BILIRUBIN_LIMIT = 2.0
#: Quadrant key → its name on screen.
QUADRANTS = {"hys_law": "Possible Hy's law", "temple": "Temple's corollary", "cholestasis": "Cholestasis",
             "normal": "Normal range"}
#: Test → (normalised CDISC codes and short names, phrases of the name).
LIVER_TESTS = {
    "alt": ({"alt", "sgpt", "alat"}, ("alanine aminotransferase", "alanine transaminase")),
    "ast": ({"ast", "sgot", "asat"}, ("aspartate aminotransferase", "aspartate transaminase")),
    "bili": ({"bili", "tbili", "tbil", "bilirubin", "totalbilirubin"}, ("total bilirubin",)),
    "alp": ({"alp", "alkp", "alkph"}, ("alkaline phosphatase",)),
}
#: Words that make a bilirubin another test than total bilirubin.
_NOT_TOTAL = ("direct", "indirect", "conjugated", "urine", "urinary")
_INDICATOR_RANK = {"L": 0.0, "N": 1.0, "H": 2.0}


# --- categories ----------------------------------------------------------------------------------
def _range_rank(value, low, high) -> np.ndarray:
    """0 (LOW), 1 (NORMAL), 2 (HIGH) or NaN (no value or no limit) for arrays of values and limits."""
    value, low, high = (np.asarray(x, dtype=float) for x in (value, low, high))
    with np.errstate(invalid="ignore"):
        below, above = value < low, value > high
        known = ~np.isnan(value) & ~(np.isnan(low) & np.isnan(high))
    return np.where(~known, np.nan, np.where(below, 0.0, np.where(above, 2.0, 1.0)))


def _indicator_rank(text: pd.Series) -> np.ndarray:
    """ANRIND/BNRIND text as ranks: LOW/L → 0, NORMAL/N → 1, HIGH/H → 2, anything else → NaN."""
    codes, uniques = pd.factorize(text)
    ranks = [_INDICATOR_RANK.get(str(u).strip().upper()[:1], np.nan)
             if str(u).strip().upper() in ("L", "N", "H", "LOW", "NORMAL", "HIGH") else np.nan for u in uniques]
    return np.append(np.array(ranks, dtype=float), np.nan)[codes]  # code -1 (blank) picks the trailing NaN


def reference_category(value, low, high):
    """LOW, NORMAL or HIGH against the reference range (``""`` without a value or a limit).

    A value equal to a limit is NORMAL; a missing limit never classifies.  Arrays give arrays.

    Examples
    --------
    >>> reference_category(45, 7, 40), reference_category(40, 7, 40), reference_category(3, 7, float("nan"))
    ('HIGH', 'NORMAL', 'LOW')
    >>> reference_category([5, 20, 50], 7, 40).tolist()
    ['LOW', 'NORMAL', 'HIGH']
    """
    rank = _range_rank(value, low, high)
    names = np.array([*CATEGORIES, ""], dtype=object)
    out = names[np.where(np.isnan(rank), 3, rank).astype(int)]
    return str(out) if np.ndim(rank) == 0 else out


def _record_rank(rows: pd.DataFrame) -> np.ndarray:
    """Each record's category rank: ANRIND when given, else from its value and range."""
    given = _indicator_rank(rows["anrind"]) if "anrind" in rows else np.full(len(rows), np.nan)
    return np.where(np.isnan(given), _range_rank(rows["value"], rows["anrlo"], rows["anrhi"]), given)


# --- which endpoints -----------------------------------------------------------------------------
def lab_endpoints(study) -> tuple[str, ...]:
    """Endpoints with a reference range or a reference-range indicator on any record, in data order.
    """
    m = patient_data(study).measurements
    marked = m["anrlo"].notna().to_numpy() | m["anrhi"].notna().to_numpy()
    for column in ("anrind", "bnrind"):
        if column in m:
            marked |= m[column].notna().to_numpy()
    endpoint = m["endpoint"]
    if isinstance(endpoint.dtype, pd.CategoricalDtype):  # categories are in data order
        codes, names = endpoint.cat.codes.to_numpy(), endpoint.cat.categories
    else:
        codes, names = pd.factorize(endpoint)
    return tuple(str(names[c]) for c in np.unique(codes[marked]) if c >= 0)


def _is_test(test: str, endpoint: str, label: str) -> bool:
    codes, phrases = LIVER_TESTS[test]
    text = " ".join(str(label).lower().replace("-", " ").split())
    if test == "bili" and any(word in text for word in _NOT_TOTAL):
        return False
    if normalise(endpoint) in codes or normalise(label) in codes or any(p in text for p in phrases):
        return True
    return test == "bili" and normalise(label) == "bilirubin"


def liver_tests(study) -> dict:
    """``{"alt", "ast", "bili", "alp"} → endpoint`` of the tests found (by CDISC code or name).
    """
    m = patient_data(study).measurements
    first = ~pd.Series(pd.factorize(m["endpoint"])[0]).duplicated().to_numpy()  # one row per endpoint
    names = m.loc[first, ["endpoint", "label"]]
    found = {}
    for test in LIVER_TESTS:
        match = [e for e, lab in zip(names["endpoint"], names["label"]) if _is_test(test, str(e), str(lab))]
        if match:
            found[test] = str(match[0])
    return found


# --- rows of one endpoint ------------------------------------------------------------------------
def _rows(data, endpoint: str, arms=None, any_visit: bool = False) -> pd.DataFrame:
    """One endpoint's records (of *arms*); with *any_visit* the blank and unscheduled visits' records too
    (column ``_unscheduled``)."""
    m = data.measurements
    rows = m[(m["endpoint"] == endpoint).to_numpy()]
    if rows.empty:
        raise ValueError(f"endpoint {endpoint!r} has no measurements")
    if any_visit:
        u = getattr(data, "unscheduled", None)
        extra = u[(u["endpoint"].astype(object) == endpoint).to_numpy()] if u is not None and len(u) else None
        rows = rows.assign(_unscheduled=False)
        if extra is not None and len(extra):
            extra = extra.assign(_unscheduled=True, visit_order=np.nan)
            rows = pd.concat([rows.astype({c: object for c in ("usubjid", "arm", "visit") if c in rows}),
                              extra.astype({c: object for c in ("usubjid", "arm", "visit")})], ignore_index=True)
    if arms is not None:
        rows = rows[rows["arm"].isin(list(arms)).to_numpy()]
    return rows


def _after_baseline(data, rows: pd.DataFrame) -> np.ndarray:
    orders = data.visits.loc[data.visits["baseline"].astype(bool), "visit_order"]
    base_order = orders.iloc[0] if len(orders) else np.inf
    later = ~rows["baseline"].to_numpy(bool) & (rows["visit_order"].to_numpy(float) > base_order)
    if "_unscheduled" in rows:
        day = rows["day"].to_numpy(float) if "day" in rows else np.full(len(rows), np.nan)
        later |= rows["_unscheduled"].to_numpy(bool) & ~rows["baseline"].to_numpy(bool) & (day > 1)
    return later


def _per_subject(rows: pd.DataFrame, values: np.ndarray, how: str) -> pd.Series:
    """*how* ("max", "min", "first") of *values* per subject (NaN skipped), indexed by subject id.

    Grouped on the subject column's integer codes (the ids are looked up once per subject, not per row).
    """
    subject = rows["usubjid"]
    if isinstance(subject.dtype, pd.CategoricalDtype):
        codes, names = subject.cat.codes.to_numpy(), subject.cat.categories
    else:
        codes, names = pd.factorize(subject)
    result = pd.Series(np.asarray(values, dtype=float)).groupby(codes, sort=False).agg(how)
    result.index = pd.Index(np.asarray(names)[result.index.to_numpy()]).astype(str)
    return result


# --- shift tables --------------------------------------------------------------------------------
def _memo(owner, key: tuple, compute) -> pd.DataFrame:
    """*compute()* once per *owner* (a study or its patient data) and *key*: a table and its note, or eDISH and its
    sentence, share one computation.  Returns a copy, so a caller may change it."""
    store = _MEMO.setdefault(owner, {})
    if key not in store:
        store[key] = compute()
    return store[key].copy()


_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _shift_subjects(data, endpoint: str, arms=None, direction: str = "high") -> pd.DataFrame:
    """One row per subject of the arms: ``usubjid, arm, baseline_rank, worst_rank, both`` (ranks may be NaN)."""
    arms = tuple(arms) if arms is not None else None
    return _memo(data, ("shift", endpoint, arms, direction),
                 lambda: _compute_shift_subjects(data, endpoint, arms, direction))


def _compute_shift_subjects(data, endpoint: str, arms=None, direction: str = "high") -> pd.DataFrame:
    if direction not in ("high", "low"):
        raise ValueError(f"direction must be 'high' or 'low', not {direction!r}")
    rows = _rows(data, endpoint, arms, any_visit=True)
    rank = _record_rank(rows)
    later = _after_baseline(data, rows)
    base = _per_subject(rows[rows["baseline"].to_numpy(bool)], rank[rows["baseline"].to_numpy(bool)], "first")
    if "bnrind" in rows and rows["bnrind"].notna().any():
        given = _per_subject(rows, _indicator_rank(rows["bnrind"]), "first")
        base = given.combine_first(base)
    post = rows[later]
    worst = _per_subject(post, rank[later], "max" if direction == "high" else "min")
    low = _per_subject(post, rank[later] == 0, "max")
    high = _per_subject(post, rank[later] == 2, "max")
    subjects = _safety_subjects(data)
    if arms is not None:
        subjects = subjects[subjects["arm"].isin(list(arms))]
    ids = subjects["usubjid"].astype(str)
    both = (low.reindex(ids).fillna(0).to_numpy() > 0) & (high.reindex(ids).fillna(0).to_numpy() > 0)
    return pd.DataFrame({"usubjid": ids.to_numpy(), "arm": subjects["arm"].to_numpy(),
                         "baseline_rank": base.reindex(ids).to_numpy(float),
                         "worst_rank": worst.reindex(ids).to_numpy(float), "both": both})


def _safety_subjects(data) -> pd.DataFrame:
    """The subjects of the safety population (laboratory safety is a safety analysis)."""
    return data.in_population("safety") if hasattr(data, "in_population") else data.subjects


def _arm_order(study, arms) -> list:
    design = getattr(study, "design", None)
    data = patient_data(study)
    chosen = list(arms) if arms is not None else list(data.arms if design is None else design.arm_ids)
    return design.order(chosen) if design is not None else chosen


def shift_counts(study, endpoint: str, arms=None, direction: str = "high") -> pd.DataFrame:
    """Baseline category × worst category after baseline, per arm: ``arm, baseline, worst, count, n, percent``.

    Every arm has the nine cells (zeros included); ``n`` is the arm's subjects
    with both a baseline category and a categorised value after baseline, and
    ``percent`` is ``count`` of ``n``.  *direction*: ``"high"`` or ``"low"``
    (see the module docstring).
    """
    data = patient_data(study)
    subjects = _shift_subjects(data, endpoint, arms, direction)
    kept = subjects.dropna(subset=["baseline_rank", "worst_rank"])
    order = _arm_order(study, arms)
    grid = pd.MultiIndex.from_product([order, [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]],
                                      names=["arm", "baseline_rank", "worst_rank"])
    counts = kept.groupby(["arm", "baseline_rank", "worst_rank"], observed=True).size().reindex(grid, fill_value=0)
    out = counts.rename("count").reset_index()
    n = kept.groupby("arm", observed=True).size()
    out["n"] = out["arm"].map(n).fillna(0).astype(int)
    out["percent"] = np.where(out["n"] > 0, 100 * out["count"] / out["n"].where(out["n"] > 0, 1), np.nan)
    names = np.array(CATEGORIES, dtype=object)
    out["baseline"] = names[out["baseline_rank"].astype(int)]
    out["worst"] = names[out["worst_rank"].astype(int)]
    return out[["arm", "baseline", "worst", "count", "n", "percent"]]


def shift_table(study, endpoint: str, arms=None, direction: str = "high") -> pd.DataFrame:
    """The shift table as shown: per arm a heading row, then one row per baseline category; cells ``n (%)``.

    Rows: the category at baseline; columns: the worst category after baseline
    (:func:`shift_note` gives the words that go with it).  Short headers and cells, so that it stays a grid
    on a phone.
    """
    counts = shift_counts(study, endpoint, arms, direction)
    label = getattr(getattr(study, "design", None), "label", str)
    columns = ["Low", "Normal", "High"]
    records = []
    for arm, part in counts.groupby("arm", sort=False):
        n = int(part["n"].iloc[0])
        records.append({"At baseline": f"{label(arm)} (n = {n})", **{c: "" for c in columns}, "Total": ""})
        for baseline, row in part.groupby("baseline", sort=False):
            cells = [_count_text(c, n) for c in row["count"]]
            records.append({"At baseline": baseline.capitalize(), **dict(zip(columns, cells)),
                            "Total": _count_text(int(row["count"].sum()), n)})
    return pd.DataFrame.from_records(records, columns=["At baseline", *columns, "Total"])


def _count_text(count: int, n: int) -> str:
    return f"{count} ({100 * count / n:.0f}%)" if n else f"{count}"


def shift_note(study, endpoint: str, arms=None, direction: str = "high") -> str:
    """What the shift table counts and whom it leaves out, in words.
    """
    data = patient_data(study)
    subjects = _shift_subjects(data, endpoint, arms, direction)
    word, other = ("highest", "HIGH") if direction == "high" else ("lowest", "LOW")
    parts = [f"Rows: the category at baseline; columns: the {word} category of any value after baseline (each "
             "subject counted once). Percentages are of the arm's subjects in the table."]
    no_post = int(subjects["worst_rank"].isna().sum())
    no_base = int((subjects["baseline_rank"].isna() & subjects["worst_rank"].notna()).sum())
    if no_post:
        parts.append(f"Left out: {_subjects(no_post)} without a value after baseline.")
    if no_base:
        parts.append(f"Left out: {_subjects(no_base)} without a baseline category.")
    both = int(subjects.dropna(subset=["baseline_rank", "worst_rank"])["both"].sum())
    if both:
        parts.append(f"{_subjects(both).capitalize()} had values both below and above the normal range after "
                     f"baseline: counted as {other} here and the other way in the "
                     f"{'lowest' if direction == 'high' else 'highest'}-value table.")
    return " ".join(parts)


def _subjects(n: int) -> str:
    return f"{n} subject" + ("" if n == 1 else "s")
