"""Judgments a scenario adds to those its models declare: in the cube and the brief, and
a clear error for one that names no variable of the run."""

from __future__ import annotations

import json

import pytest

import riskengine
from riskengine.config import load_scenario_text
from riskengine.errors import ConfigError

ADDED = """
judgments:
  - {variable: p_war_by, label: war within 6 months, select: {month: 6}}
  - {variable: p_peak, label: a crisis that peaks at display of force, select: {level: display}}
"""


def _scenario(tiny_path, extra: str):
    text = tiny_path.read_text(encoding="utf-8").replace("\nvariants:", extra + "\nvariants:", 1)
    scenario = load_scenario_text(text)
    return scenario.with_ensemble(paths_per_draw=200)


def test_judgments_a_scenario_adds_are_recorded_and_briefed(tiny_path):
    scenario = _scenario(tiny_path, ADDED)
    cube = riskengine.run(scenario, scheduler="threads", progress=False)
    declared = json.loads(cube.attrs["judgments"])
    assert [j["label"] for j in declared[-2:]] == [
        "war within 6 months",
        "a crisis that peaks at display of force",
    ]
    markdown = riskengine.brief(cube, figures=False).markdown
    assert "### Probability: war within 6 months" in markdown
    assert "### Probability: a crisis that peaks at display of force" in markdown


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "\njudgments:\n  - {variable: p_peace, label: peace}",
            ["judgments[0].variable: got 'p_peace'; allowed:", "p_war_within"],
        ),
        (
            "\njudgments:\n  - {variable: p_war_by, label: war, select: {month: 40}}",
            ["judgments[0].select.month: got 40; allowed: 1..12"],
        ),
        (
            "\njudgments:\n  - {variable: p_war_by, label: war}",
            ["judgments[0].select: pick one value of month"],
        ),
    ],
)
def test_a_judgment_naming_nothing_in_the_run_is_refused(tiny_path, extra, expected):
    scenario = _scenario(tiny_path, extra)
    with pytest.raises(ConfigError) as raised:
        riskengine.run(scenario.with_ensemble(num_draws=1), scheduler="threads", progress=False)
    for text in expected:
        assert text in str(raised.value)


def test_a_judgment_with_an_unknown_field_is_refused_on_loading(tiny_path):
    with pytest.raises(ConfigError, match="judgments"):
        _scenario(
            tiny_path, "\njudgments:\n  - {variable: p_war_by, label: war, units: x, mood: 1}"
        )
