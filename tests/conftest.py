"""Shared fixtures: the bundled data, a small hand-worked data set, and a CLI runner."""
from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def bundled():
    from nap_analysis.load import load

    return load(BUNDLED)


@pytest.fixture(scope="session")
def small():
    from nap_analysis.load import load

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
