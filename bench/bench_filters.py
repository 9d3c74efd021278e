"""How long a subgroup filter takes to rerun at 10,000 subjects: filter, recompute the study, subgroup effects.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_filters.py                    # 10,000 subjects
    python bench/bench_filters.py --subjects 1000 30 --repeat 5
    python bench/bench_filters.py --app              # also the app's rerun after a filter change (AppTest)

The data come from :mod:`bench.make_large_patient_data` (10 endpoints × 5
visits, about two adverse events per subject), read once before the clock
starts.  A filter change in the app reruns :func:`cratus.patient.subset.filter_patient_data`
and :func:`cratus.patient.to_study` on the subjects that pass (then every
page's tables from that study, as for any study).  Prints wall-clock and CPU
seconds, best of ``--repeat`` (on a busy machine CPU time is the steadier
figure); the target is a filter rerun ≤ 1 s at 10,000 subjects.  Asserts
nothing: it is for spotting regressions, not a test.

``--app`` also times what a reader waits for on the server: the app in
AppTest (no browser) with the 10,000 subjects uploaded through the Data
source page, then, on Baseline, Safety and the first figure page, a filter
set in the side menu's "Subgroup filter" for the first time (its filtered
study not cached) and that whole page rerun.  AppTest adds one short
navigation rerun per run that a server does not make (see
bench/bench_patient_pages.py), so these are upper bounds.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.make_large_patient_data import make_large  # noqa: E402
from cratus.patient import read_patient_data, to_study  # noqa: E402
from cratus.patient.subgroups import subgroup_effects  # noqa: E402
from cratus.patient.subset import filter_options, filter_patient_data  # noqa: E402

TARGET_SECONDS = 1.0
FILTERS = {
    "sex = Female": (("sex", ("Female",)),),
    "age 50 to 70": (("age", ("range", 50.0, 70.0)),),
    "both": (("sex", ("Female",)), ("age", ("range", 50.0, 70.0))),
}


def best(func, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and CPU seconds of *repeat* calls, and the last result."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def app_reruns(n_subjects: int) -> None:
    """Print the whole-page rerun after a first-time filter change, per page and filter (AppTest)."""
    import logging
    import os

    from tests.apptest import open_page, set_page
    from ui import session

    os.chdir(ROOT)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    files = make_large(n_subjects)
    at = open_page("data", timeout=600)
    at.radio(key="source_choice").set_value("upload").run()
    at.get("file_uploader")[0].set_value([(name, content, "text/csv") for name, content in files.items()]).run()
    next(b for b in at.button if b.label == "Read these files").click().run()
    figure_page = at.session_state["study"].figure_pages()[0]["url_path"]
    print(f"\nWhole-page rerun after a first-time filter change, {n_subjects:,} subjects (AppTest, ms):")
    print(f"| page | {' | '.join(FILTERS)} | {list(FILTERS)[-1]}, again (cached) | problems |\n"
          f"|---|{'---|' * len(FILTERS)}---|---|")
    for page in ("baseline", "safety", figure_page):
        set_page(at, page).run()
        times, problems = [], []
        for filters in FILTERS.values():
            session._filtered.clear()  # first time: no filtered study cached
            times.append(_set_filter(at, filters))
            problems += [e.message for e in at.exception]
            next(b for b in at.button if b.key == "clear_filter").click().run()
        again = _set_filter(at, filters)  # the last filter again: its study and the page's tables are cached
        next(b for b in at.button if b.key == "clear_filter").click().run()
        print(f"| {page} | {' | '.join(f'{t:.0f}' for t in times)} | {again:.0f} | "
              f"{'; '.join(problems)[:80] or 'none'} |")


def _set_filter(at, filters) -> float:
    """Set *filters* in the side menu's widgets as a reader would; the ms of the rerun that follows."""
    from bench_patient_pages import _timed

    from ui.keys import FILTER_WIDGET_PREFIX as WIDGET_PREFIX

    for variable, chosen in filters:
        if chosen[0] == "range":
            at.slider(key=WIDGET_PREFIX + variable).set_range(chosen[1], chosen[2])
        else:
            at.multiselect(key=WIDGET_PREFIX + variable).set_value(list(chosen))
    return _timed(at)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app", action="store_true", help="also time the app's page rerun (AppTest)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    small = make_large(30, format="parquet")
    to_study(read_patient_data(*small.values(), names=list(small)))  # imports and first-call costs
    print(f"{'subjects':>9} {'filter':>14} {'kept':>6} {'filter s':>9} {'study s':>8} {'rerun s':>8} "
          f"{'filter CPU':>11} {'study CPU':>10} {'subgroups s':>12}")
    for size in args.subjects:
        files = make_large(size, format="parquet")
        data = read_patient_data(*files.values(), names=list(files))
        options_s, _, _ = best(lambda: filter_options(data), args.repeat)
        for name, filters in FILTERS.items():
            filter_s, filter_cpu, subset = best(lambda: filter_patient_data(data, filters), args.repeat)
            study_s, study_cpu, study = best(lambda: to_study(subset), args.repeat)
            groups_s, _, _ = best(lambda: subgroup_effects(study, "marker_1", ("sex", "age", "weight")), args.repeat)
            rerun = filter_s + study_s
            flag = "  (over the 1 s target)" if rerun > TARGET_SECONDS and size >= 10_000 else ""
            print(f"{size:>9,} {name:>14} {len(subset.subjects):>6,} {filter_s:>9.3f} {study_s:>8.2f} {rerun:>8.2f} "
                  f"{filter_cpu:>11.3f} {study_cpu:>10.2f} {groups_s:>12.3f}{flag}")
        print(f"{'':>9} filter options (the panel, once per data set): {options_s:.3f} s")
    print(f"target at 10,000 subjects: filter rerun (filter + study) ≤ {TARGET_SECONDS:g} s")
    if args.app:
        app_reruns(max(args.subjects))
    return 0


if __name__ == "__main__":
    sys.exit(main())
