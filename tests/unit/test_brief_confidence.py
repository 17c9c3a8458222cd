"""The confidence rule, factor by factor, and how far a variant lies outside the data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr

from riskengine.briefing.confidence import assess_confidence, warnings_for_variant
from riskengine.briefing.extrapolation import FAR_OUTSIDE, Outside, variant_extrapolation
from riskengine.briefing.yardsticks import ICD203, band_width
from riskengine.diagnostics import GateResult, ProbabilitySummary

CLEAN_GATE = GateResult(1.0, 1000.0, "")


def summary(mean=0.3, mcse=0.001) -> ProbabilitySummary:
    return ProbabilitySummary(mean, mean - 0.05, mean + 0.05, mcse, 0.9)


def assess(**changes):
    arguments = dict(
        summary=summary(),
        gate=CLEAN_GATE,
        yardstick=ICD203,
        warnings=[],
        parameter_source="posterior",
        lever=None,
    )
    arguments.update(changes)
    return assess_confidence(arguments.pop("summary"), arguments.pop("gate"), **arguments)


def test_nothing_amiss_is_high_confidence():
    confidence = assess()
    assert confidence.level == "high" and confidence.reasons == ()
    assert confidence.sentence().startswith("We have high confidence")


@pytest.mark.parametrize(
    ("share", "level"), [(0.05, "high"), (0.10 + 1e-6, "moderate"), (0.25 + 1e-6, "low")]
)
def test_monte_carlo_error_against_the_band_width(share, level):
    mcse = share * band_width(ICD203, 0.3)
    assert assess(summary=summary(mcse=mcse)).level == level


def test_convergence_and_prior_parameters():
    assert assess(gate=GateResult(1.03, 1000.0, "")).level == "moderate"
    assert assess(gate=GateResult(1.0, 250.0, "")).level == "moderate"
    assert assess(parameter_source="prior").level == "low"
    assert assess(failed_fits=("escalation",)).level == "low"


def test_warnings_name_their_caveats_by_kind():
    warnings = [
        (1, "escalation: misses a check", "posterior"),
        (2, "variant 'x': value lies outside", "range"),
        (3, "supply_chain: rests on its priors", "range"),
    ]
    confidence = assess(warnings=warnings)
    assert confidence.level == "moderate"
    assert "outside the fitted data or rests on stated assumptions (caveat 2, 3)" in (
        confidence.sentence()
    )
    assert "misses one of its checks (caveat 1)" in confidence.sentence()


def test_warning_kinds_come_from_the_cube_or_else_from_the_text():
    texts = ["a: missed its check", "variant 'v': outside", "variant 'w': outside", "b: prior"]
    kinds = ["posterior", "range", "range", "range"]
    assert warnings_for_variant(texts, "v", kinds) == [
        (1, texts[0], "posterior"),
        (2, texts[1], "range"),
        (4, texts[3], "range"),
    ]
    assert [kind for *_, kind in warnings_for_variant(texts, "v")] == [
        "posterior",
        "range",
        "posterior",
    ]


@pytest.mark.parametrize(
    ("value", "lower", "upper", "distance"),
    [(0.5, 0.0, 1.0, 0.0), (1.1, 0.0, 1.0, 0.1), (-0.5, 0.0, 1.0, 0.5), (1.0, 0.0, 0.0, math.inf)],
)
def test_distance_outside_the_fitted_range_in_range_widths(value, lower, upper, distance):
    assert Outside("x", value, lower, upper).distance == pytest.approx(distance)


def test_only_far_outside_lowers_confidence_to_low():
    near = Outside("x", 1.0 + FAR_OUTSIDE / 2, 0.0, 1.0)
    far = Outside("x", 1.0 + 2 * FAR_OUTSIDE, 0.0, 1.0)
    assert assess(outside=(near,)).level == "high"
    confidence = assess(outside=(far,), warnings=[(1, "variant 'v': x lies outside", "range")])
    assert confidence.level == "low"
    assert "far outside the fitted data (x 1.5 against a fitted range of 0 to 1; caveat 1)" in (
        confidence.sentence()
    )


def test_variant_extrapolation_reads_the_fitted_ranges_and_the_inputs():
    constant = xr.Dataset(
        {"covariates": (("variant", "covariate"), np.array([[0.0, 2.0], [1.0, 2.0]]))},
        coords={"variant": ["baseline", "mediation"], "covariate": ["mediated", "size"]},
    )
    predictions = xr.Dataset(coords={"variant": ["baseline", "mediation"]})
    cube = xr.DataTree.from_dict({"constant_data": constant, "predictions": predictions})
    ranges = {"mediated": [0.0, 0.0], "size": [0.0, 3.0]}
    cube.attrs["parameter_provenance"] = json.dumps(
        {"toy": {"covariate_ranges": json.dumps(ranges)}}
    )
    found = variant_extrapolation(cube)
    assert found["baseline"] == []
    (outside,) = found["mediation"]
    assert outside.name == "mediated" and outside.distance == math.inf
