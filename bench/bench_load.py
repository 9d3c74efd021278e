"""Three measurements under realistic use, printed as tables (asserts nothing):

* ``--server-only N`` (default 10): N sessions without a browser (``bench/ws_sessions.py``) open a page at
  the same moment, against N opening the minimal page; median time until the server has sent the first chart,
  and until it has sent the whole page.  This is the server's share of a busy moment: on Streamlit Community
  Cloud the readers' browsers run on their own machines.
* ``--concurrent N`` (default 10): N browser sessions open a page at the same moment, against N sessions
  opening the minimal one-chart page under the same load; median time to the first drawn chart of each.
  Browsers and servers share this machine's cores, so this mostly measures Chromium.
* ``--reruns K`` (default 10): the server-side time of a rerun after an arm change, per page, read from the
  app's own timing line (``CRATUS_TIMING=1`` makes app.py print ``cratus-run <page> <ms>`` to its log), and
  the server's memory (VmRSS, VmHWM) after every page has been opened.

    python bench/bench_load.py                        # all three; the Functional page for the first two
    python bench/bench_load.py --concurrent 10 --pages functional --reruns 0
    python bench/bench_load.py --concurrent 0 --reruns 0 --pages functional baseline   # the server alone

Everything runs on this machine (loopback only), with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import MINIMAL_SCRIPT, TARGETS, TIMEOUT_MS, VIEWPORT, _marks_script, warm_up  # noqa: E402
from bench_pages import select_pages  # noqa: E402


def _open_together(browser, url: str, sessions: int) -> list[float]:
    """*sessions* fresh contexts navigate to *url* one right after the other; ms to each one's first chart."""
    contexts, pages = [], []
    for _ in range(sessions):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(_marks_script("chart"))
        contexts.append(context)
        pages.append(context.new_page())
    try:
        for page in pages:
            page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        times = []
        for page in pages:
            page.wait_for_function("() => window.__benchMarks && window.__benchMarks.chart !== undefined",
                                   timeout=TIMEOUT_MS * 2)
            times.append(page.evaluate("() => window.__benchMarks.chart"))
        return times
    finally:
        for context in contexts:
            context.close()


def concurrent(browser, app_url: str, minimal_url: str, url_path: str, sessions: int, rounds: int) -> str:
    page_times, minimal_times = [], []
    for index in range(rounds):
        order = [("page", f"{app_url}/{url_path}"), ("minimal", minimal_url)]
        for side, url in (order if index % 2 == 0 else order[::-1]):
            (page_times if side == "page" else minimal_times).extend(_open_together(browser, url, sessions))
    page_ms, minimal_ms = statistics.median(page_times), statistics.median(minimal_times)
    return (f"| /{url_path} | {sessions} at once × {rounds} | {page_ms:.0f} | {minimal_ms:.0f} | "
            f"{page_ms / minimal_ms:.2f}× | {max(page_times):.0f} | {max(minimal_times):.0f} |")


def server_only(app_url: str, minimal_url: str, url_path: str, sessions: int, rounds: int) -> str:
    """*sessions* browserless sessions open the page (and the minimal page) at once, *rounds* times, ABBA."""
    from ws_sessions import open_together

    page_runs, minimal_runs = [], []
    for index in range(rounds):
        order = [(page_runs, app_url, url_path), (minimal_runs, minimal_url, "")]
        for runs, url, path in (order if index % 2 == 0 else order[::-1]):
            runs.extend(open_together(url, path, sessions))

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    charts = [r for r in page_runs if "chart" in r]
    chart = f"{median(charts, 'chart'):.0f}" if charts else "no chart"
    ratio = f"{median(charts, 'chart') / median(minimal_runs, 'chart'):.2f}×" if charts else "n/a"
    return (f"| /{url_path} | {sessions} at once × {rounds} | {chart} | {median(minimal_runs, 'chart'):.0f} | {ratio} | "
            f"{median(page_runs, 'page'):.0f} | {max(r['page'] for r in page_runs):.0f} | "
            f"{median(minimal_runs, 'page'):.0f} |")


def _vm(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            name, value = line.split(":")
            fields[name] = int(value.split()[0]) / 1024
    return fields


def reruns(browser, app_url: str, log: Path, pages, count: int) -> list[str]:
    """Toggle an arm *count* times on each page; the server's own timing of each rerun."""
    from tests.server import wait_until_rendered

    lines = []
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        for spec in pages:
            if spec.url_path in ("present", "data"):
                continue
            page.goto(f"{app_url}/{spec.url_path}", timeout=TIMEOUT_MS)
            wait_until_rendered(page, timeout=TIMEOUT_MS)
            before = len(log.read_text().splitlines())
            pill = page.locator('.st-key-arms [data-testid="stButtonGroup"] button').nth(1)
            for _ in range(count):
                pill.click()
                page.wait_for_function("""() => document.querySelector('[data-testid="stApp"]')
                    ?.getAttribute('data-test-script-state') === 'notRunning'""", timeout=TIMEOUT_MS)
                page.wait_for_timeout(150)
            runs = [float(m.group(2)) for m in (re.match(r"cratus-run (\S*) ([\d.]+)", line)
                                                 for line in log.read_text().splitlines()[before:]) if m]
            mine = runs[-count:] if runs else []
            lines.append(f"| {spec.title} | /{spec.url_path} | {statistics.median(mine):.0f} | {max(mine):.0f} | "
                         f"{len(mine)} |" if mine else f"| {spec.title} | /{spec.url_path} | n/a | n/a | 0 |")
    finally:
        context.close()
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-only", type=int, default=10,
                        help="browserless sessions opened at once (10; 0 to skip)")
    parser.add_argument("--concurrent", type=int, default=10, help="sessions opened at once (10; 0 to skip)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the concurrent mode (3)")
    parser.add_argument("--pages", nargs="*", default=["functional"], help="pages for the concurrent mode")
    parser.add_argument("--reruns", type=int, default=10, help="arm changes per page (10; 0 to skip)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)

    from playwright.sync_api import sync_playwright

    from tests.server import launch_chromium, streamlit_server

    logs = ROOT / "test-output"
    app_log = logs / "bench-load-app.log"
    with streamlit_server(log_path=app_log, env={"CRATUS_TIMING": "1"}) as (app_url, app_process), \
            streamlit_server(MINIMAL_SCRIPT, log_path=logs / "bench-load-minimal.log") as (minimal_url, _m), \
            sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        print(f"cratus load bench — {os.cpu_count()} CPU(s); browsers run on the same machine as the servers\n")
        warm_up(browser, minimal_url, heading_selector='[data-testid="stPlotlyChart"]')
        every = select_pages(None)
        for spec in every:
            warm_up(browser, f"{app_url}/{spec.url_path}") if spec.url_path not in ("present", "data") else None
        memory = _vm(app_process.pid)
        if args.server_only:
            print("Server only (no browser): ms from opening the websocket until the server has sent the first "
                  "chart, and the whole page\n\n"
                  "| page | sessions | first chart, median | minimal's chart | ratio | whole page, median | "
                  "whole page, max | minimal's whole page |\n|---|---|---|---|---|---|---|---|")
            for url_path in args.pages:
                print(server_only(app_url, minimal_url, url_path, args.server_only, args.rounds), flush=True)
            print()
        if args.concurrent:
            print("| page | sessions | page first chart ms (median) | minimal ms (median) | ratio | page max | "
                  "minimal max |\n|---|---|---|---|---|---|---|")
            for url_path in args.pages:
                print(concurrent(browser, app_url, minimal_url, url_path, args.concurrent, args.rounds), flush=True)
            print()
        if args.reruns:
            print("| page | url | server rerun ms (median) | max | reruns |\n|---|---|---|---|---|")
            print("\n".join(reruns(browser, app_url, app_log, every, args.reruns)))
            print()
        after = _vm(app_process.pid)
        print(f"server memory after opening every page once: RSS {memory.get('VmRSS', 0):.0f} MB; after the "
              f"runs above: RSS {after.get('VmRSS', 0):.0f} MB, peak {after.get('VmHWM', 0):.0f} MB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
