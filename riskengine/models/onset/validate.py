"""``python -m riskengine.models.onset.validate [--quick] [--only ...]``: the onset model's
validation (issue 10, "deterrence the data can identify").

Runs, on the 1.84 million directed dyad-years 1816-2014: the posterior predictive check
of the shipped posterior (``fitted/posterior.nc``, refitted here when it is missing) on
the full dyad-years; the temporal backtest (fit before 1990, forecast every 1990-2014
dyad-year); the target-defence-pact effect overall and split before / from 1945 (a
variant fitted only here) next to the published studies
(:mod:`riskengine.models.onset.deterrence`); and the full simulation-based calibration
(real case-control covariates with their offset, spread over a dask LocalCluster) with
its negative control (the offset left out, which must be rejected) and the coverage of
the 90% intervals over the replications (recovery). Writes ``docs/validation/onset.md``
and ``onset.json``; exits 1 if a check fails. A check that raises is reported as failed
and the others still run.
"""

from __future__ import annotations

import sys

import numpy as np  # jax is imported only after the host device count is set

from riskengine.inference.validation import ppc_section

SEED = 20261210
SBC_CONTROL_FRACTION = 0.05
SBC_ROWS = 4000
SBC_OPTIONS = {"num_warmup": 150, "num_samples": 400, "thin": 20}
FAMILY_ALPHA = 0.01
BACKTEST_NUTS = {"num_chains": 4, "num_warmup": 500, "num_samples": 500}
SPLIT_NUTS = {"num_chains": 4, "num_warmup": 500, "num_samples": 500, "target_accept_prob": 0.85}


def _shipped_posterior(rng_key, frame):
    """The shipped posterior, or a refit with the shipped settings when it is missing."""
    from riskengine.inference.validation import shipped_or_refit
    from riskengine.models.onset.fit import FIT_DEFAULTS, POSTERIOR_PATH, fit_onset, sample_arrays

    def refit(options):
        arrays = sample_arrays(frame, seed=FIT_DEFAULTS["seed"])
        return fit_onset(rng_key, arrays, **options)[0]

    return shipped_or_refit(POSTERIOR_PATH, refit, FIT_DEFAULTS)


def posterior_check(rng_key, frame) -> dict:
    from riskengine.models.onset.checks import posterior_predictive_check

    tree, source = _shipped_posterior(rng_key, frame)
    table = posterior_predictive_check(rng_key, tree, frame)
    table["posterior"] = source
    return table


def backtest(rng_key, frame) -> dict:
    from riskengine.models.onset.backtest import backtest as run_backtest

    return {**run_backtest(rng_key, frame, **BACKTEST_NUTS), "nuts": BACKTEST_NUTS}


def deterrence(rng_key, frame) -> dict:
    """The pact's odds ratios (shipped model; split variant) and the published directions."""
    import jax

    from riskengine.models.onset import deterrence as study
    from riskengine.models.onset.fit import CONTROL_FRACTION, posterior_params

    key_shipped, key_split = jax.random.split(rng_key)
    tree, source = _shipped_posterior(key_shipped, frame)
    overall = study.effects_overall(np.asarray(posterior_params(tree).coefficients), frame)
    coefficients, report = study.fit_split(
        key_split, frame, control_fraction=CONTROL_FRACTION, seed=SEED, **SPLIT_NUTS
    )
    by_period = study.effects_by_period(coefficients, frame)
    return {
        "posterior": source,
        "overall": overall,
        "by_period": by_period,
        "split_fit": {**report, "nuts": SPLIT_NUTS, "split_year": study.SPLIT_YEAR},
        "rows": study.comparison(overall, by_period),
        # a comparison, not a test: it passes when the split variant's fit converged
        "passed": bool(report["max_rhat"] <= 1.01 and report["divergences"] == 0),
    }


def sbc(rng_key, frame, num_replications: int, num_control: int) -> dict:
    """SBC, its negative control and coverage, replications over a dask LocalCluster."""
    from riskengine.inference.validation import sbc_check
    from riskengine.models.onset.calibration import design_from_sample, run_sbc
    from riskengine.models.onset.data import case_control_sample

    # A case-control design, whatever the shipped fit uses: 4,000 rows of the full data
    # hold about six onsets (too few to identify anything), and a design with an offset
    # gives the negative control (the offset left out) something to miss.
    sample = case_control_sample(frame, control_fraction=SBC_CONTROL_FRACTION, rng_seed=SEED)
    design = design_from_sample(sample, SBC_ROWS)
    replications = (num_replications, num_control)
    result = sbc_check(run_sbc, rng_key, design, replications, SBC_OPTIONS, FAMILY_ALPHA)
    return {**result, "num_rows": SBC_ROWS}


def _backtest_section(result: dict) -> list[str]:
    from riskengine.inference.validation import fit_note
    from riskengine.models.onset.backtest import format_backtest

    return [format_backtest(result), "", fit_note(result), ""]


def _deterrence_section(result: dict) -> list[str]:
    from riskengine.models.onset.deterrence import format_comparison

    fit = result["split_fit"]
    note = (
        f"Overall: {result['posterior']}. Split variant (alliance columns times year < "
        f"{fit['split_year']} and year >= {fit['split_year']}; {fit['num_rows']:,} rows;"
        f" {fit['nuts']}): max R-hat {fit['max_rhat']:.3f}, min ESS bulk "
        f"{fit['min_ess_bulk']:.0f}, divergences {fit['divergences']}. Directions: 'reduces' "
        "when the 90% interval of the odds ratio lies below 1, 'increases' above 1, else "
        "'unclear'; the model column uses the pact with allies of typical capability."
    )
    return [format_comparison(result), "", note, ""]


def _sbc_section(result: dict) -> list[str]:
    from riskengine.inference.validation import sbc_section

    design = "real case-control covariates with their offset"
    return sbc_section(result, design, "the case-control offset left out")


TITLE = "Onset model validation"
SECTIONS = {
    "ppc": ("Posterior predictive check (all 1.84M dyad-years)", ppc_section),
    "backtest": ("Backtest (fit before 1990, forecast 1990-2014)", _backtest_section),
    "deterrence": (
        "Target defence pacts and initiation: the published studies",
        _deterrence_section,
    ),
    "sbc": ("Simulation-based calibration and recovery", _sbc_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    import jax

    from riskengine.inference.validation import run_checks
    from riskengine.models.onset.data import load_dyad_years

    frame = load_dyad_years()
    keys = jax.random.split(jax.random.key(SEED), 4)
    replications = (20, 10) if arguments.quick else (200, 40)
    checks = {
        "ppc": (posterior_check, keys[0], frame),
        "sbc": (sbc, keys[3], frame, *replications),
        "backtest": (backtest, keys[1], frame),
        "deterrence": (deterrence, keys[2], frame),
    }
    return run_checks("onset", TITLE, checks, SECTIONS, quick=arguments.quick, only=arguments.only)


if __name__ == "__main__":
    sys.exit(main())
