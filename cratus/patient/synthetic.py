"""A seeded synthetic patient-level dataset shaped like a published study, and how well it matches.

:func:`make_synthetic` generates one subject per participant of the
published study (``load_study()`` by default; everything is read from its
files at run time, nothing about a trial is written here):

* subject characteristics (dictionary domain ``demographics``): categorical
  ones with exactly the printed counts per arm; continuous ones by the rule
  below;
* every other endpoint with printed means or medians, at baseline and the
  primary follow-up visit, in one BDS dataset per domain; an endpoint with a
  ``subgroup`` such as ``sex=female`` only for those subjects;
* laboratory tests ALT, AST and total bilirubin with reference ranges
  (typical adult ranges, :data:`LAB_TESTS`) at every visit of the design
  (``ANRIND`` per record, ``BNRIND`` from the baseline record): baseline and
  the primary follow-up as the other endpoints, every other visit drawn
  around the subject's baseline (ρ = :data:`CORRELATION`, from a stream of
  its own so the other endpoints and adverse events stay as they were);
  one subject meets Hy's law: ALT ≥ 3×ULN and total bilirubin ≥ 2×ULN *at
  the same visit* (the primary follow-up, :data:`HYS_LAW`), receding at the
  later visits (:data:`HYS_LAW_AFTER`), normal at baseline;
* adverse events: the published terms per arm, spread over exactly the
  printed number of patients per arm.

Values where the paper prints mean ± SD are normal draws standardised and
rescaled to that mean and SD exactly (baseline and follow-up draws correlated,
ρ = :data:`CORRELATION`); where it prints median (Q1, Q3), the order
statistics that numpy's linear quartiles interpolate are set to the printed
values and the others drawn between them (:mod:`cratus.patient.exact`); of
:data:`CANDIDATES` such samples, the one whose pooled quartiles come closest
to a printed total is kept.  Arm means and SDs are moved within their
printed rounding when that lets the pooled total round to the printed one.
Categorical outcomes after baseline (counts per level at follow-up) are not
generated.  Where nothing is printed, the arm's
baseline, else the total, else the other arms' values are used (plausible,
not published).  :func:`fidelity_table` compares every published cell.

Examples
--------
>>> data = make_synthetic(seed=1)
>>> len(data.subjects), sorted(data.files["role"])
(30, ['adverse_events', 'measurements', 'subjects'])
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cratus.formatting import decimals_of
from cratus.patient.exact import tune_to_totals
from cratus.patient.mapping import Dictionary, slug
from cratus.patient.model import read_patient_data
from cratus.study.model import load_study

# LAB_TESTS and the draws' other constants are read from here by the docs and tests
from cratus.patient.synthetic_draws import (ADSL_NAMES, DOMAIN_DATASETS, LAB_TESTS, STUDYID,  # noqa: F401
                                            _adverse_events, _code, _measurements, _subjects, _targets)


def synthetic_frames(seed: int = 0, study=None) -> dict:
    """The synthetic data as three frames (``subjects``, ``measurements``, ``adverse_events``), ids as in *study*."""
    study = study if study is not None else load_study()
    rng = np.random.default_rng(seed)
    dictionary = Dictionary(study.endpoints, study.levels)
    targets = _targets(study.summary)
    tune_to_totals(study.summary, targets, {a: int(n) for a, n in study.n_per_arm().items()},
                    study.design.arm_ids)
    subjects, levels = _subjects(rng, study, dictionary, targets)
    measurements = _measurements(rng, subjects, levels, study, dictionary, targets)
    return {"subjects": subjects, "measurements": measurements,
            "adverse_events": _adverse_events(rng, subjects, study), "study": study}


# --- files ---------------------------------------------------------------------------------------
def _long_tables(frames: dict) -> dict:
    study = frames["study"]
    design = study.design
    subjects = frames["subjects"].assign(arm=lambda f: f["arm"].map(design.label))
    m = frames["measurements"]
    measurements = pd.DataFrame({
        "usubjid": m["usubjid"], "visit": m["visit"].map(design.visit_label), "visit_order": m["visit_order"],
        "endpoint": m["endpoint"], "label": m["label"], "unit": m["unit"], "value": m["value"],
        "baseline": np.where(m["baseline"], "Y", "N"), "normal_low": m.get("anrlo"),
        "normal_high": m.get("anrhi")})
    return {"subjects.csv": subjects, "measurements.csv": measurements,
            "adverse_events.csv": frames["adverse_events"]}


def _adam_tables(frames: dict) -> dict:
    """ADaM datasets: ``name → (frame, column labels, SAS formats)``."""
    study = frames["study"]
    design = study.design
    s = frames["subjects"]
    arm = s["arm"].map(design.label)
    adsl = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": s["usubjid"], "SUBJID": s["usubjid"].str[-3:],
                         "TRT01P": arm, "TRT01A": arm, "SAFFL": "Y", "ITTFL": "Y",
                         "TRTSDT": 20000.0 + np.arange(len(s)) * 7.0})
    labels = {"USUBJID": "Unique Subject Identifier", "TRT01A": "Actual Treatment for Period 01",
              "SAFFL": "Safety Population Flag", "TRTSDT": "Date of First Exposure to Treatment"}
    for endpoint in s.columns[2:]:
        name = ADSL_NAMES.get(endpoint) or _code(endpoint)
        adsl[name] = s[endpoint]
        labels[name] = study.label(endpoint)
    tables = {"adsl": (adsl, labels, {"TRTSDT": "DATE9."})}
    m = frames["measurements"]
    arm_of = dict(zip(s["usubjid"], arm))
    base = m[m["baseline"]].set_index(["usubjid", "endpoint"])["value"]
    for domain, part in m.groupby("domain", sort=False):
        name = DOMAIN_DATASETS.get(domain) or f"ad{slug(domain).replace('_', '')[:2]}"
        param = [f"{label} ({unit})" if unit else label for label, unit in zip(part["label"], part["unit"])]
        b = base.reindex(pd.MultiIndex.from_frame(part[["usubjid", "endpoint"]])).to_numpy()
        bds = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": part["usubjid"], "TRT01A": part["usubjid"].map(arm_of),
                            "PARAMCD": part["code"], "PARAM": param, "AVAL": part["value"],
                            "AVISIT": part["visit"].map(design.visit_label), "AVISITN": part["visit_order"],
                            "ABLFL": np.where(part["baseline"], "Y", ""), "BASE": b,
                            "CHG": np.where(part["baseline"], np.nan, part["value"].to_numpy() - b)})
        if "anrhi" in part and part["anrhi"].notna().any():
            bds["ANRLO"], bds["ANRHI"], bds["ANRIND"] = part["anrlo"], part["anrhi"], part["anrind"].fillna("")
            indicator = part[part["baseline"]].set_index(["usubjid", "endpoint"])["anrind"]
            bds["BNRIND"] = indicator.reindex(pd.MultiIndex.from_frame(part[["usubjid", "endpoint"]])).fillna("") \
                .to_numpy()
        tables[name.lower()] = (bds.reset_index(drop=True), {"PARAM": "Parameter", "AVAL": "Analysis Value"}, {})
    ae = frames["adverse_events"]
    adae = pd.DataFrame({"STUDYID": STUDYID, "USUBJID": ae["usubjid"], "TRT01A": ae["usubjid"].map(arm_of),
                         "AEBODSYS": ae["soc"], "AEDECOD": ae["term"], "AESER": ae["serious"],
                         "AESEV": ae["severity"], "AEREL": ae["related"], "TRTEMFL": ae["treatment_emergent"],
                         "ASTDY": ae["start_day"].astype(float), "AENDY": ae["end_day"].astype(float)})
    tables["adae"] = (adae, {"AEDECOD": "Dictionary-Derived Term"}, {})
    return tables


def _xpt_bytes(tables: dict) -> dict:
    import pyreadstat
    out = {}
    with tempfile.TemporaryDirectory() as folder:  # pyreadstat writes to paths only; synthetic data, removed after
        for name, (frame, labels, formats) in tables.items():
            path = Path(folder) / f"{name}.xpt"
            pyreadstat.write_xport(frame, str(path), table_name=name.upper()[:8], file_format_version=5,
                                   column_labels=[labels.get(c) for c in frame.columns],
                                   variable_format=formats or None)
            out[path.name] = path.read_bytes()
    return out


def synthetic_files(format: str = "adam", seed: int = 0, study=None) -> dict:
    """The synthetic data as file contents in memory: ``{file name: bytes}``.

    ``format="adam"``: ``adsl.xpt``, one BDS dataset per domain (``adlb.xpt`` …)
    and ``adae.xpt`` (SAS transport v5); ``format="long"``: ``subjects.csv``,
    ``measurements.csv``, ``adverse_events.csv``.

    Examples
    --------
    >>> files = synthetic_files("long", seed=1)
    >>> sorted(files), files["subjects.csv"].splitlines()[0][:20]
    (['adverse_events.csv', 'measurements.csv', 'subjects.csv'], b'usubjid,arm,age,sex,')
    """
    frames = synthetic_frames(seed, study)
    if format == "adam":
        return _xpt_bytes(_adam_tables(frames))
    if format == "long":
        return {name: frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
                for name, frame in _long_tables(frames).items()}
    raise ValueError(f"format must be 'adam' or 'long', not {format!r}")


def write_synthetic(target, format: str = "adam", seed: int = 0, study=None) -> list:
    """Write the synthetic files to a folder (created if needed) or, as a ZIP archive, to a binary buffer.

    Returns the file names written.

    Examples
    --------
    >>> import io, zipfile
    >>> buffer = io.BytesIO()
    >>> write_synthetic(buffer, format="long", seed=1)
    ['subjects.csv', 'measurements.csv', 'adverse_events.csv']
    >>> zipfile.ZipFile(buffer).namelist()[0]
    'subjects.csv'
    """
    files = synthetic_files(format, seed, study)
    if hasattr(target, "write"):
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return list(files)
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return list(files)


def make_synthetic(seed: int = 0, study=None, format: str = "long"):
    """The synthetic dataset read back as :class:`~cratus.patient.PatientData` (from memory, no files).

    *format* is the file format it goes through (``"long"`` CSV or ``"adam"``
    SAS transport); *study* the published study it is shaped like (default
    :func:`cratus.study.model.load_study`).
    """
    files = synthetic_files(format, seed, study)
    return read_patient_data(*files.values(), names=list(files))


# --- fidelity ------------------------------------------------------------------------------------
def fidelity_table(synthetic_study, published_study) -> pd.DataFrame:
    """Every published number next to the synthetic one: is it equal within the printed rounding?

    ``tolerance`` is half a unit of the last printed digit; ``within_rounding``
    is missing where the synthetic study has no such number (not generated).
    """
    pub = published_study.summary
    syn = synthetic_study.summary
    key = ["endpoint", "level", "arm", "visit", "statistic"]
    lookup = syn.assign(level=syn["level"].fillna("")).drop_duplicates(key).set_index(key)["value"]
    out = pub[key + ["source", "value", "printed"]].rename(columns={"value": "published_value",
                                                                    "printed": "published"}).copy()
    out["level"] = out["level"].fillna("")
    out["synthetic"] = lookup.reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    # Whole-study counts (adverse-event totals) sit at the last visit of each study, which may differ.
    no_visit = [k for k in key if k != "visit"]
    single = syn.assign(level=syn["level"].fillna("")).groupby(no_visit)["value"].agg(["first", "size"])
    single = single.loc[single["size"] == 1, "first"]
    missing = out["synthetic"].isna()
    out.loc[missing, "synthetic"] = single.reindex(pd.MultiIndex.from_frame(out.loc[missing, no_visit])).to_numpy()
    out["tolerance"] = [0.5 * 10.0 ** -decimals_of(p) + 1e-9 for p in out["published"]]
    difference = (out["synthetic"] - out["published_value"]).abs()
    out["difference"] = difference
    out["within_rounding"] = pd.array([None if pd.isna(d) else bool(d <= t)
                                       for d, t in zip(difference, out["tolerance"])], dtype="boolean")
    return out.reset_index(drop=True)
