"""The briefing's sections: result tables in, :class:`~..model.Section` objects out, one module per section.

Each module holds one section: its chart (tidy tables in, a matplotlib figure out, in the house
style of :mod:`..charts`), its figure builder (the chart with its caption and alt text, rendered
by :mod:`..render.figure`), and its section builder. A builder takes the tables a notebook
computed and shows (so a researcher who changes a table in a cell changes the briefing), words
them with the catalogue and the one formatter, and returns a section with its figure, tables,
the key points it contributes to the "Kernpunten" and the method notes it contributes to the
"Verantwoording". No builder reads a file or computes an analysis that another already did.
:mod:`.context` holds what they share.

Texts are in the register of a nota: full sentences, no method names in the running text
(those go to the Verantwoording, with the technical term in brackets), numbers in the
document's notation, every share with its base, every judgement with its yardstick.

The notebooks call the builders as ``sections.progress_figure(ctx, ...)``: every public name of
the section modules is re-exported here.
"""

from .bewindspersonen import (
    bewindspersonen_chart,
    bewindspersonen_figure,
    bewindspersonen_section,
    bewindspersonen_table,
)
from .context import RANK, Context, item_rows, provenance_paragraph, relabel_note, skipped, today_or
from .delays import changes_chart, changes_figure, changes_subsection, flags_section
from .funds import funds_chart, funds_figure, funds_section
from .monitors import (
    group_label,
    indicator_label,
    indicators_chart,
    indicators_figure,
    indicators_section,
    with_labels,
)
from .motions import motions_chart, motions_figure, motions_section
from .outlook import projection_chart, projection_figure, projection_section
from .planning import milestones_chart, milestones_figures, milestones_section
from .progress import on_course_sentence, progress_chart, progress_figure, progress_section, progress_table
from .transitions import delay_sentence, transitions_section
from .verantwoording import verantwoording

__all__ = [
    "bewindspersonen_chart",
    "bewindspersonen_figure",
    "bewindspersonen_section",
    "bewindspersonen_table",
    "RANK",
    "Context",
    "item_rows",
    "provenance_paragraph",
    "relabel_note",
    "skipped",
    "today_or",
    "progress_chart",
    "progress_figure",
    "progress_section",
    "progress_table",
    "on_course_sentence",
    "changes_chart",
    "changes_figure",
    "flags_section",
    "changes_subsection",
    "motions_chart",
    "motions_figure",
    "motions_section",
    "funds_chart",
    "funds_figure",
    "funds_section",
    "milestones_chart",
    "milestones_figures",
    "milestones_section",
    "indicator_label",
    "group_label",
    "indicators_chart",
    "indicators_figure",
    "indicators_section",
    "with_labels",
    "transitions_section",
    "delay_sentence",
    "projection_chart",
    "projection_figure",
    "projection_section",
    "verantwoording",
]
