"""The validation report renders every section from results shaped like the checks' own.

``make validate`` takes hours on 2 cores, so its report code is exercised here on small
hand-made results with the keys each check returns.
"""

from __future__ import annotations

import json

from riskengine.inference.validation import checked, markdown, run_checks
from riskengine.models.escalation import validate

TITLE = "Escalation model validation"


def _markdown(results: dict) -> str:
    return markdown("escalation", TITLE, results, validate.SECTIONS)


NAMES = ["resolve_scale", "coefficients[0]"]


def _results() -> dict:
    row = {"statistic": "war share: all", "observed": 0.0435, "mean": 0.05}
    row |= {"lower_5": 0.01, "upper_95": 0.5, "inside": True}
    table = {"source": "prior", "num_draws": 400, "interval": "central 90%", "rows": [row]}
    return {
        "quick": False,
        "seconds": 12.0,
        "prior_predictive": table | {"passed": True},
        "reproduction": {
            "seed": 1,
            "nuts": {"num_chains": 4},
            "parameters": {name: {"max_abs_z": 0.5} for name in NAMES},
            "max_abs_difference": 0.0,
            "fit_seconds": 700.0,
            "passed": True,
        },
        "sbc": {
            "num_replications": 200,
            "num_control_replications": 40,
            "p_values": dict.fromkeys(NAMES, 0.4),
            "control_p_values": dict.fromkeys(NAMES, 1e-9),
            "threshold": 0.01 / len(NAMES),
            "divergent_replications": 3,
            "control_rejected": True,
            "passed": True,
        },
        "recovery": {
            "parameters": {
                name: {"truth": 1.0, "mean": 1.1, "z": 0.4, "inside_90": True} for name in NAMES
            },
            "coverage_90": 1.0,
            "max_abs_z": 0.4,
            "passed": True,
        },
        "backtest": {
            "num_train": 2000,
            "num_test": 436,
            "test_war_count": 9,
            "brier": 0.02,
            "brier_base_rate": 0.021,
            "brier_skill": 0.05,
            "peak_log_score": -0.8,
            "peak_log_score_base_rate": -0.85,
            "reliability_quintiles": [
                {"mean_forecast": 0.01, "observed_war_share": 0.0, "count": 88}
            ],
            "passed": False,
        },
    }


def test_every_section_renders_with_its_pass_flag_and_one_row_per_parameter():
    report = _markdown(_results())
    for title, _ in validate.SECTIONS.values():
        assert f"## {title} (passed: " in report, title
    assert "(passed: False)" in report and "Brier 0.0200 vs base rate 0.0210" in report
    assert report.count("| resolve_scale |") == 3  # reproduction, SBC, recovery tables
    assert (
        "negative control (peaks read one level too high, 40 replications) rejected: True" in report
    )


def test_sections_missing_from_the_results_are_left_out():
    results = _results()
    del results["reproduction"], results["recovery"]
    report = _markdown(results | {"quick": True})
    assert "Reproduction" not in report and "Parameter recovery" not in report
    assert "validate --quick" in report


def test_compare_posteriors_passes_identical_draws_and_flags_a_shifted_mean():
    import numpy as np
    import xarray as xr

    rng = np.random.default_rng(0)
    draws = rng.normal(size=(4, 400, 3)).astype(np.float32)
    reference = xr.Dataset({"level_effect": (("chain", "draw", "shifted_level"), draws)})
    same = validate.compare_posteriors(reference, reference.copy(deep=True))
    assert same["passed"] and same["max_abs_difference"] == 0.0
    # a shift of 0.5 sd is ~ 20 standard errors of a mean of ~1,600 draws
    shifted = reference.copy(deep=True)
    shifted["level_effect"][..., 1] += 0.5
    moved = validate.compare_posteriors(reference, shifted)
    assert not moved["passed"] and moved["parameters"]["level_effect"]["max_abs_z"] > 5
    # a fresh set of draws from the same distribution agrees within 5 MCSE
    fresh = reference.copy(deep=True)
    fresh["level_effect"].values[:] = rng.normal(size=draws.shape)
    assert validate.compare_posteriors(reference, fresh)["passed"]


def test_a_check_that_raises_is_reported_as_failed_with_its_error():
    def broken():
        raise KeyError("onset_cutpoints")

    result = checked(broken)
    assert result["passed"] is False and result["error"] == "KeyError: 'onset_cutpoints'"
    report = _markdown({"quick": True, "seconds": 1.0, "backtest": result})
    assert "(passed: False; 0 s)" in report and "KeyError: 'onset_cutpoints'" in report


def _passing(value):
    def check():
        return {"passed": True, "value": value}

    return check


def test_results_about_another_posterior_are_dropped_not_mixed_in(tmp_path):
    """``--only`` keeps the earlier report's other checks only when they judged the same
    posterior (its fingerprint); a refit posterior starts a fresh report."""
    sections = {name: (name, lambda result: [str(result["value"])]) for name in ("a", "b")}

    def run(checks, only, fingerprint):
        run_checks(
            "m",
            "T",
            checks,
            sections,
            quick=False,
            only=only,
            docs=tmp_path,
            fingerprint=fingerprint,
        )
        return json.loads((tmp_path / "m.json").read_text())

    both = {"a": (_passing(1),), "b": (_passing(2),)}
    assert run(both, None, "posterior-1")["fingerprint"] == "posterior-1"
    kept = run({"a": (_passing(3),), "b": (_passing(4),)}, ["a"], "posterior-1")
    assert kept["a"]["value"] == 3 and kept["b"]["value"] == 2
    fresh = run({"a": (_passing(5),), "b": (_passing(6),)}, ["a"], "posterior-2")
    assert fresh["a"]["value"] == 5 and "b" not in fresh


def test_the_shipped_posterior_is_read_or_refitted_with_the_shipped_settings(tmp_path):
    import xarray as xr

    from riskengine.inference.validation import shipped_or_refit

    asked = []

    def refit(options):
        asked.append(options)
        return "refitted tree"

    missing = tmp_path / "posterior.nc"
    defaults = {"seed": 3, "num_chains": 4}
    assert shipped_or_refit(missing, refit, defaults) == (
        "refitted tree",
        "refit (no shipped posterior)",
    )
    assert asked == [{"num_chains": 4}]  # the check's own key seeds the refit
    xr.DataTree.from_dict({"/posterior": xr.Dataset({"a": ("draw", [1.0])})}).to_netcdf(
        missing, engine="h5netcdf"
    )
    tree, source = shipped_or_refit(missing, refit, defaults)
    assert source == "posterior.nc" and float(tree["posterior"]["a"][0]) == 1.0
    assert len(asked) == 1
