"""Patient-level results for the pages: tests as readable tables, exact incidence, and each patient's trajectory.

Everything here is computed from patients (:mod:`cratus.patient.stats`) and says so; the study is the
first argument so that pages can cache the calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cratus.formatting import format_p
from cratus.patient.stats import ae_incidence, between_arm_tests, not_computable, patient_data, within_arm_tests
from cratus.study.model import Study

#: Lines per arm drawn in a trajectory plot; above it a seeded sample is drawn, and the caption says so.
MAX_LINES_PER_ARM = 150


def _number(value: float, digits: int) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


def _digits(values) -> int:
    finite = np.abs(np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float))
    if not len(finite) or finite.max() == 0:
        return 2
    return int(np.clip(2 - np.floor(np.log10(finite.max())), 0, 3))


def tests_table(study: Study, endpoint: str, arms=None) -> pd.DataFrame:
    """Every test of *endpoint* computed from the patients: within arms against baseline, and against the control.

    Returns
    -------
    pandas.DataFrame
        ``Compares, Test, Estimate (95% CI), p-value, n`` (n: complete pairs, or patients per arm).

    Examples
    --------
    >>> from cratus.patient import read_patient_data, to_study
    >>> from cratus.patient.synthetic import synthetic_files
    >>> from cratus.study.model import load_study
    >>> files = synthetic_files("long", seed=1)
    >>> s = to_study(read_patient_data(*files.values(), names=list(files)), reference=load_study())
    >>> t = tests_table(s, "six_minute_walk")
    >>> t.iloc[0][["Compares", "Test", "n"]].tolist()
    ['6 months vs baseline, within 100M', 'paired t-test', '10 pairs']
    >>> "ANCOVA (adjusted for baseline)" in set(t["Test"])
    True
    """
    from cratus.tables.safety import comparison_words

    design = study.design
    keep = set(design.order(arms if arms is not None else design.arm_ids))
    within = within_arm_tests(study, endpoint)
    between = between_arm_tests(study, endpoint)
    frames = [within.assign(n_text=within["n"].map(lambda n: f"{n:g} pairs")),
              between.assign(n_text=[f"{a:g} vs {b:g}" for a, b in zip(between["n"], between["n_control"])])]
    rows = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(len(f) for f in frames) else None
    columns = ["Compares", "Test", "Estimate (95% CI)", "p-value", "n"]
    if rows is None:
        return pd.DataFrame(columns=columns)
    rows = rows[rows["arm"].isin(keep)]
    digits = _digits(rows["estimate"])
    records = []
    for r in rows.to_dict("records"):
        interval = ("" if not np.isfinite(r["ci_low"]) else
                    f" ({_number(r['ci_low'], digits)} to {_number(r['ci_high'], digits)})")
        test = "ANCOVA (adjusted for baseline)" if r["test"] == "ANCOVA" else r["test"]
        estimate = _number(r["estimate"], digits) + interval
        if r["test"] == "Mann–Whitney U test":
            estimate = f"difference of medians {_number(r['estimate'], digits)}"
        elif r["test"] == "Wilcoxon signed-rank test":
            estimate = f"median change {_number(r['estimate'], digits)}"
        note = r.get("note")
        why = not_computable(r["p_value"], r["n"], r.get("n_control"), note if isinstance(note, str) else "")
        if why and not np.isfinite(r["estimate"]):
            estimate = "—"
        records.append({"Compares": comparison_words(study, r["comparison"], r["arm"], r["visit"]), "Test": test,
                        "Estimate (95% CI)": estimate, "p-value": why or format_p(r["p_value"], computed=True),
                        "n": r["n_text"]})
    return pd.DataFrame.from_records(records, columns=columns)


def incidence_table(study: Study, serious_only: bool = True, arms=None) -> pd.DataFrame:
    """Patients with at least one adverse event per arm, with the exact (Clopper–Pearson) 95% CI.

    Examples
    --------
    >>> from cratus.patient import read_patient_data, to_study
    >>> from cratus.patient.synthetic import synthetic_files
    >>> files = synthetic_files("long", seed=1)
    >>> s = to_study(read_patient_data(*files.values(), names=list(files)))
    >>> incidence_table(s, serious_only=False).columns.tolist()
    ['Arm', 'Patients with an event', 'Percent (exact 95% CI)']
    """
    design = study.design
    table = ae_incidence(study, serious_only=serious_only)
    keep = set(design.order(arms if arms is not None else design.arm_ids))
    table = table[table["arm"].isin(keep)]
    return pd.DataFrame({
        "Arm": [design.label(a) for a in table["arm"]],
        "Patients with an event": [f"{p:g} of {n:g}" for p, n in zip(table["patients"], table["n"])],
        "Percent (exact 95% CI)": [f"{e:.0f}% ({lo:.1f} to {hi:.1f})" for e, lo, hi in
                                   zip(table["estimate"], table["ci_low"], table["ci_high"])],
    })


def add_trajectories(study: Study, figure: go.Figure, seed: int = 0) -> tuple[go.Figure, str]:
    """A copy of an endpoint figure with each patient's values joined by a thin line under the arm summaries.

    Each value is a small marker whose ``customdata`` is the patient's subject id.  The lines follow the
    arm's own lane (the x positions of the arm's trace); above :data:`MAX_LINES_PER_ARM` patients per arm a
    seeded sample is drawn.  Returns the figure and a
    sentence saying what was drawn.
    """
    data = patient_data(study)
    measurements = data.measurements
    lines, sampled = [], False
    rng = np.random.default_rng(seed)
    for trace in figure.data:
        meta = trace.meta or {}
        if meta.get("role") != "arm" or trace.x is None:
            continue
        visits = list(meta.get("visits") or [])
        rows = measurements[(measurements["endpoint"] == meta["endpoint"]) & (measurements["arm"] == meta["arm"])
                            & measurements["visit"].isin(visits)]
        wide = rows.pivot_table(index="usubjid", columns="visit", values="value", aggfunc="first", observed=True)
        wide = wide.reindex(columns=visits)
        if len(wide) > MAX_LINES_PER_ARM:
            wide = wide.iloc[np.sort(rng.choice(len(wide), MAX_LINES_PER_ARM, replace=False))]
            sampled = True
        xs, ys, ids = [], [], []
        for subject, values in zip(wide.index.astype(str), wide.to_numpy()):
            xs += [*trace.x, None]
            ys += [*(None if np.isnan(v) else float(v) for v in values), None]
            ids += [subject] * len(values) + [None]
        color = study.design.color(meta["arm"])
        # Small markers carry the subject id (customdata), so a page can open the patient a reader clicks.
        lines.append(go.Scatter(x=xs, y=ys, mode="lines+markers", xaxis=trace.xaxis, yaxis=trace.yaxis,
                                line={"color": color, "width": 1}, marker={"color": color, "size": 5},
                                opacity=0.35, customdata=ids,
                                hovertemplate="Patient %{customdata}: %{y:.4~g}<extra></extra>",
                                showlegend=False, meta={"role": "trajectory", "arm": meta["arm"],
                                                        "endpoint": meta["endpoint"]}))
    # A new figure: plotly only lets ``data`` be reassigned to a permutation of its own traces.
    out = go.Figure(data=[*lines, *figure.data], layout=figure.layout)
    out.update_yaxes(autorange=True)
    words = (f"Thin lines: a random sample of {MAX_LINES_PER_ARM} patients per arm (seeded), too many to draw "
             "all legibly." if sampled else "Thin lines: each patient's values, in their arm's colour.")
    return out, words


def subgroup_table(study: Study, endpoint: str, variables=(), visit: str | None = None, arms=None) -> pd.DataFrame:
    """The subgroup effects (:func:`cratus.patient.subgroups.subgroup_effects`) as a readable table.

    One row per level: ``Subgroup, Level``, then per active arm its difference
    in mean change from the control with the Welch 95% CI and the patients per
    arm, and the variable's interaction p-value.

    Examples
    --------
    >>> from cratus.patient import to_study
    >>> from cratus.patient.synthetic import make_synthetic
    >>> t = subgroup_table(to_study(make_synthetic(seed=1)), "six_minute_walk", ("sex",), arms=("allo_hmsc_100m",))
    >>> t.iloc[1].tolist()
    ['Sex', 'Female', '90 (−90 to 270)', '4 / 4', 'p = .772']
    """
    from cratus.patient.subgroups import OVERALL, subgroup_effects

    design = study.design
    effects = subgroup_effects(study, endpoint, variables, visit=visit, arms=arms)
    digits = _digits(effects["ci_high"].abs().tolist() + effects["ci_low"].abs().tolist())
    rows = []
    for (variable, level), cells in effects.groupby(["variable", "level"], sort=False):
        first = cells.iloc[0]
        row = {"Subgroup": first["variable_label"] or OVERALL, "Level": first["level_label"] if variable else "—"}
        for cell in cells.itertuples(index=False):
            name = f"{design.short(cell.arm)} vs {design.short(cell.control)}"
            row[f"{name}: difference (95% CI)"] = (
                f"{_number(cell.estimate, digits)} ({_number(cell.ci_low, digits)} to {_number(cell.ci_high, digits)})"
                .replace("-", "−") if cell.estimable else cell.note)
            row[f"{name}: patients"] = f"{cell.n} / {cell.n_control}"
        p_value = first["interaction_p"]
        row["Interaction p"] = (format_p(p_value, computed=True) if pd.notna(p_value)
                                else "—" if not variable else "not tested")
        rows.append(row)
    return pd.DataFrame(rows)
