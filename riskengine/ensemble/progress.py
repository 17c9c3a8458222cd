"""Progress bars that work in a terminal and in Jupyter (``tqdm.auto``) for every scheduler."""

from __future__ import annotations

from dask.callbacks import Callback
from tqdm.auto import tqdm

__all__ = ["TaskProgress", "track_futures"]


class TaskProgress(Callback):
    """dask local-scheduler callback: one tick per finished task."""

    def __init__(self, description: str):
        super().__init__()
        self._description = description
        self._bar = None

    def _start_state(self, graph, state):
        total = sum(len(state[name]) for name in ("ready", "waiting", "running", "finished"))
        self._bar = tqdm(total=total, desc=self._description, unit="task")

    def _posttask(self, key, result, graph, state, worker_id):
        self._bar.update(1)

    def _finish(self, graph, state, errored):
        self._bar.close()


def track_futures(futures, description: str = "ensemble") -> None:
    """A bar over every task behind distributed futures, with the time elapsed and an
    estimate of the time left (``tqdm.auto``: text in a terminal, a widget in Jupyter);
    blocks until they finish. distributed's scheduler-fed progress, drawn by tqdm."""
    from distributed.client import futures_of
    from distributed.diagnostics.progressbar import TextProgressBar

    class TimeLeftBar(TextProgressBar):
        def __init__(self, keys):
            self._bar = None
            super().__init__(keys, interval="200ms")  # listens until the tasks finish

        def _draw_bar(self, remaining, all, **kwargs):
            if self._bar is None:
                self._bar = tqdm(total=all, desc=description, unit="task")
            self._bar.update(all - remaining - self._bar.n)

        def _draw_stop(self, **kwargs):
            if self._bar is not None:
                self._bar.close()

    TimeLeftBar(futures_of(futures))
