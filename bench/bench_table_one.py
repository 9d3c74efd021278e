"""Table 1 drawn by the project's HTML renderer or by great_tables (gt's Python port): how long each takes.

    python bench/bench_table_one.py              # needs `pip install great_tables` for the comparison

Measures, for the published CRATUS Table 1 and a patient-level Table 1 (the synthetic ADaM set, 30 subjects;
with --subjects N a larger made-up set): the cold import of great_tables in a fresh interpreter (what the first
page view of a new server process pays), and the median time to turn the table into HTML with
``cratus.outputs.export.html_table`` and with ``great_tables.GT(...).as_raw_html()`` (arms as column spanners,
footnotes and a source note — what a clinical table needs).  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_ms(func, repeats: int) -> float:
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _cold_import_ms(module: str, runs: int = 3) -> float:
    """Median wall time of ``import module`` in a fresh interpreter that has already imported pandas."""
    code = (f"import time, pandas; s = time.perf_counter(); import {module}; "
            "print((time.perf_counter() - s) * 1000)")
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                  check=True).stdout) for _ in range(runs))


def _gt_html(frame, notes):
    import great_tables as gt

    table = gt.GT(frame)
    arms = [c for c in frame.columns if "(N = " in c]
    for arm in arms:  # an arm's name spans its column, with N under it
        name, n = arm.split(" (N = ")
        table = table.tab_spanner(label=name, columns=[arm]).cols_label(**{arm: f"N = {n.rstrip(')')}"})
    for note in notes:
        table = table.tab_source_note(note)
    return table.as_raw_html()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    from cratus.outputs.export import html_table
    from cratus.patient import read_patient_data, to_study
    from cratus.patient.synthetic import synthetic_files
    from cratus.study.model import load_study
    from cratus.tables.baseline import table_one
    from cratus.tables.characteristics import study_table_one, table_one_notes

    files = synthetic_files("adam", seed=1)
    patient = to_study(read_patient_data(*files.values(), names=list(files)), reference=load_study())
    tables = {"published Table 1 (CRATUS)": (table_one(load_study()), ()),
              "patient-level Table 1 (synthetic ADaM)": (study_table_one(patient), table_one_notes(patient))}
    try:
        import great_tables  # noqa: F401
        have_gt = True
    except ImportError:
        have_gt = False
    print(f"Python {sys.version.split()[0]}; median of {args.repeats} runs per cell\n")
    if have_gt:
        print(f"cold import of great_tables (pandas already imported): {_cold_import_ms('great_tables'):.0f} ms\n")
    print(f"{'table':<42} {'rows':>5} {'html_table ms':>14} {'great_tables ms':>16}")
    for name, (frame, notes) in tables.items():
        ours = _median_ms(lambda: html_table(frame), args.repeats)
        theirs = _median_ms(lambda: _gt_html(frame, notes), args.repeats) if have_gt else float("nan")
        print(f"{name:<42} {len(frame):>5} {ours:>14.2f} {theirs:>16.2f}")
    if not have_gt:
        print("\ngreat_tables is not installed: pip install great_tables to compare.")


if __name__ == "__main__":
    main()
