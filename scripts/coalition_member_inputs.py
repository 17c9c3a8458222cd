"""Print the actors and ``member_inputs`` of a coalition scenario from the shared data.

Usage: ``python scripts/coalition_member_inputs.py PROPOSER TARGET MEMBER...`` (COW codes
of the states in :data:`STATES`); the output is YAML to paste into a ``configs/`` file.

Per member (all from ``$RISKENGINE_DATA_DIR``, default ``../shared/data``):
capability from COW NMC 7.0 (latest year, 2022); ``ally_proposer`` /
``ally_target``: an ATOP 5.1 defence pledge in 2018 (its last year; consultation pledges,
which ATOP codes for many friendship treaties with Russia, are left out);
``trade_exposure``: the member's trade with the target over its total trade, COW Trade 4.0,
2014 (its last year); ``distance_km``: CShapes minimum distance to the target's territory,
2019; ``democracy``: V-Dem polyarchy, latest year; ``affinity_*``: UN General Assembly
agreement on the roll calls of 2010-2019 both states voted on, as Signorino and Ritter's
(1999) S score (yes 1, abstain 0.5, no 0; ``1 - 2 * mean |difference|``, from -1 to 1). Major powers: the COW list since 1991.
For the Security Council's permanent members, ``agreement_target``: the veto model's
alignment with the target (:func:`riskengine.data.alignment.alignment_before` the year
2027, i.e. the latest year of the vote data with enough common roll calls, 2019).
The ISO code of each state (``un_votes`` has no COW codes) is mapped by hand in
:data:`STATES`, and the script checks each mapped name against the file's country name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from riskengine.data.alignment import alignment_before
from riskengine.models.veto.coding import MEMBER_CCODES

# COW code -> (name, ISO 3166 alpha-2, the country name in un_votes)
STATES = {
    2: ("United States", "US", "United States"),
    20: ("Canada", "CA", "Canada"),
    95: ("Panama", "PA", "Panama"),
    100: ("Colombia", "CO", "Colombia"),
    200: ("United Kingdom", "GB", "United Kingdom"),
    205: ("Ireland", "IE", "Ireland"),
    210: ("Netherlands", "NL", "Netherlands"),
    211: ("Belgium", "BE", "Belgium"),
    212: ("Luxembourg", "LU", "Luxembourg"),
    220: ("France", "FR", "France"),
    230: ("Spain", "ES", "Spain"),
    235: ("Portugal", "PT", "Portugal"),
    255: ("Germany", "DE", "Germany"),
    290: ("Poland", "PL", "Poland"),
    305: ("Austria", "AT", "Austria"),
    310: ("Hungary", "HU", "Hungary"),
    316: ("Czechia", "CZ", "Czechia"),
    317: ("Slovakia", "SK", "Slovakia"),
    325: ("Italy", "IT", "Italy"),
    338: ("Malta", "MT", "Malta"),
    339: ("Albania", "AL", "Albania"),
    341: ("Montenegro", "ME", "Montenegro"),
    343: ("North Macedonia", "MK", "North Macedonia"),
    344: ("Croatia", "HR", "Croatia"),
    349: ("Slovenia", "SI", "Slovenia"),
    350: ("Greece", "GR", "Greece"),
    352: ("Cyprus", "CY", "Cyprus"),
    355: ("Bulgaria", "BG", "Bulgaria"),
    360: ("Romania", "RO", "Romania"),
    365: ("Russia", "RU", "Russia"),
    366: ("Estonia", "EE", "Estonia"),
    367: ("Latvia", "LV", "Latvia"),
    368: ("Lithuania", "LT", "Lithuania"),
    375: ("Finland", "FI", "Finland"),
    380: ("Sweden", "SE", "Sweden"),
    385: ("Norway", "NO", "Norway"),
    390: ("Denmark", "DK", "Denmark"),
    395: ("Iceland", "IS", "Iceland"),
    450: ("Liberia", "LR", "Liberia"),
    490: ("DR Congo", "CD", "Congo - Kinshasa"),
    520: ("Somalia", "SO", "Somalia"),
    630: ("Iran", "IR", "Iran"),
    640: ("Turkey", "TR", "Turkey"),
    670: ("Saudi Arabia", "SA", "Saudi Arabia"),
    692: ("Bahrain", "BH", "Bahrain"),
    696: ("United Arab Emirates", "AE", "United Arab Emirates"),
    710: ("China", "CN", "China"),
    731: ("North Korea", "KP", "North Korea"),
    732: ("South Korea", "KR", "South Korea"),
    740: ("Japan", "JP", "Japan"),
    750: ("India", "IN", "India"),
    770: ("Pakistan", "PK", "Pakistan"),
    900: ("Australia", "AU", "Australia"),
}
MAJOR_POWERS = {2, 200, 220, 255, 365, 710, 740}


def _data_dir() -> Path:
    return Path(os.environ.get("RISKENGINE_DATA_DIR", "../shared/data"))


def _latest(frame: pd.DataFrame, code: int, column: str, code_column: str = "ccode") -> float:
    rows = frame[frame[code_column] == code].sort_values("year")
    return float(rows[column].iloc[-1])


_VOTE_VALUES = {"yes": 1.0, "abstain": 0.5, "no": 0.0}


def _agreement(votes: pd.DataFrame, first: str, second: str) -> float:
    """Signorino and Ritter's S score on the roll calls both voted on: 1 - 2 * mean |a - b|
    with yes 1, abstain 0.5, no 0 (1: always the same vote; -1: always opposite)."""
    pair = votes[votes.country_code.isin([first, second])].pivot_table(
        index="rcid", columns="country_code", values="value", aggfunc="first"
    )
    pair = pair.dropna()
    return float(1 - 2 * (pair[first] - pair[second]).abs().mean()) if len(pair) else 0.0


def _trade_exposure(trade: pd.DataFrame, member: int, target: int) -> float:
    rows = trade[(trade.year == 2014) & ((trade.ccode1 == member) | (trade.ccode2 == member))]
    flows = rows[["flow1", "flow2"]].clip(lower=0).sum(axis=1)
    partner = rows.ccode2.where(rows.ccode1 == member, rows.ccode1)
    total = flows.sum()
    return float(flows[partner == target].sum() / total) if total > 0 else 0.0


def _tie(atop: pd.DataFrame, first: int, second: int) -> bool:
    rows = atop[(atop.year == 2018) & (atop.ccode1 == first) & (atop.ccode2 == second)]
    return bool(len(rows) and rows.atop_defense.max() > 0)


def main(codes: list[int]) -> None:
    data = _data_dir()
    proposer, target, *members = codes
    nmc = pd.read_csv(data / "conflict/cow_nmc.csv")
    democracy = pd.read_csv(data / "conflict/ccode_democracy.csv").dropna(subset=["v2x_polyarchy"])
    atop = pd.read_csv(data / "conflict/atop_alliance_dyad_years.csv.gz")
    trade = pd.read_csv(data / "trade/cow_trade_ndy.csv.gz")
    distance = pd.read_csv(data / "conflict/cow_mindist.csv.gz")
    distance = distance[distance.year == 2019]
    votes = pd.read_csv(data / "alignment/un_votes.csv.gz")
    calls = pd.read_csv(data / "alignment/un_roll_calls.csv.gz")
    recent = calls[calls.date.str[:4].astype(int).between(2010, 2019)].rcid
    votes = votes[votes.rcid.isin(recent)].assign(value=lambda v: v.vote.map(_VOTE_VALUES))
    names = dict(zip(votes.country_code, votes.country, strict=False))
    for code in codes:
        name, iso, un_name = STATES[code]
        assert names.get(iso) == un_name, (code, iso, names.get(iso), un_name)
    print("actors:")
    for code in dict.fromkeys([proposer, target, *members]):
        name = STATES[code][0]
        cinc = _latest(nmc, code, "cinc")
        print(
            f"  - {{name: {name}, ccode: {code}, capability: {cinc:.3g}"
            + (", major_power: true}" if code in MAJOR_POWERS else "}")
        )
    print("member_inputs:")
    for code in members:
        name, iso, _ = STATES[code]
        rows = distance[
            ((distance.ccode1 == code) & (distance.ccode2 == target))
            | ((distance.ccode2 == code) & (distance.ccode1 == target))
        ]
        values = {
            "ally_proposer": code != proposer and _tie(atop, code, proposer),
            "ally_target": _tie(atop, code, target),
            "affinity_proposer": round(_agreement(votes, iso, STATES[proposer][1]), 2)
            if code != proposer
            else 1.0,
            "affinity_target": round(_agreement(votes, iso, STATES[target][1]), 2)
            if code != target
            else 1.0,
            "trade_exposure": round(_trade_exposure(trade, code, target), 3),
            "distance_km": float(rows.mindist.min()) if len(rows) else 0.0,
            "democracy": round(_latest(democracy, code, "v2x_polyarchy"), 2),
        }
        if code in MEMBER_CCODES.values():
            found = alignment_before(code, target, 2027, data_dir=data)
            values["agreement_target"] = round(found.agreement, 3)
        text = ", ".join(
            f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in values.items()
        )
        print(f"    {name}: {{{text}}}")


if __name__ == "__main__":
    main([int(code) for code in sys.argv[1:]])
