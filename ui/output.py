"""One call per output: compute it (cached by the study), show it, add it to the page's report, and put the code
behind it under it.

A page names an output once, as the call that makes it (:class:`cratus.outputs.code.Call`, written with
:func:`call`)::

    ui.table(ui.call(table_one, arms=tuple(arms)), caption="Baseline characteristics", download="table1")
    ui.chart(ui.call(balance_figure, arms=tuple(arms)), screen={"compact": ui.on_phone()})

For a study computed from patients, a collapsed "Python" expander under the output holds the lines that
reproduce it from the same files and selections (:meth:`cratus.outputs.code.Recipe.code`), named after the
output itself.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import replace

import pandas as pd
import streamlit as st

from cratus.outputs.code import Call, pick_from
from ui import keys
from ui.render import show_chart, show_table
from ui.session import study
from ui.state import cached


def call(func, *args, pick: tuple = (), **kwargs) -> Call:
    """The output ``func(study, *args, **kwargs)`` (then ``[pick...]``, an item of a view) on the session's study."""
    return Call(func, args, kwargs, tuple(pick))


def compute(output: Call):
    """The value of *output* on the session's study, computed once per study and choice (:func:`ui.state.cached`);
    shared, so callers must not modify it."""
    result = cached(output.func, *output.args, **output.kwargs)
    for key in output.pick:
        result = pick_from(result, key)
    return result


def table(output: Call, caption: str, *, shown=None, within=None, **options) -> pd.DataFrame:
    """Compute *output* (a table), show it with *caption* (:func:`ui.render.show_table`'s *options*: ``download``,
    ``patient_rows``, ``stack``, ``column_config``), add it to the report and put its code under it.

    *shown* adjusts what is drawn (drop or rename columns) and *within* is the container to draw it in (an
    expander: the code goes under the container, as expanders do not nest).  Returns the computed table.
    """
    frame = compute(output)
    with within if within is not None else nullcontext():
        show_table(shown(frame) if shown is not None else frame, caption=caption, **options)
    code(output, title=caption, shows="table")
    return frame


def chart(output: Call, *, screen: dict | None = None, title: str = "", **options):
    """Compute *output* (a figure), draw it (:func:`ui.render.show_chart`'s *options*: ``config``, ``key``,
    ``clickable``, ``patient_rows``), add it to the report and put its code under it; returns the chart's event.

    *screen* are arguments that fit the figure to this screen (``phone``, ``compact``, ``presentation``): they
    are passed to the call but left out of its code, which draws the figure for any screen.  The code is named
    after *title*, else the figure's own title.
    """
    figure = compute(replace(output, kwargs={**output.kwargs, **(screen or {})}))
    event = show_chart(figure, **options)
    code(output, title=title or figure_title(figure), shows="figure")
    return event


def figure_title(figure) -> str:
    """A figure's title as plain words (its first line, without HTML), or "Figure"."""
    text = getattr(getattr(figure.layout, "title", None), "text", None) or "Figure"
    return re.sub(r"<[^>]+>", " ", text).split("  ")[0]


def code(output: Call, title: str = "", shows: str = "table") -> None:
    """Under an output: a collapsed "Python" expander with the lines that reproduce *output* from the same files
    and selections, and their download (studies computed from patients only; nothing otherwise).

    *title* names the output in the snippet's first line; *shows* says how its last line shows the result
    (``"table"`` or ``"figure"``).  Use :func:`table` or :func:`chart`; this is for outputs drawn otherwise (a
    figure with each patient's lines added, a listing to pick a row from).
    """
    current = study()
    recipe = current.recipe
    if not current.has_patients or recipe is None:
        return
    text = recipe.code(output, title=title, shows=shows)
    shown = st.session_state.setdefault(keys.CODE_SNIPPETS, [])
    name = output.func.__name__
    key = f"code_{name}_{sum(s['call'].func is output.func for s in shown)}"
    shown.append({"code": text, "call": output, "title": title})
    # Built when opened: most readers never open it, and a page has many outputs.
    box = st.expander("Python", icon=":material/code:", key=key, on_change="rerun")
    if box.open:
        with box:
            st.caption("These lines recompute this output from the same data and choices.")
            st.code(text, language="python")
            st.download_button("Python file (.py)", text.encode("utf-8"), file_name=f"{name}.py",
                               mime="text/x-python", key=f"{key}_download", icon=":material/download:")
