"""Speed of one participant's profile at scale: prints seconds per call on 10,000 synthetic subjects.

Run ``python bench/bench_profile.py [--subjects 10000]``; nothing is asserted (see ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_large_patient_data import make_large  # noqa: E402
from cratus.figures.profile import build_event_timeline, build_participant_endpoints  # noqa: E402
from cratus.patient import read_patient_data, to_study  # noqa: E402
from cratus.patient.profile import (serious_event_listing, subject_characteristics, subject_endpoints,  # noqa: E402
                                    subject_events, subjects_list)


def timed(label: str, func, *args, repeat: int = 3, **kwargs) -> None:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    print(f"{label:<40} {best * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=10_000)
    n = parser.parse_args().subjects
    files = make_large(n)
    study = to_study(read_patient_data(*files.values(), names=list(files)))
    subject = str(subjects_list(study)["usubjid"].iloc[0])
    print(f"{n} subjects; subject {subject}")
    timed("subjects_list", subjects_list, study)
    timed("subject_characteristics", subject_characteristics, study, subject)
    timed("subject_endpoints", subject_endpoints, study, subject)
    timed("subject_events", subject_events, study, subject)
    timed("serious_event_listing", serious_event_listing, study)
    timed("build_participant_endpoints", build_participant_endpoints, study, subject)
    timed("build_event_timeline", build_event_timeline, study, subject)


if __name__ == "__main__":
    main()
