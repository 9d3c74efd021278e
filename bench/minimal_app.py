"""The smallest Streamlit page with one Plotly chart: the yardstick of ``bench/bench_browser.py``.

Run on its own with ``streamlit run bench/minimal_app.py`` (from the repository root, so that it
gets the same ``.streamlit/config.toml`` as the dashboard).  Whatever this page costs in the browser —
Streamlit's frontend, the websocket, plotly.js — is the floor for any dashboard page with a chart.
"""

import plotly.graph_objects as go
import streamlit as st

figure = go.Figure(go.Scatter(x=["Baseline", "6 months"], y=[345.9, 410.7], mode="lines+markers",
                              name="100M", error_y={"type": "data", "array": [103.5, 154.1]}))
figure.update_layout(title="6-minute walk distance (m)", height=400)
st.plotly_chart(figure)
