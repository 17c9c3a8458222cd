"""Scenario covariates outside the fitted data's range produce one clear warning each."""

from __future__ import annotations

import math

import numpy as np

from riskengine.models.escalation.ranges import out_of_range_warnings

RANGES = {
    "challenger_side_size": (0.0, math.log(40)),
    "defender_side_size": (0.0, math.log(15)),
    "capability_ratio": (-6.0, 6.0),
    "defender_defence_pact": (0.0, 1.0),
}


def test_inside_range_gives_no_warning():
    covariates = np.array([[0.0, math.log(3), 0.5, 1.0, 0.0, 1.0, 0.0, 0.0]])
    assert out_of_range_warnings(covariates, ["baseline"], RANGES) == []


def test_outside_range_names_variant_value_and_range():
    covariates = np.array([[0.0, math.log(31), 0.5, 1.0, 0.0, 1.0, 1.0, 0.0]])
    (message,) = out_of_range_warnings(covariates, ["baseline"], RANGES)
    assert message == (
        "variant 'baseline': defender_side_size = log(31 states) = 3.43 lies outside the fitted "
        "data's range [0, 2.71] (max 15 states); the model extrapolates"
    )
