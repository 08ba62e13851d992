"""``nap-analysis diff``: what changed in a report year between the draft's data and today's.

Both folders are read with the one loader (bad input: exit 2, located, as ``validate``), the
annexes of both are built as a run builds them, and ``wijzigingen-<year>[-en]/`` gets:

- ``bijlage-1-activiteiten-wijzigingen.docx`` and ``bijlage-2-moties-en-toezeggingen-wijzigingen.docx``:
  the new annex with every difference from the old one as a Word tracked change
  (:mod:`nap_analysis.briefing.render.tracked`);
- ``wijzigingen.html``, ``.pdf``, ``.docx``: the overview per action line
  (:mod:`nap_analysis.briefing.changes`);
- ``wijzigingen.csv`` and ``wijzigingen.xlsx``: one row per change.

Both annexes carry the same date (``--date``, else the new data's report date of the year, else
SOURCE_DATE_EPOCH or today), which is also the date of every tracked change: the same folders
give the same bytes. Two equal folders give the same files with no tracked change and an
overview that says there are none. The folder is built aside and swapped in whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.changes import item_changes
from ..briefing import annexes, changes
from ..briefing.render import spreadsheet
from ..briefing.sections.context import Context
from ..data import load
from ..data.arguments import check_date
from ..errors import UsageError
from ..resources import outputs_dir
from . import documents, interrupts
from .outputs import BuildFolder, out_name, write_atomic
from .run import briefing_date, check_environment, check_parameters

#: The author of every tracked change.
AUTHOR = "nap-analysis"


@dataclass
class DiffResult:
    folder: Path
    files: list[Path]
    changes: pd.DataFrame
    year: int


def folder_name(year: int, language: str) -> str:
    return f"wijzigingen-{out_name(year, language)}"


def compare(old_dir, new_dir, year=None, language: str = "nl", out_root=None, date: str | None = None) -> DiffResult:
    """Compare the report year ``year`` of the data in ``old_dir`` and ``new_dir`` and write the folder."""
    with interrupts.guard():
        return _compare(old_dir, new_dir, year, language, out_root, date)


def _compare(old_dir, new_dir, year, language, out_root, date) -> DiffResult:
    check_environment()
    old_dir, new_dir = Path(old_dir).absolute(), Path(new_dir).absolute()
    out_root = Path(out_root or outputs_dir()).absolute()
    check_parameters(year, language, out_root, new_dir)
    check_parameters(year, language, out_root, old_dir)
    old_programme, new_programme = load(old_dir), load(new_dir)
    report_year = new_programme.report_year(year)
    old_programme.report_year(report_year)  # the same year must be in the draft's data
    if date is not None:
        date = check_date(date)
    else:
        known = new_programme.report_date(report_year)
        date = known.isoformat() if known is not None else briefing_date()
    old = Context(old_programme, report_year, language, date)
    new = Context(new_programme, report_year, language, date)
    found = pd.concat(
        [
            item_changes(old.programme.activities, new.programme.activities, report_year, "activities"),
            item_changes(old.programme.motions, new.programme.motions, report_year, "motions"),
        ],
        ignore_index=True,
    )
    files = _files(old, new, found, date)
    name = folder_name(report_year, language)
    with BuildFolder(out_root, name) as work:
        for filename, data in files.items():
            write_atomic(work / filename, data)
    final = out_root / name
    return DiffResult(final, [final / f for f in files], found, report_year)


def _files(old: Context, new: Context, found: pd.DataFrame, date: str) -> dict[str, bytes]:
    """Every file of the folder, made before anything is written."""
    from ..briefing.render.docx import document_docx
    from ..briefing.render.tracked import tracked_docx

    made: dict[str, bytes] = {}
    stamp = f"{date}T00:00:00Z"
    built = {annexes.ACTIVITIES_STEM: annexes.activities_annex, annexes.MOTIONS_STEM: annexes.motions_annex}
    for stem in annexes.stems(new):
        if stem not in annexes.stems(old):
            raise UsageError("error.diff_no_motions", year=new.year)
        before = document_docx(built[stem](old))
        after = document_docx(built[stem](new))
        made[f"{stem}-wijzigingen.docx"] = tracked_docx(before, after, AUTHOR, stamp)
    made.update(documents.render(changes.overview(old, new, found), changes.STEM))
    table = changes.changes_table(new, found)
    made[f"{changes.STEM}.csv"] = spreadsheet.table_csv(table, new.language)
    w = new.w
    about = [
        (w["xlsx.what"], w("diff.xlsx.what", year=new.year)),
        (w["diff.meta.old"], old.programme.data_version),
        (w["meta.data_version"], new.programme.data_version),
    ]
    made[f"{changes.STEM}.xlsx"] = spreadsheet.workbook([table], new.language, about, w["diff.doc.title"])
    return made
