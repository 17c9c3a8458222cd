# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quickstart: from a scenario file to a brief
#
# `riskengine` estimates how likely a crisis is to escalate, and how policy choices change
# those odds. It simulates many thousands of crises with its models (numpyro + JAX; here the
# escalation model) for every draw of the models' parameters, so each answer is a
# probability *with* its uncertainty. The results land in an arviz-ready `xarray.DataTree`
# (the *cube*), from which the engine writes a short uncertainty brief in estimative
# language.
#
# This notebook walks through one run: load a scenario, change it in code, run the ensemble,
# look at the cube, summarise and plot it, read the brief, and save the cube.

# %% tags=["parameters"]
# Parameters (papermill overrides these; the defaults are the sizes of configs/quickstart.yaml).
config_path = "../configs/quickstart.yaml"  # relative to notebooks/, where Jupyter starts
paths_per_draw = 2_000  # simulated crises per parameter draw and variant
num_draws = 100  # parameter draws per chain
num_chains = 4  # chains of parameter draws
scheduler = None  # None: an embedded LocalCluster; or "threads", or "tcp://HOST:PORT"
output_dir = "../out/quickstart-notebook"  # where the cube and the brief are written

# %%
import json
from pathlib import Path

import arviz as az
import matplotlib.pyplot as plt
import pandas as pd

import riskengine
from riskengine.config import Variant
from riskengine.errors import ConfigError

# %% [markdown]
# ## 1. Load the scenario
#
# A scenario file (schema version 2) declares its **actors** once, then has one section per
# model it runs: here `escalation`, which names the crisis (who confronts whom, with which
# partners, at which level it starts). It lists the policy **variants** to compare and the
# ensemble settings. `load_scenario` validates it and reports every problem with its file
# and line. (A version-1 file, with a `crisis:`, is refused with a message naming
# `riskengine upgrade FILE --write`, which converts it.)

# %%
scenario = riskengine.load_scenario(config_path)
print(scenario.title)
print(scenario.description)
print(f"models: {', '.join(scenario.model_names)}")
print(f"actors: {', '.join(scenario.actor_table)}")
crisis = scenario.escalation
supporters = ", ".join(crisis.member_names)
print(f"{crisis.challenger} confronts {crisis.defender}, supported by {supporters}")
print(f"horizon: {scenario.horizon_months} months; start level: {crisis.start_level}")


# %% [markdown]
# Each variant changes the crisis in one way, through a patch of the model's section (its
# `escalation:` entry); the first one is the reference the others are compared with.


# %%
def variant_table(scenario):
    """One row per variant: its name, description and the changes it makes."""
    rows = [
        {
            "variant": variant.name,
            "description": variant.description,
            "changes": variant.model_dump(exclude_defaults=True, exclude={"name", "description"}),
        }
        for variant in scenario.variants
    ]
    return pd.DataFrame(rows).set_index("variant")


variant_table(scenario)

# %% [markdown]
# ## 2. Change it in code
#
# The scenario is a validated object: every assignment is checked like the YAML file is,
# so a typo fails here, with a message that says what is allowed, not deep inside a run.
# We set the ensemble size from the notebook's parameters and add a fourth variant that
# combines a Finnish defence commitment with mediation (a patch of the escalation section,
# written as in the YAML file).

# %%
scenario.ensemble.paths_per_draw = paths_per_draw
scenario.ensemble.num_draws = num_draws
scenario.ensemble.num_chains = num_chains
scenario.variants = [
    *scenario.variants,
    Variant.build(
        name="commit_and_mediate",
        description="Finland commits to Estonia's defence and a mediation effort is active",
        escalation={"set_commitment": {"Finland": "defence_pact"}, "crisis_management": True},
    ),
]
variant_table(scenario)

# %% [markdown]
# Invalid values are refused and the scenario keeps its previous value:


# %%
def try_to_set(target, field, value):
    """Assign ``value`` and print the ConfigError if the schema refuses it."""
    try:
        setattr(target, field, value)
    except ConfigError as error:
        print(f"ConfigError: {error}")


try_to_set(scenario, "horizon_months", 0)
try_to_set(scenario.ensemble, "paths_per_draw", 2.5)
try_to_set(scenario.escalation, "start_level", "escalated")
print(
    f"unchanged: {scenario.horizon_months} months, {scenario.ensemble.paths_per_draw} paths, "
    f"start level {scenario.escalation.start_level}"
)

# %% [markdown]
# ## 3. Run the ensemble
#
# `riskengine.run` draws `num_chains x num_draws` parameter sets, simulates `paths_per_draw`
# crises for each of them and each variant, and counts the outcomes. By default it starts a
# dask `LocalCluster` on this machine (one worker per core) and closes it afterwards; pass
# `scheduler="threads"` for a quick local run, a scheduler address for an existing cluster,
# or `client=` for a `distributed.Client` you already have. The progress bar shows the
# ensemble's tasks. The results do not depend on the scheduler or the number of workers:
# every simulated crisis has its own random stream derived from the seed.

# %%
cube = riskengine.run(scenario, scheduler=scheduler)

# %% [markdown]
# ## 4. The cube
#
# The cube is an `xarray.DataTree` laid out like arviz expects:
#
# - `posterior`: the models' parameter draws, `(chain, draw, ...)`, each named after its
#   model (`escalation.coefficients`, `escalation.step_cutpoints`, ...);
# - `predictions`: the risk metrics for every parameter draw and variant, e.g.
#   `p_war_by (chain, draw, variant, month)` and `p_war_within (chain, draw, variant)`, with
#   the raw path counts they come from;
# - `constant_data`: the scenario's inputs per variant (the model's covariates).
#
# The root attributes record the provenance: the configuration text and its SHA-256, the
# seed and key scheme, the package versions, the git revision and where the run happened.
# Because we changed the scenario in code, `config_text` holds the changed scenario (as
# YAML, ready for `riskengine.load_scenario_text`), and its hash differs from the file's.

# %%
cube

# %%
cube["posterior"]["escalation.coefficients"].mean(("chain", "draw")).to_series()

# %%
provenance = {
    name: cube.attrs[name]
    for name in ["scenario_name", "parameter_source", "seed", "paths_per_draw", "config_sha256"]
}
pd.Series(provenance, name="value").to_frame()

# %% [markdown]
# **Prior or posterior?** The group is called `posterior` because arviz expects that name,
# but the attribute `parameter_source` says where the draws came from. `posterior` means
# the parameters of a model fitted to the historical disputes; `prior` means no fitted
# posterior was available, so the probabilities only follow the model's prior assumptions
# and are correspondingly wide. Read every number below in that light. (When a scenario runs
# several models whose sources differ, `parameter_source` reads e.g.
# `escalation=posterior, sanctions=prior`; `parameter_provenance` has one entry per model.)

# %%
source = cube.attrs["parameter_source"]
print(f"Parameter draws: {source}")
for model, details in json.loads(cube.attrs["parameter_provenance"]).items():
    print(f"{model}: {details.get('note') or details.get('file')}")

# %% [markdown]
# ## 5. What the numbers mean
#
# For each parameter draw the engine estimates a probability from `paths_per_draw`
# simulated crises (e.g. the share that reach war within the horizon). The spread of these
# probabilities over the draws is our uncertainty about the model's parameters:
#
# - `mean`: the probability we report (averaged over parameter draws);
# - `eti90_lb`, `eti90_ub`: the 90% credible interval (equal-tailed: 5% and 95% quantiles
#   over the draws); a wide interval means the parameters leave the answer open;
# - `mcse_mean`: the Monte Carlo standard error of the mean, i.e. how much the reported
#   mean would move if we reran with another seed. Make it small compared with the
#   differences you care about by raising `num_draws` (or `paths_per_draw`);
# - `ess_bulk`, `ess_tail`: effective sample sizes, the number of independent draws the
#   chains are worth; `r_hat` near 1 says the chains agree.

# %%
az.summary(
    cube,
    group="predictions",
    var_names=["p_use_of_force_within", "p_war_within"],
    ci_prob=0.9,
    round_to=3,
)

# %% [markdown]
# ## 6. Plots
#
# The cumulative probability of use of force (or war) and of war by each month, one column
# per variant: the line is the mean over parameter draws, the shaded band holds the middle
# 90% of the draws (5% to 95% quantiles), the dashed line repeats the baseline's mean.
# The bands of different variants look alike mostly because all variants share the same
# uncertain parameters: in a draw where escalation is likely, it is likely under every
# variant. To compare variants, look at their difference draw by draw
# (the brief's "change vs baseline" column), not at whether the bands overlap.

# %%
predictions = cube["predictions"].to_dataset()
variants = [str(name) for name in predictions["variant"].values]
months = predictions["month"].values
events = {"p_use_of_force_by": "P(use of force by month)", "p_war_by": "P(war by month)"}
figure, axes = plt.subplots(
    len(events), len(variants), figsize=(3 * len(variants), 6), sharex=True, sharey=True
)
for row, (name, label) in enumerate(events.items()):
    draws = predictions[name].stack(sample=("chain", "draw"))
    mean = draws.mean("sample")
    band = draws.quantile([0.05, 0.95], dim="sample")
    for column, variant in enumerate(variants):
        axis = axes[row, column]
        axis.fill_between(
            months,
            band.sel(quantile=0.05, variant=variant),
            band.sel(quantile=0.95, variant=variant),
            alpha=0.25,
            label="90% of draws",
        )
        axis.plot(months, mean.sel(variant=variant), label="mean")
        if column > 0:
            axis.plot(months, mean.sel(variant=variants[0]), "k--", lw=1, label=variants[0])
        axis.set_title(variant if row == 0 else "")
    axes[row, 0].set_ylabel(label)
for axis in axes[-1]:
    axis.set_xlabel("month")
axes[0, -1].legend(loc="center right")
figure.tight_layout()

# %% [markdown]
# The same comparison within the horizon as an arviz forest plot: the dot is the mean, the
# thick and thin lines the 50% and 90% intervals over parameter draws.

# %%
forest = az.plot_forest(
    cube,
    group="predictions",
    var_names=["p_use_of_force_within", "p_war_within"],
    combined=True,
    ci_probs=(0.5, 0.9),
)

# %% [markdown]
# ## 7. The brief
#
# `riskengine.brief` turns the cube into key judgments: for each variant the probability,
# its 90% credible interval and MCSE, the ICD 203 terms its interval spans
# (`yardstick="phia"` for the UK yardstick), a confidence rating kept apart from the
# likelihood, the change against the baseline variant with the probability that it is
# lower, what each lever rests on (the mediation lever: its prior alone), the drivers,
# figures and the provenance. It renders as HTML in Jupyter; `brief.markdown` holds the
# same numbers as Markdown.

# %%
brief = riskengine.brief(cube)
brief

# %% [markdown]
# ## 8. Save and reopen the cube
#
# `write_cube` writes Zarr (default) or NetCDF (`cube_format="netcdf"`); `open_cube` reads
# either back into memory, attributes included, so the analysis can continue elsewhere.

# %%
output = Path(output_dir)
cube_path = riskengine.write_cube(cube, output / "cube.zarr")
brief_path = brief.write(output / "brief.html")
brief.write(output / "brief.md")
reopened = riskengine.open_cube(cube_path)
assert reopened["predictions"].to_dataset().equals(predictions)
assert reopened.attrs["config_sha256"] == cube.attrs["config_sha256"]
print(f"cube:  {cube_path}\nbrief: {brief_path}")
dict(reopened["predictions"].sizes)
