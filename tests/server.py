"""Start and stop the dashboard as a real ``streamlit run`` server, and launch a browser for it.

Shared by the browser tests (``tests/conftest.py``), ``scripts/screenshot.py`` and
``bench/bench_pages.py``.  Only the standard library is needed to start the server;
Playwright is imported lazily by :func:`launch_chromium`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: shared/ beside the checkout: the paper and the public ADaM files (as on developers' machines and in CI).
SHARED = ROOT.parent / "shared"

#: Where Debian's ``apt-get install chromium`` puts the browser.  Playwright cannot
#: download its own build here, so it is pointed at this one.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class ServerError(RuntimeError):
    """The Streamlit server did not start."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate the server's process group, then kill it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=grace)


@contextmanager
def streamlit_server(script: str = "app.py", port: int | None = None, timeout: float = 60.0,
                     log_path: Path | None = None, env: dict | None = None):
    """Run ``streamlit run <script>`` headless from the repo root; yield ``(base_url, process)``.

    Waits until ``/_stcore/health`` answers ``ok`` (at most *timeout* seconds) and stops
    the whole process group on exit.  *env* adds environment variables (e.g. ``CRATUS_STUDY_DIR``).  The server's output goes to *log_path* (default:
    ``test-output/streamlit-<port>.log``), which the error message points to.
    """
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    if log_path is None:
        log_path = ROOT / "test-output" / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   env={**os.environ, **(env or {})})
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(f"{base_url}/_stcore/health"):
                if process.poll() is not None:
                    raise ServerError(f"streamlit exited with code {process.returncode}; see {log_path}:\n"
                                      + log_path.read_text(errors="replace")[-3000:])
                if time.monotonic() > deadline:
                    raise ServerError(f"streamlit did not answer {base_url}/_stcore/health within "
                                      f"{timeout:.0f} s; see {log_path}")
                time.sleep(0.25)
            yield base_url, process
        finally:
            _stop(process)


def chromium_path() -> str | None:
    """The system Chromium, or ``None`` when it is not installed."""
    for candidate in (os.environ.get("CHROMIUM"), *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch_chromium(playwright):
    """Launch the system Chromium headless through a started ``sync_playwright()`` object."""
    path = chromium_path()
    if path is None:
        raise FileNotFoundError("chromium is not installed (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


#: True once every visible lazily drawn element has painted: Plotly charts their
#: SVG, dataframes their canvas, Graphviz charts their SVG.  (Elements in a closed
#: expander are not drawn until it opens, so only visible ones count.)
_ELEMENTS_DRAWN = """() => {
    const shown = (e) => !e.closest("details:not([open])")
        && (e.checkVisibility ? e.checkVisibility() : e.getClientRects().length > 0);
    const all = (sel) => Array.from(document.querySelectorAll(sel)).filter(shown);
    return all('[data-testid="stPlotlyChart"]').every(e => e.querySelector(".main-svg"))
        && all('[data-testid="stDataFrame"]').every(e => e.querySelector("canvas"))
        && all('[data-testid="stGraphVizChart"]').every(e => e.querySelector("svg"));
}"""

_SCRIPT_FINISHED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    // A new visitor's first page stops after its first chart until the browser has drawn it (ui/fold.py).
    if (document.querySelector(".st-key-chart_first_continue")) return false;
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    return !(status && /Running|Stop/i.test(status.innerText || ""));
}"""


#: Where the page title is in presentation mode (``?present=1``): ``ui.start_page`` shows it as
#: a caption in the main area instead of an ``h1`` (the sidebar has captions of its own).
#: Where presentation mode (the deck) says where you are: "7 / 25 · Functional (Figure 2)".
PRESENTATION_TITLE = '.st-key-deck_counter'


def wait_until_rendered(page, heading: str | None = None, timeout: float = 60_000,
                        heading_selector: str = "h1") -> None:
    """Wait until Streamlit has finished its script run and painted the page.

    *page* is a Playwright page already pointed at the app.  Waits for the app's root
    element, for the script run to end (``data-test-script-state="notRunning"`` and no
    "Running..." status widget), for the network to go idle, for the page title (an
    ``h1``, or *heading_selector*, containing *heading* when given) to be visible and
    for charts and tables to be drawn.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(_SCRIPT_FINISHED, timeout=timeout)
    page.wait_for_load_state("networkidle", timeout=timeout)
    title = page.locator(heading_selector)
    if heading is not None:
        title = title.filter(has_text=heading)
    title.first.wait_for(state="visible", timeout=timeout)
    page.wait_for_function(_ELEMENTS_DRAWN, timeout=timeout)
    page.wait_for_function(_SCRIPT_FINISHED, timeout=timeout)


def full_page_screenshot(page, path) -> None:
    """Screenshot the whole page, not only the window.

    Streamlit scrolls its main area (``stMain``) inside a window-high layout, so
    Playwright's ``full_page=True`` alone stops at the window's height.  The window
    is made as tall as the content for the shot, then restored.
    """
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    height = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const side = document.querySelector('[data-testid="stSidebarContent"]');
        // A folded sidebar (phones, presentation mode) is zero wide: its text wraps into a tall column.
        const box = side ? side.getBoundingClientRect() : null;
        const open = box && box.width > 0 && box.right > 0;
        return Math.max(main ? main.scrollHeight : 0, open ? side.scrollHeight : 0,
                        document.documentElement.scrollHeight);
    }""")
    try:
        if height > viewport["height"]:
            page.set_viewport_size({"width": viewport["width"], "height": int(height)})
            page.wait_for_timeout(500)  # let charts and tables lay out again
            page.wait_for_function(_ELEMENTS_DRAWN, timeout=10_000)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
