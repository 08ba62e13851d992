"""Kernpunten: draft key-point sentences in Dutch or English, written from result tables.

Nothing here is typed in by hand: every number and name comes from the tables, so the text
changes when the data changes. Sentences are plain text; the caller escapes them for HTML.
"""
from __future__ import annotations

import pandas as pd

from . import vocabulary as v

#: An action line is "on course" when fewer than this share of its running (not stopped)
#: activities is delayed. Stated beside the sentence so a reader can judge the yardstick.
ON_COURSE_MAX_DELAYED_SHARE = 0.25

WORDS = {
    "nl": {
        "and": "en",
        "line": "actielijn",
        "lines": "actielijnen",
        "of": "van",
        "activities": "activiteiten",
        "none": "geen",
        "year_total": "In verslagjaar {year} bevat het overzicht {n} activiteiten: {parts}.",
        "line_sentence": "Actielijn {line}: {parts} (van {n}).",
        "stopped_one": "Stopgezet in {year}: ‘{title}’ (actielijn {line}). Toelichting: {explanation}",
        "no_stopped": "Er is in {year} geen activiteit stopgezet.",
        "on_course_all": "Actielijnen {lines} liggen op koers",
        "on_course_some": "Op koers: actielijn(en) {ok}; niet op koers: actielijn(en) {not_ok}",
        "on_course_rule": " (maatstaf: minder dan {pct}% van de lopende activiteiten vertraagd; stopgezette activiteiten tellen niet mee).",
        "changes": "Sinds {previous}: {parts}.",
        "change_words": {
            "newly_delayed": "{n} nieuw vertraagd",
            "newly_stopped": "{n} nieuw stopgezet",
            "regressed": "{n} teruggevallen van afgerond",
            "dropped": "{n} verdwenen uit het overzicht",
        },
        "no_changes": "Sinds {previous} is geen activiteit nieuw vertraagd, stopgezet, teruggevallen of verdwenen.",
        "no_previous": "Er is geen eerder verslagjaar om mee te vergelijken.",
        "motions": "Van de {n} moties en toezeggingen in {year} zijn er {parts}.",
        "basis": "Herkomst van de {n} statussen in {year}: vastgesteld in een memo of bijlage {stated}, afgeleid uit openbare feiten {inferred}, illustratief (geen uitspraak over het echte programma) {illustrative}.",
        "label_note": "‘{label}’ is in {year} het woord voor de status {meaning}.",
    },
    "en": {
        "and": "and",
        "line": "action line",
        "lines": "action lines",
        "of": "of",
        "activities": "activities",
        "none": "none",
        "year_total": "In report year {year} the overview lists {n} activities: {parts}.",
        "line_sentence": "Action line {line}: {parts} (of {n}).",
        "stopped_one": "Stopped in {year}: ‘{title}’ (action line {line}). Explanation: {explanation}",
        "no_stopped": "No activity was stopped in {year}.",
        "on_course_all": "Action lines {lines} are on course",
        "on_course_some": "On course: action line(s) {ok}; not on course: action line(s) {not_ok}",
        "on_course_rule": " (yardstick: fewer than {pct}% of running activities delayed; stopped activities do not count).",
        "changes": "Since {previous}: {parts}.",
        "change_words": {
            "newly_delayed": "{n} newly delayed",
            "newly_stopped": "{n} newly stopped",
            "regressed": "{n} moved back from completed",
            "dropped": "{n} disappeared from the overview",
        },
        "no_changes": "Since {previous} no activity was newly delayed, stopped, moved back or dropped.",
        "no_previous": "There is no earlier report year to compare with.",
        "motions": "Of the {n} motions and commitments in {year}, {parts}.",
        "basis": "Basis of the {n} statuses in {year}: stated in a memo or annex {stated}, inferred from public facts {inferred}, illustrative (not a claim about the real programme) {illustrative}.",
        "label_note": "‘{label}’ is the word used in {year} for the status {meaning}.",
    },
}


def join(parts: list[str], language: str) -> str:
    """'a, b en c' / 'a, b and c'."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {WORDS[language]['and']} " + parts[-1]


def status_word(code: str, labels: dict[str, str], language: str) -> str:
    """The year's word for a status; quoted with the standard word when they differ.

    2025 showed "wordt invulling gegeven aan" for completed, which reads like "in
    uitvoering"; the briefing keeps the year's word but says what it means.
    """
    standard = v.DEFAULT_LABELS[language][code]
    word = labels.get(code, standard)
    return word if word == standard else f"‘{word}’ ({standard})"


def _status_parts(counts: dict[str, int], labels: dict[str, str], language: str, skip_zero: bool = True) -> list[str]:
    return [f"{n} {status_word(code, labels, language)}" for code, n in counts.items() if n or not skip_zero]


def _counts(progress: pd.DataFrame, line: str) -> dict[str, int]:
    rows = progress[progress["actielijn"].astype(str) == line]
    return dict(zip(rows["status"].astype(str), rows["n"].astype(int)))


def label_notes(labels: dict[str, str], year: int, language: str) -> list[str]:
    """Where a year's display word differs from the standard word, say what it means."""
    standard = v.DEFAULT_LABELS[language]
    return [
        WORDS[language]["label_note"].format(label=labels[code], year=year, meaning=f"‘{standard[code]}’")
        for code in v.MOTION_STATUSES
        if code in labels and labels[code] != standard[code]
    ]


def progress_points(progress: pd.DataFrame, year: int, labels: dict[str, str], language: str = "nl") -> list[str]:
    """The year's totals and one sentence per action line."""
    w = WORDS[language]
    total = _counts(progress, v.TOTAL)
    points = [w["year_total"].format(year=year, n=sum(total.values()), parts=join(_status_parts(total, labels, language), language))]
    for line in [c for c in progress["actielijn"].cat.categories if c != v.TOTAL]:
        counts = _counts(progress, line)
        n = sum(counts.values())
        if n:
            points.append(w["line_sentence"].format(line=line, n=n, parts=join(_status_parts(counts, labels, language), language)))
    return points


def on_course(progress: pd.DataFrame, language: str = "nl", lines: list[str] | None = None) -> str:
    """Whether action lines are on course, by the stated yardstick (delayed share of running)."""
    w = WORDS[language]
    lines = lines or [c for c in progress["actielijn"].cat.categories if c != v.TOTAL]
    ok, not_ok = [], []
    for line in lines:
        counts = _counts(progress, line)
        running = sum(counts.values()) - counts.get("stopped", 0)
        if running == 0:
            continue
        (ok if counts.get("delayed", 0) / running < ON_COURSE_MAX_DELAYED_SHARE else not_ok).append(line)
    rule = w["on_course_rule"].format(pct=round(ON_COURSE_MAX_DELAYED_SHARE * 100))
    if not not_ok:
        return w["on_course_all"].format(lines=join(ok, language)) + rule
    return w["on_course_some"].format(ok=join(ok, language) or w["none"], not_ok=join(not_ok, language)) + rule


def stopped_points(flags: pd.DataFrame, year: int, language: str = "nl") -> list[str]:
    """One sentence per stopped activity, with its explanation."""
    w = WORDS[language]
    stopped = flags[flags["flag"] == "stopped"]
    if stopped.empty:
        return [w["no_stopped"].format(year=year)]
    return [
        w["stopped_one"].format(year=year, title=title, line=line, explanation=explanation or "—")
        for title, line, explanation in zip(stopped["title"], stopped["actielijn"].astype(str), stopped["explanation"])
    ]


def change_points(flags: pd.DataFrame, previous: int | None, language: str = "nl") -> list[str]:
    """What changed since the previous report, counted per kind of change."""
    w = WORDS[language]
    if previous is None:
        return [w["no_previous"]]
    counts = flags["flag"].astype(str).value_counts()
    parts = [text.format(n=int(counts[flag])) for flag, text in w["change_words"].items() if counts.get(flag, 0)]
    if not parts:
        return [w["no_changes"].format(previous=previous)]
    return [w["changes"].format(previous=previous, parts=join(parts, language))]


def motion_points(motions_progress: pd.DataFrame, year: int, labels: dict[str, str], language: str = "nl") -> list[str]:
    total = _counts(motions_progress.rename(columns={"kind": "actielijn"}), v.TOTAL)
    n = sum(total.values())
    if not n:
        return []
    return [WORDS[language]["motions"].format(n=n, year=year, parts=join(_status_parts(total, labels, language), language))]


def basis_point(basis: pd.DataFrame, year: int, language: str = "nl") -> str:
    """The provenance sentence: how many statuses are stated, inferred, illustrative."""
    counts = dict(zip(basis["status_basis"].astype(str), basis["n"].astype(int)))
    return WORDS[language]["basis"].format(n=sum(counts.values()), year=year, **{b: counts.get(b, 0) for b in v.STATUS_BASES})


# --------------------------------------------------------------------------- statistics

STATS_WORDS = {
    "nl": {
        "tested": "Monitorindicatoren: {tested} van {pairs} veranderingen tussen metingen konden worden getoetst; {sig} daarvan {verb} significant (q < 0,05, Benjamini-Hochberg).",
        "verb_one": "is", "verb_many": "zijn",
        "sig_change": "‘{indicator}’ ({group}): van {pct_from}% ({year_from}) naar {pct_to}% ({year_to}), {diff} procentpunt (95%-BI {low} tot {high}); significant (q {q}).",
        "not_sig": "‘{indicator}’ ({group}): van {pct_from}% ({year_from}) naar {pct_to}% ({year_to}), {diff} procentpunt; dit verschil kan toeval zijn (q {q}).",
        "untested": "‘{indicator}’ ({group}): van {pct_from}% ({year_from}) naar {pct_to}% ({year_to}); geen toets mogelijk: {note}.",
        "delay_tested": "Vertraagde en stopgezette activiteiten zijn {how} over de actielijnen verdeeld ({method}; p {p}).",
        "delay_uneven": "aantoonbaar ongelijk",
        "delay_even": "niet aantoonbaar ongelijk",
        "delay_untested": "Verdeling van vertragingen over de actielijnen niet getoetst: {reason}",
        "projection": "Projectie (geen prognose van beleid): bij het tempo van de afgelopen verslagjaren is op {end} naar verwachting {share}% van de lopende activiteiten afgerond ({conf}%-interval {low}% tot {high}%). {method}",
        "no_projection": "Geen projectie naar het einde van het NAP mogelijk: {reason}",
    },
    "en": {
        "tested": "Monitor indicators: {tested} of {pairs} changes between measurements could be tested; {sig} of them {verb} significant (q < 0.05, Benjamini-Hochberg).",
        "verb_one": "is", "verb_many": "are",
        "sig_change": "‘{indicator}’ ({group}): from {pct_from}% ({year_from}) to {pct_to}% ({year_to}), {diff} percentage points (95% CI {low} to {high}); significant (q {q}).",
        "not_sig": "‘{indicator}’ ({group}): from {pct_from}% ({year_from}) to {pct_to}% ({year_to}), {diff} percentage points; this difference may be chance (q {q}).",
        "untested": "‘{indicator}’ ({group}): from {pct_from}% ({year_from}) to {pct_to}% ({year_to}); no test possible: {note}.",
        "delay_tested": "Delayed and stopped activities are {how} over the action lines ({method}; p {p}).",
        "delay_uneven": "demonstrably unevenly spread",
        "delay_even": "not demonstrably unevenly spread",
        "delay_untested": "Spread of delays over the action lines not tested: {reason}",
        "projection": "Projection (not a policy forecast): at the pace of the past report years, an expected {share}% of running activities will be completed on {end} ({conf}% interval {low}% to {high}%). {method}",
        "no_projection": "No projection to the end of the NAP is possible: {reason}",
    },
}


def _num(value: float, language: str, digits: int = 1, sign: bool = False) -> str:
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    text = text.replace("-", "−")
    return text.replace(".", ",") if language == "nl" else text


def _p(value: float, language: str) -> str:
    if value < 0.001:
        return "< 0,001" if language == "nl" else "< 0.001"
    return "= " + _num(value, language, 3)


def indicator_points(changes: pd.DataFrame, language: str = "nl", limit: int | None = 3) -> list[str]:
    """A count of tested and significant changes, then the changes themselves.

    Only a change with q < 0.05 is called significant; the others are described as possibly
    chance, or as untestable with the reason (no sample size).
    """
    w = STATS_WORDS[language]
    if changes.empty:
        return []
    tested = changes[changes["p_value"].notna()]
    significant = tested[tested["significant"]]
    verb = w["verb_one"] if len(significant) == 1 else w["verb_many"]
    points = [w["tested"].format(tested=len(tested), pairs=len(changes), sig=len(significant), verb=verb)]

    def fields(row) -> dict:
        return dict(
            indicator=row.indicator, group=row.group, year_from=row.year_from, year_to=row.year_to,
            pct_from=_num(row.pct_from, language, 0 if float(row.pct_from).is_integer() else 1),
            pct_to=_num(row.pct_to, language, 0 if float(row.pct_to).is_integer() else 1),
            diff=_num(row.diff_pp, language, 1, sign=True), note=row.note,
            low=_num(row.ci_low_pp, language, 1) if pd.notna(row.ci_low_pp) else "",
            high=_num(row.ci_high_pp, language, 1) if pd.notna(row.ci_high_pp) else "",
            q=_p(row.q_value, language) if pd.notna(row.q_value) else "",
        )

    ordered = pd.concat([significant, tested[~tested["significant"]], changes[changes["p_value"].isna()]])
    if limit is not None:
        ordered = ordered.head(limit)
    for row in ordered.itertuples(index=False):  # a handful of sentences, not a data loop
        key = "sig_change" if pd.notna(row.p_value) and row.significant else ("not_sig" if pd.notna(row.p_value) else "untested")
        points.append(w[key].format(**fields(row)))
    return points


def delay_point(test, language: str = "nl") -> list[str]:
    """Whether delays and stops are spread evenly over the action lines (chi-square test)."""
    w = STATS_WORDS[language]
    if not test.tested:
        return [w["delay_untested"].format(reason=test.reason_nl if language == "nl" else test.reason_en)]
    how = w["delay_uneven"] if test.p_value < 0.05 else w["delay_even"]
    method = test.method_nl if language == "nl" else test.method_en
    return [w["delay_tested"].format(how=how, method=method.rstrip("."), p=_p(test.p_value, language))]


def projection_points(projection, language: str = "nl", with_method: bool = True) -> list[str]:
    """The projection sentence, always labelled as a projection; the method beside the figure, not in the key points."""
    w = STATS_WORDS[language]
    if not projection.possible:
        return [w["no_projection"].format(reason=projection.reason_nl if language == "nl" else projection.reason_en)]
    end = projection.end.strftime("%d-%m-%Y") if language == "nl" else projection.end.isoformat()
    return [w["projection"].format(
        end=end, share=_num(projection.expected_share, language, 0), low=_num(projection.low, language, 0),
        high=_num(projection.high, language, 0), conf=round(projection.confidence * 100),
        method=(projection.method_nl if language == "nl" else projection.method_en) if with_method else "",
    ).strip()]
