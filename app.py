"""cratus: the CRATUS phase II trial results dashboard.  Run with ``streamlit run app.py``."""

import streamlit as st

# Presentation mode (?present=1) opens with the sidebar collapsed: the figure gets the whole projector.
presenting = st.query_params.get("present") == "1"
st.set_page_config(page_title="CRATUS trial results", page_icon=":material/biotech:", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")

PAGES = {
    "Trial": [
        st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/baseline.py", title="Baseline (Table 1)", icon=":material/table_chart:", url_path="baseline"),
        st.Page("pages/safety.py", title="Safety (Tables 2–3)", icon=":material/health_and_safety:", url_path="safety"),
    ],
    "Results": [
        st.Page("pages/functional.py", title="Functional (Figure 2)", icon=":material/directions_walk:",
                url_path="functional"),
        st.Page("pages/immune.py", title="Immune markers (Figure 3)", icon=":material/coronavirus:",
                url_path="immune"),
        st.Page("pages/quality_of_life.py", title="Quality of life (Figure 4)", icon=":material/favorite:",
                url_path="quality_of_life"),
    ],
    "Appraise": [st.Page("pages/appraisal.py", title="Appraisal", icon=":material/fact_check:", url_path="appraisal")],
}

page = st.navigation(PAGES)
st.sidebar.caption("Data: Tompkins et al. 2017, text only. Cells the text does not report are marked, "
                   "never estimated.")
page.run()
