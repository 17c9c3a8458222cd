"""Checkpoints: a run's finished draw blocks persist as they complete, so a run that is
killed resumes where it stopped and yields the same cube bit for bit.

A checkpoint is a folder (``riskengine run`` keeps it in ``<out>/.riskengine-run``)
holding ``manifest.json`` (the run's identity: the model, the plan and a token of the
parameter draws, key words and inputs; and the number of draw blocks), one
``block-<index>.npz`` per finished draw block (its exact int64 totals, written to a
hidden name and renamed, so a file present is complete) and ``lock``, held with
``flock`` for as long as a run writes there (the kernel releases it when the process
dies, so a killed run never leaves a stale lock). Totals are exact integers summed in
a fixed order (``riskengine.ensemble.runner``), so blocks read back give the cube an
uninterrupted run gives.

Rules: a second run on a locked checkpoint is refused; a checkpoint holding finished
blocks is continued only with ``resume=True`` and only by the same run (same identity),
else refused, naming what differs; with ``resume=True`` and no checkpoint the run
simply starts. The caller removes the checkpoint once the cube is written.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import numpy as np

from riskengine.cube.io import CHECKPOINT_NAME
from riskengine.errors import UsageError

__all__ = ["CHECKPOINT_NAME", "Checkpoint"]

_MANIFEST, _LOCK = "manifest.json", "lock"


class Checkpoint:
    """The finished draw blocks of one run in ``directory`` (see the module docstring)."""

    def __init__(self, directory: str | Path, *, resume: bool = False):
        self.directory = Path(directory)
        self.resume = resume
        self._lock = None

    def finished_blocks(self) -> list[int]:
        """Indices of the draw blocks saved so far (read from the file names)."""
        if not self.directory.is_dir():
            return []
        names = (p.name for p in self.directory.glob("block-*.npz"))
        return sorted(int(name[len("block-") : -len(".npz")]) for name in names)

    def start(self, identity: dict) -> dict[int, dict[str, np.ndarray]]:
        """Take the lock, check the identity and return the finished blocks' totals."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            finished = self._check_identity(identity)
        except UsageError:
            self.release()
            raise
        return {index: self._read(index) for index in finished}

    def save(self, index: int, totals: dict[str, np.ndarray]) -> None:
        """Persist one finished draw block (atomically: hidden name, then rename)."""
        staging = self.directory / f".block-{index}.npz.partial"
        with open(staging, "wb") as handle:
            np.savez(handle, **totals)
        os.replace(staging, self.directory / f"block-{index}.npz")

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def remove(self) -> None:
        """Delete the checkpoint (after the cube is written)."""
        self.release()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _take_lock(self) -> None:
        handle = open(self.directory / _LOCK, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise UsageError(
                f"--out: {str(self.directory.parent)!r} is in use by another run ({holder}); "
                "allowed: one run per output directory at a time (wait for it, or choose "
                "another --out)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._lock = handle

    def _check_identity(self, identity: dict) -> list[int]:
        manifest = self.directory / _MANIFEST
        finished = self.finished_blocks()
        if finished:
            stored = json.loads(manifest.read_text()) if manifest.exists() else {}
            place = repr(str(self.directory.parent))
            if not self.resume:
                raise UsageError(
                    f"--out: {place} holds an unfinished run ({len(finished)} of "
                    f"{stored.get('num_draw_blocks', '?')} draw blocks done); allowed: "
                    "--resume to continue it, or a new or empty --out"
                )
            differing = sorted(
                key
                for key in identity.keys() | stored.keys()
                if identity.get(key) != stored.get(key)
            )
            if differing:
                raise UsageError(
                    f"--resume: the unfinished run in {place} differs from this one in "
                    f"{', '.join(differing)}; allowed: the same scenario, seed, sizes and "
                    "parameters as the interrupted run (or a new --out)"
                )
        staging = self.directory / f".{_MANIFEST}.partial"
        staging.write_text(json.dumps(identity, indent=1, sort_keys=True))
        os.replace(staging, manifest)
        return finished

    def _read(self, index: int) -> dict[str, np.ndarray]:
        with np.load(self.directory / f"block-{index}.npz") as stored:
            return {name: stored[name] for name in stored.files}
