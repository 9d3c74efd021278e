"""The smallest Streamlit page with one Plotly chart: the yardstick of ``bench/bench_browser.py``.

Run on its own with ``streamlit run bench/minimal_app.py`` (from the repository root, so that it
gets the same ``.streamlit/config.toml`` as the dashboard).  Whatever this page costs in the browser —
Streamlit's frontend, the websocket, plotly.js — is the floor for any dashboard page with a chart.
``bench/shell_app.py`` draws the same chart inside the dashboard's own frame.
"""

import plotly.graph_objects as go
import streamlit as st


def minimal_figure() -> go.Figure:
    """One small line chart with error bars (the yardstick's only element)."""
    figure = go.Figure(go.Scatter(x=["Baseline", "6 months"], y=[345.9, 410.7], mode="lines+markers",
                                  name="100M", error_y={"type": "data", "array": [103.5, 154.1]}))
    figure.update_layout(title="6-minute walk distance (m)", height=400)
    return figure


if __name__ == "__main__":  # Streamlit runs the script as __main__; shell_app.py imports the figure only
    st.plotly_chart(minimal_figure())
