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


def track_futures(futures) -> None:
    """Progress over every task behind distributed futures: text in a terminal (blocking
    until they finish), a widget in Jupyter (displayed here, since ``progress`` only
    returns it there)."""
    from distributed import progress

    bar = progress(futures, multi=False)
    if bar is not None:
        from IPython.display import display

        display(bar)
