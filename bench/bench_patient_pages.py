"""Patient-level data in the app at scale: upload, then reruns after an arm change on a figure page and on the
Safety page, and the process memory — at 30, 1,000 and 10,000 subjects (10 endpoints × 5 visits, adverse events).

    python bench/bench_patient_pages.py                       # 30, 1000, 10000 subjects, 5 reruns each
    python bench/bench_patient_pages.py --subjects 10000 --reruns 10

AppTest runs the app in this process (no browser): the upload goes through the Data source page's real file
uploader.  AppTest resets Streamlit's ``pages/``-folder flag before every run, so each timed run includes one
extra, short navigation rerun that a running server does not make (see ui/navigation.py): the figures are an
upper bound of the server's time.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_large_patient_data import make_large  # noqa: E402


def _rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text().splitlines()
    get = lambda key: next(int(line.split()[1]) for line in status if line.startswith(key)) / 1024  # noqa: E731
    return get("VmRSS"), get("VmHWM")


def _timed(at) -> float:
    start = time.perf_counter()
    at.run()
    return (time.perf_counter() - start) * 1000


def bench(n_subjects: int, reruns: int) -> dict:
    from tests.apptest import open_page, set_page

    files = make_large(n_subjects)
    at = open_page("data", timeout=600)
    at.radio(key="source_choice").set_value("upload").run()
    at.get("file_uploader")[0].set_value([(name, content, "text/csv") for name, content in files.items()]).run()
    button = next(b for b in at.button if b.label == "Read these files")
    start = time.perf_counter()
    button.click().run()
    load_ms = (time.perf_counter() - start) * 1000
    errors = [e.value for e in at.error] + [e.message for e in at.exception]
    study = at.session_state["study"]
    figure_page = study.figure_pages()[0]["url_path"]
    result = {"subjects": n_subjects, "load_ms": load_ms, "errors": errors, "figure_page": figure_page}
    for name, url_path in (("figure", figure_page), ("safety", "safety")):
        set_page(at, url_path).run()
        arms = list(study.design.arm_ids)
        times = []
        for i in range(reruns):
            at.sidebar.get("button_group")[0].set_value(arms[: len(arms) - 1] if i % 2 == 0 else arms)
            times.append(_timed(at))
        result[name] = statistics.median(times)
        result[name + "_max"] = max(times)
        result["errors"] += [e.message for e in at.exception]
    result["rss"], result["peak"] = _rss_mb()
    del at
    gc.collect()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="*", default=[30, 1000, 10000])
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    print("| subjects | upload → every page recomputed (ms) | figure page rerun ms (median / max) | "
          "safety rerun ms (median / max) | RSS MB | peak RSS MB | problems |")
    print("|---|---|---|---|---|---|---|")
    for n in args.subjects:
        r = bench(n, args.reruns)
        print(f"| {n:,} | {r['load_ms']:.0f} | {r['figure']:.0f} / {r['figure_max']:.0f} | "
              f"{r['safety']:.0f} / {r['safety_max']:.0f} | {r['rss']:.0f} | {r['peak']:.0f} | "
              f"{'; '.join(r['errors'])[:120] or 'none'} |", flush=True)
    print(f"\nFigure page: /{r['figure_page']}. Reruns alternate the arm selection (every arm but one, every arm).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
