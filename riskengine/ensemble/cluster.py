"""Where an ensemble runs: dask's threaded scheduler, a LocalCluster, an existing cluster.

- ``None`` / ``"threads"`` (the default): dask's threaded scheduler, one thread per core in
  this process. On one machine it is the fastest correct choice (cubes are bit-identical
  on every scheduler): the compiled kernel releases the GIL, so threads scale like
  processes, and nothing starts per run. An embedded LocalCluster (the default until
  2026-11-30) started worker processes that imported JAX and compiled the kernel again on
  every ``riskengine.run``, several seconds a call, and its per-task round trips and the
  client's scheduler thread (competing with the workers for the same cores) left a warm
  2-worker cluster below the threads (``benchmarks/RESULTS.md``).
- ``"local"``: a ``distributed.LocalCluster`` with one single-threaded worker process per
  core, each pinned to its own core (``riskengine.ensemble.affinity``): for GIL-bound
  work, a dashboard, or a worker that may die (the nanny restarts it); measured on 2
  cores, pinned processes scale 2.0x where unpinned ones reach 1.46x because each
  worker's XLA thread pool otherwise spans every core.
- ``"tcp://HOST:PORT"`` (or any scheduler address): an existing ``dask scheduler``.
- ``"synchronous"``: one thread, for debugging.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from riskengine.errors import UsageError

__all__ = ["DEFAULT_SCHEDULER", "Execution", "available_cores", "execution"]

LOCAL_SCHEDULERS = ("threads", "synchronous")
DEFAULT_SCHEDULER = "threads"


def available_cores() -> int:
    """Cores this process may run on (affinity-aware)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@dataclass
class Execution:
    """How to compute a dask graph: a distributed client, or a local scheduler name."""

    client: object | None
    scheduler: str
    num_workers: int
    description: str
    dashboard_link: str | None = None

    def map(self, function, *iterables) -> list:
        """``function`` over the iterables, on the cluster's workers when there is one."""
        if self.client is None:
            return list(map(function, *iterables))
        return self.client.gather(self.client.map(function, *iterables, pure=False))


def _local_cluster(num_workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=num_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        preload=["riskengine.ensemble.affinity"],
        silence_logs=logging.ERROR,
    )
    return cluster, Client(cluster)


@contextlib.contextmanager
def execution(
    scheduler: str | None = None, *, client=None, num_workers: int | None = None
) -> Iterator[Execution]:
    """Context manager yielding an ``Execution``; clusters it started are closed on exit."""
    if client is not None:
        yield Execution(
            client,
            "distributed",
            len(client.scheduler_info()["workers"]),
            f"client {client.scheduler.address}",
            client.dashboard_link,
        )
        return
    scheduler = scheduler or DEFAULT_SCHEDULER
    workers = num_workers or available_cores()
    if num_workers is not None and num_workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {num_workers}")
    if scheduler in LOCAL_SCHEDULERS:
        count = 1 if scheduler == "synchronous" else workers
        yield Execution(
            None,
            scheduler,
            count,
            f"dask {scheduler} scheduler ({count} worker{'s' * (count > 1)})",
        )
    elif scheduler == "local":
        cluster, local_client = _local_cluster(workers)
        try:
            yield Execution(
                local_client,
                "distributed",
                workers,
                f"LocalCluster ({workers} pinned single-thread workers)",
                local_client.dashboard_link,
            )
        finally:
            _close(local_client, cluster)
    elif "://" in scheduler:
        yield from _remote(scheduler)
    else:
        raise UsageError(
            f"--scheduler: got {scheduler!r}; allowed: threads (default), local, synchronous, "
            "or a scheduler address such as tcp://HOST:PORT"
        )


def _close(client, cluster) -> None:
    """Close an embedded cluster; a worker slow to exit (a starved core) must not turn a
    finished run into a failure: after 30 s its process is left to end with ours."""
    client.close()
    try:
        cluster.close(timeout=30)
    except TimeoutError:
        pass


def _remote(address: str) -> Iterator[Execution]:
    from distributed import Client

    try:
        remote = Client(address, timeout=10)
    except OSError as error:
        raise UsageError(
            f"--scheduler: could not connect to {address!r} ({error}); is `dask scheduler` running there?"
        ) from None
    except (TypeError, ValueError) as error:  # distributed's words for a missing TLS setting
        raise UsageError(
            f"--scheduler: could not connect to {address!r} ({' '.join(str(error).split())}); "
            "for a tls:// cluster set the client's certificate, key and CA file "
            "(distributed.comm.tls.*, see the README's Clusters section)"
        ) from None
    try:
        workers = len(remote.scheduler_info()["workers"])
        yield Execution(
            remote,
            "distributed",
            workers,
            f"cluster at {address} ({workers} workers)",
            remote.dashboard_link,
        )
    finally:
        remote.close()
