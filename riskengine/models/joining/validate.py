"""``python -m riskengine.models.joining.validate [--quick] [--only ...]``: the joining
model's validation (issue 10).

Runs, on the 595,718 MID candidates (dispute, side, third state) 1816-2014: the
posterior predictive check of the shipped posterior (``fitted/posterior.nc``, refitted
here when it is missing) on every candidate; the temporal backtest (fit on the disputes
that started before 1990, forecast every candidate of the 1990-2014 disputes, against
the base rate, overall and by commitment); and the full simulation-based calibration
(real case-control candidate rows with their offsets, durations and peaks, spread over
a dask LocalCluster) with its negative control (durations doubled in the simulation,
the true ones in the fit, which must be rejected) and the coverage of the 90% intervals
over the replications (recovery). Writes ``docs/validation/joining.md`` and
``joining.json``; exits 1 if a check fails. A check that raises is reported as failed
and the others still run.
"""

from __future__ import annotations

import sys

from riskengine.inference.validation import ppc_section

SEED = 20261211
SBC_ROWS = 4000
SBC_OPTIONS = {"num_warmup": 150, "num_samples": 400, "thin": 20}
FAMILY_ALPHA = 0.01
BACKTEST_NUTS = {"num_chains": 4, "num_warmup": 300, "num_samples": 300}
TITLE = "Joining model validation"


def _shipped_posterior(rng_key, candidates):
    """The shipped posterior, or a refit with the shipped settings when it is missing."""
    from riskengine.inference.validation import shipped_or_refit
    from riskengine.models.joining.data import case_control_sample
    from riskengine.models.joining.fit import FIT_DEFAULTS, POSTERIOR_PATH, fit_joining

    def refit(options):
        return fit_joining(rng_key, case_control_sample(candidates), **options)[0]

    return shipped_or_refit(POSTERIOR_PATH, refit, FIT_DEFAULTS)


def posterior_check(rng_key, candidates) -> dict:
    from riskengine.models.joining.checks import posterior_predictive_check

    tree, source = _shipped_posterior(rng_key, candidates)
    table = posterior_predictive_check(rng_key, tree, candidates)
    table["posterior"] = source
    return table


def backtest(rng_key, candidates) -> dict:
    from riskengine.models.joining.backtest import backtest as run_backtest

    return {**run_backtest(rng_key, candidates, **BACKTEST_NUTS), "nuts": BACKTEST_NUTS}


def sbc(rng_key, candidates, num_replications: int, num_control: int) -> dict:
    """SBC, its negative control and coverage, replications over a dask LocalCluster."""
    from riskengine.inference.validation import sbc_check
    from riskengine.models.joining.calibration import design_from_sample, run_sbc
    from riskengine.models.joining.data import case_control_sample

    design = design_from_sample(case_control_sample(candidates), SBC_ROWS)
    replications = (num_replications, num_control)
    result = sbc_check(run_sbc, rng_key, design, replications, SBC_OPTIONS, FAMILY_ALPHA)
    return {**result, "num_rows": SBC_ROWS}


def _backtest_section(result: dict) -> list[str]:
    from riskengine.inference.validation import fit_note
    from riskengine.models.joining.backtest import format_backtest

    return [format_backtest(result), "", fit_note(result), ""]


def _sbc_section(result: dict) -> list[str]:
    from riskengine.inference.validation import sbc_section

    design = "real case-control candidates with their offsets, durations and peaks"
    control = "durations doubled in the simulation, the true ones in the fit"
    return sbc_section(result, design, control)


SECTIONS = {
    "ppc": ("Posterior predictive check (all 595,718 candidates)", ppc_section),
    "backtest": ("Backtest (fit on disputes before 1990, forecast 1990-2014)", _backtest_section),
    "sbc": ("Simulation-based calibration and recovery", _sbc_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    import jax

    from riskengine.inference.validation import run_checks
    from riskengine.models.joining.data import load_candidates

    candidates = load_candidates()
    keys = jax.random.split(jax.random.key(SEED), 3)
    replications = (20, 10) if arguments.quick else (200, 40)
    checks = {
        "ppc": (posterior_check, keys[0], candidates),
        "backtest": (backtest, keys[1], candidates),
        "sbc": (sbc, keys[2], candidates, *replications),
    }
    return run_checks(
        "joining", TITLE, checks, SECTIONS, quick=arguments.quick, only=arguments.only
    )


if __name__ == "__main__":
    sys.exit(main())
