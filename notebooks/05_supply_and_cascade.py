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
# # Supply shortfall in a cascade: crisis, coalition, sanctions, export controls
#
# The supply-chain model simulates, month by month, how much of an importer's normal
# supply of a critical mineral (or of oil) fails to arrive: a producer may restrict its
# exports, a maritime chokepoint may close, and what is lost is made up, in that order,
# by rerouting, by other producers' spare and friend-shored capacity, and by stocks
# (`riskengine/models/supply_chain/core.py`). It runs in the same simulated paths as the
# escalation, coalition and sanctions models, so a restriction is likelier in the months
# a crisis is high or sanctions are in force, and every question below ("how likely is a
# shortfall if force is used?") is read from the same paths. **The supply model is not
# fitted**: its hazards rest on stated priors (section 7). Every number below is computed
# from the scenario file and the run; none is typed in.

# %% tags=["parameters"]
# Parameters (papermill overrides these; the defaults run in about a minute).
paths_per_draw = 2_000  # simulated paths per parameter draw and variant
num_draws = 50  # parameter draws per chain
num_chains = 4
scheduler = "threads"  # None: an embedded LocalCluster; or "threads", or "tcp://HOST:PORT"
scenario_path = "../configs/taiwan_cascade.yaml"  # relative to notebooks/
credible_mass = 0.9

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from IPython.display import display

import riskengine

low, high = (1 - credible_mass) / 2, (1 + credible_mass) / 2
interval = f"{credible_mass:.0%} interval"
DRAWS = ("chain", "draw")


def band(values: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Mean and the central credible interval over the parameter draws."""
    lower, upper = (values.quantile(q, DRAWS).drop_vars("quantile") for q in (low, high))
    return values.mean(DRAWS), lower, upper


def percent(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


# %% [markdown]
# ## 1. The scenario and its chain
#
# `configs/taiwan_cascade.yaml`: China's military display against Taiwan may climb the
# escalation ladder; the United States gathers a coalition of the willing to sanction
# China (support rises with the crisis level); sanctions are imposed the month the
# coalition forms; China may answer with export controls on minerals it dominates, and
# the Strait of Malacca may close; the European Union, Japan and the United States then
# fall short by what rerouting, substitution and stocks cannot cover. Each model reads
# the signals of the models before it in the same path, month by month.

# %%
scenario = riskengine.load_scenario(scenario_path).with_ensemble(
    paths_per_draw=paths_per_draw, num_draws=num_draws, num_chains=num_chains
)
sections = scenario.sections
escalation, coalition, sanctions, supply = (
    sections[name] for name in ("escalation", "coalition", "sanctions", "supply_chain")
)
importer_index, commodity_index = supply.headline_indices()
importer = supply.importer_names[importer_index]
commodity = supply.commodity_names[commodity_index]
window = supply.headline.within_months

chain = [
    (
        "escalation",
        f"{escalation.challenger} against {escalation.defender}, from {escalation.start_level}",
        "-",
    ),
    (
        "coalition",
        f"{coalition.proposer} seeks a {coalition.institution.replace('_', ' ')} against "
        f"{coalition.target} (at least {coalition.minimum_members} of "
        f"{len(coalition.members)} members)",
        "crisis level",
    ),
    (
        "sanctions",
        f"{sanctions.sanction_type.replace('_', ' ')} on {sanctions.target}, imposed when "
        f"{sanctions.trigger}, senders: {sanctions.sender_count}",
        "coalition decision and size",
    ),
    *(
        (
            "supply_chain: export controls",
            f"{r.producer} may restrict {', '.join(r.commodities)} "
            f"(base rate {percent(r.monthly_probability)} a month)",
            "crisis level, sanctions in force" if r.actor == sanctions.target else "crisis level",
        )
        for r in supply.restrictors
    ),
    *(
        (
            "supply_chain: chokepoints",
            f"{c.name} may close (base rate {percent(c.default('monthly_probability'), 2)} a "
            f"month; {percent(c.default('reroute_share'), 0)} reroutable)",
            "crisis level" if c.default("crisis_linked") else "-",
        )
        for c in supply.chokepoints
    ),
    (
        "supply_chain: shortfall",
        "importers: "
        + "; ".join(
            f"{i.name} (stocks: {', '.join(f'{k} {v:g} months' for k, v in i.stock_months.items()) or 'none'})"
            for i in supply.importers
        ),
        "restrictions, closures",
    ),
]
with pd.option_context("display.max_colwidth", None):
    display(pd.DataFrame(chain, columns=["model", "in this scenario", "reads from the path"]))
print(f"headline: {importer}, {commodity}, shortfall within {window} months")
for variant in scenario.variants:
    print(f"{variant.name}: {variant.description}")

# %%
cube = riskengine.run(scenario, scheduler=scheduler, progress=False)
predictions = cube["predictions"].to_dataset()
variants = list(predictions["variant"].values)
baseline = variants[0]
draws = predictions.sizes["chain"] * predictions.sizes["draw"]
print(
    f"{predictions.sizes['chain']} chains x {predictions.sizes['draw']} draws x "
    f"{paths_per_draw:,} paths x {len(variants)} variants (common random numbers)"
)

# %% [markdown]
# ## 2. Exceedance curves: the first year's magnet shortfall in the EU
#
# For each path the model records the first year's shortfall of the headline importer
# and commodity two ways: **occurrence**, the worst single month, and **aggregate**, the
# mean over the twelve months (a fraction of normal monthly supply). The curve is
# P(shortfall >= x): the posterior mean over parameter draws, with the central band of
# the per-draw curves (parameter uncertainty; Monte Carlo noise is much smaller at this
# size). The variants share random numbers, so their differences are not noise.

# %%
exceedance = predictions["annual_shortfall_exceedance"].sel(importer=importer, commodity=commodity)
# Invariants: probabilities, non-increasing in x, and the worst month at least the mean month.
assert float(exceedance.min()) >= 0 and float(exceedance.max()) <= 1
assert bool((exceedance.diff("annual_edge") <= 1e-12).all())
assert bool(
    (
        exceedance.sel(annual_measure="occurrence")
        >= exceedance.sel(annual_measure="aggregate") - 1e-12
    ).all()
)

mean, lower, upper = band(exceedance)
edges = 100 * exceedance["annual_edge"].values
measures = {
    "occurrence": "worst month of the first year",
    "aggregate": "mean month of the first year",
}
figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for axis, (measure, label) in zip(axes, measures.items(), strict=True):
    for variant in variants:
        line = dict(variant=variant, annual_measure=measure)
        (drawn,) = axis.plot(edges, mean.sel(line), label=variant)
        axis.fill_between(
            edges, lower.sel(line), upper.sel(line), color=drawn.get_color(), alpha=0.15
        )
    axis.set_yscale("log")
    axis.set_ylim(bottom=max(1e-4, 0.5 / (draws * paths_per_draw)))
    axis.set_title(f"{label} ({measure})", fontsize=10)
    axis.set_xlabel(f"shortfall x, % of the {importer}'s normal monthly supply")
    axis.grid(alpha=0.3, which="both")
axes[0].set_ylabel("P(shortfall >= x)")
axes[0].legend(title=f"mean and {interval}", fontsize=8)
figure.suptitle(f"{importer}: {commodity.replace('_', ' ')}, first-year shortfall")
plt.tight_layout()
plt.show()

# %%
at = [0.05, 0.2, 0.5]
rows = {}
for measure in measures:
    for x in at:
        m, lo, hi = (v.sel(annual_measure=measure, annual_edge=x) for v in (mean, lower, upper))
        rows[(measure, f">= {x:.0%}")] = [
            f"{percent(float(m.sel(variant=v)))} ({percent(float(lo.sel(variant=v)))} to "
            f"{percent(float(hi.sel(variant=v)))})"
            for v in variants
        ]
pd.DataFrame(rows, index=variants).T.rename_axis(["measure", "shortfall"])

# %% [markdown]
# ## 3. The pooling lever
#
# ### Tail figures
#
# Value at risk (VaR, the quantile) and expected shortfall (ES, the mean beyond it) of
# the first year's shortfall, in % of normal monthly supply: pooled over all paths with
# their Monte Carlo standard errors (MCSE), and the interval of the per-draw figures
# over the parameter draws. The figures come from binned counts, so they carry a binning
# error of up to the bin's width (1 point below 10%, 2.5 points above), larger than the
# MCSE at this size.

# %%
tails = riskengine.tail_table(cube, importer=importer, commodity=commodity)
assert bool((tails["es"] >= tails["var"] - 1e-9).all())  # ES is at least VaR
assert bool((tails["var"].sel(tail_level=0.99) >= tails["var"].sel(tail_level=0.95) - 1e-9).all())
assert bool((tails["var_lower"] <= tails["var_upper"]).all())
assert float(tails["var_mcse"].min()) >= 0 and float(tails["es_mcse"].min()) >= 0

frame = tails.to_dataframe()
table = pd.DataFrame(index=frame.index)
for name, label in (("var", "VaR"), ("es", "ES")):
    table[label] = (100 * frame[name]).round(1)
    table[f"{label} MCSE"] = (100 * frame[f"{name}_mcse"]).round(2)
    table[f"{label} {interval} over draws"] = [
        f"{100 * a:.1f} to {100 * b:.1f}"
        for a, b in zip(frame[f"{name}_lower"], frame[f"{name}_upper"], strict=True)
    ]
table.index = table.index.set_levels(
    [f"{level:.0%}" for level in table.index.levels[2]], level="tail_level"
)
table

# %% [markdown]
# ### Does the pool help?
#
# The headline probability, P(the EU's magnet shortfall reaches 20% in some month within
# 12 months), per parameter draw and variant. Because the variants share random numbers,
# the lever's effect is a paired difference in each draw; its interval over draws is
# the uncertainty about the effect, and the share of draws where it is negative is the
# probability that the pool lowers the risk (under these priors). Where a lever changes
# nothing in a path (the same random numbers give the same shortfall), the difference is
# exactly zero; the last column counts the draws where no path changed.

# %%
headline = predictions["p_headline_shortfall_above_20pct"]
assert float(headline.min()) >= 0 and float(headline.max()) <= 1
level, level_low, level_high = band(headline)
effects = {}
for variant in variants[1:]:
    difference = headline.sel(variant=variant) - headline.sel(variant=baseline)
    m, lo, hi = band(difference)
    effects[variant] = {
        f"P(>= 20% within {window} months)": f"{percent(float(level.sel(variant=variant)))} "
        f"({percent(float(level_low.sel(variant=variant)))} to "
        f"{percent(float(level_high.sel(variant=variant)))})",
        f"change vs {baseline}, pp": f"{100 * float(m):+.2f} ({100 * float(lo):+.2f} to "
        f"{100 * float(hi):+.2f})",
        "P(lever lowers the risk)": f"{float((difference < 0).mean()):.3f}",
        "share of draws: no change": f"{float((difference == 0).mean()):.3f}",
    }
effects = pd.DataFrame(effects).T
effects.loc[baseline] = [
    f"{percent(float(level.sel(variant=baseline)))} ({percent(float(level_low.sel(variant=baseline)))}"
    f" to {percent(float(level_high.sel(variant=baseline)))})",
    "reference",
    "-",
    "-",
]
print(f"means with {interval}s over {draws} parameter draws")
effects.loc[variants]

# %% [markdown]
# The pool's stocks (three months of each mineral for every member) absorb the first
# months of a restriction; pooling spreads them to whichever member is short. A
# restriction lasts a year on average (prior), so stocks delay and flatten the shortfall
# more than they prevent it: compare the occurrence and aggregate tails above.
# Friend-shored capacity ramps up over months, so it trims the aggregate tail more than
# the worst month. The mean shortfall month by month shows the delay:

# %%
monthly = predictions["shortfall_mean"].sel(importer=importer, commodity=commodity)
monthly_mean, monthly_low, monthly_high = band(monthly)
figure, axis = plt.subplots(figsize=(7, 3.5))
for variant in variants:
    (drawn,) = axis.plot(monthly["month"], 100 * monthly_mean.sel(variant=variant), label=variant)
    axis.fill_between(
        monthly["month"],
        100 * monthly_low.sel(variant=variant),
        100 * monthly_high.sel(variant=variant),
        color=drawn.get_color(),
        alpha=0.15,
    )
axis.set_xlabel("month")
axis.set_ylabel("mean shortfall, % of normal supply")
axis.set_title(f"{importer}: {commodity.replace('_', ' ')}, mean shortfall by month")
axis.legend(title=f"mean and {interval}", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Across models: shortfall and the use of force
#
# `riskengine.conditional` reads the joint counts the run keeps for every pair of models
# in a path. The escalation event is the crisis reaching the use of force (or war) at
# any time in the 24-month horizon; the supply event is the headline shortfall of 20% or
# more within the first 12 months. Per-draw probabilities are NaN in a draw where no
# path met the condition; the pooled figure sums paths over draws.

# %%
given_force = riskengine.conditional(
    cube, "supply_chain:shortfall_above_20pct", given="escalation:use_of_force"
)
given_shortfall = riskengine.conditional(
    cube, "escalation:use_of_force", given="supply_chain:shortfall_above_20pct"
)
total_paths = predictions["path_count"].sum(DRAWS)
p_force = given_force["paths"].sum(DRAWS) / total_paths
p_shortfall = given_shortfall["paths"].sum(DRAWS) / total_paths
for result in (given_force, given_shortfall):
    finite = result["probability"].values[np.isfinite(result["probability"].values)]
    assert ((finite >= 0) & (finite <= 1)).all()
# The two directions agree (Bayes), and the unconditional figures match the model's own.
assert np.allclose(given_force["pooled"] * p_force, given_shortfall["pooled"] * p_shortfall)
assert np.allclose(p_shortfall, headline.mean(DRAWS))
assert np.allclose(p_force, predictions["p_use_of_force_within"].mean(DRAWS))


def per_draw(values: xr.DataArray, variant: str) -> str:
    m, lo, hi = band(values.sel(variant=variant))
    return f"{percent(float(m))} ({percent(float(lo))} to {percent(float(hi))})"


conditionals = pd.DataFrame(
    {
        f"P(shortfall >= 20% within {window} months)": p_shortfall.to_series(),
        "P(shortfall | use of force)": given_force["pooled"].to_series(),
        f"P(shortfall | use of force), {interval} over draws": [
            per_draw(given_force["probability"], v) for v in variants
        ],
        "P(use of force within 24 months)": p_force.to_series(),
        "P(use of force | shortfall)": given_shortfall["pooled"].to_series(),
        "paths with use of force": given_force["paths"].sum(DRAWS).to_series(),
    },
    index=variants,
)
print(given_force.attrs["description"])
conditionals.style.format(
    {
        name: "{:.1%}"
        for name in conditionals.columns
        if name.startswith("P(") and "interval" not in name
    }
)

# %% [markdown]
# Use of force raises the chance of a shortfall because a restriction's hazard climbs
# with the crisis level (a prior: about twice the odds per level). The reverse reading is
# different: most paths with a shortfall never see force, because a display of force
# and sanctions are enough to make a restriction likely, so a shortfall is weak evidence
# of force. The number of paths reaching force is the same in every variant: the supply
# levers do not feed back into the crisis. The per-draw interval is wide when few paths
# reach the use of force; the pooled figure is the better estimate at a small size.

# %% [markdown]
# ## 5. How settled are the tails?
#
# `riskengine.tail_convergence`: the pooled 99% VaR and ES of the baseline, from the
# paths of the first `n` parameter draws, `n` doubling up to all of them. The MCSE is
# the error given those draws; the drift between rows also carries the spread between
# parameter draws, so a tail is settled when the rows stop moving by more than a few
# MCSE and the binning error.

# %%
convergence = riskengine.tail_convergence(cube, importer, commodity, variant=baseline)
assert bool((np.diff(convergence["paths"].values) > 0).all())
assert bool((convergence["var_mcse"] >= 0).all()) and bool((convergence["es_mcse"] >= 0).all())
steps = convergence.to_dataframe()[["paths", "var", "var_mcse", "es", "es_mcse"]]
steps[["var", "var_mcse", "es", "es_mcse"]] = (
    100 * steps[["var", "var_mcse", "es", "es_mcse"]]
).round(2)
print(f"{importer}, {commodity}, {baseline}: 99% VaR and ES in % of normal monthly supply")
steps.set_index("paths", append=True).unstack("annual_measure")

# %% [markdown]
# ## 6. A rarer event: importance sampling
#
# For P(headline shortfall >= the scenario's rare-event threshold within the window), the
# model runs a second, *tilted* copy of the supply hazards in every path: export controls
# and closures that can move the headline start more often within the window, severe
# closures are likelier, and each path carries its likelihood
# ratio, so the weighted share of tilted paths that meet the event is an unbiased
# estimate (`p_rare_event`) from the same paths as the plain share (`p_rare_event_plain`).
# Pooled over draws; the standard errors are Monte Carlo errors given the draws
# (binomial for the plain estimate). The variance ratio is how many times more paths
# plain Monte Carlo would need for the same error.

# %%
paths = predictions["path_count"]
importance = predictions["p_rare_event"]
importance_error = predictions["p_rare_event_mcse"]
plain = predictions["p_rare_event_plain"]
plain_error = predictions["p_rare_event_plain_mcse"]
for values in (importance, plain):
    assert float(values.min()) >= 0 and float(values.max()) <= 1
assert float(importance_error.min()) >= 0
pooled_importance = importance.mean(DRAWS)
pooled_importance_error = np.sqrt((importance_error**2).sum(DRAWS)) / draws
pooled_plain = plain.mean(DRAWS)
pooled_plain_error = np.sqrt((plain_error**2).sum(DRAWS)) / draws
# Both estimate the same probability from the same paths.
assert bool(
    (
        abs(pooled_importance - pooled_plain) <= 5 * (pooled_importance_error + pooled_plain_error)
    ).all()
)
threshold = supply.rare_event.threshold
rare = pd.DataFrame(
    {
        "importance sampling": pooled_importance.to_series(),
        "its MCSE": pooled_importance_error.to_series(),
        "plain Monte Carlo": pooled_plain.to_series(),
        "its MCSE ": pooled_plain_error.to_series(),
        "variance ratio": (pooled_plain_error / pooled_importance_error).to_series() ** 2,
        "tilted paths in the event": predictions["rare_event_tilted_hits"].sum(DRAWS).to_series(),
        "plain paths in the event": (plain * paths).round().sum(DRAWS).astype(int).to_series(),
    },
    index=variants,
)
print(
    f"P({importer} {commodity} shortfall >= {threshold:.0%} in some month within {window} "
    f"months), tilt {supply.rare_event.tilt:g}"
)
rare.style.format(
    {
        "importance sampling": "{:.4f}",
        "its MCSE": "{:.5f}",
        "plain Monte Carlo": "{:.4f}",
        "its MCSE ": "{:.5f}",
        "variance ratio": "{:.1f}",
    }
)

# %% [markdown]
# The scenario sets the threshold high (`rare_event.threshold`), where the event is rare
# under these priors and the plain estimate rests on few paths; the variance ratio is how
# many times more paths plain Monte Carlo would need for the same error (at about the
# same cost per path: the tilted copy adds the supply model's work only;
# `benchmarks/RARE_EVENT.md` measures it at equal cost). Lower the threshold and the
# ratio falls towards 1: a common event needs no tilting.

# %% [markdown]
# ## 7. What these numbers rest on
#
# - **The supply model is not fitted.** Every hazard, duration, rerouting, substitution
#   and price parameter is drawn from a prior stated, with its sources and reasoning, in
#   `riskengine/models/supply_chain/core.py`; the base monthly rates of a restriction and
#   of a closure are the scenario's judgments. Read the figures as the consequences of
#   those assumptions, not as estimates. The escalation and sanctions models are fitted
#   (MID, TIES); the coalition process rests on priors too.
# - **Shares are world shares unless the scenario gives them.** An importer sources like
#   the world produces (92% of magnet rare-earth refining is China's) and ships like world
#   maritime trade; the routes in `configs/taiwan_cascade.yaml` are judgments. Real
#   sourcing, contracts and inventories held by firms (not in the model) can differ a lot.
# - The first year's tails come from binned counts (exact at the bin edges; VaR and ES to
#   a bin's width); prices are capped at ten times normal and read from an assumed
#   elasticity.
#
# The supply model's own warning, and the brief of the run:

# %%
run_warnings = cube.attrs.get("warnings", "[]")
run_warnings = json.loads(run_warnings) if isinstance(run_warnings, str) else list(run_warnings)
supply_warnings = [w for w in run_warnings if w.startswith("supply_chain:")]
assert supply_warnings
for warning in supply_warnings:
    print("-", warning)
display(riskengine.brief(cube))
