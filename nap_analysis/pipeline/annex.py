"""One annex rebuilt on its own: a writer who corrected a row of Bijlage 1 needs no notebook run.

The annex is made from the checked data as a run makes it (same documents, same bytes for the
same data and date) and goes into the run's output folder as ``<stem>.html``, ``.pdf`` and
``.docx``. The folder is rebuilt aside and swapped in whole under the run's lock, like a run
does: a failure or Ctrl-C leaves the last good outputs as they were, and a run into the same
folder at the same time is refused. The run's manifest stays as the run wrote it, so ``verify``
reports an annex that no longer matches its run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..briefing import annexes
from ..briefing.sections.context import Context
from ..data import load
from ..data.arguments import check_date
from ..errors import UsageError
from ..resources import data_dir as bundled_data
from ..resources import outputs_dir
from . import documents, interrupts
from .outputs import BuildFolder, out_name, write_atomic
from .run import briefing_date, check_environment, check_parameters

#: Annex number -> (file stem, builder).
ANNEXES = {1: (annexes.ACTIVITIES_STEM, annexes.activities_annex), 2: (annexes.MOTIONS_STEM, annexes.motions_annex)}


def run_date(folder: Path) -> str | None:
    """The date the run in ``folder`` printed on its documents (its manifest), if there is one."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return check_date(manifest["parameters"]["briefing_date"])
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        return None


def rebuild(
    number: int, year=None, language: str = "nl", data_dir=None, out_root=None, date: str | None = None
) -> list[Path]:
    """Write Bijlage ``number`` (1 or 2) of the report year into ``<out_root>/<year>[-en]/``.

    ``date``: the date printed on it; by default the date of the run already in that folder (so
    an unchanged annex keeps its bytes), else the report date in the data, else SOURCE_DATE_EPOCH or
    today. Returns the files written.
    """
    if number not in ANNEXES:
        raise UsageError("error.annex_number", number=str(number))
    with interrupts.guard():
        return _rebuild(number, year, language, data_dir, out_root, date)


def _rebuild(number: int, year, language: str, data_dir, out_root, date: str | None) -> list[Path]:
    check_environment()
    data_dir = Path(data_dir or bundled_data()).absolute()
    out_root = Path(out_root or outputs_dir()).absolute()
    check_parameters(year, language, out_root, data_dir)
    programme = load(data_dir)
    report_year = programme.report_year(year)
    name = out_name(report_year, language)
    final = out_root / name
    if date is not None:
        date = check_date(date)
    else:  # the run's date in that folder, else the report's date in the data, else today
        report_date = programme.report_date(report_year)
        date = run_date(final) or (report_date.isoformat() if report_date else None) or briefing_date()
    ctx = Context(programme, report_year, language, date)
    stem, build = ANNEXES[number]
    if stem not in annexes.stems(ctx):
        raise UsageError("error.no_motions", folder=str(data_dir))
    files = documents.render(build(ctx), stem)  # all formats made before anything is written
    with BuildFolder(out_root, name) as work:
        if final.is_dir():  # the run's other files stay; only the annex's three are new
            shutil.copytree(final, work, dirs_exist_ok=True, symlinks=True)
        for filename, data in files.items():
            write_atomic(work / filename, data)
    return [final / filename for filename in files]
