"""``python -m riskengine.models.coalition.support_validate [--quick] [--only ...]``: the
member support model's validation (issue 11, item 3).

Runs, on the TIES candidates (140 state-led cases with at least one joiner, 1949-2005,
21,079 candidates):
the posterior predictive check of the shipped posterior (``fitted/support_posterior.nc``,
refitted here when it is missing); the temporal backtests (fit on the cases that started
before 1990, and before 1995, forecast the candidates of the later ones, against the
base rate); the
simulation-based calibration (real candidates of real cases, selection-conditional
simulation) with its negative control (the likelihood without the selection term, which
must be rejected) and the 90% coverage over the replications (recovery); and the
variants (the five-sender cap read as unknown outcomes; every eligible case, unilateral
ones too, on a case-control sample without the selection term), whose slopes are set
beside the shipped ones. Writes ``docs/validation/coalition_support.md`` and ``.json``;
exits 1 if a check fails; a check that raises is reported as failed, the others still run.
"""

from __future__ import annotations

import sys

from riskengine.inference.validation import ppc_section

SEED = 20261216
SBC_CASES, SBC_MEMBERS = 60, 20  # 20 members: the selection binds in half the prior draws
SBC_OPTIONS = {"num_warmup": 150, "num_samples": 400, "thin": 20}
FAMILY_ALPHA = 0.01
BACKTEST_NUTS = {"num_chains": 4, "num_warmup": 300, "num_samples": 300}
VARIANT_NUTS = {"num_chains": 4, "num_warmup": 300, "num_samples": 300}
ALL_CASES_CONTROL_FRACTION = 0.1
TITLE = "Coalition member support model validation"
MODEL = "coalition_support"
COMMAND = "riskengine.models.coalition.support_validate"


def _shipped_posterior(rng_key, frame):
    """The shipped posterior, or a refit with the shipped settings when it is missing."""
    from riskengine.inference.validation import shipped_or_refit
    from riskengine.models.coalition.support_fit import FIT_DEFAULTS, POSTERIOR_PATH, fit_support

    def refit(options):
        return fit_support(rng_key, frame, **options)[0]

    return shipped_or_refit(POSTERIOR_PATH, refit, FIT_DEFAULTS)


def posterior_check(rng_key, frame) -> dict:
    from riskengine.models.coalition.support_checks import posterior_predictive_check

    tree, source = _shipped_posterior(rng_key, frame)
    table = posterior_predictive_check(rng_key, tree, frame)
    table["posterior"] = source
    return table


def backtest(rng_key, frame, cutoff_year: int) -> dict:
    from riskengine.models.coalition.support_backtest import backtest as run_backtest
    from riskengine.models.coalition.support_fit import LISTING

    result = run_backtest(rng_key, frame, cutoff_year=cutoff_year, listing=LISTING, **BACKTEST_NUTS)
    return {**result, "nuts": BACKTEST_NUTS}


def sbc(rng_key, frame, num_replications: int, num_control: int) -> dict:
    """SBC, its negative control and coverage, replications over a dask LocalCluster."""
    from riskengine.inference.validation import sbc_check
    from riskengine.models.coalition.support_calibration import design_from_frame, run_sbc

    design = design_from_frame(frame, SBC_CASES, SBC_MEMBERS)
    replications = (num_replications, num_control)
    result = sbc_check(run_sbc, rng_key, design, replications, SBC_OPTIONS, FAMILY_ALPHA)
    return {**result, "num_rows": SBC_CASES * SBC_MEMBERS}


def variants(rng_key, frame) -> dict:
    """Slopes (posterior mean, 5% and 95%) of the shipped fit and of the two variants."""
    import jax

    from riskengine.models.coalition.support_variants import compare_variants

    keys = jax.random.split(rng_key, 2)
    return compare_variants(keys, frame, ALL_CASES_CONTROL_FRACTION, VARIANT_NUTS)


def _backtest_section(result: dict) -> list[str]:
    from riskengine.inference.validation import fit_note
    from riskengine.models.coalition.support_backtest import format_backtest

    return [format_backtest(result), "", fit_note(result), ""]


def _sbc_section(result: dict) -> list[str]:
    from riskengine.inference.validation import sbc_section

    design = "real candidates of real TIES cases, simulated conditional on a joiner per case"
    control = "the same data fitted without the selection term"
    return sbc_section(result, design, control)


def _variants_section(result: dict) -> list[str]:
    from riskengine.models.coalition.support_variants import format_variants

    return format_variants(result)


SECTIONS = {
    "ppc": ("Posterior predictive check (140 cases, 21,079 candidates)", ppc_section),
    "backtest": ("Backtest (fit on cases before 1990, forecast 1990-2005)", _backtest_section),
    "backtest_1995": (
        "Backtest (fit on cases before 1995, forecast 1995-2005)",
        _backtest_section,
    ),
    "sbc": ("Simulation-based calibration and recovery", _sbc_section),
    "variants": ("Variants: the listing cap and the unilateral cases", _variants_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    import jax

    from riskengine.inference.validation import run_checks
    from riskengine.models.coalition.support_data import load_candidates

    frame = load_candidates()
    keys = jax.random.split(jax.random.key(SEED), 5)
    replications = (20, 10) if arguments.quick else (100, 30)
    checks = {
        "ppc": (posterior_check, keys[0], frame),
        "backtest": (backtest, keys[1], frame, 1990),
        "backtest_1995": (backtest, keys[4], frame, 1995),
        "sbc": (sbc, keys[2], frame, *replications),
        "variants": (variants, keys[3], frame),
    }
    code = run_checks(MODEL, TITLE, checks, SECTIONS, quick=arguments.quick, only=arguments.only)
    _name_the_command()
    return code


def _name_the_command() -> None:
    """The shared report names ``riskengine.models.<model>.validate``; this model's
    command is ``riskengine.models.coalition.support_validate``."""
    from riskengine.inference.validation import DOCS

    report = DOCS / f"{MODEL}.md"
    text = report.read_text()
    text = text.replace(f"riskengine.models.{MODEL}.validate", COMMAND)
    report.write_text(text.replace(f" (`make validate MODEL={MODEL}`)", ""))


if __name__ == "__main__":
    sys.exit(main())
