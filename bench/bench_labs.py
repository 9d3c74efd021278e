"""How long the Laboratory page's computations take at 10,000 subjects: eDISH and shift table reruns.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_labs.py                  # 10,000 subjects
    python bench/bench_labs.py --subjects 1000 30

The data are :mod:`bench.make_large_patient_data` (three arms, five visits,
10 endpoints) plus ALT, AST and total bilirubin with reference ranges at every
visit (log-normal around half the upper limit; 1 % of subjects with a liver
signal after baseline), built in memory before the clock starts.  A *rerun*
is what the page computes when a widget changes and nothing is cached:
``lab_endpoints``, ``edish_data`` + the eDISH figure, the shift table and its
note, values over time + their figure.  Prints the best of ``--repeat`` wall
and CPU seconds per step; target ≤ 1 s for eDISH and for the shift table at
10,000 subjects.  ``--app`` also uploads the files in AppTest and times the
Laboratory page's reruns after an arm change (AppTest adds a short navigation
rerun a server does not make: an upper bound).  Asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_large_patient_data import VISITS, make_frames  # noqa: E402
from cratus.figures.labs import build_edish_figure, build_lab_values_figure  # noqa: E402
from cratus.patient import read_patient_data, to_study  # noqa: E402
from cratus.patient.lab_values import lab_values_over_time  # noqa: E402
from cratus.patient.edish import edish_data  # noqa: E402
from cratus.patient.labs import lab_endpoints, shift_note, shift_table  # noqa: E402

TARGET_SECONDS = 1.0
#: CDISC code → (name, unit, lower and upper limit of normal).
TESTS = {"ALT": ("Alanine Aminotransferase", "U/L", 7.0, 40.0), "AST": ("Aspartate Aminotransferase", "U/L", 8.0, 40.0),
         "BILI": ("Total Bilirubin", "mg/dL", 0.1, 1.2)}


def lab_rows(subjects: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """ALT, AST and bilirubin at every visit for every subject, with reference ranges (long format)."""
    rng = np.random.default_rng(seed)
    n = len(subjects)
    signal = rng.random(n) < 0.01
    parts = []
    for code, (name, unit, low, high) in TESTS.items():
        level = rng.normal(np.log(0.5 * high), 0.35, n)
        for order, visit in enumerate(VISITS):
            value = np.exp(level + rng.normal(0, 0.2, n))
            if order:
                value = np.where(signal, value * rng.uniform(2, 8, n), value)
            parts.append(pd.DataFrame({"usubjid": subjects["usubjid"], "visit": visit, "visit_order": order,
                                       "endpoint": code, "label": name, "unit": unit, "value": value.round(3),
                                       "normal_low": low, "normal_high": high}))
    return pd.concat(parts, ignore_index=True)


def large_files(n_subjects: int) -> dict:
    """``{file name: CSV bytes}``: the large data set with the three lab tests added to its measurements."""
    frames = make_frames(n_subjects)
    measurements = pd.concat([frames["measurements"], lab_rows(frames["subjects"])], ignore_index=True)
    files = {}
    for name, frame in (("subjects", frames["subjects"]), ("measurements", measurements),
                        ("adverse_events", frames["adverse_events"])):
        buffer = io.BytesIO()
        frame.to_csv(buffer, index=False)
        files[f"{name}.csv"] = buffer.getvalue()
    return files


def large_study(n_subjects: int):
    files = large_files(n_subjects)
    return to_study(read_patient_data(*files.values(), names=list(files)))


def app_reruns(n_subjects: int, reruns: int) -> list[float]:
    """The Laboratory page in AppTest after uploading the data: seconds per rerun after an arm change.

    Reruns alternate two arm selections: the first (every arm but one) is new, the page opened with every
    arm, so the others are served from the cache.
    """
    from tests.apptest import open_page, set_page

    at = open_page("data", timeout=900)
    at.radio(key="source_choice").set_value("upload").run()
    at.get("file_uploader")[0].set_value([(n, c, "text/csv") for n, c in large_files(n_subjects).items()]).run()
    next(b for b in at.button if b.label == "Read these files").click().run()
    set_page(at, "laboratory").run()
    arms = list(at.session_state["study"].design.arm_ids)
    times = []
    for i in range(reruns):
        at.sidebar.get("button_group")[0].set_value(arms[:-1] if i % 2 == 0 else arms)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    problems = [e.message for e in at.exception]
    if problems or not at.title or at.title[0].value != "Laboratory":
        print("  page problems:", problems or [t.value for t in at.title])
    return times


def timed(func, repeat: int) -> tuple[float, float]:
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        func()
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="*", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app", action="store_true", help="also time the page's reruns in AppTest (slow)")
    args = parser.parse_args(argv)
    for n in args.subjects:
        study = large_study(n)
        rows = len(study.patients.measurements)
        endpoint = lab_endpoints(study)[0]
        steps = {
            "lab_endpoints": lambda: lab_endpoints(study),
            "eDISH (data + figure)": lambda: build_edish_figure(study, test="alt"),
            "shift table + note": lambda: (shift_table(study, endpoint), shift_note(study, endpoint)),
            "values over time (figure)": lambda: build_lab_values_figure(study, endpoint),
        }
        print(f"{n:,} subjects, {rows:,} measurement rows; {len(edish_data(study)):,} subjects on the eDISH")
        for name, step in steps.items():
            wall, cpu = timed(step, args.repeat)
            flag = "" if wall <= TARGET_SECONDS or name == "lab_endpoints" else f"  (over {TARGET_SECONDS:g} s)"
            print(f"  {name:28s} {wall:6.3f} s wall  {cpu:6.3f} s CPU{flag}")
        print(f"  lab values over time table  {timed(lambda: lab_values_over_time(study, endpoint), 1)[0]:6.3f} s")
        if args.app:
            times = app_reruns(n, 6)
            print(f"  page rerun after an arm change (AppTest): a new selection (computed) {times[0]:.2f} s; "
                  f"selections seen before (cached) median {sorted(times[1:])[len(times[1:]) // 2]:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
