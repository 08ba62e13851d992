"""Draw each figure of a run once, although the briefing and notebooks 01-05 both show it.

A run executes the notebooks in two kernels side by side; the briefing shows the same six
charts that notebooks 01-05 show and save, and matplotlib spends about a second per chart
(text layout, PNG and SVG). The runner gives both kernels one scratch folder in the
environment variable ``NAP_FIGURE_CACHE``; a chart is drawn by whichever kernel asks first,
and the other reads the bytes. The key is a hash of the chart function and all its inputs
(tables hashed by value), so a cached figure is exactly the figure those inputs draw.

Without the variable (interactive use, tests) every figure is simply drawn.

A drawing publishes its PNG before it renders the SVG, so a kernel waiting for the PNG (the
briefing shows only PNG) gets it sooner. With ``NAP_FIGURE_SPLIT=1`` (set by the runner when a
second kernel runs the notebooks beside the briefing) a caller renders only the formats it
asks for: the briefing skips the SVGs, and the notebook that saves a chart draws it again for
the SVG, later, while the briefing is being printed and a core would otherwise be idle.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable

ENV = "NAP_FIGURE_CACHE"
#: Set to 1: render only the formats the caller asks for (see above).
SPLIT_ENV = "NAP_FIGURE_SPLIT"
FORMATS = ("png", "svg")
#: How long a kernel waits for the other one to finish drawing the same chart.
WAIT_SECONDS = 300.0


def _feed(digest, value) -> None:
    """Hash any chart input by value: frames by their cells, dtypes and labels; the rest by repr."""
    import pandas as pd  # here, not at the top: the runner imports this module before it may take 0.5 s

    if isinstance(value, (pd.DataFrame, pd.Series)):
        digest.update(type(value).__name__.encode())
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        digest.update(repr([(str(c), repr(t)) for c, t in frame.dtypes.items()]).encode())
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                digest.update(repr(list(frame[column].cat.categories)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    elif isinstance(value, dict):
        digest.update(b"{")
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, (list, tuple)):
        digest.update(b"[")
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


def key(chart: Callable, args: tuple, kwargs: dict, footnote: str | None) -> str:
    """The cache key: chart function, its arguments, the footnote and the library versions."""
    import matplotlib

    from . import __version__

    digest = hashlib.sha256()
    _feed(digest, [f"{chart.__module__}.{chart.__qualname__}", __version__, matplotlib.__version__, footnote])
    _feed(digest, list(args))
    _feed(digest, kwargs)
    return digest.hexdigest()[:32]


def draw(chart: Callable, args: tuple, kwargs: dict, footnote: str | None, formats=FORMATS,
         publish: Callable[[str, bytes], None] | None = None) -> dict[str, bytes]:
    """Draw the chart and render it in each format (tight box measured once), handing each
    format to ``publish`` as soon as it is rendered."""
    from .figures import _tight_box, add_footnote, figure_bytes

    fig = chart(*args, **kwargs)
    if footnote:
        add_footnote(fig, footnote)
    box = _tight_box(fig)
    data = {}
    for fmt in formats:
        data[fmt] = figure_bytes(fig, fmt, box)
        if publish is not None:
            publish(fmt, data[fmt])
    return data


def rendered(chart: Callable, args: tuple = (), kwargs: dict | None = None, footnote: str | None = None,
             formats=FORMATS) -> dict[str, bytes]:
    """PNG and SVG bytes of ``chart(*args, **kwargs)``: from the run's cache when it has them."""
    kwargs = kwargs or {}
    folder = os.environ.get(ENV)
    if not folder or not Path(folder).is_dir():
        return draw(chart, args, kwargs, footnote, formats)
    try:
        name = key(chart, args, kwargs, footnote)
    except TypeError:  # an input pandas cannot hash (lists in cells): just draw
        return draw(chart, args, kwargs, footnote, formats)
    base = Path(folder) / name
    paths = {fmt: base.with_suffix(f".{fmt}") for fmt in FORMATS}
    lock = base.with_suffix(".lock")
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if all(paths[fmt].exists() for fmt in formats):
            return {fmt: paths[fmt].read_bytes() for fmt in formats}
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:  # the other kernel is drawing it right now
            if time.monotonic() > deadline:
                return draw(chart, args, kwargs, footnote, formats)
            time.sleep(0.02)
            continue
        try:
            def publish(fmt: str, data: bytes) -> None:
                tmp = paths[fmt].with_name(f".{paths[fmt].name}.{os.getpid()}")
                tmp.write_bytes(data)
                tmp.replace(paths[fmt])

            missing = [fmt for fmt in FORMATS if not paths[fmt].exists()]
            if os.environ.get(SPLIT_ENV) == "1":
                missing = [fmt for fmt in missing if fmt in formats]
            if not any(fmt in missing for fmt in formats):  # published while we took the lock
                continue
            data = draw(chart, args, kwargs, footnote, missing, publish)
            return {fmt: data[fmt] if fmt in data else paths[fmt].read_bytes() for fmt in formats}
        finally:
            os.close(handle)
            lock.unlink(missing_ok=True)
