"""The data layer: the status vocabulary, the data contract and the one loader.

``load(folder)`` reads and checks a data directory and returns a :class:`Programme` of tidy,
typed tables; it knows nothing of analyses or documents.
"""

from .loader import load
from .programme import Programme

__all__ = ["Programme", "load"]
