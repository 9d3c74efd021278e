"""The protocol's analyses on the pages: time to event (its own page), ANCOVA with covariates and ordered
categories (on the figure pages and the Analyses page).  Every choice is bound to the page address; every
output names its population, records, model and test, has its Python snippet and goes into the report."""

from __future__ import annotations

import streamlit as st

from cratus.patient import protocol as P
from cratus.patient import time_to_event as T
from cratus.stats.ancova import ADJUSTMENTS, WEIGHTINGS
from cratus.outputs.code import Call
from ui.filters import p_values_shown
from ui.controls import on_phone
from ui.output import call, chart, code, compute, figure_title, table
from ui.render import plot, subheader
from ui.session import study
from ui.state import cached, cached_figure, report

COMPUTED = "Computed here from the patients' records; not the trial's own result."


def _label(column: str) -> str:
    return "baseline value" if column == "base" else column.replace("_", " ").upper() if len(column) <= 8 \
        else column.replace("_", " ")


def _filtered_mark() -> str:
    return " Subgroup filter on: exploratory." if study().filters else ""


def _km_figure(current, parameter, arms, phone=False, population="efficacy"):
    from cratus.figures.km import km_figure

    return km_figure(current, parameter, arms, phone=phone, population=population)


def time_to_event_section(parameter: str, arms: list[str], phone: bool = False) -> None:
    """KM curves, numbers at risk, medians, log-rank and Cox HR of one ADTTE parameter in the population chosen."""
    from cratus.figures.km import km_figure

    current = study()
    options = P.covariate_options(current)
    shown_p = p_values_shown()
    population = st.selectbox("Analysis population", P.ANALYSES, key="tte_population", bind="query-params",
                              help="A time-to-event parameter may be an efficacy analysis (time to relapse) or a "
                                   "safety one (time to a first adverse event); each is analysed in its own "
                                   "population, as set on the Data source page.") or "efficacy"
    figure = cached_figure(_km_figure, parameter, tuple(arms), phone, population)
    plot(figure, key=f"km_{parameter}")
    report().add_figure(figure)
    code(call(km_figure, parameter, arms=tuple(arms), population=population), title=figure_title(figure),
         shows="figure")
    st.caption(COMPUTED + f" Population: {P.population_words(current, population)}; one time-to-event record "
               "(ADTTE) per subject. Numbers at risk: subjects whose time is at least the time shown."
               + _filtered_mark())
    subheader("Median time to event" + (" — subgroup, exploratory" if current.filters else ""))
    table(call(T.median_table, parameter, arms=tuple(arms), population=population),
          caption=f"Median time to event by arm (Kaplan–Meier; 95% CI: Brookmeyer–Crowley on the log–log scale, "
                  f"statsmodels quantile_ci): {T.tte_parameters(current).get(parameter, parameter)}"
                  f"{_filtered_mark()}")
    subheader("Against the control: hazard ratio and log-rank")
    left, right = st.columns(2)
    strata = left.selectbox("Stratify by", [None, *options["factors"]], key="tte_strata", bind="query-params",
                            format_func=lambda c: "none" if c is None else _label(c),
                            help="A stratified log-rank test and a Cox model with a baseline hazard per stratum.")
    covariates = right.multiselect("Adjust the Cox model for", options["factors"] + options["continuous"][1:],
                                   key="tte_cov", bind="query-params", format_func=_label,
                                   help="Covariates in the Cox model (the log-rank test is not adjusted).")
    kwargs = dict(arms=tuple(arms), strata=strata, covariates=tuple(covariates), p_values=shown_p,
                  population=population)
    hazard = call(T.hazard_table, parameter, **kwargs)
    try:
        compute(hazard)
    except (ValueError, ArithmeticError) as error:
        st.warning(f"The Cox model could not be fitted with these choices: {error}", icon=":material/warning:")
        return
    how = "".join([f"; stratified by {strata}" if strata else "",
                   f"; adjusted for {', '.join(covariates)}" if covariates else ""])
    table(hazard, caption=f"Hazard ratio against the control (Cox, Efron ties{how}) and log-rank test"
                          f"{f' stratified by {strata}' if strata else ''}{_filtered_mark()}")
    words = cached(T.tte_words, parameter, strata=strata, covariates=tuple(covariates), population=population)
    st.caption(words)
    report().add_text(words)


def _ancova_choices(endpoint: str, visits: list[str]) -> dict:
    current = study()
    options = P.covariate_options(current)
    first, second = st.columns(2)
    visit = first.selectbox("Visit", visits, index=len(visits) - 1, key="an_visit", bind="query-params",
                            format_func=current.design.visit_label)
    response = second.segmented_control("Analyse", list(P.RESPONSES), default="chg", required=True,
                                        key="an_response", bind="query-params", format_func=P.RESPONSES.get)
    factors = first.multiselect("Categorical covariates (factors)", options["factors"], key="an_factors",
                                bind="query-params", format_func=_label,
                                help="E.g. a pooled site or a stratification factor, as the protocol names them.")
    continuous = second.multiselect("Continuous covariates", options["continuous"], default=["base"],
                                    key="an_continuous", bind="query-params", format_func=_label,
                                    help="The baseline value is in by default, as in most protocols' ANCOVA.")
    third, fourth = st.columns(2)
    weighting = third.selectbox("LS means weighting", list(WEIGHTINGS), key="an_weighting", bind="query-params",
                                format_func=lambda w: {"observed": "observed margins (default)",
                                                       "equal": "equal weights over factor levels"}[w])
    adjustment = fourth.selectbox("Active arms against each other", ["off", *ADJUSTMENTS], key="an_pairwise",
                                  bind="query-params",
                                  format_func=lambda a: "not shown" if a == "off" else "shown, unadjusted"
                                  if a == "none" else f"shown, {ADJUSTMENTS[a]}-adjusted")
    return {"visit": visit, "response": response or "chg", "factors": tuple(factors), "continuous": tuple(continuous),
            "weighting": weighting, "pairwise": adjustment != "off",
            "adjustment": "none" if adjustment in ("off", None) else adjustment}


def ancova_section(endpoint: str, arms: list[str], visits: list[str]) -> dict:
    """The ANCOVA with the reader's covariates, its LS-means table, the model in words and the dose trend;
    returns the reader's choices (the repeated-measures model uses the same covariates)."""
    current = study()
    choice = _ancova_choices(endpoint, visits)
    kwargs = dict(factors=choice["factors"], continuous=choice["continuous"], response=choice["response"],
                  arms=tuple(arms), weighting=choice["weighting"])
    model = call(P.ancova_table, endpoint, choice["visit"], **kwargs, pairwise=choice["pairwise"],
                 adjustment=choice["adjustment"], p_values=p_values_shown())
    try:
        compute(model)
    except ValueError as error:
        st.warning(f"The ANCOVA cannot be computed here: {error}", icon=":material/warning:")
        return choice
    table(model, caption=f"ANCOVA, LS means by arm: {current.label(endpoint)}, "
                         f"{current.design.visit_label(choice['visit'])}{_filtered_mark()}")
    words = cached(P.ancova_words, endpoint, choice["visit"], **kwargs)
    st.caption(words)
    report().add_text(words)
    given = None if P.arm_doses(current) else _typed_doses(arms)
    if P.arm_doses(current) or given:
        kwargs = dict(doses=tuple(given.items()) if given else None, factors=choice["factors"], continuous=choice["continuous"],
                      response=choice["response"], p_values=p_values_shown())
        try:
            trend = cached(P.dose_trend_words, endpoint, choice["visit"], **kwargs)
        except ValueError as error:
            trend = f"Dose–response test not computable: {error}"
        st.caption(trend)
        report().add_text(trend)
        code(Call(P.dose_trend_words, (endpoint, choice["visit"]), kwargs), title="Dose–response test", shows="")
    return choice


def mmrm_section(endpoint: str, arms: list[str], choice: dict) -> None:
    """On request, the mixed model for repeated measures over every post-baseline visit (the ANCOVA's covariates):
    LS means by visit and arm, differences from the control, the model in words."""
    from cratus.figures.lsmeans import lsmeans_figure
    from cratus.patient import repeated as R
    from cratus.stats.mmrm import COVARIANCES

    current = study()
    covariance = st.selectbox("Covariance between a subject's visits", ["off", *COVARIANCES],
                              key="an_mmrm", bind="query-params",
                              format_func=lambda c: "model not shown" if c == "off" else c,
                              help="Every post-baseline visit in one model: arm, visit, arm by visit, baseline "
                                   "and baseline by visit, and the covariates chosen above. Unstructured and "
                                   "compound symmetry: a mixed model (statsmodels MixedLM, REML; valid if missing "
                                   "at random). GEE unstructured: a marginal model with robust standard errors, "
                                   "valid only if missing completely at random; quicker than the unstructured "
                                   "mixed model, which large trials cannot wait for here.")
    if covariance in (None, "off"):
        return
    kwargs = dict(factors=choice["factors"], continuous=choice["continuous"], response=choice["response"],
                  arms=tuple(arms), covariance=covariance, weighting=choice["weighting"])
    model = call(R.mmrm_table, endpoint, **kwargs, p_values=p_values_shown())
    try:
        compute(model)
    except ValueError as error:
        st.warning(f"The repeated-measures model cannot be computed here: {error}", icon=":material/warning:")
        return
    kind = "GEE, unstructured working correlation" if covariance.startswith("GEE") else \
        f"mixed model for repeated measures, {covariance} covariance"
    chart(call(lsmeans_figure, endpoint, **kwargs), screen={"phone": on_phone()},
          title=f"LS means by visit: {current.label(endpoint)}")
    table(model, caption=f"Repeated measures ({kind}), LS means by visit and arm: "
                         f"{current.label(endpoint)}{_filtered_mark()}")
    words = cached(R.mmrm_words, endpoint, **kwargs)
    st.caption(words)
    report().add_text(words)


def _typed_doses(arms: list[str]) -> dict | None:
    """The reader's doses when the data carry none (``?an_doses=0,54,81``, in the order of the arms shown)."""
    design = study().design
    text = st.text_input("Doses for a dose–response test (the data give none)", key="an_doses", bind="query-params",
                         placeholder=", ".join(f"dose of {design.short(a)}" for a in arms),
                         help="One number per arm, in the order of the arms shown (e.g. 0, 54, 81). The test puts "
                              "the dose as a continuous term in the same model.")
    if not text:
        return None
    try:
        numbers = [float(x) for x in text.replace(";", ",").split(",")]
    except ValueError:
        st.warning(f"Doses {text!r}: write one number per arm, separated by commas.", icon=":material/warning:")
        return None
    if len(numbers) != len(arms):
        st.warning(f"{len(numbers)} doses for {len(arms)} arms: write one per arm shown.", icon=":material/warning:")
        return None
    return dict(zip(arms, numbers))


def categorical_section(endpoint: str, arms: list[str], visits: list[str]) -> None:
    """Distribution by arm of an ordered categorical (or binary) endpoint at a visit, with its test."""
    current = study()
    options = P.covariate_options(current)
    left, right = st.columns(2)
    visit = left.selectbox("Visit", visits, index=len(visits) - 1, key="cat_visit", bind="query-params",
                           format_func=current.design.visit_label)
    strata = right.selectbox("Stratify the test by", [None, *options["factors"]], key="cat_strata",
                             bind="query-params", format_func=lambda c: "none" if c is None else _label(c))
    counts = call(P.category_table, endpoint, visit, arms=tuple(arms))
    try:
        compute(counts)
    except ValueError as error:
        st.info(str(error))
        return
    table(counts, caption=f"{current.label(endpoint)} at {current.design.visit_label(visit)}: n (%) per "
                          f"category and arm{_filtered_mark()}")
    table(call(P.category_tests, endpoint, visit, arms=tuple(arms), strata=strata, p_values=p_values_shown()),
          caption=f"{current.label(endpoint)}: each arm against the control{_filtered_mark()}")
    records = getattr(current.patients, "records", "") or "the records read"
    st.caption(COMPUTED + " Percentages of the subjects with a value at this visit. Wilcoxon–Mann–Whitney "
               "(unstratified) or van Elteren (stratified; Landis, Heyman & Koch 1978) respect the order of the "
               "categories; two categories: Clopper–Pearson exact intervals per arm, Newcombe's interval for the "
               "difference (crude, also when the test is stratified), Woolf's interval for the odds ratio, "
               "Fisher's exact test, or with strata the Mantel–Haenszel odds ratio and the CMH test. "
               f"Population: {P.population_words(current, P.analysis_of(current, endpoint))}; records: {records}.")
