"""``python -m riskengine.models.veto.validate [--quick] [--only ...]``: the veto model's
validation (issue 11).

Runs, on the 214 vetoed Security Council drafts 1946-2022 (140 of them in the alignment
part) and the 385 member-years of vetoes: the posterior predictive check of the shipped
posterior (``fitted/posterior.nc``, refitted here when it is missing): vetoes per member,
per count period, per decade and per member and decade, and who vetoed the alignment-part
drafts; the simulation-based calibration on the real design (replications spread over a
dask LocalCluster) with its negative control (the untruncated likelihood fitted to
truncated data, which must be rejected) and the coverage of the 90% intervals (80 + 40
replications of 100 warmup + 200 draws: about 15 min on 2 shared cores); and the
recovery of a fixed truth (the shipped posterior's medians) from one simulated data set
fitted with the full 4-chain NUTS; and a refit without the drafts whose target coding
is marked low-confidence (the shared effects must not move beyond their intervals).
Writes ``docs/validation/veto.md`` and ``veto.json``; exits 1 if a check fails (the
posterior predictive check does: the 0.5-0.7 alignment band, see the notes). A check
that raises is reported as failed and the others still run.
"""

from __future__ import annotations

import sys

from riskengine.inference.validation import ppc_section

SEED = 20261201
SBC_OPTIONS = {"num_warmup": 100, "num_samples": 200, "thin": 10}
FAMILY_ALPHA = 0.01
RECOVERY_NUTS = {"num_chains": 4, "num_warmup": 500, "num_samples": 500}
RECOVERY_FLOOR = 0.8  # share of the 45 truths inside their 90% intervals
TITLE = "Veto model validation"


def _shipped_posterior(rng_key, drafts):
    """The shipped posterior, or a refit with the shipped settings when it is missing."""
    from riskengine.inference.validation import shipped_or_refit
    from riskengine.models.veto.fit import FIT_DEFAULTS, POSTERIOR_PATH, fit_veto

    def refit(options):
        return fit_veto(rng_key, drafts, **options)[0]

    return shipped_or_refit(POSTERIOR_PATH, refit, FIT_DEFAULTS)


def posterior_check(rng_key, drafts) -> dict:
    from riskengine.models.veto.checks import posterior_predictive_check

    tree, source = _shipped_posterior(rng_key, drafts)
    table = posterior_predictive_check(rng_key, tree, drafts)
    table["posterior"] = source
    return table


def sbc(rng_key, drafts, num_replications: int, num_control: int) -> dict:
    """SBC, its negative control and coverage, replications over a dask LocalCluster."""
    from riskengine.inference.validation import sbc_check
    from riskengine.models.veto.calibration import design_from_drafts, run_sbc

    design = design_from_drafts(drafts)
    replications = (num_replications, num_control)
    result = sbc_check(run_sbc, rng_key, design, replications, SBC_OPTIONS, FAMILY_ALPHA)
    return {**result, "num_rows": len(design.era)}


def recovery(rng_key, drafts) -> dict:
    """The shipped posterior's medians as the truth, one simulated data set, a full fit."""
    import jax
    import numpy as np

    from riskengine.models.veto.calibration import design_from_drafts
    from riskengine.models.veto.calibration import recovery as run_recovery
    from riskengine.models.veto.fit import posterior_params

    key_posterior, key_recovery = jax.random.split(rng_key)
    tree, source = _shipped_posterior(key_posterior, drafts)
    params = posterior_params(tree)
    truth = jax.tree.map(lambda value: np.median(np.asarray(value), axis=0), params)
    result = run_recovery(key_recovery, design_from_drafts(drafts), truth, **RECOVERY_NUTS)
    passed = result["share_inside_90"] >= RECOVERY_FLOOR and result["fit_diagnostics"]["passed"]
    return {**result, "truth": f"medians of {source}", "nuts": RECOVERY_NUTS, "passed": passed}


EFFECTS = ("alignment_effect", "gap_effect", "party_effect", "contestedness_scale")


def _effect_summary(tree) -> dict:
    import numpy as np

    posterior = tree["posterior"].to_dataset()
    summary = {}
    for name in EFFECTS:
        values = np.asarray(posterior[name].values).ravel()
        low, high = np.quantile(values, [0.05, 0.95])
        summary[name] = {
            "mean": float(values.mean()),
            "lower_5": float(low),
            "upper_95": float(high),
        }
    return summary


def sensitivity(rng_key, drafts) -> dict:
    """Refit without the 20 alignment-part drafts whose target coding is marked ``low``
    confidence; the four shared effects' 90% intervals must overlap the shipped fit's."""
    import jax

    from riskengine.inference.fit import diagnostics
    from riskengine.models.veto.fit import fit_veto

    key_posterior, key_fit = jax.random.split(rng_key)
    tree, source = _shipped_posterior(key_posterior, drafts)
    confident = drafts.copy()
    confident["in_alignment_part"] &= confident["confidence"] == "high"
    refit, _ = fit_veto(key_fit, confident, **RECOVERY_NUTS)
    full, reduced = _effect_summary(tree), _effect_summary(refit)
    overlap = {
        name: full[name]["lower_5"] <= reduced[name]["upper_95"]
        and reduced[name]["lower_5"] <= full[name]["upper_95"]
        for name in EFFECTS
    }
    return {
        "num_drafts": int(confident["in_alignment_part"].sum()),
        "full": full,
        "high_confidence_only": reduced,
        "overlap": overlap,
        "fit_diagnostics": diagnostics(refit),
        "posterior": source,
        "nuts": RECOVERY_NUTS,
        "passed": all(overlap.values()),
    }


def _sensitivity_section(result: dict) -> list[str]:
    from riskengine.inference.validation import table

    d = result["fit_diagnostics"]
    text = (
        f"Refit on the {result['num_drafts']} alignment-part drafts whose target coding is "
        f"high-confidence ({result['nuts']}; max R-hat {d['max_rhat']:.3f}, min ESS bulk "
        f"{d['min_ess_bulk']:.0f}, divergences {d['divergences']}), against "
        f"{result['posterior']} (all 140). Means and 90% intervals:"
    )

    def cell(row):
        return f"{row['mean']:.2f} [{row['lower_5']:.2f}, {row['upper_95']:.2f}]"

    rows = [
        (name, cell(result["full"][name]), cell(result["high_confidence_only"][name]),
         "yes" if result["overlap"][name] else "NO")
        for name in EFFECTS
    ]  # fmt: skip
    header = ("effect", "all drafts", "high-confidence only", "intervals overlap")
    return [text, "", *table(header, rows)]


def _sbc_section(result: dict) -> list[str]:
    from riskengine.inference.validation import sbc_section

    design = "the real design (alignment-part drafts, with the 385 member-years)"
    control = "the untruncated likelihood fitted to data simulated with the truncation"
    return sbc_section(result, design, control)


def _recovery_section(result: dict) -> list[str]:
    from riskengine.inference.validation import table

    d = result["fit_diagnostics"]
    text = (
        f"Truth: {result['truth']}; one data set simulated on the real design, fitted with "
        f"{result['nuts']} (max R-hat {d['max_rhat']:.3f}, min ESS bulk "
        f"{d['min_ess_bulk']:.0f}, divergences {d['divergences']}). Truths inside their 90% "
        f"intervals: {result['share_inside_90']:.2f} (floor {RECOVERY_FLOOR}); largest "
        f"|z| {result['max_abs_z']:.2f}."
    )
    rows = [
        (
            n,
            f"{r['truth']:.2f}",
            f"{r['mean']:.2f}",
            f"{r['sd']:.2f}",
            "yes" if r["inside_90"] else "NO",
        )
        for n, r in result["parameters"].items()
    ]
    return [text, "", *table(("parameter", "truth", "mean", "sd", "inside 90%"), rows)]


SECTIONS = {
    "ppc": ("Posterior predictive check (vetoes per member, period, decade)", ppc_section),
    "sbc": ("Simulation-based calibration and coverage", _sbc_section),
    "recovery": ("Parameter recovery (fixed truth)", _recovery_section),
    "sensitivity": ("Sensitivity to the low-confidence target codes", _sensitivity_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    import jax

    from riskengine.inference.validation import run_checks
    from riskengine.models.veto.data import load_drafts

    drafts = load_drafts()
    keys = jax.random.split(jax.random.key(SEED), 4)
    replications = (20, 10) if arguments.quick else (80, 40)
    checks = {
        "ppc": (posterior_check, keys[0], drafts),
        "sbc": (sbc, keys[1], drafts, *replications),
        "recovery": (recovery, keys[2], drafts),
        "sensitivity": (sensitivity, keys[3], drafts),
    }
    return run_checks("veto", TITLE, checks, SECTIONS, quick=arguments.quick, only=arguments.only)


if __name__ == "__main__":
    sys.exit(main())
