"""The jupyter_client side of a run's kernels: how one starts and how the run talks to it.

Starting: the kernel spec in ``nap_analysis/jupyter`` names :class:`ForkProvisioner` (entry
point ``nap-fork-provisioner``), which has the run's fork server fork the kernel
(:mod:`nap_analysis.forkserver` says why). Talking: :class:`RunKernelManager` hands every
notebook of the run the same connected client; papermill asks for a new one per notebook, and
each new client spends 0.2 s proving its IOPub subscription works before the first cell.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from queue import Empty

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from jupyter_client.provisioning import LocalProvisioner

from .forkserver import ENV, request_kernel


class ForkedKernel:
    """What jupyter_client needs of a ``Popen`` for a kernel that is not our child: poll,
    wait and signals, through a pidfd (immune to pid reuse). The server reaps it, so the
    exit status is not known: 0 once it has gone."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = 0
            os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            select.select([self._fd], [], [], 0.1)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                signal.pidfd_send_signal(self._fd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """Starts a kernel by asking the run's fork server (``NAP_KERNEL_FORKSERVER`` in the kernel's
    environment); without one, exactly like jupyter_client's LocalProvisioner."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        env = dict(kwargs.get("env") or os.environ)
        address = env.get(ENV)
        if not address or "-f" not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = request_kernel(address, cmd[cmd.index("-f"):], cwd, env)
        self.process = ForkedKernel(pid)
        self.pid, self.pgid, self.cwd = pid, None, cwd
        return self.connection_info


class SharedClient(BlockingKernelClient):
    """A client that stays connected for all notebooks of a run: started once, checked once."""

    _ready = False

    def start_channels(self, *args, **kwargs) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    def wait_for_ready(self, timeout: float | None = None) -> None:
        """The full check (both channels answer) the first time; later only whether the kernel
        still lives: its sockets have been connected since."""
        if self._ready and self.is_alive():
            return
        self._wait_until_connected(float("inf") if timeout is None else timeout)
        self._ready = True

    def _wait_until_connected(self, timeout: float) -> None:
        """Ask kernel_info until the reply comes on the shell channel and the 'idle' status of
        the same request on IOPub; then both are connected and IOPub holds nothing old.

        jupyter_client's own check reads IOPub until it has been silent for 0.2 s: 0.2 s per
        kernel on every run. A subscription made too late misses the status: ask again soon
        (the status follows the reply within milliseconds once IOPub is connected).
        """
        deadline = time.monotonic() + timeout
        while True:
            request = self.kernel_info()
            reply = self._shell_msg_or_none(timeout=1)
            while reply is not None and reply["parent_header"].get("msg_id") != request:  # an earlier ask
                reply = self._shell_msg_or_none(timeout=1)
            if reply is not None and self._iopub_idle_after(request):
                self._handle_kernel_info_reply(reply)
                return
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    def _shell_msg_or_none(self, timeout: float):
        try:
            return self.get_shell_msg(timeout=timeout)
        except Empty:
            return None

    def _iopub_idle_after(self, request: str) -> bool:
        while True:
            try:
                msg = self.get_iopub_msg(timeout=0.1)
            except Empty:
                return False
            if (msg["parent_header"].get("msg_id") == request and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True


class RunKernelManager(KernelManager):
    """A KernelManager whose :meth:`client` is always the same :class:`SharedClient`."""

    _shared: SharedClient | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client_factory = SharedClient

    def client(self, **kwargs) -> SharedClient:
        if self._shared is None:
            self._shared = super().client(**kwargs)
        return self._shared

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        """Poll a stopping kernel every 10 ms, not 100 ms: the run waits for it at the end."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    def close_client(self) -> None:
        if self._shared is not None:
            self._shared.stop_channels()
            self._shared = None
