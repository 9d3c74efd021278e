"""Populations per analysis (ADaM subject-level flags), each stated with its rule and N.

=============  ================================================================
analysis       default population (first present in the subject file)
=============  ================================================================
efficacy       EFFFL, ITTFL, FASFL; else the randomised subjects; else SAFFL
safety         SAFFL
baseline       ITTFL; else the randomised subjects; else SAFFL
=============  ================================================================

*Randomised* means ``RANDFL = 'Y'``, else a randomisation date (``RANDDT``)
given.  Without any of these every subject is analysed (said so).  The
mapping's ``efficacy_population``, ``safety_population`` and
``baseline_population`` (a flag, ``randomised`` or ``all``) choose another;
its ``population`` sets all three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cratus.patient.columns import is_yes
from cratus.patient.mapping import ALL_SUBJECTS, Mapping

ANALYSES = ("efficacy", "safety", "baseline")
RANDOMISED = "randomised"
DEFAULTS = {"efficacy": ("EFFFL", "ITTFL", "FASFL", RANDOMISED, "SAFFL"),
            "safety": ("SAFFL",),
            "baseline": ("ITTFL", RANDOMISED, "SAFFL")}
WHAT = {"efficacy": "efficacy analyses", "safety": "safety analyses", "baseline": "baseline tables"}


@dataclass(frozen=True)
class Population:
    """One analysis's population: its rule (a flag, ``randomised`` or ``all``), words, and members."""

    analysis: str
    rule: str
    members: frozenset

    @property
    def description(self) -> str:
        return describe_rule(self.rule)

    @property
    def n(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Populations:
    efficacy: Population
    safety: Population
    baseline: Population

    def of(self, analysis: str) -> Population:
        return getattr(self, analysis)

    @property
    def union(self) -> frozenset:
        return self.efficacy.members | self.safety.members | self.baseline.members

    def sentence(self) -> str:
        """``efficacy: ITTFL = 'Y' (N = 254); safety: …`` for banners and notes."""
        return "; ".join(f"{a}: {self.of(a).description} (N = {self.of(a).n})" for a in ANALYSES)


def describe_rule(rule: str) -> str:
    """A population rule in words: ``all subjects``, ``randomised subjects`` or ``SAFFL = 'Y'``."""
    if rule == ALL_SUBJECTS:
        return "all subjects"
    if rule == RANDOMISED:
        return "randomised subjects"
    return f"{rule} = 'Y'"


def rule_options(subjects: pd.DataFrame, first: str) -> list[str]:
    """Populations a table can be shown in, from the tidy subjects (snake_case columns): *first* (the analysis's
    own), each Y/N flag column (``…FL``), ``randomised`` when RANDFL or RANDDT is there, and ``all``."""
    flags = [c.upper() for c in subjects.columns if c.endswith("fl") and
             set(subjects[c].dropna().astype(str).str.strip().str.upper()) <= {"Y", "N", ""}]
    randomised = [RANDOMISED] if {"randfl", "randdt"} & set(subjects.columns) else []
    return list(dict.fromkeys([first, *flags, *randomised, ALL_SUBJECTS]))


def members_of(subjects: pd.DataFrame, rule: str) -> np.ndarray:
    """Which of the tidy *subjects* a rule keeps (a rule the data lack keeps none)."""
    upper = {c.upper(): c for c in subjects.columns}
    inside = _members(subjects, upper, rule)
    return np.zeros(len(subjects), bool) if inside is None else np.asarray(inside, bool)


def _randomised(frame: pd.DataFrame, upper: dict) -> np.ndarray | None:
    if "RANDFL" in upper:
        return is_yes(frame[upper["RANDFL"]])
    if "RANDDT" in upper:
        return frame[upper["RANDDT"]].notna().to_numpy()
    return None


def _members(frame: pd.DataFrame, upper: dict, rule: str) -> np.ndarray | None:
    if rule == ALL_SUBJECTS:
        return np.ones(len(frame), bool)
    if rule == RANDOMISED:
        return _randomised(frame, upper)
    return is_yes(frame[upper[rule]]) if rule in upper else None


def choose(frame: pd.DataFrame, ids: pd.Series, mapping: Mapping, name: str, notes: list) -> Populations:
    """The population of each analysis (see the module docstring); every default is stated in *notes*."""
    upper = {c.upper(): c for c in frame.columns}
    chosen = {}
    for analysis in ANALYSES:
        wanted = (getattr(mapping, f"{analysis}_population") or mapping.population).strip()
        rule = wanted.lower() if wanted.lower() in (ALL_SUBJECTS, RANDOMISED) else wanted.upper()
        if rule:
            inside = _members(frame, upper, rule)
            if inside is None:
                raise ValueError(f"{name}: the population {wanted!r} of the mapping is not a column "
                                 f"(or, for 'randomised', neither RANDFL nor RANDDT is)")
        else:
            rule, inside = next(((r, m) for r in DEFAULTS[analysis]
                                 if (m := _members(frame, upper, r)) is not None), (ALL_SUBJECTS, None))
            if inside is None:
                inside = np.ones(len(frame), bool)
            if rule != DEFAULTS[analysis][0]:
                notes.append(f"{name}: no {DEFAULTS[analysis][0]} for the {WHAT[analysis]}: "
                             + ("every subject analysed" if rule == ALL_SUBJECTS else
                                f"{_said(rule)} used (the next in {', '.join(DEFAULTS[analysis])})"))
        population = Population(analysis, rule, frozenset(ids[inside].dropna()))
        chosen[analysis] = population
        left = len(frame) - population.n
        notes.append(f"{WHAT[analysis]}: {population.description} ({population.n} of {len(frame)} subjects)"
                     + (f"; {left} left out" if left else ""))
    return Populations(**chosen)


def _said(rule: str) -> str:
    return "the randomised subjects (RANDFL, else RANDDT given)" if rule == RANDOMISED else f"{rule} = 'Y'"
