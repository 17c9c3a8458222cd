"""Exact probability that a decision passes, members voting independently (numpy, no sampling).

Member ``i`` votes yes with probability ``support_probabilities[i]``, abstains with
``abstain_probabilities[i]`` and votes no otherwise, independently of the others. The
rule is an ``institutions.Rule`` (see :mod:`riskengine.models.coalition.rules` for its
criteria). Two exact methods, chosen by the rule's kind:

- count rules (``veto_majority``, ``consensus``, ``threshold``): a dynamic programme
  over the number of yes votes (a Poisson binomial distribution) in which a veto
  holder's "no" ends the path; O(members**2).
- population rules (``qualified_majority``, ``unanimity_constructive_abstention``): each
  member is in one of two classes (yes / not yes; abstain / yes given nobody votes no),
  and the probability that the class holds at least ``c`` members *and* ``p`` persons is
  computed by meeting in the middle: enumerate the 2**(members/2) subsets of each half,
  sort one half by population and add the other half's subsets with a binary search.
  Exact for up to 40 members (2**20 subsets a half); the EU's 27 take milliseconds.
"""

from __future__ import annotations

import numpy as np

from riskengine.errors import UsageError

__all__ = ["MAX_MEMBERS", "authorisation_probability_exact"]

MAX_MEMBERS = 40
_COUNT_KINDS = ("veto_majority", "consensus", "threshold")


def authorisation_probability_exact(support_probabilities, abstain_probabilities, rule) -> float:
    """P(the decision passes) for independent members (see the module docstring).

    ``support_probabilities``, ``abstain_probabilities``: (members,) in the rule's member
    order, each in [0, 1] with their sum at most 1 per member.
    """
    support, abstain = _checked(support_probabilities, abstain_probabilities, rule)
    if rule.kind in _COUNT_KINDS:
        return _count_rule(support, abstain, rule)
    if rule.kind == "qualified_majority":
        return _qualified_majority(support, rule)
    return _unanimity_with_abstention(support, abstain, rule)


def _checked(support_probabilities, abstain_probabilities, rule):
    support = np.asarray(support_probabilities, np.float64)
    abstain = np.asarray(abstain_probabilities, np.float64)
    shape = (rule.num_members,)
    valid = (
        support.shape == shape
        and abstain.shape == shape
        and np.all((support >= 0) & (abstain >= 0) & (support + abstain <= 1 + 1e-12))
    )
    if not valid:
        raise UsageError(
            f"support {support!r} and abstain {abstain!r} probabilities; allowed: two arrays "
            f"of {shape[0]} probabilities (one per member of {rule.institution}), each pair "
            "summing to at most 1"
        )
    if rule.num_members > MAX_MEMBERS:
        raise UsageError(
            f"{rule.num_members} members; allowed: at most {MAX_MEMBERS} for the exact "
            "probability (use a Monte Carlo estimate with rules.decide)"
        )
    return support, abstain


def _count_rule(support: np.ndarray, abstain: np.ndarray, rule) -> float:
    """Poisson binomial over yes votes; paths where a veto holder votes no are dropped."""
    distribution = np.zeros(rule.num_members + 1)
    distribution[0] = 1.0
    for yes, abstains, veto in zip(support, abstain, rule.veto, strict=True):
        no = max(1.0 - yes - abstains, 0.0)
        stays = abstains + (0.0 if veto else no)
        distribution[1:] = distribution[1:] * stays + distribution[:-1] * yes
        distribution[0] *= stays
    return float(distribution[rule.minimum_yes :].sum())


def _qualified_majority(support: np.ndarray, rule) -> float:
    """P(count and population reached) + P(count reached, population short, but fewer
    than ``minimum_blocking_members`` members not voting yes)."""
    not_yes = 1.0 - support
    count_only = max(rule.minimum_yes, rule.num_members - rule.minimum_blocking_members + 1)

    def at_least(count: int, population: int) -> float:
        return _at_least(support, not_yes, rule.population, count, population)

    both = at_least(rule.minimum_yes, rule.minimum_yes_population)
    waived = at_least(count_only, 0) - at_least(count_only, rule.minimum_yes_population)
    return both + waived


def _unanimity_with_abstention(support: np.ndarray, abstain: np.ndarray, rule) -> float:
    """P(nobody votes no) - P(nobody votes no and the abstainers reach the limit)."""
    no_objection = float(np.prod(support + abstain))
    over_limit = _at_least(
        abstain,
        support,
        rule.population,
        rule.abstention_limit_members,
        rule.abstention_limit_population,
    )
    return no_objection - over_limit


def _subsets(chosen_weight, other_weight, population):
    """Every subset of a few members: (its size, its population, its weight)."""
    size = len(chosen_weight)
    chosen = ((np.arange(2**size)[:, None] >> np.arange(size)) & 1).astype(bool)
    weight = np.prod(np.where(chosen, chosen_weight, other_weight), axis=1)
    return chosen.sum(axis=1), chosen @ np.asarray(population, np.int64), weight


def _at_least(chosen_weight, other_weight, population, minimum_count, minimum_population):
    """Sum over subsets S with |S| >= minimum_count and population(S) >= minimum_population
    of prod_{i in S} chosen_weight[i] * prod_{i not in S} other_weight[i]."""
    half = len(chosen_weight) // 2
    count_a, population_a, weight_a = _subsets(
        chosen_weight[:half], other_weight[:half], population[:half]
    )
    count_b, population_b, weight_b = _subsets(
        chosen_weight[half:], other_weight[half:], population[half:]
    )
    total = 0.0
    for count in np.unique(count_b):
        in_class = count_b == count
        order = np.argsort(population_b[in_class], kind="stable")
        sorted_population = population_b[in_class][order]
        tail = np.append(np.cumsum(weight_b[in_class][order][::-1])[::-1], 0.0)
        index = np.searchsorted(sorted_population, minimum_population - population_a, "left")
        total += float(np.sum(weight_a * tail[index] * (count_a + count >= minimum_count)))
    return total
