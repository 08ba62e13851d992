"""Pure analyses: tables in, tables (or small result objects) out; no files, no words.

Every function takes the loader's tidy tables (see :mod:`nap_analysis.data`) and returns
pandas objects with explicit dtypes, so a notebook can show them and a document can word them.
"""

from .flags import flags
from .funds import funds_by_instrument, funds_by_year
from .judgement import on_course
from .milestones import report_milestones, slippage
from .progress import basis_counts, motions_progress, progress, progress_compare, select_year, status_changes
from .projection import project_completion
from .statistics import delay_independence, indicator_changes, indicator_intervals
from .transitions import transition_matrix

__all__ = [
    "basis_counts",
    "delay_independence",
    "flags",
    "funds_by_instrument",
    "funds_by_year",
    "indicator_changes",
    "indicator_intervals",
    "motions_progress",
    "on_course",
    "progress",
    "progress_compare",
    "project_completion",
    "select_year",
    "report_milestones",
    "slippage",
    "status_changes",
    "transition_matrix",
]
