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
# # Institutions and coalitions: who authorises, who blocks, who pays
#
# The coalition model simulates an institution deciding on an action month by month:
# the item is tabled, each member takes a position (support, abstain, oppose) from its
# support covariates, a factor shared by all members of a simulated path and a drift
# that moves positions while the body deliberates, and the institution's rule (Security
# Council veto majority, NATO consensus, EU unanimity or qualified majority, a coalition
# of the willing's threshold) is applied. The first month it passes is the decision.
# The Security Council's permanent members decide their veto by the **veto model**,
# fitted on the Council's vetoed drafts 1946-2022 (`riskengine/models/veto`): who vetoes
# rests on the data, how often a draft draws any veto largely on that model's priors.
# **Every other parameter of the process rests on priors** written in
# `riskengine/models/coalition/process.py` (no fit yet): read those figures as the
# consequences of stated assumptions, not as estimates. Two shipped scenarios: a
# Security Council draft with a likely veto, and NATO consensus with a reluctant member.

# %% tags=["parameters"]
# Parameters (papermill overrides these; the defaults run in about a minute).
paths_per_draw = 1_000  # simulated paths per parameter draw and variant
num_draws = 25  # parameter draws per chain
num_chains = 2
scheduler = "threads"  # None: an embedded LocalCluster; or "threads", or "tcp://HOST:PORT"
config_dir = "../configs"  # relative to notebooks/
credible_mass = 0.9

# %%
import matplotlib.pyplot as plt
import pandas as pd
import xarray as xr
from IPython.display import display

import riskengine

low, high = (1 - credible_mass) / 2, (1 + credible_mass) / 2


def summary(values: xr.DataArray, label: str) -> pd.Series:
    """'mean [low, high]' over the parameter draws, one entry per remaining label."""
    draws = values.stack(sample=("chain", "draw"))
    mean, lower, upper = (
        draws.mean("sample"),
        draws.quantile(low, "sample"),
        draws.quantile(high, "sample"),
    )
    flat = (mean.values.ravel(), lower.values.ravel(), upper.values.ravel())
    text = [f"{m:.2f} [{a:.2f}, {b:.2f}]" for m, a, b in zip(*flat, strict=True)]
    index = mean.to_series().index
    return pd.Series(text, index=index, name=label)


def run(name: str) -> xr.DataTree:
    scenario = riskengine.load_scenario(f"{config_dir}/{name}.yaml")
    scenario = scenario.with_ensemble(
        paths_per_draw=paths_per_draw, num_draws=num_draws, num_chains=num_chains
    )
    return riskengine.run(scenario, scheduler=scheduler, progress=False)


# %% [markdown]
# ## A Security Council draft with a likely veto
#
# The United States tables a draft tightening the measures on North Korea before the
# Council of 2026; member inputs (alliances, UN General Assembly agreement, trade,
# distance, democracy) come from the shared data. A draft passes with nine votes and no
# permanent member against. Each permanent member's veto follows the veto model from its
# General Assembly agreement with North Korea (2019: China 0.90, Russia 0.86, France
# 0.53, the United Kingdom 0.49, the United States 0.15).

# %%
council = run("unsc_resolution")
predictions = council["predictions"]
table = pd.concat(
    [
        summary(predictions["p_authorised_within"], "P(authorised within 12 months)"),
        summary(predictions["expected_months_to_decision"], "months to decision, if any"),
    ],
    axis=1,
)
display(table)

# %% [markdown]
# Who blocks? The probability that each member blocks the draft in at least one month
# (a permanent member's no is a veto; a count shortfall is nobody's block).

# %%
blocks = predictions["p_member_ever_blocks"].mean(("chain", "draw")).to_pandas().T
display(blocks[blocks.max(axis=1) > 0.005].round(3))

# %%
by_month = predictions["p_authorised_by"].mean(("chain", "draw"))
figure, axis = plt.subplots(figsize=(7, 3.5))
for variant in by_month["variant"].values:
    axis.plot(by_month["month"], by_month.sel(variant=variant), marker="o", label=variant)
axis.set_xlabel("month")
axis.set_ylabel("P(authorised by month)")
axis.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## NATO consensus with one reluctant member, during a crisis
#
# The reinforcement of the Baltic states is tabled while Russia's display of force
# against Estonia goes on (the escalation model, in the same path: support rises with
# the crisis level, a prior-only effect). Hungary is the reluctant member. Cost shares
# are capability-weighted (COW CINC) among the members that take part; the benefit is
# shared equally by all allies, so the free-riding index (benefit share minus cost share)
# is positive for members that gain more than they pay. Institutional speed is a risk
# factor: P(force while deliberating) is the probability that the crisis reaches the use
# of force between tabling and decision.

# %%
nato = run("nato_reinforcement")
predictions = nato["predictions"]
display(
    pd.concat(
        [
            summary(predictions["p_authorised_within"], "P(consensus within 12 months)"),
            summary(predictions["expected_coalition_size"], "allies taking part, if decided"),
            summary(predictions["p_force_while_deliberating"], "P(force while deliberating)"),
        ],
        axis=1,
    )
)

# %%
baseline = predictions.sel(variant="baseline")
members = pd.concat(
    [
        summary(baseline["p_member_ever_blocks"], "P(blocks)"),
        summary(baseline["cost_share"], "cost share"),
        summary(baseline["free_riding_index"], "free-riding index"),
    ],
    axis=1,
)
order = baseline["cost_share"].mean(("chain", "draw")).to_series().sort_values(ascending=False)
display(members.loc[[*order.index[:7], "Hungary"]])  # the largest contributors and Hungary

# %% [markdown]
# The brief states the headline judgments of both runs with their intervals and the
# warning that the decision process rests on priors.

# %%
display(riskengine.brief(nato))
