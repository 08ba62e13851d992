"""Run the notebooks for one report year and build ``outputs/<year>/`` atomically.

Parameters are checked before anything starts; the kernels (:mod:`nap_analysis.kernels`)
boot while the data are validated, and no notebook runs on bad data. The notebooks run with
papermill in up to two kernels side by side, the briefing first; it is exported to HTML and
PDF in this process while the other kernel works. Everything is built in a temporary folder
next to the target and swapped in only when all succeeded, so a failed or interrupted run
never touches the last good outputs.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import vocabulary as v
from .errors import NapError, RunError, UsageError

from .kernels import BRIEFING_NOTEBOOK, KERNEL_PATH, Kernels, kernel_count  # noqa: F401 (public names)
from .paths import DATA_DIR, NOTEBOOK_DIR, OUTPUT_DIR



class BusyError(NapError):
    """Another run is writing the same output folder."""

    exit_code = 1


@dataclass
class RunResult:
    year: int
    language: str
    out_dir: Path
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"{self.out_dir} ({len(self.files)} bestanden, {self.seconds:.1f} s)"


def out_name(year: int, language: str) -> str:
    """outputs/<year>/ for Dutch (the default), outputs/<year>-en/ for English."""
    return str(year) if language == "nl" else f"{year}-{language}"


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing rfc3987_syntax in this process (2.4 s of the run otherwise).

    nbformat (used by papermill and nbconvert) imports jsonschema, whose format checkers import
    the optional rfc3987_syntax, which builds ~35 Lark parsers at import
    (python-jsonschema/jsonschema#1428). Notebook schemas never use its 'iri' formats; jsonschema
    skips a checker whose import fails. Only blocks it when nothing imported it yet.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def briefing_date() -> str:
    """The date printed on the briefing: SOURCE_DATE_EPOCH when set (reproducible), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    return dt.date.today().isoformat()


def notebooks(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks, in order; the briefing notebook last."""
    found = sorted(directory.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise RunError(f"geen notebooks gevonden in {directory}")
    return found


def check_parameters(year, language: str, out_root: Path) -> None:
    """Refuse parameters that could write outside the output folder or make no sense."""
    if language not in v.LANGUAGES:
        raise UsageError(f"taal '{language}' wordt niet ondersteund (kies uit: {', '.join(v.LANGUAGES)})")
    if year is not None and not re.fullmatch(r"\d{4}", str(year)):
        raise UsageError(f"verslagjaar '{year}' is geen jaartal van vier cijfers")
    if out_root.exists() and not out_root.is_dir():
        raise UsageError(f"uitvoermap {out_root} bestaat maar is geen map")


class _Progress:
    """A bar on a terminal; quiet one-line-per-step progress in CI logs and pipes."""

    def __init__(self, total: int, label: str):
        self.plain = bool(os.environ.get("CI")) or not sys.stderr.isatty()
        self.total, self.done, self.label, self.start = total, 0, label, time.monotonic()
        self.bar = None
        if not self.plain:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="stap", leave=False, file=sys.stderr)

    def step(self, what: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(what)
            self.bar.update(1)
        else:
            print(f"[{self.done}/{self.total}] {self.label}: {what} ({time.monotonic() - self.start:.1f} s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _lock(out_root: Path, name: str):
    """An exclusive, non-blocking lock per output folder; a second run stops with a message."""
    import fcntl

    handle = open(out_root / f".{name}.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BusyError(f"er loopt al een run die {out_root / name} schrijft; wacht tot die klaar is") from None
    return handle


def _execute(kernels: Kernels, paths: list[Path], parameters: dict, work: Path, progress: _Progress, after=None) -> list[Path]:
    """Execute the notebooks in the run's kernels (see :meth:`Kernels.execute`)."""
    return kernels.execute(paths, parameters, work, step=progress.step, after=after)


def _warm_export():
    """Import and initialise nbconvert, WeasyPrint and openpyxl in a thread while the kernels work.

    Half of the first export is one-off work (imports, templates, fonts); done here it is off
    the run's critical path. The real export joins this thread first: never two WeasyPrints.
    """
    import threading

    def warm() -> None:
        try:
            import openpyxl  # noqa: F401 - the workbook at the end of the run (0.4 s to import)

            from .export import warm_up

            warm_up()
        except Exception:  # noqa: BLE001 - the real export and workbook report their own problems
            pass

    thread = threading.Thread(target=warm, daemon=True, name="nap-warm-export")
    thread.start()
    return thread


def _finish(work: Path, final: Path) -> None:
    """Swap the finished folder in: old outputs go away only after the new ones are in place."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}.{os.getpid()}")  # "." ends the name: 2024 vs 2024-en
        os.replace(final, old)
    os.replace(work, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover(final: Path) -> None:
    """If an earlier run died between the two renames, put its previous outputs back."""
    if final.exists():
        return
    leftovers = sorted(final.parent.glob(f".old-{final.name}.*"))
    if leftovers:
        os.replace(leftovers[-1], final)


def run(year=None, data_dir=None, out_root=None, language: str = "nl", notebook_dir: Path | None = None,
        date: str | None = None, runs_at_once: int = 1, kernels: Kernels | None = None) -> RunResult:
    """Execute all notebooks for one report year and language; return what was written.

    ``date`` is the date printed on the briefing (ISO); by default SOURCE_DATE_EPOCH or today.
    ``runs_at_once``: how many runs share the machine (batch --jobs), so kernels per run fit the cores.
    ``kernels``: running kernels to use (a batch keeps them for all its runs); by default the
    run starts its own, before it reads the data, and stops them at the end.
    """
    started = time.monotonic()
    skip_slow_optional_imports()
    data_dir = Path(data_dir or DATA_DIR).resolve()
    out_root = Path(out_root or OUTPUT_DIR).resolve()
    check_parameters(year, language, out_root)
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(date)):
        raise UsageError(f"datum '{date}' is geen JJJJ-MM-DD")
    paths = notebooks(notebook_dir or NOTEBOOK_DIR)
    own_kernels = kernels is None
    if own_kernels:  # they boot (imports: seconds) while this process checks the data
        kernels = Kernels(kernel_count(len(paths), runs_at_once))
    try:
        return _run(year, data_dir, out_root, language, date, paths, kernels, started)
    finally:
        if own_kernels:
            kernels.close()


def _run(year, data_dir: Path, out_root: Path, language: str, date, paths: list[Path], kernels: Kernels,
         started: float) -> RunResult:
    from .manifest import write_manifest
    from .tables import write_workbook

    programme = kernels.load_data(data_dir)  # bad data stops here, before any notebook runs, with exit 2
    year = programme.latest_year if year is None else int(year)
    if year not in programme.report_years:
        raise UsageError(f"verslagjaar {year} staat niet in de data (wel: {', '.join(map(str, programme.report_years))})")
    warm = _warm_export()
    name = out_name(year, language)
    out_root.mkdir(parents=True, exist_ok=True)
    lock = _lock(out_root, name)
    final = out_root / name
    try:
        _recover(final)
        for stale in out_root.glob(f".tmp-{name}.*"):  # left by a killed run; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}.", dir=out_root))
        work.chmod(0o755)  # mkdtemp makes it private; the outputs are for everyone who may read the folder
        for sub in ("notebooks", "figures", "tables"):
            (work / sub).mkdir()
        parameters = {
            "report_year": year,
            "data_dir": str(data_dir),
            "output_dir": ".",  # the kernel runs in the build folder; a temp path would differ per run
            "language": language,
            "briefing_date": date or briefing_date(),
        }
        progress = _Progress(len(paths) + 2, f"NAP {name}")
        try:
            try:
                def export_when_briefing(path: Path) -> None:
                    if path.name == BRIEFING_NOTEBOOK:
                        warm.join()
                        _export_briefing(path, work, programme, parameters, progress)

                executed = _execute(kernels, paths, parameters, work, progress, after=export_when_briefing)
            except RunError as exc:
                failed = final / "failed"
                failed.mkdir(parents=True, exist_ok=True)
                for nb in (work / "notebooks").glob("*.ipynb"):
                    shutil.copy2(nb, failed / nb.name)
                raise RunError(str(exc).replace("{failed}", str(failed))) from exc
            if not any(p.name == BRIEFING_NOTEBOOK for p in executed):  # a notebook folder without one
                warm.join()
                _export_briefing(executed[-1], work, programme, parameters, progress)
            tables = sorted((work / "tables").glob("*.csv"))
            if tables:
                write_workbook(tables, work / "tables" / "tabellen.xlsx")
            write_manifest(work, final_name=name, data_dir=data_dir, parameters=parameters)
            progress.step("manifest")
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        finally:
            progress.close()
        _finish(work, final)
    finally:
        lock.close()
    files = sorted(str(p.relative_to(final)) for p in final.rglob("*") if p.is_file())
    return RunResult(year, language, final, files, time.monotonic() - started)


def _export_briefing(briefing: Path, work: Path, programme, parameters: dict, progress: _Progress) -> None:
    """Briefing HTML + PDF from the executed briefing notebook, with the memo's title block."""
    import nbformat

    from .export import export_notebook, title_block

    nb = nbformat.read(briefing, as_version=4)
    year, language = parameters["report_year"], parameters["language"]
    from .progress import basis_counts

    basis = dict(zip(*basis_counts(programme.activities, year).T.values))
    nb.metadata["nap"] = title_block(language, year, date=parameters["briefing_date"], data_version=programme.data_version,
                                     illustrative_note=_illustrative_note(basis, language))
    export_notebook(nb, work / "briefing.html", work / "briefing.pdf")
    progress.step("briefing.html + briefing.pdf")


def _illustrative_note(basis: dict, language: str) -> str:
    illustrative, inferred, stated = (int(basis.get(k, 0)) for k in ("illustrative", "inferred", "stated"))
    if not (illustrative or inferred):
        return ""
    if language == "nl":
        return (f"Let op: deze briefing rust deels op niet-officiële statussen: {illustrative} illustratief "
                f"(aangevuld om het voorbeeld compleet te maken) en {inferred} afgeleid uit openbare feiten; "
                f"{stated} vastgesteld.")
    return (f"Note: this briefing rests partly on unofficial statuses: {illustrative} illustrative "
            f"(added to make the example complete) and {inferred} inferred from public facts; {stated} stated.")


_WORKER_KERNELS: Kernels | None = None


def _start_worker_kernels(count: int) -> None:
    """A batch worker starts its kernels once and keeps them for all its runs."""
    import atexit

    global _WORKER_KERNELS
    skip_slow_optional_imports()
    _WORKER_KERNELS = Kernels(count)
    atexit.register(_WORKER_KERNELS.close)


def _run_one(kwargs: dict) -> RunResult:
    return run(**kwargs, kernels=_WORKER_KERNELS)


def run_many(years: list, languages: list[str], *, data_dir=None, out_root=None, jobs: int = 1,
             date: str | None = None) -> list[RunResult]:
    """Several parameter sets (years x languages); with jobs > 1, that many runs at once.

    Each run has its own output folder; the kernels are started once per worker process and
    serve all its runs (imports paid once, not per run). The data are checked once up front so
    bad data stops everything with exit 2 before any process starts.
    """
    skip_slow_optional_imports()
    years = list(years or [None])
    n_sets = len(years) * len(languages)
    count = kernel_count(len(notebooks()), max(1, min(jobs, n_sets)))
    if jobs <= 1 or n_sets == 1:  # one process: kernels started first, they boot while run() checks the data
        with Kernels(count) as kernels:
            return [run(year=y, language=lang, data_dir=data_dir, out_root=out_root, date=date, kernels=kernels)
                    for y in years for lang in languages]
    from .load import load  # not before the kernels above: pandas takes 0.5 s to import

    programme = load(Path(data_dir or DATA_DIR))  # bad data: exit 2 before any worker starts
    years = [programme.latest_year if y is None else int(y) for y in years]
    # language-major order in equal chunks: a worker gets one language's years, and the charts that
    # do not depend on the year (funds, milestones, indicators) come from its figure cache
    sets = [dict(year=y, language=lang, data_dir=data_dir, out_root=out_root, date=date, runs_at_once=jobs)
            for lang in languages for y in years]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # fork would copy the threads of a host process (a test runner, a notebook) and can hang
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker_kernels,
                             initargs=(count,)) as pool:
        return list(pool.map(_run_one, sets, chunksize=-(-len(sets) // jobs)))


def verify(out_dir: Path) -> list[str]:
    """Rerun from ``manifest.json`` into a scratch folder; what differs (empty = same).

    Three checks: the inputs still hash as recorded, the folder's files are as recorded (not
    edited by hand), and a fresh run with the recorded parameters gives the recorded bytes.
    """
    from .manifest import differences, file_hashes, read_manifest

    out_dir = Path(out_dir).resolve()
    manifest = read_manifest(out_dir)
    params = manifest["parameters"]
    data_dir = Path(params["data_dir"])
    inputs = {f"{data_dir.name}/{k}": val for k, val in file_hashes(data_dir, skip=()).items()} if data_dir.is_dir() else {}
    changed_inputs = [f"invoer {line}" for line in differences(manifest["inputs"], inputs)]
    edited = [f"in {out_dir.name}/: {line}" for line in differences(manifest["outputs"], file_hashes(out_dir))]
    scratch = Path(tempfile.mkdtemp(prefix=".verify-", dir=out_dir.parent))
    try:
        result = run(year=params["report_year"], data_dir=data_dir, out_root=scratch, language=params["language"],
                     date=params["briefing_date"])
        rerun = file_hashes(result.out_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return changed_inputs + edited + [f"herhaalde run: {line}" for line in differences(manifest["outputs"], rerun)]
