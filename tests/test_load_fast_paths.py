"""The loader's shortcuts for big tables give exactly what the plain pandas idiom gives.

load() checks distinct values instead of cells, finds duplicate keys on integer codes,
factorizes columns on two threads from 50 000 rows on and reads encoding, emptiness and
header from the bytes. Each shortcut is compared here with the straightforward version it
replaced, so error messages, row numbers and dtypes cannot drift.
"""

from __future__ import annotations

import csv
import io
import re
import shutil

import numpy as np
import pandas as pd
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from nap_analysis.data import checking, loader, reading
from nap_analysis.data import vocabulary as v
from nap_analysis.errors import DataError

# --------------------------------------------------------------------------- duplicate keys

_KEY_TEXT = st.sampled_from(["A1", "A2", "a1", " A1", "B", ""])
_KEY_YEAR = st.sampled_from([2023, 2024, None])


def _plain_duplicates(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """What the loader computed before: pandas' duplicated on rows with a complete key."""
    return frame.duplicated(key, keep=False) & frame[key].notna().all(axis=1)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(_KEY_TEXT, _KEY_YEAR, _KEY_TEXT), min_size=1, max_size=40),
    given_codes=st.booleans(),
    spread=st.sampled_from([1, 10**7]),
)
def test_duplicate_keys_match_pandas_duplicated(rows, given_codes, spread):
    frame = pd.DataFrame(
        {
            "id": pd.Series([r[0] for r in rows], dtype="str"),
            "year": pd.array([r[1] for r in rows], dtype="Int64"),
            "group": pd.Series([r[2] for r in rows], dtype="str"),
        },
        index=pd.RangeIndex(5, 5 + len(rows)),
    )
    key = ("id", "year", "group")
    # codes as _check_column gives them; spread them out to reach the overflow and hashing branches
    codes = {}
    for name in key:
        found = pd.factorize(frame[name])[0]
        codes[name] = np.where(found >= 0, found * spread, -1) if given_codes else None
    got = checking._duplicate_keys(frame, key, codes)
    pd.testing.assert_series_equal(got, _plain_duplicates(frame, list(key)), check_names=False)


# --------------------------------------------------------------------------- bytes instead of text

_BYTES = st.lists(
    st.sampled_from(
        [
            b" ",
            b"\t",
            b"\n",
            b"\r",
            b"\x0b",
            b"\x1c",
            b"\x1f",
            b"\xc2\xa0",
            b"\xa0",
            b"\xe3\x80\x80",
            b"\x85",
            b"a",
            b";",
            b",",
            b"\xc3\xa9",
            b"\xe9",
            b"\xef\xbb\xbf",
        ]
    ),
    max_size=12,
).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(data=_BYTES)
def test_encoding_blank_and_header_match_decoding_the_text(data):
    problems: list = []
    encoding = reading._encoding(data, "activities.csv", ";", problems)
    for name in ("utf-8-sig", "cp1252"):  # what decoding everything decided
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        break
    else:
        text = None
    if encoding is None:
        assert problems
        return
    assert not problems and encoding == name and text is not None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    body_encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # as _read_csv does
    assert reading._is_blank(body, body_encoding) == (not text.strip())
    line_end = re.search(rb"[\r\n]", body)
    assert (
        body[: line_end.start() if line_end else len(body)].decode(body_encoding)
        == re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    )


# --------------------------------------------------------------------------- a big table end to end

_ROWS = 60_000  # above the threshold for factorizing on threads


def _big(tmp_path, break_it):
    """The small fixture with 60 000 activities (6 years of 10 000), after ``break_it(lines)``."""
    target = tmp_path / "big"
    shutil.copytree(FIXTURES / "small", target)
    statuses = np.array(["afgerond", "in_progress", "Vertraagd", "gestopt", "niet gestart"])
    n = _ROWS // 6
    lines = ["activity_id;report_year;actielijn;title;owner;status;status_basis;explanation;source"]
    for year in range(2019, 2025):
        ids = np.char.add("B", np.arange(n).astype(str))
        status = statuses[(np.arange(n) + year) % 5]
        lines += [f"{i};{year};{1 + k % 2};Titel {i};OCW;{s};stated;;memo" for k, (i, s) in enumerate(zip(ids, status))]
    (target / "activities.csv").write_text("\n".join(break_it(lines)) + "\n", encoding="utf-8")
    return target


def _outcome(data_dir, threads: bool, monkeypatch):
    monkeypatch.setattr(reading, "_PARALLEL_ROWS", 50_000 if threads else 10**12)
    try:
        return loader.load(data_dir)
    except DataError as exc:
        return [str(p) for p in exc.problems]


def test_big_table_types_and_threads_agree(tmp_path, monkeypatch):
    data_dir = _big(tmp_path, lambda lines: lines[:100] + ["", ";;;;;;;;"] + lines[100:])
    threaded, single = _outcome(data_dir, True, monkeypatch), _outcome(data_dir, False, monkeypatch)
    acts = threaded.activities
    assert len(acts) == _ROWS
    pd.testing.assert_frame_equal(acts, single.activities)
    assert acts["status"].dtype == pd.CategoricalDtype(v.ACTIVITY_STATUSES, ordered=True)
    assert acts["status_basis"].dtype == pd.CategoricalDtype(v.STATUS_BASES)
    assert list(acts["actielijn"].cat.categories) == [1, 2, 3] and acts["actielijn"].cat.categories.dtype == "int64"
    assert acts["report_year"].dtype == "int64"
    for text in ("activity_id", "title", "owner", "explanation", "source"):
        assert acts[text].dtype == "str", text
    assert acts["status"].value_counts().to_dict()["completed"] == _ROWS // 5


def test_big_table_problems_keep_their_rows(tmp_path, monkeypatch):
    def break_it(lines):
        lines = list(lines)
        lines.append(" B7 ;2019;1;Dubbel;OCW;afgerond;stated;;memo")  # same key as row 9 after stripping
        lines.append("B8;2019.0;1;Dubbel;OCW;afgerond;stated;;memo")  # same key as row 10 after parsing
        for row in range(20, 45):
            lines[row] = lines[row].replace(";stated;", ";gesteld;")
        return lines

    data_dir = _big(tmp_path, break_it)
    threaded, single = _outcome(data_dir, True, monkeypatch), _outcome(data_dir, False, monkeypatch)
    assert threaded == single
    assert threaded[:2] == [
        "activities.csv, rij 21, kolom 'status_basis': 'gesteld' is geen toegestane waarde (stated, inferred, illustrative); bedoelt u 'stated'?",
        "activities.csv, rij 22, kolom 'status_basis': 'gesteld' is geen toegestane waarde (stated, inferred, illustrative); bedoelt u 'stated'?",
    ]
    assert "activities.csv, rij 41, kolom 'status_basis': en nog 5 rijen met hetzelfde probleem" in threaded
    assert (
        f"activities.csv, rij {_ROWS + 2}, kolom 'activity_id': dubbele sleutel (activity_id=B7, report_year=2019); komt ook voor in rij 9"
        in threaded
    )
    assert (
        f"activities.csv, rij {_ROWS + 3}, kolom 'activity_id': dubbele sleutel (activity_id=B8, report_year=2019); komt ook voor in rij 10"
        in threaded
    )
    assert len(threaded) == 21 + 2


def test_big_table_reference_problem(tmp_path, monkeypatch):
    def break_it(lines):
        fields = lines[50].split(";")
        fields[2] = "7"
        return lines[:50] + [";".join(fields)] + lines[51:]

    data_dir = _big(tmp_path, break_it)
    problems = _outcome(data_dir, True, monkeypatch)
    assert problems == [
        "activities.csv, rij 51, kolom 'actielijn': actielijn 7 bestaat niet in actielijnen.csv (wel: 1, 2, 3)"
    ]


# --------------------------------------------------------------------------- rows of a byte offset

_CELLS = st.sampled_from(["A1", "é", "’", '"twee\nregels"', '"a;b"', '""', "x", '"\r\n"', ""])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(_CELLS, min_size=1, max_size=4), min_size=1, max_size=8),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    at=st.integers(0, 10**6),
)
def test_row_of_an_offset_counts_records_like_the_decoded_text(rows, end, at):
    """_row_of reads the bytes as Latin-1; counting the records of the text decoded as what it
    is (UTF-8 here) gives the same spreadsheet row, also after cells with line breaks."""
    text = end.join(";".join(row) for row in rows) + end
    data = text.encode("utf-8")
    chars = at % (len(text) + 1)
    offset = len(text[:chars].encode("utf-8"))
    plain = sum(1 for _ in csv.reader(io.StringIO(text[:chars] + "x", newline=""), delimiter=";"))
    assert reading._row_of(data, offset, ";") == plain
