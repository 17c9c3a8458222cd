"""Worker preload: pin each LocalCluster worker process to one core before JAX loads.

Each worker process's XLA CPU thread pool otherwise spans every core, so two workers
oversubscribe two cores. ``dask_setup`` runs in the worker process at start-up, before
any task (and so before ``jax`` is imported there); worker ``i`` gets core ``i mod n``.
"""

from __future__ import annotations

import os

__all__ = ["dask_setup"]


def dask_setup(worker) -> None:
    if not hasattr(os, "sched_setaffinity"):
        return
    cores = sorted(os.sched_getaffinity(0))
    try:
        index = int(worker.name)
    except (TypeError, ValueError):
        return
    os.sched_setaffinity(0, {cores[index % len(cores)]})
