"""What the memoized look-ups inside ``cratus`` save: each output built with them warm and built from nothing.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_caches.py            # 5 builds of each, medians
    python bench/bench_caches.py --runs 10

The pages cache each output at the edge (``ui.cached``, keyed by the study and the choices); a change of the
arm selection or of a figure option builds that output again.  This prints, per output, the median time of a
build after the study's look-ups were made (``warm``) and of a build from nothing (``cold``: every
``functools.lru_cache`` of the package cleared first), so that each cache that stays stands on a number.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _package_caches() -> list:
    """Every ``functools.lru_cache`` wrapper defined in a module of cratus."""
    found = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("cratus") or module is None:
            continue
        for value in vars(module).values():
            if (isinstance(value, functools._lru_cache_wrapper) and value.__module__ == name
                    and value.__wrapped__.__code__.co_argcount):  # a constant (theme.template) is no look-up
                found.append(value)
    return found


def _forget(study, caches) -> None:
    """Clear every cache of the package and what the study value read once (its ``cached_property`` values)."""
    for cache in caches:
        cache.cache_clear()
    for name in [n for n in vars(study) if isinstance(getattr(type(study), n, None), functools.cached_property)]:
        del study.__dict__[name]


def _median_ms(build, clear, runs: int) -> float:
    times = []
    for _ in range(runs):
        clear()
        gc.collect()
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from cratus.appraisal.views import between_arm_view, forest_view, multiplicity_view, within_arm_view
    from cratus.figures import Measure, build_figure_grid
    from cratus.study.model import load_study

    study = load_study()
    arms = study.design.arm_ids
    two = (arms[0], study.design.control or arms[-1])
    figure = str(study.figure_pages()[0]["figure"])
    endpoints = study.panels(figure)
    outputs = {
        f"figure {figure} grid, all arms": lambda: build_figure_grid(study, endpoints, arms, study.design.visit_ids),
        f"figure {figure} grid, change": lambda: build_figure_grid(study, endpoints, two, study.design.visit_ids, measure=Measure(metric="change", correlation=0.5)),
        "appraisal: between arms": lambda: between_arm_view(study, two),
        "appraisal: forest": lambda: forest_view(study, two),
        "appraisal: within arm": lambda: within_arm_view(study, two),
        "appraisal: multiplicity": lambda: multiplicity_view(study, "all", 0.05, arms),
    }
    for build in outputs.values():  # imports and first-use costs out of the numbers
        build()
    caches = _package_caches()
    print(f"{len(caches)} lru_caches in cratus: " + ", ".join(f"{c.__module__}.{c.__name__}" for c in caches))
    print(f"{'output':34} {'warm ms':>9} {'cold ms':>9}")
    for name, build in outputs.items():
        warm = _median_ms(build, lambda: None, args.runs)
        cold = _median_ms(build, lambda: _forget(study, caches), args.runs)
        print(f"{name:34} {warm:9.1f} {cold:9.1f}")


if __name__ == "__main__":
    main()
