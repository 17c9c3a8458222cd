"""The sanctions model's vocabulary: covariates, issue groups, eras, outcomes, cost levels.

One place for the names and codings shared by the TIES loader (``data``), the model core
(``core``), the scenario section and the ensemble adapter, so they cannot disagree.

TIES codes (Morgan, Bapat & Kobayashi 2014, codebook v4):

- ``finaloutcome`` after imposition: 6 partial and 7 total acquiescence by the target,
  10 negotiated settlement; the other codes (1-5, 8 sender capitulation / stalemate, 9)
  are failures of the sanctions to obtain their demand. ``OUTCOME_NAMES`` orders them
  failure < negotiated settlement < acquiescence (an ordered outcome).
- ``targetcosts`` / ``sendercosts``: 1 minor, 2 major, 3 severe (``COST_NAMES``).
- ``issue1`` (15 codes) grouped into ``ISSUE_NAMES`` by ``ISSUE_GROUP_OF_CODE``.
- ``sanctiontype`` (may list several codes): 1 total economic embargo, 5 blockade ->
  ``total_embargo``; 2 partial embargo, 3 import restriction, 4 export restriction,
  9 suspension of an economic agreement -> ``trade_restriction``; the rest (6 asset
  freeze, 7 termination of aid, 8 travel ban, 10 other) are the reference, targeted
  measures.
"""

from __future__ import annotations

__all__ = [
    "COVARIATE_NAMES",
    "ISSUE_NAMES",
    "ISSUE_GROUP_OF_CODE",
    "ERA_NAMES",
    "ERA_FIRST_YEARS",
    "OUTCOME_NAMES",
    "SUCCESS_BROAD",
    "SUCCESS_STRICT",
    "COST_NAMES",
    "SANCTION_TYPES",
    "MAX_SENDERS",
]

COVARIATE_NAMES = (
    "sender_count",  # log(number of senders), an institution counting as one; TIES lists <= 5
    "institutional_sender",  # 1 if an international institution imposes (TIES `institution`)
    "trade_dependence",  # target's trade with the state senders / its total trade, year before
    "defence_pact",  # 1 if an ATOP defence pledge links a sender and the target, year before
    "target_democracy",  # V-Dem electoral democracy index (v2x_polyarchy) of the target, 0..1
    "total_embargo",  # 1 for a total economic embargo or a blockade
    "trade_restriction",  # 1 for partial embargoes, import/export restrictions (not total)
)
ISSUE_NAMES = ("security", "regime_and_rights", "economic", "political_influence", "other")
ISSUE_GROUP_OF_CODE = {
    1: "political_influence",  # contain political influence
    2: "security",  # contain military behaviour
    3: "regime_and_rights",  # destabilise the regime
    4: "other",  # release citizens, property or material
    5: "security",  # solve a territorial dispute
    6: "security",  # deny strategic materials
    7: "political_influence",  # retaliate for alignment choice
    8: "regime_and_rights",  # improve human rights
    9: "security",  # end weapons / nuclear proliferation
    10: "security",  # terminate support of non-state actors
    11: "other",  # deter or punish drug trafficking
    12: "economic",  # improve environmental policies
    13: "economic",  # trade practices
    14: "regime_and_rights",  # implement economic reform
    15: "other",  # other
}
ERA_NAMES = ("early_cold_war", "late_cold_war", "post_cold_war")
ERA_FIRST_YEARS = (1945, 1970, 1990)
OUTCOME_NAMES = ("failure", "negotiated_settlement", "acquiescence")
SUCCESS_BROAD = ("negotiated_settlement", "acquiescence")  # TIES codes 6, 7, 10
SUCCESS_STRICT = ("acquiescence",)  # TIES codes 6, 7
COST_NAMES = ("minor", "major", "severe")
SANCTION_TYPES = ("total_embargo", "trade_restriction", "targeted")
MAX_SENDERS = 5
