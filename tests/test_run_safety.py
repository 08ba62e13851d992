"""Nothing lost, nothing orphaned, nothing different on a rerun: `run` under failure, interrupts and stress."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import BUNDLED, DATE, FIXTURES, ROOT, processes_gone, tree_bytes

CLI = [sys.executable, "-m", "nap_analysis.cli"]


def _notebook(path: Path, *sources: str) -> None:
    """A tiny numbered notebook: a parameters cell, then the given code cells."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("report_year = None\ndata_dir = None\nlanguage = 'nl'\nbriefing_date = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(src) for src in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _kernels_of(pid: int) -> list[psutil.Process]:
    """The ipykernel processes started by a process (directly or below)."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            pass
    return found


#: The data of the runs that are interrupted, killed or refused as busy: the small fixture, whose 2025
#: builds the same folder as the bundled data (12 steps: no motions, so no Bijlage 2) in about 70% of
#: the CPU. What these tests check (nothing replaced, nothing left, no kernel left) does not depend
#: on the data. (The refused write keeps the bundled data: its notebooks and PDFs must pass 300 kB.)
SMALL = FIXTURES / "small"


@pytest.fixture
def previous(built, tmp_path) -> Path:
    """An output root that already holds good 2025 outputs (a copy of the session's run)."""
    root = tmp_path / "outputs"
    shutil.copytree(built.out_dir, root / "2025")
    return root


def test_a_failing_cell_names_notebook_cell_and_error_and_keeps_the_old_outputs(previous, tmp_path):
    from nap_analysis.errors import RunError
    from nap_analysis.pipeline.run import run

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_goed.ipynb", "x = 1")
    _notebook(notebooks / "02_kapot.ipynb", "y = 2", "raise ValueError('kolom ontbreekt in tabel')")
    before = tree_bytes(previous / "2025")
    with pytest.raises(RunError) as caught:
        run(year=2025, data_dir=FIXTURES / "small", out_root=previous, notebook_dir=notebooks, date=DATE)
    message = str(caught.value)
    # cell 4 as the author counts: parameters, papermill's injected parameters, 'y = 2', the raise
    assert "02_kapot.ipynb" in message and "cel 4" in message and "raise ValueError" in message
    assert "ValueError" in message and "kolom ontbreekt in tabel" in message
    failed = previous / "failed-2025"  # beside the last good outputs, not inside them
    assert str(failed) in message
    kept = nbformat.read(failed / "02_kapot.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    assert tree_bytes(previous / "2025") == before  # old outputs intact, nothing added inside
    assert not list(previous.glob(".tmp-*"))  # no half-built folder left behind
    assert not _kernels_of(os.getpid())


def test_the_cli_exits_1_with_the_message_for_a_failing_notebook(tmp_path, cli):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_kapot.ipynb", "1 / 0")
    result = cli(
        "run", "--data", FIXTURES / "small", "--out", tmp_path / "out", "--year", "2025", "--notebooks", notebooks
    )
    assert result.code == 1
    assert "01_kapot.ipynb" in result.err and "ZeroDivisionError" in result.err
    assert "Traceback" not in result.err


# --------------------------------------------------------------------------- interrupts

STAGES = ("loaded", "notebook", "document", "tables", "manifest")


def _interrupt_at(step: int):
    """A progress report that sends Ctrl-C to the main thread at the given step, as a terminal would:
    the step's thread (a kernel's worker, or the main thread writing a document) carries on."""
    import _thread

    def report(done, total, text):
        if done == step:
            _thread.interrupt_main()

    return report


# the small data's 12 steps: 1-9 in any order of annexes and notebooks, 10 the briefing, 11 the
# figures and tables; the 12th is the manifest, after which the folder is swapped in
@pytest.mark.parametrize("step", range(1, 12))
def test_an_interrupt_at_any_step_loses_nothing_and_leaves_no_kernel(previous, step):
    """Ctrl-C between two notebooks, while an annex or the briefing is written, before the manifest:
    the previous outputs stay byte-identical, no build folder and no kernel remain."""
    from nap_analysis.pipeline.run import run

    before = tree_bytes(previous / "2025")
    threads = set(threading.enumerate())
    with pytest.raises(KeyboardInterrupt):
        run(year=2025, data_dir=SMALL, out_root=previous, date=DATE, report=_interrupt_at(step))
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".old-*"))
    assert not list(previous.glob(".*.lock"))
    assert processes_gone([k.pid for k in _kernels_of(os.getpid())], timeout=10)
    # every thread of the run has ended (jupyter_core keeps an idle event-loop thread per calling
    # thread, '<name> - runner', and nbclient's heartbeat of a killed kernel idles too: neither writes)
    assert [
        t.name
        for t in threading.enumerate()
        if t not in threads and t.is_alive() and t.name.startswith("nap-") and not t.name.endswith(" - runner")
    ] == []


class _InterruptedWhileStarting(threading.Thread):
    """A kernel's worker thread during whose ``start()`` Ctrl-C lands: in CI a SIGTERM once came
    while ``start()`` waited for the new thread, and closing the pool then met a thread that
    ``join`` refuses ('cannot join thread before it is started')."""

    def start(self):
        import _thread

        if self.name.startswith("nap-kernel-"):
            _thread.interrupt_main()  # lands at the next check inside start(): before or after the thread runs
        super().start()


def test_an_interrupt_while_the_kernels_threads_start_loses_nothing_and_raises_only_the_interrupt(
    previous, monkeypatch
):
    import types

    from nap_analysis.pipeline import kernels
    from nap_analysis.pipeline.run import run

    monkeypatch.setattr(
        kernels,
        "threading",
        types.SimpleNamespace(Thread=_InterruptedWhileStarting, Lock=threading.Lock, Event=threading.Event),
    )
    before = tree_bytes(previous / "2025")
    with pytest.raises(KeyboardInterrupt) as caught:
        run(year=2025, data_dir=SMALL, out_root=previous, date=DATE, report=lambda *a: None)
    assert caught.value.__context__ is None or not isinstance(caught.value.__context__, RuntimeError)
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".old-*"))
    assert processes_gone([k.pid for k in _kernels_of(os.getpid())], timeout=10)


def test_a_thread_that_never_started_is_joined_without_an_error():
    """The other side of that race: the interrupt came before the thread existed."""
    from nap_analysis.pipeline import interrupts

    never = threading.Thread(target=lambda: None)
    with pytest.raises(RuntimeError, match="before it is started"):
        never.join(0)  # what closing the pool met
    started = time.monotonic()
    interrupts.join(never, 30)
    assert time.monotonic() - started < 5


def _swallow_an_interrupt() -> str:
    """Send Ctrl-C to the main thread and catch it, as WeasyPrint does while it draws an SVG; the
    name of what was caught (the tests check that it was the KeyboardInterrupt)."""
    import _thread

    try:
        _thread.interrupt_main()
        time.sleep(5)  # the KeyboardInterrupt lands in here
    except BaseException as exc:  # noqa: BLE001 - what the library does
        return type(exc).__name__
    return "nothing"


@pytest.mark.parametrize("stem", ["bijlage-1-activiteiten", "briefing"])
def test_a_ctrl_c_that_a_library_swallows_still_ends_the_run(previous, monkeypatch, stem):
    """WeasyPrint catches every exception while it draws an SVG (a status icon): a Ctrl-C that lands
    there never reaches the run. The run must still stop, and replace nothing. The writer below
    swallows the interrupt as WeasyPrint does: while the kernels work (an annex) and after them
    (the briefing)."""
    from nap_analysis.pipeline import documents
    from nap_analysis.pipeline.run import run

    real_write = documents.write
    swallowed = []

    def write_swallowing_an_interrupt(doc, work, name, *formats):
        if name == stem:
            swallowed.append(_swallow_an_interrupt())
        return real_write(doc, work, name, *formats)

    monkeypatch.setattr(documents, "write", write_swallowing_an_interrupt)
    before = tree_bytes(previous / "2025")
    with pytest.raises(KeyboardInterrupt):
        run(year=2025, data_dir=SMALL, out_root=previous, date=DATE, report=lambda *a: None)
    assert swallowed == ["KeyboardInterrupt"]
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".old-*"))
    assert not list(previous.glob(".*.lock"))


def test_a_ctrl_c_that_lands_in_a_finalizer_is_remembered_and_not_printed(monkeypatch):
    """Seen once in CI: Ctrl-C landed while a zmq socket was being collected; Python cannot raise
    from a finalizer and printed 'Exception ignored in ... Traceback ... KeyboardInterrupt'. During
    a run the interrupt is remembered (the run ends at its next check) and not printed; any other
    exception in a finalizer still goes to the hook that was in place, which is back afterwards."""
    from nap_analysis.pipeline import interrupts

    seen: list[str] = []

    def hook(unraisable) -> None:
        seen.append(type(unraisable.exc_value).__name__)

    class Collected:
        def __init__(self, fail) -> None:
            self.fail = fail

        def __del__(self) -> None:
            self.fail()

    def value_error() -> None:
        raise ValueError("kapot")

    monkeypatch.setattr(sys, "unraisablehook", hook)
    with interrupts.guard():
        Collected(value_error)  # collected at once: its exception cannot propagate
        assert seen == ["ValueError"] and not interrupts.pending()
        Collected(lambda: interrupts.on_signal(signal.SIGINT, None))
        assert seen == ["ValueError"] and interrupts.pending()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert sys.unraisablehook is hook and not interrupts.pending()


def test_a_ctrl_c_swallowed_while_an_annex_is_rebuilt_replaces_nothing(previous, monkeypatch):
    """`nap-analysis bijlage` renders the annex before it opens the build folder: a Ctrl-C that the
    PDF writer swallowed there must still leave the folder as it was."""
    from nap_analysis.briefing.render import pdf as pdf_render
    from nap_analysis.pipeline.annex import rebuild

    real_pdf = pdf_render.document_pdf
    swallowed = []

    def pdf_swallowing_an_interrupt(doc, page):
        swallowed.append(_swallow_an_interrupt())
        return real_pdf(doc, page)

    monkeypatch.setattr(pdf_render, "document_pdf", pdf_swallowing_an_interrupt)
    before = tree_bytes(previous / "2025")
    with pytest.raises(KeyboardInterrupt):
        rebuild(1, year=2025, out_root=previous, date=DATE)
    assert swallowed == ["KeyboardInterrupt"]
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".*.lock"))


def _start_run(out_root: Path) -> subprocess.Popen:
    """`nap-analysis run` in its own process group, as a terminal would start it."""
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen(
        [*CLI, "run", "--year", "2025", "--data", str(SMALL), "--out", str(out_root), "--date", DATE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_until(process: subprocess.Popen, out_root: Path, pattern: str, timeout: float = 120) -> list[int]:
    """Wait until a file matching ``pattern`` exists in the build folder; the run's kernels' pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be interrupted: {process.stderr.read()}")
        if list(out_root.glob(f".tmp-2025.*/{pattern}")):
            kernels = [k.pid for k in _kernels_of(process.pid)]
            if kernels:
                return kernels
        time.sleep(0.05)
    pytest.fail("the run did not get there in time")


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
@pytest.mark.parametrize("when", ["notebooks/0*.ipynb", "bijlage-*.pdf", "data/*.csv"])
def test_interrupting_a_real_run_loses_nothing_and_leaves_no_kernel(previous, how, when):
    before = tree_bytes(previous / "2025")
    process = _start_run(previous)
    kernels = _wait_until(process, previous, when)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # the whole foreground group, as a terminal does
    else:
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "onderbroken" in err and "Traceback" not in err
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".old-*"))
    assert processes_gone(kernels), "a kernel outlived the interrupted run"


def test_a_killed_run_leaves_the_previous_outputs_byte_identical_and_its_kernels_exit(previous):
    """SIGKILL cannot be caught: the old folder stays intact, the kernels notice their parent died and
    exit, and the next run removes what the killed one left (build folder, kernel folder)."""
    import tempfile

    before = tree_bytes(previous / "2025")
    process = _start_run(previous)
    kernels = _wait_until(process, previous, "notebooks/0*.ipynb")
    process.kill()
    process.communicate(timeout=30)
    assert tree_bytes(previous / "2025") == before
    assert processes_gone(kernels, timeout=20), "the kernels of a killed run must exit by themselves"
    left = list(Path(tempfile.gettempdir()).glob(f"nap-kernel-{process.pid}-*"))
    from nap_analysis.pipeline.kernels import remove_stale_folders

    remove_stale_folders()
    assert not any(p.exists() for p in left)


def test_a_second_run_into_the_same_folder_stops_with_a_message(previous, tmp_path):
    from nap_analysis.errors import BusyError
    from nap_analysis.pipeline.run import run

    process = _start_run(previous)
    try:
        _wait_until(process, previous, "data/*.csv")
        with pytest.raises(BusyError, match="er loopt al een verwerking"):
            run(year=2025, data_dir=SMALL, out_root=previous, date=DATE)
        other = run(year=2025, data_dir=SMALL, out_root=tmp_path / "elders", date=DATE, formats="html")
        assert other.out_dir.exists()  # another folder is not blocked
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=60)


# --------------------------------------------------------------------------- reproducible


def test_the_same_bytes_whatever_the_schedule_and_wherever_the_data(built, cli, tmp_path, monkeypatch):
    """One kernel instead of two, the notebooks in the reverse order, the data in another folder:
    every output byte the same, and no absolute local path in any output. And the run wrote
    nothing into its data: every input file has its bytes and its modification time."""
    import nap_analysis.pipeline.run as run_module

    first = json.loads((built.out_dir / "manifest.json").read_text(encoding="utf-8"))
    elsewhere = tmp_path / "ergens anders" / "gegevens é"
    shutil.copytree(BUNDLED, elsewhere)

    def inputs() -> dict:
        files = sorted(p for p in elsewhere.rglob("*") if p.is_file())
        return {**tree_bytes(elsewhere), **{f"mtime:{p}": p.stat().st_mtime_ns for p in files}}

    untouched = inputs()
    monkeypatch.setenv("NAP_KERNELS", "1")
    real = run_module.longest_first
    monkeypatch.setattr(run_module, "longest_first", lambda paths: list(reversed(real(paths))))
    second = run_module.run(year=2025, data_dir=elsewhere, out_root=tmp_path / "outputs", date=DATE)
    assert inputs() == untouched
    manifest = json.loads((second.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == first["outputs"] and manifest["inputs"] == first["inputs"]
    assert {"briefing.pdf", "briefing.html", "tables/tabellen.xlsx", "figures/voortgang_per_actielijn.svg"} <= set(
        manifest["outputs"]
    )
    for path in second.out_dir.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".json", ".csv", ".svg"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for local in (str(tmp_path), str(ROOT), str(BUNDLED)):
                assert local not in text, (path.name, local)


def test_verify_refuses_a_manifest_that_is_not_ours_without_a_traceback(tmp_path, cli):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"outputs": {}}', encoding="utf-8")
    result = cli("verify", folder)
    assert result.code == 2 and "geen manifest van nap-analysis" in result.err and "Traceback" not in result.err
    (folder / "manifest.json").write_text("{kapot", encoding="utf-8")
    result = cli("verify", folder)
    assert result.code == 2 and "geen leesbare JSON" in result.err


def test_a_batch_of_years_and_languages_side_by_side(cli, tmp_path):
    """--jobs 2: the runs share an output root and must not touch each other's build."""
    out = tmp_path / "out"
    result = cli(
        "run",
        "--data",
        FIXTURES / "small",
        "--year",
        "2024",
        "2025",
        "--lang",
        "nl",
        "en",
        "--out",
        out,
        "--jobs",
        "2",
        "--date",
        DATE,
        "--to",
        "html",  # what is checked here is the shared root; the formats are test_formats' subject
    )
    assert result.code == 0, result.err
    assert sorted(p.parent.name for p in out.glob("*/briefing.html")) == ["2024", "2024-en", "2025", "2025-en"]
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))
    manifest = json.loads((out / "2025-en" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["language"] == "en" and manifest["parameters"]["report_year"] == 2025


def test_an_output_folder_that_cannot_be_made_is_one_line_and_exit_2(cli, tmp_path):
    blocker = tmp_path / "een-bestand"
    blocker.write_text("x", encoding="utf-8")
    result = cli("run", "--data", FIXTURES / "small", "--out", blocker / "uitvoer", "--date", DATE)
    assert result.code == 2, result.err
    assert "kan niet geschreven worden" in result.err and "Traceback" not in result.err


@pytest.mark.skipif(sys.platform == "win32", reason="the file size limit (RLIMIT_FSIZE) is POSIX")
def test_a_write_the_system_refuses_keeps_the_previous_outputs_and_says_so(previous):
    """A write the system refuses, as a full disk or a quota does: here every file over 300 kB
    (the executed notebooks and the PDFs are larger) fails with EFBIG for the run and its kernels.
    Exit 1 with one line naming the system's reason, the last good folder untouched, nothing left."""
    import errno
    import resource

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))  # Python ignores SIGXFSZ

    before = tree_bytes(previous / "2025")
    done = subprocess.run(
        [*CLI, "run", "--out", str(previous), "--date", DATE],
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr
    assert os.strerror(errno.EFBIG) in done.stderr and "Traceback" not in done.stderr
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*"))
