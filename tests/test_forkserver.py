"""Kernels forked from the run's server: ordinary kernels, the imports paid once, nothing left behind."""
from __future__ import annotations

import ast
import os
import signal
import time

import psutil
import pytest

from conftest import processes_gone
from nap_analysis import forkserver
from nap_analysis.kernels import Kernels

pytestmark = pytest.mark.skipif(not forkserver.available(), reason="forking kernels needs Linux")

STATE = ("(__import__('os').getpid(), __import__('os').getppid(), "
         "sorted(m for m in ('pandas', 'matplotlib', 'scipy.special', 'nap_analysis.figures') if m in __import__('sys').modules), "
         "__import__('matplotlib').get_backend(), __import__('os').getcwd())")


def _ask(km, expression: str):
    """The value of a Python literal ``expression`` computed in the kernel."""
    client = km.client()
    client.start_channels()
    printed: list[str] = []

    def keep(msg) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = client.execute_interactive(f"print(repr({expression}))", timeout=60, store_history=False, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return ast.literal_eval("".join(printed))


def test_the_kernels_are_forked_from_one_server_that_imported_the_library_and_all_go_at_close():
    with Kernels(2) as kernels:
        kernels._wait_until_started()
        server = kernels.server.process.pid
        states = [_ask(km, STATE) for km in kernels.managers]
        pids = [s[0] for s in states]
        assert len(set(pids)) == 2 and server not in pids
        assert {s[1] for s in states} == {server}, "each kernel is a child of the fork server"
        assert set(pids) == {c.pid for c in psutil.Process(server).children()}
        for _, _, imported, _, cwd in states:  # imported by the server, before any notebook asked
            assert imported == ["matplotlib", "nap_analysis.figures", "pandas", "scipy.special"]
            assert cwd == str(kernels.folder)
        # not a debuggable kernel: ipykernel found no debugpy (importing it cost 0.15-0.2 s per kernel)
        assert [_ask(km, "(__import__('sys').modules.get('debugpy', 'absent'), "
                         "__import__('ipykernel.debugger').debugger._is_debugpy_available)") for km in kernels.managers] \
            == [(None, False)] * 2
        assert len({s[3] for s in states}) == 1
    assert processes_gone([server, *pids]), "closing the kernels leaves no process"


def test_a_forked_kernel_matches_a_plainly_started_one(monkeypatch):
    """Same matplotlib backend as a kernel that imported matplotlib itself; without the server the
    kernel is a child of this process."""
    with Kernels(1) as kernels:
        kernels._wait_until_started()
        forked = _ask(kernels.managers[0], STATE)
    monkeypatch.setenv("NAP_NO_FORKSERVER", "1")
    with Kernels(1) as kernels:
        kernels._wait_until_started()
        assert kernels.server is None
        plain = _ask(kernels.managers[0], STATE)
    assert plain[1] == os.getpid()
    assert forked[3] == plain[3] == "module://matplotlib_inline.backend_inline"


def test_when_the_server_dies_its_kernels_die_and_the_run_notices():
    with Kernels(1) as kernels:
        kernels._wait_until_started()
        km = kernels.managers[0]
        kernel = _ask(km, STATE)[0]
        os.kill(kernels.server.process.pid, signal.SIGKILL)
        assert processes_gone([kernel]), "a kernel must not outlive its server"
        deadline = time.monotonic() + 10
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not km.is_alive()
        with pytest.raises(RuntimeError, match="died"):
            km.client().wait_for_ready(timeout=5)  # the shared client does not pretend it is still ready


def test_notebooks_of_a_run_share_one_client_per_kernel():
    with Kernels(1) as kernels:
        kernels._wait_until_started()
        km = kernels.managers[0]
        assert km.client() is km.client()
        assert _ask(km, "1 + 1") == 2
        km.client().start_channels()  # as papermill does for every notebook: no error, still connected
        assert _ask(km, "2 + 2") == 4


def test_the_run_starts_the_fork_server_before_it_imports_anything_heavy(tmp_path):
    """The server's imports are the longest step before a notebook can run; every module the
    run imports first (pandas alone: 0.5 s) would delay them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nap_analysis import forkserver, run\n"
        "class Seen(Exception): pass\n"
        "def spy(self, *args, **kwargs):\n"
        "    raise Seen(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'nbconvert', 'papermill', 'weasyprint') if m in sys.modules))\n"
        "forkserver.ForkServer.__init__ = spy\n"
        "try:\n"
        "    run.run_many([2025], ['nl'], out_root=sys.argv[1])\n"
        "except Seen as seen:\n"
        "    print(seen.args[0])\n"
    )
    env = {k: val for k, val in os.environ.items() if k != "NAP_NO_FORKSERVER"}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_ready_check_ends_at_the_idle_status_of_its_own_kernel_info_request(tmp_path, monkeypatch):
    """Not after 0.2 s of IOPub silence (jupyter_client's check): at the status that proves IOPub
    is connected, with nothing left unread, so the first cell's messages are its own."""
    from queue import Empty

    from nap_analysis.kernelclient import RunKernelManager
    from nap_analysis.kernels import KERNEL_PATH

    monkeypatch.setenv("JUPYTER_PATH", str(KERNEL_PATH))
    km = RunKernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    km.start_kernel(cwd=str(tmp_path))
    try:
        client = km.client()
        client.start_channels()
        read = []
        original = client.get_iopub_msg

        def spy(*args, **kwargs):
            try:
                msg = original(*args, **kwargs)
            except Empty:
                read.append(None)
                raise
            read.append(msg)
            return msg

        client.get_iopub_msg = spy
        client.wait_for_ready(timeout=60)
        last = read[-1]
        assert last is not None and last["msg_type"] == "status" and last["content"]["execution_state"] == "idle"
        assert last["parent_header"]["msg_type"] == "kernel_info_request"
        assert not client.iopub_channel.msg_ready()
        assert _ask(km, "6 * 7") == 42
    finally:
        km.close_client()
        km.shutdown_kernel(now=True)


def test_papermill_is_imported_while_the_kernels_start_not_when_the_first_notebook_is_sent():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules.setdefault('rfc3987_syntax', None)\n"
        "from nap_analysis.kernels import Kernels\n"
        "with Kernels(1) as kernels:\n"
        "    kernels._wait_until_started()\n"
        "    print('papermill' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "True", result.stdout + result.stderr


def test_the_kernel_beside_the_briefing_runs_at_a_lower_cpu_priority(tmp_path):
    """Briefing then export is the run's longest chain: its kernel keeps the priority it had, the
    other kernel yields the CPU to it (and to the export) when the cores are all busy."""
    import nbformat

    from nap_analysis.kernels import BRIEFING_NOTEBOOK, NOTEBOOKS_NICE

    probe = "import os; print(os.getpid(), os.getpriority(os.PRIO_PROCESS, 0))"
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in (BRIEFING_NOTEBOOK, "01_a.ipynb", "02_b.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)],
                                                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                         "language": "python"}}), folder / name)
    work = tmp_path / "work"
    (work / "notebooks").mkdir(parents=True)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    with Kernels(2) as kernels:
        kernels.execute(sorted(folder.glob("*.ipynb")), {}, work)
        pids = [km.provisioner.pid for km in kernels.managers]
        assert [os.getpriority(os.PRIO_PROCESS, pid) for pid in pids] == [base, base + NOTEBOOKS_NICE]
    seen = {path.name: tuple(map(int, nbformat.read(path, as_version=4).cells[-1].outputs[0]["text"].split()))
            for path in (work / "notebooks").glob("*.ipynb")}
    assert seen[BRIEFING_NOTEBOOK] == (pids[0], base)  # the briefing always in the first kernel
    assert set(seen.values()) <= {(pids[0], base), (pids[1], base + NOTEBOOKS_NICE)}


def test_kernels_take_the_data_the_run_checked_while_the_files_stay_the_same(tmp_path, monkeypatch):
    """The run loads and checks the data before any notebook; its kernels take that result
    instead of reading the files again, but never for other or changed files."""
    import shutil

    from nap_analysis import report
    from nap_analysis.kernels import SHARED_DATA_ENV
    from nap_analysis.load import load
    from nap_analysis.paths import DATA_DIR

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    shared = tmp_path / "data.pickle"

    def marked(folder):  # so we can tell the shared copy from a fresh load
        programme = load(folder)
        programme.activities["title"] = "gemerkt"
        return programme

    monkeypatch.setattr(report, "load", marked)
    report.load_and_share(data, shared)
    monkeypatch.setattr(report, "load", load)
    monkeypatch.setenv(SHARED_DATA_ENV, str(shared))
    monkeypatch.setattr(report, "_LOADED", {})
    assert set(report._load_once(data).activities["title"]) == {"gemerkt"}

    monkeypatch.setattr(report, "_LOADED", {})
    (data / "activities.csv").write_bytes((data / "activities.csv").read_bytes() + b"\n")  # same rows, new file
    assert "gemerkt" not in set(report._load_once(data).activities["title"])
    monkeypatch.setattr(report, "_LOADED", {})
    assert "gemerkt" not in set(report._load_once(DATA_DIR).activities["title"])  # another folder


def test_a_run_hands_its_kernels_the_checked_data(tmp_path):
    with Kernels(1) as kernels:
        from nap_analysis.load import load
        from nap_analysis.paths import DATA_DIR

        assert kernels.load_data(DATA_DIR).report_years == load(DATA_DIR).report_years
        kernels._wait_until_started()
        km = kernels.managers[0]
        assert _ask(km, "__import__('os').environ['NAP_SHARED_DATA']") == str(kernels.shared_data)
        assert _ask(km, f"__import__('nap_analysis.report').report._shared(__import__('nap_analysis.report').report._data_key(__import__('pathlib').Path({str(DATA_DIR)!r}))) is not None") is True
