"""The data layer: the status vocabulary, the data contract and the one loader.

``load(folder)`` reads and checks a data directory and returns a :class:`Programme` of tidy,
typed tables; it knows nothing of analyses or documents. Both are imported on first use, so
that checking a year or a date (:mod:`.arguments`) does not import pandas before a run has
started its kernels.
"""

from __future__ import annotations

__all__ = ["Programme", "load"]


def __getattr__(name: str):
    if name == "load":
        from .loader import load

        return load
    if name == "Programme":
        from .programme import Programme

        return Programme
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
