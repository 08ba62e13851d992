"""Run the notebooks for one report year and build ``outputs/<year>/`` atomically.

Parameters are checked and the data validated before any kernel starts. The notebooks run
with papermill, one after another in ONE kernel of this environment (imports are paid
once); the briefing notebook is exported to HTML and PDF in this process. Everything is
built in a temporary folder next to the target and swapped in only when all succeeded, so
a failed or interrupted run never touches the last good outputs.
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

from .paths import DATA_DIR, NOTEBOOK_DIR, OUTPUT_DIR, PACKAGE_DIR

BRIEFING_NOTEBOOK = "10_briefing.ipynb"
#: Kernel specs of this package, put first on JUPYTER_PATH so 'python3' is always this Python.
KERNEL_PATH = PACKAGE_DIR / "jupyter"


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


def kernel_count(notebook_count: int, runs_at_once: int = 1) -> int:
    """Kernels per run: the cores shared by the runs going on at once, at most two (the briefing
    and the rest); the environment variable NAP_KERNELS overrides."""
    wanted = os.environ.get("NAP_KERNELS", "")
    cores = os.cpu_count() or 1
    count = int(wanted) if wanted.isdigit() and int(wanted) > 0 else min(2, cores // max(1, runs_at_once))
    return max(1, min(count, notebook_count))


def _execute(paths: list[Path], parameters: dict, work: Path, progress: _Progress, after=None,
             runs_at_once: int = 1) -> list[Path]:
    """Execute the notebooks with papermill in up to two kernels of this Python, side by side.

    The briefing notebook goes first so ``after`` (the HTML/PDF export) runs while the other
    kernel is still busy; each kernel then takes the next notebook from a shared queue. Within
    one kernel, imports stay warm and ``%reset -f`` clears the namespace between notebooks.

    The other notebooks go in reverse order: the briefing draws its charts top to bottom
    (01's first, 04's last) and the second kernel bottom to top, so with the shared figure
    cache each chart is drawn once, by whichever kernel reaches it first.
    """
    import threading
    from collections import deque

    from jupyter_client.manager import KernelManager

    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(KERNEL_PATH), os.environ.get("JUPYTER_PATH")]))
    sockets = Path(tempfile.mkdtemp(prefix="nap-kernel-"))  # local socket files (not open TCP ports), figure cache
    from .figcache import ENV as FIGURE_CACHE

    briefing = [p for p in paths if p.name == BRIEFING_NOTEBOOK]
    queue = deque(briefing + sorted((p for p in paths if p.name != BRIEFING_NOTEBOOK), reverse=True))
    kernel_env = dict(os.environ, **{FIGURE_CACHE: str(sockets / "figures")})
    (sockets / "figures").mkdir()
    managers = [KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / f"kernel{i}"))
                for i in range(kernel_count(len(paths), runs_at_once))]
    executed: list[Path] = []
    failures: list[BaseException] = []
    guard = threading.Lock()

    def work_through(km) -> None:
        while True:
            with guard:
                if failures or not queue:
                    return
                path = queue.popleft()
            try:
                target = _execute_one(km, path, parameters, work)
                with guard:
                    executed.append(target)
                progress.step(path.name)
                if after is not None:
                    after(target)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                with guard:
                    failures.append(exc)
                return

    threads = [threading.Thread(target=work_through, args=(km,), daemon=True, name=f"nap-kernel-{i}")
               for i, km in enumerate(managers)]
    try:
        for km in managers:  # started here in the build folder: papermill's own cwd= would chdir the whole process
            km.start_kernel(cwd=str(work), env=kernel_env)
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # short waits, so Ctrl-C reaches the main thread at once
    finally:
        for km in managers:  # also on Ctrl-C: no kernel outlives the run
            if km.has_kernel:
                km.shutdown_kernel(now=True)
        for thread in threads:
            if thread.is_alive():
                thread.join(5)
        shutil.rmtree(sockets, ignore_errors=True)
    if failures:
        raise failures[0]
    return sorted(executed)


def _execute_one(km, path: Path, parameters: dict, work: Path) -> Path:
    """One notebook in a (possibly already running) kernel; a failing cell becomes a RunError."""
    import papermill as pm

    target = work / "notebooks" / path.name
    try:
        pm.execute_notebook(
            str(path), str(target), parameters=parameters, kernel_name="python3", km=km,
            progress_bar=False, request_save_on_cell_execute=False,
        )
    except pm.PapermillExecutionError as exc:
        line = next((s.strip() for s in str(exc.source).splitlines() if s.strip()), "")
        raise RunError(
            f"notebook {path.name} faalde in cel {exc.cell_index + 1} ('{line[:60]}'): {exc.ename}: {exc.evalue}; "
            f"het uitgevoerde notebook staat in {{failed}}"
        ) from exc
    _normalise_notebook(target)
    if km.has_kernel:  # the next notebook starts from a clean namespace, imports stay warm
        client = km.client()
        client.start_channels()
        try:
            client.execute_interactive("%reset -f", timeout=30, output_hook=lambda msg: None)
        finally:
            client.stop_channels()
    return target


def _normalise_notebook(path: Path) -> None:
    """Drop what papermill and nbclient record that changes every run (times, temp paths).

    Execution counts are renumbered 1, 2, ... as a fresh kernel would give them: a kernel runs
    several notebooks, and which ones depends on timing.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for key in ("start_time", "end_time", "duration", "output_path", "input_path"):
        nb.metadata.get("papermill", {}).pop(key, None)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, path)


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
        date: str | None = None, runs_at_once: int = 1) -> RunResult:
    """Execute all notebooks for one report year and language; return what was written.

    ``date`` is the date printed on the briefing (ISO); by default SOURCE_DATE_EPOCH or today.
    ``runs_at_once``: how many runs share the machine (batch --jobs), so kernels per run fit the cores.
    """
    from .load import load
    from .manifest import write_manifest
    from .tables import write_workbook

    started = time.monotonic()
    skip_slow_optional_imports()
    data_dir = Path(data_dir or DATA_DIR).resolve()
    out_root = Path(out_root or OUTPUT_DIR).resolve()
    check_parameters(year, language, out_root)
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(date)):
        raise UsageError(f"datum '{date}' is geen JJJJ-MM-DD")
    programme = load(data_dir)  # bad data stops here, before any kernel, with exit 2
    year = programme.latest_year if year is None else int(year)
    if year not in programme.report_years:
        raise UsageError(f"verslagjaar {year} staat niet in de data (wel: {', '.join(map(str, programme.report_years))})")
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
        paths = notebooks(notebook_dir or NOTEBOOK_DIR)
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
                        _export_briefing(path, work, programme, parameters, progress)

                executed = _execute(paths, parameters, work, progress, after=export_when_briefing, runs_at_once=runs_at_once)
            except RunError as exc:
                failed = final / "failed"
                failed.mkdir(parents=True, exist_ok=True)
                for nb in (work / "notebooks").glob("*.ipynb"):
                    shutil.copy2(nb, failed / nb.name)
                raise RunError(str(exc).replace("{failed}", str(failed))) from exc
            if not any(p.name == BRIEFING_NOTEBOOK for p in executed):  # a notebook folder without one
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


def _run_one(kwargs: dict) -> RunResult:
    return run(**kwargs)


def run_many(years: list, languages: list[str], *, data_dir=None, out_root=None, jobs: int = 1,
             date: str | None = None) -> list[RunResult]:
    """Several parameter sets (years x languages); with jobs > 1, that many runs at once.

    Each run has its own kernel and output folder; the data are checked once up front so
    bad data stops everything with exit 2 before any process starts.
    """
    from .load import load

    programme = load(Path(data_dir or DATA_DIR))
    years = [programme.latest_year if y is None else int(y) for y in (years or [None])]
    sets = [dict(year=y, language=lang, data_dir=data_dir, out_root=out_root, date=date, runs_at_once=max(1, jobs))
            for y in years for lang in languages]
    if jobs <= 1 or len(sets) == 1:
        return [run(**kwargs) for kwargs in sets]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # fork would copy the threads of a host process (a test runner, a notebook) and can hang
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_run_one, sets))


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
