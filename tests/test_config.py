"""The server settings of `.streamlit/config.toml` that the app's speed under load depends on."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_server_neither_watches_sources_nor_collects_garbage_after_every_run():
    # bench/bench_load.py --server-only, 10 sessions opening /functional at once: with Streamlit's defaults
    # (file watcher "auto", runner.postScriptGC true) the first chart was sent after a median 5.7 s, with
    # both off after 0.24 s; memory stayed ~260 MB either way.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
    # Without the watcher a pushed change needs a reboot of the deployed app: the README says so.
    assert "Reboot app" in (ROOT / "README.md").read_text()
