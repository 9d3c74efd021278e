"""Display tables of the between-arm comparisons and the multiplicity adjustment, for reading on screen.

Takes the tidy frames of :mod:`cratus.stats.between_arms` and
:mod:`cratus.stats.multiplicity` and returns frames of text with reader-facing
column names: arm and visit names from the study's :class:`~cratus.study.design.Design`,
endpoint labels from its dictionary, p-values through
:func:`cratus.formatting.format_p`.  Follow-up comparisons carry a Welch
p-value; baseline rows carry standardized differences only (CONSORT 2010
item 15), with p-values only on request and labelled as describing chance.
"""

from __future__ import annotations

import math

import pandas as pd

from cratus.stats.between_arms import WAN_METHOD, standardized_difference
from cratus.formatting import decimals_of, format_number, format_p, signed

#: How each method is named in a table: an approximation is marked as one.
METHOD_LABELS = {WAN_METHOD: "≈ Wan 2014 (from median, IQR)"}
WELCH_LABEL = "Welch (mean ± SD)"
FOLLOW_UP_COLUMNS = ["Endpoint", "Comparison", "Difference (95% CI)", "Welch p", "Hedges' g (95% CI)", "Method",
                     "Caution"]
BASELINE_COLUMNS = ["Endpoint", "Comparison", "Difference", "Standardized difference (d)", "Method", "Caution"]


def format_alpha(alpha):
    """A significance level as printed: ``.05``.

    >>> format_alpha(0.05), format_alpha(0.1), format_alpha(0.005)
    ('.05', '.1', '.005')
    """
    text = format_number(alpha)
    return text[1:] if text.startswith("0.") else text


def format_estimate(value, low, high, decimals):
    """``estimate (low to high)`` with a true minus sign and thousands separators.

    >>> format_estimate(-1.4, -2.388, -0.412, 1)
    '−1.4 (−2.4 to −0.4)'
    >>> format_estimate(12500, -45067.4, 70067.4, 0)
    '12,500 (−45,067 to 70,067)'
    """
    if pd.isna(value):
        return ""
    if pd.isna(low) or pd.isna(high):
        return signed(value, decimals)
    return f"{signed(value, decimals)} ({signed(low, decimals)} to {signed(high, decimals)})"


def endpoint_labels(endpoints):
    """``{endpoint: label}`` of the dictionary (empty without one)."""
    return endpoints.set_index("endpoint")["label"].to_dict() if endpoints is not None else {}


def label_with_unit(endpoints, endpoint):
    """The endpoint's label with its unit in brackets (none for "points" or a unit the label already says).

    >>> e = pd.DataFrame({"endpoint": ["age", "fev"], "label": ["Age", "FEV1, percent predicted"],
    ...     "unit": ["years", "% predicted"]})
    >>> label_with_unit(e, "age"), label_with_unit(e, "fev")
    ('Age (years)', 'FEV1, percent predicted')
    """
    if endpoints is None or (endpoints["endpoint"] == endpoint).sum() == 0:
        return endpoint
    row = endpoints[endpoints["endpoint"] == endpoint].iloc[0]
    label, unit = row["label"], str(row.get("unit", "") or "").strip()
    if not unit or unit == "points" or ("%" in unit and unit.replace("%", "percent") in label):
        return label
    return f"{label} ({unit})"


def _printed_decimals(summary, endpoint, visit, arms):
    rows = summary[(summary["endpoint"] == endpoint) & (summary["visit"] == visit)
                   & summary["statistic"].isin(["mean", "median"]) & summary["arm"].isin(arms)]
    if rows.empty:
        return 1
    texts = rows["printed"].fillna("").astype(str) if "printed" in rows else rows["value"].map(format_number)
    return int(texts.map(decimals_of).max())


def sensible_decimals(printed, half_width):
    """The printed decimals, but no more than about three significant digits of *half_width*.

    >>> sensible_decimals(1, 88.4), sensible_decimals(1, 8118.0), sensible_decimals(1, 1.3)
    (1, 0, 1)
    """
    if not (half_width > 0 and math.isfinite(half_width)):
        return printed
    return int(min(printed, max(0, 2 - math.floor(math.log10(half_width)))))


def comparisons_view(comparisons, summary, endpoints, design, arms=None, visits=None):
    """The comparisons between two chosen arms, labelled for tables and charts.

    Keeps rows whose two arms are in *arms* and whose visit is in *visits*
    (latest visit first, then dictionary order) and adds ``label`` (with the
    unit), ``endpoint_label``, ``pair`` ("A vs Placebo"), ``printed_decimals`` (the means' printed
    precision, for a difference shown without an interval) and ``decimals`` (for one with its interval).

    Examples
    --------
    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "Drug A", "A", False), ("p", "Vehicle", "Vehicle", True)], [("w0", "Week 0", "baseline")])
    >>> c = pd.DataFrame({"endpoint": ["age"], "visit": "w0", "arm": ["a"], "reference": ["p"],
    ...     "method": "", "ci_low": -7.0, "ci_high": 6.4})
    >>> s = pd.DataFrame({"endpoint": "age", "arm": "a", "visit": "w0", "statistic": "mean", "value": [75.0],
    ...     "printed": ["75.0"]})
    >>> e = pd.DataFrame({"endpoint": ["age"], "label": ["Age"], "unit": ["years"]})
    >>> comparisons_view(c, s, e, d)[["label", "pair", "decimals"]].values.tolist()
    [['Age (years)', 'A vs Vehicle', 1]]
    """
    arms = design.arm_ids if arms is None else arms
    visits = design.visit_ids if visits is None else visits
    keep = comparisons[comparisons["arm"].isin(arms) & comparisons["reference"].isin(arms)
                       & comparisons["visit"].isin(visits)].copy()
    order = {e: i for i, e in enumerate(endpoints["endpoint"])}
    keep["_order"] = keep["endpoint"].map(order).fillna(len(order))
    keep["_visit"] = keep["visit"].map({v: -i for i, v in enumerate(design.visit_ids)})
    keep = keep.sort_values(["_visit", "_order"], kind="stable").drop(columns=["_order", "_visit"])
    keep["label"] = [label_with_unit(endpoints, e) for e in keep["endpoint"]]
    keep["endpoint_label"] = keep["endpoint"].map(endpoint_labels(endpoints)).fillna(keep["endpoint"])
    keep["pair"] = keep["arm"].map(design.short) + " vs " + keep["reference"].map(design.short)
    # A difference of two printed means keeps their precision (−39.9, as Table 1's 345.9 − 385.8); an interval
    # is rounded to about three significant digits of its half-width (``decimals``).
    keep["printed_decimals"] = [_printed_decimals(summary, e, v, design.arm_ids)
                                for e, v in zip(keep["endpoint"], keep["visit"])]
    keep["decimals"] = [sensible_decimals(p, (hi - lo) / 2)
                        for p, lo, hi in zip(keep["printed_decimals"], keep["ci_low"], keep["ci_high"])]
    if len(keep):  # one format per endpoint and visit, so that its rows line up
        keep["decimals"] = keep.groupby(["endpoint", "visit"])["decimals"].transform("min")
    return keep.reset_index(drop=True)


def _method(row):
    if row["method"] == WAN_METHOD:
        return METHOD_LABELS[WAN_METHOD]
    return WELCH_LABEL if row["method"] else ""


def _caution(row):
    if row.get("withheld"):
        return f"Effect withheld: {row['withheld']}" + (
            "; a normal-theory mean and SD would mislead." if "skewed" in row["withheld"] else ".")
    return row.get("caution", "") or ""


def comparison_table(view, baseline=False, show_p=False):
    """A table for reading: one row per comparison of :func:`comparisons_view`.

    Follow-up rows (``baseline=False``) show the difference, Welch p and
    Hedges' g; when some row's "±" may be an SEM (``sem_*`` columns), a
    column gives the comparison under that reading side by side.  Baseline
    rows show the standardized difference only, plus a p-value column
    labelled as describing chance when ``show_p``; the standardized difference
    is Table 1's (Austin 2009, :func:`~cratus.stats.between_arms.standardized_difference`).
    Approximations from a median (IQR) are marked in ``Method``; withheld
    effects say why.

    Examples
    --------
    >>> from cratus.stats.between_arms import compare_arms_from_stats
    >>> r = compare_arms_from_stats(7.0, 1.0, 10, 8.4, 1.1, 10).assign(
    ...     label="B-cell TNF-α", visit="w12", pair="A vs B", decimals=1, withheld="")
    >>> comparison_table(r).iloc[0][["Difference (95% CI)", "Welch p", "Method"]].tolist()
    ['−1.4 (−2.4 to −0.4)', '.0081', 'Welch (mean ± SD)']
    """
    rows = []
    for r in view.to_dict("records"):
        decimals, withheld = int(r["decimals"]), bool(r.get("withheld"))
        g = "" if withheld else format_estimate(r["hedges_g"], r["hedges_g_ci_low"], r["hedges_g_ci_high"], 2)
        row = {"Endpoint": r["label"], "Comparison": r["pair"]}
        if baseline:
            printed = int(r.get("printed_decimals", decimals))   # no interval: the means' own precision
            row |= {"Difference": "withheld" if withheld else signed(r["estimate"], printed),
                    "Standardized difference (d)": "withheld" if withheld else signed(standardized_difference(
                        r["mean"], r["sd"], r["mean_reference"], r["sd_reference"]), 2)}
            if show_p:
                row["Welch p (chance alone)"] = "" if withheld else format_p(r["p_value"], computed=True, prefix=False)
        else:
            row |= {"Difference (95% CI)": "withheld" if withheld
                    else format_estimate(r["estimate"], r["ci_low"], r["ci_high"], decimals),
                    "Welch p": "" if withheld else format_p(r["p_value"], computed=True, prefix=False),
                    "Hedges' g (95% CI)": g}
            if pd.notna(r.get("sem_p_value", math.nan)):
                row["If ± were SEM: difference (95% CI), p"] = (
                    f"{format_estimate(r['sem_estimate'], r['sem_ci_low'], r['sem_ci_high'], decimals)}, "
                    f"{format_p(r['sem_p_value'], computed=True)}")
        rows.append(row | {"Method": _method(r), "Caution": _caution(r)})
    columns = list(BASELINE_COLUMNS if baseline else FOLLOW_UP_COLUMNS)
    extra = [c for c in (rows[0] if rows else {}) if c not in columns]
    if any("If ± were SEM" in c for r in rows for c in r):
        extra = [c for c in extra if "SEM" not in c] + ["If ± were SEM: difference (95% CI), p"]
    table = pd.DataFrame(rows, columns=columns[:-2] + extra + columns[-2:])
    return table.fillna("")


def adjusted_p(p_value, relation):
    """An adjusted p-value: computed digits; an adjusted bound stays a bound (``< .0005``); 1 at the top.

    >>> adjusted_p(0.00045, "<"), adjusted_p(0.022, "="), adjusted_p(1.0, "=")
    ('< .0005', '.022', '1')
    """
    if p_value >= 0.9995 and relation != "<":
        return "1"
    return format_p(p_value, relation, computed=True, prefix=False)


def _significant_after(row):
    methods = [name for name, column in (("Bonferroni", "significant_bonferroni"), ("Holm", "significant_holm"),
                                         ("BH", "significant_fdr_bh")) if row[column]]
    if not row["significant_raw"]:
        return "—"
    if not methods:
        return "no adjustment"
    return "all three" if len(methods) == 3 else ", ".join(methods)


def describe_test(row, design):
    """What one p-value compares, in words: "100M vs Placebo, 6 months", "100M: change to 6 months".

    >>> from cratus.study.design import make_design
    >>> d = make_design([("a", "Drug A", "A", False), ("p", "Vehicle", "Vehicle", True)],
    ...                 [("w0", "Week 0", "baseline"), ("w12", "Week 12", "")])
    >>> describe_test({"arm": "a", "comparison": "vs_control", "visit": "w12"}, d)
    'A vs Vehicle, week 12'
    """
    arm = design.short(row["arm"]) if row["arm"] in design.arm_ids else "All arms"
    visit = design.visit_label(row["visit"]).lower()
    control = design.short(design.control) if design.control else "control"
    return {"within_arm": f"{arm}: change to {visit}", "vs_control": f"{arm} vs {control}, {visit}",
            "between_arms": f"{arm}, between arms, {visit}"}.get(row["comparison"],
                                                                 f"{arm}, {row['comparison']}, {visit}")


def multiplicity_table(adjusted, design, endpoints=None, family_labels=None):
    """A table for reading of :func:`cratus.stats.multiplicity.adjust_p_values`.

    ``Significant after`` names the adjustments under which p stays below α.
    A bound ("p < .00001") stays a bound after adjustment.  ``Family``
    appears only when there is more than one.
    """
    labels = endpoint_labels(endpoints)
    family_labels = family_labels or {}
    rows = []
    for r in adjusted.to_dict("records"):
        relation = r["relation"]
        rows.append({
            "Endpoint": labels.get(r["endpoint"], r["endpoint"]), "Test": describe_test(r, design),
            "Family": family_labels.get(r["family"], str(r["family"]).replace("_", " ").capitalize()),
            "m": int(r["m"]), "p": format_p(r["p_value"], relation, r.get("printed"), prefix=False),
            "Bonferroni": adjusted_p(r["p_bonferroni"], relation), "Holm": adjusted_p(r["p_holm"], relation),
            "BH": adjusted_p(r["p_fdr_bh"], relation), "Significant after": _significant_after(r),
        })
    columns = ["Endpoint", "Test", "Family", "m", "p", "Bonferroni", "Holm", "BH", "Significant after"]
    table = pd.DataFrame(rows, columns=columns)
    return table if adjusted["family"].nunique() > 1 else table.drop(columns="Family")


def summarize_adjustment(adjusted, design, alpha=0.05, endpoints=None):
    """One or two plain sentences on what survives the multiplicity adjustment.

    Examples
    --------
    >>> from cratus.study.design import make_design
    >>> from cratus.stats.multiplicity import adjust_p_values
    >>> d = make_design([("a", "Drug A", "A", False), ("p", "Vehicle", "Vehicle", True)], [("w0", "Week 0", "baseline"), ("w12", "Week 12", "")])
    >>> p = pd.DataFrame({"endpoint": ["x", "y", "z"], "arm": "a", "comparison": "within_arm", "visit": "w12",
    ...     "p_value": [0.001, 0.03, 0.04], "relation": "=", "source": "Results"})
    >>> summarize_adjustment(adjust_p_values(p), d)
    'Of 3 p-values in one family, 3 are below α = .05 without adjustment; 1 survives Bonferroni, 1 survives Holm and 3 survive Benjamini–Hochberg (false discovery rate .05). Surviving Holm: x (A: change to week 12).'
    """
    def count(column):
        k = int(adjusted[column].sum())
        return f"{k} survive{'s' if k == 1 else ''}"

    total, families = len(adjusted), adjusted["family"].nunique()
    alpha_text = format_alpha(alpha)
    where = "in one family" if families == 1 else f"in {families} families (each adjusted separately)"
    text = (f"Of {total} p-values {where}, {int(adjusted['significant_raw'].sum())} are below α = {alpha_text} "
            f"without adjustment; {count('significant_bonferroni')} Bonferroni, {count('significant_holm')} Holm "
            f"and {count('significant_fdr_bh')} Benjamini–Hochberg (false discovery rate {alpha_text}).")
    survivors = adjusted[adjusted["significant_holm"]]
    if survivors.empty:
        return text + " None survives Holm."
    labels, parts = endpoint_labels(endpoints), {}
    for r in survivors.to_dict("records"):
        parts.setdefault(labels.get(r["endpoint"], r["endpoint"]), []).append(describe_test(r, design))
    return text + " Surviving Holm: " + ". ".join(f"{k} ({'; '.join(v)})" for k, v in parts.items()) + "."
