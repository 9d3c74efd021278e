"""The Streamlit internals the app touches, pinned by tests: ``ui.navigation.ensure_navigation`` (below) and
``ui.navigation.drop_uploaded_files`` (the last test).

Streamlit treats an app with a ``pages/`` folder next to the main script as an
old-style multipage app until ``st.navigation`` runs once in the process, so the
first visitor of a deep link would get the page file without app.py.  The
workaround clears ``PagesManager.uses_pages_directory``.  The first test fails
when an upgrade removes that flag (the workaround would silently stop
working); the second fails when an upgrade no longer sets it for a ``pages/``
folder (the workaround became unnecessary and can go).  The browser test
``test_deep_link_on_fresh_server`` checks the behaviour end to end.
"""

import pytest
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

from tests.apptest import APP, open_page


def test_the_flag_the_workaround_clears_still_exists():
    assert hasattr(PagesManager, "uses_pages_directory")


def test_a_pages_folder_still_switches_on_the_legacy_mode():
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        PagesManager(APP)
        assert (Path(APP).parent / "pages").is_dir()
        assert PagesManager.uses_pages_directory is True, "Streamlit no longer needs ui.navigation.ensure_navigation"
    finally:
        PagesManager.uses_pages_directory = saved


@pytest.mark.page
def test_a_deep_link_runs_through_app_py():
    # AppTest resets the flag before each run, like a fresh server: the page must still get app.py's sidebar.
    at = open_page("safety")
    assert not at.exception
    assert at.title[0].value == "Safety"
    assert any("Data: Tompkins et al. 2017" in c.value for c in at.sidebar.caption)


def test_the_internal_that_drops_read_uploads_is_still_there():
    """A second Streamlit internal, in ``ui.navigation.drop_uploaded_files`` (it arrived with the upload worker):
    after reading, the uploaded bytes are removed from Streamlit's upload storage through the script context's
    ``uploaded_file_mgr.remove_file(session_id, file_id)``.  It skips what it cannot find, so an
    upgrade that renames these would silently keep every upload in memory: this test fails instead."""
    import dataclasses

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    assert callable(get_script_run_ctx)
    assert {"session_id", "uploaded_file_mgr"} <= {f.name for f in dataclasses.fields(ScriptRunContext)}
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    manager.add_file("session", UploadedFileRec(file_id="file", name="adsl.csv", type="text/csv", data=b"x"))
    assert len(manager.get_files("session", ["file"])) == 1
    manager.remove_file("session", "file")
    assert manager.get_files("session", ["file"]) == []
