"""Ctrl-C and SIGTERM are remembered, not only raised, so that no library can make a run ignore them.

Python turns a signal into a KeyboardInterrupt wherever the main thread happens to be, and a
library may catch it there: WeasyPrint catches every exception while it draws an SVG (the status
icons of the annexes), so 1 in 145 interrupted runs went on and replaced the outputs. Here the
signal also sets a flag; a run checks it after every step and the build folder before it is
swapped in, so a swallowed interrupt still ends the run with nothing replaced.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_requested = threading.Event()
_depth = 0


def on_signal(signum, frame) -> None:
    """The handler for SIGINT and SIGTERM: remember, then unwind like Ctrl-C."""
    _requested.set()
    raise KeyboardInterrupt


def _quiet_when_remembered(previous):
    """An unraisable hook for the length of a run: a Ctrl-C that landed in a finalizer (a zmq
    socket collected at that moment: seen in CI) cannot propagate, and Python would print it as
    'Exception ignored in ... Traceback ... KeyboardInterrupt'. It is remembered (the run ends at
    its next check), so it is not printed; anything else goes to the hook that was in place."""

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _requested.is_set():
            return
        previous(unraisable)

    return hook


def join(thread: threading.Thread, timeout: float | None = None) -> None:
    """``thread.join(timeout)``, also for a thread whose ``start()`` a signal interrupted.

    ``Thread.start()`` waits for the new thread to say it runs; a KeyboardInterrupt raised in that
    wait leaves a thread that runs (or, interrupted earlier, never will) and that ``join`` refuses
    with RuntimeError. Such a thread is waited for briefly until it has said so; one that never
    started is left alone (1 of ~800 interrupted runs in CI ended in that traceback).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    unstarted_until = time.monotonic() + 1.0
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            thread.join(left)
            return
        except RuntimeError:
            if time.monotonic() > unstarted_until or (deadline is not None and left == 0.0):
                return  # its start() never got as far as starting it
            time.sleep(0.01)


def pending() -> bool:
    """A signal came during this run (whether or not its KeyboardInterrupt got through)."""
    return _requested.is_set()


def check() -> None:
    """Raise the KeyboardInterrupt a library swallowed (in the main thread, where signals land)."""
    if _requested.is_set() and threading.current_thread() is threading.main_thread():
        raise KeyboardInterrupt


@contextmanager
def guard() -> Iterator[None]:
    """For the length of a run: Ctrl-C is remembered (when Python's default handler is in place;
    a host's own handler is left alone). Nested runs (``verify``, batches) share the outer one."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = None
    unraisable = sys.unraisablehook
    if _depth == 0:
        _requested.clear()
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous = signal.signal(signal.SIGINT, on_signal)
        sys.unraisablehook = _quiet_when_remembered(unraisable)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            _requested.clear()
            sys.unraisablehook = unraisable
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
