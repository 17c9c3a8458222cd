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
# # Sanctions: data, priors, fit, diagnostics, posterior predictive, scenarios
#
# Will sanctions imposed by a coalition work within two years, what do they cost the target
# and the senders, and does it matter whether the EU alone, the G7 or the UN imposes them?
# This notebook walks through the sanctions model end to end: the TIES cases it is fitted
# on, its priors, a (short) NUTS fit next to the shipped posterior, arviz diagnostics, the
# posterior predictive check against TIES, and a comparison of senders on a present-day
# case, alone and coupled with a crisis.

# %% tags=["parameters"]
# Parameters (papermill overrides these; the defaults give a fit of about a minute).
fit_chains = 2  # chains of the short fit in this notebook (the shipped fit used 4)
fit_warmup = 300
fit_samples = 300
ppc_draws = 200  # posterior draws for the predictive check
paths_per_draw = 2_000  # simulated paths per parameter draw in the scenario runs
num_draws = 50  # parameter draws per chain in the scenario runs
scheduler = "threads"  # None: an embedded LocalCluster; or "threads", or "tcp://HOST:PORT"
scenario_path = "../configs/sanctions_iran.yaml"  # relative to notebooks/
coupled_path = "../configs/baltic_sanctions.yaml"

# %%
import arviz as az
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

import riskengine
from riskengine.models.paths import posterior_path
from riskengine.models.sanctions import checks, core
from riskengine.models.sanctions.coding import COVARIATE_NAMES
from riskengine.models.sanctions.data import case_arrays, data_provenance, load_cases
from riskengine.models.sanctions.ensemble import MODEL as SANCTIONS
from riskengine.models.sanctions.fit import fit_sanctions

# %% [markdown]
# ## 1. The data: TIES cases with predictors known at imposition
#
# One row per imposed TIES case with a known outcome (540). Outcomes: how the case ended
# (failure, negotiated settlement = TIES 10, acquiescence = TIES 6/7), after how many
# months, and the cost levels to target and senders (outcomes, never predictors).
# Predictors are known when the sanctions are imposed: senders, an institution,
# the target's trade dependence on the senders (COW trade, year before), alliance ties
# (ATOP), the target's democracy (V-Dem), the type of measure, the issue and the era.

# %%
frame = load_cases()
cases = case_arrays(frame)
print(f"{len(frame)} cases; columns: {', '.join(frame.columns)}")
shares = frame.groupby("multilateral")[["success_broad", "success_strict"]].mean()
shares["cases"] = frame.groupby("multilateral").size()
shares.index = ["unilateral", "multilateral"]
shares

# %%
frame[list(COVARIATE_NAMES)].describe().T[["mean", "min", "max"]]

# %%
fig, axis = plt.subplots(figsize=(6, 3))
frame["duration_months"].clip(upper=120).plot.hist(bins=40, ax=axis)
axis.set_xlabel("months from imposition to the end (clipped at 120)")
axis.set_title("How long TIES sanctions last")
plt.show()

# %% [markdown]
# ## 2. Priors
#
# Every prior has its reasoning in `riskengine.models.sanctions.core.priors`. A prior
# predictive draw shows what the model believes before the data.


# %%
def described(distribution) -> str:
    """``Normal(loc=-3.0, scale=1.0)``: a distribution with its parameters, rounded."""
    arguments = ", ".join(
        f"{name}={np.round(np.asarray(getattr(distribution, name)), 2).tolist()}"
        for name in distribution.arg_constraints
    )
    return f"{type(distribution).__name__}({arguments})"


for name, distribution in core.priors().items():
    print(f"{name:28s} {described(distribution)}")

# %%
prior_draws = SANCTIONS.prior_draws(jax.random.key(1), 1_000)
at_covariates_zero = core.Params(*(prior_draws[name] for name in core.Params._fields))
ending = core.end_probability(at_covariates_zero, jnp.zeros(len(COVARIATE_NAMES)), 12)
print(
    "prior monthly ending probability 12 months after imposition (covariates 0): "
    f"median {float(jnp.median(ending)):.3f}, 90% interval "
    f"{float(jnp.quantile(ending, 0.05)):.3f}-{float(jnp.quantile(ending, 0.95)):.3f}"
)

# %% [markdown]
# ## 3. Fit with NUTS
#
# A short fit here (a minute); the shipped posterior (`riskengine fit sanctions --ppc`,
# 4 chains) is used by runs and loaded below for the diagnostics.

# %%
tree, report = fit_sanctions(
    jax.random.key(20261201),
    cases,
    provenance={"data": data_provenance()},
    num_chains=fit_chains,
    num_warmup=fit_warmup,
    num_samples=fit_samples,
    chain_method="sequential",
)
print(
    f"short fit: {report['fit_seconds']:.0f} s, max R-hat {report['max_rhat']:.3f}, "
    f"min ESS bulk {report['min_ess_bulk']:.0f}, divergences {report['divergences']}"
)

# %% [markdown]
# ## 4. Diagnostics of the shipped posterior (arviz)

# %%
with xr.open_datatree(posterior_path("sanctions"), engine="h5netcdf") as shipped:
    shipped = shipped.load()
summary = az.summary(shipped, var_names=["outcome_coefficients", "hazard_coefficients"])
summary

# %%
az.plot_forest(shipped, var_names=["outcome_coefficients"], combined=True)
plt.show()

# %% [markdown]
# Positive outcome coefficients favour success. Which effects the data identify and which
# rest on their priors is stated in the posterior's `notes` attribute:

# %%
print(shipped.attrs.get("notes", ""))

# %% [markdown]
# ## 5. Posterior predictive check against TIES

# %%
table = checks.posterior_predictive_check(jax.random.key(2), shipped, cases, num_draws=ppc_draws)
print(checks.format_check_table(table))

# %% [markdown]
# ## 6. Who imposes them: the EU alone, the G7, or the UN
#
# `configs/sanctions_iran.yaml` compares the same trade restrictions on Iran imposed by the
# EU as an institution, by the G7 states, and with UN authorisation (the G7 with China,
# Russia and India). The predictors come from the shared data by each actor's ccode; the
# leakage is the share of Iran's trade with states that do not sanction.

# %%
scenario = riskengine.load_scenario(scenario_path).with_ensemble(
    paths_per_draw=paths_per_draw, num_draws=num_draws
)
cube = riskengine.run(scenario, scheduler=scheduler, progress=False)
cube["constant_data"]["leakage"].to_series()

# %%
success = cube["predictions"]["p_success_within"].mean(("chain", "draw"))
success.plot.line(x="months_since_imposition", hue="variant")
plt.ylabel("P(success within this many months)")
plt.show()

# %%
riskengine.brief(cube)

# %% [markdown]
# ## 7. Coupled with a crisis
#
# In `configs/baltic_sanctions.yaml` the G7 impose sanctions on Russia only if the Baltic
# crisis reaches the use of force, in the same simulated path: one ensemble gives the
# probability that sanctions are imposed, that they succeed, and that they succeed given
# the use of force.

# %%
coupled = riskengine.load_scenario(coupled_path).with_ensemble(
    paths_per_draw=paths_per_draw, num_draws=num_draws
)
coupled_cube = riskengine.run(coupled, scheduler=scheduler, progress=False)
predictions = coupled_cube["predictions"]
pd.DataFrame(
    {
        "P(use of force by the horizon)": predictions["p_use_of_force_within"].mean(
            ("chain", "draw")
        ),
        "P(sanctions imposed)": predictions["p_imposed_by"].isel(month=-1).mean(("chain", "draw")),
        "P(success | use of force)": predictions[
            "p_sanctions_success_given_escalation_use_of_force"
        ].mean(("chain", "draw")),
    },
    index=predictions["variant"].values,
)
