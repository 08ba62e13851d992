"""Run the notebooks for one report year and build ``outputs/<year>/`` from what they computed.

Parameters and environment are checked before anything starts, then the data are read and
checked, once: bad data stop the run before any kernel starts, and the kernels get the checked
data handed over (:mod:`nap_analysis.data.handover`) instead of reading the files again. The
section notebooks run with papermill in up to two kernels side by side; each displays its
sections, and the run assembles the briefing from the executed notebooks (nothing is computed
twice). While the kernels work, this process writes the annexes. What has not changed since the
last good run is taken from it (:mod:`.reuse`). Everything is built in a folder next to the
target and swapped in only when all succeeded, so a failed or interrupted run never touches the
last good outputs.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from ..data.arguments import EARLIEST, LATEST, check_date, check_formats, check_year
from ..errors import NapError, RunError, UsageError
from ..resources import data_dir as bundled_data
from ..resources import notebooks_dir, numbered_notebooks, outputs_dir
from ..words import LANGUAGES, words
from . import interrupts, reuse
from .kernels import KernelPool, kernel_count
from .manifest import (
    INPUTS,
    differences,
    file_hashes,
    folder_state,
    git_commit,
    manifest_differences,
    package_versions,
    read_manifest,
    write_manifest,
)
from .outputs import BuildFolder, out_name, write_atomic

# The loader, the sections and the document writers (pandas, matplotlib, jinja, nbformat) are
# imported in the functions that use them: a run that stops at its parameters or environment
# does not pay for them (1.5 s, 5.6 s on a busy machine, python -X importtime).


@dataclass
class RunResult:
    year: int
    language: str
    out_dir: Path
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unchanged: bool = False  # the folder was already what this run would make (nothing made)
    findings: dict[str, int] = field(default_factory=dict)  # what `check` finds, per kind (in check.KINDS order)


# --------------------------------------------------------------------------- checks


def briefing_date() -> str:
    """The date printed on a briefing: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch.strip() == "":
        return dt.date.today().isoformat()
    text = epoch.strip()
    if not (text.isascii() and text.isdigit()):
        raise UsageError("error.bad_epoch", value=epoch)
    day = dt.datetime.fromtimestamp(min(int(text), 10**11), tz=dt.UTC).date()
    if not EARLIEST <= day <= LATEST:
        raise UsageError("error.bad_epoch", value=epoch)
    return day.isoformat()


def check_environment() -> None:
    """The environment variables this tool and its libraries read, checked before anything starts."""
    kernels = os.environ.get("NAP_KERNELS", "").strip()
    if kernels and not (kernels.isascii() and kernels.isdigit() and 1 <= int(kernels) <= 16):
        raise UsageError("error.bad_env", name="NAP_KERNELS", value=kernels, allowed="1-16")
    transport = os.environ.get("NAP_TRANSPORT", "").strip()
    if transport not in ("", "tcp", "ipc"):
        raise UsageError("error.bad_env", name="NAP_TRANSPORT", value=transport, allowed="tcp, ipc")
    briefing_date()  # SOURCE_DATE_EPOCH: IPython in every kernel calls int() on it
    check_matplotlib_backend()


def check_matplotlib_backend() -> None:
    """MPLBACKEND: matplotlib refuses an unknown backend with an exception when it is imported,
    here and in every kernel. Checked with matplotlib's own registry, imported without it."""
    backend = os.environ.get("MPLBACKEND")
    if backend is None or not backend.strip():
        return
    os.environ.pop("MPLBACKEND")
    try:
        from matplotlib.backends import backend_registry
    finally:
        os.environ["MPLBACKEND"] = backend
    name = backend.strip()
    module = name[len("module://") :] if name.startswith("module://") else None
    try:
        known = backend_registry.is_valid_backend(name) and (module is None or find_spec(module) is not None)
    except (ImportError, ValueError):  # find_spec imports the parent package of a dotted name
        known = False
    if not known:
        allowed = "agg, svg, pdf, cairo, module://<module>"
        raise UsageError("error.bad_env", name="MPLBACKEND", value=backend, allowed=allowed)


def check_parameters(year, language: str, out_root: Path, data_dir: Path) -> None:
    """Refuse parameters that could write outside the output folder or make no sense."""
    if language not in LANGUAGES:
        raise UsageError("error.language", language=language)
    if year is not None:
        check_year(year)
    if out_root.exists() and not out_root.is_dir():
        raise UsageError("error.out_not_a_folder", folder=str(out_root))
    if out_root == Path(out_root.anchor):
        raise UsageError("error.out_is_root", folder=str(out_root))
    data = data_dir.resolve()
    if out_root == data or data in out_root.parents:
        raise UsageError("error.out_in_data", folder=str(out_root), data=str(data))


# --------------------------------------------------------------------------- progress


class Progress:
    """One line per step on standard error, in the run's language ('[3/9] NAP 2025: ...')."""

    def __init__(self, total: int, label: str, language: str, report=None):
        self.total, self.done, self.label, self.start = total, 0, label, time.monotonic()
        self.w = words(language)
        self.report = report

    def step(self, key: str, **fields) -> None:
        interrupts.check()  # a Ctrl-C that a library swallowed during the step ends the run here
        self.done += 1
        what = self.w(f"progress.{key}", **fields)
        if self.report is not None:
            self.report(self.done, self.total, what)
            return
        print(
            f"[{self.done}/{self.total}] {self.label}: {what} ({time.monotonic() - self.start:.1f} s)",
            file=sys.stderr,
            flush=True,
        )


class StepTimer:
    """``--verbose``: each step with its own duration and the time so far ('[3/13] ... (2.1 s; 8.4 s)')."""

    def __init__(self, w):
        self.w = w  # the words of the messages' language
        self.start = self.last = time.monotonic()

    def __call__(self, done: int, total: int, text: str) -> None:
        now = time.monotonic()
        took, self.last = now - self.last, now
        line = self.w(
            "progress.verbose", done=done, total=total, what=text, step=f"{took:.1f}", all=f"{now - self.start:.1f}"
        )
        print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- one run

_OWN_PROCESS = False


def own_process() -> None:
    """Say that this process is the tool's own (the command line, a batch worker), not a caller's
    (a notebook or script using the API). A run in its own process freezes the garbage collector's
    view of what it imported and read once the writers are loaded: the documents' layout makes
    garbage enough for seven full collections a run, each walking those ~250,000 objects
    (0.96 s of the host's 12-14 s CPU). A caller's process keeps its collector as it is."""
    global _OWN_PROCESS
    _OWN_PROCESS = True


def run(
    year=None,
    data_dir=None,
    out_root=None,
    language: str = "nl",
    notebook_dir=None,
    date: str | None = None,
    kernels: KernelPool | _Kernels | None = None,
    runs_at_once: int = 1,
    report=None,
    formats=None,
    fresh: bool = False,
) -> RunResult:
    """Execute all notebooks for one report year and language; write the documents; return what was written.

    ``date`` is the date printed on the documents (ISO); by default the report's date in the data
    (``reports.csv``), else SOURCE_DATE_EPOCH, else today.
    ``kernels``: running kernels to use (a batch keeps them for all its runs); by default the run
    starts its own once the data are checked (and only if a notebook must run), and stops them at
    the end. ``report(done, total, text)`` replaces the progress lines on standard error.
    ``formats``: the documents' formats (``("html", "pdf")``, or ``"html,pdf"``); all three by
    default; the manifest records them. What is unchanged since the last good run into
    ``out_root`` is taken from it (:mod:`.reuse`); ``fresh`` makes everything again.
    """
    started = time.monotonic()
    check_environment()
    data_dir = Path(data_dir or bundled_data()).absolute()
    out_root = Path(out_root or outputs_dir()).absolute()
    check_parameters(year, language, out_root, data_dir)
    # both checked before anything starts; which one the documents show is known once the data are read
    date = check_date(date) if date is not None else None
    formats = check_formats(formats)
    fallback = briefing_date()
    paths = numbered_notebooks(Path(notebook_dir or notebooks_dir()))
    key = reuse.RunKey(data_dir, paths, reuse.asked(year, language, date, fallback, formats))
    if not fresh and (same := reuse.unchanged(out_root, key)) is not None:
        return _unchanged(*same, language, started, report)
    # run_many hands its lazy pool on (so is the one to close it); a KernelPool given is the caller's to close
    pool = kernels if isinstance(kernels, _Kernels) else _Kernels(kernels, kernel_count(len(paths), runs_at_once))
    with interrupts.guard():
        from ..data import load

        programme = load(data_dir)  # read and checked once; bad data stop here, before any kernel starts
        try:
            plan = _Plan(key, fresh, language, date or fallback, date, formats)
            return _run(programme, year, out_root, paths, pool, started, report, plan)
        finally:
            if pool is not kernels:
                pool.close()


@dataclass
class _Plan:
    """A run's key and parameters as asked, carried to the step that knows the report year."""

    key: reuse.RunKey
    fresh: bool
    language: str
    date: str
    asked_date: str | None
    formats: tuple[str, ...]


class _Kernels:
    """The run's kernels: those it was given, or its own, started the first time a notebook must run."""

    def __init__(self, given: KernelPool | None, count: int):
        self.given, self.count = given, count
        self.own: KernelPool | None = None

    def __call__(self) -> KernelPool:
        if self.given is not None:
            return self.given
        if self.own is None:
            self.own = KernelPool(self.count)
        return self.own

    def close(self) -> None:
        if self.own is not None:
            self.own.close()


def _unchanged(folder: Path, findings: dict, language: str, started: float, report) -> RunResult:
    """A run whose data, notebooks, parameters, code and versions are those of ``folder``: nothing to make."""
    year = read_manifest(folder)["parameters"]["report_year"]
    progress = Progress(1, f"NAP {folder.name}", language, report)
    progress.step("unchanged", folder=str(folder))
    return RunResult(year, language, folder, _listing(folder), time.monotonic() - started, True, findings)


def _listing(folder: Path) -> list[str]:
    """Every file of an output folder, as the RunResult lists them."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _run(programme, year, out_root: Path, paths: list[Path], kernels: _Kernels, started: float, report, plan: _Plan):
    from ..briefing import assemble  # imported once the data are checked (see the top of this module)
    from ..briefing.sections import Context
    from ..data import handover
    from . import documents
    from .check import check, counts
    from .notebooks import execute, sections_of

    language, date, formats = plan.language, plan.date, plan.formats
    year = programme.report_year(year)
    if plan.asked_date is None and programme.report_date(year) is not None:
        date = programme.report_date(year).isoformat()  # a report is dated as of its own date
    ctx = Context(programme, year, language, date)
    name = out_name(ctx.year, language)
    previous = reuse.Previous(out_root, name) if plan.fresh else reuse.Previous.of(out_root, name)
    parameters = {"report_year": ctx.year, "data_dir": INPUTS, "language": language, "briefing_date": date}
    notebook_keys = {p.name: reuse.notebook_key(p, parameters, programme.data_version) for p in paths}
    kept = {p: found for p in paths if (found := previous.notebook(p.name, notebook_keys[p.name])) is not None}
    document_keys: dict[str, str] = {}
    # one step per notebook and per document built from the data, then the briefing, its files, the manifest
    progress = Progress(len(paths) + len(documents.from_data_stems(ctx)) + 3, f"NAP {name}", language, report)
    warm = threading.Thread(target=documents.warm_up, daemon=True, name="nap-warm-up")
    warm.start()
    try:
        with BuildFolder(out_root, name) as work:
            _copy_inputs(programme, work / INPUTS)
            shown_formats = progress.w.join([f".{kind}" for kind in formats])  # '.html, .pdf en .docx'

            def write(doc, stem: str) -> None:
                document_keys[stem] = reuse.document_key(doc)
                made = previous.document(stem, document_keys[stem], formats)
                if made is None:
                    documents.write(doc, work, stem, formats)
                    progress.step("document", name=stem, formats=shown_formats)
                    return
                for filename, data in made.items():
                    write_atomic(work / filename, data)
                progress.step("document_kept", name=stem, formats=shown_formats)

            def meanwhile() -> None:
                warm.join()
                if _OWN_PROCESS:
                    gc.freeze()  # see own_process
                for stem, doc in documents.from_data(ctx):
                    write(doc, stem)

            for path, found in sorted(kept.items()):
                (work / "notebooks").mkdir(exist_ok=True)
                shutil.copyfile(found, work / "notebooks" / path.name)
                progress.step("notebook_kept", name=path.name)
            to_run = [p for p in paths if p not in kept]
            executed = [work / "notebooks" / p.name for p in kept]
            if to_run:
                pool = kernels()  # they boot (imports: seconds) while this process writes the annexes
                handed = handover.write(programme, Path(INPUTS), pool.folder / f"data-{name}.pickle")

                def run_one(km, path: Path) -> Path:
                    target = execute(km, path, work / "notebooks" / path.name, parameters, work, handed)
                    progress.step("notebook", name=path.name)
                    return target

                try:
                    executed += pool.execute(longest_first(to_run), run_one, meanwhile)
                except RunError as exc:
                    _keep_failed(work, out_root / f"failed-{name}")
                    raise RunError(f"{exc.key}_kept", **exc.fields, failed=str(out_root / f"failed-{name}")) from None
            else:
                meanwhile()
            sections = [s for path in sorted(executed) for s in sections_of(path)]
            brief = assemble.briefing(ctx, sections, date)
            write(brief, "briefing")
            documents.write_files(brief, work, assemble.workbook_about(ctx, date))
            progress.step("tables")
            recorded = {k: v for k, v in parameters.items() if k != "data_dir"}
            write_manifest(work, name=name, parameters={**recorded, "formats": list(formats)})
            progress.step("manifest")
    finally:
        interrupts.join(warm)  # also when Ctrl-C came while it was starting
    final = out_root / name
    said = check(programme, ctx.year, final, language)  # what `nap-analysis check` would say of them
    findings = {kind: n for kind, n in counts(said).items() if n}
    reuse.record(out_root, name, plan.key.value, notebook_keys, document_keys, findings)
    return RunResult(ctx.year, language, final, _listing(final), time.monotonic() - started, False, findings)


def longest_first(paths: list[Path]) -> list[Path]:
    """The notebooks with the most code cells first (more cells, more to compute and draw): two
    kernels then finish close together. The outputs do not depend on the order (a test checks)."""

    def cells(path: Path) -> int:
        try:
            return sum(c.get("cell_type") == "code" for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    return sorted(paths, key=lambda p: (-cells(p), p.name))


def _copy_inputs(programme, target: Path) -> None:
    """The input files the loader read, copied into the output folder: the run's own record of its data."""
    target.mkdir()
    for display in sorted(set(programme.files.values())):
        source = programme.data_dir / display.split(":", 1)[0]
        shutil.copyfile(source, target / source.name)
    readme = programme.data_dir / "README.md"  # the data dictionary the Verantwoording points to
    if readme.is_file():
        shutil.copyfile(readme, target / readme.name)


def _keep_failed(work: Path, failed: Path) -> None:
    """The executed notebooks of a failed run, beside (not inside) the last good outputs."""
    shutil.rmtree(failed, ignore_errors=True)
    failed.mkdir(parents=True, exist_ok=True)
    for nb in (work / "notebooks").glob("*.ipynb"):
        shutil.copy2(nb, failed / nb.name)


# --------------------------------------------------------------------------- batches

_WORKER_KERNELS: KernelPool | None = None


def _start_worker_kernels(count: int) -> None:
    """A batch worker starts its kernels once and keeps them for all its runs."""
    global _WORKER_KERNELS
    own_process()
    _WORKER_KERNELS = KernelPool(count)
    atexit.register(_WORKER_KERNELS.close)


def _run_one(kwargs: dict) -> RunResult:
    return run(**kwargs, kernels=_WORKER_KERNELS)


def run_many(
    years: list,
    languages: list[str],
    *,
    data_dir=None,
    out_root=None,
    jobs: int = 1,
    date: str | None = None,
    notebook_dir=None,
    report=None,
    formats=None,
    fresh: bool = False,
) -> list[RunResult]:
    """Several parameter sets (years x languages); with jobs > 1, that many runs at once.

    Each run has its own output folder; the kernels are started once per worker process and
    serve all its runs. The data are checked once up front, so bad data stop everything with
    exit 2 before any process starts.
    """
    check_environment()
    years = list(years or [None])
    data = Path(data_dir or bundled_data()).absolute()
    out = Path(out_root or outputs_dir()).absolute()
    for year in years:  # every set checked before any kernel starts
        for language in languages:
            check_parameters(year, language, out, data)
    if date is not None:
        check_date(date)
    formats = check_formats(formats)
    n_sets = len(years) * len(languages)
    paths = numbered_notebooks(Path(notebook_dir or notebooks_dir()))
    count = kernel_count(len(paths), max(1, min(jobs, n_sets)))
    if jobs <= 1 or n_sets == 1:
        # started by the first run that must execute a notebook, so after its data are checked: bad
        # data cost what `validate` costs, and a rerun with nothing to make starts no kernel at all
        lazy = _Kernels(None, count)
        try:
            return [
                run(
                    year=y,
                    language=lang,
                    data_dir=data_dir,
                    out_root=out_root,
                    date=date,
                    kernels=lazy,
                    notebook_dir=notebook_dir,
                    report=report,
                    formats=formats,
                    fresh=fresh,
                )
                for y in years
                for lang in languages
            ]
        finally:
            lazy.close()
    from ..data import load

    programme = load(Path(data_dir or bundled_data()))  # bad data: exit 2 before any worker starts
    years = [programme.report_year(y) for y in years]
    sets = [
        {
            "year": y,
            "language": lang,
            "data_dir": data_dir,
            "out_root": out_root,
            "date": date,
            "runs_at_once": jobs,
            "notebook_dir": notebook_dir,
            "formats": formats,
            "fresh": fresh,
        }
        for lang in languages
        for y in years
    ]
    context = multiprocessing.get_context("spawn")  # fork would copy the threads of the host process
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker_kernels, initargs=(count,)
    ) as pool:
        return list(pool.map(_run_one, sets, chunksize=-(-len(sets) // jobs)))


# --------------------------------------------------------------------------- verify


def verify(out_dir, allow_other_versions: bool = False, language: str = "nl") -> list[str]:
    """Check an output folder against its manifest and rerun it; what differs (empty: the same).

    Four checks: the folder's files (hidden ones too) are as recorded, not edited by hand; the
    package versions and code commit are the recorded ones (a difference fails unless
    ``allow_other_versions``); and a fresh run from the folder's own copy of its input data, with
    the recorded parameters, gives the recorded bytes.
    """
    w = words(language)
    out_dir = Path(out_dir).absolute()
    manifest = read_manifest(out_dir)
    params = manifest["parameters"]
    found = file_hashes(out_dir)
    problems = [
        w("verify.edited", line=line) for line in differences({**manifest["inputs"], **manifest["outputs"]}, found, w)
    ]
    problems += [w(f"verify.{kind}", path=name, detail=detail) for name, kind, detail in folder_state(out_dir)]
    versions = package_versions()
    for package, recorded in sorted(manifest["packages"].items()):
        if versions.get(package) != recorded and not allow_other_versions:
            problems.append(
                w("verify.version", package=package, recorded=recorded, now=versions.get(package, w["word.unknown"]))
            )
    commit = git_commit()
    if commit != manifest["git_commit"] and not allow_other_versions:
        problems.append(w("verify.commit", recorded=manifest["git_commit"], now=commit))
    if not (out_dir / INPUTS).is_dir():
        return problems + [w("verify.no_inputs", folder=str(out_dir / INPUTS))]
    scratch = Path(tempfile.mkdtemp(prefix=".verify-", dir=out_dir.parent))
    try:
        data_copy = scratch / "data"
        shutil.copytree(out_dir / INPUTS, data_copy)
        result = run(
            year=params["report_year"],
            data_dir=data_copy,
            out_root=scratch / "out",
            language=params["language"],
            date=params["briefing_date"],
            formats=params.get("formats"),  # a manifest from before --to: all three
            fresh=True,  # everything made again from the folder's own inputs
        )
        rerun = file_hashes(result.out_dir)
        fields = manifest_differences(manifest, read_manifest(result.out_dir), allow_other_versions)
        if fields:
            problems.append(w("verify.manifest_fields", fields=", ".join(fields)))
    except NapError:
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    recorded = {**manifest["inputs"], **manifest["outputs"]}
    return problems + [w("verify.rerun", line=line) for line in differences(recorded, rerun, w)]
