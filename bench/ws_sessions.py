"""Streamlit sessions without a browser: the server's own time under load (used by ``bench_load.py --server-only``).

A session here is what a browser tab is to the server: a websocket to ``/_stcore/stream`` that asks for a
page (a ``BackMsg`` ``rerun_script`` naming the page, as Streamlit's frontend does for a deep link) and
reads the ``ForwardMsg``s the script run sends.  It times, from opening the websocket:

* **chart**: the first ``plotly_chart`` element the server sends (what a browser could start drawing);
* **page**: the end of the page.  A dashboard page stops after its first chart on a session's first run
  (``ui/fold.py``) until the browser presses the hidden continue button; this client presses it at once
  (a browser does so only once the chart is drawn, so this puts the second run's work earlier, never later),
  and the page is done when that run has finished.

No browser runs, so what is left is the server: script runs, serialisation, the event loop.  On Streamlit
Community Cloud the readers' browsers run on their own machines and only this part is shared.
"""

from __future__ import annotations

import asyncio
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: The key of the fold's hidden button (``ui.fold.CONTINUE_KEY`` + ``_button``); its widget id ends with it.
CONTINUE_BUTTON = "chart_first_continue_button"


def _rerun(url_path: str, button_id: str | None = None) -> bytes:
    message = BackMsg()
    message.rerun_script.page_name = url_path
    if button_id:
        message.rerun_script.widget_states.widgets.add(id=button_id, trigger_value=True)
    return message.SerializeToString()


def _element(message: ForwardMsg):
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    return message.delta.new_element


async def open_page(base_url: str, url_path: str, timeout: float = 120.0) -> dict[str, float]:
    """One new session opening *url_path*: ms to its first chart (if any) and to the end of the page."""
    import websockets

    start = time.perf_counter()
    since = lambda: (time.perf_counter() - start) * 1000  # noqa: E731
    times: dict[str, float] = {}
    url = base_url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout) as socket:
        await socket.send(_rerun(url_path))
        button = None
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(socket.recv(), timeout))
            element = _element(message)
            if element is not None and element.WhichOneof("type") == "plotly_chart" and "chart" not in times:
                times["chart"] = since()
            if element is not None and element.WhichOneof("type") == "button" \
                    and element.button.id.endswith(CONTINUE_BUTTON):
                button = element.button.id
            if message.WhichOneof("type") == "script_finished":
                if button:  # the first step of a dashboard page: continue, as the browser would
                    await socket.send(_rerun(url_path, button))
                    button = None
                    continue
                times["page"] = since()
                return times


async def _together(base_url: str, url_path: str, sessions: int) -> list[dict[str, float]]:
    return await asyncio.gather(*(open_page(base_url, url_path) for _ in range(sessions)))


def open_together(base_url: str, url_path: str, sessions: int) -> list[dict[str, float]]:
    """*sessions* new sessions opening *url_path* at the same moment; each one's times (see :func:`open_page`).

    Runs its own event loop in a thread of its own, so it works beside Playwright's synchronous API too.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _together(base_url, url_path, sessions)).result()
