"""Theme of the figures: font, colours, pixel sizes per mode, title, legend and margins.

Arm colours, symbols and dashes are the study's (:class:`cratus.study.design.Design`);
this module holds what is the same for every study.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

from cratus.figures.geometry import line_width, wrap_px
from cratus.words import wrap

#: Narrowest figure a normal (not presentation) layout must survive: Streamlit's
#: main column is ~820 px wide in a 1280 px window with the sidebar open.  Text
#: keeps its pixel size when the figure stretches while the data spread out, so
#: a layout without overlaps at this width has none at any wider one.
MIN_WIDTH = 700
#: The same for presentation mode: a page may show the 1600 px figure in the
#: ~1080 px main column of a 1280 × 800 projector.
MIN_WIDTH_PRESENTATION = 1000
#: Font of every text in the figures: Arial's metrics (Liberation Sans on
#: Linux) are what the size estimates of :mod:`cratus.figures.geometry` assume.
FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
TEXT_COLOR = "#222222"
TITLE_COLOR = "#1A1A1A"
WARNING_COLOR = "#D55E00"      # Okabe–Ito vermillion
BAND_COLOR = "#F0F0F0"         # the zone of "not reported" boxes, below the data
MCID_COLOR = "rgba(0, 158, 115, 0.12)"   # Okabe–Ito bluish green, light
MCID_LINE = "#009E73"
# --- colours: every colour the figures write, named by what it marks --------------------------------
#: Arm colours, symbols and dashes are the study's (cratus.study.design); everything else is here.
WARNING_TEXT = "#A04000"       # Okabe–Ito vermillion, darker: text that marks a warning or a reproduced value
LINE_COLOR = "#333333"         # zero and reference lines, a curve without an arm
MUTED_COLOR = "#555555"        # notes, limits, the line where the visit changes
NOTE_COLOR = "#444444"         # a caveat under a figure
GRID_COLOR = "#888888"         # dotted reference levels (80% and 90% power, the plausible correlations)
THRESHOLD_COLOR = "#777777"    # the imbalance thresholds of the balance plot
SEPARATOR_COLOR = "#E5E5E5"    # a light line between the rows of a forest plot
HEADING_LINE = "#DDDDDD"       # the line above a heading row
GRIDLINE_COLOR = "#EEEEEE"
AXIS_LINE_COLOR = "#BBBBBB"
BLUE = "#0072B2"               # Okabe–Ito blue
MEDIAN_COLOR = "#707070"       # an arm's median against one participant
RANGE_FILL = "rgba(0, 158, 115, 0.10)"    # a reference range, Okabe–Ito bluish green, light
RANGE_MARKER = "rgba(0, 158, 115, 0.25)"  # its legend mark
SPREAD_FILL = "rgba(120, 120, 120, 0.25)"
LABEL_BACKGROUND = "rgba(255, 255, 255, 0.85)"   # behind a label that sits on the data
LABEL_BACKDROP = "rgba(255, 255, 255, 0.75)"     # lighter, behind a label beside the data
TRANSPARENT = "rgba(255, 255, 255, 0)"
WHITE = "#FFFFFF"
LIGHT_FILL = "#F2F2F2"
#: Severity → (fill colour, pattern): colour and pattern both, so print and colour-blind readers tell them apart.
SEVERITY_STYLE = {"mild": ("#FDD49E", ""), "moderate": ("#FC8D59", "/"), "severe": ("#B30000", "x")}
UNKNOWN_SEVERITY = ("#BDBDBD", ".")
#: Ink of a severity's pattern (white on the dark fill of "severe", else half-black).
PATTERN_INK = {"severe": "rgba(255, 255, 255, 0.7)"}
DEFAULT_PATTERN_INK = "rgba(0, 0, 0, 0.5)"
SERIOUS_COLOR = "#000000"      # the outline of a serious adverse event
EVENT_LINE = "#666666"         # the outline of any other event
#: Open glyphs matching the arm marker symbols, for the "not reported" boxes and p-value tags.
OPEN_GLYPHS = {"circle": "○", "square": "□", "diamond": "◇", "triangle-up": "△", "triangle-down": "▽",
               "cross": "✚", "x": "✕", "star": "☆"}
#: Filled glyphs of the same symbols.
FILLED_GLYPHS = {"circle": "●", "square": "■", "diamond": "◆", "triangle-up": "▲", "triangle-down": "▼",
                 "cross": "✚", "x": "✖", "star": "★"}


@dataclass(frozen=True)
class Look:
    """Where a figure is shown: a projector (*presentation*: text ≥ 20 px at 1600 px wide), a 390 px *phone*,
    or a saved file (*for_export*: the study's citation under the plot, so the image stands on its own)."""

    presentation: bool = False
    phone: bool = False
    for_export: bool = False
    #: The figure's height in px instead of the style's (a slide with text under its chart needs the room).
    height: int | None = None

    def style(self) -> dict:
        """The sizes of :func:`style` for this look, with its own height if it has one."""
        sizes = style(self.presentation, self.phone)
        return {**sizes, "height": self.height} if self.height else sizes


@functools.cache
def template() -> dict:
    """plotly_white, limited to the layout and scatter defaults, with tick labels never measured for overflow.

    Passing the whole template costs ~7 ms per figure, a third of the rerun budget.  Every axis draws its tick
    labels as they are (``ticklabeloverflow="allow"``): plotly's default measures each label in the browser to
    hide any that pass the chart's edge, a fifth of a four-panel grid's first draw (``bench/README.md``), and
    every figure here sets margins that hold its labels.
    """
    full = pio.templates["plotly_white"].to_plotly_json()
    layout = {**full["layout"], **{axis: {**full["layout"][axis], "ticklabeloverflow": "allow"}
                                   for axis in ("xaxis", "yaxis")}}
    return {"layout": layout, "data": {"scatter": full["data"].get("scatter", [])}}


#: Room kept free above a figure's title on a touch screen, where plotly's toolbar shows all the time.
MODEBAR_TOUCH = 30
#: The narrowest phone layout: a 390 px wide screen less the page's padding.
MIN_WIDTH_PHONE = 360


#: The smallest text of a chart on a slide, in CSS px at 1920 × 1080: read from the back of a room.
PRESENTATION_TEXT = 22


def style(presentation: bool = False, phone: bool = False) -> dict:
    """Pixel sizes of one mode: normal, presentation (text ≥ 22 px at 1:1) or phone (text ≥ 11 px).

    ``width`` is the figure's width (``None``: the page stretches it) and
    ``min_width`` the narrowest width its placements must hold at; ``small``
    is the size of the smallest text (the export citation); ``modebar`` the
    room kept free above the title for plotly's toolbar, which a touch screen
    shows all the time (on a desktop it shows on hover only).
    """
    if presentation:
        text = PRESENTATION_TEXT
        return {"font": text + 2, "tick": text, "title": text + 10, "subtitle": text, "panel_title": text + 4,
                "annotation": text, "small": text, "marker": 20, "line": 4.5, "error": 3.5, "cap": 10, "width": 1600,
                "height": 670, "min_width": MIN_WIDTH_PRESENTATION, "margin_l": 130, "margin_b": 70, "modebar": 0}
    if phone:
        return {"font": 13, "tick": 11, "title": 16, "subtitle": 12, "panel_title": 13, "annotation": 11,
                "small": 11, "marker": 9, "line": 2, "error": 1.5, "cap": 4, "width": None, "height": 550,
                "min_width": MIN_WIDTH_PHONE, "margin_l": 62, "margin_b": 40, "modebar": MODEBAR_TOUCH}
    return {"font": 16, "tick": 14, "title": 22, "subtitle": 15, "panel_title": 17, "annotation": 14, "small": 12,
            "marker": 12, "line": 2.5, "error": 2, "cap": 6, "width": None, "height": 560, "min_width": MIN_WIDTH,
            "margin_l": 95, "margin_b": 50, "modebar": 0}


def legend(style: dict, title: str, paper_h: float) -> dict:
    """A horizontal legend above the plot, under the title block."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": round(1 + 6 / paper_h, 4), "yanchor": "bottom",
            "font": {"size": style["font"], "color": TEXT_COLOR},
            "title": {"text": title, "side": "top", "font": {"size": style["font"] - 1, "color": TEXT_COLOR}},
            "bgcolor": "rgba(255,255,255,0)"}


def legend_lines(labels, style: dict, room: float, titled: bool) -> int:
    """Lines of the horizontal legend in *room* pixels (plus one for its title)."""
    lines, used = 1, 0.0
    for w in (40 + line_width(label, style["font"]) for label in labels):
        if used and used + w > room:
            lines, used = lines + 1, 0.0
        used += w
    return lines + (1 if titled else 0)


def top_margin(style: dict, subtitle_lines: int, legend_lines: int, title_lines: int = 1) -> int:
    """Room above the plot for the title, its subtitle and the legend, so none overlaps another."""
    return int(10 + style["modebar"] + title_lines * style["title"] * 1.4 + subtitle_lines * style["subtitle"] * 1.35
               + 10 + legend_lines * style["font"] * 1.75 + 10)


def title_text(text: str, style: dict, width: float) -> str:
    """A figure title wrapped to the narrowest width (bold text is about 8 % wider)."""
    return wrap_px(text, (width - 20) / 1.08, style["title"])


def title(text: str, subtitle: str, style: dict, height: float) -> dict:
    return {"text": f"<b>{text}</b>", "font": {"size": style["title"], "color": TITLE_COLOR},
            "subtitle": {"text": subtitle, "font": {"size": style["subtitle"], "color": "#333333"}},
            "x": 0, "xanchor": "left", "xref": "container", "pad": {"l": 10},
            "y": 1 - (10 + style["modebar"]) / height, "yref": "container", "yanchor": "top"}


def base_layout(style: dict, height) -> dict:
    """Layout keys every figure shares."""
    return {"template": template(), "font": {"size": style["font"], "color": TEXT_COLOR, "family": FONT_FAMILY},
            "showlegend": True, "height": height, "autosize": True, "hovermode": "closest",
            "hoverlabel": {"font": {"size": style["font"] - 2}, "align": "left"}}


def figure(data: list, layout: dict) -> go.Figure:
    """A figure without plotly's validation.

    Every property is set by this package and checked by the tests, which
    rebuild figures with validation on; validating again at each page rerun
    would cost two thirds of the build time.
    """
    return go.Figure({"data": data, "layout": layout}, _validate=False)


# --- the charts of the Baseline, Safety and Appraisal pages -----------------------------------------
#: Text size of those charts on a laptop and projector, and on a phone (a 390 px screen).
CHART_FONT, CHART_PHONE_FONT = 16, 12


def chart_layout(figure: go.Figure, title: str, height: int, top: int = 100, phone: bool = False) -> go.Figure:
    """The package's plotly_white (:func:`cratus.figures.theme.template`), 16 px, title top left and the legend
    under it (both from the figure's left edge).  On a *phone*: 12 px, the title wrapped to a 390 px screen and
    kept under plotly's toolbar (a touch screen shows it all the time), the figure taller by what that takes."""
    size, title_size, pad = (CHART_PHONE_FONT, 15, 12 + MODEBAR_TOUCH) if phone else (CHART_FONT, None, 12)
    extra = 0
    if phone:
        title = wrap_px(title, MIN_WIDTH_PHONE - 20, title_size) if title else title
        extra = MODEBAR_TOUCH + title.count("<br>") * round(title_size * 1.3)
        top, height = top + extra, height + extra
    figure.update_layout(
        template=template(), font={"size": size}, height=height,
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yref": "container",
               "yanchor": "top", "pad": {"t": pad, "l": 4}, **({"font": {"size": title_size}} if phone else {})},
        margin={"l": 10, "r": 20 if not phone else 8, "t": top, "b": 10},
        legend={"orientation": "h", "xref": "container", "x": 0, "xanchor": "left", "yref": "container",
                "y": 1, "yanchor": "top", "entrywidthmode": "pixels", "entrywidth": 0,
                "itemclick": "toggle"} | ({"y": 1 - (46 + extra) / height} if title else {}),
        hoverlabel={"font_size": size},
    )
    return figure


def bar_layout(figure: go.Figure, title: str, height: int, compact: bool = False,
               presentation: bool = False) -> go.Figure:
    """The bar and balance charts of the Baseline and Safety pages; *compact* (a phone) wraps the title, uses 13 px text and puts the legend under the plot;
    *presentation* (a projector) uses at least 22 px everywhere (:func:`style`'s presentation sizes)."""
    if presentation:
        figure.update_layout(
            template="plotly_white",
            title={"text": title, "x": 0, "xanchor": "left", "font": {"size": PRESENTATION_TEXT + 6}},
            font={"size": PRESENTATION_TEXT, "color": TITLE_COLOR}, height=height + 120,
            margin={"l": 10, "r": 10, "t": 110, "b": 10},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left",
                    "font": {"size": PRESENTATION_TEXT}})
        figure.update_xaxes(tickfont={"size": PRESENTATION_TEXT}, title_font={"size": PRESENTATION_TEXT})
        figure.update_yaxes(tickfont={"size": PRESENTATION_TEXT}, title_font={"size": PRESENTATION_TEXT})
        figure.update_traces(textfont_size=PRESENTATION_TEXT, selector={"type": "bar"})
        return figure
    if compact:
        # Title at the top of the container under the toolbar a touch screen always shows, the legend in its own
        # band between the title and the plot.
        figure.update_layout(
            template="plotly_white",
            title={"text": wrap(title, 34), "x": 0, "xanchor": "left", "y": 1, "yref": "container",
                   "yanchor": "top", "pad": {"t": 8 + MODEBAR_TOUCH}},
            font={"size": 13, "color": TITLE_COLOR}, height=height + 80 + MODEBAR_TOUCH,
            margin={"l": 6, "r": 6, "t": 120 + MODEBAR_TOUCH, "b": 10},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "xanchor": "left"})
        return figure
    figure.update_layout(
        template="plotly_white", title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        font={"size": CHART_FONT, "color": TITLE_COLOR}, height=height, margin={"l": 10, "r": 10, "t": 100, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
    )
    return figure
