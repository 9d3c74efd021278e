"""Appraisal: question the published results from their summary statistics.

Thin page: widgets in, the study-first views of :mod:`cratus.appraisal.views`,
:mod:`cratus.appraisal.audit_display` and :mod:`cratus.appraisal.charts` out, each
memoized per study through ``ui.table``/``ui.chart`` (``ui.cached`` for the rest).  Only the open
tab runs (the tabs are bound to the URL); each tab is one function below.
"""

import streamlit as st

import ui
from cratus.appraisal.views import (CORRELATIONS, between_arm_view, endpoints_with_estimates, multiplicity_view,
                              power_defaults, power_view, within_arm_detail, within_arm_view)
from cratus.appraisal.charts import forest_figure, n_by_correlation_figure, power_figure, sensitivity_figure
from cratus.appraisal.audit_display import STATUS_LABELS, audit_view
from cratus.stats.between_arms import IMBALANCE_THRESHOLD
from cratus.stats.within_arm import PLAUSIBLE_RHO, UNUSUAL, VERY_UNLIKELY

CHART = {"displaylogo": False}
SECTIONS = ["Between arms", "Within-arm change", "Multiplicity", "Power", "Audit"]
TEXT = st.column_config.TextColumn


def between_arms_tab(study, arms):
    design = study.design
    control = design.label(design.control) if design.control else "the control"
    view = ui.cached(between_arm_view, tuple(arms), show_p=False)
    st.markdown("**Welch's t-test** compares two arms' means without assuming equal spread; **Hedges' g** is the "
                "difference in standard deviations (0.2 small, 0.5 medium, 0.8 large), corrected for small "
                f"samples. Each active arm is compared with {control}, and the active arms with each other.")
    sizes = (f"The text prints no n per endpoint, so the arm sizes are assumed ({view.n_text}); drop-outs would "
             "widen every interval." if study.has_printed_sources else
             "The n of each row is the number of subjects with a value at that visit, counted from the patients.")
    st.warning(f"**Assumptions.** {sizes} Rows marked *≈ Wan 2014* start from a **median (IQR)**: "
               "their mean and SD are approximated (Wan et al. 2014, scenario C3), assuming roughly normal data; "
               "where the quartiles are visibly skewed or a printed value is malformed the effect is withheld, "
               "with the reason.", icon=":material/warning:")
    if not view.follow_up:
        st.info("No pair of the selected arms has numbers printed after baseline. Select at least two arms.")
    for index, (heading, _) in enumerate(view.follow_up):
        st.markdown(f"**{heading}: differences between arms after treatment**")
        pick = ("follow_up", index, 1)
        ui.table(ui.call(between_arm_view, tuple(arms), show_p=False, pick=pick), caption=heading, column_config={
            "Endpoint": TEXT(width=230), "Comparison": TEXT(width=118), "Difference (95% CI)": TEXT(width=170),
            "Welch p": TEXT(width=62, help="Welch's t-test from the printed summaries (an assumption)"),
            "Hedges' g (95% CI)": TEXT(width=150), "Method": TEXT(width=150), "Caution": TEXT(width="large")})
    if view.follow_up:
        st.caption("Differences are arm minus comparator, in the endpoint's unit.")
        ui.chart(ui.call(forest_figure, tuple(arms)), screen={"phone": ui.on_phone()}, config=CHART)
        st.caption("Colour: the arm; symbol: the arm it is compared with; hollow markers: approximations from "
                   "median (IQR). Intervals crossing 0 are compatible with no difference.")
    st.markdown("**At baseline: how alike the randomized arms were**")
    show_p = st.toggle("Also show baseline p-values (they describe chance, not treatment)", key="baseline_p",
                       help="Differences between randomized arms at baseline arise by chance; a test of them asks "
                            "whether randomization worked, which it did by design (CONSORT 2010, item 15).")
    baseline = ui.call(between_arm_view, tuple(arms), show_p=show_p, pick=("baseline",))
    if ui.compute(baseline).empty:
        st.info("No pair of the selected arms has numbers printed at baseline.")
        return
    ui.table(baseline, caption="Baseline balance", column_config={
        "Endpoint": TEXT(width=230), "Comparison": TEXT(width=118), "Caution": TEXT(width="large"),
        "Standardized difference (d)": TEXT(help="Difference of the means in SDs, (m₁ − m₀) / √((s₁² + s₀²) / 2) "
                                                 f"(Austin 2009); above {IMBALANCE_THRESHOLD:g} is commonly "
                                                 "called imbalance")})


def within_arm_tab(study, arms):
    st.markdown("Each arm's change from baseline comes with a printed p-value and the mean ± SD at both visits, "
                "but not the SD of the change, which depends on how strongly a patient's two measurements go "
                "together (the **pre–post correlation r**). **Assuming a paired t-test**, working backwards shows "
                "which r the printed p-value needs. That r is a *sample* correlation of a few pairs, so it is "
                f"judged by its sampling distribution: the true correlation is assumed to lie between "
                f"{PLAUSIBLE_RHO[0]:g} and {PLAUSIBLE_RHO[1]:g}; a needed r with probability below "
                f"{UNUSUAL:g} under every such value is unusual, below {VERY_UNLIKELY:g} very unlikely.")
    options = ui.cached(within_arm_view, tuple(arms))[0]
    if not options:
        st.info("None of the selected arms has a within-arm result with both ends printed as mean ± SD.")
        return
    left, middle, right = st.columns([3, 1, 2])
    key = left.selectbox("Result (mean ± SD printed at both visits)", list(options), key="change",
                         bind="query-params", format_func=options.get)
    default_n = int(ui.cached(within_arm_detail, key, None, 0.5).row["n"])
    fewest = max(2, min(4, default_n))  # patient data may count 2 or 3 pairs: the input must take them
    n = middle.number_input("Pairs (n)", min_value=fewest, max_value=max(500, default_n),
                            value=max(default_n, fewest), step=1,
                            help="The text prints no n per endpoint: the arm size is assumed, or the arm's "
                                 "patients in the endpoint's subgroup." if study.has_printed_sources else
                                 "Subjects of the arm with a value at both visits, counted from the patients.")
    correlation = right.select_slider("Assumed pre–post correlation r", options=list(CORRELATIONS), value=0.5,
                                      key="correlation")
    detail = ui.cached(within_arm_detail, key, int(n), float(correlation))
    (st.info if detail.verdict == "plausible" else st.warning)(detail.sentence)
    ui.table(ui.call(within_arm_detail, key, int(n), float(correlation), pick=("table",)),
             caption="Sensitivity to the assumed correlation")
    phone = ui.on_phone()
    ui.chart(ui.call(sensitivity_figure, key, int(n), float(correlation)), screen={"phone": phone}, config=CHART)
    first, second = ("Top", "Bottom") if phone else ("Left", "Right")  # a phone stacks the two panels
    st.caption(f"{first}: the p-value a paired t-test would give for each assumed r (log scale); the cross marks the "
               f"r that reproduces the paper. {second}: the mean change with its 95% CI. Shaded: r above "
               f"{PLAUSIBLE_RHO[1]:g}, beyond the plausible true correlations.")
    st.subheader("Every within-arm result with both ends printed")
    every = ui.call(within_arm_view, tuple(arms), pick=(1,))
    ui.table(every, caption="Implied pre–post correlations", column_config={
        "Result": TEXT(width=230), "Baseline → follow-up": TEXT(width=200),
        "Probability": TEXT(width="medium", help="Chance of a sample correlation at least this extreme at the "
                                                 "nearest plausible true correlation")})
    st.caption("Correlation needed: the r at which a paired t-test on the printed numbers gives the paper's "
               "p-value, with the range allowed by their rounding. Impossible: no correlation reproduces the "
               "p-value, so it cannot come from a paired t-test on that many patients with ± an SD. Median (IQR) "
               "results are left out: a paired t-test is not assumed for them.")


def multiplicity_tab(study, arms):
    st.markdown("The more tests a paper runs, the more 'significant' results appear by chance alone. "
                "**Bonferroni** and **Holm** keep the chance of *any* false positive in the family below α; "
                "**Benjamini–Hochberg (BH)** keeps the expected *share* of false positives below α.")
    note = study.fact("multiplicity")
    if note:
        st.caption(f"The paper: {note}.")
    families = ui.cached(multiplicity_view, "all", 0.05, tuple(arms)).families
    left, right = st.columns([4, 1])
    family = left.radio("Family of tests adjusted together", list(families), format_func=families.get,
                        horizontal=True, key="family", bind="query-params")
    alpha = right.number_input("α", min_value=0.001, max_value=0.2, value=0.05, step=0.01, format="%.3f",
                               key="alpha")
    view = ui.cached(multiplicity_view, family, float(alpha), tuple(arms))
    st.info(view.sentence)
    adjusted = ui.call(multiplicity_view, family, float(alpha), tuple(arms), pick=("table",))
    ui.table(adjusted, caption="Adjusted p-values", column_config={
        "m": st.column_config.NumberColumn(help="Number of p-values in the family"),
        "p": TEXT(help="As printed (one copy per test: the Results' where the Abstract differs)"),
        "Significant after": TEXT(help="Adjustments after which p stays below α: all three, some, 'no "
                                       "adjustment' (below α only unadjusted) or — (not even unadjusted)")})
    st.caption(f"Showing {view.shown} of {view.total} p-values: rows of arms not selected are hidden but "
               "still count in m. Bounds such as p < .0001 enter at the bound and stay bounds after adjustment.")


def power_tab(study, arms):
    design = study.design
    defaults = ui.cached(power_defaults)
    st.markdown("**Power** is the chance that a trial finds a difference that is really there. It grows with the "
                "number of patients and with the standardized effect d = difference ÷ SD. For a follow-up measure, "
                "the SD that matters depends on the analysis and on the pre–post correlation ρ: follow-up values "
                "alone use the SD, change scores SD·√(2(1−ρ)), ANCOVA on baseline SD·√(1−ρ²).")
    source = st.radio("Effect to detect", ["given", "observed"], horizontal=True, key="effect", bind="query-params",
                      format_func={"given": "A difference and SD you choose",
                                   "observed": "The difference between arms the paper prints"}.get)
    options = ui.cached(endpoints_with_estimates)
    columns = st.columns([2, 1, 1])
    first = options.index(defaults.endpoint) if defaults and defaults.endpoint in options else 0
    endpoint = columns[0].selectbox(f"Endpoint ({design.visit_label(design.follow_up)})", options, index=first,
                                    format_func=study.label, key="power_endpoint", bind="query-params")
    arm_ids = list(design.arm_ids)
    arm = columns[1].selectbox("Arm", arm_ids, format_func=design.short, key="power_arm",
                               index=arm_ids.index(defaults.arm) if defaults and defaults.arm in arm_ids else 0)
    others = [a for a in arm_ids if a != arm]
    reference = columns[2].selectbox("Compared with", others, format_func=design.short, key="power_reference",
                                     index=others.index(design.control) if design.control in others else 0)
    columns = st.columns(4)
    alpha = columns[0].number_input("Two-sided α", min_value=0.001, max_value=0.2, value=0.05, step=0.01,
                                    format="%.3f", key="power_alpha")
    difference = sd = None
    if source == "given":
        difference = columns[1].number_input("Difference to detect",
                                             value=float(defaults.difference if defaults else 1.0),
                                             step=1.0, format="%.1f", key="power_difference")
        sd = columns[2].number_input("SD", min_value=0.01, value=float(defaults.sd if defaults else 1.0), step=1.0,
                                     format="%.1f", key="power_sd")
        if defaults:
            st.caption(defaults.source)
    view = ui.cached(power_view, endpoint, arm, reference, difference, sd, float(alpha))
    if view.note:
        st.warning(f"The text does not print {study.label(endpoint)} for both {design.short(arm)} and "
                   f"{design.short(reference)} at {design.visit_label(design.follow_up).lower()} (values shown "
                   "only in figures are not in the data), so the observed effect cannot be computed.",
                   icon=":material/warning:")
        return
    metrics = st.columns(4)
    metrics[0].metric("Standardized effect d", f"{view.effect_size:.2f}")
    metrics[1].metric("Patients per arm, 80% power", view.n80)
    metrics[2].metric("Patients per arm, 90% power", view.n90)
    if view.n_claimed:
        metrics[3].metric(f"Power with {view.n_claimed} per arm (follow-up values)", f"{view.power_at_claim:.0%}")
    st.info(view.sentence)
    ui.chart(ui.call(n_by_correlation_figure, view.difference, view.sd, float(alpha), view.n_claimed),
             screen={"phone": ui.on_phone()}, config=CHART)
    ui.table(ui.call(power_view, endpoint, arm, reference, difference, sd, float(alpha), pick=("table",)),
             caption="Patients per arm for 80% power",
             within=st.expander("Patients per arm by pre–post correlation and analysis (table)"))
    largest = int(max(100, min(view.n90 * 1.3, 2000)))
    ui.chart(ui.call(power_figure, view.effect_size, float(alpha), largest, arm, view.n80, view.n90,
                     view.n_claimed), screen={"phone": ui.on_phone()}, config=CHART)
    st.caption(f"Two-sided two-sample t-test with equal arms on follow-up values. Effect: {view.effect_source}.")


def audit_tab(study, arms):
    if not study.has_printed_sources:
        st.info("The audit checks numbers a paper printed against each other. These results are computed here from "
                "patient-level data, so there is nothing printed to audit.", icon=":material/info:")
        return
    st.markdown("Automatic checks of the printed numbers against each other: totals against the sum of the arms, "
                "percentages against count ÷ n, total means and SDs against the pooled arms, integer scores (GRIM "
                "test), within-arm p-values against a paired t-test (an assumption), and the contradictions found "
                "by reading. A printed value passes when it is reachable given its rounding.")
    statuses = st.pills("Show", list(STATUS_LABELS), selection_mode="multi", default=["fail", "not_checkable"],
                        format_func=STATUS_LABELS.get, key="audit_status", bind="query-params")
    counts, table = ui.cached(audit_view, tuple(arms), tuple(statuses or ()))
    metrics = st.columns(3)
    metrics[0].metric("Pass", counts["pass"])
    metrics[1].metric("Fail", counts["fail"])
    metrics[2].metric("Not checkable", counts["not_checkable"])
    ui.show_table(table, caption="Audit", column_config={
        "Status": TEXT(width=118), "Check": TEXT(width=165), "Where": TEXT(width=230),
        "Expected": TEXT(width=120), "Reported": TEXT(width=160), "Explanation": TEXT(width="large")})
    st.caption("Rows about arms not selected are left out; totals are always checked.")
    failures = table[table["Status"] == STATUS_LABELS["fail"]]
    if len(failures):
        with st.expander(f"The {len(failures)} failures in words", expanded=True):
            st.markdown("\n".join(f"- **{r['Where']}** ({r['Check']}): {r['Explanation']}"
                                   for _, r in failures.iterrows()))


study = ui.study()
INTRO = {
    "published": "Every number on this page is recomputed from the **summary statistics the paper prints** (mean ± SD, "
                 "median (IQR), p-values); the patients' own data are not public. Each method says what it had to "
                 "assume, and none of these are the trial's own analyses.",
    "patient": "The tests on this page start from the **summaries computed here from patient-level data**; the "
               "Results pages give the tests computed from the patients themselves. Multiplicity and power apply "
               "to the computed results.",
}
arms = ui.start_page("Appraisal: question the results", INTRO["patient" if study.has_patients else "published"])
tabs = st.tabs(SECTIONS, key="section", bind="query-params")
for tab, render in zip(tabs, (between_arms_tab, within_arm_tab, multiplicity_tab, power_tab, audit_tab)):
    if tab.open:
        with tab:
            render(study, arms)

ui.finish_page("appraisal")
