"""The run's kernels: started early through jupyter_client's public API, shared by the
notebooks, always shut down, and never started again once closing has begun.

A kernel costs about as much as importing pandas and matplotlib, so a run starts its
kernels before it reads the data and gives each kernel several notebooks (a clean namespace
for each: the notebook's first, injected cell is ``%reset -f``). A batch worker keeps its
kernels for all its runs.

Interrupts (Ctrl-C, SIGTERM) reach only the main thread. :meth:`KernelPool.close` then sets
the closing flag first: no worker takes another notebook and no kernel may start any more
(:class:`RunKernelManager` refuses), then it shuts the kernels down and waits for every
thread, so nothing writes into the build folder after the run has removed it. Kernels run in
their own session (jupyter_client's default), so a terminal's Ctrl-C reaches them only
through the run, and they exit by themselves when the run dies (ipykernel's parent poller).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from queue import Empty

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from ..errors import RunError
from ..resources import kernel_dir
from . import interrupts

#: What every notebook imports; run in each kernel as soon as it is up, while the run checks the data.
#: Then the imported objects (~250,000) are frozen out of the garbage collector's reach: the
#: ``%reset -f`` before each notebook collects twice (IPython's display hook and the magic), and a
#: full collection walked all of them, 0.19 s each time. Kernel CPU after the warm-up, bundled data,
#: three runs each: 5.1-5.5 s a kernel instead of 5.3-6.6 s.
WARM_IMPORTS = (
    "import nap_analysis.briefing.sections, nap_analysis.analysis, nap_analysis.briefing.charts\n"
    "__import__('gc').freeze()"
)
#: Longest wait for a kernel to answer, and for one cell of a notebook.
START_TIMEOUT = 120.0
CELL_TIMEOUT = 900


FOLDER_PREFIX = "nap-kernel-"


def default_transport() -> str:
    """ipc (local socket files) where the platform has them, else tcp on the loopback address."""
    return "ipc" if os.name == "posix" else "tcp"


def remove_stale_folders() -> None:
    """Kernel folders of runs that no longer exist (killed with SIGKILL): named after the run's pid."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform without signal 0: leave it
    return True


def kernel_count(notebook_count: int, runs_at_once: int = 1) -> int:
    """Kernels per run: the cores shared by the runs going on at once, at most two; ``NAP_KERNELS``
    overrides (it is checked by :func:`nap_analysis.pipeline.run.check_environment`)."""
    wanted = os.environ.get("NAP_KERNELS", "").strip()
    cores = os.cpu_count() or 1
    count = int(wanted) if wanted.isdigit() and int(wanted) > 0 else min(2, cores // max(1, runs_at_once))
    return max(1, min(count, max(notebook_count, 1)))


class Closed(RuntimeError):
    """A kernel was asked to start after the run began closing."""


class RunKernelManager(AsyncKernelManager):
    """A kernel manager that starts its kernel once: after :attr:`closed` is set (the run is
    closing) or once its kernel has been started, ``start_kernel`` refuses. nbclient starts a
    kernel when it finds none, and that one would run outside the run's control.

    Asynchronous, as nbclient expects: its clients then wait for messages without blocking the
    event loop, so a kernel that is shut down ends the notebook it was running within a second.
    """

    closed = False
    started = False

    # KernelManager's start_kernel is synchronous; AsyncKernelManager replaces it with this coroutine
    # (with its own type: ignore[assignment]), so an async override cannot match the base class
    async def start_kernel(self, **kwargs):  # type: ignore[override]
        if self.closed or self.started:
            raise Closed("the run is closing; no kernel starts any more")
        self.started = True
        return await super().start_kernel(**kwargs)


def _quiet_libraries() -> None:
    """papermill and nbclient log every cell and every dead kernel; the run reports for itself."""
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class KernelPool:
    """``count`` kernels, started on construction in threads; a context manager that closes them."""

    def __init__(self, count: int, env: dict | None = None, transport: str | None = None):
        _quiet_libraries()
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._failures: list[BaseException] = []
        self._logs: list = []
        # connection files (and, with ipc, the sockets) of this run's kernels; a folder left by a
        # killed run is removed by the next one
        remove_stale_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self.transport = transport or os.environ.get("NAP_TRANSPORT", "") or default_transport()
        specs = KernelSpecManager(kernel_dirs=[str(kernel_dir())])
        self.managers = [
            RunKernelManager(
                kernel_name="python3",
                kernel_spec_manager=specs,
                transport=self.transport,
                connection_file=str(self.folder / f"kernel-{i}.json"),
                **({"ip": str(self.folder / f"k{i}")} if self.transport == "ipc" else {}),
            )
            for i in range(count)
        ]
        self._env = dict(os.environ, **(env or {}))
        self._env.pop("JPY_PARENT_PID", None)
        self._starting = [
            threading.Thread(target=self._start, args=(km,), daemon=True, name=f"nap-start-{i}")
            for i, km in enumerate(self.managers)
        ]
        try:
            for thread in self._starting:
                thread.start()
        except BaseException:  # Ctrl-C during a start: no `with` block will close this pool
            self.close()
            raise

    # ------------------------------------------------------------------ start
    def _start(self, km: RunKernelManager) -> None:
        try:
            run_sync(self._start_async)(km)
        except BaseException as exc:  # noqa: BLE001 - raised in the main thread by execute()
            if not self.closing.is_set():
                with self._lock:
                    self._failures.append(exc)

    async def _start_async(self, km: RunKernelManager) -> None:
        # the kernel's own messages (warnings of ipykernel, in English) go to a log, not the user's terminal
        log = open(self.folder / f"{Path(km.connection_file).stem}.log", "wb")  # noqa: SIM115 - closed in close()
        self._logs.append(log)
        await km.start_kernel(env=self._env, cwd=str(self.folder), stdout=log, stderr=log)
        client = km.client()
        client.start_channels()
        try:
            await self._wait_ready(client)
            request = client.execute(WARM_IMPORTS, silent=True, store_history=False)
            await self._wait_reply(client, request)
        finally:
            client.stop_channels()

    async def _wait_ready(self, client) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                await client.wait_for_ready(timeout=1)
                return
            except RuntimeError:
                if self.closing.is_set():
                    raise Closed("closing") from None
                if time.monotonic() > deadline:
                    raise

    async def _wait_reply(self, client, request: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.closing.is_set() and time.monotonic() < deadline:
            try:
                reply = await client.get_shell_msg(timeout=0.5)
            except (Empty, TimeoutError):
                continue
            if reply["parent_header"].get("msg_id") == request:
                return

    def wait_until_started(self) -> None:
        """Block until every kernel is up (interruptible); a kernel that failed is a RunError."""
        for thread in self._starting:
            while thread.is_alive():
                thread.join(0.1)
        if self._failures:
            exc = self._failures[0]
            logs = sorted(self.folder.glob("*.log"))
            tail = logs[0].read_text(errors="replace").strip().splitlines()[-1:] if logs else []
            detail = f"{type(exc).__name__}: {exc}" + (f" ({tail[0][:200]})" if tail else "")
            raise RunError("error.kernel_start", detail=detail) from exc

    # ------------------------------------------------------------------ execute
    def execute(self, jobs: list, run_one, meanwhile=None) -> list:
        """Run ``run_one(km, job)`` for every job, the kernels side by side, in ``jobs`` order.

        ``meanwhile`` runs in the calling thread while the kernels work (the run writes the
        annexes then). Returns the results in the order of ``jobs``. The first failure is
        raised once no kernel works any more; any exception here (Ctrl-C too) closes the pool
        before it propagates, so no thread outlives the call.
        """
        try:
            self.wait_until_started()
            queue = deque(enumerate(jobs))
            results: dict[int, object] = {}
            failures: list[tuple[int, BaseException]] = []
            guard = threading.Lock()

            def work(km) -> None:
                while True:
                    with guard:
                        if self.closing.is_set() or failures or not queue:
                            return
                        index, job = queue.popleft()
                    try:
                        result = run_one(km, job)
                    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                        with guard:
                            failures.append((index, exc))
                        return
                    with guard:
                        results[index] = result

            workers = [
                threading.Thread(target=work, args=(km,), daemon=True, name=f"nap-kernel-{i}")
                for i, km in enumerate(self.managers[: max(1, len(jobs))])
            ]
            self._threads = workers
            for thread in workers:
                thread.start()
            if meanwhile is not None:
                meanwhile()
            for thread in workers:
                while thread.is_alive():
                    thread.join(0.1)  # short waits: Ctrl-C reaches this thread at once
            if failures:
                raise min(failures, key=lambda f: f[0])[1]
            return [results[i] for i in range(len(jobs))]
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ close
    def close(self) -> None:
        """Stop everything now (also on Ctrl-C): no new notebook, no new kernel, every thread joined."""
        self.closing.set()
        for km in self.managers:
            km.closed = True
        self._shutdown_all()
        for thread in [*self._starting, *self._threads]:
            interrupts.join(thread, 30)  # a dead kernel ends a worker's notebook within seconds
        self._shutdown_all()  # a kernel whose start was under way at the first pass
        for log in self._logs:
            log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _shutdown_all(self) -> None:
        for km in self.managers:
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - a kernel that is already gone
                pass

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
