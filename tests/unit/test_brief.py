"""The Markdown brief: every variant, yardstick terms, differences vs baseline, prior warning."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest
import xarray as xr

from riskengine.briefing import key_judgments, render_brief
from riskengine.briefing.yardsticks import icd203_term, phia_term
from riskengine.diagnostics import summarize_probability
from riskengine.models.escalation.ensemble import ESCALATION

VARIANTS = ("baseline", "mediation", "finland_commits")
NUM_CHAINS, NUM_DRAWS = 2, 50
# Per-variant means of the war probability, chosen in different ICD 203 ranges.
WAR_MEANS = {"baseline": 0.10, "mediation": 0.03, "finland_commits": 0.30}
DATA_NOTE = ESCALATION.data_note  # what the fitted model was fitted to


def make_cube(*, num_months: int = 24, parameter_source: str = "prior", warnings=()):
    rng = np.random.default_rng(4)
    shape = (NUM_CHAINS, NUM_DRAWS, len(VARIANTS))
    war = np.stack(
        [rng.beta(40 * WAR_MEANS[v], 40 * (1 - WAR_MEANS[v]), shape[:2]) for v in VARIANTS],
        axis=-1,
    )
    # use of force by month m: rises with m, so the 12-month value differs from the last
    months = np.arange(1, num_months + 1)
    force = np.minimum(1.0, war[..., None] + 0.02 * months) * np.ones((*shape, num_months))
    coords = {
        "chain": np.arange(NUM_CHAINS),
        "draw": np.arange(NUM_DRAWS),
        "variant": list(VARIANTS),
        "month": months,
    }
    predictions = xr.Dataset(
        {
            "p_war_within": (("chain", "draw", "variant"), war),
            "p_use_of_force_by": (("chain", "draw", "variant", "month"), force),
        },
        coords=coords,
    )
    tree = xr.DataTree.from_dict({"predictions": predictions})
    # the judgments, data notes and provenance as api.run records them: declared by the model
    judgments = [asdict(j) for j in ESCALATION.judgments(num_months=num_months)]
    provenance = {"escalation": {"source": parameter_source}}
    tree.attrs.update(
        scenario_title="Test brief",
        scenario_description="A crisis described for the test.",
        scenario_name="test-brief",
        model="escalation",
        judgments=json.dumps(judgments),
        data_notes=json.dumps({"escalation": DATA_NOTE}),
        parameter_source=parameter_source,
        parameter_provenance=json.dumps(provenance),
        paths_per_draw=3000,
        seed=123,
        config_sha256="ab" * 32,
        git_revision="deadbeef",
        execution=json.dumps({"where": "test"}),
        warnings=json.dumps(list(warnings)),
    )
    return tree


def pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def table_rows(markdown: str, heading: str) -> dict[str, list[str]]:
    """Rows of the table under ``## heading``, keyed by variant."""
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]
    return {row[0]: row for row in cells}


@pytest.fixture(scope="module")
def prior_brief() -> str:
    return render_brief(make_cube()).markdown


def test_brief_has_a_row_per_variant_and_event(prior_brief):
    for heading in (
        "Probability: use of force within 12 months",
        "Probability: war within 24 months",
    ):
        rows = table_rows(prior_brief, heading)
        assert list(rows) == list(VARIANTS), f"{heading}: rows {list(rows)}"
    assert prior_brief.startswith("# Test brief\n")
    assert "A crisis described for the test." in prior_brief
    assert "2 x 50 parameter draws" in prior_brief and "3,000 simulated paths" in prior_brief
    assert "`test-brief`" in prior_brief and "seed 123" in prior_brief
    assert "ab" * 8 in prior_brief and "`deadbeef`" in prior_brief


def test_brief_numbers_terms_and_differences(prior_brief):
    cube = make_cube()
    war = cube["predictions"]["p_war_within"]
    rows = table_rows(prior_brief, "Probability: war within 24 months")
    for variant in VARIANTS:
        values = war.sel(variant=variant).values.ravel()
        mean = values.mean()
        lower, upper = np.quantile(values, [0.05, 0.95])
        row = rows[variant]
        assert row[1] == pct(mean)
        assert row[2] == f"{pct(lower)} to {pct(upper)}"
        assert row[3].endswith("%") and float(row[3][:-1]) > 0  # MCSE
        assert row[4] == icd203_term(mean) and row[5] == phia_term(mean)
        if variant == "baseline":
            assert row[6] == "reference"
        else:
            difference = values - war.sel(variant="baseline").values.ravel()
            low, high = np.quantile(difference, [0.05, 0.95])
            signed = lambda v: f"{100 * v:+.1f} pp"  # noqa: E731
            assert row[6] == f"{signed(difference.mean())} ({signed(low)} to {signed(high)})"
    # the chosen means land in different ICD 203 ranges
    assert rows["mediation"][4] == "almost no chance"
    assert rows["baseline"][4] == "very unlikely"
    assert rows["finland_commits"][4] == "unlikely"
    assert rows["mediation"][6].startswith("-") and rows["finland_commits"][6].startswith("+")


def test_use_of_force_event_reads_month_twelve(prior_brief):
    cube = make_cube()
    force = cube["predictions"]["p_use_of_force_by"]
    rows = table_rows(prior_brief, "Probability: use of force within 12 months")
    for variant in VARIANTS:
        at_twelve = force.sel(variant=variant, month=12).values.mean()
        assert rows[variant][1] == pct(at_twelve)
        assert pct(force.sel(variant=variant, month=24).values.mean()) != pct(at_twelve)


def test_short_horizon_uses_the_horizon_as_window():
    markdown = render_brief(make_cube(num_months=6)).markdown
    assert "## Probability: use of force within 6 months" in markdown
    assert "## Probability: war within 6 months" in markdown
    assert "12 months" not in markdown


def test_prior_draw_warning_only_for_prior_parameters(prior_brief):
    assert "**Prior draws only.**" in prior_brief
    assert "not the historical record" in prior_brief
    posterior = render_brief(make_cube(parameter_source="posterior")).markdown
    assert "Prior draws only" not in posterior
    assert "Parameters: posterior draws of the fitted escalation model" in posterior
    assert f"({DATA_NOTE})" in posterior


def test_mixed_parameter_sources_say_which_model_rests_on_its_prior():
    cube = make_cube(parameter_source="escalation=prior, sanctions=posterior")
    cube.attrs["model"] = "escalation+sanctions"
    markdown = render_brief(cube).markdown
    assert "**Prior draws only.**" not in markdown
    assert "Parameters, model by model: escalation=prior, sanctions=posterior." in markdown
    assert "its probabilities follow its prior assumptions" in markdown


def test_caveats_listed_when_the_cube_has_warnings(prior_brief):
    assert "## Caveats" not in prior_brief
    markdown = render_brief(make_cube(warnings=["variant x: capability ratio outside data"]))
    assert "## Caveats\n\n- variant x: capability ratio outside data\n" in markdown.markdown


def test_credible_mass_changes_the_interval():
    markdown = render_brief(make_cube(), credible_mass=0.5).markdown
    assert "50% interval" in markdown and "90% interval" not in markdown
    values = make_cube()["predictions"]["p_war_within"].sel(variant="baseline").values.ravel()
    lower, upper = np.quantile(values, [0.25, 0.75])
    row = table_rows(markdown, "Probability: war within 24 months")["baseline"]
    assert row[2] == f"{pct(lower)} to {pct(upper)}"


def test_brief_write_and_markdown_repr(tmp_path):
    brief = render_brief(make_cube())
    path = brief.write(tmp_path / "brief.md")
    assert path.read_text(encoding="utf-8") == brief.markdown == str(brief)
    assert brief._repr_markdown_() == brief.markdown


def test_key_judgments_cover_every_variant_and_event():
    judgments = key_judgments(make_cube())
    assert len(judgments) == 2 * len(VARIANTS)
    assert {(j.variant, j.event.split()[0]) for j in judgments} == {
        (v, e) for v in VARIANTS for e in ("use", "war")
    }
    assert all((j.difference is None) == (j.variant == "baseline") for j in judgments)


def test_mcse_of_independent_draws_is_sd_over_root_n():
    """For independent draws the MCSE of the mean is close to sd / sqrt(n)."""
    rng = np.random.default_rng(8)
    values = xr.DataArray(rng.normal(0.3, 0.05, (4, 1000)), dims=("chain", "draw"))
    summary = summarize_probability(values)
    expected = values.std().item() / np.sqrt(values.size)
    assert summary.mcse == pytest.approx(expected, rel=0.1)
    assert summary.lower < summary.mean < summary.upper


def test_a_declared_quantity_gets_its_own_table_without_terms():
    cube = make_cube()
    predictions = cube["predictions"].to_dataset()
    loss = 1000.0 * predictions["p_war_within"]  # any per-draw quantity
    predictions["expected_loss_musd"] = loss
    cube["predictions"] = xr.DataTree(predictions)
    declared = json.loads(cube.attrs["judgments"])
    quantity = {
        "variable": "expected_loss_musd",
        "label": "expected trade loss",
        "select": {},
        "kind": "quantity",
        "units": "million USD",
    }
    cube.attrs["judgments"] = json.dumps([*declared, quantity])
    markdown = render_brief(cube).markdown
    rows = table_rows(markdown, "expected trade loss (million USD)")
    assert list(rows) == list(VARIANTS)
    header = markdown.split("## expected trade loss (million USD)\n", 1)[1].splitlines()[1]
    assert "ICD 203" not in header and "PHIA" not in header
    for variant in VARIANTS:
        mean = loss.sel(variant=variant).values.mean()
        assert rows[variant][1] == f"{mean:,.3g}"
    assert rows["baseline"][4] == "reference" and rows["mediation"][4].startswith("-")
    # the probability tables are still there
    assert "## Probability: war within 24 months" in markdown
    judgments = key_judgments(cube)
    assert {j.kind for j in judgments} == {"probability", "quantity"}
    assert all(j.icd203 == j.phia == "" for j in judgments if j.kind == "quantity")
