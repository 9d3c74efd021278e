"""The study at a glance: the CONSORT-style participant flow.

Randomized and allocated come from the ``participants`` rows of the summary;
further stages are listed in the study's optional ``flow.csv`` (``stage, kind,
endpoint, level, source``): ``count`` reads a count row of the summary
(endpoint and level at baseline), ``event`` counts rows of the long-term events
whose ``event`` is *endpoint*, and ``not_reported`` says so.
"""

from __future__ import annotations

import pandas as pd

from cratus.study.design import TOTAL
from cratus.formatting import NOT_REPORTED
from cratus.study.model import PARTICIPANTS, Study
from cratus.figures.theme import LIGHT_FILL, WHITE  # colours


def _count(study: Study, endpoint: str, arm: str, statistic: str, level: str = "") -> str:
    s = study.summary
    rows = s[(s["endpoint"] == endpoint) & (s["arm"] == arm) & (s["level"] == level) & (s["statistic"] == statistic)]
    return f"{rows['value'].max():g}" if not rows.empty else NOT_REPORTED


def consort_flow(study: Study) -> pd.DataFrame:
    """Participant flow per arm, from what the study reports.

    Returns
    -------
    pandas.DataFrame
        ``stage, arm, count, source`` (count is a string: a number or "not reported in the text").

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> flow = consort_flow(load_study())
    >>> flow.query("arm == '200M'")[["stage", "count"]].values.tolist()[:3]
    [['Allocated', '10'], ['Received infusion', '10'], ['Died before 12 months', '1']]
    """
    stages = study.flow
    records = [{"stage": "Randomized", "arm": TOTAL, "count": _count(study, PARTICIPANTS, TOTAL, "n"),
                "source": "participants per arm"}]
    events = study.long_term_events
    for arm in study.design.arm_ids:
        records.append({"stage": "Allocated", "arm": arm, "count": _count(study, PARTICIPANTS, arm, "n"),
                        "source": "participants per arm"})
        for stage in stages.to_dict("records"):
            if stage["kind"] == "count":
                count = _count(study, stage["endpoint"], arm, "count", stage["level"])
            elif stage["kind"] == "event":
                count = str(int(((events["event"].str.lower() == stage["endpoint"].lower())
                                 & (events["arm"] == arm)).sum()))
            else:
                count = NOT_REPORTED
            records.append({"stage": stage["stage"], "arm": arm, "count": count, "source": stage["source"]})
    return pd.DataFrame.from_records(records)


def _dot_text(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def consort_dot(study: Study, flow: pd.DataFrame | None = None) -> str:
    """The participant flow as a Graphviz DOT diagram (for ``st.graphviz_chart``); *flow* defaults to
    :func:`consort_flow` of the study (a page's cache then keys on the study alone, not on a hashed frame).

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> dot = consort_dot(s, consort_flow(s))
    >>> "Randomized" in dot and "n = 10" in dot
    True
    """
    flow = consort_flow(study) if flow is None else flow
    design = study.design
    lines = ['digraph consort {', 'rankdir=TB; nodesep=0.3; ranksep=0.35;',
             f'node [shape=box, style="rounded,filled", fillcolor="{WHITE}", fontname="Helvetica", fontsize=18];']
    top = flow[flow["arm"] == TOTAL]
    if not top.empty:
        lines.append(f'start [label="Randomized\\nn = {top["count"].iloc[0]}", fillcolor="{LIGHT_FILL}"];')
    for number, arm in enumerate(design.arm_ids):
        rows = flow[flow["arm"] == arm]
        previous = "start" if not top.empty else None
        for index, (stage, count) in enumerate(zip(rows["stage"], rows["count"])):
            node = f'"arm{number}_{index}"'
            shown = f"n = {count}" if count != NOT_REPORTED else "not reported\\nin the text"
            heading = f"{_dot_text(design.label(arm))}\\n{_dot_text(stage)}" if index == 0 else _dot_text(stage)
            lines.append(f'{node} [label="{heading}\\n{shown}", color="{design.color(arm)}", penwidth=2];')
            if previous:
                lines.append(f"{previous} -> {node};")
            previous = node
    lines.append("}")
    return "\n".join(lines)


def consort_table(study: Study, flow: pd.DataFrame | None = None) -> pd.DataFrame:
    """The participant flow as a table: one row per stage, one column per arm (screen readers and phones);
    *flow* defaults to :func:`consort_flow` of the study.

    Examples
    --------
    >>> from cratus.study.model import load_study
    >>> s = load_study()
    >>> t = consort_table(s, consort_flow(s))
    >>> t.set_index("Stage").loc["Died before 12 months"].tolist()
    ['0', '1', '0', '']
    >>> t.set_index("Stage").loc["Randomized", "Total"]
    '30'
    """
    flow = consort_flow(study) if flow is None else flow
    design = study.design
    stages = list(dict.fromkeys(flow["stage"]))
    cells = {(stage, arm): count for stage, arm, count in flow[["stage", "arm", "count"]].itertuples(index=False)}
    return pd.DataFrame([{"Stage": stage, **{design.short(arm): cells.get((stage, arm), "")
                                             for arm in (*design.arm_ids, TOTAL)}} for stage in stages])
