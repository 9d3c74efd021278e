"""Sharing what is on screen: a link that reopens this view, and a one-file HTML report of the page."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui.fold import page_done
from ui.session import study
from ui.state import report


def current_link() -> str:
    """The address of the current view, with its query parameters."""
    base = urlsplit(st.context.url or "")
    address = f"{base.scheme}://{base.netloc}{base.path}" if base.netloc else base.path
    pairs = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    return address + ("?" + urlencode(pairs) if pairs else "")


def finish_page(name: str) -> None:
    """The sharing panel at the end of every page, built only when opened (it is below the fold)."""
    page_done()
    page_report = report()
    panel = st.expander("Share this view", icon=":material/share:", key=f"share_{name}", on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.markdown("**Link to this view** (page, arms, endpoint, time points, view and mode):")
        st.code(current_link(), language=None, wrap_lines=True)
        patient_rows = False
        if study().has_patients:
            recipe = study().recipe
            st.caption("The link reopens the synthetic demo in this view." if recipe is not None and recipe.synthetic
                       else "The link carries the view and how the files were read, never the data: whoever opens "
                            "it uploads the same files to see this view.")
            patient_rows = st.checkbox("Include patient-level rows in the report", value=False,
                                       key=f"patient_rows_{name}",
                                       help="Off: the report names the data (files, participants per arm, "
                                            "population, filters) and shows summaries only; each patient's "
                                            "lines and listings of individual patients are left out.")
        st.download_button(
            "Report of this view (HTML)", lambda: page_report.to_html(patient_rows=patient_rows).encode("utf-8"),
            file_name=f"{name}_report.html", mime="text/html", key=f"report_{name}",
            icon=":material/description:",
            help="One self-contained file: the tables and interactive figures on this page, the selections, "
                 "the citation and where the numbers come from. Opens offline.")
