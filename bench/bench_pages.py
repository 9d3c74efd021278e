"""How long each page of the dashboard takes to run on the server, and how much memory the app holds.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_pages.py                 # all pages, 3 first runs, 10 reruns, memory
    python bench/bench_pages.py --reruns 20 --no-memory
    python bench/bench_pages.py --pages baseline safety

See bench/README.md for what is measured and how to read it.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP = ROOT / "app.py"
ARMS_KEY = "arms"
#: Two selections the reruns alternate between, so every rerun sees a changed arm choice.
def _selections() -> tuple[list[str], list[str]]:
    """Two arm selections (arm ids): every arm but the second, and every arm."""
    from cratus.study.model import load_study

    ids = list(load_study().design.arm_ids)
    return (ids[:1] + ids[2:] if len(ids) > 2 else ids[:1]), ids


SELECTIONS = _selections()
TARGET_RERUN_MS = 50.0


@dataclass
class Page:
    script: str  # relative to the repo root, as written in app.py
    url_path: str  # "" for the default page
    title: str


def registered_pages() -> list[Page]:
    """The pages app.py registers for the default study, in order (:func:`ui.navigation.page_specs`)."""
    from cratus.study.model import load_study
    from ui.navigation import page_specs

    return [Page(spec["script"], spec["url_path"], spec["title"]) for spec in page_specs(load_study())]


def select_pages(wanted_paths: list[str] | None) -> list[Page]:
    """The registered pages, or those whose url path is in *wanted_paths* ("overview" or "" for the default)."""
    pages = registered_pages()
    if wanted_paths is None:
        return pages
    wanted = {p.strip("/") for p in wanted_paths}
    return [p for p in pages if p.url_path in wanted or (p.url_path == "" and "overview" in wanted)]


def _quiet() -> None:
    """AppTest runs scripts outside a server: keep Streamlit's bare-mode warnings out of the output."""
    import logging

    # A filter, not a level: Streamlit resets its loggers' levels when it reads its config.  The logger is named
    # after the Streamlit module that warns.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    warnings.filterwarnings("ignore")


def _new_app():
    from streamlit.testing.v1 import AppTest

    from ui.fold import skip_for_session

    at = AppTest.from_file(str(APP), default_timeout=300)
    skip_for_session(at.session_state)  # a whole page per run: no browser presses "continue" (ui/fold.py)
    return at


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    return (time.perf_counter() - start) * 1000


def _check(at, page: Page) -> str:
    if at.exception:
        return f"exception: {at.exception[0].message[:80]}"
    return ""


def _open(page: Page):
    """A fresh AppTest on *page*; returns it and the ms of the page's first run."""
    at = _new_app()
    if page.url_path == "":
        return at, _timed_run(at)
    from tests.apptest import set_page

    at.run()  # land on the default page first: it registers app.py's pages
    set_page(at, page.url_path)  # several pages share pages/figure.py: address them by URL path
    return at, _timed_run(at)


def bench_page(page: Page, first_runs: int, reruns: int) -> dict:
    firsts, note = [], ""
    at = None
    for _ in range(first_runs):
        gc.collect()
        at, ms = _open(page)
        firsts.append(ms)
        note = note or _check(at, page)
    times = []
    try:
        widget = at.button_group(key=ARMS_KEY)
    except (KeyError, IndexError):
        widget = None
    if widget is None:
        note = note or "no arm selection on this page"
    else:
        for i in range(reruns):
            at.button_group(key=ARMS_KEY).set_value(SELECTIONS[i % 2])
            times.append(_timed_run(at))
            note = note or _check(at, page)
        shown = at.button_group(key=ARMS_KEY).value
        if sorted(shown or []) != sorted(SELECTIONS[(reruns - 1) % 2]):
            note = note or f"arm selection did not stick: {shown}"
    return {"page": page, "firsts": firsts, "reruns": times, "note": note}


def _vm_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _mib(kib: int | None) -> str:
    return "?" if kib is None else f"{kib / 1024:.0f} MiB"


def memory_with_browser(pages: list[Page]) -> list[str]:
    """RSS of a real ``streamlit run app.py`` before and after a browser opened every page once."""
    from playwright.sync_api import sync_playwright

    from tests.server import launch_chromium, streamlit_server, wait_until_rendered

    lines = []
    with streamlit_server(log_path=ROOT / "test-output" / "bench-server.log") as (base_url, process):
        time.sleep(1)
        before = _vm_kib(process.pid, "VmRSS")
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                tab = browser.new_page(viewport={"width": 1280, "height": 800})
                tab.goto(base_url)  # the root first, as a returning visitor would
                wait_until_rendered(tab)
                for page in pages:
                    tab.goto(f"{base_url}/{page.url_path}")
                    wait_until_rendered(tab)
                after_pages = _vm_kib(process.pid, "VmRSS")
                # A second session on every page: does memory grow per session?
                tab2 = browser.new_page(viewport={"width": 1280, "height": 800})
                for page in pages:
                    tab2.goto(f"{base_url}/{page.url_path}?arms=100M")
                    wait_until_rendered(tab2)
                after_second = _vm_kib(process.pid, "VmRSS")
            finally:
                browser.close()
        time.sleep(1)
        peak = _vm_kib(process.pid, "VmHWM")
        lines.append(f"server RSS (pid {process.pid}, streamlit run app.py, headless Chromium):")
        lines.append(f"  after start, no session        {_mib(before)}")
        lines.append(f"  after every page once          {_mib(after_pages)}")
        lines.append(f"  after a 2nd session, all pages {_mib(after_second)}")
        lines.append(f"  peak (VmHWM)                   {_mib(peak)}")
    return lines


def memory_in_process(pages: list[Page]) -> list[str]:
    """Fallback without a browser: this process's RSS before and after AppTest ran every page."""
    before = _vm_kib(os.getpid(), "VmRSS")
    for page in pages:
        _open(page)
    after = _vm_kib(os.getpid(), "VmRSS")
    return ["no browser: in-process AppTest RSS instead of a server's (includes the bench itself):",
            f"  before {_mib(before)}, after every page {_mib(after)}, peak {_mib(_vm_kib(os.getpid(), 'VmHWM'))}"]


def table(results: list[dict], first_runs: int, reruns: int) -> str:
    header = ("page", "url path", "first run ms (cold)", f"first run ms (median of {first_runs})",
              f"rerun ms (median of {reruns})", "rerun max ms", f"≤ {TARGET_RERUN_MS:.0f} ms rerun", "note")
    rows = []
    for r in results:
        rerun_median = statistics.median(r["reruns"]) if r["reruns"] else None
        rows.append((
            r["page"].title, "/" + r["page"].url_path, f"{r['firsts'][0]:.0f}",
            f"{statistics.median(r['firsts']):.0f}",
            "n/a" if rerun_median is None else f"{rerun_median:.0f}",
            "n/a" if not r["reruns"] else f"{max(r['reruns']):.0f}",
            "n/a" if rerun_median is None else ("yes" if rerun_median <= TARGET_RERUN_MS else "NO"),
            r["note"],
        ))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5}

    def fmt(row):
        return " | ".join(str(c).rjust(w) if i in numeric else str(c).ljust(w)
                          for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([fmt(header), "-+-".join("-" * w for w in widths), *map(fmt, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Server-side run time of each page, and the app's memory.")
    parser.add_argument("--first", type=int, default=3, help="fresh AppTests per page for the first run (3)")
    parser.add_argument("--reruns", type=int, default=10, help="reruns per page after an arm change (10)")
    parser.add_argument("--pages", nargs="*", help="only these url paths (overview is '')")
    parser.add_argument("--no-memory", action="store_true", help="skip the server memory measurement")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    _quiet()
    pages = select_pages(args.pages)
    if not pages:
        print("no pages found in app.py", file=sys.stderr)
        return 1

    import streamlit

    print(f"cratus page bench — streamlit {streamlit.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}")
    print(f"{len(pages)} pages from app.py; AppTest in-process, wall-clock ms per script run "
          "(app.py + page, without the browser)\n", flush=True)
    results = []
    for page in pages:
        print(f"  {page.title} ...", end="", flush=True, file=sys.stderr)
        results.append(bench_page(page, max(1, args.first), args.reruns))
        print(" done", file=sys.stderr)
    print(table(results, max(1, args.first), args.reruns))
    print("\nfirst run (cold): the page's first run in the first fresh AppTest; st.cache_data is process-wide, so "
          "later fresh AppTests (and the median) run with warm caches.\nrerun: the arm selection alternates between "
          f"{SELECTIONS[0]} and {SELECTIONS[1]} before each run.\n")

    if not args.no_memory:
        try:
            from tests.server import chromium_path

            if chromium_path() is None:
                raise FileNotFoundError("chromium is not installed")
            import playwright.sync_api  # noqa: F401

            lines = memory_with_browser(pages)
        except Exception as error:  # noqa: BLE001 - any browser problem: fall back to in-process
            print(f"(browser unavailable: {error})")
            lines = memory_in_process(pages)
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
