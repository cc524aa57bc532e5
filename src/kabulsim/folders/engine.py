"""Where a command's replications run: local processes or a Dask cluster, stopped cleanly.

:func:`engine_session` connects to the cluster a command names (or leaves the local engine
to :func:`kabulsim.experiments.executors.make_engine`), turns SIGTERM into an interruption
while it is open, so that a local pool is shut down as after Ctrl-C, and disconnects in
every case.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from kabulsim.folders import StudyError
from kabulsim.textsafe import terminal_text


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While active, SIGTERM raises KeyboardInterrupt (so the pool is shut down cleanly)."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, raise_interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def connect_scheduler(address: str | None) -> Any:
    """A Dask client for the scheduler at ``address`` (``tcp://HOST:PORT``), or None.

    Raises:
        StudyError: dask.distributed is not installed, or the scheduler cannot be reached.
    """
    if address is None:
        return None
    try:
        from kabulsim.experiments.executors import connect

        return connect(address)
    except ImportError:
        raise StudyError(
            "--scheduler needs dask.distributed: pip install 'kabulsim[dask]'"
        ) from None
    except Exception as exc:  # dask raises many kinds for a bad address (ValueError, KeyError, ...)
        reason = terminal_text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise StudyError(
            f"--scheduler {terminal_text(address)}: cannot connect ({reason})"
        ) from None


@contextmanager
def engine_session(scheduler: str | None) -> Iterator[Any]:
    """The Dask client for ``scheduler`` (None: local processes), with SIGTERM as an interruption.

    The client is closed when the session ends, however it ends.

    Raises:
        StudyError: the scheduler cannot be used (:func:`connect_scheduler`).
    """
    client = connect_scheduler(scheduler)
    try:
        with sigterm_as_interrupt():
            yield client
    finally:
        if client is not None:
            client.close()
