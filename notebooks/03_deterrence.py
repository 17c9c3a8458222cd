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
# # Deterrence in two stages: will a challenge come, and how far would it go?
#
# The engine models deterrence in two stages, each fitted on its own data. **Onset**: each
# year a state may open a militarized dispute against another; the target's defence pacts
# with third states and the capability behind them are predictors (COW/ATOP directed
# dyad-years). **Escalation**: once a dispute is on, it climbs the ladder threat, display,
# use of force, war (MID disputes). A scenario with an `onset` section runs both in the
# same simulated path. This notebook reads the data, the shipped posteriors and the Baltic
# scenario; every number below is computed from those files, none is typed in.

# %% tags=["parameters"]
# Parameters (papermill overrides these; the defaults run the scenario in a few minutes).
paths_per_draw = 1_000  # simulated paths per parameter draw and variant
num_draws = 50  # parameter draws per chain
num_chains = 4
scheduler = "threads"  # None: an embedded LocalCluster; or "threads", or "tcp://HOST:PORT"
scenario_path = "../configs/baltic.yaml"  # relative to notebooks/
credible_mass = 0.9

# %%
import json

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from IPython.display import display

import riskengine
from riskengine.data import paths
from riskengine.data.paths import integer_columns, read_table
from riskengine.models.joining.data import participants
from riskengine.models.onset.data import PREDICTOR_NAMES, load_dyad_years
from riskengine.models.paths import posterior_path

low, high = (1 - credible_mass) / 2, (1 + credible_mass) / 2
interval = f"{credible_mass:.0%} interval"


def quantiles(values: xr.DataArray, dims=("chain", "draw")) -> pd.DataFrame:
    """Mean and the central credible interval over the draws, one row per remaining label."""
    return pd.DataFrame(
        {
            "mean": values.mean(dims).to_series(),
            "low": values.quantile(low, dims).drop_vars("quantile").to_series(),
            "high": values.quantile(high, dims).drop_vars("quantile").to_series(),
        }
    )


# %% [markdown]
# ## 1. The data
#
# ### Onset: directed dyad-years
#
# One row per ordered pair of states per year (challenger, target), 1816-2014. An *onset*
# is a MID that starts that year with the challenger an originator on side A and the
# target an originator on side B; joiners never make an onset. The predictors are read in
# the year before, so they are known before a dispute starts.

# %%
dyads = load_dyad_years()
print(
    f"{len(dyads):,} directed dyad-years {dyads['year'].min()}-{dyads['year'].max()}, "
    f"{int(dyads['onset'].sum()):,} originator onsets "
    f"({1000 * dyads['onset'].mean():.2f} per 1,000 dyad-years)"
)
print("predictors:", ", ".join(PREDICTOR_NAMES))

# %% [markdown]
# Observed onset rates (events per 1,000 dyad-years) by era, by land contiguity and by
# whether the target has a defence pact with a third state. These are raw rates: a
# pact ally is more common among targets that face threats, so the raw comparison mixes
# deterrence with who gets allies. The fitted model (section 2) holds the other
# predictors fixed.

# %%
era = pd.cut(
    dyads["year"],
    bins=[1815, 1913, 1945, 1989, 2014],
    labels=["1816-1913", "1914-1945", "1946-1989", "1990-2014"],
)
groupings = {
    "era": era,
    "land contiguity": dyads["land_contiguity"].map({0.0: "no", 1.0: "yes"}),
    "target has a third-party defence pact": dyads["target_defence_pact"].map(
        {0.0: "no", 1.0: "yes"}
    ),
}
rates = pd.concat(
    {
        name: dyads.groupby(key, observed=True)["onset"].agg(
            onsets="sum", dyad_years="size", per_1000=lambda onset: 1000 * onset.mean()
        )
        for name, key in groupings.items()
    },
    names=["grouping", "value"],
)
rates.round({"per_1000": 2})

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
for axis, name in zip(axes, groupings, strict=True):
    rates.loc[name, "per_1000"].plot.bar(ax=axis, rot=0)
    axis.set_title(name, fontsize=9)
    axis.set_xlabel("")
axes[0].set_ylabel("onsets per 1,000 dyad-years")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Escalation: sides as they stood before the dispute
#
# The escalation model is a forecast from the start of a dispute, so its covariates must
# be known then: the sides are the *originators*; states that joined later are outcomes
# of the dispute (the joining model treats them as monthly events), not part of the side.
# Counting joiners as sides would teach the model that big coalitions escalate, when
# disputes gain joiners *because* they escalate. MID 5.0 shows the difference:

# %%
folder = paths.data_dir()
mid_dyads = read_table(
    folder, "conflict/cow_mid_directed_dyads.csv", ("dispnum", "ccode1", "sidea1", "orig1")
)
mid_dyads = integer_columns(mid_dyads, ("dispnum", "ccode1", "sidea1", "orig1"), "dyads")
disputes = read_table(folder, "conflict/cow_mid_disputes.csv", ("dispnum", "hostlev"))
disputes = integer_columns(disputes, ("dispnum", "hostlev"), "disputes").set_index("dispnum")
members = participants(mid_dyads)
originators_per_side = (
    members[members["originator"]].groupby(["dispute_id", "defending_side"]).size()
)
several_originators = originators_per_side[originators_per_side > 1].index.unique("dispute_id")
gained_joiners = members.loc[~members["originator"], "dispute_id"].unique()
war = disputes["hostlev"] == 5  # MID hostility level 5: war
sides = pd.DataFrame(
    {
        "disputes": [
            len(disputes),
            war.index.isin(several_originators).sum(),
            war.index.isin(gained_joiners).sum(),
        ],
        "reached war": [
            war.mean(),
            war[war.index.isin(several_originators)].mean(),
            war[war.index.isin(gained_joiners)].mean(),
        ],
    },
    index=["all disputes", "several originators on a side", "gained joiners"],
)
sides.style.format({"reached war": "{:.1%}"})

# %% [markdown]
# A side that starts multilateral is not much more war-prone than the average dispute;
# a dispute that *gained* joiners reached war several times as often. So escalation is
# fitted on sides as they stood before the dispute, and joining is modelled as what
# happens once it is on.

# %% [markdown]
# ## 2. The fitted effects
#
# The shipped posteriors (NUTS fits; run `riskengine fit <model>` to refit).

# %%
posteriors = {}
for name in ("onset", "escalation", "joining"):
    with xr.open_datatree(posterior_path(name), engine="h5netcdf") as tree:
        posteriors[name] = tree.load()
    diagnostics = json.loads(posteriors[name].attrs["diagnostics"])
    print(
        f"{name:10s} fitted {posteriors[name].attrs['fitted_at']}: max R-hat "
        f"{diagnostics['max_rhat']:.3f}, min ESS bulk {diagnostics['min_ess_bulk']:.0f}, "
        f"divergences {diagnostics['divergences']}"
    )

# %% [markdown]
# ### Onset coefficients
#
# Logit of the yearly probability that the challenger opens a dispute; positive values
# raise it. Means with the central interval over the posterior draws:

# %%
onset = posteriors["onset"]
onset_coefficients = onset["posterior"]["coefficients"]
onset_table = quantiles(onset_coefficients)
onset_table["excludes 0"] = (onset_table["low"] > 0) | (onset_table["high"] < 0)
onset_table.round(3)

# %%
# The peace-years polynomial (large, offsetting terms) is left out to keep the scale readable.
readable = [name for name in PREDICTOR_NAMES if not name.startswith("peace_years")]
az.plot_forest(
    onset,
    var_names=["coefficients"],
    coords={"onset_covariate": readable},
    combined=True,
    ci_kind="eti",
    ci_probs=(0.5, credible_mass),
)
plt.show()

# %% [markdown]
# The two deterrence terms as odds ratios. `target_defence_pact` is the effect of the
# target having any third-party defence pact (with no allied capability behind it);
# `target_allied_capability` is per unit of log1p(allied CINC / challenger CINC). A
# target's net alliance effect is the pact term plus the capability term times its
# value, so the effect at a given posture is shown next to them.

# %%
deterrence = onset_coefficients.sel(
    onset_covariate=["target_defence_pact", "target_allied_capability"]
)
odds_ratios = quantiles(np.exp(deterrence))
odds_ratios.columns = ["odds ratio (mean)", f"{interval}: low", "high"]
odds_ratios.round(3)

# %%
pact_only = dyads.loc[dyads["target_defence_pact"] == 1, "target_allied_capability"]
for label, capability in {
    "median target with a pact": float(pact_only.median()),
    "90th percentile": float(pact_only.quantile(0.9)),
}.items():
    net = np.exp(
        deterrence.sel(onset_covariate="target_defence_pact")
        + capability * deterrence.sel(onset_covariate="target_allied_capability")
    )
    mean = float(net.mean())
    lower, upper = (float(q) for q in net.quantile([low, high]))
    print(
        f"net odds ratio, pact with allied capability {capability:.2f} ({label}): "
        f"{mean:.2f} ({interval} {lower:.2f} to {upper:.2f})"
    )
raw = rates.loc["target has a third-party defence pact", "per_1000"]
print(f"raw onset rate against targets with / without a pact: {raw['yes']:.2f} / {raw['no']:.2f}")

# %% [markdown]
# ### Escalation and joining
#
# The escalation coefficients shift a crisis up the ladder (logit scale, per crisis);
# the names come from the posterior. Joining: the monthly hazard that a third state
# committed to the defender joins.

# %%
escalation = posteriors["escalation"]
escalation_coefficients = escalation["posterior"]["coefficients"]
escalation_table = quantiles(escalation_coefficients)
escalation_table["excludes 0"] = (escalation_table["low"] > 0) | (escalation_table["high"] < 0)
escalation_table.round(3)

# %%
alliance_terms = [
    name
    for name in escalation_coefficients[escalation_coefficients.dims[-1]].values
    if "defence_pact" in name or "allied_capability" in name
]
escalation_odds = quantiles(
    np.exp(escalation_coefficients.sel({escalation_coefficients.dims[-1]: alliance_terms}))
)
escalation_odds.columns = ["odds ratio (mean)", f"{interval}: low", "high"]
escalation_odds.round(3)

# %%
joining = posteriors["joining"]
quantiles(joining["posterior"]["coefficients"]).round(3)

# %% [markdown]
# ### What the data identify and what rests on a prior
#
# A coefficient whose covariate never varies in the fitted data is not identified: its
# posterior is its prior. The fits record each covariate's range, and their own notes
# say which effects rest on a prior:

# %%
for name, tree in posteriors.items():
    ranges = json.loads(tree.attrs.get("covariate_ranges", "{}"))
    constant = [key for key, (lowest, highest) in ranges.items() if lowest == highest]
    print(f"{name}: covariates constant in the data (prior only): {constant or 'none'}")
    for key in ("not_identified", "notes"):
        if tree.attrs.get(key):
            print(f"  {key}: {tree.attrs[key]}")

# %% [markdown]
# ## 3. The Baltic scenario
#
# `configs/baltic.yaml` starts before any dispute: each month Russia may challenge
# Estonia (onset), and a challenge starts a crisis that climbs the escalation ladder in
# the same path. The variants share random numbers, so a lever's change against the
# baseline is a paired difference per parameter draw.

# %%
scenario = riskengine.load_scenario(scenario_path).with_ensemble(
    paths_per_draw=paths_per_draw, num_draws=num_draws, num_chains=num_chains
)
for variant in scenario.variants:
    print(f"{variant.name}: {variant.description}\n")
cube = riskengine.run(scenario, scheduler=scheduler, progress=False)
predictions = cube["predictions"]
horizon = int(predictions["month"].max())

# %%
measures = {
    f"P(challenge within {min(24, horizon)} months)": predictions["p_challenge_by"].sel(
        month=min(24, horizon)
    ),
    "P(war | challenge)": predictions["p_escalation_war_given_onset_challenge"],
    f"P(war within {horizon} months)": predictions["p_war_by"].sel(month=horizon),
}
baseline = scenario.variant_names[0]
rows = {}
for label, values in measures.items():
    level = quantiles(values)
    change = quantiles(values - values.sel(variant=baseline))
    rows[label] = pd.DataFrame(
        {
            "estimate": [
                f"{m:.1%} ({lo:.1%} to {hi:.1%})" for m, lo, hi in level.itertuples(index=False)
            ],
            f"change vs {baseline}": [
                "reference"
                if variant == baseline
                else f"{100 * m:+.2f} pp ({100 * lo:+.2f} to {100 * hi:+.2f})"
                for variant, (m, lo, hi) in zip(
                    change.index, change.itertuples(index=False), strict=True
                )
            ],
        },
        index=level.index,
    )
print(
    f"means with {interval}s over {cube['predictions'].sizes['chain'] * cube['predictions'].sizes['draw']} parameter draws"
)
pd.concat(rows, axis=1)

# %% [markdown]
# ### Reading the forward-presence lever
#
# The lever adds a defence-pact ally and raises two allies' capability. In the models
# that is a change of covariates, and nothing else: the onset model sees more allied
# capability behind Estonia, the escalation model a larger or stronger defending side.
# Troops on the ground as a tripwire (an automatic commitment of the allies' own forces)
# are not a variable of either data set, so their own effect is not in these numbers.
# Below, for every lever: which covariates each model sees change against the baseline,
# and the implied shift of that model's logit (coefficients times the change, over the
# same draws the run used; negative lowers the odds of a challenge or of escalation).

# %%
posterior_draws = cube["posterior"]
constant_data = cube["constant_data"]
shifts = []
for variable in posterior_draws.data_vars:
    if not variable.endswith(".coefficients"):
        continue
    model_name = variable.split(".")[0]
    dim = posterior_draws[variable].dims[-1]
    covariates = next(
        constant_data[name] for name in constant_data.data_vars if dim in constant_data[name].dims
    )
    if covariates.dims != ("variant", dim):
        continue  # per-member covariates (joining): not one logit per variant
    for variant in scenario.variant_names[1:]:
        delta = covariates.sel(variant=variant) - covariates.sel(variant=baseline)
        changed = delta[delta != 0]
        shift = (posterior_draws[variable] * delta).sum(dim)
        lower, upper = (float(q) for q in shift.quantile([low, high]))
        shifts.append(
            {
                "variant": variant,
                "model": model_name,
                "covariates changed (baseline value, change)": "; ".join(
                    f"{name} ({float(covariates.sel(variant=baseline, **{dim: name})):.3f}, "
                    f"{value:+.3f})"
                    for name, value in zip(changed[dim].values, changed.values, strict=True)
                )
                or "none",
                "logit shift": f"{float(shift.mean()):+.4f} ({lower:+.4f} to {upper:+.4f})",
                "odds ratio": round(float(np.exp(shift).mean()), 4),
            }
        )
with pd.option_context("display.max_colwidth", None):
    display(pd.DataFrame(shifts).set_index(["variant", "model"]))

# %% [markdown]
# The `no_allies` onset row is the net alliance effect at Estonia's posture, with its
# sign reversed: the pact term and the allied-capability term pull in opposite
# directions, and which wins depends on how much capability stands behind the target
# relative to the challenger.
#
# Is forward presence's effect on onset distinguishable from zero in the simulation?

# %%
challenge = measures[f"P(challenge within {min(24, horizon)} months)"]
paired = challenge.sel(variant="forward_presence") - challenge.sel(variant=baseline)
lower, upper = (float(q) for q in paired.quantile([low, high]))
print(
    f"forward_presence - baseline, P(challenge): {100 * float(paired.mean()):+.2f} pp "
    f"({interval} {100 * lower:+.2f} to {100 * upper:+.2f}); share of draws below 0: "
    f"{float((paired < 0).mean()):.0%}, exactly 0: {float((paired == 0).mean()):.0%}"
)
print("distinguishable from zero at this size:", "yes" if lower > 0 or upper < 0 else "no")

# %%
capability_term = onset_coefficients.sel(onset_covariate="target_allied_capability")
capability_low, capability_high = (float(q) for q in capability_term.quantile([low, high]))
print(
    "sign of the allied-capability coefficient identified by the data:",
    "yes" if capability_low > 0 or capability_high < 0 else "no",
)

# %% [markdown]
# A coefficient whose sign the data identify can still imply a change too small to
# see: the lever moves the covariate by a small part of its range. If the paired
# difference's interval covers zero, read it as "no measurable effect on onset from
# this posture change", not as evidence that presence does not deter. Any change in
# P(war | challenge) comes from the escalation model's side and capability terms.
#
# ### The brief
#
# The package's brief of the same cube: the key judgments per variant with their
# intervals, estimative terms and caveats.

# %%
riskengine.brief(cube, credible_mass)
