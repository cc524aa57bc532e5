"""Engines that run batches: serial, a local process pool, or a Dask distributed cluster.

Every engine offers the same seam, ``engine.map(function, items)``, which yields
``function(item)`` for every item as results come in (in any order; results carry their
batch index). The runner does not know which engine it uses, so serial, pool and cluster
runs share all of the seeding, chunking and assembly code.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import Any, Protocol, TypeVar

from kabulsim.limits import CLUSTER_BATCH_SIZE, LOCAL_BATCH_SIZE, MAX_WORKERS

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs a function over items, yielding results as they finish."""

    workers: int
    batch_size: int
    """Replications per task that suit this engine (a run may choose another)."""

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[R, None, None]:
        """Yield ``function(item)`` for every item, in completion order."""
        ...


class SerialEngine:
    """Runs every item in the calling process, in order."""

    workers = 1
    batch_size = LOCAL_BATCH_SIZE

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[R, None, None]:
        """Yield ``function(item)`` for every item, in order."""
        for item in items:
            yield function(item)


PR_SET_PDEATHSIG = 1
"""``prctl`` option (linux/prctl.h): the signal a process gets when its parent dies."""


def _end_with_parent() -> None:
    """Ask Linux to end this process when its parent dies; elsewhere a no-op.

    A ``kill -9`` of the parent would otherwise leave the pool's workers waiting forever.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the parent-watch thread still applies
        pass


def _watch_parent(parent: int) -> None:
    """End this worker as soon as ``parent`` is gone (for platforms without prctl)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _worker_init(parent: int) -> None:
    """Pool worker initialiser: ignore Ctrl-C, and end when the parent dies.

    Ctrl-C is handled by the parent, which stops the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent()
    if os.getppid() != parent:  # the parent died before this worker started
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class PoolEngine:
    """Runs items on a local :class:`~concurrent.futures.ProcessPoolExecutor`.

    At most ``2 * workers`` items are in flight, so memory does not grow with the number of
    batches. The pool is created per :meth:`map` call and shut down when the iteration ends,
    is interrupted (``KeyboardInterrupt``) or the consumer stops early; queued items are
    cancelled. The start method is the platform default unless ``mp_context`` is given; it
    is never changed globally.
    """

    batch_size = LOCAL_BATCH_SIZE

    def __init__(self, workers: int | None = None, mp_context: BaseContext | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"workers must be from 1 to {MAX_WORKERS}")
        self._context = mp_context

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[R, None, None]:
        """Yield ``function(item)`` for every item, in completion order."""
        pool = ProcessPoolExecutor(
            max_workers=max(1, min(self.workers, len(items))),
            mp_context=self._context,
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        try:
            todo = iter(items)
            running: set[Future[R]] = set()
            for item in todo:
                running.add(pool.submit(function, item))
                if len(running) >= 2 * self.workers:
                    break
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        running.add(pool.submit(function, nxt))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Runs items on an existing Dask distributed cluster through a ``Client``.

    The workers must have the same kabulsim installed. Results are gathered as they finish.
    """

    batch_size = CLUSTER_BATCH_SIZE

    def __init__(self, client: Any) -> None:
        self.client = client
        info = client.scheduler_info()
        self.workers = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Generator[R, None, None]:
        """Yield ``function(item)`` for every item, in completion order."""
        from dask.distributed import as_completed

        futures = self.client.map(function, list(items), pure=False)
        try:
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                result: R = future.result()
                future.release()
                yield result
        finally:
            self.client.cancel(futures)


def make_engine(workers: int | None = None, client: Any = None) -> Engine:
    """The engine for a run: Dask when a client is given, serial for one worker, else a pool."""
    if client is not None:
        return DaskEngine(client)
    n = workers if workers is not None else min(os.cpu_count() or 1, MAX_WORKERS)
    if not 1 <= n <= MAX_WORKERS:
        raise ValueError(f"workers must be from 1 to {MAX_WORKERS}")
    return SerialEngine() if n == 1 else PoolEngine(n)


def connect(address: str, timeout_s: float = 10.0) -> Any:
    """A Dask ``Client`` connected to the scheduler at ``address`` (``tcp://host:port``).

    Raises:
        ImportError: dask.distributed is not installed.
        OSError: the scheduler cannot be reached within ``timeout_s``.
    """
    from dask.distributed import Client

    return Client(address, timeout=timeout_s)  # type: ignore[no-untyped-call]
