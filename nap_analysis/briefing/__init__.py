"""The documents: words and numbers formatted, sections built, charts drawn, rendered.

``sections`` builds :class:`~.model.Section` objects from result tables (one module per
section); ``assemble`` puts them into the briefing; ``annexes`` makes Bijlage 1 and 2;
``render`` writes HTML, PDF, Word and the spreadsheets from the same objects.

``Context`` is resolved on first use, so that importing a light module of this package (the
formatter, the words of a table) does not import the charts and matplotlib with it.
"""

__all__ = ["Context"]


def __getattr__(name: str):
    if name == "Context":
        from .sections.context import Context

        return Context
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
