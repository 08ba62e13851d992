"""Section 8, the outlook: the share completed per report year and its projection to the end of the programme."""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Mapping

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.container import Container
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter

from ...analysis.footing import Footing, footing
from ..charts import (
    BASE,
    MUTED,
    DateFormatter,
    add_footnote,
    bottom_legend,
    chart_percent,
    chart_words,
    finish,
    format_date,
    house_style,
    new_figure,
    point_label,
    require_columns,
    status_word,
    to_num,
)
from ..display import SectionView
from ..format import is_missing
from ..model import Column, KeyPoint, Paragraph, Section, Table
from ..model import Figure as FigureBlock
from ..render.figure import render
from .context import RANK, Context, provenance_paragraph


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
    :class:`nap_analysis.analysis.projection.CompletionProjection` holds them) are refused: divide by 100.
    """
    w = chart_words(lang)
    require_columns(history, ("report_year", "share_completed"), "history")
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

    with house_style():
        fig = new_figure(2.7)
        ax = fig.add_subplot()
        xs = [to_num(_dt.date(int(y), 4, 1)) for y in hist["report_year"]]
        ys = list(hist["share_completed"])
        handles: list[Artist | Container] = []  # the line and the projection's error bar
        texts: list[str] = []
        if xs:
            (line,) = ax.plot(xs, ys, color=BASE, marker="o", markersize=6, linewidth=1.6, zorder=3)
            handles.append(line)
            texts.append(w["history"])
            for x, y in zip(xs, ys):
                point_label(ax, chart_percent(y, lang), (x, y), (0, 7))
        right = xs[-1] if xs else to_num(_dt.date.today())
        left = xs[0] if xs else right
        if possible:
            end = pd.Timestamp(_field(projection, "end"))
            xe = to_num(end)
            if xs:
                ax.plot([xs[-1], xe], [ys[-1], expected], color=BASE, linestyle=(0, (4, 3)), linewidth=1.3, zorder=2)
            container = ax.errorbar(
                [xe],
                [expected],
                yerr=[[expected - low], [high - expected]],
                fmt="D",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=BASE,
                markeredgewidth=1.4,
                color=BASE,
                elinewidth=1.3,
                capsize=4,
                zorder=4,
            )
            handles.append(container)
            texts.append(w["projection"])
            at = w["projection_at"].format(
                date=format_date(end, lang),
                value=chart_percent(expected, lang),
                low=chart_percent(low, lang),
                high=chart_percent(high, lang),
            )
            point_label(ax, at, (xe, high), (2, 7), ha="right", fontweight="bold")
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
                color=MUTED,
                fontsize=8.5,
                fontstyle="italic",
            )
        start_year = mdates.num2date(left).year
        end_year = mdates.num2date(right).year + 1
        ax.set_xlim(to_num(_dt.date(start_year, 1, 1)), to_num(_dt.date(end_year, 1, 1)) + 20)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter(lang))
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_ylabel(w["share_status"].format(label=status_word(labels, "completed", lang)))
        bottom_legend(fig, handles, texts)
    return finish(fig)


def projection_figure(ctx: Context, projection) -> FigureBlock:
    history = projection.history.assign(share_completed=projection.history["share_completed"] / 100)
    view = {
        "possible": projection.possible,
        "expected_share": projection.expected_share / 100,
        "low": projection.low / 100,
        "high": projection.high / 100,
        "end": projection.end,
        "reason": w_reason(ctx, projection),
    }
    fig = projection_chart(history, view, lang=ctx.language, labels=ctx.labels)
    add_footnote(fig, provenance_paragraph(ctx).text)
    parts = [
        ctx.w("alt.projection_year", year=int(y), share=ctx.f.percent_value(s, 0))
        for y, s in zip(projection.history["report_year"], projection.history["share_completed"])
    ]
    alt = ctx.w("alt.projection", label=ctx.labels["completed"], parts=ctx.w.join(parts))
    if projection.possible:
        alt += " " + ctx.w(
            "alt.projection_end",
            date=ctx.f.date(projection.end),
            share=ctx.f.percent_value(projection.expected_share, 0),
            low=ctx.f.percent_value(projection.low, 0),
            high=ctx.f.percent_value(projection.high, 0),
        )
    else:
        alt += " " + ctx.w("alt.projection_none", reason=w_reason(ctx, projection))
    # an outlook that cannot be made has no date in its caption: the caption would promise one
    caption = ctx.w["fig.projection_none"]
    if projection.possible:
        caption = ctx.w("fig.projection", date=ctx.f.date(projection.end))
    return render(fig, "projectie_afgerond", caption, alt, lang=ctx.language)


def _fitted_on(ctx: Context, projection) -> tuple[Footing, Footing]:
    """What the pace rests on: the activities at risk of each pair of reports (the rows of both years),
    and those of them completed in the next report."""
    pairs = projection.at_risk_pairs
    if pairs is None or pairs.empty:
        return Footing(), Footing()
    acts = ctx.programme.activities
    rows = acts[(acts["report_year"] >= int(pairs["report_year"].min())) & (acts["report_year"] <= ctx.year)]
    done = pairs.loc[pairs["completed"].astype(bool), "activity_id"]
    return footing(rows[rows["activity_id"].isin(pairs["activity_id"])]), footing(rows[rows["activity_id"].isin(done)])


def footing_counts(ctx: Context, rests_on: Footing) -> str:
    """'1 fictief, 2 illustratief en 1 afgeleid': how the rows of a claim are known, weakest first."""
    w = ctx.w
    counts = [(w["footing.made_up"], len(rests_on.made_up))]
    counts += [(ctx.basis_word(b), len(rests_on.unofficial.get(b, ()))) for b in ("illustrative", "inferred")]
    counts.append((ctx.basis_word("stated"), len(rests_on.ids) - len(rests_on.made_up) - rests_on.n_unofficial))
    return w.join([w("footing.count", n=n, word=word) for word, n in counts if n])


def _by_footing(rests_on: Footing) -> list[str]:
    """The ids in the order :func:`footing_counts` counts them: made up, illustrative, inferred, stated."""
    first = [*rests_on.made_up, *rests_on.unofficial.get("illustrative", ()), *rests_on.unofficial.get("inferred", ())]
    return first + [i for i in rests_on.ids if i not in first]


def w_reason(ctx: Context, projection) -> str:
    if projection.possible:
        return ""
    return ctx.w(
        f"projection.reason.{projection.reason}", last=projection.last_report_year or "", end=ctx.f.date(projection.end)
    )


def projection_section(ctx: Context, projection, figure: FigureBlock | None = None) -> Section:
    w, f = ctx.w, ctx.f
    # no date in the heading of an outlook that cannot be made: the heading would promise one
    heading = (
        w("heading.projection", date=f.date(projection.end)) if projection.possible else w["heading.projection_none"]
    )
    section = SectionView("projection", heading, language=ctx.language)
    if projection.possible:
        n = int(projection.history["n"].iloc[-1])
        sentence = w(
            "kp.projection",
            end=f.date(projection.end),
            share=f.percent_value(projection.expected_share, 0),
            low=f.percent_value(projection.low, 0),
            high=f.percent_value(projection.high, 0),
            n=n,
            label=ctx.status_text("completed"),
        )
        section.methods.append(
            Paragraph.of(
                w(
                    "method.projection",
                    k=projection.completed_at_risk,
                    m=projection.at_risk,
                    a=f.number(projection.completed_at_risk + 0.5, 1, strip=True),
                    b=f.number(projection.at_risk - projection.completed_at_risk + 0.5, 1, strip=True),
                    last=projection.last_report_year,
                    end=f.date(projection.end),
                    pct=f.percent(projection.confidence),
                )
            )
        )
    else:
        sentence = w("kp.no_projection", reason=w_reason(ctx, projection))
    fitted, completed = _fitted_on(ctx, projection)
    short = long = ""
    if projection.possible:
        k, m = len(completed.ids), len(fitted.ids)
        short = " " + w("kp.projection_fitted", k=k, m=m, k_parts=footing_counts(ctx, completed))
        long = " " + w(
            "projection.fitted",
            k=k,
            m=m,
            m_parts=footing_counts(ctx, fitted),
            k_parts=footing_counts(ctx, completed),
            ids=w.join(_by_footing(completed)),
        )
    section.key_points.append(KeyPoint(RANK["projection"], Paragraph.of(sentence + short), fitted.only_made_up))
    section.add(Paragraph.of(sentence + long))
    if figure is not None:
        section.add(figure)
    columns = [
        Column("report_year", w["col.report_year"], "year"),
        Column("share_completed", w["col.share_completed_plain"], "share", 1),
        Column("n", w["col.n_not_stopped"], "integer"),
        Column("n_illustrative", w["col.of_which_illustrative"], "integer", export_only=True),
    ]
    acts = ctx.programme.activities
    acts = acts[acts["status"].astype(str) != "stopped"]
    illustrative = (acts["status_basis"].astype(str) == "illustrative").groupby(acts["report_year"]).sum()
    rows = [
        [int(y), float(s) / 100 if not is_missing(s) else None, int(n), int(illustrative.get(int(y), 0))]
        for y, s, n in zip(
            projection.history["report_year"], projection.history["share_completed"], projection.history["n"]
        )
    ]
    section.add(Table("projectie_historie", w["table.projection"], columns, rows, notes=[provenance_paragraph(ctx)]))
    return section
