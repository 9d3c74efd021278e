"""The study being shown: one value that every page, table and figure builder takes.

A :class:`Study` holds the design (arms and visits, :mod:`cratus.study.design`), the
endpoint dictionary, the figure pages, the study's own on-screen notes and
facts, and its results as tidy frames.  :func:`load_study` builds it from a
folder of CSV files (the repository's ``data/`` is the study the dashboard
ships with); patient-level data build the same value from patients
(:mod:`cratus.patient`).  Nothing about a particular trial is written in code.

A study folder holds::

    arms.csv       arm, label, short, role (active/control)[, color, symbol, dash]
    visits.csv     visit, label, role (baseline/primary/empty), in display order
    endpoints.csv  the dictionary: endpoint, label, unit, domain, page, figure, summary, ...
    figures.csv    figure pages: figure, nav_title, title, url_path, icon, intro
    trial.csv      facts shown on the overview: key, value, source, quote
    summary.csv    one row per reported number (the tidy results)
    p_values.csv, adverse_events.csv, discrepancies.csv, hospitalizations.csv,
    long_term_events.csv, levels.csv, notes.csv, mcid.csv, flow.csv,
    statements.csv (results given in words only)                        (optional)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from cratus.study import published as loaders
from cratus.study.published import DATA_DIR, _Table
from cratus.study.design import ROLES, VISIT_ROLES, Design, make_design, resolve_name
from cratus.study.provenance import _records
from cratus.study.statements import STATEMENT_COLUMNS, statements_of

#: The endpoint id whose ``n`` rows give the number of participants per arm (a convention of the format).
PARTICIPANTS = "participants"
#: The endpoint id of the printed totals of the adverse-event table (events and patients per arm).
ADVERSE_EVENT_TOTALS = "serious_adverse_events"
#: Environment variable naming the study folder the app opens (default: the repository's ``data/``).
STUDY_DIR_VARIABLE = "CRATUS_STUDY_DIR"

FIGURE_COLUMNS = ["figure", "nav_title", "title", "url_path", "icon", "intro"]
NOTE_COLUMNS = ["page", "section", "kind", "text"]
#: Stages of the participant flow after allocation (optional ``flow.csv``; see :mod:`cratus.tables.flow`).
FLOW_COLUMNS = ["stage", "kind", "endpoint", "level", "source"]
#: Minimal clinically important differences from the literature (optional ``mcid.csv``): one row per endpoint.
MCID_COLUMNS = ["endpoint", "low", "high", "unit", "population", "citation", "quote"]
NOTE_KINDS = ("title", "nav_title", "heading", "markdown", "caption", "info", "warning", "success")


@dataclass(frozen=True)
class Origin:
    """Where a study's data come from, in words for the page's banner (``"Uploaded: adsl.xpt, adae.xpt"``), and
    whether its patients are made up (the synthetic demo)."""

    label: str = ""
    synthetic: bool = False


@dataclass(frozen=True, eq=False)
class Study:
    """Everything the dashboard shows about one study.

    ``key`` is a content hash: caches key on it, so two studies served by one
    process never mix.  ``kind`` is ``"published"`` (numbers read from a
    paper, with provenance) or ``"patient"`` (recomputed from patient data).

    A study computed from patients (:func:`cratus.patient.to_study`) also holds
    ``patients``, the :class:`~cratus.patient.PatientData` it was computed from
    (arms and visits written as the study's ids), and the reader's ``caveats``;
    ``recipe`` is the :class:`~cratus.outputs.code.Recipe` that reopens it (the
    code behind each output), ``origin`` where its data come from and
    ``filters`` the subject filters it was restricted to.  Ask the study rather
    than its kind: :attr:`has_patients`, :attr:`has_printed_sources`.
    """

    design: Design
    summary: pd.DataFrame
    p_values: pd.DataFrame
    endpoints: pd.DataFrame
    adverse_events: pd.DataFrame
    discrepancies: pd.DataFrame
    hospitalizations: pd.DataFrame
    long_term_events: pd.DataFrame
    levels: pd.DataFrame
    trial: pd.DataFrame
    figures: pd.DataFrame
    notes: pd.DataFrame
    flow: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLOW_COLUMNS))
    mcid: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MCID_COLUMNS))
    key: str = ""
    kind: str = "published"
    name: str = ""
    #: The patient frames behind a patient-level study (a :class:`cratus.patient.PatientData`), else None.
    patients: object = None
    #: What the reader had to decide or leave out while reading the patients' files (sentences).
    caveats: tuple = ()
    #: How to reopen the study in code (a :class:`cratus.outputs.code.Recipe`), when it is known.
    recipe: object = None
    origin: Origin = field(default_factory=Origin)
    #: The subject filters the study was restricted to (:mod:`cratus.patient.subset`); empty: every subject.
    filters: tuple = ()
    #: Results the source gives in words only (:class:`cratus.study.statements.Statement`); none for patient data.
    statements: tuple = ()

    # --- what the study can answer -------------------------------------------------------
    @property
    def has_patients(self) -> bool:
        """Whether the study is computed from patients (tests, listings and profiles are possible)."""
        return self.patients is not None

    @property
    def has_printed_sources(self) -> bool:
        """Whether its numbers were read from a publication, each with its source and quote (and can be
        audited against each other)."""
        return self.kind == "published"

    @property
    def synthetic(self) -> bool:
        """Whether its patients are made up (the synthetic demo)."""
        return self.origin.synthetic

    # --- facts and notes -----------------------------------------------------------------
    # Look-ups that every page makes many times per run are indexed once per study (a study's frames are never
    # modified after it is built; ``functools.cached_property`` stores into the instance despite ``frozen``).
    @cached_property
    def _facts(self) -> dict[str, str]:
        facts: dict[str, str] = {}
        for key, value in zip(self.trial["key"], self.trial["value"]):
            facts.setdefault(key, str(value))
        return facts

    @cached_property
    def _notes_by_place(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        places: dict[tuple[str, str], list[tuple[str, str]]] = {}
        notes = self.notes
        for page, section, kind, text in zip(notes["page"], notes["section"], notes["kind"], notes["text"]):
            places.setdefault((str(page), section), []).append((kind, text))
        return places

    @cached_property
    def _endpoint_rows(self) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        for record in self.endpoints.to_dict("records"):
            rows.setdefault(record["endpoint"], {k: ("" if pd.isna(v) else v) for k, v in record.items()})
        return rows

    @cached_property
    def _record_index(self) -> dict[str, tuple[tuple[dict, ...], dict[str, tuple[dict, ...]]]]:
        return {}

    def records(self, table: str, endpoint: str | None = None) -> tuple[dict, ...]:
        """Rows of one of the study's tables (``"summary"``, ``"p_values"``, ``"discrepancies"``) as dicts (with
        ``_position``, the row's place in the frame), only *endpoint*'s when given.

        Read once per study: a page builds many panels of one study and a pandas look-up costs milliseconds
        (``bench/bench_caches.py``).  The rows are shared: read them, never change them.
        """
        if table not in self._record_index:
            frame = getattr(self, table)
            rows = tuple(_records(frame)) if frame is not None and len(frame) else ()
            by_endpoint: dict[str, list[dict]] = {}
            for row in rows:
                by_endpoint.setdefault(row.get("endpoint"), []).append(row)
            self._record_index[table] = (rows, {e: tuple(r) for e, r in by_endpoint.items()})
        rows, by_endpoint = self._record_index[table]
        return rows if endpoint is None else by_endpoint.get(endpoint, ())

    def fact(self, key: str, default: str = "") -> str:
        """One value of ``trial.csv``, e.g. ``fact('doi')``; *default* when the study has none."""
        return self._facts.get(key, default)

    def notes_for(self, page: str, section: str, kinds=None) -> list[tuple[str, str]]:
        """``(kind, text)`` of the study's notes for one place of a page, in file order."""
        rows = self._notes_by_place.get((str(page), section), [])
        return [row for row in rows if kinds is None or row[0] in kinds]

    def text(self, page: str, section: str, kind: str, default: str = "") -> str:
        """The first note of *kind* for a place of a page (a title, a heading), or *default*."""
        found = self.notes_for(page, section, (kind,))
        return found[0][1] if found else default

    @property
    def title(self) -> str:
        """Short name of the study for page titles and reports (acronym, else title, else folder name)."""
        return self.fact("acronym") or self.fact("title") or self.name or "Study"

    @property
    def citation(self) -> str:
        citation, doi = self.fact("citation"), self.fact("doi")
        return f"{citation} doi:{doi}" if doi else citation

    # --- arms and endpoints --------------------------------------------------------------
    @cached_property
    def _n_per_arm(self) -> dict[str, float]:
        rows = self.summary[(self.summary["endpoint"] == PARTICIPANTS) & (self.summary["statistic"] == "n")]
        rows = rows[rows["visit"] == self.design.baseline] if (rows["visit"] == self.design.baseline).any() else rows
        return rows.groupby("arm")["value"].max().to_dict()

    def n_per_arm(self) -> dict[str, float]:
        """Participants per arm (and ``total``) from the ``participants`` rows of the summary."""
        return dict(self._n_per_arm)

    def endpoint_info(self, endpoint: str) -> dict:
        """The dictionary row of *endpoint* as a dict (empty strings for blanks)."""
        found = self._endpoint_rows.get(endpoint)
        return dict(found) if found is not None else {"endpoint": endpoint, "label": endpoint}

    def label(self, endpoint: str) -> str:
        return str(self.endpoint_info(endpoint).get("label") or endpoint)

    def endpoint_id(self, name: str) -> str:
        """The id of the endpoint a reader names: its id or its label, in any case (``"6-minute walk distance"``);
        ValueError otherwise.  Arms and visits: :meth:`Design.arm_id <cratus.study.design.Design.arm_id>`,
        :meth:`Design.visit_id <cratus.study.design.Design.visit_id>` (one rule, :func:`cratus.study.design.resolve_name`).
        """
        found = resolve_name(name, {e: (e, r.get("label", "")) for e, r in self._endpoint_rows.items()})
        if found is None:
            raise ValueError(f"{name!r} is not an endpoint of this study (see its endpoints.csv)")
        return found

    def visits_with_data(self, endpoints) -> list[str]:
        """Visits, in design order, at which the summary holds a number for any of *endpoints*."""
        present = set(self.summary.loc[self.summary["endpoint"].isin(list(endpoints)), "visit"])
        return [v for v in self.design.visit_ids if v in present]

    def figure_pages(self) -> list[dict]:
        """The figure pages in order, each a dict of ``figures.csv``'s columns (a fresh list of fresh dicts)."""
        return [dict(page) for page in self._figure_page_records]

    @cached_property
    def _figure_page_records(self) -> tuple[dict, ...]:
        return tuple(self.figures.to_dict("records"))

    @cached_property
    def _figure_endpoints(self) -> dict[str, tuple[list[str], list[str]]]:
        d = self.endpoints
        found = {}
        for page in dict.fromkeys(d["page"].astype(str)):
            rows = d[d["page"].astype(str) == page]
            found[page] = (rows[rows["figure"] != ""].sort_values("figure", kind="stable")["endpoint"].tolist(),
                           rows.loc[rows["figure"] == "", "endpoint"].tolist())
        return found

    def panels(self, figure: str) -> list[str]:
        """Endpoints drawn as panels of figure page *figure*, in dictionary order."""
        return list(self._figure_endpoints.get(str(figure), ([], []))[0])

    def reported_only(self, figure: str) -> list[str]:
        """Endpoints listed on figure page *figure* without a panel (p-values or a sentence only)."""
        return list(self._figure_endpoints.get(str(figure), ([], []))[1])

    def category_endpoints(self, domain: str = "safety") -> list[str]:
        """Categorical endpoints of *domain* with levels (counts per category), e.g. antibody categories."""
        d = self.endpoints
        ids = d.loc[(d["domain"] == domain) & (d["summary"] == "n_percent"), "endpoint"]
        with_levels = set(self.levels["endpoint"])
        return [e for e in ids if e in with_levels and e in self._counted_in_every_arm and e != ADVERSE_EVENT_TOTALS]

    @cached_property
    def _counted_in_every_arm(self) -> frozenset:
        """Endpoints with a count for every arm (a table of categories needs one; a list of single described
        cases is not one).  Computed once per study: the Safety page asks on every rerun."""
        counts = self.summary[self.summary["statistic"] == "count"]
        arms = set(self.design.arm_ids)
        return frozenset(e for e, rows in counts.groupby("endpoint") if arms <= set(rows["arm"]))

    def count_endpoints(self, domain: str = "safety") -> list[str]:
        """Endpoints of *domain* given as counts of patients that are neither tables of categories nor the
        adverse-event totals (e.g. patients with donor-specific antibodies, numbers read from prose)."""
        d = self.endpoints
        ids = d.loc[d["domain"] == domain, "endpoint"]
        counted = set(self.summary.loc[self.summary["statistic"] == "count", "endpoint"])
        skip = set(self.category_endpoints(domain)) | {ADVERSE_EVENT_TOTALS}
        return [e for e in ids if e in counted and e not in skip]


def _load_design(folder: Path) -> Design:
    arms = _Table(folder / "arms.csv")
    arms.require_columns(["arm", "label", "role"])
    arms.require_filled("arm")
    arms.require_values("role", ROLES)
    arms.require_unique(["arm"])
    visits = _Table(folder / "visits.csv")
    visits.require_columns(["visit", "label", "role"])
    visits.require_filled("visit")
    visits.require_values("role", VISIT_ROLES)
    visits.require_unique(["visit"])
    rows = [{"id": r["arm"], "label": r["label"], "short": r.get("short", ""), "control": r["role"] == "control",
             **{k: r.get(k, "") for k in ("color", "symbol", "dash", "pattern")}}
            for r in arms.frame.to_dict("records")]
    try:
        return make_design(rows, [(r["visit"], r["label"], r["role"]) for r in visits.frame.to_dict("records")])
    except ValueError as error:
        raise ValueError(f"{arms.name} / {visits.name}: {error}") from error


def _optional(folder: Path, file: str, columns: list[str], loader=None, **kwargs) -> pd.DataFrame:
    path = folder / file
    if path.exists():
        if loader is not None:
            return loader(path, **kwargs)
        table = _Table(path)
        table.require_columns(columns)
        return table.frame
    return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_study_dir() -> Path:
    """The folder the app opens: ``$CRATUS_STUDY_DIR`` if set, else the repository's ``data/``."""
    chosen = os.environ.get(STUDY_DIR_VARIABLE, "").strip()
    return Path(chosen) if chosen else DATA_DIR


def load_study(folder: str | Path | None = None) -> Study:
    """Load a study folder and check that its files agree with each other.

    Parameters
    ----------
    folder : path, optional
        Folder of CSV files (see the module docstring); defaults to
        :func:`default_study_dir`.

    Raises
    ------
    ValueError
        Naming the file, row and column of the first problem found.

    Examples
    --------
    >>> study = load_study()
    >>> study.design.control, study.design.baseline, study.panels("2")[:2]
    ('placebo', 'baseline', ['six_minute_walk', 'sppb'])
    """
    folder = Path(folder) if folder is not None else default_study_dir()
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such study folder")
    design = _load_design(folder)
    kw = {"design": design}
    endpoints = loaders.load_endpoints(folder / "endpoints.csv")
    for column in ("page", "figure", "population", "subgroup", "summary", "unit", "better", "description"):
        if column not in endpoints:
            endpoints[column] = ""
    study = Study(
        design=design,
        summary=loaders.load_summary(folder / "summary.csv", **kw),
        p_values=_optional(folder, "p_values.csv", loaders.P_VALUE_COLUMNS + ["printed"], loaders.load_p_values, **kw),
        endpoints=endpoints,
        adverse_events=_optional(folder, "adverse_events.csv", loaders.ADVERSE_EVENT_COLUMNS,
                                 loaders.load_adverse_events, **kw),
        discrepancies=_optional(folder, "discrepancies.csv", loaders.DISCREPANCY_COLUMNS,
                                loaders.load_discrepancies, **kw),
        hospitalizations=_optional(folder, "hospitalizations.csv", loaders.HOSPITALIZATION_COLUMNS,
                                   loaders.load_hospitalizations, **kw),
        long_term_events=_optional(folder, "long_term_events.csv", loaders.LONG_TERM_EVENT_COLUMNS,
                                   loaders.load_long_term_events, **kw),
        levels=_optional(folder, "levels.csv", loaders.LEVEL_COLUMNS, loaders.load_levels),
        trial=_optional(folder, "trial.csv", ["key", "value", "source", "quote"], loaders.load_trial),
        figures=_load_figures(folder, endpoints),
        notes=_load_notes(folder),
        mcid=_optional(folder, "mcid.csv", MCID_COLUMNS),
        flow=_optional(folder, "flow.csv", FLOW_COLUMNS),
        statements=statements_of(_optional(folder, "statements.csv", STATEMENT_COLUMNS, loaders.load_statements,
                                           **kw)),
        key=_content_hash(folder),
        name=folder.name,
    )
    _check_endpoints_known(study, folder)
    return study


def _load_figures(folder: Path, endpoints: pd.DataFrame) -> pd.DataFrame:
    frame = _optional(folder, "figures.csv", FIGURE_COLUMNS)
    for column in FIGURE_COLUMNS:
        if column not in frame:
            frame[column] = ""
    name = f"{folder.name}/figures.csv"
    for index, row in frame.iterrows():
        if not row["figure"]:
            raise ValueError(f"{name}, row {index + 2}, column 'figure': is empty")
        if not row["url_path"]:
            frame.at[index, "url_path"] = f"figure_{row['figure']}".lower()
        if not row["nav_title"]:
            frame.at[index, "nav_title"] = row["title"] or f"Figure {row['figure']}"
        if not row["title"]:
            frame.at[index, "title"] = frame.at[index, "nav_title"]
    if frame["figure"].duplicated().any():
        raise ValueError(f"{name}: figure ids must be unique")
    known = set(frame["figure"])
    for index, page in endpoints["page"].items():
        if page and page not in known:
            raise ValueError(f"{folder.name}/endpoints.csv, row {index + 2}, column 'page': {page!r} is not a "
                             f"figure of figures.csv")
    return frame.reset_index(drop=True)


def _load_notes(folder: Path) -> pd.DataFrame:
    frame = _optional(folder, "notes.csv", NOTE_COLUMNS)
    name = f"{folder.name}/notes.csv"
    for index, kind in frame["kind"].items():
        if kind not in NOTE_KINDS:
            raise ValueError(f"{name}, row {index + 2}, column 'kind': {kind!r} is not one of {', '.join(NOTE_KINDS)}")
    return frame


def _check_endpoints_known(study: Study, folder: Path) -> None:
    known = set(study.endpoints["endpoint"]) | {PARTICIPANTS}
    for file, frame in (("summary.csv", study.summary), ("p_values.csv", study.p_values),
                        ("discrepancies.csv", study.discrepancies),
                        ("statements.csv", pd.DataFrame({"endpoint": [s.endpoint for s in study.statements]}))):
        for index, endpoint in frame["endpoint"].items():
            if endpoint and endpoint not in known:
                raise ValueError(f"{folder.name}/{file}, row {index + 2}, column 'endpoint': "
                                 f"{endpoint!r} is not in endpoints.csv")
