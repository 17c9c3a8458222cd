"""The escalation model: a monthly crisis-escalation ladder fitted to the COW MID disputes.

Everything the model needs lives in this package; import the submodules explicitly
(``from riskengine.models.escalation import core as escalation``). This module imports
nothing, so the config layer can import a submodule without loading jax.

- ``core``: the generative model (``Params``, ``priors``, ``simulate``, ``summarize``,
  the numpyro ``model``), its covariates (``COVARIATE_NAMES``) and eras;
- ``ensemble``: the model as an ``EnsembleModel`` (``ESCALATION``): scenario ->
  covariates, counts -> risk metrics;
- ``data``: the one-row-per-dispute table from COW MID 5.0, NMC 7.0 and ATOP 5.1
  (``load_disputes``, ``dispute_arrays``, ``data_provenance``);
- ``likelihood``: the exact dispute likelihood (``make_log_likelihood_fn``);
- ``fit``: NUTS on the disputes (``fit_escalation``) and ``riskengine fit escalation``
  (``fit_command``);
- ``checks``: prior and posterior predictive checks;
- ``calibration``: simulation-based calibration with a negative control;
- ``validate``: ``python -m riskengine.models.escalation.validate``, the long validation;
- ``ranges``: warnings for scenario covariates outside the fitted data's range;
- ``fitted/``: the shipped posterior (``posterior.nc``) and its posterior predictive
  check (``ppc.json``), written by ``riskengine fit escalation --ppc``.
"""
