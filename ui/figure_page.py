"""A figure page (the paper's Figures 2–4, or any figure of a study): controls, chart, panel texts, downloads.

Every choice (view, endpoint, time points, metric, assumed correlation, the
page's own arms) is bound to the page address, so a copied link reopens it.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from cratus.figures.change import IMPLIED
from cratus.outputs.export import to_csv_bytes
from cratus.outputs.code import Call
from ui import keys
from ui.controls import on_phone
from ui.filters import p_values_shown, without_p_value_text
from ui.navigation import ANALYSES, PARTICIPANT, go_to
from ui.output import call, code, table
from ui.render import clicked, plot, show_table, touch_zoom_switch
from ui.session import study
from ui.state import cached, cached_figure, report

METRIC_LABELS = {"value": "Values", "change": "Change"}
VIEW_LABELS = {"grid": "All panels", "single": "One, large"}
IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}
ALL_VISITS = "all"
INTERVAL_LABELS = {"ci": "95% CI of the mean", "sd": "± SD of the change"}
R_SOURCES = {"implied": "Implied by each arm's p", "assumed": "Assumed"}


def _figure_call(endpoints: tuple, arms: tuple, visits: tuple, metric: str, correlation, presentation: bool,
                 interval: str = "ci", phone: bool = False) -> Call:
    """The figure of the page as a :class:`Call` (what the page draws, and its code snippet)."""
    from cratus.figures import Look, Measure, build_endpoint_figure, build_figure_grid

    # for_export: the citation under the chart, so a saved image stands on its own.
    common = dict(arms=list(arms), visits=list(visits), measure=Measure(metric, correlation, interval),
                  look=Look(presentation=presentation, phone=phone, for_export=True))
    if len(endpoints) == 1:
        return Call(build_endpoint_figure, (endpoints[0],), common)
    return Call(build_figure_grid, (list(endpoints),), common)


def _figure(current, *figure_args):
    return _figure_call(*figure_args).run(current)


def _panel_call(endpoint: str, arms: tuple, visits: tuple, metric: str, correlation, interval: str = "ci") -> Call:
    """A panel's numbers as a :class:`Call` (the page's CSV download, and its code snippet)."""
    from cratus.figures import endpoint_panel_data

    return Call(endpoint_panel_data, (endpoint, list(arms), list(visits)),
                dict(metric=metric, correlation=correlation, interval=interval))


def _panel(current, endpoint: str, arms: tuple, visits: tuple, metric: str, correlation, interval: str = "ci"):
    from cratus.figures import figure_summary_sentence, outcome_definition, panel_table
    from cratus.figures.sentences import interval_sentence

    panel = _panel_call(endpoint, arms, visits, metric, correlation, interval).run(current)
    # The CSV is written when its button is clicked (ten panels' CSVs took a tenth of a second per rerun).
    return (panel, figure_summary_sentence(current, panel, endpoint),
            outcome_definition(current, endpoint, metric, list(visits), correlation, interval),
            lambda: to_csv_bytes(panel_table(current, panel)), interval_sentence(current, panel))


def _visit_options(endpoints: list[str]) -> dict[str, str]:
    current = study()
    visits = current.visits_with_data(endpoints)
    options = {ALL_VISITS: "Both" if len(visits) == 2 else "All"} if len(visits) > 1 else {}
    return {**options, **{v: current.design.visit_label(v) for v in visits}}


def figure_controls(endpoints: list[str]) -> dict:
    """The figure choices of a page (view, endpoint, time points, metric, assumed correlation), kept in the URL."""
    current = study()
    first, second, third = st.columns(3)
    # wrap=True: in a column Streamlit would otherwise keep the options on one row that scrolls sideways (on a
    # phone, a swipe that moves the options instead of the page), measuring the row after every draw.
    view = "single" if len(endpoints) == 1 else first.segmented_control(
        "View", list(VIEW_LABELS), default="single" if on_phone() else "grid", required=True, key="view",
        format_func=VIEW_LABELS.get, bind="query-params", wrap=True)
    metric = third.segmented_control("Show", list(METRIC_LABELS), default="value", required=True, key="metric",
                                     format_func=METRIC_LABELS.get, bind="query-params", wrap=True,
                                     help="Values at each time point, or the change from baseline "
                                          "(difference of the reported centres).")
    options = _visit_options(endpoints)
    time = second.segmented_control(
        "Time points", list(options), default=next(iter(options), None), required=True, key="time",
        format_func=options.get, bind="query-params", wrap=True, disabled=metric == "change" or len(options) < 2,
        help="One time point, or all side by side. Change from baseline always uses baseline and follow-up.")
    endpoint = endpoints[0]
    if view == "single" and len(endpoints) > 1:
        endpoint = st.selectbox("Endpoint", endpoints, key="endpoint", bind="query-params",
                                    format_func=current.label)
    correlation, interval = None, "ci"
    if metric == "change":
        st.caption("The change is the difference of the reported centres (follow-up − baseline). The paper does "
                   "not report the spread of the change; an interval needs an assumption you choose.")
        if st.toggle("Show an interval for the change (it needs a pre–post correlation)", key="interval",
                     bind="query-params", value=True):
            left, right = st.columns([2, 1])
            source = left.segmented_control(
                "Pre–post correlation r", list(R_SOURCES), default="implied", required=True, key="r_source",
                format_func=R_SOURCES.get, bind="query-params", wrap=True,
                help="The paper does not report how closely each patient's two values agree. Implied: the r at "
                     "which a paired t-test on the printed means and SDs gives the arm's printed within-arm p (as "
                     "the Appraisal works it out), so the interval agrees with the printed test; r = 0.5 where no "
                     "p is printed or none reproduces it. Assumed: one r you choose for every arm.")
            correlation = IMPLIED
            if source == "assumed":
                correlation = left.slider(
                    "Assumed pre–post correlation r", 0.0, 0.95, 0.5, 0.05, key="r", bind="query-params",
                    help="SD of change = √(SD₀² + SD₁² − 2·r·SD₀·SD₁); the 95% CI of the mean change is "
                         "t(0.975, n − 1)·SD of change/√n. Mean ± SD endpoints only.")
            interval = right.segmented_control(
                "Interval", list(INTERVAL_LABELS), default="ci", required=True, key="interval_kind",
                format_func=INTERVAL_LABELS.get, bind="query-params", wrap=True,
                help="The 95% confidence interval of the mean change, or the spread of the patients' changes "
                     "(± SD), drawn as a band so that it does not read as a confidence interval.")
    design = current.design
    if metric == "change":
        visits = (design.baseline, design.follow_up)
    elif time == ALL_VISITS or time is None:
        visits = tuple(v for v in options if v != ALL_VISITS)
    else:
        visits = (time,)
    shown = [endpoint] if view == "single" else endpoints
    return {"endpoints": shown, "visits": visits, "metric": metric, "correlation": correlation, "interval": interval}


def figure_arms(arms: list[str]) -> list[str]:
    """The sidebar's arms, or this page's own choice when the reader overrides them (kept in the URL)."""
    design = study().design
    if not st.toggle("Other arms for this figure", key="own_arms", bind="query-params",
                                     help="Compare other arms on this page only; the sidebar choice stays for "
                                          "the other pages."):
        return arms
    own = st.pills("Arms in this figure", list(design.arm_ids), selection_mode="multi", default=list(design.arm_ids),
                   key="figure_arms", format_func=design.short, bind="query-params")
    return design.order(own or [])


def _imbalance_notes(current, endpoint: str) -> list[str]:
    from cratus.reading.imbalance import baseline_imbalance_notes

    try:
        return baseline_imbalance_notes(current, endpoint)
    except ValueError:
        return []


def _trajectories_call(figure_args: tuple) -> Call:
    from cratus.patient.display import add_trajectories

    return Call(add_trajectories, (_figure_call(*figure_args),))


def _with_trajectories(current, figure_args: tuple):
    return _trajectories_call(figure_args).run(current)


def _contested(current, endpoint: str) -> str:
    from cratus.reading.verdicts import contested_of

    return contested_of(current, endpoint)


def _panel_texts(endpoint: str, arms: list[str], choice: dict) -> None:
    panel, sentence, definition, csv, intervals = cached(_panel, endpoint, tuple(arms), tuple(choice["visits"]),
                                                         choice["metric"], choice["correlation"], choice["interval"])
    if not p_values_shown():  # a filtered view: p-values are exploratory, behind the page's switch
        sentence = without_p_value_text(sentence)
    report().add_text(sentence, "sentence")
    report().add_text(f"Outcome: {definition}")
    with st.container(border=True):
        st.markdown(f"**{sentence}**")
        if p_values_shown() and (doubt := cached(_contested, endpoint)):
            st.warning(f"**Contested — the difference from the control rests on p-values in doubt:** {doubt}",
                       icon=":material/report:")
        if intervals:   # where the change's interval comes from, and any disagreement with the printed p
            report().add_text(intervals)
            (st.warning if "⚠" in intervals else st.caption)(intervals)
        for note in cached(_imbalance_notes, endpoint):
            st.caption(f"Baseline imbalance: {note}")
        st.caption(f"Outcome: {definition}")
        if study().has_patients:
            # Built when opened: a page of many panels would otherwise draw every test table on every rerun.
            box = st.expander("Tests computed here from the patients (within arms, and against the control)",
                              key=f"tests_{endpoint}", on_change="rerun")
            if box.open:
                from cratus.patient.display import tests_table

                hidden = not p_values_shown()  # a filtered view: p-values are exploratory, behind the page's switch
                table(call(tests_table, endpoint, arms=tuple(arms)), within=box,
                      caption=f"Tests computed here from the patients: {study().label(endpoint)}"
                              + (" (subgroup filter on: p-values hidden)" if hidden else ""),
                      shown=(lambda tests: tests.drop(columns=["p-value"])) if hidden else None)
            if st.button("ANCOVA with covariates, LS means, dose trend…", key=f"ancova_{endpoint}",
                         icon=":material/functions:", help="The Protocol analyses page, on this endpoint: the "
                                                          "covariates the protocol names (a pooled site, baseline…)."):
                go_to(ANALYSES, {"an_endpoint": endpoint})
        st.download_button("Panel data (CSV)", csv, file_name=f"{endpoint}.csv", mime="text/csv",
                           key=f"csv_{endpoint}", icon=":material/download:")
        from cratus.figures import panel_table

        code(Call(panel_table, (_panel_call(endpoint, tuple(arms), tuple(choice["visits"]), choice["metric"],
                                            choice["correlation"], choice["interval"]),)),
             title=f"Panel data: {study().label(endpoint)}")


def render_figure(figure_id: str, endpoints: list[str], arms: list[str]) -> None:
    """Controls, chart, outcome definitions, summaries, downloads and contradictions of one figure."""
    from cratus.figures import image_export_config
    from cratus.tables.safety_statements import discrepancies_for

    current = study()
    choice = figure_controls(endpoints)
    shown = choice["endpoints"]
    arms = figure_arms(arms)
    if not arms:
        st.info("Select at least one arm for this figure.")
        return
    phone = on_phone()
    figure_args = (tuple(shown), tuple(arms), tuple(choice["visits"]), choice["metric"], choice["correlation"], False,
                   choice["interval"], phone)
    figure = cached_figure(_figure, *figure_args)
    output = _figure_call(*figure_args)
    patients = current.has_patients and choice["metric"] == "value" and st.toggle(
        "Each patient's values", key="trajectories", bind="query-params",
        help="Thin lines join each patient's values across the visits, under the arm summaries.")
    if patients:
        figure, words = cached_figure(_with_trajectories, figure_args)
        output = replace(_trajectories_call(figure_args), pick=(0,))  # the figure, without the sentence
        # A touch screen has no hover: plotly's first tap shows who the point is, the second selects it.
        st.caption(f"{words} " + ("Tap a patient's point to see who it is; tap it again to open their profile."
                                  if phone else "Click a patient's point to open their profile."))
    config = image_export_config(current, figure)
    config["toImageButtonOptions"] = {**config.get("toImageButtonOptions", {}),
                                      "format": st.session_state.get(keys.IMAGE_FORMAT, "png")}
    if phone:
        touch_zoom_switch()
    # A clickable chart is another widget: its own key, so switching the patients' lines on or off starts afresh.
    event = plot(figure, config=config, key=f"chart_{figure_id}" + ("_patients" if patients else ""),
                 clickable=bool(patients))
    if patients and (subject := clicked(event)):
        go_to(PARTICIPANT, {"subject": subject})
    report().add_figure(figure)
    code(output, title="Figure: " + ", ".join(current.label(e) for e in shown), shows="figure")
    for endpoint in shown:
        _panel_texts(endpoint, arms, choice)
    st.segmented_control("Image format of the chart's camera button", list(IMAGE_FORMATS), default="png",
                         required=True, key=keys.IMAGE_FORMAT, format_func=IMAGE_FORMATS.get,
                         help="The camera icon above the chart saves the figure at presentation "
                              "resolution (3× scale) as PNG or SVG.")
    found = cached(discrepancies_for, tuple(shown), str(figure_id))   # and the claims about this page's results
    if not found.empty:
        # Built when opened (it is below the fold, and a table drawn on load delays the chart); the page's
        # report holds it either way.
        caption = "Where the paper contradicts itself"
        box = st.expander(f"⚠ {caption} on these endpoints ({len(found)})", key=f"contradictions_{figure_id}",
                          on_change="rerun")
        if box.open:
            with box:
                show_table(found, caption=caption,
                           column_config={"What the paper says": st.column_config.TextColumn(width="large")})
        else:
            report().add_table(caption, found)
