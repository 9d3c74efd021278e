"""Appraisal: question the published results from their summary statistics.

Thin page: widgets in, :mod:`cratus.appraisal` / :mod:`cratus.audit` for every
number, :mod:`cratus.appraisal_charts` for the figures.  Only the open tab
runs (the tabs are bound to the URL), and everything that depends on the
published data alone is cached below.
"""

import numpy as np
import streamlit as st

import ui
from cratus.appraisal import (
    PLAUSIBLE_CORRELATION,
    adjust_p_values,
    back_calculate_all,
    back_calculation_table,
    change_sensitivity,
    compare_all_arms,
    comparison_table,
    comparisons_view,
    describe_sample_size_claim,
    endpoints_with_estimates,
    format_p_value,
    multiplicity_families,
    multiplicity_table,
    plan_next_trial,
    power_curve,
    sensitivity_table,
    summarize_adjustment,
    within_arm_results,
)
from cratus.appraisal_charts import build_forest_figure, build_power_figure, build_sensitivity_figure
from cratus.arms import ARM_SHORT, ARMS, VISIT_LABELS
from cratus.audit import STATUS_LABELS, audit_counts, audit_for_arms, audit_table, run_audit

CHART = {"displaylogo": False}
SECTIONS = ["Between arms", "Within-arm change", "Multiplicity", "Power", "Audit"]
CORRELATIONS = np.round(np.arange(0, 0.991, 0.01), 2)
CLAIMED_N = 30


# --- cached wrappers of cratus functions (they depend on the published data only) ---------------
@st.cache_data(max_entries=1, show_spinner=False)
def comparisons():
    return compare_all_arms(ui.published().summary)


@st.cache_data(max_entries=32, show_spinner=False)
def comparisons_for(arms: tuple, visits: tuple):
    data = ui.published()
    view = comparisons_view(comparisons(), data.summary, data.endpoints, arms, visits)
    return view, comparison_table(view, visit_column=len(visits) != 1)


@st.cache_data(max_entries=1, show_spinner=False)
def within_arm():
    data = ui.published()
    return within_arm_results(data.summary, data.p_values, data.endpoints)


@st.cache_data(max_entries=1, show_spinner=False)
def back_calculations():
    return back_calculate_all(within_arm())


@st.cache_data(max_entries=64, show_spinner=False)
def back_calculation(index: int, n: int):
    return back_calculate_all(within_arm().iloc[[index]], n=n).iloc[0]


@st.cache_data(max_entries=64, show_spinner=False)
def sensitivity(index: int, n: int):
    row = back_calculation(index, n)
    return change_sensitivity(row["mean_pre"], row["sd_pre"], row["mean_post"], row["sd_post"], n, CORRELATIONS)


@st.cache_data(max_entries=256, show_spinner=False)
def sensitivity_rows(index: int, n: int, correlation: float):
    return sensitivity_table(back_calculation(index, n), correlation)


@st.cache_data(max_entries=1, show_spinner=False)
def family_labels():
    return multiplicity_families(ui.published().p_values, ui.published().endpoints)


@st.cache_data(max_entries=32, show_spinner=False)
def adjusted(family: str, alpha: float):
    data = ui.published()
    res = adjust_p_values(data.p_values, family, data.endpoints, alpha)
    return res, summarize_adjustment(res, alpha, data.endpoints), multiplicity_table(res, data.endpoints)


@st.cache_data(max_entries=64, show_spinner=False)
def plan(endpoint: str, arm: str, reference: str, visit: str, difference, sd, alpha: float):
    return plan_next_trial(ui.published().summary, endpoint, arm, reference, visit, difference, sd,
                           power=(0.8, 0.9), alpha=alpha)


@st.cache_data(max_entries=64, show_spinner=False)
def power(effect_size: float, alpha: float, largest: int):
    return power_curve(effect_size, range(4, largest + 1), alpha)


@st.cache_data(max_entries=64, show_spinner=False)
def claim(difference: float, sd: float, alpha: float, unit: str):
    return describe_sample_size_claim(difference, sd, CLAIMED_N, alpha, unit)


@st.cache_data(max_entries=1, show_spinner=False)
def power_endpoints():
    return endpoints_with_estimates(ui.published().summary, ui.published().endpoints)


@st.cache_data(max_entries=1, show_spinner=False)
def audit():
    data = ui.published()
    return run_audit(data.summary, data.adverse_events, data.discrepancies, p_values=data.p_values,
                     endpoints=data.endpoints)


@st.cache_data(max_entries=32, show_spinner=False)
def audit_for(arms: tuple, statuses: tuple):
    rows = audit_for_arms(audit(), arms)
    return audit_counts(rows), audit_table(rows, ui.published().endpoints, statuses)


# Figures: cache_resource hands back the same object; cache_data would pickle it, and unpickling a
# plotly figure re-validates it, which costs as much as building it.  st.plotly_chart does not
# modify the figure.
@st.cache_resource(max_entries=32, show_spinner=False)
def forest_figure(arms: tuple, visits: tuple):
    return build_forest_figure(comparisons_for(arms, visits)[0])


@st.cache_resource(max_entries=128, show_spinner=False)
def sensitivity_figure(index: int, n: int, correlation: float, unit: str, paper_label: str):
    row = back_calculation(index, n)
    return build_sensitivity_figure(sensitivity(index, n), correlation, row["arm"], paper_p=row["p_value"],
                                    back_calculated=row["correlation"], plausible_max=PLAUSIBLE_CORRELATION[1],
                                    unit=unit, paper_label=paper_label)


@st.cache_resource(max_entries=64, show_spinner=False)
def power_figure(effect_size: float, alpha: float, largest: int, arm: str, n80: int, n90: int):
    return build_power_figure(power(effect_size, alpha, largest), arm, CLAIMED_N, {"80%": n80, "90%": n90})


# --- page ----------------------------------------------------------------------------------------
arms = ui.start_page(
    "Appraisal: question the results",
    "Every number on this page is recomputed from the **summary statistics the paper prints** (mean ± SD, "
    "median (IQR), p-values); the patients' own data are not public. Each method says what it had to assume, and "
    "none of these are the trial's own analyses.")
data = ui.published()
labels = data.endpoints.set_index("endpoint")["label"].to_dict()
units = data.endpoints.set_index("endpoint")["unit"].fillna("").to_dict()

between, within, multiplicity, power_tab, audit_tab = st.tabs(SECTIONS, key="section", bind="query-params")

if between.open:
    st.markdown("**Welch's t-test** compares two arms' means without assuming equal spread; **Hedges' g** is the "
                "difference in standard deviations (0.2 small, 0.5 medium, 0.8 large), corrected for small samples. "
                "With 10 patients per arm, only differences of about one SD or more reach p < .05.")
    st.warning("**Assumptions.** The text prints no n per endpoint, so **n = 10 per arm is assumed** (the arm size "
               "of Tables 1–3); drop-outs would widen every interval. Rows marked *Wan 2014* start from a "
               "**median (IQR)**: their mean and SD are approximated (Wan et al., BMC Med Res Methodol "
               "2014;14:135), assuming roughly normal data — treat them with caution, above all for skewed "
               "measures such as CHAMPS. Most 6-month values appear only in the figures, so few 6-month "
               "pairs can be compared.", icon=":material/warning:")
    visits = st.pills("Visits", ["month6", "baseline"], selection_mode="multi", default=["month6", "baseline"],
                      format_func=VISIT_LABELS.get, key="visits", bind="query-params")
    headings = {"month6": "At 6 months: differences after treatment",
                "baseline": "At baseline: chance differences between the randomized arms"}
    shown = 0
    for visit in [v for v in ("month6", "baseline") if v in (visits or ())]:
        _, table = comparisons_for(tuple(arms), (visit,))
        if table.empty:
            continue
        shown += len(table)
        st.markdown(f"**{headings[visit]}**")
        # widths that fit the longest cells side by side in the main column at 1280 px
        ui.show_table(table, column_config={
            "Endpoint": st.column_config.TextColumn(width=250),
            "Comparison": st.column_config.TextColumn(width=118),
            "Difference (95% CI)": st.column_config.TextColumn(width=170),
            "Welch p": st.column_config.TextColumn(
                width=62, help="Welch's t-test from the printed summaries, n = 10 per arm"),
            "Hedges' g (95% CI)": st.column_config.TextColumn(width=150),
            "Method": st.column_config.TextColumn(
                width=70, help="Welch: from mean ± SD. Wan 2014: mean and SD approximated from median (IQR)")})
    if not shown:
        st.info("No pair of the selected arms has numbers printed at the selected visits. Select at least two "
                "arms (and a visit).")
    else:
        st.caption("Differences are arm minus comparator, in the endpoint's unit. Baseline rows describe how alike "
                   "the randomized arms were, not an effect of treatment.")
        ui.show_chart(forest_figure(tuple(arms), tuple(visits or ())), config=CHART)
        st.caption("Colour: the arm; symbol: the arm it is compared with (◆ placebo, ■ 200M); hollow markers: "
                   "Wan approximations from median (IQR). Intervals crossing 0 are compatible with no difference.")

if within.open:
    st.markdown("The paper tests each arm's change from baseline to 6 months with a **paired** test and prints the "
                "mean ± SD at both visits, but not the SD of the change. That SD depends on how strongly a "
                "patient's two measurements go together (the **pre–post correlation r**), so the p-value can be "
                "recomputed only for an assumed r. Working backwards shows which r the paper's p-value needs; "
                f"values from {PLAUSIBLE_CORRELATION[0]:g} to {PLAUSIBLE_CORRELATION[1]:g} are plausible for one "
                "person measured six months apart.")
    results = within_arm()
    shown = [i for i in results.index if results.loc[i, "arm"] in arms]
    if not shown:
        st.info("None of the selected arms has a within-arm result with both ends printed as mean ± SD.")
    else:
        keys = {f"{results.loc[i, 'endpoint']}:{results.loc[i, 'arm']}": i for i in shown}
        left, middle, right = st.columns([3, 1, 2])
        with left:
            key = st.selectbox(
                "Result (mean ± SD printed at baseline and 6 months)", list(keys), key="change",
                bind="query-params",
                format_func=lambda k: f"{labels.get(k.split(':')[0])}, {ARM_SHORT.get(k.split(':')[1])}")
        index = keys[key]
        row = results.loc[index]
        with middle:
            n = st.number_input("Pairs (n)", min_value=2, max_value=200, value=int(row["n"]), step=1,
                                help="The text prints no n per endpoint: the arm size is assumed, and for SQOL-F "
                                     "the number of women in the arm (Table 1), since only women answered it.")
        with right:
            correlation = st.slider("Assumed pre–post correlation r", 0.0, 0.95, 0.5, 0.05, key="correlation",
                                    persist_state="session")
        result = back_calculation(index, n)
        unit = units.get(row["endpoint"], "")
        (st.info if result["plausible"] else st.warning)(result["sentence"])
        ui.show_table(sensitivity_rows(index, n, correlation))
        paper_label = f"p {row['relation']} {format_p_value(row['p_value'], '=', row['p_printed'])}"
        ui.show_chart(sensitivity_figure(index, n, correlation, "" if unit == "points" else unit, paper_label),
                      config=CHART)
        st.caption("Left: the p-value a paired t-test gives for each assumed r (log scale); the cross marks the r "
                   "that reproduces the paper. Right: the mean change with its 95% CI. Shaded: r above "
                   f"{PLAUSIBLE_CORRELATION[1]:g}, implausibly high.")
        st.subheader("Every within-arm result with both ends printed")
        everything = back_calculations()
        ui.show_table(back_calculation_table(everything[everything["arm"].isin(arms)]),
                      column_config={"Result": st.column_config.TextColumn(width=218),
                                     "Baseline → 6 months": st.column_config.TextColumn(width=176),
                                     "n": st.column_config.TextColumn(width=66),
                                     "Paper's p": st.column_config.TextColumn(width=66),
                                     "Correlation needed": st.column_config.TextColumn(width=162),
                                     "Verdict": st.column_config.TextColumn(width=118)})
        st.caption("Correlation needed: the r at which a paired t-test on the printed numbers gives the paper's "
                   "p-value, and the range allowed by the rounding of the printed means and p. Implausibly high: "
                   f"above {PLAUSIBLE_CORRELATION[1]:g}; implausibly low: below {PLAUSIBLE_CORRELATION[0]:g}; "
                   "impossible: no correlation reproduces the p-value, so the test cannot have been a paired t-test "
                   "on that many patients. Median (IQR) results (SPPB, CHAMPS, serum TNF-α) are left out: they "
                   "were tested with a rank test.")

if multiplicity.open:
    st.markdown("The more tests a paper runs, the more 'significant' results appear by chance alone. "
                "**Bonferroni** and **Holm** keep the chance of *any* false positive in the family below α; "
                "**Benjamini–Hochberg (BH)** keeps the expected *share* of false positives below α. The paper made "
                "no adjustment (\u201cno adjustments were made for multiple analyses\u201d, Statistical analysis).")
    families = family_labels()
    left, right = st.columns([4, 1])
    with left:
        family = st.radio("Family of tests adjusted together", list(families), format_func=families.get,
                          horizontal=True, key="family", bind="query-params")
    with right:
        alpha = st.number_input("α", min_value=0.001, max_value=0.2, value=0.05, step=0.01, format="%.3f",
                                key="alpha", persist_state="session")
    result, sentence, table = adjusted(family, alpha)
    st.info(sentence)
    keep = result["arm"].isin(arms) | ~result["arm"].isin(ARMS)
    ui.show_table(table[keep.to_numpy()], column_config={
        "m": st.column_config.NumberColumn(help="Number of p-values in the family"),
        "p": st.column_config.TextColumn(help="As printed (the Results' value where the Abstract differs)"),
        "Significant after": st.column_config.TextColumn(
            help=f"Adjustments after which p stays below α: all three, some, 'no adjustment' (below α only "
                 "unadjusted) or — (not even unadjusted)"),
    })
    st.caption(f"Showing {int(keep.sum())} of {len(result)} p-values: rows of arms not selected in the sidebar "
               "are hidden but still count in m. One p-value per test (the Results' value where the Abstract "
               "differs); bounds such as p < .0001 enter at the bound, which is conservative.")

if power_tab.open:
    st.markdown("**Power** is the chance that a trial finds a difference that is really there. It grows with the "
                "number of patients and with the size of the difference relative to the patients' spread "
                "(the standardized effect d = difference ÷ SD). The Discussion says the 6MWD point estimate "
                "between 100M and placebo \u201cwould require 30 patients per group\u201d; it gives neither the "
                "difference, the SD nor the power assumed.")
    source = st.radio("Effect to detect", ["given", "observed"], horizontal=True, key="effect",
                      bind="query-params", format_func={"given": "A difference and SD you choose",
                                                        "observed": "The effect observed in the paper"}.get)
    endpoint_options = power_endpoints()
    visit = "month6"  # the time point of the secondary endpoints; baseline differences are not effects
    columns = st.columns([2, 1, 1])
    endpoint = columns[0].selectbox("Endpoint (6 months)", endpoint_options,
                                    index=endpoint_options.index("six_minute_walk"), format_func=labels.get,
                                    key="power_endpoint", bind="query-params")
    arm = columns[1].selectbox("Arm", list(ARMS), format_func=ARM_SHORT.get, key="power_arm")
    reference = columns[2].selectbox("Compared with", [a for a in ARMS if a != arm], format_func=ARM_SHORT.get,
                                     index=len(ARMS) - 2, key="power_reference")
    unit = units.get(endpoint, "")
    unit = "" if unit == "points" else unit
    columns = st.columns(4)
    alpha = columns[0].number_input("Two-sided α", min_value=0.001, max_value=0.2, value=0.05, step=0.01,
                                    format="%.3f", key="power_alpha", persist_state="session")
    difference = sd = None
    if source == "given":
        difference = columns[1].number_input(f"Difference to detect ({unit or 'units'})", value=64.8, step=1.0,
                                             format="%.1f", key="power_difference", persist_state="session")
        sd = columns[2].number_input(f"SD ({unit or 'units'})", min_value=0.1, value=112.9, step=1.0, format="%.1f",
                                     key="power_sd", persist_state="session")
        st.caption("Defaults: the 100M arm's 6MWT change (410.7 − 345.9 = 64.8 m, Results) over the SD of all 30 "
                   "patients at baseline (112.9 m, Table 1). The Discussion's between-arm estimate cannot be "
                   "recomputed: placebo's 6-month 6MWT is printed only in Figure 2A.")
    planned = plan(endpoint, arm, reference, visit, difference, sd, alpha)
    note = planned["note"].iloc[0]
    if note:
        computable, _ = comparisons_for(tuple(ARMS), (visit,))
        options = "; ".join(f"{r['label']} ({r['pair']})" for _, r in computable.iterrows()) or "none"
        st.warning(f"The text does not print {labels.get(endpoint)} for both {ARM_SHORT[arm]} and "
                   f"{ARM_SHORT[reference]} at {VISIT_LABELS[visit].lower()} (values shown only in the figures are "
                   f"not in the data), so the observed effect cannot be computed. Pairs the text allows at "
                   f"{VISIT_LABELS[visit].lower()}: {options}.", icon=":material/warning:")
    else:
        d = float(planned["effect_size"].iloc[0])
        n80, n90 = (int(x) for x in planned["n_per_arm"])
        metrics = st.columns(4)
        metrics[0].metric("Standardized effect d", f"{abs(d):.2f}")
        metrics[1].metric("Patients per arm, 80% power", n80)
        metrics[2].metric("Patients per arm, 90% power", n90)
        largest = int(max(100, min(n90 * 1.3, 2000)))
        curve = power(abs(d), alpha, largest)
        at_claim = float(curve.loc[curve["n_per_arm"] == CLAIMED_N, "power"].iloc[0])
        metrics[3].metric(f"Power with {CLAIMED_N} per arm", f"{at_claim:.0%}")
        st.info(claim(float(planned["difference"].iloc[0]), float(planned["sd"].iloc[0]), alpha, unit))
        ui.show_chart(power_figure(abs(d), alpha, largest, arm, n80, n90), config=CHART)
        st.caption(f"Two-sided two-sample t-test with equal arms. Effect: "
                   f"{planned['effect_source'].iloc[0]}.")

if audit_tab.open:
    st.markdown("Automatic checks of the printed numbers against each other: totals against the sum of the arms, "
                "percentages against count ÷ n, total means and SDs against the pooled arms, integer scores "
                "(GRIM test), and the contradictions we found by reading (curated, data/discrepancies.csv). "
                "A printed value passes when it is reachable given its rounding.")
    statuses = st.pills("Show", list(STATUS_LABELS), selection_mode="multi", default=["fail", "not_checkable"],
                        format_func=STATUS_LABELS.get, key="audit_status", bind="query-params")
    counts, table = audit_for(tuple(arms), tuple(statuses or ()))
    metrics = st.columns(3)
    metrics[0].metric("Pass", counts["pass"])
    metrics[1].metric("Fail", counts["fail"])
    metrics[2].metric("Not checkable", counts["not_checkable"])
    st.dataframe(table, hide_index=True, height=min(ui.table_height(table), 720), column_config={
        "Status": st.column_config.TextColumn(width=118),
        "Check": st.column_config.TextColumn(width=165),
        "Where": st.column_config.TextColumn(width=230),
        "Expected": st.column_config.TextColumn(width=90),
        "Reported": st.column_config.TextColumn(width=90),
        "Explanation": st.column_config.TextColumn(width="large"),
    })
    st.caption("Rows about arms not selected in the sidebar are left out; totals are always checked. Click a "
               "column header to sort; hover over a cell to read it whole.")
    failures = table[table["Status"] == STATUS_LABELS["fail"]]
    if len(failures):
        with st.expander(f"The {len(failures)} failures in words", expanded=True):
            st.markdown("\n".join(f"- **{r['Where']}** ({r['Check']}): {r['Explanation']}"
                                   for _, r in failures.iterrows()))

ui.finish_page("appraisal")
