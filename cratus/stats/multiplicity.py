"""Multiplicity: the paper's p-values adjusted within a family (Bonferroni, Holm, Benjamini–Hochberg).

One p-value per test is kept by the shared rule of :mod:`cratus.study.provenance`;
the adjustments come from ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.multitest import multipletests

from cratus.study.provenance import select_p_values

FAMILY_LABELS = {"all": "All p-values", "each_domain": "Each domain separately"}


def _check_columns(frame, columns, name):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s): {', '.join(missing)}")


def _validate_choice(value, allowed, column):
    if value not in allowed:
        raise ValueError(f"{column} {value!r} is not one of {', '.join(sorted(map(str, allowed)))}")


def adjust_p_values(p_values, family="all", endpoints=None, alpha=0.05):
    """Adjust the paper's p-values for multiplicity within a chosen family.

    One p-value is kept per (endpoint, arm, comparison, visit): a value from
    the Results is preferred to one from a table or figure, and either to the
    Abstract, which rounds and sometimes contradicts the Results (see
    data/discrepancies.csv).  Bounds such as "p < .0001" enter with the bound
    as their value (``relation`` stays "<"), which is conservative.
    Bonferroni, Holm and Benjamini-Hochberg come from
    ``statsmodels.stats.multitest.multipletests``.

    Parameters
    ----------
    p_values : pandas.DataFrame
        The p_values frame.
    family : str
        ``"all"`` (one family of every p-value), ``"each_domain"`` (each
        domain its own family) or one domain, e.g. ``"functional"`` or
        ``"immune"``.
    endpoints : pandas.DataFrame, optional
        The endpoint dictionary (``endpoint, domain``); required unless
        ``family="all"``.
    alpha : float
        Family-wise error rate (Bonferroni, Holm) or false discovery rate (BH).

    Returns
    -------
    pandas.DataFrame
        ``endpoint, arm, comparison, visit, p_value, relation, domain, family,
        m, p_bonferroni, p_holm, p_fdr_bh, significant_raw,
        significant_bonferroni, significant_holm, significant_fdr_bh, source``,
        sorted by family and p-value.

    Examples
    --------
    >>> p = pd.DataFrame({"endpoint": ["a", "b", "c"], "arm": "100M",
    ...     "comparison": "within_arm", "visit": "month6",
    ...     "p_value": [0.01, 0.02, 0.04], "relation": "=", "source": "Results"})
    >>> adjust_p_values(p)[["endpoint", "p_holm", "p_fdr_bh", "significant_holm"]]
      endpoint  p_holm  p_fdr_bh  significant_holm
    0        a    0.03      0.03              True
    1        b    0.04      0.03              True
    2        c    0.04      0.04              True
    """
    keys = ["endpoint", "arm", "comparison", "visit"]
    _check_columns(p_values, [*keys, "p_value", "relation", "source"], "p_values")
    bad = p_values[~p_values["relation"].isin(["=", "<"])]
    if len(bad):
        raise ValueError(f"relation {bad['relation'].iloc[0]!r} is not '=' or '<'")
    bad = p_values[~p_values["p_value"].between(0, 1)]
    if len(bad):
        raise ValueError(f"p_value {bad['p_value'].iloc[0]!r} ({bad['endpoint'].iloc[0]}) is not in [0, 1]")
    data = select_p_values(p_values).reset_index(drop=True)
    if endpoints is not None:
        _check_columns(endpoints, ["endpoint", "domain"], "endpoints")
        data = data.merge(endpoints[["endpoint", "domain"]], on="endpoint", how="left")
        data["domain"] = data["domain"].fillna("unclassified")
    elif family != "all":
        raise ValueError(f"family {family!r} needs the endpoints dictionary (endpoints=...)")
    else:
        data = data.assign(domain=pd.NA)
    if family == "all":
        data["family"] = "all"
    elif family == "each_domain":
        data["family"] = data["domain"]
    else:
        _validate_choice(family, set(data["domain"].dropna()), "family")
        data = data[data["domain"] == family].assign(family=family)
    parts = []
    for _, part in data.groupby("family", sort=True):
        part = part.sort_values("p_value", kind="stable").copy()
        part["m"] = len(part)
        for method, column in (("bonferroni", "p_bonferroni"), ("holm", "p_holm"), ("fdr_bh", "p_fdr_bh")):
            part[column] = multipletests(part["p_value"], alpha=alpha, method=method)[1]
        parts.append(part)
    # No p-value at all (no test computable, e.g. nobody measured after baseline): an empty table, not an error.
    out = pd.concat(parts, ignore_index=True) if parts else data.assign(
        m=0, p_bonferroni=float("nan"), p_holm=float("nan"), p_fdr_bh=float("nan"))
    out["significant_raw"] = out["p_value"] < alpha
    for method in ("bonferroni", "holm", "fdr_bh"):
        out[f"significant_{method}"] = out[f"p_{method}"] < alpha
    columns = [*keys, "p_value", "relation", "domain", "family", "m", "p_bonferroni", "p_holm",
               "p_fdr_bh", "significant_raw", "significant_bonferroni", "significant_holm",
               "significant_fdr_bh", "source"]
    return out[columns + [c for c in ("quote", "printed") if c in out]]


def multiplicity_families(p_values, endpoints):
    """The families :func:`adjust_p_values` can take for these p-values, with labels.

    Examples
    --------
    >>> p = pd.DataFrame({"endpoint": ["a", "b"]})
    >>> e = pd.DataFrame({"endpoint": ["a", "b"], "domain": ["immune", "functional"]})
    >>> multiplicity_families(p, e)
    {'all': 'All p-values', 'each_domain': 'Each domain separately', 'functional': 'Functional', 'immune': 'Immune'}
    """
    domains = sorted(set(p_values[["endpoint"]].merge(endpoints[["endpoint", "domain"]], on="endpoint",
                                                      how="left")["domain"].dropna()))
    return {**FAMILY_LABELS, **{d: d.replace("_", " ").capitalize() for d in domains}}


def holm_survivors(study, alpha=0.05):
    """The :func:`adjust_p_values` frame of every p-value of *study* in one family ("all"), at *alpha*.

    Its ``significant_holm`` column says which results survive Holm's
    adjustment; the frame is sorted by p-value.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> found = holm_survivors(load_study())
    >>> int(found["m"].iloc[0]) == len(found), found["significant_holm"].dtype == bool
    (True, True)
    """
    return adjust_p_values(study.p_values, "all", study.endpoints, alpha)
