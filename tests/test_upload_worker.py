"""A large upload is read in a worker process: the same study as in-process, its messages, its memory cap.

The worker's threshold is lowered so that small files (bench/make_large_patient_data.py, 200 subjects) go
through the worker as a 100 MB upload would; each test takes a second or two.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from cratus.patient import limits, read_patient_data, to_study, worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from make_large_patient_data import make_large  # noqa: E402


@pytest.fixture
def through_the_worker(monkeypatch):
    monkeypatch.setattr(worker, "IN_PROCESS_CELLS", 0)


def test_the_worker_returns_the_study_read_here(through_the_worker):
    files = make_large(200)
    said = []
    built = worker.read_study(list(files.items()), progress=said.append)
    here = to_study(read_patient_data(*files.values(), names=list(files)))
    pd.testing.assert_frame_equal(built.summary, here.summary)
    assert built.key == here.key
    assert said[0].startswith("Starting a reader for about 0.1 million cells")
    assert "Computing the study from the patients…" in " ".join(said)


def test_a_bad_file_s_message_comes_back_from_the_worker(through_the_worker):
    files = make_large(50)
    lines = files["measurements.csv"].split(b"\n")
    lines[1] = lines[1].rsplit(b",", 1)[0] + b",abc"  # row 2 as a spreadsheet numbers it
    files["measurements.csv"] = b"\n".join(lines)
    with pytest.raises(ValueError, match=r"^measurements.csv, row 2, column 'value': 'abc' is not a number$"):
        worker.read_study(list(files.items()))


def test_a_worker_over_its_memory_is_stopped_with_a_message(through_the_worker, monkeypatch):
    monkeypatch.setattr(limits, "WORKER_BASE_BYTES", 1 << 20)
    monkeypatch.setattr(limits, "WORKER_BYTES_PER_CELL", 0)
    with pytest.raises(ValueError, match=r"^reading these files needed more than 0.0 GB of memory, the most one "
                                         r"upload may use on this shared server\. Upload fewer"):
        worker.read_study(list(make_large(50).items()))


def test_the_limits_are_checked_before_the_worker_starts(through_the_worker):
    started = []
    with pytest.raises(ValueError, match="one upload may hold at most 1,000 cells"):
        worker.read_study(list(make_large(50).items()), limits=limits.Limits(cells=1_000), progress=started.append)
    assert started == []


def test_a_released_study_gives_its_memory_back(monkeypatch):
    """cratus.patient.memory: the read trims at once, and the study's release asks for a trim after it."""
    import gc
    import time

    from cratus.patient import memory

    if memory._LIBC is None:
        pytest.skip("malloc_trim is glibc's")
    trims = []
    monkeypatch.setattr(memory, "give_back", lambda: trims.append(time.monotonic()) or True)
    built = worker.read_study(list(make_large(20).items()))
    after_read = len(trims)
    assert after_read >= 1  # the read's freed memory
    del built
    gc.collect()
    deadline = time.monotonic() + 5
    while len(trims) == after_read and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(trims) == after_read + 1  # once the study was collected
