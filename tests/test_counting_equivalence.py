"""The vectorised counting in progress, flags and transitions equals plain counting.

progress, flags and transitions count on integer codes (bincount, factorize) so 10^6 rows
cost well under a second. These properties compare them, on random activity tables, with
a reference that walks the rows one by one in plain Python: slow, but obviously right.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nap_analysis.analysis import transitions
from nap_analysis.analysis.flags import flags
from nap_analysis.analysis.progress import progress
from nap_analysis.data.vocabulary import ACTIVITY_STATUSES

YEARS = (2023, 2024, 2025)
LINES = [1, 2, 3, 4, 5]


@st.composite
def activity_tables(draw):
    """(activity_id, report_year) unique; ids shared between years, some only in one year."""
    ids = draw(st.lists(st.sampled_from([f"A{i:02d}" for i in range(12)]), min_size=1, max_size=12, unique=True))
    rows = []
    for year in YEARS:
        present = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
        for activity in present:
            rows.append((activity, year, draw(st.sampled_from(LINES)), draw(st.sampled_from(ACTIVITY_STATUSES))))
    if not rows:
        rows.append((ids[0], 2025, 1, "completed"))
    df = pd.DataFrame(rows, columns=["activity_id", "report_year", "actielijn", "status"])
    df["report_year"] = df["report_year"].astype("int64")
    df["actielijn"] = pd.Categorical(df["actielijn"], categories=LINES)
    df["status"] = pd.Categorical(df["status"], categories=list(ACTIVITY_STATUSES), ordered=True)
    df["title"] = "titel " + df["activity_id"]
    df["explanation"] = ""
    return df


def plain_rows(df: pd.DataFrame) -> list[tuple]:
    return list(zip(df["activity_id"], df["report_year"], df["actielijn"].astype(int), df["status"].astype(str)))


@settings(max_examples=150, deadline=None)
@given(activity_tables())
def test_progress_counts_equal_plain_counting(df):
    rows = plain_rows(df)
    for year in sorted(set(df["report_year"])):
        counted = Counter((str(line), status) for _, y, line, status in rows if y == year)
        table = progress(df, year)
        for line, status, n in zip(table["actielijn"].astype(str), table["status"].astype(str), table["n"]):
            if line == "total":
                expected = sum(c for (_, s), c in counted.items() if s == status)
            else:
                expected = counted.get((line, status), 0)
            assert n == expected, (year, line, status)
        assert len(table) == (len(LINES) + 1) * len(ACTIVITY_STATUSES)


@settings(max_examples=150, deadline=None)
@given(activity_tables())
def test_transitions_equal_plain_counting(df):
    rows = plain_rows(df)
    years = sorted(set(df["report_year"]))
    for a, b in zip(years, years[1:]):
        before = {i: s for i, y, _, s in rows if y == a}
        after = {i: s for i, y, _, s in rows if y == b}
        expected = Counter((before.get(i, "absent"), after.get(i, "absent")) for i in before.keys() | after.keys())
        long = transitions.status_transitions(df, a, b)
        got = {
            (f, t): n for f, t, n in zip(long["status_from"].astype(str), long["status_to"].astype(str), long["n"]) if n
        }
        assert got == dict(expected)
        wide = transitions.transition_matrix(df, a, b)
        assert int(wide.to_numpy().sum()) == len(before.keys() | after.keys())
        assert wide.loc["delayed", "completed"] == expected.get(("delayed", "completed"), 0)


@settings(max_examples=150, deadline=None)
@given(activity_tables())
def test_flags_equal_plain_rules(df):
    rows = plain_rows(df)
    years = sorted(set(df["report_year"]))
    for index, year in enumerate(years):
        previous = years[index - 1] if index else None
        now = {i: s for i, y, _, s in rows if y == year}
        was = {i: s for i, y, _, s in rows if y == previous}
        expected = set()
        for i, s in now.items():
            if s == "stopped":
                expected.add((i, "stopped"))
            if s == "delayed":
                expected.add((i, "delayed"))
            if previous is not None and s == "stopped" and was.get(i) != "stopped":
                expected.add((i, "newly_stopped"))
            if previous is not None and s == "delayed" and was.get(i) != "delayed":
                expected.add((i, "newly_delayed"))
            if was.get(i) == "completed" and s != "completed":
                expected.add((i, "regressed"))
        expected |= {(i, "dropped") for i in was if i not in now}
        table = flags(df, year, previous)
        got = list(zip(table["activity_id"], table["flag"].astype(str)))
        assert len(got) == len(set(got))
        assert set(got) == expected, (year, previous)
        shown = dict(zip(table["activity_id"], table["status"].astype(str)))
        for i, s in shown.items():
            assert s == now.get(i, was.get(i))
