"""Numerical guards of one task: nothing non-finite or inconsistent is summed silently.

Before any task runs, every parameter of every draw and every float input of every
variant must be finite (a NaN probability would otherwise become an arbitrary integer
threshold and skew the counts without a trace). After each task, every count must be
non-negative, every float output finite, and the counts must conserve the paths: each
model's ``path_count`` and each joint table of final categories sum to the task's valid
paths, and no model reports a broken ledger (``*ledger_broken_count``). A failure raises ``NumericalError`` naming the parameter, input or output, the
draw (its chain, draw and draw block), the task (its draws and paths), the variant and
the cause.
"""

from __future__ import annotations

import numpy as np

from riskengine.errors import ModelError

__all__ = ["NumericalError", "check_inputs", "check_outputs", "check_parameters"]


class NumericalError(ModelError):
    """A task met a non-finite value or counts that do not conserve its paths."""


def _where(spec, draw_offset: int | None = None, variant: int | None = None) -> str:
    """'task of draws 0-49 and paths 0-99999 (draw 3 = chain 0, draw 3; variant 1)'."""
    last_path = min(spec.path_start + spec.block_paths, spec.paths_per_draw) - 1
    text = (
        f"task of draws {spec.draw_start}-{spec.draw_stop - 1} and paths "
        f"{spec.path_start}-{last_path}"
    )
    details = [] if draw_offset is None else [_draw(spec.draw_start + draw_offset, spec)]
    details += [] if variant is None else [f"variant {variant}"]
    return text + (f" ({'; '.join(details)})" if details else "")


def _draw(index: int, spec) -> str:
    chain, draw = divmod(index, spec.draws_per_chain)
    block = index // spec.draws_per_task
    return f"draw {index} = chain {chain}, draw {draw}, in draw block {block}"


def _first_non_finite(values) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """``values`` as an array, and the index of its first NaN or inf (None if a float
    array is all finite, or not a float array)."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating) or np.isfinite(values).all():
        return values, None
    return values, tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])


def check_parameters(flat_params: dict[str, np.ndarray], spec) -> None:
    """Every parameter of every draw is finite (leading axis: the flattened (chain,
    draw) grid); ``spec`` gives the grid's shape (any task of the run)."""
    for name, values in flat_params.items():
        values, at = _first_non_finite(values)
        if at is not None:
            raise NumericalError(
                f"parameter {name!r} is {values[at].item()!r} at {_draw(at[0], spec)}; allowed: "
                "finite values (check the posterior file or the prior that drew it)"
            )


def check_inputs(inputs) -> None:
    """Every float scenario input of every variant is finite (leaves: variants first)."""
    import jax

    for path, values in jax.tree_util.tree_flatten_with_path(inputs)[0]:
        values, at = _first_non_finite(values)
        if at is not None:
            raise NumericalError(
                f"scenario input {jax.tree_util.keystr(path)} is {values[at].item()!r} in variant {at[0]}; allowed: "
                "finite values"
            )


def check_outputs(spec, outputs: dict[str, np.ndarray], num_valid: int) -> None:
    """Counts non-negative, floats finite, paths conserved (outputs: (draws, variant, ...))."""
    for name, values in outputs.items():
        values, at = _first_non_finite(values)
        if at is not None:
            raise NumericalError(
                f"{_where(spec, at[0], at[1])}: output {name!r} is {values[at].item()!r}; allowed: "
                "finite values"
            )
        if np.issubdtype(values.dtype, np.integer) and (values < 0).any():
            at = tuple(int(i) for i in np.argwhere(values < 0)[0])
            raise NumericalError(
                f"{_where(spec, at[0], at[1])}: count {name!r} is {values[at]}; allowed: "
                "non-negative counts (an overflow?)"
            )
        _check_conservation(spec, name, values, num_valid)


def _check_conservation(spec, name: str, values: np.ndarray, num_valid: int) -> None:
    if name.endswith("ledger_broken_count") and (values != 0).any():
        at = tuple(int(i) for i in np.argwhere(values != 0)[0])
        raise NumericalError(
            f"{_where(spec, at[0], at[1])}: {name!r}: {values[at]} paths whose flows do not add "
            "up to their normal supply (arrived + rerouted + substituted + stock draw + "
            "shortfall); allowed: none"
        )
    if name.endswith("path_count"):
        totals = values
    elif name.startswith("joint."):
        totals = values.sum(axis=(-2, -1))
    else:
        return
    if (totals != num_valid).any():
        at = tuple(int(i) for i in np.argwhere(totals != num_valid)[0])
        raise NumericalError(
            f"{_where(spec, at[0], at[1])}: {name!r} counts {totals[at]} paths but the task "
            f"simulated {num_valid}; allowed: every path counted once"
        )
