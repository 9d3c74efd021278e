"""How long each page takes to show its first chart in real Chromium, against a minimal Streamlit page.

Run from anywhere (the repo root is found from this file)::

    python bench/bench_browser.py                  # every page of app.py, 5 repetitions
    python bench/bench_browser.py --repeat 9 --pages functional immune

Starts two warm servers — ``streamlit run app.py`` and ``streamlit run bench/minimal_app.py``
(one ``st.plotly_chart`` of a small figure) — and, with ``--shell``, a third: ``bench/shell_app.py``, the
app's own navigation, page configuration and page titles around that same small chart, opened at each
page's address (what the multipage frame costs before any content).  In headless Chromium, it times from navigation
(``page.goto``) to the first frame in which a Plotly chart has a drawn trace
(``.js-plotly-plot .main-svg .trace``).  A page without a Plotly chart is timed to its first drawn
table (a ``[data-testid="stDataFrame"]`` canvas or a static ``table.cratus-table``) or, failing that,
its ``h1``, and says so.  Each measurement uses a fresh browser context (a new Streamlit session and an empty browser cache), page
and minimal measurements alternate (ABBA order) so that machine noise hits both alike, and the
median of the repetitions is reported.  See bench/README.md.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import Page, select_pages  # noqa: E402 - needs bench/ on sys.path

MINIMAL_SCRIPT = "bench/minimal_app.py"
SHELL_SCRIPT = "bench/shell_app.py"
VIEWPORT = {"width": 1280, "height": 800}
TARGET_RATIO = 1.2
TIMEOUT_MS = 60_000
WARM_WAIT_MS = 8_000  # how long a warm page gets to show each target

#: What is timed, most wanted first: a Plotly chart with a drawn trace (plotly.js 3 draws traces as
#: ``g.trace`` inside the chart's SVG), a dataframe's canvas, the page title.
TARGETS = {
    "chart": ".js-plotly-plot .main-svg .trace",
    "table": '[data-testid="stDataFrame"] canvas, table.cratus-table',
    "h1": "h1",
}
TARGET_WORDS = {"chart": "first Plotly chart", "table": "first table (no Plotly chart)",
                "h1": "h1 (no chart or table)"}

#: Installed in every new document before its own scripts: on every animation frame, note the time
#: (ms since navigation start, ``performance.now()``) at which each target is first on screen (an element
#: that takes no room, such as a hidden chart, does not count).  It stops looking once every target it is
#: given is found: a timed visit gives it only the target it times, so the bench's own querying (which grows
#: with the page's size) does not run on after it, or for targets a page never has.
_MARKS = """(() => {
    const targets = %s;
    const marks = window.__benchMarks = {};
    const shown = (e) => e.getClientRects().length > 0;
    const tick = () => {
        for (const [name, selector] of Object.entries(targets)) {
            if (!(name in marks) && Array.from(document.querySelectorAll(selector)).some(shown)) {
                marks[name] = performance.now();
            }
        }
        if (Object.keys(marks).length < Object.keys(targets).length) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})();"""


def _marks_script(target: str | None = None) -> str:
    """The marking script for *target* alone (a key of :data:`TARGETS`), or for all of them."""
    import json

    return _MARKS % json.dumps({target: TARGETS[target]} if target else TARGETS)


def measure(browser, url: str, target: str) -> tuple[float, float]:
    """One visit in a fresh context: (ms from navigation start to the target's first frame, in the page;
    ms from calling ``page.goto`` until the bench saw it)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(_marks_script(target))
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_function(f"() => window.__benchMarks && window.__benchMarks[{target!r}] !== undefined",
                               timeout=TIMEOUT_MS)
        wall = (time.perf_counter() - start) * 1000
        return page.evaluate(f"() => window.__benchMarks[{target!r}]"), wall
    finally:
        context.close()


def warm_up(browser, url: str, heading_selector: str = "h1") -> tuple[str, str]:
    """Open *url* once and wait until it has fully rendered; return which target it is timed by, and a note.

    A page can end a script run and start another (widgets bound to the URL), so a chart may appear a
    moment after the page looks finished: each target is given a few seconds before the next is tried.
    """
    from tests.server import wait_until_rendered

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT_MS)
        wait_until_rendered(page, heading_selector=heading_selector, timeout=TIMEOUT_MS)
        note = "exception on the page" if page.locator('[data-testid="stException"]').count() else ""
        for name, selector in TARGETS.items():
            try:
                page.wait_for_selector(selector, state="attached", timeout=WARM_WAIT_MS)
                return name, note
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the next target
                continue
        raise RuntimeError(f"{url} shows none of {list(TARGETS.values())}")
    finally:
        context.close()


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _note(row: dict, repeat: int) -> str:
    notes = [row["note"]] if row.get("note") else []
    for side in ("page", "minimal", "shell"):
        if side in row and len(row[side]) < repeat:
            notes.append(f"{repeat - len(row[side])} {side} visit(s) failed")
    return "; ".join(notes)


def _ratio(top: float | None, bottom: float | None) -> str:
    return "n/a" if top is None or not bottom else f"{top / bottom:.2f}×"


def table(rows: list[dict], repeat: int) -> str:
    shell = any("shell" in r for r in rows)
    header = ("page", "url path", "timed until", f"page ms (median of {repeat})", "page min–max",
              "minimal ms (paired)", "page / minimal", f"≤ {TARGET_RATIO}×", "page ms goto→seen",
              *(("shell ms (paired)", "shell / minimal", "page / shell") if shell else ()), "note")
    lines = []
    for r in rows:
        page_ms, minimal_ms = _median(r["page"]), _median(r["minimal"])
        ratio = page_ms / minimal_ms if page_ms is not None and minimal_ms else None
        verdict = "n/a" if ratio is None else ("yes" if ratio <= TARGET_RATIO else "NO")
        if ratio is not None and r["target"] != "chart":
            verdict += " (not a chart)"
        shell_ms = _median(r.get("shell", []))
        lines.append((r["title"], "/" + r["url_path"], TARGET_WORDS[r["target"]], _ms(page_ms),
                      f"{_ms(min(r['page'], default=None))}–{_ms(max(r['page'], default=None))}",
                      _ms(minimal_ms), _ratio(page_ms, minimal_ms), verdict, _ms(_median(r["wall"])),
                      *((_ms(shell_ms), _ratio(shell_ms, minimal_ms), _ratio(page_ms, shell_ms)) if shell else ()),
                      _note(r, repeat)))
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    numeric = {3, 4, 5, 6, 8, 9, 10, 11}

    def fmt(row):
        return " | ".join(str(c).rjust(w) if i in numeric else str(c).ljust(w)
                          for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([fmt(header), "-+-".join("-" * w for w in widths), *map(fmt, lines)])


def _visit_all(browser, rows: list[dict], repeat: int, app_url: str, minimal_url: str, shell_url: str | None) -> None:
    """*repeat* rounds over every page: a visit to the page, the minimal page (and the shell at the page's
    address), in an order that rotates each round so that no side is always measured first."""
    for rep in range(repeat):
        print(f"  repetition {rep + 1}/{repeat}", file=sys.stderr, flush=True)
        for index, row in enumerate(rows):
            jobs = [("page", f"{app_url}/{row['url_path']}", row["target"]), ("minimal", minimal_url, "chart")]
            if shell_url:
                jobs.append(("shell", f"{shell_url}/{row['url_path']}", "chart"))
            shift = (rep + index) % len(jobs)  # each side first in turn (ABBA for two sides)
            jobs = jobs[shift:] + jobs[:shift]
            for side, url, target in jobs:
                try:
                    in_page, wall = measure(browser, url, target)
                except Exception as error:  # noqa: BLE001 - a bench reports, it does not stop
                    print(f"\n  {side} {url}: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
                    continue
                row[side].append(in_page)
                if side == "page":
                    row["wall"].append(wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time to the first drawn chart of each page in Chromium, "
                                                 "against a minimal Streamlit page with one chart.")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per page and per minimal pairing (5)")
    parser.add_argument("--pages", nargs="*", help="only these url paths (overview is '' or 'overview')")
    parser.add_argument("--shell", action="store_true",
                        help=f"also time {SHELL_SCRIPT} at each page's address (the app's frame, minimal chart)")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    os.chdir(ROOT)
    pages: list[Page] = select_pages(args.pages)
    if not pages:
        print("no pages found in app.py", file=sys.stderr)
        return 1

    import streamlit
    from playwright.sync_api import sync_playwright

    from tests.server import launch_chromium, streamlit_server

    logs = ROOT / "test-output"
    with contextlib.ExitStack() as stack:
        app_url, _app = stack.enter_context(streamlit_server(log_path=logs / "bench-browser-app.log"))
        minimal_url, _min = stack.enter_context(
            streamlit_server(MINIMAL_SCRIPT, log_path=logs / "bench-browser-minimal.log"))
        shell_url = stack.enter_context(streamlit_server(SHELL_SCRIPT, log_path=logs / "bench-browser-shell.log"))[0] \
            if args.shell else None
        browser = launch_chromium(stack.enter_context(sync_playwright()))
        stack.callback(browser.close)
        print(f"cratus browser bench — streamlit {streamlit.__version__}, Chromium {browser.version}, "
              f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), {platform.machine()}")
        print(f"{len(pages)} pages from app.py vs {MINIMAL_SCRIPT}" + (f" and {SHELL_SCRIPT}" if shell_url else "")
              + f"; window {VIEWPORT['width']}×{VIEWPORT['height']}; {repeat} fresh contexts each, interleaved\n",
              flush=True)
        # Warm servers: the root first (it switches Streamlit out of pages/-folder mode), then every
        # page once, so that imports and st.cache_data are done before anything is timed.
        minimal_target, _ = warm_up(browser, minimal_url, heading_selector='[data-testid="stPlotlyChart"]')
        if minimal_target != "chart":
            raise RuntimeError(f"{MINIMAL_SCRIPT} drew no chart")
        rows = []
        for page in sorted(pages, key=lambda p: p.url_path != ""):
            target, note = warm_up(browser, f"{app_url}/{page.url_path}")
            rows.append({"title": page.title, "url_path": page.url_path, "page": [], "minimal": [], "wall": [],
                         "target": target, "note": note, **({"shell": []} if shell_url else {})})
            if shell_url:
                warm_up(browser, f"{shell_url}/{page.url_path}")
        rows.sort(key=lambda r: [p.url_path for p in pages].index(r["url_path"]))
        _visit_all(browser, rows, repeat, app_url, minimal_url, shell_url)

    print(table(rows, repeat))
    every_minimal = [ms for r in rows for ms in r["minimal"]]
    print(f"\nminimal page over all {len(every_minimal)} visits: median {_ms(_median(every_minimal))} ms, "
          f"min {_ms(min(every_minimal, default=None))}, max {_ms(max(every_minimal, default=None))} ms.")
    print(f"Target: a page's first chart ≤ {TARGET_RATIO}× the minimal page's (page / minimal ≤ {TARGET_RATIO}).")
    if args.shell:
        print(f"shell ms: {SHELL_SCRIPT} at the page's address — the app's navigation, page configuration and page "
              "title around the minimal chart; shell / minimal is the multipage frame's cost, page / shell the page's "
              "own content's.")
    print("page ms: from navigation start to the first animation frame in which the target exists "
          "(performance.now() in the page); minimal ms: the same for the minimal page, median of the visits paired "
          "with this page's; page ms goto→seen: wall clock in the bench, including Playwright's round trips. "
          "Fresh browser context per visit (no cache, new Streamlit session), warm servers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
