"""Martin (1992): do costly sanctions coincide with high cooperation among the senders?

Lisa Martin's 78 multilateral sanction cases (1939-1983; ``sanctions/martin1992_sanction.csv``)
code the cooperation among senders ``coop`` (1 minor .. 4 significant), the cost to the
leading sender ``cost`` (1 net gain, 2 little effect, 3 modest loss, 4 major loss), the
target's economic health ``target`` (1 strong .. 3 distressed), whether military action
accompanied the sanctions ``mil`` and whether import / export restrictions were used.
Martin's argument: a leading sender that bears costs signals commitment and so obtains
more cooperation; in an ordered model of ``coop`` the ``cost`` coefficient is positive.

Model (numpyro, NUTS): ordered logit of ``coop`` (4 categories) at location
``sum_j beta_j (x_j - mean x_j)`` over ``cost``, ``target``, ``mil``, ``import`` and
``export`` (centred, so the cut-points sit at the average case); the coefficients are per
unit of the original coding. Priors: slopes Normal(0, 2.5) (weakly informative on a logit
scale: an effect of 5 per unit is implausible), cut-points a first value Normal(0, 3)
plus positive gaps LogNormal(0.5, 1). ``num`` (number of sanctioning states) is left out:
it measures participation, much the same thing as the outcome. The distributing package
warns that this copy of the data has errors since corrected.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS

from riskengine.data.paths import data_dir, file_sha256, read_table

__all__ = [
    "MARTIN_FILE",
    "PREDICTORS",
    "load_martin",
    "model",
    "fit_martin",
    "martin_table",
]

MARTIN_FILE = "sanctions/martin1992_sanction.csv"
PREDICTORS = ("cost", "target", "mil", "import", "export")
COOPERATION_LEVELS = 4


def load_martin(data_folder=None):
    """The 78 cases as a DataFrame (``coop`` and ``PREDICTORS``) and the file's sha256."""
    folder = data_dir(data_folder)
    table = read_table(folder, MARTIN_FILE, ("coop", *PREDICTORS))
    return table, file_sha256(folder / MARTIN_FILE)


def model(predictors, cooperation=None):
    """Ordered logit of ``cooperation`` (0..3) on centred ``predictors`` (n, 5)."""
    coefficients = numpyro.sample("coefficients", dist.Normal(jnp.zeros(predictors.shape[-1]), 2.5))
    first = numpyro.sample("cutpoint_first", dist.Normal(0.0, 3.0))
    gaps = numpyro.sample("cutpoint_gaps", dist.LogNormal(jnp.full(2, 0.5), 1.0))
    cutpoints = numpyro.deterministic(
        "cutpoints", first + jnp.concatenate([jnp.zeros(1), jnp.cumsum(gaps)])
    )
    location = predictors @ coefficients
    with numpyro.plate("cases", predictors.shape[0]):
        numpyro.sample("cooperation", dist.OrderedLogistic(location, cutpoints), obs=cooperation)


def fit_martin(rng_key, data_folder=None, *, num_chains=4, num_warmup=1000, num_samples=1000):
    """Fit and summarise: a dict with coefficients (mean, sd, 90% interval, P(> 0)),
    cut-points, diagnostics and Martin's finding (the cost coefficient positive)."""
    import arviz as az

    table, sha256 = load_martin(data_folder)
    raw = table[list(PREDICTORS)].to_numpy(np.float64)
    means = raw.mean(axis=0)
    predictors = jnp.asarray(raw - means, jnp.float32)
    cooperation = jnp.asarray(table["coop"].to_numpy() - 1, jnp.int32)
    chain_method = "parallel" if jax.local_device_count() >= num_chains else "sequential"
    mcmc = MCMC(
        NUTS(model, target_accept_prob=0.9),
        num_warmup=num_warmup,
        num_samples=num_samples,
        num_chains=num_chains,
        chain_method=chain_method,
        progress_bar=False,
    )
    mcmc.run(rng_key, predictors, cooperation, extra_fields=("diverging",))
    samples = mcmc.get_samples(group_by_chain=True)
    coefficients = np.asarray(samples["coefficients"])  # (chain, draw, 5)
    rhat = np.asarray(az.rhat(coefficients))
    ess = np.asarray(az.ess(coefficients, method="bulk"))
    flat = coefficients.reshape(-1, len(PREDICTORS))
    rows = {
        name: {
            "mean": float(flat[:, j].mean()),
            "sd": float(flat[:, j].std()),
            "lower_5": float(np.quantile(flat[:, j], 0.05)),
            "upper_95": float(np.quantile(flat[:, j], 0.95)),
            "probability_positive": float(np.mean(flat[:, j] > 0)),
            "rhat": float(rhat[j]),
            "ess_bulk": float(ess[j]),
        }
        for j, name in enumerate(PREDICTORS)
    }
    cost = rows["cost"]
    return {
        "num_cases": len(table),
        "data_sha256": sha256,
        "predictor_means": dict(zip(PREDICTORS, means.tolist(), strict=True)),
        "coefficients": rows,
        "cutpoints_mean": np.asarray(samples["cutpoints"]).reshape(-1, 3).mean(0).tolist(),
        "divergences": int(np.sum(mcmc.get_extra_fields()["diverging"])),
        "cost_positive": bool(cost["lower_5"] > 0),
        "finding": (
            f"cost coefficient {cost['mean']:.2f} (90% interval {cost['lower_5']:.2f} to "
            f"{cost['upper_95']:.2f}, P(> 0) = {cost['probability_positive']:.3f}): "
            + (
                "costly sanctions coincide with higher cooperation, as Martin found"
                if cost["lower_5"] > 0
                else "the interval does not exclude 0: Martin's finding is not reproduced firmly"
            )
        ),
        "passed": bool(cost["lower_5"] > 0),
    }


def martin_table(result: dict) -> str:
    """Markdown table of the coefficients (per unit of the original coding)."""
    lines = [
        "| predictor | mean | sd | 5% | 95% | P(> 0) | R-hat | ESS bulk |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in result["coefficients"].items():
        lines.append(
            f"| {name} | {row['mean']:.3f} | {row['sd']:.3f} | {row['lower_5']:.3f} | "
            f"{row['upper_95']:.3f} | {row['probability_positive']:.3f} | {row['rhat']:.3f} | "
            f"{row['ess_bulk']:.0f} |"
        )
    return "\n".join(lines)
