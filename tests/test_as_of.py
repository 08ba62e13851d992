"""Each report knows only what was known at its date: ``Programme.as_of(year)`` on the bundled data
and on a copy without report dates; the report and programme end dates come from ``reports.csv``."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from conftest import BUNDLED, section_texts

from nap_analysis.data import load


def test_the_report_dates_and_programme_ends_come_from_the_data(bundled):
    assert bundled.report_date(2024) == dt.date(2024, 3, 18)
    assert bundled.report_date(2025) == dt.date(2025, 4, 14)
    # extended to 31 December 2026 on 15 April 2024, after the first report
    assert bundled.programme_end(2024) == dt.date(2025, 12, 31)
    assert bundled.programme_end(2025) == dt.date(2026, 12, 31)
    assert bundled.report_date(2023) is None


def test_a_figure_published_after_the_report_is_not_known_to_it(bundled):
    public = "Publieksmonitor houdingen sggg (Ipsos I&O)"

    def years(programme):
        rows = programme.indicators[programme.indicators["monitor"] == public]
        return sorted(set(rows["year"]))

    # the second measurement was published on 19 March 2024, the day after the 2024 report
    assert years(bundled.as_of(2024)) == [2023]
    assert years(bundled.as_of(2025)) == [2023, 2024]
    # figures whose publication date the data do not give are known to every report
    unknown = bundled.indicators["published"] == ""
    assert unknown.sum() > 0
    keys = ["monitor", "indicator", "group", "year"]

    def rows(frame):
        return set(frame[keys].itertuples(index=False))

    assert rows(bundled.indicators[unknown]) <= rows(bundled.as_of(2024).indicators)


def test_a_milestone_reached_after_the_report_is_still_planned_in_it(bundled):
    def actual(programme, name):
        rows = programme.milestones.set_index("milestone")
        return rows.loc[name, "actual"]

    step = "Eerste opzet VGR 2 aan bewindspersonen"  # reached on 18 December 2024
    assert actual(bundled, step) == pd.Timestamp("2024-12-18")
    assert pd.isna(actual(bundled.as_of(2024), step))
    assert actual(bundled.as_of(2025), step) == pd.Timestamp("2024-12-18")
    early = "MR en verzending NAP aan Tweede Kamer"  # 13 January 2023: known to both
    assert actual(bundled.as_of(2024), early) == pd.Timestamp("2023-01-13")
    # the data themselves are not changed
    assert actual(bundled, step) == pd.Timestamp("2024-12-18")


def test_without_report_dates_the_data_are_as_they_are(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    (data / "reports.csv").unlink()
    programme = load(data)
    assert programme.report_date(2024) is None and programme.programme_end(2025) is None
    assert programme.as_of(2024) is programme
    assert any("reports ontbreekt" in str(note) for note in programme.notes)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_2024_verantwoording_cites_no_later_year(language):
    """It said 'the Woo memos of 2022 to 2025' in the report of March 2024."""
    import re

    from nap_analysis.briefing.sections import Context
    from nap_analysis.briefing.sections.verantwoording import verantwoording

    ctx = Context.open(BUNDLED, 2024, language, "2024-03-18")
    section = verantwoording(ctx, [], "2024-03-18")
    text = " ".join(section_texts(section))
    assert [int(y) for y in re.findall(r"\b(20\d\d)\b", text) if int(y) > 2024] == []
