"""How long patient-level data take to load: ``read_patient_data`` + ``to_study`` at 30, 1,000 and 10,000 subjects.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_patient.py                   # CSV and Parquet, 30 / 1,000 / 10,000 subjects
    python bench/bench_patient.py --sizes 10000 --formats parquet

The data come from :mod:`bench.make_large_patient_data` (10 endpoints × 5
visits, about two adverse events per subject), built in memory before the
clock starts.  Prints wall-clock and CPU seconds (best of ``--repeat``; on a
busy machine the CPU time is the steadier figure) and the
process's peak resident memory; targets at 10,000 subjects: load ≤ 3 s,
RSS ≤ 500 MB.  Asserts nothing: it is for spotting regressions, not a test.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_large_patient_data import make_large  # noqa: E402
from cratus.patient import read_patient_data, to_study  # noqa: E402

TARGET_SECONDS = 3.0
TARGET_RSS_MB = 500.0


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n_subjects: int, format: str, repeat: int) -> dict:
    files = make_large(n_subjects, format=format)
    best_read = best_total = best_cpu = float("inf")
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        data = read_patient_data(*files.values(), names=list(files))
        read = time.perf_counter() - start
        study = to_study(data)
        total = time.perf_counter() - start
        best_read, best_total = min(best_read, read), min(best_total, total)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return {"subjects": n_subjects, "format": format, "rows": len(data.measurements), "read_s": best_read,
            "study_s": best_total - best_read, "total_s": best_total, "cpu_s": best_cpu,
            "summary_rows": len(study.summary),
            "rss_mb": peak_rss_mb()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 1_000, 10_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "parquet"], choices=("csv", "parquet"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    read_patient_data(*make_large(30).values(), names=list(make_large(30)))  # imports and first-call costs
    print(f"{'subjects':>9} {'format':>8} {'rows':>9} {'read s':>7} {'study s':>8} {'total s':>8} {'CPU s':>6} "
          f"{'peak RSS MB':>12}")
    for fmt in args.formats:
        for size in args.sizes:
            r = bench(size, fmt, args.repeat)
            flag = "" if r["total_s"] <= TARGET_SECONDS or size < 10_000 else "  (over the 3 s target)"
            print(f"{r['subjects']:>9,} {r['format']:>8} {r['rows']:>9,} {r['read_s']:>7.2f} {r['study_s']:>8.2f} "
                  f"{r['total_s']:>8.2f} {r['cpu_s']:>6.2f} {r['rss_mb']:>12.0f}{flag}")
    print(f"targets at 10,000 subjects: total ≤ {TARGET_SECONDS:g} s, peak RSS ≤ {TARGET_RSS_MB:g} MB "
          "(peak RSS is of the whole process, so it grows with the largest run so far)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
