"""Command line: a thin wrapper of the API that maps errors to exit codes.

Exit codes: 0 success, 2 bad input (configs, data files, arguments: one clear message, no
traceback, nothing written) and a run refused by its preflight budget, 1 internal failure.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from pathlib import Path

__all__ = ["main"]

DEFAULT_BUDGET_MINUTES = 60.0
"""``run --budget``: a run estimated above this stops before computing (``--yes`` runs it)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # no abbreviations: `--path 10` is refused, not silently taken as `--paths 10`
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}; allowed: a positive integer")
    return value


def _positive_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a positive number of minutes")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"got {text!r}; allowed: an integer from 0 to 4294967295"
        ) from None
    if not 0 <= value <= 2**32 - 1:
        raise argparse.ArgumentTypeError(f"got {value}; allowed: an integer from 0 to 4294967295")
    return value


def _run_parser(commands) -> None:
    run = commands.add_parser("run", help="run a scenario's ensemble; write the cube and the brief")
    run.add_argument("config", help="scenario YAML file")
    run.add_argument("--out", help="output directory (default: out/<scenario name>)")
    run.add_argument("--seed", type=_seed, help="override ensemble.seed")
    run.add_argument("--paths", type=_positive, help="override ensemble.paths_per_draw")
    run.add_argument("--draws", type=_positive, help="override ensemble.num_draws (per chain)")
    run.add_argument("--chains", type=_positive, help="override ensemble.num_chains")
    run.add_argument("--chunk-paths", type=_positive, help="override ensemble.chunk_paths")
    run.add_argument(
        "--parameters", choices=("auto", "prior", "posterior"), help="override ensemble.parameters"
    )
    run.add_argument(
        "--scheduler",
        help="threads (default: one thread per core), local (a LocalCluster of pinned worker "
        "processes), synchronous, or tcp://HOST:PORT",
    )
    run.add_argument(
        "--workers", type=_positive, help="workers of the local cluster / threads (default: cores)"
    )
    run.add_argument(
        "--format", choices=("zarr", "netcdf"), default="zarr", help="cube format (default zarr)"
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--budget",
        type=_positive_minutes,
        default=DEFAULT_BUDGET_MINUTES,
        help="stop before computing when the calibrated estimate exceeds this many minutes "
        f"(default {DEFAULT_BUDGET_MINUTES})",
    )
    run.add_argument(
        "--yes", action="store_true", help="run without the preflight estimate and its budget"
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted run in --out (its finished draw blocks are kept)",
    )
    _brief_options(run)


YARDSTICK_NAMES = ("icd203", "phia")


def _brief_options(parser) -> None:
    parser.add_argument(
        "--yardstick",
        choices=YARDSTICK_NAMES,
        default="icd203",
        help="estimative terms: icd203 (US, default) or phia (UK)",
    )
    parser.add_argument(
        "--allow-failing-diagnostics",
        action="store_true",
        help="state judgments whose draws fail the diagnostics floors (every page says so)",
    )


def _brief_parser(commands) -> None:
    brief = commands.add_parser("brief", help="write the uncertainty brief of a cube")
    brief.add_argument("cube", help="a cube written by riskengine run (cube.zarr or cube.nc)")
    brief.add_argument(
        "--format", choices=("html", "md"), default="html", help="html (default) or md"
    )
    brief.add_argument("--out", help="file to write (default: standard output)")
    _brief_options(brief)


def _fit_parser(commands) -> None:
    from riskengine.models import MODEL_NAMES

    fit = commands.add_parser("fit", help="calibrate a model on historical data (NUTS)")
    fit.add_argument("model", choices=MODEL_NAMES)
    fit.add_argument(
        "--data",
        help="the data: a directory (default: $RISKENGINE_DATA_DIR or ../shared/data), or "
        "for sanctions a case-table CSV read with --columns",
    )
    fit.add_argument("--columns", help="YAML map of a case-table CSV's columns (sanctions)")
    fit.add_argument(
        "--out", help="posterior file (default: riskengine/models/<model>/fitted/posterior.nc)"
    )
    # defaults (None): the model's shipped settings, so `riskengine fit MODEL` refits it
    fit.add_argument("--seed", type=_seed, help="default: the shipped posterior's seed")
    fit.add_argument("--chains", type=_positive, help="default: the shipped setting (4)")
    fit.add_argument("--warmup", type=_positive, help="default: the shipped setting")
    fit.add_argument("--samples", type=_positive, help="default: the shipped setting")
    fit.add_argument("--ppc", action="store_true", help="also run the posterior predictive checks")
    fit.add_argument(
        "--chain-method",
        choices=("sequential", "parallel"),
        default="parallel",
        help="parallel (default: one XLA host device per chain, sharing the cores) or sequential",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="riskengine", description="Monte Carlo risk engine for multilateral-security crises"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _run_parser(commands)
    _brief_parser(commands)
    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("configs", nargs="+", help="scenario YAML files")
    commands.add_parser("info", help="versions, devices and the default dask scheduler")
    _fit_parser(commands)
    upgrade = commands.add_parser(
        "upgrade", help="print a version-1 scenario file as version 2 (or rewrite it)"
    )
    upgrade.add_argument("configs", nargs="+", help="version-1 scenario YAML files")
    upgrade.add_argument(
        "--write", action="store_true", help="replace each file (atomically) instead of printing"
    )
    return parser


def _command_validate(arguments) -> int:
    from riskengine.config import validate_files

    problems = validate_files(arguments.configs)
    for path, lines in problems.items():
        print(
            f"{path}: ok" if not lines else "\n".join(lines),
            file=sys.stdout if not lines else sys.stderr,
        )
    return 2 if any(problems.values()) else 0


def _overrides(arguments) -> dict:
    names = {
        "seed": "seed",
        "paths": "paths_per_draw",
        "draws": "num_draws",
        "chains": "num_chains",
        "chunk_paths": "chunk_paths",
        "parameters": "parameters",
    }
    return {
        field: getattr(arguments, option)
        for option, field in names.items()
        if getattr(arguments, option) is not None
    }


def _command_run(arguments) -> int:
    import riskengine
    from riskengine.cube import cube_filename, write_cube
    from riskengine.cube.io import check_output_directory
    from riskengine.ensemble.checkpoint import CHECKPOINT_NAME, Checkpoint

    scenario = riskengine.load_scenario(arguments.config)
    if overrides := _overrides(arguments):
        scenario = scenario.with_ensemble(**overrides)
    out = check_output_directory(arguments.out or Path("out") / scenario.name)
    filename = cube_filename(arguments.format)
    checkpoint = Checkpoint(out / CHECKPOINT_NAME, resume=arguments.resume)
    cube = riskengine.run(
        scenario,
        scheduler=arguments.scheduler,
        workers=arguments.workers,
        progress=not arguments.no_progress,
        preflight=not arguments.yes,
        budget_seconds=None if arguments.yes else 60.0 * arguments.budget,
        checkpoint=checkpoint,
    )
    brief = riskengine.brief(
        cube,
        yardstick=arguments.yardstick,
        allow_failing_diagnostics=arguments.allow_failing_diagnostics,
    )
    cube_path = write_cube(cube, out / filename, arguments.format)
    html_path = brief.write(out / "brief.html", "html")
    markdown_path = brief.write(out / "brief.md", "md")
    checkpoint.remove()
    print(f"cube:  {cube_path}\nbrief: {html_path}\nbrief: {markdown_path}")
    return 0


def _brief_output(path: str | None) -> Path | None:
    """``--out`` of ``brief``: a file in an existing directory (not a directory)."""
    from riskengine.errors import UsageError

    if path is None:
        return None
    out = Path(path)
    if out.is_dir():
        raise UsageError(f"--out: got {path!r}, a directory; allowed: a file path")
    if not out.parent.is_dir():
        raise UsageError(
            f"--out: got {path!r}, but {str(out.parent)!r} is not a directory; "
            "allowed: a file in an existing directory"
        )
    return out


def _command_brief(arguments) -> int:
    import riskengine
    from riskengine.errors import UsageError

    cube_path = Path(arguments.cube)
    if not cube_path.exists():
        raise UsageError(
            f"CUBE: got {arguments.cube!r}, which does not exist; allowed: a cube written by "
            "riskengine run (DIR/cube.zarr or DIR/cube.nc)"
        )
    out = _brief_output(arguments.out)
    cube = riskengine.open_cube(cube_path)
    brief = riskengine.brief(
        cube,
        yardstick=arguments.yardstick,
        allow_failing_diagnostics=arguments.allow_failing_diagnostics,
    )
    if out is None:
        sys.stdout.write(brief.text(arguments.format))
    else:
        print(f"brief: {brief.write(out, arguments.format)}")
    return 0


def _command_info(arguments) -> int:
    from riskengine.info import describe

    print(describe())
    return 0


def _command_fit(arguments) -> int:
    from riskengine.inference import fit_command

    return fit_command(
        arguments.model,
        data=arguments.data,
        columns=arguments.columns,
        out=arguments.out,
        ppc=arguments.ppc,
        seed=arguments.seed,
        num_chains=arguments.chains,
        num_warmup=arguments.warmup,
        num_samples=arguments.samples,
        chain_method=arguments.chain_method,
    )


def _command_upgrade(arguments) -> int:
    from riskengine.config.upgrade import upgrade_files

    return upgrade_files(arguments.configs, write=arguments.write)


def _prepare_fit(arguments) -> None:
    """Parallel NUTS chains need one XLA host device per chain, set before jax loads."""
    chains = arguments.chains or 4
    count = f"--xla_force_host_platform_device_count={chains}"
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {count}".strip()


COMMANDS = {
    "run": _command_run,
    "brief": _command_brief,
    "validate": _command_validate,
    "info": _command_info,
    "fit": _command_fit,
    "upgrade": _command_upgrade,
}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one short line (``warning: ...``), without a source file and line."""
    print(f"warning: {message}", file=file or sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "fit":
        _prepare_fit(arguments)
    from riskengine.errors import RiskEngineError

    try:
        with warnings.catch_warnings():  # restores the caller's showwarning afterwards
            warnings.showwarning = _show_warning
            return COMMANDS[arguments.command](arguments)
    except RiskEngineError as error:
        print(f"riskengine {arguments.command}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
