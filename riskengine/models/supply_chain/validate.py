"""``python -m riskengine.models.supply_chain.validate [--quick] [--only ...]``: the
supply model's validation.

The model is not fitted (no disruption history to fit; every hazard rests on a stated
prior), so there is no posterior predictive check, SBC or backtest to run; it is
validated as a simulator instead:

- ``closed_form``: a chokepoint closing and reopening as a two-state chain, P(short in
  month m) against the closed form over 36 months and a crisis level, at 400,000 paths;
- ``rare_event``: the importance-sampling estimator against the exact probability of a
  rare event (about 1e-3), with its variance reduction, at 2,000,000 paths;
- ``red_sea``: the model's predictive intervals of the 2024 Red Sea diversion against
  EIA's figures (not independent of the priors, which cite the same episode);
- ``cascade``: the Taiwan cascade at its shipped size through the engine (every
  path-month's ledger checked in the task), with its headline figures; it passes when
  the run completes and the 90-day pool lowers or keeps the EU's headline probability
  in every draw (with common random numbers it cannot raise it: the EU holds nothing
  alone, and a pool share is never negative).

Writes ``docs/validation/supply_chain.md`` and ``supply_chain.json``; exits 1 if a check
fails.
"""

from __future__ import annotations

import sys

import numpy as np

SEED = 20261213
TITLE = "Supply-chain model validation (a simulator: not fitted)"
Z_LIMIT = 5.0


def closed_form(seed: int, num_paths: int) -> dict:
    from riskengine.models.supply_chain.testing import example_params, simulate, single_line

    params = example_params(closure_severity=1.25, closure_end=0.2, closure_level_slope=0.5)
    inputs = single_line(
        sourcing=0.0, route=1.0, restriction_probability=1e-6, closure_probability=0.03
    )
    rows = []
    for level in (0, 3):
        shortfall, _ = simulate(
            params, inputs, num_months=36, num_paths=num_paths, seed=seed + level, level=level
        )
        p = float(np.float32(1 / (1 + np.exp(-(np.log(0.03 / 0.97) + 0.5 * level)))))
        stationary = p / (p + 0.2)
        expected = stationary + (p - stationary) * (1 - p - 0.2) ** np.arange(36)
        simulated = (shortfall[:, 0, 0] > 0.999).mean(axis=1)
        z = (simulated - expected) / np.sqrt(expected * (1 - expected) / num_paths)
        rows.append({"level": level, "max_abs_z": float(np.abs(z).max()), "months": 36})
    worst = max(row["max_abs_z"] for row in rows)
    return {"passed": worst <= Z_LIMIT, "rows": rows, "paths": num_paths}


def rare_event(seed: int, num_paths: int) -> dict:
    from riskengine.models.supply_chain.testing import example_params, simulate, single_line
    from riskengine.primitives.ordered_logit import probability_to_bits

    probability = 1e-4
    params = example_params(restriction_coverage=0.6, restriction_end=1e-6)
    inputs = single_line(
        restriction_probability=probability, closure_probability=1e-9, rare_threshold=0.5, tilt=16.0
    )
    weights, plain = [], []
    for block in range(num_paths // 200_000):
        _, state = simulate(
            params, inputs, num_months=12, num_paths=200_000, seed=seed + block, importance=True
        )
        hits = np.asarray(state.hazards.window_max) >= 0.5
        weights.append(
            np.where(hits[1], np.exp(np.asarray(state.hazards.log_weight[1], np.float64)), 0.0)
        )
        plain.append(hits[0].astype(np.float64))
    weights, plain = np.concatenate(weights), np.concatenate(plain)
    realised = float(np.asarray(probability_to_bits(np.float32(probability)))) * 2.0**-32
    exact = 1.0 - (1.0 - realised) ** 12
    error = weights.std() / np.sqrt(len(weights))
    z = (weights.mean() - exact) / error
    ratio = exact * (1 - exact) / weights.var()
    return {
        "passed": abs(z) <= Z_LIMIT and ratio >= 5.0,
        "exact": exact,
        "importance_sampling": float(weights.mean()),
        "standard_error": float(error),
        "z": float(z),
        "plain": float(plain.mean()),
        "variance_ratio": float(ratio),
        "paths": len(weights),
    }


def red_sea(seed: int) -> dict:
    import jax

    from riskengine.models.supply_chain.checks import red_sea_check

    return red_sea_check(jax.random.key(seed))


def cascade(quick: bool) -> dict:
    from pathlib import Path

    import riskengine

    root = Path(__file__).resolve().parents[3]
    scenario = riskengine.load_scenario(root / "configs" / "taiwan_cascade.yaml")
    if quick:
        scenario.ensemble.num_draws = 10
    cube = riskengine.run(scenario, progress=False)
    predictions = cube["predictions"].to_dataset()
    headline = predictions["p_headline_shortfall_above_20pct"]
    given = riskengine.conditional(
        cube, "supply_chain:shortfall_above_20pct", given="escalation:use_of_force"
    )
    lever = headline.sel(variant="allied_pool_90d") - headline.sel(variant="baseline")
    result = {
        "passed": bool((lever <= 0).all()),
        "pool_lowers_in_share_of_draws": float((lever < 0).mean()),
        "variants": [str(v) for v in predictions["variant"].values],
    }
    for name, values in (("p_headline", headline), ("p_given_use_of_force", given["probability"])):
        result[name] = {
            "mean": [float(v) for v in values.mean(("chain", "draw")).values],
            "interval": [
                [float(v) for v in values.quantile(q, ("chain", "draw")).values]
                for q in (0.05, 0.95)
            ],
        }
    return result


def _closed_form_section(result: dict) -> list[str]:
    rows = [f"| {r['level']} | {r['months']} | {r['max_abs_z']:.2f} |" for r in result["rows"]]
    return [
        f"{result['paths']:,} paths; |z| at most {Z_LIMIT}.",
        "",
        "| crisis level | months | max abs z |",
        "|---|---|---|",
        *rows,
        "",
    ]


def _rare_section(result: dict) -> list[str]:
    return [
        f"{result['paths']:,} paths: exact {result['exact']:.4e}; importance sampling "
        f"{result['importance_sampling']:.4e} (SE {result['standard_error']:.2e}, z {result['z']:.2f}); "
        f"plain {result['plain']:.4e}; variance ratio per path (plain / IS) {result['variance_ratio']:.1f} "
        "(floor 5).",
        "",
    ]


def _red_sea_section(result: dict) -> list[str]:
    lines = ["| figure (mb/d) | EIA 2024 | model median | 90% interval |", "|---|---|---|---|"]
    for name in ("bab_el_mandeb_flow", "cape_rise"):
        entry = result[name]
        low, high = entry["interval"]
        lines.append(
            f"| {name} | {entry['observed']:.1f} | {entry['median']:.2f} | {low:.2f} to {high:.2f} |"
        )
    return [
        *lines,
        "",
        "Not independent of the priors: severity and rerouting priors cite the same episode.",
        "",
    ]


def _cascade_section(result: dict) -> list[str]:
    lines = [
        "| variant | P(EU magnet shortfall >= 20% within 12 months) | given use of force |",
        "|---|---|---|",
    ]
    for index, variant in enumerate(result["variants"]):
        cells = []
        for name in ("p_headline", "p_given_use_of_force"):
            entry = result[name]
            cells.append(
                f"{entry['mean'][index]:.3f} ({entry['interval'][0][index]:.3f} to {entry['interval'][1][index]:.3f})"
            )
        lines.append(f"| {variant} | {cells[0]} | {cells[1]} |")
    share = result["pool_lowers_in_share_of_draws"]
    return [
        *lines,
        "",
        "Means over draws with 90% intervals; prior draws (the model is not fitted). The pool "
        f"lowers the headline probability in {share:.0%} of draws and raises it in none.",
        "",
    ]


SECTIONS = {
    "closed_form": ("Closed form: a closure as a two-state chain", _closed_form_section),
    "rare_event": ("Importance sampling against the exact probability", _rare_section),
    "red_sea": ("The 2024 Red Sea diversion (EIA)", _red_sea_section),
    "cascade": ("The Taiwan cascade through the engine", _cascade_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments, run_checks

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    paths = 100_000 if arguments.quick else 400_000
    checks = {
        "closed_form": (closed_form, SEED, paths),
        "rare_event": (rare_event, SEED + 10, 400_000 if arguments.quick else 2_000_000),
        "red_sea": (red_sea, SEED + 20),
        "cascade": (cascade, arguments.quick),
    }
    return run_checks(
        "supply_chain", TITLE, checks, SECTIONS, quick=arguments.quick, only=arguments.only
    )


if __name__ == "__main__":
    sys.exit(main())
