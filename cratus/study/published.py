"""Loading and validating the published results in ``data/``.

Every file is read as text first and checked cell by cell, so that a
malformed file raises a :class:`ValueError` that names the file, the row (as
a line number of the file, header = line 1) and the column.  The loaders are
pure: they take a path or a file-like object and return DataFrames; caching
belongs to the app layer.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from cratus.study.design import ALL_ARMS, TOTAL, Design
from cratus.study.statements import FINDINGS, STATEMENT_COLUMNS
from cratus.study.discrepancies import COMPARISONS, KINDS


#: The published study's folder: the repository's ``data/`` (a checkout, ``pip install -e .``), else the copy that
#: ``pip install .`` ships inside the package (``cratus/_data``, see setup.py).
_CHECKOUT = Path(__file__).resolve().parents[2] / "data"
DATA_DIR = _CHECKOUT if (_CHECKOUT / "summary.csv").is_file() else Path(__file__).resolve().parents[1] / "_data"

STATISTICS = ("n", "mean", "sd", "median", "q1", "q3", "count", "percent")
COMPARISONS = ("within_arm", "vs_control", "between_arms")
DOMAINS = ("demographics", "laboratory", "functional", "immune", "quality_of_life", "safety")
SUMMARIES = ("mean_sd", "median_iqr", "n_percent", "")

SUMMARY_COLUMNS = ["endpoint", "level", "arm", "visit", "statistic", "value", "source", "quote"]
P_VALUE_COLUMNS = ["endpoint", "arm", "comparison", "visit", "p_value", "relation", "source", "quote"]
ADVERSE_EVENT_COLUMNS = ["soc", "term", "arm", "events", "patients", "assignment", "source", "quote"]
ENDPOINT_COLUMNS = ["endpoint", "label", "unit", "domain", "figure", "summary", "better", "description"]
DISCREPANCY_COLUMNS = ["id", "endpoint", "arm", "visit", "statistic", "kind", "version_a", "location_a",
                       "version_b", "location_b", "shown", "reason"]
HOSPITALIZATION_COLUMNS = ["arm", "patient", "severity", "hospitalizations", "related_to_procedure",
                           "source", "quote"]
LONG_TERM_EVENT_COLUMNS = ["event", "arm", "timing", "day", "related_to_treatment", "source", "quote"]

#: The key that identifies one published number (the source is part of it:
#: the paper prints some numbers twice, at different precision).
SUMMARY_KEY = ["endpoint", "level", "arm", "visit", "statistic", "source"]
P_VALUE_KEY = ["endpoint", "arm", "comparison", "visit", "source"]


class _Table:
    """A CSV read as text, with the file name kept for error messages."""

    def __init__(self, source, name: str | None = None):
        self.name = name or _name_of(source)
        try:
            self.frame = pd.read_csv(_as_buffer(source), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
            raise ValueError(f"{self.name}: cannot be read as CSV ({error})") from error
        self.frame.columns = [str(c).strip() for c in self.frame.columns]

    def fail(self, index: int, column: str, message: str) -> None:
        # Line numbers as a spreadsheet shows them: the header is line 1.
        raise ValueError(f"{self.name}, row {index + 2}, column '{column}': {message}")

    def require_columns(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise ValueError(f"{self.name}: missing column(s) {', '.join(repr(c) for c in missing)}; "
                             f"expected {', '.join(columns)}")

    def require_values(self, column: str, allowed, empty_ok: bool = False) -> None:
        allowed = set(allowed)
        for index, value in self.frame[column].items():
            if value == "" and empty_ok:
                continue
            if value not in allowed:
                shown = ", ".join(sorted(a for a in allowed if a)) or "(empty)"
                self.fail(index, column, f"{value!r} is not one of {shown}")

    def require_filled(self, column: str) -> None:
        for index, value in self.frame[column].items():
            if value.strip() == "":
                self.fail(index, column, "is empty")

    def to_number(self, column: str, integer: bool = False, minimum: float | None = None,
                  empty_ok: bool = False) -> pd.Series:
        numbers = []
        for index, text in self.frame[column].items():
            if text.strip() == "" and empty_ok:
                numbers.append(math.nan)
                continue
            try:
                number = float(text)
            except ValueError:
                hint = " (write numbers without thousands separators)" if "," in text else ""
                self.fail(index, column, f"{text!r} is not a number{hint}")
            if math.isnan(number) or math.isinf(number):
                self.fail(index, column, f"{text!r} is not a finite number")
            if integer and not number.is_integer():
                self.fail(index, column, f"{text!r} is not a whole number")
            if minimum is not None and number < minimum:
                self.fail(index, column, f"{text!r} is below {minimum:g}")
            numbers.append(number)
        return pd.Series(numbers, index=self.frame.index, dtype=float)

    def require_unique(self, key: list[str]) -> None:
        duplicated = self.frame.duplicated(subset=key, keep="first")
        if duplicated.any():
            index = int(duplicated.idxmax())
            first = int((self.frame[key] == self.frame.loc[index, key]).all(axis=1).idxmax())
            described = ", ".join(f"{k}={self.frame.loc[index, k]!r}" for k in key if self.frame.loc[index, k])
            self.fail(index, key[0], f"duplicate of row {first + 2} ({described})")


def _require_arms(table: _Table, design: Design | None, *extra: str, empty_ok: bool = False) -> None:
    """Every ``arm`` is an arm of the study (or one of the pseudo-arms *extra*)."""
    if design is None:
        if not empty_ok:
            table.require_filled("arm")
        return
    table.require_values("arm", (*design.arm_ids, *extra), empty_ok=empty_ok)


def _require_visits(table: _Table, design: Design | None, empty_ok: bool = False) -> None:
    if design is None:
        if not empty_ok:
            table.require_filled("visit")
        return
    table.require_values("visit", design.visit_ids, empty_ok=empty_ok)


def _name_of(source) -> str:
    if isinstance(source, (str, Path)):
        path = Path(source).resolve()
        if path.is_relative_to(DATA_DIR):  # named as the repository names it, installed or not
            return f"data/{path.relative_to(DATA_DIR).as_posix()}"
        return str(path.relative_to(DATA_DIR.parent) if path.is_relative_to(DATA_DIR.parent) else Path(source))
    return getattr(source, "name", None) or "uploaded file"


def _as_buffer(source):
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if hasattr(source, "seek"):
        source.seek(0)
    return source


def load_summary(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load and validate ``data/summary.csv`` (one row per reported number).

    Parameters
    ----------
    source : path or file-like, optional
        Defaults to the published ``data/summary.csv``.
    name : str, optional
        File name to use in error messages (for uploads).

    Returns
    -------
    pandas.DataFrame
        Columns ``endpoint, level, arm, visit, statistic, value, source,
        quote`` with ``value`` as float, plus ``printed``: the value as
        written in the file, used to show numbers at the paper's precision.

    Raises
    ------
    ValueError
        Naming the file, row and column of the first problem found.

    Examples
    --------
    >>> summary = load_summary()
    >>> row = summary.query("endpoint == 'six_minute_walk' and arm == '100M' "
    ...                     "and visit == 'month6' and statistic == 'mean'")
    >>> row[["value", "printed", "source"]].to_dict("records")[0]["value"]
    410.7
    """
    table = _Table(source if source is not None else DATA_DIR / "summary.csv", name)
    table.require_columns(SUMMARY_COLUMNS)
    for column in ("endpoint", "arm", "visit", "statistic", "source"):
        table.require_filled(column)
    _require_arms(table, design, TOTAL)
    _require_visits(table, design)
    table.require_values("statistic", STATISTICS)
    frame = table.frame
    frame["printed"] = frame["value"].str.strip()
    frame["value"] = table.to_number("value")
    is_count = frame["statistic"].isin(["n", "count"])
    for index in frame.index[is_count]:
        value = frame.at[index, "value"]
        if value < 0 or not float(value).is_integer():
            table.fail(index, "value", f"{frame.at[index, 'printed']!r} is not a count (a whole number ≥ 0)")
    for index in frame.index[frame["statistic"].isin(["sd", "percent"])]:
        if frame.at[index, "value"] < 0:
            table.fail(index, "value", f"{frame.at[index, 'printed']!r}: a {frame.at[index, 'statistic']} "
                                       "cannot be negative")
    for index in frame.index[frame["statistic"] == "percent"]:
        if frame.at[index, "value"] > 100:
            table.fail(index, "value", f"{frame.at[index, 'printed']!r}: a percent cannot exceed 100")
    table.require_unique(SUMMARY_KEY)
    _check_counts_within_n(table)
    _check_quartile_order(table)
    return frame


def _check_counts_within_n(table: _Table) -> None:
    frame = table.frame
    n_rows = frame[frame["statistic"] == "n"]
    by_endpoint = n_rows.groupby(["endpoint", "arm", "visit"])["value"].max().to_dict()
    participants = n_rows[n_rows["endpoint"] == "participants"].groupby("arm")["value"].max().to_dict()
    for index in frame.index[frame["statistic"] == "count"]:
        row = frame.loc[index]
        if row["endpoint"] == "serious_adverse_events" and row["level"] == "events":
            continue  # events can outnumber patients
        n = by_endpoint.get((row["endpoint"], row["arm"], row["visit"]), participants.get(row["arm"]))
        if n is not None and row["value"] > n:
            table.fail(index, "value", f"count {row['printed']} exceeds n = {n:g} for arm {row['arm']!r}")


def _check_quartile_order(table: _Table) -> None:
    frame = table.frame
    key = ["endpoint", "level", "arm", "visit", "source"]
    quartiles = frame[frame["statistic"].isin(["q1", "median", "q3"])]
    for _, group in quartiles.groupby(key, sort=False):
        values = dict(zip(group["statistic"], group["value"]))
        indices = dict(zip(group["statistic"], group.index))
        if "q1" in values and "median" in values and values["q1"] > values["median"]:
            table.fail(indices["q1"], "value", f"Q1 {values['q1']:g} is above the median {values['median']:g}")
        if "q3" in values and "median" in values and values["q3"] < values["median"]:
            table.fail(indices["q3"], "value", f"Q3 {values['q3']:g} is below the median {values['median']:g}")


def load_p_values(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load and validate ``data/p_values.csv``.

    Returns
    -------
    pandas.DataFrame
        ``endpoint, arm, comparison, visit, p_value (float), relation,
        source, quote``, plus ``printed`` (the p-value as written, keeping
        trailing zeros such as ``0.300``).

    Examples
    --------
    >>> p = load_p_values()
    >>> p.query("endpoint == 'tnf_alpha_bcell' and comparison == 'vs_control' "
    ...         "and source.str.startswith('Results')")[["arm", "p_value", "relation"]].values.tolist()
    [['100M', 1e-05, '<'], ['200M', 2e-05, '=']]
    """
    table = _Table(source if source is not None else DATA_DIR / "p_values.csv", name)
    table.require_columns(P_VALUE_COLUMNS)
    for column in ("endpoint", "source"):
        table.require_filled(column)
    _require_arms(table, design, ALL_ARMS)
    table.require_values("comparison", COMPARISONS)
    _require_visits(table, design)
    table.require_values("relation", ("=", "<"))
    frame = table.frame
    frame["printed"] = frame["p_value"].str.strip()
    frame["p_value"] = table.to_number("p_value", minimum=0)
    for index in frame.index[frame["p_value"] > 1]:
        table.fail(index, "p_value", f"{frame.at[index, 'p_value']:g} is above 1")
    table.require_unique(P_VALUE_KEY)
    return frame


def load_adverse_events(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load and validate ``data/adverse_events.csv`` (Table 2, one row per term and arm).

    Examples
    --------
    >>> ae = load_adverse_events()
    >>> int(ae["events"].sum()), sorted(ae["assignment"].unique())
    (10, ['inferred', 'stated'])
    """
    table = _Table(source if source is not None else DATA_DIR / "adverse_events.csv", name)
    table.require_columns(ADVERSE_EVENT_COLUMNS)
    for column in ("soc", "term", "source"):
        table.require_filled(column)
    _require_arms(table, design)
    table.require_values("assignment", ("stated", "inferred"))
    frame = table.frame
    for column in ("events", "patients"):
        frame[column] = table.to_number(column, integer=True, minimum=0).astype(int)
    for column in ("events_percent", "patients_percent"):
        if column in frame:
            frame[column] = table.to_number(column, minimum=0, empty_ok=True)
    for index in frame.index[frame["patients"] > frame["events"]]:
        table.fail(index, "patients", f"{frame.at[index, 'patients']} patients but only "
                                      f"{frame.at[index, 'events']} events")
    table.require_unique(["soc", "term", "arm"])
    return frame


def load_endpoints(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load and validate the data dictionary ``data/endpoints.csv``.

    Examples
    --------
    >>> d = load_endpoints().set_index("endpoint")
    >>> d.loc["six_minute_walk", ["unit", "figure", "summary"]].tolist()
    ['m', '2A', 'mean_sd']
    """
    table = _Table(source if source is not None else DATA_DIR / "endpoints.csv", name)
    table.require_columns(ENDPOINT_COLUMNS)
    table.require_filled("endpoint")
    table.require_filled("label")
    table.require_values("domain", DOMAINS)
    table.require_values("summary", SUMMARIES, empty_ok=True)
    table.require_values("better", ("higher", "lower"), empty_ok=True)
    table.require_unique(["endpoint"])
    return table.frame


def load_discrepancies(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/discrepancies.csv``: where the paper contradicts itself.

    Examples
    --------
    >>> d = load_discrepancies()
    >>> d.set_index("id").loc["D06", "shown"]
    '14542'
    """
    table = _Table(source if source is not None else DATA_DIR / "discrepancies.csv", name)
    table.require_columns(DISCREPANCY_COLUMNS)
    for column in ("id", "kind", "version_a", "version_b", "shown", "reason"):
        table.require_filled(column)
    table.require_values("kind", KINDS)
    if "comparison" in table.frame:
        table.require_values("comparison", COMPARISONS, empty_ok=True)
    _require_arms(table, design, TOTAL, ALL_ARMS, empty_ok=True)
    _require_visits(table, design, empty_ok=True)
    table.require_unique(["id"])
    return table.frame


def load_hospitalizations(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/hospitalizations.csv`` (one row per patient and severity).

    Examples
    --------
    >>> h = load_hospitalizations()
    >>> h.groupby("arm")["hospitalizations"].sum().to_dict()
    {'100M': 2, '200M': 0, 'placebo': 5}
    """
    table = _Table(source if source is not None else DATA_DIR / "hospitalizations.csv", name)
    table.require_columns(HOSPITALIZATION_COLUMNS)
    _require_arms(table, design)
    table.require_values("severity", ("mild", "moderate", "severe"), empty_ok=True)
    table.require_values("related_to_procedure", ("yes", "no"), empty_ok=True)
    frame = table.frame
    frame["hospitalizations"] = table.to_number("hospitalizations", integer=True, minimum=0).astype(int)
    return frame


def load_long_term_events(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/long_term_events.csv`` (the death and the stroke).

    Examples
    --------
    >>> load_long_term_events()[["event", "arm"]].values.tolist()
    [['Death', '200M'], ['Stroke', 'placebo']]
    """
    table = _Table(source if source is not None else DATA_DIR / "long_term_events.csv", name)
    table.require_columns(LONG_TERM_EVENT_COLUMNS)
    _require_arms(table, design)
    table.frame["day"] = table.to_number("day", integer=True, minimum=0, empty_ok=True)
    return table.frame


LEVEL_COLUMNS = ["endpoint", "level", "label"]


def load_levels(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/levels.csv``: display labels of categorical levels, in display order.

    Examples
    --------
    >>> load_levels().query("endpoint == 'cpra'")["label"].tolist()[0]
    'Negative (0–10%)'
    """
    table = _Table(source if source is not None else DATA_DIR / "levels.csv", name)
    table.require_columns(LEVEL_COLUMNS)
    for column in LEVEL_COLUMNS:
        table.require_filled(column)
    table.require_unique(["endpoint", "level"])
    return table.frame


def load_trial(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/trial.csv``: design facts of the trial, each with its source.

    Examples
    --------
    >>> load_trial().set_index("key").loc["registration", "value"]
    'NCT02065245'
    """
    table = _Table(source if source is not None else DATA_DIR / "trial.csv", name)
    table.require_columns(["key", "value", "source", "quote"])
    table.require_filled("key")
    table.require_filled("value")
    table.require_unique(["key"])
    return table.frame


def load_statements(source=None, name: str | None = None, design: Design | None = None) -> pd.DataFrame:
    """Load ``data/statements.csv``: results the source gives in words only (no number, no p-value), each with its
    quote; :class:`cratus.study.statements.Statement` is one row as a value.

    Examples
    --------
    >>> s = load_statements()
    >>> s.query("endpoint == 'six_minute_walk'")[["comparison", "finding", "source"]].values.tolist()
    [['between_arms', 'no_difference', 'Discussion']]
    """
    table = _Table(source if source is not None else DATA_DIR / "statements.csv", name)
    table.require_columns(STATEMENT_COLUMNS)
    for column in ("finding", "source", "quote"):
        table.require_filled(column)
    table.require_values("finding", FINDINGS)
    table.require_values("comparison", COMPARISONS, empty_ok=True)
    _require_arms(table, design, ALL_ARMS, empty_ok=True)
    _require_visits(table, design, empty_ok=True)
    table.require_unique(["endpoint", "arm", "comparison", "visit", "finding"])
    return table.frame
