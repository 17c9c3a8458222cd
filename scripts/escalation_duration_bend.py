"""Duration-only check of the escalation fit's duration bend.

MID dispute durations (months) fitted by maximum likelihood with (A) a logit-normal
mixture of constant monthly settle hazards, the shape the ladder's resolve heterogeneity
can give, and (B) the same with a separate first-month hazard. Prints each fit's log
likelihood and its duration-bin shares against the observed ones (z = difference over
the binomial standard error at the data's size). Figures quoted in
``docs/validation/escalation-fit-notes.md``. Run:
``RISKENGINE_DATA_DIR=../shared/data .venv/bin/python scripts/escalation_duration_bend.py``
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from riskengine.models.escalation.data import load_disputes

BINS = ((1, 1), (2, 3), (4, 6), (7, 12), (13, 24), (25, None))
HORIZON = 600  # months; the mass beyond is negligible at the fitted hazards
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
WEIGHTS = WEIGHTS / WEIGHTS.sum()


def month_probabilities(params: np.ndarray, separate_first: bool) -> np.ndarray:
    """P(duration = d), d = 1..HORIZON, averaged over the logit-normal hazard."""
    hazard = special.expit(params[0] + np.exp(params[1]) * NODES)[:, None]
    first = special.expit(params[2]) if separate_first else hazard
    months = np.arange(1, HORIZON + 1)[None, :]
    later = (1 - first) * (1 - hazard) ** np.maximum(months - 2, 0) * hazard
    return WEIGHTS @ np.where(months == 1, first, later)


def bin_shares(probabilities: np.ndarray) -> np.ndarray:
    return np.array([probabilities[low - 1 : high or HORIZON].sum() for low, high in BINS])


def fit(durations: np.ndarray, separate_first: bool) -> tuple[np.ndarray, float]:
    """Maximum-likelihood parameters and the log likelihood."""
    cells = np.minimum(durations, HORIZON) - 1

    def negative_log_likelihood(params):
        return -np.log(month_probabilities(params, separate_first)[cells] + 1e-300).sum()

    start = [-1.0, 0.0, 0.0] if separate_first else [-1.0, 0.0]
    options = {"maxiter": 5000, "xatol": 1e-6, "fatol": 1e-6}
    result = optimize.minimize(
        negative_log_likelihood, start, method="Nelder-Mead", options=options
    )
    return result.x, -result.fun


def main() -> None:
    durations = load_disputes()["duration_months"].to_numpy().astype(int)
    observed = np.array(
        [
            np.mean((durations >= low) & (durations <= (high or durations.max())))
            for low, high in BINS
        ]
    )
    for separate_first in (False, True):
        params, log_likelihood = fit(durations, separate_first)
        shares = bin_shares(month_probabilities(params, separate_first))
        errors = np.sqrt(shares * (1 - shares) / len(durations))
        title = (
            "separate first-month hazard" if separate_first else "one hazard, logit-normal mixture"
        )
        print(f"{title}: parameters {np.round(params, 3)}, log likelihood {log_likelihood:.1f}")
        for (low, high), seen, fitted, error in zip(BINS, observed, shares, errors, strict=True):
            label = f"{low}-{high}" if high else f">{low - 1}"
            print(
                f"  {label:>6} months: observed {seen:.3f}, fitted {fitted:.3f}, z {(seen - fitted) / error:+.1f}"
            )


if __name__ == "__main__":
    main()
