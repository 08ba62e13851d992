"""A section that shows itself in a notebook: its HTML for the reader, its JSON for the run.

The model (:mod:`.model`) holds data only; showing needs the HTML renderer, which sits above the
model. A :class:`SectionView` is a :class:`~.model.Section` whose notebook display carries both
the rendered section and the section itself (:data:`~.model.MIMETYPE`), so the executed notebook
is the record the run assembles the documents from.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import MIMETYPE, Section, to_json
from .render.html import section_fragment


@dataclass
class SectionView(Section):
    """A Section displayed in a notebook: rendered HTML and its JSON in one output."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": section_fragment(self), MIMETYPE: to_json(self), "text/plain": self.heading}
