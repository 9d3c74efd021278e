"""Figures of a study's endpoints: one panel builder, reused for every panel and grid.

Every panel has the same shape: one summary number per arm and visit (mean ±
SD or median (IQR)), within-arm p-values (primary follow-up vs baseline),
sometimes p-values against the control arm, and cells the text does not
report.  Every function takes the :class:`~cratus.study.model.Study` first, so a
page can cache it per study.

Modules
-------
* :mod:`~cratus.figures.panel_data` – the numbers of a panel (tidy frame).
* :mod:`~cratus.figures.change` – change from baseline and its interval.
* :mod:`~cratus.figures.sentences` – outcome definition, summary sentence, grid note.
* :mod:`~cratus.words` – phrase helpers (lists, labels mid-sentence).
* :mod:`~cratus.figures.geometry` – text widths, wrapping, overlap and placement.
* :mod:`~cratus.figures.lanes` – the arms' dodge and their lines as obstacles.
* :mod:`~cratus.figures.theme` – font, colours, sizes, title, legend.
* :mod:`~cratus.figures.marks` – p-value tags, discrepancy flags, MCID, :func:`find_annotations`.
* :mod:`~cratus.figures.band` – the "not reported" band.
* :mod:`~cratus.figures.panel` – one panel's traces, annotations, shapes and axes.
* :mod:`~cratus.figures.builders` – single panel, grid, export settings.
* :mod:`~cratus.figures.profile` – one participant: endpoints against their arm's median, adverse-event timeline.

Conventions that pages and tests rely on
----------------------------------------
* One scatter trace per selected arm, in the design's order, named with the
  arm's label, ``legendgroup = arm`` and ``meta = {"role": "arm",
  "endpoint", "arm", "visits", "metric"}``.  ``y`` holds the plotted centre
  and ``None`` where the text reports nothing; ``error_y.array`` /
  ``arrayminus`` the distances to the whiskers (SD, quartiles, or the 95% CI
  of a mean change), ``None`` likewise.  ``x`` is numeric (visit index plus
  the arm's dodge, the same at every visit).
* Annotations are named ``"ROLE|endpoint|arm|visit"`` (:func:`find_annotations`):
  ``not_reported``, ``p_within``, ``p_vs_control``, ``p_between``,
  ``discrepancy`` ("⚠", explained in words in ``hovertext``), ``mcid`` and
  ``panel_title`` (grids).  p-value tags are listed at the top of their
  panel (``xref``/``yref`` "… domain"), each starting with the arm's glyph
  in its colour and its short name and saying what it compares
  ("● 100M: 6 mo vs baseline p = .011", "● 100M vs Placebo p < .00001").
* Cells not reported get a "◇ not reported" box in a grey band at the bottom
  of the panel (a ``layout.shapes`` rectangle); nothing is plotted for them.
* In the change view the interval is the 95% CI of the mean change under
  the assumed pre–post correlation (``interval="ci"``) or ± SD of the change
  drawn as a shaded band (``interval="sd"``, shapes named ``sd_band|…``); a
  study's MCID (``study.mcid``) is a light band (shape ``mcid|…``) labelled
  "MCID".
* Outside presentation mode no ``layout.width`` is set; every placement holds
  from 700 px up (360 px with ``Look(phone=True)``).  ``layout.meta`` carries the study's title, arms and
  citation for exports.
"""

from cratus.figures.builders import build_endpoint_figure, build_figure_grid, image_export_config
from cratus.figures.change import INTERVALS
from cratus.figures.marks import find_annotations
from cratus.figures.panel_data import PANEL_COLUMNS, Measure, endpoint_panel_data
from cratus.figures.sentences import figure_summary_sentence, outcome_definition
from cratus.figures.table import panel_table
from cratus.figures.theme import Look

__all__ = [
    "INTERVALS", "Look", "Measure", "PANEL_COLUMNS", "build_endpoint_figure", "build_figure_grid", "endpoint_panel_data",
    "figure_summary_sentence", "find_annotations", "image_export_config", "outcome_definition", "panel_table",
]
