"""Reading an upload to a study without stopping the server for everyone else.

:func:`read_study` checks an upload against :mod:`cratus.patient.limits`
before anything is parsed, then reads it (:func:`read_patient_data` and
:func:`to_study`):

* a small upload (up to :data:`IN_PROCESS_CELLS` cells, well under a second)
  in this process;
* a large one in a **worker process** of its own, started from a fork server
  that has the libraries loaded: the server's interpreter only waits on a
  pipe (other visitors' pages keep running), the worker's resident memory is
  watched and the worker stopped beyond :meth:`Limits.worker_bytes`, and all
  the memory the parse used goes back to the system when the worker ends.
  At most :data:`PARALLEL` workers run at once; later uploads wait their
  turn.  A worker is stopped beyond :data:`CPU_LIMIT_SECONDS` of computing.  *progress* is told what is happening (for a progress indicator).

Nothing is written to disk: the files travel to the worker and the study back
through a pipe.  The server's allocator gives back what the read freed, and
the study's memory once the session drops it (:mod:`cratus.patient.memory`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from typing import Callable

from cratus.patient import memory
from cratus.patient.limits import Estimate, Limits, check_file, check_upload

#: Uploads up to this many cells are read in this process (the worker's start costs more than their parse).
IN_PROCESS_CELLS = 1_000_000
#: Workers reading at once.  One: a worker may use up to Limits.worker_bytes (1.6 GB at the default limit);
#: two at once took the server and its workers to 2.6 GB of Community Cloud's ~2.7 GB (bench/bench_uploads.py).
PARALLEL = 1
#: CPU seconds a worker may compute (the 4-million-row CSV takes ~4 s; an .xlsx at the Excel limit ~25 s).
CPU_LIMIT_SECONDS = 120
#: A worker still reading after this many seconds (waiting for the CPU included) is stopped.
TIME_LIMIT_SECONDS = 600.0
#: The worker's scheduling priority below the server's (Unix ``nice``).
NICENESS = 10
_POLL_SECONDS = 0.1
_slots = threading.BoundedSemaphore(PARALLEL)
_context_lock = threading.Lock()
_context = None

Progress = Callable[[str], None]


def estimates(pairs: list[tuple[str, bytes]], limits: Limits) -> list[Estimate]:
    """Each file's estimated size; refuses any file, or the files together, beyond the limits."""
    from cratus.patient.readers import _format_of

    found = [check_file(name, _format_of(name, data), data, limits) for name, data in pairs if data.strip()]
    check_upload(found, limits)
    return found


def read_study(pairs: list[tuple[str, bytes]], mapping=None, reference=None, limits: Limits | None = None,
               progress: Progress | None = None):
    """The study of the uploaded *pairs* (name, bytes), read within the limits (see the module docstring).

    Raises :class:`ValueError` with a message for the visitor: a file beyond the limits, a bad file (naming
    file, column and row), or a worker that needed more memory or time than allowed.
    """
    limits = limits or Limits.from_environment()
    progress = progress or (lambda text: None)
    cells = sum(e.cells for e in estimates(pairs, limits))
    try:
        study = _read(pairs, mapping, reference) if cells <= IN_PROCESS_CELLS else _queued(
            pairs, mapping, reference, limits, cells, progress)
    finally:
        memory.give_back()  # what the parse (or the pickled study's transit) used and freed
    memory.when_released(study)  # the session ends or opens other data: its patients' memory goes back too
    return study


def _queued(pairs, mapping, reference, limits: Limits, cells: int, progress: Progress):
    """Read in a worker, one upload at a time (see :data:`PARALLEL`)."""
    if not _slots.acquire(blocking=False):
        progress("Waiting for another upload to finish (large uploads are read one at a time on this shared "
                 "server)…")
        _slots.acquire()
    try:
        return _in_worker(pairs, mapping, reference, limits, cells, progress)
    finally:
        _slots.release()


def _read(pairs, mapping, reference, say: Progress = lambda text: None):
    from cratus.patient import read_patient_data, to_study

    say("Reading the files…")
    data = read_patient_data(*[b for _, b in pairs], names=[n for n, _ in pairs], mapping=mapping)
    memory.give_back()  # the parse's intermediate frames, before the study's own
    say("Computing the study from the patients…")
    return to_study(data, reference=reference)


def _fork_server():
    """The fork server's context, its libraries imported once (a worker then starts in ~0.1 s)."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["cratus.patient.worker", "cratus.patient", "cratus.patient.summarize",
                                            "pyarrow.csv"])
            _context = context
        return _context


def _start(worker) -> None:
    """Start *worker* without running the server's main script in it: multiprocessing would import
    ``__main__`` again (Streamlit's command line, or whatever a test or snippet left there); the worker needs
    only this module, loaded by the fork server."""
    from multiprocessing import spawn

    def preparation(name, original=spawn.get_preparation_data):
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    with _context_lock:  # the one place that swaps it, for the instant of a start
        spawn.get_preparation_data = preparation
        try:
            worker.start()
        finally:
            spawn.get_preparation_data = preparation.__defaults__[0]


def _child(connection) -> None:
    """The worker: read what the pipe brings, report stages, send the study (or the message) back.

    It runs at a lower scheduling priority (``nice`` 10): on a server with few cores the visitors' page runs
    come first and the parse takes the CPU time left over."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    memory.compact_allocator()  # its resident memory is what the parse holds (the cap watches it)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_SECONDS, CPU_LIMIT_SECONDS + 5))
    except (ImportError, ValueError, OSError):
        pass
    try:
        names, mapping, reference = pickle.loads(connection.recv_bytes())
        pairs = [(name, connection.recv_bytes()) for name in names]  # one copy of each file, no pickle around it
        built = _read(pairs, mapping, reference, say=lambda text: connection.send(("progress", text)))
        del pairs
        _send(connection, built)
    except ValueError as error:
        connection.send(("error", str(error)))
    except MemoryError:
        connection.send(("memory", None))
    finally:
        connection.close()


def _send(connection, value) -> None:
    """*value* pickled with its arrays out of band: each array's memory goes through the pipe as it is."""
    buffers: list = []
    main = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    connection.send(("done", [v.nbytes for v in views]))
    connection.send_bytes(main)
    for view in views:
        connection.send_bytes(view)


def _receive(connection, sizes: list[int]):
    """The value :func:`_send` sent; arrays land in writable buffers of their own (no second copy)."""
    main = connection.recv_bytes()
    buffers = []
    for size in sizes:
        buffer = bytearray(size)
        if size:
            connection.recv_bytes_into(buffer)
        else:
            connection.recv_bytes()
        buffers.append(buffer)
    return pickle.loads(main, buffers=buffers)


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _in_worker(pairs, mapping, reference, limits: Limits, cells: int, progress: Progress):
    context = _fork_server()
    progress(f"Starting a reader for about {cells / 1e6:,.1f} million cells…")
    ours, theirs = context.Pipe(duplex=True)
    worker = context.Process(target=_child, args=(theirs,), daemon=True, name="cratus-upload-reader")
    _start(worker)
    theirs.close()
    start, cap = time.monotonic(), limits.worker_bytes
    try:
        ours.send_bytes(pickle.dumps(([n for n, _ in pairs], mapping, reference), protocol=pickle.HIGHEST_PROTOCOL))
        for _, data in pairs:
            ours.send_bytes(data)
        stage, peak = "Reading the files…", 0
        while True:
            if ours.poll(_POLL_SECONDS):
                kind, value = ours.recv()
                if kind == "progress":
                    stage = value
                elif kind == "done":
                    progress("Receiving the study…")
                    return _receive(ours, value)
                elif kind == "error":
                    raise ValueError(value)
                else:
                    raise ValueError(_too_much(cap))
            peak = max(peak, _resident_bytes(worker.pid))
            elapsed = time.monotonic() - start
            if peak > cap:
                raise ValueError(_too_much(cap))
            if elapsed > TIME_LIMIT_SECONDS:
                raise ValueError(f"reading these files took longer than {TIME_LIMIT_SECONDS:.0f} s and was stopped. "
                                 "Save large files as CSV or Parquet rather than Excel, or upload fewer parameters")
            if not worker.is_alive() and not ours.poll():
                if worker.exitcode == -signal.SIGXCPU:
                    raise ValueError(f"reading these files took more than {CPU_LIMIT_SECONDS} s of computing and "
                                     "was stopped. Save large files as CSV or Parquet rather than Excel, or upload "
                                     "fewer parameters")
                raise ValueError("the reader stopped unexpectedly (exit code "
                                 f"{worker.exitcode}); the files may be damaged")
            progress(f"{stage} {elapsed:.0f} s, {peak / 2 ** 20:,.0f} MB")
    except (EOFError, BrokenPipeError, ConnectionResetError) as error:
        raise ValueError(f"the reader stopped unexpectedly ({type(error).__name__}); the files may be "
                         "damaged") from error
    finally:
        ours.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)


def _too_much(cap: int) -> str:
    return (f"reading these files needed more than {cap / 2 ** 30:.1f} GB of memory, the most one upload may use "
            "on this shared server. Upload fewer datasets or parameters, or save Excel files as CSV or Parquet")
