"""How patient-level columns become a study: the :class:`Mapping` and the endpoint dictionary match.

A :class:`Mapping` records every choice that turns files into tidy frames
(which variable is the arm, which arm is the control, which population is
analysed, which visit is baseline, and endpoint renames).  Empty fields mean
"choose by the default rule"; :attr:`cratus.patient.PatientData.mapping`
holds the choices actually made.  It is a frozen dataclass that serialises
to a flat dict of strings, so it can live in a URL.

Endpoint names are matched to a data dictionary (``data/endpoints.csv`` by
default) by id or by label, ignoring case, spaces and punctuation, so that
``PARAMCD`` or ``PARAM`` values that name a dictionary endpoint take its id.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from cratus.study.published import DATA_DIR, load_endpoints, load_levels

#: Arm variables tried in order when the mapping names none (ADaM planned, actual, then the plain name): efficacy
#: and baseline tables are by the arm a subject was randomised to (ICH E9 intention to treat).
ARM_VARIABLES = ("TRT01P", "TRT01A", "ARM", "ACTARM", "TREATMENT", "GROUP")
#: The actual-treatment counterpart of a planned arm variable: the arm of the safety analyses (ADaM IG 3.2:
#: safety analyses by the treatment received).
ACTUAL_OF = {"ARM": "ACTARM", "ARMCD": "ACTARMCD"}
#: Words that mark a control arm (case-insensitive, anywhere in the arm's name).
CONTROL_WORDS = ("placebo", "control", "sham", "vehicle")
#: Population flags tried in order when the mapping names none (only if present in the subject file).
POPULATION_FLAGS = ("SAFFL",)
#: ``population`` value that switches off the analysis-population filter.
ALL_SUBJECTS = "all"
_PAIR = ":"
_SEPARATOR = ","


@dataclass(frozen=True)
class Mapping:
    """Choices that turn patient files into a study; empty means "by the default rule".

    Attributes
    ----------
    arm_variable : str
        Subject-file column holding the arm a subject was randomised to, the arm of the efficacy analyses and
        the baseline tables (default: TRT01P, else TRT01A, else ARM).
    safety_arm_variable : str
        Subject-file column holding the treatment received, the arm of the safety analyses (adverse events,
        laboratory and other safety parameters); default: the actual counterpart of the arm variable (TRTxxA
        of TRTxxP, ACTARM of ARM) when the file has it, else the arm variable.
    control : str
        The control arm as written in the data (default: the arm whose name
        contains placebo/control/sham/vehicle, else the first arm).
    population : str
        A Y/N flag column of the subject file selecting the analysis population
        for every analysis at once (default: per analysis, below); ``"all"``
        analyses every subject.
    baseline_visit : str
        The baseline visit as written in the data (default: from ABLFL, else
        the visit named like "baseline", else the first visit).
    records : str
        Which BDS records the analyses use: an analysis flag (``ANL01FL``…),
        ``observed`` (DTYPE blank) or ``all`` (observed and derived); default
        ANL01FL where the file has analysis flags, else observed records
        (:mod:`cratus.patient.records`).
    efficacy_population, safety_population, baseline_population : str
        The population of each kind of analysis (a Y/N flag, ``randomised``
        or ``all``); default by the rule of :mod:`cratus.patient.subjects`
        (efficacy: EFFFL, ITTFL, FASFL; safety: SAFFL; baseline tables: ITTFL,
        randomised); ``population`` sets the three at once.
    efficacy : str
        The efficacy endpoints (``PARAMCD`` values as given, or endpoint ids),
        comma-separated; default: every parameter that is not a safety
        measurement (laboratory, vital signs, ECG).
    primary : str
        The primary endpoint (default: none named).
    continuous : str
        Parameters read as continuous whatever their values (comma-separated):
        the rule of :mod:`cratus.patient.parameters` may take a measure
        recorded in a few whole numbers (a urine pH) for a rating.
    endpoints : tuple of (str, str)
        Renames ``(name in the data, endpoint id)`` applied before the
        dictionary match.

    Examples
    --------
    >>> m = Mapping(arm_variable="TRT01P", endpoints=(("SIXMW", "six_minute_walk"),))
    >>> m.to_dict()["arm_variable"], m.to_dict()["endpoints"]
    ('TRT01P', 'SIXMW:six_minute_walk')
    >>> Mapping.from_dict(m.to_dict()) == m
    True
    """

    arm_variable: str = ""
    safety_arm_variable: str = ""
    control: str = ""
    population: str = ""
    baseline_visit: str = ""
    records: str = ""
    efficacy_population: str = ""
    safety_population: str = ""
    baseline_population: str = ""
    efficacy: str = ""
    primary: str = ""
    continuous: str = ""
    endpoints: tuple = ()

    def to_dict(self) -> dict[str, str]:
        """Flat ``{field: text}``; endpoint renames as ``"a:b,c:d"``."""
        out = {k: str(v) for k, v in asdict(self).items() if k != "endpoints"}
        out["endpoints"] = _SEPARATOR.join(f"{a}{_PAIR}{b}" for a, b in self.endpoints)
        return out

    @classmethod
    def from_dict(cls, values: dict | None) -> "Mapping":
        """The inverse of :meth:`to_dict`; unknown keys are refused (a mistyped URL should not pass silently)."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"mapping: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        pairs = []
        for item in filter(None, (s.strip() for s in str(values.pop("endpoints", "") or "").split(_SEPARATOR))):
            if _PAIR not in item:
                raise ValueError(f"mapping: endpoint rename {item!r} is not 'name{_PAIR}endpoint'")
            a, b = item.split(_PAIR, 1)
            pairs.append((a.strip(), b.strip()))
        return cls(**{k: str(v or "").strip() for k, v in values.items()}, endpoints=tuple(pairs))


def normalise(text) -> str:
    """Key for case- and punctuation-insensitive matching: ``"Six-Minute walk"`` → ``"sixminutewalk"``."""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def slug(text) -> str:
    """A snake_case id: ``"HISPANIC OR LATINO"`` → ``"hispanic_or_latino"``; ``"Week 12"`` → ``"week_12"``.

    Examples
    --------
    >>> slug("Not Hispanic or Latino"), slug(" Week 12 "), slug("CD4/CD8")
    ('not_hispanic_or_latino', 'week_12', 'cd4_cd8')
    """
    text = re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")
    return text or "unnamed"


_UNIT = re.compile(r"^(?P<label>.*?)\s*[\(\[](?P<unit>[^()\[\]]+)[\)\]]\s*$")


def split_label_unit(text) -> tuple[str, str]:
    """``"Alanine Aminotransferase (U/L)"`` → ``("Alanine Aminotransferase", "U/L")``.

    Examples
    --------
    >>> split_label_unit("Alanine Aminotransferase (U/L)")
    ('Alanine Aminotransferase', 'U/L')
    >>> split_label_unit("Body weight")
    ('Body weight', '')
    """
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text).strip()
    match = _UNIT.match(text)
    if match and match.group("label"):
        return match.group("label"), match.group("unit").strip()
    return text, ""


def is_control_name(name) -> bool:
    """True when an arm's name marks it as a control (placebo, control, sham, vehicle)."""
    lowered = str(name).lower()
    return any(word in lowered for word in CONTROL_WORDS)


def choose_control(arms, wanted: str = "") -> str:
    """The control arm among *arms*: *wanted* if given, else the first named like a control, else the first.

    Examples
    --------
    >>> choose_control(["Drug 10 mg", "Matching Placebo", "Drug 20 mg"])
    'Matching Placebo'
    >>> choose_control(["B", "A"])
    'B'
    """
    arms = list(arms)
    if wanted:
        match = [a for a in arms if normalise(a) == normalise(wanted)]
        if not match:
            raise ValueError(f"mapping: control arm {wanted!r} is not an arm of the data ({', '.join(arms)})")
        return match[0]
    return next((a for a in arms if is_control_name(a)), arms[0])


class Dictionary:
    """An endpoint dictionary (``endpoints.csv`` and ``levels.csv``) with case-insensitive look-ups.

    Examples
    --------
    >>> d = Dictionary.default()
    >>> d.match("ALT"), d.match("6-Minute Walk Distance"), d.match("Bilirubin")
    ('alt', 'six_minute_walk', None)
    """

    def __init__(self, endpoints: pd.DataFrame, levels: pd.DataFrame | None = None):
        self.endpoints = endpoints.reset_index(drop=True)
        self.levels = levels if levels is not None else pd.DataFrame(columns=["endpoint", "level", "label"])
        self._by_key: dict[str, str] = {}
        for endpoint, label in zip(self.endpoints["endpoint"], self.endpoints["label"]):
            self._by_key.setdefault(normalise(endpoint), endpoint)
        for endpoint, label in zip(self.endpoints["endpoint"], self.endpoints["label"]):
            self._by_key.setdefault(normalise(label), endpoint)

    @classmethod
    def default(cls, folder: str | Path | None = None) -> "Dictionary":
        """The dictionary of a study folder (default: the repository's ``data/``)."""
        folder = Path(folder) if folder is not None else DATA_DIR
        levels = load_levels(folder / "levels.csv") if (folder / "levels.csv").exists() else None
        return cls(load_endpoints(folder / "endpoints.csv"), levels)

    def match(self, *names) -> str | None:
        """The dictionary id named by any of *names* (ids first, then labels), or ``None``."""
        for name in names:
            if name is None or (isinstance(name, float) and pd.isna(name)):
                continue
            found = self._by_key.get(normalise(name))
            if found and normalise(name):
                return found
        return None

    def info(self, endpoint: str) -> dict:
        rows = self.endpoints[self.endpoints["endpoint"] == endpoint]
        return {} if rows.empty else {k: ("" if pd.isna(v) else v) for k, v in rows.iloc[0].items()}
