"""Who a vetoed draft was aimed at: the shipped coding table and the Council's seats.

``target_coding.csv`` (beside this module) has one rule per line: ``crisis_topic`` (the
source's topic, matched exactly), ``agenda_pattern`` (a case-insensitive regular
expression searched in ``agenda_item``; empty matches any), ``date_from`` / ``date_to``
(ISO dates, inclusive; empty is open), and what a matching draft gets:

* ``target_ccode``: the COW code of the state the draft acts against or concerns
  (empty: no state target);
* ``kind``: ``against`` (the draft condemns, sanctions or constrains the target: a
  member aligned with the target is expected to veto it), ``favour`` (the draft favours
  the target, so the expected sign is reversed), ``admission`` (a membership
  application, favouring the applicant, which had no UN voting record yet) or ``none``
  (no state target: disarmament, procedure, thematic drafts);
* ``party_members``: permanent members (``;``-separated, names of :data:`MEMBERS`)
  whose own forces or decisions were what the draft addressed (the target itself, or
  e.g. the UK and France at Suez);
* ``confidence`` (``high`` / ``low``) and a ``note`` with the reasoning.

The first matching rule wins, so specific rules come before a topic's general one;
every draft must match a rule and every rule must match a draft (tested). Only
``against`` drafts enter the alignment part of the model; the others are counted.

Seats: the USSR's seat passed to Russia (both COW 365, one member here); China's seat
was the Republic of China's until 25 October 1971 (its General Assembly record is
Taiwan's 713, :mod:`riskengine.data.country_codes`) and the People's Republic's (710)
after.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskengine.errors import DataError

__all__ = [
    "CODING_PATH",
    "KINDS",
    "MEMBERS",
    "MEMBER_CCODES",
    "PRC_SEATED",
    "code_targets",
    "seat_ccode",
    "target_coding",
]

CODING_PATH = Path(__file__).resolve().parent / "target_coding.csv"
MEMBERS: tuple[str, ...] = ("USA", "UK", "France", "Russia", "China")
MEMBER_CCODES = {"USA": 2, "UK": 200, "France": 220, "Russia": 365, "China": 710}
PRC_SEATED = pd.Timestamp("1971-10-25")
KINDS = ("against", "favour", "admission", "none")


@cache
def target_coding() -> pd.DataFrame:
    """The shipped rules, dates as Timestamps (open ends as far past / future),
    ``target_ccode`` as int64 with -1 for no target."""
    table = pd.read_csv(CODING_PATH, dtype=str, keep_default_na=False)
    table["date_from"] = pd.to_datetime(table["date_from"].replace("", "1900-01-01"))
    table["date_to"] = pd.to_datetime(table["date_to"].replace("", "2100-12-31"))
    table["target_ccode"] = table["target_ccode"].replace("", "-1").astype(np.int64)
    bad_kind = ~table["kind"].isin(KINDS)
    parties = {p for cell in table["party_members"] for p in cell.split(";") if p}
    if bad_kind.any() or not parties <= set(MEMBERS):
        raise DataError(
            f"{CODING_PATH.name}: kind must be one of {KINDS} and party_members names of "
            f"{MEMBERS}; got kinds {sorted(set(table.loc[bad_kind, 'kind']))}, parties "
            f"{sorted(parties - set(MEMBERS))}"
        )
    return table


def _matches(rule: pd.Series, drafts: pd.DataFrame) -> np.ndarray:
    topic = drafts["crisis_topic"].to_numpy() == rule["crisis_topic"]
    dated = drafts["date"].between(rule["date_from"], rule["date_to"]).to_numpy()
    pattern = rule["agenda_pattern"]
    agenda = drafts["agenda_item"].str.contains(pattern, case=False, regex=True).to_numpy()
    return topic & dated & (agenda if pattern else True)


def code_targets(drafts: pd.DataFrame) -> pd.DataFrame:
    """``drafts`` (crisis_topic, agenda_item, date) with the matching rule's
    ``coding_rule`` (row of the table), target_ccode, kind, confidence and one 0/1
    ``party_<member>`` column per member. Raises ``DataError`` naming a draft that no
    rule matches."""
    rules = target_coding()
    rule_of = np.full(len(drafts), -1)
    for index, rule in rules.iterrows():
        rule_of = np.where((rule_of < 0) & _matches(rule, drafts), index, rule_of)
    if (rule_of < 0).any():
        row = drafts.iloc[int(np.argmax(rule_of < 0))]
        raise DataError(
            f"{CODING_PATH.name}: no rule matches the draft of {row['date']:%Y-%m-%d} on "
            f"{row['crisis_topic']!r} ({row['agenda_item'][:60]!r}); add one"
        )
    chosen = rules.iloc[rule_of].reset_index(drop=True)
    coded = drafts.reset_index(drop=True).assign(
        coding_rule=rule_of,
        target_ccode=chosen["target_ccode"].to_numpy(),
        kind=chosen["kind"].to_numpy(),
        confidence=chosen["confidence"].to_numpy(),
    )
    for member in MEMBERS:
        parties = chosen["party_members"].str.split(";")
        coded[f"party_{member}"] = parties.map(lambda names, m=member: m in names).astype(int)
    return coded


def seat_ccode(member: str, date: pd.Timestamp) -> int:
    """The COW code whose General Assembly record speaks for ``member``'s seat on
    ``date``: China's seat is the Republic of China's (713) before 25 October 1971."""
    if member == "China" and date < PRC_SEATED:
        return 713
    return MEMBER_CCODES[member]
