"""Kernels for a run: started early, shared by the notebooks, always shut down.

A kernel costs about as much as importing pandas, matplotlib and scipy (the benchmark's
floor), so a run starts its kernels before it reads the data and gives each kernel several
notebooks (``%reset -f`` in between: a clean namespace, warm imports). A batch worker keeps
its kernels for all its runs. Each kernel is a separate process of this Python (kernel spec in
``nap_analysis/jupyter``) talking over local socket files, not TCP ports. On Linux the kernels
are forked from one server process that did those imports once (:mod:`nap_analysis.forkserver`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import deque
from pathlib import Path

from .errors import RunError
from .paths import PACKAGE_DIR

#: Kernel specs of this package, put first on JUPYTER_PATH so 'python3' is always this Python.
KERNEL_PATH = PACKAGE_DIR / "jupyter"
BRIEFING_NOTEBOOK = "10_briefing.ipynb"
#: What every notebook imports (pandas, matplotlib, scipy via the library).
WARM_MODULES = ("nap_analysis.report", "nap_analysis.figures", "nap_analysis.stats")
#: The same, run in each kernel as soon as it is up (instant when it was forked with them); names deleted again.
WARM_IMPORTS = "import importlib as _i; [_i.import_module(_m) for _m in %r]; del _i" % (WARM_MODULES,)
#: Environment variable of the kernels: the file with the data the run loaded and checked.
SHARED_DATA_ENV = "NAP_SHARED_DATA"


def kernel_count(notebook_count: int, runs_at_once: int = 1) -> int:
    """Kernels per run: the cores shared by the runs going on at once, at most two (the briefing
    and the rest); the environment variable NAP_KERNELS overrides."""
    wanted = os.environ.get("NAP_KERNELS", "")
    cores = os.cpu_count() or 1
    count = int(wanted) if wanted.isdigit() and int(wanted) > 0 else min(2, cores // max(1, runs_at_once))
    return max(1, min(count, notebook_count))


class Kernels:
    """``count`` kernels, started on construction; a context manager that shuts them down."""

    def __init__(self, count: int):
        from . import forkserver
        from .figcache import ENV as FIGURE_CACHE
        from .figcache import SPLIT_ENV as FIGURE_SPLIT

        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(KERNEL_PATH), os.environ.get("JUPYTER_PATH")]))
        self.folder = Path(tempfile.mkdtemp(prefix="nap-kernel-"))  # socket files, figure cache, checked data
        self.shared_data = self.folder / "data.pickle"
        (self.folder / "figures").mkdir()
        env = dict(os.environ, **{FIGURE_CACHE: str(self.folder / "figures"), SHARED_DATA_ENV: str(self.shared_data)})
        if count >= 2:  # the briefing's kernel renders only PNGs; a notebook kernel adds the SVGs later
            env[FIGURE_SPLIT] = "1"
        self.managers = []
        self._warming: list[threading.Thread] = []
        self._failures: list[BaseException] = []
        self.server = None
        try:
            if forkserver.available() and not os.environ.get("NAP_NO_FORKSERVER"):
                # first of all: its imports are the longest step before a notebook can run
                self.server = forkserver.ForkServer(self.folder, WARM_MODULES, env)
                env[forkserver.ENV] = str(self.server.address)
            from .kernelclient import RunKernelManager

            self.managers = [RunKernelManager(kernel_name="python3", transport="ipc", ip=str(self.folder / f"kernel{i}"))
                             for i in range(count)]
            for km in self.managers:  # started and warmed in threads, while this process checks the data
                thread = threading.Thread(target=self._start, args=(km, env), daemon=True, name="nap-start-kernel")
                thread.start()
                self._warming.append(thread)
        except BaseException:
            self.close()
            raise

    def load_data(self, data_dir):
        """Load and check the data here, and hand the result to the kernels (report.load_and_share)."""
        from .report import load_and_share

        return load_and_share(data_dir, self.shared_data)

    def _start(self, km, env: dict) -> None:
        try:  # while the fork server still imports: needed for the first notebook (0.25 s)
            import papermill  # noqa: F401
        except ImportError:  # reported by the first notebook
            pass
        try:  # no papermill cwd=: it would chdir this whole process
            km.start_kernel(cwd=str(self.folder), env=env)
        except BaseException as exc:  # noqa: BLE001 - raised by execute(), in the main thread
            self._failures.append(exc)
            return
        _warm(km)

    def __enter__(self) -> "Kernels":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every kernel now (also on Ctrl-C) and remove the socket folder."""
        self._stop_kernels()
        if self.server is not None:  # a kernel still starting dies with it, and its start fails
            self.server.close()
        for thread in self._warming:
            thread.join(10)
        self._warming = []
        self._stop_kernels()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stop_kernels(self) -> None:
        for km in self.managers:
            km.close_client()
            if km.has_kernel:
                km.shutdown_kernel(now=True)

    def _wait_until_started(self) -> None:
        for thread in self._warming:
            thread.join()
        self._warming = []
        if self._failures:
            exc = self._failures[0]
            raise RunError(f"een kernel kon niet starten: {type(exc).__name__}: {exc}") from exc

    def execute(self, paths: list[Path], parameters: dict, work: Path, step=None, after=None) -> list[Path]:
        """Execute the notebooks into ``work/notebooks`` with papermill, the kernels side by side.

        The first kernel runs the briefing notebook first, so ``after`` (the HTML/PDF export)
        runs while another kernel is still busy; each kernel then takes the next notebook from a
        shared queue, in the order of :func:`_schedule`. The other kernels run at a lower CPU
        priority (:data:`NOTEBOOKS_NICE`): briefing, then export is the run's longest chain.
        """
        order = _schedule(paths)
        briefing = order.pop(0) if order and order[0].name == BRIEFING_NOTEBOOK else None
        queue = deque(order)
        managers = self.managers[: max(1, len(paths))]
        self._wait_until_started()
        for km in managers:
            _silently(km, f"import os as _o; _o.chdir({str(work)!r}); del _o")  # outputs land in the build folder
        if briefing is not None:
            for km in managers[1:]:
                _lower_priority(km)
        executed: list[Path] = []
        failures: list[BaseException] = []
        guard = threading.Lock()

        def work_through(km, first: Path | None) -> None:
            while True:
                with guard:
                    if failures or not (first or queue):
                        return
                    path, first = (first, None) if first else (queue.popleft(), None)
                try:
                    target = _execute_one(km, path, parameters, work)
                    with guard:
                        executed.append(target)
                    if step is not None:
                        step(path.name)
                    if after is not None:
                        after(target)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    with guard:
                        failures.append(exc)
                    return

        threads = [threading.Thread(target=work_through, args=(km, briefing if i == 0 else None), daemon=True,
                                    name=f"nap-kernel-{i}")
                   for i, km in enumerate(managers)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)  # short waits, so Ctrl-C reaches the main thread at once
        except BaseException:
            self.close()  # stop the kernels first, so the threads waiting on them end
            for thread in threads:
                thread.join(5)
            raise
        if failures:
            raise failures[0]
        return sorted(executed)


#: Niceness added to the kernels beside the briefing's: with three busy processes on two cores
#: (two kernels and the export warm-up), the briefing finished 0.3-0.9 s earlier in 4 of 5
#: paired runs and the whole run 0.6 s (median of the pairs); the notebooks fill in the rest.
NOTEBOOKS_NICE = 4


def _lower_priority(km) -> None:
    """Raise the kernel's niceness by NOTEBOOKS_NICE (once: it only goes up without privileges)."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if not pid or getattr(km, "_nap_niced", False):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + NOTEBOOKS_NICE)
        km._nap_niced = True
    except (OSError, AttributeError):  # not allowed or not supported here: equal priorities
        pass


def _sections(path: Path) -> list[str]:
    """The ``report.<section>()`` calls of a notebook, in order."""
    import json
    import re

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    code = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    return re.findall(r"\breport\.(\w+)\(", code)


def _schedule(paths: list[Path]) -> list[Path]:
    """The briefing first, then the other notebooks from the one whose sections come last in the
    briefing to the one whose sections come first.

    The briefing draws its charts top to bottom and the second kernel meets it from the bottom
    up, so with the shared figure cache (:mod:`nap_analysis.figcache`) each chart is drawn once
    and the two kernels share the drawing about evenly.
    """
    briefing = [p for p in paths if p.name == BRIEFING_NOTEBOOK]
    others = sorted(p for p in paths if p.name != BRIEFING_NOTEBOOK)
    if not briefing:
        return others
    order = {name: i for i, name in reversed(list(enumerate(_sections(briefing[0]))))}  # first appearance
    first = {p: min((order[s] for s in _sections(p) if s in order), default=-1) for p in others}
    return briefing + sorted(others, key=lambda p: first[p], reverse=True)


def _warm(km) -> None:
    """Wait until the kernel answers (a request sent while it boots can be lost), then import."""
    client = km.client()  # the run's one client of this kernel (see kernelclient.RunKernelManager)
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        client.execute_interactive(WARM_IMPORTS, timeout=120, store_history=False, output_hook=lambda msg: None)
    except Exception:  # noqa: BLE001 - a kernel that does not come up fails the first notebook, with its message
        pass


def _silently(km, code: str) -> None:
    """Run ``code`` in the kernel without a trace in any notebook (no history, no output)."""
    client = km.client()
    client.start_channels()
    reply = client.execute_interactive(code, timeout=60, store_history=False, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RunError(f"kernel weigerde '{code}': {reply['content'].get('ename')}: {reply['content'].get('evalue')}")


def _execute_one(km, path: Path, parameters: dict, work: Path) -> Path:
    """One notebook in a (possibly already used) kernel; a failing cell becomes a RunError."""
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
    finally:
        if km.has_kernel:  # the next notebook (also of a next run) starts from a clean namespace
            _silently(km, "%reset -f")
    normalise_notebook(target)
    return target


def normalise_notebook(path: Path) -> None:
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
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, path)
