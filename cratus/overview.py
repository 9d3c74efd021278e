"""The trial at a glance: the CONSORT-style participant flow."""

from __future__ import annotations

import pandas as pd

from cratus.arms import ARM_COLORS, ARM_LABELS, ARMS
from cratus.formatting import NOT_REPORTED

STAGES = ("Randomized", "Allocated", "Received infusion", "Died before 12 months", "Analysed")


def consort_flow(summary: pd.DataFrame, long_term_events: pd.DataFrame) -> pd.DataFrame:
    """Participant flow per arm, from what the text reports.

    The text gives the number randomized (n = 30), allocated (N = 10 per
    arm), infused (Table 1, infusion status) and the one death; it does not
    report how many were analysed for each endpoint, so that stage reads
    "not reported in the text".

    Returns
    -------
    pandas.DataFrame
        ``stage, arm, count, source`` (count is a string: a number or
        "not reported in the text").

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> flow = consort_flow(p.summary, p.long_term_events)
    >>> flow.query("arm == '200M'")[["stage", "count"]].values.tolist()[:3]
    [['Allocated', '10'], ['Received infusion', '10'], ['Died before 12 months', '1']]
    """
    def value(endpoint, arm, statistic, level="", source="Table 1"):
        rows = summary[(summary["endpoint"] == endpoint) & (summary["arm"] == arm) & (summary["level"] == level)
                       & (summary["statistic"] == statistic) & (summary["source"] == source)]
        return f"{rows['value'].iloc[0]:g}" if not rows.empty else NOT_REPORTED

    records = [{"stage": "Randomized", "arm": "total", "count": value("participants", "total", "n"),
                "source": "Table 1 (Total N = 30); Abstract (n = 30)"}]
    deaths = long_term_events[long_term_events["event"].str.lower() == "death"]
    for arm in ARMS:
        died = int((deaths["arm"] == arm).sum())
        records += [
            {"stage": "Allocated", "arm": arm, "count": value("participants", arm, "n"), "source": "Table 1 header"},
            {"stage": "Received infusion", "arm": arm, "count": value("infusion_status", arm, "count", "yes"),
             "source": "Table 1, infusion status"},
            {"stage": "Died before 12 months", "arm": arm, "count": str(died),
             "source": "Results: Long-term adverse events"},
            {"stage": "Analysed", "arm": arm, "count": NOT_REPORTED,
             "source": "Screening and analysis numbers are in the paper's Figure 1 and supplement, not in the text"},
        ]
    return pd.DataFrame.from_records(records)


def consort_dot(flow: pd.DataFrame) -> str:
    """The participant flow as a Graphviz DOT diagram (for ``st.graphviz_chart``).

    Examples
    --------
    >>> flow = pd.DataFrame({"stage": ["Randomized", "Allocated"], "arm": ["total", "100M"],
    ...                      "count": ["30", "10"], "source": ["", ""]})
    >>> "Randomized" in consort_dot(flow) and "n = 10" in consort_dot(flow)
    True
    """
    lines = ['digraph consort {', 'rankdir=TB; nodesep=0.3; ranksep=0.35;',
             'node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=18];']
    top = flow[flow["arm"] == "total"]
    if not top.empty:
        lines.append(f'start [label="Randomized\\nn = {top["count"].iloc[0]}", fillcolor="#f2f2f2"];')
    for arm in ARMS:
        rows = flow[flow["arm"] == arm]
        previous = "start" if not top.empty else None
        for index, (stage, count) in enumerate(zip(rows["stage"], rows["count"])):
            node = f'"{arm}_{index}"'
            shown = f"n = {count}" if count != NOT_REPORTED else "not reported\\nin the text"
            heading = f"{ARM_LABELS[arm]}\\n{stage}" if index == 0 else stage
            lines.append(f'{node} [label="{heading}\\n{shown}", color="{ARM_COLORS[arm]}", penwidth=2];')
            if previous:
                lines.append(f"{previous} -> {node};")
            previous = node
    lines.append("}")
    return "\n".join(lines)


def consort_table(flow: pd.DataFrame) -> pd.DataFrame:
    """The participant flow as a table: one row per stage, one column per arm (for screen readers and phones).

    Examples
    --------
    >>> from cratus.data import load_published
    >>> p = load_published()
    >>> t = consort_table(consort_flow(p.summary, p.long_term_events))
    >>> t.set_index("Stage").loc["Died before 12 months"].tolist()
    ['0', '1', '0', '']
    >>> t.set_index("Stage").loc["Randomized", "Total"]
    '30'
    """
    from cratus.arms import ARM_SHORT

    stages = list(dict.fromkeys(flow["stage"]))
    cells = {(stage, arm): count for stage, arm, count in flow[["stage", "arm", "count"]].itertuples(index=False)}
    return pd.DataFrame([{"Stage": stage, **{ARM_SHORT[arm]: cells.get((stage, arm), "") for arm in (*ARMS, "total")}}
                         for stage in stages])
