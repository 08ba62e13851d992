"""One function per chart, in one house style, with deterministic files.

Every chart function takes tidy tables from :mod:`nap_analysis.analysis`, returns a
:class:`matplotlib.figure.Figure` and knows nothing of where files go. They use the object
API only (``Figure()``, no pyplot), so no global figure state is created, and the house style
(``style/nap.mplstyle``) is applied with ``matplotlib.style.context`` inside each function:
importing this module changes no rcParams.

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

Files: :func:`render` gives the SVG a ``<title>`` (the caption) and a ``<desc>`` (the alt text),
so the file read on its own says what the chart shows.

Files: :func:`render` turns a figure into a :class:`~.model.Figure` with a PNG (200 dpi, RGB)
and an SVG whose text stays text (editable in Inkscape or Word) and names fallback fonts for
machines without DejaVu Sans, both byte-identical on reruns.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import textwrap
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import style as mpl_style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator, MultipleLocator, PercentFormatter

from ..data.vocabulary import ACTIVITY_STATUSES, LANGUAGES, MOTION_STATUSES, TOTAL
from ..errors import UsageError
from ..words import words
from .format import fmt
from .model import Figure as FigureBlock
from .model import Paragraph

__all__ = [
    "STATUS_COLOURS",
    "STATUS_HATCHES",
    "MINISTRY_COLOURS",
    "STYLE_PATH",
    "progress_chart",
    "motions_chart",
    "funds_chart",
    "changes_chart",
    "milestones_chart",
    "indicators_chart",
    "projection_chart",
    "render",
    "describe_svg",
    "add_footnote",
    "figure_bytes",
    "format_euro",
    "euro_formatter",
    "format_date",
    "relative_luminance",
    "contrast_ratio",
    "edge_colour",
]

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
_EXTRA_COLOURS = ("#3CC79A", "#C03C2C", "#F2D36B", "#4C4C4C")

_INK = "#222222"
_MUTED = "#666666"
_OUTLINE = "#8A8A8A"
_EDGE = "#595959"  # outline of a light fill: 7:1 against white
_HIGHLIGHT = STATUS_COLOURS["stopped"]
_BASE = STATUS_COLOURS["completed"]
_WIDTH = 6.3  # inch = 16 cm

# --------------------------------------------------------------------------- helpers


@contextmanager
def _house_style():
    """The house style on top of matplotlib's defaults, so a user's matplotlibrc cannot leak in."""
    with mpl_style.context(str(STYLE_PATH), after_reset=True):
        yield


class _ChartWords:
    """The catalogue's ``chart.*`` entries of one language, read as ``w['total']``."""

    def __init__(self, lang: str):
        self._w = words(lang)

    def __getitem__(self, key: str) -> str:
        return self._w[f"chart.{key}"]

    def get(self, key: str, default=None):
        return self._w.get(f"chart.{key}", default)


def _words(lang: str) -> _ChartWords:
    if lang not in LANGUAGES:
        raise UsageError("error.language", language=lang)
    return _ChartWords(lang)


def _label(labels: Mapping[str, str] | None, code: str, lang: str) -> str:
    """Display word for a status code: the report year's word, else the default word."""
    if labels is not None:
        word = labels.get(code)
        if word is not None and not (isinstance(word, float) and math.isnan(word)) and str(word).strip():
            return str(word)
    return words(lang).get(f"status.{code}", code.replace("_", " "))


def _require(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
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
    return colour if contrast_ratio(colour, "#FFFFFF") >= 3 else _EDGE


def _ink_on(colour) -> str:
    """Black or white text, whichever contrasts more with ``colour``."""
    y = relative_luminance(colour)
    return "white" if (1.05 / (y + 0.05)) > ((y + 0.05) / 0.05) else _INK


def _hatch_colour(colour) -> str:
    return "#FFFFFF" if _ink_on(colour) == "white" else "#3A3A3A"


def _number(value: float, lang: str, decimals: int = 0, strip: bool = False) -> str:
    return fmt(lang).number(value, decimals, strip=strip)


def _percent(share: float, lang: str) -> str:
    return fmt(lang).percent(share)


def format_euro(amount: float, lang: str = "nl") -> str:
    """An amount for a chart label: '€ 2,5 mln' (nl), '€2.5m' (en); see :meth:`.Format.euro_short`."""
    _words(lang)
    return fmt(lang).euro_short(amount, decimals=3)


class _EuroFormatter(Formatter):
    """Euro tick labels in the chart's language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, x, pos=None):
        return fmt(self.lang).euro_short(x, decimals=1) if x else ("€ 0" if self.lang == "nl" else "€0")


def euro_formatter(lang: str = "nl") -> Formatter:
    """A matplotlib tick formatter for euro amounts in the briefing's language."""
    _words(lang)
    return _EuroFormatter(lang)


def format_date(value, lang: str = "nl", year: bool = True) -> str:
    """'2 dec 2022' (nl) or '2 Dec 2022' (en), without relying on the system locale."""
    _words(lang)
    return fmt(lang).date_short(pd.Timestamp(value), year=year)


class _DateFormatter(Formatter):
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


def _date_locator(span_days: float):
    if span_days <= 75:
        return mdates.DayLocator(bymonthday=[1, 15])
    if span_days <= 200:
        return mdates.MonthLocator()
    if span_days <= 550:
        return mdates.MonthLocator(bymonth=range(1, 13, 2))
    if span_days <= 1200:
        return mdates.MonthLocator(bymonth=[1, 4, 7, 10])
    return mdates.YearLocator()


def _to_num(value) -> float:
    return float(mdates.date2num(pd.Timestamp(value).to_pydatetime()))


def _new_figure(height: float, width: float = _WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _no_data(fig: Figure, ax, w: dict[str, str]) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, w["no_data"], ha="center", va="center", transform=ax.transAxes, color=_MUTED)
    return _finish(fig)


def _finish(fig: Figure) -> Figure:
    """Settle the constrained layout now and freeze it, so every later save is byte-identical.

    Constrained layout reconsiders positions on every draw and does not reach a fixed point
    exactly (labels outside the axes move with them); two passes and then no layout engine
    make the geometry a function of the input only. Resize the figure before this, not after.
    """
    with _house_style():
        for _ in range(2):
            fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _row_major(items: list, ncol: int) -> list:
    """Reorder so a legend (filled column by column) reads left to right, row by row."""
    n = len(items)
    rows = -(-n // ncol)
    out = []
    for c in range(ncol):
        out.extend(items[r * ncol + c] for r in range(rows) if r * ncol + c < n)
    return out


def _bottom_legend(fig: Figure, handles, texts: list[str]):
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


def _gid_part(value) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(value))


def _status_patch(code: str) -> Patch:
    colour = STATUS_COLOURS[code]
    return Patch(
        facecolor=colour,
        edgecolor=edge_colour(colour),
        hatch=STATUS_HATCHES.get(code),
        hatchcolor=_hatch_colour(colour),
        linewidth=0.6,
    )


# --------------------------------------------------------------------------- status bars


def _ordered(values: pd.Series, preferred: tuple[str, ...] = ()) -> list[str]:
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


def _status_bars(
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
    w = _words(lang)
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
    per_row = 0.36 if k == 1 else 0.2 + 0.26 * k
    has_two_line = any("\n" in row_label(r) for r in row_order)
    height = 1.25 + per_row * len(row_order) * (1.25 if has_two_line else 1.0) + (0.25 if TOTAL in row_order else 0)

    with _house_style():
        fig = _new_figure(height)
        ax = fig.add_subplot()
        if df.empty or not row_order:
            return _no_data(fig, ax, w)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        used: list[str] = []
        centres, y = [], 0.0
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
                ax.barh(yy, 1.0, height=bar_h, fill=False, edgecolor=_OUTLINE, linewidth=0.5, zorder=3)
                left = 0.0
                for code in statuses:
                    share = float(part.loc[part["status"] == code, "share"].sum())
                    if share <= 0:
                        continue
                    if code not in used:
                        used.append(code)
                    colour = STATUS_COLOURS[code]
                    bars = ax.barh(
                        yy,
                        share,
                        left=left,
                        height=bar_h,
                        color=colour,
                        edgecolor="white",
                        linewidth=0.6,
                        hatch=STATUS_HATCHES.get(code),
                        hatchcolor=_hatch_colour(colour),
                        zorder=2,
                    )
                    gid = f"seg-{_gid_part(row)}-{code}" + (f"-{year}" if year is not None else "")
                    bars.patches[0].set_gid(gid)
                    if share >= (0.065 if k == 1 else 0.075):
                        ax.text(
                            left + share / 2,
                            yy,
                            _percent(share, lang),
                            ha="center",
                            va="center",
                            fontsize=7.5 if k == 1 else 6.5,
                            color=_ink_on(colour),
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
                    ax.text(
                        1.015,
                        yy,
                        " · ".join(note),
                        ha="left",
                        va="center",
                        fontsize=7 if k == 1 else 6.5,
                        color=_MUTED,
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
        texts = [_label(labels, c, lang) for c in used]
        _bottom_legend(fig, [_status_patch(c) for c in used], texts)
    return _finish(fig)


def progress_chart(
    progress: pd.DataFrame,
    labels: Mapping[str, str] | None,
    lang: str = "nl",
    titles: Mapping | None = None,
) -> Figure:
    """Stacked 100% bars of activity status per action line, plus the programme total.

    ``progress``: actielijn ('1'..'5', 'total'), status (ACTIVITY_STATUSES), n, share (sums to
    1 per action line) and optionally report_year; with two (or more) report years each action
    line gets one thin bar per year, older above newer, labelled with the year at the right.
    ``labels``: status code -> display word of the report year (legend text).
    ``titles``: optional action line -> short title, shown under the tick label.
    Segment patches carry gid ``seg-<actielijn>-<status>[-<year>]``.
    """
    w = _words(lang)
    _require(progress, ("actielijn", "status"), "progress")
    titles = {str(key): value for key, value in (titles or {}).items()}

    def row_label(row: str) -> str:
        if row == TOTAL:
            return w["total"]
        text = w["action_line"].format(n=row)
        title = titles.get(row)
        if title:
            text += "\n" + textwrap.fill(str(title), width=30)
        return text

    order = _ordered(progress["actielijn"])
    return _status_bars(progress, "actielijn", order, row_label, ACTIVITY_STATUSES, labels, lang, w["share_activities"])


def motions_chart(motions_progress: pd.DataFrame, labels: Mapping[str, str] | None, lang: str = "nl") -> Figure:
    """Stacked 100% bars of the status of motions, commitments and both together.

    ``motions_progress``: kind ('motie', 'toezegging', 'total'), status (MOTION_STATUSES), n, share
    (optionally report_year, drawn as for :func:`progress_chart`).
    """
    w = _words(lang)
    _require(motions_progress, ("kind", "status"), "motions_progress")

    def row_label(row: str) -> str:
        return w.get(row, row) if row in ("motie", "toezegging", TOTAL) else row

    order = _ordered(motions_progress["kind"], preferred=("motie", "toezegging"))
    return _status_bars(motions_progress, "kind", order, row_label, MOTION_STATUSES, labels, lang, w["share_motions"])


# --------------------------------------------------------------------------- changes

#: Kinds of change that are good news (drawn in the colour of 'completed') and setbacks (red, hatched).
_GOOD = ("completed", "started", "recovered", "appeared")
_BAD = ("delayed", "stopped", "regressed", "dropped")


def changes_chart(changes: pd.DataFrame, lang: str = "nl", previous=None, year=None) -> Figure:
    """How many activities changed status since the previous report, per kind of change.

    ``changes``: :func:`nap_analysis.analysis.progress.status_changes`. Good news (completed,
    started, back on schedule, new) above, setbacks (newly delayed, stopped, no longer
    completed, gone) below, each bar labelled with its count; kinds without a change are shown
    at 0, so the chart has the same rows every year.
    """
    w = _words(lang)
    cw = words(lang)
    counts = changes["change"].astype(str).value_counts() if len(changes) else pd.Series(dtype="int64")
    kinds = list(_GOOD) + list(_BAD)
    values = [int(counts.get(k, 0)) for k in kinds]
    labels = [cw[f"change_word.{k}"] for k in kinds]
    with _house_style():
        fig = _new_figure(2.9)
        ax = fig.add_subplot()
        ys = [i + (0.5 if k in _BAD else 0) for i, k in enumerate(kinds)]
        top = max(values + [1])
        for y, kind, value in zip(ys, kinds, values):
            good = kind in _GOOD
            colour = STATUS_COLOURS["completed"] if good else STATUS_COLOURS["stopped"]
            bars = ax.barh(
                y,
                value,
                height=0.62,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                hatch=None if good else "////",
                hatchcolor=_hatch_colour(colour),
                zorder=2,
            )
            bars.patches[0].set_gid(f"change-{kind}")
            ax.text(
                value + top * 0.02,
                y,
                str(value),
                ha="left",
                va="center",
                fontsize=7.5,
                color=_INK,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
        ax.set_yticks(ys, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.xaxis.set_major_locator(MultipleLocator(1 if top <= 10 else 5))
        ax.set_xlabel(w["activities_count"])
        handles = [
            Patch(facecolor=STATUS_COLOURS["completed"]),
            Patch(facecolor=STATUS_COLOURS["stopped"], hatch="////", hatchcolor="#FFFFFF"),
        ]
        _bottom_legend(fig, handles, [w["good_news"], w["setbacks"]])
    return _finish(fig)


# --------------------------------------------------------------------------- funds


def _ministry_colours(ministries: list[str]) -> dict[str, str]:
    out, extra = {}, iter(_EXTRA_COLOURS * (1 + len(ministries)))
    for m in ministries:
        out[m] = MINISTRY_COLOURS.get(m) or next(extra)
    return out


def funds_chart(lines: pd.DataFrame, lang: str = "nl") -> Figure:
    """Every fund line as a bar of its total over the stated period, grouped per instrument.

    ``lines``: :func:`nap_analysis.analysis.funds.funds_by_instrument` (ministry, instrument,
    purpose, amount_basis, amount_eur, years, total_eur, status). All bars measure the same
    thing, a total in euros, so yearly and multi-year amounts never share an axis: an amount
    given per year is drawn as its total and labelled 'n × amount'. Reserved amounts are
    hatched; a ministry without extra funds gets a row with the words of the memo instead.
    """
    w = _words(lang)
    f = fmt(lang)
    _require(lines, ("ministry", "instrument", "purpose", "amount_eur", "total_eur", "status"), "funds")
    df = lines.reset_index(drop=True).copy()
    df["instrument"] = df["instrument"].fillna("").astype(str)
    df["purpose"] = df["purpose"].fillna("").astype(str)
    groups = list(dict.fromkeys(zip(df["ministry"].astype(str), df["instrument"])))
    colours = _ministry_colours(list(dict.fromkeys(df["ministry"].astype(str))))
    rows: list[tuple[str, object]] = []  # ('group', (ministry, instrument)) or ('line', index)
    for group in groups:
        rows.append(("group", group))
        rows.extend(("line", i) for i in df.index[(df["ministry"] == group[0]) & (df["instrument"] == group[1])])
    labels = []
    for kind, item in rows:
        if kind == "group":
            ministry, instrument = item
            labels.append(f"{ministry}{' – ' + instrument if instrument else ''}")
        else:
            labels.append(textwrap.fill(_short_purpose(df.at[item, "purpose"]), width=44))
    heights = [
        0.3 if kind == "group" else 0.17 * (label.count("\n") + 1) + 0.12 for (kind, _), label in zip(rows, labels)
    ]
    top_amount = float(df["total_eur"].max(skipna=True)) if df["total_eur"].notna().any() else 1.0

    with _house_style():
        fig = _new_figure(0.9 + sum(heights))
        ax = fig.add_subplot()
        if df.empty:
            return _no_data(fig, ax, w)
        ax.grid(False, axis="y")
        ax.grid(True, axis="x")
        ys = np.cumsum([0.0] + [(a + b) / 2 for a, b in zip(heights[:-1], heights[1:])])
        has_reserved = False
        for (kind, item), y in zip(rows, ys):
            if kind == "group":
                part = df[(df["ministry"] == item[0]) & (df["instrument"] == item[1])]
                total = part["total_eur"].sum(min_count=1)
                if pd.notna(total) and len(part) > 1:
                    ax.text(
                        top_amount * 1.02,
                        y,
                        w["group_total"].format(amount=f.euro(total)),
                        ha="left",
                        va="center",
                        fontsize=7.5,
                        fontweight="bold",
                        color=_INK,
                    )
                continue
            row = df.loc[item]
            colour = colours[str(row["ministry"])]
            if row["status"] == "no_funds" or pd.isna(row["total_eur"]):
                ax.text(
                    0, y, "  " + w["no_funds"], ha="left", va="center", fontsize=7.5, color=_MUTED, fontstyle="italic"
                )
                continue
            reserved = row["status"] == "reserved"
            has_reserved |= reserved
            bars = ax.barh(
                y,
                row["total_eur"],
                height=0.62 * min(heights[rows.index((kind, item))], 0.4) / 0.4,
                color=colour,
                edgecolor="white" if edge_colour(colour) == colour else _EDGE,
                linewidth=0.6,
                hatch="///" if reserved else None,
                hatchcolor=_hatch_colour(colour),
                zorder=2,
            )
            bars.patches[0].set_gid(f"fund-{_gid_part(row['ministry'])}-{item}-{row['status']}")
            if row["amount_basis"] == "per_year" and pd.notna(row["years"]) and int(row["years"]) > 1:
                text = w["per_year_times"].format(
                    years=int(row["years"]), amount=f.euro(row["amount_eur"]), total=f.euro(row["total_eur"])
                )
            else:
                text = f.euro(row["total_eur"])
            ax.text(
                row["total_eur"] + top_amount * 0.01,
                y,
                text,
                ha="left",
                va="center",
                fontsize=7.5,
                color=_INK,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
        ax.set_yticks(ys, labels)
        for tick, (kind, _) in zip(ax.get_yticklabels(), rows):
            if kind == "group":
                tick.set_fontweight("bold")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_ylim(ys[-1] + heights[-1] / 2 + 0.05, -heights[0] / 2 - 0.05)
        ax.set_xlim(0, top_amount * 1.55)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(euro_formatter(lang))
        ax.set_xlabel(w["total_over_period"])
        with_money = [m for m in colours if df.loc[df["ministry"] == m, "total_eur"].notna().any()]
        handles = [Patch(facecolor=colours[m], edgecolor=edge_colour(colours[m])) for m in with_money]
        texts = list(with_money)
        handles.append(Patch(facecolor="#BDBDBD", edgecolor=edge_colour("#BDBDBD")))
        texts.append(w["decided"])
        if has_reserved:
            handles.append(
                Patch(facecolor="#BDBDBD", edgecolor=edge_colour("#BDBDBD"), hatch="///", hatchcolor="#3A3A3A")
            )
            texts.append(w["reserved"])
        _bottom_legend(fig, handles, texts)
    return _finish(fig)


def _short_purpose(purpose: str) -> str:
    """The purpose up to its first parenthesis or semicolon: a chart row label, not the whole memo line."""
    short = re.split(r"\s*[(;]", purpose, maxsplit=1)[0].strip()
    return short or purpose


# --------------------------------------------------------------------------- milestones


def _slip_text(row, w, f) -> str:
    if pd.notna(row.get("slip_months")) and row.get("approximate"):
        months = int(row["slip_months"])
        if months == 0:
            return w["same_month"]
        return w["about_months"].format(
            sign="+" if months > 0 else "−", n=abs(months), unit=w["month"] if abs(months) == 1 else w["months"]
        )
    if pd.notna(row.get("slip_days")):
        days = int(row["slip_days"])
        if days == 0:
            return w["on_time"]
        unit = w["day"] if abs(days) == 1 else w["days"]
        return f"{'+' if days > 0 else '−'}{abs(days)} {unit}"
    return ""


def _when(value, precision, lang: str) -> str:
    if pd.isna(value):
        return ""
    return fmt(lang).month(value) if precision == "month" else format_date(value, lang)


def milestones_chart(milestones: pd.DataFrame, lang: str = "nl") -> Figure:
    """Planned (hollow) against actual (filled) date per milestone, one panel per phase.

    ``milestones``: :func:`nap_analysis.analysis.milestones.slippage` (milestone, planned,
    actual, *_precision, slip_days, slip_months, approximate, phase). Each phase (the making of
    the NAP in 2022-2023, a progress report's cycle) gets its own time axis, so every marker
    sits at its own date and steps years apart are never squeezed onto one scale. A planned
    date known only to the month is drawn as a bar over that month, and a slip measured from it
    is marked 'ca.'. Labels carry a white background, readable on any fill and in greyscale.
    """
    w = _words(lang)
    f = fmt(lang)
    _require(milestones, ("milestone", "planned", "actual"), "milestones")
    df = milestones.copy()
    for column in ("planned_precision", "actual_precision"):
        if column not in df:
            df[column] = "day"
    if "phase" not in df:
        df["phase"] = ""
    df["phase"] = df["phase"].fillna("").astype(str)
    df["planned"] = pd.to_datetime(df["planned"])
    df["actual"] = pd.to_datetime(df["actual"])
    df = df.sort_values(["planned", "milestone"], kind="stable").reset_index(drop=True)
    phases = list(dict.fromkeys(df["phase"]))

    def label_of(row) -> str:
        return textwrap.fill(str(row["milestone"]), width=40)

    def note_of(row) -> str:
        parts = [_slip_text(row, w, f)]
        if pd.isna(row["actual"]):
            parts = [w["no_actual"]]
        return "  ".join(p for p in parts if p)

    per_phase = {phase: df[df["phase"] == phase] for phase in phases}
    row_h = {i: max(0.26, 0.14 * (label_of(df.loc[i]).count("\n") + 1) + 0.1) for i in df.index}
    heights = [sum(row_h[i] for i in per_phase[p].index) + 0.45 for p in phases]

    with _house_style():
        fig = _new_figure(0.8 + sum(heights))
        if df.empty:
            return _no_data(fig, fig.add_subplot(), w)
        axes = fig.subplots(len(phases), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, phase in zip(axes, phases):
            part = per_phase[phase]
            hs = [row_h[i] for i in part.index]
            ys = np.cumsum([0.0] + [(a + b) / 2 for a, b in zip(hs[:-1], hs[1:])])
            dates = pd.concat([part["planned"], part["actual"], part["planned"] + pd.offsets.MonthEnd(0)]).dropna()
            lo, hi = _to_num(dates.min()), _to_num(dates.max())
            span = max(hi - lo, 30.0)
            ax.grid(False, axis="y")
            ax.grid(True, axis="x")
            if phase:
                # a fixed y: matplotlib then skips placing the title above every tick label
                # (a third of the chart's time)
                ax.set_title(phase, fontsize=8.5, loc="left", fontweight="bold", y=1.0, pad=4)
            for y, (_, row) in zip(ys, part.iterrows()):
                p = _to_num(row["planned"]) if pd.notna(row["planned"]) else None
                a = _to_num(row["actual"]) if pd.notna(row["actual"]) else None
                slipped = (
                    (row.get("slip_days") or 0) > 0
                    if pd.notna(row.get("slip_days"))
                    else ((row.get("slip_months") or 0) > 0 if pd.notna(row.get("slip_months")) else False)
                )
                colour = _HIGHLIGHT if slipped else _BASE
                if p is not None and row["planned_precision"] == "month":
                    end = _to_num(row["planned"] + pd.offsets.MonthEnd(0))
                    ax.barh(y, end - p, left=p, height=0.34, color="white", edgecolor=colour, linewidth=1.0, zorder=2)
                    p_mark = (p + end) / 2
                else:
                    p_mark = p
                if p_mark is not None and a is not None:
                    ax.plot(
                        [p_mark, a],
                        [y, y],
                        color=colour,
                        linewidth=1.4,
                        zorder=2,
                        solid_capstyle="butt",
                        linestyle=(0, (3, 2)) if row["planned_precision"] == "month" else "-",
                    )
                if p_mark is not None and row["planned_precision"] != "month":
                    ax.plot(
                        [p_mark],
                        [y],
                        marker="o",
                        markersize=6.5,
                        markerfacecolor="white",
                        markeredgecolor=colour,
                        markeredgewidth=1.4,
                        linestyle="none",
                        zorder=3,
                    )
                if a is not None:
                    ax.plot([a], [y], marker="o", markersize=6, color=colour, linestyle="none", zorder=4)
                note = note_of(row)
                if note:
                    x = max(v for v in (p_mark, a) if v is not None)
                    ax.annotate(
                        note,
                        xy=(x, y),
                        xytext=(7, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=7,
                        color=_HIGHLIGHT if slipped else (_MUTED if a is None else _INK),
                        fontweight="bold" if slipped else "normal",
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                    )
            ax.set_yticks(ys, [label_of(r) for _, r in part.iterrows()])
            ax.tick_params(axis="y", length=0, labelsize=7.5)
            ax.spines["left"].set_visible(False)
            ax.set_ylim(ys[-1] + hs[-1] / 2 + 0.05, -hs[0] / 2 - 0.05)
            ax.set_xlim(lo - 0.04 * span, hi + 0.38 * span)
            ax.xaxis.set_major_locator(_date_locator(span * 1.4))
            ax.xaxis.set_major_formatter(_DateFormatter(lang))
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                markerfacecolor="white",
                markeredgecolor=_BASE,
                markeredgewidth=1.4,
                linestyle="none",
                markersize=6.5,
            ),
            Patch(facecolor="white", edgecolor=_BASE, linewidth=1.0),
            Line2D([], [], marker="o", color=_BASE, linestyle="none", markersize=6),
            Line2D([], [], color=_HIGHLIGHT, linewidth=1.4, marker="o", markersize=5),
        ]
        texts = [w["planned"], w["planned_month"], w["actual"], w["later_than_planned"]]
        _bottom_legend(fig, handles, texts)
    return _finish(fig)


# --------------------------------------------------------------------------- indicators


def _year_styles(years: list[int]):
    """Year -> (colour, marker): older lighter, newest darkest; distinct shapes for greyscale.

    The lightest is cividis at 0.55 (3.7:1 against white; at 0.72 it was 2.4:1, too faint for a
    data point, WCAG 1.4.11)."""
    cmap = matplotlib.colormaps["cividis"]
    markers = ("o", "s", "D", "^", "v", "P", "X")
    k = len(years)
    out = {}
    for j, year in enumerate(years):
        pos = 0.0 if k == 1 else 0.55 * (1 - j / (k - 1))
        out[year] = (cmap(pos), markers[(k - 1 - j) % len(markers)])
    return out


def indicators_chart(
    intervals: pd.DataFrame,
    changes: pd.DataFrame | None,
    lang: str = "nl",
    q: float = 0.05,
) -> Figure:
    """Dot-and-whisker chart of monitor indicators: one row per indicator x group with >= 2 years.

    ``intervals``: monitor, indicator, group, year, percent (0-100), n (Int64, NA = unknown),
    ci_low, ci_high (Wilson interval in percent; NaN where n is unknown). Points without an
    interval are hollow and listed in the legend as 'n onbekend'. ``changes``: monitor,
    indicator, group, year_from, year_to, diff_pp, significant (bool), note; a significant
    change gets a bold arrow between the two points and its size at the right ('+1,8 pp *').
    One panel per monitor; long indicator names are wrapped. ``q`` only words the legend.
    """
    w = _words(lang)
    _require(intervals, ("monitor", "indicator", "group", "year", "percent"), "intervals")
    df = intervals.copy()
    for col in ("n", "ci_low", "ci_high"):
        if col not in df.columns:
            df[col] = np.nan
    df["group"] = df["group"].astype("string").fillna("")
    df["monitor"] = df["monitor"].astype(str)
    df["indicator"] = df["indicator"].astype(str)
    df["year"] = pd.to_numeric(df["year"], errors="coerce")
    df["percent"] = pd.to_numeric(df["percent"], errors="coerce").astype(float)
    df["ci_low"] = pd.to_numeric(df["ci_low"], errors="coerce").astype(float)
    df["ci_high"] = pd.to_numeric(df["ci_high"], errors="coerce").astype(float)
    df = df[df["percent"].notna() & df["year"].notna()]
    df["year"] = df["year"].astype(int)
    has_ci = df["ci_low"].notna() & df["ci_high"].notna()
    outside = has_ci & ((df["percent"] < df["ci_low"] - 1e-6) | (df["percent"] > df["ci_high"] + 1e-6))
    if outside.any():
        raise ValueError(
            "intervals: percent lies outside [ci_low, ci_high] in "
            f"{int(outside.sum())} row(s); ci_low/ci_high must be in percent, like 'percent'"
        )
    keys = ["monitor", "indicator", "group"]
    counts = df.groupby(keys, sort=False)["year"].nunique()
    rows = [key for key, count in counts.items() if count >= 2]
    monitors = list(dict.fromkeys(m for m, _, _ in rows))
    shown_years = df[df.set_index(keys).index.isin(rows)]["year"] if rows else df["year"].iloc[:0]
    styles = _year_styles(sorted(shown_years.unique().tolist()))

    significant = {}
    if changes is not None and len(changes):
        _require(changes, ("monitor", "indicator", "group", "year_from", "year_to", "significant"), "changes")
        ch = changes.copy()
        ch["group"] = ch["group"].astype("string").fillna("")
        for _, c in ch.iterrows():
            if bool(c["significant"]) if pd.notna(c["significant"]) else False:
                key = (str(c["monitor"]), str(c["indicator"]), str(c["group"]))
                significant.setdefault(key, []).append(
                    (int(c["year_from"]), int(c["year_to"]), c.get("diff_pp", np.nan))
                )

    def row_label(indicator: str, group: str) -> str:
        text = textwrap.fill(indicator, width=42)
        return text + (f"\n({group})" if group else "")

    per_monitor = {m: [r for r in rows if r[0] == m] for m in monitors}
    row_h = {r: max(0.42, 0.15 * (row_label(r[1], r[2]).count("\n") + 1) + 0.08) for r in rows}
    heights = [sum(row_h[r] for r in per_monitor[m]) + 0.3 for m in monitors]
    any_unknown = False
    any_significant = False

    with _house_style():
        fig = _new_figure(1.1 + sum(heights) if rows else 2.0)
        if not rows:
            return _no_data(fig, fig.add_subplot(), w)
        axes = fig.subplots(len(monitors), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
        shown = df[df.set_index(keys).index.isin(rows)]
        top = float(np.nanmax(np.r_[shown["percent"].to_numpy(), shown["ci_high"].to_numpy()]))
        xmax = min(100.0, max(10.0, math.ceil(top * 1.1 / 10) * 10))
        for ax, monitor in zip(axes, monitors):
            ax.grid(False, axis="y")
            ax.grid(True, axis="x")
            ax.set_title(textwrap.fill(monitor, width=46), fontsize=8.5, y=1.0, pad=4)  # fixed y: see milestones_chart
            mine = per_monitor[monitor]
            for i, key in enumerate(mine):
                part = df[(df["monitor"] == key[0]) & (df["indicator"] == key[1]) & (df["group"] == key[2])]
                part = part.sort_values("year")
                row_years = part["year"].unique().tolist()
                k = len(row_years)
                spots = {}
                for _, point in part.iterrows():
                    j = row_years.index(point["year"])
                    y = i + (j - (k - 1) / 2) * min(0.22, 0.6 / max(k - 1, 1))
                    colour, marker = styles[point["year"]]
                    x = point["percent"]
                    spots[point["year"]] = (x, y)
                    if pd.notna(point["ci_low"]) and pd.notna(point["ci_high"]) and pd.notna(point["n"]):
                        ax.errorbar(
                            [x],
                            [y],
                            xerr=[[x - point["ci_low"]], [point["ci_high"] - x]],
                            fmt=marker,
                            color=colour,
                            markersize=5.5,
                            elinewidth=1.2,
                            capsize=2,
                            zorder=3,
                        )
                    else:
                        any_unknown = True
                        ax.plot(
                            [x],
                            [y],
                            marker=marker,
                            markersize=5.5,
                            markerfacecolor="white",
                            markeredgecolor=colour,
                            markeredgewidth=1.3,
                            linestyle="none",
                            zorder=3,
                        )
                for year_from, year_to, diff in significant.get(key, []):
                    if year_from not in spots or year_to not in spots:
                        continue
                    any_significant = True
                    (x0, y0), (x1, y1) = spots[year_from], spots[year_to]
                    ax.annotate(
                        "",
                        xy=(x1, y1),
                        xytext=(x0, y0),
                        arrowprops={
                            "arrowstyle": "-|>,head_length=0.35,head_width=0.2",
                            "color": _INK,
                            "linewidth": 1.8,
                            "shrinkA": 3,
                            "shrinkB": 3,
                        },
                        zorder=4,
                    )
                    if pd.isna(diff):
                        diff = x1 - x0
                    sign = "+" if diff > 0 else ""
                    ax.text(
                        1.01,
                        i,
                        f"{sign}{_number(diff, lang, 1)} {w['pp']} *",
                        transform=ax.get_yaxis_transform(),
                        ha="left",
                        va="center",
                        fontsize=7.5,
                        fontweight="bold",
                        color=_INK,
                        clip_on=False,
                    )
            ax.set_yticks(range(len(mine)), [row_label(k[1], k[2]) for k in mine])
            ax.tick_params(axis="y", length=0, labelsize=7.5)
            ax.spines["left"].set_visible(False)
            ax.set_ylim(len(mine) - 0.5, -0.5)
        axes[-1].set_xlim(0, xmax)
        axes[-1].xaxis.set_major_locator(MultipleLocator(10 if xmax <= 60 else 20))
        axes[-1].xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        axes[-1].set_xlabel(w["percent"])
        drawn = sorted(shown["year"].unique().tolist())
        handles = [
            Line2D([], [], marker=styles[y][1], color=styles[y][0], linestyle="none", markersize=5.5) for y in drawn
        ]
        texts = [str(y) for y in drawn]
        if any_unknown:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    markerfacecolor="white",
                    markeredgecolor=_MUTED,
                    markeredgewidth=1.3,
                    linestyle="none",
                    markersize=5.5,
                )
            )
            texts.append(w["n_unknown"])
        if any_significant:
            handles.append(Line2D([], [], color=_INK, linewidth=1.8, marker=">", markersize=5))
            texts.append(w["significant"].format(q=_number(q, lang, 2, strip=True)))
        _bottom_legend(fig, handles, texts)
    return _finish(fig)


# --------------------------------------------------------------------------- projection


def _field(obj, name: str, default=None):
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    if hasattr(obj, name):
        return getattr(obj, name)
    try:
        return obj[name]
    except (KeyError, TypeError, IndexError):
        return default


def projection_chart(
    history: pd.DataFrame,
    projection,
    lang: str = "nl",
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Share of completed activities per report year and, when possible, a projection to ``end``.

    ``history``: report_year, share_completed (fraction 0-1), drawn at 1 April of each year.
    ``projection``: mapping or object with expected_share, low, high (fractions), end (date),
    possible (bool), optionally reason (or reason_nl / reason_en). When not possible, only the
    history and the text 'Geen projectie mogelijk' (plus the reason) are shown. ``labels``
    words the y axis with the report year's word for 'completed'. Shares in percent (as
    :class:`nap_analysis.analysis.statistics.CompletionProjection` holds them) are refused: divide by 100.
    """
    w = _words(lang)
    _require(history, ("report_year", "share_completed"), "history")
    hist = history[["report_year", "share_completed"]].copy()
    hist["share_completed"] = pd.to_numeric(hist["share_completed"], errors="coerce").astype(float)
    hist = hist.dropna().sort_values("report_year")
    possible = bool(_field(projection, "possible", False))
    values = list(hist["share_completed"])
    if possible:
        expected, low, high = (float(_field(projection, k)) for k in ("expected_share", "low", "high"))
        values += [expected, low, high]
    if any(v < -1e-9 or v > 1 + 1e-9 for v in values):
        raise ValueError("history/projection: shares must be fractions between 0 and 1")

    with _house_style():
        fig = _new_figure(2.7)
        ax = fig.add_subplot()
        xs = [_to_num(_dt.date(int(y), 4, 1)) for y in hist["report_year"]]
        ys = list(hist["share_completed"])
        handles, texts = [], []
        if xs:
            (line,) = ax.plot(xs, ys, color=_BASE, marker="o", markersize=6, linewidth=1.6, zorder=3)
            handles.append(line)
            texts.append(w["history"])
            for x, y in zip(xs, ys):
                ax.annotate(
                    _percent(y, lang),
                    xy=(x, y),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    color=_BASE,
                )
        right = xs[-1] if xs else _to_num(_dt.date.today())
        left = xs[0] if xs else right
        if possible:
            end = pd.Timestamp(_field(projection, "end"))
            xe = _to_num(end)
            if xs:
                ax.plot([xs[-1], xe], [ys[-1], expected], color=_BASE, linestyle=(0, (4, 3)), linewidth=1.3, zorder=2)
            container = ax.errorbar(
                [xe],
                [expected],
                yerr=[[expected - low], [high - expected]],
                fmt="D",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=_BASE,
                markeredgewidth=1.4,
                color=_BASE,
                elinewidth=1.3,
                capsize=4,
                zorder=4,
            )
            handles.append(container)
            texts.append(w["projection"])
            ax.annotate(
                w["projection_at"].format(
                    date=format_date(end, lang),
                    value=_percent(expected, lang),
                    low=_percent(low, lang),
                    high=_percent(high, lang),
                ),
                xy=(xe, high),
                xytext=(2, 7),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=7.5,
                color=_BASE,
                fontweight="bold",
            )
            right = max(right, xe)
            left = min(left, xe)
        else:
            message = w["no_projection"]
            reason = _field(projection, "reason") or _field(projection, f"reason_{lang}")
            if isinstance(reason, str) and reason.strip():
                message += "\n" + textwrap.fill(reason.strip(), width=50)
            ax.text(
                0.97,
                0.5,
                message,
                transform=ax.transAxes,
                ha="right",
                va="center",
                color=_MUTED,
                fontsize=8.5,
                fontstyle="italic",
            )
        start_year = mdates.num2date(left).year
        end_year = mdates.num2date(right).year + 1
        ax.set_xlim(_to_num(_dt.date(start_year, 1, 1)), _to_num(_dt.date(end_year, 1, 1)) + 20)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(_DateFormatter(lang))
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_ylabel(w["share_status"].format(label=_label(labels, "completed", lang)))
        _bottom_legend(fig, handles, texts)
    return _finish(fig)


# --------------------------------------------------------------------------- output


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
    with _house_style():
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


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


#: Resolution of the PNG files (and of the measurement of the tight box, for both formats).
SAVE_DPI = 200


def _tight_box(fig: Figure):
    """The tight bounding box (inches) with the house padding: measured once, used for each format.

    Measured at SAVE_DPI, as savefig's own ``bbox_inches='tight'`` does: text is laid out per
    resolution, and a box measured at the figure's 100 dpi cut 0.13 in off the longest label of
    the indicators chart at 200 dpi.
    """
    with _house_style():
        dpi = fig.dpi
        fig.set_dpi(SAVE_DPI)
        try:
            return fig.get_tightbbox().padded(0.06)
        finally:
            fig.set_dpi(dpi)


class OpaquePNGCanvas(FigureCanvasAgg):
    """Agg, but an opaque figure is saved as an RGB PNG instead of RGBA.

    The charts have a white background; an alpha channel of 255 everywhere only costs: the PDF
    printer splits it off into a separate image mask (0.3 s per briefing) and the file is larger.
    A figure with any transparent pixel keeps its alpha channel.
    """

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_ignored):
        from PIL import Image
        from PIL.PngImagePlugin import PngInfo

        FigureCanvasAgg.draw(self)
        rgba = np.asarray(self.buffer_rgba())
        opaque = bool((rgba[..., 3] == 255).all())
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else rgba, "RGB" if opaque else "RGBA")
        info = PngInfo()
        for key, value in {"Software": f"Matplotlib version{matplotlib.__version__}", **(metadata or {})}.items():
            if value is not None:
                info.add_text(key, value)
        image.save(
            filename_or_obj, format="png", pnginfo=info, dpi=(self.figure.dpi, self.figure.dpi), **(pil_kwargs or {})
        )


#: savefig(backend="module://nap_analysis.figures") renders with this canvas.
FigureCanvas = OpaquePNGCanvas


#: Fonts an SVG names after DejaVu Sans: a machine without it (Word on Windows, a browser on a
#: Mac) draws the labels in a font of the same design roots and width, not in a serif default.
SVG_FONT_FALLBACKS = ("Verdana", "Arial")
_SVG_FAMILY = re.compile(rb"font-family: ?([^;\"]*)")


def _with_font_fallbacks(svg: bytes) -> bytes:
    """Every font-family list of the SVG that names DejaVu Sans gets the fallbacks before the
    generic family ('DejaVu Sans', Verdana, Arial, sans-serif); the text stays text."""

    def widen(match: re.Match) -> bytes:
        names = [n.strip() for n in match.group(1).decode("utf-8").split(",") if n.strip()]
        if not any(n.strip("'\"") == "DejaVu Sans" for n in names):
            return match.group(0)
        generic = [n for n in names if n in ("sans-serif", "serif", "monospace")]
        named = [n for n in names if n not in generic]
        named += [f for f in SVG_FONT_FALLBACKS if f not in (n.strip("'\"") for n in named)]
        return b"font-family: " + ", ".join(named + (generic or ["sans-serif"])).encode("utf-8")

    return _SVG_FAMILY.sub(widen, svg)


def figure_bytes(fig: Figure, kind: str, box=None) -> bytes:
    """Render ``fig`` as 'png' (200 dpi, RGB when opaque) or 'svg' (text as text), byte-identical on reruns.

    ``box``: a tight bounding box from :func:`_tight_box`, so saving both formats measures once
    (savefig's ``bbox_inches='tight'`` draws the whole figure an extra time per format).
    """
    if kind == "png":
        metadata, backend = {"Software": "nap-analysis"}, f"module://{__name__}"
    elif kind == "svg":
        metadata, backend = {"Date": None, "Creator": "nap-analysis"}, None
    else:
        raise ValueError(f"format must be 'png' or 'svg', not {kind!r}")
    buffer = io.BytesIO()
    # SVG text stays text (fonttype 'none'), so a nota writer can edit a label
    with _house_style(), matplotlib.rc_context({"svg.hashsalt": "nap-analysis", "svg.fonttype": "none"}):
        fig.savefig(
            buffer,
            format=kind,
            dpi=SAVE_DPI,
            metadata=metadata,
            bbox_inches=box or _tight_box(fig),
            backend=backend,
        )
    return _with_font_fallbacks(buffer.getvalue()) if kind == "svg" else buffer.getvalue()


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")


def describe_svg(svg: bytes, title: str, description: str, lang: str | None = None) -> bytes:
    """The SVG with a ``<title>`` and a ``<desc>`` as the first children of its root (what a screen
    reader or a file browser names and describes the image by) and, given ``lang``, the language of
    both on the root; the same words give the same bytes."""
    from xml.sax.saxutils import escape, quoteattr

    match = _SVG_ROOT.search(svg)
    if match is None:
        raise ValueError("not an SVG image: no <svg> element")
    root = match.group(0)
    if lang:
        root = root[:-1] + f" xml:lang={quoteattr(lang)} lang={quoteattr(lang)}>".encode()
    inner = f"\n <title>{escape(title)}</title>\n <desc>{escape(description)}</desc>".encode()
    return svg[: match.start()] + root + inner + svg[match.end() :]


def render(
    fig: Figure,
    name: str,
    caption: str,
    alt: str,
    notes: list[Paragraph] | None = None,
    svg: bool = True,
    lang: str | None = None,
) -> FigureBlock:
    """The chart as a document figure: PNG (and SVG) rendered once, with its caption and alt text;
    the SVG carries the caption as its ``<title>`` and the alt text as its ``<desc>`` (in ``lang``)."""
    _check_name(name)
    box = _tight_box(fig)
    png = figure_bytes(fig, "png", box)
    vector = describe_svg(figure_bytes(fig, "svg", box), caption, alt, lang) if svg else None
    return FigureBlock(name=name, caption=caption, alt=alt, png=png, svg=vector, notes=list(notes or []))


def _check_name(name) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"figure name must be a plain file stem (letters, digits, . _ -), not {name!r}")
