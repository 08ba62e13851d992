"""Briefing sections: what a notebook cell shows, made by one call.

A notebook opens a :class:`Report` with its parameters and calls one section method per
cell. Each section computes its tables with the pure analysis functions, displays a
heading, text, a figure and a table, and (when ``output_dir`` is given) saves the figure
as PNG and SVG and the table as CSV. All text that comes from the data is HTML-escaped
here, the one place where data meets HTML.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import text as t
from . import vocabulary as v
from .errors import UsageError
from .load import Programme, load

HEADINGS = {
    "nl": {
        "kernpunten": "Kernpunten (concept)",
        "provenance": "Herkomst van de statussen",
        "progress": "Voortgang per actielijn",
        "flags": "Vertraagde en stopgezette activiteiten",
        "changes": "Wat veranderde sinds het vorige verslagjaar",
        "motions": "Moties en toezeggingen (Bijlage 2)",
        "funds": "Middelen per ministerie en jaar",
        "milestones": "Planning en mijlpalen",
        "indicators": "Monitorindicatoren",
        "transitions": "Statusovergangen tussen verslagjaren",
        "delays": "Zijn vertragingen gelijk verdeeld over de actielijnen?",
        "projection": "Projectie: afgerond aandeel op 31 december 2026",
        "skipped": "Niet opgenomen",
    },
    "en": {
        "kernpunten": "Key points (draft)",
        "provenance": "Where the statuses come from",
        "progress": "Progress per action line",
        "flags": "Delayed and stopped activities",
        "changes": "What changed since the previous report year",
        "motions": "Motions and commitments (Annex 2)",
        "funds": "Funds per ministry and year",
        "milestones": "Planning and milestones",
        "indicators": "Monitor indicators",
        "transitions": "Status transitions between report years",
        "delays": "Are delays spread evenly over the action lines?",
        "projection": "Projection: completed share on 31 December 2026",
        "skipped": "Not included",
    },
}

COLUMN_NAMES = {
    "nl": {
        "actielijn": "Actielijn", "status": "Status", "n": "Aantal", "share": "Aandeel",
        "activity_id": "Nr.", "title": "Activiteit", "flag": "Signaal", "explanation": "Toelichting",
        "status_basis": "Herkomst status", "kind": "Soort", "ministry": "Ministerie", "totaal": "Totaal",
        "milestone": "Mijlpaal", "planned": "Gepland", "actual": "Werkelijk", "slip_days": "Verschuiving (dagen)",
        "monitor": "Monitor", "indicator": "Indicator", "group": "Groep", "year_from": "Van", "year_to": "Naar",
        "pct_from": "% van", "pct_to": "% naar", "diff_pp": "Verschil (pp)", "ci_low_pp": "95%-BI laag",
        "ci_high_pp": "95%-BI hoog", "p_value": "p", "q_value": "q (BH)", "significant": "Significant",
        "note": "Opmerking", "report_year": "Verslagjaar", "n_stated": "vastgesteld", "n_inferred": "afgeleid",
        "n_illustrative": "illustratief", "share_completed": "Aandeel afgerond", "n_activities": "Activiteiten",
    },
    "en": {
        "actielijn": "Action line", "status": "Status", "n": "Count", "share": "Share",
        "activity_id": "No.", "title": "Activity", "flag": "Flag", "explanation": "Explanation",
        "status_basis": "Status basis", "kind": "Kind", "ministry": "Ministry", "totaal": "Total",
        "milestone": "Milestone", "planned": "Planned", "actual": "Actual", "slip_days": "Slip (days)",
        "monitor": "Monitor", "indicator": "Indicator", "group": "Group", "year_from": "From", "year_to": "To",
        "pct_from": "% from", "pct_to": "% to", "diff_pp": "Difference (pp)", "ci_low_pp": "95% CI low",
        "ci_high_pp": "95% CI high", "p_value": "p", "q_value": "q (BH)", "significant": "Significant",
        "note": "Note", "report_year": "Report year", "n_stated": "stated", "n_inferred": "inferred",
        "n_illustrative": "illustrative", "share_completed": "Share completed", "n_activities": "Activities",
    },
}

FUND_STATUS_WORDS = {"nl": {"reserved": "gereserveerd", "decided": "besloten"},
                     "en": {"reserved": "reserved", "decided": "decided"}}

FLAG_WORDS = {
    "nl": {"stopped": "stopgezet", "newly_stopped": "nieuw stopgezet", "delayed": "vertraagd",
           "newly_delayed": "nieuw vertraagd", "regressed": "teruggevallen", "dropped": "verdwenen"},
    "en": {"stopped": "stopped", "newly_stopped": "newly stopped", "delayed": "delayed",
           "newly_delayed": "newly delayed", "regressed": "moved back", "dropped": "dropped"},
}
BASIS_WORDS = {
    "nl": {"stated": "vastgesteld", "inferred": "afgeleid", "illustrative": "illustratief"},
    "en": {"stated": "stated", "inferred": "inferred", "illustrative": "illustrative"},
}
KIND_WORDS = {"nl": {"motie": "motie", "toezegging": "toezegging", "total": "totaal"},
              "en": {"motie": "motion", "toezegging": "commitment", "total": "total"}}
SKIPPED_WORDS = {"nl": "{what}: het bestand {file}.csv ontbreekt in de data; dit onderdeel is overgeslagen.",
                 "en": "{what}: the file {file}.csv is not in the data; this section was skipped."}


_LOADED: dict = {}
_TABLES = ("actielijnen", "activities", "motions", "funds", "milestones", "indicators", "status_labels")


def _data_key(folder: Path) -> tuple:
    """A folder's identity for the caches: its path and each file's name, size and modification time."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return str(folder.resolve()), tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def load_and_share(data_dir, target: Path) -> Programme:
    """:func:`load` ``data_dir`` and leave the result in ``target`` for the run's kernels.

    The run checks the data before any notebook starts; its kernels then take that result
    instead of reading and checking the same files again (0.15-0.2 s per kernel, the first
    one at the start of the briefing). ``target`` lies in the run's private kernel folder. The
    key is taken before reading, so a file changed meanwhile makes the kernels read it afresh.
    """
    import pickle

    folder = Path(data_dir)
    key = _data_key(folder) if folder.is_dir() else None
    programme = load(folder)
    if key is not None:
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps((key, programme), protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(target)
    return programme


def _shared(key: tuple) -> Programme | None:
    """The run's loaded data when it is of the same files (same key), else None."""
    import pickle

    from .kernels import SHARED_DATA_ENV

    path = os.environ.get(SHARED_DATA_ENV)
    try:
        with open(path, "rb") as handle:
            stored_key, programme = pickle.load(handle)
    except (TypeError, OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None
    return programme if stored_key == key else None


def _load_once(data_dir) -> Programme:
    """The data of a folder, checked once per kernel (or once per run) while its files stay the same.

    A run's kernel opens a Report in each of its notebooks; the key is each file's name, size
    and modification time. Every caller gets its own copies of the tables to change at will.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        return load(folder)  # the loader words the error
    key = _data_key(folder)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = _shared(key) or load(folder)
    programme = _LOADED[key]
    from dataclasses import replace

    return replace(programme, **{name: getattr(programme, name).copy() for name in _TABLES
                                 if getattr(programme, name) is not None})


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def esc(value) -> str:
    """HTML-escape any value from the data (titles, explanations, names)."""
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value), quote=True)


@dataclass
class Report:
    """One briefing's context: the data, the report year, the language and where files go."""

    programme: Programme
    year: int
    language: str = "nl"
    output_dir: Path | None = None

    @classmethod
    def open(cls, data_dir, report_year=None, language="nl", output_dir=None) -> "Report":
        """Load and check the data, validate the parameters (as papermill passes them)."""
        if language not in v.LANGUAGES:
            raise UsageError(f"taal '{language}' wordt niet ondersteund (kies uit: {', '.join(v.LANGUAGES)})")
        from .paths import DATA_DIR

        programme = _load_once(data_dir or DATA_DIR)
        try:
            year = programme.latest_year if report_year in (None, "", "latest") else int(report_year)
        except (TypeError, ValueError):
            raise UsageError(f"verslagjaar '{report_year}' is geen jaartal") from None
        if year not in programme.report_years:
            raise UsageError(f"verslagjaar {year} staat niet in de data (wel: {', '.join(map(str, programme.report_years))})")
        return cls(programme, year, language, Path(output_dir) if output_dir else None)

    # ------------------------------------------------------------------ basics
    @property
    def labels(self) -> dict[str, str]:
        return self.programme.labels(self.year, self.language)

    @property
    def previous(self) -> int | None:
        return self.programme.previous_year(self.year)

    def _h(self, key: str) -> str:
        return HEADINGS[self.language][key]

    def heading(self, key_or_text: str, level: int = 2) -> None:
        words = HEADINGS[self.language].get(key_or_text, key_or_text)
        _display(_html(f"<h{level}>{esc(words)}</h{level}>"))

    def paragraph(self, sentence: str, css: str = "") -> None:
        cls = f' class="{css}"' if css else ""
        _display(_html(f"<p{cls}>{esc(sentence)}</p>"))

    def bullets(self, sentences: list[str]) -> None:
        items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
        _display(_html(f'<ul class="nap-kernpunten">{items}</ul>'))

    def _skipped(self, table: str) -> bool:
        """True (and a visible note) when an optional table is absent from the data."""
        if getattr(self.programme, table) is not None:
            return False
        from .contract import BY_NAME

        self.paragraph(SKIPPED_WORDS[self.language].format(what=BY_NAME[table].skipped_without, file=table), "nap-note")
        return True

    def figure(self, name: str, chart, *args, footnote: str | None = None, **kwargs) -> None:
        """Show ``chart(*args, **kwargs)`` and, with an output folder, save it as PNG (200 dpi) + SVG.

        Notebook and briefing show the PNG: it looks the same in every browser and WeasyPrint
        prints it in a fraction of the time a text-as-paths SVG takes; the SVG is for the nota.
        The chart comes as function and inputs, so a run draws it once for all notebooks
        (:mod:`nap_analysis.figcache`).
        """
        from IPython.display import Image

        from .figcache import rendered
        from .figures import write_figure

        formats = ("png",) if self.output_dir is None else ("png", "svg")
        data = rendered(chart, args, kwargs, footnote, formats)
        if self.output_dir is not None:
            write_figure(data, name, self.output_dir / "figures")
        _display(Image(data=data["png"], format="png", metadata={"alt": name.replace("_", " ")}))

    def table(self, frame: pd.DataFrame, name: str | None, shown: pd.DataFrame | None = None) -> None:
        """Save a table as CSV under tables/ and show it (escaped) with translated headers."""
        from .tables import save_table

        if self.output_dir is not None and name:
            save_table(frame, name, self.output_dir / "tables")
        shown = frame if shown is None else shown
        shown = shown.rename(columns=COLUMN_NAMES[self.language]).rename_axis(columns=None)
        shown = shown.astype(object).where(shown.notna(), "")  # pd.NA shows as '<NA>' despite na_rep
        markup = shown.to_html(index=False, escape=True, na_rep="", classes="nap-table", border=0)
        _display(_html(markup))

    # ------------------------------------------------------------------ formatting
    def pct(self, share: float, digits: int = 0) -> str:
        text = f"{share * 100:.{digits}f}%"
        return text.replace(".", ",") if self.language == "nl" else text

    def euro(self, amount: float) -> str:
        text = f"€\u00a0{amount:,.0f}"  # no break between sign and amount
        return text.replace(",", ".") if self.language == "nl" else text.replace("€\u00a0", "€")

    def _status_words(self, series: pd.Series) -> pd.Series:
        return series.astype(str).map(self.labels)

    # ------------------------------------------------------------------ provenance
    def basis_sentence(self, table: str = "activities") -> str:
        from .progress import basis_counts

        frame = getattr(self.programme, table)
        return t.basis_point(basis_counts(frame, self.year), self.year, self.language)

    def provenance(self) -> None:
        """The visible note on how the statuses are known (with counts)."""
        self.heading("provenance", 3)
        self.paragraph(self.basis_sentence(), "nap-note")
        for note in t.label_notes(self.labels, self.year, self.language):
            self.paragraph(note, "nap-note")

    # ------------------------------------------------------------------ sections
    def progress_tables(self):
        from .progress import progress, progress_compare

        return progress(self.programme.activities, self.year), progress_compare(self.programme.activities, self.year, self.previous)

    def progress_section(self) -> None:
        from .figures import progress_chart

        current, compare = self.progress_tables()
        self.heading("progress")
        self.bullets(t.progress_points(current, self.year, self.labels, self.language))
        self.figure("voortgang_per_actielijn", progress_chart, compare, self.labels, lang=self.language,
                    footnote=self.basis_sentence())
        self.table(self._progress_with_basis(), "voortgang_per_actielijn", self._progress_shown(compare))

    def _progress_with_basis(self) -> pd.DataFrame:
        """The progress table plus how many of each count are stated, inferred, illustrative."""
        from .progress import progress

        acts = self.programme.activities
        rows = acts[acts["report_year"] == self.year]
        table = progress(acts, self.year)
        basis = pd.crosstab([rows["actielijn"].astype(str), rows["status"].astype(str)], rows["status_basis"].astype(str))
        basis = basis.reindex(columns=list(v.STATUS_BASES), fill_value=0).add_prefix("n_")
        per_line = basis.reset_index().rename(columns={"row_0": "actielijn", "row_1": "status"})
        per_line.columns = ["actielijn", "status"] + list(basis.columns)
        totals = per_line.groupby("status", as_index=False)[list(basis.columns)].sum().assign(actielijn=v.TOTAL)
        counts = pd.concat([per_line, totals], ignore_index=True)
        merged = table.astype({"actielijn": str, "status": str}).merge(counts, on=["actielijn", "status"], how="left")
        merged[list(basis.columns)] = merged[list(basis.columns)].fillna(0).astype("int64")
        return merged.assign(report_year=self.year)

    def _progress_shown(self, compare: pd.DataFrame) -> pd.DataFrame:
        """Wide display: one row per action line, per status 'n (share)' for this year and the last."""
        frame = compare.copy()
        frame["cell"] = frame["n"].astype(str) + " (" + frame["share"].map(self.pct) + ")"
        wide = frame.pivot_table(index=["actielijn", "report_year"], columns="status", values="cell", aggfunc="first", observed=True)
        wide = wide[[c for c in v.ACTIVITY_STATUSES if c in wide.columns]].rename(columns=self.labels)
        wide = wide.reset_index().sort_values(["actielijn", "report_year"], ascending=[True, False])
        total_word = "totaal" if self.language == "nl" else "total"
        wide["actielijn"] = wide["actielijn"].astype(str).replace({v.TOTAL: total_word})
        return wide

    def flags_section(self) -> None:
        from .flags import flags

        table = flags(self.programme.activities, self.year, self.previous)
        self.heading("flags")
        self.bullets(t.stopped_points(table, self.year, self.language))
        current = table[table["flag"].isin(["stopped", "delayed"])]
        acts = self.programme.activities
        basis = acts[acts["report_year"] == self.year].set_index("activity_id")["status_basis"].astype(str)
        with_basis = table.assign(status_basis=table["activity_id"].map(basis).fillna(""))
        self.table(with_basis.assign(flag=with_basis["flag"].astype(str)), "signalen", self._flags_shown(current.merge(
            with_basis[["activity_id", "flag", "status_basis"]].drop_duplicates(), on=["activity_id", "flag"], how="left")))
        self.heading("changes", 3)
        self.bullets(t.change_points(table, self.previous, self.language))
        changes = table[~table["flag"].isin(["stopped", "delayed"])]
        if len(changes):
            self.table(changes, None, self._flags_shown(changes))

    def _flags_shown(self, frame: pd.DataFrame) -> pd.DataFrame:
        shown = frame.assign(
            status=self._status_words(frame["status"]),
            flag=frame["flag"].astype(str).map(FLAG_WORDS[self.language]),
        )
        if "status_basis" in shown:
            shown["status_basis"] = shown["status_basis"].map(BASIS_WORDS[self.language]).fillna("")
        return shown

    def motions_section(self) -> None:
        if self._skipped("motions"):
            return
        from .figures import motions_chart
        from .progress import motions_progress

        table = motions_progress(self.programme.motions, self.year)
        self.heading("motions")
        self.bullets(t.motion_points(table, self.year, self.labels, self.language) + [self.basis_sentence("motions")])
        self.figure("moties_en_toezeggingen", motions_chart, table, self.labels, lang=self.language,
                    footnote=self.basis_sentence("motions"))
        rows = self.programme.motions[self.programme.motions["report_year"] == self.year]
        listing = rows[["item_id", "kind", "title", "member", "party", "status", "status_basis", "explanation"]]
        self.table(listing, "moties_en_toezeggingen", listing.assign(
            kind=listing["kind"].astype(str).map(KIND_WORDS[self.language]),
            status=self._status_words(listing["status"]),
            status_basis=listing["status_basis"].astype(str).map(BASIS_WORDS[self.language]),
        ).rename(columns={"item_id": "Nr.", "member": "Indiener" if self.language == "nl" else "Member",
                          "party": "Partij" if self.language == "nl" else "Party"}))

    def funds_section(self) -> None:
        if self._skipped("funds"):
            return
        from .figures import funds_chart
        from .funds import funds_by_year, funds_table

        self.heading("funds")
        tidy = funds_by_year(self.programme.funds)
        self.figure("middelen_per_ministerie", funds_chart, tidy, lang=self.language)
        wide = funds_table(self.programme.funds)
        shown = wide.copy()
        for column in shown.columns[2:]:
            shown[column] = shown[column].map(self.euro)
        if "status" in shown.columns:
            shown["status"] = shown["status"].astype(str).map(FUND_STATUS_WORDS[self.language]).fillna(shown["status"])
        self.table(tidy, "middelen_per_jaar", shown)

    def milestones_section(self) -> None:
        if self._skipped("milestones"):
            return
        from .figures import milestones_chart
        from .milestones import slippage

        self.heading("milestones")
        table = slippage(self.programme.milestones)
        sent = table.loc[table["milestone"].str.contains("verzending", case=False), "milestone"].tolist()
        self.figure("planning_en_mijlpalen", milestones_chart, table, lang=self.language, highlight=sent or None)
        shown = table[["milestone", "planned", "actual", "slip_days"]].assign(
            planned=table["planned"].dt.strftime("%d-%m-%Y"), actual=table["actual"].dt.strftime("%d-%m-%Y").fillna(""))
        self.table(table[["milestone", "planned", "actual", "slip_days", "source"]], "mijlpalen", shown)

    def kernpunten(self) -> None:
        """Draft key points, generated from the numbers."""
        from .flags import flags
        from .progress import motions_progress

        current, _ = self.progress_tables()
        table = flags(self.programme.activities, self.year, self.previous)
        points = t.progress_points(current, self.year, self.labels, self.language)[:1]
        points += t.stopped_points(table, self.year, self.language)
        points.append(t.on_course(current, self.language, lines=["1", "2", "3", "4"]))
        points += t.change_points(table, self.previous, self.language)
        if self.programme.motions is not None:
            points += t.motion_points(motions_progress(self.programme.motions, self.year), self.year, self.labels, self.language)
        points += self.statistics_points()
        points.append(self.basis_sentence())
        self.heading("kernpunten")
        self.bullets(points)

    def statistics_points(self) -> list[str]:
        """Key-point sentences from the statistics; 'significant' only where q < 0.05."""
        from .stats import delay_independence, indicator_changes, project_completion

        points = []
        if self.programme.indicators is not None:
            points += t.indicator_points(indicator_changes(self.programme.indicators), self.language)
        points += t.delay_point(delay_independence(self.programme.activities, self.year), self.language)
        points += t.projection_points(project_completion(self._activities_until_year()), self.language, with_method=False)
        return points

    def _activities_until_year(self) -> pd.DataFrame:
        """The report years up to and including this one: a projection never looks ahead."""
        acts = self.programme.activities
        return acts[acts["report_year"] <= self.year]

    def indicators_section(self) -> None:
        if self._skipped("indicators"):
            return
        from .figures import indicators_chart
        from .stats import indicator_changes, indicator_intervals

        intervals = indicator_intervals(self.programme.indicators)
        changes = indicator_changes(self.programme.indicators)
        self.heading("indicators")
        self.bullets(t.indicator_points(changes, self.language, limit=None))
        self.figure("monitorindicatoren", indicators_chart, intervals, changes, lang=self.language)
        self.table(changes, "indicatoren_veranderingen", self._changes_shown(changes))

    def _changes_shown(self, changes: pd.DataFrame) -> pd.DataFrame:
        number = (lambda x: "" if pd.isna(x) else f"{x:.1f}".replace(".", "," if self.language == "nl" else "."))
        pvalue = (lambda x: "" if pd.isna(x) else ("< 0,001" if self.language == "nl" else "< 0.001") if x < 0.001
                  else f"{x:.3f}".replace(".", "," if self.language == "nl" else "."))
        yes_no = {True: "ja" if self.language == "nl" else "yes", False: "nee" if self.language == "nl" else "no"}
        shown = changes[["indicator", "group", "year_from", "year_to", "pct_from", "pct_to", "diff_pp",
                         "ci_low_pp", "ci_high_pp", "q_value", "significant", "note"]].copy()
        for column in ("pct_from", "pct_to", "diff_pp", "ci_low_pp", "ci_high_pp"):
            shown[column] = shown[column].map(number)
        shown["q_value"] = shown["q_value"].map(pvalue)
        shown["significant"] = shown["significant"].map(yes_no).where(changes["p_value"].notna(), "")
        return shown

    def transitions_section(self) -> None:
        from .stats import delay_independence, transition_matrix

        self.heading("transitions")
        if self.previous is None:
            self.paragraph(t.WORDS[self.language]["no_previous"], "nap-note")
        else:
            matrix = transition_matrix(self.programme.activities, self.previous, self.year)
            words = dict(self.labels, absent="niet in overzicht" if self.language == "nl" else "not in overview")
            shown = matrix.rename(index=words, columns=words)
            corner = f"{self.previous} \\ {self.year}"
            shown = shown.rename_axis(index=corner, columns=None).reset_index()
            self.table(matrix.rename_axis(index="status_from", columns=None).reset_index(), "statusovergangen", shown)
            self.paragraph(self.basis_sentence(), "nap-note")
        self.heading("delays", 3)
        test = delay_independence(self.programme.activities, self.year)
        self.bullets(t.delay_point(test, self.language))
        table = test.table.rename_axis("actielijn").reset_index()
        self.table(table, "vertraging_per_actielijn", table.rename(columns={
            "delayed_or_stopped": "vertraagd of stopgezet" if self.language == "nl" else "delayed or stopped",
            "other": "overig" if self.language == "nl" else "other"}))

    def projection_section(self) -> None:
        from .figures import projection_chart
        from .stats import project_completion

        projection = project_completion(self._activities_until_year())
        self.heading("projection")
        self.bullets(t.projection_points(projection, self.language))
        history = projection.history.assign(share_completed=projection.history["share_completed"] / 100)
        view = {"possible": projection.possible, "expected_share": projection.expected_share / 100,
                "low": projection.low / 100, "high": projection.high / 100, "end": projection.end,
                "reason": projection.reason_nl if self.language == "nl" else projection.reason_en}
        self.figure("projectie_afgerond", projection_chart, history, view, lang=self.language, labels=self.labels,
                    footnote=self.basis_sentence())
        shown = projection.history.assign(share_completed=history["share_completed"].map(lambda s: self.pct(s, 1)))
        self.table(projection.history, "projectie_historie", shown)
