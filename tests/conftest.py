"""Shared fixtures: the bundled data, a small hand-worked data set, and a CLI runner."""

from __future__ import annotations

import gc
import io
import os
import pickle
import shutil
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


#: The test files that take longest (serial seconds on two cores, 2026-12-07), started first: with
#: pytest-xdist (``make test``) each worker takes the next file when it is almost done with its
#: last, so the long ones first let the workers finish close together (as a run orders its
#: notebooks). The bad-input corpus second: it needs no run, while the first file makes the
#: session's run. Every other file follows in its usual order.
SLOW_FIRST = (
    "test_run_safety.py",  # 348 s: interrupts at every step, a batch, concurrent runs
    "test_bad_input.py",  # 85 s
    "test_packaging.py",  # 135 s: the wheel into a new venv
    "test_accessibility.py",  # 130 s: Chromium with axe-core
    "test_layout.py",  # 123 s
    "test_formats.py",  # 72 s
    "test_install.py",  # 71 s
    "test_annexes.py",  # 65 s
    "test_notebooks.py",  # 63 s
    "test_docx.py",  # 61 s
    "test_intake.py",  # 58 s
    "test_reuse.py",  # 53 s
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: order within a file kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """After each test, its garbage collected and what survives it (modules, session fixtures)
    frozen out of the collector's reach. A test worker holds ~10^6 long-lived objects (pandas,
    matplotlib, WeasyPrint, the session's runs and documents), and every automatic full collection
    walked all of them: 68 collections, 22 s of CPU in 142 s of four test files on two workers."""
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()


@pytest.fixture(scope="session")
def bundled():
    from nap_analysis.data import load

    return load(BUNDLED)


@pytest.fixture(scope="session")
def small():
    from nap_analysis.data import load

    return load(FIXTURES / "small")


@pytest.fixture
def small_copy(tmp_path) -> Path:
    """A writable copy of the small fixture, for tests that break it on purpose."""
    target = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", target)
    return target


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli():
    """Run ``nap-analysis ARGS`` in-process and capture exit code, stdout and stderr."""
    from nap_analysis.cli import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse errors
                code = exc.code
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


#: The date printed on the briefings built by the tests (fixed, so reruns are comparable).
DATE = "2026-11-22"


def _once(tmp_path_factory, name: str, make):
    """``make(folder)`` once for the whole session, also when pytest-xdist runs the test files in
    several workers (``make test``): the first worker to ask makes it under a file lock in the
    session's shared temporary folder, the others take what it made (xdist's documented recipe)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent
    done = shared / f"{name}.pickle"
    with FileLock(str(shared / f"{name}.lock")):
        if done.is_file():
            return pickle.loads(done.read_bytes())
        made = make(shared / name)
        done.write_bytes(pickle.dumps(made))
        return made


@pytest.fixture(scope="session")
def built_run(tmp_path_factory):
    """The Dutch 2025 documents from the bundled data, built once per test session (~20 s), with the
    progress steps the run reported as (done, total, text)."""
    from nap_analysis.pipeline.run import run

    def make(folder: Path):
        steps: list[tuple[int, int, str]] = []

        def report(done: int, total: int, text: str) -> None:
            steps.append((done, total, text))

        return run(year=2025, out_root=folder, language="nl", date=DATE, report=report), steps

    return _once(tmp_path_factory, "outputs", make)


@pytest.fixture(scope="session")
def built(built_run):
    """The session's Dutch 2025 run (its RunResult)."""
    return built_run[0]


@pytest.fixture(scope="session")
def built_en(tmp_path_factory):
    """The English 2024 documents from the bundled data."""
    from nap_analysis.pipeline.run import run

    def make(folder: Path):
        return run(year=2024, out_root=folder, language="en", date=DATE)

    return _once(tmp_path_factory, "outputs_en", make)


def run_briefing(result):
    """A run's briefing as a Document, assembled as the run assembled it: from its executed notebooks."""
    from nap_analysis.briefing import assemble
    from nap_analysis.briefing.sections import Context
    from nap_analysis.pipeline.manifest import INPUTS
    from nap_analysis.pipeline.notebooks import sections_of

    ctx = Context.open(result.out_dir / INPUTS, result.year, result.language, DATE)
    notebooks = sorted((result.out_dir / "notebooks").glob("*.ipynb"))
    return assemble.briefing(ctx, [s for path in notebooks for s in sections_of(path)], DATE)


@pytest.fixture(scope="session")
def briefing_nl(built):
    """The Document of the session's Dutch 2025 briefing."""
    return run_briefing(built)


@pytest.fixture(scope="session")
def briefing_en(built_en):
    """The Document of the session's English 2024 briefing."""
    return run_briefing(built_en)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to prove a folder was left exactly as it was."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def processes_gone(pids: list[int], timeout: float = 15) -> bool:
    """True once none of ``pids`` runs any more (zombies count as gone), False after ``timeout``."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def section_texts(section) -> list[str]:
    """Every paragraph of a section and its subsections, lists included, as text."""
    from nap_analysis.briefing.model import BulletList, Paragraph

    found = []
    for block in section.walk():
        if isinstance(block, Paragraph):
            found.append(block.text)
        elif isinstance(block, BulletList):
            found += [item.text for item in block.items]
    return found
