"""The onset section's checks: named actors, 'coalition' allies, the escalation pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskengine.config import load_scenario_text
from riskengine.errors import ConfigError

TINY_ONSET = Path(__file__).resolve().parents[1] / "data" / "tiny_onset.yaml"


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_scenario_text(text, "x.yaml")
    return caught.value.problems


def test_allies_are_actors_named_once():
    text = TINY_ONSET.read_text().replace(
        "target_allies: coalition", "target_allies: [Germany, Germany, Nobody]"
    )
    assert _problems(text) == [
        "x.yaml:17: onset.target_allies[1]: got 'Germany', already taking part as "
        "target_allies[0]; allowed: each actor once in the section",
        "x.yaml:17: onset.target_allies[2]: got 'Nobody'; allowed: an actor of the "
        "scenario: Russia, Estonia, Finland, Germany",
    ]


def test_coalition_allies_need_the_escalation_section_of_the_same_pair():
    text = TINY_ONSET.read_text()
    escalation = text[text.index("escalation:") : text.index("variants:")]
    alone = text.replace(escalation, "").replace(
        "variants:\n  - name: baseline\n  - name: finland_ally\n    escalation: "
        "{set_commitment: {Finland: defence_pact}}\n  - name: no_allies\n    escalation: "
        "{remove_members: [Germany, Finland]}\n",
        "variants:\n  - name: baseline\n",
    )
    (problem,) = _problems(alone)
    assert "onset.target_allies: got 'coalition', but the scenario has no escalation" in problem
    swapped = text.replace("  target: Estonia", "  target: Finland")
    (problem,) = _problems(swapped)
    assert "allowed: the escalation section's challenger and defender" in problem


def test_an_ally_needs_a_capability():
    text = TINY_ONSET.read_text().replace(
        "{name: Finland, ccode: 375, capability: 0.001}", "{name: Finland, ccode: 375}"
    )
    text = text.replace("target_allies: coalition", "target_allies: [Finland]")
    problems = _problems(text)
    assert any("actor 'Finland' has no capability" in problem for problem in problems)
