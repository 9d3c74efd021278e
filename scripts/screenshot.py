"""Save a screenshot of the running dashboard, e.g. for the README.

Usage (from anywhere; the app is started from the repository root)::

    python scripts/screenshot.py                                   # overview -> docs/screenshot.png
    python scripts/screenshot.py functional docs/screenshot.png    # a page by its url path
    python scripts/screenshot.py "baseline?arms=100M" out.png --size 1280x800 --full-page

Starts ``streamlit run app.py`` headless on a free port, opens the page in the
system Chromium (``apt-get install chromium``), waits until Streamlit has
finished running it and saves a PNG.  By default the shot is one window
(1280×800): what a visitor sees first.  ``--full-page`` captures the whole page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import (  # noqa: E402 - needs the repo root on sys.path
    full_page_screenshot, launch_chromium, streamlit_server, wait_until_rendered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", nargs="?", default="",
                        help='url path of the page, e.g. "functional" or "baseline?arms=100M" (default: overview)')
    parser.add_argument("output", nargs="?", default="docs/screenshot.png",
                        help="PNG to write, relative to the current directory (default: docs/screenshot.png)")
    parser.add_argument("--size", default="1280x800", help="window size WIDTHxHEIGHT (default: 1280x800)")
    parser.add_argument("--full-page", action="store_true", help="capture the whole page, not only the window")
    args = parser.parse_args(argv)

    width, height = (int(v) for v in args.size.lower().split("x"))
    output = Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    path = args.page.strip("/")

    from playwright.sync_api import sync_playwright

    log = ROOT / "test-output" / "screenshot-server.log"
    with streamlit_server(log_path=log) as (base_url, _process), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            if path:
                # A deep link as the very first request of a fresh server can run the page
                # without app.py (Streamlit's legacy pages/ folder handling); open the root first.
                page.goto(base_url)
                wait_until_rendered(page)
            page.goto(f"{base_url}/{path}")
            wait_until_rendered(page)
            if args.full_page:
                full_page_screenshot(page, output)
            else:
                page.screenshot(path=str(output))
        finally:
            browser.close()
    print(f"saved {output} ({args.page or 'overview'} at {width}x{height}{', full page' if args.full_page else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
