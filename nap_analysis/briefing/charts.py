"""The house style of the charts: palette, contrast, tick formatters and the shared drawing helpers.

Each chart lives with its section (:mod:`.sections`); what they share is here, so every chart
looks alike: the object API only (``Figure()``, no pyplot), so no global figure state is
created, and the house style (``style/nap.mplstyle``) applied with ``matplotlib.style.context``
inside each chart (:func:`house_style`): importing this module changes no rcParams.

Words on a chart come from two places: status words from ``labels`` (status code -> the
report year's display word, e.g. 2025: completed -> "wordt invulling gegeven aan"), and all
other words from the catalogue (:mod:`nap_analysis.words`, keys ``chart.*``). Numbers, euros
and dates go through the one formatter (:mod:`.format`).

Colours: :data:`STATUS_COLOURS` has a clearly different lightness per status (pairwise
relative-luminance difference >= 0.12), so statuses stay apart in greyscale print and for
colour-blind readers. Segments of a bar that may touch differ by a WCAG contrast of at least 3:1
or by a pattern: 'stopped', 'delayed' and 'alternative' are hatched (:data:`STATUS_HATCHES`), and
the three plain colours (completed, in progress, not started) are >= 3:1 apart from each other.
A fill that has less than 3:1 against the white page gets a dark outline (:func:`edge_colour`).

Files (PNG and SVG bytes, the figure block) are made by :mod:`.render.figure`.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import style as mpl_style
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, Formatter, PercentFormatter

from ..data.vocabulary import LANGUAGES, MOTION_STATUSES, TOTAL
from ..errors import UsageError
from ..words import words
from .format import fmt

#: The house style; applied per figure, never globally.
STYLE_PATH: Path = Path(__file__).resolve().parent / "style" / "nap.mplstyle"


#: Status code -> colour, in vocabulary order (MOTION_STATUSES = activity codes + 'alternative').
#: Relative luminance (WCAG): completed 0.017, stopped 0.146, in_progress 0.270,
#: alternative 0.441, delayed 0.704, not_started 0.930 -> pairwise difference >= 0.12
#: (CIE L* 14, 45, 59, 72, 87, 97). Hues after Okabe-Ito (blue, vermillion, sky blue, bluish
#: green, yellow), lightness tuned so that the statuses also keep >= 8 L* apart under simulated
#: protanopia, deuteranopia and tritanopia (Machado et al. 2009); see tests/test_figures.py.
#: The unhatched three have WCAG contrast >= 3:1 with each other (completed : in_progress 4.8,
#: in_progress : not_started 3.04, completed : not_started 14.6): sky blue was #2E9BE4 (0.296),
#: which had only 2.8:1 against not started and 1.42:1 against 'alternative'; the new blue is
#: greyer (#5A93C8), the one hue near sky blue at that lightness that keeps >= 8 L* from
#: vermillion under simulated deuteranopia.
STATUS_COLOURS: dict[str, str] = {
    "completed": "#0A2342",  # dark navy
    "in_progress": "#5A93C8",  # steel blue
    "delayed": "#F2DC3F",  # yellow, hatched
    "stopped": "#C03C2C",  # vermillion red, hatched
    "not_started": "#F7F7F7",  # near-white grey, drawn with a grey outline
    "alternative": "#3CC79A",  # bluish green
}
assert tuple(STATUS_COLOURS) == MOTION_STATUSES, "STATUS_COLOURS must follow the vocabulary order"


#: Hatching so 'stopped', 'delayed' and 'alternative' also read in black-and-white, and stand apart
#: from any neighbouring segment whose colour is less than 3:1 from theirs (no six colours can
#: all be 3:1 apart: that would take a contrast range of 3^5 = 243, and black to white is 21).
STATUS_HATCHES: dict[str, str] = {"stopped": "////", "delayed": "..", "alternative": "---"}


#: Ministry -> colour for the funds chart (again distinct in lightness); others cycle _EXTRA.
MINISTRY_COLOURS: dict[str, str] = {
    "OCW": "#143D6B",
    "VWS": "#7A7A7A",
    "SZW": "#E08A2E",
    "JenV": "#9BD0EF",
}


EXTRA_COLOURS = ("#3CC79A", "#C03C2C", "#F2D36B", "#4C4C4C")


INK = "#222222"


MUTED = "#666666"


OUTLINE = "#8A8A8A"


EDGE = "#595959"  # outline of a light fill: 7:1 against white


HIGHLIGHT = STATUS_COLOURS["stopped"]


BASE = STATUS_COLOURS["completed"]


WIDTH = 6.3  # inch = 16 cm


@contextmanager
def house_style():
    """The house style on top of matplotlib's defaults, so a user's matplotlibrc cannot leak in."""
    with mpl_style.context(str(STYLE_PATH), after_reset=True):
        yield


class ChartWords:
    """The catalogue's ``chart.*`` entries of one language, read as ``w['total']``."""

    def __init__(self, lang: str):
        self._w = words(lang)

    def __getitem__(self, key: str) -> str:
        return self._w[f"chart.{key}"]

    def get(self, key: str, default=None):
        return self._w.get(f"chart.{key}", default)


def chart_words(lang: str) -> ChartWords:
    if lang not in LANGUAGES:
        raise UsageError("error.language", language=lang)
    return ChartWords(lang)


def status_word(labels: Mapping[str, str] | None, code: str, lang: str) -> str:
    """Display word for a status code: the report year's word, else the default word."""
    if labels is not None:
        word = labels.get(code)
        if word is not None and not (isinstance(word, float) and math.isnan(word)) and str(word).strip():
            return str(word)
    return words(lang).get(f"status.{code}", code.replace("_", " "))


def require_columns(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def relative_luminance(colour) -> float:
    """WCAG relative luminance (0 black .. 1 white) of a matplotlib colour: its greyscale value."""
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(first, second) -> float:
    """WCAG contrast ratio of two colours (1 .. 21)."""
    dark, light = sorted((relative_luminance(first), relative_luminance(second)))
    return (light + 0.05) / (dark + 0.05)


def edge_colour(colour) -> str:
    """The outline of a filled shape on the white page: its own colour when that has 3:1 against
    white (WCAG 1.4.11), else a dark grey, so a light bar or swatch still has a visible edge."""
    return colour if contrast_ratio(colour, "#FFFFFF") >= 3 else EDGE


def ink_on(colour) -> str:
    """Black or white text, whichever contrasts more with ``colour``."""
    y = relative_luminance(colour)
    return "white" if (1.05 / (y + 0.05)) > ((y + 0.05) / 0.05) else INK


def hatch_colour(colour) -> str:
    return "#FFFFFF" if ink_on(colour) == "white" else "#3A3A3A"


def chart_number(value: float, lang: str, decimals: int = 0, strip: bool = False) -> str:
    return fmt(lang).number(value, decimals, strip=strip)


def chart_percent(share: float, lang: str) -> str:
    return fmt(lang).percent(share)


def format_euro(amount: float, lang: str = "nl") -> str:
    """An amount for a chart label: '€ 2,5 mln' (nl), '€2.5m' (en); see :meth:`.Format.euro_short`."""
    chart_words(lang)
    return fmt(lang).euro_short(amount, decimals=3)


class EuroFormatter(Formatter):
    """Euro tick labels in the chart's language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, x, pos=None):
        return fmt(self.lang).euro_short(x, decimals=1) if x else ("€ 0" if self.lang == "nl" else "€0")


def euro_formatter(lang: str = "nl") -> Formatter:
    """A matplotlib tick formatter for euro amounts in the briefing's language."""
    chart_words(lang)
    return EuroFormatter(lang)


def format_date(value, lang: str = "nl", year: bool = True) -> str:
    """'2 dec 2022' (nl) or '2 Dec 2022' (en), without relying on the system locale."""
    chart_words(lang)
    return fmt(lang).date_short(pd.Timestamp(value), year=year)


class DateFormatter(Formatter):
    """Date ticks with the month words of the language; the year on the first tick and at a change."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, x, pos=None):
        return format_date(mdates.num2date(x).replace(tzinfo=None), self.lang)

    def format_ticks(self, values):
        dates = [mdates.num2date(v).replace(tzinfo=None) for v in values]
        if dates and all(d.month == 1 and d.day == 1 for d in dates):
            return [str(d.year) for d in dates]
        months_only = all(d.day == 1 for d in dates)
        out, previous = [], None
        for d in dates:
            text = (
                words(self.lang)["months_short"][d.month - 1] if months_only else format_date(d, self.lang, year=False)
            )
            if d.year != previous:
                text += f"\n{d.year}"
                previous = d.year
            out.append(text)
        return out


def date_locator(span_days: float):
    if span_days <= 75:
        return mdates.DayLocator(bymonthday=[1, 15])
    if span_days <= 200:
        return mdates.MonthLocator()
    if span_days <= 550:
        return mdates.MonthLocator(bymonth=range(1, 13, 2))
    if span_days <= 1200:
        return mdates.MonthLocator(bymonth=[1, 4, 7, 10])
    return mdates.YearLocator()


def to_num(value) -> float:
    return float(mdates.date2num(pd.Timestamp(value).to_pydatetime()))


def new_figure(height: float, width: float = WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def no_data(fig: Figure, ax, w: ChartWords) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, w["no_data"], ha="center", va="center", transform=ax.transAxes, color=MUTED)
    return finish(fig)


def finish(fig: Figure) -> Figure:
    """Settle the constrained layout now and freeze it, so every later save is byte-identical.

    Constrained layout reconsiders positions on every draw and does not reach a fixed point
    exactly (labels outside the axes move with them); two passes and then no layout engine
    make the geometry a function of the input only. Resize the figure before this, not after.
    """
    with house_style():
        for _ in range(2):
            fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _row_major(items: list, ncol: int) -> list:
    """Reorder so a legend (filled column by column) reads left to right, row by row."""
    n = len(items)
    rows = -(-n // ncol)
    out: list = []
    for c in range(ncol):
        out.extend(items[r * ncol + c] for r in range(rows) if r * ncol + c < n)
    return out


def bottom_legend(fig: Figure, handles, texts: list[str]):
    """One legend under the axes, outside them (constrained layout keeps it clear of the plot).

    Uses the fewest rows that fit the figure width (measured, not guessed), with the entries
    spread evenly over the rows and reading left to right.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    handles, texts = list(handles), list(texts)
    if not handles:
        return None
    renderer = RendererAgg(fig.bbox.width, fig.bbox.height, fig.dpi)
    room = 0.98 * fig.bbox.width

    def attempt(hs, ts, ncol):
        legend = fig.legend(_row_major(hs, ncol), _row_major(ts, ncol), loc="outside lower center", ncol=ncol)
        if legend.get_window_extent(renderer).width <= room:
            return legend
        legend.remove()
        return None

    n = len(handles)
    legend = attempt(handles, texts, n)
    if legend is not None:
        return legend
    for rows in range(2, n + 1):
        legend = attempt(handles, texts, -(-n // rows))
        if legend is not None:
            return legend
    return fig.legend(handles, texts, loc="outside lower center", ncol=1)


def gid_part(value) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(value))


def status_patch(code: str) -> Patch:
    colour = STATUS_COLOURS[code]
    return Patch(
        facecolor=colour,
        edgecolor=edge_colour(colour),
        hatch=STATUS_HATCHES.get(code),
        hatchcolor=hatch_colour(colour),
        linewidth=0.6,
    )


def ordered_rows(values: pd.Series, preferred: tuple[str, ...] = ()) -> list[str]:
    """Row order: categories if categorical, else preferred codes, numbers ascending, text, 'total' last."""
    present = list(dict.fromkeys(str(v) for v in values.dropna()))
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [str(c) for c in values.cat.categories if str(c) in present]
        return order + [v for v in present if v not in order]

    def key(v: str):
        if v == TOTAL:
            return (3, 0, v)
        if v in preferred:
            return (0, preferred.index(v), v)
        if v.isdigit():
            return (1, int(v), v)
        return (2, 0, v)

    return sorted(present, key=key)


def status_bars(
    table: pd.DataFrame,
    row_col: str,
    row_order: list[str],
    row_label,
    statuses: tuple[str, ...],
    labels: Mapping[str, str] | None,
    lang: str,
    xlabel: str,
) -> Figure:
    """Stacked 100% horizontal bars of ``share`` per row (and per report year, when two or more)."""
    w = chart_words(lang)
    df = table.copy()
    df[row_col] = df[row_col].astype(str)
    df["status"] = df["status"].astype(str)
    unknown = sorted(set(df["status"]) - set(statuses))
    if unknown:
        raise ValueError(f"unknown status code(s) {unknown}; expected one of {list(statuses)}")
    if "n" not in df.columns:
        df["n"] = np.nan
    has_years = "report_year" in df.columns and df["report_year"].notna().any()
    years = sorted(int(y) for y in df["report_year"].dropna().unique()) if has_years else [None]
    if "share" not in df.columns:
        keys = [row_col] + (["report_year"] if has_years else [])
        df["share"] = df["n"] / df.groupby(keys)["n"].transform("sum")
    df["share"] = df["share"].astype(float).fillna(0.0)

    k = len(years)
    bar_h = 0.66 if k == 1 else min(0.36, 0.8 / k)
    step = bar_h + (0 if k == 1 else 0.05)
    # a row of k bars: 0.6 in for two years (was 0.72: the chart was 157 mm tall and, placed so
    # that its 6.5 pt percentages print at 6 pt or more, pushed a figure a page on)
    per_row = 0.36 if k == 1 else 0.2 + 0.2 * k
    has_two_line = any("\n" in row_label(r) for r in row_order)
    height = 1.25 + per_row * len(row_order) * (1.25 if has_two_line else 1.0) + (0.25 if TOTAL in row_order else 0)

    with house_style():
        fig = new_figure(height)
        ax = fig.add_subplot()
        if df.empty or not row_order:
            return no_data(fig, ax, w)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        used: list[str] = []
        centres: list[float] = []
        y = 0.0
        for row in row_order:
            if row == TOTAL and centres:
                y += 0.45  # set the programme total apart
            offsets = [(j - (k - 1) / 2) * step for j in range(k)]
            centres.append(y)
            for year, offset in zip(years, offsets):
                sel = df[row_col] == row
                if year is not None:
                    sel &= df["report_year"] == year
                part = df[sel]
                yy = y + offset
                # thin outline of the whole 0-100% bar, so light segments stay visible
                ax.barh(yy, 1.0, height=bar_h, fill=False, edgecolor=OUTLINE, linewidth=0.5, zorder=3)
                left = 0.0
                for code in statuses:
                    share = float(part.loc[part["status"] == code, "share"].sum())
                    if share <= 0:
                        continue
                    if code not in used:
                        used.append(code)
                    colour = STATUS_COLOURS[code]
                    gid = f"seg-{gid_part(row)}-{code}" + (f"-{year}" if year is not None else "")
                    bar(ax, yy, share, colour, height=bar_h, gid=gid, hatch=STATUS_HATCHES.get(code), left=left)
                    if share >= (0.065 if k == 1 else 0.075):
                        ax.text(
                            left + share / 2,
                            yy,
                            chart_percent(share, lang),
                            ha="center",
                            va="center",
                            fontsize=7.5 if k == 1 else 6.5,
                            color=ink_on(colour),
                            zorder=4,
                            bbox={"boxstyle": "square,pad=0.12", "facecolor": colour, "edgecolor": "none"}
                            if code in STATUS_HATCHES
                            else None,
                        )
                    left += share
                n_total = pd.to_numeric(part["n"], errors="coerce").sum(min_count=1)
                note = []
                if year is not None and k > 1:
                    note.append(str(year))
                if pd.notna(n_total):
                    note.append(w["n"].format(n=int(n_total)))
                if note:
                    bar_label(
                        ax,
                        1.015,
                        yy,
                        " · ".join(note),
                        size=7 if k == 1 else 6.5,
                        colour=MUTED,
                        fontweight="bold" if (year == years[-1] and k > 1) else "normal",
                        clip_on=False,
                    )
            y += 1.0 if k == 1 else 0.25 + step * k
        ax.set_yticks(centres, [row_label(r) for r in row_order])
        for tick, row in zip(ax.get_yticklabels(), row_order):
            if row == TOTAL:
                tick.set_fontweight("bold")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_locator(FixedLocator([0, 0.2, 0.4, 0.6, 0.8, 1.0]))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_xlabel(xlabel)
        used = [c for c in statuses if c in used]  # legend in vocabulary order
        texts = [status_word(labels, c, lang) for c in used]
        bottom_legend(fig, [status_patch(c) for c in used], texts)
    return finish(fig)


#: The white box behind a label on a bar, a grid line or a line: readable on any fill and in greyscale.
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}


def bar(ax, y: float, width: float, colour, *, height: float, gid: str, hatch=None, left=None, edgecolor="white"):
    """One filled horizontal bar in the house style (white seams, hatching in a colour that shows), with its gid."""
    bars = ax.barh(
        y,
        width,
        left=left,
        height=height,
        color=colour,
        edgecolor=edgecolor,
        linewidth=0.6,
        hatch=hatch,
        hatchcolor=hatch_colour(colour),
        zorder=2,
    )
    bars.patches[0].set_gid(gid)
    return bars


def bar_label(ax, x: float, y: float, text: str, *, size: float = 7.5, colour=INK, boxed: bool = False, **more):
    """The label at the end of a bar: left-aligned at ``x``, centred on the bar, in the house size;
    ``boxed`` puts it on a white box (:data:`LABEL_BOX`); ``more``: any other text property."""
    return ax.text(
        x, y, text, ha="left", va="center", fontsize=size, color=colour, bbox=LABEL_BOX if boxed else None, **more
    )


def hollow(colour, size: float, edge: float = 1.4) -> dict:
    """A white point with a coloured edge (a planned date; a figure without its interval): the
    properties for ``ax.plot`` and for its legend's ``Line2D``."""
    return {
        "markersize": size,
        "markerfacecolor": "white",
        "markeredgecolor": colour,
        "markeredgewidth": edge,
        "linestyle": "none",
    }


def point_label(ax, text: str, xy, offset, *, ha="center", va="bottom", size: float = 7.5, colour=BASE, **more):
    """A label ``offset`` points away from a point of the chart (a share over its marker, a slip beside it)."""
    return ax.annotate(
        text, xy=xy, xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=size, color=colour, **more
    )


def add_footnote(fig: Figure, text: str, width: int = 115) -> Figure:
    """Add a source or basis note under everything else in ``fig`` (wrapped, small, grey).

    The chart functions freeze their layout, so a note added afterwards with ``fig.text`` at
    the bottom of the figure would overlap the legend; this one hangs just below the figure's
    bottom edge, and :func:`render` (tight bounding box) includes it.
    """
    if not text or not str(text).strip():
        return fig
    # The layout was drawn and frozen by the chart function, so legend positions are final.
    # A legend placed 'outside lower center' follows the figure edge, and a tight bounding box
    # moves that edge down to the note: pin each legend where it is now, then hang the note
    # below the lowest of them.
    to_figure = fig.transFigure.inverted()
    lowest = 0.0
    for legend in fig.legends:
        box = legend.get_window_extent()
        centre = to_figure.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        legend.set_bbox_to_anchor(tuple(centre), transform=fig.transFigure)
        legend.set_loc("center")
        lowest = min(lowest, to_figure.transform((0, box.y0))[1])
    top = lowest - 0.01
    with house_style():
        fig.text(
            0.01,
            top,
            textwrap.fill(str(text).strip(), width=width),
            ha="left",
            va="top",
            fontsize=7,
            color="#555555",
            linespacing=1.2,
        )
    return fig
