"""The documents: words and numbers formatted, sections built, charts drawn, rendered.

``sections`` builds :class:`~.model.Section` objects from result tables; ``assemble`` puts them
into the briefing; ``annexes`` makes Bijlage 1 and 2; ``render`` writes HTML, PDF, Word and the
spreadsheets from the same objects.
"""

from .sections import Context

__all__ = ["Context"]
