"""Memory given back to the system when a large upload's data are released.

The C library's allocator on Linux (glibc) keeps memory that Python, numpy
and pandas free in its arenas for reuse: after one 4-million-row upload has
been read and its study dropped, a server process stayed ~650 MB above where
it started until ``malloc_trim(0)`` returned the free pages (~0.02–0.1 s; the
call runs outside Python's interpreter lock).  This module is the one place
that asks for it:

* :func:`give_back` trims at once (after an upload was read in this process,
  or its study received from a worker);
* :func:`when_released` trims shortly after a study is garbage-collected: a
  session that ends or opens other data drops its study, and with it every
  frame of its patients (the trim waits :data:`DELAY_SECONDS` so that it runs
  after the frames are freed, not while the study is being torn down);
* :func:`compact_allocator` makes a worker process hand every large block back
  as soon as it is freed (a fixed ``mmap`` threshold), so that its resident
  memory — which the worker's cap watches — is what the parse holds.

Elsewhere than glibc (macOS, Windows, musl) these are no-ops.
"""

from __future__ import annotations

import ctypes
import platform
import threading
import time
import weakref

#: Seconds between a study's release and the trim (the release's frames are freed meanwhile; several releases
#: in that time share one trim).
DELAY_SECONDS = 0.2
#: Blocks of at least this many bytes are mapped on their own in a worker and unmapped when freed.
WORKER_MMAP_THRESHOLD = 1 << 20
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
_pending = threading.Event()
_start_lock = threading.Lock()
_trimmer: threading.Thread | None = None


def _libc():
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def give_back() -> bool:
    """Return the allocator's free memory to the system now; False where that is not available."""
    if _LIBC is None:
        return False
    _LIBC.malloc_trim(0)
    return True


def when_released(value) -> None:
    """Give memory back shortly after *value* (a study holding an upload's patients) is garbage-collected."""
    if _LIBC is None:
        return
    weakref.finalize(value, _pending.set)
    _start_trimmer()


def _start_trimmer() -> None:
    global _trimmer
    with _start_lock:
        if _trimmer is None or not _trimmer.is_alive():
            _trimmer = threading.Thread(target=_trim_when_asked, name="cratus-memory-trim", daemon=True)
            _trimmer.start()


def _trim_when_asked() -> None:
    while True:
        _pending.wait()
        _pending.clear()  # a release during the sleep asks for another trim after it
        time.sleep(DELAY_SECONDS)
        give_back()


def compact_allocator() -> bool:
    """In a worker process only: large blocks mapped on their own and unmapped when freed (glibc raises this
    threshold as blocks are freed, and freed memory then stays with the process)."""
    if _LIBC is None:
        return False
    return bool(_LIBC.mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD))
