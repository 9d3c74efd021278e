"""eDISH (evaluation of drug-induced serious hepatotoxicity): each subject's peak ALT, AST and total bilirubin
after baseline as multiples of the upper limit of normal, the quadrants, and what the plot needs.

The definitions are those of :mod:`cratus.patient.labs` (peaks after baseline, records of blank or
unscheduled visits included when their study day is after day 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.labs import (BILIRUBIN_LIMIT, QUADRANTS, TRANSAMINASE_LIMIT, _after_baseline, _arm_order, _memo,
                                 _per_subject, _rows, _safety_subjects, _subjects, liver_tests)
from cratus.patient.stats import patient_data

# --- eDISH ---------------------------------------------------------------------------------------
def _peak_ratio(data, endpoint: str, arms=None) -> pd.Series:
    """Each subject's highest value after baseline divided by the upper limit of normal of its own record."""
    rows = _rows(data, endpoint, arms, any_visit=True)
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
    safety = data.in_population("safety")  # the treatment received
    arm_of = pd.Series(safety["arm"].to_numpy(), index=safety["usubjid"].astype(str).to_numpy())
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
    subjects = _safety_subjects(patient_data(study))
    missing = int((subjects["arm"].isin(list(arms)) if arms is not None else subjects["arm"].notna()).sum()) - len(e)
    if missing > 0:
        text += (f" Not plotted: {_subjects(missing)} without both a bilirubin and an ALT or AST value (with its "
                 "upper limit) after baseline.")
    return text


def edish_missing(study) -> str:
    """Why eDISH cannot be drawn ("" when it can): it needs ALT or AST and total bilirubin, each with an upper
    limit of normal (ANRHI, or A1HI)."""
    data = patient_data(study)
    tests = liver_tests(data)
    m = data.measurements
    with_uln = set(m.loc[m["anrhi"].notna().to_numpy(), "endpoint"].astype(str))
    lacking = []
    if not ({"alt", "ast"} & set(tests)):
        lacking.append("ALT or AST")
    elif not ({tests.get("alt"), tests.get("ast")} & with_uln):
        lacking.append("an upper limit of normal (ANRHI or A1HI) for ALT or AST")
    if "bili" not in tests:
        lacking.append("total bilirubin")
    elif tests["bili"] not in with_uln:
        lacking.append("an upper limit of normal (ANRHI or A1HI) for total bilirubin")
    if not lacking:
        return ""
    return ("No eDISH plot: it needs ALT or AST and total bilirubin, each with an upper limit of normal; these data "
            "lack " + " and ".join(lacking) + ".")


def edish_caveat(study) -> str:
    """eDISH screens, it does not diagnose: what else Hy's law needs, and whether alkaline phosphatase is here."""
    text = ("eDISH screens for possible drug-induced liver injury; it does not diagnose it. Hy's law also needs "
            "no other explanation (viral hepatitis, gallstones, another drug) and alkaline phosphatase not "
            "markedly raised (below 2×ULN), judged case by case. ")
    if "alp" in liver_tests(study):
        return text + "Alkaline phosphatase is in the data: read it in each flagged participant's profile."
    return text + "Alkaline phosphatase is not in these data, so that condition is not assessed here."
