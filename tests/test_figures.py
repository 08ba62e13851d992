"""Tests for the charts (house style in nap_analysis.briefing.charts, each chart in its section module)
and their files (nap_analysis.briefing.render.figure): words from labels, geometry, colours, deterministic files."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from nap_analysis.briefing import charts as F
from nap_analysis.briefing import sections as S
from nap_analysis.briefing.render import figure as R
from nap_analysis.data.vocabulary import ACTIVITY_STATUSES, MOTION_STATUSES
from nap_analysis.errors import UsageError
from nap_analysis.words import words

DEFAULT_LABELS = {lang: {c: words(lang)[f"status.{c}"] for c in MOTION_STATUSES} for lang in ("nl", "en")}
LABELS_2025 = {**DEFAULT_LABELS["nl"], "completed": "wordt invulling gegeven aan"}
NBSP = "\u00a0"


# --------------------------------------------------------------------------- fixtures


def _shares(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    df = df.copy()
    df["share"] = df["n"] / df.groupby(by)["n"].transform("sum")
    return df


@pytest.fixture
def progress() -> pd.DataFrame:
    counts = {
        "1": {"completed": 2, "in_progress": 3, "delayed": 0, "stopped": 0, "not_started": 0},
        "2": {"completed": 1, "in_progress": 1, "delayed": 1, "stopped": 1, "not_started": 0},
        "3": {"completed": 0, "in_progress": 4, "delayed": 0, "stopped": 0, "not_started": 1},
        "total": {"completed": 3, "in_progress": 8, "delayed": 1, "stopped": 1, "not_started": 1},
    }
    rows = [(line, status, n) for line, c in counts.items() for status, n in c.items()]
    df = pd.DataFrame(rows, columns=["actielijn", "status", "n"])
    df = _shares(df, ["actielijn"])
    df["actielijn"] = pd.Categorical(df["actielijn"], ["1", "2", "3", "total"])
    df["status"] = pd.Categorical(df["status"], ACTIVITY_STATUSES)
    return df


@pytest.fixture
def progress_two_years(progress) -> pd.DataFrame:
    older = progress.copy()
    older["n"] = [1, 4, 0, 0, 0, 0, 2, 1, 1, 0, 0, 3, 0, 0, 2, 1, 9, 1, 1, 2]
    older = _shares(older, ["actielijn"])
    return pd.concat([older.assign(report_year=2024), progress.assign(report_year=2025)], ignore_index=True)


@pytest.fixture
def motions() -> pd.DataFrame:
    rows = [
        ("motie", "completed", 3),
        ("motie", "alternative", 1),
        ("toezegging", "completed", 2),
        ("toezegging", "in_progress", 2),
        ("total", "completed", 5),
        ("total", "alternative", 1),
        ("total", "in_progress", 2),
    ]
    df = _shares(pd.DataFrame(rows, columns=["kind", "status", "n"]), ["kind"])
    df["status"] = pd.Categorical(df["status"], MOTION_STATUSES)
    return df


@pytest.fixture
def funds() -> pd.DataFrame:
    """Fund lines as funds_by_instrument gives them: a per-year amount, a total, and no funds."""
    df = pd.DataFrame(
        [
            (
                "OCW",
                "Voorjaarsnota 2022",
                "Bureau Regeringscommissaris",
                "",
                "total",
                4_670_000.0,
                None,
                4_670_000.0,
                "decided",
            ),
            (
                "OCW",
                "Voorjaarsnota 2022",
                "Programmakosten 2022",
                "2022",
                "total",
                2_050_000.0,
                1,
                2_050_000.0,
                "decided",
            ),
            (
                "OCW",
                "Ontwerpbegroting 2023",
                "Interventies (ca. 1 mln), onderzoek",
                "2023-2025",
                "per_year",
                2_549_000.0,
                3,
                7_647_000.0,
                "decided",
            ),
            (
                "SZW",
                "Begroting SZW",
                "Sociale partners (600.000)",
                "2023-2025",
                "total",
                800_000.0,
                3,
                800_000.0,
                "reserved",
            ),
            ("VWS", "", "Nog geen extra middelen", "", "total", None, None, None, "no_funds"),
        ],
        columns=[
            "ministry",
            "instrument",
            "purpose",
            "period",
            "amount_basis",
            "amount_eur",
            "years",
            "total_eur",
            "status",
        ],
    )
    df["years"] = df["years"].astype("Int64")
    return df


@pytest.fixture
def milestones() -> pd.DataFrame:
    """Milestones as slippage gives them: two phases years apart, one planned date known only as a month."""
    from nap_analysis.analysis.milestones import slippage

    df = pd.DataFrame(
        {
            "milestone": [
                "Eerste concept",
                "BWO",
                "MR en verzending aan de Tweede Kamer",
                "CWIZO",
                "Conferentie",
                "Verzending VGR 2",
            ],
            "planned": pd.to_datetime(
                ["2022-10-07", "2022-10-17", "2022-12-02", "2022-11-14", "2022-12-01", "2025-04-14"]
            ),
            "planned_precision": ["day", "day", "day", "day", "month", "day"],
            "actual": pd.to_datetime(["2022-10-07", "2022-10-21", "2023-01-13", None, "2023-03-22", None]),
            "actual_precision": ["day", "day", "day", None, "day", None],
            "phase": ["NAP", "NAP", "NAP", "NAP", "NAP", "VGR 2"],
        }
    )
    return slippage(df)


def _wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return 100 * (centre - half), 100 * (centre + half)


@pytest.fixture
def intervals() -> pd.DataFrame:
    long = "slachtoffer afgelopen 12 maanden van seksueel grensoverschrijdend gedrag, online of offline"
    rows = []
    for indicator, group, year, pct, n in [
        (long, "16+ totaal", 2020, 10.9, None),
        (long, "16+ totaal", 2022, 12.7, 24000),
        ("weet waar je terecht kunt", "", 2024, 35.0, 2000),
        ("weet waar je terecht kunt", "", 2025, 36.0, 2100),
        ("maar één meting", "", 2025, 50.0, 1000),
    ]:
        lo, hi = _wilson(pct / 100, n) if n else (np.nan, np.nan)
        rows.append(("Monitor A", indicator, group, year, pct, n, lo, hi))
    df = pd.DataFrame(rows, columns=["monitor", "indicator", "group", "year", "percent", "n", "ci_low", "ci_high"])
    df["n"] = df["n"].astype("Int64")
    return df


@pytest.fixture
def changes(intervals) -> pd.DataFrame:
    long = intervals["indicator"].iloc[0]
    return pd.DataFrame(
        [
            ("Monitor A", long, "16+ totaal", 2020, 2022, 1.8, True, ""),
            ("Monitor A", "weet waar je terecht kunt", "", 2024, 2025, 1.0, False, ""),
        ],
        columns=["monitor", "indicator", "group", "year_from", "year_to", "diff_pp", "significant", "reason"],
    )


def _legend_texts(fig: Figure) -> list[str]:
    """Legend entries in the order a reader sees them: row by row, left to right."""
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    fig.draw_without_rendering()
    texts = [t for legend in legends for t in legend.get_texts()]
    boxes = [t.get_window_extent() for t in texts]
    order = sorted(range(len(texts)), key=lambda i: (-round(boxes[i].y0), boxes[i].x0))
    return [texts[i].get_text() for i in order if texts[i].get_text()]


def _all_texts(fig: Figure) -> list[str]:
    fig.draw_without_rendering()  # resolves tick labels
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


# --------------------------------------------------------------------------- colours


def test_the_drawn_chart_hatches_stopped_delayed_and_alternative_each_with_its_own_pattern():
    """Read off the SVG a reader gets, not off the constant: which segments carry a hatch pattern.
    'alternative' is hatched since issue 16: its colour cannot be 3:1 from both sky blue and
    near-white, and it touches either in the motions chart (see the contrast test below)."""
    import re

    table = pd.DataFrame({"kind": "motie", "status": list(MOTION_STATUSES), "n": 1})
    svg = R.figure_bytes(S.motions_chart(table, None), "svg").decode("utf-8")
    segments = dict(re.findall(r'<g id="seg-motie-(\w+)">(.*?)</g>', svg, flags=re.S))
    assert set(segments) == set(MOTION_STATUSES)
    # pattern id -> the geometry of its lines (the fill colour left out: a pattern is its lines)
    lines = dict(re.findall(r'<pattern id="(\w+)".*?<path d="([^"]*)"', svg, flags=re.S))
    hatched = {
        code: ids for code, body in segments.items() if (ids := set(re.findall(r"url\(#(\w+)\)", body)) & set(lines))
    }
    assert set(hatched) == {"stopped", "delayed", "alternative"}
    assert len({lines[i] for ids in hatched.values() for i in ids}) == 3  # each its own pattern of lines


def test_any_two_status_segments_that_can_touch_differ_by_3_to_1_or_a_pattern():
    """WCAG 1.4.11: segments of a bar are told apart by a contrast of 3:1, or by a hatch whose
    lines have 3:1 against its own fill. Any two statuses can touch (those between are absent)."""
    for a, b in itertools.combinations(F.STATUS_COLOURS, 2):
        if a in F.STATUS_HATCHES or b in F.STATUS_HATCHES:
            continue
        ratio = F.contrast_ratio(F.STATUS_COLOURS[a], F.STATUS_COLOURS[b])
        assert ratio >= 3, f"{a} and {b}: {ratio:.2f}:1"
    for code in F.STATUS_HATCHES:
        colour = F.STATUS_COLOURS[code]
        assert F.contrast_ratio(colour, F.hatch_colour(colour)) >= 3, code
    # the pair the issue measured: 'in uitvoering' against 'alternatieve invulling' was 1.42:1, unhatched
    assert F.contrast_ratio("#2E9BE4", F.STATUS_COLOURS["alternative"]) < 1.5 and "alternative" in F.STATUS_HATCHES


def test_text_on_a_segment_has_4_5_to_1_and_light_fills_get_a_dark_edge():
    for code, colour in F.STATUS_COLOURS.items():
        assert F.contrast_ratio(colour, F.ink_on(colour)) >= 4.5, code
        assert F.contrast_ratio(F.edge_colour(colour), "#FFFFFF") >= 3, code
    assert F.edge_colour(F.STATUS_COLOURS["not_started"]) != F.STATUS_COLOURS["not_started"]
    assert F.edge_colour(F.STATUS_COLOURS["completed"]) == F.STATUS_COLOURS["completed"]
    assert F.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)


def test_status_colours_differ_in_greyscale():
    lum = {code: F.relative_luminance(c) for code, c in F.STATUS_COLOURS.items()}
    for (a, ya), (b, yb) in itertools.combinations(lum.items(), 2):
        assert abs(ya - yb) >= 0.12, f"{a} ({ya:.3f}) and {b} ({yb:.3f}) look alike in greyscale"


def _lab(rgb_linear: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb_linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


@pytest.mark.parametrize("kind", [None, *_CVD])
def test_status_colours_stay_apart_for_colour_blind_readers(kind):
    from matplotlib.colors import to_rgb

    def linear(c):
        rgb = np.asarray(to_rgb(c))
        return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)

    labs = {}
    for code, colour in F.STATUS_COLOURS.items():
        rgb = linear(colour)
        if kind:
            rgb = np.clip(np.array(_CVD[kind]) @ rgb, 0, 1)
        labs[code] = _lab(rgb)
    for a, b in itertools.combinations(labs, 2):
        assert np.linalg.norm(labs[a] - labs[b]) >= 15, (kind, a, b)
        assert abs(labs[a][0] - labs[b][0]) >= 8, (kind, a, b)  # lightness alone keeps them apart


# --------------------------------------------------------------------------- progress


def test_progress_chart_uses_display_words_not_codes(progress):
    fig = S.progress_chart(progress, LABELS_2025)
    assert isinstance(fig, Figure)
    legend = _legend_texts(fig)
    assert legend == [LABELS_2025[c] for c in ACTIVITY_STATUSES]
    assert "wordt invulling gegeven aan" in legend
    texts = _all_texts(fig)
    for code in ACTIVITY_STATUSES:
        assert code not in texts
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Actielijn 1", "Actielijn 2", "Actielijn 3", "Totaal"]


def test_progress_chart_missing_label_falls_back_to_default_word(progress):
    fig = S.progress_chart(progress, {"completed": "wordt invulling gegeven aan"})
    assert _legend_texts(fig)[1:] == [DEFAULT_LABELS["nl"][c] for c in ACTIVITY_STATUSES[1:]]


def test_progress_chart_segment_widths_equal_shares(progress):
    fig = S.progress_chart(progress, LABELS_2025)
    segments = {p.get_gid(): p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("seg-")}
    expected = progress[progress["share"] > 0]
    assert len(segments) == len(expected)
    for row in expected.itertuples():
        patch = segments[f"seg-{row.actielijn}-{row.status}"]
        assert patch.get_width() == pytest.approx(row.share)
    # segments of one bar are stacked left to right in vocabulary order and fill 0..1
    line2 = [segments[f"seg-2-{c}"] for c in ("completed", "in_progress", "delayed", "stopped")]
    assert [p.get_x() for p in line2] == pytest.approx([0, 0.25, 0.5, 0.75])
    assert line2[-1].get_x() + line2[-1].get_width() == pytest.approx(1.0)
    assert segments["seg-2-stopped"].get_hatch() and segments["seg-2-delayed"].get_hatch()
    assert not segments["seg-2-completed"].get_hatch()
    assert segments["seg-2-completed"].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(F.STATUS_COLOURS["completed"])
    )
    assert fig.axes[0].get_xlim() == (0, 1)
    assert "40%" in _all_texts(fig)  # 2/5 of action line 1 completed


def test_progress_chart_english_and_titles(progress):
    fig = S.progress_chart(progress, DEFAULT_LABELS["en"], lang="en", titles={1: "Shared norms", "2": "Law"})
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Action line 1\nShared norms", "Action line 2\nLaw", "Action line 3", "Total"]
    assert _legend_texts(fig)[0] == "completed"


def test_progress_chart_two_years_draws_one_thin_bar_per_year(progress_two_years):
    fig = S.progress_chart(progress_two_years, LABELS_2025)
    ax = fig.axes[0]
    segments = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("seg-")}
    old, new = segments["seg-1-completed-2024"], segments["seg-1-completed-2025"]
    assert old.get_width() == pytest.approx(0.2) and new.get_width() == pytest.approx(0.4)
    assert old.get_height() < 0.5
    # previous year drawn above the current one (y axis is inverted: smaller y is higher)
    assert old.get_y() < new.get_y()
    texts = _all_texts(fig)
    assert any(t.startswith("2024") for t in texts) and any(t.startswith("2025") for t in texts)
    assert len(ax.get_yticklabels()) == 4


def test_unknown_language_is_refused(progress):
    with pytest.raises(UsageError):
        S.progress_chart(progress, LABELS_2025, lang="de")


# --------------------------------------------------------------------------- motions


def test_motions_chart_legend_uses_labels(motions):
    fig = S.motions_chart(motions, LABELS_2025)
    assert _legend_texts(fig) == ["wordt invulling gegeven aan", "in uitvoering", "alternatieve invulling"]
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Moties", "Toezeggingen", "Totaal"]
    texts = _all_texts(fig)
    assert "alternative" not in texts and "completed" not in texts
    widths = {p.get_gid(): p.get_width() for p in fig.axes[0].patches if p.get_gid()}
    assert widths["seg-motie-completed"] == pytest.approx(0.75)


def test_motions_chart_english(motions):
    fig = S.motions_chart(motions, DEFAULT_LABELS["en"], lang="en")
    assert "fulfilled otherwise" in _legend_texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Motions", "Commitments", "Total"]


# --------------------------------------------------------------------------- funds


@pytest.mark.parametrize(
    "amount, lang, expected",
    [
        (2_549_000, "nl", f"€{NBSP}2,549{NBSP}mln"),
        (2_549_000, "en", "€2.549m"),
        (10_958_500, "nl", f"€{NBSP}10,959{NBSP}mln"),
        (800_000, "nl", f"€{NBSP}800.000"),
        (800_000, "en", "€800,000"),
        (2_000_000, "nl", f"€{NBSP}2{NBSP}mln"),
        (1_250_000_000, "nl", f"€{NBSP}1,25{NBSP}mld"),
    ],
)
def test_format_euro(amount, lang, expected):
    assert F.format_euro(amount, lang) == expected


def test_funds_chart_measures_totals_only_and_labels_per_year_amounts(funds):
    """Every bar is a total over its stated period: a per-year amount is drawn as its total and
    labelled as '3 × amount = total', so yearly and multi-year sums never share an axis."""
    fig = S.funds_chart(funds)
    bars = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    widths = {gid.split("-")[2]: p.get_width() for gid, p in bars.items()}
    assert widths == {"0": 4_670_000, "1": 2_050_000, "2": 7_647_000, "3": 800_000}
    assert bars["fund-SZW-3-reserved"].get_hatch() and not bars["fund-OCW-2-decided"].get_hatch()
    texts = _all_texts(fig)
    assert f"3 × €{NBSP}2.549.000 = €{NBSP}7.647.000" in texts
    assert f"totaal €{NBSP}6.720.000" in texts  # the Voorjaarsnota's two lines together
    assert "  geen extra middelen" in texts  # VWS: the memo's words, no bar
    assert fig.axes[0].get_xlabel() == "Totaal over de genoemde periode"
    # VWS has no bar, so no swatch: the legend names only colours the chart shows
    assert _legend_texts(fig) == ["OCW", "SZW", "vrijgemaakt", "gereserveerd (besluit volgt)"]


def test_funds_chart_english(funds):
    fig = S.funds_chart(funds, lang="en")
    assert "reserved (decision pending)" in _legend_texts(fig)
    fig.draw_without_rendering()
    assert any(t.get_text().startswith("€") and t.get_text().endswith("m") for t in fig.axes[0].get_xticklabels())
    assert "3 × €2,549,000 = €7,647,000" in _all_texts(fig)


# --------------------------------------------------------------------------- milestones


def test_milestones_chart_gives_each_phase_its_own_time_axis(milestones):
    """Steps years apart are never squeezed onto one scale: the 2025 report has its own panel."""
    fig = S.milestones_chart(milestones)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["NAP", "VGR 2"]
    nap, vgr = fig.axes
    assert nap.get_xlim()[1] < matplotlib.dates.date2num(dt.datetime(2023, 12, 31))
    assert vgr.get_xlim()[0] > matplotlib.dates.date2num(dt.datetime(2025, 1, 1))
    ticks = [t.get_text().replace("\n", " ") for t in nap.get_yticklabels()]
    assert ticks == ["Eerste concept", "BWO", "CWIZO", "Conferentie", "MR en verzending aan de Tweede Kamer"]


def test_milestones_chart_marks_a_slip_from_a_month_as_approximate(milestones):
    fig = S.milestones_chart(milestones)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "+42 dagen" in texts and "+4 dagen" in texts and "op tijd" in texts
    assert "ca. +3 maanden" in texts  # planned 'December 2022', held 22 March 2023
    assert "werkelijke datum onbekend" in texts
    month_bars = [p for p in fig.axes[0].patches if p.get_width() > 20]  # a bar over the whole month
    assert len(month_bars) == 1
    assert _legend_texts(fig) == ["gepland", "gepland, alleen maand bekend", "werkelijk", "later dan gepland"]


def test_milestones_chart_months_in_dutch_and_english_without_locale(milestones):
    fig = S.milestones_chart(milestones)
    fig.draw_without_rendering()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "jan\n2023" in labels and "mrt" in labels  # Dutch month words, the year at a change
    fig_en = S.milestones_chart(milestones, lang="en")
    fig_en.draw_without_rendering()
    labels_en = [t.get_text() for t in fig_en.axes[0].get_xticklabels()]
    assert "Jan\n2023" in labels_en and "Mar" in labels_en
    assert "c. +3 months" in [t.get_text() for t in fig_en.axes[0].texts]


def test_format_date():
    assert F.format_date(dt.date(2023, 1, 13)) == "13 jan 2023"
    assert F.format_date(pd.Timestamp("2022-03-02"), "nl") == "2 mrt 2022"
    assert F.format_date(dt.date(2022, 10, 1), "en") == "1 Oct 2022"


# --------------------------------------------------------------------------- indicators


def test_indicators_chart_marks_unknown_n_and_significance(intervals, changes):
    fig = S.indicators_chart(intervals, changes)
    legend = _legend_texts(fig)
    assert legend == ["2020", "2022", "2024", "2025", "n onbekend", "groter dan toeval"]
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 2  # the indicator with a single year has no row
    assert all(max(len(line) for line in t.split("\n")) <= 42 for t in ticks)  # wrapped
    assert ticks[0].endswith("(16+ totaal)")
    marks = [t.get_text() for t in ax.texts if t.get_text()]
    assert marks == ["+1,8 %-punt *"]  # the non-significant change is not marked


def test_indicators_chart_without_changes_and_english(intervals):
    fig = S.indicators_chart(intervals, None, lang="en")
    legend = _legend_texts(fig)
    assert "n unknown" in legend
    assert not any("chance" in t for t in legend)


def test_indicators_chart_refuses_fraction_intervals(intervals):
    bad = intervals.assign(ci_low=intervals["ci_low"] / 100, ci_high=intervals["ci_high"] / 100)
    with pytest.raises(ValueError, match="percent"):
        S.indicators_chart(bad, None)


# --------------------------------------------------------------------------- projection


@dataclass
class _Projection:
    expected_share: float
    low: float
    high: float
    end: dt.date
    possible: bool


def test_projection_chart_with_projection():
    history = pd.DataFrame({"report_year": [2024, 2025], "share_completed": [0.2, 0.4]})
    proj = _Projection(0.7, 0.55, 0.85, dt.date(2026, 12, 31), True)
    fig = S.projection_chart(history, proj, labels=LABELS_2025)
    assert _legend_texts(fig) == ["Voortgangsrapportages", "Vooruitblik"]
    texts = _all_texts(fig)
    assert "Vooruitblik 31 dec 2026: 70% (55%–85%)" in texts
    assert "wordt invulling gegeven aan" in fig.axes[0].get_ylabel()
    line = fig.axes[0].lines[0]
    assert [matplotlib.dates.num2date(x).date() for x in line.get_xdata()] == [dt.date(2024, 4, 1), dt.date(2025, 4, 1)]


def test_projection_chart_not_possible_accepts_mapping():
    history = pd.DataFrame({"report_year": [2025], "share_completed": [0.4]})
    fig = S.projection_chart(history, {"possible": False}, lang="nl")
    assert "Geen vooruitblik mogelijk" in _all_texts(fig)
    assert _legend_texts(fig) == ["Voortgangsrapportages"]
    fig_en = S.projection_chart(history, None, lang="en")
    assert "No outlook possible" in _all_texts(fig_en)


# --------------------------------------------------------------------------- files


def test_render_gives_identical_png_and_svg_with_text_as_text(progress):
    fig = S.progress_chart(progress, LABELS_2025)
    block = R.render(fig, "voortgang", "Figuur: voortgang", "Staven per actielijn")
    assert (block.name, block.caption, block.alt) == ("voortgang", "Figuur: voortgang", "Staven per actielijn")
    with Image.open(__import__("io").BytesIO(block.png)) as img:
        assert img.info["dpi"] == pytest.approx((200, 200), abs=0.01)
        assert img.width > 1000  # ~16 cm at 200 dpi
    text = block.svg.decode("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<text" in text and "Actielijn 1" in text  # text stays text: a writer can edit a label
    assert "<dc:date>" not in text
    assert "<title>Figuur: voortgang</title>" in text and "<desc>Staven per actielijn</desc>" in text
    again = R.render(fig, "voortgang", "Figuur: voortgang", "Staven per actielijn")
    fresh = R.render(S.progress_chart(progress, LABELS_2025), "voortgang", "Figuur: voortgang", "Staven per actielijn")
    assert block.png == again.png == fresh.png
    assert block.svg == again.svg == fresh.svg
    other = R.render(fig, "voortgang", "x", "y")  # other words: only the SVG's title and desc differ
    assert other.png == block.png and other.svg != block.svg


def test_an_opaque_chart_is_saved_as_rgb_with_the_same_pixels_and_a_transparent_one_keeps_alpha(progress):
    """RGB saves the PDF printer an image mask per chart; the pixels must be those matplotlib draws."""
    import io

    fig = S.progress_chart(progress, LABELS_2025)
    ours = Image.open(io.BytesIO(R.figure_bytes(fig, "png")))
    assert ours.mode == "RGB" and ours.info["Software"] == "nap-analysis"
    plain = io.BytesIO()
    with F.house_style():
        fig.savefig(plain, format="png", dpi=200, bbox_inches=R.tight_box(fig))  # matplotlib's own RGBA PNG
    reference = np.asarray(Image.open(plain))
    assert (reference[..., 3] == 255).all()
    assert np.array_equal(np.asarray(ours), reference[..., :3])

    glass = Figure(figsize=(2, 1))
    glass.patch.set_alpha(0.0)
    glass.text(0.5, 0.5, "NAP")
    see_through = Image.open(io.BytesIO(R.figure_bytes(glass, "png")))
    assert see_through.mode == "RGBA" and np.asarray(see_through)[..., 3].min() == 0


def test_the_tight_box_is_the_one_matplotlib_measures_at_the_save_resolution(
    progress, motions, funds, milestones, intervals, changes
):
    """The box is measured once for PNG and SVG; measured at the figure's 100 dpi it was up to
    0.13 in narrower than the text drawn at 200 dpi, and cut the start off a label."""
    import io

    charts = [
        S.progress_chart(progress, LABELS_2025),
        S.motions_chart(motions, LABELS_2025),
        S.funds_chart(funds),
        S.milestones_chart(milestones),
        S.indicators_chart(intervals, changes),
    ]
    for fig in charts:
        ours = Image.open(io.BytesIO(R.figure_bytes(fig, "png")))
        plain = io.BytesIO()
        with F.house_style():
            fig.savefig(plain, format="png", dpi=R.SAVE_DPI, bbox_inches="tight", pad_inches=0.06)
        assert ours.size == Image.open(plain).size
        assert fig.dpi == 100  # measuring left the figure as it was


def test_every_chart_renders_byte_identically(progress, motions, funds, milestones, intervals, changes):
    figures = {
        "progress": S.progress_chart(progress, LABELS_2025),
        "motions": S.motions_chart(motions, LABELS_2025),
        "funds": S.funds_chart(funds),
        "milestones": S.milestones_chart(milestones),
        "indicators": S.indicators_chart(intervals, changes),
        "projection": S.projection_chart(
            pd.DataFrame({"report_year": [2024, 2025], "share_completed": [0.2, 0.4]}),
            {"possible": True, "expected_share": 0.7, "low": 0.5, "high": 0.9, "end": "2026-12-31"},
        ),
    }
    for name, fig in figures.items():
        first = R.render(fig, name, name, name)
        second = R.render(fig, name, name, name)
        assert (first.png, first.svg) == (second.png, second.svg), name
        # the file is matplotlib's SVG with the title and description put in, nothing else changed
        assert R.describe_svg(R.figure_bytes(fig, "svg"), name, name) == first.svg, name


def test_footnote_hangs_below_the_legend(tmp_path, progress):
    fig = F.add_footnote(S.progress_chart(progress, LABELS_2025), "Bron: Bijlage 1 bij de VGR 2025.")
    fig.draw_without_rendering()
    note = fig.texts[-1]
    assert note.get_text() == "Bron: Bijlage 1 bij de VGR 2025."
    assert note.get_window_extent().y1 <= fig.legends[0].get_window_extent().y0
    block = R.render(fig, "met_voetnoot", "x", "y")
    with Image.open(__import__("io").BytesIO(block.png)) as img:
        assert img.height > 200 * fig.get_figheight()  # the tight box grew to include the note


def test_render_refuses_paths_as_names(progress):
    fig = S.progress_chart(progress, LABELS_2025)
    with pytest.raises(ValueError):
        R.render(fig, "../elders", "x", "y")


def test_a_figure_shows_itself_in_a_notebook_with_its_alt_text(progress):
    block = R.render(S.progress_chart(progress, LABELS_2025), "voortgang", "Figuur", "Staven per actielijn", svg=False)
    data, metadata = block._repr_mimebundle_()
    assert __import__("base64").b64decode(data["image/png"]) == block.png
    assert metadata["image/png"]["alt"] == "Staven per actielijn"
    assert block.svg is None


def test_no_global_state_changes(progress, tmp_path):
    rc = matplotlib.rcParams
    before = {k: rc[k] for k in rc if k != "backend"}
    fig = S.progress_chart(progress, LABELS_2025)
    R.render(fig, "x", "x", "x")
    after = {k: rc[k] for k in rc if k != "backend"}
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


def test_import_does_not_touch_pyplot_or_rcparams():
    # (reading rcParams['backend'] would itself import pyplot, so that key is skipped)
    code = (
        "import sys, matplotlib; rc = matplotlib.rcParams; "
        "snap = lambda: {k: rc[k] for k in rc.keys() if k != 'backend'}; before = snap(); "
        "import nap_analysis.briefing.sections; "
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'; "
        "assert snap() == before, 'rcParams changed'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_rendered_chart_has_the_house_style(progress):
    """What the style sheet is for, seen in the output: labels as editable text in DejaVu Sans
    (with fallbacks), no top or right frame line."""
    import re

    fig = S.progress_chart(progress, LABELS_2025)
    svg = R.figure_bytes(fig, "svg").decode("utf-8")
    assert svg.count("<text") >= 10 and '<use xlink:href="#DejaVuSans' not in svg  # text, not glyph outlines
    assert set(re.findall(r"font-family: ?([^;\"]*)", svg)) == {"'DejaVu Sans', Verdana, Arial, sans-serif"}
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()


def test_dollar_signs_in_data_are_text_not_mathematics(progress):
    """'Budget $5 mln en $\\foo{ mln' from a title must appear as written, not as mathtext (or an error)."""
    title = "Budget $5 mln en $\\foo{ mln"
    fig = S.progress_chart(progress, LABELS_2025, titles={"1": title})
    block = R.render(fig, "dollar", "x", "y")
    svg = block.svg.decode("utf-8")
    assert "Budget $5 mln en $\\foo{ mln" in svg.replace("&#36;", "$")
