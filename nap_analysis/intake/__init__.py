"""The yearly intake: a workbook per ministry to fill in (``template``) and merging the returned
workbooks into a new data directory (``collect``).

Sits on the data layer and the words; uses the loader's public entry point only, so a returned
workbook is checked by the same rules as any data directory.
"""

from .collect import collect
from .report import IntakeError, IntakeReport
from .template import template_bytes, write_template

__all__ = ["IntakeError", "IntakeReport", "collect", "template_bytes", "write_template"]
