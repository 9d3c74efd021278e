"""Uploads on a shared server: time, memory, memory given back, and another session's reruns meanwhile.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_uploads.py                        # every case, as the app reads uploads
    python bench/bench_uploads.py --cases csv three
    python bench/bench_uploads.py --in-process           # read in the server's own interpreter (as before)
    python bench/bench_uploads.py --root OLD_CHECKOUT --in-process   # the same, with another checkout's code

This process plays the server: it reads each upload the way ``ui.data_source.open_uploads`` does
(:func:`cratus.patient.worker.read_study`: limits first, then a worker process for a large upload), while
another thread plays *another session*: it reruns the Baseline page with ``streamlit.testing`` (``AppTest``)
over and over, in this same interpreter, as a second visitor's session would run on the server.  Cases:

* ``csv``: the long CSV at the upload limit: 40,000 subjects × 20 endpoints × 5 visits (4 million rows,
  ~140 MB) with subjects and adverse events (``bench/make_large_patient_data.py``);
* ``xlsx``: a 25 MB .xlsx (22,000 subjects × 10 endpoints × 5 visits, 1.1 million rows);
* ``xlsx-limit``: an .xlsx just within the Excel limit (9,000 subjects, 2.4 million cells);
* ``three``: three uploads of the ``csv`` case at once (three sessions);
* ``hostile``: the hostile files of ``tests/test_upload_limits.py`` (a ZIP bomb named .xlsx, a CSV of a million
  columns, a single 100 MB line), each read as an upload: seconds to the refusal, memory, the message.

Printed per case: wall-clock seconds per upload; CPU seconds of the server and of its workers; peak memory
of the server's process tree (proportional set size, so pages shared between the server, the fork server and
the workers count once; sampled every 50 ms) and one worker's resident peak (what its memory cap watches); the
server's memory before (free memory given back to the system first), after the upload and after the session
ends (its study dropped, as Streamlit does when a session ends), as proportional set size and as its heap
(anonymous resident memory: PSS falls once the fork server shares the libraries' pages, the heap does not);
and the other session's rerun time,
median and maximum, idle and during the parse.  Load average is printed: the figures are wall-clock on a
shared machine.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import threading
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_mb() -> float:
    """Proportional set size of this process and all its descendants, in MB."""
    return sum(_pss_kb(pid) for pid in _descendants(os.getpid())) / 1024


def anon_mb() -> float:
    """This process's anonymous resident memory (its heap: data, not the libraries' pages, which proportional
    set size shares with the fork server once it runs), in MB."""
    return _status_kb(os.getpid(), "RssAnon:") / 1024


def own_mb() -> float:
    return _pss_kb(os.getpid()) / 1024


class Sampler(threading.Thread):
    """The process tree's memory every 50 ms; ``peak`` is the largest seen."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = 0.0, True
        self.cpu: dict[int, float] = {}  # CPU seconds last seen of each worker (they are not this one's children)
        self.worker_rss = 0.0  # the largest resident memory of one worker (what its cap watches), MB
        self.known = set(_descendants(os.getpid()))

    def run(self):
        while self.running:
            self.peak = max(self.peak, tree_mb())
            for pid in _descendants(os.getpid()):
                if pid not in self.known:
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
                    self.worker_rss = max(self.worker_rss, _rss_kb(pid) / 1024)
            time.sleep(0.05)


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _status_kb(pid, "VmRSS:")


def _trim() -> None:
    """Give the allocator's free memory back before a case (glibc), so that "before" is what the server holds."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class OtherSession(threading.Thread):
    """Another visitor: reruns of the Baseline page (published study) in this interpreter, timed."""

    def __init__(self, root: Path):
        super().__init__(daemon=True)
        sys.path.insert(0, str(root))
        from tests.apptest import open_page

        self.at = open_page("baseline")
        self.times: list[tuple[float, float]] = []  # (finished at, ms)
        self.running = True

    def rerun(self) -> float:
        start = time.perf_counter()
        self.at.run()
        return (time.perf_counter() - start) * 1000

    def run(self):
        while self.running:
            ms = self.rerun()
            self.times.append((time.perf_counter(), ms))
            time.sleep(0.1)  # a reader's clicks are not back to back

    def between(self, start: float, stop: float) -> list[float]:
        return [ms for at, ms in self.times if start <= at <= stop]


def make_cases(names: list[str]) -> dict:
    sys.path.insert(0, str(HERE))
    from make_large_patient_data import make_large

    made = {}
    if {"csv", "three"} & set(names):
        made["csv"] = [list(make_large(40_000, n_endpoints=20).items())]
    if "three" in names:
        made["three"] = made["csv"] * 3
    if "xlsx" in names:
        made["xlsx"] = [list(make_large(22_000, format="xlsx").items())]
    if "xlsx-limit" in names:
        made["xlsx-limit"] = [list(make_large(9_000, format="xlsx").items())]
    return {n: made[n] for n in names}


def hostile_files() -> dict:
    """The hostile uploads of tests/test_upload_limits.py, each beside a small subject file."""
    import io
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(600):
                part.write(b"\0" * (1 << 20))
    header = ",".join(f"c{i}" for i in range(1_000_000)).encode()
    return {"zip bomb named .xlsx (600 MB of zeros)": ("measurements.xlsx", bomb.getvalue()),
            "CSV of a million columns": ("measurements.csv", header + b"\n" + b"1," * 999_999 + b"1\n"),
            "a single 100 MB line": ("measurements.csv", b"x" * (100 << 20)),
            "a 100 MB line after a header": ("measurements.csv", b"usubjid,visit,endpoint,value\nP01,Baseline,s,1\n"
                                             + b"y" * (100 << 20) + b"\n")}


def run_hostile() -> None:
    """Each hostile file read as the app reads an upload: seconds, CPU seconds, memory, the message."""
    from cratus.patient.worker import read_study

    print(f"\n== hostile files, read as the app reads uploads; load average {os.getloadavg()[0]:.1f}")
    for what, (name, data) in hostile_files().items():
        pairs = [("subjects.csv", b"usubjid,arm\nP01,Drug\nP02,Placebo\n"), (name, data)]
        gc.collect()
        before, sampler = tree_mb(), Sampler()
        sampler.start()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            read_study(pairs)
            message = "READ (not refused)"
        except ValueError as error:
            message = str(error)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        sampler.running = False
        sampler.join()
        print(f"  {what} ({len(data) / 1e6:,.1f} MB): refused in {wall:.2f} s ({cpu:.2f} CPU s), server + workers "
              f"{before:,.0f} MB → peak {max(sampler.peak, before):,.0f} MB: {message[:110]}")


def reader(in_process: bool):
    if in_process:
        from cratus.patient import read_patient_data, to_study

        def read(pairs, reference):
            data = read_patient_data(*[b for _, b in pairs], names=[n for n, _ in pairs])
            return to_study(data, reference=reference)
        return read
    from cratus.patient.worker import read_study

    return lambda pairs, reference: read_study(pairs, reference=reference)


def run_case(name: str, uploads: list, read, reference, other: OtherSession) -> dict:
    gc.collect()
    _trim()
    before, anon = own_mb(), [anon_mb()]
    sampler = Sampler()
    sampler.start()
    results, seconds, errors = [None] * len(uploads), [0.0] * len(uploads), [None] * len(uploads)
    cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)

    def one(i):
        start = time.perf_counter()
        try:
            results[i] = read(uploads[i], reference)
        except ValueError as error:
            errors[i] = str(error)
        seconds[i] = time.perf_counter() - start

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(uploads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop = time.perf_counter()
    sampler.running = False
    sampler.join()
    after_cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with_study = own_mb()
    anon.append(anon_mb())
    results.clear()  # the sessions end: their studies are dropped (cratus.patient.memory gives the memory back)
    gc.collect()
    time.sleep(1.0)
    anon.append(anon_mb())
    return {"case": name, "uploads": len(uploads), "seconds": seconds, "errors": errors,
            "server_cpu": (after_cpu[0].ru_utime + after_cpu[0].ru_stime) - (cpu[0].ru_utime + cpu[0].ru_stime),
            "worker_cpu": sum(sampler.cpu.values()),
            "peak": sampler.peak, "worker_rss": sampler.worker_rss, "before": before, "with_study": with_study,
            "after_end": own_mb(), "anon": anon,
            "tree_after": tree_mb(), "reruns": other.between(start, stop)}


def show(r: dict, idle: list[float]) -> None:
    mb = lambda v: f"{v:,.0f} MB"  # noqa: E731
    print(f"\n== {r['case']}: {r['uploads']} upload(s); load average {os.getloadavg()[0]:.1f}")
    for i, (s, e) in enumerate(zip(r["seconds"], r["errors"])):
        print(f"  upload {i + 1}: {s:.2f} s" + (f"  REFUSED: {e[:160]}" if e else ""))
    print(f"  CPU: server {r['server_cpu']:.2f} s (with the other session's reruns), workers "
          f"{r['worker_cpu']:.2f} s (as last sampled, up to 50 ms short)")
    print(f"  memory: server before {mb(r['before'])}, peak of server + workers {mb(r['peak'])} (one worker's "
          f"resident peak {mb(r['worker_rss'])}), "
          f"server with the study {mb(r['with_study'])}, after the session ends {mb(r['after_end'])} "
          f"(whole tree {mb(r['tree_after'])}); its heap (anonymous memory) {' → '.join(mb(v) for v in r['anon'])}")
    during = r["reruns"]
    text = (f"median {statistics.median(during):.0f} ms, max {max(during):.0f} ms over {len(during)} reruns"
            if during else "no rerun finished during the parse")
    print(f"  another session's Baseline rerun: idle median {statistics.median(idle):.0f} ms; during: {text}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["csv", "xlsx", "xlsx-limit", "three", "hostile"],
                        choices=("csv", "xlsx", "xlsx-limit", "three", "hostile"))
    parser.add_argument("--in-process", action="store_true", help="parse in this interpreter (no worker)")
    parser.add_argument("--root", type=Path, default=HERE.parent, help="checkout whose code is measured")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(args.root))
    os.chdir(args.root)
    from cratus.study.model import load_study

    reference = load_study()
    other = OtherSession(args.root)
    idle = [other.rerun() for _ in range(8)]
    cases = make_cases([c for c in args.cases if c != "hostile"])
    gc.collect()
    print(f"code: {args.root}; {'in the server process' if args.in_process else 'as the app reads uploads'}; "
          f"server at start {own_mb():,.0f} MB (PSS, with the test data in memory)")
    other.start()
    read = reader(args.in_process)
    for name, uploads in cases.items():
        show(run_case(name, uploads, read, reference, other), idle)
    other.running = False
    if "hostile" in args.cases:
        run_hostile()
    return 0


if __name__ == "__main__":
    sys.exit(main())
