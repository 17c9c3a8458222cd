"""The brief: every variant, interval terms, differences vs baseline, confidence, the
diagnostics gate, prior-only levers, escaping, and the same numbers in HTML and Markdown."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from html.parser import HTMLParser

import arviz as az
import jax
import numpy as np
import pytest
import xarray as xr

from riskengine.briefing import ICD203, PHIA, key_judgments, render_brief
from riskengine.briefing.yardsticks import term_range
from riskengine.diagnostics import MAX_RHAT, summarize_probability
from riskengine.models.escalation.core import COVARIATE_NAMES
from riskengine.models.escalation.ensemble import ESCALATION

VARIANTS = ("baseline", "mediation", "finland_commits")
NUM_CHAINS, NUM_DRAWS = 4, 200
# Per-variant means of the war probability, chosen in different ICD 203 ranges.
WAR_MEANS = {"baseline": 0.10, "mediation": 0.045, "finland_commits": 0.30}
DATA_NOTE = ESCALATION.data_note  # what the fitted model was fitted to
INFORMED_SHRINK = 0.2  # the defence-pact slope's spread after "fitting": a fifth of the prior's


def _covariates() -> np.ndarray:
    """Per variant: mediation switches crisis management on, finland_commits a pact."""
    values = np.zeros((len(VARIANTS), len(COVARIATE_NAMES)), np.float32)
    values[1, COVARIATE_NAMES.index("crisis_management")] = 1.0
    values[2, COVARIATE_NAMES.index("defender_defence_pact")] = 1.0
    return values


def _posterior(seed: int = 11) -> xr.Dataset:
    """Escalation coefficients drawn from the model's prior, with the defence-pact slope
    shrunk around its mean as if the data had informed it; crisis management keeps its
    prior (MID never records it)."""
    prior = ESCALATION.prior_draws(jax.random.key(seed), NUM_CHAINS * NUM_DRAWS)
    coefficients = np.array(prior["coefficients"]).reshape(NUM_CHAINS, NUM_DRAWS, -1)
    pact = COVARIATE_NAMES.index("defender_defence_pact")
    column = coefficients[..., pact]
    coefficients[..., pact] = column.mean() + INFORMED_SHRINK * (column - column.mean())
    return xr.Dataset(
        {"escalation.coefficients": (("chain", "draw", "covariate"), coefficients)},
        coords={"covariate": list(COVARIATE_NAMES)},
    )


def make_cube(
    *,
    num_months: int = 24,
    parameter_source: str = "posterior",
    warnings=(),
    variants=VARIANTS,
    title="Test brief",
):
    rng = np.random.default_rng(4)
    shape = (NUM_CHAINS, NUM_DRAWS, len(variants))
    war = np.stack(
        [rng.beta(400 * m, 400 * (1 - m), shape[:2]) for m in WAR_MEANS.values()], axis=-1
    )
    # use of force by month m: rises with m, so the 12-month value differs from the last
    months = np.arange(1, num_months + 1)
    force = np.minimum(1.0, war[..., None] + 0.02 * months) * np.ones((*shape, num_months))
    coords = {
        "chain": np.arange(NUM_CHAINS),
        "draw": np.arange(NUM_DRAWS),
        "variant": list(variants),
        "month": months,
    }
    predictions = xr.Dataset(
        {
            "p_war_within": (("chain", "draw", "variant"), war),
            "p_use_of_force_by": (("chain", "draw", "variant", "month"), force),
        },
        coords=coords,
    )
    constant = xr.Dataset(
        {"covariates": (("variant", "covariate"), _covariates())},
        coords={"variant": list(variants), "covariate": list(COVARIATE_NAMES)},
    )
    tree = xr.DataTree.from_dict(
        {"predictions": predictions, "constant_data": constant, "posterior": _posterior()}
    )
    # the judgments, data notes and provenance as api.run records them: declared by the model
    judgments = [asdict(j) for j in ESCALATION.judgments(num_months=num_months)]
    provenance = {"escalation": {"source": parameter_source}}
    tree.attrs.update(
        scenario_title=title,
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
        execution=json.dumps({"where": "test", "seconds": 1.5}),
        warnings=json.dumps(list(warnings)),
    )
    return tree


def with_predictions(cube: xr.DataTree, predictions: xr.Dataset) -> xr.DataTree:
    cube = cube.copy()
    cube["predictions"] = xr.DataTree(predictions)
    return cube


def pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def unescape(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell)


def table_rows(markdown: str, heading: str) -> dict[str, list[str]]:
    """Rows of the first table under the heading ``heading`` (any level), by variant."""
    section = re.split(rf"\n#+ {re.escape(heading)}\n", markdown, maxsplit=1)[1]
    section = re.split(r"\n#+ ", section, maxsplit=1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[unescape(cell.strip()) for cell in row.strip("|").split("|")] for row in rows[1:]]
    return {row[0]: row for row in cells}


@pytest.fixture(scope="module")
def brief():
    return render_brief(make_cube(), figures=False)


def test_brief_has_a_row_per_variant_and_event(brief):
    for heading in (
        "Probability: use of force within 12 months",
        "Probability: war within 24 months",
    ):
        rows = table_rows(brief.markdown, heading)
        assert list(rows) == list(VARIANTS), f"{heading}: rows {list(rows)}"
    markdown = brief.markdown
    bottom_line = markdown.split("## Bottom line\n", 1)[1].split("\n## ", 1)[0]
    (war_line,) = [line for line in bottom_line.splitlines() if "war within 24 months" in line]
    rows = table_rows(markdown, "Probability: war within 24 months")
    for variant in VARIANTS:  # the table's term, mean and interval, in a sentence
        term, mean, interval = rows[variant][4], rows[variant][1], rows[variant][2]
        assert f"{variant}: {term} ({mean}; 90% interval {interval})" in war_line
    assert markdown.startswith("# Test brief\n")
    assert "A crisis described for the test." in markdown
    assert "4 x 200 parameter draws" in markdown and "3,000 simulated paths" in markdown
    assert "`test-brief`" in markdown and "seed 123" in markdown
    assert "ab" * 32 in markdown and "`deadbeef`" in markdown


def test_brief_numbers_interval_terms_and_differences(brief):
    war = make_cube()["predictions"]["p_war_within"]
    rows = table_rows(brief.markdown, "Probability: war within 24 months")
    changes = table_rows(brief.markdown.split("## Comparisons", 1)[1], "war within 24 months")
    for variant in VARIANTS:
        values = war.sel(variant=variant).values.ravel()
        lower, upper = np.quantile(values, [0.05, 0.95])
        row = rows[variant]
        assert row[1] == pct(values.mean())
        assert row[2] == f"{pct(lower)} to {pct(upper)}"
        assert row[3].endswith("%") and float(row[3][:-1]) > 0  # MCSE
        assert row[4] == term_range(ICD203, lower, upper)
        if variant == "baseline":
            assert variant not in changes
            continue
        difference = values - war.sel(variant="baseline").values.ravel()
        low, high = np.quantile(difference, [0.05, 0.95])
        signed = lambda v: f"{100 * v:+.1f} pp"  # noqa: E731
        assert changes[variant][1:3] == [
            signed(difference.mean()),
            f"{signed(low)} to {signed(high)}",
        ]
        assert changes[variant][3] == pct(np.mean(difference < 0), 0)
    assert rows["mediation"][4] == "almost no chance to very unlikely"
    assert rows["finland_commits"][4] == "unlikely"


def test_phia_yardstick_gives_phia_terms():
    markdown = render_brief(make_cube(), yardstick="phia", figures=False).markdown
    war = make_cube()["predictions"]["p_war_within"].sel(variant="baseline").values.ravel()
    lower, upper = np.quantile(war, [0.05, 0.95])
    row = table_rows(markdown, "Probability: war within 24 months")["baseline"]
    assert row[4] == term_range(PHIA, lower, upper)
    assert "PHIA" in markdown


def test_use_of_force_event_reads_month_twelve(brief):
    force = make_cube()["predictions"]["p_use_of_force_by"]
    rows = table_rows(brief.markdown, "Probability: use of force within 12 months")
    for variant in VARIANTS:
        at_twelve = force.sel(variant=variant, month=12).values.mean()
        assert rows[variant][1] == pct(at_twelve)
        assert pct(force.sel(variant=variant, month=24).values.mean()) != pct(at_twelve)


def test_short_horizon_uses_the_horizon_as_window():
    markdown = render_brief(make_cube(num_months=6), figures=False).markdown
    assert "### Probability: use of force within 6 months" in markdown
    assert "### Probability: war within 6 months" in markdown
    assert "12 months" not in markdown


def test_prior_draw_warning_only_for_prior_parameters(brief):
    assert "Prior draws only" not in brief.markdown
    assert "Parameters: posterior draws of the fitted escalation model" in brief.markdown
    prior = render_brief(make_cube(parameter_source="prior"), figures=False)
    for text in (prior.markdown, prior.html):
        assert "Prior draws only." in text and "not the historical record" in text


def test_caveats_listed_when_the_cube_has_warnings(brief):
    assert "## Caveats" not in brief.markdown
    cube = make_cube(warnings=["variant 'mediation': capability ratio outside data"])
    markdown = render_brief(cube, figures=False).markdown
    assert "## Caveats\n\n1. variant 'mediation': capability ratio outside data\n" in markdown


def test_credible_mass_changes_the_interval():
    markdown = render_brief(make_cube(), credible_mass=0.5, figures=False).markdown
    judgments = markdown.split("## Drivers", 1)[0]  # drivers keep their 90% bootstrap
    assert "50% interval" in judgments and "90% interval" not in judgments
    values = make_cube()["predictions"]["p_war_within"].sel(variant="baseline").values.ravel()
    lower, upper = np.quantile(values, [0.25, 0.75])
    row = table_rows(markdown, "Probability: war within 24 months")["baseline"]
    assert row[2] == f"{pct(lower)} to {pct(upper)}"


def test_brief_write_and_reprs(tmp_path, brief):
    assert brief.write(tmp_path / "brief.md").read_text(encoding="utf-8") == brief.markdown
    assert brief.write(tmp_path / "brief.html").read_text(encoding="utf-8") == brief.html
    assert str(brief) == brief._repr_markdown_() == brief.markdown
    fragment = brief._repr_html_()
    assert fragment.startswith('<div class="riskengine-brief">') and fragment in brief.html
    assert brief.html.startswith("<!DOCTYPE html>")


def test_key_judgments_cover_every_variant_and_event():
    judgments = key_judgments(make_cube())
    assert len(judgments) == 2 * len(VARIANTS)
    assert {(j.variant, j.event.split()[0]) for j in judgments} == {
        (v, e) for v in VARIANTS for e in ("use", "war")
    }
    assert all((j.difference is None) == (j.variant == "baseline") for j in judgments)
    assert all(j.assessable for j in judgments)


def test_mcse_of_independent_draws_is_sd_over_root_n():
    """For independent draws the MCSE of the mean is close to sd / sqrt(n)."""
    rng = np.random.default_rng(8)
    values = xr.DataArray(rng.normal(0.3, 0.05, (4, 1000)), dims=("chain", "draw"))
    summary = summarize_probability(values)
    expected = values.std().item() / np.sqrt(values.size)
    assert summary.mcse == pytest.approx(expected, rel=0.1)
    assert summary.lower < summary.mean < summary.upper


# --- levers: what rests on the prior ------------------------------------------------------


def test_a_lever_whose_parameter_kept_its_prior_is_labelled_as_resting_on_it(brief):
    judgments = {(j.variant, j.event): j for j in key_judgments(make_cube())}
    mediation = judgments["mediation", "war within 24 months"]
    assert mediation.lever.rests_on_prior
    (parameter,) = mediation.lever.parameters
    assert parameter.name == "escalation.coefficients[crisis_management]"
    assert 0.9 < parameter.ratio < 1.1
    assert mediation.confidence.level == "low"
    commits = judgments["finland_commits", "war within 24 months"]
    assert not commits.lever.rests_on_prior
    assert commits.lever.information_ratio == pytest.approx(INFORMED_SHRINK, rel=0.15)
    changes = table_rows(brief.markdown.split("## Comparisons", 1)[1], "war within 24 months")
    assert changes["mediation"][4] == "the prior alone"
    assert changes["finland_commits"][4] == "fitted data"
    levers = brief.markdown.split("## Levers", 1)[1].split("\n## ", 1)[0]
    (mediation_line,) = [line for line in levers.splitlines() if "**mediation**" in line]
    assert "rests on the model's prior alone" in mediation_line
    (commits_line,) = [line for line in levers.splitlines() if "**finland_commits**" in line]
    assert "prior alone" not in commits_line
    assert "rests on the model's prior alone" in brief.html


def test_confidence_is_a_sentence_apart_from_the_likelihood(brief):
    judgments = {(j.variant, j.event): j for j in key_judgments(make_cube())}
    baseline = judgments["baseline", "war within 24 months"]
    assert baseline.confidence.level == "high", baseline.confidence.reasons
    warned = make_cube(warnings=["variant 'finland_commits': capability outside the data"])
    judged = {(j.variant, j.event): j for j in key_judgments(warned)}
    assert judged["baseline", "war within 24 months"].confidence.level == "high"
    assert judged["finland_commits", "war within 24 months"].confidence.level == "moderate"
    assert "We have high confidence in the baseline estimate" in brief.markdown
    assert "We have low confidence in the mediation estimate" in brief.markdown


# --- the diagnostics gate -----------------------------------------------------------------


def planted_rhat_cube(target: float = 1.2) -> xr.DataTree:
    """The test cube with the finland_commits war probability's first chain shifted
    until the judgment's R-hat is about ``target``."""
    cube = make_cube()
    predictions = cube["predictions"].to_dataset()
    war = predictions["p_war_within"].values.copy()
    values = war[..., 2]
    for shift in np.linspace(0.0, 0.2, 401):
        trial = values.copy()
        trial[0] += shift
        rhat = float(az.rhat(xr.DataArray(trial, dims=("chain", "draw")).to_dataset(name="v"))["v"])
        if rhat >= target:
            break
    war[..., 2] = trial
    predictions["p_war_within"] = (predictions["p_war_within"].dims, war)
    assert target <= rhat < target + 0.02, rhat
    return with_predictions(cube, predictions)


def test_a_planted_rhat_makes_the_judgment_not_assessable():
    cube = planted_rhat_cube(1.2)
    judgments = {(j.variant, j.event): j for j in key_judgments(cube)}
    failing = judgments["finland_commits", "war within 24 months"]
    assert not failing.assessable and "R-hat 1.2" in failing.gate.reason
    assert failing.gate.rhat > MAX_RHAT
    assert judgments["baseline", "war within 24 months"].assessable
    brief = render_brief(cube, figures=False)
    row = table_rows(brief.markdown, "Probability: war within 24 months")["finland_commits"]
    assert row[1] == "not assessable" and "R-hat 1.2" in row[2]
    assert "%" not in "".join(row[1:])  # no number is stated for it
    assert "not assessable" in brief.html and "Diagnostics floors overridden" not in brief.html


def test_allow_failing_diagnostics_states_the_numbers_and_stamps_the_pages():
    brief = render_brief(planted_rhat_cube(1.2), allow_failing_diagnostics=True, figures=False)
    row = table_rows(brief.markdown, "Probability: war within 24 months")["finland_commits"]
    assert row[1].endswith("%") and "fails diagnostics" in row[5]
    assert brief.markdown.count("Diagnostics floors overridden") == 1
    assert "Diagnostics floors overridden" in brief.html
    assert "Diagnostics floors overridden" in brief._repr_html_()


# --- quantities and conditional judgments --------------------------------------------------


def _declare(cube: xr.DataTree, *declared: dict) -> None:
    cube.attrs["judgments"] = json.dumps([*json.loads(cube.attrs["judgments"]), *declared])


def test_a_declared_quantity_gets_its_own_table_without_terms():
    cube = make_cube()
    predictions = cube["predictions"].to_dataset()
    loss = 1000.0 * predictions["p_war_within"]  # any per-draw quantity
    predictions["expected_loss_musd"] = loss
    cube = with_predictions(cube, predictions)
    _declare(
        cube,
        {
            "variable": "expected_loss_musd",
            "label": "expected trade loss",
            "select": {},
            "kind": "quantity",
            "units": "million USD",
        },
    )
    markdown = render_brief(cube, figures=False).markdown
    rows = table_rows(markdown, "expected trade loss (million USD)")
    assert list(rows) == list(VARIANTS)
    header = markdown.split("### expected trade loss (million USD)\n", 1)[1].splitlines()[1]
    assert "term" not in header
    for variant in VARIANTS:
        assert rows[variant][1] == f"{loss.sel(variant=variant).values.mean():,.3g}"
    changes = table_rows(markdown.split("## Comparisons", 1)[1], "expected trade loss")
    assert changes["mediation"][1].startswith("-")
    judgments = key_judgments(cube)
    assert {j.kind for j in judgments} == {"probability", "quantity"}
    assert all(j.icd203 == j.phia == "" for j in judgments if j.kind == "quantity")


def test_a_conditional_judgment_leaves_out_undefined_draws():
    cube = make_cube()
    predictions = cube["predictions"].to_dataset()
    conditional = predictions["p_war_within"].copy(data=predictions["p_war_within"].values * 2)
    values = conditional.values.copy()
    values[:, ::3, 1] = np.nan  # no path met the condition in a third of mediation's draws
    values[..., 2] = np.nan  # nor in any draw of finland_commits
    predictions["p_war_given_use_of_force"] = conditional.copy(data=values)
    cube = with_predictions(cube, predictions)
    _declare(cube, {"variable": "p_war_given_use_of_force", "label": "war given use of force"})
    markdown = render_brief(cube, figures=False).markdown
    rows = table_rows(markdown, "Conditional probability: war given use of force")
    defined = values[..., 1][np.isfinite(values[..., 1])]
    assert rows["mediation"][1] == pct(defined.mean())
    assert rows["finland_commits"][1] == "undefined"


# --- escaping and the same numbers in both formats ----------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def hostile_cube() -> xr.DataTree:
    variants = ("baseline", f"mediation {HOSTILE}", "finland_commits")
    cube = make_cube(
        title=f"Crisis {HOSTILE} | *bold* [link](http://x)",
        warnings=[f"variant 'mediation {HOSTILE}': actor {HOSTILE} outside the data"],
        variants=variants,
    )
    cube.attrs["scenario_description"] = f"Actors: Russia {HOSTILE} and Estonia"
    return cube


def test_user_text_stays_inert_in_html_and_markdown():
    brief = render_brief(hostile_cube(), figures=False)
    parser = _Elements()
    parser.feed(brief.html)
    assert "script" not in {tag for tag, _ in parser.tags}
    assert all(not name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert all(attrs.get("src", "data:").startswith("data:") for _, attrs in parser.tags)
    assert "&lt;script&gt;" in brief.html and "&lt;img src=x onerror=alert(1)&gt;" in brief.html
    for text in (brief.markdown, brief.html):
        assert "<script" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in brief.markdown
    assert "\\| \\*bold\\* \\[link\\]" in brief.markdown  # a title cannot break the layout
    # the hostile variant still has its own row in every table
    assert brief.markdown.count("mediation &lt;script&gt;") >= 4


NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?: pp|%)?")


def _visible_text(html_text: str) -> str:
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], False

        def handle_starttag(self, tag, attrs):
            self.skip = tag in ("style", "title")

        def handle_endtag(self, tag):
            self.skip = False

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html_text)
    return " ".join(parser.parts)


@pytest.mark.parametrize("case", ["plain", "hostile", "failing"])
def test_markdown_and_html_carry_the_same_numbers(case):
    cube = {"plain": make_cube, "hostile": hostile_cube, "failing": planted_rhat_cube}[case]()
    brief = render_brief(cube, figures=False)
    # an ordered list's markers are layout, not numbers (HTML's <ol> draws them itself)
    markdown = re.sub(r"(?m)^\d+\. ", "", unescape(brief.markdown))
    markdown_numbers = Counter(NUMBER.findall(markdown))
    html_numbers = Counter(NUMBER.findall(_visible_text(brief.html)))
    assert markdown_numbers == html_numbers
    assert sum(1 for n in markdown_numbers if n.endswith("%")) >= 10


def test_a_fit_that_missed_its_floors_lowers_every_judgment_to_low():
    cube = make_cube()
    provenance = {"escalation": {"source": "posterior", "diagnostics": {"passed": False}}}
    cube.attrs["parameter_provenance"] = json.dumps(provenance)
    judgments = key_judgments(cube)
    assert all(j.confidence.level == "low" for j in judgments)
    reason = "the fitted posterior of escalation missed its diagnostic floors"
    assert all(reason in j.confidence.reasons for j in judgments)


def test_few_effective_draws_lower_confidence_to_moderate():
    cube = make_cube()
    predictions = cube["predictions"].to_dataset()
    war = predictions["p_war_within"].values.copy()
    repeated = 4 * (np.arange(NUM_DRAWS) // 4)
    war[:, :, 0] = war[:, repeated, 0]  # each baseline draw four times: about a quarter the ESS
    predictions["p_war_within"] = (predictions["p_war_within"].dims, war)
    judgments = {
        (j.variant, j.event): j for j in key_judgments(with_predictions(cube, predictions))
    }
    baseline = judgments["baseline", "war within 24 months"]
    assert baseline.assessable and baseline.gate.ess_bulk < 400
    assert baseline.confidence.level == "moderate"
    assert any("effective sample size" in reason for reason in baseline.confidence.reasons)
