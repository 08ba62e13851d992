"""The run's figure cache: a chart is drawn once per run and the bytes are those of a fresh drawing."""
from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from nap_analysis import figcache
from nap_analysis.figures import progress_chart
from nap_analysis.load import load
from nap_analysis.paths import DATA_DIR
from nap_analysis.progress import progress_compare


@pytest.fixture(scope="module")
def compare():
    programme = load(DATA_DIR)
    return progress_compare(programme.activities, 2025, 2024), programme.labels(2025, "nl")


def test_without_the_variable_every_call_draws(monkeypatch, compare):
    monkeypatch.delenv(figcache.ENV, raising=False)
    table, labels = compare
    first = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, "voetnoot", ("png",))
    assert set(first) == {"png"} and first["png"].startswith(b"\x89PNG")


def test_cached_bytes_equal_a_fresh_drawing_and_the_second_call_draws_nothing(monkeypatch, tmp_path, compare):
    table, labels = compare
    fresh = figcache.draw(progress_chart, (table, labels), {"lang": "nl"}, "voetnoot")
    monkeypatch.setenv(figcache.ENV, str(tmp_path))
    cached = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, "voetnoot", ("png",))
    assert cached["png"] == fresh["png"]
    assert len(list(tmp_path.glob("*.png"))) == 1 and len(list(tmp_path.glob("*.svg"))) == 1  # SVG for the other kernel

    def refuse(*args, **kwargs):
        raise AssertionError("drew a chart that was in the cache")

    monkeypatch.setattr(figcache, "draw", refuse)
    again = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, "voetnoot")
    assert again == fresh
    assert not list(tmp_path.glob("*.lock"))


def test_the_key_follows_every_input(compare):
    table, labels = compare
    base = figcache.key(progress_chart, (table, labels), {"lang": "nl"}, None)
    assert base == figcache.key(progress_chart, (table.copy(), dict(labels)), {"lang": "nl"}, None)
    changed = table.copy()
    changed.loc[0, "n"] = changed.loc[0, "n"] + 1
    others = [
        figcache.key(progress_chart, (changed, labels), {"lang": "nl"}, None),
        figcache.key(progress_chart, (table, dict(labels, delayed="later")), {"lang": "nl"}, None),
        figcache.key(progress_chart, (table, labels), {"lang": "en"}, None),
        figcache.key(progress_chart, (table, labels), {"lang": "nl"}, "voetnoot"),
        figcache.key(progress_chart, (table.rename(columns={"n": "m"}), labels), {"lang": "nl"}, None),
        figcache.key(progress_chart, (table.astype({"actielijn": "str"}), labels), {"lang": "nl"}, None),
    ]
    assert len({base, *others}) == len(others) + 1


def test_a_chart_being_drawn_by_the_other_kernel_is_waited_for(monkeypatch, tmp_path, compare):
    table, labels = compare
    monkeypatch.setenv(figcache.ENV, str(tmp_path))
    name = figcache.key(progress_chart, (table, labels), {"lang": "nl"}, None)
    lock = tmp_path / f"{name}.lock"
    lock.write_text("")  # the other kernel holds the lock ...
    fresh = figcache.draw(progress_chart, (table, labels), {"lang": "nl"}, None)

    def other_kernel_finishes():
        time.sleep(0.3)
        for fmt in ("png", "svg"):
            (tmp_path / f"{name}.{fmt}").write_bytes(fresh[fmt])
        lock.unlink()

    monkeypatch.setattr(figcache, "draw", lambda *a, **k: pytest.fail("drew instead of waiting"))
    threading.Thread(target=other_kernel_finishes).start()
    assert figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, None) == fresh


def test_a_failing_chart_releases_the_lock_and_raises(monkeypatch, tmp_path):
    monkeypatch.setenv(figcache.ENV, str(tmp_path))

    def broken(frame):
        raise ValueError("kapot")

    with pytest.raises(ValueError, match="kapot"):
        figcache.rendered(broken, (pd.DataFrame({"a": [1]}),))
    assert not list(tmp_path.iterdir())


def test_split_mode_renders_only_what_is_asked_and_adds_the_svg_later(monkeypatch, tmp_path, compare):
    """Two kernels: the briefing asks for PNG only, a notebook later for PNG and SVG."""
    table, labels = compare
    fresh = figcache.draw(progress_chart, (table, labels), {"lang": "nl"}, None)
    monkeypatch.setenv(figcache.ENV, str(tmp_path))
    monkeypatch.setenv(figcache.SPLIT_ENV, "1")
    drawn: list[list[str]] = []
    real_draw = figcache.draw

    def counting_draw(chart, args, kwargs, footnote, formats=figcache.FORMATS, publish=None):
        drawn.append(list(formats))
        return real_draw(chart, args, kwargs, footnote, formats, publish)

    monkeypatch.setattr(figcache, "draw", counting_draw)
    briefing = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, None, ("png",))
    assert briefing == {"png": fresh["png"]} and drawn == [["png"]]
    assert not list(tmp_path.glob("*.svg"))
    notebook = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, None, ("png", "svg"))
    assert notebook == fresh, "the SVG of the second drawing is the SVG of one drawing of both"
    assert drawn == [["png"], ["svg"]]
    assert figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, None) == fresh and len(drawn) == 2


def test_a_png_reader_does_not_wait_for_the_svg(monkeypatch, tmp_path, compare):
    """The drawing kernel publishes the PNG first and still holds the lock while it renders the SVG."""
    table, labels = compare
    monkeypatch.setenv(figcache.ENV, str(tmp_path))
    name = figcache.key(progress_chart, (table, labels), {"lang": "nl"}, None)
    (tmp_path / f"{name}.lock").write_text("")
    (tmp_path / f"{name}.png").write_bytes(b"\x89PNG published first")
    monkeypatch.setattr(figcache, "draw", lambda *a, **k: pytest.fail("drew instead of reading"))
    got = figcache.rendered(progress_chart, (table, labels), {"lang": "nl"}, None, ("png",))
    assert got == {"png": b"\x89PNG published first"}
