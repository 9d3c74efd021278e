"""Automated consistency checks on the numbers the paper prints.

Each check returns a tidy frame with one row per comparison: ``check,
endpoint, level, arm, visit, status`` (``pass``, ``fail`` or
``not_checkable``), ``expected, reported, explanation``.  ``expected`` and
``reported`` are text, because some are intervals.  :func:`run_audit` stacks
them into one table a reader can sort.

Printed numbers are rounded, so a check passes when the printed value is
reachable from the other printed values given that rounding (a printed 1.2
stands for anything in [1.15, 1.25]).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import optimize

from cratus.arms import ARMS, TOTAL
from cratus.formatting import decimals_of, format_number

AUDIT_COLUMNS = ["check", "endpoint", "level", "arm", "visit", "status",
                 "expected", "reported", "explanation"]

#: Integer-scored instruments in the summary and their score ranges.
INTEGER_SCALES = {"sppb": (0, 12), "mmse": (0, 30)}

#: Status given to each kind of curated discrepancy (data/discrepancies.csv).
DISCREPANCY_STATUS = {"precision": "pass", "ambiguous": "not_checkable"}


def _row(check, endpoint, arm, visit, status, expected, reported, explanation, level=""):
    return {"check": check, "endpoint": endpoint, "level": "" if pd.isna(level) else level,
            "arm": arm, "visit": visit, "status": status, "expected": expected,
            "reported": reported, "explanation": explanation}


def _frame(rows):
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def _decimals(value, printed=None):
    """Decimals as printed: from the ``printed`` text when the loader kept it."""
    if isinstance(printed, str) and printed.strip():
        return decimals_of(printed.strip())
    return decimals_of(format_number(float(value)))


def round_half_up(value, decimals=0):
    """Round as printed tables usually do (0.5 goes up), not to even.

    Parameters
    ----------
    value : float
        The number.
    decimals : int
        Digits after the point.

    Returns
    -------
    float

    Examples
    --------
    >>> round_half_up(16.5), round(16.5)
    (17.0, 16)
    """
    scale = 10.0**decimals
    return math.floor(value * scale + 0.5 + 1e-9) / scale


def _arm_sizes(summary):
    rows = summary[(summary["endpoint"] == "participants") & (summary["statistic"] == "n")]
    return rows.drop_duplicates("arm").set_index("arm")["value"].to_dict()


def check_totals(summary, statistics=("count", "n")):
    """Check that each printed total equals the sum of the three arms.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    statistics : tuple of str
        Which statistics are additive.

    Returns
    -------
    pandas.DataFrame
        Audit rows, one per printed total.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "sex", "level": "male",
    ...     "arm": ["100M", "200M", "placebo", "total"], "visit": "baseline",
    ...     "statistic": "count", "value": [6.0, 6, 6, 18], "source": "Table 1"})
    >>> check_totals(s)[["status", "expected", "reported"]]
      status expected reported
    0   pass       18       18
    """
    rows = []
    totals = summary[(summary["arm"] == TOTAL) & summary["statistic"].isin(statistics)]
    for _, total in totals.iterrows():
        same = ((summary["endpoint"] == total["endpoint"]) & (summary["visit"] == total["visit"])
                & (summary["statistic"] == total["statistic"]) & summary["arm"].isin(ARMS)
                & (summary["level"].fillna("") == ("" if pd.isna(total["level"]) else total["level"])))
        arms = summary[same].drop_duplicates("arm")
        args = ("sum of arms", total["endpoint"], TOTAL, total["visit"])
        if len(arms) < len(ARMS):
            missing = sorted(set(ARMS) - set(arms["arm"]))
            rows.append(_row(*args, "not_checkable", "", format_number(total["value"]),
                             f"arm(s) {missing} not printed", total["level"]))
            continue
        expected = arms["value"].sum()
        ok = math.isclose(expected, total["value"])
        rows.append(_row(*args, "pass" if ok else "fail", format_number(expected),
                         format_number(total["value"]),
                         f"{total['statistic']} of the total column ({total['source']}) "
                         f"{'equals' if ok else 'differs from'} 100M + 200M + placebo", total["level"]))
    return _frame(rows)


def _percent_status(expected, reported, decimals, accept):
    candidates = {"half_up": round_half_up(expected, decimals),
                  "floor": math.floor(expected * 10**decimals + 1e-9) / 10**decimals}
    matched = [name for name in accept if math.isclose(candidates[name], reported)]
    text = f"{expected:.2f}% rounds to {format_number(candidates['half_up'], decimals)}%"
    if matched:
        return "pass", f"{text}; printed value matches ({', '.join(matched)})"
    if math.isclose(candidates["floor"], reported):
        return "fail", f"{text}; the printed value is truncated, not rounded"
    return "fail", f"{text}; the printed value does not match"


def check_percentages(summary, decimals=0, accept=("half_up", "floor"), events_levels=("events",)):
    """Check printed percentages against count / n.

    n is the endpoint's own ``n`` row for that arm and visit, else the arm
    size from ``participants``.  Rows whose level is in ``events_levels``
    (Table 2's event totals) are percentages of the arm's events, so 100%.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    decimals : int
        Decimals of the printed percentages.
    accept : tuple of {"half_up", "floor"}
        Rounding conventions accepted as a pass.
    events_levels : tuple of str
        Levels whose percentage is of events, not patients.

    Returns
    -------
    pandas.DataFrame
        Audit rows, one per printed percentage.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "ethnicity", "ethnicity"],
    ...     "level": [None, "hispanic", "hispanic"], "arm": "total",
    ...     "visit": "baseline", "statistic": ["n", "count", "percent"],
    ...     "value": [30.0, 4, 13], "source": "Table 1"})
    >>> check_percentages(s)[["status", "expected", "reported"]]
      status expected reported
    0   pass       13       13
    """
    sizes = _arm_sizes(summary)
    level = summary["level"].fillna("")
    rows = []
    for _, pct in summary[summary["statistic"] == "percent"].iterrows():
        key = ((summary["endpoint"] == pct["endpoint"]) & (summary["arm"] == pct["arm"])
               & (summary["visit"] == pct["visit"]))
        count = summary[key & (level == ("" if pd.isna(pct["level"]) else pct["level"]))
                        & (summary["statistic"] == "count")]
        own_n = summary[key & (summary["statistic"] == "n")]
        if pct["level"] in events_levels:
            n = count["value"].iloc[0] if len(count) else math.nan
        else:
            n = own_n["value"].iloc[0] if len(own_n) else sizes.get(pct["arm"], math.nan)
        args = ("percent = count / n", pct["endpoint"], pct["arm"], pct["visit"])
        if count.empty or not n > 0:
            rows.append(_row(*args, "not_checkable", "", format_number(pct["value"]),
                             "count or n not printed", pct["level"]))
            continue
        expected = 100 * count["value"].iloc[0] / n
        status, why = _percent_status(expected, pct["value"], decimals, accept)
        rows.append(_row(*args, status, format_number(round_half_up(expected, decimals), decimals),
                         format_number(pct["value"], decimals),
                         f"{format_number(count['value'].iloc[0])} / {format_number(n)}: {why}",
                         pct["level"]))
    return _frame(rows)


def _pooled_sd(means, sds, ns):
    means, sds, ns = (np.asarray(x, dtype=float) for x in (means, sds, ns))
    grand = np.sum(ns * means) / ns.sum()
    ss = np.sum((ns - 1) * sds**2) + np.sum(ns * (means - grand) ** 2)
    return math.sqrt(ss / (ns.sum() - 1))


def pooled_total_interval(means, sds, ns, mean_decimals, sd_decimals):
    """The range of total mean and SD reachable from rounded arm summaries.

    Pooled SD: ``sqrt((Σ(n_i - 1) sd_i² + Σ n_i (m_i - M)²) / (N - 1))``.
    Each printed arm mean and SD may lie anywhere within half a unit of its
    last digit; the mean is linear in the arm means and the SD grows with the
    arm SDs, and the between-arm term is convex in the means, so its maximum
    sits at a corner of the box and its minimum is found by bounded
    minimisation (``scipy.optimize.minimize``).

    Parameters
    ----------
    means, sds, ns : sequence of float
        Printed arm means, SDs and sizes.
    mean_decimals, sd_decimals : int
        Decimals to which means and SDs are printed.

    Returns
    -------
    pandas.DataFrame
        One row: ``mean_low, mean_high, sd_low, sd_high``.

    Examples
    --------
    >>> pooled_total_interval([75.0, 76.3, 75.3], [7.4, 8.4, 6.8], [10, 10, 10], 1, 1).round(2)
       mean_low  mean_high  sd_low  sd_high
    0     75.48      75.58    7.27     7.37
    """
    means, sds, ns = (np.asarray(x, dtype=float) for x in (means, sds, ns))
    hm, hs = 0.5 * 10.0**-mean_decimals, 0.5 * 10.0**-sd_decimals
    corners = [means + hm * np.array(signs) for signs in itertools.product((-1, 1), repeat=len(means))]
    sd_high = max(_pooled_sd(c, sds + hs, ns) for c in corners)
    best = optimize.minimize(lambda m: _pooled_sd(m, np.maximum(sds - hs, 0), ns), means,
                             bounds=[(m - hm, m + hm) for m in means], method="L-BFGS-B")
    return pd.DataFrame([{"mean_low": np.sum(ns * (means - hm)) / ns.sum(),
                          "mean_high": np.sum(ns * (means + hm)) / ns.sum(),
                          "sd_low": float(best.fun), "sd_high": sd_high}])


def check_pooled_totals(summary):
    """Check each total mean and SD against the arms' means and SDs.

    Arm values are taken from the same source as the total (Table 1), arm
    sizes from ``participants``.  Pass when the interval the printed total
    stands for overlaps the interval reachable from the rounded arm values
    (:func:`pooled_total_interval`).  Assumes no missing values (every
    patient counted in every arm summary).

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.

    Returns
    -------
    pandas.DataFrame
        Two audit rows (mean, SD) per endpoint and visit with a total column.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants"] * 3 + ["age"] * 8,
    ...     "level": None, "arm": ["100M", "200M", "placebo"] + ["100M", "100M",
    ...     "200M", "200M", "placebo", "placebo", "total", "total"],
    ...     "visit": "baseline", "statistic": ["n"] * 3 + ["mean", "sd"] * 4,
    ...     "value": [10.0, 10, 10, 75.0, 7.4, 76.3, 8.4, 75.3, 6.8, 75.5, 7.3],
    ...     "source": "Table 1"})
    >>> check_pooled_totals(s)[["check", "status", "expected"]]
             check status          expected
    0  pooled mean   pass  [75.483, 75.583]
    1    pooled SD   pass    [7.267, 7.370]
    """
    sizes = _arm_sizes(summary)
    rows = []
    totals = summary[(summary["arm"] == TOTAL) & (summary["statistic"] == "mean")]
    for _, total in totals.iterrows():
        def pick(arm, statistic, total=total):
            found = summary[(summary["endpoint"] == total["endpoint"]) & (summary["arm"] == arm)
                            & (summary["visit"] == total["visit"]) & (summary["statistic"] == statistic)
                            & (summary["source"] == total["source"])]
            if found.empty:
                return math.nan, 0
            first = found.iloc[0]
            return first["value"], _decimals(first["value"], first.get("printed"))
        picked = {(a, s): pick(a, s) for a in (*ARMS, TOTAL) for s in ("mean", "sd")}
        means, sds = ([picked[a, s][0] for a in ARMS] for s in ("mean", "sd"))
        ns = [sizes.get(a, math.nan) for a in ARMS]
        total_sd = picked[TOTAL, "sd"][0]
        args = (total["endpoint"], TOTAL, total["visit"])
        if all(math.isnan(x) for x in means):
            continue  # a total quoted on its own (e.g. in the Abstract): nothing to pool
        if any(math.isnan(x) for x in [*means, *sds, *ns, total_sd]):
            rows.append(_row("pooled mean", *args, "not_checkable", "", format_number(total["value"]),
                             f"arm means, SDs or sizes not printed in {total['source']}"))
            continue
        # one table column shares one format, so take the most decimals printed in it
        md, sdd = (max(picked[a, s][1] for a in (*ARMS, TOTAL)) for s in ("mean", "sd"))
        box = pooled_total_interval(means, sds, ns, md, sdd).iloc[0]
        at_printed = (np.dot(ns, means) / sum(ns), _pooled_sd(means, sds, ns))
        for check, value, dec, low, high, point in (
                ("pooled mean", total["value"], md, box["mean_low"], box["mean_high"], at_printed[0]),
                ("pooled SD", total_sd, sdd, box["sd_low"], box["sd_high"], at_printed[1])):
            half = 0.5 * 10.0**-dec
            ok = value + half >= low - 1e-9 and value - half <= high + 1e-9
            rows.append(_row(check, *args, "pass" if ok else "fail", f"[{low:.{dec + 2}f}, {high:.{dec + 2}f}]",
                             format_number(value, dec),
                             f"the rounded arm values ({total['source']}, n = "
                             f"{'/'.join(format_number(n) for n in ns)}) give {point:.{dec + 2}f} as printed and "
                             f"the expected range within their rounding; the printed total stands for "
                             f"[{value - half:.{dec + 1}f}, {value + half:.{dec + 1}f}], which "
                             + ("overlaps it" if ok else "lies outside it")))
    return _frame(rows)


def check_grim(value, n, decimals, statistic="mean", items=1):
    """GRIM-style test: can this mean or median come from n integer scores?

    A mean of n integer scores (on ``items`` items each) is a multiple of
    1 / (n · items); a median is a score (odd n) or half the sum of two
    scores (even n).  The value passes when some such number rounds to it at
    the printed ``decimals`` (Brown & Heathers 2017, the GRIM test).

    Parameters
    ----------
    value : float
        Printed mean or median.
    n : int
        Number of people.
    decimals : int
        Decimals printed.
    statistic : {"mean", "median"}
        Which statistic ``value`` is.
    items : int
        Integer items averaged into the score.

    Returns
    -------
    pandas.DataFrame
        One row: ``statistic, value, n, decimals, granularity,
        nearest_possible, consistent``.

    Examples
    --------
    >>> check_grim(10.5, 10, 1, "median")[["granularity", "consistent"]]
       granularity  consistent
    0          0.5        True
    >>> bool(check_grim(5.19, 28, 2)["consistent"].iloc[0])
    False
    """
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic {statistic!r} is not 'mean' or 'median'")
    if not (n >= 1 and float(n).is_integer()):
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    if statistic == "mean":
        step = 1 / (n * items)
    else:
        step = (1 if n % 2 else 0.5) / items
    nearest = round(value / step) * step
    ok = abs(nearest - value) <= 0.5 * 10.0**-decimals + 1e-9
    return pd.DataFrame([{"statistic": statistic, "value": value, "n": n, "decimals": decimals,
                          "granularity": step, "nearest_possible": nearest, "consistent": ok}])


def check_integer_scores(summary, scales=None):
    """GRIM and range checks for integer-scored instruments (SPPB, MMSE).

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    scales : dict, optional
        ``{endpoint: (lowest, highest)}``; default :data:`INTEGER_SCALES`.

    Returns
    -------
    pandas.DataFrame
        Audit rows: ``grim`` for means and medians, ``range`` for every value.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": ["participants", "sppb"], "level": None,
    ...     "arm": "100M", "visit": ["baseline", "month6"], "statistic": ["n", "median"],
    ...     "value": [10.0, 10.5], "source": "Results"})
    >>> check_integer_scores(s)[["check", "status"]]
               check status
    0    grim median   pass
    1  range 0 to 12   pass
    """
    scales = INTEGER_SCALES if scales is None else scales
    sizes = _arm_sizes(summary)
    rows = []
    subset = summary[summary["endpoint"].isin(scales) & summary["statistic"].isin(["mean", "median", "q1", "q3"])]
    for _, rec in subset.iterrows():
        low, high = scales[rec["endpoint"]]
        args = (rec["endpoint"], rec["arm"], rec["visit"])
        n = sizes.get(rec["arm"], sum(sizes.get(a, math.nan) for a in ARMS) if rec["arm"] == TOTAL else math.nan)
        if rec["statistic"] in ("mean", "median"):
            if math.isnan(n):
                rows.append(_row(f"grim {rec['statistic']}", *args, "not_checkable", "",
                                 format_number(rec["value"]), "n not printed"))
            else:
                grim = check_grim(rec["value"], int(n), _decimals(rec["value"], rec.get("printed")),
                                  rec["statistic"]).iloc[0]
                rows.append(_row(f"grim {rec['statistic']}", *args, "pass" if grim["consistent"] else "fail",
                                 f"multiple of 1/{int(n)}" if rec["statistic"] == "mean"
                                 else "multiple of 0.5" if n % 2 == 0 else "whole number",
                                 format_number(rec["value"]),
                                 f"a {rec['statistic']} of {int(n)} integer scores (n assumed from the arm size) "
                                 f"can be {format_number(grim['nearest_possible'])}"))
        inside = low <= rec["value"] <= high
        rows.append(_row(f"range {low} to {high}", *args, "pass" if inside else "fail",
                         f"[{low}, {high}]", format_number(rec["value"]),
                         f"{rec['statistic']} {'within' if inside else 'outside'} the scale's range"))
    return _frame(rows)


def check_adverse_events(adverse_events, arm_sizes, event_totals=None, decimals=0, accept=("half_up",)):
    """Recompute Table 2's percentages from its counts.

    ``events_percent`` is a term's events as a share of the arm's events;
    ``patients_percent`` is a share of the arm's N.  Only round-half-up is
    accepted by default because Table 2 itself rounds (one of six placebo
    events is printed 17% for five terms), so a truncated value breaks the
    table's own convention.

    Parameters
    ----------
    adverse_events : pandas.DataFrame
        ``soc, term, arm, events, patients, events_percent, patients_percent``.
    arm_sizes : dict
        ``{arm: N}``.
    event_totals : dict, optional
        Printed total events per arm (Table 2's Total row); by default the
        sum of the terms.  When given, the sum of the terms is checked against it.
    decimals : int
        Decimals of the printed percentages.
    accept : tuple of {"half_up", "floor"}
        Rounding conventions accepted.

    Returns
    -------
    pandas.DataFrame
        Audit rows; ``level`` holds the MedDRA term.

    Examples
    --------
    >>> ae = pd.DataFrame({"soc": "Vascular disorders", "term": ["Aneurysm", "Hypotension"],
    ...     "arm": "placebo", "events": 1, "patients": 1, "events_percent": [16, 17],
    ...     "patients_percent": 10})
    >>> res = check_adverse_events(ae, {"placebo": 10}, event_totals={"placebo": 6})
    >>> res = res[res["check"] == "events percent"].reset_index(drop=True)
    >>> res[["level", "status", "expected", "reported"]]
             level status expected reported
    0     Aneurysm   fail       17       16
    1  Hypotension   pass       17       17
    """
    needed = ["term", "arm", "events", "patients", "events_percent", "patients_percent"]
    missing = [c for c in needed if c not in adverse_events.columns]
    if missing:
        raise ValueError(f"adverse_events frame lacks column(s) {missing}")
    unknown = sorted(set(adverse_events["arm"]) - set(arm_sizes))
    if unknown:
        raise ValueError(f"arm {unknown[0]!r} has no size in arm_sizes")
    sums = adverse_events.groupby("arm")["events"].sum().to_dict()
    rows = []
    if event_totals is not None:
        for arm, printed in event_totals.items():
            found = sums.get(arm, 0)
            ok = math.isclose(found, printed)
            rows.append(_row("event total", "serious_adverse_events", arm, "", "pass" if ok else "fail",
                             format_number(found), format_number(printed),
                             f"the terms listed for {arm} add up to {format_number(found)} events; "
                             f"the Total row prints {format_number(printed)}", "Total"))
    totals = sums if event_totals is None else {**sums, **event_totals}
    for _, rec in adverse_events.iterrows():
        for check, count, pct, denominator, of in (
                ("patients percent", rec["patients"], rec["patients_percent"], arm_sizes[rec["arm"]], "patients"),
                ("events percent", rec["events"], rec["events_percent"], totals.get(rec["arm"], 0), "events")):
            args = (check, "serious_adverse_events", rec["arm"], "")
            if pd.isna(pct) or not denominator > 0:
                rows.append(_row(*args, "not_checkable", "", "" if pd.isna(pct) else format_number(pct),
                                 "percentage or denominator not printed", rec["term"]))
                continue
            expected = 100 * count / denominator
            status, why = _percent_status(expected, pct, decimals, accept)
            same = adverse_events[(adverse_events["arm"] == rec["arm"])
                                  & (adverse_events[of] == count)][f"{of}_percent"]
            others = sorted(set(same) - {pct})
            if status == "fail" and others:
                why += f"; other {rec['arm']} terms with the same count print {format_number(others[0])}%"
            rows.append(_row(*args, status, format_number(round_half_up(expected, decimals), decimals),
                             format_number(pct, decimals),
                             f"{format_number(count)} of {format_number(denominator)} {rec['arm']} {of}: {why}",
                             rec["term"]))
    return _frame(rows)


def check_discrepancies(discrepancies):
    """Turn the curated list of discrepancies into audit rows.

    Every curated discrepancy is a ``fail`` except the kinds in
    :data:`DISCREPANCY_STATUS`: a value printed at two precisions is a
    ``pass`` and an ambiguous sentence is ``not_checkable``.

    Parameters
    ----------
    discrepancies : pandas.DataFrame
        ``id, endpoint, arm, visit, statistic, kind, version_a, location_a,
        version_b, location_b, shown, reason``.

    Returns
    -------
    pandas.DataFrame
        Audit rows; ``check`` is "curated: <kind>", ``level`` the id,
        ``expected``/``reported`` the two versions.

    Examples
    --------
    >>> d = pd.DataFrame({"id": ["D03"], "endpoint": ["tnf_alpha_bcell"], "arm": ["200M"],
    ...     "visit": ["month6"], "statistic": ["p_value"], "kind": ["contradiction"],
    ...     "version_a": ["p = .002"], "location_a": ["Abstract"], "version_b": ["p = .001"],
    ...     "location_b": ["Results"], "shown": ["p = .001"], "reason": ["differ"]})
    >>> check_discrepancies(d)[["check", "status", "expected", "reported"]]
                        check status  expected  reported
    0  curated: contradiction   fail  p = .002  p = .001
    """
    rows = []
    for _, rec in discrepancies.fillna("").iterrows():
        rows.append(_row(f"curated: {rec['kind']}", rec["endpoint"], rec["arm"], rec["visit"],
                         DISCREPANCY_STATUS.get(rec["kind"], "fail"), str(rec["version_a"]),
                         str(rec["version_b"]),
                         f"{rec['location_a']} vs {rec['location_b']}: {rec['reason']} "
                         f"Shown: {rec['shown']}.", rec["id"]))
    return _frame(rows)


def check_within_arm_p_values(summary, p_values, endpoints=None):
    """Can each printed within-arm p-value come from a paired t-test on the printed mean ± SD?

    The paper gives both ends (mean ± SD) and the paired p-value, but not the
    SD of the change; that SD is fixed by the pre–post correlation r.  The
    check back-calculates r (:func:`cratus.appraisal.back_calculate_all`,
    n = the arm's N, or the 4 women per arm for SQOL-F) and passes when a
    plausible r (0 to 0.95) reproduces the printed p.  A fail suggests that
    "±" is a standard error rather than an SD, that fewer patients were
    analysed, or that another test was used.

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> rows = check_within_arm_p_values(p.summary, p.p_values, p.endpoints)
    >>> rows.query("endpoint == 'tnf_alpha_bcell' and arm == '200M'")["status"].tolist()
    ['fail']
    >>> rows.query("endpoint == 'cd25' and arm == '100M'")["status"].tolist()
    ['pass']
    """
    from cratus.appraisal import back_calculate_all, within_arm_results

    results = back_calculate_all(within_arm_results(summary, p_values, endpoints))
    rows = []
    for r in results.to_dict("records"):
        reported = (f"r = {r['correlation']:.3f}" if pd.notna(r["correlation"])
                    else "no r in [−1, 1]" if r["verdict"] == "impossible" else "r ≥ bound")
        rows.append({"check": "paired p reproducible", "endpoint": r["endpoint"], "level": "", "arm": r["arm"],
                     "visit": "month6", "status": "pass" if r["verdict"] == "plausible" else "fail",
                     "expected": "0 ≤ r ≤ 0.95", "reported": reported, "explanation": r["sentence"]})
    return _frame(rows)


def run_audit(summary, adverse_events=None, discrepancies=None, scales=None, p_values=None, endpoints=None):
    """Run every check and stack the results into one sortable table.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary frame.
    adverse_events : pandas.DataFrame, optional
        Table 2 by term; arm sizes come from ``participants`` and event
        totals from the summary's ``serious_adverse_events`` events counts.
    discrepancies : pandas.DataFrame, optional
        The curated data/discrepancies.csv.
    scales : dict, optional
        Integer-scored instruments, as in :func:`check_integer_scores`.
    p_values, endpoints : pandas.DataFrame, optional
        With them, :func:`check_within_arm_p_values` runs too.

    Returns
    -------
    pandas.DataFrame
        ``check, endpoint, level, arm, visit, status, expected, reported,
        explanation``.

    Examples
    --------
    >>> s = pd.DataFrame({"endpoint": "participants", "level": None,
    ...     "arm": ["100M", "200M", "placebo", "total"], "visit": "baseline",
    ...     "statistic": "n", "value": [10.0, 10, 10, 30], "source": "Table 1"})
    >>> run_audit(s)["status"].tolist()
    ['pass']
    """
    parts = [check_totals(summary), check_percentages(summary), check_pooled_totals(summary),
             check_integer_scores(summary, scales)]
    if adverse_events is not None:
        sizes = _arm_sizes(summary)
        sae = summary[(summary["endpoint"] == "serious_adverse_events") & (summary["level"] == "events")
                      & (summary["statistic"] == "count") & summary["arm"].isin(ARMS)]
        totals = sae.drop_duplicates("arm").set_index("arm")["value"].to_dict() or None
        parts.append(check_adverse_events(adverse_events, sizes, totals))
    if p_values is not None:
        parts.append(check_within_arm_p_values(summary, p_values, endpoints))
    if discrepancies is not None:
        parts.append(check_discrepancies(discrepancies))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else _frame([])


# --------------------------------------------------------------------------
# Reading aids
# --------------------------------------------------------------------------
#: Statuses in reading order (problems first), with their display text.
STATUS_LABELS = {"fail": "✗ fail", "not_checkable": "○ not checkable", "pass": "✓ pass"}


def audit_for_arms(audit, arms):
    """Audit rows about the chosen arms, plus those about no single arm (totals, all arms).

    Examples
    --------
    >>> a = pd.DataFrame({"arm": ["100M", "placebo", "total", ""], "status": "pass"})
    >>> audit_for_arms(a, ["100M"])["arm"].tolist()
    ['100M', 'total', '']
    """
    keep = ~audit["arm"].isin(ARMS) | audit["arm"].isin(list(arms))
    return audit[keep].reset_index(drop=True)


def audit_counts(audit):
    """How many checks pass, fail or cannot be checked.

    Examples
    --------
    >>> audit_counts(pd.DataFrame({"status": ["pass", "fail", "pass"]}))
    {'pass': 2, 'fail': 1, 'not_checkable': 0}
    """
    counts = audit["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in ("pass", "fail", "not_checkable")}


def audit_table(audit, endpoints=None, statuses=tuple(STATUS_LABELS)):
    """A table for reading of :func:`run_audit`: problems first, labels from the dictionary.

    Parameters
    ----------
    audit : pandas.DataFrame
        As returned by :func:`run_audit`.
    endpoints : pandas.DataFrame, optional
        The endpoint dictionary, for labels.
    statuses : sequence of str
        Statuses to keep.

    Returns
    -------
    pandas.DataFrame
        ``Status, Check, Where`` (endpoint · level · arm · visit), ``Expected,
        Reported, Explanation``, failures first.

    Examples
    --------
    >>> a = pd.DataFrame([_row("event total", "sae", "100M", "", "pass", "2", "2", "ok"),
    ...                   _row("events percent", "sae", "placebo", "", "fail", "17", "16", "1 of 6", "Aneurysm")])
    >>> audit_table(a)[["Status", "Where", "Reported"]].values.tolist()
    [['✗ fail', 'sae · Aneurysm · Placebo', '16'], ['✓ pass', 'sae · 100M', '2']]
    """
    from cratus.arms import ARM_SHORT, VISIT_LABELS

    labels = endpoints.set_index("endpoint")["label"].to_dict() if endpoints is not None else {}
    order = {s: i for i, s in enumerate(STATUS_LABELS)}
    rows = audit[audit["status"].isin(list(statuses))].copy()
    rows["_o"] = rows["status"].map(order)
    rows = rows.sort_values("_o", kind="stable")
    where = [" · ".join(str(x) for x in (labels.get(e, e), level, ARM_SHORT.get(a, {"all": "All arms"}.get(a, a)),
                                        VISIT_LABELS.get(v, v)) if x and not pd.isna(x))
             for e, level, a, v in zip(rows["endpoint"], rows["level"], rows["arm"], rows["visit"])]
    return pd.DataFrame({
        "Status": rows["status"].map(STATUS_LABELS).to_numpy(), "Check": rows["check"].to_numpy(), "Where": where,
        "Expected": rows["expected"].to_numpy(), "Reported": rows["reported"].to_numpy(),
        "Explanation": rows["explanation"].to_numpy(),
    })
