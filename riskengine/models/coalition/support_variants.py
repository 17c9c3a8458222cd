"""Two variants of the member support fit, set beside the shipped one.

* ``capped_unknown``: the same 151 cases, but in the 52 cases at TIES's five-sender
  cap the unlisted candidates' outcomes are unknown (they may have joined unlisted)
  instead of non-joiners; the selection term is unchanged.
* ``all_cases``: every eligible case (unilateral ones too, ``selection="all"``), so no
  selection term is needed; the non-joiners are case-control sampled with the King-Zeng
  offset (:func:`support_data.case_control_sample`) to keep the fit affordable.

If the model were right and TIES's listing complete, the three would agree up to
sampling error; where they differ, the shipped slopes lean on the listing rule or on
the selection correction.
"""

from __future__ import annotations

import numpy as np

__all__ = ["compare_variants", "format_variants", "summarise"]

SUMMARISED = ("intercept", "coefficients", "case_scale")


def summarise(tree) -> dict[str, dict[str, float]]:
    """Scalar name -> posterior mean, 5% and 95% quantiles."""
    posterior = tree["posterior"].to_dataset()
    result = {}
    for name in SUMMARISED:
        values = np.asarray(posterior[name].values)
        values = values.reshape(-1, *values.shape[2:])
        if values.ndim == 1:
            values = values[:, None]
            labels = [name]
        else:
            labels = [f"{name}[{c!s}]" for c in posterior["support_covariate"].values]
        for index, label in enumerate(labels):
            column = values[:, index]
            low, high = np.quantile(column, [0.05, 0.95])
            result[label] = {"mean": float(column.mean()), "q05": float(low), "q95": float(high)}
    return result


def compare_variants(keys, frame, control_fraction: float, nuts: dict) -> dict:
    """Fit both variants (``keys``: two jax keys) and summarise them with the shipped fit."""
    import xarray as xr

    from riskengine.models.coalition.support_data import case_control_sample, load_candidates
    from riskengine.models.coalition.support_fit import LISTING, POSTERIOR_PATH, fit_support

    fits = {}
    with xr.open_datatree(POSTERIOR_PATH, engine="h5netcdf") as tree:
        fits[f"shipped ({LISTING})"] = (summarise(tree.load()), None)
    other = "capped_unknown" if LISTING == "as_listed" else "as_listed"
    tree, report = fit_support(keys[0], frame, listing=other, **nuts)
    fits[other] = (summarise(tree), report)
    everything = load_candidates(frame.attrs.get("data_dir"), selection="all")
    sample = case_control_sample(everything, control_fraction)
    sample.attrs = {**everything.attrs, "control_fraction": control_fraction}
    tree, report = fit_support(keys[1], sample, listing="as_listed", **nuts)
    fits["all_cases"] = (summarise(tree), report)
    reports = {name: report for name, (_, report) in fits.items() if report is not None}
    return {
        "summaries": {name: summary for name, (summary, _) in fits.items()},
        "diagnostics": reports,
        "all_cases": {
            "num_cases": int(everything["caseid"].nunique()),
            "num_rows": len(everything),
            "num_joined": int(everything["joined"].sum()),
            "num_sample_rows": len(sample),
            "control_fraction": control_fraction,
        },
        "nuts": nuts,
        "passed": all(report["passed"] for report in reports.values()),
    }


def format_variants(result: dict) -> list[str]:
    """Markdown: the variants' data, diagnostics, then one row per parameter."""
    a = result["all_cases"]
    names = list(result["summaries"])
    lines = [
        f"all_cases: {a['num_cases']:,} eligible cases, {a['num_rows']:,} candidates, "
        f"{a['num_joined']} joined; fitted on a case-control sample of {a['num_sample_rows']:,} "
        f"rows (every joiner, {a['control_fraction']:.0%} of the others, King-Zeng offset), "
        f"no selection term. NUTS {result['nuts']}.",
        "",
    ]
    for name, d in result["diagnostics"].items():
        lines.append(
            f"- {name}: max R-hat {d['max_rhat']:.3f}, min ESS bulk {d['min_ess_bulk']:.0f}, "
            f"tail {d['min_ess_tail']:.0f}, divergences {d['divergences']}, "
            f"{d['fit_seconds']:.0f} s"
        )
    lines += ["", "| parameter | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label in result["summaries"][names[0]]:
        cells = []
        for name in names:
            s = result["summaries"][name].get(label)
            cells.append(f"{s['mean']:.2f} [{s['q05']:.2f}, {s['q95']:.2f}]" if s else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, ""]
