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
  (``visit_order``); visits before baseline (screening) are not used.
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
def _rows(data, endpoint: str, arms=None) -> pd.DataFrame:
    m = data.measurements
    rows = m[(m["endpoint"] == endpoint).to_numpy()]
    if rows.empty:
        raise ValueError(f"endpoint {endpoint!r} has no measurements")
    if arms is not None:
        rows = rows[rows["arm"].isin(list(arms)).to_numpy()]
    return rows


def _after_baseline(data, rows: pd.DataFrame) -> np.ndarray:
    base_order = data.visits.loc[data.visits["baseline"], "visit_order"].iloc[0]
    return ~rows["baseline"].to_numpy(bool) & (rows["visit_order"].to_numpy(float) > base_order)


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
    rows = _rows(data, endpoint, arms)
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
    subjects = data.subjects
    if arms is not None:
        subjects = subjects[subjects["arm"].isin(list(arms))]
    ids = subjects["usubjid"].astype(str)
    both = (low.reindex(ids).fillna(0).to_numpy() > 0) & (high.reindex(ids).fillna(0).to_numpy() > 0)
    return pd.DataFrame({"usubjid": ids.to_numpy(), "arm": subjects["arm"].to_numpy(),
                         "baseline_rank": base.reindex(ids).to_numpy(float),
                         "worst_rank": worst.reindex(ids).to_numpy(float), "both": both})


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


# --- eDISH ---------------------------------------------------------------------------------------
def _peak_ratio(data, endpoint: str, arms=None) -> pd.Series:
    """Each subject's highest value after baseline divided by the upper limit of normal of its own record."""
    rows = _rows(data, endpoint, arms)
    later = _after_baseline(data, rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rows["value"].to_numpy(float) / rows["anrhi"].to_numpy(float)
    ratio[~np.isfinite(ratio)] = np.nan
    return _per_subject(rows[later], ratio[later], "max").dropna()


def quadrant(transaminase_xuln, bilirubin_xuln) -> np.ndarray:
    """The eDISH quadrant key of each subject (:data:`QUADRANTS`) from peak ×ULN values.

    Examples
    --------
    >>> quadrant([3.5, 3.0, 1.0, 1.0], [2.4, 1.0, 2.0, 1.9]).tolist()
    ['hys_law', 'temple', 'cholestasis', 'normal']
    """
    high_t = np.asarray(transaminase_xuln, dtype=float) >= TRANSAMINASE_LIMIT
    high_b = np.asarray(bilirubin_xuln, dtype=float) >= BILIRUBIN_LIMIT
    return np.select([high_t & high_b, high_t, high_b], ["hys_law", "temple", "cholestasis"], "normal")


EDISH_COLUMNS = ["usubjid", "arm", "alt_xuln", "ast_xuln", "bili_xuln", "transaminase_xuln", "quadrant"]


def edish_data(study, arms=None) -> pd.DataFrame:
    """Per subject the peak ALT, AST and total bilirubin after baseline as ×ULN, and the eDISH quadrant.

    Columns :data:`EDISH_COLUMNS`; ``transaminase_xuln`` is the larger of
    ALT and AST (Hy's law reads "ALT *or* AST ≥ 3×ULN"), and ``quadrant``
    uses it.  Subjects need a bilirubin and an ALT or AST value (with an
    upper limit) after baseline; empty when the data lack bilirubin or both
    transaminases.

    Examples
    --------
    >>> from cratus.patient.synthetic import make_synthetic
    >>> e = edish_data(make_synthetic(seed=1))
    >>> e.loc[e["quadrant"] == "hys_law", ["alt_xuln", "bili_xuln"]].values.tolist()
    [[3.5, 2.4]]
    """
    arms = tuple(arms) if arms is not None else None
    return _memo(study, ("edish", arms), lambda: _compute_edish(study, arms))


def _compute_edish(study, arms=None) -> pd.DataFrame:
    data = patient_data(study)
    tests = liver_tests(data)
    if "bili" not in tests or not ({"alt", "ast"} & set(tests)):
        return pd.DataFrame(columns=EDISH_COLUMNS)
    peaks = {test: _peak_ratio(data, tests[test], arms) for test in ("alt", "ast", "bili") if test in tests}
    frame = pd.DataFrame({f"{test}_xuln": peak for test, peak in peaks.items()})
    for test in ("alt", "ast"):
        if f"{test}_xuln" not in frame:
            frame[f"{test}_xuln"] = np.nan
    frame["transaminase_xuln"] = frame[["alt_xuln", "ast_xuln"]].max(axis=1)
    frame = frame.dropna(subset=["bili_xuln", "transaminase_xuln"])
    frame["quadrant"] = quadrant(frame["transaminase_xuln"], frame["bili_xuln"])
    arm_of = pd.Series(data.subjects["arm"].to_numpy(), index=data.subjects["usubjid"].astype(str).to_numpy())
    frame = frame.rename_axis("usubjid").reset_index()
    frame["arm"] = arm_of.reindex(frame["usubjid"].to_numpy()).to_numpy()
    order = {a: i for i, a in enumerate(_arm_order(study, None))}
    frame = frame.sort_values(["arm", "usubjid"], key=lambda s: s.map(order) if s.name == "arm" else s)
    return frame[EDISH_COLUMNS].reset_index(drop=True)


def hys_law_sentence(study, arms=None) -> str:
    """How many subjects fall in each eDISH quadrant, and who is in the possible Hy's law one.
    """
    e = edish_data(study, arms)
    if e.empty:
        return ""
    label = getattr(getattr(study, "design", None), "label", str)
    counts = e["quadrant"].value_counts()
    hy = e[e["quadrant"] == "hys_law"]
    verb = "is" if len(hy) == 1 else "are"
    text = (f"{len(hy)} of {len(e)} subjects {verb} in the possible Hy's law quadrant (ALT or AST ≥ "
            f"{TRANSAMINASE_LIMIT:g}×ULN and total bilirubin ≥ {BILIRUBIN_LIMIT:g}×ULN, peaks after baseline)")
    if len(hy):
        text += ": " + ", ".join(f"{s} ({label(a)})" for s, a in zip(hy["usubjid"], hy["arm"]))
    others = [f"{int(counts.get(k, 0))} in {QUADRANTS[k].lower().replace('temple', 'Temple')}"
              for k in ("temple", "cholestasis")]
    text += "; " + " and ".join(others) + "."
    subjects = patient_data(study).subjects
    missing = int((subjects["arm"].isin(list(arms)) if arms is not None else subjects["arm"].notna()).sum()) - len(e)
    if missing > 0:
        text += (f" Not plotted: {_subjects(missing)} without both a bilirubin and an ALT or AST value (with its "
                 "upper limit) after baseline.")
    return text


def edish_caveat(study) -> str:
    """eDISH screens, it does not diagnose: what else Hy's law needs, and whether alkaline phosphatase is here."""
    text = ("eDISH screens for possible drug-induced liver injury; it does not diagnose it. Hy's law also needs "
            "no other explanation (viral hepatitis, gallstones, another drug) and alkaline phosphatase not "
            "markedly raised (below 2×ULN), judged case by case. ")
    if "alp" in liver_tests(study):
        return text + "Alkaline phosphatase is in the data: read it in each flagged participant's profile."
    return text + "Alkaline phosphatase is not in these data, so that condition is not assessed here."


# --- values over time ----------------------------------------------------------------------------
OVER_TIME_COLUMNS = ["arm", "visit", "visit_order", "n", "median", "q1", "q3", "lower_fence", "upper_fence",
                     "mean", "ci_low", "ci_high"]


def lab_values_over_time(study, endpoint: str, arms=None) -> pd.DataFrame:
    """Per arm and visit: ``n``, median, quartiles (numpy's linear), Tukey whiskers, mean and its t 95% CI.

    ``lower_fence`` / ``upper_fence`` are the most extreme values within 1.5 IQR
    of the quartiles (the box plot's whiskers).  Rows by arm (design order) and visit.
    """
    data = patient_data(study)
    out, _rows_used, _group = _box_stats(data, endpoint, arms)
    out["visit_order"] = out["visit"].map(dict(zip(data.visits["visit"].astype(str), data.visits["visit_order"])))
    order = {a: i for i, a in enumerate(_arm_order(study, arms))}
    out = out.sort_values(["arm", "visit_order"], key=lambda s: s.map(order) if s.name == "arm" else s)
    return out[OVER_TIME_COLUMNS].reset_index(drop=True)


def _box_stats(data, endpoint: str, arms=None):
    """Box statistics per arm and visit (grouped on the categorical codes), the rows used and each row's group."""
    rows = _rows(data, endpoint, arms)[["usubjid", "arm", "visit", "value"]]
    rows = rows[rows["value"].notna().to_numpy()]
    grouped = rows.groupby(["arm", "visit"], observed=True, sort=True)
    group = grouped.ngroup().to_numpy()
    g = grouped["value"]
    out = g.agg(n="count", median="median", mean="mean", sd="std")
    out["q1"], out["q3"] = g.quantile(0.25), g.quantile(0.75)
    iqr = (out["q3"] - out["q1"]).to_numpy()
    low, high = (out["q1"].to_numpy() - 1.5 * iqr)[group], (out["q3"].to_numpy() + 1.5 * iqr)[group]
    values = rows["value"].to_numpy(float)
    inside = (values >= low) & (values <= high)
    fences = pd.Series(values[inside]).groupby(group[inside]).agg(["min", "max"]).reindex(range(len(out)))
    out["lower_fence"], out["upper_fence"] = fences["min"].to_numpy(), fences["max"].to_numpy()
    crit = stats.t.ppf(0.975, (out["n"] - 1).clip(lower=1))
    half = np.where(out["n"] > 1, crit * out["sd"] / np.sqrt(out["n"]), np.nan)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    out = out.reset_index()
    out["arm"], out["visit"] = out["arm"].astype(str), out["visit"].astype(str)
    return out, rows, group


def lab_outliers(study, endpoint: str, arms=None, limit: int = 300) -> pd.DataFrame:
    """Values beyond the whiskers of :func:`lab_values_over_time`: ``usubjid, arm, visit, value``.

    At most *limit* per arm (the furthest from the median of their arm and visit).
    """
    out, rows, group = _box_stats(patient_data(study), endpoint, arms)
    values = rows["value"].to_numpy(float)
    beyond = (values < out["lower_fence"].to_numpy()[group]) | (values > out["upper_fence"].to_numpy()[group])
    found = rows[beyond].assign(_d=np.abs(values[beyond] - out["median"].to_numpy()[group[beyond]]))
    found = found.sort_values("_d", ascending=False).groupby("arm", observed=True, sort=False).head(limit)
    return pd.DataFrame({"usubjid": found["usubjid"].astype(str).to_numpy(),
                         "arm": found["arm"].astype(str).to_numpy(), "visit": found["visit"].astype(str).to_numpy(),
                         "value": found["value"].to_numpy(float)})


def reference_range(study, endpoint: str) -> tuple[float, float, bool]:
    """The most common ``(lower, upper)`` limits of an endpoint's records (NaN if none) and whether they vary.
    """
    rows = _rows(patient_data(study), endpoint)
    pairs = rows[["anrlo", "anrhi"]].astype(float).fillna(-np.inf)
    counts = pairs.value_counts(sort=True)
    counts = counts[[not (np.isinf(lo) and np.isinf(hi)) for lo, hi in counts.index]]
    if counts.empty:
        return float("nan"), float("nan"), False
    low, high = counts.index[0]
    return (float("nan") if np.isinf(low) else float(low)), (float("nan") if np.isinf(high) else float(high)), \
        len(counts) > 1
