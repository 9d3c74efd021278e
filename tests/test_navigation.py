"""The one Streamlit internal the app touches (``ui.navigation.ensure_navigation``), pinned by tests.

Streamlit treats an app with a ``pages/`` folder next to the main script as an
old-style multipage app until ``st.navigation`` runs once in the process, so the
first visitor of a deep link would get the page file without app.py.  The
workaround clears ``PagesManager.uses_pages_directory``.  The first test fails
when an upgrade removes that flag (the workaround would silently stop
working); the second fails when an upgrade no longer sets it for a ``pages/``
folder (the workaround became unnecessary and can go).  The browser test
``test_deep_link_on_fresh_server`` checks the behaviour end to end.
"""

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


def test_a_deep_link_runs_through_app_py():
    # AppTest resets the flag before each run, like a fresh server: the page must still get app.py's sidebar.
    at = open_page("safety")
    assert not at.exception
    assert at.title[0].value == "Safety"
    assert any("Data: Tompkins et al. 2017" in c.value for c in at.sidebar.caption)
