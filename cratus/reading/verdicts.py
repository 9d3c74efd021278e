"""The bottom line: what a study's results show, endpoint by endpoint, and what its safety data allow.

Everything here reads a :class:`cratus.study.model.Study`; arm, visit and endpoint
names come from the study (nothing about a particular trial is written here).
The numbers shown are the ones the shared rule of :mod:`cratus.study.provenance`
selects, and p-values keep the digits the paper printed.

Verdicts
--------
Each efficacy endpoint gets one verdict from this vocabulary (``{control}`` is
the control arm's short name, ``{arms}`` the arms concerned):

===========================  ==========================================================================
``DIFFERS_SURVIVES``         an arm differs from the control (p < alpha) and survives Holm (all p-values)
``DIFFERS_NOT_SURVIVES``     an arm differs from the control, but not after Holm
``ARMS_DIFFER_SURVIVES``     a comparison among all arms has p < alpha and survives Holm
``ARMS_DIFFER_NOT_SURVIVES`` a comparison among all arms has p < alpha, but not after Holm
``WITHIN_NO_DIFFERENCE``     a within-arm change (p < alpha); the reported comparison of arms shows none
``WITHIN_ONLY``              a within-arm change (p < alpha), no comparison of arms: not a difference
``NO_DIFFERENCE``            only comparisons between arms, none with p < alpha
``NO_CHANGE``                only within-arm p-values, none below alpha
``WITHIN_STATED``            a within-arm change (p < alpha); the source states in words that the groups
                             did not differ, without a p-value (:mod:`cratus.study.statements`)
``NO_CHANGE_STATED``         no within-arm change; the source states no difference between groups in words
``STATED_ONLY``              no number and no p-value; what the source states in words
``CONTESTED``                differs from the control only by p-values in doubt (:mod:`cratus.reading.contested`)
``WORDS_ONLY``               no number and no p-value: the text describes it in words
===========================  ==========================================================================

Holm's adjustment counts the efficacy family of :mod:`cratus.reading.family` (not the safety p-values, not
the control arm's within-arm tests); ``holm`` also says whether a result would change if the tests the source
ran without printing them were counted.  ``direction`` says in words whether each changed arm improved or
worsened (:mod:`cratus.reading.direction`).

``reported_as`` says separately whether an endpoint has numbers and p-values,
p-values only ("reported only as a p-value") or words only.
"""

from __future__ import annotations

import re
import weakref

import numpy as np
import pandas as pd

from cratus.formatting import format_p
from cratus.words import join, with_unit
from cratus.reading.contested import contest_reasons, unclear_comparison
from cratus.reading.direction import direction_sentence
from cratus.reading.family import efficacy_endpoints, holm_adjusted, unprinted_tests
from cratus.reading.imbalance import baseline_imbalance_notes
from cratus.reading.numbers import _endpoint_p_values, _info, _label, _number, selected_numbers
from cratus.reading.mcid import mcid_text
from cratus.study.discrepancies import contesting, contradictions, p_values_of
from cratus.study.provenance import select_p_values
from cratus.study.statements import about

DIFFERS_SURVIVES = "differs from {control} ({arms}), survives Holm"
DIFFERS_NOT_SURVIVES = "differs from {control} ({arms}), does not survive Holm"
ARMS_DIFFER_SURVIVES = "differs among the arms, survives Holm"
ARMS_DIFFER_NOT_SURVIVES = "differs among the arms, does not survive Holm"
WITHIN_NO_DIFFERENCE = "within-arm change in {arms}; no significant difference from {control}"
WITHIN_ONLY = "within-arm change in {arms} only; no comparison with {control} reported"
NO_DIFFERENCE = "no significant difference between arms"
NO_CHANGE = "no significant change in any arm; no comparison with {control} reported"
WITHIN_STATED = "within-arm change in {arms}; the paper states no difference between groups, no p-value printed"
NO_CHANGE_STATED = "no significant change in any arm; the paper states no difference between groups, no p-value printed"
STATED_ONLY = "reported in words only: {words}"
CONTESTED = "contested: differs from {control} ({arms}) only by p-values in doubt"
WORDS_ONLY = "reported in words only (no numbers, no p-value)"
NO_TEST = "no test computed (numbers only)"
BOTTOM_LINE_COLUMNS = ["page", "endpoint", "label", "population", "reported_as", "within_arm", "vs_control",
                       "holm", "mcid", "verdict", "caveats", "direction", "stated", "contested", "disputed"]
VERDICTS = (DIFFERS_SURVIVES, DIFFERS_NOT_SURVIVES, ARMS_DIFFER_SURVIVES, ARMS_DIFFER_NOT_SURVIVES,
            WITHIN_NO_DIFFERENCE, WITHIN_ONLY, WITHIN_STATED, NO_CHANGE_STATED, NO_DIFFERENCE, NO_CHANGE, CONTESTED,
            STATED_ONLY, WORDS_ONLY, NO_TEST)



# --- small helpers ------------------------------------------------------------------------------
def _p_text(row: dict) -> str:
    return format_p(float(row["p_value"]), row["relation"], row.get("printed") or None)


def _significant(row, alpha: float) -> bool:
    """p < alpha; a bound "p < b" counts when b <= alpha."""
    p = float(row["p_value"])
    return p < alpha or (row["relation"] == "<" and p <= alpha)


def _adjusted_text(p: float, relation: str) -> str:
    """An adjusted p-value at two significant digits, as the paper prints p (no leading zero)."""
    text = np.format_float_positional(float(f"{min(p, 1.0):.2g}"), trim="-")
    return format_p(p, relation, text)


def _in_sentence(label: str) -> str:
    """A visit label inside a sentence: "Baseline" → "baseline"; labels with a number ("Week 0") unchanged."""
    return label if re.search(r"\d", label) else label[:1].lower() + label[1:]


def _central(study, endpoint: str) -> dict:
    """``{arm: {visit: (value, printed)}}`` of the endpoint's mean (or median) at baseline and follow-up."""
    statistic = "median" if _info(study, endpoint).get("summary") == "median_iqr" else "mean"
    visits = (study.design.baseline, study.design.follow_up)
    out: dict = {}
    for (arm, visit, stat), number in selected_numbers(study, endpoint).items():
        if stat == statistic and visit in visits:
            out.setdefault(arm, {})[visit] = number
    return out


# --- within-arm, between-arm, Holm, MCID texts --------------------------------------------------
def _within_text(study, endpoint: str, p_rows: list[dict]) -> str:
    design, info = study.design, _info(study, endpoint)
    unit, median = info.get("unit", ""), info.get("summary") == "median_iqr"
    central = _central(study, endpoint)
    within = {r["arm"]: r for r in p_rows if r["comparison"] == "within_arm"}
    parts = []
    for arm in design.arm_ids:
        values = central.get(arm, {})
        p = f"({_p_text(within[arm])})" if arm in within else \
            f"(no p-value {'reported' if study.has_printed_sources else 'computed'})"
        if design.baseline in values and design.follow_up in values:
            a, b = (_number(*values[v]) for v in (design.baseline, design.follow_up))
            parts.append(f"{design.short(arm)}: {'median ' if median else ''}{a} → {with_unit(b, unit)} {p}")
        elif arm in within:
            parts.append(f"{design.short(arm)}: {_p_text(within[arm])}")
        else:
            parts.append(f"{design.short(arm)}: not reported")
    return "; ".join(parts)


def _comparison_text(study, p_rows: list[dict], endpoint: str = "") -> str:
    design = study.design
    control = design.short(design.control) if design.control else "control"
    parts = [f"{design.short(r['arm'])} vs {control}: {_p_text(r)}" for r in p_rows
             if r["comparison"] == "vs_control"]
    parts += [f"among the arms: {_p_text(r)}" for r in p_rows if r["comparison"] == "between_arms"]
    if parts and (unclear := unclear_comparison(study, endpoint)):
        parts[-1] += f" ({unclear[0].lower()}{unclear[1:]})"
    parts += [s.words() for s in _stated(study, endpoint) if s.between_arms]  # quoted in the "stated" column
    return "; ".join(parts) if parts else "none reported"


def _stated(study, endpoint: str) -> list:
    """The study's statements (results in words only) about *endpoint*."""
    return about(getattr(study, "statements", ()), endpoint) if endpoint else []


def _arms_words(study, statement) -> str:
    design = study.design
    return "any arm" if statement.arm in ("all", "") else design.short(statement.arm)


def stated_text(study, endpoint: str) -> str:
    """What the source states about *endpoint* in words only, each with its quote and section; ``""`` if nothing.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> stated_text(load_study(), "il6")[:70]
    'the paper states no significant change in any arm; no numbers or p-val'
    """
    return " ".join(s.cited(_arms_words(study, s)) for s in _stated(study, endpoint))


def _holm_text(endpoint: str, adjusted: pd.DataFrame, design, wider: pd.DataFrame | None = None) -> str:
    rows = adjusted[(adjusted["endpoint"] == endpoint) & (adjusted["source"] != "unprinted")]
    if rows.empty:
        return "no p-value in the efficacy family"
    method, kept = f"Holm over the {int(rows['m'].iloc[0])} efficacy p-values", rows[rows["significant_holm"]]
    if kept.empty:
        best = rows.sort_values("p_holm").iloc[0]
        text = f"does not survive ({method}; smallest adjusted {_adjusted_text(best['p_holm'], '=')})"
    else:
        what = [f"{_what(r, design)} {_adjusted_text(r['p_holm'], r['relation'])}" for r in kept.to_dict("records")]
        text = f"survives ({method}): " + "; ".join(what)
    if wider is None or wider.empty or int(wider["m"].iloc[0]) == int(rows["m"].iloc[0]) or kept.empty:
        return text  # more tests in the family cannot make a result survive
    more = wider[(wider["endpoint"] == endpoint) & (wider["source"] != "unprinted")]
    still = int(more["significant_holm"].sum())
    change = "no change" if still == len(kept) else f"{still} of {len(kept)} still survive" if len(kept) else \
        f"{still} survive"
    return text + (f"; counting also the {int(wider['m'].iloc[0]) - int(rows['m'].iloc[0])} tests the source ran "
                   f"without printing a p-value ({int(wider['m'].iloc[0])} in all): {change}")


def _what(row: dict, design) -> str:
    kind, arm = row["comparison"], row["arm"]
    return {"within_arm": f"{design.short(arm)} within-arm",
            "vs_control": f"{design.short(arm)} vs {design.short(design.control or arm)}"}.get(kind, "among the arms")


def _mcid_text(study, endpoint: str, p_rows: list[dict]) -> str:
    return mcid_text(study, endpoint, _info(study, endpoint), _central(study, endpoint), p_rows)


# --- verdicts -------------------------------------------------------------------------------------
def _verdict(study, p_rows: list[dict], adjusted: pd.DataFrame, endpoint: str, alpha: float,
             contest: bool = True) -> tuple[str, list[str]]:
    """The endpoint's verdict and, for a contested difference from the control, the reasons (most important
    first)."""
    design = study.design
    control = design.short(design.control) if design.control else "control"
    holm = {(r["arm"], r["comparison"]): bool(r["significant_holm"])
            for r in adjusted[(adjusted["endpoint"] == endpoint) & (adjusted["source"] != "unprinted")]
            .to_dict("records")}
    by_kind = {k: [r for r in p_rows if r["comparison"] == k] for k in ("within_arm", "vs_control", "between_arms")}
    stated = _stated(study, endpoint)
    stated_between = any(s.between_arms for s in stated)
    differ = [r for r in by_kind["vs_control"] if _significant(r, alpha)]
    if differ:
        arms = join([design.short(r["arm"]) for r in differ])
        kept = any(holm.get((r["arm"], "vs_control")) for r in differ)
        verdict = (DIFFERS_SURVIVES if kept else DIFFERS_NOT_SURVIVES).format(control=control, arms=arms)
        if not contest:
            return verdict, []
        reasons = contest_reasons(study, endpoint, differ, p_rows,
                                  lambda others: _verdict_with(study, endpoint, others, alpha))
        return (CONTESTED.format(control=control, arms=arms), reasons) if reasons else (verdict, [])
    among = [r for r in by_kind["between_arms"] if _significant(r, alpha)]
    if among:
        return (ARMS_DIFFER_SURVIVES if any(holm.get((r["arm"], "between_arms")) for r in among)
                else ARMS_DIFFER_NOT_SURVIVES), []
    changed = [r["arm"] for r in by_kind["within_arm"] if _significant(r, alpha)]
    compared = by_kind["vs_control"] or by_kind["between_arms"]
    if changed:
        arms = join([design.short(a) for a in design.order(changed)])
        template = WITHIN_NO_DIFFERENCE if compared else WITHIN_STATED if stated_between else WITHIN_ONLY
        return template.format(control=control, arms=arms), []
    if compared:
        return NO_DIFFERENCE, []
    if by_kind["within_arm"]:
        return (NO_CHANGE_STATED if stated_between else NO_CHANGE.format(control=control)), []
    if stated:
        return STATED_ONLY.format(words="; ".join(s.words(_arms_words(study, s)) for s in stated)), []
    return (WORDS_ONLY if study.has_printed_sources else NO_TEST), []


def _verdict_with(study, endpoint: str, others: list[dict], alpha: float) -> str:
    """The verdict if the p-values in *others* (other printed copies) replaced the ones shown."""
    keys = ["endpoint", "arm", "comparison", "visit"]
    swapped = {tuple(o[k] for k in keys) for o in others}
    p = study.p_values
    shown = select_p_values(p)
    drop = shown[[tuple(r) in swapped for r in shown[keys].itertuples(index=False)]]
    kept = p.drop(index=[i for i in p.index if tuple(p.loc[i, keys]) in swapped and
                         p.loc[i, "source"] in set(drop["source"])])
    adjusted = holm_adjusted(study, alpha, p_values=kept)
    rows = [r for r in select_p_values(kept).to_dict("records") if r["endpoint"] == endpoint]
    return _verdict(study, rows, adjusted, endpoint, alpha, contest=False)[0]


def _disputed(study, p_rows: list[dict], alpha: float) -> str:
    """The sentences of the contradictions about the p-values a verdict rests on (the significant ones, else all
    it read), most serious first; ``""`` when none is disputed (:func:`cratus.study.discrepancies.contesting`)."""
    rests_on = [r for r in p_rows if _significant(r, alpha)] or p_rows
    found = contesting(study.discrepancies, p_values_of(rests_on))
    column = "sentence" if "sentence" in found.columns else "reason"
    return " ".join(str(t) for t in found[column] if str(t).strip()) if len(found) else ""


def _direction(study, endpoint: str, p_rows: list[dict], alpha: float) -> str:
    """Direction in words of the arms a verdict names: changed within the arm, or differing from the control."""
    arms = [r["arm"] for r in p_rows if r["comparison"] in ("within_arm", "vs_control") and _significant(r, alpha)]
    arms = study.design.order(list(dict.fromkeys(a for a in arms if a in study.design.arm_ids)))
    if not arms:
        return ""
    return direction_sentence(study.design, _central(study, endpoint), arms, _info(study, endpoint).get("better", ""))


def _reported_as(study, endpoint: str, p_rows: list[dict]) -> str:
    if _central(study, endpoint):
        return "numbers and p-values" if p_rows else "numbers only"
    return ("reported only as a p-value" if len(p_rows) == 1 else "reported only as p-values") if p_rows \
        else "words only"


def _caveats(study, endpoint: str) -> str:
    """The plain sentences of the endpoint's discrepancies (``reason`` if a file has no ``sentence``)."""
    d = contradictions(study.discrepancies)     # consistent roundings are no caveat
    texts = d.loc[d["endpoint"] == endpoint, "sentence" if "sentence" in d.columns else "reason"]
    return " ".join([str(t) for t in texts if str(t).strip()] + baseline_imbalance_notes(study, endpoint))


_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def bottom_line_rows(study, alpha: float = 0.05) -> dict[str, dict]:
    """:func:`bottom_line` as ``{endpoint: row}``, computed once per study and alpha (figure pages, deck)."""
    kept = _ROWS.setdefault(study, {})
    if alpha not in kept:
        kept[alpha] = {r["endpoint"]: r for r in bottom_line(study, alpha).to_dict("records")}
    return kept[alpha]


def contested_of(study, endpoint: str, alpha: float = 0.05) -> str:
    """Why *endpoint*'s difference from the control is contested, reasons numbered most important first; ``""``
    when it is not (or the study is computed from patients)."""
    if not study.has_printed_sources:
        return ""
    return str(bottom_line_rows(study, alpha).get(endpoint, {}).get("contested", ""))


def bottom_line(study, alpha: float = 0.05) -> pd.DataFrame:
    """What the study shows for each efficacy endpoint of its figure pages, in words.

    Parameters
    ----------
    study : cratus.study.model.Study
    alpha : float
        Significance level for the raw p-values and for Holm's correction.

    Returns
    -------
    pandas.DataFrame
        One row per endpoint: ``page, endpoint, label, population, reported_as,
        within_arm, vs_control, holm, mcid, verdict, caveats, direction, stated,
        contested, disputed``.  ``holm`` is Holm's step-down procedure over the efficacy
        family (:func:`cratus.reading.family.holm_adjusted`); ``verdict`` is one
        of :data:`VERDICTS` (see the module docstring); ``stated`` quotes what the
        source says in words only; ``contested`` numbers the reasons a
        contested verdict is in doubt, most important first; ``disputed`` the
        contradictions about the p-values any other verdict rests on (data/discrepancies.csv).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> table = bottom_line(load_study()).set_index("endpoint")
    >>> table.loc["six_minute_walk", "verdict"]
    'within-arm change in 100M; the paper states no difference between groups, no p-value printed'
    >>> table.loc["tnf_alpha_bcell", "verdict"]
    'contested: differs from Placebo (100M and 200M) only by p-values in doubt'
    """
    adjusted = holm_adjusted(study, alpha)
    wider = holm_adjusted(study, alpha, unprinted=True) if unprinted_tests(study) else None
    records = []
    for page, endpoint in efficacy_endpoints(study):
        p_rows = _endpoint_p_values(study, endpoint)
        verdict, contested = _verdict(study, p_rows, adjusted, endpoint, alpha)
        records.append({
            "page": page, "endpoint": endpoint, "label": _label(study, endpoint),
            "population": _info(study, endpoint).get("population", ""),
            "reported_as": _reported_as(study, endpoint, p_rows),
            "within_arm": _within_text(study, endpoint, p_rows) if p_rows or _central(study, endpoint) else "",
            "vs_control": _comparison_text(study, p_rows, endpoint),
            "holm": _holm_text(endpoint, adjusted, study.design, wider),
            "mcid": _mcid_text(study, endpoint, p_rows),
            "verdict": verdict, "caveats": _caveats(study, endpoint),
            "direction": _direction(study, endpoint, p_rows, alpha), "stated": stated_text(study, endpoint),
            "contested": " ".join(f"({i}) {r}" for i, r in enumerate(contested, 1)),
            # a verdict not already contested that rests on a p-value printed differently elsewhere says so
            "disputed": "" if contested else _disputed(study, p_rows, alpha),
        })
    return pd.DataFrame.from_records(records, columns=BOTTOM_LINE_COLUMNS)


# --- baseline imbalance ----------------------------------------------------------------------------
