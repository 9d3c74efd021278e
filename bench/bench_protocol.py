"""How long each protocol analysis takes on 10,000 subjects (target: each under 1 s).

Run from anywhere (the repo root is found from this file)::

    python bench/bench_protocol.py                 # 10,000 subjects, best of 3
    python bench/bench_protocol.py --subjects 1000 --repeat 5

The data are tests/adam_trial.py's made-up ADaM-shaped trial (ADSL with TRT01PN and SITEGR1, a score at four
visits, a 7-point rating, ADTTE), built in memory before the clock starts.  Two levels are timed: the
estimators of :mod:`cratus.stats` on ready frames, and the study-level tables of :mod:`cratus.patient.protocol` (and :mod:`cratus.patient.repeated`)
that the pages call (records picked from the study, then the estimator, then the table; not cached).
Prints wall-clock and CPU seconds, best of ``--repeat``.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cratus.patient import protocol as P  # noqa: E402
from cratus.patient import read_patient_data, to_study  # noqa: E402
from cratus.stats.ancova import ancova, dose_trend  # noqa: E402
from cratus.stats.categorical import binary_summary, ordinal_tests  # noqa: E402
from cratus.stats.mmrm import mmrm  # noqa: E402
from cratus.stats.survival import time_to_event  # noqa: E402
from cratus.patient import repeated as R  # noqa: E402
from cratus.patient import time_to_event as T  # noqa: E402
from tests.adam_trial import adam_trial  # noqa: E402

TARGET_SECONDS = 1.0


def _best(func, repeat: int) -> tuple[float, float]:
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def _study(n: int):
    frames = adam_trial(n=n)
    files = {}
    for name in ("adsl", "adqs", "adtte"):
        out = io.BytesIO()
        frames[name].to_parquet(out)
        files[f"{name}.parquet"] = out.getvalue()
    return to_study(read_patient_data(*files.values(), names=list(files)))  # ADTTE read since issue 23


def _unstructured(long, arms, control):
    """The unstructured REML fit, however long it takes (the page refuses it beyond UNSTRUCTURED_BUDGET)."""
    from cratus.stats import mmrm as module

    budget, module.UNSTRUCTURED_BUDGET = module.UNSTRUCTURED_BUDGET, float("inf")
    try:
        return mmrm(long, "chg", arms, control, ("sitegr1",))
    finally:
        module.UNSTRUCTURED_BUDGET = budget


def analyses(study) -> dict:
    data = study.patients
    arms, control = list(study.design.arm_ids), data.control
    frame = P.ancova_frame(study, "actot", "week_24")
    tte = T.tte_frame(study, "TTDERM")
    ratings, order = P.category_records(study, "cibic", "week_24")
    binary = ratings.assign(improved=ratings["category"].isin(order[:3]))  # the three best of the 7-point scale
    doses = P.arm_doses(study)
    long = R.mmrm_frame(study, "actot")
    return {
        "ANCOVA, site factor + baseline (stats)": lambda: ancova(frame, "chg", arms, control, ("sitegr1",)),
        "ANCOVA + pairwise, Holm (stats)": lambda: ancova(frame, "chg", arms, control, ("sitegr1",), pairwise=True,
                                                          adjustment="holm"),
        "dose trend (stats)": lambda: dose_trend(frame, "chg", doses, ("sitegr1",)),
        "MMRM unstructured, site factor (stats)": lambda: _unstructured(long, arms, control),
        "MMRM compound symmetry, site (stats)": lambda: mmrm(long, "chg", arms, control, ("sitegr1",),
                                                              covariance="compound symmetry"),
        "GEE unstructured, site (stats)": lambda: mmrm(long, "chg", arms, control, ("sitegr1",),
                                                        covariance="GEE unstructured"),
        "KM + log-rank + Cox (stats)": lambda: time_to_event(tte, arms, control, time="time"),
        "Cox stratified by site (stats)": lambda: time_to_event(tte, arms, control, time="time", strata="sitegr1"),
        "ordinal WMW (stats)": lambda: ordinal_tests(ratings, "category", arms, control, order=order),
        "van Elteren by site (stats)": lambda: ordinal_tests(ratings, "category", arms, control, strata="sitegr1",
                                                              order=order),
        "binary, CMH by site (stats)": lambda: binary_summary(binary, "improved", arms, control, strata="sitegr1",
                                                              event=True),
        "LS-means table (page)": lambda: P.ancova_table(study, "actot", "week_24", factors=("sitegr1",)),
        "dose trend sentence (page)": lambda: P.dose_trend_words(study, "actot", "week_24", factors=("sitegr1",)),
        "MMRM table, compound symmetry (page)": lambda: R.mmrm_table(study, "actot", factors=("sitegr1",),
                                                                      covariance="compound symmetry"),
        "KM figure (page)": lambda: __import__("cratus.figures.km", fromlist=["km_figure"]).km_figure(study,
                                                                                                     "TTDERM"),
        "medians table (page)": lambda: T.median_table(study, "TTDERM"),
        "hazard-ratio table (page)": lambda: T.hazard_table(study, "TTDERM"),
        "category table + test (page)": lambda: (P.category_table(study, "cibic", "week_24"),
                                                 P.category_tests(study, "cibic", "week_24", strata="sitegr1")),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    study = _study(args.subjects)
    print(f"{args.subjects:,} subjects; best of {args.repeat}; target {TARGET_SECONDS:g} s each")
    print(f"{'analysis':<42} {'wall s':>8} {'cpu s':>8}")
    for name, func in analyses(study).items():
        wall, cpu = _best(func, args.repeat)
        flag = "" if wall < TARGET_SECONDS else "  over target"
        print(f"{name:<42} {wall:>8.3f} {cpu:>8.3f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
