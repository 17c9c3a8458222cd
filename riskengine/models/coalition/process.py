"""The monthly decision process of an institution: positions, the rule, the decision.

Generative story (one simulated path; members ``j``, scenario months ``m``). From the
month the item is tabled, each member holds a latent willingness

    U[j, m] = location[j] + case_scale * z + drift[j, m] + level_shift * max(level[m] - 1, 0)
              + e[j]

with ``location[j] = intercept + x[j] . coefficients + election_shift * election[j]`` (the
support model's linear predictor on the member's covariates ``x``, :data:`COVARIATE_NAMES`,
and an election in the window; the parameter names are those of the support model,
:class:`riskengine.models.coalition.support.Params`, so that its fitted posterior can
supply them once its covariates are adopted), ``z ~ N(0, 1)`` a
factor shared by all members of the path (drawn once: members' positions are
correlated, e.g. how the crisis is read in capitals), ``drift`` a per-member random walk
from the tabled month (``drift[j, tabled] = 0``, steps ``N(0, movement_scale**2)``: positions
move while the body deliberates), ``level`` the escalation crisis level when a crisis runs
in the same path (0 otherwise), and ``e[j] ~ Logistic(0, 1)`` drawn once per member and
path (a member's own persistent reading). Its position is *yes* when ``U > 0``, *abstain*
when ``-abstain_width < U <= 0`` and *no* otherwise, so the marginal probability of
support in a month is ``sigmoid(location + ...)``: an ordered logit with cut-points
``(-abstain_width, 0)``. A member with a fixed position (or the proposer: always yes) takes
it whatever ``U``. The institution's rule is applied every month from the tabled month;
the first month it passes is the decision month (absorbing: positions are frozen there
and the supporters of that month are the coalition that acts).

The decision rules are those of :mod:`riskengine.models.coalition.rules` (one form for
the Security Council's veto majority, NATO's consensus, the EU's unanimity with
constructive abstention and qualified majority, and a coalition of the willing's
threshold; the institutions' parameters in ``tables/rules.yaml``), applied to each path's
positions every month; its ``blocking_members`` are the members recorded as blocking in
a month the rule fails (a veto, an objection, a blocking minority, abstainers over the
limit; a count shortfall alone is nobody's block).

**Permanent members of the Security Council** decide their veto by the fitted veto model
(:mod:`riskengine.models.veto.core`, its posterior shipped in
``riskengine/models/veto/fitted/posterior.nc``): in a Security Council variant, each
path draws the draft's contestedness ``c ~ N(0, 1)`` and permanent member ``m`` vetoes
when

    veto_logit[m] + veto_contestedness_scale * c + r[m] > 0

with ``veto_logit`` :func:`riskengine.models.veto.core.member_logits` (its intercept for the
member's seat and the latest era, its General Assembly agreement with the target, how far
it stands behind the target's closest permanent member, whether it is a party) and
``r[m] ~ Logistic(0, 1)``, drawn once per path: the veto model's probabilities exactly, for
a draft from the model's population of contested drafts. A permanent member that does
not veto votes yes or abstains by its willingness above (its *no* reads as an
abstention, a no from a permanent member being a veto). The veto parameters are the
``veto_*`` fields of :class:`Params` (the veto model's names with the prefix); what they
rest on is in the veto model's docstring: who vetoes on the data, the level of the
intercepts and the contestedness largely on its priors and the truncation.

Priors of the process's own parameters (no fit of this process exists yet; the support
coefficients are to come from the support model's fit (``support_fit``) once it is wired
in, see ``ensemble``):

- ``intercept ~ Normal(0, 1)``: an unaligned member with default covariates is as likely
  to support as not, within odds of about 1:7 to 7:1;
- ``coefficients``: alliance with the proposer ``Normal(1, 0.5)`` and with the target
  ``Normal(-1, 0.5)`` (allies side with allies: Leeds 2003; Tago 2007 on coalition
  participation); UNGA agreement with the proposer ``Normal(1, 0.5)`` and with the
  target ``Normal(-1, 0.5)`` per unit of agreement (Voeten 2001 on Security Council
  votes); trade exposure to the target ``Normal(-2, 1)`` per unit share (a member with
  10% of its trade with the target: about -0.2 on the logit scale: states shield their
  trade, Drezner 1999); log distance (thousands of km) ``Normal(-0.3, 0.3)`` (distant
  states care less); democracy ``Normal(0.5, 0.5)`` (democracies join multilateral
  action more readily, Tago 2007); major power ``Normal(0, 0.5)``;
- ``election_shift ~ Normal(-0.4, 0.3)``, an election in the window (as the support
  model's prior): governments facing an election shy away from costly
  commitments (Gaubatz 1991 finds democracies less likely to enter wars close to
  elections), with a spread that allows no effect or a rally;
- ``case_scale ~ HalfNormal(1)``: the shared factor moves every member by up to about
  2 on the logit scale (two sd) between paths: positions within a case are strongly
  correlated (blocs move together);
- ``abstain_width ~ LogNormal(0, 0.5)``: abstention spans about 1 logit unit below the
  yes threshold (e.g. a member at 50% support abstains with about 23% and votes no with
  27%), between 0.4 and 2.7 within two sd;
- ``movement_scale ~ HalfNormal(0.25)`` per month: over a year a member's willingness
  moves by about ``0.25 * sqrt(12) = 0.9`` logit units (one sd), from 50% to 29-71%;
- ``level_shift ~ Normal(0.15, 0.15)`` per crisis level above threat (display, use of
  force, war): support rises as a crisis escalates (a rally to collective action),
  prior-only and declared as such.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from riskengine.models.veto import core as veto_core

__all__ = [
    "COVARIATE_NAMES",
    "PARAMETER_COORDS",
    "PARAMETER_DIMS",
    "PROCESS_PARAMETERS",
    "Params",
    "VETO_PARAMETERS",
    "location",
    "model",
    "position_from_willingness",
    "priors",
    "veto_logits",
]

COVARIATE_NAMES = (
    "ally_proposer",
    "ally_target",
    "affinity_proposer",
    "affinity_target",
    "trade_exposure",
    "log_distance",
    "democracy",
    "major_power",
)
_COEFFICIENT_MEANS = (1.0, -1.0, 1.0, -1.0, -2.0, -0.3, 0.5, 0.0)
_COEFFICIENT_SDS = (0.5, 0.5, 0.5, 0.5, 1.0, 0.3, 0.5, 0.5)
PARAMETER_DIMS: dict[str, tuple[str, ...]] = {
    "intercept": (),
    "coefficients": ("support_covariate",),
    "case_scale": (),
    "election_shift": (),
    "abstain_width": (),
    "movement_scale": (),
    "level_shift": (),
}
PROCESS_PARAMETERS = tuple(PARAMETER_DIMS)
VETO_PARAMETERS = (
    "intercepts",
    "alignment_effect",
    "gap_effect",
    "party_effect",
    "contestedness_scale",
)
"""The veto model's parameters the process uses, as ``veto_<name>`` fields of ``Params``."""
PARAMETER_DIMS |= {f"veto_{name}": veto_core.PARAMETER_DIMS[name] for name in VETO_PARAMETERS}
PARAMETER_COORDS = {"support_covariate": COVARIATE_NAMES} | {
    dim: veto_core.PARAMETER_COORDS[dim] for dim in ("veto_member", "veto_era")
}


class Params(NamedTuple):
    """Logit scale of a member's willingness to support (see the module docstring)."""

    intercept: jnp.ndarray  # () at covariates 0
    coefficients: jnp.ndarray  # (8,) per covariate unit, COVARIATE_NAMES order
    case_scale: jnp.ndarray  # () sd of the per-path shared factor
    election_shift: jnp.ndarray  # () a member facing an election in the window (prior only)
    abstain_width: jnp.ndarray  # () width of the abstention band below the yes threshold
    movement_scale: jnp.ndarray  # () sd of a member's monthly drift
    level_shift: jnp.ndarray  # () per crisis level above threat (prior only)
    veto_intercepts: jnp.ndarray  # (5, 3) the veto model's, seats x eras
    veto_alignment_effect: jnp.ndarray  # () the veto model's (fitted)
    veto_gap_effect: jnp.ndarray  # () the veto model's (fitted)
    veto_party_effect: jnp.ndarray  # () the veto model's (fitted)
    veto_contestedness_scale: jnp.ndarray  # () the veto model's (fitted)


def priors() -> dict[str, dist.Distribution]:
    """Parameter name -> prior (the reasoning is in the module docstring)."""
    return {
        "intercept": dist.Normal(0.0, 1.0),
        "coefficients": dist.Normal(
            jnp.asarray(_COEFFICIENT_MEANS), jnp.asarray(_COEFFICIENT_SDS)
        ).to_event(1),
        "case_scale": dist.HalfNormal(1.0),
        "election_shift": dist.Normal(-0.4, 0.3),
        "abstain_width": dist.LogNormal(0.0, 0.5),
        "movement_scale": dist.HalfNormal(0.25),
        "level_shift": dist.Normal(0.15, 0.15),
    } | {f"veto_{name}": veto_core.priors()[name] for name in VETO_PARAMETERS}


def model() -> Params:
    """numpyro model: the priors (no likelihood: the process has no fit of its own)."""
    return Params(**{name: numpyro.sample(name, prior) for name, prior in priors().items()})


def location(params: Params, covariates, election) -> jnp.ndarray:
    """intercept + x . coefficients + election_shift * election, one per row of
    ``covariates`` (member, 8); ``election`` (member,) is 1 for an election in the window."""
    return (
        params.intercept
        + jnp.sum(covariates * params.coefficients, axis=-1)
        + params.election_shift * election
    )


def veto_logits(params: Params, era, alignment, party, contestedness) -> jnp.ndarray:
    """(..., 5) each permanent seat's veto logit, the veto model's
    (:func:`riskengine.models.veto.core.member_logits`): ``alignment`` and ``party`` (5,)
    in the veto model's seat order, ``contestedness`` (...,) in its standard deviations."""
    fields = {name: getattr(params, f"veto_{name}") for name in VETO_PARAMETERS}
    veto_params = veto_core.Params(**fields, log_rates=None, dispersion=None)
    era = jnp.broadcast_to(jnp.asarray(era), jnp.shape(contestedness))
    return veto_core.member_logits(veto_params, era, alignment, party, contestedness)


def position_from_willingness(willingness, abstain_width) -> jnp.ndarray:
    """+1 above 0, 0 in ``(-abstain_width, 0]``, -1 below (int32)."""
    return jnp.where(willingness > 0, 1, jnp.where(willingness > -abstain_width, 0, -1)).astype(
        jnp.int32
    )
