"""cratus: the CRATUS phase II trial results dashboard.  Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="CRATUS trial results", page_icon=":material/biotech:", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = {
    "Trial": [
        st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/baseline.py", title="Baseline (Table 1)", icon=":material/table_chart:", url_path="baseline"),
        st.Page("pages/safety.py", title="Safety (Tables 2–3)", icon=":material/health_and_safety:", url_path="safety"),
    ],
}

page = st.navigation(PAGES)
st.sidebar.caption("Data: Tompkins et al. 2017, text only. Cells the text does not report are marked, "
                   "never estimated.")
page.run()
