"""Kernels forked from one process that has imported pandas, matplotlib and scipy already.

Each kernel of a run would otherwise import them itself: about 2 s of CPU per kernel (the
benchmark's floor), paid twice on a two-core machine that is busy checking the data at the
same time. A run starts one fork server, which imports them once (and IPython's kernel);
jupyter_client starts each kernel through :class:`nap_analysis.kernelclient.ForkProvisioner`
(named in this package's kernel spec), which asks the server to fork a ready kernel instead of
starting a new Python.
A forked kernel is an ordinary IPython kernel from then on: same connection file, same
messages, interrupted and killed by its pid.

Nothing outlives the run: the server dies with the process that started it (also on
SIGKILL, via ``PR_SET_PDEATHSIG``), and each kernel dies with the server. Linux only (prctl,
pidfd); elsewhere, or without a server, kernels start as a new process as usual.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

#: Environment variable with the server's socket path; set in the kernels' environment.
ENV = "NAP_KERNEL_FORKSERVER"
_PR_SET_PDEATHSIG = 1


def available() -> bool:
    """Forking kernels needs Linux (prctl for parent death, pidfd to watch a kernel)."""
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open")


class ForkServer:
    """The server process: imports ``modules``, then forks a kernel per request on its socket."""

    def __init__(self, folder: Path, modules: tuple[str, ...], env: dict | None = None):
        self.address = Path(folder) / "forkserver"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:  # listening before the server starts: a kernel can be requested while it imports
            listener.bind(str(self.address))
            listener.listen(8)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nap_analysis.forkserver", str(listener.fileno()), *modules],
                stdin=subprocess.PIPE, pass_fds=(listener.fileno(),), env=env,
            )
        finally:
            listener.close()

    def close(self) -> None:
        """End the server (its kernels die with it); waits at most a few seconds."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # end of input: the server leaves its loop
                self.process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        elif self.process.stdin:
            self.process.stdin.close()


def request_kernel(address: str, argv: list[str], cwd: str, env: dict) -> int:
    """Ask the server for a kernel with ``argv`` (``-f <connection file>``); its pid."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(address)
        conn.sendall(json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode())
        conn.shutdown(socket.SHUT_WR)
        reply = _read_all(conn)
    if not reply:
        raise RuntimeError(f"de kernelserver ({address}) stopte voordat hij een kernel startte")
    return int(json.loads(reply)["pid"])


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------- the server side
def _die_with_parent() -> None:
    """Get SIGKILL when the parent process ends, even by SIGKILL (Linux prctl)."""
    import ctypes

    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def serve(listen_fd: int, modules: list[str]) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run, which stops its kernels
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    # the backend a kernel gives matplotlib (ipykernel sets it before a notebook can import it)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    listener = socket.socket(fileno=listen_fd)
    # The run's kernels are never debugged (kernel spec: "debugger": false), yet ipykernel imports
    # debugpy at every kernel start to see whether it could be (0.15-0.2 s per kernel): mark it absent.
    sys.modules.setdefault("debugpy", None)
    import importlib

    for name in [*modules, "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger"]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the notebook that imports it shows the error
            pass
    import gc

    gc.collect()
    gc.freeze()  # the imported objects are never collected: the kernels' collections (%reset -f) skip them
    while True:
        ready = select.select([listener, sys.stdin], [], [])[0]
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            os._exit(0)  # the run closed our input: done (no interpreter teardown: 0.5 s with pandas loaded)
        if listener in ready:
            conn, _ = listener.accept()
            with conn:
                try:
                    request = json.loads(_read_all(conn))
                except (OSError, ValueError):  # a client that went away: serve the next one
                    continue
                pid = os.fork()
                if pid == 0:
                    conn.close()
                    listener.close()
                    _become_kernel(request)  # never returns
                try:
                    conn.sendall(json.dumps({"pid": pid}).encode())
                except OSError:  # nobody waits for this kernel: stop it
                    os.kill(pid, signal.SIGKILL)


def _become_kernel(request: dict) -> None:
    """In the forked child: the environment and folder the run asked for, then the kernel."""
    code = 1
    try:
        _die_with_parent()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # ipykernel read JPY_PARENT_PID when the server imported it: name the parent (the server)
        # here, so the kernel also exits when the server goes and prints no connection banner
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - shown on the run's stderr, as a kernel's would be
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2:])
